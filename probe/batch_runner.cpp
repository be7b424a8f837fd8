#include "probe/batch_runner.hpp"
#include "probe/json_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <thread>
#include <unordered_map>

#include <unistd.h>

namespace probe {

namespace net = boost::asio;
using nlohmann::json;
using clock_type = std::chrono::steady_clock;

namespace {

struct input_line {
  std::string text;
  bool too_long = false;
};
using line_channel = net::experimental::concurrent_channel<void(boost::system::error_code, input_line)>;

// Reads lines (bounded) and hands them to the io thread through the channel; the
// channel's capacity is the read-ahead, so a slow run pauses the reader.
void read_lines(std::FILE* input, std::shared_ptr<line_channel> channel) {
  for (;;) {
    input_line line;
    int c = 0;
    bool any = false;
    while ((c = getc_unlocked(input)) != EOF) {
      any = true;
      if (c == '\n') break;
      if (line.text.size() < max_batch_line_bytes)
        line.text.push_back(static_cast<char>(c));
      else
        line.too_long = true;  // keep consuming up to the newline, keep nothing more
    }
    if (!any && c == EOF) break;
    if (line.too_long) line.text.clear();
    // While the channel has room, hand the line over without a completion: a future per
    // line cost a wake-up of each thread by the other (a tenth of a batch run's CPU).
    // try_send leaves `line` alone when it fails (full or closed).
    if (channel->try_send(boost::system::error_code{}, std::move(line))) {
      if (c == EOF) break;
      continue;
    }
    try {
      channel->async_send(boost::system::error_code{}, std::move(line), net::use_future).get();
    } catch (const std::exception&) {
      return;  // the run stopped (signal, closed output): stop reading
    }
    if (c == EOF) break;
  }
  // End of input as a message, not close(): closing a channel drops what is still buffered.
  try {
    channel->async_send(net::error::eof, input_line{}, net::use_future).get();
  } catch (const std::exception&) {
  }
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  return text;
}

class batch {
 public:
  batch(net::io_context& io, std::FILE* output, job_executor& executor, const batch_settings& settings,
        std::size_t total_lines)
      : io_(io), output_(output), executor_(executor), settings_(settings), total_lines_(total_lines),
        output_is_terminal_(isatty(fileno(output)) != 0), wake_(io, clock_type::time_point::max()),
        signals_(io, SIGINT, SIGTERM) {}

  net::awaitable<void> run(std::shared_ptr<line_channel> channel) {
    channel_ = channel;
    started_ = clock_type::now();
    watch_signals();
    if (settings_.progress) net::co_spawn(io_, show_progress(), net::detached);
    net::co_spawn(io_, flush_periodically(), net::detached);

    for (;;) {
      auto [ec, item] = co_await channel->async_receive(net::as_tuple(net::use_awaitable));
      if (ec || stopping_) break;
      accept(++summary_.lines, std::move(item));
      while (buffered() >= settings_.max_buffered_lines && !stopping_) co_await wait();
    }
    input_done_ = true;
    while (active_groups_ > 0) co_await wait();

    // QUIT on open sessions, bounded: a peer that never answers must not hold the exit.
    co_await with_deadline(executor_.shutdown(), std::chrono::milliseconds(800));
    flush_ordered(true);
    write_notice();
    std::fflush(output_);
    if (settings_.progress) std::fputs("\r\33[K", stderr);
    summary_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started_);
    finished_ = true;
    signals_.cancel();
    wake_.cancel();
    io_.stop();
  }

  batch_summary summary() const { return summary_; }

 private:
  struct group {
    std::deque<batch_job> queue;
    bool active = false;
    bool waiting = false;  // in ready_
  };

  std::size_t buffered() const { return queued_jobs_ + reorder_.size(); }

  // A condition variable for coroutines: waiters sleep on a timer that never expires and
  // that notify() cancels; every wait sits in a loop that re-checks its condition.
  net::awaitable<void> wait() { co_await wake_.async_wait(net::as_tuple(net::use_awaitable)); }
  void notify() { wake_.cancel(); }

