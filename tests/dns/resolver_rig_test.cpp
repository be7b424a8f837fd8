// dns::resolver against the real nsd of the rig (IPv4 and IPv6 transports, ports).
#include "dns/resolver.hpp"
#include "dns/routing.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gtest/gtest.h>

namespace {

namespace net = boost::asio;

std::unique_ptr<dns::resolver> make(net::io_context& io, std::string server) {
  auto created = dns::resolver::create(io.get_executor(), {.servers = {std::move(server)}});
  return std::move(std::get<std::unique_ptr<dns::resolver>>(created));
}

TEST(ResolverRig, AnswersFromNsdOverIpv4AndIpv6) {
  for (const char* server : {"127.0.0.1:5353", "[::1]:5353"}) {
    net::io_context io;
    auto r = make(io, server);
    const auto mx = fakes::run_coroutine(io, r->mx("probe.test"));
    ASSERT_EQ(mx.result, dns::outcome::records) << server << ": " << mx.detail;
    EXPECT_EQ(mx.mx().at(0).host, "mx1.probe.test");
    EXPECT_EQ(mx.ttl, 60u);
    const auto nx = fakes::run_coroutine(io, r->a("nosuch.probe.test"));
    EXPECT_EQ(nx.result, dns::outcome::nxdomain);
    const auto nodata = fakes::run_coroutine(io, r->aaaa("mx1.probe.test"));
    EXPECT_EQ(nodata.result, dns::outcome::nodata);
  }
}

TEST(ResolverRig, DefaultResolvConfReachesTheRigsForwarder) {
  net::io_context io;
  auto created = dns::resolver::create(io.get_executor(), {});
  auto& r = std::get<std::unique_ptr<dns::resolver>>(created);
  const auto ptr = fakes::run_coroutine(io, r->ptr(net::ip::make_address("127.0.0.2")));
  ASSERT_EQ(ptr.result, dns::outcome::records) << ptr.detail;
  EXPECT_EQ(ptr.names().at(0), "mx1.probe.test");
}

TEST(ResolverRig, NsdRefusesZonesItDoesNotServe) {
  net::io_context io;
  auto r = make(io, "127.0.0.1:5353");
  EXPECT_EQ(fakes::run_coroutine(io, r->a("example.com")).result, dns::outcome::refused);
}

TEST(ResolverRig, RoutingThroughTheRealServer) {
  net::io_context io;
  auto r = make(io, "127.0.0.1:5353");
  const auto route = fakes::run_coroutine(io, dns::route_mail(*r, "fallback.probe.test"));
  EXPECT_EQ(route.kind, dns::route_kind::mx);
  ASSERT_EQ(route.hosts.size(), 2u);
  EXPECT_EQ(route.hosts[0].name, "mx2.probe.test");
  EXPECT_EQ(route.hosts[1].name, "mx1.probe.test");
}

}  // namespace
