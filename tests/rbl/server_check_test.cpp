// The server self-check against in-memory DNS worlds: reverse DNS facts, generic PTR
// names, HELO syntax and matching, the whole checklist with its statuses, advice in both
// languages, JSON, exit statuses, and egress address detection.

#include "probe/egress_ip.hpp"
#include "probe/exit_status.hpp"
#include "probe/server_check.hpp"
#include "probe/server_command.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/rbl/schema_check.hpp"
#include "tests/rbl/run_sync.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace {

namespace net = boost::asio;
using testing::HasSubstr;
using testing::Not;

const probe::server_knowledge& knowledge() {
  static const probe::server_knowledge instance = [] {
    auto loaded = probe::server_knowledge::load(PROBE_SOURCE_DIR "/probe/data/server_check.yaml");
    if (auto* e = std::get_if<std::string>(&loaded)) throw std::runtime_error(*e);
    return std::get<probe::server_knowledge>(std::move(loaded));
  }();
  return instance;
}

constexpr std::string_view lists_yaml = R"(
lists:
  - name: zen
    title: ZEN-like
    zone: zen.test
    kind: ip
    default: true
    codes: [{match: 127.0.0.2, name: SBL, meaning: spam source, meaning_zh: 垃圾邮件来源}]
    removal: https://zen.test/remove
  - {name: dom, title: Domain list, zone: dom.test, kind: domain, default: true}
)";

rbl::catalogue lists() {
  auto loaded = rbl::catalogue::parse(lists_yaml, "test");
  return std::get<rbl::catalogue>(std::move(loaded));
}

// A well configured server: 192.0.2.20 = mail.example.com, both ways; SPF, DMARC, MX.
void good_world(fakes::memory_zone& dns) {
  dns.add_ptr("192.0.2.20", "mail.example.com");
  dns.add_a("mail.example.com", "192.0.2.20");
  dns.add_txt("mail.example.com", "v=spf1 a -all");
  dns.add_mx("example.com", 10, "mail.example.com");
  dns.add_txt("example.com", "v=spf1 ip4:192.0.2.20 -all");
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
  dns.add_a("2.0.0.127.zen.test", "127.0.0.2");
  dns.add_a("test.dom.test", "127.0.0.2");
}

struct run_result {
  int status;
  std::string out, err;
};

class ServerCheck : public testing::Test {
 protected:
  ServerCheck() { config_.output.color = probe::color_mode::never; }
  run_result run(probe::server_request request, probe::egress_sources egress = {}) {
    net::io_context io;
    std::ostringstream out, err;
    const int status = probe::run_server(config_, request, lists_, knowledge(), io, dns_, egress, out, err);
    return {status, out.str(), err.str()};
  }
  nlohmann::json run_json(probe::server_request request) {
    config_.output.json = true;
    const auto r = run(std::move(request));
    last_status_ = r.status;
    return nlohmann::json::parse(r.out);
  }
  static const nlohmann::json& item(const nlohmann::json& doc, std::string_view id) {
    for (const auto& i : doc["items"])
      if (i["id"] == id) return i;
    throw std::runtime_error("no item " + std::string(id));
  }
  probe::settings config_;
  rbl::catalogue lists_ = lists();
  fakes::memory_zone dns_;
  int last_status_ = -1;
};

TEST(GenericPtr, EmbeddedAddressesAndPoolWords) {
  const auto ip = net::ip::make_address("192.0.2.1");
  const auto generic = [&](std::string_view name) { return !probe::generic_ptr_reasons(name, ip, knowledge()).empty(); };
  EXPECT_TRUE(generic("1-2-0-192.example.net"));            // reversed octets
  EXPECT_TRUE(generic("ip-192-0-2-1.example.net"));         // forward octets
  EXPECT_TRUE(generic("192.0.2.1.static.example.net"));
  EXPECT_TRUE(generic("c0000201.example.net"));             // hex
  EXPECT_TRUE(generic("host192000002001.example.net"));     // zero-padded
  EXPECT_TRUE(generic("dsl-pool12.isp.example.net"));       // pool words
  EXPECT_TRUE(generic("dynamic.example.net"));              // a pool word as the host label
  EXPECT_TRUE(generic("adsl.isp.example.co.uk"));
  EXPECT_FALSE(generic("mail.example.com"));
  EXPECT_FALSE(generic("mx1.pool.example.com"));            // says it is a mail server
  EXPECT_TRUE(generic("mx1.192-0-2-1.example.com"));        // ...but an embedded address still counts
  EXPECT_FALSE(generic("mail.dsl-provider.example"));       // words in the registered domain do not count
  EXPECT_FALSE(generic("1-2-3-4.example.net"));             // another address
  const auto reasons = probe::generic_ptr_reasons("static-1-2-0-192.dyn.example.net", ip, knowledge());
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_THAT(reasons[0], HasSubstr("embeds the address 192.0.2.1"));
  EXPECT_THAT(reasons[1], HasSubstr("dyn"));
}

