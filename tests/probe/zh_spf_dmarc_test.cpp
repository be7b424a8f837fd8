// SPF's problems, trace steps and default explanation and DMARC's warnings and errors are
// English sentences of dns/ with a dns::phrase beside each. These tests hold both ends over
// real evaluations (an in-memory DNS world): rendered in English, every phrase gives back
// dns/'s own sentence byte for byte (so English output and --json cannot drift); rendered
// in Chinese, it says dns/'s words in Chinese and leaves DNS data (names, records) as it came.
#include "dns/dmarc.hpp"
#include "dns/spf.hpp"
#include "dns/spf_record.hpp"
#include "probe/correlation_run.hpp"
#include "probe/output_words.hpp"
#include "probe/server_check.hpp"
#include "tests/probe/words.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace {

using testing::HasSubstr;
using testing::Not;

namespace net = boost::asio;

using probe_test::words;

// English words of dns/spf and dns/dmarc that a Chinese line must not keep (DNS data in the
// scenarios below avoids them).
const char* const english_words[] = {"lookup for", "publishes", "does not", "matches", "no match", "more than",
                                     "is not", "ignored", "receivers", "record of", "syntax error", "void lookup",
                                     "says", " exists ", "validated", "host(s)", "monitoring", "nobody", "failed"};

void expect_chinese(const std::string& zh, const std::string& english) {
  EXPECT_NE(zh, english);
  for (const char* word : english_words) EXPECT_THAT(zh, Not(HasSubstr(word))) << "from: " << english;
}

struct spf_case {
  std::string domain;
  std::string ip = "192.0.2.7";
};

std::vector<dns::spf::evaluation> spf_evaluations() {
  fakes::memory_zone zone;
  zone.add_txt("several.test", "v=spf1 -all");
  zone.add_txt("several.test", "v=spf1 ~all");
  zone.add_txt("syntax.test", "v=spf1 foo:bar -all");
  zone.fail("timeout.test", dns::outcome::timeout);
  zone.add_txt("nospf.test", "just text");
  std::string eleven = "v=spf1";
  for (int i = 1; i <= 11; ++i) {
    eleven += " a:h" + std::to_string(i) + ".test";
    zone.add_a("h" + std::to_string(i) + ".test", "198.51.100." + std::to_string(i));
  }
  zone.add_txt("limit.test", eleven + " -all");
  zone.add_txt("void.test", "v=spf1 a:v1.test a:v2.test a:v3.test -all");
  zone.add_txt("include-none.test", "v=spf1 include:nospf.test -all");
  zone.add_txt("redirect-none.test", "v=spf1 redirect=nospf.test");
  zone.add_txt("a-match.test", "v=spf1 a:h1.test a:host.a-match.test -all");
  zone.add_a("host.a-match.test", "192.0.2.7");
  zone.add_txt("mx.test", "v=spf1 mx mx:other.test ~all");
  zone.add_mx("mx.test", 10, "mx1.mx.test");
  zone.add_a("mx1.mx.test", "198.51.100.50");
  zone.add_mx("other.test", 10, "mx.other.test");
  zone.add_a("mx.other.test", "192.0.2.7");
  zone.add_txt("mx-many.test", "v=spf1 mx -all");
  for (int i = 0; i < 11; ++i) zone.add_mx("mx-many.test", 10, "m" + std::to_string(i) + ".mx-many.test");
  zone.add_txt("mx-fail.test", "v=spf1 mx -all");
  zone.add_mx("mx-fail.test", 10, "broken.mx-fail.test");
  zone.fail("broken.mx-fail.test", dns::outcome::servfail);
  zone.add_txt("a-fail.test", "v=spf1 a:broken.a-fail.test -all");
  zone.fail("broken.a-fail.test", dns::outcome::servfail);
  zone.add_txt("ptr.test", "v=spf1 ptr ptr:elsewhere.test exists:%{i}.ex.test include:inc-fail.test ?all");
  zone.add_ptr("192.0.2.7", "mail.ptr.test");
  zone.add_a("mail.ptr.test", "192.0.2.7");
  zone.add_txt("ptr-only.test", "v=spf1 ptr:elsewhere.test exists:%{i}.ex.test include:inc-fail.test ?all");
  zone.add_a("192.0.2.7.ex.test", "127.0.0.2");
  zone.add_txt("inc-fail.test", "v=spf1 -all");
  zone.add_txt("neutral.test", "v=spf1 include:inc-fail.test");
  zone.add_txt("exp.test", "v=spf1 -all exp=explain.exp.test");
  zone.add_txt("exp-many.test", "v=spf1 -all exp=two.exp-many.test");
  zone.add_txt("two.exp-many.test", "one");
  zone.add_txt("two.exp-many.test", "two");
  zone.add_txt("invalid-target.test", "v=spf1 a:%{l}.x..test ?all");
  net::io_context io;
  std::vector<dns::spf::evaluation> out;
  for (const char* domain : {"several.test", "syntax.test", "timeout.test", "nospf.test", "absent.test", "limit.test",
                             "void.test", "include-none.test", "redirect-none.test", "a-match.test", "mx.test",
                             "mx-many.test", "mx-fail.test", "a-fail.test", "ptr.test", "ptr-only.test", "neutral.test",
                             "exp.test", "exp-many.test", "invalid-target.test", "localhost"}) {
    dns::spf::request request;
    request.ip = net::ip::make_address("192.0.2.7");
    request.domain = domain;
    request.sender = std::string("someone@") + domain;
    request.helo = "mail.example.test";
    out.push_back(fakes::run_coroutine(io, dns::spf::check_host(zone, request)));
  }
  return out;
}

