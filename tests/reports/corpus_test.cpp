// Accuracy on the Sisimai developer corpus (shared/corpus/sisimai-dev, BSD-2): reason,
// status and reply code per truth row, recipients found vs expected. Prints the figures
// and fails below the floors, which are raised as the readers improve. Nothing here
// knows a corpus file by name: the same code runs on bounces never seen.

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

namespace {

// Floors: the test fails when accuracy drops below them.
constexpr double reason_floor = 0.80;
constexpr double status_floor = 0.92;
constexpr double reply_floor = 0.90;
constexpr double recipient_floor = 0.98;

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

TEST(Corpus, SisimaiDevAccuracy) {
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev";
  if (!std::filesystem::exists(dir / "truth.tsv")) GTEST_SKIP() << "shared corpus not found at " << dir;
  const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  ASSERT_TRUE(loaded.value) << loaded.error;
  const auto rows = read_truth(dir / "truth.tsv");
  ASSERT_GT(rows.size(), 300u);

  std::map<std::string, std::vector<std::pair<reports::recipient, reports::classification>>> results;
  std::map<std::string, reports::report> reps;
  std::size_t expected_recipients = 0, found_recipients = 0;
  std::map<std::string, std::size_t> expected_per_file;
  for (const auto& r : rows) ++expected_per_file[r.file];
  for (const auto& [file, count] : expected_per_file) {
    const auto batch = reports::read_source((dir / "emails" / file).string());
    ASSERT_TRUE(batch.error.empty()) << batch.error;
    ASSERT_FALSE(batch.messages.empty()) << file;
    const auto rep = reports::parse(batch.messages.front().bytes, *loaded.value);
    auto& out = results[file];
    for (const auto& rc : rep.recipients) out.emplace_back(rc, reports::classify(rc, rep, *loaded.value));
    reps[file] = rep;
    expected_recipients += count;
    found_recipients += std::min(count, rep.recipients.size());
  }
  std::size_t reason_ok = 0, status_ok = 0, reply_ok = 0;
  const bool verbose = std::getenv("PROBE_CORPUS_VERBOSE") != nullptr;
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
    reason_ok += ok_reason;
    status_ok += ok_status;
    reply_ok += ok_reply;
    if (verbose && (!ok_reason || !ok_status || !ok_reply)) {
      std::cout << (ok_reason ? "  " : "R ") << (ok_status ? "  " : "S ") << (ok_reply ? "  " : "C ") << r.file << "#"
                << r.index << " [" << r.module << "/" << (present ? reps[r.file].mta_family : "") << "] want "
                << r.reason << " " << r.status << " " << r.replycode << " got " << reason << " " << status << " "
                << reply_text;
      if (present)
        std::cout << " by " << reports::to_string(got[r.index - 1].second.by) << " '"
                  << got[r.index - 1].second.matched << "' diag: " << got[r.index - 1].first.diagnostic.substr(0, 160);
      std::cout << "\n";
    }
  }
  const double n = static_cast<double>(rows.size());
  const double reason_acc = reason_ok / n, status_acc = status_ok / n, reply_acc = reply_ok / n;
  const double rcpt_acc = static_cast<double>(found_recipients) / static_cast<double>(expected_recipients);
  std::cout << "corpus rows: " << rows.size() << "\n"
            << "reason accuracy:     " << reason_ok << "/" << rows.size() << " = " << reason_acc * 100 << "%\n"
            << "status accuracy:     " << status_ok << "/" << rows.size() << " = " << status_acc * 100 << "%\n"
            << "reply code accuracy: " << reply_ok << "/" << rows.size() << " = " << reply_acc * 100 << "%\n"
            << "recipients found:    " << found_recipients << "/" << expected_recipients << "\n";
  EXPECT_GE(reason_acc, reason_floor);
  EXPECT_GE(status_acc, status_floor);
  EXPECT_GE(reply_acc, reply_floor);
  EXPECT_GE(rcpt_acc, recipient_floor);
}

}  // namespace