TEST(ReverseDns, ConfirmedMismatchedMissingAndFailed) {
  fakes::memory_zone dns;
  dns.add_ptr("192.0.2.1", "good.example.com");
  dns.add_a("good.example.com", "192.0.2.1");
  dns.add_ptr("192.0.2.2", "other.example.com");
  dns.add_a("other.example.com", "192.0.2.99");
  dns.add_ptr("2001:db8::2", "v6.example.com");
  dns.add_a("v6.example.com", "2001:db8::2");
  dns.fail(dns::reverse_name(net::ip::make_address("192.0.2.4")), dns::outcome::timeout);
  net::io_context io;
  const auto check = [&](const char* ip) {
    return test_support::run_sync<probe::reverse_dns_facts>(
        io, [&] { return probe::check_reverse_dns(dns, net::ip::make_address(ip), knowledge()); });
  };
  const auto good = check("192.0.2.1");
  EXPECT_TRUE(good.forward_confirmed);
  EXPECT_EQ(good.confirmed_name, "good.example.com");
  const auto mismatch = check("192.0.2.2");
  EXPECT_FALSE(mismatch.forward_confirmed);
  ASSERT_EQ(mismatch.confirmations.size(), 1u);
  EXPECT_EQ(mismatch.confirmations[0].a.addresses().front().to_string(), "192.0.2.99");
  EXPECT_TRUE(check("2001:db8::2").forward_confirmed);
  EXPECT_TRUE(check("::ffff:192.0.2.1").forward_confirmed);  // mapped addresses are IPv4
  const auto missing = check("192.0.2.3");
  EXPECT_EQ(missing.ptr.result, dns::outcome::nxdomain);
  EXPECT_TRUE(missing.names.empty());
  EXPECT_EQ(check("192.0.2.4").ptr.result, dns::outcome::timeout);
}

TEST(Helo, SyntaxAndMatching) {
  fakes::memory_zone dns;
  dns.add_a("mail.example.com", "192.0.2.1");
  net::io_context io;
  probe::reverse_dns_facts reverse;
  reverse.names = {"mail.example.com"};
  const auto check = [&](std::string helo) {
    return test_support::run_sync<probe::helo_facts>(
        io, [&] { return probe::check_helo(dns, helo, net::ip::make_address("192.0.2.1"), reverse); });
  };
  const auto good = check("Mail.Example.com.");
  EXPECT_EQ(good.syntax, probe::helo_syntax::fqdn);
  EXPECT_TRUE(good.resolves);
  EXPECT_TRUE(good.matches_ip);
  EXPECT_TRUE(good.matches_ptr);
  EXPECT_EQ(check("localhost").syntax, probe::helo_syntax::not_fqdn);
  EXPECT_EQ(check("192.0.2.1").syntax, probe::helo_syntax::invalid);
  EXPECT_EQ(check("[192.0.2.1]").syntax, probe::helo_syntax::address_literal);
  EXPECT_TRUE(check("[192.0.2.1]").matches_ip);
  EXPECT_TRUE(check("[IPv6:2001:db8::1]").syntax == probe::helo_syntax::address_literal);
  EXPECT_FALSE(check("[IPv6:2001:db8::1]").matches_ip);
  EXPECT_EQ(check("[bogus]").syntax, probe::helo_syntax::invalid);
  EXPECT_EQ(check("bad_name!.example").syntax, probe::helo_syntax::invalid);
  const auto unresolved = check("nowhere.example.com");
  EXPECT_EQ(unresolved.syntax, probe::helo_syntax::fqdn);
  EXPECT_FALSE(unresolved.resolves);
  EXPECT_FALSE(unresolved.matches_ptr);
}

