// `probe rbl` end to end against an in-memory DNS world: exit statuses, the text table,
// the JSON document, hostile TXT, and the DQS key never printed.

#include "probe/exit_status.hpp"
#include "probe/rbl_command.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/rbl/schema_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace {

using testing::HasSubstr;
using testing::Not;

constexpr std::string_view lists_yaml = R"(
lists:
  - name: zenlike
    title: ZEN-like
    zone: zen.test
    kind: ip
    default: true
    codes:
      - {match: 127.0.0.2, name: SBL, meaning: spam source, meaning_zh: 垃圾邮件来源}
      - {match: 127.0.0.10, name: PBL, meaning: policy listing, meaning_zh: 策略列入}
    errors:
      - match: 127.255.255.254
        meaning: public resolver refused
        meaning_zh: 拒绝公共解析器
        advice: {en: use your own resolver, zh: 请使用自建 DNS 服务器}
    removal: https://zen.test/remove
  - {name: other, title: Other list, zone: other.test, kind: ip4, default: true}
  - {name: gone, title: Gone list, zone: gone.test, kind: ip4, status: dead, dead_since: 2024-06}
  - {name: allow, title: Allowlist, zone: wl.test, kind: ip, role: allow, default: true}
)";

struct run_result {
  int status;
  std::string out, err;
};

class RblCommand : public testing::Test {
 protected:
  RblCommand() {
    auto loaded = rbl::catalogue::parse(lists_yaml, "test");
    lists_ = std::get<rbl::catalogue>(std::move(loaded));
    for (const char* zone : {"zen.test", "other.test", "wl.test"}) dns_.add_a(std::string("2.0.0.127.") + zone, "127.0.0.2");
    config_.output.color = probe::color_mode::never;  // tests may run on a terminal
  }
  run_result run(std::string_view target, const rbl::catalogue* lists = nullptr) {
    boost::asio::io_context io;
    std::ostringstream out, err;
    const int status = probe::run_rbl(config_, target, lists ? *lists : lists_, io, dns_, out, err);
    return {status, out.str(), err.str()};
  }
  probe::settings config_;
  rbl::catalogue lists_;
  fakes::memory_zone dns_;
};

TEST_F(RblCommand, ListedExitsOneWithCodesReasonAndRemovalPage) {
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.10");
  dns_.add_txt("1.2.0.192.zen.test", "see https://zen.test/q/192.0.2.1");
  const auto r = run("192.0.2.1");
  EXPECT_EQ(r.status, probe::exit_negative);
  EXPECT_THAT(r.out, HasSubstr("listed on 1 of 3 lists asked"));
  EXPECT_THAT(r.out, HasSubstr("LISTED"));
  EXPECT_THAT(r.out, HasSubstr("127.0.0.2  SBL  spam source"));
  EXPECT_THAT(r.out, HasSubstr("127.0.0.10  PBL  policy listing"));
  EXPECT_THAT(r.out, HasSubstr("reason: \"see https://zen.test/q/192.0.2.1\""));
  EXPECT_THAT(r.out, HasSubstr("removal: https://zen.test/remove"));
  EXPECT_THAT(r.out, Not(HasSubstr("Gone list")));  // dead lists are not in the default set
  EXPECT_TRUE(r.err.empty());
}

TEST_F(RblCommand, CleanExitsZero) {
  const auto r = run("192.0.2.1");
  EXPECT_EQ(r.status, probe::exit_ok);
  EXPECT_THAT(r.out, HasSubstr("not listed on any of 3 lists asked"));
}

TEST_F(RblCommand, AllowlistingAloneIsClean) {
  dns_.add_a("1.2.0.192.wl.test", "127.0.10.2");
  const auto r = run("192.0.2.1");
  EXPECT_EQ(r.status, probe::exit_ok);
  EXPECT_THAT(r.out, HasSubstr("ALLOWLISTED"));
  EXPECT_THAT(r.out, HasSubstr("on 1 allowlist"));
}

TEST_F(RblCommand, UnknownExitsThreeAndListErrorsGiveAdvice) {
  dns_.fail("1.2.0.192.other.test", dns::outcome::timeout);
  dns_.add_a("1.2.0.192.zen.test", "127.255.255.254");
  const auto r = run("192.0.2.1");
  EXPECT_EQ(r.status, probe::exit_temporary);
  EXPECT_THAT(r.out, HasSubstr("UNKNOWN"));
  EXPECT_THAT(r.out, HasSubstr("LIST ERROR"));
  EXPECT_THAT(r.out, HasSubstr("what to do: use your own resolver"));
  config_.output.lang = "zh";
  EXPECT_THAT(run("192.0.2.1").out, HasSubstr("建议: 请使用自建 DNS 服务器"));
}

