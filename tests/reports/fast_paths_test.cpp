// The reader's fast paths against plain references: white-space squeezing eight bytes at
// a time, case-insensitive search, recipient-line groups taken from the head of an
// expression ending in "(.*)$", small sets answered by one RE2::Set pass, the per-thread
// memory of scanned texts, a MIME document whose objects are reused between messages.
// Each reference is the straightforward way the fast path replaced.

#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"
#include "reports/mime.hpp"
#include "reports/pattern_set.hpp"
#include "reports/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <optional>
#include <random>

namespace {

const reports::knowledge& knowledge() {
  static const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

// Every text part line of the corpus (the reader's own view of it).
std::vector<std::string> corpus_lines() {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto batch = reports::read_source(entry.path().string());
    for (const auto& part : reports::mime::parse_mime(batch.messages.front().bytes).parts)
      for (const auto line : reports::text::lines(part.text, 400)) out.emplace_back(line);
  }
  return out;
}

// The byte-at-a-time squeeze the word-at-a-time one replaced.
std::string reference_squeeze(std::string_view s) {
  std::string out;
  bool pending = false;
  for (const char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(' ');
    pending = false;
    out.push_back(c);
  }
  return out;
}

// The byte-at-a-time valid_utf8 the stretch-at-a-time one replaced.
std::string reference_valid_utf8(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes == std::string::npos ? s.size() : max_bytes) + 3);
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    if (c - 1u < 0x7Fu) {
      // A run of ASCII (no NUL) is copied at once.
      std::size_t run = i + 1;
      while (run < s.size() && static_cast<unsigned char>(s[run]) - 1u < 0x7Fu) ++run;
      std::size_t n = run - i;
      if (max_bytes != std::string::npos && out.size() + n > max_bytes) n = max_bytes - out.size();
      out.append(s.data() + i, n);
      if (n < run - i) break;
      i = run;
      continue;
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
    const std::string_view piece = ok ? s.substr(i, len) : std::string_view("\xEF\xBF\xBD");
    if (max_bytes != std::string::npos && out.size() + piece.size() > max_bytes) break;
    if (ok && len == 1 && c == 0) out.push_back(' ');
    else out.append(piece);
    i += ok ? len : 1;
  }
  return out;
}


TEST(FastPaths, SqueezeEqualsByteAtATime) {
  std::mt19937 rng(5);
  // White space, other control bytes, '!' (0x21, the first byte kept whole), letters,
  // UTF-8 and bytes >= 0x80 that are no UTF-8.
  const std::string alphabet = std::string(" \t\n\r\f\v\x01\x1f!aZ.\xe7\x94\xa8\xff", 16);
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    const std::size_t n = rng() % 40;
    for (std::size_t i = 0; i < n; ++i) {
      // Long runs without white space too, so the eight-byte copy is taken.
      if (rng() % 3 == 0) s += "abcdefghij";
      s.push_back(alphabet[rng() % alphabet.size()]);
    }
    ASSERT_EQ(reports::text::squeeze(s), reference_squeeze(s)) << "input: '" << s << "'";
    std::string appended = "prefix";
    reports::text::append_squeezed(appended, s);
    ASSERT_EQ(appended, "prefix" + reference_squeeze(s));
  }
}

// append_squeezed says whether what it appended is plain ASCII (no byte >= 0x80, no NUL),
// as is_plain_ascii of the squeezed text would: one odd byte at every position of texts
// of words and spaces 0-70 bytes long, so the 16-byte blocks, the tail (the last 16
// bytes read again, or a short text's padded block) and the white-space path each meet it.
TEST(FastPaths, SqueezeTellsPlainAscii) {
  std::mt19937 rng(21);
  for (int round = 0; round < 400; ++round) {
    std::string base;
    const std::size_t n = rng() % 71;
    for (std::size_t i = 0; i < n; ++i) base.push_back(rng() % 5 == 0 ? " \t\n"[rng() % 3] : "abcdefgh"[rng() % 8]);
    for (std::size_t at = 0; at <= base.size(); ++at)
      for (const char odd : {'\x00', '\x01', '\x7f', '\x80', '\xc3', '\xff', 'a', ' '}) {
        std::string s = base;
        if (at < s.size()) s[at] = odd;
        std::string appended = "prefix";
        const bool plain = reports::text::append_squeezed(appended, s);
        ASSERT_EQ(plain, reports::text::is_plain_ascii(reference_squeeze(s))) << "input: '" << s << "'";
      }
  }
}

// Words with single spaces between them are copied as one run: every placement of one,
// two or three white-space or control bytes among short words, so each 16-byte block
// meets a space at each of its bytes, followed by a letter, a space, a tab, a control
// byte or the end.
TEST(FastPaths, SqueezeKeepsSingleSpacesInTheRun) {
  std::mt19937 rng(11);
  const std::string odd = std::string(" \t\n\r\x01\x1f\xe7", 7);
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const std::size_t words = rng() % 8;
    for (std::size_t w = 0; w < words; ++w) {
      s.append(std::string(rng() % 9, "abcdefgh"[rng() % 8]));
      const std::size_t gap = rng() % 4;
      for (std::size_t g = 0; g < gap; ++g) s.push_back(rng() % 2 == 0 ? ' ' : odd[rng() % odd.size()]);
    }
    ASSERT_EQ(reports::text::squeeze(s), reference_squeeze(s)) << "input: '" << s << "'";
  }
}

// A space at every place of a run 1-50 bytes long, followed by a letter, a second space,
// a tab, a control byte, a NUL or the end: a space in a 16-byte block's last lane is
// decided by the next block's first byte, one in the tail by the byte after it or the end.
TEST(FastPaths, SqueezeSpaceAtEveryPlace) {
  for (std::size_t n = 1; n <= 50; ++n)
    for (std::size_t at = 1; at < n; ++at)
      for (const char after : {'b', ' ', '\t', '\x01', '\0', 'E'}) {
        std::string s(n, 'a');
        s[at] = ' ';
        if (after == 'E') s.resize(at + 1);
        else if (at + 1 < n) s[at + 1] = after;
        std::string appended = "prefix";
        const bool plain = reports::text::append_squeezed(appended, s);
        ASSERT_EQ(appended, "prefix" + reference_squeeze(s)) << "length " << n << " space at " << at << " then " << int(after);
        ASSERT_EQ(plain, s.find('\0') == std::string::npos) << "length " << n << " space at " << at;
      }
}

// The character-at-a-time base64 decoder the quantum-at-a-time one replaced.
std::string reference_base64(std::string_view in, std::size_t max_bytes) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out.size() >= max_bytes) break;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// decode_base64 equals decoding a character at a time: encoded texts with line breaks
// (CRLF, LF, at any place, also inside a quantum), stray characters and bytes >= 0x80,
// padding early, late or missing, cut to every bound from 0 to past the whole.
TEST(FastPaths, Base64EqualsCharacterAtATime) {
  std::mt19937 rng(64);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string odd = std::string("\r\n \t!-.=\x80\xff\0", 12);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const std::size_t n = rng() % 200;
    for (std::size_t i = 0; i < n; ++i) {
      if (rng() % 12 == 0) s.push_back(odd[rng() % odd.size()]);
      else if (rng() % 40 == 0) s += "\r\n";
      else s.push_back(alphabet[rng() % alphabet.size()]);
    }
    for (const std::size_t bound : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4},
                                     static_cast<std::size_t>(rng() % 160), std::string::npos}) {
      const std::size_t max_bytes = bound == std::string::npos ? 1u << 20 : bound;
      ASSERT_EQ(reports::mime::decode_base64(s, max_bytes), reference_base64(s, max_bytes))
          << "input: '" << s << "' bound " << max_bytes;
    }
  }
}

// is_plain_ascii equals asking each byte: one odd byte at every position of texts 0-150
// bytes long, so each of the 64- and 16-byte steps, the last 16 bytes read again, the
// 8-byte words, the last word read again and the byte loop meet it.
TEST(FastPaths, PlainAsciiEqualsByteAtATime) {
  const auto reference = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
      const auto b = static_cast<unsigned char>(c);
      return b != 0 && b < 0x80;
    });
  };
  for (std::size_t n = 0; n <= 150; ++n) {
    const std::string plain(n, 'a');
    ASSERT_EQ(reports::text::is_plain_ascii(plain), reference(plain));
    for (std::size_t at = 0; at < n; ++at)
      for (const char odd : {'\x00', '\x01', '\x7f', '\x80', '\xc3', '\xff'}) {
        std::string s = plain;
        s[at] = odd;
        ASSERT_EQ(reports::text::is_plain_ascii(s), reference(s)) << "length " << n << " at " << at << " byte " << int(odd);
      }
  }
}

