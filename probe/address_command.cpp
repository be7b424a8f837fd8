#include "probe/address_command.hpp"

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "probe/address_output.hpp"
#include "probe/exit_status.hpp"
#include "probe/terminal_text.hpp"
#include "smtp/prober.hpp"
#include "smtp/text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace probe {
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

// Mailbox providers whose domains a probe must never claim as its own sender.
constexpr std::string_view provider_domains[] = {"gmail.com",   "googlemail.com", "yahoo.com", "outlook.com",
                                                 "hotmail.com", "live.com",       "qq.com",    "163.com",
                                                 "126.com",     "icloud.com",     "aol.com",   "mail.ru"};

// The data files (reply classes, provider quirks): $PROBE_DATA_DIR, then share/probe beside
// the installed binary, then the source tree this binary was built from.
std::string find_data_file(const std::string& relative) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* env = std::getenv("PROBE_DATA_DIR"); env && *env) {
    const fs::path candidate = fs::path(env) / relative;
    if (fs::exists(candidate, ec)) return candidate;
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path candidate = exe.parent_path() / ".." / "share" / "probe" / relative;
    if (fs::exists(candidate, ec)) return candidate;
  }
#ifdef PROBE_SOURCE_DATA_DIR
  return (fs::path(PROBE_SOURCE_DATA_DIR) / relative).string();
#else
  return relative;
#endif
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
  return text;
}

// Debian keeps the host's mail name in /etc/mailname; else the kernel's host name.
std::string default_helo() {
  std::ifstream mailname("/etc/mailname");
  std::string line;
  if (mailname && std::getline(mailname, line)) {
    line = trimmed(line);
    if (const auto helo = smtp::check_helo(line); helo && helo->fully_qualified) return helo->name;
  }
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') {
    if (const auto helo = smtp::check_helo(host)) return helo->name;
  }
  return "localhost";
}

bool is_provider_domain(std::string_view domain) {
  for (const auto provider : provider_domains)
    if (smtp::is_same_or_subdomain(domain, provider)) return true;
  return false;
}

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

smtp::tls_mode tls_mode_from(const std::string& name) {
  if (name == "required") return smtp::tls_mode::required;
  if (name == "off") return smtp::tls_mode::off;
  return smtp::tls_mode::opportunistic;
}

}  // namespace

bool address_given(const CLI::App& app) { return app.count("address") > 0; }

