#include "probe/config_file.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <string_view>

namespace probe {

namespace {

std::string where(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line);
}

// One setter per key: checks the node's type and range, writes into settings.
using setter = std::function<std::optional<std::string>(const toml::node&, settings&)>;

setter text(std::function<std::string&(settings&)> field) {
  return [field](const toml::node& node, settings& s) -> std::optional<std::string> {
    const auto value = node.value<std::string>();
    if (!value) return "expected a string";
    for (const char c : *value)
      if (c == '\r' || c == '\n' || c == '\0') return "contains CR, LF or NUL";
    field(s) = *value;
    return std::nullopt;
  };
}

setter integer(std::function<int&(settings&)> field, long low, long high) {
  return [field, low, high](const toml::node& node, settings& s) -> std::optional<std::string> {
    const auto value = node.value<int64_t>();
    if (!value || !node.is_integer()) return "expected an integer";
    if (*value < low || *value > high) return "must be between " + std::to_string(low) + " and " + std::to_string(high);
    field(s) = static_cast<int>(*value);
    return std::nullopt;
  };
}

setter list(std::function<std::vector<std::string>&(settings&)> field) {
  return [field](const toml::node& node, settings& s) -> std::optional<std::string> {
    const auto* array = node.as_array();
    if (!array) return "expected an array of strings";
    std::vector<std::string> out;
    for (const auto& item : *array) {
      const auto value = item.value<std::string>();
      if (!value || !item.is_string()) return "expected an array of strings";
      out.push_back(*value);
    }
    field(s) = std::move(out);
    return std::nullopt;
  };
}

setter choice(std::function<std::string&(settings&)> field, std::vector<std::string> allowed) {
  return [field, allowed](const toml::node& node, settings& s) -> std::optional<std::string> {
    const auto value = node.value<std::string>();
    if (!value || !node.is_string()) return "expected a string";
    for (const auto& a : allowed)
      if (*value == a) {
        field(s) = *value;
        return std::nullopt;
      }
    std::string options;
    for (const auto& a : allowed) options += (options.empty() ? "" : ", ") + a;
    return "must be one of " + options;
  };
}

const std::map<std::string, setter, std::less<>>& setters() {
  static const std::map<std::string, setter, std::less<>> table{
      {"smtp.helo", text([](settings& s) -> std::string& { return s.smtp.helo; })},
      {"smtp.mail_from", text([](settings& s) -> std::string& { return s.smtp.mail_from; })},
      {"smtp.proxy", text([](settings& s) -> std::string& { return s.smtp.proxy; })},
      {"smtp.source_ip", text([](settings& s) -> std::string& { return s.smtp.source_ip; })},
      {"smtp.port", integer([](settings& s) -> int& { return s.smtp.port; }, 1, 65535)},
      {"smtp.tls", choice([](settings& s) -> std::string& { return s.smtp.tls; }, {"opportunistic", "required", "off"})},
      {"smtp.connect_timeout_ms", integer([](settings& s) -> int& { return s.smtp.connect_timeout_ms; }, 100, 600000)},
      {"smtp.banner_timeout_ms", integer([](settings& s) -> int& { return s.smtp.banner_timeout_ms; }, 100, 600000)},
      {"smtp.command_timeout_ms", integer([](settings& s) -> int& { return s.smtp.command_timeout_ms; }, 100, 600000)},
      {"smtp.tls_timeout_ms", integer([](settings& s) -> int& { return s.smtp.tls_timeout_ms; }, 100, 600000)},
      {"dns.servers", list([](settings& s) -> std::vector<std::string>& { return s.dns.servers; })},
      {"dns.timeout_ms", integer([](settings& s) -> int& { return s.dns.timeout_ms; }, 50, 60000)},
      {"dns.tries", integer([](settings& s) -> int& { return s.dns.tries; }, 1, 10)},
      {"rbl.zones", list([](settings& s) -> std::vector<std::string>& { return s.rbl.zones; })},
      {"rbl.dqs_key", text([](settings& s) -> std::string& { return s.rbl.dqs_key; })},
      {"rbl.timeout_ms", integer([](settings& s) -> int& { return s.rbl.timeout_ms; }, 50, 60000)},
      {"output.lang", choice([](settings& s) -> std::string& { return s.output.lang; }, {"en", "zh"})},
      {"politeness.max_rcpts_per_session",
       integer([](settings& s) -> int& { return s.smtp.max_rcpts_per_session; }, 1, 1000)},
      {"politeness.greylist_wait_s", integer([](settings& s) -> int& { return s.smtp.greylist_wait_s; }, 0, 3600)},
  };
  return table;
}

std::optional<config_error> apply_table(const std::string& path, const toml::table& root, settings& out) {
  for (const auto& [group_key, group_node] : root) {
    const auto* group = group_node.as_table();
    if (!group)
      return config_error{where(path, group_node) + ": '" + std::string(group_key.str()) +
                          "' must be a table ([smtp], [dns], [rbl], [output], [politeness])"};
    for (const auto& [key, node] : *group) {
      const std::string name = std::string(group_key.str()) + "." + std::string(key.str());
      if (name == "output.color") {
        const auto value = node.value<std::string>();
        if (!value || (*value != "auto" && *value != "always" && *value != "never"))
          return config_error{where(path, node) + ": key '" + name + "': must be one of auto, always, never"};
        out.output.color = *value == "always" ? color_mode::always : *value == "never" ? color_mode::never : color_mode::automatic;
        continue;
      }
      if (name == "politeness.per_host_rate") {
        const auto value = node.value<double>();
        if (!value || *value < 0 || *value > 1000)
          return config_error{where(path, node) + ": key '" + name + "': expected a number of sessions per second, 0–1000 (0: no limit)"};
        out.smtp.per_host_rate = *value;
        continue;
      }
      const auto found = setters().find(name);
      if (found == setters().end()) return config_error{where(path, node) + ": unknown key '" + name + "'"};
      if (auto problem = found->second(node, out)) return config_error{where(path, node) + ": key '" + name + "': " + *problem};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> find_config_file(const std::string& explicit_path) {
  namespace fs = std::filesystem;
  if (!explicit_path.empty()) return explicit_path;
  std::error_code ec;
  std::vector<fs::path> candidates;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    candidates.push_back(fs::path(xdg) / "probe" / "config.toml");
  else if (const char* home = std::getenv("HOME"); home && *home)
    candidates.push_back(fs::path(home) / ".config" / "probe" / "config.toml");
  candidates.emplace_back("/etc/probe/config.toml");
  for (const auto& c : candidates)
    if (fs::is_regular_file(c, ec)) return c.string();
  return std::nullopt;
}

std::optional<config_error> apply_config_file(const std::string& path, settings& config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    if (begin.line == 0) return config_error{path + ": cannot read: " + std::string(e.description())};
    return config_error{path + ":" + std::to_string(begin.line) + ": " + std::string(e.description())};
  }
  settings updated = config;
  if (auto error = apply_table(path, root, updated)) return error;
  config = std::move(updated);
  config.config_path = path;
  return std::nullopt;
}

std::string config_path_from_arguments(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--config" && i + 1 < argc) return argv[i + 1];
    if (arg.starts_with("--config=")) return std::string(arg.substr(9));
  }
  return {};
}

}  // namespace probe
