// check_host() and DMARC lookup through the real c-ares resolver, against the in-process
// fake DNS server on 127.0.0.1: TXT records split into several wire strings, an SPF record
// too long for a 512-byte UDP answer (TC → TCP), a silent server (timeout → temperror),
// NXDOMAIN (void lookup), and a DMARC fallback to the organisational domain.

#include "dns/dmarc.hpp"
#include "dns/resolver.hpp"
#include "dns/spf.hpp"
#include "tests/fakes/fake_dns_server.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

namespace net = boost::asio;
using dns::spf::result;

dns::resource_record txt(std::string name, std::vector<std::string> strings) {
  return {std::move(name), dns::type::txt, 300, dns::txt_data{std::move(strings)}};
}
dns::resource_record a(std::string name, std::string_view ip) {
  return {std::move(name), dns::type::a, 300, net::ip::make_address_v4(ip)};
}

// A long record: 40 ip4 terms, ~900 bytes, more than a 512-byte UDP answer holds.
std::vector<std::string> long_record() {
  std::string text = "v=spf1";
  for (int i = 0; i < 40; ++i) text += " ip4:198.51." + std::to_string(100 + i) + ".0/24";
  text += " -all";
  std::vector<std::string> strings;
  for (std::size_t at = 0; at < text.size(); at += 255) strings.push_back(text.substr(at, 255));
  return strings;
}

class spf_over_resolver : public testing::Test {
 protected:
  spf_over_resolver()
      : server_(io_, [this](const std::string& name, std::uint16_t type) { return reply(name, type); }) {
    dns::resolver_options options;
    options.servers = {server_.address()};
    options.timeout = std::chrono::milliseconds(300);
    options.tries = 1;
    options.edns = false;  // plain 512-byte UDP, so the long record must come over TCP
    auto created = dns::resolver::create(io_.get_executor(), options);
    if (auto* error = std::get_if<dns::resolver::error>(&created)) throw std::runtime_error(error->what);
    resolver_ = std::move(std::get<0>(created));
  }

  fakes::dns_reply reply(const std::string& name, std::uint16_t type) {
    fakes::dns_reply r;
    const auto key = dns::normalize_name(name);
    if (key == "silent.example") {
      r.drop = true;
      return r;
    }
    if (key == "long.example" && type == dns::type::txt) r.truncate_udp = true;
    bool exists = false;
    for (const auto& rr : records_)
      if (dns::normalize_name(rr.name) == key) {
        exists = true;
        if (rr.type == type) r.spec.answers.push_back(rr);
      }
    if (!exists) r.spec.rcode = 3;
    return r;
  }

  dns::spf::evaluation check(std::string ip, std::string sender) {
    dns::spf::request req;
    req.ip = net::ip::make_address(ip);
    req.sender = std::move(sender);
    req.helo = "client.example";
    return fakes::run_coroutine(io_, dns::spf::check_host(*resolver_, req));
  }

  net::io_context io_;
  std::vector<dns::resource_record> records_{
      txt("split.example", {"v=spf1 ip4:", "192.0.2.0/24 include:", "long.example -all"}),
      txt("long.example", long_record()),
      txt("timeout.example", {"v=spf1 a:gone.example include:silent.example -all"}),
      txt("_dmarc.example.org", {"v=DMARC1; p=quarantine; sp=reject; rua=mailto:d@example.org"}),
      a("host.example", "192.0.2.1"),
  };
  fakes::fake_dns_server server_;
  std::unique_ptr<dns::resolver> resolver_;
};

TEST_F(spf_over_resolver, strings_are_joined_and_long_records_come_over_tcp) {
  auto ev = check("192.0.2.44", "a@split.example");
  EXPECT_EQ(ev.verdict, result::pass) << ev.problem;
  EXPECT_EQ(ev.mechanism, "ip4:192.0.2.0/24");
  EXPECT_EQ(ev.record, "v=spf1 ip4:192.0.2.0/24 include:long.example -all");

  ev = check("198.51.139.7", "a@split.example");
  EXPECT_EQ(ev.verdict, result::pass) << ev.problem;
  EXPECT_EQ(ev.mechanism, "include:long.example");
  EXPECT_GE(server_.tcp_queries(), 1u);
}

TEST_F(spf_over_resolver, silence_is_temperror_and_nxdomain_is_a_void_lookup) {
  const auto ev = check("192.0.2.44", "a@timeout.example");
  EXPECT_EQ(ev.verdict, result::temperror);
  EXPECT_EQ(ev.void_lookups, 1);  // a:gone.example
  EXPECT_NE(ev.problem.find("silent.example"), std::string::npos) << ev.problem;
  EXPECT_NE(ev.problem.find("timeout"), std::string::npos) << ev.problem;
}

TEST_F(spf_over_resolver, dmarc_falls_back_to_the_organisational_domain) {
  const auto r = fakes::run_coroutine(io_, dns::dmarc::lookup(*resolver_, "news.example.org"));
  ASSERT_TRUE(r.record) << r.error;
  EXPECT_TRUE(r.inherited);
  EXPECT_EQ(r.queried_domain, "_dmarc.example.org");
  EXPECT_EQ(r.effective_policy, "reject");
}

}  // namespace
