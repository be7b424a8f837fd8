#pragma once
// Shared CLI11 flag groups, so every command spells a flag the same way.
// Each command file exposes `register_X_command(CLI::App& app, command_context& ctx)`:
// it adds its subcommand (or, for the address check, positionals on the top app), its
// own flags through these helpers, and a callback that runs it and sets ctx.exit_status.

#include "probe/settings.hpp"

#include <CLI/CLI.hpp>

namespace probe {

struct command_context {
  settings& config;
  int exit_status = 0;
};

void add_output_flags(CLI::App& app, output_settings& output);  // --json -v --lang --color
void add_dns_flags(CLI::App& app, dns_settings& dns);           // --dns-server --dns-timeout --dns-tries --seed
void add_smtp_flags(CLI::App& app, smtp_settings& smtp);        // --helo --mail-from --proxy --source-ip -4 -6 --smtp-port --tls timeouts
void add_rbl_flags(CLI::App& app, rbl_settings& rbl);           // --zones --all --dqs-key --rbl-timeout

// Refuses CR, LF and NUL in any argument: they could inject SMTP commands or forge output.
CLI::Validator no_control_characters();
// An IPv4 or IPv6 address in its text form (no port, no brackets).
CLI::Validator ip_address();

}  // namespace probe
