#include "probe/cli.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdlib>
#include <map>
#include <string_view>

namespace probe {

std::string language_from_environment() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    // The first variable that is set decides, as in POSIX locale precedence.
    return std::string_view(value).starts_with("zh") ? "zh" : "en";
  }
  return "en";
}

CLI::Validator no_control_characters() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        for (const char c : value)
          if (c == '\r' || c == '\n' || c == '\0')
            return "argument contains CR, LF or NUL, which could inject protocol commands";
        return {};
      },
      "", "no CR/LF/NUL");
}

CLI::Validator ip_address() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        boost::system::error_code error;
        (void)boost::asio::ip::make_address(value, error);
        return error ? "not an IPv4 or IPv6 address: " + value : std::string();
      },
      "IP", "IP address");
}

void add_output_flags(CLI::App& app, output_settings& output) {
  app.add_flag("--json", output.json, "Print JSON instead of text");
  app.add_flag("-v,--verbose", output.verbose, "Show more detail (repeat for more)");
  app.add_option("--lang", output.lang, "Language of explanations and advice")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  const std::map<std::string, color_mode> colors{
      {"auto", color_mode::automatic}, {"always", color_mode::always}, {"never", color_mode::never}};
  app.add_option("--color", output.color, "Colour: auto (only on a terminal), always, never")
      ->transform(CLI::CheckedTransformer(colors, CLI::ignore_case))
      ->option_text("auto|always|never");  // CLI11 would print the map's internals
}

void add_dns_flags(CLI::App& app, dns_settings& dns) {
  app.add_option("--dns-server", dns.servers,
                 "DNS server to ask, IP or IP:PORT or [IPv6]:PORT (repeatable; default: resolv.conf)")
      ->check(no_control_characters());
  app.add_option("--dns-timeout", dns.timeout_ms, "DNS timeout per try, in milliseconds")
      ->check(CLI::Range(50, 60000))
      ->capture_default_str();
  app.add_option("--dns-tries", dns.tries, "DNS tries per server")->check(CLI::Range(1, 10))->capture_default_str();
  app.add_option("--seed", dns.seed, "Seed for the random order of MX hosts of equal preference");
}

void add_smtp_flags(CLI::App& app, smtp_settings& smtp) {
  app.add_option("--helo", smtp.helo, "Name to give in EHLO/HELO (default: this host's FQDN)")
      ->check(no_control_characters());
  app.add_option("--mail-from", smtp.mail_from, "Envelope sender for MAIL FROM (default: probe@HELO name)")
      ->check(no_control_characters());
  app.add_option("--proxy", smtp.proxy, "Connect through a SOCKS5 proxy: socks5://[user:pass@]host:port")
      ->check(no_control_characters());
  app.add_option("--source-ip", smtp.source_ip, "Local address to connect from")->check(ip_address());
  auto* v4 = app.add_flag("-4,--ipv4", smtp.ipv4_only, "Connect over IPv4 only");
  app.add_flag("-6,--ipv6", smtp.ipv6_only, "Connect over IPv6 only")->excludes(v4);
  app.add_option("--smtp-port", smtp.port, "TCP port of the SMTP servers")->check(CLI::Range(1, 65535))->capture_default_str();
  app.add_option("--tls", smtp.tls, "STARTTLS: opportunistic, required, off")
      ->check(CLI::IsMember({"opportunistic", "required", "off"}))
      ->capture_default_str();
  app.add_option("--connect-timeout", smtp.connect_timeout_ms, "TCP connect timeout, ms")->check(CLI::Range(100, 600000))->capture_default_str();
  app.add_option("--banner-timeout", smtp.banner_timeout_ms, "Greeting timeout, ms")->check(CLI::Range(100, 600000))->capture_default_str();
  app.add_option("--command-timeout", smtp.command_timeout_ms, "Timeout for each SMTP reply, ms")->check(CLI::Range(100, 600000))->capture_default_str();
  app.add_option("--tls-timeout", smtp.tls_timeout_ms, "TLS handshake timeout, ms")->check(CLI::Range(100, 600000))->capture_default_str();
}

void add_rbl_flags(CLI::App& app, rbl_settings& rbl) {
  // allow_extra_args(false): "--zones z1,z2 TARGET" must leave TARGET to the positional.
  app.add_option("--zones", rbl.zones, "DNSBLs to ask: catalogue names or zone names, comma-separated")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(no_control_characters());
  app.add_flag("--all", rbl.all, "Also ask lists that need a key or are marked dead");
  app.add_option("--dqs-key", rbl.dqs_key, "Spamhaus Data Query Service key")->check(no_control_characters());
  app.add_option("--rbl-timeout", rbl.timeout_ms, "Timeout per DNSBL, ms")->check(CLI::Range(50, 60000))->capture_default_str();
}

}  // namespace probe