// iequals (one fold-table look-up per byte) equals folding A-Z alone: every pair of
// single bytes, and texts differing in one byte at every position. Only ASCII letters
// fold ('\xc9' is not '\xe9', '@' is not '`', '[' is not '{').
TEST(FastPaths, IequalsFoldsOnlyAsciiLetters) {
  const auto fold = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : int(c); };
  for (int x = 0; x < 256; ++x)
    for (int y = 0; y < 256; ++y) {
      const char a = static_cast<char>(x), b = static_cast<char>(y);
      ASSERT_EQ(reports::text::iequals(std::string_view(&a, 1), std::string_view(&b, 1)), fold(x) == fold(y))
          << x << " " << y;
    }
  const std::string name = "Content-Transfer-Encoding";
  ASSERT_TRUE(reports::text::iequals(name, "content-transfer-ENCODING"));
  ASSERT_FALSE(reports::text::iequals(name, "content-transfer-encodin"));
  for (std::size_t at = 0; at < name.size(); ++at) {
    std::string other = reports::text::lower(name);
    other[at] = static_cast<char>(other[at] ^ 0x01);
    ASSERT_FALSE(reports::text::iequals(name, other)) << other;
  }
  EXPECT_TRUE(reports::text::iequals("", ""));
}

namespace {

// A header line's field name read the long way: what comes before the first colon,
// trailing blanks dropped, 1-76 bytes of 33-126; none when the line is no field.
std::optional<std::string> field_name_by_the_long_rule(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.empty() || name.size() > 76) return std::nullopt;
  for (const char c : name)
    if (static_cast<unsigned char>(c) <= 32 || static_cast<unsigned char>(c) >= 127) return std::nullopt;
  return std::string(name);
}

}  // namespace

// The MIME reader's header split reads a field name in one pass over its bytes; it
// equals the rule read the long way (the name is what comes before the first colon,
// trailing blanks dropped, 1-76 bytes of 33-126): on random lines as a bounce's second
// header line (a line that is no field continues the one before) and as its first (a
// first line that is no field means there is no header block).
TEST(FastPaths, FieldNamesReadInOnePassEqualTheLongRule) {
  const auto reference_name = field_name_by_the_long_rule;
  std::mt19937 rng(14);
  const std::string alphabet = "aZx- \t:\x01\x7f\xc3.";
  std::vector<std::string> lines = {"Subject : spaced", "Subject\t:\ttab", "Bad Name: x", ":empty", "NoColon",
                                    "X-Ok:", "X\x01Y: control", std::string(76, 'n') + ": 76", std::string(77, 'n') + ": 77",
                                    std::string(75, 'n') + " : 75 then blank", std::string(200, 'w')};
  for (int round = 0; round < 3000; ++round) {
    std::string line;
    const std::size_t n = 1 + rng() % 14;
    for (std::size_t i = 0; i < n; ++i) line.push_back(alphabet[rng() % alphabet.size()]);
    lines.push_back(line);
  }
  std::size_t fields = 0, not_fields = 0;
  for (const std::string& line : lines) {
    if (line.front() == ' ' || line.front() == '\t') continue;  // a continuation line either way
    const auto name = reference_name(line);
    const auto second = reports::mime::parse_mime("From: a@example.org\n" + line + "\nSubject: s\n\nbody\n");
    const auto first = reports::mime::parse_mime(line + "\nSubject: s\n\nbody\n");
    if (name) {
      ++fields;
      ASSERT_EQ(second.headers.size(), 3u) << line;
      EXPECT_EQ(second.headers[1].name, reports::text::valid_utf8(*name, 256)) << line;
      ASSERT_EQ(first.headers.size(), 2u) << line;
      EXPECT_EQ(first.headers[0].name, reports::text::valid_utf8(*name, 256)) << line;
    } else {
      ++not_fields;
      ASSERT_EQ(second.headers.size(), 2u) << line;
      EXPECT_EQ(second.headers[0].value.substr(0, 13), "a@example.org") << line;
      EXPECT_GT(second.headers[0].value.size(), 13u) << line;  // the line continues From
      EXPECT_TRUE(first.headers.empty()) << line;
    }
  }
  EXPECT_GT(fields, 100u);
  EXPECT_GT(not_fields, 100u);
}

