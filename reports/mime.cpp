// The fast MIME reader (see mime.hpp): one pass over the bytes, string_views until a
// part is known to be needed, decoding only the parts that explain a bounce.
#include "reports/mime.hpp"

#include "reports/limits.hpp"
#include "reports/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace reports::mime {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// One line starting at `pos`: its text without "\n" and a trailing "\r", and where the
// next line starts.
std::string_view line_at(std::string_view s, std::size_t pos, std::size_t& next) {
  std::size_t end = s.find('\n', pos);
  if (end == std::string_view::npos) {
    end = s.size();
    next = s.size();
  } else {
    next = end + 1;
  }
  std::string_view line = s.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

struct raw_field {
  std::string_view name;
  std::string_view value;  // raw, may span folded lines
};

struct raw_entity {
  std::vector<raw_field>& fields;  // a list of field_lists() (see there)
  std::string_view body;
};

// One field list per nesting depth, kept per thread between messages (cleared, not
// freed). An entity's list is the one of the depth it is read at: along a chain of
// nested entities each depth is read by one entity at a time (a multipart's children
// one after another, a message's inner entity one deeper than the message), and an
// entity past max_mime_depth is split but read no further.
std::vector<raw_field>& field_list(int depth) {
  thread_local std::array<std::vector<raw_field>, limits::max_mime_depth + 2> lists;
  return lists[std::min(static_cast<std::size_t>(depth), lists.size() - 1)];
}

// Bytes a field name may hold (RFC 5322 §3.6.8 ftext: printable US-ASCII but ':').
constexpr auto ftext_table = [] {
  std::array<bool, 256> t{};
  for (int c = 33; c < 127; ++c) t[static_cast<std::size_t>(c)] = c != ':';
  return t;
}();
constexpr std::size_t max_field_name = 76;

// The end of the run of ftext bytes of s starting at `from`, read no further than `limit`
// (at most s.size()): the first offset in [from, limit) whose byte is no ftext, else limit.
// Sixteen bytes at a time where s holds them (SSE2 is part of x86-64): a header line's
// name took 3.5 instructions a byte through the table, 1.6% of the bench's instructions.
// A block may read past `limit` (never past s.end()); those lanes are not taken.
std::size_t ftext_run_end(std::string_view s, std::size_t from, std::size_t limit) {
  std::size_t j = from;
#if defined(__SSE2__)
  for (; j < limit && j + 16 <= s.size(); j += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + j));
    // 33-126 as signed bytes (those >= 0x80 are negative), and not ':'.
    const __m128i in_range = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(32)), _mm_cmplt_epi8(v, _mm_set1_epi8(127)));
    const __m128i ok = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')), in_range);
    const unsigned stop = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
    if (stop != 0) return std::min(limit, j + static_cast<std::size_t>(__builtin_ctz(stop)));
  }
  if (j >= limit) return limit;
#endif
  while (j < limit && ftext_table[static_cast<unsigned char>(s[j])]) ++j;
  return j;
}

// Splits an entity into its header fields and body (RFC 5322 §2.1: the first empty line
// ends the header). A first line that is no field means there is no header block; the
// field count is bounded.
raw_entity split_entity(std::string_view s, int depth) {
  raw_entity e{field_list(depth), {}};
  e.fields.clear();
  std::size_t pos = 0;
  bool last_kept = false;  // the field a continuation line belongs to was kept
  while (pos < s.size()) {
    std::size_t next = 0;
    const std::string_view line = line_at(s, pos, next);
    if (line.empty()) {
      e.body = s.substr(next);
      return e;
    }
    if (is_blank(line.front())) {
      if (pos == 0) break;  // leading white space: not a header block
      if (last_kept) {
        raw_field& f = e.fields.back();
        f.value = std::string_view(f.value.data(), static_cast<std::size_t>(line.data() + line.size() - f.value.data()));
      }
      pos = next;
      continue;
    }
    // The name: 1-76 ftext bytes, then the colon, white space allowed before it
    // ("Subject :", RFC 5322 §4.5.3 obs-optional). One pass over the name's bytes, which
    // stops at the first that is not ftext (a long line of words is not read to its end).
    const std::size_t name_limit = std::min(line.size(), max_field_name + 1);
    const std::size_t name_end = ftext_run_end(s, pos, pos + name_limit) - pos;
    std::size_t colon = name_end;
    while (colon < line.size() && is_blank(line[colon])) ++colon;
    if (name_end == 0 || name_end > max_field_name || colon == line.size() || line[colon] != ':') {
      if (e.fields.empty()) break;  // the first line is no field: there is no header block
      // Inside a header block a line that is no field continues the previous one:
      // Exchange and others wrap long values without indenting ("boundary=...",
      // "(10.0.0.1) by host" in Received). GMime reads them the same way.
      if (last_kept) {
        raw_field& f = e.fields.back();
        f.value = std::string_view(f.value.data(), static_cast<std::size_t>(line.data() + line.size() - f.value.data()));
      }
      pos = next;
      continue;
    }
    last_kept = e.fields.size() < limits::max_header_count;
    if (last_kept) e.fields.push_back({line.substr(0, name_end), line.substr(colon + 1)});
    pos = next;
  }
  e.body = s.substr(pos);
  return e;
}

