#include "reports/dsn.hpp"

#include "reports/limits.hpp"
#include "reports/text.hpp"

#include <algorithm>

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

bool looks_like_fields(std::string_view body) { return looks_like_fields(text::lines(body, limits::max_text_lines)); }

bool looks_like_fields(std::span<const std::string_view> lines) {
  bool recipient = false, status_or_action = false;
  for (const auto line : lines) {
    const std::string_view t = text::trim(line);
    if (text::istarts_with(t, "Final-Recipient:") || text::istarts_with(t, "Original-Recipient:")) recipient = true;
    if (text::istarts_with(t, "Action:") || text::istarts_with(t, "Status:")) status_or_action = true;
    if (recipient && status_or_action) return true;
  }
  return false;
}

fields parse_fields(std::string_view body) {
  // 1. Fields in order, with the end of each blank-line separated block (RFC 3464 §2.1).
  // The list and the block ends are kept per thread between calls (cleared, not freed):
  // the fields are moved out below, so only their containers are reused.
  thread_local std::vector<mime::header> all;
  thread_local std::vector<std::size_t> block_ends;
  thread_local std::string name, value;
  thread_local std::vector<std::string_view> body_lines;
  all.clear();
  block_ends.clear();
  name.clear();
  value.clear();
  std::size_t total = 0;
  auto flush = [&] {
    if (name.empty()) return;
    if (total++ < limits::max_header_count * 4) {
      // Squeezed straight into the field's own string; valid_utf8 only when it must
      // change something (it copies plain ASCII within the bound as it is).
      mime::header& h = all.emplace_back();
      h.name = name.size() <= 128 && text::is_plain_ascii(name) ? name : text::valid_utf8(name, 128);
      const bool plain_ascii = text::append_squeezed(h.value, value);  // h.value was empty
      if (h.value.size() > limits::max_header_bytes || !plain_ascii)
        h.value = text::valid_utf8(h.value, limits::max_header_bytes);
    }
    name.clear();
    value.clear();
  };
  auto end_block = [&] {
    const std::size_t start = block_ends.empty() ? 0 : block_ends.back();
    if (all.size() > start) block_ends.push_back(all.size());
  };
  text::lines_into(body, limits::max_text_lines, body_lines);
  for (const auto raw : body_lines) {
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (text::trim(line).empty()) {
      flush();
      end_block();
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
    // White space before the colon is obsolete syntax that gateways still write
    // ("Diagnostic-Code : smtp;550 ...", Mimecast); the name itself has none.
    const std::string_view field_name =
        colon == std::string_view::npos ? std::string_view() : text::trim(line.substr(0, colon));
    if (colon == std::string_view::npos || field_name.empty() || colon > 64 ||
        field_name.find(' ') != std::string_view::npos || field_name.find('\t') != std::string_view::npos) {
      // A Diagnostic-Code wrapped without indentation (seen from relays and hand-forwarded
      // reports): keep it as a continuation.
      if (!name.empty() && value.size() < limits::max_header_bytes) {
        value.push_back(' ');
        value.append(text::trim(line).substr(0, limits::max_header_bytes));
      }
      continue;
    }
    flush();
    name.assign(text::trim(line.substr(0, colon)));
    value.assign(text::trim(line.substr(colon + 1)));
  }
  flush();
  end_block();

  // 2. Blocks to per-message and per-recipient fields. A block with no recipient field
  // before any recipient is per-message; a block with several Final-Recipient fields (no
  // blank lines between recipients) is split at each repeated one. Each list is sized
  // before it is filled (a recipient's list: the rest of its block), so moving the
  // fields costs no regrowth.
  fields out;
  auto is_per_message_name = [](std::string_view n) {
    return text::iequals(n, "Reporting-MTA") || text::iequals(n, "Arrival-Date") || text::iequals(n, "Received-From-MTA") ||
           text::iequals(n, "DSN-Gateway") || text::iequals(n, "Original-Envelope-Id") ||
           text::istarts_with(n, "X-Postfix-Queue") || text::iequals(n, "X-Postfix-Sender");
  };
  std::size_t recipient_fields = 0;
  for (const auto& h : all) recipient_fields += is_recipient_start(h.name) ? 1 : 0;
  out.per_recipient.reserve(std::min(recipient_fields, limits::max_recipients));
  thread_local std::vector<mime::header> pending;  // fields before the block's first recipient field
  std::size_t block_start = 0;
  for (const std::size_t block_end : block_ends) {
    const auto first = all.begin() + static_cast<std::ptrdiff_t>(block_start);
    const auto last = all.begin() + static_cast<std::ptrdiff_t>(block_end);
    block_start = block_end;
    const bool has_recipient = std::any_of(first, last, [](const mime::header& h) { return is_recipient_start(h.name); });
    if (!has_recipient) {
      std::vector<mime::header>& into = out.per_recipient.empty() ? out.per_message : out.per_recipient.back();  // else trailing X- fields
      into.reserve(into.size() + static_cast<std::size_t>(last - first));
      for (auto it = first; it != last; ++it) into.push_back(std::move(*it));
      continue;
    }
    pending.clear();
    bool seen_final = false, seen_original = false;
    std::vector<mime::header>* current = nullptr;
    for (auto it = first; it != last; ++it) {
      mime::header& h = *it;
      const bool final = text::iequals(h.name, "Final-Recipient");
      const bool original = text::iequals(h.name, "Original-Recipient");
      if (final || original) {
        if (current == nullptr || (final && seen_final) || (original && seen_original)) {
          if (out.per_recipient.size() >= limits::max_recipients) break;
          out.per_recipient.emplace_back();
          current = &out.per_recipient.back();
          current->reserve(pending.size() + static_cast<std::size_t>(last - it));
          for (auto& p : pending) current->push_back(std::move(p));
          pending.clear();
          seen_final = seen_original = false;
        }
        seen_final = seen_final || final;
        seen_original = seen_original || original;
        current->push_back(std::move(h));
        continue;
      }
      if (current == nullptr) {
        if (is_per_message_name(h.name)) out.per_message.push_back(std::move(h));
        else pending.push_back(std::move(h));
        continue;
      }
      current->push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace reports::dsn
