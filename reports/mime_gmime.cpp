// GMime 3 side of reports/mime: charset conversion, RFC 2047 decoding and the reference
// structure reader (see mime.hpp).
#include "reports/mime.hpp"

#include "reports/limits.hpp"
#include "reports/text.hpp"

#include <gmime/gmime.h>

#include <iconv.h>

#include <algorithm>
#include <cstring>

#include <mutex>
#include <utility>
#include <vector>

namespace reports::mime {
namespace {

// ISO-8859-1 maps each byte to the code point of the same value (U+0000..U+00FF), so it
// needs no iconv descriptor: the corpus's commonest 8-bit charset, converted in place of
// an iconv open/convert/close per part.
bool is_latin1_name(std::string_view name) {
  return name == "iso-8859-1" || name == "iso8859-1" || name == "iso_8859-1" || name == "latin1" ||
         name == "latin-1" || name == "l1" || name == "cp819";
}

// Like the iconv path (whose result is read as a C string), the text ends at the first
// NUL: a "text" part holding NUL bytes is binary data, and its rest is not read.
std::string latin1_to_utf8(std::string_view bytes) {
  bytes = bytes.substr(0, bytes.find('\0'));
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

// Converters to UTF-8 kept open per thread, by charset name: opening one costs more than
// converting a bounce's text (GMime's own cache still takes a lock and a lookup). A few
// charsets cover mail; past `max_open` the rest are opened and closed per call.
class converters {
 public:
  ~converters() {
    for (const auto& [name, cd] : open_) g_mime_iconv_close(cd);
  }
  iconv_t get(const std::string& charset) {
    for (const auto& [name, cd] : open_)
      if (name == charset) return cd;
    const char* iconv_name = g_mime_charset_iconv_name(charset.c_str());
    const iconv_t cd = g_mime_iconv_open("UTF-8", iconv_name ? iconv_name : charset.c_str());
    if (cd != reinterpret_cast<iconv_t>(-1) && open_.size() < max_open) open_.emplace_back(charset, cd);
    else if (cd != reinterpret_cast<iconv_t>(-1)) spare_.reset(cd);
    return cd;
  }

 private:
  static constexpr std::size_t max_open = 16;
  // The last converter past max_open, closed when the next one replaces it.
  struct spare {
    iconv_t cd = reinterpret_cast<iconv_t>(-1);
    void reset(iconv_t next) {
      if (cd != reinterpret_cast<iconv_t>(-1)) g_mime_iconv_close(cd);
      cd = next;
    }
    ~spare() { reset(reinterpret_cast<iconv_t>(-1)); }
  } spare_;
  std::vector<std::pair<std::string, iconv_t>> open_;
};

iconv_t converter_to_utf8(const std::string& charset) {
  thread_local converters per_thread;
  return per_thread.get(charset);
}

// A text part that names no charset but is not UTF-8: Chinese servers send GB2312 bytes
// unlabelled (GMime's guess, made from the locale's charsets, reads them as Latin-1
// mojibake). East Asian double-byte text has its high bytes in pairs of 0xA1-0xFE;
// Latin-1 text has lone high bytes between ASCII letters. Among such pairs, EUC-JP's kana
// rows (lead 0xA4/0xA5) are frequent in Japanese and rare in Chinese. Returns the
// charset to read the bytes as, or "" to leave the guess to GMime.
std::string east_asian_charset_of(std::string_view bytes) {
  std::size_t high = 0, paired = 0, kana = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) continue;
    ++high;
    if (i + 1 < bytes.size() && b >= 0xA1 && b <= 0xFE) {
      const auto next = static_cast<unsigned char>(bytes[i + 1]);
      if (next >= 0xA1 && next <= 0xFE) {
        ++high;
        paired += 2;
        kana += b == 0xA4 || b == 0xA5;
        ++i;
      }
    }
  }
  constexpr std::size_t min_pairs = 4;
  if (paired < 2 * min_pairs || paired * 10 < high * 9) return {};
  return kana * 10 > (paired / 2) * 3 ? "euc-jp" : "gb18030";
}

bool is_utf8(std::string_view bytes) { return text::valid_utf8(bytes) == bytes; }

void ensure_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Cuts the input before the (max_mime_parts+1)-th Content-Type header, so GMime's
// recursive parser never sees more parts — or more nesting levels — than the limit.
std::string_view bound_parts(std::string_view bytes, bool& truncated) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    if (text::istarts_with(bytes.substr(pos, 13), "content-type:") && ++count > limits::max_mime_parts) {
      truncated = true;
      return bytes.substr(0, pos);
    }
    const std::size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return bytes;
}