TEST_F(RblCommand, ListedBeatsUnknown) {
  dns_.fail("1.2.0.192.other.test", dns::outcome::servfail);
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  EXPECT_EQ(run("192.0.2.1").status, probe::exit_negative);
}

TEST_F(RblCommand, DeadListNamedByTheUserSaysItIsGone) {
  config_.rbl.zones = {"gone.test"};
  const auto r = run("192.0.2.1");
  EXPECT_EQ(r.status, probe::exit_ok);
  EXPECT_THAT(r.out, HasSubstr("nothing asked: the lists named no longer exist"));
  EXPECT_THAT(r.out, HasSubstr("DEAD LIST"));
  EXPECT_THAT(r.out, HasSubstr("no longer exists (gone since 2024-06)"));
  EXPECT_EQ(dns_.queries(), 0u);
}

TEST_F(RblCommand, UsageErrors) {
  auto r = run("not a target");
  EXPECT_EQ(r.status, probe::exit_usage);
  EXPECT_THAT(r.err, HasSubstr("space"));
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(run("192.0.2.999").err, HasSubstr("not a valid IP address"));
  EXPECT_THAT(run("nodot").err, HasSubstr("neither an IP address nor a domain"));
  config_.rbl.zones = {"bad zone!"};
  r = run("192.0.2.1");
  EXPECT_EQ(r.status, probe::exit_usage);
  EXPECT_THAT(r.err, HasSubstr("bad zone!"));
  EXPECT_EQ(dns_.queries(), 0u);
}

TEST_F(RblCommand, UsageErrorsInTheReadersLanguage) {
  config_.output.lang = "zh";
  const auto r = run("not a target");
  EXPECT_EQ(r.status, probe::exit_usage);
  EXPECT_THAT(r.err, HasSubstr("检查对象含有空格或控制字符"));
  EXPECT_THAT(r.err, Not(HasSubstr("space")));
}

TEST_F(RblCommand, HostileTxtIsNeutralisedInText) {
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  dns_.add_txt("1.2.0.192.zen.test", "\x1b]0;pwned\x07\x1b[2Jlisted\r\nRCPT TO:<x@y>");
  const auto r = run("192.0.2.1");
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
  EXPECT_THAT(r.out, HasSubstr("\\x1b"));
}

TEST_F(RblCommand, JsonDocument) {
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  dns_.add_txt("1.2.0.192.zen.test", std::string("bad utf8 \xff\xfe here"));
  dns_.fail("1.2.0.192.other.test", dns::outcome::timeout);
  config_.output.json = true;
  config_.rbl.zones = {"zenlike", "other", "gone", "raw.example.net"};
  const auto r = run("192.0.2.1");
  EXPECT_EQ(r.status, probe::exit_negative);
  const auto doc = nlohmann::json::parse(r.out);  // throws (fails the test) if invalid
  EXPECT_EQ(doc["target"], "192.0.2.1");
  EXPECT_EQ(doc["target_kind"], "ipv4");
  EXPECT_EQ(doc["verdict"], "listed");
  EXPECT_EQ(doc["exit_status"], 1);
  EXPECT_EQ(doc["summary"]["asked"], 3);
  EXPECT_EQ(doc["summary"]["listed"], 1);
  EXPECT_EQ(doc["summary"]["inconclusive"], 1);
  EXPECT_EQ(doc["summary"]["dead"], 1);
  const auto& lists = doc["lists"];
  ASSERT_EQ(lists.size(), 4u);
  EXPECT_EQ(lists[0]["name"], "zenlike");
  EXPECT_EQ(lists[0]["result"], "listed");
  EXPECT_EQ(lists[0]["codes"][0]["address"], "127.0.0.2");
  EXPECT_EQ(lists[0]["codes"][0]["name"], "SBL");
  EXPECT_EQ(lists[0]["codes"][0]["class"], "listing");
  EXPECT_EQ(lists[0]["txt"][0], "bad utf8 \xef\xbf\xbd\xef\xbf\xbd here");
  EXPECT_EQ(lists[0]["health"]["state"], "healthy");
  EXPECT_EQ(lists[0]["query"], "1.2.0.192.zen.test");
  EXPECT_EQ(lists[0]["removal_page"], "https://zen.test/remove");
  EXPECT_EQ(lists[1]["result"], "unknown");
  EXPECT_EQ(lists[2]["result"], "dead");
  EXPECT_EQ(lists[2]["dead_since"], "2024-06");
  EXPECT_TRUE(lists[2]["query"].is_null());
  EXPECT_EQ(lists[3]["in_catalogue"], false);
  EXPECT_EQ(lists[3]["result"], "not_listed");
  EXPECT_EQ(lists[3]["health"]["state"], "no_test_point");
}

