#include "probe/output_words.hpp"

#include "probe/data_dir.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace probe {
namespace {

constexpr std::string_view sections[] = {"address", "rbl", "mx", "reason", "route"};

constexpr std::string_view keys_used[] = {
    "address.headline", "address.reason", "address.meaning", "address.mailbox_exists",
    "address.mailbox_missing", "address.warning", "address.route", "address.no_address",
    "address.route_note", "address.attempt", "address.connect", "address.session", "address.reused",
    "address.via_proxy", "address.plaintext_retry", "address.evidence", "address.banner", "address.ehlo",
    "address.no_extensions", "address.helo_used", "address.more_lines", "address.tls",
    "address.tls_no_certificate", "address.tls_certificate", "address.tls_expired",
    "address.tls_valid_until", "address.tls_chain_trusted", "address.tls_chain_untrusted",
    "address.tls_name_matches", "address.tls_name_mismatch", "address.tls_failed", "address.finding",
    "address.tls_handshake", "address.refused", "address.failure", "address.failed", "address.note", "address.catch_all",
    "address.catch_all_cached", "address.provider", "rbl.heading", "rbl.kind.ipv4", "rbl.kind.ipv6",
    "rbl.kind.domain", "rbl.verdict.listed", "rbl.verdict.clean", "rbl.verdict.nothing_asked",
    "rbl.verdict.unknown", "rbl.verdict.none_asked", "rbl.verdict.allowlisted_one",
    "rbl.verdict.allowlisted_many", "rbl.result.listed", "rbl.result.allowlisted", "rbl.result.not_listed",
    "rbl.result.list_error", "rbl.result.unknown", "rbl.result.bogus", "rbl.result.unhealthy",
    "rbl.result.dead", "rbl.result.skipped", "rbl.what_to_do", "rbl.detail", "rbl.reason", "rbl.removal",
    "rbl.lookup", "rbl.warning", "rbl.asked", "rbl.health", "rbl.health_detail", "mx.status.mx",
    "mx.status.implicit_mx", "mx.status.null_mx", "mx.status.no_domain", "mx.status.no_mail_host",
    "mx.status.dns_failure", "mx.headline.mx_one", "mx.headline.mx_many", "mx.headline.implicit_mx",
    "mx.headline.null_mx", "mx.headline.no_domain", "mx.headline.no_mail_host_none",
    "mx.headline.no_mail_host_unusable", "mx.headline.dns_failure", "mx.implicit", "mx.alias_of",
    "mx.no_ptr", "mx.not_dialled", "mx.not_dialled_why", "mx.no_address", "mx.no_address_why", "mx.cached",
    "mx.lookup",
    // The reason of an address check and of its catch-all test (smtp::phrase keys, composed
    // in smtp/prober.cpp; the English template gives back smtp's English sentence exactly).
    "reason.at", "reason.quirk", "reason.catch_all", "reason.accepted_rejects_unknown",
    "reason.accepted_inconclusive", "reason.accepted_untested", "reason.accepted_untested_because",
    "reason.refused_recipient", "reason.refused_prober", "reason.deferred_prober", "reason.tls_demanded_at_rcpt",
    "reason.greylisted", "reason.still_greylisted", "reason.deferred_recipient", "reason.null_mx",
    "reason.no_domain", "reason.no_mail_host", "reason.dns_failure", "reason.attempt", "reason.attempt_answered",
    "reason.attempt_failed", "reason.refused_before_rcpt", "reason.smtputf8_missing", "reason.tls_demanded_tls_off",
    "reason.tls_required_failed", "reason.all_deferred", "reason.session_failed", "reason.not_smtp",
    "reason.starttls_failed", "reason.nothing_tried", "reason.nothing_tried_because", "reason.port25_blocked",
    "reason.unreachable", "reason.catch_all_learnt", "reason.catch_all_skipped", "reason.catch_all_session_full",
    "reason.not_sent", "reason.catch_all_rset_failed", "reason.catch_all_mail_failed",
    "reason.catch_all_rcpt_failed", "reason.catch_all_accepted", "reason.catch_all_refused",
    "reason.catch_all_unclear",
    // A route finding's explanation (dns::route_finding keys, composed in dns/routing.cpp;
    // the English template gives back dns's English sentence exactly).
    "route.mx_ip_literal", "route.mx_is_cname", "route.mx_no_address", "route.mx_lookup_failed",
    "route.null_mx_mixed", "route.mx_localhost"
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
      if ((name.starts_with("reason.") || name.starts_with("route.")) && placeholders(en) != placeholders(zh))
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