// The field name's run is read sixteen bytes at a time where the message holds them, a
// byte at a time in its last fifteen: names of 1-80 bytes with a byte that is no ftext
// (or ':' or a blank) at every place, as a line inside the header block and as the
// message's last line without a newline (the blocks then reach its end, or it ends
// before a block would), equal the long rule.
TEST(FastPaths, FieldNamesAtEveryLengthAndStopEqualTheLongRule) {
  const std::string stops = std::string(" \t:\x01\x7f\x80\xff") + '\0';
  std::size_t fields = 0, not_fields = 0;
  for (std::size_t length = 1; length <= 80; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (const char stop : stops) {
        std::string name;
        for (std::size_t i = 0; i < length; ++i) name.push_back("aZ-9_.!~"[i % 8]);
        if (at < length) name[at] = stop;
        for (const std::string& after : {std::string(": v"), std::string(":"), std::string(" : v")}) {
          const std::string line = name + after;
          const auto expected = field_name_by_the_long_rule(line);
          expected ? ++fields : ++not_fields;
          const std::string head = "From: a@example.org\n";
          const auto inside = reports::mime::parse_mime(head + line + "\nSubject: s\n\nbody\n");
          const auto last = reports::mime::parse_mime(head + line);
          for (const auto* doc : {&inside, &last}) {
            const std::size_t others = doc == &inside ? 2 : 1;
            if (expected) {
              ASSERT_EQ(doc->headers.size(), others + 1) << length << " " << at;
              EXPECT_EQ(doc->headers[1].name, *expected) << length << " " << at;
            } else {
              ASSERT_EQ(doc->headers.size(), others) << length << " " << at;
              EXPECT_EQ(doc->headers[0].name, "From") << length << " " << at;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(fields, 1000u);
  EXPECT_GT(not_fields, 1000u);
}

// text::finder (a multipart's delimiter search, its table built once) equals
// string_view::find: needles of 1-300 bytes (those outside 3-256 go to memmem) cut from
// random texts over few letters (many near matches, pairs repeated inside the needle) or
// written, searched for from every offset, the text's end included.
TEST(FastPaths, FinderEqualsFind) {
  std::mt19937 rng(24);
  const auto random_text = [&](std::size_t n, std::string_view alphabet) {
    std::string t;
    for (std::size_t i = 0; i < n; ++i) t.push_back(alphabet[rng() % alphabet.size()]);
    return t;
  };
  std::size_t found = 0, compared = 0;
  for (int round = 0; round < 600; ++round) {
    const std::string alphabet = round % 3 == 0 ? "ab" : round % 3 == 1 ? "-=_a\n" : "\x80\xff-a\r\nxyz";
    const std::string hay = random_text(rng() % 700, alphabet);
    const std::size_t length = round < 40 ? 1 + static_cast<std::size_t>(round) % 8 : 1 + rng() % 300;
    std::string needle = random_text(length, alphabet);
    if (!hay.empty() && round % 2 == 0) {  // one that occurs
      const std::size_t at = rng() % hay.size();
      needle = hay.substr(at, length);
    }
    const reports::text::finder finder(needle);
    for (std::size_t from = 0; from <= hay.size() + 1; ++from) {
      const std::size_t expected = std::string_view(hay).find(needle, from);
      ASSERT_EQ(finder.find(hay, from), expected) << round << " from " << from << " needle " << needle.size();
      if (expected != std::string_view::npos) ++found;
      ++compared;
    }
  }
  EXPECT_GT(found, 10000u);
  EXPECT_GT(compared, 100000u);
  // Written: a boundary after near misses, at the very end, and as long as a table place allows.
  const std::string boundary = "--=_Part_0_2003.example";
  const reports::text::finder delimiter(boundary);
  const std::string body = "--=_Part_0_2003.exampl\n-=_Part_0_2003.example\n--" + boundary;
  EXPECT_EQ(delimiter.find(body), body.size() - boundary.size());
  EXPECT_EQ(delimiter.find(body, body.size() - boundary.size() + 1), std::string_view::npos);
  const std::string longest(256, 'q'), hay = std::string(300, 'q');
  EXPECT_EQ(reports::text::finder(longest).find(hay, 10), 10u);
  EXPECT_EQ(reports::text::finder(longest + "r").find(hay + "r"), 44u);
}

// ifind equals folding both sides and searching.
TEST(FastPaths, IfindEqualsFoldedFind) {
  std::mt19937 rng(7);
  const std::string alphabet = "aAbB@ .\xe7";
  const auto random_text = [&](std::size_t n) {
    std::string t;
    for (std::size_t i = 0; i < n; ++i) t.push_back(alphabet[rng() % alphabet.size()]);
    return t;
  };
  for (int round = 0; round < 3000; ++round) {
    const std::string hay = random_text(rng() % 30);
    const std::string needle = reports::text::lower(random_text(1 + rng() % 3));
    ASSERT_EQ(reports::text::ifind(hay, needle), reports::text::lower(hay).find(needle)) << hay << " / " << needle;
  }
  EXPECT_EQ(reports::text::ifind("Remote Host Said", "host"), 7u);
  EXPECT_EQ(reports::text::ifind("abc", ""), 0u);
}

// capture_line's groups equal RE2's own groups of the whole expression, on every corpus

// Every expression of `set` on `line`: capture_line's match and groups (the whole match
// included, when the sizes agree) against RE2's own. Returns how many expressions matched.
std::size_t compare_groups_with_re2(const reports::pattern_set& set, const std::string& line,
                                    std::vector<re2::StringPiece>& fast) {
  std::size_t compared = 0;
  for (std::size_t i = 0; i < set.size(); ++i) {
    const RE2& whole = set.regex(static_cast<int>(i));
    std::vector<re2::StringPiece> plain(static_cast<std::size_t>(whole.NumberOfCapturingGroups()) + 1);
    const bool matched = whole.Match(line, 0, line.size(), RE2::UNANCHORED, plain.data(), static_cast<int>(plain.size()));
    EXPECT_EQ(set.capture_line(static_cast<int>(i), line, fast), matched) << whole.pattern() << " on " << line;
    if (!matched) continue;
    EXPECT_EQ(fast.size(), plain.size()) << whole.pattern();
    if (fast.size() != plain.size()) continue;
    for (std::size_t g = 0; g < plain.size(); ++g)
      EXPECT_EQ(fast[g].data() == nullptr ? "" : std::string(fast[g]), std::string(plain[g]))
          << whole.pattern() << " group " << g << " on " << line;
    ++compared;
  }
  return compared;
}

// line each recipient-line expression matches and on lines made to match.
TEST(FastPaths, RecipientLineGroupsEqualTheWholeExpression) {
  const auto& set = knowledge().recipient_lines;
  std::vector<std::string> lines = corpus_lines();
  if (lines.empty()) GTEST_SKIP() << "shared corpus not found";
  // Lines the hand path must leave to RE2 or read as RE2 does: two '@', UTF-8 in and
  // around the address, a delimiter that is also an address character, lazy domains
  // followed by what could be the domain's.
  for (const std::string extra : {"<a@b.example>: ", "<a@b.example>:", "<a@b.example>", "  <a@b.example> (expanded from <x@y>): 550 no",
                                  "a@b.example: 550 5.1.1 unknown", "a@b.example:", "\"a@b.example\": said", ">>> a@b.example <x> 550",
                                  "<a@b@c.example>: x", "a@b@c: 550 no", "a@b:c@d: 550", "--a@b.example", "-- a@b.example", "*a@b",
                                  "recipient:x:y@z", "recipient: <a@b.example>", "recipient: a@b.example> ", "recipient: a@b@c",
                                  "<\xc3\xa9@b.example>: x", "<a@b.\xc3\xa9" "xample>: x", "\xc3\xa9" "a@b.example: 550 x",
                                  "unable to deliver message to a@b.example. reason", "unable to deliver message to <a@b.example>.",
                                  "unable to deliver message to a@b.example.", "unable to deliver message to a@b.c.d e",
                                  "the following message, addressed to 'a@b.example', was", "following message, addressed to xa@b.example",
                                  "following message, addressed to 'a@b.examplex", "x smtp=a@b.example;y", "[smtp:a@b.example]",
                                  "smtp:a@b=c@d", "dda:smtp=a@b;smtp=c@d", "your message wasn't delivered to a@b because because x",
                                  "550 <a@b.example>... 550 user unknown", "a@b.example, 550 x", "a@b.example on mon, 1 jan"})
    lines.push_back(extra);
  std::size_t compared = 0;
  std::vector<re2::StringPiece> fast;
  for (const auto& line : lines) {
    compared += compare_groups_with_re2(set, line, fast);
    if (testing::Test::HasFailure()) return;  // one failing line says enough
  }
  EXPECT_GT(compared, 300u);
}

// The part before the address read by hand where it is white space, literal words and
// spaces ("^\s*<", "^\s*unknown user: *<?", "there was an error delivering your mail to
// <"): RE2's answer on lines whose beginning tells such a part from its look-alikes (\v,
// which \s is not; a tab where only spaces may come; a wrong letter; capitals; the Kelvin
// sign, which RE2 folds into 'k'). Checked to fail with \v taken as white space, a tab
// taken as a space, and the words compared by length only.
TEST(FastPaths, RecipientLineHeadsReadByHand) {
  const auto& set = knowledge().recipient_lines;
  std::vector<re2::StringPiece> fast;
  std::size_t compared = 0;
  for (const std::string line :
       {"\v<a@b.example>: x", "\v unknown user: a@b.example", "\f\r\t <a@b.example>: 550 x", "UNKNOWN USER: a@b.example",
        "Unknown User:    a@b.example", "unknown user:\ta@b.example", "unknown usxr: a@b.example", "unknown user a@b.example",
        "un\xE2\x84\xAAnown user: a@b.example", "\xC5\xBF<a@b.example>", " >>>   a@b.example <x> 550", ">>>\ta@b.example",
        "RCPT TO:<a@b.example>", "rcpt to:  a@b.example ", "rcpt to:\ta@b.example", "x <a@b.example>: y", "  \"a@b.example\": said",
        "Invalid Final Delivery Userid: a@b.example", "invalid final delivery userid:a@b.example", "invalid final delivery userid;a@b.example",
        "there was an error delivering your mail to <a@b.example>", "THERE WAS AN ERROR DELIVERING YOUR MAIL TO <a@b.example>",
        "there was an error delivering your mail to  <a@b.example>", "there was an error delivering your mail\tto <a@b.example>"}) {
    compared += compare_groups_with_re2(set, line, fast);
    if (testing::Test::HasFailure()) return;  // one failing line says enough
  }
  EXPECT_GT(compared, 10u);
}

// Corpus lines a recipient-line expression matches, mutated with the bytes that decide
// where an address begins and ends ('@', '<', '>', ':', '.', space, quotes, UTF-8): the
// hand path and RE2's groups agree on every one.
TEST(FastPaths, RecipientLineGroupsOnMutatedLines) {
  const auto& set = knowledge().recipient_lines;
  const std::vector<std::string> corpus = corpus_lines();
  if (corpus.empty()) GTEST_SKIP() << "shared corpus not found";
  std::vector<std::string> seeds;
  for (const auto& line : corpus)
    if (line.find('@') != std::string::npos && set.first(line) >= 0) seeds.push_back(line);
  ASSERT_GT(seeds.size(), 100u);
  const std::vector<std::string> inserts = {"@", "<", ">", ":", ".", " ", "\"", "'", "-", "=", ";", ",", "\xc3\xa9", "\xff", ">.", "@x"};
  std::mt19937 rng(11);
  std::vector<re2::StringPiece> fast;
  std::size_t compared = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string line = seeds[rng() % seeds.size()];
    const std::size_t at = line.find('@');
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
      // Near the '@' most of the time: that is where the address's edges are.
      const std::size_t span = std::min<std::size_t>(line.size(), 40);
      std::size_t pos = rng() % 4 == 0 ? rng() % (line.size() + 1) : (at + span / 2 >= span ? at - span / 2 : 0) + rng() % span;
      pos = std::min(pos, line.size());
      if (rng() % 3 == 0 && pos < line.size()) line.erase(pos, 1);
      else line.insert(pos, inserts[rng() % inserts.size()]);
    }
    compared += compare_groups_with_re2(set, line, fast);
    if (testing::Test::HasFailure()) return;  // one failing line says enough
  }
  EXPECT_GT(compared, 10000u);
}

// The recipient-line expressions are written so that their address is read by hand: all
// but those whose address is not "([X]+@[Y]+)" as their first group.
TEST(FastPaths, RecipientLinesReadTheirAddressByHand) {
  const auto& set = knowledge().recipient_lines;
  std::size_t by_hand = 0;
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (set.address_by_hand(static_cast<int>(i))) ++by_hand;
    else ADD_FAILURE() << "read by RE2's groups: " << set.regex(static_cast<int>(i)).pattern();
  }
  EXPECT_EQ(by_hand, set.size());
}

// An expression whose "(.*)$" belongs to one branch of a top-level alternation, or is
// escaped, keeps RE2's own groups.
TEST(FastPaths, RestOfLineSplitOnlyWhereItIsTheWholeTail) {
  reports::pattern_set set;
  set.split_rest_of_line(true);
  std::string error;
  for (const std::string e : {"a(x)|b(.*)$", "(\\w+)@(\\w+) (.*)$", "[(](\\w+)(.*)$", "(a)\\\\(.*)$", "(b)[)|](.*)$"})
    ASSERT_TRUE(set.add(e, error)) << error;
  ASSERT_TRUE(set.compile(error));
  std::vector<re2::StringPiece> fast;
  for (const std::string line : {"ax", "b rest", "bb", "joe@example rest of it", "(word tail", "a\\ tail", "b) x", "b| y"})
    for (std::size_t i = 0; i < set.size(); ++i) {
      const RE2& whole = set.regex(static_cast<int>(i));
      std::vector<re2::StringPiece> plain(static_cast<std::size_t>(whole.NumberOfCapturingGroups()) + 1);
      const bool matched = whole.Match(line, 0, line.size(), RE2::UNANCHORED, plain.data(), static_cast<int>(plain.size()));
      ASSERT_EQ(set.capture_line(static_cast<int>(i), line, fast), matched) << whole.pattern() << " on " << line;
      for (std::size_t g = 1; matched && g < plain.size(); ++g) {
        EXPECT_EQ(fast[g].data() == nullptr, plain[g].data() == nullptr) << whole.pattern() << " on " << line;
        EXPECT_EQ(std::string(fast[g]), std::string(plain[g])) << whole.pattern() << " group " << g << " on " << line;
      }
    }
}

// Small sets answer first() with one RE2::Set pass: the lowest matching expression, as
// running each on its own does.
TEST(FastPaths, SmallSetsFirstEqualsEachOnItsOwn) {
  const auto& k = knowledge();
  const std::vector<std::string> lines = corpus_lines();
  if (lines.empty()) GTEST_SKIP() << "shared corpus not found";
  std::size_t found = 0;
  for (const reports::pattern_set* set : {&k.commands, &k.remote_hosts, &k.hint_connection, &k.temporary_words, &k.block_ends}) {
    ASSERT_LE(set->size(), 64u);
    for (const auto& line : lines) {
      int plain = -1;
      for (std::size_t i = 0; i < set->size() && plain < 0; ++i)
        if (RE2::PartialMatch(line, set->regex(static_cast<int>(i)))) plain = static_cast<int>(i);
      ASSERT_EQ(set->first(line), plain) << line;
      found += plain >= 0;
    }
  }
  EXPECT_GT(found, 100u);
}

// valid_utf8 copying valid stretches at once equals the byte-at-a-time one: random mixes
// of ASCII runs (long ones too, for the eight-byte steps), NUL, valid two- to four-byte
// sequences, truncated and overlong ones, surrogates, stray continuation bytes, with and
// without a bound on the output that falls anywhere.
TEST(FastPaths, ValidUtf8EqualsByteAtATime) {
  std::mt19937 rng(17);
  const std::vector<std::string> pieces{"a",          "hello world ", std::string(1, '\0'), "\xc3\xa9", "\xe6\x97\xa5",
                                        "\xf0\x9f\x98\x80", "\xc3",         "\xe6\x97",          "\xc0\xaf",  "\xed\xa0\x80",
                                        "\x80",       "\xff",         "\xf4\x90\x80\x80",   "\x1b$B",   "abcdefghijklmnopq"};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const std::size_t n = rng() % 12;
    for (std::size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    const std::size_t bound = rng() % 3 == 0 ? std::string::npos : rng() % (s.size() + 4);
    ASSERT_EQ(reports::text::valid_utf8(s, bound), reference_valid_utf8(s, bound)) << "input: '" << s << "' bound " << bound;
  }
}

// The enhanced status as found by walking every byte (find_status before it went from
// dot to dot; the same rules, stop 22's "550-5.1.1" included).
std::string reference_find_status(std::string_view s) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto boundary_before = [&](std::size_t i) {
    if (i == 0) return true;
    const char c = s[i - 1];
    return !(digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_' || c == '/' || c == '=');
  };
  for (std::size_t i = 0; i + 5 <= s.size(); ++i) {
    const char c = s[i];
    if ((c != '4' && c != '5') || s[i + 1] != '.') continue;
    bool before_ok = boundary_before(i);
    if (!before_ok && i >= 4 && (s[i - 1] == '.' || s[i - 1] == '-') && digit(s[i - 2]) && digit(s[i - 3]) &&
        digit(s[i - 4]) && (i == 4 || (!digit(s[i - 5]) && s[i - 5] != '.' && s[i - 5] != '-')))
      before_ok = true;
    if (!before_ok) continue;
    std::size_t j = i + 2, d1 = 0;
    while (j < s.size() && digit(s[j]) && d1 < 4) ++j, ++d1;
    if (d1 == 0 || d1 > 3 || j >= s.size() || s[j] != '.') continue;
    std::size_t k = j + 1, d2 = 0;
    while (k < s.size() && digit(s[k]) && d2 < 4) ++k, ++d2;
    if (d2 == 0 || d2 > 3) continue;
    if (k < s.size() && (digit(s[k]) || (s[k] == '.' && k + 1 < s.size() && digit(s[k + 1])))) continue;
    return std::string(s.substr(i, k - i));
  }
  return {};
}

// find_status going from dot to dot equals the walk over every byte: random strings of
// the bytes a status and its look-alikes are made of, of every short length (a status at
// the very start and the very end), and every line of the corpus texts.
TEST(FastPaths, FindStatusEqualsTheByteWalk) {
  std::mt19937 rng(3463);
  const std::vector<std::string> pieces{"4", "5", ".", "1", "12", "1234", "5.1.1", "4.7.", "550.", "192.0.", " ", "#", "a", "-", "2.0.0"};
  std::size_t found = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string s;
    const std::size_t n = rng() % 8;
    for (std::size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    const std::string expected = reference_find_status(s);
    ASSERT_EQ(reports::find_status(s), expected) << "input: '" << s << "'";
    found += !expected.empty();
  }
  EXPECT_GT(found, 10000u);
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus not found";
  std::size_t texts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto batch = reports::read_source(entry.path().string());
    const auto doc = reports::mime::parse_mime(batch.messages.front().bytes);
    for (const auto& part : doc.parts) {
      ++texts;
      ASSERT_EQ(reports::find_status(part.text), reference_find_status(part.text)) << entry.path();
    }
  }
  EXPECT_GT(texts, 300u);
}

// The reply code as found by testing every byte (find_reply_code before it went eight
// bytes at a time).
int reference_find_reply_code(std::string_view s, const reports::knowledge& k) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i + 3 <= s.size(); ++i) {
    const char c = s[i];
    if ((c != '4' && c != '5') || !digit(s[i + 1]) || !digit(s[i + 2])) continue;
    if (s[i + 1] > '5') continue;
    if (i > 0) {
      const char b = s[i - 1];
      if (!(b == ' ' || b == ':' || b == ';' || b == '(' || b == '[' || b == '<' || b == '\'' || b == '"' || b == '\t' ||
            b == '\n' || b == '='))
        continue;
    }
    const std::size_t e = i + 3;
    if (e < s.size()) {
      const char a = s[e];
      if (!(a == ' ' || a == '-' || a == '\t' || a == '\n' || a == ']' || a == '\'' || a == ')' || a == ':' || a == ','))
        continue;
      if (a == '-' && !(e + 1 < s.size() && (digit(s[e + 1]) || s[e + 1] == ' ' || s[e + 1] == '\'' ||
                                              std::isalpha(static_cast<unsigned char>(s[e + 1])))))
        continue;
    }
    const int code = (c - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    if (k.smtp_reply_codes.test(static_cast<std::size_t>(code))) return code;
  }
  return 0;
}