std::string unfold_value(const char* value) {
  if (value == nullptr) return {};
  std::string_view v(value);
  return text::valid_utf8(text::squeeze(v.substr(0, limits::max_header_bytes * 2)), limits::max_header_bytes);
}

std::vector<header> read_headers(GMimeObject* object) {
  std::vector<header> out;
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  if (list == nullptr) return out;
  const int count = g_mime_header_list_get_count(list);
  for (int i = 0; i < count && out.size() < limits::max_header_count; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    if (h == nullptr) continue;
    const char* name = g_mime_header_get_name(h);
    header item;
    item.name = text::valid_utf8(name ? std::string_view(name).substr(0, 256) : std::string_view());
    item.value = unfold_value(g_mime_header_get_value(h));
    out.push_back(std::move(item));
  }
  return out;
}

std::string media_type_of(GMimeObject* object) {
  GMimeContentType* ct = g_mime_object_get_content_type(object);
  if (ct == nullptr) return "text/plain";
  const char* type = g_mime_content_type_get_media_type(ct);
  const char* sub = g_mime_content_type_get_media_subtype(ct);
  return text::lower(std::string(type ? type : "text") + "/" + (sub ? sub : "plain"));
}

bool wants_text(std::string_view media_type, bool in_original) {
  if (media_type.starts_with("message/") || media_type == "text/rfc822-headers") return true;
  // The returned message's own body is not needed to explain the bounce; skipping it
  // keeps large attachments from costing decode time.
  if (in_original) return false;
  return media_type.starts_with("text/") || media_type == "application/octet-stream" ||
         media_type == "application/json";
}

std::string leaf_text(GMimePart* part, std::string_view media_type) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  GMimeStream* out = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(wrapper, out);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
  std::string raw;
  if (bytes != nullptr)
    raw.assign(reinterpret_cast<const char*>(bytes->data),
               std::min<std::size_t>(bytes->len, limits::max_part_text_bytes));
  g_object_unref(out);
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  (void)media_type;
  return to_utf8(raw, charset ? charset : "");
}

struct walker {
  document& doc;
  std::size_t visited = 0;

  void walk(GMimeObject* object, int depth, bool in_original) {
    if (object == nullptr || ++visited > limits::max_mime_parts * 2) return;
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      const int count = g_mime_multipart_get_count(multipart);
      for (int i = 0; i < count; ++i) walk(g_mime_multipart_get_part(multipart, i), depth + 1, in_original);
      return;
    }
    if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      part entry;
      entry.media_type = media_type_of(object);
      entry.depth = depth;
      entry.in_original = in_original;
      entry.is_embedded_message = true;
      if (inner != nullptr) entry.headers = read_headers(GMIME_OBJECT(inner));
      doc.parts.push_back(std::move(entry));
      if (inner != nullptr) walk(g_mime_message_get_mime_part(inner), depth + 1, true);
      return;
    }
    if (GMIME_IS_PART(object)) {
      part entry;
      entry.media_type = media_type_of(object);
      entry.depth = depth;
      entry.in_original = in_original;
      entry.headers = read_headers(object);
      if (wants_text(entry.media_type, in_original)) entry.text = leaf_text(GMIME_PART(object), entry.media_type);
      doc.parts.push_back(std::move(entry));
    }
  }
};

}  // namespace

