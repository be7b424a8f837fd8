// --lang end to end: the real `probe` binary in the rig (tests/rig/README.md) prints
// `probe mx`, `probe rbl` and `probe user@domain` in Chinese with --lang zh or a zh locale,
// in English otherwise, and stops with exit 5 when probe/data/output_words.yaml is gone.
// The reason of an address check is a Chinese sentence with --lang zh (the server's reply
// in it as sent) and, in English, exactly the sentence --json prints.
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

// A given MAIL FROM that looks forged gets a note (probe/prober_setup); the command passes
// the note's phrase along with its English, so the note is Chinese too.
TEST(LangRig, IdentityNoteInChinese) {
  const std::vector<std::string> args{"alice@fallback.probe.test", "--smtp-port", "2525", "--helo", "probe.probe.test",
                                      "--mail-from", "alice@fallback.probe.test", "--color", "never", "--lang"};
  auto zh_args = args;
  zh_args.push_back("zh");
  const auto zh = run_probe(zh_args);
  EXPECT_THAT(zh.out, HasSubstr("发件人就是收件人本身")) << zh.out << zh.err;
  auto en_args = args;
  en_args.push_back("en");
  const auto en = run_probe(en_args);
  EXPECT_THAT(en.out, HasSubstr("the sender is the recipient")) << en.out;
  EXPECT_THAT(zh.out, Not(HasSubstr("the sender is the recipient")));
}

// The reason line of `probe user@domain`, and the same check's --json reason.
struct reason_pair {
  std::string text_line, json_reason;
  int status = -1;
};

reason_pair reason_of(std::vector<std::string> args, const char* lang) {
  for (const char* a : {"--smtp-port", "2525", "--helo", "probe.probe.test", "--color", "never", "--lang"}) args.push_back(a);
  args.push_back(lang);
  reason_pair out;
  const auto text = run_probe(args);
  out.status = text.status;
  const auto first = text.out.find('\n');
  if (first != std::string::npos) out.text_line = text.out.substr(first + 1, text.out.find('\n', first + 1) - first - 1);
  args.push_back("--json");
  const auto json = run_probe(args);
  try {
    out.json_reason = nlohmann::json::parse(json.out).value("reason", "");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << json.out << json.err;
  }
  return out;
}

TEST(LangRig, ReasonsInChineseAndEnglishAsJsonSaysThem) {
  struct rig_case {
    std::vector<std::string> args;
    std::vector<std::string> zh_words;
  };
  const std::vector<rig_case> cases = {
      // Mailbox refused: Postfix's 550 5.1.1 (nobody is never added by other tests).
      {{"nobody@probe.test"},
       {"拒绝了该收件人，答复为 \"550 5.1.1 <nobody@probe.test>: Recipient address rejected: User unknown in local recipient table\"：",
        "邮箱不存在（RFC 3463 X.1.1", "增强状态码 5.1.1"}},
      // The prober refused by policy: the source address is listed in bl.test.
      {{"alice@probe.test", "-4", "--source-ip", "127.0.0.10"},
       {"拒绝的是探测方，而不是收件人：\"554 5.7.1 ", "blocked using bl.test"}},
      {{"alice@probe.test"}, {"接受了 RCPT TO，答复为 \"250 2.1.5 Ok\"，且它会拒收不存在的收件人"}},
      {{"alice@null.probe.test"}, {"该域名发布了空 MX（\"MX 0 .\"，RFC 7505）：它不接收任何邮件"}},
      {{"alice@nosuch.probe.test"}, {"该域名不存在（NXDOMAIN）"}},
      {{"alice@bare.probe.test"}, {"该域名既没有 MX 记录也没有地址"}},
  };
  for (const auto& rc : cases) {
    SCOPED_TRACE(rc.args.front());
    const auto en = reason_of(rc.args, "en");
    ASSERT_FALSE(en.json_reason.empty());
    EXPECT_EQ(en.text_line, "  " + en.json_reason) << "English text and JSON tell the same sentence";
    const auto zh = reason_of(rc.args, "zh");
    EXPECT_EQ(zh.status, en.status);
    EXPECT_EQ(zh.json_reason, en.json_reason) << "JSON stays English";
    EXPECT_THAT(zh.text_line, testing::StartsWith("  技术原因: "));
    EXPECT_THAT(zh.text_line, Not(HasSubstr(en.json_reason)));
    for (const auto& word : rc.zh_words) EXPECT_THAT(zh.text_line, HasSubstr(word));
  }
}