std::string indentation_of(const std::string& line) { return line.substr(0, line.find_first_not_of(' ')); }

TEST(SpfWords, EveryProblemStepAndExplanationIsItsPhraseInEnglish) {
  std::set<std::string> keys;
  std::size_t problems = 0, steps = 0;
  for (const auto& e : spf_evaluations()) {
    ASSERT_EQ(e.trace_said.size(), e.trace.size()) << e.record;
    if (!e.problem.empty()) {
      ++problems;
      ASSERT_FALSE(e.problem_said.key.empty()) << e.problem;
      EXPECT_EQ(words().render(e.problem_said, "en", "<unknown key>"), e.problem);
      keys.insert(e.problem_said.key);
    }
    for (std::size_t i = 0; i < e.trace.size(); ++i, ++steps) {
      EXPECT_EQ(indentation_of(e.trace[i]) + words().render(e.trace_said[i], "en", "<unknown key>"), e.trace[i]);
      keys.insert(e.trace_said[i].key);
    }
    if (!e.explanation.empty() && !e.explanation_from_exp) {
      EXPECT_EQ(words().render(e.explanation_said, "en", "<unknown key>"), e.explanation);
      keys.insert(e.explanation_said.key);
    }
  }
  EXPECT_GE(problems, 12u);
  EXPECT_GE(steps, 40u);
  // Most of the templates are reached by these evaluations (a few need a clock: time_limit).
  EXPECT_GE(keys.size(), 30u) << testing::PrintToString(keys);
}

TEST(SpfWords, ChineseSaysSpfsWordsAndKeepsDnsData) {
  std::string all;
  for (const auto& e : spf_evaluations()) {
    if (!e.problem.empty()) {
      const auto zh = words().render(e.problem_said, "zh");
      expect_chinese(zh, e.problem);
      all += zh + "\n";
    }
    for (std::size_t i = 0; i < e.trace.size(); ++i) {
      const auto zh = words().render(e.trace_said[i], "zh");
      // A step that is only DNS data ("domain: \"record\"", "term → domain") stays as it is.
      if (e.trace_said[i].key != "spf.step_goes_to" && e.trace_said[i].key != "spf.step_error")
        expect_chinese(zh, e.trace[i]);
      all += zh + "\n";
    }
  }
  EXPECT_THAT(all, HasSubstr("several.test 发布了 2 条 SPF 记录；只允许有一条（RFC 7208 §4.5）"));
  EXPECT_THAT(all, HasSubstr("timeout.test 的 TXT 查询失败：超时"));
  EXPECT_THAT(all, HasSubstr("nospf.test 没有发布 SPF 记录"));
  EXPECT_THAT(all, HasSubstr("absent.test 不存在（NXDOMAIN）"));
  EXPECT_THAT(all, HasSubstr("需要查询 DNS 的项超过 10 个（RFC 7208 §4.6.4）；在 limit.test 的“a:h11.test”处达到上限"));
  EXPECT_THAT(all, HasSubstr("“include:nospf.test”：nospf.test 没有发布 SPF 记录（RFC 7208 §5.2：none 视为 permerror）"));
  EXPECT_THAT(all, HasSubstr("a:host.a-match.test：host.a-match.test 的 A → 192.0.2.7 → 匹配"));
  EXPECT_THAT(all, HasSubstr("没有机制匹配 → neutral（RFC 7208 §4.7）"));
  // The record as published stays as it came.
  EXPECT_THAT(all, HasSubstr("syntax.test：“v=spf1 foo:bar -all”"));
}

