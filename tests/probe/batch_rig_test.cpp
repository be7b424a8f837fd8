// Issue 8, "Tests" of `probe batch` (docs/batch.md), with the real binary in the rig:
//  - 1,000 mixed lines over the rig's domains (mx, address, rbl, bounce, bounce_text,
//    plain addresses) with malformed ones among them give exactly 1,000 output lines, each
//    valid against docs/schemas/batch-record.schema.json, each input line number exactly
//    once, ids echoed as given; with --ordered in input order;
//  - two shards (--shard 0/2, 1/2) together give the same results as one unsharded run,
//    no shard key is in both, and each key lands where the documented FNV-1a hash says.
// Live bounce verdicts are not compared between runs: another rig test
// (correlation_rig_test) changes the world they check, and may run at the same time.
#include "tests/probe/run_probe.hpp"
#include "tests/rbl/schema_check.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>

namespace {

using nlohmann::json;
using probe_test::run_probe;
using probe_test::run_result;

constexpr std::size_t total_lines = 1000;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return lower(at == std::string::npos ? address : address.substr(at + 1));
}

// docs/batch.md "Scaling out": 64-bit FNV-1a over the shard key; shard = hash mod N.
// Written here from the documentation, not taken from probe's code.
std::uint64_t fnv1a(const std::string& key) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Finds a key that occurs twice in one object: records are assembled by hand from a
// prefix and the job's own object (probe/batch_runner.cpp), and a JSON parser would
// silently keep the last of two equal keys.
class duplicate_key_finder : public nlohmann::json_sax<json> {
 public:
  std::string duplicate;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& name) override {
    if (!keys_.back().insert(name).second && duplicate.empty()) duplicate = name;
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  std::vector<std::set<std::string>> keys_;
};

// One input line and what its output line must be.
struct planned_line {
  std::string text;               // without the newline
  std::optional<json> id;         // echoed when set
  std::string job;                // expected "job"; empty: an error record is expected
  std::optional<std::string> input;  // expected "input" of a result record
  std::string shard_key;          // docs/batch.md; empty: learnt from the output (bounces)
  bool key_documented = true;     // false: docs/batch.md names no key (an unreadable bounce)
};

class batch_plan {
 public:
  void job(const std::string& kind, const std::string& value, std::string shard_key) {
    planned_line line;
    line.id = next_id();
    json object = {{kind, value}};
    if (line.id) object["id"] = *line.id;
    line.text = object.dump();
    line.job = kind == "bounce_text" ? "bounce_text" : kind;
    if (kind != "bounce_text") line.input = value;
    line.shard_key = std::move(shard_key);
    lines_.push_back(std::move(line));
  }
  void plain_address(const std::string& address) {
    lines_.push_back({address, std::nullopt, "address", address, domain_of(address)});
  }
  // A line that must give an error record; `id` when the line is a JSON object with one.
  void error_line(const std::string& text, std::optional<json> id, std::string shard_key) {
    lines_.push_back({text, std::move(id), "", std::nullopt, std::move(shard_key)});
  }
  // A job the line parser accepts but whose run fails (an error record all the same).
  void failing_job(const std::string& kind, const std::string& value, std::string shard_key) {
    job(kind, value, std::move(shard_key));
    lines_.back().job.clear();
    lines_.back().input.reset();
  }
  void undocumented_key() { lines_.back().key_documented = false; }
  std::size_t size() const { return lines_.size(); }

  // Deterministic shuffle (a fixed-seed mt19937, modulo only: the same order everywhere).
  std::vector<planned_line> shuffled() const {
    auto out = lines_;
    std::mt19937 rng(20240501);
    for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[rng() % i]);
    return out;
  }

 private:
  // ids of every JSON type, and lines without one.
  std::optional<json> next_id() {
    switch (counter_++ % 8) {
      case 0: return std::nullopt;
      case 1: return json(counter_);
      case 2: return json("id-" + std::to_string(counter_));
      case 3: return json(nullptr);
      case 4: return json::array({counter_, "x", false});
      case 5: return json{{"run", "batch"}, {"n", counter_}};
      case 6: return json(counter_ + 0.5);
      default: return json(counter_ % 2 == 0);
    }
  }

  std::vector<planned_line> lines_;
  std::size_t counter_ = 0;
};

struct batch_run {
  run_result result;
  std::vector<std::string> raw;  // output lines as written
  std::vector<json> records;
};

