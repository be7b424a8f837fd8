#pragma once
// DMARC policy discovery and records (RFC 7489; np= from RFC 9091).
//
// Promise: lookup() asks only the given dns::source and never throws for DNS or record
// problems. It follows RFC 7489 §6.6.3: _dmarc.<domain>, and only when that holds no DMARC
// record, _dmarc.<organisational domain>. The result says which name decided, keeps that
// answer as evidence, and separates three things: no record (record absent, error empty),
// an unusable record (error says why: several records, no valid p=), and a usable record
// with warnings about common publishing mistakes. A DNS failure (timeout, SERVFAIL) is
// kept in `answer` and named in `error`; it is never read as "no record".
// Record text is DNS data: kept as received, print it through probe::printable().
// Every warning and error is an English sentence with, beside it, the same sentence as a
// dns::phrase (keys "dmarc.*", see dns/phrase.hpp) for reports in other languages.
// Threading: a coroutine on the source's io_context.

#include "dns/source.hpp"
#include "dns/phrase.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dns::dmarc {

struct policy_record {
  std::string p, sp;          // "none" | "quarantine" | "reject" (lower case); sp empty when absent
  std::string np;             // RFC 9091 policy for non-existent subdomains; empty when absent
  int pct = 100;
  std::vector<std::string> rua, ruf;  // URIs as published (normally "mailto:...")
  char adkim = 'r', aspf = 'r';
  std::string fo = "0";
  std::uint32_t ri = 86400;
  std::string raw;            // the record text as published
  bool p_assumed = false;     // p= was missing/invalid and "none" was assumed because rua= is valid (§6.6.3 step 6)
};

struct parsed_record {
  std::optional<policy_record> record;  // absent when error is set
  std::vector<std::string> warnings;
  std::vector<phrase> warnings_said;    // warnings[i] as a phrase (same length)
  std::string error;
  phrase error_said;                    // `error` as a phrase; empty key when there is none
};

// RFC 7489 §6.4: the record starts with "v=DMARC1" (the value exactly, case-sensitively),
// then ";" or the end. Other TXT records at _dmarc are not DMARC records.
bool is_dmarc_record(std::string_view text);

// Parses one DMARC record (§6.3, §6.4) and reports common mistakes as warnings.
parsed_record parse_record(std::string_view text);

struct lookup_result {
  dns::answer answer;                  // the _dmarc TXT lookup that decided
  std::string queried_domain;          // _dmarc.<domain> or _dmarc.<organisational domain>
  std::string organizational_domain;
  std::optional<policy_record> record; // absent: no DMARC record (or an unusable one: see error)
  std::vector<std::string> warnings;   // common mistakes (p missing, bad pct, rua without mailto:, p=none, sp weaker ...)
  std::vector<phrase> warnings_said;   // warnings[i] as a phrase (same length)
  std::string error;                   // why there is no usable policy although something was found, or the DNS failure
  phrase error_said;                   // `error` as a phrase; empty key when there is none
  std::string effective_policy;        // what applies to `domain`: p, or sp (else p) when inherited from the organisational domain
  bool inherited = false;              // the record came from the organisational domain
};

struct lookup_options {
  // RFC 7489 §7.1: a rua/ruf address outside the policy's organisational domain receives
  // reports only if <policy domain>._report._dmarc.<its domain> says so. Checked for at
  // most this many destinations (0 disables the check).
  int max_report_authorisation_checks = 4;
};

boost::asio::awaitable<lookup_result> lookup(dns::source& dns, std::string domain, lookup_options options = {});

// Relaxed/strict identifier alignment (RFC 7489 §3.1) using the organisational domain.
bool aligned(std::string_view from_domain, std::string_view other_domain, char mode);

// libpsl (Debian's libpsl, its built-in list); see dns/org_domain.hpp.
std::string organizational_domain(std::string_view domain);

}  // namespace dns::dmarc
