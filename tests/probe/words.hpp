#pragma once
// Test helpers for probe/data/output_words.yaml: the installed file, loaded once per test
// program (a load error is a broken test, thrown); and the check that the file with one
// line replaced is refused at load with a message naming the problem (a missing Chinese
// text, other placeholders, a missing key). The edited copy is a temporary file of this
// process, removed after the load.

#include "probe/output_words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <variant>

namespace probe_test {

inline std::filesystem::path words_file() { return std::filesystem::path(PROBE_SOURCE_DIR) / "probe/data/output_words.yaml"; }

inline const probe::output_words& words() {
  static const auto loaded = probe::output_words::load(words_file());
  if (const auto* problem = std::get_if<std::string>(&loaded)) throw std::runtime_error(*problem);
  return std::get<probe::output_words>(loaded);
}

inline void expect_words_refused(const std::string& line, const std::string& replaced, const std::string& problem) {
  std::ifstream in(words_file());
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const auto at = text.find(line);
  ASSERT_NE(at, std::string::npos) << line;
  text.replace(at, line.size(), replaced);
  const auto path = std::filesystem::temp_directory_path() / ("probe_words_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << text;
  }
  const auto loaded = probe::output_words::load(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded)) << line;
  EXPECT_THAT(std::get<std::string>(loaded), testing::HasSubstr(problem));
}

}  // namespace probe_test