// find_reply_code eight bytes at a time equals the byte walk: random strings of codes,
// look-alikes and the bytes around them, at every offset (the eight-byte steps and the
// tail), high bytes among them, and every corpus part's text.
TEST(FastPaths, FindReplyCodeEqualsTheByteWalk) {
  const auto& k = knowledge();
  std::mt19937 rng(5321);
  const std::vector<std::string> pieces{"550", "421", "5", "4", "45", "554-", "451:", " ", "-", "x", "\xb5", "\xb4",
                                        "250 ", "(", "5.1.1", "\n", "599", "4444", ","};
  std::size_t found = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string s;
    const std::size_t n = rng() % 10;
    for (std::size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    const int expected = reference_find_reply_code(s, k);
    ASSERT_EQ(reports::find_reply_code(s, k), expected) << "input: '" << s << "'";
    found += expected != 0;
  }
  EXPECT_GT(found, 20000u);
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus not found";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto batch = reports::read_source(entry.path().string());
    const auto doc = reports::mime::parse_mime(batch.messages.front().bytes);
    for (const auto& part : doc.parts)
      ASSERT_EQ(reports::find_reply_code(part.text, k), reference_find_reply_code(part.text, k)) << entry.path();
  }
}

// clean_address skips the marker search when nothing ahead of the '@' could end one
// (':' or '='): each marker alone, in capitals, and look-alikes that are no marker.
TEST(FastPaths, AddressMarkersFoundWithAndWithoutTheirEndingCharacter) {
  using reports::text::clean_address;
  EXPECT_EQ(clean_address("SMTP=kijitora@Example.JP"), "kijitora@example.jp");
  EXPECT_EQ(clean_address("smtp:kijitora@example.jp"), "kijitora@example.jp");
  EXPECT_EQ(clean_address("MAILTO:kijitora@example.jp"), "kijitora@example.jp");
  EXPECT_EQ(clean_address("c=US;a= ;p=Org;dda:SMTP=kijitora@example.jp;"), "kijitora@example.jp");
  EXPECT_EQ(clean_address("smtpkijitora@example.jp"), "smtpkijitora@example.jp");
  EXPECT_EQ(clean_address("SRS0=HHH=TT=example.org=sender@example.jp"), "SRS0=HHH=TT=example.org=sender@example.jp");
  EXPECT_EQ(clean_address("<kijitora@example.jp>"), "kijitora@example.jp");
}

