// probe: why did this mail bounce, and would it still?
// main wires the commands together; each command lives in its own file.

#include "probe/address_command.hpp"
#include "probe/bounce_command.hpp"
#include "probe/cli.hpp"
#include "probe/commands.hpp"
#include "probe/exit_status.hpp"

#include <cstdio>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  probe::settings config;
  config.output.lang = probe::language_from_environment();
  probe::command_context ctx{config};

  CLI::App app{"probe: why did this mail bounce, and would it still?", "probe"};
  app.set_version_flag("--version", probe::version_text());
  app.require_subcommand(0, 1);
  probe::add_output_flags(app, config.output);

  probe::register_mx_command(app, ctx);
  probe::register_bounce_command(app, ctx);
  probe::register_address_command(app, ctx);
  // Commands of later issues register here.

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? probe::exit_ok : probe::exit_usage;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return probe::exit_usage;
  }
  return ctx.exit_status;
}