  void accept(std::size_t line, input_line item) {
    if (item.too_long) {
      // Nothing of the line is kept, so its number decides which shard reports it.
      if (!in_shard("#" + std::to_string(line), settings_.shard_index, settings_.shard_count)) return skip(line);
      emit_error(batch_line_error{line, std::nullopt, "line longer than 16 MiB", {}});
      return;
    }
    auto parsed = parse_batch_line(item.text, line);
    if (auto* error = std::get_if<batch_line_error>(&parsed)) {
      if (!in_shard(error->shard_key, settings_.shard_index, settings_.shard_count)) return skip(line);
      emit_error(*error);
      return;
    }
    auto& job = std::get<batch_job>(parsed);
    // Bounce jobs learn their shard once read; every other job is filtered here.
    if (!job.shard_key.empty() && !in_shard(job.shard_key, settings_.shard_index, settings_.shard_count))
      return skip(line);
    const std::string key = job.shard_key.empty() ? "#" + std::to_string(line) : job.shard_key;
    auto& g = groups_[key];
    g.queue.push_back(std::move(job));
    ++queued_jobs_;
    if (g.active || g.waiting) return;
    if (active_groups_ < settings_.jobs) {
      start(key);
    } else {
      g.waiting = true;
      ready_.push_back(key);
    }
  }

  void start(const std::string& key) {
    groups_[key].active = true;
    ++active_groups_;
    auto signal = std::make_shared<net::cancellation_signal>();
    auto handle = cancellers_.insert(cancellers_.end(), signal);
    net::co_spawn(io_, run_group(key), net::bind_cancellation_slot(signal->slot(), [this, handle](std::exception_ptr) {
                    cancellers_.erase(handle);
                  }));
  }

  net::awaitable<void> run_group(std::string key) {
    for (;;) {
      auto found = groups_.find(key);
      if (found == groups_.end() || found->second.queue.empty() || stopping_) break;
      batch_job job = std::move(found->second.queue.front());
      found->second.queue.pop_front();
      --queued_jobs_;
      try {
        auto result = co_await executor_.execute(job);
        if (!result) {
          skip(job.line);
        } else if (!result->error.empty()) {
          emit_error(batch_line_error{job.line, job.id, result->error, {}});
        } else {
          emit_result(job, result->json_object);
        }
      } catch (const boost::system::system_error& e) {
        if (e.code() == net::error::operation_aborted || stopping_) {
          ++summary_.unfinished;
          unfinished_lines_.push_back(job.line);
          break;
        }
        emit_error(batch_line_error{job.line, job.id, std::string("internal error: ") + e.what(), {}});
      } catch (const std::exception& e) {
        emit_error(batch_line_error{job.line, job.id, std::string("internal error: ") + e.what(), {}});
      }
      write_notice();
      notify();
    }
    // Jobs left behind by a stop are counted, not written.
    if (auto found = groups_.find(key); found != groups_.end()) {
      summary_.unfinished += found->second.queue.size();
      queued_jobs_ -= found->second.queue.size();
      groups_.erase(found);
    }
    --active_groups_;
    while (!stopping_ && !ready_.empty() && active_groups_ < settings_.jobs) {
      const std::string next = ready_.front();
      ready_.pop_front();
      auto g = groups_.find(next);
      if (g == groups_.end()) continue;
      g->second.waiting = false;
      start(next);
    }
    if (stopping_) {
      for (const auto& k : ready_) {
        if (auto g = groups_.find(k); g != groups_.end()) {
          summary_.unfinished += g->second.queue.size();
          queued_jobs_ -= g->second.queue.size();
          groups_.erase(g);
        }
      }
      ready_.clear();
    }
    notify();
  }

  void skip(std::size_t line) {
    ++summary_.other_shard;
    if (settings_.ordered) {
      reorder_[line] = std::nullopt;
      flush_ordered(false);
    }
  }

  // Records start with "line", "id" and "job" (readable with head/grep), then the result's
  // own keys; nlohmann's object would sort them, so the prefix is written by hand.
  static std::string prefix(std::size_t line, const std::optional<json>& id) {
    std::string out = "{\"line\":" + std::to_string(line);
    if (id) out += ",\"id\":" + id->dump(-1, ' ', false, json::error_handler_t::replace);
    return out;
  }

