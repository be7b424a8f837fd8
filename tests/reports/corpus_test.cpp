// Accuracy on the Sisimai developer corpus (shared/corpus/sisimai-dev, BSD-2): reason,
// status and reply code per truth row, recipients found vs expected. Prints the figures
// and fails below the floors, which are raised as the readers improve. Nothing here
// knows a corpus file by name: the same code runs on bounces never seen.
//
// Held-out split: a message whose content hash (FNV-1a, 64 bit) is 0 mod 5 is held out
// (~20%); the knowledge is tuned looking only at the other ~80% ("dev"). Hashing the
// content, not the name, keeps byte-identical copies under two names on the same side.
// PROBE_CORPUS_VERBOSE=1 lists dev misses only; =all lists held-out misses too (looking
// at them spends the held-out set). PROBE_CORPUS_DUMP=FILE writes every row's result.
// The held-out split was spent in stop 18 (docs/bounce.md, "The held-out split, spent"):
// its misses were read and gave general readings, so its figure is no longer an estimate
// for unseen bounces (the local unseen sets' first runs are); the split is kept so its
// floor still guards those readings.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string_view>

namespace {

// Floors: the test fails when accuracy drops below them.
constexpr double reason_floor = 0.97;
constexpr double status_floor = 0.97;
constexpr double reply_floor = 0.98;
constexpr double recipient_floor = 0.995;

constexpr double held_out_reason_floor = 0.94;

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

struct truth_row {
  std::string file, module;
  std::size_t index = 0;
  std::string status, replycode, reason;
};

std::vector<truth_row> read_truth(const std::filesystem::path& path) {
  std::vector<truth_row> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    while (cols.size() < 8) cols.emplace_back();
    rows.push_back({cols[0], cols[1], static_cast<std::size_t>(std::stoul(cols[2])), cols[3], cols[4], cols[5]});
  }
  return rows;
}

bool status_matches(const std::string& expected, const std::string& got) {
  // 4.0.9xx / 5.0.9xx: Sisimai's "derived from text" codes; only the class digit counts.
  if (expected.size() > 4 && expected.substr(1, 3) == ".0." && expected.size() >= 7 && expected[4] == '9')
    return !got.empty() && got[0] == expected[0];
  return expected == got;
}

struct tally {
  std::size_t rows = 0, reason = 0, status = 0, reply = 0;
  void print(const char* name) const {
    const auto pct = [&](std::size_t n) { return rows ? 100.0 * static_cast<double>(n) / static_cast<double>(rows) : 0.0; };
    std::cout << name << ": rows " << rows << ", reason " << reason << " = " << pct(reason) << "%, status " << status
              << " = " << pct(status) << "%, reply code " << reply << " = " << pct(reply) << "%\n";
  }
  double reason_rate() const { return rows ? static_cast<double>(reason) / static_cast<double>(rows) : 0.0; }
};

