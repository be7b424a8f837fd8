#pragma once
// Runs one coroutine on a test's io_context until it finishes, while in-process fake
// servers on the same io_context keep their accept/receive operations pending.
// A generous wall-clock bound turns a hang into a test failure instead of a stuck CI.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

namespace fakes {

template <class T>
T run_coroutine(boost::asio::io_context& io, boost::asio::awaitable<T> task,
                std::chrono::seconds bound = std::chrono::seconds(60)) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
    done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + bound;
  io.restart();
  while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(50));
  if (!done) throw std::runtime_error("coroutine did not finish within the test's bound");
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

}  // namespace fakes