// Writes the header value `raw` unfolded, squeezed, RFC 2047 decoded (with `decode`) and
// bounded into `out`, reusing its buffer.
void header_text_into(std::string_view raw, bool decode, std::string& out) {
  out.clear();
  const bool plain_ascii = text::append_squeezed(out, raw.substr(0, limits::max_header_bytes * 2));
  if (out.size() <= limits::max_header_bytes && plain_ascii &&
      (!decode || out.find("=?") == std::string::npos))
    return;
  if (decode) {
    bool plain = out.find("=?") == std::string::npos;
    for (std::size_t i = 0; plain && i < out.size(); ++i)
      if (static_cast<unsigned char>(out[i]) >= 0x80) plain = false;
    if (!plain) out = decode_header_text(out);
  }
  out = text::valid_utf8(out, limits::max_header_bytes);
}

std::string header_text(std::string_view raw, bool decode) {
  std::string v;
  header_text_into(raw, decode, v);
  return v;
}

// Part and header objects kept per thread between messages: parse_mime_into gives a
// document's old ones back here before reading into it, and takes new ones from here, so
// their strings' and vectors' buffers are reused instead of allocated again for every
// message. Bounded: at most max_mime_parts parts and spare_header_limit headers are
// kept, and a text buffer larger than spare_text_capacity is freed, not kept.
constexpr std::size_t spare_header_limit = 512;
constexpr std::size_t spare_text_capacity = 64u << 10;

struct spare_objects {
  std::vector<part> parts;
  std::vector<header> headers;
};

spare_objects& spares() {
  thread_local spare_objects s;
  return s;
}

void give_back(std::vector<header>& headers) {
  auto& spare = spares().headers;
  for (auto& h : headers) {
    if (spare.size() >= spare_header_limit) break;
    spare.push_back(std::move(h));
  }
  headers.clear();
}

header& add_header(std::vector<header>& headers) {
  auto& spare = spares().headers;
  if (spare.empty()) return headers.emplace_back();
  headers.push_back(std::move(spare.back()));
  spare.pop_back();
  return headers.back();
}

void give_back(std::vector<part>& parts) {
  auto& spare = spares().parts;
  for (auto& p : parts) {
    if (spare.size() >= limits::max_mime_parts) break;
    give_back(p.headers);
    if (p.text.capacity() > spare_text_capacity) std::string().swap(p.text);
    spare.push_back(std::move(p));
  }
  parts.clear();
}

// A part at the end of `parts`, every field reset (its buffers possibly reused).
part& add_part(std::vector<part>& parts) {
  auto& spare = spares().parts;
  if (spare.empty()) return parts.emplace_back();
  part& p = parts.emplace_back(std::move(spare.back()));
  spare.pop_back();
  p.media_type.clear();
  give_back(p.headers);
  p.text.clear();
  p.depth = 0;
  p.in_original = false;
  p.is_embedded_message = false;
  return p;
}

// `content_only`: the body of a message is described by the message's Content-* fields;
// the rest of them belong to the message, not to its body part.
void materialise(const std::vector<raw_field>& fields, const read_options& options, std::vector<header>& out,
                 bool content_only = false) {
  give_back(out);
  for (const auto& f : fields) {
    if (content_only && !text::istarts_with(f.name, "content-")) continue;
    if (options.headers != nullptr &&
        std::none_of(options.headers->begin(), options.headers->end(),
                     [&](const std::string& wanted) { return text::iequals(f.name, wanted); }))
      continue;
    header& h = add_header(out);
    // split_entity took the name as 1-76 ftext bytes (printable ASCII): valid as it is.
    h.name.assign(f.name);
    header_text_into(f.value, true, h.value);
  }
}