  void emit_result(const batch_job& job, const std::string& body) {
    std::string text = prefix(job.line, job.id);
    text += ",\"job\":\"" + std::string(to_string(job.kind)) + "\"";
    if (job.kind != job_kind::bounce_text) text += ",\"input\":" + json(job.value).dump(-1, ' ', false, json::error_handler_t::replace);
    if (body.size() > 2) text += "," + body.substr(1);  // the result's keys after ours
    else text += "}";
    ++summary_.results;
    emit(job.line, std::move(text));
  }

  void emit_error(const batch_line_error& error) {
    std::string text = prefix(error.line, error.id);
    text += ",\"error\":" + json(error.error).dump(-1, ' ', false, json::error_handler_t::replace) + "}";
    ++summary_.errors;
    emit(error.line, std::move(text));
  }

  void emit(std::size_t line, std::string text) {
    if (!settings_.ordered) return write(text);
    reorder_[line] = std::move(text);
    flush_ordered(false);
  }

  // Writes every line that is next in order; at the end (`all`), every finished line,
  // skipping those a stop left unfinished.
  void flush_ordered(bool all) {
    if (all) {
      for (auto& [line, text] : reorder_)
        if (text) write(*text);
      reorder_.clear();
      return;
    }
    while (!reorder_.empty() && reorder_.begin()->first == next_line_) {
      if (reorder_.begin()->second) write(*reorder_.begin()->second);
      reorder_.erase(reorder_.begin());
      ++next_line_;
    }
  }

  void write(const std::string& text) {
    if (summary_.output_closed) return;
    if (std::fwrite(text.data(), 1, text.size(), output_) != text.size() || std::fputc('\n', output_) == EOF ||
        (output_is_terminal_ && std::fflush(output_) != 0)) {
      output_failed();
    }
  }

  void output_failed() {
    // `probe batch ... | head`: the reader left. Stop quietly; nothing more can be said.
    summary_.output_closed = true;
    stop();
  }

  void write_notice() {
    const std::string notice = executor_.take_notice();
    if (!notice.empty()) std::fprintf(stderr, "%sprobe batch: %s\n", settings_.progress ? "\r\33[K" : "", notice.c_str());
  }

  void stop() {
    if (stopping_) return;
    stopping_ = true;
    executor_.drain();
    if (channel_) channel_->cancel();  // the reader's pending send fails; it stops reading
    notify();
    // Running jobs get a grace period to finish (their sessions then end with QUIT), then
    // they are cancelled.
    net::co_spawn(io_, cancel_after_grace(), net::detached);
  }

  net::awaitable<void> cancel_after_grace() {
    net::steady_timer timer(io_, settings_.grace);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    for (auto& signal : cancellers_) signal->emit(net::cancellation_type::terminal);
  }

  void watch_signals() {
    signals_.async_wait([this](boost::system::error_code ec, int number) {
      if (ec || finished_) return;
      if (summary_.interrupted) {
        std::fflush(output_);
        _exit(128 + number);  // second signal: at once
      }
      summary_.interrupted = true;
      summary_.signal_number = number;
      stop();
      watch_signals();
    });
  }

  net::awaitable<void> with_deadline(net::awaitable<void> task, std::chrono::milliseconds limit) {
    auto signal = std::make_shared<net::cancellation_signal>();
    bool done = false;
    net::co_spawn(io_, std::move(task), net::bind_cancellation_slot(signal->slot(), [this, &done](std::exception_ptr) {
                    done = true;
                    notify();
                  }));
    net::steady_timer timer(io_, limit);
    timer.async_wait([signal, &done](boost::system::error_code ec) {
      if (!ec && !done) signal->emit(net::cancellation_type::terminal);
    });
    while (!done) co_await wait();
    timer.cancel();
  }

