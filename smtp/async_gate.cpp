#include "smtp/async_gate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace smtp {
namespace net = boost::asio;

async_gate::guard& async_gate::guard::operator=(guard&& other) noexcept {
  if (this != &other) {
    release();
    gate_ = other.gate_;
    other.gate_ = nullptr;
  }
  return *this;
}

void async_gate::guard::release() {
  if (gate_ != nullptr) {
    gate_->hand_over();
    gate_ = nullptr;
  }
}

void async_gate::hand_over() {
  if (waiters_.empty()) {
    held_ = false;
    return;
  }
  // Ownership passes straight to the first waiter: the gate stays held, so no newcomer
  // can overtake the queue between this call and the waiter's resumption.
  net::steady_timer* next = waiters_.front();
  waiters_.pop_front();
  next->cancel();
}

net::awaitable<async_gate::guard> async_gate::acquire() {
  if (!held_) {
    held_ = true;
    co_return guard(this);
  }
  net::steady_timer wake(co_await net::this_coro::executor, net::steady_timer::time_point::max());
  waiters_.push_back(&wake);
  (void)co_await wake.async_wait(net::as_tuple(net::use_awaitable));  // cancelled by hand_over()
  co_return guard(this);
}

}  // namespace smtp
