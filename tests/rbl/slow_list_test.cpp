// One slow list never delays the report beyond that list's timeout.
//
// The DNS source here answers one zone only after 5 s (far beyond the 150 ms list timeout). The report must come back with
// that list "unknown (timeout)" and every other list's real answer while the slow query
// is still pending — asserted on outcomes and on the slow query not having finished, never
// on elapsed time. Two variants: a source that honours cancellation and one that ignores
// it (the report must not depend on the source's manners).

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "rbl/checker.hpp"
#include "tests/fakes/fake_dns_server.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/rbl/run_sync.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace {

namespace net = boost::asio;

class slow_source : public dns::source {
 public:
  slow_source(fakes::memory_zone& inner, std::string slow_zone, bool honours_cancellation)
      : inner_(inner), slow_zone_(std::move(slow_zone)), honours_cancellation_(honours_cancellation) {}

  net::awaitable<dns::answer> query(std::string name, std::uint16_t qtype) override {
    if (!dns::normalize_name(name).ends_with(slow_zone_)) co_return co_await inner_.query(std::move(name), qtype);
    ++started_;
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::seconds(5));
    if (honours_cancellation_) {
      const auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (ec) {
        ++cancelled_;
        dns::answer cancelled;
        cancelled.result = dns::outcome::error;
        cancelled.detail = "cancelled";
        co_return cancelled;
      }
    } else {
      // Ignore cancellation: keep waiting until the delay is really over.
      co_await net::this_coro::reset_cancellation_state(net::disable_cancellation());
      while (std::chrono::steady_clock::now() < timer.expiry())
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
    ++finished_;
    co_return co_await inner_.query(std::move(name), qtype);
  }

  int started_ = 0, finished_ = 0, cancelled_ = 0;

 private:
  fakes::memory_zone& inner_;
  std::string slow_zone_;
  bool honours_cancellation_;
};

constexpr std::string_view lists_yaml = R"(
lists:
  - {name: fast-listed, zone: fast.test, kind: ip4, default: true}
  - {name: fast-clean, zone: clean.test, kind: ip4, default: true}
  - {name: slow, zone: slow.test, kind: ip4, default: true}
)";

class SlowList : public testing::TestWithParam<bool> {};

TEST_P(SlowList, ReportComesBackWithoutWaitingForTheSlowList) {
  auto loaded = rbl::catalogue::parse(lists_yaml, "test");
  ASSERT_TRUE(std::holds_alternative<rbl::catalogue>(loaded));
  const auto& lists = std::get<rbl::catalogue>(loaded);

  fakes::memory_zone zone;
  for (const char* z : {"fast.test", "clean.test", "slow.test"}) zone.add_a(std::string("2.0.0.127.") + z, "127.0.0.2");
  zone.add_a("1.2.0.192.fast.test", "127.0.0.2");
  zone.add_a("1.2.0.192.slow.test", "127.0.0.2");
  slow_source dns(zone, "slow.test", GetParam());

  rbl::check_options options;
  options.timeout = std::chrono::milliseconds(150);
  rbl::checker checker(dns, lists, options);
  net::io_context io;
  auto parsed = rbl::parse_target("192.0.2.1");
  const auto target = std::get<rbl::target>(parsed);
  auto result = test_support::run_sync<std::variant<std::vector<rbl::listing>, rbl::selection_error>>(
      io, [&] { return checker.check(target, std::vector<std::string>{}); });
  ASSERT_TRUE(std::holds_alternative<std::vector<rbl::listing>>(result));
  const auto& listings = std::get<std::vector<rbl::listing>>(result);

  ASSERT_EQ(listings.size(), 3u);
  EXPECT_EQ(listings[0].list_name, "fast-listed");
  EXPECT_EQ(listings[0].result, rbl::outcome::listed);
  EXPECT_EQ(listings[1].list_name, "fast-clean");
  EXPECT_EQ(listings[1].result, rbl::outcome::not_listed);
  EXPECT_EQ(listings[2].list_name, "slow");
  EXPECT_EQ(listings[2].result, rbl::outcome::unknown);
  EXPECT_NE(listings[2].detail.find("timeout"), std::string::npos) << listings[2].detail;
  EXPECT_EQ(listings[2].health.state, rbl::health_state::unknown);

  // The report arrived while the slow list's queries were still outstanding (or had been
  // cancelled): it did not wait for the slow answer (a blocking implementation fails here or hangs).
  EXPECT_GE(dns.started_, 1);
  EXPECT_EQ(dns.finished_, 0);
  if (GetParam()) {
    // Run the handlers the cancellation queued: a cooperative source stops at once.
    io.restart();
    io.poll();
    EXPECT_EQ(dns.cancelled_, dns.started_);
  }
}

