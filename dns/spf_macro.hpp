#pragma once
// SPF macros (RFC 7208 §7): syntax check and expansion of macro-strings.
//
// Promise: pure functions over strings; no DNS. The one macro that needs DNS, %{p} (the
// validated domain name of the client, §7.3), is computed by the evaluator and passed in
// `values::validated_name`; `uses_letter(text, 'p')` tells the evaluator whether to bother.
// Expansion of a checked string cannot fail. Output length is bounded by the inputs: a
// transformer keeps at most the parts it was given, and URL-encoding at most triples.

#include "dns/phrase.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dns::spf::macro {

// Where a macro-string appears. The letters c, r and t are allowed only in explanation
// text (§7.2), and only explanation text may contain spaces (explain-string, §7.1).
enum class context { domain_spec, explanation };

// "" when `text` is a valid macro-string for the context, else what is wrong.
std::string check(std::string_view text, context where);
// The same with the problem's phrase ("spf.syntax.*") beside its English.
said_problem check_problem(std::string_view text, context where);

// True when `text` contains the macro letter (either case), e.g. 'p'.
bool uses_letter(std::string_view text, char letter);

struct values {
  std::string sender;        // s: <sender> (local-part@domain, local-part never empty)
  std::string local_part;    // l
  std::string sender_domain; // o
  std::string domain;        // d: the current <domain>
  boost::asio::ip::address ip;  // i, c, v (already unmapped from ::ffff:a.b.c.d)
  std::string validated_name = "unknown";  // p
  std::string helo;          // h
  std::string receiver = "unknown";  // r
  std::int64_t timestamp = 0;        // t
};

// Expands a string that passed check(); returns nullopt if it does not (never partially).
std::optional<std::string> expand(std::string_view text, const values& v, context where);

// %{i}: dotted quad for IPv4; 32 dot-separated lower-case nibbles for IPv6 (§7.3).
std::string ip_macro_value(const boost::asio::ip::address& ip);

// §7.3: a macro-expanded name used in a DNS query that exceeds 253 octets loses labels
// from the left until it fits; a trailing dot is dropped first.
std::string fit_domain_name(std::string name);

}  // namespace dns::spf::macro
