#include "reports/forwarded.hpp"

#include "reports/limits.hpp"
#include "reports/mime.hpp"
#include "reports/text.hpp"

#include <gmime/gmime.h>

namespace reports {
namespace {

const std::vector<std::string>& header_names() {
  static const std::vector<std::string> names = {"from", "subject", "content-type", "auto-submitted",
                                                 "x-failed-recipients"};
  return names;
}

bool is_report_type(std::string_view content_type) { return text::istarts_with(text::trim(content_type), "multipart/report"); }

// The sender's own headers: a person's message, not a report and not an automatic one.
bool written_by_a_person(const std::vector<mime::header>& headers, const knowledge& k) {
  const std::string_view type = mime::header_value(headers, "content-type");
  if (!text::istarts_with(text::trim(type), "multipart/") || is_report_type(type)) return false;
  const std::string_view auto_submitted = text::trim(mime::header_value(headers, "auto-submitted"));
  if (!auto_submitted.empty() && !text::istarts_with(auto_submitted, "no")) return false;
  return k.bounce_senders.first(mime::header_value(headers, "from")) < 0;
}

bool looks_like_a_bounce(const std::vector<mime::header>& headers, const knowledge& k) {
  return is_report_type(mime::header_value(headers, "content-type")) ||
         !mime::header_value(headers, "x-failed-recipients").empty() ||
         k.bounce_senders.first(mime::header_value(headers, "from")) >= 0 ||
         k.bounce_subjects.first(mime::header_value(headers, "subject")) >= 0;
}

std::string message_bytes(GMimeMessage* message) {
  GMimeStream* stream = g_mime_stream_mem_new();
  g_mime_object_write_to_stream(GMIME_OBJECT(message), nullptr, stream);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  std::string out(reinterpret_cast<const char*>(bytes->data), std::min<std::size_t>(bytes->len, limits::max_message_bytes));
  g_object_unref(stream);
  return out;
}

struct attachment_walk {
  const knowledge& k;
  std::vector<std::string> found;
  std::size_t parts_seen = 0;

  // The forward's own parts: attachments at any multipart level, not inside an attached
  // message (a bounce's returned original is not the user's attachment).
  void walk(GMimeObject* object) {
    if (object == nullptr || ++parts_seen > limits::max_mime_parts) return;
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      const int count = g_mime_multipart_get_count(multipart);
      for (int i = 0; i < count && parts_seen <= limits::max_mime_parts; ++i) walk(g_mime_multipart_get_part(multipart, i));
      return;
    }
    if (!GMIME_IS_MESSAGE_PART(object)) return;
    GMimeMessage* attached = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (attached == nullptr) return;
    std::string bytes = message_bytes(attached);
    const auto headers = mime::parse_header_block(bytes, limits::max_header_count, true, &header_names());
    if (looks_like_a_bounce(headers, k)) found.push_back(std::move(bytes));
  }
};

}  // namespace

std::vector<std::string> attached_bounces(std::string_view message, const knowledge& k) {
  // Cheap tests first: almost every input is a bounce as sent, which these turn away.
  if (text::ifind(message, "message/rfc822") == std::string_view::npos) return {};
  const auto headers = mime::parse_header_block(message, limits::max_header_count, true, &header_names());
  if (!written_by_a_person(headers, k)) return {};

  mime::initialise_gmime();
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(message.data(), message.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  g_object_unref(stream);
  GMimeMessage* parsed = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  if (parsed == nullptr) return {};
  attachment_walk walk{k, {}, 0};
  walk.walk(g_mime_message_get_mime_part(parsed));
  g_object_unref(parsed);
  return std::move(walk.found);
}

std::vector<input_message> unwrap_forward(input_message message, const knowledge& k) {
  auto bounces = attached_bounces(message.bytes, k);
  std::vector<input_message> out;
  if (bounces.empty()) {
    out.push_back(std::move(message));
    return out;
  }
  for (std::size_t i = 0; i < bounces.size(); ++i) {
    const std::string name = bounces.size() == 1 ? "#attached" : "#attached-" + std::to_string(i + 1);
    out.push_back({message.origin + name, std::move(bounces[i]), message.truncated});
  }
  return out;
}

}  // namespace reports
