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

// --lang zh: each finding the rig's zones produce is explained in Chinese; in English the
// text report says exactly the sentence --json prints.
TEST(MxRig, FindingsInChineseAndInEnglishAsJsonSaysThem) {
  struct finding_case {
    const char* domain;
    const char* problem;
    const char* zh_label;
    std::vector<const char*> zh_words;
  };
  const finding_case cases[] = {
      {"literal.probe.test", "mx-ip-literal", "MX 目标是 IP 地址", {"MX 目标 127.0.0.9 是 IP 地址而不是主机名", "不会连接它"}},
      {"cname.probe.test", "mx-is-cname", "MX 目标是别名（CNAME）", {"alias.probe.test 是别名（CNAME 指向 ", "RFC 2181 §10.3"}},
      {"noaddr.probe.test", "mx-no-address", "MX 主机没有地址", {"ghost.probe.test 没有 A 或 AAAA 记录；发送方 MTA 会跳过它"}},
      // Every rig MX host is on 127.0.0.0/8.
      {"probe.test", "mx-localhost", "MX 指向本机回环地址", {"mx1.probe.test 解析为 127.0.0.2，这是回环或未指定地址"}},
  };
  const auto line_of = [](const std::string& out, const std::string& start) -> std::string {
    const auto at = out.find(start);
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.domain);
    const auto j = json::parse(run_probe({"mx", c.domain, "--json", "--seed", "7"}).out);
    std::string explanation;
    for (const auto& f : j["findings"])
      if (f["problem"] == c.problem) explanation = f["explanation"];
    ASSERT_FALSE(explanation.empty()) << j.dump();
    const auto en = run_probe({"mx", c.domain, "--seed", "7", "--color", "never"});
    EXPECT_EQ(line_of(en.out, std::string("  ! ") + c.problem), std::string("  ! ") + c.problem + "  " + explanation) << en.out;
    const auto zh = run_probe({"mx", c.domain, "--seed", "7", "--color", "never", "--lang", "zh"});
    EXPECT_EQ(zh.status, en.status);
    const auto line = line_of(zh.out, std::string("  ! ") + c.zh_label + "  ");
    ASSERT_FALSE(line.empty()) << zh.out;
    for (const char* word : c.zh_words) EXPECT_NE(line.find(word), std::string::npos) << line;
    EXPECT_EQ(zh.out.find(explanation), std::string::npos) << zh.out;
    // JSON is the same whatever the language.
    EXPECT_EQ(json::parse(run_probe({"mx", c.domain, "--json", "--seed", "7", "--lang", "zh"}).out)["findings"], j["findings"]);
  }
}

}  // namespace
