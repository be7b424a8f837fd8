#include "reports/classify.hpp"

#include "reports/knowledge.hpp"
#include "reports/text.hpp"

#include <algorithm>
#include <charconv>
#include <span>
#include <vector>

namespace reports {
namespace {

// First capture group of the first matching expression of a set.
std::string first_capture(const pattern_set& set, const scanned_text& scanned, int* which = nullptr) {
  const std::string_view text = scanned.text;
  for (const int i : set.candidates(scanned)) {
    re2::StringPiece group;
    if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), set.regex(i), &group) && !group.empty()) {
      if (which) *which = i;
      return std::string(group);
    }
  }
  return {};
}

// "5.1.1" -> "1.1"
std::string subject_detail(std::string_view status) {
  if (status.size() < 5) return {};
  return std::string(status.substr(2));
}

// Temporary: the failure was reported as 4xx (status or reply code), or the server's
// words say so ("temporary", "persistent" — RFC 3463 §3.1 "persistent transient").
bool is_temporary(const recipient& rcpt, const report& rep, const knowledge& k) {
  if (!rcpt.status.empty()) return rcpt.status.starts_with("4");
  if (rcpt.reply_code >= 400 && rcpt.reply_code < 500) return true;
  if (rcpt.reply_code >= 500) return false;
  (void)rep;
  return k.temporary_words.first(rcpt.diagnostic) >= 0;
}

const knowledge::status_entry* status_entry_for(const knowledge& k, std::string_view status) {
  if (status.size() < 5) return nullptr;
  // A class-specific entry ("4.2.1") before the subject.detail one ("2.1").
  if (const auto it = k.status.find(std::string(status)); it != k.status.end())
    return it->second.reason == "none" ? nullptr : &it->second;
  if (const auto it = k.status.find(subject_detail(status)); it != k.status.end()) return &it->second;
  return nullptr;
}

bool listed(const std::vector<std::string>& list, std::string_view reason) {
  return std::find(list.begin(), list.end(), reason) != list.end();
}

// "mx.example.com" ends with suffix "example.com" at a label boundary (or is it).
[[gnu::always_inline]] inline bool ends_at_label(std::string_view name, std::string_view suffix) {
  if (name.empty() || suffix.empty() || name.size() < suffix.size()) return false;
  const std::string_view tail = name.substr(name.size() - suffix.size());
  if (!text::iequals(tail, suffix)) return false;
  return name.size() == suffix.size() || suffix.front() == '.' || name[name.size() - suffix.size() - 1] == '.';
}

// A character of a host name as replies write them (letters, digits, '-', '.').
bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// The provider whose pages the diagnostic links to ("see https://senders.yahooinc.com/...",
// "http://postmaster.comcast.net/smtp-error-codes.php#BL000010"): the host of each URL
// against each provider's `pages` (its help and postmaster sites, not its whole domain: link
// rewriters such as Microsoft's namNN.safelinks.protection.outlook.com live under mail
// domains). A URL with user information ("http://a.example@b.example/") names no page.
// URLs are found by their "://"; the text is bounded (limits.hpp), so is the walk.
const std::string* provider_linked_from(std::string_view diag, const knowledge& k) {
  for (std::size_t at = diag.find("://"); at != std::string_view::npos; at = diag.find("://", at + 3)) {
    // The authority runs to the path, query, fragment or the end of the word.
    const std::size_t stop = diag.find_first_of("/?# \t\r\n<>\"'", at + 3);
    const std::string_view authority = diag.substr(at + 3, stop == std::string_view::npos ? std::string_view::npos : stop - at - 3);
    if (authority.find('@') != std::string_view::npos) continue;  // user information
    std::size_t end = 0;
    while (end < authority.size() && host_char(authority[end])) ++end;  // a port (":443") ends it
    std::string_view host = authority.substr(0, end);
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.find('.') == std::string_view::npos) continue;
    for (const auto& [name, suffixes] : k.provider_pages)
      for (const auto& suffix : suffixes)
        if (ends_at_label(host, suffix)) return &name;
  }
  return nullptr;
}

