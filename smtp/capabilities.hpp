#pragma once
// What a server offers after EHLO (RFC 5321 §4.1.1.1: the first line names the server,
// each further line is "KEYWORD [params]").
//
// Promise: parse_ehlo() accepts any reply (unknown keywords are kept, malformed SIZE is
// recorded as advertised without a limit); keyword matching is case-insensitive
// (RFC 5321 §2.4). Pure values, any thread.

#include "smtp/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtp {

struct capabilities {
  bool esmtp = false;                 // EHLO was accepted (false after a HELO fallback)
  std::string server_name;            // the first word of the first EHLO line
  bool size = false;                  // SIZE (RFC 1870)
  std::optional<std::uint64_t> size_limit;  // "SIZE n" with n > 0; "SIZE" or "SIZE 0" = no fixed limit
  bool starttls = false;              // RFC 3207
  bool pipelining = false;            // RFC 2920
  bool eightbitmime = false;          // RFC 6152
  bool smtputf8 = false;              // RFC 6531
  bool enhanced_status_codes = false; // RFC 2034
  bool chunking = false;              // RFC 3030
  bool dsn = false;                   // RFC 3461
  std::vector<std::string> auth;      // SASL mechanisms (RFC 4954), upper case
  std::vector<std::string> keywords;  // every extension line as sent (sanitised), in order
};

capabilities parse_ehlo(const reply& ehlo);

}  // namespace smtp
