#pragma once
// DNS answers as plain values.
//
// Promise: every lookup ends in exactly one `dns::outcome`, and the outcomes stay
// distinct all the way to the user. NXDOMAIN and NODATA are answers ("no such name",
// "no record of that type"); TIMEOUT, SERVFAIL, REFUSED, MALFORMED and ERROR are
// failures to learn anything. A DNSBL reads NXDOMAIN as "not listed" and TIMEOUT as
// "unknown" — callers must never fold one into the other.
//
// Values only: no sockets, no executors. Copyable, comparable, cacheable.

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dns {

enum class outcome {
  records,    // NOERROR with at least one record of the asked type (after CNAMEs)
  nxdomain,   // RCODE 3: the name does not exist
  nodata,     // NOERROR, the name exists, no record of that type
  servfail,   // RCODE 2 (or every server failed)
  refused,    // RCODE 5
  timeout,    // no answer within the configured timeout and tries
  malformed,  // an answer arrived but could not be parsed
  error,      // anything else: bad name, local failure, other RCODE
};

std::string_view to_string(outcome o);
// True when the lookup learnt something definite about the name (records, NXDOMAIN, NODATA).
constexpr bool is_answer(outcome o) {
  return o == outcome::records || o == outcome::nxdomain || o == outcome::nodata;
}

// Resource-record types probe asks for. Raw queries accept any 16-bit type.
namespace type {
inline constexpr std::uint16_t a = 1;
inline constexpr std::uint16_t ns = 2;
inline constexpr std::uint16_t cname = 5;
inline constexpr std::uint16_t soa = 6;
inline constexpr std::uint16_t ptr = 12;
inline constexpr std::uint16_t mx = 15;
inline constexpr std::uint16_t txt = 16;
inline constexpr std::uint16_t aaaa = 28;
inline constexpr std::uint16_t srv = 33;
inline constexpr std::uint16_t tlsa = 52;
inline constexpr std::uint16_t spf = 99;
}  // namespace type
std::string type_name(std::uint16_t type);

struct mx_data {
  std::uint16_t preference = 0;
  std::string host;  // no trailing dot; "" is the root (null MX, RFC 7505)
  friend bool operator==(const mx_data&, const mx_data&) = default;
};
struct name_data {  // CNAME, PTR, NS
  std::string name;
  friend bool operator==(const name_data&, const name_data&) = default;
};
struct txt_data {
  std::vector<std::string> strings;  // the character-strings of one record, as sent
  std::string joined() const;        // concatenated without separator (RFC 7208 §3.3)
  friend bool operator==(const txt_data&, const txt_data&) = default;
};
struct soa_data {
  std::string mname, rname;
  std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
  friend bool operator==(const soa_data&, const soa_data&) = default;
};
struct raw_data {  // types probe does not decode (TLSA, SRV, ...): the wire rdata
  std::vector<std::uint8_t> bytes;
  friend bool operator==(const raw_data&, const raw_data&) = default;
};
using rdata = std::variant<raw_data, boost::asio::ip::address_v4, boost::asio::ip::address_v6,
                           mx_data, name_data, txt_data, soa_data>;

struct resource_record {
  std::string name;  // owner name, no trailing dot, case as received
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  rdata data;
  friend bool operator==(const resource_record&, const resource_record&) = default;
};

struct answer {
  std::string qname;  // as asked, no trailing dot
  std::uint16_t qtype = 0;
  outcome result = outcome::error;
  // Records of qtype at the end of the CNAME chain (empty unless result == records).
  std::vector<resource_record> records;
  // Names followed: qname → target → ... (empty when there was no CNAME).
  std::vector<std::string> cname_chain;
  // Smallest TTL of the records, or the negative-caching TTL from the SOA (RFC 2308 §5).
  std::uint32_t ttl = 0;
  // For failures: what went wrong, in words (c-ares message, parse error).
  std::string detail;
  std::chrono::milliseconds elapsed{0};
  bool from_cache = false;

  bool ok() const { return result == outcome::records; }
  // Typed views of `records`; each skips records of other shapes.
  std::vector<mx_data> mx() const;
  std::vector<boost::asio::ip::address> addresses() const;  // A and AAAA
  std::vector<std::string> names() const;                    // PTR, CNAME, NS targets
  std::vector<std::string> texts() const;                     // one joined string per TXT record
};

// "4.3.2.1.in-addr.arpa" / RFC 3596 nibble form for IPv6.
std::string reverse_name(const boost::asio::ip::address& address);
// Prefix + reversed address for DNSBLs (RFC 5782 §2.1, §2.4): "2.0.0.127.zen.example".
std::string reverse_name(const boost::asio::ip::address& address, std::string_view zone);

// Lower-cases ASCII and drops one trailing dot: the key form of a domain name.
std::string normalize_name(std::string_view name);

}  // namespace dns