TEST_F(ServerCheck, WellConfiguredServerPassesEverything) {
  good_world(dns_);
  const auto doc = run_json({"192.0.2.20", "mail.example.com", "", ""});
  EXPECT_EQ(last_status_, probe::exit_ok) << doc.dump(2);
  EXPECT_EQ(doc["worst"], "pass");
  EXPECT_EQ(doc["domain"], "example.com");
  EXPECT_EQ(doc["domain_source"], "helo");
  EXPECT_EQ(doc["ip_source"]["method"], "given");
  for (const char* id : {"ptr", "fcrdns", "ptr_generic", "helo_fqdn", "helo_resolves", "helo_matches_ip",
                         "helo_matches_ptr", "spf_domain", "spf_helo", "dmarc", "dnsbl_ip", "dnsbl_domain", "mx"}) {
    EXPECT_EQ(item(doc, id)["status"], "pass") << id << ": " << item(doc, id).dump(2);
    EXPECT_TRUE(item(doc, id)["advice"].is_null()) << id;
  }
  EXPECT_EQ(doc["spf"]["domain"]["result"], "pass");
  EXPECT_EQ(doc["spf"]["domain"]["mechanism"], "ip4:192.0.2.20");
  EXPECT_EQ(doc["dmarc"]["record"]["p"], "reject");
  EXPECT_EQ(doc["ptr"]["confirmed_name"], "mail.example.com");
}

TEST_F(ServerCheck, BrokenServerFailsWithEvidenceAndAdvice) {
  // 192.0.2.30: generic PTR that does not resolve back; HELO not resolving; SPF excludes
  // the address; no DMARC; listed on the DNSBL; domain with a null MX.
  dns_.add_ptr("192.0.2.30", "30-2-0-192.dynamic.isp.example");
  dns_.add_a("30-2-0-192.dynamic.isp.example", "198.51.100.1");
  dns_.add_empty("badhelo.example.org");
  dns_.add_mx("example.org", 0, "");
  dns_.add_txt("example.org", "v=spf1 ip4:198.51.100.0/24 -all");
  dns_.add_a("2.0.0.127.zen.test", "127.0.0.2");
  dns_.add_a("30.2.0.192.zen.test", "127.0.0.2");
  dns_.add_txt("30.2.0.192.zen.test", "listed: see https://zen.test/q");
  dns_.add_a("test.dom.test", "127.0.0.2");
  const auto doc = run_json({"192.0.2.30", "badhelo.example.org", "example.org", ""});
  EXPECT_EQ(last_status_, probe::exit_negative);
  EXPECT_EQ(doc["worst"], "fail");
  EXPECT_EQ(item(doc, "ptr")["status"], "pass");
  EXPECT_EQ(item(doc, "fcrdns")["status"], "fail");
  EXPECT_THAT(item(doc, "fcrdns")["advice"].get<std::string>(), HasSubstr("does not resolve back to 192.0.2.30"));
  EXPECT_EQ(item(doc, "ptr_generic")["status"], "warn");
  EXPECT_EQ(item(doc, "helo_resolves")["status"], "fail");
  EXPECT_EQ(item(doc, "spf_domain")["status"], "fail");
  EXPECT_THAT(item(doc, "spf_domain")["advice"].get<std::string>(), HasSubstr("ip4:192.0.2.30"));
  EXPECT_EQ(item(doc, "dmarc")["status"], "warn");
  EXPECT_EQ(item(doc, "dmarc")["advice_key"], "dmarc_none");
  EXPECT_EQ(item(doc, "dnsbl_ip")["status"], "fail");
  EXPECT_THAT(item(doc, "dnsbl_ip")["advice"].get<std::string>(), HasSubstr("ZEN-like"));
  bool removal_in_evidence = false;
  for (const auto& e : item(doc, "dnsbl_ip")["evidence"])
    if (e.get<std::string>().find("removal: https://zen.test/remove") != std::string::npos) removal_in_evidence = true;
  EXPECT_TRUE(removal_in_evidence);
  EXPECT_EQ(item(doc, "mx")["status"], "fail");
  EXPECT_EQ(item(doc, "mx")["advice_key"], "mx_null");

  // The same in Chinese, as text.
  config_.output.json = false;
  config_.output.lang = "zh";
  const auto text = run({"192.0.2.30", "badhelo.example.org", "example.org", ""});
  EXPECT_EQ(text.status, probe::exit_negative);
  EXPECT_THAT(text.out, HasSubstr("失败 FAIL  正反向解析一致（FCrDNS）"));
  EXPECT_THAT(text.out, HasSubstr("没有一个 PTR 名称能正向解析回 192.0.2.30"));
  EXPECT_THAT(text.out, HasSubstr("建议: "));
  EXPECT_THAT(text.out, HasSubstr("没有正向解析回 192.0.2.30"));
  EXPECT_THAT(text.out, HasSubstr("空 MX"));
}

