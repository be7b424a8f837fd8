#pragma once
// A DNS query that never makes its caller wait past a deadline.
//
// Why not `query() || timer` (awaitable operators)? A parallel group completes only when
// every branch has finished, so a source that ignores cancellation would still hold the
// report hostage. Here the query runs as its own coroutine; the caller waits on a timer
// that either the answer or the deadline ends. At the deadline the query is asked to stop
// (terminal cancellation, for sources that honour it) and its late answer is dropped.
//
// Threading: start and wait on the io_context's thread. Lifetime: the source must outlive
// the query coroutine, which may finish after the caller stopped waiting (the source is
// owned by the command and lives until the io_context has run out of work).

#include "dns/source.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace rbl {

using clock = std::chrono::steady_clock;

class pending_query {
 public:
  // Starts the query now; the answer is kept until wait_until() collects it.
  static pending_query start(boost::asio::any_io_executor executor, dns::source& source, std::string name,
                             std::uint16_t qtype);
  // The answer, or outcome::timeout (detail says which deadline) if none came in time.
  // Call at most once.
  boost::asio::awaitable<dns::answer> wait_until(clock::time_point deadline);

  struct state;

 private:
  std::shared_ptr<state> state_;
};

boost::asio::awaitable<dns::answer> query_until(dns::source& source, std::string name, std::uint16_t qtype,
                                                clock::time_point deadline);

}  // namespace rbl
