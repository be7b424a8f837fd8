#pragma once
// SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, ABNF in §12): record text in, terms out.
//
// Promise: pure functions, no DNS, no allocation beyond the result. A record either parses
// completely or not at all — RFC 7208 §4.6 says a syntax error anywhere makes the whole
// record a permerror, before any term is evaluated — and the error names the offending term.
// Macro strings are checked here (dns/spf_macro.hpp) but not expanded.
// Input is hostile DNS text: every loop is bounded by its length; nothing is printed.

#include "dns/phrase.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dns::spf {

enum class qualifier : char { pass = '+', fail = '-', softfail = '~', neutral = '?' };

enum class mechanism_kind { all, include, a, mx, ptr, ip4, ip6, exists };
std::string_view to_string(mechanism_kind kind);

struct mechanism {
  qualifier qual = qualifier::pass;
  mechanism_kind kind = mechanism_kind::all;
  // The unexpanded domain-spec; empty when the term has none ("a", "mx", "ptr" then use
  // the current <domain>, RFC 7208 §5.3-5.5).
  std::string domain_spec;
  // Prefix lengths: the dual-cidr of "a"/"mx" (defaults /32 and /128, §5.6), or the
  // single prefix of "ip4"/"ip6".
  int cidr4 = 32;
  int cidr6 = 128;
  boost::asio::ip::address network;  // ip4 / ip6 only
  std::string text;                  // the term exactly as published, for reports

  // include, a, mx, ptr, exists count against the 10-lookup limit (§4.6.4).
  bool queries_dns() const;
};

struct modifier {
  std::string name;   // lower-cased
  std::string value;  // the macro-string after '='
  std::string text;   // the term exactly as published
};

struct record {
  std::vector<mechanism> mechanisms;         // in record order
  std::optional<modifier> redirect;          // §6.1 (at most one, §6)
  std::optional<modifier> exp;               // §6.2 (at most one, §6)
  std::vector<modifier> unknown_modifiers;   // ignored, but syntax-checked (§6, §12)
};

struct parse_result {
  record value;       // meaningful only when ok()
  std::string error;  // empty when the record parsed; otherwise what is wrong and where
  phrase error_said;  // `error` as a phrase ("spf.syntax.*"); empty key when there is none
  bool ok() const { return error.empty(); }
};

// RFC 7208 §4.5: an SPF record starts with "v=spf1" (case-insensitively) followed by a
// space or the end of the text. "v=spf10" and "v=spf1mx" are not SPF records.
bool is_spf_record(std::string_view text);

// Parses a record selected by is_spf_record(). Any syntax error (unknown mechanism, bad
// CIDR, bad IP, bad macro, domain-spec without a valid top label, repeated redirect/exp,
// non-ASCII or control characters) gives a non-empty error.
parse_result parse_record(std::string_view text);

// RFC 7208 §7.1 domain-spec = macro-string domain-end, where domain-end is
// ("." toplabel ["."]) / macro-expand. Returns "" when valid, else the reason.
std::string check_domain_spec(std::string_view spec);

// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool is_toplabel(std::string_view label);

}  // namespace dns::spf
