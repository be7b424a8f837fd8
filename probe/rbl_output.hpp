#pragma once
// Output of `probe rbl`: the text table and the JSON document (schema: docs/rbl.md).
//
// Promise: every string that came from the network (TXT reasons, failure details, query
// names) goes through probe::printable() for text and probe::valid_utf8() for JSON. The
// DQS key never appears: listings carry masked zones and query names. Pure functions of
// the report; no I/O.
//
// Text is in `lang` ("en" or "zh"): its words come from probe/data/output_words.yaml
// (probe/output_words.hpp; the command checks the file loaded before rendering) and its
// columns line up by display width. A code's meaning and the catalogue's advice follow
// `lang` (rbl::code_hit carries both languages from the decode; a hit without Chinese is
// shown in English); server text (TXT, query names), list titles and code names are shown
// as they are. JSON keys and identifiers stay English; each code has both `meaning`
// (English) and `meaning_zh` whatever `lang`, and its `advice` follows `lang`.

#include "probe/settings.hpp"
#include "probe/style.hpp"
#include "rbl/checker.hpp"
#include "rbl/summary.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace probe {

struct rbl_report {
  rbl::target target;
  std::vector<rbl::listing> listings;
  rbl::summary summary;
};

// listed → exit_negative (1), unknown → exit_temporary (3), clean → exit_ok (0).
int rbl_exit_status(const rbl::summary& summary);

// One word per outcome as the English text table shows it ("LISTED", "clean", "UNKNOWN"...).
std::string_view rbl_result_word(const rbl::listing& listing);

std::string rbl_text(const rbl_report& report, std::string_view lang, int verbose = 0,
                     const style& look = style(color_mode::never));
nlohmann::json rbl_json(const rbl_report& report, std::string_view lang);
// One listing as JSON (also used by `probe server` and correlation evidence).
nlohmann::json listing_json(const rbl::listing& listing, std::string_view lang);

}  // namespace probe
