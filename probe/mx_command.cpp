// `probe mx DOMAIN`: how mail to DOMAIN would be routed right now.
#include "dns/domain_name.hpp"
#include "probe/commands.hpp"
#include "probe/exit_status.hpp"
#include "probe/mx_output.hpp"
#include "probe/output_words.hpp"
#include "probe/runtime.hpp"

#include <iostream>

namespace probe {

namespace {

int exit_status_for(dns::route_kind kind) {
  switch (kind) {
    case dns::route_kind::mx:
    case dns::route_kind::implicit_mx: return exit_ok;
    case dns::route_kind::null_mx:
    case dns::route_kind::no_domain:
    case dns::route_kind::no_mail_host: return exit_negative;
    case dns::route_kind::dns_failure: return exit_probe_failed;
  }
  return exit_internal;
}

int run_mx(const settings& config, const std::string& input) {
  // "user@domain" is accepted too: admins paste whole addresses.
  std::string_view domain_part = input;
  if (const auto at = domain_part.rfind('@'); at != std::string_view::npos) domain_part.remove_prefix(at + 1);
  auto domain = dns::to_ascii_domain(domain_part);
  if (auto* e = std::get_if<dns::name_error>(&domain)) {
    std::cerr << "probe mx: " << e->what << '\n';
    return exit_usage;
  }
  if (!config.output.json)
    if (const auto* problem = std::get_if<std::string>(&output_words::installed())) {
      std::cerr << "probe mx: " << *problem << '\n';
      return exit_input_error;
    }
  auto created = runtime::create(config);
  if (auto* e = std::get_if<std::string>(&created)) {
    std::cerr << "probe mx: " << *e << '\n';
    return exit_usage;
  }
  auto& rt = *std::get<std::unique_ptr<runtime>>(created);
  mx_report report;
  report.input = input;
  report.servers = rt.resolver().servers();
  report.routing = rt.run(dns::route_mail(rt.dns(), std::get<std::string>(domain), {.seed = config.dns.seed}));
  if (report.routing.kind == dns::route_kind::dns_failure) {
    const dns::answer* failed = &report.routing.mx_answer;
    for (const auto& host : report.routing.hosts)
      for (const dns::answer* a : {&host.a, &host.aaaa})
        if (!a->qname.empty() && !dns::is_answer(a->result)) failed = a;
    report.dns_problem = explain_dns_failure(*failed, rt.resolver());
  }
  if (config.output.json)
    print_mx_json(std::cout, report);
  else
    print_mx_text(std::cout, report, style(config.output.color), config.output.verbose, config.output.lang);
  return exit_status_for(report.routing.kind);
}

}  // namespace

void register_mx_command(CLI::App& app, command_context& ctx) {
  auto* cmd = app.add_subcommand("mx", "Show how mail to a domain is routed: MX hosts, addresses, PTRs");
  cmd->footer(
      "Examples:\n"
      "  probe mx example.com\n"
      "  probe mx --json user@example.com\n"
      "  probe mx example.com --dns-server 192.0.2.53:5353 -v\n\n"
      "Exit status: 0 mail is routed, 1 the domain accepts no mail (null MX, NXDOMAIN, no host),\n"
      "4 DNS failed (routing unknown), 2 usage error, 5 a data file of probe is unreadable.");
  auto domain = std::make_shared<std::string>();
  cmd->add_option("domain", *domain, "Domain (or user@domain)")->required()->check(no_control_characters());
  add_dns_flags(*cmd, ctx.config.dns);
  add_output_flags(*cmd, ctx.config.output);
  cmd->callback([&ctx, domain] { ctx.exit_status = run_mx(ctx.config, *domain); });
}

}  // namespace probe
