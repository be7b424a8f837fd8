#include "reports/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace reports::text {
namespace {

bool is_space(char c) { return detail::spaces.is_space[static_cast<unsigned char>(c)]; }

bool is_atom_char(unsigned char c) {
  if (c >= 0x80) return true;  // SMTPUTF8 local parts and IDN domains
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~.").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_domain_char(unsigned char c) {
  return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '[' || c == ']' || c == ':';
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::size_t ifind(std::string_view s, std::string_view needle) {
  if (needle.empty()) return 0;
  if (s.size() < needle.size()) return std::string_view::npos;
  // The needle is lower case: its first byte is looked for in both cases (memchr, each
  // case searched again only once passed) and the rest compared folded (an upper-case
  // first byte could never match a folded text).
  const char lower_first = needle.front();
  if (lower_first >= 'A' && lower_first <= 'Z') return std::string_view::npos;
  const bool has_upper = lower_first >= 'a' && lower_first <= 'z';
  const char upper_first = has_upper ? static_cast<char>(lower_first - 'a' + 'A') : lower_first;
  const std::size_t last = s.size() - needle.size();
  std::size_t next_lower = s.find(lower_first);
  std::size_t next_upper = has_upper ? s.find(upper_first) : std::string_view::npos;
  while (true) {
    const std::size_t i = std::min(next_lower, next_upper);
    if (i == std::string_view::npos || i > last) return std::string_view::npos;
    if (iequals(s.substr(i, needle.size()), needle)) return i;
    if (i == next_lower) next_lower = s.find(lower_first, i + 1);
    else next_upper = s.find(upper_first, i + 1);
  }
}

std::string squeeze(std::string_view s) {
  std::string out;
  append_squeezed(out, s);
  return out;
}

namespace {

// The end of a run of bytes that squeezing copies as it is, starting at s[j] (a byte
// > 0x20): the first byte at or after j below 0x21 (white space or a control byte) that
// is not a space followed by a byte > 0x20; n when there is none. A single space between
// two words stays as it is, so a header value's words are one run. `seen` ORs the bytes
// read (only bytes of s: their high bits tell whether a byte >= 0x80 was met).
#if defined(__SSE2__)
// Sixteen bytes at a time (SSE2 is part of x86-64): the runs are most of what header
// values, DSN fields and diagnostics are, and eight at a time with word masks took about
// 31 instructions per word.
struct block_masks {
  unsigned low;    // lanes holding a byte <= 0x20
  unsigned space;  // lanes holding ' '
};

inline block_masks masks_of(__m128i v) {
  // max(v, 0x21) == v exactly for the bytes >= 0x21 (unsigned).
  const __m128i above = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x21)), v);
  return {~static_cast<unsigned>(_mm_movemask_epi8(above)) & 0xFFFFu,
          static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))))};
}

