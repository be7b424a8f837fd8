// Mail routing rules (RFC 5321 §5.1, RFC 7505) against an in-memory DNS world.
#include "dns/routing.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace {

namespace net = boost::asio;

dns::routing route(fakes::memory_zone& zone, std::string domain, dns::routing_options options = {}) {
  net::io_context io;
  return fakes::run_coroutine(io, dns::route_mail(zone, std::move(domain), options));
}

bool has_finding(const dns::routing& r, dns::route_problem p) {
  for (const auto& f : r.findings)
    if (f.problem == p) return true;
  return false;
}

TEST(Routing, MxHostsInPreferenceOrderWithAddressesAndPtrs) {
  fakes::memory_zone zone;
  zone.add_mx("example.test", 20, "backup.example.test");
  zone.add_mx("example.test", 10, "mx1.example.test.");
  zone.add_a("mx1.example.test", "127.0.0.2");
  zone.add_a("mx1.example.test", "::1");
  zone.add_a("backup.example.test", "127.0.0.3");
  zone.add_ptr("127.0.0.2", "mx1.example.test");
  const auto r = route(zone, "Example.TEST");
  EXPECT_EQ(r.kind, dns::route_kind::mx);
  EXPECT_EQ(r.domain, "example.test");
  ASSERT_EQ(r.hosts.size(), 2u);
  EXPECT_EQ(r.hosts[0].name, "mx1.example.test");
  EXPECT_EQ(r.hosts[0].preference, 10);
  ASSERT_EQ(r.hosts[0].addresses.size(), 2u);
  EXPECT_EQ(r.hosts[0].addresses[0].address.to_string(), "::1");  // AAAA first
  EXPECT_EQ(r.hosts[0].addresses[1].address.to_string(), "127.0.0.2");
  EXPECT_EQ(r.hosts[0].addresses[1].ptr.names(), std::vector<std::string>{"mx1.example.test"});
  EXPECT_EQ(r.hosts[0].addresses[0].ptr.result, dns::outcome::nxdomain);
  EXPECT_EQ(r.hosts[1].name, "backup.example.test");
}

TEST(Routing, EqualPreferencesAreShuffledRepeatablyWithASeed) {
  fakes::memory_zone zone;
  for (int i = 0; i < 8; ++i) {
    const auto host = "mx" + std::to_string(i) + ".tie.test";
    zone.add_mx("tie.test", 10, host);
    zone.add_a(host, "127.0.0." + std::to_string(10 + i));
  }
  auto order = [&](std::uint64_t seed) {
    std::vector<std::string> names;
    for (const auto& h : route(zone, "tie.test", [&] { dns::routing_options o; o.lookup_ptr = false; o.seed = seed; return o; }()).hosts) names.push_back(h.name);
    return names;
  };
  EXPECT_EQ(order(1), order(1));
  std::set<std::vector<std::string>> seen;
  for (std::uint64_t seed = 0; seed < 10; ++seed) seen.insert(order(seed));
  EXPECT_GT(seen.size(), 1u);  // ties really are randomised
}

TEST(Routing, NoMxButAnAddressIsTheImplicitMx) {
  fakes::memory_zone zone;
  zone.add_a("implicit.test", "127.0.0.4");
  const auto r = route(zone, "implicit.test");
  EXPECT_EQ(r.kind, dns::route_kind::implicit_mx);
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_TRUE(r.hosts[0].implicit);
  EXPECT_EQ(r.hosts[0].name, "implicit.test");
  EXPECT_EQ(r.hosts[0].addresses.at(0).address.to_string(), "127.0.0.4");
}

TEST(Routing, NullMxAcceptsNoMailAndHasNothingToDial) {
  fakes::memory_zone zone;
  zone.add_mx("null.test", 0, "");
  zone.add_a("null.test", "127.0.0.4");  // an address must not turn into an implicit MX
  const auto r = route(zone, "null.test");
  EXPECT_EQ(r.kind, dns::route_kind::null_mx);
  EXPECT_TRUE(r.hosts.empty());
  EXPECT_TRUE(r.dialable_hosts().empty());
}

TEST(Routing, NxdomainMeansTheDomainDoesNotExist) {
  fakes::memory_zone zone;
  const auto r = route(zone, "nowhere.test");
  EXPECT_EQ(r.kind, dns::route_kind::no_domain);
  EXPECT_EQ(r.mx_answer.result, dns::outcome::nxdomain);
}

TEST(Routing, DomainWithoutMxOrAddressHasNoMailHost) {
  fakes::memory_zone zone;
  zone.add_txt("bare.test", "just text");
  const auto r = route(zone, "bare.test");
  EXPECT_EQ(r.kind, dns::route_kind::no_mail_host);
  EXPECT_TRUE(r.findings.empty());  // there is no MX to be misconfigured
}

TEST(Routing, IpLiteralMxIsFlaggedAndNotDialled) {
  fakes::memory_zone zone;
  zone.add_mx("literal.test", 10, "127.0.0.9");
  const auto r = route(zone, "literal.test");
  EXPECT_TRUE(has_finding(r, dns::route_problem::mx_ip_literal));
  EXPECT_TRUE(r.dialable_hosts().empty());
  EXPECT_EQ(r.kind, dns::route_kind::no_mail_host);
}

