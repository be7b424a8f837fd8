#include "probe/output_words.hpp"

#include "dns/phrase.hpp"
#include "probe/data_dir.hpp"
#include "rbl/checker.hpp"
#include "smtp/prober.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace probe {
namespace {

constexpr std::string_view sections[] = {"address", "rbl", "mx", "reason", "route", "server", "live", "spf", "dmarc"};

constexpr std::string_view keys_used[] = {
    "address.headline", "address.reason", "address.meaning", "address.mailbox_exists",
    "address.mailbox_missing", "address.warning", "address.route", "address.no_address", "address.route_note",
    "address.attempt", "address.connect", "address.session", "address.reused", "address.via_proxy",
    "address.plaintext_retry", "address.evidence", "address.banner", "address.ehlo", "address.no_extensions",
    "address.helo_used", "address.more_lines", "address.tls", "address.tls_no_certificate",
    "address.tls_certificate", "address.tls_expired", "address.tls_valid_until", "address.tls_chain_trusted",
    "address.tls_chain_untrusted", "address.tls_name_matches", "address.tls_name_mismatch",
    "address.tls_failed", "address.finding", "address.session_finding.starttls_refused",
    "address.session_finding.plaintext_discarded", "address.tls_handshake", "address.refused",
    "address.detail.server_closed", "address.detail.server_reset", "address.detail.no_socket",
    "address.detail.other_family", "address.detail.no_bind", "address.detail.no_syn_answer",
    "address.detail.to_proxy", "address.detail.proxy_silent", "address.detail.it_sent",
    "address.detail.server_closed_tls", "address.detail.refused_line_break", "address.detail.session_closed",
    "address.detail.no_answer", "address.detail.not_answered", "address.detail.starttls_answer",
    "address.detail.no_handshake", "address.detail.no_greeting", "address.detail.no_starttls",
    "address.detail.upgrade_failed", "address.detail.tls_error", "address.detail.server_answered", "address.detail.gave_up",
    "address.detail.mail_not_sent", "address.detail.rcpt_not_sent", "address.failure", "address.failed",
    "address.note", "address.catch_all", "address.catch_all_cached", "address.provider",
    "rbl.heading", "rbl.kind.ipv4", "rbl.kind.ipv6", "rbl.kind.domain", "rbl.verdict.listed",
    "rbl.verdict.clean", "rbl.verdict.nothing_asked", "rbl.verdict.unknown", "rbl.verdict.none_asked",
    "rbl.verdict.allowlisted_one", "rbl.verdict.allowlisted_many", "rbl.result.listed",
    "rbl.result.allowlisted", "rbl.result.not_listed", "rbl.result.list_error", "rbl.result.unknown",
    "rbl.result.bogus", "rbl.result.unhealthy", "rbl.result.dead", "rbl.result.skipped", "rbl.what_to_do",
    "rbl.detail", "rbl.reason", "rbl.removal", "rbl.lookup", "rbl.warning", "rbl.asked", "rbl.health",
    "rbl.health_detail",
    // A listing's detail and warnings and a zone's health (rbl::phrase, rbl/checker.cpp).
    "rbl.said.text", "rbl.said.failure", "rbl.said.resolver_detail", "rbl.said.health_wildcard",
    "rbl.said.health_broken", "rbl.said.health_error_code", "rbl.said.health_lookup_failed",
    "rbl.said.health_no_test_point", "rbl.said.health_unlisted_only", "rbl.said.healthy",
    "rbl.said.health_pending", "rbl.said.takes_ip4", "rbl.said.takes_ip6", "rbl.said.takes_ip",
    "rbl.said.takes_domain", "rbl.said.gone_since", "rbl.said.dead", "rbl.said.dead_asked",
    "rbl.said.needs_key", "rbl.said.name_too_long", "rbl.said.no_a_record", "rbl.said.bogus",
    "rbl.said.nodata", "rbl.said.unhealthy", "rbl.said.discarded", "rbl.said.health_check",
    "rbl.said.no_time_for_txt", "rbl.said.txt_failed", "rbl.said.internal_error", "rbl.said.target_empty",
    "rbl.said.target_not_ascii", "rbl.said.target_control", "rbl.said.target_zone_index",
    "rbl.said.target_neither", "rbl.said.target_bad_address",
    "mx.status.mx", "mx.status.implicit_mx", "mx.status.null_mx", "mx.status.no_domain",
    "mx.status.no_mail_host", "mx.status.dns_failure", "mx.headline.mx_one", "mx.headline.mx_many",
    "mx.headline.implicit_mx", "mx.headline.null_mx", "mx.headline.no_domain",
    "mx.headline.no_mail_host_none", "mx.headline.no_mail_host_unusable", "mx.headline.dns_failure",
    "mx.implicit", "mx.alias_of", "mx.no_ptr", "mx.not_dialled", "mx.not_dialled_why", "mx.no_address",
    "mx.no_address_why", "mx.cached", "mx.lookup",
    // The reason of an address check and of its catch-all test (smtp::phrase keys, composed
    // in smtp/prober.cpp; the English template gives back smtp's English sentence exactly).
    "reason.at", "reason.quirk", "reason.catch_all", "reason.accepted_rejects_unknown",
    "reason.accepted_inconclusive", "reason.accepted_untested", "reason.accepted_untested_because",
    "reason.refused_recipient", "reason.refused_prober", "reason.deferred_prober",
    "reason.tls_demanded_at_rcpt", "reason.greylisted", "reason.still_greylisted",
    "reason.deferred_recipient", "reason.null_mx", "reason.no_domain", "reason.no_mail_host",
    "reason.dns_failure", "reason.attempt", "reason.attempt_answered", "reason.attempt_failed",
    "reason.refused_before_rcpt", "reason.smtputf8_missing", "reason.tls_demanded_tls_off",
    "reason.tls_required_failed", "reason.all_deferred", "reason.session_failed", "reason.not_smtp",
    "reason.starttls_failed", "reason.nothing_tried", "reason.nothing_tried_because", "reason.port25_blocked",
    "reason.unreachable", "reason.catch_all_learnt", "reason.catch_all_skipped",
    "reason.catch_all_session_full", "reason.not_sent", "reason.catch_all_rset_failed",
    "reason.catch_all_mail_failed", "reason.catch_all_rcpt_failed", "reason.catch_all_accepted",
    "reason.catch_all_refused", "reason.catch_all_unclear",
    // An attempt's note and the prober's warnings (smtp::attempt::note_phrase,
    // smtp::address_check::warning_phrases).
    "reason.note_refused_client", "reason.note_deferred", "reason.note_tls_plaintext_retry",
    "reason.note_next_address", "reason.note_stale_session", "reason.note_rcpt_limit",
    "reason.note_greylist_wait", "reason.note_smtputf8", "reason.note_mail_deferred",
    "reason.warning_helo_not_fqdn", "reason.warning_other_family", "reason.warning_address_limit",
    "reason.warning_family_missing", "reason.warning_proxy_unresolved",
    // A given MAIL FROM that looks forged (probe/prober_setup.cpp, prober_setup::note_phrases).
    "reason.identity_sender_is_recipient", "reason.identity_sender_in_recipient_domain",
    "reason.identity_sender_provider",
    // A route finding's explanation (dns::route_finding keys, composed in dns/routing.cpp;
    // the English template gives back dns's English sentence exactly).
    "route.mx_ip_literal", "route.mx_is_cname", "route.mx_no_address", "route.mx_lookup_failed",
    "route.null_mx_mixed", "route.mx_localhost",
    // The evidence lines and composed summaries of `probe server` (probe/server_check.cpp).
    "server.answer", "server.records", "server.lookup_failed", "server.lookup_failed_detail",
    "server.egress_found", "server.egress_nothing", "server.egress_given", "server.egress_how_asked",
    "server.egress_how_interface", "server.egress_how_none", "server.egress_asked_opendns",
    "server.egress_asked_google", "server.egress_asked_interface", "server.egress_lookup_failed",
    "server.resolver_detail", "server.egress_txt_no_address", "server.egress_private_given",
    "server.egress_private_nat", "server.egress_several", "server.egress_summary", "server.warning",
    "server.record", "server.problem", "server.text", "server.joined", "server.spf_decided_by",
    "server.spf_decided_by_in", "server.spf_lookups", "server.spf_explanation", "server.spf_step",
    "server.spf_more_steps", "server.organizational_domain", "server.listing", "server.listing_codes",
    "server.listing_detail", "server.listing_removal", "server.listing_reason", "server.finding",
    "server.advice_lookup_failed", "server.generic_embeds_address", "server.generic_pool_words",
    "server.helo_problem.bad_literal", "server.helo_problem.bare_address", "server.helo_problem.single_label",
    "server.helo_problem.bad_name", "server.summary.ptr_lookup_failed", "server.summary.mx_lookup_failed",
    "server.summary.ptr_generic", "server.summary.helo_problem",
    // SPF's problems, trace steps and default explanation, DMARC's warnings and errors
    // (dns::phrase keys, composed in dns/spf.cpp and dns/dmarc.cpp).
    "spf.failure", "spf.indented", "spf.failure_detail", "spf.not_checkable", "spf.txt_failed",
    "spf.nxdomain", "spf.no_record", "spf.several_records", "spf.syntax_error", "spf.time_limit",
    "spf.redirect_none", "spf.include_none", "spf.void_limit", "spf.lookup_failed", "spf.too_many_mx",
    "spf.mx_host_failed", "spf.lookup_limit", "spf.default_explanation", "spf.step_not_checkable",
    "spf.step_txt_failed", "spf.step_no_record", "spf.step_several_records", "spf.step_record",
    "spf.step_syntax_error", "spf.step_problem", "spf.step_error", "spf.step_matches", "spf.step_goes_to",
    "spf.step_default", "spf.step_include_says", "spf.step_void", "spf.step_a_match", "spf.step_a_no_match",
    "spf.step_mx_match", "spf.step_mx_no_match", "spf.step_ptr_failed", "spf.step_ptr_match",
    "spf.step_ptr_no_match", "spf.step_exists", "spf.step_invalid_target", "spf.step_exp_ignored",
    "spf.step_more", "spf.exp_not_domain", "spf.exp_lookup", "spf.exp_records", "spf.exp_non_ascii",
    "spf.exp_macro_error", "spf.exp_macro_failed", "spf.syntax.not_spf", "spf.syntax.non_ascii",
    "spf.syntax.control", "spf.syntax.at_term", "spf.syntax.repeated_modifier",
    "spf.syntax.unknown_mechanism", "spf.syntax.all_argument", "spf.syntax.needs_domain",
    "spf.syntax.ptr_prefix", "spf.syntax.malformed_argument", "spf.syntax.needs_address",
    "spf.syntax.bad_ip4_prefix", "spf.syntax.bad_ip6_prefix", "spf.syntax.bad_ip4", "spf.syntax.bad_ip6",
    "spf.syntax.empty_domain_spec", "spf.syntax.two_labels", "spf.syntax.bad_toplabel",
    "spf.syntax.macro_character", "spf.syntax.macro_percent_at_end", "spf.syntax.macro_bad_escape",
    "spf.syntax.macro_unterminated", "spf.syntax.macro_unknown_letter", "spf.syntax.macro_exp_only_letter",
    "spf.syntax.macro_too_many_digits", "spf.syntax.macro_zero_digit", "spf.syntax.macro_malformed",
    "dmarc.not_mailto", "dmarc.not_mail_address", "dmarc.p_none", "dmarc.pct_partial", "dmarc.sp_weaker",
    "dmarc.no_rua", "dmarc.report_unverified", "dmarc.report_unauthorised", "dmarc.not_dmarc",
    "dmarc.malformed_tag", "dmarc.repeated_tag", "dmarc.bad_np", "dmarc.bad_pct", "dmarc.bad_alignment",
    "dmarc.bad_fo", "dmarc.bad_ri", "dmarc.bad_rf", "dmarc.unknown_tag", "dmarc.bad_sp", "dmarc.p_missing",
    "dmarc.bad_p", "dmarc.no_policy_p", "dmarc.no_policy_sp", "dmarc.p_assumed", "dmarc.not_domain",
    "dmarc.lookup_failed", "dmarc.record_ignored", "dmarc.several_records",
    // The live checks of `probe bounce` (probe/correlation_run.cpp).
    "live.text", "live.dns_failed", "live.dns_failed_detail", "live.route_asked", "live.route_no_domain",
    "live.route_null_mx", "live.route_no_mail_host", "live.route_lookup_failed", "live.route_mx",
    "live.route_implicit_mx", "live.rcpt_asked", "live.rcpt_asked_at", "live.rcpt_answer",
    "live.rcpt_catch_all", "live.rcpt_rejects_unknown", "live.rcpt_catch_all_unclear", "live.not_probed",
    "live.size_asked", "live.size_limit", "live.size_unlimited", "live.size_none", "live.dnsbl_no_catalogue",
    "live.not_checked", "live.dnsbl_asked", "live.dnsbl_asked_on", "live.dnsbl_answer", "live.dnsbl_codes",
    "live.dnsbl_txt", "live.dnsbl_dead", "live.ptr_asked", "live.ptr_answer", "live.ptr_confirmed",
    "live.ptr_unconfirmed", "live.sender_domain_asked", "live.spf_no_domain", "live.spf_asked",
    "live.spf_answer", "live.spf_mechanism", "live.spf_problem", "live.dmarc_asked", "live.dmarc_aligned",
    "live.dmarc_not_aligned", "live.dmarc_none",
};

// The {placeholder} names of a template.
std::set<std::string> placeholders(const std::string& pattern) {
  std::set<std::string> names;
  for (std::size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
    const auto close = pattern.find('}', open);
    if (close == std::string::npos) break;
    names.insert(pattern.substr(open + 1, close - open - 1));
  }
  return names;
}

// Entries are maps with `en` and `zh`; any other map is a group whose keys extend the name.
std::string read_entries(const YAML::Node& node, const std::string& prefix,
                         std::map<std::string, std::pair<std::string, std::string>, std::less<>>& texts) {
  if (!node.IsMap()) return prefix + " is not a map";
  for (const auto& entry : node) {
    const auto name = prefix + "." + entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (value.IsMap() && value["en"]) {
      if (!value["en"].IsScalar() || !value["zh"] || !value["zh"].IsScalar()) return name + " needs an en and a zh text";
      auto en = value["en"].as<std::string>();
      auto zh = value["zh"].as<std::string>();
      if (en.empty() || zh.empty()) return name + " has an empty en or zh text";
      // A reason sentence gets the same values in every language (an identifier's name is
      // chosen by the renderer), so both texts must use them all; labels elsewhere may
      // pick a value's name instead ({verdict_name}).
      if ((name.starts_with("reason.") || name.starts_with("route.") || name.starts_with("server.") ||
           name.starts_with("live.") || name.starts_with("rbl.said.") || name.starts_with("spf.") || name.starts_with("address.session_finding.") || name.starts_with("address.detail.") ||
           name.starts_with("dmarc.")) &&
          placeholders(en) != placeholders(zh))
        return name + ": the en and zh texts use different {placeholders}";
      texts[name] = {std::move(en), std::move(zh)};
    } else if (auto problem = read_entries(value, name, texts); !problem.empty()) {
      return problem;
    }
  }
  return {};
}

}  // namespace