void initialise_gmime() { ensure_gmime(); }

std::string_view bounded_for_gmime(std::string_view bytes, bool& truncated) { return bound_parts(bytes, truncated); }

// In the corpus's Japanese bounces about 6% of the bytes are inside JIS stretches: the
// rest is copied instead of going through iconv's two steps per byte. Each stretch runs
// from its escape through the "ESC ( B" that returns to ASCII, converted from the initial
// state, which is the state the whole conversion is in at that escape.
bool iso2022jp_by_stretches(iconv_t cd, std::string_view bytes, std::string& out) {
  constexpr char esc = 0x1B;
  // (NUL was replaced or cut by the caller; is_plain_ascii refuses it too.)
  if (!text::is_plain_ascii(bytes) || bytes.find('\x0E') != std::string_view::npos ||
      bytes.find('\x0F') != std::string_view::npos)
    return false;
  for (std::size_t i = bytes.find(esc); i != std::string_view::npos; i = bytes.find(esc, i + 1)) {
    const std::string_view sequence = bytes.substr(i + 1, 2);
    if (sequence != "$B" && sequence != "$@" && sequence != "(B" && sequence != "(J") return false;
  }
  constexpr std::string_view to_ascii = "\x1B(B";
  out.clear();
  out.reserve(bytes.size() + bytes.size() / 2);
  std::size_t at = 0;
  while (at < bytes.size()) {
    std::size_t stretch = bytes.find(esc, at);
    if (stretch == std::string_view::npos) stretch = bytes.size();
    out.append(bytes.substr(at, stretch - at));
    if (stretch == bytes.size()) break;
    if (bytes.substr(stretch, 3) == to_ascii) {  // already ASCII: converts to nothing
      at = stretch + 3;
      continue;
    }
    const std::size_t back = bytes.find(to_ascii, stretch + 3);
    const std::size_t end = back == std::string_view::npos ? bytes.size() : back + to_ascii.size();
    // A JIS X 0208 character is two bytes in and three out; escapes give nothing.
    const std::size_t before = out.size();
    out.resize(before + 2 * (end - stretch) + 16);
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    char* in = const_cast<char*>(bytes.data() + stretch);
    std::size_t in_left = end - stretch;
    char* written = out.data() + before;
    std::size_t out_left = out.size() - before;
    const bool whole = iconv(cd, &in, &in_left, &written, &out_left) != static_cast<std::size_t>(-1) &&
                       iconv(cd, nullptr, nullptr, &written, &out_left) != static_cast<std::size_t>(-1);
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    if (!whole) return false;
    out.resize(static_cast<std::size_t>(written - out.data()));
    at = end;
  }
  return true;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  const std::string name = text::lower(text::trim(charset));
  // A stray NUL in 8-bit text becomes a space, as valid_utf8 makes it in UTF-8 parts
  // (the C-string conversions below would otherwise end the text there, and the same
  // bounce would read differently by charset). A part full of control bytes is binary
  // data labelled text (a PNG as "text/plain"): it is read up to its first NUL only.
  // UTF-16/32 use NUL bytes in their code units and are left alone.
  std::string without_nul;
  const bool wide = name.starts_with("utf-16") || name.starts_with("utf16") || name.starts_with("utf-32") ||
                    name.starts_with("utf32") || name.starts_with("ucs-2") || name.starts_with("ucs-4");
  if (!wide && !bytes.empty() && std::memchr(bytes.data(), '\0', bytes.size()) != nullptr) {
    const auto control = std::count_if(bytes.begin(), bytes.end(), [](char c) {
      const auto b = static_cast<unsigned char>(c);
      return b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1B;
    });
    if (control > 8 && static_cast<std::size_t>(control) * 100 > bytes.size()) {
      bytes = bytes.substr(0, bytes.find('\0'));
    } else {
      without_nul.assign(bytes);
      std::replace(without_nul.begin(), without_nul.end(), '\0', ' ');
      bytes = without_nul;
    }
  }
  // 7-bit text is already UTF-8 unless the charset is a 7-bit encoding of something else.
  const bool seven_bit_charset = name.starts_with("iso-2022") || name == "utf-7" || name == "hz-gb-2312";
  if (!seven_bit_charset && text::is_plain_ascii(bytes)) return std::string(bytes);
  bool ascii = true;
  for (const char c : bytes)
    if (static_cast<unsigned char>(c) >= 0x80 || c == 0x1B) {
      ascii = false;
      break;
    }
  if ((ascii && !seven_bit_charset) || name == "utf-8" || name == "us-ascii" || name == "utf8")
    return text::valid_utf8(bytes);
  if (is_latin1_name(name)) return latin1_to_utf8(bytes);
  ensure_gmime();
  std::string target = name;
  if (target.empty() && !is_utf8(bytes)) target = east_asian_charset_of(bytes);
  // Mail labelled GB2312 routinely carries GBK characters; GB18030 is the superset of both.
  if (name == "gb2312" || name == "gbk" || name == "x-gbk" || name == "euc-cn" || name == "cp936") target = "gb18030";
  if (!target.empty()) {
    const iconv_t cd = converter_to_utf8(target);
    if (cd != reinterpret_cast<iconv_t>(-1) && target == "iso-2022-jp") {
      thread_local std::string stretches;  // scratch (to_utf8 does not recurse)
      const bool read = iso2022jp_by_stretches(cd, bytes, stretches);
      std::string out = read ? text::valid_utf8(stretches) : std::string();
      if (stretches.capacity() > 64 * 1024) std::string().swap(stretches);  // keeps no large buffer
      if (read) return out;
    }
    if (cd != reinterpret_cast<iconv_t>(-1)) {
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // back to the initial shift state
      char* converted = g_mime_iconv_strndup(cd, bytes.data(), bytes.size());
      if (converted != nullptr) {
        std::string out = text::valid_utf8(converted);
        g_free(converted);
        return out;
      }
    }
  }
  // Unknown or absent charset: let GMime guess from the user's and common charsets.
  char* guessed = g_mime_utils_decode_8bit(nullptr, bytes.data(), bytes.size());
  if (guessed == nullptr) return text::valid_utf8(bytes);
  std::string out = text::valid_utf8(guessed);
  g_free(guessed);
  return out;
}

