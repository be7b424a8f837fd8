// Issue 8, "The JSON output of every command is described by a JSON Schema file under
// docs/": the real probe binary runs every command against the rig's daemons (nsd,
// rbldnsd, Postfix; tests/rig/README.md) and each JSON document it prints is validated
// against docs/schemas/ by Debian's python3-jsonschema (tests/probe/validate_json.py).
// A document that does not validate fails the test with the validator's report.
#include "tests/probe/run_probe.hpp"
#include "tests/rbl/schema_check.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

namespace {

using nlohmann::json;
using probe_test::run_probe;
using probe_test::run_result;

const std::string corpus_dir = PROBE_SHARED_DIR "/corpus/sisimai-dev/emails";

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string describe(const std::vector<std::string>& args, const run_result& r) {
  std::string command = "probe";
  for (const auto& a : args) command += " " + a;
  return command + "\nexit " + std::to_string(r.status) + "\nstdout: " + r.out.substr(0, 2000) + "\nstderr: " +
         r.err.substr(0, 2000);
}

// Every non-empty stdout line is one JSON document (NDJSON).
std::vector<json> json_lines(const std::vector<std::string>& args, const run_result& r) {
  std::vector<json> documents;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto document = json::parse(line, nullptr, false);
    if (document.is_discarded()) {
      ADD_FAILURE() << "not JSON: " << line.substr(0, 300) << "\n" << describe(args, r);
      continue;
    }
    documents.push_back(std::move(document));
  }
  return documents;
}

// The whole of stdout is one JSON document (probe user@domain, rbl and server indent theirs).
json json_document(const std::vector<std::string>& args, const run_result& r) {
  auto document = json::parse(r.out, nullptr, false);
  if (document.is_discarded()) ADD_FAILURE() << "not one JSON document\n" << describe(args, r);
  return document;
}

void expect_valid(const std::string& schema, const std::vector<json>& documents) {
  ASSERT_FALSE(documents.empty()) << schema << ": nothing to validate";
  const auto result = test_support::validate_against(schema, documents);
  EXPECT_TRUE(result.ok) << result.report.substr(0, 8000);
}

class SchemaRig : public testing::Test {
 protected:
  void SetUp() override {
    if (env("PROBE_RIG_DIR").empty()) GTEST_SKIP() << "not inside the rig (run through ctest: fixture 'rig')";
  }

  static std::vector<std::string> rig_bounces() {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(env("PROBE_RIG_BOUNCES")))
      if (entry.path().extension() == ".eml") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
  }
};

TEST_F(SchemaRig, MxOfEveryRoutingScenario) {
  const std::vector<std::pair<std::string, int>> scenarios = {
      {"probe.test", 0},         {"multi.probe.test", 0},  {"fallback.probe.test", 0}, {"implicit.probe.test", 0},
      {"null.probe.test", 1},    {"literal.probe.test", 1}, {"cname.probe.test", 0},   {"noaddr.probe.test", 0},
      {"v6only.probe.test", 0},  {"bare.probe.test", 1},   {"nosuch.probe.test", 1},  {"example.com", 4}};
  std::vector<json> documents;
  std::set<std::string> routes;
  for (const auto& [domain, status] : scenarios) {
    const std::vector<std::string> args = {"mx", domain, "--json", "--seed", "7"};
    const auto r = run_probe(args);
    EXPECT_EQ(r.status, status) << describe(args, r);
    auto lines = json_lines(args, r);
    ASSERT_EQ(lines.size(), 1u) << describe(args, r);
    routes.insert(lines[0].value("route", ""));
    documents.push_back(std::move(lines[0]));
  }
  // The scenarios cover every kind of route the schema names.
  EXPECT_EQ(routes, (std::set<std::string>{"mx", "implicit-mx", "null-mx", "no-domain", "no-mail-host", "dns-failure"}));
  expect_valid("mx.schema.json", documents);
}

