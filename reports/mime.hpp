#pragma once
// reports/mime: one message's MIME structure, decoded to UTF-8 text, through GMime 3.
//
// Thread safety: GMime is initialised once per process (std::call_once, on first use);
// after that `parse_mime` may run concurrently on different inputs — each call owns its
// GMime objects. GMime is never shut down (it holds only process-lifetime caches).
// Decoding: every transfer encoding (base64, quoted-printable, 7bit/8bit/binary,
// x-uuencode) is undone; text in any charset iconv knows (UTF-8, ISO-2022-JP,
// ISO-8859-x, Windows-125x, Shift_JIS, UTF-7, GB2312/GBK/GB18030, Big5, ...) becomes
// UTF-8, undeclared 8-bit text is guessed by GMime; header values are unfolded and RFC
// 2047 decoded. Bounds: at most limits::max_mime_parts parts (the input is cut before the
// next Content-Type header past that, which also bounds nesting depth), at most
// max_part_text_bytes of text per part, max_header_count headers per part.

#include <string>
#include <string_view>
#include <vector>

namespace reports::mime {

struct header {
  std::string name;   // as written
  std::string value;  // unfolded, RFC 2047 decoded, UTF-8, bounded
};

struct part {
  std::string media_type;        // lower case "type/subtype"
  std::vector<header> headers;   // this part's headers (an embedded message: its headers)
  std::string text;              // decoded UTF-8 content of text/* and message/* leaves
  int depth = 0;                 // nesting depth (0 = the top-level body)
  bool in_original = false;      // inside a message/rfc822 (the returned message)
  bool is_embedded_message = false;  // entry for a message/rfc822 part itself (headers only)
};

struct document {
  std::vector<header> headers;   // the top-level message headers
  std::vector<part> parts;       // depth-first order; containers are not listed
  bool truncated = false;        // the part limit cut the input
};

document parse_mime(std::string_view bytes);

// Value of the first header named `name` (case-insensitive), or "".
std::string_view header_value(const std::vector<header>& headers, std::string_view name);

// Converts bytes in `charset` to UTF-8 (invalid sequences replaced); unknown charsets and
// undeclared 8-bit text are guessed.
std::string to_utf8(std::string_view bytes, std::string_view charset);

// RFC 2047 decoding of an unfolded header value, to UTF-8.
std::string decode_header_text(std::string_view raw);

// Parses a block of header lines ("Name: value", continuation lines start with space or
// tab) until the first empty line: text/rfc822-headers, DSN field blocks, quoted headers.
std::vector<header> parse_header_block(std::string_view text, std::size_t max_headers, bool decode = true);

}  // namespace reports::mime