TEST(SpfWords, ServerEvidenceAndAdviceSaySpfInChinese) {
  probe::server_facts f;
  f.inputs.ip = net::ip::make_address("192.0.2.7");
  f.inputs.domain = "limit.test";
  const auto evaluations = spf_evaluations();
  f.spf_domain = evaluations[5];  // limit.test: permerror at the 11th lookup, with a trace
  ASSERT_EQ(f.spf_domain->verdict, dns::spf::result::permerror);
  for (const auto& item : probe::assess(f, probe::server_knowledge{})) {
    if (item.id != "spf_domain") continue;
    std::string zh;
    for (std::size_t i = 0; i < item.evidence.size(); ++i) {
      EXPECT_EQ(words().render(item.evidence_said[i], "en", "<unknown key>"), item.evidence[i]);
      zh += words().render(item.evidence_said[i], "zh") + "\n";
    }
    EXPECT_THAT(zh, HasSubstr("问题: 需要查询 DNS 的项超过 10 个"));
    EXPECT_THAT(zh, HasSubstr("  limit.test：“v=spf1 a:h1.test"));
    EXPECT_THAT(zh, Not(HasSubstr("terms that query DNS")));
    ASSERT_TRUE(item.advice_said.contains("problem"));
    EXPECT_EQ(words().render(item.advice_said.at("problem"), "en"), item.advice_values.at("problem"));
    return;
  }
  FAIL() << "no spf_domain item";
}

// The live check of `probe bounce` says the problem in Chinese however long it is: a
// record's bad term quoted in it can take the English sentence past the 300 bytes an
// English line shows.
TEST(SpfWords, LiveAnswerSaysALongProblemInChinese) {
  fakes::memory_zone zone;
  zone.add_txt("long-term.test", "v=spf1 foo:" + std::string(320, 'x') + ".test -all");
  net::io_context io;
  dns::spf::request request;
  request.ip = net::ip::make_address("192.0.2.7");
  request.domain = "long-term.test";
  request.sender = "someone@long-term.test";
  request.helo = "mail.example.test";
  const auto e = fakes::run_coroutine(io, dns::spf::check_host(zone, request));
  ASSERT_EQ(e.verdict, dns::spf::result::permerror);
  ASSERT_GT(e.problem.size(), 300u);
  const auto said = probe::correlation::spf_answer_said(e);
  EXPECT_EQ(words().render(said, "en", "<unknown key>"), "permerror: " + e.problem);
  const auto zh = words().render(said, "zh", "<unknown key>");
  EXPECT_EQ(zh.rfind("permerror：", 0), 0u) << zh;
  expect_chinese(zh.substr(zh.find("：")), e.problem);
  EXPECT_THAT(zh, HasSubstr(std::string(320, 'x')));
}

