// Every bounce line quoted in the seed guides (shared/seeds/) is classified as the guide
// says. The lines and expectations live in data/seed_lines.tsv (written from the guides).

#include "line_classifier.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

struct seed_line {
  std::string seed, reason, text;
};

std::vector<seed_line> read_lines() {
  std::vector<seed_line> out;
  std::ifstream in(std::filesystem::path(PROBE_SOURCE_DIR) / "tests" / "reports" / "data" / "seed_lines.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto a = line.find('\t');
    const auto b = line.find('\t', a + 1);
    const auto c = line.find('\t', b + 1);
    out.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1, c == std::string::npos ? c : c - b - 1)});
  }
  return out;
}

using reports::testing::classify_line;

TEST(Seeds, EveryLineHasTheGuidesReason) {
  const auto lines = read_lines();
  ASSERT_GE(lines.size(), 120u);
  std::size_t ok = 0;
  for (const auto& l : lines) {
    const auto c = classify_line(l.text);
    EXPECT_EQ(c.reason, l.reason) << "seed " << l.seed << ": " << l.text << "  (by " << reports::to_string(c.by)
                                  << " '" << c.matched << "')";
    ok += c.reason == l.reason;
  }
  std::cout << "seed lines classified as the guides say: " << ok << "/" << lines.size() << "\n";
}

TEST(Seeds, HintsForCorrelation) {
  const auto spamcop = classify_line("554 5.7.1 Client host [192.0.2.1] blocked using bl.spamcop.net");
  EXPECT_EQ(spamcop.hints.dnsbl_zone, "bl.spamcop.net");
  EXPECT_EQ(spamcop.hints.client_ip, "192.0.2.1");
  const auto anti = classify_line(
      "554 Service unavailable; Client host [202.105.45.53] blocked using cblplus.anti-spam.org.cn; Mail from "
      "202.105.45.53 refused, see http://anti-spam.org.cn/services/rblquery.php?IP=202.105.45.53");
  EXPECT_EQ(anti.hints.dnsbl_zone, "cblplus.anti-spam.org.cn");
  EXPECT_EQ(anti.hints.client_ip, "202.105.45.53");
  EXPECT_EQ(anti.subcause, "anti-spam-cn");
  const auto sbl = classify_line("550 5.7.1 Mail from IP 192.0.2.7 was rejected due to listing in Spamhaus SBL");
  EXPECT_EQ(sbl.hints.dnsbl_zone, "sbl.spamhaus.org");
  EXPECT_EQ(sbl.hints.client_ip, "192.0.2.7");
  const auto size = classify_line("message size 2397844 exceeds size limit 2097152 of server simapajouh.com[207.176.216.198]");
  ASSERT_TRUE(size.hints.size_limit.has_value());
  EXPECT_EQ(*size.hints.size_limit, 2097152u);
  const auto kbytes = classify_line("552 Data size must not exceed 4096K bytes.");
  ASSERT_TRUE(kbytes.hints.size_limit.has_value());
  EXPECT_EQ(*kbytes.hints.size_limit, 4096u * 1024u);
  const auto loop = classify_line("554 Too many hops 27 (25 max): from firstdomain.com> via mail. firstdomain.com, to");
  EXPECT_EQ(loop.subcause, "too-many-hops");
  const auto timeout = classify_line("connect to mail.corpease.net: Connection timed out");
  EXPECT_TRUE(timeout.hints.connection_level);
  const auto ptr = classify_line(
      "host mx2.hanmail.net[211.43.197.154] said:553 5.5.4 Host name(mail.mail155.cn4e.com) is not match with your "
      "ip(218.85.134.155), maybe it's bogus.");
  EXPECT_EQ(ptr.hints.client_ip, "218.85.134.155");
  EXPECT_EQ(ptr.hints.remote_host, "");  // the recipient carried no remote host here
  const auto pbl = classify_line("550 5.7.1 Service unavailable; client [192.0.2.9] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.9 PBL");
  EXPECT_EQ(pbl.reason, "blocked");
  EXPECT_EQ(pbl.hints.dnsbl_zone, "zen.spamhaus.org");
}

TEST(Seeds, DecisionOrder) {
  // A specific status code decides before the words.
  EXPECT_EQ(classify_line("550 5.2.2 <a@example.com>... sorry").reason, "mailboxfull");
  // Words decide when the code is generic.
  EXPECT_EQ(classify_line("550 5.0.0 relay access denied").reason, "norelaying");
  // The reply code decides when neither code nor words do.
  EXPECT_EQ(classify_line("552 xyzzy").reason, "mailboxfull");
  // The command decides last.
  EXPECT_EQ(classify_line("550 xyzzy (in reply to MAIL FROM command)").reason, "rejected");
  EXPECT_EQ(classify_line("550 xyzzy (in reply to RCPT TO command)").reason, "userunknown");
  const auto c = classify_line("550 5.1.1 <a@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command)");
  EXPECT_EQ(to_string(c.by), "status");
  EXPECT_TRUE(c.hard);
}

}  // namespace
