#pragma once
// Making peer text safe to keep: every string a server sends (banner, reply lines, EHLO
// keywords, certificate names) goes through `sanitize()` before probe stores it.
//
// Promise: the result contains no C0 control (TAB excepted), no DEL, no C1 control and
// only valid UTF-8; each offending byte or sequence becomes one '?'. Valid non-ASCII
// UTF-8 (SMTPUTF8 replies, Chinese banners) is kept. Pure functions, any thread.
//
// Printing still goes through probe::printable(); this is the first line of defence,
// applied on the way in so that stored facts are already harmless.

#include <string>
#include <string_view>

namespace smtp {

// Returns the sanitised text; sets `replaced` when at least one byte was replaced.
std::string sanitize(std::string_view text, bool& replaced);
inline std::string sanitize(std::string_view text) {
  bool ignored = false;
  return sanitize(text, ignored);
}

// ASCII lower-case copy (domain names, keywords).
std::string ascii_lower(std::string_view text);
// Case-insensitive ASCII substring search.
bool contains_ignoring_case(std::string_view haystack, std::string_view needle);

// True when `text` holds a CR, LF or NUL: such a string must never reach the wire,
// because the peer would read the rest as a new command (SMTP command injection).
constexpr bool has_line_break_or_nul(std::string_view text) {
  for (const char c : text)
    if (c == '\r' || c == '\n' || c == '\0') return true;
  return false;
}

}  // namespace smtp
