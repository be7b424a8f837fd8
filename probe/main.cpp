// probe: why did this mail bounce, and would it still?
// main wires the commands together; each command lives in its own file.

#include "probe/address_command.hpp"
#include "probe/bounce_command.hpp"
#include "probe/bounce_live.hpp"
#include "probe/cli.hpp"
#include "probe/config_file.hpp"
#include "probe/commands.hpp"
#include "probe/exit_status.hpp"
#include "probe/rbl_command.hpp"
#include "probe/server_command.hpp"

#include <cstdio>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  probe::settings config;
  config.output.lang = probe::language_from_environment();
  // The config file comes before the flags so that flags override it.
  const std::string explicit_config = probe::config_path_from_arguments(argc, argv);
  if (const auto path = probe::find_config_file(explicit_config)) {
    if (const auto error = probe::apply_config_file(*path, config)) {
      std::cerr << "probe: config file " << error->message << '\n';
      return probe::exit_input_error;
    }
  }
  probe::command_context ctx{config};

  CLI::App app{"probe: why did this mail bounce, and would it still?", "probe"};
  app.set_version_flag("--version", probe::version_text());
  app.require_subcommand(0, 1);
  app.footer(
      "Examples:\n"
      "  probe postmaster@example.com               is this address deliverable now?\n"
      "  probe bounce returned.eml                  why did it bounce, and would it still?\n"
      "  probe server --helo mail.example.com       is my sending setup the problem?\n"
      "  probe rbl 192.0.2.25                       DNSBL listings\n"
      "  probe mx example.com                       how mail to a domain is routed\n"
      "  probe batch jobs.jsonl > results.jsonl     many checks, JSON lines in and out\n\n"
      "probe COMMAND --help for each command; exit statuses: man probe.");
  app.fallthrough();  // inherited by subcommands: shared flags work before or after the command
  probe::add_output_flags(app, config.output);
  std::string config_flag;
  app.add_option("--config", config_flag, "Config file (TOML); default $XDG_CONFIG_HOME/probe/config.toml, then /etc/probe/config.toml");

  probe::register_mx_command(app, ctx);
  probe::set_bounce_live_checks(probe::run_bounce_live);  // live checks unless --offline (issue 7)
  probe::register_bounce_command(app, ctx);
  probe::register_batch_command(app, ctx);
  probe::register_rbl_command(app, ctx);
  probe::register_server_command(app, ctx);
  probe::register_address_command(app, ctx);
  // Commands of later issues register here.

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? probe::exit_ok : probe::exit_usage;
  } catch (const std::exception& e) {
    // Network outcomes are values; an exception reaching here is a bug in probe.
    std::cerr << "probe: internal error: " << e.what() << '\n';
    return probe::exit_internal;
  }
  if (app.get_subcommands().empty() && !probe::address_given(app)) {
    std::cout << app.help();
    return probe::exit_usage;
  }
  return ctx.exit_status;
}
