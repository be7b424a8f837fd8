#include "probe/style.hpp"

#include <cstdlib>
#include <string_view>

#include <unistd.h>

namespace probe {

style::style(color_mode mode) {
  if (mode == color_mode::always) {
    enabled_ = true;
  } else if (mode == color_mode::automatic) {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    enabled_ = isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && std::string_view(term) == "dumb");
  }
}

std::string style::wrap(std::string_view code, std::string_view text) const {
  if (!enabled_) return std::string(text);
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

}  // namespace probe