// The host a reply names as its own right after its code and status ("421
// mx1.example.com Service not available", RFC 5321 §4.2's form, which some providers use
// for every refusal: "421 resimta-ch2-01v.sys.comcast.net comcast ... Too many sessions"),
// or "" when the word there is no host name.
std::string_view replying_host(std::string_view diag, int code) {
  if (code < 200 || code > 599) return {};
  const std::string c = std::to_string(code);
  std::size_t at = diag.find(c);
  // The code as a word of its own, followed by ' ' or '-' (a multi-line reply's first line).
  while (at != std::string_view::npos && !((at == 0 || diag[at - 1] == ' ' || diag[at - 1] == '#') &&
                                           at + 3 < diag.size() && (diag[at + 3] == ' ' || diag[at + 3] == '-')))
    at = diag.find(c, at + 1);
  if (at == std::string_view::npos) return {};
  std::string_view rest = text::trim(diag.substr(at + 4));
  const auto word_end = [](std::string_view s) {
    std::size_t e = 0;
    while (e < s.size() && s[e] != ' ') ++e;
    return e;
  };
  // An enhanced status ("4.7.0") before the name.
  if (rest.size() >= 5 && (rest[0] == '2' || rest[0] == '4' || rest[0] == '5') && rest[1] == '.')
    rest = text::trim(rest.substr(word_end(rest)));
  // A name followed by ':' or ',' is what the reply is about ("550 5.7.1 example.com:
  // ..."), not the server introducing itself.
  std::string_view word = rest.substr(0, word_end(rest));
  while (!word.empty() && word.back() == '.') word.remove_suffix(1);
  const bool host_like = word.find('.') != std::string_view::npos && std::all_of(word.begin(), word.end(), host_char) &&
                         !text::is_ip_literal(word);
  return host_like ? word : std::string_view();
}

// The provider whose host refused (remote host, else the recipient's domain, else the
// reporting MTA) and its rule matching the diagnostic (`scanned`: the diagnostic's scan by
// the diagnostic scanner). A relay or gateway that rewrote the report may have dropped
// the refusing host; when no host is named, a provider whose pages the reply links to, or
// whose host the reply names as its own, is its author.
const knowledge::provider_rule* provider_rule_for(const recipient& rcpt, const report& rep, const knowledge& k,
                                                   std::string_view diag, const scanned_text& scanned) {
  if (k.provider_rules.empty() || diag.empty()) return nullptr;
  const std::size_t at = rcpt.address.rfind('@');
  const std::string_view domain = at == std::string::npos ? std::string_view() : std::string_view(rcpt.address).substr(at + 1);
  const std::string* provider = nullptr;
  bool refused_by_provider = false;  // the refusing host is the provider's own
  for (const auto& [name, hosts] : k.provider_hosts) {
    for (const auto& suffix : hosts)
      if (ends_at_label(rcpt.remote_host, suffix) || ends_at_label(domain, suffix) ||
          ends_at_label(rep.reporting_mta, suffix)) {
        provider = &name;
        refused_by_provider = ends_at_label(rcpt.remote_host, suffix);
        break;
      }
    if (provider != nullptr) break;
  }
  // A named refusing host that is not the provider's is the reply's author.
  if (provider == nullptr && rcpt.remote_host.empty()) {
    provider = provider_linked_from(diag, k);
    if (const std::string_view own = replying_host(diag, rcpt.reply_code); provider == nullptr && !own.empty())
      for (const auto& [name, hosts] : k.provider_hosts)
        for (const auto& suffix : hosts)
          if (provider == nullptr && ends_at_label(own, suffix)) {
            provider = &name;
            refused_by_provider = true;
          }
  }
  if (provider == nullptr) return nullptr;
  // With no refusing host named, a reply that names the provider's server as its own is
  // the provider's (looked at only for a rule that needs it).
  const auto refused_by_provider_then = [&] {
    if (refused_by_provider || !rcpt.remote_host.empty()) return refused_by_provider;
    const std::string_view own = replying_host(diag, rcpt.reply_code);
    const auto hosts = k.provider_hosts.find(*provider);
    return !own.empty() && hosts != k.provider_hosts.end() &&
           std::any_of(hosts->second.begin(), hosts->second.end(), [&](const std::string& suffix) { return ends_at_label(own, suffix); });
  };
  // Only the rules whose literals the diagnostic holds can match (in rule order).
  thread_local std::vector<int> possible;  // scratch (provider_rule_for does not recurse)
  k.provider_text.candidates_into(scanned, possible);
  for (const int i : possible) {
    const auto& rule = k.provider_rules[static_cast<std::size_t>(i)];
    if (rule.provider == *provider && (!rule.refusing_host_only || refused_by_provider_then()) &&
        (rule.command == smtp_command::unknown || rule.command == rcpt.command) &&
        (rule.status.empty() || rcpt.status.empty() || rule.status == rcpt.status) && finds(*rule.match, diag))
      return &rule;
  }
  return nullptr;
}

