#pragma once
// Test helper: probe/data/output_words.yaml with one line replaced must be refused at load
// with a message naming the problem (a missing Chinese text, other placeholders, a missing
// key). The edited copy is a temporary file of this process, removed after the load.

#include "probe/output_words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>

namespace probe_test {

inline void expect_words_refused(const std::string& line, const std::string& replaced, const std::string& problem) {
  std::ifstream in(std::filesystem::path(PROBE_SOURCE_DIR) / "probe/data/output_words.yaml");
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