// Every syntax error the record parser and the macro checker name, in both languages.
TEST(SpfWords, EverySyntaxErrorIsItsPhraseInEnglishAndChineseInChinese) {
  std::set<std::string> keys;
  for (const std::string record :
       {"v=spf2 -all", "v=spf1 a:\xc3\xa9.test -all", "v=spf1 a:x.test\t-all", "v=spf1 redirect=a.test redirect=b.test",
        "v=spf1 foo -all", "v=spf1 all:x", "v=spf1 include", "v=spf1 ptr/24", "v=spf1 a/99", "v=spf1 a//200",
        "v=spf1 a/24x", "v=spf1 ip4", "v=spf1 ip4:192.0.2.4/40", "v=spf1 ip6:::1/200", "v=spf1 ip4:1.2.3",
        "v=spf1 ip6:zz::1", "v=spf1 include:", "v=spf1 a:localhost", "v=spf1 a:example.123", "v=spf1 exists:%",
        "v=spf1 exists:%x.test", "v=spf1 exists:%{", "v=spf1 exists:%{q}.test", "v=spf1 exists:%{c}.test",
        "v=spf1 exists:%{d1234}.test", "v=spf1 exists:%{d0}.test", "v=spf1 exists:%{d.test", "v=spf1 foo=%{x}",
        "v=spf1 exists:%{d}\x01.test"}) {
    const auto parsed = dns::spf::parse_record(record);
    ASSERT_FALSE(parsed.ok()) << record;
    ASSERT_FALSE(parsed.error_said.key.empty()) << record << ": " << parsed.error;
    EXPECT_EQ(words().render(parsed.error_said, "en", "<unknown key>"), parsed.error) << record;
    const auto zh = words().render(parsed.error_said, "zh", "<unknown key>");
    EXPECT_NE(zh, parsed.error) << record;
    for (const char* english : {"invalid", "needs", "takes no", "unknown", "not a", "malformed", "macro", "at offset"})
      EXPECT_EQ(zh.find(english), std::string::npos) << record << " → " << zh;
    keys.insert(parsed.error_said.key);
    for (const auto& v : parsed.error_said.values)
      if (!v.part.empty()) keys.insert(v.part.front().key);
  }
  EXPECT_GE(keys.size(), 26u) << testing::PrintToString(keys);
}

std::vector<dns::dmarc::lookup_result> dmarc_lookups() {
  fakes::memory_zone zone;
  zone.add_txt("_dmarc.weak.test",
               "v=DMARC1; p=none; sp=quarantine; rua=https://x.test, mailto:; ruf=mailto:r@reports.other.test; "
               "pct=x; adkim=q; aspf=r; fo=9; ri=soon; rf=xml; np=maybe; zz=1; broken; p=reject");
  zone.add_txt("_dmarc.partial.test", "v=DMARC1; p=reject; sp=none; pct=50");
  zone.add_txt("_dmarc.nop.test", "v=DMARC1; p=bogus; sp=strange; rua=mailto:d@nop.test");
  zone.add_txt("_dmarc.nopolicy.test", "v=DMARC1; sp=none");
  zone.add_txt("_dmarc.badsp.test", "v=DMARC1; p=reject; sp=weird");
  zone.add_txt("_dmarc.two.test", "v=DMARC1; p=none");
  zone.add_txt("_dmarc.two.test", "v=DMARC1; p=reject");
  zone.add_txt("_dmarc.almost.test", "v=dmarc1; p=reject");
  zone.fail("_dmarc.down.test", dns::outcome::servfail);
  zone.add_txt("_dmarc.elsewhere.test", "v=DMARC1; p=reject; rua=mailto:a@auth.test,mailto:b@noauth.test,mailto:c@down.test");
  zone.add_txt("elsewhere.test._report._dmarc.auth.test", "v=DMARC1");
  zone.add_txt("elsewhere.test._report._dmarc.noauth.test", "something else");
  zone.fail("elsewhere.test._report._dmarc.down.test", dns::outcome::timeout);
  net::io_context io;
  std::vector<dns::dmarc::lookup_result> out;
  for (const char* domain : {"weak.test", "partial.test", "nop.test", "nopolicy.test", "badsp.test", "two.test",
                             "almost.test", "down.test", "elsewhere.test", "not a domain!"})
    out.push_back(fakes::run_coroutine(io, dns::dmarc::lookup(zone, domain)));
  return out;
}

