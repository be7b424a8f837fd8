// The openspf.org RFC 7208 test suite (../shared/spf/rfc7208-tests.yml, BSD licence beside
// it), read at run time — never copied into the repository. Each YAML document is a
// scenario with its own DNS world; each of its tests is one gtest here, so a failure names
// the case, and `rfc7208_summary.all_cases` prints the "N/203 passed" line CI logs.
//
// World conventions (the suite's driver, pyspf testspf.py, and the brief):
//  - `SPF:` records are also served as TXT unless the name has any TXT entry
//    (`TXT: NONE` included): RFC 7208 dropped type 99, the suite relies on this copy.
//  - `TXT: NONE` adds nothing (the name exists: NODATA).
//  - `TIMEOUT`: queries of the name time out, except for types listed before it.
//  - `result` may list several acceptable results; `explanation: DEFAULT` means no exp=
//    text was used. Explanations compare ASCII case-insensitively: the suite's v-macro-ip6
//    expects upper-case nibbles where RFC 7208 §7.3/§7.4 gives lower case. Exact case
//    (URL-encoding hex digits) is asserted in spf_macro_test.

#include "dns/spf.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace {

namespace net = boost::asio;

const std::string suite_path = PROBE_SHARED_DIR "/spf/rfc7208-tests.yml";
constexpr std::size_t published_case_count = 203;

struct suite_case {
  std::string scenario;
  std::string name;
  std::string helo, host, mailfrom;
  std::vector<std::string> results;
  std::optional<std::string> explanation;
  YAML::Node zonedata;
  std::string gtest_name;
};

std::string identifier(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += keep ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
  }
  return out;
}

