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

#include <cstddef>
#include <string>
#include <string_view>

namespace smtp {

// Returns the sanitised text; sets `replaced` when at least one byte was replaced.
std::string sanitize(std::string_view text, bool& replaced);
inline std::string sanitize(std::string_view text) {
  bool ignored = false;
  return sanitize(text, ignored);
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is invalid
// (RFC 3629 §3: no overlong forms, no surrogates, nothing above U+10FFFF). Also what
// probe::printable() uses, so stored and printed text agree on what is valid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

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
