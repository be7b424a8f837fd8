// Organisational domains (RFC 7489 §3.2) from libpsl's built-in Public Suffix List.

#include "dns/org_domain.hpp"

#include <gtest/gtest.h>

namespace {

TEST(org_domain, one_label_below_the_public_suffix) {
  EXPECT_EQ(dns::organizational_domain("example.com"), "example.com");
  EXPECT_EQ(dns::organizational_domain("a.b.example.com"), "example.com");
  EXPECT_EQ(dns::organizational_domain("mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(dns::organizational_domain("www.city.kawasaki.jp"), "city.kawasaki.jp");  // PSL exception rule
  EXPECT_EQ(dns::organizational_domain("a.b.c.kawasaki.jp"), "b.c.kawasaki.jp");      // PSL wildcard rule
}

TEST(org_domain, names_are_normalised) {
  EXPECT_EQ(dns::organizational_domain("Mail.Example.COM."), "example.com");
}

TEST(org_domain, public_suffixes_are_their_own_answer) {
  EXPECT_EQ(dns::organizational_domain("co.uk"), "co.uk");
  EXPECT_EQ(dns::organizational_domain("com"), "com");
  EXPECT_TRUE(dns::is_public_suffix("co.uk"));
  EXPECT_TRUE(dns::is_public_suffix("com"));
  EXPECT_FALSE(dns::is_public_suffix("example.com"));
  EXPECT_EQ(dns::organizational_domain(""), "");
}

TEST(org_domain, unknown_tlds_use_the_implicit_rule) {
  EXPECT_EQ(dns::organizational_domain("mx.host.example-unknown-tld"), "host.example-unknown-tld");
  EXPECT_EQ(dns::organizational_domain("mail.probe.test"), "probe.test");
}

TEST(org_domain, alignment) {
  EXPECT_TRUE(dns::domains_aligned("example.com", "bounce.example.com", 'r'));
  EXPECT_FALSE(dns::domains_aligned("example.com", "bounce.example.com", 's'));
  EXPECT_FALSE(dns::domains_aligned("a.co.uk", "b.co.uk", 'r'));
}

}  // namespace
