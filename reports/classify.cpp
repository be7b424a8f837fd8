#include "reports/classify.hpp"

#include "reports/knowledge.hpp"
#include "reports/text.hpp"

#include <algorithm>
#include <charconv>

namespace reports {
namespace {

// First capture group of the first matching expression of a set.
std::string first_capture(const pattern_set& set, const scanned_text& scanned, int* which = nullptr) {
  const std::string_view text = scanned.text;
  for (const int i : set.matches(scanned)) {
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
    return c;
  }
  const std::string_view diag = rcpt.diagnostic;
  c.temporary = rcpt.status.starts_with("4") || (rcpt.reply_code >= 400 && rcpt.reply_code < 500) ||
                rep.kind == report_kind::delay;

  // The text's verdict, used by every step below.
  const scanned_text scanned = k.reason_text.scan(diag);
  const std::vector<int> text_hits = k.reason_text.matches(scanned);
  const knowledge::text_rule* text_rule = text_hits.empty() ? nullptr : &k.reason_of[static_cast<std::size_t>(text_hits.front())];

  // 1. A specific status code.
  const knowledge::status_entry* status = nullptr;
  if (!rcpt.status.empty()) {
    const auto it = k.status.find(subject_detail(rcpt.status));
    if (it != k.status.end()) status = &it->second;
  }
  if (status != nullptr && status->strong &&
      !(text_rule && std::find(status->unless.begin(), status->unless.end(), text_rule->reason) != status->unless.end())) {
    c.reason = status->reason;
    c.by = decided_by::status;
    c.matched = rcpt.status;
    // A sub-cause still comes from the text when it agrees.
    for (const int i : text_hits)
      if (k.reason_of[static_cast<std::size_t>(i)].reason == c.reason) {
        c.subcause = k.reason_of[static_cast<std::size_t>(i)].subcause;
        break;
      }
  } else if (text_rule != nullptr &&
             !(text_rule->generic && status != nullptr && rcpt.command == smtp_command::unknown)) {
    // 2. The diagnostic text. Words that only say "refused" leave it to the command.
    c.reason = text_rule->reason;
    c.subcause = text_rule->subcause;
    c.by = decided_by::text;
    c.matched = text_rule->pattern;
    const auto cm = k.command_reasons.find(rcpt.command);
    if (text_rule->generic && rcpt.command != smtp_command::unknown && cm != k.command_reasons.end()) {
      c.reason = cm->second;
      c.subcause.clear();
      c.by = decided_by::command;
      c.matched = std::string(to_string(rcpt.command)) + " + '" + text_rule->pattern + "'";
    }
  } else if (status != nullptr) {
    c.reason = status->reason;
    c.by = decided_by::status;
    c.matched = rcpt.status;
  } else if (const auto fr = k.family_reasons.find(rep.mta_family); fr != k.family_reasons.end()) {
    c.reason = fr->second;
    c.by = decided_by::report_kind;
    c.matched = rep.mta_family;
  } else if (const auto rc = k.reply_codes.find(rcpt.reply_code); rc != k.reply_codes.end()) {
    // 3. The reply code.
    c.reason = rc->second;
    c.by = decided_by::reply_code;
    c.matched = std::to_string(rcpt.reply_code);
  } else if (const auto cm = k.command_reasons.find(rcpt.command);
             cm != k.command_reasons.end() && rcpt.command != smtp_command::unknown) {
    // 4. The SMTP command at which it failed.
    c.reason = cm->second;
    c.by = decided_by::command;
    c.matched = std::string(to_string(rcpt.command));
  } else if (rep.kind == report_kind::delay) {
    c.reason = "expired";
    c.by = decided_by::report_kind;
  } else {
    c.reason = "undefined";
  }
  // A code that reads differently with some words ("5.2.1" + "user unknown": a filter).
  if (status != nullptr && text_rule != nullptr && c.by == decided_by::text) {
    const auto w = status->with_text.find(c.reason);
    if (w != status->with_text.end()) {
      c.reason = w->second;
      c.matched = rcpt.status + " + '" + text_rule->pattern + "'";
    }
  }

  // After DATA, only when no specific code says otherwise ("5.1.3" stays an address issue).
  const bool generic_status = rcpt.status.empty() || rcpt.status.ends_with(".0.0");
  if (rcpt.command == smtp_command::data && generic_status && (c.by == decided_by::text || c.by == decided_by::status)) {
    const auto it = k.at_data.find(c.reason);
    if (it != k.at_data.end()) c.reason = it->second;
  }
  c.status = rcpt.status;
  if (c.status.empty()) c.status = c.temporary ? "4.0.0" : "5.0.0";
  c.hard = std::find(k.hard_reasons.begin(), k.hard_reasons.end(), c.reason) != k.hard_reasons.end() && !c.temporary;

  // Hints for correlation.
  c.hints.dnsbl_zone = text::lower(first_capture(k.hint_zone, scanned));
  if (c.hints.dnsbl_zone.empty()) {
    const int u = k.hint_zone_url.first(scanned);
    if (u >= 0) c.hints.dnsbl_zone = k.zone_of_url[static_cast<std::size_t>(u)].zone;
  }
  for (const int i : k.hint_client_ip.matches(scanned)) {
    re2::StringPiece group;
    if (RE2::PartialMatch(re2::StringPiece(diag.data(), diag.size()), k.hint_client_ip.regex(i), &group) &&
        text::is_ip_literal(std::string_view(group.data(), group.size())) &&
        std::string_view(group.data(), group.size()) != rcpt.remote_ip) {
      c.hints.client_ip = std::string(group);
      break;
    }
  }
  int size_rule = -1;
  const std::string size_text = first_capture(k.hint_size, scanned, &size_rule);
  if (!size_text.empty() && size_rule >= 0) {
    std::uint64_t n = 0;
    const auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), n);
    if (ec == std::errc() && n < (1ull << 40)) c.hints.size_limit = n * k.size_of[static_cast<std::size_t>(size_rule)].unit;
  }
  c.hints.connection_level = rcpt.command == smtp_command::conn || k.hint_connection.first(scanned) >= 0;
  return c;
}

}  // namespace reports
