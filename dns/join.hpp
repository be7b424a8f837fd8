#pragma once
// join_all: run awaitables concurrently on the current executor and collect their results
// in input order. The first exception thrown by any of them is rethrown after all have
// finished (network outcomes are values, so an exception here is a bug, not a timeout).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <vector>

namespace dns {

template <class T>
boost::asio::awaitable<std::vector<T>> join_all(std::vector<boost::asio::awaitable<T>> tasks) {
  namespace net = boost::asio;
  if (tasks.empty()) co_return std::vector<T>{};
  auto executor = co_await net::this_coro::executor;
  using operation = decltype(net::co_spawn(executor, std::move(tasks.front()), net::deferred));
  std::vector<operation> operations;
  operations.reserve(tasks.size());
  for (auto& task : tasks) operations.push_back(net::co_spawn(executor, std::move(task), net::deferred));
  auto [order, exceptions, results] = co_await net::experimental::make_parallel_group(std::move(operations))
                                          .async_wait(net::experimental::wait_for_all(), net::use_awaitable);
  for (const auto& e : exceptions)
    if (e) std::rethrow_exception(e);
  co_return std::move(results);
}

}  // namespace dns
