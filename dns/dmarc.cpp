#include "dns/dmarc.hpp"

#include "dns/org_domain.hpp"

#include <algorithm>
#include <array>

namespace dns::dmarc {
namespace {

namespace net = boost::asio;

constexpr std::string_view whitespace = " \t\r\n";
constexpr std::array<std::string_view, 3> policies{"none", "quarantine", "reject"};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(whitespace);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(whitespace);
  return s.substr(first, last - first + 1);
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && lowered(s.substr(0, prefix.size())) == prefix;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == separator) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  return out;
}

// 0 none, 1 quarantine, 2 reject; -1 not a policy.
int policy_rank(std::string_view value) {
  for (std::size_t i = 0; i < policies.size(); ++i)
    if (value == policies[i]) return static_cast<int>(i);
  return -1;
}

bool parse_number(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  if (text.empty() || text.size() > 10) return false;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return false;
  out = value;
  return true;
}

// The host of "mailto:user@host!10m" (lower case), or "" when there is none.
std::string mailto_host(std::string_view uri) {
  if (!starts_with_ci(uri, "mailto:")) return {};
  uri = uri.substr(0, uri.find('!'));
  const auto at = uri.rfind('@');
  if (at == std::string_view::npos || at + 1 >= uri.size()) return {};
  return normalize_name(uri.substr(at + 1));
}

// Labels of 1-63 printable, non-space octets, 253 in all: anything else cannot be asked.
bool is_domain_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (++label > 63) {
      return false;
    }
  }
  return label > 0;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

using said::value;

// Warnings in English and as phrases, kept in step.
class warning_list {
 public:
  warning_list(std::vector<std::string>& text, std::vector<phrase>& said) : text_(text), said_(said) {}
  void add(std::string english, phrase said) {
    text_.push_back(std::move(english));
    said_.push_back(std::move(said));
  }

 private:
  std::vector<std::string>& text_;
  std::vector<phrase>& said_;
};

void parse_uris(std::string_view tag, std::string_view value_text, std::vector<std::string>& out, warning_list& warnings) {
  for (const auto uri : split(value_text, ',')) {
    if (uri.empty()) continue;
    out.emplace_back(uri);
    if (!starts_with_ci(uri, "mailto:"))
      warnings.add(std::string(tag) + "=" + std::string(uri) +
                       ": receivers send reports only to mailto: URIs (write \"mailto:" + std::string(uri) +
                       "\" if that is an address) (RFC 7489 §6.2)",
                   {"dmarc.not_mailto", {value("tag", std::string(tag)), value("uri", std::string(uri))}});
    else if (mailto_host(uri).empty())
      warnings.add(std::string(tag) + "=" + std::string(uri) + ": not a mail address",
                   {"dmarc.not_mail_address", {value("tag", std::string(tag)), value("uri", std::string(uri))}});
  }
}

// The policy-level advice, once the tags are known.
void advise(const policy_record& rec, warning_list& warnings) {
  if (rec.p == "none" && !rec.p_assumed)
    warnings.add(
        "p=none: monitoring only, receivers take no action on mail that fails DMARC; move to "
        "p=quarantine and then p=reject once the aggregate reports show your own mail passes",
        {"dmarc.p_none", {}});
  if (rec.p != "none" && rec.pct < 100)
    warnings.add("pct=" + std::to_string(rec.pct) + ": p=" + rec.p + " applies to " + std::to_string(rec.pct) +
                     "% of failing mail; the rest gets the next weaker policy (RFC 7489 §6.6.4)",
                 {"dmarc.pct_partial", {value("pct", std::to_string(rec.pct)), value("p", rec.p)}});
  if (!rec.sp.empty() && policy_rank(rec.sp) < policy_rank(rec.p))
    warnings.add("sp=" + rec.sp + " is weaker than p=" + rec.p +
                     ": subdomains (even ones that do not exist) are easier to spoof than the domain itself",
                 {"dmarc.sp_weaker", {value("sp", rec.sp), value("p", rec.p)}});
  if (rec.rua.empty())
    warnings.add("no rua=: nobody receives aggregate reports, so mail failing DMARC goes unnoticed", {"dmarc.no_rua", {}});
}

// RFC 7489 §7.1: reports to another organisational domain need its consent, published
// as a DMARC record at <policy domain>._report._dmarc.<destination>.
net::awaitable<void> check_report_destinations(source& dns, const std::string& policy_domain,
                                               const policy_record& rec, int max_checks,
                                               warning_list& warnings) {
  std::vector<std::string> hosts;
  for (const auto* list : {&rec.rua, &rec.ruf})
    for (const auto& uri : *list) {
      auto host = mailto_host(uri);
      if (host.empty() || organizational_domain(host) == organizational_domain(policy_domain)) continue;
      if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(std::move(host));
    }
  int checked = 0;
  for (const auto& host : hosts) {
    if (checked++ >= max_checks) break;
    const auto name = policy_domain + "._report._dmarc." + host;
    const auto answer = co_await dns.txt(name);
    if (!is_answer(answer.result)) {
      warnings.add("could not verify that " + host + " accepts reports for " + policy_domain + ": TXT " + name + " " +
                       std::string(to_string(answer.result)),
                   {"dmarc.report_unverified", {value("host", host), value("domain", policy_domain), value("name", name),
                                                value("outcome", std::string(to_string(answer.result)), "dns_result")}});
      continue;
    }
    const auto texts = answer.texts();
    if (std::none_of(texts.begin(), texts.end(), [](const std::string& t) { return is_dmarc_record(t); }))
      warnings.add("reports go to " + host + ", which has not authorised them: receivers send nothing there until " +
                       name + " has a \"v=DMARC1\" TXT record (RFC 7489 §7.1)",
                   {"dmarc.report_unauthorised", {value("host", host), value("name", name)}});
  }
}

}  // namespace

