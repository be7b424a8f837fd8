#pragma once
// Every command's registration function. main.cpp calls each once.

#include "probe/cli.hpp"

#include <string>

namespace probe {

// "probe 0.1.0 (c-ares 1.18.1, OpenSSL 3.0.x, Boost 1.81)"
std::string version_text();

void register_mx_command(CLI::App& app, command_context& ctx);
void register_batch_command(CLI::App& app, command_context& ctx);

}  // namespace probe