std::span<const std::string_view> output_words::required_keys() { return keys_used; }

std::variant<output_words, std::string> output_words::load(const std::filesystem::path& path) {
  output_words words;
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    if (!root.IsMap()) return path.string() + ": not a YAML map";
    for (const auto section : sections) {
      const YAML::Node node = root[std::string(section)];
      if (!node) return path.string() + ": no section " + std::string(section);
      if (auto problem = read_entries(node, std::string(section), words.texts_); !problem.empty())
        return path.string() + ": " + problem;
    }
    if (const YAML::Node names = root["names"]) {
      if (!names.IsMap()) return path.string() + ": names is not a map";
      for (const auto& kind : names) {
        if (!kind.second.IsMap()) return path.string() + ": names." + kind.first.as<std::string>() + " is not a map";
        for (const auto& name : kind.second)
          words.names_[kind.first.as<std::string>() + "." + name.first.as<std::string>()] = name.second.as<std::string>();
      }
    }
  } catch (const std::exception& e) {
    return path.string() + ": " + e.what();
  }
  for (const auto key : keys_used)
    if (!words.texts_.contains(key)) return path.string() + ": no text for " + std::string(key);
  return words;
}

const std::variant<output_words, std::string>& output_words::installed() {
  static const auto loaded = load(std::filesystem::path(data_path("probe")) / "output_words.yaml");
  return loaded;
}

