#pragma once
// Test helpers: a catalogue parsed from YAML text and a target parsed from its text, for
// inputs a test knows to be good; a parse error is a broken test, thrown.

#include "rbl/catalogue.hpp"
#include "rbl/target.hpp"

#include <stdexcept>
#include <string_view>
#include <variant>

namespace rbl::testing {

inline catalogue catalogue_from(std::string_view yaml) {
  auto loaded = catalogue::parse(yaml, "test");
  if (auto* e = std::get_if<load_error>(&loaded)) throw std::runtime_error(e->what);
  return std::get<catalogue>(std::move(loaded));
}

inline target target_of(std::string_view text) {
  auto parsed = parse_target(text);
  if (auto* e = std::get_if<target_error>(&parsed)) throw std::runtime_error(e->what);
  return std::get<target>(parsed);
}

}  // namespace rbl::testing
