#include "reports/forwarded.hpp"

#include "reports/limits.hpp"
#include "reports/mime.hpp"
#include "reports/outlook_msg.hpp"
#include "reports/text.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <map>
#include <utility>

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
  if (is_report_type(mime::header_value(headers, "content-type"))) return false;
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

// An attachment's content, transfer encoding undone, at most max_message_bytes.
std::string decoded_content(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GMimeStream* stream = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(content, stream);
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
    if (GMIME_IS_PART(object)) {
      outlook_attachment(GMIME_PART(object));
      return;
    }
    if (!GMIME_IS_MESSAGE_PART(object)) return;
    GMimeMessage* attached = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (attached == nullptr) return;
    keep_if_bounce(message_bytes(attached));
  }

  // Outlook forwards a message as its .msg file (application/vnd.ms-outlook): the
  // compound-file signature says so whatever the part is labelled.
  void outlook_attachment(GMimePart* part) {
    const char* name = g_mime_part_get_filename(part);
    GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part));
    const bool named_msg = name != nullptr && text::lower(name).ends_with(".msg");
    const bool typed_msg = type != nullptr && g_mime_content_type_is_type(type, "application", "vnd.ms-outlook");
    if (!named_msg && !typed_msg) return;
    const std::string content = decoded_content(part);
    if (auto message = message_from_outlook_msg(content)) keep_if_bounce(std::move(*message));
  }

  void keep_if_bounce(std::string bytes) {
    const auto headers = mime::parse_header_block(bytes, limits::max_header_count, true, &header_names());
    if (looks_like_a_bounce(headers, k)) found.push_back(std::move(bytes));
  }
};

// "Label: value" of a forwarded header block, the label mapped to from|date|to|subject;
// Outlook's bold "*From:*" and a full-width colon are read alike. Empty when not one.
std::pair<std::string, std::string_view> forwarded_field(std::string_view line, const knowledge& k) {
  line = text::trim(line);
  std::size_t colon = line.find(':');
  std::size_t after = colon + 1;
  if (const std::size_t wide = line.find("\xef\xbc\x9a"); wide != std::string_view::npos && wide < colon) {
    colon = wide;
    after = wide + 3;
  }
  if (colon == std::string_view::npos || colon == 0 || colon > 40) return {};
  std::string label = text::lower(text::trim(line.substr(0, colon)));
  while (!label.empty() && label.front() == '*') label.erase(0, 1);
  const auto found = k.forward_label_of.find(label);
  if (found == k.forward_label_of.end()) return {};
  std::string_view value = text::trim(line.substr(after));
  while (!value.empty() && value.front() == '*') value.remove_prefix(1);
  return {found->second, text::trim(value)};
}

// The forward's own header block, read once for both kinds of forward.
std::vector<mime::header> own_headers(std::string_view message) {
  return mime::parse_header_block(message, limits::max_header_count, true, &header_names());
}

// The forward's own words: its first text/plain part, else its first text/html part's
// words (an HTML-only forward).
std::string forward_text(std::string_view message) {
  mime::read_options options;
  options.only_read_texts = true;
  options.part_headers = false;
  const mime::document doc = mime::parse_mime(message, options);
  const mime::part* html = nullptr;
  for (const auto& p : doc.parts) {
    if (p.in_original || p.text.empty()) continue;
    if (p.media_type == "text/plain") return p.text;
    if (p.media_type == "text/html" && html == nullptr) html = &p;
  }
  return html == nullptr ? std::string() : text::strip_html(html->text);
}

// A pasted header block starting at lines[at]: its fields (from|date|to|subject) and the
// line after it.
std::pair<std::map<std::string, std::string>, std::size_t> header_block_at(const std::vector<std::string_view>& lines,
                                                                          std::size_t at, const knowledge& k) {
  std::map<std::string, std::string> fields;
  for (; at < lines.size(); ++at) {
    const auto [field, value] = forwarded_field(lines[at], k);
    if (field.empty()) break;
    fields.emplace(field, value);
  }
  return {std::move(fields), at};
}

