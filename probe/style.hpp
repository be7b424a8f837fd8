#pragma once
// Terminal colour for text output: on only when stdout is a terminal (or --color always),
// never when NO_COLOR is set (https://no-color.org) or TERM is "dumb".

#include "probe/settings.hpp"

#include <string>
#include <string_view>

namespace probe {

class style {
 public:
  explicit style(color_mode mode);
  bool enabled() const { return enabled_; }
  std::string good(std::string_view text) const { return wrap("32", text); }     // green
  std::string bad(std::string_view text) const { return wrap("31", text); }      // red
  std::string warn(std::string_view text) const { return wrap("33", text); }     // yellow
  std::string strong(std::string_view text) const { return wrap("1", text); }    // bold
  std::string dim(std::string_view text) const { return wrap("2", text); }

 private:
  std::string wrap(std::string_view code, std::string_view text) const;
  bool enabled_ = false;
};

}  // namespace probe