const output_words& output_words::installed_or_throw() {
  const auto& loaded = installed();
  if (const auto* problem = std::get_if<std::string>(&loaded)) throw std::runtime_error(*problem);
  return std::get<output_words>(loaded);
}

std::string output_words::text(std::string_view key, std::string_view lang, values with) const {
  return text(key, lang, value_list(with.begin(), with.size()));
}

std::string output_words::text(std::string_view key, std::string_view lang, value_list with) const {
  const auto found = texts_.find(key);
  // Every key the code asks for is in keys_used, which load() checked.
  if (found == texts_.end()) throw std::logic_error("output_words: no text for " + std::string(key));
  const std::string& pattern = lang == "zh" ? found->second.second : found->second.first;
  std::string out;
  out.reserve(pattern.size());
  for (std::size_t i = 0; i < pattern.size();) {
    const auto close = pattern[i] == '{' ? pattern.find('}', i) : std::string::npos;
    if (close != std::string::npos) {
      const std::string_view name(pattern.data() + i + 1, close - i - 1);
      const auto value = std::find_if(with.begin(), with.end(), [&](const auto& v) { return v.first == name; });
      if (value != with.end()) {
        out += value->second;
        i = close + 1;
        continue;
      }
    }
    out += pattern[i++];
  }
  return out;
}