bool is_dmarc_record(std::string_view text) {
  auto rest = trim(text);
  if (rest.empty() || (rest[0] != 'v' && rest[0] != 'V')) return false;
  rest = trim(rest.substr(1));
  if (rest.empty() || rest[0] != '=') return false;
  rest = trim(rest.substr(1));
  if (rest.substr(0, 6) != "DMARC1") return false;  // %x44 %x4d %x41 %x52 %x43 %x31: exact
  rest = trim(rest.substr(6));
  return rest.empty() || rest[0] == ';';
}

parsed_record parse_record(std::string_view text) {
  parsed_record out;
  if (!is_dmarc_record(text)) {
    out.error = "not a DMARC record: it must start with \"v=DMARC1\" (RFC 7489 §6.4)";
    out.error_said = {"dmarc.not_dmarc", {}};
    return out;
  }
  policy_record rec;
  rec.raw = std::string(text);
  std::vector<std::string> seen;
  std::string bad_p, bad_sp;
  bool has_p = false;
  warning_list warnings(out.warnings, out.warnings_said);
  for (const auto piece : split(text, ';')) {
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    if (eq == std::string_view::npos) {
      warnings.add("malformed tag " + quoted(piece) + " ignored (tags are name=value)",
                   {"dmarc.malformed_tag", {value("tag", std::string(piece))}});
      continue;
    }
    const auto name = lowered(trim(piece.substr(0, eq)));
    const auto tag_value = trim(piece.substr(eq + 1));
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      warnings.add("tag " + name + "= appears more than once; the first is used", {"dmarc.repeated_tag", {value("tag", name)}});
      continue;
    }
    seen.push_back(name);
    const auto lower_value = lowered(tag_value);
    if (name == "v") {
      continue;
    } else if (name == "p") {
      if (policy_rank(lower_value) >= 0) { rec.p = lower_value; has_p = true; }
      else bad_p = std::string(tag_value);
    } else if (name == "sp") {
      if (policy_rank(lower_value) >= 0) rec.sp = lower_value;
      else bad_sp = std::string(tag_value);
    } else if (name == "np") {
      if (policy_rank(lower_value) >= 0) rec.np = lower_value;
      else warnings.add("np=" + std::string(tag_value) + " is not none, quarantine or reject; ignored (RFC 9091)",
                        {"dmarc.bad_np", {value("value", std::string(tag_value))}});
    } else if (name == "pct") {
      std::uint64_t pct = 0;
      if (parse_number(tag_value, 100, pct)) rec.pct = static_cast<int>(pct);
      else warnings.add("pct=" + std::string(tag_value) + " is not a whole number from 0 to 100; receivers use 100",
                        {"dmarc.bad_pct", {value("value", std::string(tag_value))}});
    } else if (name == "rua") {
      parse_uris("rua", tag_value, rec.rua, warnings);
    } else if (name == "ruf") {
      parse_uris("ruf", tag_value, rec.ruf, warnings);
    } else if (name == "adkim" || name == "aspf") {
      auto& slot = name == "adkim" ? rec.adkim : rec.aspf;
      if (lower_value == "r" || lower_value == "s") slot = lower_value[0];
      else warnings.add(name + "=" + std::string(tag_value) + " must be r (relaxed) or s (strict); receivers use r",
                        {"dmarc.bad_alignment", {value("tag", name), value("value", std::string(tag_value))}});
    } else if (name == "fo") {
      const auto options = split(lower_value, ':');
      if (std::all_of(options.begin(), options.end(), [](std::string_view o) { return o == "0" || o == "1" || o == "d" || o == "s"; }))
        rec.fo = lower_value;
      else warnings.add("fo=" + std::string(tag_value) + " is not a list of 0, 1, d, s; receivers use 0",
                        {"dmarc.bad_fo", {value("value", std::string(tag_value))}});
    } else if (name == "ri") {
      std::uint64_t ri = 0;
      if (parse_number(tag_value, 0xffffffffu, ri)) rec.ri = static_cast<std::uint32_t>(ri);
      else warnings.add("ri=" + std::string(tag_value) + " is not a number of seconds; receivers use 86400",
                        {"dmarc.bad_ri", {value("value", std::string(tag_value))}});
    } else if (name == "rf") {
      if (lower_value != "afrf")
        warnings.add("rf=" + std::string(tag_value) + ": only afrf is defined (RFC 7489 §6.3)",
                     {"dmarc.bad_rf", {value("value", std::string(tag_value))}});
    } else {
      warnings.add("unknown tag " + name + "= ignored (RFC 7489 §6.3 lists v, p, sp, pct, rua, ruf, adkim, aspf, fo, ri, rf)",
                   {"dmarc.unknown_tag", {value("tag", name)}});
    }
  }
  if (!bad_sp.empty())
    warnings.add("sp=" + bad_sp + " is not none, quarantine or reject", {"dmarc.bad_sp", {value("value", bad_sp)}});
  if (!has_p) {
    if (bad_p.empty()) warnings.add("p= is missing", {"dmarc.p_missing", {}});
    else warnings.add("p=" + bad_p + " is not none, quarantine or reject", {"dmarc.bad_p", {value("value", bad_p)}});
  }
  // RFC 7489 §6.6.3 step 6: without a valid p= (or with an invalid sp=) a receiver acts as
  // if p=none was published when rua= holds a valid URI, and ignores the record otherwise.
  if (!has_p || !bad_sp.empty()) {
    const bool rua_valid = std::any_of(rec.rua.begin(), rec.rua.end(), [](const std::string& u) { return !mailto_host(u).empty(); });
    if (!rua_valid) {
      out.error = std::string(!has_p ? "no valid p= tag" : "invalid sp= tag") +
                  " and no valid rua=: receivers apply no DMARC policy (RFC 7489 §6.6.3)";
      out.error_said = {!has_p ? "dmarc.no_policy_p" : "dmarc.no_policy_sp", {}};
      return out;
    }
    rec.p = "none";
    rec.sp.clear();
    rec.p_assumed = true;
    warnings.add("receivers treat this record as p=none because rua= is valid (RFC 7489 §6.6.3)", {"dmarc.p_assumed", {}});
  }
  advise(rec, warnings);
  out.record = std::move(rec);
  return out;
}

