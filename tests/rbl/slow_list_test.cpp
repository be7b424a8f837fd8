// One slow list never delays the report beyond that list's timeout.
//
// The DNS source here answers one zone only after 5 s (far beyond the 150 ms list timeout). The report must come back with
// that list "unknown (timeout)" and every other list's real answer while the slow query
// is still pending — asserted on outcomes and on the slow query not having finished, never
// on elapsed time. Two variants: a source that honours cancellation and one that ignores
// it (the report must not depend on the source's manners).

#include "rbl/checker.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/rbl/run_sync.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(Sources, SlowList, testing::Values(true, false),
                         [](const auto& info) { return info.param ? "honours_cancellation" : "ignores_cancellation"; });

}  // namespace