std::vector<suite_case> load_cases() {
  std::vector<suite_case> cases;
  if (!std::filesystem::exists(suite_path)) return cases;
  for (const auto& doc : YAML::LoadAllFromFile(suite_path)) {
    const auto scenario = doc["description"].as<std::string>();
    for (const auto& entry : doc["tests"]) {
      suite_case c;
      c.scenario = scenario;
      c.name = entry.first.as<std::string>();
      const auto& t = entry.second;
      c.helo = t["helo"].as<std::string>();
      c.host = t["host"].as<std::string>();
      c.mailfrom = t["mailfrom"].as<std::string>();
      if (t["result"].IsSequence())
        for (const auto& r : t["result"]) c.results.push_back(r.as<std::string>());
      else
        c.results.push_back(t["result"].as<std::string>());
      if (t["explanation"]) c.explanation = t["explanation"].as<std::string>();
      c.zonedata = doc["zonedata"];
      c.gtest_name = identifier(scenario) + "__" + identifier(c.name);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

const std::vector<suite_case>& all_cases() {
  static const auto cases = load_cases();
  return cases;
}

// One scenario's DNS world: a fakes::memory_zone plus the suite's per-type TIMEOUT rule.
class suite_world : public dns::source {
 public:
  explicit suite_world(const YAML::Node& zonedata) {
    for (const auto& name_entry : zonedata) {
      const auto name = name_entry.first.as<std::string>();
      bool has_txt = false;
      for (const auto& rr : name_entry.second)
        if (rr.IsMap() && rr["TXT"]) has_txt = true;
      std::set<std::uint16_t> answered;
      zone_.add_empty(name);
      for (const auto& rr : name_entry.second) {
        if (rr.IsScalar() && rr.as<std::string>() == "TIMEOUT") {
          timeouts_[dns::normalize_name(name)] = answered;
          break;  // nothing after TIMEOUT is ever served
        }
        for (const auto& field : rr) {
          const auto type = field.first.as<std::string>();
          const auto& value = field.second;
          if (type == "SPF") {
            zone_.add(name, dns::type::spf, dns::txt_data{strings(value)});
            if (!has_txt) zone_.add_txt(name, strings(value));
            answered.insert(dns::type::spf);
          } else if (type == "TXT") {
            if (value.IsScalar() && value.as<std::string>() == "NONE") continue;
            zone_.add_txt(name, strings(value));
            answered.insert(dns::type::txt);
          } else if (type == "A" || type == "AAAA") {
            zone_.add_a(name, value.as<std::string>());
            answered.insert(type == "A" ? dns::type::a : dns::type::aaaa);
          } else if (type == "MX") {
            zone_.add_mx(name, value[0].as<std::uint16_t>(), value[1].as<std::string>());
            answered.insert(dns::type::mx);
          } else if (type == "PTR") {
            zone_.add(name, dns::type::ptr, dns::name_data{value.as<std::string>()});
            answered.insert(dns::type::ptr);
          } else if (type == "CNAME") {
            zone_.add_cname(name, value.as<std::string>());
            answered.insert(dns::type::cname);
          } else {
            throw std::runtime_error("suite world: unknown record type " + type);
          }
        }
      }
    }
  }

  net::awaitable<dns::answer> query(std::string name, std::uint16_t qtype) override {
    if (const auto t = timeouts_.find(dns::normalize_name(name)); t != timeouts_.end() && !t->second.contains(qtype)) {
      dns::answer a;
      a.qname = name;
      a.qtype = qtype;
      a.result = dns::outcome::timeout;
      a.detail = "suite TIMEOUT";
      co_return a;
    }
    co_return co_await zone_.query(std::move(name), qtype);
  }

 private:
  static std::vector<std::string> strings(const YAML::Node& value) {
    std::vector<std::string> out;
    if (value.IsSequence())
      for (const auto& s : value) out.push_back(s.as<std::string>());
    else
      out.push_back(value.as<std::string>());
    return out;
  }

  fakes::memory_zone zone_;
  std::map<std::string, std::set<std::uint16_t>> timeouts_;
};

dns::spf::evaluation evaluate(const suite_case& c) {
  suite_world world(c.zonedata);
  dns::spf::request req;
  req.ip = net::ip::make_address(c.host);
  req.helo = c.helo;
  req.timestamp = 1400000000;
  if (c.mailfrom.empty()) {
    // RFC 7208 §2.4: the null sender is checked as postmaster@HELO.
    req.domain = c.helo;
    req.sender = "postmaster@" + c.helo;
  } else {
    req.sender = c.mailfrom;
    req.domain = c.mailfrom.substr(c.mailfrom.rfind('@') + 1);
  }
  net::io_context io;
  return fakes::run_coroutine(io, dns::spf::check_host(world, req));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// "" when the evaluation satisfies the case, else why not.
std::string verdict_problem(const suite_case& c, const dns::spf::evaluation& ev) {
  const auto got = std::string(dns::spf::to_string(ev.verdict));
  if (std::find(c.results.begin(), c.results.end(), got) == c.results.end()) {
    std::string want;
    for (const auto& r : c.results) want += (want.empty() ? "" : " or ") + r;
    return "result " + got + ", expected " + want;
  }
  if (c.explanation) {
    if (*c.explanation == "DEFAULT") {
      if (ev.explanation_from_exp) return "explanation \"" + ev.explanation + "\" came from exp=, expected the default";
    } else if (!ev.explanation_from_exp || !iequals(ev.explanation, *c.explanation)) {
      return "explanation \"" + ev.explanation + "\", expected \"" + *c.explanation + "\"";
    }
  }
  return {};
}

std::string describe(const dns::spf::evaluation& ev) {
  std::ostringstream out;
  out << "problem: " << ev.problem << "\nmechanism: " << ev.mechanism << " in " << ev.matched_in
      << "\nlookups: " << ev.dns_lookups << " void: " << ev.void_lookups << "\ntrace:\n";
  for (const auto& line : ev.trace) out << "  " << line << "\n";
  return out.str();
}

class rfc7208 : public testing::TestWithParam<std::size_t> {};

TEST_P(rfc7208, case_passes) {
  if (all_cases().empty()) GTEST_SKIP() << "RFC 7208 suite not found at " << suite_path << " (shared/ must sit beside the checkout)";
  const auto& c = all_cases().at(GetParam());
  const auto ev = evaluate(c);
  const auto problem = verdict_problem(c, ev);
  EXPECT_EQ(problem, "") << c.scenario << " / " << c.name << "\n" << describe(ev);
}

INSTANTIATE_TEST_SUITE_P(
    suite, rfc7208,
    testing::Range<std::size_t>(0, std::max<std::size_t>(all_cases().size(), 1)),
    [](const testing::TestParamInfo<std::size_t>& info) {
      return all_cases().empty() ? std::string("suite_file_missing") : all_cases().at(info.param).gtest_name;
    });

TEST(rfc7208_summary, all_cases) {
  if (all_cases().empty()) GTEST_SKIP() << "RFC 7208 suite not found at " << suite_path << " (shared/ must sit beside the checkout)";
  std::size_t passed = 0;
  std::vector<std::string> failed, choices;
  for (const auto& c : all_cases()) {
    const auto ev = evaluate(c);
    const auto problem = verdict_problem(c, ev);
    if (problem.empty()) ++passed;
    else failed.push_back(c.scenario + " / " + c.name + ": " + problem);
    if (c.results.size() > 1) choices.push_back(c.name + " → " + std::string(dns::spf::to_string(ev.verdict)));
  }
  std::cout << "RFC 7208 test suite: " << passed << "/" << all_cases().size() << " passed\n";
  for (const auto& f : failed) std::cout << "  FAILED " << f << "\n";
  std::cout << "  where several results are accepted:";
  for (const auto& choice : choices) std::cout << " " << choice << ";";
  std::cout << "\n";
  EXPECT_EQ(all_cases().size(), published_case_count) << "the suite file did not load completely";
  EXPECT_EQ(passed, all_cases().size());
}

}  // namespace
