// `probe --help` and every command's --help are complete (issue 8): each ends with
// examples and the command's exit statuses; --version names the libraries' versions.

#include "tests/probe/run_probe.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

TEST(Help, EveryCommandShowsExamplesAndExitStatus) {
  const std::vector<std::vector<std::string>> pages = {{"--help"},          {"mx", "--help"},     {"check", "--help"},
                                                       {"bounce", "--help"}, {"rbl", "--help"},    {"server", "--help"},
                                                       {"batch", "--help"}};
  for (const auto& args : pages) {
    const auto r = probe_test::run_probe(args);
    const std::string page = args.size() == 1 ? "probe --help" : "probe " + args[0] + " --help";
    EXPECT_EQ(r.status, 0) << page << "\n" << r.err;
    EXPECT_NE(r.out.find("Examples:\n  probe"), std::string::npos) << page << " has no examples:\n" << r.out;
    if (args.size() == 2) {
      EXPECT_NE(r.out.find("Exit status"), std::string::npos) << page << " names no exit status:\n" << r.out;
    }
    EXPECT_TRUE(r.err.empty()) << page << " wrote to stderr: " << r.err;
  }
}

TEST(Help, VersionNamesTheLibraries) {
  const auto r = probe_test::run_probe({"--version"});
  EXPECT_EQ(r.status, 0);
  for (const char* library : {"probe ", "c-ares ", "OpenSSL ", "Boost "})
    EXPECT_NE(r.out.find(library), std::string::npos) << "no " << library << "in " << r.out;
}

}  // namespace