namespace {

bool known(const sentence& said, const output_words& words) {
  if (said.key.empty() || !words.has(said.key)) return false;
  return std::all_of(said.values.begin(), said.values.end(),
                     [&](const sentence_value& v) { return v.part.empty() || known(v.part.front(), words); });
}

// Parts first, identifiers by name, then one substitution pass (values are never expanded).
std::string render_known(const output_words& words, const sentence& said, std::string_view lang) {
  std::vector<std::string> rendered;
  rendered.reserve(said.values.size());
  for (const auto& v : said.values) {
    if (!v.part.empty())
      rendered.push_back(render_known(words, v.part.front(), lang));
    else if (!v.kind.empty())
      rendered.push_back(words.name(v.kind, v.text, lang));
    else
      rendered.push_back(lang == "zh" && !v.text_zh.empty() ? v.text_zh : v.text);
  }
  std::vector<std::pair<std::string_view, std::string_view>> with;
  with.reserve(said.values.size());
  for (std::size_t i = 0; i < said.values.size(); ++i) with.emplace_back(said.values[i].name, rendered[i]);
  return words.text(said.key, lang, output_words::value_list(with));
}

}  // namespace

std::string output_words::render(const sentence& said, std::string_view lang, const std::string& fallback) const {
  if (!known(said, *this)) return fallback;
  return render_known(*this, said, lang);
}

std::string output_words::name(std::string_view kind, std::string_view id, std::string_view lang) const {
  if (lang == "zh") {
    std::string key(kind);
    key += '.';
    key += id;
    if (const auto found = names_.find(key); found != names_.end()) return found->second;
  }
  return std::string(id);
}

}  // namespace probe