// Good, broken, derived and empty checks: all match tests/rbl/schemas/server.schema.json.
TEST_F(ServerCheck, JsonMatchesTheSchema) {
  good_world(dns_);
  dns_.add_ptr("192.0.2.30", "30-2-0-192.dynamic.isp.example");
  dns_.add_mx("example.org", 0, "");
  dns_.add_a("2.0.0.127.zen.test", "127.0.0.2");
  dns_.add_a("30.2.0.192.zen.test", "127.0.0.2");
  dns_.add_txt("_dmarc.example.org", "v=DMARC1; p=bogus");
  std::vector<nlohmann::json> documents;
  documents.push_back(run_json({"192.0.2.20", "mail.example.com", "", ""}));
  documents.push_back(run_json({"192.0.2.30", "[192.0.2.30]", "example.org", ""}));
  documents.push_back(run_json({"192.0.2.20", "", "", ""}));
  documents.push_back(run_json({"192.0.2.99", "localhost", "", ""}));
  const auto result = test_support::validate_against("server.schema.json", documents);
  EXPECT_TRUE(result.ok) << result.report;
  EXPECT_NE(result.report.find("4 documents, 0 problems"), std::string::npos) << result.report;
}

TEST_F(ServerCheck, NoPtrFailsAndWarningsAloneExitThree) {
  good_world(dns_);
  // 192.0.2.21: no PTR at all.
  auto doc = run_json({"192.0.2.21", "", "example.com", ""});
  EXPECT_EQ(item(doc, "ptr")["status"], "fail");
  EXPECT_EQ(item(doc, "ptr")["advice_key"], "ptr_missing");
  EXPECT_EQ(item(doc, "fcrdns")["status"], "skipped");
  EXPECT_EQ(item(doc, "helo")["status"], "skipped");
  EXPECT_EQ(item(doc, "helo")["advice_key"], "helo_missing");  // how to enable the skipped checks
  EXPECT_EQ(last_status_, probe::exit_negative);

  // A warning only (HELO differs from the PTR name) exits 3.
  dns_.add_a("smtp.example.com", "192.0.2.20");
  dns_.add_txt("smtp.example.com", "v=spf1 a -all");
  doc = run_json({"192.0.2.20", "smtp.example.com", "", ""});
  EXPECT_EQ(item(doc, "helo_matches_ptr")["status"], "warn");
  EXPECT_EQ(doc["worst"], "warn");
  EXPECT_EQ(last_status_, probe::exit_temporary);
}

TEST_F(ServerCheck, DomainDerivedFromTheConfirmedPtrWhenNoHelo) {
  good_world(dns_);
  const auto doc = run_json({"192.0.2.20", "", "", ""});
  EXPECT_EQ(doc["domain"], "example.com");
  EXPECT_EQ(doc["domain_source"], "ptr");
  EXPECT_TRUE(doc["helo"].is_null());
}

TEST_F(ServerCheck, NoDomainAtAllSkipsDomainChecks) {
  const auto doc = run_json({"192.0.2.40", "", "", ""});
  EXPECT_TRUE(doc["domain"].is_null());
  EXPECT_EQ(item(doc, "domain")["status"], "skipped");
  EXPECT_TRUE(doc["spf"]["domain"].is_null());
  EXPECT_THROW(item(doc, "mx"), std::runtime_error);
}

TEST_F(ServerCheck, DnsFailuresAreWarningsNotPasses) {
  good_world(dns_);
  dns_.fail(dns::reverse_name(net::ip::make_address("192.0.2.20")), dns::outcome::servfail);
  dns_.fail("_dmarc.example.com", dns::outcome::timeout);
  const auto doc = run_json({"192.0.2.20", "", "example.com", ""});
  EXPECT_EQ(item(doc, "ptr")["status"], "warn");
  EXPECT_EQ(item(doc, "dmarc")["status"], "warn");
  EXPECT_EQ(item(doc, "dmarc")["advice_key"], "dmarc_lookup_failed");
}

