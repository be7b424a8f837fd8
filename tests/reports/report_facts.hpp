#pragma once
// Test helpers shared by the reports tests that compare readings: the knowledge in the
// source tree, loaded once, and the facts of one message as one comparable string.

#include "reports/classify.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace report_facts {

inline const reports::knowledge& knowledge() {
  static const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

// What a reader of the report sees: kind, family, reporting MTA, the original's subject and
// sending IP, and per recipient its address, status, reply code, remote host, diagnostic,
// reason and sub-cause.
inline std::string of(std::string_view bytes) {
  const auto& k = knowledge();
  const auto rep = reports::parse(bytes, k);
  std::ostringstream out;
  out << reports::to_string(rep.kind) << '|' << rep.mta_family << '|' << rep.reporting_mta << '|' << rep.original.subject
      << '|' << rep.original.sending_ip << '\n';
  for (const auto& r : rep.recipients) {
    const auto c = reports::classify(r, rep, k);
    out << r.address << '|' << r.status << '|' << r.reply_code << '|' << r.remote_host << '|' << r.diagnostic << '|'
        << c.reason << '|' << c.subcause << '\n';
  }
  return out.str();
}

}  // namespace report_facts
