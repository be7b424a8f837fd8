// dns::cache: concurrent identical lookups share one upstream query; answers are reused.
#include "dns/cache.hpp"
#include "dns/join.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

namespace {

namespace net = boost::asio;

// A source that answers after a delay, so several lookups are in flight together.
class slow_zone : public dns::source {
 public:
  explicit slow_zone(fakes::memory_zone& zone) : zone_(zone) {}
  net::awaitable<dns::answer> query(std::string name, std::uint16_t type) override {
    ++calls;
    net::steady_timer t(co_await net::this_coro::executor, std::chrono::milliseconds(20));
    co_await t.async_wait(net::use_awaitable);
    co_return co_await zone_.query(std::move(name), type);
  }
  int calls = 0;

 private:
  fakes::memory_zone& zone_;
};

TEST(Cache, ConcurrentIdenticalLookupsShareOneUpstreamQuery) {
  net::io_context io;
  fakes::memory_zone zone;
  zone.add_a("mx.example.test", "127.0.0.5");
  slow_zone upstream(zone);
  dns::cache cache(upstream);
  auto many = [&]() -> net::awaitable<std::vector<dns::answer>> {
    std::vector<net::awaitable<dns::answer>> lookups;
    for (int i = 0; i < 50; ++i) lookups.push_back(cache.a(i % 2 ? "MX.example.test." : "mx.example.test"));
    co_return co_await dns::join_all(std::move(lookups));
  };
  const auto answers = fakes::run_coroutine(io, many());
  EXPECT_EQ(upstream.calls, 1);
  for (const auto& a : answers) {
    ASSERT_EQ(a.result, dns::outcome::records);
    EXPECT_EQ(a.addresses().at(0).to_string(), "127.0.0.5");
  }
  EXPECT_EQ(cache.stats().coalesced, 49u);
}

TEST(Cache, LaterLookupsAreHitsAndSaySo) {
  net::io_context io;
  fakes::memory_zone zone;
  zone.add_mx("example.test", 10, "mx.example.test");
  dns::cache cache(zone);
  const auto first = fakes::run_coroutine(io, cache.mx("example.test"));
  const auto second = fakes::run_coroutine(io, cache.mx("example.test"));
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.mx(), first.mx());
  EXPECT_EQ(zone.queries(), 1u);
}

TEST(Cache, TypesAndNamesAreSeparateKeys) {
  net::io_context io;
  fakes::memory_zone zone;
  zone.add_a("h.test", "127.0.0.1");
  dns::cache cache(zone);
  EXPECT_EQ(fakes::run_coroutine(io, cache.a("h.test")).result, dns::outcome::records);
  EXPECT_EQ(fakes::run_coroutine(io, cache.aaaa("h.test")).result, dns::outcome::nodata);
  EXPECT_EQ(fakes::run_coroutine(io, cache.a("other.test")).result, dns::outcome::nxdomain);
  EXPECT_EQ(zone.queries(), 3u);
}

TEST(Cache, FailuresExpireSoonerThanAnswers) {
  net::io_context io;
  fakes::memory_zone zone;
  zone.fail("down.test", dns::outcome::timeout);
  dns::cache cache(zone, {.failure_ttl = std::chrono::seconds(0)});
  EXPECT_EQ(fakes::run_coroutine(io, cache.a("down.test")).result, dns::outcome::timeout);
  EXPECT_EQ(fakes::run_coroutine(io, cache.a("down.test")).result, dns::outcome::timeout);
  EXPECT_EQ(zone.queries(), 2u);  // a failure is not kept for the run
}

TEST(Cache, EntriesAreBounded) {
  net::io_context io;
  fakes::memory_zone zone;
  dns::cache cache(zone, {.max_entries = 10});
  for (int i = 0; i < 100; ++i) fakes::run_coroutine(io, cache.a("n" + std::to_string(i) + ".test"));
  fakes::run_coroutine(io, cache.a("n0.test"));
  EXPECT_EQ(zone.queries(), 101u);  // n0 was evicted and asked again
}

TEST(Cache, TheLeastRecentlyUsedGoFirst) {
  net::io_context io;
  fakes::memory_zone zone;
  dns::cache cache(zone, {.max_entries = 10});
  // common.test is asked between every rare name: it stays while the rare ones pass.
  for (int i = 0; i < 100; ++i) {
    fakes::run_coroutine(io, cache.a("common.test"));
    fakes::run_coroutine(io, cache.a("rare" + std::to_string(i) + ".test"));
  }
  EXPECT_EQ(zone.queries(), 101u);  // common.test asked once, each rare name once
  fakes::run_coroutine(io, cache.a("rare0.test"));
  EXPECT_EQ(zone.queries(), 102u);  // the oldest rare name was dropped
  EXPECT_TRUE(fakes::run_coroutine(io, cache.a("common.test")).from_cache);
}

}  // namespace
