#include "dns/cache.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace dns {

namespace net = boost::asio;

cache::cache(source& upstream, cache_options options) : upstream_(upstream), options_(options) {}

void cache::clear() {
  std::erase_if(entries_, [](const auto& item) { return item.second.ready; });
  recency_.clear();
  for (auto& [key, e] : entries_) e.recency = recency_.insert(recency_.end(), key);
}

net::awaitable<answer> cache::query(std::string name, std::uint16_t qtype) {
  stats_.lookups++;
  std::string key = normalize_name(name) + '/' + std::to_string(qtype);
  const auto now = std::chrono::steady_clock::now();

  if (auto found = entries_.find(key); found != entries_.end()) {
    entry& e = found->second;
    recency_.splice(recency_.end(), recency_, e.recency);  // used now
    if (e.ready && e.expires > now) {
      stats_.hits++;
      answer copy = e.value;
      copy.qname = std::move(name);
      copy.from_cache = true;
      copy.elapsed = std::chrono::milliseconds(0);
      co_return copy;
    }
    if (!e.ready) {
      stats_.coalesced++;
      answer shared = co_await net::async_initiate<const net::use_awaitable_t<>&, void(answer)>(
          [&e](net::any_completion_handler<void(answer)> handler) { e.waiters.push_back(std::move(handler)); },
          net::use_awaitable);
      shared.qname = std::move(name);
      shared.from_cache = true;
      co_return shared;
    }
    e.ready = false;  // expired: refresh it, letting newcomers wait for the refresh
  } else {
    entries_[key].recency = recency_.insert(recency_.end(), key);
  }

  stats_.upstream++;
  if (!executor_) executor_ = co_await net::this_coro::executor;
  answer fresh = co_await upstream_.query(name, qtype);
  store(key, fresh);
  co_return fresh;
}

void cache::store(const std::string& key, answer value) {
  auto found = entries_.find(key);
  if (found == entries_.end()) return;  // cleared meanwhile
  entry& e = found->second;
  const bool definite = is_answer(value.result);
  auto lifetime = definite ? std::clamp(std::chrono::seconds(value.ttl), options_.min_ttl, options_.max_ttl)
                           : options_.failure_ttl;
  e.expires = std::chrono::steady_clock::now() + lifetime;
  e.ready = true;
  e.value = std::move(value);
  auto waiters = std::move(e.waiters);
  e.waiters.clear();
  for (auto& waiter : waiters) {
    // Posted, so each waiter resumes on its own turn rather than inside this call.
    net::post(executor_, [h = std::move(waiter), a = e.value]() mutable { std::move(h)(std::move(a)); });
  }
  // Bound memory: drop the least recently used ready entries beyond max_entries.
  while (entries_.size() > options_.max_entries && !recency_.empty()) {
    const auto oldest = entries_.find(recency_.front());
    if (oldest != entries_.end() && !oldest->second.ready) break;  // still in flight: keep
    if (oldest != entries_.end()) entries_.erase(oldest);
    recency_.pop_front();
  }
}

}  // namespace dns
