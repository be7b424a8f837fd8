#include "reports/outlook_msg.hpp"

#include "reports/input.hpp"
#include "reports/limits.hpp"
#include "reports/mime.hpp"
#include "reports/text.hpp"

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-utils.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

namespace reports {
namespace {

constexpr std::string_view compound_file_signature("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);

void drop_message(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

void initialise_gsf() {
  static std::once_flag once;
  std::call_once(once, [] {
    gsf_init();
    // libgsf reports a malformed compound file (peer data) as GLib "critical" messages on
    // stderr before it gives up; the caller learns it from the result, so they are
    // dropped rather than printed into probe's output.
    // Some of its warnings carry no log domain; probe itself logs nothing through GLib.
    for (const char* domain : {"libgsf:msole", "libgsf", static_cast<const char*>(nullptr)})
      g_log_set_handler(domain, static_cast<GLogLevelFlags>(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING), drop_message, nullptr);
  });
}

// The raw bytes of one stream of the compound file's root, or nullopt.
std::optional<std::string> stream_bytes(GsfInfile* root, const char* name) {
  GsfInput* child = gsf_infile_child_by_name(root, name);
  if (child == nullptr) return std::nullopt;
  const auto size = static_cast<std::size_t>(std::max<gsf_off_t>(0, gsf_input_size(child)));
  const std::size_t wanted = std::min(size, limits::max_part_text_bytes);
  std::optional<std::string> out;
  if (wanted == 0) out = std::string();
  else if (const guint8* data = gsf_input_read(child, wanted, nullptr); data != nullptr)
    out = std::string(reinterpret_cast<const char*>(data), wanted);
  g_object_unref(child);
  return out;
}

// A string property ([MS-OXMSG] §2.1.3: "__substg1.0_" + tag + type): the Unicode form
// (001F, UTF-16LE) or the 8-bit one (001E), as UTF-8 without its terminating NULs.
std::string string_property(GsfInfile* root, std::string_view tag) {
  const std::string unicode = "__substg1.0_" + std::string(tag) + "001F";
  if (auto raw = stream_bytes(root, unicode.c_str())) {
    if (raw->size() < 2) return {};
    std::vector<gunichar2> units(raw->size() / 2);
    std::memcpy(units.data(), raw->data(), units.size() * 2);  // UTF-16LE on every platform GLib runs here
    while (!units.empty() && units.back() == 0) units.pop_back();
    if (units.empty()) return {};
    gchar* utf8 = g_utf16_to_utf8(units.data(), static_cast<glong>(units.size()), nullptr, nullptr, nullptr);
    if (utf8 != nullptr) {
      std::string out = text::valid_utf8(utf8);
      g_free(utf8);
      return out;
    }
    return mime::to_utf8(*raw, "utf-16le");
  }
  const std::string eight_bit = "__substg1.0_" + std::string(tag) + "001E";
  if (auto raw = stream_bytes(root, eight_bit.c_str())) {
    while (!raw->empty() && raw->back() == '\0') raw->pop_back();
    return mime::to_utf8(*raw, "");
  }
  return {};
}

// A header value from a property: one line, so it can never start another header.
std::string one_line(std::string value) {
  std::replace_if(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  return std::string(text::trim(value));
}

}  // namespace

bool looks_like_compound_file(std::string_view bytes) { return bytes.starts_with(compound_file_signature); }

namespace {

std::uint32_t le32(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24;
}

// [MS-CFB] 2.6.3: the root directory entry has no siblings (its Left and Right Sibling
// IDs are NOSTREAM). libgsf reads a root's siblings as parentless entries and never frees
// them (found by fuzzing: ~160 bytes per such file), so a file that breaks this is refused
// before libgsf sees it. The root entry is the first of the first directory sector
// (header fields: sector shift at 0x1E, first directory sector at 0x30).
bool root_entry_has_no_siblings(std::string_view bytes) {
  constexpr std::size_t header_size = 512, entry_size = 128, left_sibling = 0x44, right_sibling = 0x48;
  constexpr std::uint32_t no_stream = 0xFFFFFFFF;
  if (bytes.size() < header_size) return false;
  const unsigned shift = static_cast<unsigned char>(bytes[0x1E]) | static_cast<unsigned>(static_cast<unsigned char>(bytes[0x1F])) << 8;
  if (shift < 7 || shift > 16) return false;  // 512 and 4096 are the sizes in use; 2^16 bounds the arithmetic
  const std::uint64_t sector = std::uint64_t{1} << shift;
  const std::uint64_t root_at = std::max<std::uint64_t>(header_size, sector) + std::uint64_t{le32(bytes, 0x30)} * sector;
  if (root_at > bytes.size() || bytes.size() - root_at < entry_size) return false;
  const std::string_view root = bytes.substr(static_cast<std::size_t>(root_at), entry_size);
  return le32(root, left_sibling) == no_stream && le32(root, right_sibling) == no_stream;
}

}  // namespace

std::optional<std::string> message_from_outlook_msg(std::string_view bytes) {
  if (!looks_like_compound_file(bytes) || !root_entry_has_no_siblings(bytes)) return std::nullopt;
  initialise_gsf();
  GsfInput* input = gsf_input_memory_new(reinterpret_cast<const guint8*>(bytes.data()), static_cast<gsf_off_t>(bytes.size()), FALSE);
  if (input == nullptr) return std::nullopt;
  GsfInfile* root = gsf_infile_msole_new(input, nullptr);
  g_object_unref(input);
  if (root == nullptr) return std::nullopt;

  const std::string message_class = string_property(root, "001A");  // PidTagMessageClass
  const std::string subject = string_property(root, "0037");        // PidTagSubject
  std::string body = string_property(root, "1000");                 // PidTagBody
  if (body.empty()) {
    if (auto html = stream_bytes(root, "__substg1.0_10130102")) body = text::strip_html(mime::to_utf8(*html, ""));  // PidTagHtml
  }
  const std::string sender_name = string_property(root, "0C1A");  // PidTagSenderName
  std::string sender = string_property(root, "5D01");             // PidTagSenderSmtpAddress
  if (sender.empty()) sender = string_property(root, "0C1F");     // PidTagSenderEmailAddress (may be an X500 DN)
  const std::string display_to = string_property(root, "0E04");   // PidTagDisplayTo
  const std::string transport = string_property(root, "007D");    // PidTagTransportMessageHeaders
  g_object_unref(root);
  if (message_class.empty() && subject.empty() && body.empty()) return std::nullopt;

  std::string out;
  if (!sender.empty() || !sender_name.empty())
    out += "From: " + one_line(sender_name) + (sender.empty() ? "" : " <" + one_line(sender) + ">") + "\n";
  if (!display_to.empty()) out += "To: " + one_line(display_to) + "\n";
  if (!subject.empty()) out += "Subject: " + one_line(subject) + "\n";
  // What the transport headers add that the properties do not hold.
  const std::vector<std::string> kept = {"date", "message-id", "x-failed-recipients", "auto-submitted", "content-language"};
  for (const auto& h : mime::parse_header_block(normalise_line_endings(transport), limits::max_header_count, true, &kept))
    out += h.name + ": " + one_line(h.value) + "\n";
  if (!message_class.empty()) out += "X-MS-Message-Class: " + one_line(message_class) + "\n";
  out += "Content-Type: text/plain; charset=utf-8\n\n";
  out += normalise_line_endings(body);
  return out;
}

}  // namespace reports
