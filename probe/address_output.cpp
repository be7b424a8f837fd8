#include "probe/address_output.hpp"

#include <yaml-cpp/yaml.h>

#include "probe/exit_status.hpp"
#include "probe/output_words.hpp"
#include "probe/terminal_text.hpp"

#include <algorithm>
#include <vector>


namespace probe {
namespace {

using json = nlohmann::ordered_json;

std::string safe(std::string_view text) { return valid_utf8(text); }

json optional_json(const auto& value, auto convert) {
  if (!value) return nullptr;
  return convert(*value);
}

json failure_json(const smtp::failure& f) {
  return {{"phase", smtp::to_string(f.where)},
          {"kind", smtp::to_string(f.kind)},
          {"detail", safe(f.detail)},
          {"message", safe(f.describe())}};
}

json capabilities_json(const smtp::capabilities& c) {
  json keywords = json::array();
  for (const auto& k : c.keywords) keywords.push_back(safe(k));
  return {{"esmtp", c.esmtp},
          {"server_name", safe(c.server_name)},
          {"size", c.size},
          {"size_limit", c.size_limit ? json(*c.size_limit) : json(nullptr)},
          {"starttls", c.starttls},
          {"pipelining", c.pipelining},
          {"8bitmime", c.eightbitmime},
          {"smtputf8", c.smtputf8},
          {"enhancedstatuscodes", c.enhanced_status_codes},
          {"chunking", c.chunking},
          {"dsn", c.dsn},
          {"auth", c.auth},
          {"keywords", keywords}};
}

json tls_json(const smtp::tls_facts& t) {
  json sans = json::array();
  for (const auto& s : t.subject_alt_names) sans.push_back(safe(s));
  return {{"sni", safe(t.sni)},
          {"protocol", t.protocol},
          {"cipher", t.cipher},
          {"certificate", t.certificate},
          {"subject", safe(t.subject)},
          {"issuer", safe(t.issuer)},
          {"subject_alt_names", sans},
          {"not_before", t.not_before},
          {"not_after", t.not_after},
          {"expired", t.expired},
          {"chain_valid", t.chain_valid},
          {"chain_error", safe(t.chain_error)},
          {"name_matches", t.name_matches},
          {"name_checked", safe(t.name_checked)}};
}

json exchange_json(const smtp::exchange& e) {
  return {{"phase", smtp::to_string(e.step)},
          {"command", safe(e.command)},
          {"reply", optional_json(e.response, [](const smtp::reply& r) { return reply_json(r); })},
          {"ms", e.elapsed.count()},
          {"error", optional_json(e.error, failure_json)}};
}

std::string family(const boost::asio::ip::address& a) { return a.is_v4() ? "ipv4" : "ipv6"; }

json attempt_json(const smtp::attempt& a) {
  json transcript = json::array();
  if (!a.reused_session)
    for (const auto& e : a.opening.transcript) transcript.push_back(exchange_json(e));
  for (const auto& e : a.transcript) transcript.push_back(exchange_json(e));
  json findings = json::array();
  for (const auto& f : a.opening.findings) findings.push_back(safe(f));
  const bool connected = a.end != smtp::attempt_end::connect_failed;
  return {{"mx", safe(a.mx_host)},
          {"preference", a.preference},
          {"implicit_mx", a.implicit_mx},
          {"address", a.address.to_string()},
          {"family", family(a.address)},
          {"session", a.session_id},
          {"reused_session", a.reused_session},
          {"tls_fallback", a.tls_fallback},
          {"via_proxy", a.opening.via_proxy},
          {"local", a.opening.local_endpoint},
          {"connect_ms", connected ? json(a.opening.connect_elapsed.count()) : json(nullptr)},
          {"banner", optional_json(a.opening.banner, [](const smtp::reply& r) { return reply_json(r); })},
          {"ehlo", a.opening.capabilities_now.esmtp || a.opening.used_helo ? capabilities_json(a.opening.capabilities_now)
                                                                            : json(nullptr)},
          {"ehlo_plaintext", a.opening.tls ? capabilities_json(a.opening.plaintext_capabilities) : json(nullptr)},
          {"used_helo", a.opening.used_helo},
          {"tls", optional_json(a.opening.tls, tls_json)},
          {"tls_failure", optional_json(a.opening.tls_failure, failure_json)},
          {"findings", findings},
          {"transcript", transcript},
          {"end", smtp::to_string(a.end)},
          {"ended_at", smtp::to_string(a.ended_at)},
          {"error", optional_json(a.error, failure_json)},
          {"refusal", optional_json(a.refusal, [](const smtp::reply& r) { return reply_json(r); })},
          {"note", safe(a.note)}};
}

json answer_json(const dns::answer& a) {
  return {{"name", safe(a.qname)},
          {"type", dns::type_name(a.qtype)},
          {"outcome", dns::to_string(a.result)},
          {"detail", safe(a.detail)},
          {"ms", a.elapsed.count()},
          {"from_cache", a.from_cache}};
}

json routing_json(const dns::routing& r) {
  json hosts = json::array();
  for (const auto& h : r.hosts) {
    json addresses = json::array();
    for (const auto& a : h.addresses) addresses.push_back(a.address.to_string());
    hosts.push_back({{"name", safe(h.name)},
                     {"preference", h.preference},
                     {"implicit", h.implicit},
                     {"addresses", addresses}});
  }
  json findings = json::array();
  for (const auto& f : r.findings)
    findings.push_back({{"problem", dns::to_string(f.problem)}, {"host", safe(f.host)}, {"explanation", safe(f.explanation)}});
  return {{"domain", safe(r.domain)},
          {"kind", dns::to_string(r.kind)},
          {"mx_lookup", answer_json(r.mx_answer)},
          {"hosts", hosts},
          {"findings", findings}};
}

// ---- text ------------------------------------------------------------------------------

// The report's words in the chosen language (probe/data/output_words.yaml).
struct wording {
  const output_words& words;
  std::string_view lang;
  std::string operator()(std::string_view key, output_words::values with = {}) const {
    return words.text(key, lang, with);
  }
  std::string name(std::string_view kind, std::string_view id) const { return words.name(kind, id, lang); }
};

// A reason in the reader's language (output_words::render); the English sentence itself
// when smtp gave no phrase (or one the data file does not know, which load() rules out for
// the keys smtp uses). Server text in a value is never expanded; the whole is made printable.
std::string reason_text(const std::string& english, const smtp::phrase& p, const wording& say, std::size_t max_bytes) {
  return printable(say.words.render(p, say.lang, english), max_bytes);
}

std::string reply_line(const smtp::reply& r, const wording& say) {
  std::string text = std::to_string(r.code);
  if (!r.lines.empty()) text += " " + r.lines.front();
  if (r.lines.size() > 1) text += say("address.more_lines", {{"n", std::to_string(r.lines.size() - 1)}});
  return printable(text, 300);
}

std::string capability_summary(const smtp::capabilities& c, const wording& say) {
  std::vector<std::string> parts;
  if (c.size) parts.push_back(c.size_limit ? "SIZE " + std::to_string(*c.size_limit) : "SIZE");
  if (c.starttls) parts.push_back("STARTTLS");
  if (c.pipelining) parts.push_back("PIPELINING");
  if (c.eightbitmime) parts.push_back("8BITMIME");
  if (c.smtputf8) parts.push_back("SMTPUTF8");
  if (c.enhanced_status_codes) parts.push_back("ENHANCEDSTATUSCODES");
  if (c.chunking) parts.push_back("CHUNKING");
  if (c.dsn) parts.push_back("DSN");
  if (!c.auth.empty()) {
    std::string auth = "AUTH";
    for (const auto& m : c.auth) auth += " " + m;
    parts.push_back(auth);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? say("address.no_extensions") : printable(out, 400);
}

// A finding of the session's opening: its phrase when smtp/ gave one, else its English as
// it is.
std::string finding_text(const smtp::session_opening& o, std::size_t i, const wording& say) {
  if (i >= o.findings_said.size()) return printable(o.findings[i], 600);
  return reason_text(o.findings[i], o.findings_said[i], say, 600);
}

// OpenSSL's verification words (X509_verify_cert_error_string) are named in the reader's
// language from names.tls_verify_error; other words stay as OpenSSL gave them.
std::string tls_summary(const smtp::tls_facts& t, const wording& say) {
  std::string s = t.protocol + " " + t.cipher;
  if (!t.certificate) return s + say("address.tls_no_certificate");
  s += say("address.tls_certificate", {{"subject", printable(t.subject, 200)}, {"issuer", printable(t.issuer, 200)}});
  if (!t.not_after.empty()) s += say(t.expired ? "address.tls_expired" : "address.tls_valid_until", {{"date", t.not_after}});
  s += t.chain_valid ? say("address.tls_chain_trusted")
                     : say("address.tls_chain_untrusted",
                           {{"error", printable(say.name("tls_verify_error", t.chain_error), 200)}});
  s += say(t.name_matches ? "address.tls_name_matches" : "address.tls_name_mismatch",
           {{"name", printable(t.name_checked, 255)}});
  return s;
}

// English keeps smtp's sentence; another language renders the phrase smtp/ keeps beside it
// (the failure's kind, phase and detail).
std::string failure_text(const smtp::failure& f, const wording& say) {
  return printable(say.words.render(f.describe_said(), say.lang, f.describe()), 600);
}

void print_exchange(std::ostream& out, const smtp::exchange& e, const wording& say) {
  if (!e.command.empty()) out << "      > " << printable(e.command, 600) << "\n";
  if (e.step == smtp::phase::tls_handshake)
    out << say("address.tls_handshake", {{"ms", std::to_string(e.elapsed.count())}}) << "\n";
  if (e.response)
    for (const auto& line : e.response->wire_lines()) out << "      < " << printable(line, 600) << "\n";
  if (e.error) out << "      ! " << failure_text(*e.error, say) << "\n";
}

}  // namespace

int exit_status_for(smtp::verdict verdict) {
  switch (verdict) {
    case smtp::verdict::deliverable: return exit_ok;
    case smtp::verdict::undeliverable:
    case smtp::verdict::no_mail_domain: return exit_negative;
    case smtp::verdict::temporary:
    case smtp::verdict::catch_all:
    case smtp::verdict::unverifiable: return exit_temporary;
    case smtp::verdict::unreachable:
    case smtp::verdict::rejected_us:
    case smtp::verdict::protocol_error:
    case smtp::verdict::tls_error: return exit_probe_failed;
  }
  return exit_internal;
}

json reply_json(const smtp::reply& r) {
  json lines = json::array();
  for (const auto& l : r.lines) lines.push_back(safe(l));
  json issues = json::array();
  for (const auto i : r.issues) issues.push_back(smtp::to_string(i));
  return {{"code", r.code},
          {"enhanced", r.enhanced ? json(r.enhanced->to_string()) : json(nullptr)},
          {"lines", lines},
          {"issues", issues}};
}

json address_check_json(const smtp::address_check& c, const smtp::prober_counters* counters) {
  json attempts = json::array();
  for (const auto& a : c.attempts) attempts.push_back(attempt_json(a));
  json warnings = json::array();
  for (const auto& w : c.warnings) warnings.push_back(safe(w));
  json out = {
      {"address", safe(c.recipient.address())},
      {"domain", c.recipient.domain},
      {"domain_unicode", safe(c.recipient.domain_unicode)},
      {"verdict", smtp::to_string(c.result)},
      {"reason", safe(c.reason)},
      {"exit_status", exit_status_for(c.result)},
      {"mailbox_exists", c.mailbox_exists ? json(*c.mailbox_exists) : json(nullptr)},
      {"helo", safe(c.helo)},
      {"mail_from", safe(c.mail_from)},
      {"routing", routing_json(c.routing)},
      {"attempts", attempts},
      {"evidence_attempt", c.evidence_attempt ? json(*c.evidence_attempt) : json(nullptr)},
      {"rcpt",
       c.rcpt_reply && c.rcpt_meaning
           ? json{{"reply", reply_json(*c.rcpt_reply)},
                  {"meaning", smtp::to_string(c.rcpt_meaning->meaning)},
                  {"why", safe(c.rcpt_meaning->why)},
                  {"attempt", c.rcpt_attempt ? json(*c.rcpt_attempt) : json(nullptr)}}
           : json(nullptr)},
      {"catch_all",
       {{"state", smtp::to_string(c.catch_all.state)},
        {"probe_address", safe(c.catch_all.probe_address)},
        {"reply", optional_json(c.catch_all.response, [](const smtp::reply& r) { return reply_json(r); })},
        {"from_cache", c.catch_all.from_cache},
        {"reason", safe(c.catch_all.reason)}}},
      {"greylisted", c.greylisted},
      {"greylist_retried", c.greylist_retried},
      {"quirk", c.quirk ? json{{"provider", c.quirk->provider},
                               {"mx_suffix", c.quirk->mx_suffix},
                               {"verdict", smtp::to_string(c.quirk->result)},
                               {"mailbox_exists", c.quirk->mailbox_exists ? json(*c.quirk->mailbox_exists) : json(nullptr)},
                               {"reason", c.quirk->reason}}
                        : json(nullptr)},
      {"port25_blocked_suspected", c.port25_blocked_suspected},
      {"warnings", warnings},
      {"elapsed_ms", c.elapsed.count()},
  };
  if (counters)
    out["counters"] = {{"sessions_opened", counters->sessions_opened},
                       {"sessions_reused", counters->sessions_reused},
                       {"connect_attempts", counters->connect_attempts},
                       {"commands_sent", counters->commands_sent},
                       {"rcpts_sent", counters->rcpts_sent}};
  return out;
}

json address_summary_json(const smtp::address_check& c) {
  const smtp::attempt* evidence =
      c.evidence_attempt && *c.evidence_attempt < c.attempts.size() ? &c.attempts[*c.evidence_attempt] : nullptr;
  json warnings = json::array();
  for (const auto& w : c.warnings) warnings.push_back(safe(w));
  return {
      {"address", safe(c.recipient.address())},
      {"domain", c.recipient.domain},
      {"verdict", smtp::to_string(c.result)},
      {"reason", safe(c.reason)},
      {"exit_status", exit_status_for(c.result)},
      {"mailbox_exists", c.mailbox_exists ? json(*c.mailbox_exists) : json(nullptr)},
      {"route", dns::to_string(c.routing.kind)},
      {"mx", evidence ? json{{"host", safe(evidence->mx_host)},
                             {"address", evidence->address.to_string()},
                             {"session", evidence->session_id},
                             {"reused_session", evidence->reused_session}}
                      : json(nullptr)},
      {"rcpt", c.rcpt_reply && c.rcpt_meaning ? json{{"reply", reply_json(*c.rcpt_reply)},
                                                     {"meaning", smtp::to_string(c.rcpt_meaning->meaning)}}
                                              : json(nullptr)},
      {"catch_all", smtp::to_string(c.catch_all.state)},
      {"greylisted", c.greylisted},
      {"quirk", c.quirk ? json(c.quirk->provider) : json(nullptr)},
      {"port25_blocked_suspected", c.port25_blocked_suspected},
      {"attempts", c.attempts.size()},
      {"warnings", warnings},
      {"elapsed_ms", c.elapsed.count()},
  };
}

std::variant<address_verdict_words, std::string> address_verdict_words::load(const std::filesystem::path& path) {
  address_verdict_words words;
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    for (const auto& entry : root["verdicts"]) {
      const auto name = entry.first.as<std::string>();
      std::string spelled = name;
      for (auto& ch : spelled)
        if (ch == '_') ch = '-';
      const auto verdict = smtp::verdict_from(spelled);
      if (!verdict) return path.string() + ": unknown verdict " + name;
      auto en = entry.second["en"] ? entry.second["en"].as<std::string>() : std::string();
      auto zh = entry.second["zh"] ? entry.second["zh"].as<std::string>() : std::string();
      if (en.empty()) return path.string() + ": verdict " + name + " has no English text";
      words.texts_[*verdict] = {std::move(en), std::move(zh)};
    }
  } catch (const std::exception& e) {
    return path.string() + ": " + e.what();
  }
  return words;
}

std::string address_verdict_words::for_verdict(smtp::verdict verdict, std::string_view lang) const {
  const auto found = texts_.find(verdict);
  if (found == texts_.end()) return {};
  return lang == "zh" && !found->second.second.empty() ? found->second.second : found->second.first;
}

void print_address_check(std::ostream& out, const smtp::address_check& c, int verbose,
                         const address_verdict_words* words, std::string_view lang) {
  const wording say{output_words::installed_or_throw(), lang};
  const std::string verdict(smtp::to_string(c.result));
  out << say("address.headline", {{"address", printable(c.recipient.address(), 300)},
                                  {"verdict", verdict},
                                  {"verdict_name", say.name("verdict", verdict)}})
      << "\n";
  out << say("address.reason", {{"reason", reason_text(c.reason, c.reason_phrase, say, 2000)}}) << "\n";
  if (words)
    if (const auto text = words->for_verdict(c.result, lang); !text.empty())
      out << say("address.meaning", {{"text", text}}) << "\n";
  if (c.mailbox_exists) out << say(*c.mailbox_exists ? "address.mailbox_exists" : "address.mailbox_missing") << "\n";
  for (const auto& w : c.warnings) {
    // The prober's warnings and address_command's identity notes have a phrase; a warning
    // without one stays as it is.
    const auto own = std::find_if(c.warning_phrases.begin(), c.warning_phrases.end(),
                                  [&](const smtp::address_check::warning_phrase& p) { return p.english == w; });
    const auto text = own != c.warning_phrases.end() ? reason_text(w, own->said, say, 600) : printable(w, 600);
    out << say("address.warning", {{"text", text}}) << "\n";
  }

  const auto& r = c.routing;
  const std::string kind(dns::to_string(r.kind));
  out << say("address.route", {{"kind", kind}, {"kind_name", say.name("route", kind)}});
  if (!r.hosts.empty()) {
    out << " →";
    for (const auto& h : r.hosts) {
      out << " " << h.preference << " " << printable(h.name, 255);
      if (h.addresses.empty()) out << say("address.no_address");
    }
  }
  out << "\n";
  if (verbose > 0)
    for (const auto& f : r.findings) {
      // dns gives the finding as a key and values beside its English (output_words.yaml route.*).
      // {result} is a DNS outcome identifier: named in Chinese.
      std::vector<std::string> texts;
      for (const auto& v : f.values) texts.push_back(v.name == "result" ? say.name("dns_result", v.text) : v.text);
      std::vector<std::pair<std::string_view, std::string_view>> with;
      for (std::size_t i = 0; i < f.values.size(); ++i) with.emplace_back(f.values[i].name, texts[i]);
      const auto text = !f.key.empty() && say.words.has(f.key)
                            ? say.words.text(f.key, say.lang, output_words::value_list(with))
                            : f.explanation;
      out << say("address.route_note", {{"text", printable(text, 600)}}) << "\n";
    }

  for (std::size_t i = 0; i < c.attempts.size(); ++i) {
    const auto& a = c.attempts[i];
    out << say("address.attempt", {{"n", std::to_string(i + 1)},
                                   {"host", printable(a.mx_host, 255)},
                                   {"ip", a.address.to_string()},
                                   {"family", a.address.is_v4() ? "IPv4" : "IPv6"}});
    if (a.end != smtp::attempt_end::connect_failed && !a.reused_session)
      out << say("address.connect", {{"ms", std::to_string(a.opening.connect_elapsed.count())}});
    if (a.session_id)
      out << say("address.session", {{"id", std::to_string(a.session_id)}}) << (a.reused_session ? say("address.reused") : "");
    if (a.opening.via_proxy) out << say("address.via_proxy");
    if (a.tls_fallback) out << say("address.plaintext_retry");
    if (i == c.evidence_attempt) out << say("address.evidence");
    out << "\n";
    if (a.opening.banner) out << say("address.banner", {{"reply", reply_line(*a.opening.banner, say)}}) << "\n";
    if (a.opening.capabilities_now.esmtp)
      out << say("address.ehlo", {{"extensions", capability_summary(a.opening.capabilities_now, say)}}) << "\n";
    else if (a.opening.used_helo)
      out << say("address.helo_used") << "\n";
    if (a.opening.tls) out << say("address.tls", {{"summary", tls_summary(*a.opening.tls, say)}}) << "\n";
    if (a.opening.tls_failure)
      out << say("address.tls_failed", {{"error", failure_text(*a.opening.tls_failure, say)}}) << "\n";
    for (std::size_t f = 0; f < a.opening.findings.size(); ++f)
      out << say("address.finding", {{"text", finding_text(a.opening, f, say)}}) << "\n";
    if (verbose > 0) {
      if (!a.reused_session)
        for (const auto& e : a.opening.transcript) print_exchange(out, e, say);
      for (const auto& e : a.transcript) print_exchange(out, e, say);
    } else {
      for (const auto& e : a.transcript)
        if ((e.step == smtp::phase::rcpt || e.step == smtp::phase::mail) && e.response)
          out << "    " << (e.step == smtp::phase::rcpt ? "RCPT" : "MAIL") << " " << printable(e.command.substr(e.command.find(':') + 1), 300)
              << " → " << reply_line(*e.response, say) << " (" << e.elapsed.count() << " ms)\n";
    }
    if (a.refusal)
      out << say("address.refused", {{"reply", reply_line(*a.refusal, say)},
                                     {"phase", smtp::to_string(a.ended_at)},
                                     {"phase_name", say.name("phase", smtp::to_string(a.ended_at))}}) << "\n";
    if (a.error) out << say("address.failed", {{"error", failure_text(*a.error, say)}}) << "\n";
    if (!a.note.empty()) out << say("address.note", {{"text", reason_text(a.note, a.note_phrase, say, 600)}}) << "\n";
  }
  if (c.catch_all.state != smtp::catch_all_state::not_tested || !c.catch_all.reason.empty()) {
    const std::string state(smtp::to_string(c.catch_all.state));
    out << say("address.catch_all", {{"state", state}, {"state_name", say.name("catch_all", state)}});
    if (!c.catch_all.reason.empty())
      out << " — " << reason_text(c.catch_all.reason, c.catch_all.reason_phrase, say, 600);
    if (c.catch_all.from_cache) out << say("address.catch_all_cached");
    out << "\n";
  }
  if (c.quirk)
    out << say("address.provider", {{"provider", printable(c.quirk->provider, 200)}, {"suffix", c.quirk->mx_suffix}}) << "\n";
}

}  // namespace probe