std::string_view raw_value(const std::vector<raw_field>& fields, std::string_view name) {
  for (const auto& f : fields)
    if (text::iequals(f.name, name)) return f.value;
  return {};
}

struct content_type {
  std::string media_type = "text/plain";
  std::string boundary;
  std::string dash_boundary;  // "--" boundary, the delimiter's start (RFC 2046 §5.1.1)
  std::string charset;
};

// One content type per nesting depth, kept per thread between messages (their strings'
// room reused): an entity's type is read at its depth and used until the entity is done,
// while its children, one deeper, use theirs (as field_list).
content_type& content_type_at(int depth) {
  thread_local std::array<content_type, limits::max_mime_depth + 2> types;
  return types[std::min(static_cast<std::size_t>(depth), types.size() - 1)];
}

// RFC 2045 §5.1: type "/" subtype *(";" parameter); values may be quoted strings. Into
// `ct`, whose strings keep their room; the value is read in per-thread buffers.
void parse_content_type(std::string_view raw, std::string_view fallback, content_type& ct) {
  ct.media_type.assign(fallback);
  ct.boundary.clear();
  ct.dash_boundary.clear();
  ct.charset.clear();
  thread_local std::string squeezed, main, quoted;  // parse_content_type does not recurse
  squeezed.clear();
  text::append_squeezed(squeezed, raw.substr(0, limits::max_header_bytes));
  const std::string_view v = squeezed;
  if (v.empty()) return;
  std::size_t semi = v.find(';');
  main.assign(text::trim(v.substr(0, semi)));
  for (char& c : main)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  // "text/plain charset=..." (a missing ';'): the type ends at the first space.
  if (const std::size_t space = main.find(' '); space != std::string::npos) {
    if (semi == std::string::npos) semi = space;
    main.resize(space);
  }
  const std::size_t slash = main.find('/');
  if (slash != std::string::npos && slash > 0 && slash + 1 < main.size()) ct.media_type.assign(main);
  else if (main == "text") ct.media_type.assign("text/plain");
  bool boundary_seen = false, charset_seen = false;
  while (semi != std::string::npos && semi < v.size()) {
    std::size_t pos = semi + 1;
    const std::size_t eq = v.find('=', pos);
    if (eq == std::string::npos) break;
    const std::string_view name = text::trim(v.substr(pos, eq - pos));
    pos = eq + 1;
    while (pos < v.size() && is_blank(v[pos])) ++pos;
    std::string_view value;
    if (pos < v.size() && v[pos] == '"') {
      ++pos;
      quoted.clear();
      while (pos < v.size() && v[pos] != '"') {
        if (v[pos] == '\\' && pos + 1 < v.size()) ++pos;
        quoted.push_back(v[pos++]);
      }
      value = quoted;
      semi = v.find(';', pos);
    } else {
      semi = v.find(';', pos);
      value = text::trim(v.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos));
    }
    // The first of each counts, even when empty.
    if (text::iequals(name, "boundary") && !boundary_seen) {
      boundary_seen = !value.empty();
      ct.boundary.assign(value.substr(0, 200));
    } else if (text::iequals(name, "charset") && !charset_seen) {
      charset_seen = !value.empty();
      ct.charset.assign(value.substr(0, 64));
    }
  }
  if (!ct.boundary.empty()) ct.dash_boundary.assign("--").append(ct.boundary);
}

