#pragma once
// What the user asked for, from flags, the config file and defaults (in that order of
// precedence). Plain values: commands read them; nothing here touches the network.
//
// One set of names for every command: a flag that means the same thing is spelt the same
// in `probe mx`, `probe user@domain`, `probe bounce`, `probe rbl`, `probe server` and
// `probe batch`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace probe {

enum class color_mode { automatic, always, never };

struct output_settings {
  bool json = false;
  int verbose = 0;
  std::string lang = "en";  // "en" or "zh"; default from LC_ALL / LC_MESSAGES / LANG
  color_mode color = color_mode::automatic;
};

struct dns_settings {
  std::vector<std::string> servers;  // "IP", "IP:PORT", "[IPv6]:PORT"; empty = resolv.conf
  int timeout_ms = 2500;             // per try
  int tries = 2;
  std::optional<std::uint64_t> seed;  // MX tie order
};

struct smtp_settings {
  std::string helo;        // empty = derived from the local host name (never the target's domain)
  std::string mail_from;   // empty = derived from the HELO name ("probe@HELO"); "<>" = null sender
  std::string proxy;       // socks5://[user:pass@]host:port
  std::string source_ip;
  int port = 25;
  std::string tls = "opportunistic";  // opportunistic | required | off
  bool ipv4_only = false;
  bool ipv6_only = false;
  int connect_timeout_ms = 10000;
  int banner_timeout_ms = 30000;
  int command_timeout_ms = 20000;
  int tls_timeout_ms = 15000;
  bool catch_all_test = true;
  int greylist_wait_s = 0;       // 0: do not wait and re-probe
  int max_rcpts_per_session = 20;
  double per_host_rate = 2.0;    // sessions per second per MX address
};

struct rbl_settings {
  std::vector<std::string> zones;  // catalogue names or raw zones; empty = catalogue defaults
  bool all = false;                // also query lists that need a key or are marked dead
  std::string dqs_key;             // Spamhaus Data Query Service key
  int timeout_ms = 3000;
};

struct settings {
  output_settings output;
  dns_settings dns;
  smtp_settings smtp;
  rbl_settings rbl;
  std::string ip;                 // --ip: the sending IP (server check, bounce correlation)
  std::string config_path;        // the config file that was read, if any
};

// "zh" when the locale environment (LC_ALL, then LC_MESSAGES, then LANG) starts with zh.
std::string language_from_environment();

}  // namespace probe