TEST(LangRig, RblInChinese) {
  const scoped_env rig_data{{"PROBE_DATA_DIR", PROBE_SOURCE_DIR "/tests/rbl/rig-data"}};
  const auto r = run_probe({"rbl", "192.0.2.10", "--zones", "rig-zen", "--lang", "zh", "--color", "never"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("DNSBL 检查 192.0.2.10（IPv4）: 所查询的 1 个列表中有 1 个列入"));
  EXPECT_THAT(r.out, HasSubstr("  已列入      Rig ZEN"));
  EXPECT_THAT(r.out, HasSubstr("原因: “Listed in SBL"));
  EXPECT_THAT(r.out, Not(HasSubstr("LISTED")));
  // The code's meaning is the catalogue's meaning_zh; JSON keeps the English beside it.
  EXPECT_THAT(r.out, HasSubstr("127.0.0.2  SBL  已知的垃圾邮件来源"));
  EXPECT_THAT(r.out, Not(HasSubstr("known spam source")));
  const auto j = nlohmann::json::parse(run_probe({"rbl", "192.0.2.10", "--zones", "rig-zen", "--lang", "zh", "--json"}).out);
  EXPECT_EQ(j["lists"][0]["codes"][0]["meaning"], "known spam source");
  EXPECT_EQ(j["lists"][0]["codes"][0]["meaning_zh"], "已知的垃圾邮件来源");
}

// With the shipped catalogue, a zone it does not hold (the rig's, asked by name) is read
// with RFC 5782 conventions: its code is a listing whose meaning is said in Chinese too.
TEST(LangRig, RawZoneMeaningInChineseWithTheShippedCatalogue) {
  const scoped_env shipped{{"PROBE_DATA_DIR", nullptr}};
  const auto zh = run_probe({"rbl", "192.0.2.10", "--zones", "zen.rbl.test", "--lang", "zh", "--color", "never"});
  EXPECT_EQ(zh.status, 1) << zh.out << zh.err;
  EXPECT_THAT(zh.out, HasSubstr("127.0.0.2  已列入（列表未公布此返回码的含义）"));
  const auto en = run_probe({"rbl", "192.0.2.10", "--zones", "zen.rbl.test", "--color", "never"});
  EXPECT_THAT(en.out, HasSubstr("127.0.0.2  listing (undocumented code)"));
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

// `probe server`: the evidence lines probe composes are Chinese with --lang zh; the English
// lines are the ones --json prints, unchanged.
TEST(LangRig, ServerEvidenceInChinese) {
  const std::vector<std::string> args{"server", "--ip", "127.0.0.10", "--helo", "probe.probe.test", "--domain", "probe.test",
                                      "--zones", "bl.test", "--color", "never", "-v"};
  auto zh_args = args;
  zh_args.insert(zh_args.end(), {"--lang", "zh"});
  const auto zh = run_probe(zh_args);
  EXPECT_EQ(zh.status, 1) << zh.out << zh.err;
  EXPECT_THAT(zh.out, HasSubstr("          10.0.0.127.in-addr.arpa PTR → NXDOMAIN：名称不存在\n"));
  EXPECT_THAT(zh.out, HasSubstr("          DNS 查询次数: 0/10，空结果查询次数: 0/2\n"));
  EXPECT_THAT(zh.out, HasSubstr("          组织域名: probe.test\n"));
  EXPECT_THAT(zh.out, HasSubstr("          bl.test: 已列入（返回码 127.0.0.2）\n"));
  EXPECT_THAT(zh.out, HasSubstr("            列表给出的原因: Listed in bl.test, see http://bl.test/lookup?ip=127.0.0.10\n"));
  EXPECT_THAT(zh.out, HasSubstr("          发现: mx1.probe.test: mx1.probe.test 解析为 127.0.0.2，这是回环或未指定地址"));
  // The advice names the MX finding in Chinese too.
  EXPECT_THAT(zh.out, HasSubstr("建议: probe.test 的 MX 记录有问题：mx1.probe.test 解析为 127.0.0.2，这是回环或未指定地址"));
  for (const char* english : {"DNS lookups:", "organisational domain:", ": listed (", "  reason: ", "finding: ", "→ NXDOMAIN\n",
                              "resolves to 127.0.0.2"})
    EXPECT_THAT(zh.out, Not(HasSubstr(english))) << english;

  auto en_args = args;
  en_args.insert(en_args.end(), {"--lang", "en"});
  const auto en = run_probe(en_args);
  EXPECT_EQ(en.status, 1) << en.out << en.err;
  for (const char* line : {"          10.0.0.127.in-addr.arpa PTR → NXDOMAIN\n", "          DNS lookups: 0/10, void lookups: 0/2\n",
                           "          organisational domain: probe.test\n", "          bl.test: listed (127.0.0.2)\n",
                           "            reason: Listed in bl.test, see http://bl.test/lookup?ip=127.0.0.10\n",
                           "          finding: mx1.probe.test: mx1.probe.test resolves to 127.0.0.2, a loopback/unspecified "
                           "address; senders elsewhere cannot deliver there\n"})
    EXPECT_THAT(en.out, HasSubstr(line));
  // Each English evidence line is what --json prints.
  auto json_args = en_args;
  json_args.push_back("--json");
  const auto json_run = run_probe(json_args);
  ASSERT_EQ(json_run.status, 1) << json_run.out << json_run.err;
  const auto j = nlohmann::json::parse(json_run.out);
  for (const auto& item : j["items"])
    for (const auto& e : item["evidence"]) EXPECT_THAT(en.out, HasSubstr(e.get<std::string>())) << item["id"];
  auto zh_json_args = zh_args;
  zh_json_args.push_back("--json");
  const auto jz = nlohmann::json::parse(run_probe(zh_json_args).out);
  for (std::size_t i = 0; i < j["items"].size(); ++i)
    EXPECT_EQ(jz["items"][i]["evidence"], j["items"][i]["evidence"]) << "JSON evidence stays as it was";
}

// `probe server`: SPF's problem, its trace steps and the {problem} of the advice are said
// from dns/spf's phrases (a record with 11 terms that query DNS: permerror), DMARC's warning
// from dns/dmarc's; English is dns/'s own sentence.
TEST(LangRig, ServerSpfProblemAndTraceInChinese) {
  const std::vector<std::string> args{"server", "--ip", "127.0.0.40", "--domain", "toomany.server.test",
                                      "--zones", "bl.test", "--color", "never", "-v"};
  auto zh_args = args;
  zh_args.insert(zh_args.end(), {"--lang", "zh"});
  const auto zh = run_probe(zh_args);
  EXPECT_THAT(zh.out, HasSubstr("          问题: 需要查询 DNS 的项超过 10 个（RFC 7208 §4.6.4）；在 toomany.server.test 的“a:x11.server.test”处达到上限\n"))
      << zh.out;
  EXPECT_THAT(zh.out, HasSubstr("a:x1.server.test：x1.server.test 的 A → 127.0.0.99 → 不匹配"));
  EXPECT_THAT(zh.out, HasSubstr("  域名:    toomany.server.test（由参数给出）\n"));
  EXPECT_THAT(zh.out, HasSubstr("toomany.server.test：“v=spf1 a:x1.server.test"));
  for (const char* english : {"terms that query DNS", "→ no match", "the limit was hit"})
    EXPECT_THAT(zh.out, Not(HasSubstr(english))) << english;
  auto en_args = args;
  en_args.insert(en_args.end(), {"--lang", "en"});
  const auto en = run_probe(en_args);
  EXPECT_THAT(en.out, HasSubstr("          problem: more than 10 terms that query DNS (RFC 7208 §4.6.4); the limit was hit at "
                                "\"a:x11.server.test\" in toomany.server.test\n"))
      << en.out;
  EXPECT_THAT(en.out, HasSubstr("a:x1.server.test: A x1.server.test → 127.0.0.99 → no match"));
  EXPECT_THAT(en.out, HasSubstr("  domain:  toomany.server.test (given)\n"));
}

// `probe bounce` live: what was asked of whom and the answer are Chinese with --lang zh;
// English is unchanged and is what --json prints. (null-mx and nxdomain: scenarios no test
// changes.)
TEST(LangRig, BounceLiveEvidenceInChinese) {
  const std::string dir = std::getenv("PROBE_RIG_BOUNCES") ? std::getenv("PROBE_RIG_BOUNCES") : "";
  ASSERT_FALSE(dir.empty());
  for (const std::string scenario : {"null-mx", "nxdomain"}) {
    SCOPED_TRACE(scenario);
    const std::vector<std::string> args{"bounce", dir + "/" + scenario + ".eml", "--smtp-port", "2525", "--helo",
                                        "probe.probe.test", "--color", "never"};
    auto zh_args = args;
    zh_args.insert(zh_args.end(), {"--lang", "zh"});
    const auto zh = run_probe(zh_args);
    EXPECT_EQ(zh.status, 1) << zh.out << zh.err;
    auto en_args = args;
    en_args.insert(en_args.end(), {"--lang", "en"});
    const auto en = run_probe(en_args);
    EXPECT_EQ(en.status, 1) << en.out << en.err;
    const std::string domain = scenario == "null-mx" ? "null.probe.test" : "nosuch.probe.test";
    EXPECT_THAT(zh.out, HasSubstr("    路由: " + domain + " 的 MX（然后查 A/AAAA） → "));
    EXPECT_THAT(zh.out, HasSubstr("    RCPT 探测: RCPT TO:<alice@" + domain + "> → "));
    EXPECT_THAT(en.out, HasSubstr("    route: MX of " + domain + " (then A/AAAA) → "));
    EXPECT_THAT(en.out, HasSubstr("    rcpt: RCPT TO:<alice@" + domain + "> → "));
    if (scenario == "null-mx") {
      EXPECT_THAT(zh.out, HasSubstr(" → 空 MX（MX 0 .）：不接收邮件"));
      EXPECT_THAT(zh.out, HasSubstr(" → 该域名发布了空 MX（\"MX 0 .\"，RFC 7505）：它不接收任何邮件"));
      EXPECT_THAT(en.out, HasSubstr(" → null MX (MX 0 .): accepts no mail"));
      EXPECT_THAT(en.out, HasSubstr(" → the domain publishes a null MX (\"MX 0 .\", RFC 7505): it accepts no mail"));
    } else {
      EXPECT_THAT(zh.out, HasSubstr(" → NXDOMAIN：域名不存在"));
      EXPECT_THAT(zh.out, HasSubstr(" → 该域名不存在（NXDOMAIN）"));
      EXPECT_THAT(en.out, HasSubstr(" → NXDOMAIN: the domain does not exist"));
    }
    for (const char* english : {"route:", "rcpt:", "MX of", "accepts no mail", "does not exist"})
      EXPECT_THAT(zh.out.substr(zh.out.find("现在:")), Not(HasSubstr(english))) << english;
    // --json: the evidence is the English text, whatever the language.
    auto json_args = en_args;
    json_args.push_back("--json");
    const auto j = nlohmann::json::parse(run_probe(json_args).out);
    const auto& evidence = j["recipients"][0]["evidence"];
    ASSERT_FALSE(evidence.empty());
    for (const auto& e : evidence)
      EXPECT_THAT(en.out, HasSubstr(e["check"].get<std::string>() + ": " + e["asked"].get<std::string>() + " → " +
                                    e["answer"].get<std::string>()));
    auto zh_json_args = zh_args;
    zh_json_args.push_back("--json");
    const auto jz = nlohmann::json::parse(run_probe(zh_json_args).out);
    EXPECT_EQ(without_timings(jz["recipients"][0]["evidence"]), without_timings(evidence));
  }
}

}  // namespace