// A verdict reached without the text (a status code, a provider's code) still takes its
// sub-cause from the text when the text names the same reason ("dmarc-fail" for advice).
void subcause_from_text(classification& c, const knowledge& k, const scanned_text& scanned,
                        std::span<const int> reason_candidates) {
  for (const int i : reason_candidates)
    if (k.reason_of[static_cast<std::size_t>(i)].reason == c.reason && finds(k.reason_text.regex(i), scanned.text)) {
      c.subcause = k.reason_of[static_cast<std::size_t>(i)].subcause;
      return;
    }
}

// Issue 5's order: a specific status code, the diagnostic text (with the SMTP command
// as its context), the reply code, the command; then what the report kind implies.
void decide(classification& c, const recipient& rcpt, const report& rep, const knowledge& k,
            const knowledge::text_rule* text_rule, const scanned_text& scanned, std::span<const int> reason_candidates) {
  const knowledge::status_entry* status = status_entry_for(k, rcpt.status);
  const auto command_reason = k.command_reasons.find(rcpt.command);
  // The step's reason ("refused at RCPT" = no such user) holds for a permanent refusal;
  // a temporary one at the same step is greylisting, a rate limit or a busy server.
  const bool temporary = rcpt.reply_code / 100 == 4 || (rcpt.reply_code == 0 && rcpt.status.starts_with('4'));
  // Before any envelope (the greeting, EHLO) only the client can be refused, for now or
  // for good: Cox's "421 ... temporarily blocked" at the connection is its IP, never a
  // content filter.
  const bool before_envelope = rcpt.command == smtp_command::conn || rcpt.command == smtp_command::ehlo;
  const bool command_known = (!temporary || before_envelope) && rcpt.command != smtp_command::unknown &&
                             command_reason != k.command_reasons.end();

  if (status != nullptr && status->strong && !(text_rule && listed(status->unless, text_rule->reason))) {
    // 1. A specific status code.
    c.reason = status->reason;
    c.by = decided_by::status;
    c.matched = rcpt.status;
    subcause_from_text(c, k, scanned, reason_candidates);
    return;
  }
  if (text_rule != nullptr && !(text_rule->generic && status != nullptr && !command_known)) {
    // 2. The diagnostic text, read in the context of the SMTP command.
    c.reason = text_rule->reason;
    c.subcause = text_rule->subcause;
    c.by = decided_by::text;
    c.matched = text_rule->pattern;
    if (text_rule->generic && command_known) {
      // Words that only say "refused": the step that was refused tells why.
      c.reason = command_reason->second;
      c.subcause.clear();
      c.by = decided_by::command;
      c.matched = std::string(to_string(rcpt.command)) + " + '" + text_rule->pattern + "'";
      return;
    }
    // A local program's "temporary failure": its exit status is the cause.
    if (const auto dt = k.diagnostic_types.find(rcpt.diagnostic_type);
        dt != k.diagnostic_types.end() && listed(dt->second.over_text, c.reason)) {
      c.reason = dt->second.reason;
      c.subcause.clear();
      c.matched = "Diagnostic-Code type " + rcpt.diagnostic_type + " + '" + text_rule->pattern + "'";
      return;
    }
    // Words that describe a refusal at one step only ("user unknown" is an answer to
    // RCPT TO); said at another step, or at an unknown one, they are a filter's words —
    // unless the status code names the cause.
    // Only in a report read from a message (a layout, a sender or a subject was read):
    // a line alone carries no step to miss.
    const bool from_a_message = !rep.mta_family.empty() || !rep.bounce_from.empty() || !rep.bounce_subject.empty();
    const auto need = k.command_required.find(c.reason);
    if (need != k.command_required.end() && !text_rule->native && from_a_message) {
      // A step the report names for all its failures stands in for one the reply left out.
      const bool named_by_report = rcpt.command == smtp_command::unknown && rep.named_step == need->second.command;
      if (named_by_report) {
        c.matched = "'" + text_rule->pattern + "' at " + std::string(to_string(need->second.command)) +
                    ", the step the report names ('" + rep.named_step_matched + "')";
      } else if (rcpt.command != need->second.command) {
        if (status != nullptr && !listed(need->second.not_from_status, status->reason)) {
          c.reason = status->reason;
          c.by = decided_by::status;
          c.matched = rcpt.status + " + '" + text_rule->pattern + "' outside " + std::string(to_string(need->second.command));
        } else if (rcpt.command != smtp_command::unknown && command_reason != k.command_reasons.end()) {
          // Said at another known step, that step's refusal is the cause: "no such user"
          // in answer to MAIL FROM is the sender's address refused.
          c.reason = command_reason->second;
          c.by = decided_by::command;
          c.matched = std::string(to_string(rcpt.command)) + " + '" + text_rule->pattern + "'";
        } else {
          c.reason = need->second.otherwise;
          c.matched = "'" + text_rule->pattern + "' outside " + std::string(to_string(need->second.command));
        }
        c.subcause.clear();
      }
    }
    return;
  }
  if (status != nullptr) {
    c.reason = status->reason;
    c.by = decided_by::status;
    c.matched = rcpt.status;
  } else if (const auto dt = k.diagnostic_types.find(rcpt.diagnostic_type); dt != k.diagnostic_types.end()) {
    // A local delivery program's exit status (Diagnostic-Code type x-unix).
    c.reason = dt->second.reason;
    c.by = decided_by::report_kind;
    c.matched = "Diagnostic-Code type " + rcpt.diagnostic_type;
  } else if (const auto fr = k.family_reasons.find(rep.mta_family); fr != k.family_reasons.end()) {
    c.reason = fr->second;
    c.by = decided_by::report_kind;
    c.matched = rep.mta_family;
  } else if (rep.kind == report_kind::delay) {
    // A warning that delivery is still being retried: when neither the words nor the
    // status name a cause, the delay is the verdict (Sisimai's "expired"); a bare reply
    // code such as 421 only says the remote was not ready this time.
    c.reason = "expired";
    c.by = decided_by::report_kind;
  } else if (const auto rc = k.reply_codes.find(rcpt.reply_code); rc != k.reply_codes.end()) {
    // 3. The reply code.
    c.reason = rc->second;
    c.by = decided_by::reply_code;
    c.matched = std::to_string(rcpt.reply_code);
  } else if (command_known) {
    // 4. The SMTP command at which it failed.
    c.reason = command_reason->second;
    c.by = decided_by::command;
    c.matched = std::string(to_string(rcpt.command));
  } else if (!text::trim(rcpt.diagnostic).empty()) {
    // Words no rule knows: not enough to decide (Sisimai's "onhold").
    c.reason = "onhold";
  } else {
    c.reason = "undefined";
  }
}

