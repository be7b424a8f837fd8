// `probe batch [FILE|-]`: JSON lines in, one JSON line out per input line.
#include "probe/batch_jobs.hpp"
#include "probe/batch_runner.hpp"
#include "probe/prober_setup.hpp"
#include "probe/commands.hpp"
#include "probe/exit_status.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>

#include <sys/resource.h>
#include <unistd.h>

namespace probe {

namespace {

struct batch_request {
  std::string input = "-";
  unsigned jobs = 16;
  bool ordered = false;
  std::string shard;
  bool offline = false;
  prober_overrides politeness;
};

std::size_t count_lines(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return 0;
  std::size_t lines = 0;
  char buffer[1 << 16];
  std::size_t n = 0;
  bool last_newline = true;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    for (std::size_t i = 0; i < n; ++i) lines += buffer[i] == '\n';
    last_newline = buffer[n - 1] == '\n';
  }
  std::fclose(f);
  return lines + (last_newline ? 0 : 1);
}

// Idle SMTP sessions are kept for reuse across a large run; let the process use the
// file descriptors its hard limit allows rather than the 1024 a shell often defaults to.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int run(const batch_request& request, command_context& ctx) {
  batch_settings settings;
  settings.jobs = request.jobs;
  settings.ordered = request.ordered;
  if (!request.shard.empty()) {
    unsigned k = 0, n = 0;
    char tail = 0;
    if (std::sscanf(request.shard.c_str(), "%u/%u%c", &k, &n, &tail) != 2 || n == 0 || k >= n) {
      std::cerr << "probe batch: --shard wants K/N with 0 <= K < N, e.g. 0/4\n";
      return exit_usage;
    }
    settings.shard_index = k;
    settings.shard_count = n;
  }
  settings.progress = isatty(STDERR_FILENO) != 0;

  raise_open_file_limit();
  std::FILE* input = stdin;
  std::size_t total = 0;
  if (request.input != "-") {
    input = std::fopen(request.input.c_str(), "r");
    if (!input) {
      std::cerr << "probe batch: cannot read " << request.input << ": " << std::strerror(errno) << '\n';
      return exit_input_error;
    }
    if (settings.progress) total = count_lines(request.input);
  }
  auto created = runtime::create(ctx.config);
  if (auto* e = std::get_if<std::string>(&created)) {
    std::cerr << "probe batch: " << *e << '\n';
    return exit_usage;
  }
  auto& rt = *std::get<std::unique_ptr<runtime>>(created);
  auto executor = make_job_executor(
      rt, ctx.config, {.offline = request.offline,
                             .shard_index = settings.shard_index,
                             .shard_count = settings.shard_count,
                             .politeness = request.politeness,
                             .jobs = settings.jobs});
  const auto summary = run_batch(rt.io(), input, stdout, *executor, settings, total);
  if (!summary.output_closed) std::cerr << summary_line(summary, *executor) << '\n';
  if (summary.interrupted) {
    std::fflush(stdout);
    // Exit now: the input reader may still be blocked reading a terminal or a pipe.
    _exit(128 + summary.signal_number);
  }
  if (input != stdin) std::fclose(input);
  return exit_ok;
}

}  // namespace

void register_batch_command(CLI::App& app, command_context& ctx) {
  auto request = std::make_shared<batch_request>();
  auto* cmd = app.add_subcommand("batch", "Run many checks: JSON lines in, one JSON line out per input line");
  cmd->add_option("input", request->input, "File of JSON lines, or - for standard input")->check(no_control_characters());
  cmd->add_option("-j,--jobs", request->jobs, "Domains checked at once")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_flag("--ordered", request->ordered, "Write results in input order (default: as they complete)");
  cmd->add_option("--shard", request->shard, "Take only jobs whose domain hashes to shard K of N (K/N, docs/batch.md)");
  cmd->add_flag("--offline", request->offline, "Bounce jobs: parse and classify only, no live checks");
  cmd->add_option("--ip", ctx.config.ip, "Bounce jobs: the IP address that sent the bounced mail, when a bounce does not name it")
      ->check(ip_address());
  cmd->add_flag("--no-catch-all", request->politeness.no_catch_all, "Skip the catch-all test");
  cmd->add_option("--greylist-wait", request->politeness.greylist_wait_s, "When greylisted, wait this long (s) and ask once more")
      ->check(CLI::Range(0, 3600));
  cmd->add_option("--max-rcpts", request->politeness.max_rcpts, "Most RCPTs in one SMTP session")->check(CLI::Range(1, 1000));
  cmd->add_option("--rate", request->politeness.per_host_rate, "New SMTP sessions per second to one MX address (0: no limit)")
      ->check(CLI::Range(0.0, 1000.0));
  add_dns_flags(*cmd, ctx.config.dns);
  add_smtp_flags(*cmd, ctx.config.smtp);
  add_rbl_flags(*cmd, ctx.config.rbl);
  cmd->footer(
      "Input lines: {\"address\":\"user@example.com\"} {\"mx\":\"example.com\"} {\"rbl\":\"192.0.2.1\"}\n"
      "{\"bounce\":\"/path/to/bounce.eml\"} {\"bounce_text\":\"...\"}, each with an optional \"id\";\n"
      "or a plain address per line.\n\n"
      "Examples:\n"
      "  probe batch addresses.txt > results.jsonl\n"
      "  probe batch -j 64 --ordered jobs.jsonl\n"
      "  parallel -j4 'probe batch --shard {}/4 jobs.jsonl > out.{}.jsonl' ::: 0 1 2 3\n\n"
      "Exit status: 0 every line got its output line, 2 usage, 5 input unreadable,\n"
      "128+N stopped by signal N (finished lines are written).");
  cmd->callback([request, &ctx] { ctx.exit_status = run(*request, ctx); });
}

}  // namespace probe
