#include "rbl/timed_query.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>

namespace rbl {

namespace net = boost::asio;

struct pending_query::state {
  explicit state(net::any_io_executor executor) : wake(std::move(executor)) {}
  std::string name;
  std::uint16_t qtype = 0;
  clock::time_point started = clock::now();
  std::optional<dns::answer> answer;
  net::steady_timer wake;
  net::cancellation_signal cancel;
};

pending_query pending_query::start(net::any_io_executor executor, dns::source& source, std::string name,
                                   std::uint16_t qtype) {
  pending_query out;
  out.state_ = std::make_shared<state>(executor);
  out.state_->name = name;
  out.state_->qtype = qtype;
  net::co_spawn(executor, source.query(std::move(name), qtype),
                net::bind_cancellation_slot(
                    out.state_->cancel.slot(), [s = out.state_](std::exception_ptr error, dns::answer answer) {
                      if (error) {
                        // A source must not throw for network outcomes; if one does, it is a
                        // failure to learn anything about this name, not a crash of the report.
                        answer = {};
                        answer.qname = s->name;
                        answer.qtype = s->qtype;
                        answer.result = dns::outcome::error;
                        try {
                          std::rethrow_exception(error);
                        } catch (const std::exception& e) {
                          answer.detail = e.what();
                        } catch (...) {
                          answer.detail = "unknown exception from the DNS source";
                        }
                      }
                      s->answer = std::move(answer);
                      s->wake.cancel();
                    }));
  return out;
}

net::awaitable<dns::answer> pending_query::wait_until(clock::time_point deadline) {
  auto s = state_;
  if (!s->answer) {
    s->wake.expires_at(deadline);
    co_await s->wake.async_wait(net::as_tuple(net::use_awaitable));
  }
  if (s->answer) co_return std::move(*s->answer);
  s->cancel.emit(net::cancellation_type::terminal);
  dns::answer late;
  late.qname = s->name;
  late.qtype = s->qtype;
  late.result = dns::outcome::timeout;
  late.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - s->started);
  late.detail = "no answer within the per-list timeout";
  co_return late;
}

net::awaitable<dns::answer> query_until(dns::source& source, std::string name, std::uint16_t qtype,
                                        clock::time_point deadline) {
  auto pending = pending_query::start(co_await net::this_coro::executor, source, std::move(name), qtype);
  co_return co_await pending.wait_until(deadline);
}

}  // namespace rbl