// The same through the real c-ares resolver and the run-wide cache, against the in-process
// fake DNS server on loopback: the slow list's server never answers, the resolver would
// wait 5 s per try; the report comes back with that list unknown while the query is
// still outstanding.
TEST(SlowListOverTheWire, SilentServerDoesNotHoldTheReport) {
  auto loaded = rbl::catalogue::parse(lists_yaml, "test");
  const auto& lists = std::get<rbl::catalogue>(loaded);
  net::io_context io;
  fakes::fake_dns_server server(io, [](const std::string& name, std::uint16_t type) {
    fakes::dns_reply reply;
    const auto key = dns::normalize_name(name);
    if (key.ends_with("slow.test")) {
      reply.drop = true;
      return reply;
    }
    if (type == dns::type::a && (key.starts_with("2.0.0.127.") || key == "1.2.0.192.fast.test"))
      reply.spec.answers.push_back({name, dns::type::a, 60, net::ip::make_address_v4("127.0.0.2")});
    else if (type == dns::type::txt && key == "1.2.0.192.fast.test")
      reply.spec.answers.push_back({name, dns::type::txt, 60, dns::txt_data{{"listed for testing"}}});
    else
      reply.spec.rcode = 3;  // NXDOMAIN
    return reply;
  });
  auto created = dns::resolver::create(io.get_executor(), {.servers = {server.address()},
                                                           .timeout = std::chrono::milliseconds(5000),
                                                           .tries = 1});
  auto resolver = std::move(std::get<std::unique_ptr<dns::resolver>>(created));
  dns::cache cache(*resolver);
  rbl::check_options options;
  options.timeout = std::chrono::milliseconds(300);
  rbl::checker checker(cache, lists, options);
  auto parsed = rbl::parse_target("192.0.2.1");
  auto result = test_support::run_sync<std::variant<std::vector<rbl::listing>, rbl::selection_error>>(
      io, [&] { return checker.check(std::get<rbl::target>(parsed), std::vector<std::string>{}); });
  const auto& listings = std::get<std::vector<rbl::listing>>(result);
  ASSERT_EQ(listings.size(), 3u);
  EXPECT_EQ(listings[0].result, rbl::outcome::listed);
  EXPECT_EQ(listings[0].txt, std::vector<std::string>{"listed for testing"});
  EXPECT_EQ(listings[1].result, rbl::outcome::not_listed);
  EXPECT_EQ(listings[2].result, rbl::outcome::unknown);
  // The slow list's queries were still unanswered when the report was complete.
  EXPECT_LT(resolver->stats().answered, resolver->stats().queries);
  resolver.reset();  // completes them at once ("resolver shut down")
  io.restart();
  io.poll();
}

// A source that answers after a short delay and records how many queries were in flight.
class counting_source : public dns::source {
 public:
  explicit counting_source(fakes::memory_zone& inner) : inner_(inner) {}
  net::awaitable<dns::answer> query(std::string name, std::uint16_t qtype) override {
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(2));
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    --in_flight_;
    co_return co_await inner_.query(std::move(name), qtype);
  }
  int in_flight_ = 0, max_in_flight_ = 0;

 private:
  fakes::memory_zone& inner_;
};

// A batch of targets (correlation checks many bounces) queues for turns instead of
// flooding the DNS: with 4 turns, at most 4 lists' lookups (health, A, TXT) are in flight.
TEST(ListConcurrency, ChecksWaitForATurn) {
  auto loaded = rbl::catalogue::parse(lists_yaml, "test");
  const auto& lists = std::get<rbl::catalogue>(loaded);
  fakes::memory_zone zone;
  for (const char* z : {"fast.test", "clean.test", "slow.test"}) zone.add_a(std::string("2.0.0.127.") + z, "127.0.0.2");
  zone.add_a("7.2.0.192.fast.test", "127.0.0.2");
  counting_source dns(zone);
  rbl::check_options options;
  options.max_concurrent_lists = 4;
  options.timeout = std::chrono::seconds(30);
  rbl::checker checker(dns, lists, options);
  net::io_context io;
  int listed = 0, clean = 0, other = 0;
  for (int i = 0; i < 50; ++i) {
    auto parsed = rbl::parse_target("192.0.2." + std::to_string(i));
    net::co_spawn(io, checker.check(std::get<rbl::target>(parsed), std::vector<std::string>{}),
                  [&](std::exception_ptr, std::variant<std::vector<rbl::listing>, rbl::selection_error> r) {
                    for (const auto& l : std::get<std::vector<rbl::listing>>(r))
                      (l.result == rbl::outcome::listed ? listed : l.result == rbl::outcome::not_listed ? clean : other)++;
                  });
  }
  io.run();
  EXPECT_EQ(listed, 1);
  EXPECT_EQ(clean, 149);
  EXPECT_EQ(other, 0);
  EXPECT_GT(dns.max_in_flight_, 1);
  EXPECT_LE(dns.max_in_flight_, 4 * 3);  // A + two test points (or TXT) per list at most
}

INSTANTIATE_TEST_SUITE_P(Sources, SlowList, testing::Values(true, false),
                         [](const auto& info) { return info.param ? "honours_cancellation" : "ignores_cancellation"; });

}  // namespace