int run_address_check(const settings& config, const address_options& options, std::ostream& out, std::ostream& err) {
  const auto recipient = smtp::parse_mailbox(options.address);
  if (!recipient) {
    err << "probe: " << printable(options.address, 300) << " is not a usable address: " << recipient.error << "\n";
    return exit_usage;
  }
  const auto& smtp_config = config.smtp;
  std::vector<std::string> notes;

  // HELO: given, or this host's own name (never derived from the recipient).
  const std::string helo_text = smtp_config.helo.empty() ? default_helo() : smtp_config.helo;
  const auto helo = smtp::check_helo(helo_text);
  if (!helo) {
    err << "probe: --helo: " << helo.error << "\n";
    return exit_usage;
  }

  // MAIL FROM: given, or probe@<HELO name>; the null sender when that would be unfit.
  std::string sender;
  if (!smtp_config.mail_from.empty()) {
    const auto given = smtp::check_reverse_path(smtp_config.mail_from);
    if (!given) {
      err << "probe: --mail-from: " << given.error << "\n";
      return exit_usage;
    }
    sender = *given;
    const std::string sender_domain = smtp::ascii_lower(domain_of(sender));
    if (sender == recipient->address())
      notes.push_back("the sender is the recipient itself; many servers refuse such forged mail");
    else if (!sender.empty() && smtp::is_same_or_subdomain(sender_domain, recipient->domain))
      notes.push_back("the sender is in the recipient's own domain; its servers may refuse it as forged (SPF, DMARC)");
    else if (is_provider_domain(sender_domain))
      notes.push_back("the sender claims a mailbox provider's domain (" + sender_domain +
                      "); its SPF and DMARC will fail from this host, and many servers refuse that");
  } else if (helo->fully_qualified && !smtp::is_same_or_subdomain(helo->name, recipient->domain) &&
             !is_provider_domain(helo->name)) {
    sender = "probe@" + helo->name;
  } else {
    sender = "";  // the null sender, as verification callouts use (RFC 5321 §4.5.5)
  }

  std::optional<net::ip::address> source_ip;
  if (!smtp_config.source_ip.empty()) {
    boost::system::error_code ec;
    source_ip = net::ip::make_address(smtp_config.source_ip, ec);
    if (ec) {
      err << "probe: --source-ip: not an IP address\n";
      return exit_usage;
    }
  }
  std::optional<smtp::proxy_url> proxy;
  if (!smtp_config.proxy.empty()) {
    auto parsed = smtp::parse_proxy_url(smtp_config.proxy);
    if (!parsed) {
      err << "probe: --proxy: " << parsed.error << "\n";
      return exit_usage;
    }
    proxy = *parsed;
  }

  const std::string classes_path = find_data_file("smtp/reply_classes.yaml");
  auto classes = smtp::reply_classifier::load_file(classes_path);
  if (!classes) {
    err << "probe: " << classes.error << "\n";
    return exit_input_error;
  }
  auto quirks = smtp::quirk_table::load_file(find_data_file("smtp/provider_quirks.yaml"));
  if (!quirks) {
    err << "probe: " << quirks.error << "\n";
    return exit_input_error;
  }

  smtp::prober_options popts;
  popts.helo = helo->name;
  popts.mail_from = sender;
  popts.tls = tls_mode_from(smtp_config.tls);
  popts.limits.connect = std::chrono::milliseconds(smtp_config.connect_timeout_ms);
  popts.limits.banner = std::chrono::milliseconds(smtp_config.banner_timeout_ms);
  popts.limits.command = std::chrono::milliseconds(smtp_config.command_timeout_ms);
  popts.limits.tls = std::chrono::milliseconds(smtp_config.tls_timeout_ms);
  popts.limits.quit = std::min(popts.limits.command, std::chrono::milliseconds(2000));
  popts.port = static_cast<std::uint16_t>(smtp_config.port);
  popts.source_ip = source_ip;
  popts.proxy = proxy;
  popts.want_ipv4 = !smtp_config.ipv6_only;
  popts.want_ipv6 = !smtp_config.ipv4_only;
  popts.catch_all_test = smtp_config.catch_all_test && !options.no_catch_all;
  popts.greylist_wait =
      std::chrono::seconds(options.greylist_wait_s >= 0 ? options.greylist_wait_s : smtp_config.greylist_wait_s);
  popts.max_rcpts_per_session =
      static_cast<std::size_t>(options.max_rcpts > 0 ? options.max_rcpts : smtp_config.max_rcpts_per_session);
  popts.per_host_rate = options.per_host_rate >= 0 ? options.per_host_rate : smtp_config.per_host_rate;
  popts.seed = config.dns.seed;
  popts.lookup_ptr = config.output.verbose > 0 || config.output.json;
  popts.classifier = std::make_shared<const smtp::reply_classifier>(std::move(*classes.value));
  popts.quirks = std::make_shared<const smtp::quirk_table>(std::move(*quirks.value));

  net::io_context io;
  dns::resolver_options ropts;
  ropts.servers = config.dns.servers;
  ropts.timeout = std::chrono::milliseconds(config.dns.timeout_ms);
  ropts.tries = config.dns.tries;
  auto created = dns::resolver::create(io.get_executor(), ropts);
  if (auto* problem = std::get_if<dns::resolver::error>(&created)) {
    err << "probe: DNS: " << problem->what << "\n";
    return exit_usage;
  }
  auto resolver = std::move(std::get<std::unique_ptr<dns::resolver>>(created));

  std::optional<smtp::address_check> result;
  smtp::prober_counters counters;
  try {
    dns::cache cache(*resolver);
    smtp::prober prober(io.get_executor(), cache, std::move(popts));
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          result = co_await prober.check(*recipient);
          co_await prober.close();
        },
        [&io](std::exception_ptr e) {
          // The resolver may still hold a retransmission timer; the work is done, so stop
          // rather than wait for it.
          io.stop();
          if (e) std::rethrow_exception(e);
        });
    io.run();
    counters = prober.counters();
  } catch (const std::exception& e) {
    err << "probe: internal error: " << e.what() << "\n";
    return exit_internal;
  }
  if (!result) {
    err << "probe: internal error: the check did not finish\n";
    return exit_internal;
  }
  for (auto& note : notes) result->warnings.insert(result->warnings.begin(), note);

  if (config.output.json) {
    out << address_check_json(*result, &counters).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << "\n";
  } else {
    print_address_check(out, *result, config.output.verbose);
  }
  return exit_status_for(result->result);
}

void register_address_command(CLI::App& app, command_context& ctx) {
  auto options = std::make_shared<address_options>();
  const auto add_flags = [&ctx, options](CLI::App& target) {
    add_dns_flags(target, ctx.config.dns);
    add_smtp_flags(target, ctx.config.smtp);
    target.add_flag("--no-catch-all", options->no_catch_all,
                    "Skip the catch-all test (RCPT of a random local part after RSET)");
    target.add_option("--greylist-wait", options->greylist_wait_s,
                      "When greylisted, wait this many seconds and ask once more")
        ->check(CLI::Range(0, 3600));
    target.add_option("--max-rcpts", options->max_rcpts, "Most RCPTs in one SMTP session")->check(CLI::Range(1, 1000));
    target.add_option("--rate", options->per_host_rate, "New SMTP sessions per second to one MX address (0: no limit)")
        ->check(CLI::Range(0.0, 1000.0));
  };

  app.add_option("address", options->address,
                 "Check whether user@domain is deliverable now (probe user@domain; see `probe check --help`)")
      ->check(no_control_characters());
  add_flags(app);
  app.final_callback([&app, &ctx, options] {
    if (!address_given(app) || !app.get_subcommands().empty()) return;
    ctx.exit_status = run_address_check(ctx.config, *options, std::cout, std::cerr);
  });

  auto* check = app.add_subcommand("check", "Is this address deliverable now, and if not, why? (same as probe user@domain)");
  check->add_option("address", options->address, "The address to check: user@domain")
      ->required()
      ->check(no_control_characters());
  add_flags(*check);
  check->fallthrough();  // --json, -v, --lang also after "check"
  check->footer(
      "Talks SMTP to the domain's MX up to RCPT TO, never DATA.\n"
      "Examples:\n"
      "  probe alice@example.com\n"
      "  probe check alice@example.com --json\n"
      "  probe alice@example.com --helo mail.mydomain.example --mail-from postmaster@mydomain.example\n"
      "  probe alice@example.com --proxy socks5://user:pass@relay.example:1080\n"
      "Exit status: 0 deliverable, 1 undeliverable, 3 temporary or inconclusive, 4 could not check, 2 usage.");
  check->callback([&ctx, options] { ctx.exit_status = run_address_check(ctx.config, *options, std::cout, std::cerr); });
}

}  // namespace probe
