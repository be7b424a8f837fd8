#pragma once
// SPF evaluation: RFC 7208 check_host() for one client address and one identity.
//
// Promise: the evaluator asks only the given dns::source (share one dns::cache per run),
// never throws for DNS or record problems, and always ends in one of the seven RFC 7208
// results with the evidence that decided it: the record, the mechanism and where it was
// found, the lookup counts, the explanation, and for permerror/temperror the exact problem.
// The result is a value; it holds no reference to the source.
//
// Bounds: at most `max_dns_lookups` terms that query DNS (include, a, mx, ptr, exists,
// redirect; the 11th is a permerror before it is looked up), at most `max_void_lookups`
// terms whose lookup found nothing, at most `max_mx_ptr_names` MX (more → permerror) or
// PTR names (the rest ignored) per term, §4.6.4. Every query therefore belongs to one of
// a bounded number of terms, each query is bounded in time by the source's timeout, and
// the whole evaluation by `time_limit` (then temperror).
//
// Threading: a coroutine on the source's io_context; no shared state between calls.
// Server-controlled text (records, explanations) is kept as received: print it through
// probe::printable().

#include "dns/source.hpp"
#include "dns/phrase.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dns::spf {

enum class result { none, neutral, pass, fail, softfail, temperror, permerror };
std::string_view to_string(result r);

struct request {
  boost::asio::ip::address ip;       // the client address (::ffff:a.b.c.d is treated as a.b.c.d, §5)
  std::string domain;                // the domain to check (MAIL FROM domain, or the HELO name);
                                     // empty: taken from `sender`
  std::string sender;                // full MAIL FROM (local@domain); "postmaster@HELO" when null sender;
                                     // empty: "postmaster@<domain>"
  std::string helo;                  // the HELO/EHLO name (%{h})
  std::string receiver = "unknown";  // %{r}
  std::int64_t timestamp = 0;        // %{t}, seconds since the epoch; 0 = now
};

struct evaluation {
  result verdict = result::none;
  std::string record;        // the SPF record of the checked domain (top level)
  std::string mechanism;     // the mechanism that matched, e.g. "ip4:192.0.2.0/24" or
                             // "include:_spf.example", or "default" when nothing matched
  std::string matched_in;    // the domain whose record held that mechanism
  std::string matched_record;  // that domain's record (differs from `record` after redirect=)
  int dns_lookups = 0;       // terms that counted against the 10-lookup limit
  int void_lookups = 0;
  std::string explanation;   // for fail: exp= text expanded, or the default explanation
  bool explanation_from_exp = false;  // true when `explanation` came from the domain's exp=
  phrase explanation_said;   // the default explanation as a phrase ("spf.default_explanation");
                             // empty key when it came from exp= (the domain owner's words)
  std::string problem;       // for permerror/temperror (and none): what exactly went wrong
  phrase problem_said;       // `problem` as a phrase ("spf.*"); empty key when there is none
  std::vector<std::string> trace;  // human-readable steps (domain → record → term → outcome),
                                   // indented two spaces per include/redirect level
  std::vector<phrase> trace_said;  // trace[i] without its indentation, as a phrase ("spf.step_*")
};

struct options {
  int max_dns_lookups = 10;
  int max_void_lookups = 2;
  int max_mx_ptr_names = 10;
  std::size_t max_trace_lines = 400;  // later steps are summarised in one line
  // §4.6.4: "SHOULD impose a limit on the maximum amount of elapsed time ... at least 20
  // seconds ... temperror". Checked between lookups (a lookup in flight is bounded by the
  // source's own timeout); 0 disables.
  std::chrono::milliseconds time_limit{20000};
};

boost::asio::awaitable<evaluation> check_host(dns::source& dns, request req, options opts = {});

// True when `domain` may be checked at all (§4.3): labels of 1-63 octets, at most 253
// octets, at least two labels, and a valid top label. Otherwise check_host() says none.
bool is_checkable_domain(std::string_view domain);

}  // namespace dns::spf
