#pragma once
// probe bounce FILE|-|MAILDIR...: why did this mail bounce (issue 5), and — through the
// live-check hook that issue 7 fills in — would it still?
//
// `--offline` means exactly "parse and classify only, no network": the hook is never
// called then. Without --offline, the hook runs if one is installed; until issue 7 lands
// none is, and the command says so on stderr and prints the offline result.
// Exit statuses (probe/exit_status.hpp, docs/bounce.md): 0 every input message read and
// at least one is a bounce; exit_not_bounce when no input message is a bounce report;
// exit_input_error when an input could not be read (or the knowledge data is missing);
// a live-check hook returns its own status.

#include "probe/bounce_output.hpp"
#include "probe/cli.hpp"

#include <functional>
#include <vector>

namespace probe {

// The live checks of issue 7: given the parsed bounces, run the checks, print, and return
// the exit status. Set once before the command line is parsed (main.cpp).
using bounce_live_checks = std::function<int(std::vector<bounce_item>& items, const reports::knowledge& k, command_context& ctx)>;
void set_bounce_live_checks(bounce_live_checks hook);

void register_bounce_command(CLI::App& app, command_context& ctx);

// Where the bounce knowledge (reports/data) lives: $PROBE_DATA_DIR/reports, else
// <binary>/../share/probe/reports, else the source tree. (Switch to probe::data_path()
// when it lands on main.)
std::string bounce_data_dir();

}  // namespace probe
