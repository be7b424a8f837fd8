// --lang end to end: the real `probe` binary in the rig (tests/rig/README.md) prints
// `probe mx`, `probe rbl` and `probe user@domain` in Chinese with --lang zh or a zh locale,
// in English otherwise, and stops with exit 5 when probe/data/output_words.yaml is gone.
#include "tests/probe/run_probe.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using probe_test::run_probe;
using testing::HasSubstr;
using testing::Not;

// Sets environment variables for one test and restores them after (run_probe's child
// inherits the environment).
class scoped_env {
 public:
  scoped_env(std::initializer_list<std::pair<const char*, const char*>> values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name);
      saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
      if (value)
        ::setenv(name, value, 1);
      else
        ::unsetenv(name);
    }
  }
  ~scoped_env() {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Timings, TTLs (dnsmasq's cache counts them down) and cache flags differ between runs.
nlohmann::json without_timings(nlohmann::json j) {
  if (j.is_object()) {
    for (const char* key : {"ms", "ttl", "cached"}) j.erase(key);
    for (auto& [key, value] : j.items()) value = without_timings(value);
  } else if (j.is_array()) {
    for (auto& value : j) value = without_timings(value);
  }
  return j;
}

TEST(LangRig, MxInChineseWithTheFlagOrTheLocale) {
  const scoped_env english_locale{{"LC_ALL", nullptr}, {"LC_MESSAGES", nullptr}, {"LANG", "C.UTF-8"}};
  auto r = run_probe({"mx", "probe.test", "--lang", "zh", "--color", "never"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("probe.test: 可以接收邮件，共 1 台 MX 主机；首选 mx1.probe.test [127.0.0.2]"));
  EXPECT_THAT(r.out, Not(HasSubstr("mail is accepted")));

  r = run_probe({"mx", "probe.test", "--color", "never"});
  EXPECT_THAT(r.out, HasSubstr("probe.test: mail is accepted by 1 MX host; first mx1.probe.test [127.0.0.2]"));

  const scoped_env chinese_locale{{"LANG", "zh_CN.UTF-8"}};
  r = run_probe({"mx", "probe.test", "--color", "never"});
  EXPECT_THAT(r.out, HasSubstr("可以接收邮件")) << "the language defaults from the locale";
  // JSON does not change with the language.
  const auto zh_json = run_probe({"mx", "probe.test", "--json", "--seed", "7", "--lang", "zh"});
  const auto en_json = run_probe({"mx", "probe.test", "--json", "--seed", "7", "--lang", "en"});
  EXPECT_EQ(without_timings(nlohmann::json::parse(zh_json.out)), without_timings(nlohmann::json::parse(en_json.out)));
}

TEST(LangRig, AddressCheckInChinese) {
  const auto r = run_probe({"alice@fallback.probe.test", "--smtp-port", "2525", "--helo", "probe.probe.test", "--lang", "zh",
                            "--color", "never"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("alice@fallback.probe.test: 无法投递（undeliverable）"));
  EXPECT_THAT(r.out, HasSubstr("  技术原因: "));
  EXPECT_THAT(r.out, HasSubstr("  结论: "));
  EXPECT_THAT(r.out, HasSubstr("路由: MX 记录 → "));
  EXPECT_THAT(r.out, HasSubstr("尝试 1: "));
  // The server's reply stays as it was sent.
  EXPECT_THAT(r.out, HasSubstr("Recipient address rejected"));
  for (const char* english : {"meaning:", "route:", "attempt ", "banner:", "catch-all: "})
    EXPECT_THAT(r.out, Not(HasSubstr(english))) << english;
}

TEST(LangRig, RblInChinese) {
  const scoped_env rig_data{{"PROBE_DATA_DIR", PROBE_SOURCE_DIR "/tests/rbl/rig-data"}};
  const auto r = run_probe({"rbl", "192.0.2.10", "--zones", "rig-zen", "--lang", "zh", "--color", "never"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("DNSBL 检查 192.0.2.10（IPv4）: 所查询的 1 个列表中有 1 个列入"));
  EXPECT_THAT(r.out, HasSubstr("  已列入      Rig ZEN"));
  EXPECT_THAT(r.out, HasSubstr("原因: \"Listed in SBL"));
  EXPECT_THAT(r.out, Not(HasSubstr("LISTED")));
}

TEST(LangRig, AMissingWordsFileExitsFiveBeforeAnyCheck) {
  const auto dir = std::filesystem::temp_directory_path() / ("probe-lang-rig-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "probe");
  const scoped_env empty_data{{"PROBE_DATA_DIR", dir.c_str()}};
  auto r = run_probe({"mx", "probe.test", "--lang", "zh"});
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("output_words.yaml"));
  EXPECT_TRUE(r.out.empty()) << r.out;
  // JSON needs no words.
  r = run_probe({"mx", "probe.test", "--json"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
