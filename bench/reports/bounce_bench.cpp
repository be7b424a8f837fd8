// Benchmark (prints figures, asserts nothing): emails/s and peak RSS parsing and
// classifying the whole dev corpus, loaded once and parsed N rounds after one warm-up round.
// Usage: reports_bench [CORPUS_EMAILS_DIR] [ROUNDS]

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"

#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace {

// One pass over the corpus.
__attribute__((noinline)) std::size_t one_round(const std::vector<std::string>& messages,
                                                     const reports::knowledge& k) {
  std::size_t recipients = 0;
  for (const auto& m : messages) {
    const auto rep = reports::parse(m, k);
    for (const auto& r : rep.recipients) recipients += !reports::classify(r, rep, k).reason.empty();
  }
  return recipients;
}

// The measured rounds, in their own function so that a profiler can collect them without
// the warm-up (valgrind --tool=callgrind --toggle-collect='*measured_rounds*').
__attribute__((noinline)) std::size_t measured_rounds(const std::vector<std::string>& messages,
                                                      const reports::knowledge& k, int rounds) {
  std::size_t recipients = 0;
  for (int round = 0; round < rounds; ++round) recipients += one_round(messages, k);
  return recipients;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) {
    std::cerr << loaded.error << "\n";
    return 1;
  }
  std::vector<std::string> messages;
  std::size_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    auto batch = reports::read_source(entry.path().string());
    for (auto& m : batch.messages) {
      bytes += m.bytes.size();
      messages.push_back(std::move(m.bytes));
    }
  }
  // A warm-up round, not counted: RE2 builds its DFA states lazily on first use.
  one_round(messages, *loaded.value);
  // CPU time as well as wall time: on a shared machine the wall clock also counts the
  // time other processes held the core; emails per CPU-second is the per-core figure.
  const auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  const double cpu_start = cpu_now();
  const auto start = std::chrono::steady_clock::now();
  const std::size_t recipients = measured_rounds(messages, *loaded.value, rounds);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = cpu_now() - cpu_start;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double n = static_cast<double>(messages.size()) * rounds;
  std::cout << "messages: " << messages.size() << " (" << bytes / 1024 << " KiB), rounds: " << rounds << "\n"
            << "parse+classify: " << n / seconds << " emails/s on one thread, wall clock (" << seconds << " s, "
            << recipients << " recipients classified)\n"
            << "per CPU-second:  " << n / cpu_seconds << " emails (" << cpu_seconds << " s of CPU)\n"
            << "throughput: " << static_cast<double>(bytes) * rounds / seconds / (1 << 20) << " MiB/s\n"
            << "peak RSS: " << usage.ru_maxrss / 1024 << " MiB\n"
            << "allocator: " << PROBE_ALLOCATOR << "\n";
  return 0;
}