// The whole text through iconv at once, as GMime's g_mime_iconv_strndup reads it (an
// incomplete sequence at the end is dropped; an invalid one fails the conversion: nullopt).
std::optional<std::string> iso2022jp_whole(iconv_t cd, const std::string& s) {
  iconv(cd, nullptr, nullptr, nullptr, nullptr);
  std::string out(2 * s.size() + 16, '\0');
  char* in = const_cast<char*>(s.data());
  std::size_t in_left = s.size();
  char* written = out.data();
  std::size_t out_left = out.size();
  if (iconv(cd, &in, &in_left, &written, &out_left) == static_cast<std::size_t>(-1) && errno != EINVAL) return std::nullopt;
  iconv(cd, nullptr, nullptr, &written, &out_left);
  out.resize(static_cast<std::size_t>(written - out.data()));
  return out;
}

// ISO-2022-JP read by stretches (ASCII copied, each JIS stretch converted on its own)
// equals the whole text converted at once, and is refused where the whole conversion
// fails: random mixes of ASCII, the four escapes, JIS X 0208 pairs and odd halves,
// JIS-Roman's yen and overline bytes, an unknown escape, SO, an 8-bit byte, lone ESCs.
TEST(FastPaths, Iso2022JpByStretchesEqualsTheWholeConversion) {
  const iconv_t cd = iconv_open("UTF-8", "ISO-2022-JP");
  ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out;
  // "ESC $ B F|K\\ ESC ( B" is 日本; after ESC ( J, '\\' is the yen sign.
  ASSERT_TRUE(reports::mime::iso2022jp_by_stretches(cd, "a \x1b$BF|K\\\x1b(B b \x1b(J\\", out));
  EXPECT_EQ(out, "a \xe6\x97\xa5\xe6\x9c\xac b \xc2\xa5");
  std::mt19937 rng(2022);
  const std::vector<std::string> pieces{"Mail delivery failed ", "\n", "user@example.jp", "\x1b$B", "\x1b$@", "\x1b(B",
                                        "\x1b(J", "F|K\\", "%2%i", "F", "\\~", "\x1b$(D", "\x0e", "\xa4", "\x1b",
                                        "\x1b$", "!!"};
  std::size_t by_stretches = 0, refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const std::size_t n = rng() % 10;
    for (std::size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    const std::optional<std::string> whole = iso2022jp_whole(cd, s);
    if (reports::mime::iso2022jp_by_stretches(cd, s, out)) {
      ++by_stretches;
      ASSERT_TRUE(whole.has_value()) << "read by stretches, but the whole text fails: '" << s << "'";
      ASSERT_EQ(out, *whole) << "input: '" << s << "'";
    } else {
      ++refused;
    }
  }
  EXPECT_GT(by_stretches, 5000u);
  EXPECT_GT(refused, 1000u);
  iconv_close(cd);
}

// Reading only the texts the bounce reader reads leaves the other parts' texts empty and
// these the same as a full decode.
TEST(FastPaths, OnlyReadTextsKeepsTheReadOnesWhole) {
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus not found";
  std::size_t skipped = 0, kept = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto batch = reports::read_source(entry.path().string());
    const auto full = reports::mime::parse_mime(batch.messages.front().bytes);
    const auto some = reports::mime::parse_mime(batch.messages.front().bytes, {.only_read_texts = true});
    ASSERT_EQ(full.parts.size(), some.parts.size()) << entry.path();
    bool plain_seen = false;
    for (std::size_t i = 0; i < full.parts.size(); ++i) {
      const auto& f = full.parts[i];
      const auto& s = some.parts[i];
      ASSERT_EQ(f.media_type, s.media_type);
      const bool first_plain = !f.in_original && f.media_type == "text/plain" && !plain_seen;
      plain_seen = plain_seen || first_plain;
      const bool always = f.media_type == "message/delivery-status" || first_plain;
      if (always || !s.text.empty()) {
        ASSERT_EQ(s.text, f.text) << entry.path() << " part " << i;
      }
      skipped += s.text.empty() && !f.text.empty();
      kept += !s.text.empty();
    }
  }
  EXPECT_GT(skipped, 10u);  // the corpus has HTML alternatives and attachments
  EXPECT_GT(kept, 300u);
}

// One document read into again and again (its part and header objects reused from the
// per-thread pool) holds what a fresh document holds: every corpus message, forwards then
// backwards so each is read over a document left by a message with more and with fewer
// parts and headers, with and without part headers and header filters.
bool same_headers(const std::vector<reports::mime::header>& a, const std::vector<reports::mime::header>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.name == y.name && x.value == y.value; });
}

TEST(FastPaths, ReusedDocumentEqualsAFreshOne) {
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus not found";
  std::vector<std::string> messages;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    messages.push_back(reports::read_source(entry.path().string()).messages.front().bytes);
  messages.push_back("no header block at all\n");
  const auto& k = knowledge();
  const std::vector<reports::mime::read_options> all_options{
      {},
      {.headers = &k.original_headers_read, .top_headers = &k.top_headers_read, .part_headers = false, .only_read_texts = true}};
  std::size_t compared = 0;
  for (const auto& options : all_options) {
    reports::mime::document reused;
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t n = 0; n < messages.size(); ++n) {
        const std::string& bytes = messages[pass == 0 ? n : messages.size() - 1 - n];
        reports::mime::parse_mime_into(bytes, options, reused);
        const auto fresh = reports::mime::parse_mime(bytes, options);
        ASSERT_EQ(reused.truncated, fresh.truncated);
        ASSERT_TRUE(same_headers(reused.headers, fresh.headers)) << "message " << n;
        ASSERT_EQ(reused.parts.size(), fresh.parts.size()) << "message " << n;
        for (std::size_t i = 0; i < fresh.parts.size(); ++i) {
          const auto& r = reused.parts[i];
          const auto& f = fresh.parts[i];
          ASSERT_EQ(r.media_type, f.media_type);
          ASSERT_EQ(r.text, f.text) << "message " << n << " part " << i;
          ASSERT_EQ(r.depth, f.depth);
          ASSERT_EQ(r.in_original, f.in_original);
          ASSERT_EQ(r.is_embedded_message, f.is_embedded_message);
          ASSERT_TRUE(same_headers(r.headers, f.headers)) << "message " << n << " part " << i;
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 2000u);
}

// Content types read into per-depth objects and per-thread buffers: a type in capitals,
// a quoted boundary with an escaped quote, an empty first boundary then a real one, a
// missing ';' before the charset, and a nested multipart whose own boundary must not
// replace its parent's (the part after it is still found).
std::vector<std::pair<std::string, std::string>> types_and_texts(const std::string& message) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : reports::mime::parse_mime(message).parts) out.emplace_back(p.media_type, p.text);
  return out;
}