class BatchRig : public testing::Test {
 protected:
  void SetUp() override {
    if (env("PROBE_RIG_DIR").empty()) GTEST_SKIP() << "not inside the rig (run through ctest: fixture 'rig')";
    char pattern[] = "/tmp/probe-batch-rig-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    bounces_ = env("PROBE_RIG_BOUNCES");
    build_input();
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string bounce(const std::string& scenario) const { return bounces_ + "/" + scenario + ".eml"; }

  void build_input() {
    batch_plan plan;
    // Two of the rig's DSNs as one mbox: a job with several messages ("bounces").
    const std::string mbox = dir_ + "/two.mbox";
    {
      std::ofstream out(mbox, std::ios::binary);
      for (const std::string scenario : {"too-big", "null-mx"}) {
        out << "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n";
        std::istringstream in(read_file(bounce(scenario)));
        std::string l;
        while (std::getline(in, l)) out << (l.rfind("From ", 0) == 0 ? ">" : "") << l << "\n";
        out << "\n";
      }
    }

    // mx: every routing scenario, other rig zones, a refused name, and many NXDOMAIN
    // domains so that shards have many keys to split.
    const std::vector<std::string> rig_domains = {
        "probe.test",          "multi.probe.test",     "fallback.probe.test", "implicit.probe.test", "null.probe.test",
        "literal.probe.test",  "cname.probe.test",     "noaddr.probe.test",   "v6only.probe.test",   "bare.probe.test",
        "nosuch.probe.test",   "rbl.probe.test",       "down.probe.test",     "small.probe.test",    "out.probe.test",
        "server.test",         "chain.server.test",    "nullmx.server.test",  "smtp.test",           "dual.smtp.test",
        "spf.test",            "example.com"};
    for (std::size_t i = 0; i < 160; ++i) plan.job("mx", rig_domains[i % rig_domains.size()], rig_domains[i % rig_domains.size()]);
    for (int n = 0; n < 100; ++n) plan.job("mx", "nx" + std::to_string(n) + ".probe.test", "nx" + std::to_string(n) + ".probe.test");

    // address: Postfix at 127.0.0.2:2525 (known users, a few unknown: each refusal
    // counts toward Postfix's per-session error limits), domains that take no mail.
    const std::vector<std::string> users = {"alice@probe.test", "bob@probe.test", "postmaster@probe.test"};
    for (std::size_t i = 0; i < 110; ++i) plan.job("address", users[i % users.size()], "probe.test");
    for (int i = 0; i < 2; ++i) plan.job("address", "nosuchuser@probe.test", "probe.test");
    plan.job("address", "alice@fallback.probe.test", "fallback.probe.test");
    plan.job("address", "Bob@PROBE.TEST", "probe.test");
    for (int n = 100; n < 160; ++n) plan.job("address", "u@nx" + std::to_string(n) + ".probe.test", "nx" + std::to_string(n) + ".probe.test");
    const std::vector<std::string> no_mail = {"x@null.probe.test", "x@bare.probe.test", "x@literal.probe.test"};
    for (std::size_t i = 0; i < 15; ++i) plan.job("address", no_mail[i % 3], domain_of(no_mail[i % 3]));
    for (int i = 0; i < 2; ++i) plan.failing_job("address", "no-at-sign", "no-at-sign");
    for (std::size_t i = 0; i < 30; ++i) plan.plain_address(i % 3 == 2 ? "x@nosuch.probe.test" : users[i % 2]);

    // rbl: listed on bl.test (127.0.0.10), the test points, listed on zen.rbl.test
    // (127.0.0.45), a domain, and many documentation addresses.
    const std::vector<std::string> targets = {"127.0.0.10", "127.0.0.2", "127.0.0.99", "127.0.0.1", "127.0.0.45", "dom.rbl.test"};
    for (std::size_t i = 0; i < 70; ++i) plan.job("rbl", targets[i % targets.size()], targets[i % targets.size()]);
    for (int n = 1; n <= 60; ++n) plan.job("rbl", "192.0.2." + std::to_string(n), "192.0.2." + std::to_string(n));

    // bounce: the rig's genuine DSNs (unknown-user only twice: it costs a refused RCPT),
    // the two-message mbox, and a path that does not exist.
    const std::vector<std::string> scenarios = {"blocked", "connection-refused", "null-mx", "nxdomain", "too-big"};
    for (std::size_t i = 0; i < 95; ++i) plan.job("bounce", bounce(scenarios[i % scenarios.size()]), "");
    for (int i = 0; i < 2; ++i) plan.job("bounce", bounce("unknown-user"), "");
    for (int i = 0; i < 2; ++i) plan.job("bounce", mbox, "");
    plan.failing_job("bounce", dir_ + "/no-such-bounce.eml", "");
    plan.undocumented_key();

    // bounce_text: the same DSNs as text (with their newlines), and text that is no bounce.
    for (std::size_t i = 0; i < 50; ++i) plan.job("bounce_text", read_file(bounce(scenarios[i % scenarios.size()])), "");
    for (int i = 0; i < 10; ++i) plan.job("bounce_text", "From: someone@example.org\nSubject: hello\n\nNot a bounce " + std::to_string(i) + "\n", "");

    // Malformed lines: each gives an error record; the shard key of a line that is not a
    // job is its text (trimmed).
    const auto error_text = [&](const std::string& text, std::optional<json> id = std::nullopt) {
      std::string key = text;
      while (!key.empty() && (key.back() == ' ' || key.back() == '\r' || key.back() == '\t')) key.pop_back();
      while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.erase(0, 1);
      plan.error_line(text, std::move(id), key);
    };
    for (int i = 0; i < 5; ++i) error_text("{bad json " + std::to_string(i));
    for (int i = 0; i < 4; ++i) error_text(json{{"foo", i}, {"id", i}}.dump(), json(i));
    for (int i = 0; i < 4; ++i) error_text(json{{"mx", "probe.test"}, {"address", "alice@probe.test"}, {"id", "two-" + std::to_string(i)}}.dump(), json("two-" + std::to_string(i)));
    for (int i = 0; i < 4; ++i) error_text("");
    for (int i = 0; i < 2; ++i) error_text("   ");
    for (int i = 0; i < 3; ++i) error_text(json{{"address", "alice\r@probe.test"}, {"id", i}}.dump(), json(i));  // escaped CR
    for (int i = 0; i < 2; ++i) error_text("bob\r@probe.test");                                                     // a raw CR
    for (int i = 0; i < 2; ++i) error_text("{\"mx\":\"probe.test\rRCPT TO:<x@y>\"}");                               // raw CR in JSON
    for (int i = 0; i < 2; ++i) error_text(json{{"id", 7 + i}}.dump(), json(7 + i));                                 // no job
    for (int i = 0; i < 2; ++i) error_text("[1,2," + std::to_string(i) + "]");
    for (int i = 0; i < 2; ++i) error_text(json{{"mx", 5 + i}}.dump());
    for (int i = 0; i < 2; ++i) error_text(json{{"rbl", ""}, {"id", "empty"}}.dump(), json("empty"));
    for (int i = 0; i < 2; ++i) error_text("hello world " + std::to_string(i));
    error_text(std::string("bob\0@probe.test", 15));                                                                // NUL
    // CRLF line endings are read as LF: these are jobs.
    for (int i = 0; i < 3; ++i) {
      plan.job("mx", "crlf" + std::to_string(i) + ".probe.test", "crlf" + std::to_string(i) + ".probe.test");
    }

    // Fill up to exactly 1,000 with more domains and addresses.
    for (int n = 0; plan.size() < total_lines; ++n) {
      if (n % 2 == 0) plan.job("mx", "fill" + std::to_string(n) + ".probe.test", "fill" + std::to_string(n) + ".probe.test");
      else plan.job("rbl", "198.51.100." + std::to_string(n % 250), "198.51.100." + std::to_string(n % 250));
    }
    ASSERT_EQ(plan.size(), total_lines) << "the fixed part of the plan grew past 1,000 lines";
    lines_ = plan.shuffled();
    // The CRLF jobs get their "\r" once shuffled (the JSON itself stays valid).
    for (auto& l : lines_)
      if (l.input && l.input->rfind("crlf", 0) == 0) l.text += "\r";

    // Politeness within Postfix's own limits: at most 50 RCPTs (and RSETs, which Postfix
    // counts as junk commands past 100) per session; new sessions to one address at most
    // 50/s, so that the refused connections of connection-refused.eml do not queue at the
    // default 2/s. In a config file (docs: [politeness]), which also keeps a user's own
    // config out of the test: `probe batch` does not apply --max-rcpts and --rate.
    config_path_ = dir_ + "/config.toml";
    std::ofstream(config_path_) << "[politeness]\nmax_rcpts_per_session = 50\nper_host_rate = 50\n";

    input_path_ = dir_ + "/jobs.jsonl";
    std::ofstream out(input_path_, std::ios::binary);
    for (const auto& l : lines_) out << l.text << '\n';
  }

  batch_run run(std::vector<std::string> extra) {
    std::vector<std::string> args = {"batch",  input_path_, "--config", config_path_, "--smtp-port", "2525",
                                     "--helo", "probe.probe.test", "--zones", "bl.test,zen.rbl.test", "--seed", "7"};
    args.insert(args.end(), extra.begin(), extra.end());
    batch_run out;
    out.result = run_probe(args);
    std::string command = "probe";
    for (const auto& a : args) command += " " + a;
    std::cout << command << "\n  " << out.result.err;  // the summary line: sessions opened, rate
    EXPECT_EQ(out.result.status, 0) << out.result.err;
    EXPECT_TRUE(out.result.out.empty() || out.result.out.back() == '\n') << "the last line is not terminated";
    std::istringstream in(out.result.out);
    std::string line;
    while (std::getline(in, line)) {
      out.raw.push_back(line);
      duplicate_key_finder finder;
      if (!json::sax_parse(line, &finder)) {
        ADD_FAILURE() << "output line is not JSON: " << line.substr(0, 300);
        continue;
      }
      EXPECT_TRUE(finder.duplicate.empty()) << "key \"" << finder.duplicate << "\" twice in " << line.substr(0, 300);
      out.records.push_back(json::parse(line));
    }
    return out;
  }

  // What must not differ between runs: the job and its outcome, never timings. Live
  // bounce verdicts are left out (see the file comment); their offline reading is kept.
  static std::string outcome(const json& r) {
    std::string out = r.contains("id") ? "id=" + r["id"].dump() + " " : "";
    if (r.contains("error")) return out + "error: " + r["error"].get<std::string>();
    out += r.value("job", "?") + " " + r.value("input", "") + " → ";
    const std::string job = r.value("job", "");
    if (job == "mx") {
      std::vector<std::string> hosts;
      for (const auto& h : r["hosts"]) hosts.push_back(h.value("name", ""));
      std::sort(hosts.begin(), hosts.end());
      out += r.value("route", "");
      for (const auto& h : hosts) out += " " + h;
    } else if (job == "address") {
      out += r.value("verdict", "");
    } else if (job == "rbl") {
      out += r.value("verdict", "");
      for (const auto& l : r["lists"]) out += " " + l.value("zone", "") + ":" + l.value("result", "");
    } else {
      const json messages = r.contains("bounces") ? r["bounces"] : json::array({r.value("bounce", json::object())});
      for (const auto& m : messages) {
        out += " [" + m.value("kind", "");
        for (const auto& recipient : m.value("recipients", json::array()))
          out += " " + recipient.value("address", "") + ":" + recipient.value("reason", "") +
                 (recipient.contains("verdict") ? "+live" : "");
        out += "]";
      }
    }
    return out;
  }

  // docs/batch.md: the key a line is sharded by. Bounce jobs are keyed by the domain of
  // the first recipient of their (first) message, read from the output.
  std::optional<std::string> shard_key(const json& record) const {
    const auto& plan = lines_.at(record["line"].get<std::size_t>() - 1);
    if (!plan.key_documented) return std::nullopt;
    if (!plan.shard_key.empty() || plan.job.empty()) return plan.shard_key;
    const json messages = record.contains("bounces") ? record["bounces"] : json::array({record.value("bounce", json::object())});
    for (const auto& m : messages)
      if (!m.value("recipients", json::array()).empty()) return domain_of(m["recipients"][0].value("address", ""));
    return "#" + record["line"].dump();
  }

  // Every record against its plan: error or result, job, input, id.
  void expect_as_planned(const std::vector<json>& records) const {
    for (const auto& r : records) {
      ASSERT_TRUE(r.contains("line") && r["line"].is_number_unsigned()) << r.dump().substr(0, 300);
      const auto n = r["line"].get<std::size_t>();
      ASSERT_TRUE(n >= 1 && n <= lines_.size()) << r.dump().substr(0, 300);
      const auto& plan = lines_[n - 1];
      const std::string shown = "line " + std::to_string(n) + ": " + json(plan.text.substr(0, 120)).dump() + "\n  gave " + r.dump().substr(0, 400);
      if (plan.job.empty()) {
        EXPECT_TRUE(r.contains("error")) << shown;
      } else {
        EXPECT_EQ(r.value("job", ""), plan.job) << shown;
        if (plan.input) EXPECT_EQ(r.value("input", ""), *plan.input) << shown;
        else EXPECT_FALSE(r.contains("input")) << shown;
      }
      if (plan.id) {
        EXPECT_TRUE(r.contains("id") && r["id"] == *plan.id) << "id not echoed: " << plan.id->dump() << "\n" << shown;
      } else {
        EXPECT_FALSE(r.contains("id")) << shown;
      }
    }
  }

  static std::map<std::size_t, std::string> outcomes(const std::vector<json>& records) {
    std::map<std::size_t, std::string> out;
    for (const auto& r : records) out[r.value("line", std::size_t{0})] = outcome(r);
    return out;
  }

  std::string dir_, bounces_, input_path_, config_path_;
  std::vector<planned_line> lines_;
};

void expect_same_outcomes(const std::map<std::size_t, std::string>& got, const std::map<std::size_t, std::string>& want) {
  EXPECT_EQ(got.size(), want.size());
  int shown = 0;
  for (const auto& [line, outcome] : want) {
    const auto found = got.find(line);
    const std::string other = found == got.end() ? "(no line)" : found->second;
    if (other != outcome && shown++ < 20) ADD_FAILURE() << "line " << line << ":\n  " << other << "\n  expected " << outcome;
  }
}

std::size_t expected_errors(const std::vector<planned_line>& lines) {
  return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [](const planned_line& l) { return l.job.empty(); }));
}

