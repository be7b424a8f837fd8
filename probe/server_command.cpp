#include "probe/server_command.hpp"

#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "probe/data_dir.hpp"
#include "probe/exit_status.hpp"
#include "probe/output_words.hpp"
#include "probe/rbl_command.hpp"
#include "probe/server_output.hpp"
#include "probe/terminal_text.hpp"
#include "rbl/checker.hpp"

#include <boost/asio/co_spawn.hpp>

#include <unistd.h>

#include <climits>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

namespace probe {

namespace net = boost::asio;

namespace {

std::string this_host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

// Runs one awaitable on `io` until it completes; work left over (a slow list's late
// answer) stays queued for the caller to drain after shutting its resolvers down.
template <class T>
std::optional<T> run_until_done(net::io_context& io, net::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr failure;
  net::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) result = std::move(value);
  });
  io.restart();
  while (!result && !failure && io.run_one() > 0) {
  }
  if (failure) std::rethrow_exception(failure);
  return result;
}

std::unique_ptr<dns::resolver> make_resolver(net::io_context& io, std::vector<std::string> servers, int timeout_ms,
                                             int tries, std::string& error) {
  dns::resolver_options options;
  options.servers = std::move(servers);
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.tries = tries;
  auto created = dns::resolver::create(io.get_executor(), options);
  if (auto* e = std::get_if<dns::resolver::error>(&created)) {
    error = e->what;
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<dns::resolver>>(created));
}

}  // namespace

std::variant<server_knowledge, std::string> load_server_knowledge() {
  return server_knowledge::load(std::filesystem::path(data_path("probe")) / "server_check.yaml");
}

int run_server(const settings& config, const server_request& request, const rbl::catalogue& lists,
               const server_knowledge& knowledge, net::io_context& io, dns::source& dns, egress_sources egress,
               std::ostream& out, std::ostream& err) {
  // The report's words come from output_words.yaml: a broken installation fails at once,
  // as `probe mx`, `probe rbl` and `probe user@domain` do, not after the lookups.
  if (!config.output.json)
    if (const auto* problem = std::get_if<std::string>(&output_words::installed())) {
      err << "probe server: " << *problem << '\n';
      return exit_input_error;
    }
  server_report report;
  if (!request.ip.empty()) {
    auto parsed = rbl::parse_target(request.ip);
    const auto* target = std::get_if<rbl::target>(&parsed);
    if (target == nullptr || !target->is_ip()) {
      err << "probe server: --ip " << printable(request.ip) << " is not an IP address\n";
      return exit_usage;
    }
    report.egress = egress_given(*target->ip);
  } else {
    egress_options options;
    options.ipv6 = config.smtp.ipv6_only;
    auto detected = run_until_done(io, detect_egress(egress, options));
    if (detected) report.egress = std::move(*detected);
  }
  if (!report.egress.address) {
    // In the reader's language when the words file is read (always in text mode, checked
    // above); the English texts otherwise.
    const auto* words = std::get_if<output_words>(&output_words::installed());
    const auto& lang = config.output.lang;
    const auto say = [&](const sentence& said, const std::string& english) {
      return words ? words->render(said, lang, english) : english;
    };
    err << "probe server: " << printable(say(report.egress.how_said, report.egress.how)) << '\n';
    for (const auto& a : report.egress.attempts)
      err << "  " << printable(say(a.asked_said, a.asked)) << ": " << printable(say(a.problem_said, a.problem)) << '\n';
    return exit_probe_failed;
  }

  server_inputs inputs;
  inputs.ip = *report.egress.address;
  if (!request.helo.empty()) {
    inputs.helo = request.helo;
    inputs.helo_from = name_source::given;
  } else if (request.ip.empty() && request.local_hostname.find('.') != std::string::npos) {
    // Checking this host itself: its name is what an MTA says in HELO by default
    // (Postfix myhostname, Exim primary_hostname). A short name is not used: the MTA then
    // appends its domain, which probe cannot know; the HELO items ask for --helo instead.
    inputs.helo = request.local_hostname;
    inputs.helo_from = name_source::local_hostname;
  }
  if (!request.domain.empty()) {
    auto parsed = rbl::parse_target(request.domain);
    const auto* target = std::get_if<rbl::target>(&parsed);
    if (target == nullptr || !target->is_domain()) {
      err << "probe server: --domain " << printable(request.domain) << " is not a domain name\n";
      return exit_usage;
    }
    inputs.domain = target->text;
    inputs.domain_from = name_source::given;
  }
  inputs.dnsbl_zones = config.rbl.zones;

  rbl::check_options options;
  options.timeout = std::chrono::milliseconds(config.rbl.timeout_ms);
  options.include_all = config.rbl.all;
  options.dqs_key = config.rbl.dqs_key;
  // Refuse a bad --zones before any lookup, as `probe rbl` does.
  if (auto selection = rbl::select_lists(lists, rbl::target_for(inputs.ip), config.rbl.zones, options);
      auto* bad = std::get_if<rbl::selection_error>(&selection)) {
    err << "probe server: " << printable(bad->what) << '\n';
    return exit_usage;
  }
  rbl::checker dnsbl(dns, lists, options);
  auto facts = run_until_done(io, gather_server_facts(dns, dnsbl, inputs, knowledge));
  if (!facts) {
    err << "probe server: internal error: the check did not complete\n";
    return exit_internal;
  }
  report.facts = std::move(*facts);
  report.items.push_back(assess_egress(report.egress));
  for (auto& item : assess(report.facts, knowledge)) report.items.push_back(std::move(item));

  if (config.output.json)
    out << server_json(report, knowledge, config.output.lang).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  else
    out << server_text(report, knowledge, config.output.lang, config.output.verbose, style(config.output.color));
  return server_exit_status(report.items);
}