TEST(FastPaths, ContentTypesReadInPlace) {
  using parts = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(types_and_texts("Content-Type: MULTIPART/Mixed; BOUNDARY=\"a\\\"b\"\n\n--a\"b\nContent-Type: Text/HTML\n\n<p>x</p>\n"
                            "--a\"b\n\nplain\n--a\"b--\n"),
            (parts{{"text/html", "<p>x</p>"}, {"text/plain", "plain"}}));
  EXPECT_EQ(types_and_texts("Content-Type: multipart/mixed; boundary=\"\"; boundary=xyz\n\n--xyz\n\none\n--xyz\n\ntwo\n--xyz--\n"),
            (parts{{"text/plain", "one"}, {"text/plain", "two"}}));
  EXPECT_EQ(types_and_texts("Content-Type: text/plain charset=iso-8859-1\n\ncaf\xe9\n"), (parts{{"text/plain", "caf\xc3\xa9\n"}}));
  const std::string nested =
      "Content-Type: multipart/mixed; boundary=outer\n\n--outer\n\nA\n--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n\n--inner\n\nB\n--inner\nContent-Type: text/html\n\nC\n--inner--\n"
      "--outer\nContent-Type: text/plain; charset=utf-8\n\nD\n--outer--\n";
  for (int twice = 0; twice < 2; ++twice)
    EXPECT_EQ(types_and_texts(nested), (parts{{"text/plain", "A"}, {"text/plain", "B"}, {"text/html", "C"}, {"text/plain", "D"}}));
}

// HTML-only bounces: tags skipped in searches for the nearer of '<' and '>', text runs
// copied whole; a '<' inside a tag starts a new one, and hostile shapes (no '>' at all,
// a megabyte of '<') are read in one pass (a quadratic skip would hang here).
TEST(FastPaths, HtmlTagsSkippedInOnePass) {
  const auto& k = knowledge();
  const std::string head =
      "From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\nSubject: Undelivered Mail Returned to Sender\n"
      "MIME-Version: 1.0\nContent-Type: text/html\n\n";
  const auto rep = reports::parse(head + "<p>The mail system</p><div style=\"a>b\">&lt;kijitora@example.jp&gt;: "
                                         "host mx.example.jp[192.0.2.25] said: 550 5.1.1 User <b <i>unknown</i></div>\n",
                                  k);
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "kijitora@example.jp");
  // "b\">" ends the div tag early (the reader is crude on purpose): its rest is text.
  EXPECT_NE(rep.recipients[0].diagnostic.find("User unknown"), std::string::npos) << rep.recipients[0].diagnostic;
  for (const std::string& body : {std::string(1 << 20, '<'), std::string(1 << 20, '>'), std::string("<a") + std::string(1 << 20, 'x')}) {
    const auto hostile = reports::parse(head + body, k);
    EXPECT_LE(hostile.recipients.size(), 1u);
  }
}

// A multi-line reply's continuation prefixes ("550-5.7.1 ... 550-5.7.1 ...") are dropped
// after the first, the words between them copied in runs.
TEST(FastPaths, ContinuationPrefixesDroppedAfterTheFirst) {
  const auto dsn_with = [](const std::string& diagnostic) {
    return "From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\nSubject: Delivery Status Notification\n"
           "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
           "--b\nContent-Type: text/plain\n\nDelivery failed.\n\n"
           "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
           "Final-Recipient: rfc822; kijitora@example.jp\nAction: failed\nStatus: 5.7.1\n"
           "Diagnostic-Code: smtp; " + diagnostic + "\n\n--b--\n";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"550-5.7.1 Our system has detected 550-5.7.1 an unusual rate 550 5.7.1 of mail",
       "550-5.7.1 Our system has detected an unusual rate of mail"},
      {"550 5.7.1 nothing to drop", "550 5.7.1 nothing to drop"},
      {"550-5.7.1 a 550-b 550 c x550 d", "550-5.7.1 a b c x550 d"},
      {"550-5.7.1 ends with 550", "550-5.7.1 ends with 550"},
  };
  for (const auto& [diagnostic, expected] : cases) {
    const auto rep = reports::parse(dsn_with(diagnostic), knowledge());
    ASSERT_EQ(rep.recipients.size(), 1u) << diagnostic;
    EXPECT_EQ(rep.recipients[0].diagnostic, expected);
  }
}

// A header block read for some names gives those fields of the full read, in order.
TEST(FastPaths, HeaderBlockForSomeNamesIsTheFullReadFiltered) {
  const std::string block =
      "Received: from a (a [192.0.2.1])\n  by b; Mon, 1 Jan 2024 00:00:00 +0000\nDKIM-Signature: v=1;\n b=xyz\n"
      "From: =?UTF-8?B?5bCP6aqG?= <kijitora@example.jp>\nsubject: Hello\n   again\nReceived: from c\n\nbody: no\n";
  const std::vector<std::string> names = {"received", "from", "subject"};
  const auto all = reports::mime::parse_header_block(block, 1000);
  const auto some = reports::mime::parse_header_block(block, 1000, true, &names);
  std::vector<reports::mime::header> expected;
  for (const auto& h : all)
    if (std::find(names.begin(), names.end(), reports::text::lower(h.name)) != names.end()) expected.push_back(h);
  ASSERT_EQ(some.size(), 4u);
  ASSERT_EQ(some.size(), expected.size());
  for (std::size_t i = 0; i < some.size(); ++i) {
    EXPECT_EQ(some[i].name, expected[i].name);
    EXPECT_EQ(some[i].value, expected[i].value);
  }
  // The bound counts every field read, wanted or not.
  EXPECT_EQ(reports::mime::parse_header_block(block, 2, true, &names).size(), 1u);
}

// Scanning a text again (remembered per thread) gives the hits of a first scan; a
// different text of the same size, or the same text through another scanner, is not
// taken for it.
TEST(FastPaths, RememberedScansEqualFreshOnes) {
  const auto& k = knowledge();
  const std::string a = "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown";
  std::string b = a;
  b[20] = 'X';
  const auto first = k.reason_text.scan(a).hits;
  ASSERT_FALSE(first.empty());
  const auto other = k.reason_text.scan(b).hits;
  const auto again = k.reason_text.scan(a).hits;
  ASSERT_EQ(again.size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(again[i].id, first[i].id);
    EXPECT_EQ(again[i].end, first[i].end);
  }
  // Through the report text's scanner the same bytes hit that scanner's own literals.
  std::vector<reports::literal_scanner::hit> direct;
  k.recipient_lines.scan(a);  // remember `a` for the text scanner too
  k.text_literals->scan_positions(a, direct);
  const auto through_set = k.recipient_lines.scan(a).hits;
  ASSERT_EQ(through_set.size(), direct.size());
  for (std::size_t i = 0; i < direct.size(); ++i) EXPECT_EQ(through_set[i].id, direct[i].id);
  EXPECT_NE(k.text_literals->serial(), k.diagnostic_literals->serial());
  // The hits of a prefix, taken from the whole text's scan, are a scan of the prefix.
  const auto whole = k.recipient_lines.scan(a);
  for (std::size_t size = 0; size <= a.size(); ++size) {
    const auto cut = reports::pattern_set::prefix(whole, size);
    std::vector<reports::literal_scanner::hit> fresh;
    k.text_literals->scan_positions(a.substr(0, size), fresh);
    ASSERT_EQ(cut.hits.size(), fresh.size()) << size;
    for (std::size_t i = 0; i < fresh.size(); ++i) EXPECT_EQ(cut.hits[i].end, fresh[i].end);
    EXPECT_EQ(k.delay_markers.any_line(cut), k.delay_markers.any_line(std::string_view(a).substr(0, size)));
  }
  std::vector<reports::literal_scanner::hit> direct_b;
  k.diagnostic_literals->scan_positions(b, direct_b);
  ASSERT_EQ(other.size(), direct_b.size());
  for (std::size_t i = 0; i < other.size(); ++i) EXPECT_EQ(other[i].end, direct_b[i].end);
}

}  // namespace

// The lowest expression matching `line` on its own, run by RE2 one by one (the reference
// for first(), first_per_line() and candidates()).
int plain_first(const reports::pattern_set& set, std::string_view line) {
  const re2::StringPiece piece(line.data(), line.size());
  for (std::size_t i = 0; i < set.size(); ++i)
    if (RE2::PartialMatch(piece, set.regex(static_cast<int>(i)))) return static_cast<int>(i);
  return -1;
}

