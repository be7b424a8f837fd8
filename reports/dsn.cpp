#include "reports/dsn.hpp"

#include "reports/limits.hpp"
#include "reports/text.hpp"

namespace reports::dsn {
namespace {

bool is_recipient_start(std::string_view name) {
  return text::iequals(name, "Final-Recipient") || text::iequals(name, "Original-Recipient");
}

}  // namespace

std::string_view strip_type(std::string_view value) {
  const std::size_t semi = value.find(';');
  if (semi != std::string_view::npos && semi < 24 && value.substr(0, semi).find(' ') == std::string_view::npos)
    value = value.substr(semi + 1);
  return text::trim(value);
}

bool looks_like_fields(std::string_view body) {
  bool recipient = false, status_or_action = false;
  for (const auto line : text::lines(body, limits::max_text_lines)) {
    const std::string_view t = text::trim(line);
    if (text::istarts_with(t, "Final-Recipient:") || text::istarts_with(t, "Original-Recipient:")) recipient = true;
    if (text::istarts_with(t, "Action:") || text::istarts_with(t, "Status:")) status_or_action = true;
  }
  return recipient && status_or_action;
}

fields parse_fields(std::string_view body) {
  fields out;
  std::vector<mime::header>* current = &out.per_message;
  bool in_recipients = false;
  bool current_has_final = false;
  std::string name, value;
  auto flush = [&] {
    if (name.empty()) return;
    const bool starts = is_recipient_start(name);
    const bool final = text::iequals(name, "Final-Recipient");
    // A new recipient block: the first recipient field, or a second Final-Recipient (or
    // an Original-Recipient after a Final-Recipient) inside what should be one block.
    if (starts && (!in_recipients || (current_has_final && (final || text::iequals(name, "Original-Recipient"))))) {
      if (out.per_recipient.size() < limits::max_recipients) {
        out.per_recipient.emplace_back();
        current = &out.per_recipient.back();
      }
      in_recipients = true;
      current_has_final = false;
    }
    if (final) current_has_final = true;
    if (current->size() < limits::max_header_count)
      current->push_back({text::valid_utf8(name, 128), text::valid_utf8(text::squeeze(value), limits::max_header_bytes)});
    name.clear();
    value.clear();
  };
  bool blank_seen = false;
  for (const auto raw : text::lines(body, limits::max_text_lines)) {
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (text::trim(line).empty()) {
      flush();
      blank_seen = true;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (!name.empty() && value.size() < limits::max_header_bytes) {
        value.push_back(' ');
        value.append(text::trim(line).substr(0, limits::max_header_bytes));
      }
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 64 ||
        line.substr(0, colon).find(' ') != std::string_view::npos) {
      // A Diagnostic-Code wrapped without indentation (seen from Postfix relays and
      // hand-forwarded reports): keep it as a continuation.
      if (!name.empty() && value.size() < limits::max_header_bytes) {
        value.push_back(' ');
        value.append(text::trim(line).substr(0, limits::max_header_bytes));
      }
      continue;
    }
    flush();
    // A blank line after per-recipient fields that is followed by non-recipient fields
    // still belongs to the current recipient (some MTAs put X- fields after a blank).
    (void)blank_seen;
    blank_seen = false;
    name.assign(text::trim(line.substr(0, colon)));
    value.assign(text::trim(line.substr(colon + 1)));
  }
  flush();
  return out;
}

}  // namespace reports::dsn
