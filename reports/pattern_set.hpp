#pragma once
// reports/pattern_set: many regular expressions from data, matched in one linear-time
// pass (RE2::Set), plus each expression on its own for capture groups.
//
// Why RE2: bounce text is peer-controlled; RE2 runs in time linear in the input with no
// backtracking, so no pattern in the data files can be turned against probe.
// Patterns are case-insensitive (data authors write them in lower case for clarity) and
// UTF-8. Indices follow the order of `add`; lower index = listed earlier = preferred.
// Thread-safety: after compile(), const member functions may be called concurrently.

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

class pattern_set {
 public:
  pattern_set();
  pattern_set(pattern_set&&) noexcept;
  pattern_set& operator=(pattern_set&&) noexcept;
  ~pattern_set();

  // Adds an expression; returns false (and sets `error`) when RE2 rejects it.
  bool add(const std::string& expression, std::string& error);
  // Compiles the set; an empty set compiles and never matches.
  bool compile(std::string& error);
  std::size_t size() const { return regexes_.size(); }
  // Indices of every matching expression, ascending.
  std::vector<int> matches(std::string_view text) const;
  // Lowest matching index, or -1.
  int first(std::string_view text) const;
  const RE2& regex(int index) const { return *regexes_.at(static_cast<std::size_t>(index)); }

 private:
  std::unique_ptr<RE2::Set> set_;
  std::vector<std::unique_ptr<RE2>> regexes_;
  bool compiled_ = false;
};

}  // namespace reports
