// `probe server --ip 127.0.0.x` through real daemons: nsd serving server.test and the
// reverse zone built from tests/rig/zones/server.ptr, rbldnsd serving the rig's DNSBLs,
// all reached through the rig's dnsmasq by the c-ares resolver and the run-wide cache.
// Runs inside the rig's network namespace (ctest fixture `rig`).

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "probe/exit_status.hpp"
#include "probe/server_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

namespace {

namespace net = boost::asio;
using testing::HasSubstr;
using nlohmann::json;

class ServerRig : public testing::Test {
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
    auto lists = rbl::catalogue::load(PROBE_SOURCE_DIR "/tests/rbl/rig-data/rbl/catalogue.yaml");
    ASSERT_TRUE(std::holds_alternative<rbl::catalogue>(lists));
    lists_ = std::get<rbl::catalogue>(std::move(lists));
    auto knowledge = probe::server_knowledge::load(PROBE_SOURCE_DIR "/probe/data/server_check.yaml");
    ASSERT_TRUE(std::holds_alternative<probe::server_knowledge>(knowledge));
    knowledge_ = std::get<probe::server_knowledge>(std::move(knowledge));
    config_.output.json = true;
    config_.output.color = probe::color_mode::never;
  }

  json check(std::string ip, std::string helo = "", std::string domain = "") {
    std::ostringstream out, err;
    status_ = probe::run_server(config_, {std::move(ip), std::move(helo), std::move(domain), ""}, lists_, knowledge_,
                                io_, *cache_, {}, out, err);
    if (!err.str().empty()) ADD_FAILURE() << err.str();
    return json::parse(out.str());
  }
  static json item(const json& doc, std::string_view id) {
    for (const auto& i : doc["items"])
      if (i["id"] == id) return i;
    ADD_FAILURE() << "no item " << id << " in " << doc.dump(2);
    return json::object();
  }

  net::io_context io_;
  std::unique_ptr<dns::resolver> resolver_;
  std::unique_ptr<dns::cache> cache_;
  rbl::catalogue lists_;
  probe::server_knowledge knowledge_;
  probe::settings config_;
  int status_ = -1;
};

TEST_F(ServerRig, WellConfiguredServerPasses) {
  const auto doc = check("127.0.0.40", "mail.server.test");
  EXPECT_EQ(doc["domain"], "server.test");
  for (const char* id : {"ptr", "fcrdns", "ptr_generic", "helo_fqdn", "helo_resolves", "helo_matches_ip",
                         "helo_matches_ptr", "spf_domain", "spf_helo", "dmarc", "dnsbl_ip", "dnsbl_domain"})
    EXPECT_EQ(item(doc, id)["status"], "pass") << id << ": " << item(doc, id).dump(2);
  // The only warning is the rig's own: its MX host is on loopback, which routing flags
  // (senders elsewhere could not deliver there). So the exit status is "warnings" (3).
  EXPECT_EQ(item(doc, "mx")["status"], "warn");
  EXPECT_THAT(item(doc, "mx")["advice"].get<std::string>(), HasSubstr("loopback"));
  EXPECT_EQ(status_, probe::exit_temporary) << doc.dump(2);
  EXPECT_EQ(doc["ptr"]["names"][0], "mail.server.test");
  EXPECT_EQ(doc["dmarc"]["record"]["p"], "reject");
}

TEST_F(ServerRig, ReverseDnsProblems) {
  auto doc = check("127.0.0.41");
  EXPECT_EQ(item(doc, "ptr")["status"], "pass");
  EXPECT_EQ(item(doc, "fcrdns")["status"], "fail");
  EXPECT_THAT(item(doc, "fcrdns")["evidence"].dump(), HasSubstr("127.0.0.42"));
  EXPECT_EQ(status_, probe::exit_negative);

  doc = check("127.0.0.43");
  EXPECT_EQ(item(doc, "fcrdns")["status"], "pass");
  EXPECT_EQ(item(doc, "ptr_generic")["status"], "warn");
  EXPECT_THAT(item(doc, "ptr_generic")["summary"].get<std::string>(), HasSubstr("embeds the address 127.0.0.43"));

  doc = check("127.0.0.44");
  EXPECT_EQ(item(doc, "ptr")["status"], "fail");
  EXPECT_EQ(item(doc, "ptr")["advice_key"], "ptr_missing");
  EXPECT_EQ(item(doc, "fcrdns")["status"], "skipped");
}