std::string decode_header_text(std::string_view raw) {
  ensure_gmime();
  if (raw.find("=?") == std::string_view::npos) {
    bool ascii = true;
    for (const char c : raw)
      if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (ascii) return std::string(raw);
  }
  if (std::string plain; raw.size() <= limits::max_header_bytes * 2 && decode_plain_encoded_words(raw, plain)) return plain;
  return decode_header_text_reference(raw);
}

std::string decode_header_text_reference(std::string_view raw) {
  ensure_gmime();
  const std::string copy(raw.substr(0, limits::max_header_bytes * 2));
  char* decoded = g_mime_utils_header_decode_text(nullptr, copy.c_str());
  if (decoded == nullptr) return text::valid_utf8(copy);
  std::string out = text::valid_utf8(decoded);
  g_free(decoded);
  return out;
}

document parse_mime_reference(std::string_view bytes) {
  ensure_gmime();
  document doc;
  bytes = bound_parts(bytes, doc.truncated);
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  g_object_unref(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  if (message == nullptr) {
    // Not even a header block: keep the bytes as one text part so the free-text readers
    // can still look at them.
    part whole;
    whole.media_type = "text/plain";
    whole.text = to_utf8(bytes.substr(0, limits::max_part_text_bytes), "");
    doc.parts.push_back(std::move(whole));
    return doc;
  }
  doc.headers = read_headers(GMIME_OBJECT(message));
  walker w{doc};
  w.walk(g_mime_message_get_mime_part(message), 0, false);
  g_object_unref(message);
  return doc;
}

}  // namespace reports::mime
