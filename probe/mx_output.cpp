#include "probe/mx_output.hpp"

#include "dns/domain_name.hpp"
#include "probe/dns_json.hpp"
#include "probe/terminal_text.hpp"

#include <iomanip>

namespace probe {

namespace {

std::string headline(const mx_report& r, const style& look) {
  const auto& route = r.routing;
  const std::string domain = printable(dns::to_unicode_domain(route.domain));
  const auto dialable = route.dialable_hosts();
  switch (route.kind) {
    case dns::route_kind::mx: {
      const auto& first = *dialable.front();
      return domain + ": " + look.good("mail is accepted") + " by " + std::to_string(dialable.size()) +
             (dialable.size() == 1 ? " MX host" : " MX hosts") + "; first " + printable(first.name) + " [" +
             first.addresses.front().address.to_string() + "]";
    }
    case dns::route_kind::implicit_mx:
      return domain + ": " + look.warn("no MX records") + "; mail goes to the domain's own address [" +
             dialable.front()->addresses.front().address.to_string() + "] (implicit MX, RFC 5321 §5.1)";
    case dns::route_kind::null_mx:
      return domain + ": " + look.bad("accepts no mail") + " (null MX \"MX 0 .\", RFC 7505)";
    case dns::route_kind::no_domain:
      return domain + ": " + look.bad("domain does not exist") + " (NXDOMAIN)";
    case dns::route_kind::no_mail_host:
      return domain + ": " + look.bad("no host to deliver to") +
             (route.hosts.empty() ? " (no MX records and no address)" : " (no MX host has a usable address)");
    case dns::route_kind::dns_failure:
      return domain + ": " + look.bad("routing unknown") + ": " + printable(r.dns_problem);
  }
  return domain;
}

std::string describe_ptr(const dns::answer& ptr) {
  if (ptr.qname.empty()) return {};
  if (ptr.ok()) {
    std::string names;
    for (const auto& n : ptr.names()) names += (names.empty() ? "" : ", ") + printable(n);
    return "PTR " + names;
  }
  return "no PTR (" + std::string(dns::to_string(ptr.result)) + ")";
}

}  // namespace

void print_mx_text(std::ostream& out, const mx_report& r, const style& look, int verbose) {
  out << headline(r, look) << '\n';
  for (const auto& host : r.routing.hosts) {
    out << "  " << std::setw(5) << std::left << host.preference << ' ' << look.strong(printable(host.name));
    if (host.implicit) out << look.dim("  (implicit)");
    if (!host.a.cname_chain.empty()) out << look.dim("  (alias of " + printable(host.a.cname_chain.back()) + ")");
    out << '\n';
    for (const auto& address : host.addresses) {
      out << "        " << std::setw(40) << std::left << address.address.to_string() << ' ' << describe_ptr(address.ptr) << '\n';
    }
    if (host.addresses.empty() && host.a.qname.empty() && host.aaaa.qname.empty()) {
      out << "        " << look.warn("not dialled") << " (an IP address is not a valid MX target)\n";
    } else if (host.addresses.empty()) {
      out << "        " << look.warn("no address") << " (A: " << dns::to_string(host.a.result)
          << ", AAAA: " << dns::to_string(host.aaaa.result) << ")\n";
    }
    if (verbose > 0) {
      for (const dns::answer* a : {&host.aaaa, &host.a}) {
        if (a->qname.empty()) continue;
        out << look.dim("        " + dns::type_name(a->qtype) + " " + std::string(dns::to_string(a->result)) + " ttl " +
                        std::to_string(a->ttl) + " " + std::to_string(a->elapsed.count()) + " ms" +
                        (a->from_cache ? " (cached)" : ""))
            << '\n';
      }
    }
  }
  for (const auto& finding : r.routing.findings)
    out << "  " << look.warn("! " + std::string(dns::to_string(finding.problem))) << "  " << printable(finding.explanation) << '\n';
  if (verbose > 0) {
    const auto& mx = r.routing.mx_answer;
    std::string servers;
    for (const auto& s : r.servers) servers += (servers.empty() ? "" : ", ") + s;
    out << look.dim("  MX lookup: " + std::string(dns::to_string(mx.result)) + ", ttl " + std::to_string(mx.ttl) + ", " +
                    std::to_string(mx.elapsed.count()) + " ms, servers " + servers)
        << '\n';
  }
}

void print_mx_json(std::ostream& out, const mx_report& r) {
  auto j = to_json(r.routing);
  j["input"] = valid_utf8(r.input);
  j["dns_servers"] = r.servers;
  if (!r.dns_problem.empty()) j["dns_problem"] = r.dns_problem;
  out << j.dump() << '\n';
}

}  // namespace probe