bool wants_text(std::string_view media_type, bool in_original) {
  if (media_type.starts_with("message/") || media_type == "text/rfc822-headers") return true;
  // The returned message's own body is not needed to explain the bounce; skipping it
  // keeps large attachments from costing decode time.
  if (in_original) return false;
  return media_type.starts_with("text/") || media_type == "application/octet-stream" ||
         media_type == "application/json";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// x-uuencode (GMime reads it too): "begin MODE NAME", lines whose first character gives
// the byte count, "end".
std::string decode_uuencode(std::string_view in, std::size_t max_bytes) {
  std::string out;
  std::size_t pos = 0;
  bool started = false;
  while (pos < in.size() && out.size() < max_bytes) {
    std::size_t next = 0;
    const std::string_view line = line_at(in, pos, next);
    pos = next;
    if (!started) {
      started = line.starts_with("begin ");
      continue;
    }
    if (line == "end" || line.empty()) break;
    const int count = (line[0] - 32) & 63;
    std::size_t produced = 0;
    for (std::size_t i = 1; i + 3 < line.size() + 1 && produced < static_cast<std::size_t>(count); i += 4) {
      auto sextet = [&](std::size_t k) { return k < line.size() ? static_cast<unsigned>((line[k] - 32) & 63) : 0u; };
      const unsigned n = sextet(i) << 18 | sextet(i + 1) << 12 | sextet(i + 2) << 6 | sextet(i + 3);
      for (int b = 2; b >= 0 && produced < static_cast<std::size_t>(count) && out.size() < max_bytes; --b, ++produced)
        out.push_back(static_cast<char>((n >> (8 * b)) & 0xFF));
    }
  }
  return out;
}

std::string decode_body(std::string_view body, std::string_view encoding, std::size_t max_bytes) {
  const std::string cte = text::lower(text::trim(encoding));
  if (cte == "base64") return decode_base64(body, max_bytes);
  if (cte == "quoted-printable") return decode_quoted_printable(body, max_bytes);
  if (cte == "x-uuencode" || cte == "uuencode" || cte == "x-uue") return decode_uuencode(body, max_bytes);
  return std::string(body.substr(0, max_bytes));
}

// A delimiter line (RFC 2046 §5.1.1): "--" boundary, "--" for the last one, then only
// white space. `strict` false accepts anything after the boundary (broken generators).
struct delimiter {
  std::size_t line_start = std::string_view::npos;
  std::size_t next = 0;  // where the following line starts
  bool close = false;
};

// `search` finds dash_boundary: a skipping search (text::finder, built once per multipart)
// rather than find, whose memchr on '-' stops at every dash of the separator lines and
// quoted "--" a body is full of.
delimiter find_delimiter(std::string_view body, std::size_t from, std::string_view dash_boundary,
                         const text::finder& search, bool strict) {
  delimiter d;
  std::size_t pos = from;
  while (pos < body.size()) {
    const std::size_t at = search.find(body, pos);
    if (at == std::string_view::npos) return d;
    pos = at + 1;
    if (at != 0 && body[at - 1] != '\n') continue;
    std::size_t next = 0;
    std::string_view rest = line_at(body, at, next).substr(dash_boundary.size());
    const bool close = rest.starts_with("--");
    if (close) rest.remove_prefix(2);
    if (strict && !text::trim(rest).empty()) continue;
    d.line_start = at;
    d.next = next;
    d.close = close;
    return d;
  }
  return d;
}

struct reader {
  document& doc;
  const read_options& options;
  // For options.only_read_texts: the parts the bounce reader takes only once.
  bool plain_seen = false, html_seen = false, feedback_seen = false;

  // Whether a leaf's text is decoded (wants_text, narrowed by options.only_read_texts).
  bool decodes(std::string_view media_type, bool in_original) {
    if (!wants_text(media_type, in_original)) return false;
    if (!options.only_read_texts) return true;
    if (media_type == "message/delivery-status" || media_type == "message/global-delivery-status" ||
        (media_type.starts_with("message/") && media_type.ends_with("-headers")))
      return true;
    if (media_type == "message/feedback-report") return !std::exchange(feedback_seen, true);
    if (in_original) return false;
    if (media_type == "text/rfc822-headers") return true;
    if (media_type == "text/plain") return !std::exchange(plain_seen, true);
    if (media_type == "text/html") return !plain_seen && !std::exchange(html_seen, true);
    return false;
  }

  bool room(int depth) {
    if (doc.parts.size() >= limits::max_mime_parts || depth > static_cast<int>(limits::max_mime_depth)) {
      doc.truncated = true;
      return false;
    }
    return true;
  }

  void leaf(const raw_entity& e, const content_type& ct, int depth, bool in_original, bool message_body) {
    if (!room(depth)) return;
    part& p = add_part(doc.parts);
    p.media_type = ct.media_type;
    p.depth = depth;
    p.in_original = in_original;
    if (options.part_headers) materialise(e.fields, options, p.headers, message_body);
    if (decodes(p.media_type, in_original)) {
      const std::string_view cte = text::trim(raw_value(e.fields, "Content-Transfer-Encoding"));
      const bool identity = cte.empty() || text::iequals(cte, "7bit") || text::iequals(cte, "8bit") ||
                            text::iequals(cte, "binary");
      const std::string_view body = e.body.substr(0, limits::max_part_text_bytes);
      // Plain ASCII in an ASCII-compatible charset is already the text: one copy.
      const bool seven_bit_charset = text::istarts_with(ct.charset, "iso-2022") || text::iequals(ct.charset, "utf-7") ||
                                     text::iequals(ct.charset, "hz-gb-2312");
      if (identity && !seven_bit_charset && text::is_plain_ascii(body)) {
        p.text.assign(body);
      } else {
        std::string raw = identity ? std::string(body) : decode_body(e.body, cte, limits::max_part_text_bytes);
        p.text = !seven_bit_charset && text::is_plain_ascii(raw) ? std::move(raw) : to_utf8(raw, ct.charset);
      }
    }
  }

  void entity(const raw_entity& e, std::string_view default_type, int depth, bool in_original, bool message_body) {
    if (!room(depth)) return;
    content_type& ct = content_type_at(depth);
    parse_content_type(raw_value(e.fields, "Content-Type"), default_type, ct);
    if (ct.media_type.starts_with("multipart/")) {
      multipart(e, ct, depth, in_original);
    } else if (ct.media_type == "message/rfc822" || ct.media_type == "message/global" ||
               ct.media_type == "message/news") {
      message(e, ct, depth, in_original);
    } else {
      leaf(e, ct, depth, in_original, message_body);
    }
  }

  void message(const raw_entity& e, const content_type& ct, int depth, bool in_original) {
    // Some MTAs base64-encode the returned message although RFC 2046 §5.2.1 forbids it.
    const std::string_view cte = text::trim(raw_value(e.fields, "Content-Transfer-Encoding"));
    std::string decoded;
    std::string_view inner_bytes = e.body;
    if (text::iequals(cte, "base64") || text::iequals(cte, "quoted-printable")) {
      decoded = decode_body(e.body, cte, limits::max_message_bytes);
      inner_bytes = decoded;
    }
    const raw_entity inner = split_entity(inner_bytes, depth + 1);
    part& p = add_part(doc.parts);
    p.media_type = ct.media_type;
    p.depth = depth;
    p.in_original = in_original;
    p.is_embedded_message = true;
    materialise(inner.fields, options, p.headers);
    entity(inner, "text/plain", depth + 1, true, true);
  }

  void multipart(const raw_entity& e, const content_type& ct, int depth, bool in_original) {
    const std::string_view child_default = ct.media_type == "multipart/digest" ? "message/rfc822" : "text/plain";
    const std::string_view dash_boundary = ct.dash_boundary;
    const text::finder search(dash_boundary);
    bool strict = true;
    delimiter d = ct.boundary.empty() ? delimiter{} : find_delimiter(e.body, 0, dash_boundary, search, strict);
    if (d.line_start == std::string_view::npos && !ct.boundary.empty()) {
      strict = false;
      d = find_delimiter(e.body, 0, dash_boundary, search, strict);
    }
    if (d.line_start == std::string_view::npos) {
      // No boundary in the body: its words are still the report.
      raw_entity whole{e.fields, e.body};
      content_type as_text;
      leaf(whole, as_text, depth, in_original, depth == 0);
      return;
    }
    while (!d.close && d.next < e.body.size()) {
      const std::size_t start = d.next;
      const delimiter end = find_delimiter(e.body, start, dash_boundary, search, strict);
      std::size_t stop = end.line_start == std::string_view::npos ? e.body.size() : end.line_start;
      // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
      if (end.line_start != std::string_view::npos) {
        if (stop > start && e.body[stop - 1] == '\n') --stop;
        if (stop > start && e.body[stop - 1] == '\r') --stop;
      }
      entity(split_entity(e.body.substr(start, stop - start), depth + 1), child_default, depth + 1, in_original, false);
      if (end.line_start == std::string_view::npos || doc.truncated) break;
      d = end;
    }
  }
};

}  // namespace

