#pragma once
// reports/dsn: RFC 3464 delivery-status fields, sans-I/O (text in, values out).
//
// A message/delivery-status body is one per-message block (Reporting-MTA, Arrival-Date,
// X-Postfix-Sender, ...) and one block per recipient (Final-Recipient, Action, Status,
// Remote-MTA, Diagnostic-Code, Last-Attempt-Date, X-*), separated by blank lines (§2.1).
// Real MTAs omit the blank lines or repeat blocks; a new recipient block is also started
// when a Final-Recipient follows one already seen. Values are unfolded, bounded UTF-8.
// Thread-safe: no shared state; parse_fields keeps its scratch lists per thread
// (thread_local, cleared between calls, not freed).

#include "reports/mime.hpp"

#include <span>
#include <string_view>
#include <vector>

namespace reports::dsn {

struct fields {
  std::vector<mime::header> per_message;
  std::vector<std::vector<mime::header>> per_recipient;
};

fields parse_fields(std::string_view body);

// "rfc822; user@example.com" → "user@example.com"; "smtp; 550 5.1.1 ..." → "550 5.1.1 ...";
// "dns; mx.example.com" → "mx.example.com". The type before ';' is dropped.
std::string_view strip_type(std::string_view value);

// True when the text holds DSN fields (used for text/plain parts that embed them).
bool looks_like_fields(std::string_view body);
// The same for a text already cut into lines (text::lines_into with limits::max_text_lines).
bool looks_like_fields(std::span<const std::string_view> lines);

}  // namespace reports::dsn
