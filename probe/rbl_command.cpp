#include "probe/rbl_command.hpp"

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "probe/data_dir.hpp"
#include "probe/exit_status.hpp"
#include "probe/output_words.hpp"
#include "probe/rbl_output.hpp"
#include "probe/terminal_text.hpp"
#include "rbl/checker.hpp"
#include "rbl/summary.hpp"

#include <boost/asio/co_spawn.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

namespace probe {

namespace net = boost::asio;

std::variant<rbl::catalogue, std::string> load_rbl_catalogue() {
  auto loaded = rbl::catalogue::load(std::filesystem::path(data_path("rbl")) / "catalogue.yaml");
  if (auto* error = std::get_if<rbl::load_error>(&loaded)) return error->what;
  return std::get<rbl::catalogue>(std::move(loaded));
}

int run_rbl(const settings& config, std::string_view target_text, const rbl::catalogue& lists,
            net::io_context& io, dns::source& dns, std::ostream& out, std::ostream& err) {
  if (!config.output.json)
    if (const auto* problem = std::get_if<std::string>(&output_words::installed())) {
      err << "probe rbl: " << *problem << '\n';
      return exit_input_error;
    }
  auto parsed = rbl::parse_target(target_text);
  if (auto* bad = std::get_if<rbl::target_error>(&parsed)) {
    // In the reader's language when the words are there (JSON runs need not have them).
    const auto* words = std::get_if<output_words>(&output_words::installed());
    err << "probe rbl: " << printable(words != nullptr ? words->render(bad->said, config.output.lang, bad->what) : bad->what)
        << '\n';
    return exit_usage;
  }
  const auto target = std::get<rbl::target>(parsed);

  rbl::check_options options;
  options.timeout = std::chrono::milliseconds(config.rbl.timeout_ms);
  options.include_all = config.rbl.all;
  options.dqs_key = config.rbl.dqs_key;
  auto selection = rbl::select_lists(lists, target, config.rbl.zones, options);
  if (auto* bad = std::get_if<rbl::selection_error>(&selection)) {
    err << "probe rbl: " << printable(bad->what) << '\n';
    return exit_usage;
  }

  rbl::checker checker(dns, lists, options);
  std::optional<std::vector<rbl::listing>> listings;
  std::exception_ptr failure;
  net::co_spawn(io, checker.check_selected(target, std::get<std::vector<rbl::selected_list>>(std::move(selection))),
                [&](std::exception_ptr e, std::vector<rbl::listing> result) {
                  failure = e;
                  if (!e) listings = std::move(result);
                });
  // Stop as soon as the report is complete: a list's late answer is not worth waiting for.
  io.restart();
  while (!listings && !failure && io.run_one() > 0) {
  }
  if (failure) std::rethrow_exception(failure);
  if (!listings) {
    err << "probe rbl: internal error: the check did not complete\n";
    return exit_internal;
  }

  rbl_report report{target, std::move(*listings), {}};
  report.summary = rbl::summarize(report.listings);
  if (config.output.json)
    out << rbl_json(report, config.output.lang).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  else
    out << rbl_text(report, config.output.lang, config.output.verbose, style(config.output.color));
  return rbl_exit_status(report.summary);
}

void register_rbl_command(CLI::App& app, command_context& ctx) {
  auto* command = app.add_subcommand("rbl", "Is an IP address or a domain on DNSBLs (and why)?");
  command->footer(
      "Examples:\n"
      "  probe rbl 192.0.2.25\n"
      "  probe rbl 2001:db8::25 --json\n"
      "  probe rbl example.com                      domain lists (Spamhaus DBL, SURBL, URIBL)\n"
      "  probe rbl 192.0.2.25 --zones spamhaus-zen,bl.spamcop.net\n"
      "  probe rbl 192.0.2.25 --dqs-key KEY         Spamhaus through the Data Query Service\n\n"
      "Exit status: 1 listed, 0 clean, 3 unknown (a list could not answer), 2 usage.");
  auto target = std::make_shared<std::string>();
  command->add_option("target", *target, "IP address (IPv4 or IPv6) or domain name")
      ->required()
      ->check(no_control_characters());
  add_rbl_flags(*command, ctx.config.rbl);
  add_dns_flags(*command, ctx.config.dns);
  add_output_flags(*command, ctx.config.output);
  command->callback([&ctx, target] {
    auto lists = load_rbl_catalogue();
    if (auto* error = std::get_if<std::string>(&lists)) {
      std::cerr << "probe rbl: " << *error << '\n';
      ctx.exit_status = exit_input_error;
      return;
    }
    net::io_context io{1};
    dns::resolver_options options;
    options.servers = ctx.config.dns.servers;
    options.timeout = std::chrono::milliseconds(ctx.config.dns.timeout_ms);
    options.tries = ctx.config.dns.tries;
    auto created = dns::resolver::create(io.get_executor(), options);
    if (auto* error = std::get_if<dns::resolver::error>(&created)) {
      std::cerr << "probe rbl: " << printable(error->what) << '\n';
      ctx.exit_status = exit_usage;
      return;
    }
    auto resolver = std::move(std::get<std::unique_ptr<dns::resolver>>(created));
    dns::cache cache(*resolver);
    ctx.exit_status = run_rbl(ctx.config, *target, std::get<rbl::catalogue>(lists), io, cache, std::cout, std::cerr);
    // The report is out; a slow list's query may still be pending. Shutting the resolver
    // down completes it at once ("resolver shut down"), so draining the io_context is quick
    // and no coroutine outlives the cache it awaits.
    resolver.reset();
    io.restart();
    io.run();
  });
}

}  // namespace probe
