// DNSBL lookups through real daemons: rbldnsd serving tests/rig/rbl/*, reached through the
// rig's dnsmasq (127.0.0.1:53) by the c-ares resolver and the run-wide cache, exactly as
// `probe rbl` runs. The lists are described by tests/rbl/rig-data/rbl/catalogue.yaml.
// Runs inside the rig's network namespace (ctest fixture `rig`).

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "probe/exit_status.hpp"
#include "probe/rbl_command.hpp"
#include "rbl/checker.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>

#include <sys/wait.h>
#include <sstream>

namespace {

using testing::HasSubstr;
namespace net = boost::asio;

class RblRig : public testing::Test {
 protected:
  void SetUp() override {
    const char* resolver = std::getenv("PROBE_RIG_RESOLVER");
    if (resolver == nullptr) GTEST_SKIP() << "not inside the rig (run through ctest: fixture 'rig')";
    dns::resolver_options options;
    options.servers = {resolver};
    options.timeout = std::chrono::milliseconds(1000);
    auto created = dns::resolver::create(io_.get_executor(), options);
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<dns::resolver>>(created));
    resolver_ = std::move(std::get<std::unique_ptr<dns::resolver>>(created));
    cache_ = std::make_unique<dns::cache>(*resolver_);
    auto loaded = rbl::catalogue::load(PROBE_SOURCE_DIR "/tests/rbl/rig-data/rbl/catalogue.yaml");
    ASSERT_TRUE(std::holds_alternative<rbl::catalogue>(loaded)) << std::get<rbl::load_error>(loaded).what;
    lists_ = std::get<rbl::catalogue>(std::move(loaded));
  }

  rbl::listing check(std::string_view target, std::string zone, rbl::check_options options = {}) {
    rbl::checker checker(*cache_, lists_, options);
    auto parsed = rbl::parse_target(target);
    const auto t = std::get<rbl::target>(parsed);
    auto result = fakes::run_coroutine(io_, checker.check(t, std::vector<std::string>{std::move(zone)}));
    auto& listings = std::get<std::vector<rbl::listing>>(result);
    if (listings.size() != 1) throw std::runtime_error("expected one listing");
    return listings.front();
  }

  net::io_context io_;
  std::unique_ptr<dns::resolver> resolver_;
  std::unique_ptr<dns::cache> cache_;
  rbl::catalogue lists_;
};

TEST_F(RblRig, ZenLikeZoneGivesSeveralCodesWithTheirReasons) {
  const auto l = check("192.0.2.10", "rig-zen");
  EXPECT_EQ(l.result, rbl::outcome::listed);
  EXPECT_EQ(l.health.state, rbl::health_state::healthy) << l.health.detail;
  std::vector<std::string> names, addresses;
  for (const auto& c : l.codes) {
    names.push_back(c.name);
    addresses.push_back(c.address);
  }
  EXPECT_THAT(addresses, testing::UnorderedElementsAre("127.0.0.2", "127.0.0.4", "127.0.0.10"));
  EXPECT_THAT(names, testing::UnorderedElementsAre("SBL", "XBL", "PBL"));
  EXPECT_THAT(l.txt, testing::UnorderedElementsAre("Listed in SBL, see http://zen.rbl.test/sbl?ip=192.0.2.10",
                                                   "Listed in XBL, see http://zen.rbl.test/xbl?ip=192.0.2.10",
                                                   "Listed in PBL, see http://zen.rbl.test/pbl?ip=192.0.2.10"));
  EXPECT_EQ(l.lookup_page, "http://zen.rbl.test/lookup?ip=192.0.2.10");

  const auto pbl_only = check("192.0.2.11", "rig-zen");
  ASSERT_EQ(pbl_only.codes.size(), 1u);
  EXPECT_EQ(pbl_only.codes[0].name, "PBL");
  EXPECT_EQ(check("192.0.2.99", "rig-zen").result, rbl::outcome::not_listed);
}

