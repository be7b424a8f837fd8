#pragma once
// "What is my public address?" — the address receivers see when this host sends mail.
//
// The way admins do it from a shell, in order:
//   1. `dig myip.opendns.com A @resolver1.opendns.com`: OpenDNS's resolvers answer that
//      name with the address the query came from;
//   2. `dig o-o.myaddr.l.google.com TXT @ns1.google.com`: Google's authoritative servers
//      answer with the querier's address in a TXT record;
//   3. the local interface address the kernel would use toward the internet (a UDP socket
//      is "connected", which picks the route and source address; no packet is sent).
// The result says which method answered and how, keeps every attempt as evidence, and
// warns when the answer is a private address (behind NAT: PTR and DNSBL checks of it
// mean nothing) or when the DNS methods disagree (several egress addresses).
//
// The DNS methods ask the sources they are given (the command builds a dns::resolver per
// service, pointed at those servers); each is bounded by `timeout`. Never throws for
// network outcomes. Threading: the io_context's thread.
//
// Every English text here (how, asked, problem, warnings: what --json prints) has a
// `sentence` beside it (output_words.yaml "server.egress_*"), so a report can say it in
// Chinese; the English template gives back the English text.

#include "dns/source.hpp"
#include "probe/output_words.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace probe {

enum class egress_method { given, opendns, google, interface_address, none };
std::string_view to_string(egress_method method);

struct egress_attempt {
  egress_method method = egress_method::none;
  std::string asked;   // "myip.opendns.com A at 208.67.222.222, 208.67.220.220"
  dns::answer answer;  // for the DNS methods
  std::optional<boost::asio::ip::address> found;
  std::string problem;  // why it gave nothing ("timeout", "no route to the internet")
  sentence asked_said;    // `asked` as a sentence
  sentence problem_said;  // `problem` as a sentence
};

struct egress_result {
  std::optional<boost::asio::ip::address> address;
  egress_method method = egress_method::none;
  std::string how;  // one sentence for the user
  sentence how_said;
  std::vector<egress_attempt> attempts;
  std::vector<std::string> warnings;
  std::vector<sentence> warnings_said;  // warnings[i] as a sentence (same length)
};

struct egress_sources {
  dns::source* opendns = nullptr;  // a resolver asking OpenDNS's resolvers
  dns::source* google = nullptr;   // a resolver asking ns1/ns2.google.com
  std::string opendns_servers = "208.67.222.222, 208.67.220.220";
  std::string google_servers = "216.239.32.10, 216.239.34.10";
};

struct egress_options {
  std::chrono::milliseconds timeout{3000};  // per DNS method
  bool ipv6 = false;                        // look for the IPv6 egress address instead
  // Where the interface fallback "connects" (no packet is sent): any global address.
  std::string interface_toward = "208.67.222.222";
  std::string interface_toward_v6 = "2620:119:35::35";
};

// DNS servers of the two services, for building their resolvers.
std::vector<std::string> opendns_servers(bool ipv6);
std::vector<std::string> google_servers(bool ipv6);

egress_result egress_given(const boost::asio::ip::address& address);
boost::asio::awaitable<egress_result> detect_egress(egress_sources sources, egress_options options = {});

// The source address the kernel would use toward `toward` (connect on a UDP socket; no
// packet leaves). Empty with `problem` set when there is no route.
std::optional<boost::asio::ip::address> local_interface_address(const boost::asio::ip::address& toward,
                                                                std::string& problem);

// Loopback, RFC 1918, CGNAT (RFC 6598), link-local, ULA, unspecified: not an address a
// receiver on the internet could see.
bool is_private_address(const boost::asio::ip::address& address);

}  // namespace probe