namespace {

// Each byte's value in base64 (RFC 4648 §4): -1 for a byte that is skipped (line breaks
// and stray characters, RFC 2045 §6.8), -2 for '=' (padding ends the data).
constexpr auto base64_values = [] {
  std::array<signed char, 256> t{};
  t.fill(-1);
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<signed char>(c - 'A');
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<signed char>(c - 'a' + 26);
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<signed char>(c - '0' + 52);
  t['+'] = 62;
  t['/'] = 63;
  t['='] = -2;
  return t;
}();

}  // namespace

std::string decode_base64(std::string_view in, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(max_bytes, in.size() / 4 * 3 + 3));
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t i = 0;
  while (i < in.size()) {
    // At a quantum's start, four characters that are all data are three bytes at once (a
    // line of 76 characters is 19 quanta). The bits left in `acc` from before are never
    // read again: a byte is taken from the last `bits` bits, all of them added since.
    if (bits == 0 && i + 4 <= in.size() && out.size() + 3 <= max_bytes) {
      const int a = base64_values[p[i]], b = base64_values[p[i + 1]], c = base64_values[p[i + 2]],
                d = base64_values[p[i + 3]];
      if ((a | b | c | d) >= 0) {
        const auto n = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
        const char bytes[3] = {static_cast<char>(n >> 16), static_cast<char>(n >> 8 & 0xFF), static_cast<char>(n & 0xFF)};
        out.append(bytes, 3);
        i += 4;
        continue;
      }
    }
    const int v = base64_values[p[i++]];
    if (v == -2) break;  // padding ends the data
    if (v < 0) continue;  // line breaks and stray characters
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

std::string decode_quoted_printable(std::string_view in, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(max_bytes, in.size()));
  std::size_t i = 0;
  while (i < in.size() && out.size() < max_bytes) {
    // Runs without '=' are copied as they are.
    std::size_t eq = in.find('=', i);
    if (eq == std::string_view::npos) eq = in.size();
    out.append(in.substr(i, std::min(eq - i, max_bytes - out.size())));
    if (eq >= in.size() || out.size() >= max_bytes) break;
    // Soft line break (RFC 2045 §6.7 rule 5), also with trailing white space before it.
    std::size_t j = eq + 1;
    while (j < in.size() && is_blank(in[j])) ++j;
    if (j < in.size() && (in[j] == '\n' || (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n'))) {
      i = (in[j] == '\r' ? j + 1 : j) + 1;
      continue;
    }
    if (j >= in.size()) break;
    const int hi = eq + 1 < in.size() ? hex_value(in[eq + 1]) : -1;
    const int lo = eq + 2 < in.size() ? hex_value(in[eq + 2]) : -1;
    if (hi >= 0 && lo >= 0) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i = eq + 3;
    } else {
      out.push_back('=');  // not an escape: kept as written
      i = eq + 1;
    }
  }
  return out;
}

namespace {

// One encoded word's bytes appended to `out`; false for anything decode_plain_encoded_words
// leaves to GMime.
bool append_encoded_text(char encoding, std::string_view text, std::string& out) {
  if (encoding == 'b' || encoding == 'B') {
    if (text.size() % 4 != 0) return false;
    std::uint32_t quantum = 0;
    int pads = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      int v = 0;
      if (c >= 'A' && c <= 'Z') v = c - 'A';
      else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
      else if (c >= '0' && c <= '9') v = c - '0' + 52;
      else if (c == '+') v = 62;
      else if (c == '/') v = 63;
      else if (c == '=' && i + 2 >= text.size()) ++pads;  // padding: the last one or two only
      else return false;
      if (pads > 0 && c != '=') return false;
      quantum = quantum << 6 | static_cast<std::uint32_t>(v);
      if (i % 4 == 3) {
        out.push_back(static_cast<char>(quantum >> 16));
        if (pads < 2) out.push_back(static_cast<char>(quantum >> 8 & 0xFF));
        if (pads < 1) out.push_back(static_cast<char>(quantum & 0xFF));
        quantum = 0;
      }
    }
    return true;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=') {
      const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
      if (lo < 0) return false;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else if (c > ' ' && c < 0x7F) {
      out.push_back(c);
    } else {
      return false;
    }
  }
  return true;
}

// The decoded bytes of a run of adjacent encoded words: valid UTF-8 (ASCII for US-ASCII)
// without control characters, which GMime would replace or keep as they are.
bool printable_run(std::string_view run, bool ascii_only) {
  for (const char c : run) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || (ascii_only && u >= 0x80)) return false;
  }
  return ascii_only || text::valid_utf8(run, run.size()) == run;
}

}  // namespace

