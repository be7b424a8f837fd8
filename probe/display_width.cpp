#include "probe/display_width.hpp"

#include "smtp/text.hpp"

#include <algorithm>

namespace probe {

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = std::max<std::size_t>(smtp::utf8_sequence_length(text, i), 1);
    const auto b = static_cast<unsigned char>(text[i]);
    bool wide = len == 4;  // supplementary CJK ideographs, emoji
    if (len == 3) {
      const unsigned cp = ((b & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                          (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      wide = cp >= 0x2E80;  // CJK, kana, Hangul, fullwidth forms
    }
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

std::string pad_to_width(std::string_view text, std::size_t width) {
  std::string out(text);
  const std::size_t shown = display_width(text);
  if (shown < width) out.append(width - shown, ' ');
  return out;
}

}  // namespace probe
