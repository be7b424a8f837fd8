#pragma once
// Mail routing: where would an MTA deliver mail for DOMAIN right now?
//
// RFC 5321 §5.1: MX records in preference order (ties in random order); no MX but an
// address → the implicit MX (the domain itself, preference 0); RFC 7505: a single
// "MX 0 ." is a null MX — the domain accepts no mail and there is no address to dial.
// Misconfigurations a sender's MTA would trip on are findings, with what MTAs do.
//
// Promise: never throws for DNS outcomes; a failed lookup is kept in the routing as
// evidence (the answer) and the routing's kind says whether routing is known.
// Uses only the given dns::source (share one dns::cache per run).

#include "dns/source.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace dns {

enum class route_kind {
  mx,            // MX records with at least one usable host
  implicit_mx,   // no MX records; the domain's own A/AAAA (RFC 5321 §5.1)
  null_mx,       // "MX 0 ." (RFC 7505): accepts no mail
  no_domain,     // NXDOMAIN: the domain does not exist
  no_mail_host,  // the domain exists but has no MX and no address, or no MX host has an address
  dns_failure,   // the MX (or implicit A/AAAA) lookup failed: routing unknown
};
std::string_view to_string(route_kind kind);

enum class route_problem {
  mx_ip_literal,      // MX target is an IP address, not a host name
  mx_is_cname,        // MX target is an alias (RFC 2181 §10.3 forbids it)
  mx_no_address,      // MX target has neither A nor AAAA
  mx_lookup_failed,   // the host's address lookups failed (timeout, SERVFAIL...)
  null_mx_mixed,      // "MX 0 ." published beside other MX records (RFC 7505 §3)
  mx_localhost,       // MX resolves to a loopback/unspecified address
};
std::string_view to_string(route_problem problem);

// One named value of a finding's sentence: a fact the same in every language (a host
// name, an address, a DNS outcome identifier), as it came from DNS (printable() it).
struct finding_value {
  std::string name;   // the template's {placeholder}
  std::string text;
};

// `explanation` is the English sentence (what --json prints); `key` and `values` say the
// same sentence for a report in another language: the templates live with the report
// (probe/data/output_words.yaml, keys "route.*"), whose English template gives back
// `explanation` exactly.
struct route_finding {
  route_problem problem;
  std::string host;        // the MX target concerned
  std::string explanation; // what is wrong and what a sender's MTA does about it
  std::string key;         // "route.mx_no_address"
  std::vector<finding_value> values;
};

struct host_address {
  boost::asio::ip::address address;
  answer ptr;  // reverse lookup of address (empty qname when PTRs were not asked)
};

struct mail_host {
  std::uint16_t preference = 0;
  std::string name;       // MX target (or the domain itself for the implicit MX), no trailing dot
  bool implicit = false;
  answer aaaa, a;         // the lookups, as evidence
  std::vector<host_address> addresses;  // AAAA answers first, then A, in answer order
};

struct routing {
  std::string domain;     // as routed (A-labels), no trailing dot
  route_kind kind = route_kind::dns_failure;
  answer mx_answer;       // the MX lookup, always present
  std::vector<mail_host> hosts;  // preference order; ties shuffled (see routing_options::seed)
  std::vector<route_finding> findings;

  // Hosts a sender would try, in order, skipping those without addresses.
  std::vector<const mail_host*> dialable_hosts() const;
};

struct routing_options {
  bool lookup_ptr = true;          // PTR of every address (probe mx shows them)
  bool want_ipv4 = true;
  bool want_ipv6 = true;
  std::optional<std::uint64_t> seed;  // repeatable tie order; random when absent
};

boost::asio::awaitable<routing> route_mail(source& dns, std::string domain, routing_options options = {});

}  // namespace dns