TEST_F(BatchRig, ThousandMixedLinesGiveThousandValidLinesInInputOrder) {
  const auto ordered = run({"--ordered"});
  ASSERT_EQ(ordered.raw.size(), total_lines) << "exactly one output line per input line";
  ASSERT_EQ(ordered.records.size(), total_lines);
  for (std::size_t i = 0; i < total_lines; ++i)
    ASSERT_EQ(ordered.records[i].value("line", std::size_t{0}), i + 1) << "--ordered: output line " << i + 1 << " is " << ordered.raw[i].substr(0, 200);
  expect_as_planned(ordered.records);
  const auto result = test_support::validate_against("batch-record.schema.json", ordered.records);
  EXPECT_TRUE(result.ok) << result.report.substr(0, 8000);

  const auto errors = expected_errors(lines_);
  EXPECT_NE(ordered.result.err.find("probe batch: 1000 lines: " + std::to_string(total_lines - errors) + " results, " +
                                    std::to_string(errors) + " errors"),
            std::string::npos)
      << ordered.result.err;

  // Without --ordered: the same lines, each once, whatever the order, with the same results.
  const auto unordered = run({});
  ASSERT_EQ(unordered.raw.size(), total_lines);
  std::set<std::size_t> seen;
  for (const auto& r : unordered.records) EXPECT_TRUE(seen.insert(r.value("line", std::size_t{0})).second) << "line twice: " << r.dump().substr(0, 200);
  EXPECT_EQ(seen.size(), total_lines);
  expect_as_planned(unordered.records);
  const auto unordered_result = test_support::validate_against("batch-record.schema.json", unordered.records);
  EXPECT_TRUE(unordered_result.ok) << unordered_result.report.substr(0, 8000);
  expect_same_outcomes(outcomes(unordered.records), outcomes(ordered.records));
}