TEST_F(RblRig, DeadWildcardZoneIsDiscardedAndNotAskedByDefault) {
  const auto not_asked = check("192.0.2.99", "dead.rbl.test");
  EXPECT_EQ(not_asked.result, rbl::outcome::dead);
  EXPECT_EQ(not_asked.list_name, "rig-dead");
  rbl::check_options all;
  all.include_all = true;
  const auto asked = check("192.0.2.99", "rig-dead", all);
  EXPECT_EQ(asked.result, rbl::outcome::unhealthy);
  EXPECT_EQ(asked.health.state, rbl::health_state::wildcard);
  EXPECT_THAT(asked.health.detail, HasSubstr("127.0.0.1"));
  // Not in the catalogue, the same zone is still caught by its health check.
  rbl::catalogue empty;
  std::swap(empty, lists_);
  const auto raw = check("192.0.2.99", "dead.rbl.test");
  EXPECT_FALSE(raw.in_catalogue);
  EXPECT_EQ(raw.result, rbl::outcome::unhealthy);
}

TEST_F(RblRig, PublicResolverErrorCodeIsAListError) {
  const auto l = check("192.0.2.99", "rig-refused");
  EXPECT_EQ(l.result, rbl::outcome::list_error);
  EXPECT_EQ(l.health.state, rbl::health_state::refused);
  ASSERT_FALSE(l.codes.empty());
  EXPECT_EQ(l.codes[0].address, "127.255.255.254");
  EXPECT_THAT(l.codes[0].advice.en, HasSubstr("own recursive resolver"));
  EXPECT_THAT(l.txt, testing::ElementsAre("Error: open resolver; see http://refused.rbl.test/returnc/pub"));
}

