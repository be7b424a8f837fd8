#pragma once
// What a DNSBL is asked about: an IP address or a domain name, and the query name built
// from it (RFC 5782 §2.1 reversed IPv4 octets, §2.4 32 reversed IPv6 nibbles, §2.3
// domains as they are).
//
// Promise: parse_target() accepts only what can be put safely into a DNS name: an IPv4
// or IPv6 address, or an ASCII domain name (A-labels). Anything else — CR, LF, spaces,
// non-ASCII, empty labels — comes back as an error message, never a query.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are folded to IPv4, as MTAs log them.

#include "dns/phrase.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rbl {

struct target {
  std::string text;                              // normalised: the address, or the lower-case domain
  std::optional<boost::asio::ip::address> ip;    // set for IP targets
  bool is_ip() const { return ip.has_value(); }
  bool is_ipv6() const { return ip && ip->is_v6(); }
  bool is_domain() const { return !ip; }
};

// A text of this module (a detail, a warning, a refusal) as a key of
// probe/data/output_words.yaml ("rbl.said.*") and named values (dns/phrase.hpp), so a report
// can say it in the reader's language. DNS text and the catalogue's words are values as
// they came.
using phrase = dns::phrase;
using phrase_value = dns::phrase_value;

struct target_error {
  std::string what;
  phrase said;  // `what` as a phrase (rbl.said.target_*)
};

std::variant<target, target_error> parse_target(std::string_view text);
target target_for(const boost::asio::ip::address& address);

// "2.0.0.127.zen.example", "…nibbles….zen.example", "example.com.dbl.example".
std::string query_name(const target& t, std::string_view zone);

}  // namespace rbl