namespace {

// "=?charset?E?text?=" at the start of `word`: its parts and its length; false when it is
// none. Only ASCII-compatible charsets whose ASCII GMime keeps as it is are taken:
// UTF-8, US-ASCII and the ISO-8859 ones (these for ASCII text only, see `ascii_only`).
struct encoded_word {
  std::string_view encoded;
  char encoding = 0;  // 'b' or 'q'
  bool ascii_only = false;
  std::size_t size = 0;
};

bool read_encoded_word(std::string_view word, encoded_word& w) {
  if (!word.starts_with("=?")) return false;
  const std::size_t q1 = word.find('?', 2);
  if (q1 == std::string_view::npos || q1 + 3 >= word.size() || word[q1 + 2] != '?') return false;
  const char encoding = word[q1 + 1];
  if (encoding != 'B' && encoding != 'b' && encoding != 'Q' && encoding != 'q') return false;
  const std::string_view charset = word.substr(2, q1 - 2);
  w.ascii_only = !text::iequals(charset, "utf-8");
  if (w.ascii_only && !text::iequals(charset, "us-ascii")) {
    // iso-8859-N, N from 1 to 16
    if (!text::istarts_with(charset, "iso-8859-") || charset.size() < 10 || charset.size() > 11) return false;
    for (const char c : charset.substr(9))
      if (c < '0' || c > '9') return false;
  }
  const std::size_t close = word.find("?=", q1 + 3);
  if (close == std::string_view::npos || close == q1 + 3) return false;
  w.encoded = word.substr(q1 + 3, close - (q1 + 3));
  w.encoding = encoding == 'B' || encoding == 'b' ? 'b' : 'q';
  w.size = close + 2;
  return true;
}

bool plain_ascii_text(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) >= 0x7F) return false;
  return s.find("=?") == std::string_view::npos;
}

}  // namespace

