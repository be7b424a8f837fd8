#pragma once
// dns::cache: one DNS cache for a whole run, in front of any dns::source.
//
// Promise: concurrent lookups of the same (name, type) share one upstream query
// (the others wait for it); a completed answer is reused for max(TTL, min_ttl) up to
// max_ttl, and a failure (timeout, SERVFAIL...) for failure_ttl only, so a retry later
// in a long batch can succeed. Answers served from the cache say so (from_cache).
// The cache holds at most max_entries answers; the least recently used are dropped first
// (a batch keeps asking for its few common domains while thousands of rare ones pass).
//
// Threading: the io_context's thread only, like every source. The upstream must
// outlive the cache.

#include "dns/source.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <list>
#include <unordered_map>

namespace dns {

struct cache_options {
  std::chrono::seconds min_ttl{300};
  std::chrono::seconds max_ttl{3600};
  std::chrono::seconds failure_ttl{30};
  // A batch of a million addresses must not keep every domain's answers: the lookups of
  // one domain come close together, so a window of recent answers serves them all.
  std::size_t max_entries = 20000;
};

struct cache_stats {
  std::uint64_t lookups = 0;
  std::uint64_t hits = 0;       // answered from a stored answer
  std::uint64_t coalesced = 0;  // waited for an identical query already in flight
  std::uint64_t upstream = 0;   // queries sent upstream
};

class cache final : public source {
 public:
  explicit cache(source& upstream, cache_options options = {});
  boost::asio::awaitable<answer> query(std::string name, std::uint16_t qtype) override;
  cache_stats stats() const { return stats_; }
  void clear();

 private:
  struct entry {
    bool ready = false;
    answer value;
    std::chrono::steady_clock::time_point expires;
    std::vector<boost::asio::any_completion_handler<void(answer)>> waiters;
    std::list<std::string>::iterator recency;  // its place in recency_
  };
  void store(const std::string& key, answer value);

  source& upstream_;
  boost::asio::any_io_executor executor_;  // where waiters are resumed
  cache_options options_;
  std::unordered_map<std::string, entry> entries_;
  std::list<std::string> recency_;  // keys, least recently used first, for eviction
  cache_stats stats_;
};

}  // namespace dns
