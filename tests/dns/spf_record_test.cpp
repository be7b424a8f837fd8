// SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, §7.1): what parses into which terms,
// and which texts are permerrors with an error that names the term.

#include "dns/spf_record.hpp"

#include <gtest/gtest.h>

namespace {

using namespace dns::spf;

record parsed(std::string_view text) {
  auto r = parse_record(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error;
  return r.value;
}

TEST(spf_record, selection_needs_v_spf1_then_space_or_end) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf_record("V=SpF1 ~all"));
  EXPECT_FALSE(is_spf_record("v=spf10"));
  EXPECT_FALSE(is_spf_record("v=spf1mx"));
  EXPECT_FALSE(is_spf_record(" v=spf1 -all"));
  EXPECT_FALSE(is_spf_record("spf2.0/pra -all"));
  EXPECT_FALSE(is_spf_record(""));
}

TEST(spf_record, terms_in_order_with_qualifiers) {
  const auto rec = parsed("v=spf1  +a -mx ~ptr ?include:_spf.example.net exists:%{i}.x.example ip4:192.0.2.0/24 ip6:2001:db8::/32 all ");
  ASSERT_EQ(rec.mechanisms.size(), 8u);
  EXPECT_EQ(rec.mechanisms[0].kind, mechanism_kind::a);
  EXPECT_EQ(rec.mechanisms[0].qual, qualifier::pass);
  EXPECT_EQ(rec.mechanisms[1].kind, mechanism_kind::mx);
  EXPECT_EQ(rec.mechanisms[1].qual, qualifier::fail);
  EXPECT_EQ(rec.mechanisms[2].qual, qualifier::softfail);
  EXPECT_EQ(rec.mechanisms[3].qual, qualifier::neutral);
  EXPECT_EQ(rec.mechanisms[3].domain_spec, "_spf.example.net");
  EXPECT_EQ(rec.mechanisms[3].text, "?include:_spf.example.net");
  EXPECT_EQ(rec.mechanisms[4].domain_spec, "%{i}.x.example");
  EXPECT_EQ(rec.mechanisms[5].network.to_string(), "192.0.2.0");
  EXPECT_EQ(rec.mechanisms[5].cidr4, 24);
  EXPECT_EQ(rec.mechanisms[6].network.to_string(), "2001:db8::");
  EXPECT_EQ(rec.mechanisms[6].cidr6, 32);
  EXPECT_EQ(rec.mechanisms[7].kind, mechanism_kind::all);
  EXPECT_TRUE(rec.mechanisms[0].queries_dns());
  EXPECT_FALSE(rec.mechanisms[5].queries_dns());
  EXPECT_FALSE(rec.mechanisms[7].queries_dns());
}

TEST(spf_record, dual_cidr_lengths) {
  const auto rec = parsed("v=spf1 a/24//64 mx:example.com//48 a:foo:bar/baz.example.com a:x.example/0");
  EXPECT_EQ(rec.mechanisms[0].cidr4, 24);
  EXPECT_EQ(rec.mechanisms[0].cidr6, 64);
  EXPECT_EQ(rec.mechanisms[1].domain_spec, "example.com");
  EXPECT_EQ(rec.mechanisms[1].cidr4, 32);
  EXPECT_EQ(rec.mechanisms[1].cidr6, 48);
  // A slash not followed by digits belongs to the domain-spec.
  EXPECT_EQ(rec.mechanisms[2].domain_spec, "foo:bar/baz.example.com");
  EXPECT_EQ(rec.mechanisms[3].cidr4, 0);
}

TEST(spf_record, modifiers) {
  const auto rec = parsed("v=spf1 -all exp=explain.%{d} redirect=_spf.example.net moo.cow-far_out=man:dog/cat");
  ASSERT_TRUE(rec.exp && rec.redirect);
  EXPECT_EQ(rec.exp->value, "explain.%{d}");
  EXPECT_EQ(rec.redirect->value, "_spf.example.net");
  ASSERT_EQ(rec.unknown_modifiers.size(), 1u);
  EXPECT_EQ(rec.unknown_modifiers[0].name, "moo.cow-far_out");
  EXPECT_TRUE(parse_record("v=spf1 Redirect=example.com").value.redirect.has_value());
}