bool decode_plain_encoded_words(std::string_view raw, std::string& out) {
  out.clear();
  if (raw.empty() || raw.front() == ' ' || raw.back() == ' ') return false;
  std::size_t run_start = std::string::npos;  // where the current run of encoded words' bytes begins in `out`
  bool run_ascii = false;
  char run_encoding = 0;
  bool run_padded = false;     // the run's last word ends in base64 padding
  bool after_embedded = false;  // the previous word held an encoded word between other text
  const auto end_run = [&] {
    const bool ok = run_start == std::string::npos || printable_run(std::string_view(out).substr(run_start), run_ascii);
    run_start = std::string::npos;
    return ok;
  };
  std::size_t pos = 0;
  while (pos <= raw.size()) {
    const std::size_t space = std::min(raw.find(' ', pos), raw.size());
    const std::string_view word = raw.substr(pos, space - pos);
    if (word.empty()) return false;  // two spaces in a row: not squeezed
    const std::size_t opening = word.find("=?");
    encoded_word w;
    if (opening == std::string_view::npos) {
      if (!end_run() || !plain_ascii_text(word)) return false;
      if (pos > 0) out.push_back(' ');
      out.append(word);
      after_embedded = false;
    } else if (!read_encoded_word(word.substr(opening), w) || w.encoded.find('?') != std::string_view::npos) {
      return false;
    } else if (opening == 0 && w.size == word.size()) {
      // A word that is one encoded word: it joins the run of those before it.
      if (after_embedded) return false;
      if (run_start == std::string::npos) {
        if (pos > 0) out.push_back(' ');
        run_start = out.size();
        run_ascii = w.ascii_only;
        run_encoding = w.encoding;
      } else if (run_ascii != w.ascii_only || run_encoding != w.encoding || run_padded) {
        // GMime joins the encoded text of adjacent words before decoding it: a run of two
        // kinds of charset or encoding, or base64 padding before the run's end (where
        // GMime's decoder stops: the words after it are lost), is left to GMime.
        return false;
      }
      run_padded = w.encoding == 'b' && w.encoded.back() == '=';
      if (!append_encoded_text(w.encoding, w.encoded, out)) return false;
    } else {
      // An encoded word between other text in one word ("=?...?=.", "\"=?...?=\""):
      // GMime decodes it in place; next to other encoded words it is left to GMime.
      if (run_start != std::string::npos || after_embedded) return false;
      const std::string_view before = word.substr(0, opening), after = word.substr(opening + w.size);
      if (!plain_ascii_text(before) || !plain_ascii_text(after)) return false;
      if (pos > 0) out.push_back(' ');
      out.append(before);
      const std::size_t at = out.size();
      if (!append_encoded_text(w.encoding, w.encoded, out) || !printable_run(std::string_view(out).substr(at), w.ascii_only))
        return false;
      out.append(after);
      after_embedded = true;
    }
    pos = space + 1;
  }
  return end_run();
}