TEST_F(RblRig, Ipv6ZoneWithTheRfc5782TestPoint) {
  const auto listed = check("2001:db8::10", "rig-v6");
  EXPECT_EQ(listed.result, rbl::outcome::listed);
  EXPECT_EQ(listed.health.state, rbl::health_state::healthy) << listed.health.detail;
  EXPECT_EQ(listed.health.listed_point, "::ffff:7f00:2");
  EXPECT_EQ(listed.query_name, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.v6.rbl.test");
  EXPECT_THAT(listed.txt, testing::ElementsAre("Listed in v6.rbl.test, see http://v6.rbl.test/lookup?ip=2001:db8::10"));
  EXPECT_EQ(check("2001:db8:bad:1::5", "rig-v6").result, rbl::outcome::listed);
  EXPECT_EQ(check("2001:db8::11", "rig-v6").result, rbl::outcome::not_listed);
}

TEST_F(RblRig, DomainZoneWithTestListedAndInvalidNot) {
  const auto listed = check("spammer.example", "rig-dom");
  EXPECT_EQ(listed.result, rbl::outcome::listed);
  EXPECT_EQ(listed.health.state, rbl::health_state::healthy) << listed.health.detail;
  ASSERT_EQ(listed.codes.size(), 1u);
  EXPECT_EQ(listed.codes[0].name, "spam domain");
  EXPECT_THAT(listed.txt, testing::ElementsAre("Domain spammer.example is listed in dom.rbl.test"));
  EXPECT_EQ(check("a.b.spam-wildcard.example", "rig-dom").result, rbl::outcome::listed);
  EXPECT_EQ(check("clean.example", "rig-dom").result, rbl::outcome::not_listed);
}

TEST_F(RblRig, CommandEndToEndWithExitStatuses) {
  probe::settings config;
  const auto run = [&](std::string_view target) {
    std::ostringstream out, err;
    const int status = probe::run_rbl(config, target, lists_, io_, *cache_, out, err);
    return std::make_pair(status, out.str());
  };
  auto [listed_status, listed_text] = run("192.0.2.10");
  EXPECT_EQ(listed_status, probe::exit_negative);
  EXPECT_THAT(listed_text, HasSubstr("LISTED"));
  EXPECT_THAT(listed_text, HasSubstr("removal: http://zen.rbl.test/remove"));
  EXPECT_EQ(run("192.0.2.99").first, probe::exit_ok);
  config.rbl.zones = {"rig-refused"};
  EXPECT_EQ(run("192.0.2.99").first, probe::exit_temporary);
  config.rbl.zones = {};
  config.output.json = true;
  const auto doc = nlohmann::json::parse(run("spammer.example").second);
  EXPECT_EQ(doc["verdict"], "listed");
  EXPECT_EQ(doc["target_kind"], "domain");
  ASSERT_EQ(doc["lists"].size(), 1u);  // only the domain list takes a domain
  EXPECT_EQ(doc["lists"][0]["name"], "rig-dom");
}

// The command line as a user runs it, exit statuses included. `data_dir` becomes
// PROBE_DATA_DIR (the rig's catalogue lives in tests/rbl/rig-data); empty: the shipped data.
struct command_result {
  int status = -1;
  std::string out;
};

constexpr const char* rig_data = PROBE_SOURCE_DIR "/tests/rbl/rig-data";

command_result run_probe(const std::string& arguments, const std::string& data_dir = rig_data) {
  const std::string command =
      (data_dir.empty() ? std::string() : "PROBE_DATA_DIR='" + data_dir + "' ") + PROBE_BINARY " " + arguments + " 2>&1";
  command_result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

TEST_F(RblRig, ProbeRblCommandLine) {
  auto r = run_probe("rbl 192.0.2.10 --color never");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("LISTED      Rig ZEN"));
  r = run_probe("rbl 192.0.2.99");
  EXPECT_EQ(r.status, 0) << r.out;
  r = run_probe("rbl --zones rig-zen 192.0.2.10");  // the target after --zones is not a zone
  EXPECT_EQ(r.status, 1) << r.out;
  r = run_probe("rbl 192.0.2.10 --zones rig-clean --zones rig-zen --json");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["lists"].size(), 2u);
  r = run_probe("rbl 192.0.2.99 --zones rig-refused");
  EXPECT_EQ(r.status, 3) << r.out;
  r = run_probe("rbl 192.0.2.99 --zones rig-dead --json");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["lists"][0]["result"], "dead");
  r = run_probe("rbl 'not a target'");
  EXPECT_EQ(r.status, 2) << r.out;
  r = run_probe("rbl 192.0.2.99 --zones \"$(printf 'zen.rbl.test\\r\\nQUIT')\"");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("CR, LF or NUL"));
  // The shipped catalogue with raw rig zones: RFC 5782 conventions and health checks.
  r = run_probe("rbl 192.0.2.10 --zones zen.rbl.test,dead.rbl.test --color never", "");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("UNHEALTHY"));
  // A bounce citing a dead list: the shipped catalogue knows it is gone; nothing is asked.
  r = run_probe("rbl 192.0.2.10 --zones cblplus.anti-spam.org.cn --color never", "");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("no longer exists"));
  // No catalogue: input error.
  r = run_probe("rbl 192.0.2.10", "/nonexistent");
  EXPECT_EQ(r.status, 5) << r.out;
  EXPECT_THAT(r.out, HasSubstr("catalogue.yaml"));
}

TEST_F(RblRig, ProbeServerCommandLine) {
  auto r = run_probe("server --ip 127.0.0.40 --helo mail.server.test --json");
  // Warnings only: the address and the MX host are on loopback in the rig.
  EXPECT_EQ(r.status, 3) << r.out;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["worst"], "warn");
  EXPECT_EQ(doc["counts"]["fail"], 0);
  r = run_probe("server --ip 127.0.0.45 --helo listed.server.test --lang zh --color never");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("被列入黑名单"));
  r = run_probe("server --ip nonsense");
  EXPECT_EQ(r.status, 2) << r.out;
}

}  // namespace
