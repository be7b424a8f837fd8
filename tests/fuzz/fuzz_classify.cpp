// libFuzzer target: any text as a diagnostic through the SMTP-fact scanners and the
// classifier (RE2 sets, status/reply-code scanners, hint extraction).
#include "reports/classify.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {
const reports::knowledge& knowledge() {
  static const auto loaded = reports::load_knowledge(PROBE_SOURCE_DIR "/reports/data");
  if (!loaded.value) std::abort();
  return *loaded.value;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reports::recipient r;
  r.diagnostic.assign(reinterpret_cast<const char*>(data), size);
  const auto facts = reports::read_smtp_facts(r.diagnostic, knowledge());
  r.status = facts.status;
  r.reply_code = facts.reply_code;
  r.command = facts.command;
  reports::report rep;
  rep.kind = size % 2 ? reports::report_kind::failure : reports::report_kind::delay;
  (void)reports::classify(r, rep, knowledge());
  return 0;
}
