// SPF and DMARC against the real nsd of the test rig, serving tests/rig/zones/spf.test.zone:
// the c-ares resolver, real wire answers (split TXT strings, MX, NXDOMAIN), and the
// scenarios the end-to-end tests of probe server rely on. Runs inside the rig
// (`rig.sh exec`), which sets PROBE_RIG_NSD; skipped elsewhere.

#include "dns/dmarc.hpp"
#include "dns/resolver.hpp"
#include "dns/spf.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

namespace net = boost::asio;
using dns::spf::result;

constexpr const char* authorised = "127.0.0.20";
constexpr const char* outsider = "127.0.0.21";

struct spf_case {
  const char* domain;
  result for_authorised;
  result for_outsider;
  const char* mechanism_for_authorised;  // "" = not checked
};

const spf_case spf_cases[] = {
    {"pass.spf.test", result::pass, result::fail, "ip4:127.0.0.20"},
    {"include.spf.test", result::pass, result::fail, "include:_a.spf.test"},
    {"redirect.spf.test", result::pass, result::softfail, "a:mta.spf.test"},
    {"mx.spf.test", result::pass, result::fail, "mx"},
    {"split.spf.test", result::pass, result::fail, "ip4:127.0.0.20"},
    {"helo.spf.test", result::pass, result::fail, "a"},
    {"softfail.spf.test", result::softfail, result::softfail, "~all"},
    {"neutral.spf.test", result::neutral, result::neutral, "?all"},
    {"toomany.spf.test", result::permerror, result::permerror, ""},
    {"void.spf.test", result::permerror, result::permerror, ""},
    {"multiple.spf.test", result::permerror, result::permerror, ""},
    {"syntax.spf.test", result::permerror, result::permerror, ""},
    {"include-none.spf.test", result::permerror, result::permerror, ""},
    {"none.spf.test", result::none, result::none, ""},
    {"nosuch.spf.test", result::none, result::none, ""},
};

class spf_rig : public testing::Test {
 protected:
  void SetUp() override {
    const char* nsd = std::getenv("PROBE_RIG_NSD");
    if (!nsd) GTEST_SKIP() << "PROBE_RIG_NSD is not set: run inside the rig (tests/rig/rig.sh exec)";
    dns::resolver_options options;
    options.servers = {nsd};
    options.timeout = std::chrono::milliseconds(1000);
    auto created = dns::resolver::create(io_.get_executor(), options);
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<dns::resolver>>(created));
    resolver_ = std::move(std::get<0>(created));
  }

  dns::spf::evaluation check(const char* ip, const std::string& domain) {
    dns::spf::request req;
    req.ip = net::ip::make_address(ip);
    req.sender = "someone@" + domain;
    req.helo = domain;
    return fakes::run_coroutine(io_, dns::spf::check_host(*resolver_, req));
  }

  net::io_context io_;
  std::unique_ptr<dns::resolver> resolver_;
};

TEST_F(spf_rig, every_scenario_of_the_zone) {
  for (const auto& c : spf_cases) {
    const auto good = check(authorised, c.domain);
    EXPECT_EQ(good.verdict, c.for_authorised) << c.domain << ": " << good.problem;
    if (*c.mechanism_for_authorised) {
      EXPECT_EQ(good.mechanism, c.mechanism_for_authorised) << c.domain;
    }
    if (good.verdict == result::permerror || good.verdict == result::none) {
      EXPECT_FALSE(good.problem.empty()) << c.domain;
    }
    const auto bad = check(outsider, c.domain);
    EXPECT_EQ(bad.verdict, c.for_outsider) << c.domain << ": " << bad.problem;
  }
}

TEST_F(spf_rig, evidence_for_a_report) {
  const auto ev = check(outsider, "pass.spf.test");
  EXPECT_TRUE(ev.explanation_from_exp);
  EXPECT_EQ(ev.explanation, "127.0.0.21 is not allowed to send mail for pass.spf.test; see https://spf.test/why?s=someone%40pass.spf.test");
  const auto chain = check(authorised, "include.spf.test");
  EXPECT_EQ(chain.dns_lookups, 2);
  const auto redirected = check(authorised, "redirect.spf.test");
  EXPECT_EQ(redirected.matched_in, "_spf.spf.test");
  EXPECT_NE(check(authorised, "toomany.spf.test").problem.find("more than 10"), std::string::npos);
  EXPECT_NE(check(authorised, "void.spf.test").problem.find("void"), std::string::npos);
}

TEST_F(spf_rig, dmarc_records_of_the_zone) {
  const auto lookup = [&](const char* domain) { return fakes::run_coroutine(io_, dns::dmarc::lookup(*resolver_, domain)); };
  auto r = lookup("pass.spf.test");
  ASSERT_TRUE(r.record) << r.error;
  EXPECT_EQ(r.record->adkim, 's');
  EXPECT_EQ(r.effective_policy, "reject");
  EXPECT_FALSE(r.inherited);

  r = lookup("none.spf.test");
  ASSERT_TRUE(r.record) << r.error;
  EXPECT_TRUE(r.inherited);
  EXPECT_EQ(r.queried_domain, "_dmarc.spf.test");
  EXPECT_EQ(r.effective_policy, "quarantine");

  r = lookup("softfail.spf.test");
  ASSERT_TRUE(r.record);
  EXPECT_EQ(r.record->p, "none");
  EXPECT_FALSE(r.warnings.empty());

  EXPECT_FALSE(lookup("syntax.spf.test").record);
  EXPECT_NE(lookup("syntax.spf.test").error.find("no valid p="), std::string::npos);
  EXPECT_NE(lookup("multiple.spf.test").error.find("2 DMARC records"), std::string::npos);

  r = lookup("mx.spf.test");
  ASSERT_TRUE(r.record);
  EXPECT_EQ(r.record->pct, 25);
  EXPECT_GE(r.warnings.size(), 2u);  // pct < 100, rua without mailto:
}

}  // namespace
