#include "probe/runtime.hpp"

namespace probe {

std::variant<std::unique_ptr<runtime>, std::string> runtime::create(const settings& config) {
  std::unique_ptr<runtime> rt(new runtime());
  dns::resolver_options options;
  options.servers = config.dns.servers;
  options.timeout = std::chrono::milliseconds(config.dns.timeout_ms);
  options.tries = config.dns.tries;
  auto created = dns::resolver::create(rt->io_.get_executor(), options);
  if (auto* e = std::get_if<dns::resolver::error>(&created)) return e->what;
  rt->resolver_ = std::move(std::get<std::unique_ptr<dns::resolver>>(created));
  rt->cache_ = std::make_unique<dns::cache>(*rt->resolver_);
  return rt;
}

std::string explain_dns_failure(const dns::answer& failed, const dns::resolver& resolver) {
  if (dns::is_answer(failed.result)) return {};
  std::string servers;
  for (const auto& s : resolver.servers()) servers += (servers.empty() ? "" : ", ") + s;
  switch (failed.result) {
    case dns::outcome::timeout:
      return "no DNS server answered (" + servers + ") within the timeout; is this machine on a network? "
             "Try --dns-server IP or a longer --dns-timeout";
    case dns::outcome::refused:
      return "the DNS server (" + servers + ") refused the query; it may not serve recursion to this host. "
             "Try --dns-server with your own resolver";
    case dns::outcome::servfail:
      return "the DNS server (" + servers + ") answered SERVFAIL: the domain's own DNS servers are broken, "
             "unreachable, or fail DNSSEC validation";
    case dns::outcome::malformed: return "the DNS answer was malformed: " + failed.detail;
    default: return "the DNS lookup failed: " + failed.detail + " (servers: " + servers + ")";
  }
}

}  // namespace probe
