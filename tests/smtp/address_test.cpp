// Address, HELO and sender checks: RFC 5321 syntax, IDN to A-labels, command injection.
#include "smtp/address.hpp"
#include "smtp/capabilities.hpp"
#include "smtp/text.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Mailbox, PlainAddress) {
  const auto box = smtp::parse_mailbox("User.Name+tag@Example.COM");
  ASSERT_TRUE(box) << box.error;
  EXPECT_EQ(box->local, "User.Name+tag");  // local parts are case-sensitive (RFC 5321 §2.4)
  EXPECT_EQ(box->domain, "example.com");
  EXPECT_FALSE(box->utf8_local);
  EXPECT_EQ(box->address(), "User.Name+tag@example.com");
}

TEST(Mailbox, AngleBracketsBlanksAndTrailingDot) {
  const auto box = smtp::parse_mailbox("  <postmaster@example.org.>  ");
  ASSERT_TRUE(box) << box.error;
  EXPECT_EQ(box->domain, "example.org");
}

TEST(Mailbox, QuotedLocalPart) {
  const auto box = smtp::parse_mailbox("\"john smith\"@example.com");
  ASSERT_TRUE(box) << box.error;
  EXPECT_EQ(box->local, "\"john smith\"");
  EXPECT_TRUE(smtp::parse_mailbox("\"a\\\"b\"@example.com"));
  EXPECT_FALSE(smtp::parse_mailbox("\"unterminated@example.com"));
  EXPECT_FALSE(smtp::parse_mailbox("\"a\"b\"@example.com"));
}

TEST(Mailbox, InternationalDomainBecomesALabels) {
  const auto box = smtp::parse_mailbox("info@Bücher.example");
  ASSERT_TRUE(box) << box.error;
  EXPECT_EQ(box->domain, "xn--bcher-kva.example");
  EXPECT_FALSE(box->utf8_local);
  const auto chinese = smtp::parse_mailbox("admin@例子.测试");
  ASSERT_TRUE(chinese) << chinese.error;
  EXPECT_EQ(chinese->domain, "xn--fsqu00a.xn--0zwm56d");
}

TEST(Mailbox, NonAsciiLocalPartNeedsSmtputf8) {
  const auto box = smtp::parse_mailbox("用户@example.com");
  ASSERT_TRUE(box) << box.error;
  EXPECT_TRUE(box->utf8_local);
}

TEST(Mailbox, RefusesCommandInjection) {
  for (const std::string& bad : {std::string("a@example.com\r\nDATA"), std::string("a\n@example.com"),
                                std::string("a@exa\rmple.com"), std::string("a@example.com\0x", 15)}) {
    const auto box = smtp::parse_mailbox(bad);
    EXPECT_FALSE(box) << bad;
    EXPECT_NE(box.error.find("CR, LF or NUL"), std::string::npos) << box.error;
  }
}

TEST(Mailbox, RefusesBadSyntax) {
  for (const char* bad : {"", "nodomain", "@example.com", "a@", "a..b@example.com", ".a@example.com",
                          "a.@example.com", "a b@example.com", "a@exa mple.com", "a@-bad.example",
                          "a@bad-.example", "a@example..com", "a(b)@example.com", "a@[192.0.2.1]",
                          "a@192.0.2.1", "a@example.123", "a@exa_mple.com"}) {
    EXPECT_FALSE(smtp::parse_mailbox(bad)) << bad;
  }
}

TEST(Mailbox, LengthLimits) {
  EXPECT_TRUE(smtp::parse_mailbox(std::string(64, 'a') + "@example.com"));
  EXPECT_FALSE(smtp::parse_mailbox(std::string(65, 'a') + "@example.com"));
  EXPECT_FALSE(smtp::parse_mailbox("a@" + std::string(64, 'b') + ".com"));  // label > 63
  std::string long_domain;
  for (int i = 0; i < 5; ++i) long_domain += std::string(60, 'c') + ".";
  EXPECT_FALSE(smtp::parse_mailbox("a@" + long_domain + "com"));
}

TEST(Helo, FullyQualifiedOrNot) {
  const auto fqdn = smtp::check_helo("mail.example.net");
  ASSERT_TRUE(fqdn);
  EXPECT_TRUE(fqdn->fully_qualified);
  const auto bare = smtp::check_helo("myhost");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->fully_qualified);
  EXPECT_TRUE(smtp::check_helo("[192.0.2.1]"));
  EXPECT_TRUE(smtp::check_helo("[IPv6:2001:db8::1]"));
  EXPECT_FALSE(smtp::check_helo("[IPv6:192.0.2.1]"));
  EXPECT_FALSE(smtp::check_helo("192.0.2.1"));
  EXPECT_FALSE(smtp::check_helo("mail.example.net\r\nMAIL FROM:<x@y>"));
  EXPECT_FALSE(smtp::check_helo(""));
}

TEST(ReversePath, NullSenderAndMailbox) {
  EXPECT_EQ(*smtp::check_reverse_path(""), "");
  EXPECT_EQ(*smtp::check_reverse_path("<>"), "");
  EXPECT_EQ(*smtp::check_reverse_path("probe@Mail.Example.NET"), "probe@mail.example.net");
  EXPECT_FALSE(smtp::check_reverse_path("probe@example.net>\r\nRCPT TO:<victim@example.org"));
  EXPECT_FALSE(smtp::check_reverse_path("not an address"));
}

TEST(Subdomain, LabelBoundary) {
  EXPECT_TRUE(smtp::is_same_or_subdomain("example.com", "example.com"));
  EXPECT_TRUE(smtp::is_same_or_subdomain("mx.example.com", "example.com"));
  EXPECT_FALSE(smtp::is_same_or_subdomain("badexample.com", "example.com"));
  EXPECT_FALSE(smtp::is_same_or_subdomain("com", "example.com"));
}

TEST(Text, SanitizeKeepsUtf8AndReplacesControls) {
  bool replaced = false;
  EXPECT_EQ(smtp::sanitize("ok 中文", replaced), "ok 中文");
  EXPECT_FALSE(replaced);
  EXPECT_EQ(smtp::sanitize("a\x1b[2Jb\x7f\xc2\x9b", replaced), "a?[2Jb??");
  EXPECT_TRUE(replaced);
}

TEST(Capabilities, PostfixEhlo) {
  smtp::reply r;
  r.code = 250;
  r.lines = {"mx1.probe.test", "PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "STARTTLS", "ENHANCEDSTATUSCODES",
             "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING", "AUTH PLAIN login", "AUTH=LOGIN"};
  const auto caps = smtp::parse_ehlo(r);
  EXPECT_TRUE(caps.esmtp);
  EXPECT_EQ(caps.server_name, "mx1.probe.test");
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 10240000u);
  EXPECT_TRUE(caps.starttls && caps.pipelining && caps.eightbitmime && caps.smtputf8 && caps.enhanced_status_codes &&
              caps.chunking && caps.dsn);
  EXPECT_EQ(caps.auth, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_EQ(caps.keywords.size(), 12u);
}

TEST(Capabilities, SizeWithoutLimitAndJunk) {
  smtp::reply r;
  r.code = 250;
  r.lines = {"sink", "size", "SIZE 0", "", "X-WEIRD \x01"};
  const auto caps = smtp::parse_ehlo(r);
  EXPECT_TRUE(caps.size);
  EXPECT_FALSE(caps.size_limit);
  EXPECT_FALSE(caps.starttls);
  smtp::reply junk;
  junk.code = 250;
  junk.lines = {"x", "SIZE notanumber"};
  EXPECT_FALSE(smtp::parse_ehlo(junk).size_limit);
}

}  // namespace
