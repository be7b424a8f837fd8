// `probe mx` end to end: the real binary against nsd zones in the rig (tests/rig/README.md).
#include "tests/probe/run_probe.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using probe_test::run_probe;

json mx_json(const std::string& domain, int expected_status) {
  const auto r = run_probe({"mx", domain, "--json", "--seed", "7"});
  EXPECT_EQ(r.status, expected_status) << domain << "\n" << r.out << r.err;
  return json::parse(r.out);
}

std::vector<std::string> host_names(const json& j) {
  std::vector<std::string> names;
  for (const auto& h : j["hosts"]) names.push_back(h["name"]);
  return names;
}

bool has_problem(const json& j, const std::string& problem) {
  for (const auto& f : j["findings"])
    if (f["problem"] == problem) return true;
  return false;
}

TEST(MxRig, SingleMxWithAddressAndPtr) {
  const auto j = mx_json("probe.test", 0);
  EXPECT_EQ(j["route"], "mx");
  ASSERT_EQ(j["hosts"].size(), 1u);
  EXPECT_EQ(j["hosts"][0]["name"], "mx1.probe.test");
  EXPECT_EQ(j["hosts"][0]["addresses"][0]["address"], "127.0.0.2");
  EXPECT_EQ(j["hosts"][0]["addresses"][0]["ptr"][0], "mx1.probe.test");
}

TEST(MxRig, PreferenceOrderWithTies) {
  const auto j = mx_json("multi.probe.test", 0);
  const auto names = host_names(j);
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[2], "mx2.probe.test");  // preference 20 comes last whatever the tie order
  EXPECT_EQ(j["hosts"][2]["preference"], 20);
  // The same seed gives the same order.
  EXPECT_EQ(host_names(mx_json("multi.probe.test", 0)), names);
}

TEST(MxRig, DualStackHostListsIpv6First) {
  const auto j = mx_json("multi.probe.test", 0);
  for (const auto& h : j["hosts"]) {
    if (h["name"] != "dual.probe.test") continue;
    ASSERT_EQ(h["addresses"].size(), 2u);
    EXPECT_EQ(h["addresses"][0]["family"], "ipv6");
    EXPECT_EQ(h["addresses"][0]["ptr"][0], "mx6.probe.test");
  }
}

TEST(MxRig, ImplicitMx) {
  const auto j = mx_json("implicit.probe.test", 0);
  EXPECT_EQ(j["route"], "implicit-mx");
  EXPECT_EQ(j["hosts"][0]["implicit"], true);
}

TEST(MxRig, NullMxIsNeverDialled) {
  const auto j = mx_json("null.probe.test", 1);
  EXPECT_EQ(j["route"], "null-mx");
  EXPECT_TRUE(j["hosts"].empty());
}

TEST(MxRig, NxdomainDomain) {
  const auto j = mx_json("nosuch.probe.test", 1);
  EXPECT_EQ(j["route"], "no-domain");
  EXPECT_EQ(j["mx_lookup"]["result"], "nxdomain");
}

TEST(MxRig, IpLiteralMx) {
  const auto j = mx_json("literal.probe.test", 1);
  EXPECT_EQ(j["route"], "no-mail-host");
  EXPECT_TRUE(has_problem(j, "mx-ip-literal"));
}

TEST(MxRig, CnameMx) {
  const auto j = mx_json("cname.probe.test", 0);
  EXPECT_TRUE(has_problem(j, "mx-is-cname"));
}

TEST(MxRig, MxWithoutAddressFallsThrough) {
  const auto j = mx_json("noaddr.probe.test", 0);
  EXPECT_TRUE(has_problem(j, "mx-no-address"));
  EXPECT_EQ(j["hosts"][1]["addresses"][0]["address"], "127.0.0.2");
}

TEST(MxRig, Ipv6OnlyMx) {
  const auto j = mx_json("v6only.probe.test", 0);
  EXPECT_EQ(j["hosts"][0]["addresses"][0]["address"], "::1");
}

TEST(MxRig, NoMxNoAddress) {
  const auto j = mx_json("bare.probe.test", 1);
  EXPECT_EQ(j["route"], "no-mail-host");
}

TEST(MxRig, RefusedOutsideTheTestZonesIsAFailureNotNxdomain) {
  const auto r = run_probe({"mx", "example.com", "--json"});
  EXPECT_EQ(r.status, 4);
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["route"], "dns-failure");
  EXPECT_EQ(j["mx_lookup"]["result"], "refused");
  EXPECT_NE(j["dns_problem"].get<std::string>().find("refused"), std::string::npos);
}

TEST(MxRig, DirectlyAgainstNsdOnIpv6WithAPort) {
  const auto r = run_probe({"mx", "probe.test", "--json", "--dns-server", "[::1]:5353"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["dns_servers"][0], "[::1]:5353");
}

TEST(MxRig, TextOutputSaysWhatHappens) {
  const auto r = run_probe({"mx", "null.probe.test"});
  EXPECT_NE(r.out.find("accepts no mail"), std::string::npos) << r.out;
  const auto nx = run_probe({"mx", "nosuch.probe.test"});
  EXPECT_NE(nx.out.find("does not exist"), std::string::npos) << nx.out;
}

TEST(MxRig, UsageErrors) {
  EXPECT_EQ(run_probe({"mx", "not a domain"}).status, 2);
  EXPECT_EQ(run_probe({"mx", "a\r\nMAIL FROM:<x>"}).status, 2);
  EXPECT_EQ(run_probe({"mx", "192.0.2.1"}).status, 2);
  EXPECT_EQ(run_probe({"mx", "probe.test", "--dns-server", "not-an-ip"}).status, 2);
}

TEST(MxRig, DeadDnsServerFailsCleanlyAndQuickly) {
  const auto r = run_probe({"mx", "probe.test", "--dns-server", "127.0.0.1:9", "--dns-timeout", "300", "--dns-tries", "1"});
  EXPECT_EQ(r.status, 4);
  EXPECT_NE(r.out.find("routing unknown"), std::string::npos) << r.out;
}

}  // namespace