  net::awaitable<void> flush_periodically() {
    net::steady_timer timer(io_);
    while (!finished_) {
      timer.expires_after(std::chrono::milliseconds(200));
      co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (!summary_.output_closed && std::fflush(output_) != 0) output_failed();
    }
  }

  net::awaitable<void> show_progress() {
    net::steady_timer timer(io_);
    while (!finished_) {
      timer.expires_after(std::chrono::milliseconds(500));
      co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (finished_) break;
      const std::size_t done = summary_.results + summary_.errors + summary_.other_shard;
      const double seconds = std::chrono::duration<double>(clock_type::now() - started_).count();
      const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
      std::string total = total_lines_ ? std::to_string(total_lines_) : "?";
      std::string eta = total_lines_ && rate > 0 ? format_duration(static_cast<double>(total_lines_ - std::min(done, total_lines_)) / rate) : "?";
      std::fprintf(stderr, "\r\33[K%zu/%s done, %.0f/s, ETA %s", done, total.c_str(), rate, eta.c_str());
      std::fflush(stderr);
    }
  }

  net::io_context& io_;
  std::FILE* output_;
  job_executor& executor_;
  batch_settings settings_;
  std::size_t total_lines_;
  bool output_is_terminal_;
  net::steady_timer wake_;
  net::signal_set signals_;
  std::shared_ptr<line_channel> channel_;
  clock_type::time_point started_;

  std::unordered_map<std::string, group> groups_;
  std::deque<std::string> ready_;
  std::size_t active_groups_ = 0;
  std::size_t queued_jobs_ = 0;
  std::list<std::shared_ptr<net::cancellation_signal>> cancellers_;
  std::map<std::size_t, std::optional<std::string>> reorder_;
  std::size_t next_line_ = 1;
  std::vector<std::size_t> unfinished_lines_;
  bool stopping_ = false;
  bool input_done_ = false;
  bool finished_ = false;
  batch_summary summary_;
};

}  // namespace

job_output job_output::result(const json& object) {
  // The fast writer, or, on invalid UTF-8 it does not write, dump()'s replacement of it.
  std::string text;
  if (append_compact_json(text, object)) return {std::move(text), {}};
  return {object.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}
job_output job_output::result(const nlohmann::ordered_json& object) {
  return {object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), {}};
}

batch_summary run_batch(net::io_context& io, std::FILE* input, std::FILE* output, job_executor& executor,
                        const batch_settings& settings, std::size_t total_lines) {
  // Writing to a closed pipe must be an error return, not a signal that kills us mid-line.
  std::signal(SIGPIPE, SIG_IGN);
  auto channel = std::make_shared<line_channel>(io, 256);
  batch engine(io, output, executor, settings, total_lines);
  std::thread reader(read_lines, input, channel);
  std::exception_ptr failure;
  net::co_spawn(io, engine.run(channel), [&](std::exception_ptr e) {
    failure = e;
    io.stop();
  });
  io.restart();
  io.run();
  const auto summary = engine.summary();
  // After a stop the reader may be blocked reading stdin: it owns what it uses (the
  // channel), and the process is about to exit, so it is left behind.
  if (summary.interrupted || summary.output_closed)
    reader.detach();
  else
    reader.join();
  if (failure) std::rethrow_exception(failure);
  return summary;
}

std::string counted(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string summary_line(const batch_summary& s, const job_executor& executor) {
  const double seconds = static_cast<double>(s.elapsed.count()) / 1000.0;
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.1f s, %.0f lines/s", seconds,
                seconds > 0 ? static_cast<double>(s.results + s.errors) / seconds : 0.0);
  std::string line = "probe batch: " + counted(s.lines, "line", "lines") + ": " + counted(s.results, "result", "results") +
                     ", " + counted(s.errors, "error", "errors");
  if (s.other_shard) line += ", " + std::to_string(s.other_shard) + " for other shards";
  if (s.unfinished) line += ", " + std::to_string(s.unfinished) + " unfinished";
  line += "; " + executor.resources_used() + "; " + rate;
  if (s.interrupted) line += s.signal_number == SIGTERM ? " (terminated)" : " (interrupted)";
  return line;
}

}  // namespace probe
