#pragma once
// Terminal columns of text, so tables line up when a column holds Chinese words: CJK
// characters take two columns, other code points one, an invalid byte one (as
// probe::printable() shows it). Pure functions; no locale, no wcwidth (its answer depends
// on the locale the user happens to run under).

#include <cstddef>
#include <string>
#include <string_view>

namespace probe {

std::size_t display_width(std::string_view text);

// `text` followed by spaces up to `width` columns (unchanged when already as wide).
std::string pad_to_width(std::string_view text, std::size_t width);

}  // namespace probe
