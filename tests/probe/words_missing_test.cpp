// `probe server` and the live `probe bounce` print lines from probe/data/output_words.yaml:
// when that file cannot be read they stop with exit status 5 (input error) before any
// lookup, naming the file, as `probe mx`, `probe rbl` and `probe user@domain` do; --json
// needs no words. The data directory is a copy of the shipped one without the words file
// (symlinks); DNS goes to 127.0.0.1 port 9, where nothing answers, so nothing leaves the
// machine even if the check were gone.

#include "tests/probe/run_probe.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using probe_test::run_probe;
using testing::HasSubstr;

// PROBE_DATA_DIR holding every shipped module's data but probe/output_words.yaml.
class data_without_words {
 public:
  data_without_words() : dir_(fs::temp_directory_path() / ("probe-words-missing-" + std::to_string(::getpid()))) {
    const fs::path source(PROBE_SOURCE_DIR);
    fs::create_directories(dir_ / "probe");
    for (const auto& entry : fs::directory_iterator(source / "probe" / "data"))
      if (entry.path().filename() != "output_words.yaml") fs::create_symlink(entry.path(), dir_ / "probe" / entry.path().filename());
    fs::create_directory_symlink(source / "rbl" / "data", dir_ / "rbl");
    fs::create_directory_symlink(source / "reports" / "data", dir_ / "reports");
    fs::create_directory_symlink(source / "smtp", dir_ / "smtp");
    ::setenv("PROBE_DATA_DIR", dir_.c_str(), 1);
  }
  ~data_without_words() {
    ::unsetenv("PROBE_DATA_DIR");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

const std::vector<std::string> no_dns{"--dns-server", "127.0.0.1:9", "--dns-timeout", "200", "--dns-tries", "1"};

std::vector<std::string> with_no_dns(std::vector<std::string> args) {
  args.insert(args.end(), no_dns.begin(), no_dns.end());
  return args;
}

TEST(WordsMissing, ServerExitsFiveBeforeAnyLookup) {
  ASSERT_TRUE(fs::exists(fs::path(PROBE_SOURCE_DIR) / "rbl" / "data" / "catalogue.yaml"));
  const data_without_words data;
  for (const char* lang : {"zh", "en"}) {
    SCOPED_TRACE(lang);
    const auto r = run_probe(with_no_dns({"server", "--ip", "127.0.0.1", "--helo", "mail.example.test", "--domain",
                                          "example.test", "--lang", lang, "--color", "never"}));
    EXPECT_EQ(r.status, 5) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("probe server: "));
    EXPECT_THAT(r.err, HasSubstr("output_words.yaml"));
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // JSON needs no words: the check runs (its DNS fails, which is a result, not exit 5).
  const auto j = run_probe(with_no_dns({"server", "--ip", "127.0.0.1", "--helo", "mail.example.test", "--domain",
                                        "example.test", "--json"}));
  EXPECT_NE(j.status, 5) << j.out << j.err;
  EXPECT_THAT(j.out, HasSubstr("\"items\""));
}

TEST(WordsMissing, LiveBounceExitsFiveOfflineNeedsNoWords) {
  const data_without_words data;
  const auto message = data.dir() / "bounce.eml";
  {
    std::ofstream f(message);
    f << "From: MAILER-DAEMON@mx.example.test\r\n"
         "To: sender@example.test\r\n"
         "Subject: Undelivered Mail Returned to Sender\r\n"
         "Content-Type: text/plain\r\n\r\n"
         "<bob@example.test>: host mx.example.test[192.0.2.1] said: 550 5.1.1 <bob@example.test>:\r\n"
         "    Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)\r\n";
  }
  const auto live = run_probe(with_no_dns({"bounce", message.string(), "--lang", "zh", "--color", "never"}));
  EXPECT_EQ(live.status, 5) << live.out << live.err;
  EXPECT_THAT(live.err, HasSubstr("probe bounce: "));
  EXPECT_THAT(live.err, HasSubstr("output_words.yaml"));
  EXPECT_TRUE(live.out.empty()) << live.out;
  // Offline the report's words are the reports' own (reports/data): no need for the file.
  const auto offline = run_probe({"bounce", "--offline", message.string(), "--lang", "zh", "--color", "never"});
  EXPECT_NE(offline.status, 5) << offline.out << offline.err;
  EXPECT_FALSE(offline.out.empty());
}

}  // namespace
