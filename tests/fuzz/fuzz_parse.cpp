// libFuzzer target: any bytes through the whole bounce reader (input splitting, forwards
// unwrapped, GMime, DSN fields, free-text families) and the classifier. Must never crash, hang or leak.
#include "reports/classify.hpp"
#include "reports/forwarded.hpp"
#include "reports/input.hpp"
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
  auto batch = reports::split_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  for (auto& message : batch.messages) {
    for (const auto& m : reports::unwrap_forward(std::move(message), knowledge())) {
      const auto rep = reports::parse(m.bytes, knowledge());
      for (const auto& r : rep.recipients) (void)reports::classify(r, rep, knowledge());
    }
  }
  return 0;
}
