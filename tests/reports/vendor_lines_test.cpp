// Bounce lines as providers document them and as the common MTAs word them
// (data/vendor_lines.tsv, written for this test from postmaster pages and MTA messages,
// never from the bounce corpus) are classified with the cause they document. This is
// the check on knowledge that the corpus figures cannot give: phrasings the corpus
// does not contain, Chinese providers' codes and wording included.

#include "line_classifier.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace {

struct vendor_line {
  std::string source, reason, command, text;
  std::string remote_host;  // optional fifth column: the refusing host, for a provider's own codes
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

std::vector<vendor_line> read_lines() {
  std::vector<vendor_line> out;
  // PROBE_VENDOR_LINES names another file in the same format, to score a local set of lines
  // (the test then reports that file's figure and misses).
  const char* other = std::getenv("PROBE_VENDOR_LINES");
  std::ifstream in(other != nullptr && *other != '\0'
                       ? std::filesystem::path(other)
                       : std::filesystem::path(PROBE_SOURCE_DIR) / "tests" / "reports" / "data" / "vendor_lines.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto fields = split_tabs(line);
    if (fields.size() != 4 && fields.size() != 5) throw std::runtime_error("vendor_lines.tsv: want 4 or 5 columns: " + line);
    out.push_back({fields[0], fields[1], fields[2], fields[3], fields.size() == 5 ? fields[4] : ""});
  }
  return out;
}

reports::smtp_command command_named(const std::string& name) {
  static const std::map<std::string, reports::smtp_command> names{
      {"CONN", reports::smtp_command::conn}, {"EHLO", reports::smtp_command::ehlo},
      {"MAIL", reports::smtp_command::mail}, {"RCPT", reports::smtp_command::rcpt},
      {"DATA", reports::smtp_command::data}, {"-", reports::smtp_command::unknown}};
  const auto found = names.find(name);
  if (found == names.end()) throw std::runtime_error("vendor_lines.tsv: unknown SMTP step " + name);
  return found->second;
}

reports::classification classify_line(const vendor_line& line) {
  return reports::testing::classify_line(line.text, command_named(line.command), line.remote_host);
}

TEST(VendorLines, EveryDocumentedLineHasItsCause) {
  const auto lines = read_lines();
  EXPECT_GE(lines.size(), 150u);
  std::size_t ok = 0;
  for (const auto& l : lines) {
    const auto c = classify_line(l);
    EXPECT_EQ(c.reason, l.reason) << l.source << ": " << l.text << "  (by " << reports::to_string(c.by) << " '"
                                  << c.matched << "')";
    ok += c.reason == l.reason;
  }
  std::cout << "documented provider and MTA lines classified as documented: " << ok << "/" << lines.size() << "\n";
}

// 450 and 451 alone say only "temporary": greylisting, rate limits, DNS failures and
// filters all answer them. Without words that decide, the verdict is onhold.
TEST(VendorLines, GenericTemporaryReplyCodesDoNotGuess) {
  EXPECT_EQ(classify_line({"rfc", "", "DATA", "451 Requested action aborted: please try later"}).reason, "onhold");
  EXPECT_EQ(classify_line({"rfc", "", "RCPT", "450 4.0.0 try again later"}).reason, "onhold");
  // Codes with one documented meaning still decide (RFC 5321 §4.2.3).
  EXPECT_EQ(classify_line({"rfc", "", "RCPT", "452 xyzzy"}).reason, "systemfull");
}

// Greylisting's words decide over the status code's "blocked"/"filtered"/"system error"
// reading, so the advice says "retry" instead of sending the reader to blocklist removal.
TEST(VendorLines, GreylistingIsItsOwnSubCause) {
  for (const auto& [command, text] : std::vector<std::pair<std::string, std::string>>{
           {"RCPT", "450 4.2.0 <u@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html"},
           {"RCPT", "451 4.7.1 Greylisting in action, please come back later"},
           {"RCPT", "451 4.7.0 Temporary server error. Please try again later. PRX4 (greylisting)"},
           {"RCPT", "451 4.7.1 You have been greylisted. Please retry later"},
           {"RCPT", "450 4.7.1 Grey-listed for 300 seconds"},
           {"DATA", "451 4.7.1 邮件被灰名单暂缓，请稍后重试"}}) {
    const auto c = classify_line({"greylisting", "", command, text});
    EXPECT_EQ(c.reason, "blocked") << text;
    EXPECT_EQ(c.subcause, "greylisting") << text;
  }
  // "grey" alone, or a list that is not a greylist, is not greylisting.
  EXPECT_NE(classify_line({"greylisting", "", "RCPT", "550 5.7.1 Your IP is on our grey-area list"}).subcause, "greylisting");
}

}  // namespace