// The remote server's own words in a diagnostic: what follows the last of the layout's
// reply intros (formats.yaml reply_intros: qmail's "Remote host said:"), else all of it.
// The layout's sentence before names the step and the host, which the parser has read;
// read for the cause it would decide over the reply (qmail's "does not like recipient"
// before "Relay access denied").
// Every intro ends with ':' (checked when the knowledge loads), so only the diagnostic's
// colons are candidates, the last one ending an intro wins.
std::string_view remote_words(std::string_view diag, const knowledge& k) {
  std::size_t from = 0;
  for (std::size_t colon = diag.find(':'); colon != std::string_view::npos; colon = diag.find(':', colon + 1)) {
    const std::size_t end = colon + 1;
    for (const auto& intro : k.reply_intros)
      if (end >= intro.size() && text::iequals(diag.substr(end - intro.size(), intro.size()), intro)) {
        from = end;
        break;
      }
  }
  const std::string_view words = diag.substr(from);
  return text::trim(words).empty() ? diag : words;
}

// The diagnostic without a layout's words after the reply (formats.yaml reply_outros: Exim's
// ": retry timeout exceeded", deliver.c), when words are left before them: the cause is read
// in the reply first, the outro deciding only when the reply names none ("mailbox is full:
// retry timeout exceeded" is a full mailbox; a bare "retry timeout exceeded" the end of the
// retries).
std::string_view without_outro(std::string_view diag, const knowledge& k) {
  const std::string_view t = text::trim(diag);
  for (const auto& outro : k.reply_outros) {
    if (t.size() <= outro.size()) continue;
    const std::string_view tail = t.substr(t.size() - outro.size());
    if (!text::iequals(tail, outro)) continue;
    const std::string_view before = text::trim(t.substr(0, t.size() - outro.size()));
    if (!before.empty()) return before;
  }
  return diag;
}

}  // namespace