TEST_F(ServerCheck, UsageErrorsAndHostileNames) {
  auto r = run({"not-an-ip", "", "", ""});
  EXPECT_EQ(r.status, probe::exit_usage);
  EXPECT_THAT(r.err, HasSubstr("not an IP address"));
  r = run({"192.0.2.20", "", "192.0.2.1", ""});
  EXPECT_EQ(r.status, probe::exit_usage);
  config_.rbl.zones = {"bad zone"};
  EXPECT_EQ(run({"192.0.2.20", "", "", ""}).status, probe::exit_usage);
  config_.rbl.zones = {};
  // A PTR name with terminal escapes is printed harmlessly.
  dns_.add_ptr("192.0.2.50", "evil\x1b[2J.example.com");
  r = run({"192.0.2.50", "", "", ""});
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

TEST_F(ServerCheck, CheckingThisHostUsesItsNameAsHelo) {
  good_world(dns_);
  fakes::memory_zone opendns;
  opendns.add_a("myip.opendns.com", "192.0.2.20");
  probe::egress_sources egress;
  egress.opendns = &opendns;
  config_.output.json = true;
  const auto r = run({"", "", "", "mail.example.com"}, egress);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["ip"], "192.0.2.20");
  EXPECT_EQ(doc["ip_source"]["method"], "opendns");
  EXPECT_EQ(doc["helo"], "mail.example.com");
  EXPECT_EQ(doc["helo_source"], "local_hostname");
  EXPECT_EQ(r.status, probe::exit_ok) << r.out;

  // A short host name is not taken for the HELO name (the MTA would append its domain).
  const auto short_name = nlohmann::json::parse(run({"", "", "example.com", "mailhost"}, egress).out);
  EXPECT_TRUE(short_name["helo"].is_null());
  EXPECT_EQ(item(short_name, "helo")["status"], "skipped");
}

TEST(Egress, OpenDnsThenGoogleThenInterface) {
  net::io_context io;
  fakes::memory_zone opendns, google;
  opendns.add_a("myip.opendns.com", "198.51.100.7");
  google.add_txt("o-o.myaddr.l.google.com", "198.51.100.7");
  const auto detect = [&](probe::egress_sources sources, probe::egress_options options = {}) {
    return test_support::run_sync<probe::egress_result>(io, [&] { return probe::detect_egress(sources, options); });
  };
  auto both = detect({&opendns, &google});
  ASSERT_TRUE(both.address);
  EXPECT_EQ(both.address->to_string(), "198.51.100.7");
  EXPECT_EQ(both.method, probe::egress_method::opendns);
  EXPECT_TRUE(both.warnings.empty());
  EXPECT_EQ(both.attempts.size(), 2u);

  // Google's TXT through a resolver may carry an extra "edns0-client-subnet" string.
  fakes::memory_zone google2;
  google2.add_txt("o-o.myaddr.l.google.com", "edns0-client-subnet 198.51.100.0/24");
  google2.add_txt("o-o.myaddr.l.google.com", "203.0.113.9");
  fakes::memory_zone broken;
  broken.fail("myip.opendns.com", dns::outcome::timeout);
  auto fallback = detect({&broken, &google2});
  ASSERT_TRUE(fallback.address);
  EXPECT_EQ(fallback.address->to_string(), "203.0.113.9");
  EXPECT_EQ(fallback.method, probe::egress_method::google);
  EXPECT_EQ(fallback.attempts[0].problem, "timeout (injected failure)");

  // Disagreement: several egress addresses.
  auto split = detect({&opendns, &google2});
  EXPECT_EQ(split.address->to_string(), "198.51.100.7");
  ASSERT_EQ(split.warnings.size(), 1u);
  EXPECT_THAT(split.warnings[0], HasSubstr("several addresses"));

  // Nothing answers: the interface address (routed toward loopback here), flagged private.
  probe::egress_options local;
  local.interface_toward = "127.0.0.1";
  auto interface = detect({&broken, nullptr}, local);
  ASSERT_TRUE(interface.address);
  EXPECT_EQ(interface.method, probe::egress_method::interface_address);
  EXPECT_TRUE(interface.address->is_loopback());
  ASSERT_FALSE(interface.warnings.empty());
  EXPECT_THAT(interface.warnings[0], HasSubstr("private"));
}

TEST(Egress, PrivateAddresses) {
  for (const char* a : {"10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1", "169.254.1.1", "fe80::1",
                        "fd00::1", "::1", "::ffff:10.0.0.1", "0.0.0.0"})
    EXPECT_TRUE(probe::is_private_address(net::ip::make_address(a))) << a;
  for (const char* a : {"192.0.2.1", "8.8.8.8", "172.32.0.1", "2001:db8::1", "::ffff:8.8.8.8"})
    EXPECT_FALSE(probe::is_private_address(net::ip::make_address(a))) << a;
}

}  // namespace