std::size_t run_end(const char* s, std::size_t j, std::size_t n, __m128i& seen) {
  for (; j + 16 <= n; j += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + j));
    seen = _mm_or_si128(seen, v);
    const block_masks m = masks_of(v);
    // A space stops the run when the byte after it is <= 0x20; in the last lane that
    // byte is the next block's first (or the end of s).
    unsigned stop = (m.low & ~m.space) | (m.space & (m.low >> 1));
    if ((m.space & 0x8000u) != 0 && (j + 16 == n || static_cast<unsigned char>(s[j + 16]) <= 0x20)) stop |= 0x8000u;
    if (stop != 0) return j + static_cast<std::size_t>(__builtin_ctz(stop));
  }
  if (j == n) return n;
  // Fewer than 16 bytes left. With 16 or more in s, its last 16 are read again and the
  // lanes before j shifted out (a space in the last lane ends s: it stops the run);
  // otherwise the rest is copied into a block padded with NULs, which stop the run.
  __m128i v;
  unsigned shift = 0, last_space = 0;
  if (n >= 16) {
    v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16));
    shift = static_cast<unsigned>(j - (n - 16));
    last_space = 0x8000u;
  } else {
    alignas(16) char block[16] = {};
    std::memcpy(block, s + j, n - j);
    v = _mm_load_si128(reinterpret_cast<const __m128i*>(block));
  }
  seen = _mm_or_si128(seen, v);
  const block_masks m = masks_of(v);
  const unsigned stop = ((m.low & ~m.space) | (m.space & (m.low >> 1)) | (m.space & last_space)) >> shift;
  return stop != 0 ? j + static_cast<std::size_t>(__builtin_ctz(stop)) : n;
}
#else
std::size_t run_end(const char* s, std::size_t j, std::size_t n, std::uint64_t& seen) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull, lows = 0x7F7F7F7F7F7F7F7Full;
  for (; j + 8 <= n; j += 8) {
    std::uint64_t w;
    std::memcpy(&w, s + j, 8);
    seen |= w;
    // Exact per-byte masks (no carry crosses a byte): bytes <= 0x20, and spaces.
    const std::uint64_t low = ~(w | ((w & lows) + 0x5F * ones)) & highs;
    const std::uint64_t x = w ^ (0x20 * ones);
    const std::uint64_t space = ~(x | ((x & lows) + lows)) & highs;
    // A space decides when the byte after it is <= 0x20 (or in the next word).
    const std::uint64_t stop = (low & ~space) | (space & ((low >> 8) | (1ull << 63)));
    if (stop != 0) return j + static_cast<std::size_t>(__builtin_ctzll(stop)) / 8;
  }
  while (j < n && (static_cast<unsigned char>(s[j]) > 0x20 ||
                   (s[j] == ' ' && j + 1 < n && static_cast<unsigned char>(s[j + 1]) > 0x20)))
    seen |= static_cast<unsigned char>(s[j++]);
  return j;
}
#endif

}  // namespace

bool append_squeezed(std::string& out, std::string_view s) {
  // A run of white space becomes one space (none at the edges); one pass writing into
  // room of the input's size (the output is never longer).
  const std::size_t old_size = out.size();
  out.resize(old_size + s.size());
  char* const begin = out.data() + old_size;
  char* o = begin;
  bool pending_space = false;
  std::size_t i = 0;
  const std::size_t n = s.size();
  // Every byte read, ORed (a byte >= 0x80 sets a high bit), and whether a NUL was met: a
  // NUL is <= 0x20, so it always takes the byte-at-a-time path below.
#if defined(__SSE2__)
  __m128i seen = _mm_setzero_si128();
#else
  std::uint64_t seen = 0;
#endif
  bool nul = false;
  while (i < n) {
    // A run starting with a byte > 0x20 is copied whole up to the first byte that needs a
    // decision (run_end).
    if (static_cast<unsigned char>(s[i]) > 0x20) {
      const std::size_t j = run_end(s.data(), i, n, seen);
      if (pending_space) *o++ = ' ';
      pending_space = false;
      std::memcpy(o, s.data() + i, j - i);
      o += j - i;
      i = j;
      continue;
    }
    // s[i] <= 0x20: white space, or a control byte kept like any other.
    const char c = s[i++];
    if (is_space(c)) {
      pending_space = o != begin;
      continue;
    }
    if (pending_space) *o++ = ' ';
    pending_space = false;
    *o++ = c;
    nul = nul || c == '\0';
  }
  out.resize(old_size + static_cast<std::size_t>(o - begin));
#if defined(__SSE2__)
  return _mm_movemask_epi8(seen) == 0 && !nul;
#else
  return (seen & 0x8080808080808080ull) == 0 && !nul;
#endif
}

bool is_plain_ascii(std::string_view s) {
  const char* const p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  // No byte >= 0x80 and none zero: the bytes 0x01-0x7F are exactly those above zero as
  // signed bytes. 64 bytes per branch (text parts are read here whole); a tail of fewer
  // than 16 is the last 16 bytes read again.
  const __m128i zero = _mm_setzero_si128();
  const auto ok = [&](std::size_t at) {
    return _mm_cmpgt_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)), zero);
  };
  for (; i + 64 <= n; i += 64) {
    const __m128i all = _mm_and_si128(_mm_and_si128(ok(i), ok(i + 16)), _mm_and_si128(ok(i + 32), ok(i + 48)));
    if (_mm_movemask_epi8(all) != 0xFFFF) return false;
  }
  for (; i + 16 <= n; i += 16)
    if (_mm_movemask_epi8(ok(i)) != 0xFFFF) return false;
  if (i < n && n >= 16) return _mm_movemask_epi8(ok(n - 16)) == 0xFFFF;