std::string_view header_value(const std::vector<header>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (text::iequals(h.name, name)) return h.value;
  return {};
}

std::vector<header> parse_header_block(std::string_view block, std::size_t max_headers, bool decode,
                                       const std::vector<std::string>* names) {
  std::vector<header> out;
  out.reserve(std::min<std::size_t>(max_headers, 8));
  std::size_t pos = 0;
  std::string_view name, value;
  std::size_t fields = 0;  // read, wanted or not: the bound counts them all
  const auto wanted = [&] {
    return names == nullptr ||
           std::any_of(names->begin(), names->end(), [&](const std::string& n) { return text::iequals(name, n); });
  };
  auto flush = [&] {
    if (!name.empty() && fields < max_headers) {
      ++fields;
      if (wanted()) out.push_back({text::valid_utf8(name, 256), header_text(value, decode)});
    }
    name = {};
    value = {};
  };
  std::size_t lines_seen = 0;
  while (pos < block.size() && fields < max_headers && ++lines_seen < limits::max_text_lines) {
    std::size_t next = 0;
    const std::string_view line = line_at(block, pos, next);
    pos = next;
    if (text::trim(line).empty()) {
      if (!name.empty() || !out.empty()) break;  // the end of the header block
      continue;                                  // leading blank lines
    }
    if (is_blank(line.front())) {
      // Continuation: the value runs on to the end of this line.
      if (!name.empty() && value.size() < limits::max_header_bytes)
        value = std::string_view(value.data(), static_cast<std::size_t>(line.data() + line.size() - value.data()));
      continue;
    }
    const std::size_t colon = line.find(':');
    // RFC 5322 §4.5.1 (obsolete syntax): white space may come between the name and its
    // colon ("Diagnostic-Code : smtp; 550 ..." from some gateways).
    std::string_view field_name = colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
    while (!field_name.empty() && (field_name.back() == ' ' || field_name.back() == '\t')) field_name.remove_suffix(1);
    if (colon == std::string_view::npos || field_name.empty() || colon > 76 ||
        field_name.find(' ') != std::string_view::npos || field_name.find('\t') != std::string_view::npos) {
      // Not a header line: tolerate it inside a block (some MTAs wrap badly), skip it.
      flush();
      continue;
    }
    flush();
    name = field_name;
    value = line.substr(colon + 1);
  }
  flush();
  return out;
}

void parse_mime_into(std::string_view bytes, const read_options& options, document& doc) {
  give_back(doc.parts);
  doc.truncated = false;
  // A bounce has three to eight parts: one allocation instead of one per doubling (and
  // no moving of the parts already read).
  doc.parts.reserve(8);
  const raw_entity top = split_entity(bytes, 0);
  read_options top_options = options;
  if (options.top_headers != nullptr) top_options.headers = options.top_headers;
  materialise(top.fields, top_options, doc.headers);
  reader r{doc, options};
  if (top.fields.empty()) {
    // Not even a header block: the bytes are one text part for the free-text readers.
    part& whole = add_part(doc.parts);
    whole.media_type = "text/plain";
    whole.text = to_utf8(bytes.substr(0, limits::max_part_text_bytes), "");
    return;
  }
  r.entity(top, "text/plain", 0, false, true);
}

document parse_mime(std::string_view bytes, const read_options& options) {
  document doc;
  parse_mime_into(bytes, options, doc);
  return doc;
}

}  // namespace reports::mime