TEST_F(SchemaRig, AddressChecksOfEveryVerdictTheRigCanGive) {
  struct scenario {
    std::string address;
    std::string port;
    std::string verdict;
    int status;
  };
  const std::vector<scenario> scenarios = {
      {"alice@probe.test", "2525", "deliverable", 0},
      {"nosuchuser@probe.test", "2525", "undeliverable", 1},
      {"x@null.probe.test", "2525", "no-mail-domain", 1},
      {"x@nosuch.probe.test", "2525", "no-mail-domain", 1},
      // Nothing listens on 127.0.0.2:2599: the only MX refuses the connection.
      {"alice@probe.test", "2599", "unreachable", 4},
      // The first MX (127.0.0.3) refuses, the second answers: a failed and a full attempt.
      {"alice@fallback.probe.test", "2525", "undeliverable", 1},
  };
  std::vector<json> documents;
  for (const auto& s : scenarios) {
    const std::vector<std::string> args = {s.address, "--json", "--smtp-port", s.port, "--helo", "probe.probe.test"};
    const auto r = run_probe(args);
    EXPECT_EQ(r.status, s.status) << describe(args, r);
    auto document = json_document(args, r);
    ASSERT_FALSE(document.is_discarded());
    EXPECT_EQ(document.value("verdict", ""), s.verdict) << describe(args, r);
    EXPECT_EQ(document.value("exit_status", -1), s.status) << describe(args, r);
    EXPECT_TRUE(document.contains("counters")) << "the single command reports its counters\n" << describe(args, r);
    documents.push_back(std::move(document));
  }
  const auto& refused = documents[4]["attempts"];
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(refused[0]["end"], "connect-failed");
  EXPECT_EQ(refused[0]["error"]["kind"], "refused");
  expect_valid("address.schema.json", documents);
}

TEST_F(SchemaRig, RblListedCleanAndUnhealthy) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> scenarios = {
      {{"rbl", "127.0.0.10", "--zones", "bl.test", "--json"}, "listed"},
      {{"rbl", "127.0.0.99", "--zones", "bl.test", "--json"}, "clean"},
      // zen.rbl.test lists nothing here; dead.rbl.test fails its health check (RFC 5782 §5).
      {{"rbl", "127.0.0.10", "--zones", "zen.rbl.test,dead.rbl.test", "--json"}, "unknown"},
      {{"rbl", "dom.rbl.test", "--json"}, ""},
  };
  std::vector<json> documents;
  for (const auto& [args, verdict] : scenarios) {
    const auto r = run_probe(args);
    auto document = json_document(args, r);
    if (document.is_discarded()) continue;
    if (!verdict.empty()) {
      EXPECT_EQ(document.value("verdict", ""), verdict) << describe(args, r);
    }
    documents.push_back(std::move(document));
  }
  expect_valid("rbl.schema.json", documents);
}

TEST_F(SchemaRig, ServerChecksOfEveryRigAddress) {
  // tests/rig/zones/server.test.zone: right, PTR mismatch, generic PTR, no PTR, listed.
  const std::vector<std::vector<std::string>> scenarios = {
      {"server", "--ip", "127.0.0.40", "--helo", "mail.server.test", "--json"},
      {"server", "--ip", "127.0.0.41", "--json"},
      {"server", "--ip", "127.0.0.43", "--domain", "softfail.server.test", "--json"},
      {"server", "--ip", "127.0.0.44", "--helo", "nohelo.server.test", "--json"},
      {"server", "--ip", "127.0.0.45", "--helo", "listed.server.test", "--zones", "zen.rbl.test", "--json"},
      {"server", "--ip", "127.0.0.40", "--helo", "other.server.test", "--domain", "nullmx.server.test", "--json"},
  };
  std::vector<json> documents;
  std::set<std::string> worst;
  for (const auto& args : scenarios) {
    const auto r = run_probe(args);
    auto document = json_document(args, r);
    if (document.is_discarded()) continue;
    EXPECT_EQ(document.value("exit_status", -1), r.status) << describe(args, r);
    worst.insert(document.value("worst", ""));
    documents.push_back(std::move(document));
  }
  EXPECT_TRUE(worst.count("fail")) << "the scenarios include failing checks";
  expect_valid("server.schema.json", documents);
}

