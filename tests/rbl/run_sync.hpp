#pragma once
// Test helper: run one awaitable to completion on a fresh io_context and return its value.
// Work still pending afterwards (a deliberately slow fake query) is abandoned with the
// io_context, so a test never waits for it.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <stdexcept>

namespace test_support {

template <typename T, typename Make>
T run_sync(boost::asio::io_context& io, Make make) {
  std::optional<T> result;
  std::exception_ptr failure;
  io.restart();  // a previous run may have stopped it by running out of work
  boost::asio::co_spawn(io, make(), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) result = std::move(value);
  });
  while (!result && !failure) {
    if (io.run_one() == 0) break;
  }
  if (failure) std::rethrow_exception(failure);
  if (!result) throw std::logic_error("the awaitable never completed");
  return std::move(*result);
}

}  // namespace test_support
