#pragma once
// `probe user@domain` (and its alias `probe check user@domain`): is this address
// deliverable now, and if not, why? Routing, the SMTP dialogue up to RCPT (never DATA),
// catch-all test, greylisting, provider quirks; a verdict with its evidence, as text or
// JSON (docs/address.md), and an exit status from probe/exit_status.hpp.
//
// The positional sits on the top-level app (CLI11 picks subcommand names first, so
// `probe mx example.com` still reaches the mx command). The check runs in the top-level
// app's final callback when an address was given.
//
// Sender identity and limits come from probe/prober_setup.hpp (shared with batch and
// correlation): --helo, else /etc/mailname, else this host's name; --mail-from, else
// "probe@<HELO name>" or the null sender; defaults never forge.

#include "probe/cli.hpp"

#include <ostream>
#include <string>

namespace probe {

struct address_options {
  std::string address;
  bool no_catch_all = false;
  int greylist_wait_s = -1;   // -1: from settings
  int max_rcpts = -1;         // -1: from settings
  double per_host_rate = -1;  // -1: from settings
};

void register_address_command(CLI::App& app, command_context& ctx);

// True when the top-level positional address was given (main prints help otherwise).
bool address_given(const CLI::App& app);

// Runs one check and prints it; returns the exit status. `out` gets the result, `err`
// usage and setup errors.
int run_address_check(const settings& config, const address_options& options, std::ostream& out, std::ostream& err);

}  // namespace probe