TEST(Routing, CnameMxIsFlaggedButFollowed) {
  fakes::memory_zone zone;
  zone.add_mx("alias.test", 10, "mail.alias.test");
  zone.add_cname("mail.alias.test", "real.alias.test");
  zone.add_a("real.alias.test", "127.0.0.6");
  const auto r = route(zone, "alias.test");
  EXPECT_EQ(r.kind, dns::route_kind::mx);
  EXPECT_TRUE(has_finding(r, dns::route_problem::mx_is_cname));
  EXPECT_EQ(r.dialable_hosts().size(), 1u);
}

TEST(Routing, MxWithoutAddressIsSkippedForTheNext) {
  fakes::memory_zone zone;
  zone.add_mx("partial.test", 10, "ghost.partial.test");
  zone.add_mx("partial.test", 20, "real.partial.test");
  zone.add_a("real.partial.test", "127.0.0.7");
  const auto r = route(zone, "partial.test");
  EXPECT_EQ(r.kind, dns::route_kind::mx);
  EXPECT_TRUE(has_finding(r, dns::route_problem::mx_no_address));
  ASSERT_EQ(r.dialable_hosts().size(), 1u);
  EXPECT_EQ(r.dialable_hosts()[0]->name, "real.partial.test");
}

TEST(Routing, NullMxBesideOtherMxIsFlagged) {
  fakes::memory_zone zone;
  zone.add_mx("mixed.test", 0, "");
  zone.add_mx("mixed.test", 10, "mx.mixed.test");
  zone.add_a("mx.mixed.test", "127.0.0.8");
  const auto r = route(zone, "mixed.test");
  EXPECT_EQ(r.kind, dns::route_kind::mx);
  EXPECT_TRUE(has_finding(r, dns::route_problem::null_mx_mixed));
}

TEST(Routing, MxLookupFailureIsUnknownRoutingNotNoDomain) {
  fakes::memory_zone zone;
  zone.fail("flaky.test", dns::outcome::servfail);
  const auto r = route(zone, "flaky.test");
  EXPECT_EQ(r.kind, dns::route_kind::dns_failure);
  EXPECT_EQ(r.mx_answer.result, dns::outcome::servfail);
}

TEST(Routing, HostLookupFailureIsUnknownNotMissing) {
  fakes::memory_zone zone;
  zone.add_mx("slowhost.test", 10, "mx.slowhost.test");
  zone.fail("mx.slowhost.test", dns::outcome::timeout);
  const auto r = route(zone, "slowhost.test");
  EXPECT_EQ(r.kind, dns::route_kind::dns_failure);
  EXPECT_TRUE(has_finding(r, dns::route_problem::mx_lookup_failed));
}

TEST(Routing, FamilyFilterAsksOnlyThatFamily) {
  fakes::memory_zone zone;
  zone.add_mx("v6.test", 10, "mx.v6.test");
  zone.add_a("mx.v6.test", "::1");
  zone.add_a("mx.v6.test", "127.0.0.2");
  const auto r = route(zone, "v6.test", [] { dns::routing_options o; o.lookup_ptr = false; o.want_ipv4 = false; return o; }());
  ASSERT_EQ(r.hosts.at(0).addresses.size(), 1u);
  EXPECT_TRUE(r.hosts[0].addresses[0].address.is_v6());
}

// Each finding carries, beside its English sentence, a key and named values so a report can
// say it in another language (probe/data/output_words.yaml "route.*"); the values are the
// facts the sentence quotes.
TEST(Routing, FindingsCarryAKeyAndTheValuesTheirSentenceQuotes) {
  fakes::memory_zone zone;
  zone.add_mx("all.test", 0, "");
  zone.add_mx("all.test", 10, "127.0.0.9");
  zone.add_mx("all.test", 20, "mail.all.test");
  zone.add_cname("mail.all.test", "real.all.test");
  zone.add_a("real.all.test", "192.0.2.6");
  zone.add_mx("all.test", 30, "ghost.all.test");
  zone.add_mx("all.test", 40, "slow.all.test");
  zone.fail("slow.all.test", dns::outcome::timeout);
  zone.add_mx("all.test", 50, "local.all.test");
  zone.add_a("local.all.test", "::1");
  const auto r = route(zone, "all.test", [] { dns::routing_options o; o.lookup_ptr = false; return o; }());
  const auto values_of = [&](dns::route_problem p) {
    std::map<std::string, std::string> out;
    for (const auto& f : r.findings)
      if (f.problem == p) {
        EXPECT_EQ(f.key, "route." + [&] { std::string k(dns::to_string(p)); std::replace(k.begin(), k.end(), '-', '_'); return k; }());
        for (const auto& v : f.values) {
          EXPECT_NE(f.explanation.find(v.text), std::string::npos) << v.name << " is not in: " << f.explanation;
          out[v.name] = v.text;
        }
      }
    return out;
  };
  using values = std::map<std::string, std::string>;
  EXPECT_EQ(values_of(dns::route_problem::null_mx_mixed), values{});
  EXPECT_EQ(values_of(dns::route_problem::mx_ip_literal), (values{{"host", "127.0.0.9"}}));
  EXPECT_EQ(values_of(dns::route_problem::mx_is_cname), (values{{"host", "mail.all.test"}, {"target", "real.all.test"}}));
  EXPECT_EQ(values_of(dns::route_problem::mx_no_address), (values{{"host", "ghost.all.test"}}));
  EXPECT_EQ(values_of(dns::route_problem::mx_lookup_failed), (values{{"host", "slow.all.test"}, {"result", "timeout"}}));
  EXPECT_EQ(values_of(dns::route_problem::mx_localhost), (values{{"host", "local.all.test"}, {"address", "::1"}}));
  EXPECT_EQ(r.findings.size(), 6u);
}

}  // namespace
