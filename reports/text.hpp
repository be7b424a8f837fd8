#pragma once
// reports/text: small string helpers shared by the bounce readers. Pure, thread-safe,
// allocation-bounded by their inputs (lines() keeps one per-thread scratch vector of at
// most max_lines views). ASCII case rules only (protocol text).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reports::text {

std::string lower(std::string_view s);
// ASCII case-insensitive comparisons; inline: header and field names are compared by the
// dozen per message. One table look-up per byte instead of two range tests and folds.
namespace detail {
struct ascii_fold_table {
  unsigned char to_lower[256];
  constexpr ascii_fold_table() : to_lower() {
    for (int c = 0; c < 256; ++c) to_lower[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
};
inline constexpr ascii_fold_table ascii_fold{};
// White space (space, tab, CR, LF, FF, VT) as a table: trim and squeeze run over every
// header value, DSN field and diagnostic line.
struct space_table {
  bool is_space[256];
  constexpr space_table() : is_space() {
    for (const unsigned char c : {' ', '\t', '\n', '\r', '\f', '\v'}) is_space[c] = true;
  }
};
inline constexpr space_table spaces{};
}  // namespace detail
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const auto* x = reinterpret_cast<const unsigned char*>(a.data());
  const auto* y = reinterpret_cast<const unsigned char*>(b.data());
  for (std::size_t i = 0; i < a.size(); ++i)
    if (detail::ascii_fold.to_lower[x[i]] != detail::ascii_fold.to_lower[y[i]]) return false;
  return true;
}
inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
// Position of `needle` (lower case) in `s`, ASCII case-insensitively, or npos.
std::size_t ifind(std::string_view s, std::string_view needle);
// Without leading and trailing white space; inline: called for every field, value and
// line the readers look at (tens of thousands of times per corpus pass).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && detail::spaces.is_space[static_cast<unsigned char>(s.front())]) s.remove_prefix(1);
  while (!s.empty() && detail::spaces.is_space[static_cast<unsigned char>(s.back())]) s.remove_suffix(1);
  return s;
}

// The words of an HTML text (HTML-only bounces, HTML forwards): tags dropped, a line break
// for <br>, <p>, <div>, <tr> and <li>, and the few entities bounces use decoded. Crude but
// linear on any input; never longer than the input.
std::string strip_html(std::string_view html);
// Folded lines joined (RFC 5322 §2.2.3), runs of white space collapsed to one space, trimmed.
std::string squeeze(std::string_view s);
// squeeze(s) appended to `out` (no temporary string). Returns is_plain_ascii of what it
// appended (no byte >= 0x80, no NUL), found on the way.
bool append_squeezed(std::string& out, std::string_view s);
// No byte >= 0x80 and no NUL (word-at-a-time check).
bool is_plain_ascii(std::string_view s);
// Replaces invalid UTF-8 with U+FFFD and NUL with a space; cuts at `max_bytes` on a
// character boundary.
std::string valid_utf8(std::string_view s, std::size_t max_bytes = std::string::npos);
// Splits on '\n', at most `max_lines` lines.
std::vector<std::string_view> lines(std::string_view s, std::size_t max_lines);
// The same into `out` (cleared first; its room is kept for a caller's scratch).
void lines_into(std::string_view s, std::size_t max_lines, std::vector<std::string_view>& out);
// Address without <>, quotes, "rfc822;" prefix, a label ending in a full-width colon
// ("发件人："), or trailing punctuation, lower-cased domain; "" when it is not addr-spec like.
std::string clean_address(std::string_view s);
// First thing that looks like local@domain in `s` ("" if none).
std::string find_address(std::string_view s);
bool is_ip_literal(std::string_view s);

// One needle searched for many times (a multipart's delimiter, once per part): its table
// is built once, where glibc's memmem builds its own on every call (over the bench's
// two measured rounds: memmem 2.34M instructions in 3,666 calls; the finder 1.40M and
// 0.25M for its 756 tables). Horspool's search on the byte pair under
// the window's last two places: the window moves to the last place of the needle where
// a pair of that hash ends, or past the pair when none does. Needles of 3-256 bytes;
// others are left to memmem.
class finder {
 public:
  explicit finder(std::string_view needle);
  // The first offset at or after `from` where the needle occurs in `hay`, else npos.
  std::size_t find(std::string_view hay, std::size_t from = 0) const;

 private:
  std::string_view needle_;  // not owned: the caller keeps it alive
  bool own_table_ = false;
  std::size_t last_ = 0;        // needle size - 1
  std::size_t after_last_ = 0;  // the move after a full compare that fails
  // Per pair hash: the highest needle place 1..last_ where such a pair ends, 0 for none.
  std::array<std::uint8_t, 256> end_of_pair_{};
};

}  // namespace reports::text