void register_server_command(CLI::App& app, command_context& ctx) {
  auto* command = app.add_subcommand("server", "Check your own sending server: rDNS, HELO, SPF, DMARC, DNSBLs, MX");
  command->footer(
      "Examples:\n"
      "  probe server                               on the mail server: finds its public address\n"
      "  probe server --ip 192.0.2.25 --helo mail.example.com --domain example.com\n"
      "  probe server --ip 192.0.2.25 --json\n\n"
      "Exit status: 0 every check passes, 3 warnings, 1 a check fails, 4 no address to check, 2 usage.");
  auto request = std::make_shared<server_request>();
  command->add_option("--ip", request->ip, "The server's public address (default: detect it)")
      ->check(no_control_characters());
  command->add_option("--helo", request->helo, "The name your MTA gives in HELO/EHLO (Postfix myhostname)")
      ->check(no_control_characters());
  command->add_option("--domain", request->domain, "Your sending domain (default: from the HELO or PTR name)")
      ->check(no_control_characters());
  command->add_flag("-6,--ipv6", ctx.config.smtp.ipv6_only, "Detect the IPv6 egress address instead of IPv4");
  add_rbl_flags(*command, ctx.config.rbl);
  add_dns_flags(*command, ctx.config.dns);
  add_output_flags(*command, ctx.config.output);
  command->callback([&ctx, request] {
    auto lists = load_rbl_catalogue();
    if (auto* error = std::get_if<std::string>(&lists)) {
      std::cerr << "probe server: " << *error << '\n';
      ctx.exit_status = exit_input_error;
      return;
    }
    auto knowledge = load_server_knowledge();
    if (auto* error = std::get_if<std::string>(&knowledge)) {
      std::cerr << "probe server: " << *error << '\n';
      ctx.exit_status = exit_input_error;
      return;
    }
    request->local_hostname = this_host_name();
    net::io_context io{1};
    std::string error;
    auto resolver = make_resolver(io, ctx.config.dns.servers, ctx.config.dns.timeout_ms, ctx.config.dns.tries, error);
    if (!resolver) {
      std::cerr << "probe server: " << printable(error) << '\n';
      ctx.exit_status = exit_usage;
      return;
    }
    // "What is my address" services are asked directly, each through a resolver of its own
    // (one try: the answer is only useful quickly, and the fallback is local).
    std::unique_ptr<dns::resolver> opendns, google;
    egress_sources egress;
    if (request->ip.empty()) {
      const bool v6 = ctx.config.smtp.ipv6_only;
      opendns = make_resolver(io, opendns_servers(v6), 2000, 1, error);
      google = make_resolver(io, google_servers(v6), 2000, 1, error);
      egress.opendns = opendns.get();
      egress.google = google.get();
    }
    {
      dns::cache cache(*resolver);
      ctx.exit_status = run_server(ctx.config, *request, std::get<rbl::catalogue>(lists),
                                   std::get<server_knowledge>(knowledge), io, cache, egress, std::cout, std::cerr);
      // Late answers (a slow list) end at once when the resolvers shut down; drain them while
      // the cache they complete into still exists.
      resolver.reset();
      opendns.reset();
      google.reset();
      io.restart();
      io.run();
    }
  });
}

}  // namespace probe