#endif
  // In a word without high bits, (w - 0x01...) sets the high bit of some byte exactly
  // when a byte is zero; so one mask answers both.
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if ((w | (w - ones)) & highs) return false;
  }
  // A tail of a text of 8 or more bytes (field names, "Final-Recipient"): its last word
  // read again.
  if (i < n && n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    return ((w | (w - ones)) & highs) == 0;
  }
  for (; i < n; ++i)
    if (static_cast<unsigned char>(p[i]) - 1u >= 0x7Fu) return false;
  return true;
}

std::string valid_utf8(std::string_view s, std::size_t max_bytes) {
  // Most peer text is plain ASCII without NUL: one scan, one copy.
  if (s.size() <= max_bytes && is_plain_ascii(s)) return std::string(s);
  std::string out;
  out.reserve(std::min(s.size(), max_bytes == std::string::npos ? s.size() : max_bytes) + 3);
  // s[from, i) is valid and not copied yet: valid stretches, ASCII runs and whole UTF-8
  // sequences alike, are copied at once when a byte must be replaced or at the end.
  std::size_t i = 0, from = 0;
  const bool bounded = max_bytes != std::string::npos;
  const auto would_exceed = [&](std::size_t more) { return bounded && out.size() + (i - from) + more > max_bytes; };
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c - 1u < 0x7Fu) {
      // A run of ASCII (no NUL), eight bytes at a time (see is_plain_ascii).
      std::size_t run = i + 1;
      for (; run + 8 <= s.size(); run += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + run, 8);
        if ((w | (w - ones)) & highs) break;
      }
      while (run < s.size() && static_cast<unsigned char>(s[run]) - 1u < 0x7Fu) ++run;
      if (would_exceed(run - i)) {
        i += max_bytes - out.size() - (i - from);  // the part of the run that fits
        break;
      }
      i = run;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid (RFC 3629 §3).
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
               (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
      ok = false;
    if (ok) {
      if (would_exceed(len)) break;
      i += len;
      continue;
    }
    // NUL becomes a space, an invalid byte U+FFFD.
    const std::string_view replacement = c == 0 ? std::string_view(" ") : std::string_view("\xEF\xBF\xBD");
    if (would_exceed(replacement.size())) break;
    out.append(s.data() + from, i - from);
    out.append(replacement);
    from = ++i;
  }
  out.append(s.data() + from, i - from);
  return out;
}

std::vector<std::string_view> lines(std::string_view s, std::size_t max_lines) {
  // Collected in a per-thread scratch vector, then copied once: one allocation of the
  // right size instead of one per doubling.
  thread_local std::vector<std::string_view> scratch;
  lines_into(s, max_lines, scratch);
  return {scratch.begin(), scratch.end()};
}

void lines_into(std::string_view s, std::size_t max_lines, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t pos = 0;
  while (pos < s.size() && out.size() < max_lines) {
    const std::size_t end = s.find('\n', pos);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(pos));
      break;
    }
    out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
}

std::string find_address(std::string_view s) {
  // Bounded scan: every '@' is looked at once; the local part and domain are taken by
  // walking outwards over address characters.
  std::size_t from = 0;
  while (from < s.size()) {
    const std::size_t at = s.find('@', from);
    if (at == std::string_view::npos) return {};
    std::size_t b = at;
    while (b > 0 && is_atom_char(static_cast<unsigned char>(s[b - 1])) && at - b < 256) --b;
    std::size_t e = at + 1;
    while (e < s.size() && is_domain_char(static_cast<unsigned char>(s[e])) && e - at < 256) ++e;
    std::string candidate = clean_address(s.substr(b, e - b));
    if (!candidate.empty()) return candidate;
    from = at + 1;
  }
  return {};
}

