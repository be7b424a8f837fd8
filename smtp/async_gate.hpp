#pragma once
// A first-come, first-served gate for coroutines on one executor: "one session at a
// time per MX address". acquire() completes at once when the gate is free; otherwise the
// caller waits in line and is woken in order by the guard of the one before it.
//
// Threading: single executor (strand-free: every user runs on the same io_context
// thread). Lifetime: the gate must outlive its guards and waiters. A waiter's timer
// lives in the waiting coroutine's frame; release() only cancels it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>

namespace smtp {

class async_gate {
 public:
  class guard {
   public:
    guard() = default;
    explicit guard(async_gate* gate) : gate_(gate) {}
    guard(guard&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    guard& operator=(guard&& other) noexcept;
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
    ~guard() { release(); }
    void release();
    bool holds() const { return gate_ != nullptr; }

   private:
    async_gate* gate_ = nullptr;
  };

  boost::asio::awaitable<guard> acquire();
  bool busy() const { return held_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  void hand_over();

  bool held_ = false;
  std::deque<boost::asio::steady_timer*> waiters_;
};

}  // namespace smtp
