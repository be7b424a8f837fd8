#pragma once
// probe/ordered_workers: CPU work on several threads, results handed back in the order
// the inputs came (probe bounce reads the messages of a large mbox this way, one per
// core, and prints them in mbox order).
//
// Promises: `work` runs on the worker threads, never two at once on one input; `deliver`
// runs only on the thread that calls submit() and finish(), in submission order, once per
// input. At most `window` inputs are submitted and not yet delivered, so memory is bounded
// whatever the number of inputs: submit() delivers (and, when the window is full, waits
// for) finished results before it returns. `work` must not throw (an exception would end
// the process through std::terminate, as from any thread). With one thread nothing is
// started: submit() works and delivers at once.
// The destructor finishes: every submitted input is delivered before it returns.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace probe {

template <class Input, class Result>
class ordered_workers {
 public:
  using work_fn = std::function<Result(Input&)>;
  using deliver_fn = std::function<void(Result&&)>;

  ordered_workers(unsigned threads, std::size_t window, work_fn work, deliver_fn deliver)
      : window_(window < 1 ? 1 : window), work_(std::move(work)), deliver_(std::move(deliver)) {
    if (threads <= 1) return;
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  ordered_workers(const ordered_workers&) = delete;
  ordered_workers& operator=(const ordered_workers&) = delete;
  ~ordered_workers() { finish(); }

  void submit(Input input) {
    if (threads_.empty()) {
      deliver_(work_(input));
      return;
    }
    {
      std::lock_guard lock(mutex_);
      jobs_.emplace_back(submitted_++, std::move(input));
    }
    work_ready_.notify_one();
    deliver_finished(/*wait_while_full=*/true);
  }

  // Waits for every submitted input and delivers the rest; the workers stop.
  void finish() {
    if (threads_.empty()) return;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    work_ready_.notify_all();
    while (true) {
      std::optional<Result> next;
      {
        std::unique_lock lock(mutex_);
        if (delivered_ == submitted_) break;
        result_ready_.wait(lock, [this] { return done_.count(delivered_) > 0; });
        next = take_next();
      }
      deliver_(std::move(*next));
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void run() {
    while (true) {
      std::pair<std::size_t, Input> job;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [this] { return !jobs_.empty() || closing_; });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      Result result = work_(job.second);
      {
        std::lock_guard lock(mutex_);
        done_.emplace(job.first, std::move(result));
      }
      result_ready_.notify_all();
    }
  }

  // Under the lock, with done_ holding the result next in order.
  Result take_next() {
    auto found = done_.find(delivered_);
    Result r = std::move(found->second);
    done_.erase(found);
    ++delivered_;
    return r;
  }

  // Delivers what is finished in order; with `wait_while_full`, also waits while the
  // window of submitted-but-undelivered inputs is full.
  void deliver_finished(bool wait_while_full) {
    while (true) {
      std::optional<Result> next;
      {
        std::unique_lock lock(mutex_);
        if (wait_while_full && submitted_ - delivered_ >= window_)
          result_ready_.wait(lock, [this] { return done_.count(delivered_) > 0; });
        if (done_.count(delivered_) == 0) return;
        next = take_next();
      }
      deliver_(std::move(*next));
    }
  }

  const std::size_t window_;
  work_fn work_;
  deliver_fn deliver_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable result_ready_;
  std::deque<std::pair<std::size_t, Input>> jobs_;
  std::map<std::size_t, Result> done_;
  std::size_t submitted_ = 0;
  std::size_t delivered_ = 0;
  bool closing_ = false;
};

}  // namespace probe