TEST_F(ServerRig, ListedServer) {
  const auto doc = check("127.0.0.45", "listed.server.test");
  EXPECT_EQ(item(doc, "dnsbl_ip")["status"], "fail");
  EXPECT_THAT(item(doc, "dnsbl_ip")["summary"].get<std::string>(), HasSubstr("Rig ZEN"));
  const auto evidence = item(doc, "dnsbl_ip")["evidence"].dump();
  EXPECT_THAT(evidence, HasSubstr("SBL"));
  EXPECT_THAT(evidence, HasSubstr("XBL"));
  EXPECT_THAT(evidence, HasSubstr("removal: http://zen.rbl.test/remove"));
  EXPECT_EQ(item(doc, "fcrdns")["status"], "pass");
  EXPECT_EQ(status_, probe::exit_negative);
  bool zen_listed = false;
  for (const auto& l : doc["dnsbl"]["ip"])
    if (l["name"] == "rig-zen") zen_listed = l["result"] == "listed" && l["txt"].size() == 2;
  EXPECT_TRUE(zen_listed) << doc["dnsbl"].dump(2);
}

TEST_F(ServerRig, HeloProblems) {
  auto doc = check("127.0.0.40", "localhost", "server.test");
  EXPECT_EQ(item(doc, "helo_fqdn")["status"], "fail");
  doc = check("127.0.0.40", "nohelo.server.test");
  EXPECT_EQ(item(doc, "helo_resolves")["status"], "fail");
  doc = check("127.0.0.40", "other.server.test");
  EXPECT_EQ(item(doc, "helo_resolves")["status"], "pass");
  EXPECT_EQ(item(doc, "helo_matches_ip")["status"], "warn");
  EXPECT_EQ(item(doc, "helo_matches_ptr")["status"], "warn");
  EXPECT_EQ(item(doc, "spf_helo")["status"], "info");  // other.server.test publishes no SPF
}

TEST_F(ServerRig, SpfScenarios) {
  auto doc = check("127.0.0.40", "", "chain.server.test");
  EXPECT_EQ(item(doc, "spf_domain")["status"], "pass");
  EXPECT_EQ(doc["spf"]["domain"]["mechanism"], "include:_spf1.chain.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["matched_in"], "chain.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["dns_lookups"], 2);
  EXPECT_EQ(item(doc, "dmarc")["status"], "pass");  // inherited from server.test
  EXPECT_EQ(doc["dmarc"]["inherited"], true);

  doc = check("127.0.0.40", "", "redirect.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["result"], "pass");

  doc = check("127.0.0.40", "", "toomany.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["result"], "permerror");
  EXPECT_EQ(item(doc, "spf_domain")["status"], "fail");
  EXPECT_EQ(item(doc, "spf_domain")["advice_key"], "spf_permerror");

  doc = check("127.0.0.40", "", "void.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["result"], "permerror");
  EXPECT_GE(doc["spf"]["domain"]["void_lookups"].get<int>(), 2);
  EXPECT_EQ(item(doc, "dmarc")["status"], "fail");  // two DMARC records

  doc = check("127.0.0.40", "", "softfail.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["result"], "softfail");
  EXPECT_EQ(item(doc, "spf_domain")["status"], "warn");
  EXPECT_EQ(doc["dmarc"]["record"]["p"], "none");

  doc = check("127.0.0.40", "", "fail.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["result"], "fail");
  EXPECT_EQ(item(doc, "spf_domain")["status"], "fail");
  EXPECT_EQ(item(doc, "dmarc")["status"], "fail");  // p=bogus: unusable

  doc = check("127.0.0.40", "", "badspf.server.test");
  EXPECT_EQ(doc["spf"]["domain"]["result"], "permerror");
}

TEST_F(ServerRig, MxScenarios) {
  auto doc = check("127.0.0.40", "", "nullmx.server.test");
  EXPECT_EQ(item(doc, "mx")["status"], "fail");
  EXPECT_EQ(item(doc, "mx")["advice_key"], "mx_null");
  doc = check("127.0.0.40", "", "nosuchdomain.server.test");
  EXPECT_EQ(item(doc, "mx")["status"], "fail");
  EXPECT_EQ(item(doc, "mx")["advice_key"], "mx_nxdomain");
}

TEST_F(ServerRig, ChineseTextOutput) {
  config_.output.json = false;
  config_.output.lang = "zh";
  std::ostringstream out, err;
  const int status = probe::run_server(config_, {"127.0.0.44", "", "server.test", ""}, lists_, knowledge_, io_, *cache_,
                                       {}, out, err);
  EXPECT_EQ(status, probe::exit_negative);
  // Titles, status words and the frame are Chinese too; the English status word stays.
  EXPECT_THAT(out.str(), HasSubstr("失败 FAIL  反向解析（PTR）"));
  EXPECT_THAT(out.str(), HasSubstr("服务器检查：127.0.0.44"));
  EXPECT_THAT(out.str(), HasSubstr("（退出码 "));
  EXPECT_THAT(out.str(), HasSubstr("请为 127.0.0.44 设置反向解析"));
  EXPECT_THAT(out.str(), testing::Not(HasSubstr("Reverse DNS (PTR)")));
  EXPECT_THAT(out.str(), HasSubstr("127.0.0.44 没有 PTR 记录"));
}

}  // namespace