TEST(spf_record, syntax_errors_name_the_term) {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"v=spf1 ip4:1.2.3.4 -all moo", "moo"},
      {"v=spf1 -all.", "-all."},
      {"v=spf1 -all:foobar", "-all:foobar"},
      {"v=spf1 -all/8", "-all/8"},
      {"v=spf1 ptr/0", "ptr/0"},
      {"v=spf1 ptr:", "ptr:"},
      {"v=spf1 a/33", "a/33"},
      {"v=spf1 a//129", "a//129"},
      {"v=spf1 a/24/64", "a/24/64"},
      {"v=spf1 a:", "a:"},
      {"v=spf1 a:museum", "a:museum"},
      {"v=spf1 a:museum.", "a:museum."},
      {"v=spf1 a:111.222.33.44", "a:111.222.33.44"},
      {"v=spf1 a:example.-com", "a:example.-com"},
      {"v=spf1 a:example.com:8080", "a:example.com:8080"},
      {"v=spf1 include", "include"},
      {"v=spf1 include:", "include:"},
      {"v=spf1 include:ip5.example.com/24", "include:ip5.example.com/24"},
      {"v=spf1 exists", "exists"},
      {"v=spf1 ip4", "ip4"},
      {"v=spf1 ip4:1.2.3", "ip4:1.2.3"},
      {"v=spf1 ip4:1.2.3.4:8080", "ip4:1.2.3.4:8080"},
      {"v=spf1 ip4:1.2.3.4/032", "ip4:1.2.3.4/032"},
      {"v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32"},
      {"v=spf1 ip4:01.2.3.4", "ip4:01.2.3.4"},
      {"v=spf1 ip4:256.2.3.4", "ip4:256.2.3.4"},
      {"v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE"},
      {"v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0"},
      {"v=spf1 ip6:::1/129", "ip6:::1/129"},
      {"v=spf1 redirect:example.com", "redirect:example.com"},
      {"v=spf1 redirect=a.example redirect=b.example", "redirect=b.example"},
      {"v=spf1 exp=a.example exp=b.example", "exp=b.example"},
      {"v=spf1 exp=", "exp="},
      {"v=spf1 redirect=-all", "redirect=-all"},
      {"v=spf1 1up=foo", "1up=foo"},
      {"v=spf1 =all", "=all"},
      {"v=spf1 foo=%abc", "foo=%abc"},
      {"v=spf1 exists:%{r}.example.com", "exists:%{r}.example.com"},
  };
  for (const auto& [text, term] : bad) {
    const auto r = parse_record(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error.find("\"" + term + "\""), std::string::npos) << text << " → " << r.error;
  }
}

TEST(spf_record, non_ascii_and_control_characters_are_errors_not_separators) {
  EXPECT_FALSE(parse_record("v=spf1 a:ctrl.example.com\rptr -all").ok());
  EXPECT_FALSE(parse_record("v=spf1 ip4:192.0.2.5\n include:x.example ~all").ok());
  EXPECT_FALSE(parse_record("v=spf1 a\t-all").ok());
  EXPECT_FALSE(parse_record(std::string("v=spf1 a:foo.example.com\0", 25)).ok());
  EXPECT_FALSE(parse_record("v=spf1 \x80" "a:example.net -all").ok());
  EXPECT_NE(parse_record("v=spf1 a:example.net \x96" "all").error.find("non-ASCII"), std::string::npos);
}

TEST(spf_record, domain_spec_end) {
  EXPECT_EQ(check_domain_spec("example.com"), "");
  EXPECT_EQ(check_domain_spec("example.com."), "");
  EXPECT_EQ(check_domain_spec("foo.example.xn--zckzah"), "");
  EXPECT_EQ(check_domain_spec("%{d}"), "");
  EXPECT_EQ(check_domain_spec("_spf.%{d2}"), "");
  EXPECT_EQ(check_domain_spec("%{ir}.%{v}._spf.%{d2}"), "");
  EXPECT_NE(check_domain_spec(""), "");
  EXPECT_NE(check_domain_spec("foo-bar"), "");
  EXPECT_NE(check_domain_spec("abc.123"), "");
  EXPECT_NE(check_domain_spec("%{d}.123"), "");
}

TEST(spf_record, toplabels) {
  EXPECT_TRUE(is_toplabel("com"));
  EXPECT_TRUE(is_toplabel("c0m"));
  EXPECT_TRUE(is_toplabel("xn--zckzah"));
  EXPECT_TRUE(is_toplabel("123-456"));
  EXPECT_FALSE(is_toplabel("123"));
  EXPECT_FALSE(is_toplabel("-com"));
  EXPECT_FALSE(is_toplabel("com-"));
  EXPECT_FALSE(is_toplabel("co_m"));
  EXPECT_FALSE(is_toplabel(""));
}

}  // namespace
