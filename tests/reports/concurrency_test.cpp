// The bounce reader on several threads at once (probe bounce reads an mbox one message per
// core): every corpus message read on four threads together gives the same facts and
// classification as read alone. reports keeps its scratch per thread and its knowledge
// read-only; this is what would catch state shared by mistake. Built with
// -fsanitize=thread (g++ 12, 2026-11-24) it reports no race in probe's code; its reports
// are all inside glibc's loader (iconv's charset modules opened and closed per thread)
// and GLib's slice allocator (GMime objects), whose own locks it cannot see.

#include "reports/classify.hpp"
#include "reports/forwarded.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"
#include "report_facts.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <thread>

namespace {

using report_facts::knowledge;

// Every message a forward carries, or the message itself.
std::string facts(const std::string& bytes) {
  std::string out;
  for (const auto& m : reports::unwrap_forward({"x", bytes, false}, knowledge())) out += report_facts::of(m.bytes);
  return out;
}

TEST(Concurrency, FourThreadsReadTheCorpusAsOneDoes) {
  std::vector<std::string> messages;
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    for (auto& m : reports::read_source(entry.path().string()).messages) messages.push_back(std::move(m.bytes));
  ASSERT_GT(messages.size(), 370u);
  std::vector<std::string> alone;
  for (const auto& m : messages) alone.push_back(facts(m));

  constexpr int threads = 4;
  std::vector<std::vector<std::string>> together(threads, std::vector<std::string>(messages.size()));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      // Each thread starts at a different message, so different messages overlap in time.
      for (std::size_t i = 0; i < messages.size(); ++i) {
        const std::size_t at = (i + static_cast<std::size_t>(t) * messages.size() / threads) % messages.size();
        together[static_cast<std::size_t>(t)][at] = facts(messages[at]);
      }
    });
  for (auto& p : pool) p.join();
  for (int t = 0; t < threads; ++t)
    for (std::size_t i = 0; i < messages.size(); ++i)
      ASSERT_EQ(together[static_cast<std::size_t>(t)][i], alone[i]) << "thread " << t << " message " << i;
}

}  // namespace
