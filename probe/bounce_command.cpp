#include "probe/bounce_command.hpp"

#include "probe/exit_status.hpp"
#include "probe/json_writer.hpp"
#include "probe/ordered_workers.hpp"
#include "probe/output_words.hpp"
#include "probe/terminal_text.hpp"
#include "reports/forwarded.hpp"
#include "reports/input.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#ifndef PROBE_SOURCE_DATA_DIR
#define PROBE_SOURCE_DATA_DIR "."
#endif

namespace probe {
namespace {

bounce_live_checks& live_hook() {
  static bounce_live_checks hook;
  return hook;
}

struct bounce_options {
  std::vector<std::string> inputs;
  bool offline = false;
  unsigned threads = 0;  // 0: one per core, at most 8
};

// One message to read, or a source that could not be read (its error, in its place).
struct read_job {
  reports::input_message message;
  std::string error;
};

// One message read, and (offline) its output already written, on a worker thread.
struct read_result {
  bounce_item item;
  std::string rendered;
};

int run_bounce(const bounce_options& options, command_context& ctx) {
  const auto loaded = reports::load_knowledge(bounce_data_dir());
  if (!loaded.value) {
    std::cerr << "probe bounce: cannot load bounce knowledge: " << loaded.error << "\n";
    return exit_input_error;
  }
  const reports::knowledge& k = *loaded.value;
  const auto& out = ctx.config.output;
  const bool live = !options.offline && live_hook();
  // The live checks' lines come from output_words.yaml: a broken installation fails here,
  // before any lookup, as `probe mx`, `probe rbl` and `probe user@domain` do.
  if (live && !out.json)
    if (const auto* problem = std::get_if<std::string>(&output_words::installed())) {
      std::cerr << "probe bounce: " << *problem << '\n';
      return exit_input_error;
    }
  if (!options.offline && !live)
    std::cerr << "probe bounce: live checks are not available in this build yet; showing the offline result "
                 "(use --offline to ask for exactly that)\n";
  // Offline, each item is printed as soon as it is read, so an mbox of any size is read in
  // bounded memory; the live checks need every item first (one plan, shared sessions, one
  // cache), and hold its report (not its bytes).
  std::vector<bounce_item> items;
  not_bounce_lines quiet(out.json || out.verbose > 0);
  bool input_error = false;
  bool any_bounce = false;
  auto render = [&](const bounce_item& item) {
    return out.json ? compact_json(bounce_json(item, k, out.lang)) + "\n" : bounce_text(item, k, out.lang, out.verbose);
  };
  auto emit = [&](read_result&& read) {
    if (live) {
      items.push_back(std::move(read.item));
      return;
    }
    if (read.item.error.empty() && read.item.report.kind != reports::report_kind::not_bounce) any_bounce = true;
    std::cout << quiet.pass(read.item, std::move(read.rendered));
  };
  // Messages are read on one thread per core and printed in input order; reading is pure
  // CPU work on shared, read-only knowledge (reports keeps its scratch per thread).
  const unsigned cores = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  const unsigned threads = options.threads == 0 ? cores : options.threads;
  ordered_workers<read_job, read_result> workers(
      threads, 4 * static_cast<std::size_t>(threads),
      [&](read_job& job) {
        read_result r{job.error.empty() ? read_bounce_item(job.message.origin, job.message.bytes, job.message.truncated, k)
                                      : bounce_item{job.message.origin, {}, {}, job.error},
                      {}};
        if (!live) r.rendered = render(r.item);
        return r;
      },
      emit);
  for (const auto& source : options.inputs) {
    const auto status = reports::for_each_message(source, [&](reports::input_message&& message) {
      for (auto& readable : reports::unwrap_forward(std::move(message), k)) workers.submit({std::move(readable), {}});
    });
    if (!status.error.empty()) {
      input_error = true;
      workers.submit({{source, {}, false}, status.error});
      continue;
    }
    if (status.truncated)
      std::cerr << "probe bounce: " << printable(source) << ": input larger than the limits; the rest was not read\n";
  }
  workers.finish();
  std::cout << quiet.finish(out.lang);
  if (live) return live_hook()(items, k, ctx);
  if (input_error) return exit_input_error;
  return any_bounce ? exit_ok : exit_not_bounce;
}

}  // namespace

void set_bounce_live_checks(bounce_live_checks hook) { live_hook() = std::move(hook); }

std::string bounce_data_dir() {
  if (const char* env = std::getenv("PROBE_DATA_DIR"); env != nullptr && *env != '\0')
    return (std::filesystem::path(env) / "reports").string();  // installed layout: share/probe/reports
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "probe" / "reports";
    if (std::filesystem::exists(installed / "reasons.yaml", ec)) return installed.string();
  }
  return (std::filesystem::path(PROBE_SOURCE_DATA_DIR) / "reports" / "data").string();
}

void register_bounce_command(CLI::App& app, command_context& ctx) {
  auto options = std::make_shared<bounce_options>();
  CLI::App* cmd = app.add_subcommand("bounce", "Read bounce reports: why did each recipient fail, and what to do");
  cmd->footer(
      "Examples:\n"
      "  probe bounce returned.eml                  read it, then check whether the cause still holds\n"
      "  probe bounce --offline --lang zh returned.eml\n"
      "  probe bounce --json /var/mail/bounces/     a maildir (or an mbox) of bounces, NDJSON out\n"
      "  postcat -bh -q QUEUEID | probe bounce -    standard input\n\n"
      "Exit status (live): 1 a cause persists, 7 a recipient now fails for another reason,\n"
      "3 inconclusive, 0 every cause is gone; --offline: 0 read. 6 not a bounce, 5 unreadable, 2 usage.");
  cmd->add_option("input", options->inputs, "Bounce message file, mbox, maildir folder, or - for standard input")
      ->required()
      ->check(no_control_characters());
  cmd->add_flag("--offline", options->offline, "Parse and classify only; no network checks");
  cmd->add_option("--threads", options->threads, "Threads reading messages (default: one per core, at most 8)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--ip", ctx.config.ip,
                  "The IP address that sent the bounced mail, when the bounce does not name it (default: "
                  "this machine's public address)")
      ->check(ip_address());
  add_rbl_flags(*cmd, ctx.config.rbl);  // the lists a "blocked" bounce is checked against
  cmd->fallthrough();  // --json, -v, --lang also after "bounce"
  cmd->callback([options, &ctx] { ctx.exit_status = run_bounce(*options, ctx); });
}

}  // namespace probe