namespace {

// Address forms that put a scheme or an X.400 attribute before the SMTP address:
// "mailto:a@b", Exchange "[SMTP:a@b]", Exchange 5.5 "c=US;a= ;p=Org;dda:SMTP=a@b;".
// The part after the last such marker ahead of the '@' is the address. ('=' alone is
// not a marker: SRS and VERP local parts contain it.)
std::string_view after_address_markers(std::string_view s) {
  const std::size_t at = s.rfind('@');
  if (at == std::string_view::npos) return s;
  // Every marker ends in ':' or '=': ahead of the '@' without either, there is none.
  const std::string_view ahead = s.substr(0, at);
  if (ahead.find(':') == std::string_view::npos && ahead.find('=') == std::string_view::npos) return s;
  std::size_t cut = 0;
  for (const std::string_view marker : {"mailto:", "smtp:", "smtp="}) {
    std::size_t from = 0;
    while (from < at) {
      const std::size_t found = ifind(s.substr(from, at - from), marker);
      if (found == std::string_view::npos) break;
      cut = std::max(cut, from + found + marker.size());
      from += found + marker.size();
    }
  }
  return s.substr(cut);
}

}  // namespace

std::string clean_address(std::string_view s) {
  s = trim(s);
  if (istarts_with(s, "rfc822;")) s = trim(s.substr(7));
  s = after_address_markers(s);
  // A label written with a full-width colon and no space ("发件人：a@b", "宛先：a@b", as
  // Chinese and Japanese reports write them) ends where the address begins.
  if (const std::size_t colon = s.substr(0, s.rfind('@')).rfind("\xEF\xBC\x9A"); colon != std::string_view::npos)
    s = s.substr(colon + 3);
  while (!s.empty() && (s.front() == '<' || s.front() == '"' || s.front() == '\'' || s.front() == '(' || s.front() == '.'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == '>' || s.back() == '"' || s.back() == '\'' || s.back() == ')' || s.back() == ',' ||
                        s.back() == ';' || s.back() == ':' || s.back() == '.' || s.back() == ']'))
    s.remove_suffix(1);
  const std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return {};
  std::string_view domain = s.substr(at + 1);
  if (domain.find('.') == std::string_view::npos && !(domain.starts_with("["))) {
    // "user@localhost"-like names are kept: local MTAs report them.
    if (domain.size() < 2) return {};
  }
  for (const char c : s)
    if (is_space(c) || c == '<' || c == '>') return {};
  // A top-level label is ASCII ("jp", "xn--fiqs8s") or wholly not ("中国"); one that mixes
  // them is an address run into the sentence around it, as Japanese and Chinese reports
  // write without spaces ("postmaster@example.jpまで返信をお願いします。"): not an address.
  if (const std::string_view top = domain.substr(domain.rfind('.') + 1); !top.empty()) {
    bool ascii = false, other = false;
    for (const char c : top) (static_cast<unsigned char>(c) < 0x80 ? ascii : other) = true;
    if (ascii && other) return {};
  }
  // One allocation: the address as written, its domain folded in place.
  std::string out(s);
  for (std::size_t i = at + 1; i < out.size(); ++i)
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  return out;
}