net::awaitable<lookup_result> lookup(source& dns, std::string domain, lookup_options options) {
  lookup_result out;
  domain = normalize_name(domain);
  if (!is_domain_name(domain)) {
    out.error = "\"" + domain + "\" is not a domain name";
    out.error_said = {"dmarc.not_domain", {value("domain", domain)}};
    co_return out;
  }
  out.organizational_domain = organizational_domain(domain);
  std::string policy_domain = domain;
  std::vector<std::string> found;
  warning_list warnings(out.warnings, out.warnings_said);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1) {
      // §6.6.3 step 3: only when the first set is empty, and only if the names differ.
      if (out.organizational_domain == domain || out.organizational_domain.empty()) break;
      policy_domain = out.organizational_domain;
      out.inherited = true;
    }
    out.queried_domain = "_dmarc." + policy_domain;
    out.answer = co_await dns.txt(out.queried_domain);
    if (!is_answer(out.answer.result)) {
      out.error = "TXT lookup for " + out.queried_domain + " failed: " + std::string(to_string(out.answer.result)) +
                  " (the policy is unknown, not absent)";
      out.error_said = {"dmarc.lookup_failed", {value("name", out.queried_domain),
                                                value("outcome", std::string(to_string(out.answer.result)), "dns_result")}};
      co_return out;
    }
    for (const auto& text : out.answer.texts()) {
      if (is_dmarc_record(text)) found.push_back(text);
      else if (starts_with_ci(trim(text), "v=dmarc"))
        warnings.add(out.queried_domain + " has " + quoted(text) +
                         ", which receivers ignore: the record must start with exactly \"v=DMARC1\" (RFC 7489 §6.4)",
                     {"dmarc.record_ignored", {value("name", out.queried_domain), value("record", text)}});
    }
    if (!found.empty()) break;
  }
  if (found.empty()) {
    out.inherited = false;
    co_return out;
  }
  if (found.size() > 1) {
    out.error = out.queried_domain + " has " + std::to_string(found.size()) +
                " DMARC records: receivers apply no policy at all (RFC 7489 §6.6.3 step 5)";
    out.error_said = {"dmarc.several_records", {value("name", out.queried_domain), value("n", std::to_string(found.size()))}};
    co_return out;
  }
  auto parsed = parse_record(found.front());
  out.warnings.insert(out.warnings.end(), parsed.warnings.begin(), parsed.warnings.end());
  out.warnings_said.insert(out.warnings_said.end(), parsed.warnings_said.begin(), parsed.warnings_said.end());
  out.error = std::move(parsed.error);
  out.error_said = std::move(parsed.error_said);
  out.record = std::move(parsed.record);
  if (!out.record) co_return out;
  out.effective_policy = out.inherited && !out.record->sp.empty() ? out.record->sp : out.record->p;
  if (options.max_report_authorisation_checks > 0)
    co_await check_report_destinations(dns, policy_domain, *out.record, options.max_report_authorisation_checks, warnings);
  co_return out;
}

bool aligned(std::string_view from_domain, std::string_view other_domain, char mode) {
  return domains_aligned(from_domain, other_domain, mode);
}

std::string organizational_domain(std::string_view domain) { return dns::organizational_domain(domain); }

}  // namespace dns::dmarc