// Every set of the knowledge: first() and first_per_line() (literal expressions answered
// by their scanner hit, candidates dropped for a missing required atom) give what RE2
// gives running every expression on its own; candidates() holds the first matching one;
// every expression proven_into() names matches.
TEST(FastPaths, ProvenLiteralsAndRequiredAtomsEqualPlainRe2) {
  const auto& k = knowledge();
  std::vector<std::string> lines = corpus_lines();
  if (lines.empty()) GTEST_SKIP() << "shared corpus not found";
  // Letters cased outside ASCII (RE2 folds them, the scanner does not), in ASCII and not.
  for (const std::string extra : {"Postfach ist VOLL", "postfach voll", "BOÎTE PLEINE", "boîte pleine", "boite pleine",
                                  "ПОЛЬЗОВАТЕЛЬ НЕ НАЙДЕН", "пользователь не найден", "Benutzer unbekannt", "UTILISATEUR INCONNU"})
    lines.push_back(extra);
  // Also each line with its first and last bytes cut (a literal then straddles no start)
  // and upper-cased.
  const std::size_t n = lines.size();
  for (std::size_t i = 0; i < n; i += 7) {
    if (lines[i].size() > 4) lines.push_back(lines[i].substr(2, lines[i].size() - 4));
    std::string upper = lines[i];
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    lines.push_back(upper);
  }
  std::string text;
  std::vector<std::size_t> offsets;
  for (const auto& line : lines) {
    offsets.push_back(text.size());
    text += line;
    text += '\n';
  }
  std::vector<std::string_view> views;
  for (std::size_t i = 0; i < lines.size(); ++i) views.emplace_back(text.data() + offsets[i], lines[i].size());
  // Views one byte in from each line's start: a hit may begin before the view.
  std::vector<std::string_view> inner;
  for (const auto v : views) inner.push_back(v.empty() ? v : v.substr(1));
  std::size_t found = 0;
  for (const reports::pattern_set* set :
       {&k.families, &k.original_markers, &k.recipient_lines, &k.boilerplate, &k.recipient_sections, &k.block_ends,
        &k.delay_markers, &k.commands, &k.remote_hosts, &k.vacation_subjects, &k.bounce_senders, &k.bounce_subjects,
        &k.reason_text, &k.temporary_words, &k.hint_zone, &k.hint_zone_url, &k.hint_client_ip, &k.hint_size,
        &k.hint_connection, &k.provider_text}) {
    const reports::scanned_text scanned = set->scan(text);
    std::vector<int> per_line, per_inner;
    set->first_per_line(scanned, views, per_line);
    set->first_per_line(scanned, inner, per_inner);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const int plain = plain_first(*set, lines[i]);
      ASSERT_EQ(set->first(lines[i]), plain) << lines[i];
      ASSERT_EQ(per_line[i], plain) << lines[i];
      ASSERT_EQ(per_inner[i], plain_first(*set, inner[i])) << inner[i];
      std::vector<int> proven;
      set->proven_into(set->scan(lines[i]), proven);
      for (const int p : proven) {
        ASSERT_TRUE(RE2::PartialMatch(lines[i], set->regex(p))) << set->regex(p).pattern() << " on " << lines[i];
        ASSERT_TRUE(RE2::PartialMatch(lines[i], set->line_regex(p))) << set->regex(p).pattern() << " on " << lines[i];
      }
      if (plain >= 0) {
        ASSERT_TRUE(proven.empty() || proven.front() >= plain) << lines[i];
        // In the sets read through their own atom index (up to 256 expressions), every
        // expression that matches is a candidate (ascending), not only the first.
        const std::vector<int> candidates = set->candidates(lines[i]);
        ASSERT_TRUE(std::is_sorted(candidates.begin(), candidates.end())) << lines[i];
        ASSERT_TRUE(std::binary_search(candidates.begin(), candidates.end(), plain)) << lines[i];
        for (std::size_t e = static_cast<std::size_t>(plain); set->size() <= 256 && e < set->size(); ++e) {
          if (RE2::PartialMatch(lines[i], set->regex(static_cast<int>(e)))) {
            ASSERT_TRUE(std::binary_search(candidates.begin(), candidates.end(), static_cast<int>(e)))
                << set->regex(static_cast<int>(e)).pattern() << " on " << lines[i];
          }
        }
      }
      found += plain >= 0;
    }
  }
  EXPECT_GT(found, 1000u);
}

// first_captured() against first() and then a run with groups (the two searches it
// replaced): the same expression and the same groups, for every set of the knowledge
// (those of up to 64 expressions by their bit masks, the others through first()).
void expect_captured_as_first_then_groups(const reports::pattern_set& set, std::string_view line) {
  const reports::scanned_text scanned = set.scan(line);
  std::vector<re2::StringPiece> groups;
  const int captured = set.first_captured(scanned, groups);
  const int first = set.first(scanned);
  ASSERT_EQ(captured, first) << line;
  if (first < 0) return;
  const RE2& re = set.regex(first);
  std::vector<re2::StringPiece> reference(static_cast<std::size_t>(re.NumberOfCapturingGroups()) + 1);
  ASSERT_TRUE(re.Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED, reference.data(),
                       static_cast<int>(reference.size())));
  ASSERT_EQ(groups.size(), reference.size()) << line;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    ASSERT_EQ(groups[g].data(), reference[g].data()) << re.pattern() << " group " << g << " on " << line;
    ASSERT_EQ(groups[g].size(), reference[g].size()) << re.pattern() << " group " << g << " on " << line;
  }
}

TEST(FastPaths, FirstCapturedEqualsFirstThenGroups) {
  const auto& k = knowledge();
  std::vector<std::string> lines = corpus_lines();
  if (lines.empty()) GTEST_SKIP() << "shared corpus not found";
  for (const std::string extra :
       {"host mx.example.net[192.0.2.7] said: 550 5.1.1 unknown user (in reply to RCPT TO command)",
        "Connected to 198.51.100.4 but sender was rejected. Remote host 198.51.100.4 said: 554 denied",
        "while talking to smtp.example.org.: >>> DATA <<< 552 too big",
        "[(0) mx1.example.com. [203.0.113.9]] host mx1.example.com [203.0.113.9] said: 450 try later",
        "server in.example.net[192.0.2.44] failed, host: relay.example.org (203.0.113.2)"})
    lines.push_back(extra);
  std::size_t found = 0;
  for (const reports::pattern_set* set : {&k.remote_hosts, &k.commands, &k.hint_connection, &k.hint_client_ip,
                                          &k.temporary_words, &k.reason_text}) {
    for (const auto& line : lines) {
      expect_captured_as_first_then_groups(*set, line);
      if (HasFatalFailure()) return;
      found += set == &k.remote_hosts && set->first(line) >= 0;
    }
  }
  EXPECT_GT(found, 50u);
  // A written set where one line leaves four or more candidates (the RE2::Set pass finds
  // the answer, its groups come after) and where a literal expression is proven by its
  // hit (no run of its own before its groups are read).
  reports::pattern_set set;
  std::string error;
  for (const std::string e : {"(alpha)\\s+(\\d+)", "alpha\\W(\\w+)", "(alpha)[.,;]", "(al)pha\\s*$", "(alpha)-(beta)",
                              "zeta|eta theta", "(alpha)"})
    ASSERT_TRUE(set.add(e, error)) << error;
  ASSERT_TRUE(set.compile(error));
  for (const std::string line : {"alpha 42", "x alpha;y", "ALPHA", "alpha-beta", "alpha_zeta", "zeta", "eta theta alpha",
                                 "alpha gamma", "alphabet", "nothing here", "alpha"})
    expect_captured_as_first_then_groups(set, line);
}

// Literal expressions, case and escapes: a hit proves the match only where RE2 agrees.
TEST(FastPaths, LiteralExpressionsProvenByTheirHit) {
  reports::pattern_set set;
  std::string error;
  for (const std::string e : {"deli?very failed", "no such user|user unknown", "mailbox\\.full", "a.c def",
                              "quota exceeded", "over quota"})
    ASSERT_TRUE(set.add(e, error)) << error;
  ASSERT_TRUE(set.compile(error));
  for (const std::string line : {"550 User Unknown here", "the MAILBOX.FULL", "mailboxXfull", "abc def", "a.c def",
                                 "Delivery failed", "delvery failed", "OVER QUOTA and quota exceeded", "no such",
                                 "quota exceede", "550 5.1.1 <x@y>: NO SUCH USER", "user unknown", "Mailbox.Full here"}) {
    EXPECT_EQ(set.first(line), plain_first(set, line)) << line;
    const std::string text = "x" + line + "\n" + line;
    const reports::scanned_text scanned = set.scan(text);
    // The first view starts one byte into "x" + line: a hit there starts before it.
    const std::vector<std::string_view> views = {std::string_view(text).substr(2, line.size() - 1),
                                                 std::string_view(text).substr(line.size() + 2)};
    std::vector<int> out;
    set.first_per_line(scanned, views, out);
    EXPECT_EQ(out[0], plain_first(set, views[0])) << views[0];
    EXPECT_EQ(out[1], plain_first(set, views[1])) << views[1];
  }
}