classification classify(const recipient& rcpt, const report& rep, const knowledge& k) {
  classification c;
  c.hints.remote_host = rcpt.remote_host;
  c.hints.remote_ip = rcpt.remote_ip;
  switch (rep.kind) {
    case report_kind::vacation:
      c.reason = "vacation";
      c.by = decided_by::report_kind;
      return c;
    case report_kind::feedback:
      c.reason = "feedback";
      c.by = decided_by::report_kind;
      c.subcause = rcpt.feedback_type;
      return c;
    case report_kind::delivered:
    case report_kind::relayed:
    case report_kind::expanded:
      c.reason = "delivered";
      c.by = decided_by::report_kind;
      c.status = rcpt.status;
      return c;
    case report_kind::not_bounce:
      c.reason = "undefined";
      return c;
    default:
      break;
  }
  if (rcpt.action == dsn_action::delivered || rcpt.action == dsn_action::relayed ||
      rcpt.action == dsn_action::expanded || rcpt.status.starts_with("2.")) {
    c.reason = "delivered";
    c.by = decided_by::report_kind;
    c.status = rcpt.status;
    return c;
  }
  const std::string_view whole = rcpt.diagnostic;
  const std::string_view with_outro = remote_words(whole, k);
  std::string_view diag = without_outro(with_outro, k);
  c.temporary = is_temporary(rcpt, rep, k);

  // The text's verdict, used by every step below.
  // The diagnostic's scan, its hit list kept per thread (classify does not recurse).
  thread_local scanned_text scanned;
  // Its reason-pattern candidates, read twice (kept per thread like the scan).
  thread_local std::vector<int> reason_candidates;
  const auto scan = [&] {
    k.reason_text.scan_into(diag, scanned);
    k.reason_text.candidates_into(scanned, reason_candidates);
    return k.reason_text.first_among(scanned, reason_candidates);
  };
  int first_hit = scan();
  if (first_hit < 0 && diag.size() != with_outro.size()) {
    diag = with_outro;  // the reply names no cause: the layout's outro does
    first_hit = scan();
  }
  const knowledge::text_rule* text_rule = first_hit < 0 ? nullptr : &k.reason_of[static_cast<std::size_t>(first_hit)];

  // 0. The refusing provider's own codes (its documentation names the cause), then the
  // reporting MTA's own words for its own verdicts.
  const knowledge::family_pattern* own = nullptr;
  for (const auto& fp : k.family_patterns)
    if (std::string_view(fp.where) == "diagnostic" && fp.family == rep.mta_family &&
        finds(*fp.match, whole)) {
      own = &fp;
      break;
    }
  if (const knowledge::provider_rule* p = provider_rule_for(rcpt, rep, k, diag, scanned)) {
    c.reason = p->reason;
    c.by = decided_by::provider;
    c.matched = p->provider + ": '" + p->pattern + "'";
    if (p->subcause.empty())
      subcause_from_text(c, k, scanned, reason_candidates);
    else
      c.subcause = p->subcause;
  } else if (own != nullptr) {
    c.reason = own->reason;
    c.by = decided_by::provider;
    c.matched = own->family + ": '" + own->pattern + "'";
  } else if (!rep.mta_reason.empty()) {
    c.reason = rep.mta_reason;
    c.by = decided_by::provider;
    c.matched = rep.mta_family + ": '" + rep.mta_reason_matched + "'";
  } else {
    decide(c, rcpt, rep, k, text_rule, scanned, reason_candidates);
  }

  c.status = rcpt.status;
  if (c.status.empty()) c.status = c.temporary ? "4.0.0" : "5.0.0";
  c.hard = std::find(k.hard_reasons.begin(), k.hard_reasons.end(), c.reason) != k.hard_reasons.end() && !c.temporary;

  // Hints for correlation, where the reason makes them meaningful (reasons.yaml hints.for).
  const auto hint_wanted = [&](const std::vector<std::string>& reasons) { return reasons.empty() || listed(reasons, c.reason); };
  if (hint_wanted(k.hint_zone_reasons)) {
    c.hints.dnsbl_zone = text::lower(first_capture(k.hint_zone, scanned));
    if (c.hints.dnsbl_zone.empty()) {
      const int u = k.hint_zone_url.first(scanned);
      if (u >= 0) c.hints.dnsbl_zone = k.zone_of_url[static_cast<std::size_t>(u)].zone;
    }
  }
  if (hint_wanted(k.hint_client_ip_reasons))
    for (const int i : k.hint_client_ip.candidates(scanned)) {
      re2::StringPiece group;
      if (RE2::PartialMatch(re2::StringPiece(diag.data(), diag.size()), k.hint_client_ip.regex(i), &group) &&
          text::is_ip_literal(std::string_view(group.data(), group.size())) &&
          std::string_view(group.data(), group.size()) != rcpt.remote_ip) {
        c.hints.client_ip = std::string(group);
        break;
      }
    }
  if (hint_wanted(k.hint_size_reasons)) {
    int size_rule = -1;
    const std::string size_text = first_capture(k.hint_size, scanned, &size_rule);
    if (!size_text.empty() && size_rule >= 0) {
      std::uint64_t n = 0;
      const auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), n);
      if (ec == std::errc() && n < (1ull << 40)) c.hints.size_limit = n * k.size_of[static_cast<std::size_t>(size_rule)].unit;
    }
  }
  c.hints.connection_level = rcpt.command == smtp_command::conn || k.hint_connection.first(scanned) >= 0;
  return c;
}

}  // namespace reports
