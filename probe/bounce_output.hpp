#pragma once
// probe/bounce_output: how `probe bounce` prints parsed and classified bounces.
// Text for people (-v adds where each fact came from) and JSON for programs (one
// object per message; NDJSON when several). The schema is docs/bounce.md.
// Every peer-supplied string goes through probe::printable() (text) or
// probe::valid_utf8() (JSON). Pure functions: no I/O, thread-safe.

#include "reports/classify.hpp"
#include "reports/knowledge.hpp"
#include "reports/report.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace probe {

struct bounce_item {
  std::string origin;                                  // file, "file#N" or "-"
  reports::report report;
  std::vector<reports::classification> classifications;  // one per report.recipients entry
  std::string error;                                   // the input could not be read
};

// One message parsed and each of its recipients classified (probe bounce and batch mode).
bounce_item read_bounce_item(std::string origin, std::string_view bytes, bool truncated, const reports::knowledge& k);

std::string bounce_text(const bounce_item& item, const reports::knowledge& k, const std::string& lang, int verbose);

// Text output of many messages: a mailbox or folder mixes bounces with ordinary mail, so
// the "not a bounce" line of each ordinary message is held back unless asked for (-v) and
// counted once at the end. A message read alone is always answered. Not thread-safe: fed
// in output order by the one thread that prints.
class not_bounce_lines {
 public:
  explicit not_bounce_lines(bool list_each) : list_each_(list_each) {}
  // What to print now for a message rendered as `rendered` ("" when held back).
  std::string pass(const bounce_item& item, std::string rendered);
  // What to print after the last message: the held-back line when it was the only
  // message, else how many were held back.
  std::string finish(const std::string& lang) const;

 private:
  bool list_each_;
  std::size_t messages_ = 0;
  std::size_t held_ = 0;
  std::string first_held_;
};

nlohmann::json bounce_json(const bounce_item& item, const reports::knowledge& k, const std::string& lang);

}  // namespace probe
