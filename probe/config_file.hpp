#pragma once
// The config file (TOML, read with toml++ from Debian): HELO name and MAIL FROM, DNS
// servers, timeouts, proxy, DNSBL zones and the Spamhaus DQS key, language, politeness.
//
// Search order: --config PATH, then $XDG_CONFIG_HOME/probe/config.toml (default
// ~/.config/probe/config.toml), then /etc/probe/config.toml; the first that exists is
// read, alone. Precedence: flags, then the file, then built-in defaults — main applies
// the file to `settings` before CLI11 parses the flags, and flags overwrite only what
// they set.
//
// Errors are values naming the file, the line and the key: a syntax error, an unknown
// key (a typo must not be silently ignored), a value of the wrong type or out of range.

#include "probe/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace probe {

struct config_error {
  std::string message;  // "FILE:LINE: key 'smtp.helo': expected a string"
};

// The file to read: `explicit_path` if given (it must exist), else the first of the
// search path that exists; nullopt when there is none.
std::optional<std::string> find_config_file(const std::string& explicit_path);

// Applies the file's values to `config`; returns an error and leaves `config` untouched
// on any problem.
std::optional<config_error> apply_config_file(const std::string& path, settings& config);

// Finds "--config PATH" / "--config=PATH" in argv before CLI11 runs (the file must be
// applied first so flags can override it).
std::string config_path_from_arguments(int argc, char** argv);

}  // namespace probe
