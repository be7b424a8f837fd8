#pragma once
// Test helper: one bounce line classified as the reader hands a recipient to the
// classifier (the SMTP facts the words name; the step, when the words name none, from the
// caller), with the knowledge in reports/data loaded once per test program.

#include "reports/classify.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace reports::testing {

inline const knowledge& source_knowledge() {
  static const auto loaded = load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

inline classification classify_line(const std::string& text, smtp_command step = smtp_command::unknown,
                                   const std::string& remote_host = "") {
  report rep;
  rep.kind = report_kind::failure;
  recipient r;
  r.diagnostic = text;
  r.remote_host = remote_host;  // a provider's own codes are read for its hosts only
  const auto facts = read_smtp_facts(text, source_knowledge());
  r.status = facts.status;
  r.reply_code = facts.reply_code;
  r.command = facts.command != smtp_command::unknown ? facts.command : step;
  r.action = dsn_action::failed;
  return classify(r, rep, source_knowledge());
}

}  // namespace reports::testing