TEST(DmarcWords, EveryWarningAndErrorIsItsPhraseInEnglishAndChineseInChinese) {
  std::set<std::string> keys;
  std::string all;
  auto lookups = dmarc_lookups();
  lookups.push_back({});
  const auto not_dmarc = dns::dmarc::parse_record("v=spf1 -all");
  lookups.back().error = not_dmarc.error;
  lookups.back().error_said = not_dmarc.error_said;
  for (const auto& d : lookups) {
    ASSERT_EQ(d.warnings_said.size(), d.warnings.size());
    for (std::size_t i = 0; i < d.warnings.size(); ++i) {
      EXPECT_EQ(words().render(d.warnings_said[i], "en", "<unknown key>"), d.warnings[i]);
      const auto zh = words().render(d.warnings_said[i], "zh");
      expect_chinese(zh, d.warnings[i]);
      all += zh + "\n";
      keys.insert(d.warnings_said[i].key);
    }
    if (!d.error.empty()) {
      EXPECT_EQ(words().render(d.error_said, "en", "<unknown key>"), d.error);
      const auto zh = words().render(d.error_said, "zh");
      expect_chinese(zh, d.error);
      all += zh + "\n";
      keys.insert(d.error_said.key);
    }
  }
  EXPECT_GE(keys.size(), 26u) << testing::PrintToString(keys);
  EXPECT_THAT(all, HasSubstr("pct=50：p=reject 只适用于 50% 未通过的邮件"));
  EXPECT_THAT(all, HasSubstr("_dmarc.two.test 有 2 条 DMARC 记录：收件方不会应用任何策略"));
  EXPECT_THAT(all, HasSubstr("_dmarc.down.test 的 TXT 查询失败：SERVFAIL：DNS 服务器故障（策略未知，而不是不存在）"));
  EXPECT_THAT(all, HasSubstr("_dmarc.almost.test 有“v=dmarc1; p=reject”，收件方会忽略它"));
  EXPECT_THAT(all, HasSubstr("报告发往 noauth.test，但它没有授权接收"));
}

TEST(DmarcWords, ServerSummaryAndWarningsSayDmarcInChinese) {
  const auto lookups = dmarc_lookups();
  for (const std::size_t which : {std::size_t{1}, std::size_t{5}}) {  // partial.test (warnings), two.test (error)
    probe::server_facts f;
    f.inputs.ip = net::ip::make_address("192.0.2.7");
    f.inputs.domain = "example.test";
    f.dmarc = lookups[which];
    for (const auto& item : probe::assess(f, probe::server_knowledge{})) {
      if (item.id != "dmarc") continue;
      std::string zh;
      for (std::size_t i = 0; i < item.evidence.size(); ++i) {
        EXPECT_EQ(words().render(item.evidence_said[i], "en", "<unknown key>"), item.evidence[i]);
        zh += words().render(item.evidence_said[i], "zh") + "\n";
      }
      if (!item.summary_said.key.empty()) {
        EXPECT_EQ(words().render(item.summary_said, "en"), item.summary);
        zh += words().render(item.summary_said, "zh") + "\n";
      }
      ASSERT_TRUE(item.advice_said.contains("problem")) << which;
      EXPECT_EQ(words().render(item.advice_said.at("problem"), "en"), item.advice_values.at("problem"));
      zh += words().render(item.advice_said.at("problem"), "zh");
      EXPECT_THAT(zh, Not(HasSubstr("receivers"))) << zh;
      EXPECT_THAT(zh, HasSubstr(which == 1 ? "只适用于 50% 未通过的邮件" : "收件方不会应用任何策略")) << zh;
    }
  }
}

TEST(SpfDmarcWords, AKeyWithoutItsChineseOrWithOtherPlaceholdersIsRefused) {
  using probe_test::expect_words_refused;

  expect_words_refused(R"x(  no_rua:             {en: "no rua=: nobody receives aggregate reports, so mail failing DMARC goes unnoticed", zh: "没有 rua=：没有人接收汇总报告，未通过 DMARC 的邮件不会被发现"})x",
         R"x(  no_rua:             {en: "no rua=: nobody receives aggregate reports, so mail failing DMARC goes unnoticed"})x",
         "dmarc.no_rua needs an en and a zh text");
  expect_words_refused(R"x(  no_record:          {en: "{domain} publishes no SPF record", zh: "{domain} 没有发布 SPF 记录"})x",
         R"x(  no_record:          {en: "{domain} publishes no SPF record", zh: "没有发布 SPF 记录"})x",
         "spf.no_record: the en and zh texts use different {placeholders}");
  expect_words_refused(R"x(  step_default:       {en: "no mechanism matched → neutral (RFC 7208 §4.7)", zh: "没有机制匹配 → neutral（RFC 7208 §4.7）"})x", "",
         "no text for spf.step_default");
}

}  // namespace
