#pragma once
// The run: one io_context, one c-ares resolver and one DNS cache shared by every check a
// command makes (so routing a domain twice costs one query, and a batch or a correlation
// shares answers across jobs).
//
// Lifetime: create once per process invocation; everything that awaits `dns()` must
// finish before the runtime is destroyed. Threading: one thread runs the io_context.

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "probe/settings.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace probe {

class runtime {
 public:
  // Fails (with a message for the user) on a bad --dns-server or a c-ares init error.
  static std::variant<std::unique_ptr<runtime>, std::string> create(const settings& config);

  boost::asio::io_context& io() { return io_; }
  dns::source& dns() { return *cache_; }
  dns::resolver& resolver() { return *resolver_; }
  dns::cache& dns_cache() { return *cache_; }

  // Runs `task` to completion on this runtime's io_context and returns its result.
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr error;
    boost::asio::co_spawn(io_, std::move(task), [&](std::exception_ptr e, T value) {
      error = e;
      if (!e) result = std::move(value);
      io_.stop();  // the answer is in; nothing else this run started matters now
    });
    io_.restart();
    io_.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }

 private:
  runtime() = default;
  boost::asio::io_context io_{1};
  std::unique_ptr<dns::resolver> resolver_;
  std::unique_ptr<dns::cache> cache_;
};

// "no DNS server answered: 127.0.0.53:53 (timeout); is this machine on a network?"
// when every lookup of a command failed the same way; empty otherwise.
std::string explain_dns_failure(const dns::answer& failed, const dns::resolver& resolver);

}  // namespace probe
