#pragma once
// The `probe batch` engine: JSON lines in, exactly one JSON line out per input line.
//
// Scheduling: jobs are grouped by shard key (the recipient's domain); at most `jobs`
// groups run at once and the jobs of one group run one after another, so one domain's
// recipients share an SMTP session (the prober's per-MX-address slot does the rest of the
// politeness). Input is read by a thread of its own into a bounded channel, so a slow
// network never makes memory grow without bound, and a huge input streams.
//
// Output: as jobs complete, each line carrying "line"; with `ordered`, in input order.
// Lines of other shards (--shard K/N) produce nothing: each shard's output concatenates
// into the whole.
//
// Signals: the first SIGINT/SIGTERM stops reading, lets running jobs finish for a short
// grace period, cancels the rest, sends QUIT on open sessions (job_executor::shutdown),
// flushes every finished line and prints the summary — within about a second. A second
// signal exits at once. A closed stdout (`| head`) ends the run quietly.
//
// Threading: runs on the runtime's io_context thread; the reader thread only reads.

#include "probe/batch_input.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace probe {

// What a job produced: a JSON object (as text, so each command keeps its own key order),
// or an error that becomes an error record.
struct job_output {
  std::string json_object;  // "{...}"
  std::string error;        // non-empty: the job failed; json_object is ignored

  static job_output result(const nlohmann::json& object);
  static job_output result(const nlohmann::ordered_json& object);
  static job_output failure(std::string why) { return {{}, std::move(why)}; }
};

// What one job does. Implemented over the run's shared DNS cache, prober, DNSBL checker
// and bounce knowledge (probe/batch_jobs.hpp); tests use their own.
class job_executor {
 public:
  virtual ~job_executor() = default;
  // The job's output; nullopt when the job turns out to belong to another shard (bounce
  // jobs learn their key only once read). Network outcomes are results, not exceptions.
  virtual boost::asio::awaitable<std::optional<job_output>> execute(const batch_job& job) = 0;
  // The run is stopping: work that has not started should not start (a dialogue under way
  // may finish, so its session can end with QUIT).
  virtual void drain() {}
  // Sends QUIT on open SMTP sessions; bounded by the executor's own timeouts.
  virtual boost::asio::awaitable<void> shutdown() = 0;
  // "12 SMTP sessions, 340 DNS queries (1200 answered from cache)" for the summary.
  virtual std::string resources_used() const = 0;
  // A message to print once on stderr (e.g. "outbound port 25 looks blocked"), or "".
  virtual std::string take_notice() { return {}; }
};

struct batch_settings {
  unsigned jobs = 16;              // -j: groups (domains) in flight
  bool ordered = false;
  unsigned shard_index = 0;        // --shard K/N
  unsigned shard_count = 1;
  bool progress = false;           // progress on stderr (only when it is a terminal)
  std::size_t max_buffered_lines = 20000;  // queued jobs plus reordered results, before reading pauses
  std::chrono::milliseconds grace{600};    // after a signal, running jobs get this long
};

struct batch_summary {
  std::size_t lines = 0;          // input lines read
  std::size_t results = 0;        // result records written
  std::size_t errors = 0;         // error records written (malformed lines, failed jobs)
  std::size_t other_shard = 0;    // lines left to other shards
  std::size_t unfinished = 0;     // jobs cancelled by a signal (no line written)
  bool interrupted = false;       // a signal stopped the run
  int signal_number = 0;
  bool output_closed = false;     // stdout was closed by the reader (EPIPE)
  std::chrono::milliseconds elapsed{0};
};

// Runs a batch from `input` (a FILE* the reader thread owns; closed by the caller) to
// `output`. `total_lines` (0 = unknown) feeds the progress ETA.
batch_summary run_batch(boost::asio::io_context& io, std::FILE* input, std::FILE* output, job_executor& executor,
                        const batch_settings& settings, std::size_t total_lines);

std::string summary_line(const batch_summary& summary, const job_executor& executor);
// "1 result", "2 results": counts in the summary line read as English.
std::string counted(std::size_t n, std::string_view one, std::string_view many);

}  // namespace probe
