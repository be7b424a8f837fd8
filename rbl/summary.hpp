#pragma once
// One verdict over a set of DNSBL listings: listed / clean / unknown.
//
// Promise: "listed" only when a blocklist (not an allowlist) lists the target; "unknown"
// when no blocklist lists it but at least one asked list could not answer (timeout,
// error code, bogus or unhealthy) or nothing at all could be asked; "clean" otherwise.
// Dead lists that were not asked do not make a result unknown: they block nobody.
// Pure function of the listings.

#include "rbl/checker.hpp"

#include <string_view>
#include <vector>

namespace rbl {

enum class verdict { clean, listed, unknown };
std::string_view to_string(verdict v);

struct summary {
  verdict overall = verdict::clean;
  int asked = 0;         // lists actually queried
  int listed = 0;        // blocklists listing the target
  int allowlisted = 0;   // allowlists listing it
  int not_listed = 0;
  int inconclusive = 0;  // unknown, list error, bogus, unhealthy
  int dead = 0;          // dead lists not asked
  int skipped = 0;       // not asked: key missing, wrong kind of target
};

summary summarize(const std::vector<listing>& listings);

}  // namespace rbl
