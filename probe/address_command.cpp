#include "probe/address_command.hpp"

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "probe/address_output.hpp"
#include "probe/data_dir.hpp"
#include "probe/exit_status.hpp"
#include "probe/output_words.hpp"
#include "probe/prober_setup.hpp"
#include "probe/terminal_text.hpp"
#include "smtp/prober.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>
#include <memory>

namespace probe {
namespace net = boost::asio;

bool address_given(const CLI::App& app) { return app.count("address") > 0; }

int run_address_check(const settings& config, const address_options& options, std::ostream& out, std::ostream& err) {
  const auto recipient = smtp::parse_mailbox(options.address);
  if (!recipient) {
    err << "probe: " << printable(options.address, 300) << " is not a usable address: " << recipient.error << "\n";
    return exit_usage;
  }
  // The words of the text report are checked before any network work, so a broken
  // installation fails at once rather than after a check of several seconds.
  if (!config.output.json)
    if (const auto* problem = std::get_if<std::string>(&output_words::installed())) {
      err << "probe: " << *problem << "\n";
      return exit_input_error;
    }
  auto setup = make_prober_setup(config, prober_overrides{options.no_catch_all, options.greylist_wait_s,
                                                           options.max_rcpts, options.per_host_rate},
                                 recipient->domain, recipient->address());
  if (!setup.ok()) {
    err << "probe: " << setup.error << "\n";
    return setup.error_status;
  }
  auto popts = std::move(setup.options);
  auto& notes = setup.notes;

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
  // Their phrases: the report finds a warning's phrase by its English text.
  for (auto& note : setup.note_phrases) result->warning_phrases.push_back(std::move(note));

  if (config.output.json) {
    out << address_check_json(*result, &counters).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << "\n";
  } else {
    const auto words = address_verdict_words::load(std::filesystem::path(data_path("probe")) / "address_verdicts.yaml");
    if (const auto* problem = std::get_if<std::string>(&words)) {
      err << "probe: " << *problem << "\n";
      return exit_input_error;  // as for the other knowledge files (correlation.yaml)
    }
    print_address_check(out, *result, config.output.verbose, &std::get<address_verdict_words>(words), config.output.lang);
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
