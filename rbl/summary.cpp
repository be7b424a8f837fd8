#include "rbl/summary.hpp"

namespace rbl {

std::string_view to_string(verdict v) {
  switch (v) {
    case verdict::clean: return "clean";
    case verdict::listed: return "listed";
    case verdict::unknown: return "unknown";
  }
  return "unknown";
}

summary summarize(const std::vector<listing>& listings) {
  summary s;
  for (const auto& l : listings) {
    switch (l.result) {
      case outcome::dead: ++s.dead; continue;
      case outcome::skipped: ++s.skipped; continue;
      default: break;
    }
    ++s.asked;
    if (l.blocks()) ++s.listed;
    else if (l.allowlisted()) ++s.allowlisted;
    else if (l.result == outcome::not_listed) ++s.not_listed;
    else if (l.inconclusive()) ++s.inconclusive;
  }
  if (s.listed > 0) s.overall = verdict::listed;
  else if (s.inconclusive > 0 || (s.asked == 0 && s.skipped > 0)) s.overall = verdict::unknown;
  else s.overall = verdict::clean;
  return s;
}

}  // namespace rbl