// The provider rules are tried only when their set names them a candidate: every rule
// matching a line must be among the candidates of that line.
TEST(FastPaths, ProviderRuleCandidatesHoldEveryMatchingRule) {
  const auto& k = knowledge();
  std::vector<std::string> lines = corpus_lines();
  if (lines.empty()) GTEST_SKIP() << "shared corpus not found";
  for (const std::string extra : {"550 5.7.1 AUP#CXBL blocked", "Requested action not taken: mailbox unavailable",
                                  "ofr_104 too many", "LPN007_510 refused", "Message exceeded 50 hops"})
    lines.push_back(extra);
  ASSERT_EQ(k.provider_text.size(), k.provider_rules.size());
  std::size_t matched = 0;
  std::vector<int> candidates;
  for (const auto& line : lines) {
    k.provider_text.candidates_into(k.provider_text.scan(line), candidates);
    for (std::size_t i = 0; i < k.provider_rules.size(); ++i) {
      if (!RE2::PartialMatch(line, *k.provider_rules[i].match)) continue;
      ++matched;
      EXPECT_TRUE(std::binary_search(candidates.begin(), candidates.end(), static_cast<int>(i)))
          << k.provider_rules[i].pattern << " on " << line;
    }
  }
  EXPECT_GE(matched, 5u);
}

// ---------------------------------------------------------------------------------------
// RFC 2047: the plain case read by hand (decode_plain_encoded_words) gives GMime's own
// answer. Every header line of the corpus holding "=?" (unfolded and squeezed as the
// reader does), crafted words around the edges GMime treats its own way (padding before
// a run's end, runs of two charsets or encodings, words embedded in text, control and
// invalid bytes), and 20,000 random mixes of such words.
TEST(FastPaths, PlainEncodedWordsDecodeAsGmimeDoes) {
  std::vector<std::string> values = {
      "=?utf-8?B?Zm9v?= =?utf-8?B?YmFy?=", "a =?utf-8?Q?b?= c", "=?utf-8?Q?a_b?=", "=?UTF-8?q?=c3=a9?=", "=?utf-8?B?w6k=?=",
      "=?utf-8?B?w6?= =?utf-8?B?kK?=", "=?utf-8?Q?=C3?= =?utf-8?Q?=A9?=", "=?utf-8?Q?a?= =?us-ascii?Q?b?=", "x=?utf-8?Q?a?=",
      "=?utf-8?Q?a?=b", "=?utf-8?B?Zm9?=", "=?utf-8?Q?=ff?=", "=?us-ascii?Q?=e9?=", "=?utf-8?Q?a=09b?=", "(=?utf-8?Q?a?=)",
      "=?utf-8?Q?a?= =?utf-8?Q?_b?=", "=?utf-8*en?Q?a?=", "=?utf-8?Q?a=?=", "=?utf-8?Q?a=4?=",
      "=?utf-8?B?Zm9v?==?utf-8?B?YmFy?=", "=?utf-8?Q?a\"b?=", "=?utf-8?B?Zg==?= =?utf-8?B?Zm9v?=", "=?utf-8?B?Zm9v?= =?utf-8?Q?bar?=",
      "\"=?utf-8?Q?a?=\" <a@b.example>", "\"=?utf-8?Q?a?= =?utf-8?Q?b?=\"", "=?utf-8?Q?a?=. =?utf-8?Q?b?=", "=?iso-8859-15?Q?a=28b=29?=",
      "=?iso-8859-1?Q?d=E9j=E0?=", "=?ISO-8859-2?B?YWJj?= x", "=?iso-8859-150?Q?a?=", "=?utf-8?B?AA==?=", "=?utf-8?B?f38=?=",
      "=?utf-8?Q?=20a=20?= b", "=?utf-8?B?Z===?=", "=?utf-8?B?Zm=v?=", "=?utf-8?X?abc?=", "=?utf-8?Q?a?b?=", "=?" "?Q?a?=", "=?utf-8?Q?" "?=",
      "plain text", "a=?b", "?= =?", "=?utf-8?B?8J+QiPCfkIg=?=@example.org", "=?utf-8?Q?_?= =?utf-8?Q?_?="};
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (std::filesystem::exists(dir))
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string bytes = reports::read_source(entry.path().string()).messages.front().bytes;
      for (std::size_t at = bytes.find("=?"); at != std::string::npos; at = bytes.find("=?", at + 2)) {
        // The header line holding it, with its continuation lines.
        const std::size_t begin = bytes.rfind('\n', at) == std::string::npos ? 0 : bytes.rfind('\n', at) + 1;
        std::size_t end = bytes.find('\n', at);
        while (end != std::string::npos && end + 1 < bytes.size() && (bytes[end + 1] == ' ' || bytes[end + 1] == '\t'))
          end = bytes.find('\n', end + 1);
        const std::string line = bytes.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        const std::size_t colon = line.find(':');
        values.push_back(reports::text::squeeze(colon == std::string::npos ? line : line.substr(colon + 1)));
      }
    }
  // Random mixes of words.
  const std::vector<std::string> words = {"=?utf-8?B?Zm9v?=", "=?UTF-8?b?w6k=?=", "=?utf-8?B?w6?=", "=?utf-8?B?kK?=", "=?utf-8?Q?=C3?=",
                                          "=?utf-8?q?=A9_x?=", "=?us-ascii?Q?a=5Fb?=", "=?iso-8859-15?Q?=28x=29?=", "=?iso-8859-1?Q?=E9?=",
                                          "=?utf-8?Q?a?=.", "\"=?utf-8?Q?a?=\"", "text", "(x)", "a=b", "=?utf-8?B?Zg==?=", "=?utf-8?Q?=0A?="};
  std::mt19937 random(2047);
  for (int i = 0; i < 20000; ++i) {
    std::string v;
    const int n = 1 + static_cast<int>(random() % 5);
    for (int j = 0; j < n; ++j) v += (j ? " " : "") + words[random() % words.size()];
    values.push_back(v);
  }
  std::size_t by_hand = 0;
  std::string out;
  for (const auto& v : values) {
    const std::string reference = reports::mime::decode_header_text_reference(v);
    EXPECT_EQ(reports::mime::decode_header_text(v), reference) << v;
    if (reports::mime::decode_plain_encoded_words(v, out)) {
      ++by_hand;
      EXPECT_EQ(reports::text::valid_utf8(out, out.size()), reference) << v;
    }
  }
  EXPECT_GT(by_hand, 2000u);
}

// A recipient's sources in one sorted vector against the std::map they were: the same
// entries in the same order after random insertions and overwrites (names found and placed
// by their first byte, unsigned, before the whole name), the same find, count
// and at answers (at throws for a missing name), and braces keep the first of two names.
TEST(FastPaths, FactSourcesBehaveAsTheMapTheyReplaced) {
  const std::vector<std::string> names = {"address", "action", "status", "reply_code", "diagnostic", "command",
                                          "remote_host", "remote_ip", "feedback_type", "b", "a", "",
                                          // first bytes alike, and one at or above 0x80 (an unsigned compare)
                                          "remote", "z", "\xC3\xA9tat", "\xC3\xA9"};
  std::mt19937 random(48);
  for (int round = 0; round < 2000; ++round) {
    reports::fact_sources fast;
    std::map<std::string, std::string> map;
    const int n = static_cast<int>(random() % 14);
    for (int i = 0; i < n; ++i) {
      const std::string& name = names[random() % names.size()];
      const std::string value = "where " + std::to_string(random() % 5) + std::string(random() % 30, 'x');
      fast[name] = value;
      map[name] = value;
    }
    ASSERT_EQ(fast.size(), map.size());
    ASSERT_TRUE(std::equal(fast.begin(), fast.end(), map.begin(), map.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first && a.second == b.second; }));
    for (const auto& name : names) {
      ASSERT_EQ(fast.count(name), map.count(name)) << name;
      const auto it = fast.find(name);
      ASSERT_EQ(it == fast.end(), map.find(name) == map.end()) << name;
      if (it != fast.end()) {
        EXPECT_EQ(it->second, map.at(name));
        EXPECT_EQ(fast.at(name), map.at(name));
      } else {
        EXPECT_THROW((void)fast.at(name), std::out_of_range);
      }
    }
  }
  const reports::fact_sources braces = {{"status", "one"}, {"address", "two"}, {"status", "three"}};
  const std::map<std::string, std::string> map_braces = {{"status", "one"}, {"address", "two"}, {"status", "three"}};
  ASSERT_EQ(braces.size(), map_braces.size());
  EXPECT_TRUE(std::equal(braces.begin(), braces.end(), map_braces.begin(), map_braces.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first && a.second == b.second; }));
}
