#include "reports/pattern_set.hpp"

#include <algorithm>

namespace reports {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_max_mem(64 << 20);
  return o;
}

}  // namespace

pattern_set::pattern_set() : set_(std::make_unique<RE2::Set>(options(), RE2::UNANCHORED)) {}
pattern_set::pattern_set(pattern_set&&) noexcept = default;
pattern_set& pattern_set::operator=(pattern_set&&) noexcept = default;
pattern_set::~pattern_set() = default;

bool pattern_set::add(const std::string& expression, std::string& error) {
  auto regex = std::make_unique<RE2>(expression, options());
  if (!regex->ok()) {
    error = "bad pattern '" + expression + "': " + regex->error();
    return false;
  }
  std::string set_error;
  if (set_->Add(expression, &set_error) < 0) {
    error = "bad pattern '" + expression + "': " + set_error;
    return false;
  }
  regexes_.push_back(std::move(regex));
  return true;
}

bool pattern_set::compile(std::string& error) {
  if (regexes_.empty()) {
    compiled_ = false;
    return true;
  }
  if (!set_->Compile()) {
    error = "pattern set too large for RE2";
    return false;
  }
  compiled_ = true;
  return true;
}

std::vector<int> pattern_set::matches(std::string_view text) const {
  std::vector<int> out;
  if (!compiled_) return out;
  set_->Match(re2::StringPiece(text.data(), text.size()), &out);
  std::sort(out.begin(), out.end());
  return out;
}

int pattern_set::first(std::string_view text) const {
  const auto all = matches(text);
  return all.empty() ? -1 : all.front();
}

}  // namespace reports