bool is_ip_literal(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  bool has_colon = s.find(':') != std::string_view::npos;
  if (has_colon) {
    for (const char c : s)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
        return false;
    return true;
  }
  int dots = 0, digits = 0;
  for (const char c : s) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

// Both passes write through a pointer into a buffer of the input's size (the output is
// never longer).
std::string strip_html(std::string_view html) {
  std::string out(html.size(), '\0');
  char* o = out.data();
  bool in_tag = false;
  std::size_t i = 0;
  std::size_t next_gt = 0;  // the next '>' at or after i once searched (html.size(): none)
  while (i < html.size()) {
    if (!in_tag) {
      // Text up to the next tag is copied as it is.
      const std::size_t lt = html.find('<', i);
      const std::size_t stop = lt == std::string_view::npos ? html.size() : lt;
      std::memcpy(o, html.data() + i, stop - i);
      o += stop - i;
      i = stop;
      if (i == html.size()) break;
    }
    const char c = html[i];
    if (c == '<') {
      in_tag = true;
      const std::string_view rest = html.substr(i + 1, 4);
      if (istarts_with(rest, "br") || istarts_with(rest, "p") || istarts_with(rest, "/p") ||
          istarts_with(rest, "div") || istarts_with(rest, "/div") || istarts_with(rest, "tr") ||
          istarts_with(rest, "li"))
        *o++ = '\n';
    } else if (c == '>') {
      in_tag = false;
    }
    ++i;
    if (in_tag) {
      // Inside a tag only '<' (a new tag) and '>' (its end) matter: the nearer of the two.
      // The next '>' is searched for again only once passed, so "<<<<..." stays linear.
      if (next_gt < i) next_gt = std::min(html.find('>', i), html.size());
      i = std::min(html.substr(0, next_gt).find('<', i), next_gt);
    }
  }
  const std::string_view stripped(out.data(), static_cast<std::size_t>(o - out.data()));
  // The few entities bounces use (each no longer than its name).
  std::string decoded(stripped.size(), '\0');
  char* d = decoded.data();
  std::size_t i2 = 0;
  while (i2 < stripped.size()) {
    // Text up to the next '&' is copied as it is.
    const std::size_t amp = stripped.find('&', i2);
    const std::size_t stop = amp == std::string_view::npos ? stripped.size() : amp;
    std::memcpy(d, stripped.data() + i2, stop - i2);
    d += stop - i2;
    i2 = stop;
    if (i2 == stripped.size()) break;
    const std::string_view rest = stripped.substr(i2);
    const std::pair<std::string_view, char> entities[] = {
        {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&nbsp;", ' '}, {"&#39;", '\''}};
    bool done = false;
    for (const auto& [name, value] : entities)
      if (istarts_with(rest, name)) {
        *d++ = value;
        i2 += name.size();
        done = true;
        break;
      }
    if (!done) *d++ = stripped[i2++];
  }
  decoded.resize(static_cast<std::size_t>(d - decoded.data()));
  return decoded;
}

namespace {

// A byte pair's hash (the table's index): the second byte with the first shifted in.
inline std::size_t pair_hash(const char* p) {
  return (static_cast<std::size_t>(static_cast<unsigned char>(p[0])) * 8u +
          static_cast<unsigned char>(p[1])) & 0xFFu;
}

}  // namespace

finder::finder(std::string_view needle) : needle_(needle) {
  if (needle.size() < 3 || needle.size() > 256) return;
  own_table_ = true;
  last_ = needle.size() - 1;
  // Places 1..last_-1 first, increasing, so each hash keeps its highest place; the last
  // place's hash then remembers the highest place before it for after_last_.
  for (std::size_t i = 1; i < last_; ++i) end_of_pair_[pair_hash(needle.data() + i - 1)] = static_cast<std::uint8_t>(i);
  const std::size_t h = pair_hash(needle.data() + last_ - 1);
  after_last_ = last_ - end_of_pair_[h];
  end_of_pair_[h] = static_cast<std::uint8_t>(last_);  // at most 255
}

std::size_t finder::find(std::string_view hay, std::size_t from) const {
  if (from > hay.size()) return std::string_view::npos;
  if (!own_table_) {
    const void* found = memmem(hay.data() + from, hay.size() - from, needle_.data(), needle_.size());
    return found == nullptr ? std::string_view::npos
                            : static_cast<std::size_t>(static_cast<const char*>(found) - hay.data());
  }
  if (hay.size() - from < needle_.size()) return std::string_view::npos;
  const std::size_t end = hay.size() - needle_.size();  // the last window's start
  const char* const h = hay.data();
  std::size_t at = from;
  while (at <= end) {
    const std::size_t place = end_of_pair_[pair_hash(h + at + last_ - 1)];
    if (place == 0) {
      at += last_;  // no window holding this pair inside the needle starts before at + last_
    } else if (place < last_) {
      at += last_ - place;  // line the pair up with its last place in the needle
    } else {
      if (std::memcmp(h + at, needle_.data(), needle_.size()) == 0) return at;
      at += after_last_;
    }
  }
  return std::string_view::npos;
}

}  // namespace reports::text