TEST_F(BatchRig, TwoShardsTogetherAreOneRunAndShareNoKey) {
  const auto whole = run({});
  ASSERT_EQ(whole.records.size(), total_lines);
  const auto shard0 = run({"--shard", "0/2"});
  const auto shard1 = run({"--shard", "1/2"});
  EXPECT_FALSE(shard0.records.empty());
  EXPECT_FALSE(shard1.records.empty());

  std::map<std::size_t, int> owner;
  std::vector<json> both;
  for (const auto* shard : {&shard0, &shard1}) {
    const int index = shard == &shard0 ? 0 : 1;
    for (const auto& r : shard->records) {
      const auto n = r.value("line", std::size_t{0});
      EXPECT_TRUE(owner.emplace(n, index).second) << "line " << n << " is in both shards: " << r.dump().substr(0, 300);
      both.push_back(r);
    }
  }
  EXPECT_EQ(both.size(), total_lines) << "the shards' outputs concatenate into the whole";
  expect_as_planned(both);
  expect_same_outcomes(outcomes(both), outcomes(whole.records));

  // No shard key in both shards, and each where the documented hash puts it.
  std::map<std::string, std::set<int>> key_shards;
  for (const auto& r : both) {
    const auto n = r.value("line", std::size_t{0});
    const auto found = shard_key(r);
    if (!found) continue;  // still checked above: in exactly one shard
    const std::string& key = *found;
    key_shards[key].insert(owner[n]);
    EXPECT_EQ(static_cast<int>(fnv1a(key) % 2), owner[n]) << "line " << n << " key " << json(key).dump() << " in shard " << owner[n];
  }
  for (const auto& [key, shards] : key_shards) EXPECT_EQ(shards.size(), 1u) << "key " << json(key).dump() << " is in both shards";
  EXPECT_GT(key_shards.size(), 100u) << "the input spreads over many keys";

  const auto result = test_support::validate_against("batch-record.schema.json", both);
  EXPECT_TRUE(result.ok) << result.report.substr(0, 8000);
}

}  // namespace
