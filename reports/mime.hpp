#pragma once
// reports/mime: one message's MIME structure, decoded to UTF-8 text.
//
// Two readers of the same structure:
// - `parse_mime`: probe's own single-pass reader over the bytes (RFC 2045/2046 headers,
//   boundaries, message/rfc822 nesting), the one the bounce reader uses. It decodes only
//   what explaining a bounce needs: text leaves outside the returned message, message/*
//   and rfc822-headers parts anywhere; the returned message's own body is walked for
//   structure (a forwarded DSN inside it still counts) but never decoded.
// - `parse_mime_reference`: the same document built through GMime 3, kept to cross-check
//   the fast reader (tests/reports compare both over the corpus) and for callers that
//   want a full decode.
// Charsets go through GMime's iconv layer in both (`to_utf8`, `decode_header_text`), and
// only when the bytes are not already ASCII/UTF-8.
//
// Thread safety: GMime is initialised once per process (std::call_once, on first use);
// after that both readers may run concurrently on different inputs. GMime is never shut
// down (it holds only process-lifetime caches). Charset converters are kept open per
// thread (at most 16 charsets) and closed when the thread ends. parse_mime keeps its
// raw header field lists (one per nesting depth, bounded like the headers) per thread
// between calls, cleared and reused, and a per-thread pool of part and header objects
// (see parse_mime_into).
// Decoding: every transfer encoding (base64, quoted-printable, 7bit/8bit/binary,
// x-uuencode) is undone; text in any charset iconv knows (UTF-8, ISO-2022-JP,
// ISO-8859-x, Windows-125x, Shift_JIS, UTF-7, GB2312/GBK/GB18030, Big5, ...) becomes
// UTF-8, undeclared 8-bit text is guessed by GMime; header values are unfolded and RFC
// 2047 decoded. Bounds: at most limits::max_mime_parts parts and max_mime_depth nesting
// levels (past either, `truncated` is set and the rest is not read), at most
// max_part_text_bytes of text per part, max_header_count headers per part.
// A multipart whose boundary never occurs is read as one text part (its words are
// usually the bounce); a header block that is not one (no "Name:" first line) makes the
// whole input one text/plain part.

#include <iconv.h>

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
  bool truncated = false;        // a part or depth limit cut the input
};

struct read_options {
  // Header names (lower case) to decode; the others are left out of the document.
  // nullptr: every header. The bounce reader names the dozen it reads, which spares
  // decoding DKIM signatures and vendor trace headers it never looks at.
  const std::vector<std::string>* headers = nullptr;
  // Header names (lower case) to decode among the top-level message's own headers;
  // nullptr: `headers`. A bounce's own Received chain is never read, its returned
  // message's is.
  const std::vector<std::string>* top_headers = nullptr;
  // false: the headers of leaf parts (text, DSN, ... : their Content-* fields) are not
  // decoded into part::headers; they still steer the decoding. Embedded messages keep
  // theirs.
  bool part_headers = true;
  // true: only the texts the bounce reader (reports/parse) reads are decoded; the other
  // parts are listed with their media type and an empty text. Read are: every
  // message/delivery-status, message/global-delivery-status and message/*-headers
  // part, the first message/feedback-report, text/rfc822-headers outside the returned
  // message, the first text/plain outside it, and the first text/html outside it when no
  // text/plain came before. The rest (a text/html alternative after the text/plain,
  // attachments, more text/plain parts) costs no decoding or charset conversion.
  bool only_read_texts = false;
};

document parse_mime(std::string_view bytes, const read_options& options = {});
// The same, read into `doc`, whose previous parts and headers are reused: their objects
// go to a per-thread pool first (bounded: max_mime_parts parts, 512 headers, no text
// buffer over 64 KiB kept) and new ones are taken from it, so a caller that keeps one
// document per thread allocates almost nothing for a message's structure. `doc` is
// overwritten whole; views into its old contents are invalid afterwards.
void parse_mime_into(std::string_view bytes, const read_options& options, document& doc);
document parse_mime_reference(std::string_view bytes);

// Initialises GMime for this process (once; later calls return at once), for modules
// that call GMime directly (reports/forwarded).
void initialise_gmime();

// What of `bytes` GMime may be given: cut before the (max_mime_parts+1)-th Content-Type
// header (then `truncated` is set), so its recursive parser never sees more parts, or
// more nesting levels, than the limits allow (a deep nest would exhaust the stack).
std::string_view bounded_for_gmime(std::string_view bytes, bool& truncated);

// Value of the first header named `name` (case-insensitive), or "".
std::string_view header_value(const std::vector<header>& headers, std::string_view name);

// Converts bytes in `charset` to UTF-8 (invalid sequences replaced); unknown charsets and
// undeclared 8-bit text are guessed.
std::string to_utf8(std::string_view bytes, std::string_view charset);

// ISO-2022-JP (RFC 1468) through `cd` (an iconv descriptor to UTF-8) by stretches: the
// ASCII between "ESC $ B" ... "ESC ( B" stretches copied, each stretch converted on its
// own. True with `out` equal to the whole text converted at once; false (out unspecified)
// for text with another escape, an 8-bit, SO or SI byte, or a stretch that does not
// convert whole: to_utf8 then converts the whole text. Leaves `cd` in its initial state.
bool iso2022jp_by_stretches(iconv_t cd, std::string_view bytes, std::string& out);

// RFC 2047 decoding of an unfolded header value, to UTF-8.
std::string decode_header_text(std::string_view raw);
// The same through GMime alone (decode_header_text reads the plain case itself): the
// reference the tests compare it with.
std::string decode_header_text_reference(std::string_view raw);
// The plain case of RFC 2047 read by hand, where GMime's answer is known: words separated
// by single spaces, each either ASCII text without "=?" or one whole encoded word
// "=?charset?B|Q?text?=" in UTF-8 or US-ASCII whose bytes (joined with the encoded words
// next to it, as GMime joins them) are valid, printable UTF-8 (or ASCII); B text in whole
// quanta of four, Q escapes complete. Adjacent encoded words join without the space
// between them (RFC 2047 section 6.2). True with `out` the decoded text (GMime's own
// answer); false, `out` unspecified, for anything else (GMime decodes it).
bool decode_plain_encoded_words(std::string_view raw, std::string& out);

// Parses a block of header lines ("Name: value", continuation lines start with space or
// tab) until the first empty line: text/rfc822-headers, DSN field blocks, quoted headers.
// At most `max_headers` fields are read; with `names` (lower case), only those named are
// unfolded, decoded and returned.
std::vector<header> parse_header_block(std::string_view text, std::size_t max_headers, bool decode = true,
                                       const std::vector<std::string>* names = nullptr);

// Transfer decodings, bounded to `max_bytes` of output (exposed for tests).
std::string decode_base64(std::string_view in, std::size_t max_bytes);
std::string decode_quoted_printable(std::string_view in, std::size_t max_bytes);

}  // namespace reports::mime