// Every outcome's JSON matches tests/rbl/schemas/rbl.schema.json.
TEST_F(RblCommand, JsonMatchesTheSchema) {
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  dns_.add_txt("1.2.0.192.zen.test", "listed");
  dns_.add_a("2.2.0.192.zen.test", "127.255.255.254");
  dns_.add_a("3.2.0.192.zen.test", "198.51.100.1");
  dns_.add_a("1.2.0.192.wl.test", "127.0.10.3");
  dns_.fail("1.2.0.192.other.test", dns::outcome::timeout);
  dns_.add_a("2.0.0.127.wild.test", "127.0.0.2");
  dns_.add_a("1.0.0.127.wild.test", "127.0.0.2");
  config_.output.json = true;
  std::vector<nlohmann::json> documents;
  for (const char* target : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1", "example.com"})
    documents.push_back(nlohmann::json::parse(run(target).out));
  config_.rbl.zones = {"zenlike", "gone", "wild.test", "other"};
  documents.push_back(nlohmann::json::parse(run("192.0.2.1").out));
  config_.rbl.all = true;
  documents.push_back(nlohmann::json::parse(run("192.0.2.1").out));
  const auto result = test_support::validate_against("rbl.schema.json", documents);
  EXPECT_TRUE(result.ok) << result.report;
  EXPECT_NE(result.report.find("7 documents, 0 problems"), std::string::npos) << result.report;
}

TEST_F(RblCommand, DqsKeyNeverAppearsInOutput) {
  auto loaded = rbl::catalogue::load(PROBE_SOURCE_DIR "/rbl/data/catalogue.yaml");
  ASSERT_TRUE(std::holds_alternative<rbl::catalogue>(loaded));
  const auto& shipped = std::get<rbl::catalogue>(loaded);
  config_.rbl.dqs_key = "Sekr1tKey42";
  dns_.add_a("2.0.0.127.sekr1tkey42.zen.dq.spamhaus.net", "127.0.0.2");
  dns_.add_a("1.2.0.192.sekr1tkey42.zen.dq.spamhaus.net", "127.0.0.4");
  dns_.add_txt("1.2.0.192.sekr1tkey42.zen.dq.spamhaus.net", "XBL listing");
  for (const bool json : {false, true}) {
    config_.output.json = json;
    config_.output.verbose = 2;
    const auto r = run("192.0.2.1", &shipped);
    EXPECT_EQ(r.status, probe::exit_negative);
    std::string lower = r.out;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(lower.find("sekr1tkey42"), std::string::npos) << r.out;
    EXPECT_THAT(r.out, HasSubstr("<dqs-key>.zen.dq.spamhaus.net"));
    // With a key, the public Spamhaus mirrors are not asked.
    EXPECT_THAT(r.out, Not(HasSubstr("\"zen.spamhaus.org\"")));
  }
  for (const auto& [name, type] : dns_.log()) EXPECT_FALSE(name.ends_with(".zen.spamhaus.org")) << name;
}

// ---- --lang zh: the catalogue's Chinese meanings ---------------------------------------------

class RblCommandChinese : public RblCommand {
 protected:
  RblCommandChinese() {
    auto loaded = rbl::catalogue::load(PROBE_SOURCE_DIR "/rbl/data/catalogue.yaml");
    shipped_ = std::get<rbl::catalogue>(std::move(loaded));
    config_.rbl.zones = {"spamhaus-zen"};
    dns_.add_a("2.0.0.127.zen.spamhaus.org", "127.0.0.2");  // the RFC 5782 test point
    dns_.add_a("1.2.0.192.zen.spamhaus.org", "127.0.0.2");
    dns_.add_a("1.2.0.192.zen.spamhaus.org", "127.0.0.10");
    dns_.add_a("2.2.0.192.zen.spamhaus.org", "127.0.0.77");
  }
  run_result run_shipped(std::string_view target, std::string lang) {
    config_.output.lang = std::move(lang);
    return run(target, &shipped_);
  }
  rbl::catalogue shipped_;
};

TEST_F(RblCommandChinese, TextShowsTheChineseMeaningOfEachCode) {
  const auto zh = run_shipped("192.0.2.1", "zh");
  EXPECT_EQ(zh.status, probe::exit_negative);
  EXPECT_THAT(zh.out, HasSubstr("127.0.0.2  SBL  Spamhaus Block List（SBL）：已知的垃圾邮件来源或垃圾邮件团伙\n"));
  EXPECT_THAT(zh.out, HasSubstr("127.0.0.10  PBL  Policy Block List（PBL），由网络所有者登记：该地址不应直接向其他服务器发送邮件"));
  EXPECT_THAT(zh.out, Not(HasSubstr("a known spam source")));
  EXPECT_THAT(zh.out, Not(HasSubstr("should not send mail directly")));
  // English is as before: the catalogue's English meaning.
  const auto en = run_shipped("192.0.2.1", "en");
  EXPECT_THAT(en.out, HasSubstr("127.0.0.2  SBL  Spamhaus Block List: a known spam source or spam operation\n"));
  EXPECT_THAT(en.out, Not(HasSubstr("垃圾")));
}

TEST_F(RblCommandChinese, AnUndocumentedCodeIsSaidInChineseToo) {
  const auto zh = run_shipped("192.0.2.2", "zh");
  EXPECT_THAT(zh.out, HasSubstr("127.0.0.77  已列入（列表未公布此返回码的含义）"));
  EXPECT_THAT(zh.out, Not(HasSubstr("undocumented")));
  EXPECT_THAT(run_shipped("192.0.2.2", "en").out, HasSubstr("127.0.0.77  listing (undocumented code)"));
}

TEST_F(RblCommandChinese, JsonKeepsTheEnglishMeaningAndAddsTheChinese) {
  config_.output.json = true;
  for (const char* lang : {"en", "zh"}) {
    SCOPED_TRACE(lang);
    const auto doc = nlohmann::json::parse(run_shipped("192.0.2.1", lang).out);
    const auto& codes = doc["lists"][0]["codes"];
    ASSERT_EQ(codes.size(), 2u);
    EXPECT_EQ(codes[0]["meaning"], "Spamhaus Block List: a known spam source or spam operation");
    EXPECT_EQ(codes[0]["meaning_zh"], "Spamhaus Block List（SBL）：已知的垃圾邮件来源或垃圾邮件团伙");
    EXPECT_EQ(codes[1]["name"], "PBL");
    const auto result = test_support::validate_against("rbl.schema.json", {doc});
    EXPECT_TRUE(result.ok) << result.report;
  }
}

// The Chinese shown is the one of the catalogue that decoded the answer (here a test's
// list that shares a name with an installed one, or one the installed file does not hold),
// never the installed file's Chinese for another meaning.
TEST_F(RblCommand, ChineseIsTheDecodingCataloguesOwn) {
  auto loaded = rbl::catalogue::parse(R"(
lists:
  - {name: spamhaus-zen, zone: zen.test, kind: ip, default: true,
     codes: [{match: 127.0.0.2, name: SBL, meaning: spam source, meaning_zh: 测试用含义}]}
)", "test");
  const auto namesake = std::get<rbl::catalogue>(std::move(loaded));
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  config_.output.lang = "zh";
  const std::pair<const rbl::catalogue*, std::string> cases[] = {{&namesake, "测试用含义"}, {&lists_, "垃圾邮件来源"}};
  for (const auto& [lists, chinese] : cases) {
    SCOPED_TRACE(chinese);
    config_.output.json = false;
    const auto text = run("192.0.2.1", lists).out;
    EXPECT_THAT(text, HasSubstr("127.0.0.2  SBL  " + chinese + "\n"));
    EXPECT_THAT(text, Not(HasSubstr("已知的垃圾邮件来源")));  // the installed file's Chinese for SBL
    config_.output.json = true;
    const auto doc = nlohmann::json::parse(run("192.0.2.1", lists).out);
    EXPECT_EQ(doc["lists"][0]["codes"][0]["meaning"], "spam source");
    EXPECT_EQ(doc["lists"][0]["codes"][0]["meaning_zh"], chinese);
  }
}

}  // namespace
