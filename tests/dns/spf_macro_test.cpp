// SPF macros (RFC 7208 §7): the RFC's own expansion examples (§7.4), syntax errors, and
// the details the suite checks only case-insensitively (URL-encoding hex case).

#include "dns/spf_macro.hpp"

#include <gtest/gtest.h>

namespace {

namespace macro = dns::spf::macro;
using macro::context;

// The example context of RFC 7208 §7.4.
macro::values rfc_example(std::string_view ip = "192.0.2.3") {
  macro::values v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip = boost::asio::ip::make_address(ip);
  v.validated_name = "mx.example.org";
  v.helo = "mx.example.org";
  return v;
}

std::string expanded(std::string_view text, const macro::values& v = rfc_example(), context where = context::domain_spec) {
  const auto out = macro::expand(text, v, where);
  return out.value_or("<error>");
}

TEST(spf_macro, rfc7208_section_7_4_single_macros) {
  EXPECT_EQ(expanded("%{s}"), "strong-bad@email.example.com");
  EXPECT_EQ(expanded("%{o}"), "email.example.com");
  EXPECT_EQ(expanded("%{d}"), "email.example.com");
  EXPECT_EQ(expanded("%{d4}"), "email.example.com");
  EXPECT_EQ(expanded("%{d3}"), "email.example.com");
  EXPECT_EQ(expanded("%{d2}"), "example.com");
  EXPECT_EQ(expanded("%{d1}"), "com");
  EXPECT_EQ(expanded("%{dr}"), "com.example.email");
  EXPECT_EQ(expanded("%{d2r}"), "example.email");
  EXPECT_EQ(expanded("%{l}"), "strong-bad");
  EXPECT_EQ(expanded("%{l-}"), "strong.bad");
  EXPECT_EQ(expanded("%{lr}"), "strong-bad");
  EXPECT_EQ(expanded("%{lr-}"), "bad.strong");
  EXPECT_EQ(expanded("%{l1r-}"), "strong");
}

TEST(spf_macro, rfc7208_section_7_4_macro_strings) {
  EXPECT_EQ(expanded("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expanded("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(expanded("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"), "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expanded("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"), "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(expanded("%{d2}.trusted-domains.example.net"), "example.com.trusted-domains.example.net");
  EXPECT_EQ(expanded("%{ir}.%{v}._spf.%{d2}", rfc_example("2001:db8::cb01")),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST(spf_macro, escapes_and_delimiters) {
  EXPECT_EQ(expanded("a%%b%_c%-d"), "a%b c%20d");
  auto v = rfc_example();
  v.local_part = "foo-bar+zip+quux";
  EXPECT_EQ(expanded("%{l2r+-}", v), "bar.foo");
  EXPECT_EQ(expanded("%{l,/_=}", v), "foo-bar+zip+quux");
  v.local_part = "a,b/c_d=e";
  EXPECT_EQ(expanded("%{l,/_=}", v), "a.b.c.d.e");
  // More parts asked for than exist: all of them (§7.3).
  EXPECT_EQ(expanded("%{d99}"), "email.example.com");
}

TEST(spf_macro, upper_case_letters_are_url_encoded_with_upper_case_hex) {
  auto v = rfc_example();
  v.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(expanded("%{L}", v), "~jack%26jill%3Dup-a_b3.c");
  v.helo = "JUMPIN' JUPITER";
  EXPECT_EQ(expanded("%{H}", v), "JUMPIN%27%20JUPITER");
  // Lower case: the value as is.
  EXPECT_EQ(expanded("%{h}", v, context::explanation), "JUMPIN' JUPITER");
}

TEST(spf_macro, explanation_only_letters) {
  auto v = rfc_example("2001:db8::cb01");
  v.receiver = "mx.receiver.example";
  v.timestamp = 1234567890;
  EXPECT_EQ(expanded("%{c} %{r} %{t} %{v}", v, context::explanation), "2001:db8::cb01 mx.receiver.example 1234567890 ip6");
  EXPECT_NE(macro::check("%{c}", context::domain_spec), "");
  EXPECT_NE(macro::check("%{r}.example.com", context::domain_spec), "");
  EXPECT_NE(macro::check("%{t}", context::domain_spec), "");
  EXPECT_FALSE(macro::expand("%{c}", v, context::domain_spec).has_value());
  EXPECT_EQ(expanded("%{p}"), "mx.example.org");
}

TEST(spf_macro, syntax_errors) {
  for (const auto* bad : {"%", "foo%", "%a", "%(ir)", "%{", "%{d", "%{x}", "%{d0}", "%{d1234}", "%{dd}", "%{d2r!}",
                          "a b", "\x01", "caf\xc3\xa9"}) {
    EXPECT_NE(macro::check(bad, context::domain_spec), "") << bad;
    EXPECT_FALSE(macro::expand(bad, rfc_example(), context::domain_spec).has_value()) << bad;
  }
  EXPECT_EQ(macro::check("a b %{c}", context::explanation), "");
  EXPECT_EQ(macro::check("%{D2R-.}", context::domain_spec), "");
}

TEST(spf_macro, uses_letter_finds_macros_not_literals) {
  EXPECT_TRUE(macro::uses_letter("%{p}.example.com", 'p'));
  EXPECT_TRUE(macro::uses_letter("%{P2r}.example.com", 'p'));
  EXPECT_FALSE(macro::uses_letter("p.example.com", 'p'));
  EXPECT_FALSE(macro::uses_letter("%{d}.example.com", 'p'));
}

TEST(spf_macro, ip_values) {
  EXPECT_EQ(macro::ip_macro_value(boost::asio::ip::make_address("192.0.2.3")), "192.0.2.3");
  EXPECT_EQ(macro::ip_macro_value(boost::asio::ip::make_address("2001:db8::cb01")),
            "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
}

TEST(spf_macro, long_names_lose_labels_from_the_left) {
  std::string label(60, 'x');
  std::string name = "a." + label + "." + label + "." + label + "." + label + ".example.com.";
  const auto fitted = macro::fit_domain_name(name);
  EXPECT_LE(fitted.size(), 253u);
  EXPECT_EQ(fitted, label + "." + label + "." + label + ".example.com");
  EXPECT_EQ(macro::fit_domain_name("example.com."), "example.com");
  EXPECT_EQ(macro::fit_domain_name(std::string(300, 'y')), std::string(300, 'y'));  // one label: left as is
}

}  // namespace