std::optional<std::string> pasted_bounce(std::string_view message, const knowledge& k) {
  const std::string body = forward_text(message);
  if (body.empty()) return std::nullopt;
  const auto lines = text::lines(body, limits::max_text_lines);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // A marker line, then the block; or, as Outlook writes it, a block with no marker at
    // the start of a paragraph, which must then name at least From, Subject and one more.
    std::size_t start = i;
    bool marked = k.forward_markers.first(lines[i]) >= 0;
    if (marked) {
      start = i + 1;
      while (start < lines.size() && text::trim(lines[start]).empty()) ++start;
    } else if (!(i == 0 || text::trim(lines[i - 1]).empty()) || forwarded_field(lines[i], k).first != "from") {
      continue;
    }
    auto [fields, after] = header_block_at(lines, start, k);
    if (fields.size() < (marked ? 2u : 3u) || (!marked && (fields["from"].empty() || fields["subject"].empty()))) continue;
    if (k.bounce_senders.first(fields["from"]) < 0 && k.bounce_subjects.first(fields["subject"]) < 0) continue;
    // The forwarded report as a message of its own: its header block, then its words.
    std::string out;
    for (const char* name : {"from", "date", "to", "subject"})
      if (!fields[name].empty()) out += std::string(1, static_cast<char>(name[0] - 32)) + (name + 1) + ": " + fields[name] + "\n";
    out += "Content-Type: text/plain; charset=utf-8\n\n";
    const char* rest = after < lines.size() ? lines[after].data() : body.data() + body.size();
    out.append(rest, static_cast<std::size_t>(body.data() + body.size() - rest));
    return out;
  }
  return std::nullopt;
}

std::vector<std::string> attachments_of(std::string_view message, const std::vector<mime::header>& headers,
                                        const knowledge& k) {
  if (!text::istarts_with(text::trim(mime::header_value(headers, "content-type")), "multipart/") ||
      (text::ifind(message, "message/rfc822") == std::string_view::npos &&
       text::ifind(message, "vnd.ms-outlook") == std::string_view::npos && text::ifind(message, ".msg") == std::string_view::npos))
    return {};

  mime::initialise_gmime();
  bool cut = false;
  message = mime::bounded_for_gmime(message, cut);
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

}  // namespace

std::optional<std::string> inline_forwarded_bounce(std::string_view message, const knowledge& k) {
  const auto headers = own_headers(message);
  if (headers.empty() || !written_by_a_person(headers, k)) return std::nullopt;
  return pasted_bounce(message, k);
}

std::vector<std::string> attached_bounces(std::string_view message, const knowledge& k) {
  const auto headers = own_headers(message);
  if (!written_by_a_person(headers, k)) return {};
  return attachments_of(message, headers, k);
}

namespace {

// One level: the message itself, or what a person forwarded in it.
std::vector<input_message> unwrap_once(input_message message, const knowledge& k) {
  std::vector<input_message> out;
  // Cheap test first: almost every input is a bounce as sent, whose own From turns it away.
  const auto headers = own_headers(message.bytes);
  if (headers.empty() || !written_by_a_person(headers, k)) {
    out.push_back(std::move(message));
    return out;
  }
  auto bounces = attachments_of(message.bytes, headers, k);
  if (bounces.empty()) {
    if (auto pasted = pasted_bounce(message.bytes, k)) {
      out.push_back({message.origin + "#forwarded", std::move(*pasted), message.truncated});
      return out;
    }
    out.push_back(std::move(message));
    return out;
  }
  for (std::size_t i = 0; i < bounces.size(); ++i) {
    const std::string name = bounces.size() == 1 ? "#attached" : "#attached-" + std::to_string(i + 1);
    out.push_back({message.origin + name, std::move(bounces[i]), message.truncated});
  }
  return out;
}

// A forward of a forward (a user forwards the bounce to the help desk, which forwards it to
// the postmaster) is unwrapped again, to this depth: each level is a person's message, so
// a deeper chain is not a bounce anyone needs read.
constexpr int max_forward_depth = 4;

void unwrap_into(input_message message, const knowledge& k, int depth, std::vector<input_message>& out) {
  const std::string origin = message.origin;
  auto level = unwrap_once(std::move(message), k);
  for (auto& m : level) {
    if (m.origin != origin && depth + 1 < max_forward_depth) unwrap_into(std::move(m), k, depth + 1, out);
    else out.push_back(std::move(m));
  }
}

}  // namespace

std::vector<input_message> unwrap_forward(input_message message, const knowledge& k) {
  std::vector<input_message> out;
  unwrap_into(std::move(message), k, 0, out);
  return out;
}

}  // namespace reports