TEST_F(SchemaRig, BounceOfflineAndLiveOnTheRigsGenuineDsns) {
  const auto files = rig_bounces();
  ASSERT_GE(files.size(), 6u) << "the rig files six DSNs in " << env("PROBE_RIG_BOUNCES");

  std::vector<std::string> offline = {"bounce", "--offline", "--json"};
  offline.insert(offline.end(), files.begin(), files.end());
  const auto r = run_probe(offline);
  EXPECT_EQ(r.status, 0) << describe(offline, r);
  const auto offline_documents = json_lines(offline, r);
  EXPECT_EQ(offline_documents.size(), files.size()) << describe(offline, r);
  for (const auto& d : offline_documents)
    for (const auto& recipient : d.value("recipients", json::array()))
      EXPECT_FALSE(recipient.contains("verdict")) << "--offline means no live checks: " << d.dump();
  expect_valid("bounce.schema.json", offline_documents);

  std::vector<std::string> live = {"bounce", "--json", "--smtp-port", "2525", "--helo", "probe.probe.test"};
  live.insert(live.end(), files.begin(), files.end());
  const auto l = run_probe(live);
  // 1 persistent, 7 changed, 3 inconclusive, 0 transient: all are answers (docs/correlation.md).
  EXPECT_TRUE(l.status == 0 || l.status == 1 || l.status == 3 || l.status == 7) << describe(live, l);
  const auto live_documents = json_lines(live, l);
  EXPECT_EQ(live_documents.size(), files.size()) << describe(live, l);
  for (const auto& d : live_documents) {
    ASSERT_EQ(d.value("kind", ""), "failure") << d.dump();
    for (const auto& recipient : d["recipients"])
      EXPECT_TRUE(recipient.contains("verdict") && recipient.contains("live") && recipient.contains("evidence"))
          << "every failed recipient gets a live verdict: " << recipient.dump();
  }
  expect_valid("bounce.schema.json", live_documents);
}

TEST_F(SchemaRig, BounceOfflineOnTheWholeCorpusAndLiveOnASample) {
  if (!std::filesystem::is_directory(corpus_dir)) GTEST_SKIP() << corpus_dir << " is absent";
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus_dir))
    if (entry.path().extension() == ".eml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  // Offline: the whole folder in one run (every MTA format the corpus has).
  const std::vector<std::string> offline = {"bounce", "--offline", "--json", corpus_dir};
  const auto r = run_probe(offline);
  EXPECT_EQ(r.status, 0) << describe(offline, r);
  const auto offline_documents = json_lines(offline, r);
  // A folder is read as its files named one by one are: one document per message (a file
  // holding two messages, mbox style, gives two).
  std::vector<std::string> by_name = {"bounce", "--offline", "--json"};
  by_name.insert(by_name.end(), files.begin(), files.end());
  const auto named = run_probe(by_name);
  const auto named_documents = json_lines(by_name, named);
  EXPECT_GE(offline_documents.size(), files.size()) << describe(offline, r);
  EXPECT_EQ(offline_documents.size(), named_documents.size()) << describe(offline, r);
  for (std::size_t i = 0; i < std::min(offline_documents.size(), named_documents.size()); ++i)
    EXPECT_EQ(offline_documents[i].value("source", ""), named_documents[i].value("source", "")) << i;
  expect_valid("bounce.schema.json", offline_documents);

  // Live: every 20th file, whatever it holds. The corpus names real domains, which the
  // rig's resolver refuses: the verdicts are inconclusive, with evidence, and the sending
  // IP is taken from the bounce or looked for on this host (which has no route out).
  std::vector<std::string> live = {"bounce", "--json", "--smtp-port", "2525", "--helo", "probe.probe.test",
                                   "--dns-timeout", "1000"};
  std::size_t sample = 0;
  for (std::size_t i = 0; i < files.size(); i += 20, ++sample) live.push_back(files[i]);
  const auto l = run_probe(live);
  EXPECT_TRUE(l.status == 0 || l.status == 1 || l.status == 3 || l.status == 6 || l.status == 7)
      << describe(live, l);
  const auto live_documents = json_lines(live, l);
  EXPECT_EQ(live_documents.size(), sample) << describe(live, l);
  expect_valid("bounce.schema.json", live_documents);
}

}  // namespace
