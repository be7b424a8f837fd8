#include "probe/terminal_text.hpp"

#include "smtp/text.hpp"

#include <algorithm>
#include <cstdint>

namespace probe {
namespace {

void append_hex_escape(std::string& out, std::uint8_t b) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\x";
  out += hex[b >> 4];
  out += hex[b & 0x0f];
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 4);
  for (std::size_t i = 0; i < text.size();) {
    if (out.size() >= max_bytes) {
      out += "…";
      break;
    }
    const auto b = static_cast<std::uint8_t>(text[i]);
    if (b < 0x80) {
      if (b == '\t' || (b >= 0x20 && b != 0x7f))
        out += static_cast<char>(b);
      else
        append_hex_escape(out, b);
      ++i;
      continue;
    }
    const std::size_t length = smtp::utf8_sequence_length(text, i);
    if (length == 0) {
      append_hex_escape(out, b);
      ++i;
      continue;
    }
    // C1 controls U+0080–U+009F are encoded as C2 80–C2 9F; some terminals act on them.
    if (length == 2 && b == 0xc2 && static_cast<std::uint8_t>(text[i + 1]) < 0xa0) {
      append_hex_escape(out, static_cast<std::uint8_t>(text[i + 1]));
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string valid_utf8(std::string_view text) {
  // Most of what passes here is plain ASCII, valid as it is: copied whole.
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = smtp::utf8_sequence_length(text, i);
    if (length == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace probe