TEST(Corpus, SisimaiDevAccuracy) {
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev";
  if (!std::filesystem::exists(dir / "truth.tsv")) GTEST_SKIP() << "shared corpus not found at " << dir;
  const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  ASSERT_TRUE(loaded.value) << loaded.error;
  const auto rows = read_truth(dir / "truth.tsv");
  ASSERT_GT(rows.size(), 300u);

  std::map<std::string, std::vector<std::pair<reports::recipient, reports::classification>>> results;
  std::map<std::string, reports::report> reps;
  std::map<std::string, bool> held_out;
  std::size_t expected_recipients = 0, found_recipients = 0;
  std::map<std::string, std::size_t> expected_per_file;
  for (const auto& r : rows) ++expected_per_file[r.file];
  for (const auto& [file, count] : expected_per_file) {
    const auto batch = reports::read_source((dir / "emails" / file).string());
    ASSERT_TRUE(batch.error.empty()) << batch.error;
    ASSERT_FALSE(batch.messages.empty()) << file;
    held_out[file] = fnv1a(batch.messages.front().bytes) % 5 == 0;
    // Sisimai's tables number the failed recipients of a file across all the messages it
    // holds (a file with two bounces, mbox style, has rows 1 and 2 from different messages).
    auto& out = results[file];
    for (const auto& message : batch.messages) {
      const auto rep = reports::parse(message.bytes, *loaded.value);
      for (const auto& rc : rep.recipients) out.emplace_back(rc, reports::classify(rc, rep, *loaded.value));
      if (!reps.contains(file)) reps[file] = rep;
    }
    expected_recipients += count;
    found_recipients += std::min(count, out.size());
  }
  tally all, dev, held;
  const char* verbose_env = std::getenv("PROBE_CORPUS_VERBOSE");
  const bool verbose = verbose_env != nullptr;
  const bool verbose_all = verbose && std::string_view(verbose_env) == "all";
  std::ofstream dump;
  if (const char* path = std::getenv("PROBE_CORPUS_DUMP")) dump.open(path);
  for (const auto& r : rows) {
    const auto& got = results[r.file];
    const bool present = r.index >= 1 && r.index <= got.size();
    const std::string reason = present ? got[r.index - 1].second.reason : "(missing)";
    const std::string status = present ? got[r.index - 1].second.status : "";
    const int reply = present ? got[r.index - 1].first.reply_code : 0;
    const std::string reply_text = reply ? std::to_string(reply) : "";
    const bool ok_reason = reason == r.reason;
    const bool ok_status = status_matches(r.status, status);
    const bool ok_reply = reply_text == r.replycode;
    const bool is_held = held_out[r.file];
    for (tally* t : {&all, is_held ? &held : &dev}) {
      ++t->rows;
      t->reason += ok_reason;
      t->status += ok_status;
      t->reply += ok_reply;
    }
    if (dump.is_open())
      dump << (is_held ? "H " : "D ") << r.file << "#" << r.index << "\t" << reason << "\t" << status << "\t" << reply_text << "\t" << (present ? std::string(reports::to_string(got[r.index - 1].second.by)) : "") << "\t" << (ok_reason ? "ok" : "miss")
           << "\t" << (present ? got[r.index - 1].second.matched : "") << "\n";
    if (verbose && (!is_held || verbose_all) && (!ok_reason || !ok_status || !ok_reply)) {
      std::cout << (ok_reason ? "  " : "R ") << (ok_status ? "  " : "S ") << (ok_reply ? "  " : "C ") << r.file << "#"
                << r.index << (is_held ? " (held out)" : "") << " [" << r.module << "/"
                << (present ? reps[r.file].mta_family : "") << "] want " << r.reason << " " << r.status << " "
                << r.replycode << " got " << reason << " " << status << " " << reply_text;
      if (present) {
        std::string diag = got[r.index - 1].first.diagnostic.substr(0, 200);
        for (char& c : diag)
          if (c == '\n' || c == '\r') c = ' ';
        std::cout << " cmd " << reports::to_string(got[r.index - 1].first.command) << " by "
                  << reports::to_string(got[r.index - 1].second.by) << " '" << got[r.index - 1].second.matched
                  << "' diag: " << diag;
      }
      std::cout << "\n";
    }
  }
  const double n = static_cast<double>(rows.size());
  const double reason_acc = all.reason / n, status_acc = all.status / n, reply_acc = all.reply / n;
  const double rcpt_acc = static_cast<double>(found_recipients) / static_cast<double>(expected_recipients);
  std::cout << "corpus rows: " << rows.size() << "\n"
            << "reason accuracy:     " << all.reason << "/" << rows.size() << " = " << reason_acc * 100 << "%\n"
            << "status accuracy:     " << all.status << "/" << rows.size() << " = " << status_acc * 100 << "%\n"
            << "reply code accuracy: " << all.reply << "/" << rows.size() << " = " << reply_acc * 100 << "%\n"
            << "recipients found:    " << found_recipients << "/" << expected_recipients << "\n";
  dev.print("dev split (tuned on)");
  held.print("held-out split (spent in stop 18)");
  EXPECT_GE(reason_acc, reason_floor);
  EXPECT_GE(status_acc, status_floor);
  EXPECT_GE(reply_acc, reply_floor);
  EXPECT_GE(rcpt_acc, recipient_floor);
  EXPECT_GE(held.reason_rate(), held_out_reason_floor);
}

}  // namespace
