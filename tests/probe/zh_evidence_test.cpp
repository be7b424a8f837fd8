// The lines probe composes for `probe server` and for the live checks of `probe bounce`
// carry a sentence (a key of probe/data/output_words.yaml and values) beside the English.
// These tests hold both ends: rendered in English, every sentence gives back the module's
// own line byte for byte (so English output and --json cannot drift), and rendered in
// Chinese it says the words probe composed in Chinese, leaving the network's text as it came.
#include "probe/correlation_verdict.hpp"
#include "probe/egress_ip.hpp"
#include "probe/output_words.hpp"
#include "probe/server_check.hpp"
#include "tests/probe/words.hpp"
#include "smtp/prober.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace {

using testing::HasSubstr;
using testing::Not;

namespace net = boost::asio;

using probe_test::words;

dns::answer failed(std::string qname, std::uint16_t type, dns::outcome result, std::string detail = {}) {
  dns::answer a;
  a.qname = std::move(qname);
  a.qtype = type;
  a.result = result;
  a.detail = std::move(detail);
  return a;
}

dns::answer with_records(std::string qname, std::uint16_t type, std::vector<dns::rdata> data) {
  dns::answer a;
  a.qname = qname;
  a.qtype = type;
  a.result = dns::outcome::records;
  for (auto& d : data) a.records.push_back({qname, type, 300, std::move(d)});
  return a;
}

// A server whose every item has something to say: a PTR that does not confirm and looks
// generic, a HELO that does not resolve, SPF with a trace, DMARC with warnings, listings of
// every shape, an MX with a finding.
probe::server_facts troubled_server() {
  probe::server_knowledge knowledge;
  knowledge.generic_keywords = {"dynamic", "pool"};
  probe::server_facts f;
  f.inputs.ip = net::ip::make_address("192.0.2.7");
  f.inputs.domain = "example.test";
  f.inputs.helo = "mail.example.test";
  auto& r = f.reverse;
  r.ip = f.inputs.ip;
  r.ptr = with_records(dns::reverse_name(r.ip), dns::type::ptr, {dns::name_data{"192-0-2-7.dynamic.isp.test"}});
  r.names = {"192-0-2-7.dynamic.isp.test"};
  r.confirmations.push_back({"192-0-2-7.dynamic.isp.test",
                             failed("192-0-2-7.dynamic.isp.test", dns::type::a, dns::outcome::timeout),
                             failed("192-0-2-7.dynamic.isp.test", dns::type::aaaa, dns::outcome::nodata), false});
  r.generic_reasons = probe::generic_ptr_reasons(r.names[0], r.ip, knowledge);
  r.generic_reasons_said = probe::generic_ptr_reasons_said(r.names[0], r.ip, knowledge);
  probe::helo_facts h;
  h.name = "mail.example.test";
  h.syntax = probe::helo_syntax::fqdn;
  h.a = failed("mail.example.test", dns::type::a, dns::outcome::servfail);
  h.aaaa = failed("mail.example.test", dns::type::aaaa, dns::outcome::error, "Misformatted domain name");
  f.helo = h;
  dns::spf::evaluation spf;
  spf.verdict = dns::spf::result::softfail;
  spf.record = "v=spf1 include:_spf.example.test ~all";
  spf.mechanism = "~all";
  spf.matched_in = "example.test";
  spf.dns_lookups = 3;
  spf.void_lookups = 1;
  spf.problem = "a problem in dns/spf's words";
  spf.explanation = "Mail from {here} is not allowed";
  for (int i = 0; i < 14; ++i) spf.trace.push_back("step " + std::to_string(i));
  f.spf_domain = spf;
  dns::dmarc::lookup_result dmarc;
  dmarc.queried_domain = "_dmarc.example.test";
  dmarc.answer = with_records("_dmarc.example.test", dns::type::txt, {dns::txt_data{{"v=DMARC1; p=none"}}});
  dmarc.organizational_domain = "example.test";
  dmarc.warnings = {"p=none"};
  dmarc.record = dns::dmarc::policy_record{};
  dmarc.record->raw = "v=DMARC1; p=none";
  dmarc.record->p = "none";
  f.dmarc = dmarc;
  rbl::listing listed;
  listed.zone = "bl.test";
  listed.title = "Test list";
  listed.result = rbl::outcome::listed;
  listed.codes.push_back({});
  listed.codes.back().address = "127.0.0.2";
  listed.codes.back().name = "SBL";
  listed.txt = {"see http://bl.test/?ip=192.0.2.7"};
  listed.removal_page = "http://bl.test/remove";
  rbl::listing unknown;
  unknown.zone = "slow.test";
  unknown.title = "Slow list";
  unknown.result = rbl::outcome::unknown;
  unknown.detail = "timeout";
  f.dnsbl_ip = {listed, unknown};
  dns::routing route;
  route.domain = "example.test";
  route.kind = dns::route_kind::mx;
  route.mx_answer = with_records("example.test", dns::type::mx, {dns::mx_data{10, "mx.example.test"}});
  route.findings.push_back({dns::route_problem::mx_no_address, "mx.example.test",
                            "mx.example.test has no A or AAAA record; a sender's MTA skips it and tries the next MX",
                            "route.mx_no_address", {{"host", "mx.example.test"}}});
  f.mx = route;
  return f;
}

std::vector<probe::check_item> all_items(const std::vector<probe::server_facts>& cases) {
  std::vector<probe::check_item> items;
  for (const auto& f : cases)
    for (auto& item : probe::assess(f, probe::server_knowledge{})) items.push_back(std::move(item));
  probe::egress_result egress;
  egress.address = net::ip::make_address("127.0.0.9");
  egress.how = "given with --ip";
  egress.warnings = {"127.0.0.9 is loopback"};
  egress.attempts.push_back({});
  egress.attempts.back().asked = "OpenDNS myip.opendns.com";
  egress.attempts.back().problem = "timeout";
  egress.attempts.push_back({});
  egress.attempts.back().asked = "Google o-o.myaddr.l.google.com";
  egress.attempts.back().found = net::ip::make_address("203.0.113.9");
  items.push_back(probe::assess_egress(egress));
  return items;
}

// Variations that reach the other branches: no PTR answer, bad HELOs, an MX lookup failure.
std::vector<probe::server_facts> server_cases() {
  std::vector<probe::server_facts> cases{troubled_server()};
  auto lookup_failed = troubled_server();
  lookup_failed.reverse.ptr = failed(dns::reverse_name(lookup_failed.reverse.ip), dns::type::ptr, dns::outcome::refused);
  lookup_failed.reverse.names.clear();
  lookup_failed.reverse.confirmations.clear();
  lookup_failed.mx->kind = dns::route_kind::dns_failure;
  lookup_failed.mx->mx_answer = failed("example.test", dns::type::mx, dns::outcome::malformed, "short packet");
  lookup_failed.mx->findings.clear();
  cases.push_back(lookup_failed);
  // Bad HELO names: check_helo gives each its real problem (it asks no DNS for them).
  net::io_context io;
  fakes::memory_zone zone;
  for (const char* helo : {"mail", "192.0.2.7", "[127.0.0.256]", "bad_name!.test"}) {
    auto bad = troubled_server();
    bad.helo = fakes::run_coroutine(io, probe::check_helo(zone, helo, bad.inputs.ip, bad.reverse));
    EXPECT_NE(bad.helo->syntax, probe::helo_syntax::fqdn) << helo;
    cases.push_back(bad);
  }
  return cases;
}

TEST(ServerLanguage, EveryEvidenceLineIsItsSentenceInEnglish) {
  const auto cases = server_cases();
  std::size_t lines = 0, summaries = 0, advice_values = 0;
  for (const auto& item : all_items(cases)) {
    ASSERT_EQ(item.evidence_said.size(), item.evidence.size()) << item.id;
    for (std::size_t i = 0; i < item.evidence.size(); ++i, ++lines)
      EXPECT_EQ(words().render(item.evidence_said[i], "en", "<unknown key>"), item.evidence[i])
          << item.id << " key " << item.evidence_said[i].key;
    for (const auto& [name, said] : item.advice_said) {
      ++advice_values;
      ASSERT_TRUE(item.advice_values.contains(name)) << item.id << " " << name;
      EXPECT_EQ(words().render(said, "en", "<unknown key>"), item.advice_values.at(name)) << item.id << " " << name;
    }
    if (!item.summary_said.key.empty()) {
      ++summaries;
      EXPECT_EQ(words().render(item.summary_said, "en", "<unknown key>"), item.summary) << item.id;
    }
  }
  EXPECT_GT(lines, 40u);
  EXPECT_GE(summaries, 3u);
  EXPECT_GE(advice_values, 3u);
}

std::string chinese_report(const std::vector<probe::check_item>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!item.summary_said.key.empty()) out += words().render(item.summary_said, "zh") + "\n";
    for (const auto& said : item.evidence_said) out += words().render(said, "zh") + "\n";
    for (const auto& [name, said] : item.advice_said) out += "advice " + name + ": " + words().render(said, "zh") + "\n";
  }
  return out;
}

TEST(ServerLanguage, ChineseSaysTheComposedWordsInChinese) {
  const auto zh = chinese_report(all_items(server_cases()));
  // The words probe composed ...
  EXPECT_THAT(zh, HasSubstr("192-0-2-7.dynamic.isp.test A → 超时"));
  EXPECT_THAT(zh, HasSubstr("192-0-2-7.dynamic.isp.test AAAA → 没有该类型的记录"));
  EXPECT_THAT(zh, HasSubstr("mail.example.test A → SERVFAIL：DNS 服务器故障"));
  EXPECT_THAT(zh, HasSubstr("mail.example.test AAAA → 查询出错（域名格式错误）"));
  EXPECT_THAT(zh, HasSubstr(dns::reverse_name(net::ip::make_address("192.0.2.7")) + " PTR → REFUSED：DNS 服务器拒绝查询"));
  EXPECT_THAT(zh, HasSubstr("记录: v=spf1 include:_spf.example.test ~all"));
  EXPECT_THAT(zh, HasSubstr("决定结果的机制: ~all（位于 example.test）"));
  EXPECT_THAT(zh, HasSubstr("DNS 查询次数: 3/10，空结果查询次数: 1/2"));
  EXPECT_THAT(zh, HasSubstr("  … 另有 2 步"));
  EXPECT_THAT(zh, HasSubstr("组织域名: example.test"));
  EXPECT_THAT(zh, HasSubstr("bl.test: 已列入（返回码 127.0.0.2 SBL） — 申请移除: http://bl.test/remove"));
  EXPECT_THAT(zh, HasSubstr("slow.test: 未知（无法查询） — timeout"));
  EXPECT_THAT(zh, HasSubstr("  列表给出的原因: see http://bl.test/?ip=192.0.2.7"));
  EXPECT_THAT(zh, HasSubstr("发现: mx.example.test: mx.example.test 没有 A 或 AAAA 记录"));
  EXPECT_THAT(zh, HasSubstr("PTR 查询失败：REFUSED：DNS 服务器拒绝查询"));
  EXPECT_THAT(zh, HasSubstr("MX 查询失败：应答格式错误（short packet）"));
  EXPECT_THAT(zh, HasSubstr("192-0-2-7.dynamic.isp.test 看起来是运营商的通用名称：名称中包含 IP 地址 192.0.2.7；名称中含有地址池用词: dynamic"));
  EXPECT_THAT(zh, HasSubstr("OpenDNS myip.opendns.com: 未得到地址（timeout）"));
  EXPECT_THAT(zh, HasSubstr("警告: 127.0.0.9 is loopback"));
  // Words probe composed for the advice ({problem}) are Chinese too.
  EXPECT_THAT(zh, HasSubstr("advice problem: mx.example.test 没有 A 或 AAAA 记录"));
  EXPECT_THAT(zh, HasSubstr("advice problem: SERVFAIL：DNS 服务器故障"));
  EXPECT_THAT(zh, HasSubstr("advice problem: 查询失败"));
  // ... and none of their English.
  for (const char* english : {"decided by", "DNS lookups", "more steps", "organisational domain", "removal:",
                              "  reason:", "finding:", "no record", "the PTR lookup failed", "looks generic",
                              "embeds the address", "pool words", "nothing (", "Misformatted"})
    EXPECT_THAT(zh, Not(HasSubstr(english))) << english;
  // The domain owner's and the list's own text stays as it came, even when it looks like a placeholder.
  EXPECT_THAT(zh, HasSubstr("域名所有者的说明（exp）: Mail from {here} is not allowed"));
}

TEST(ServerLanguage, HeloProblemsAreSentencesInBothLanguages) {
  for (const auto* key : {"server.helo_problem.bad_literal", "server.helo_problem.bare_address",
                          "server.helo_problem.single_label", "server.helo_problem.bad_name"}) {
    const probe::sentence said{"server.summary.helo_problem", {{"helo", "x", {}, {}, {}}, {"problem", {}, {}, {}, {{key, {}}}}}};
    EXPECT_THAT(words().render(said, "zh"), testing::StartsWith("x：")) << key;
    EXPECT_THAT(words().render(said, "zh"), Not(testing::ContainsRegex("not a|single label|bare IP"))) << key;
  }
}

TEST(LiveLanguage, AnUnknownKeyFallsBackToTheEnglish) {
  const probe::sentence unknown{"live.no_such_key", {}};
  EXPECT_EQ(words().render(unknown, "zh", "the English"), "the English");
  // A known sentence with an unknown part falls back as a whole (never half-translated).
  const probe::sentence half{"live.route_lookup_failed", {{"answer", {}, {}, {}, {unknown}}}};
  EXPECT_EQ(words().render(half, "zh", "lookup failed: x"), "lookup failed: x");
}

TEST(LiveLanguage, TheProbersReasonIsRenderedFromItsPhrase) {
  smtp::phrase reason{"reason.no_domain", {}};
  EXPECT_EQ(words().render(reason, "en"), "the domain does not exist (NXDOMAIN)");
  EXPECT_EQ(words().render(reason, "zh"), "该域名不存在（NXDOMAIN）");
  smtp::phrase why{"reason.refused_recipient",
                   {{"at", "", "", "", {}}, {"reply", "\"550 no\"", "", "", {}}, {"why", "unknown user", "用户不存在", "", {}}}};
  EXPECT_EQ(words().render(why, "zh"), "服务器拒绝了该收件人，答复为 \"550 no\"：用户不存在");
}

TEST(OutputWords, AServerOrLiveKeyWithoutItsChineseIsRefused) {
  using probe_test::expect_words_refused;

  expect_words_refused(R"(  record:             {en: "record: {record}", zh: "记录: {record}"})",
         R"(  record:             {en: "record: {record}"})", "server.record needs an en and a zh text");
  expect_words_refused(R"(  size_asked:         {en: "EHLO at {host}", zh: "{host} 的 EHLO"})",
         R"(  size_asked:         {en: "EHLO at {host}", zh: "EHLO"})",
         "live.size_asked: the en and zh texts use different {placeholders}");
  expect_words_refused(R"x(  dmarc_none:         {en: "no DMARC record ({answer})", zh: "没有 DMARC 记录（{answer}）"})x", "",
         "no text for live.dmarc_none");
}

// The address `probe server` checks: how it was found, what was asked, what failed and
// the warnings are egress_ip's own English with a sentence beside it.
std::vector<probe::egress_result> egress_cases() {
  net::io_context io;
  std::vector<probe::egress_result> cases;
  cases.push_back(probe::egress_given(net::ip::make_address("127.0.0.9")));
  cases.push_back(probe::egress_given(net::ip::make_address("192.0.2.25")));
  fakes::memory_zone opendns, google;
  opendns.add_a("myip.opendns.com", "198.51.100.7");
  google.add_txt("o-o.myaddr.l.google.com", "203.0.113.9");  // another uplink
  cases.push_back(fakes::run_coroutine(io, probe::detect_egress({&opendns, &google})));
  fakes::memory_zone nothing, no_address;
  nothing.fail("myip.opendns.com", dns::outcome::servfail);
  no_address.add_txt("o-o.myaddr.l.google.com", "edns0-client-subnet 192.0.2.0/24");
  probe::egress_options toward_loopback;
  toward_loopback.interface_toward = "127.0.0.1";  // the local address is loopback: behind "NAT"
  cases.push_back(fakes::run_coroutine(io, probe::detect_egress({&nothing, &no_address}, toward_loopback)));
  probe::egress_options nowhere;
  nowhere.interface_toward = "not an address";
  cases.push_back(fakes::run_coroutine(io, probe::detect_egress({&nothing, &no_address}, nowhere)));
  return cases;
}

TEST(EgressLanguage, EnglishIsEgressOwnTextAndChineseIsTranslated) {
  std::set<std::string> keys;
  std::string zh;
  const auto say = [&](const probe::sentence& said, const std::string& english) {
    EXPECT_FALSE(said.key.empty()) << english;
    EXPECT_EQ(words().render(said, "en", "<unknown key>"), english);
    keys.insert(said.key);
    for (const auto& v : said.values)
      if (!v.part.empty()) keys.insert(v.part.front().key);
    zh += words().render(said, "zh") + "\n";
  };
  for (const auto& e : egress_cases()) {
    say(e.how_said, e.how);
    ASSERT_EQ(e.warnings_said.size(), e.warnings.size());
    for (std::size_t i = 0; i < e.warnings.size(); ++i) say(e.warnings_said[i], e.warnings[i]);
    for (const auto& a : e.attempts) {
      say(a.asked_said, a.asked);
      if (!a.found) say(a.problem_said, a.problem);
    }
    // The item `probe server` prints: every line its sentence in English.
    const auto item = probe::assess_egress(e);
    for (std::size_t i = 0; i < item.evidence.size(); ++i)
      EXPECT_EQ(words().render(item.evidence_said[i], "en", "<unknown key>"), item.evidence[i]);
    if (e.address) {
      EXPECT_EQ(words().render(item.summary_said, "en", "<unknown key>"), item.summary);
      zh += words().render(item.summary_said, "zh") + "\n";
    }
  }
  for (const auto key : probe::output_words::required_keys())
    if (key.starts_with("server.egress_") && key != "server.egress_found" && key != "server.egress_nothing" &&
        key != "server.egress_summary") {
      EXPECT_TRUE(keys.contains(std::string(key))) << key << " is never produced";
    }
  EXPECT_THAT(zh, HasSubstr("由 --ip 指定\n"));
  EXPECT_THAT(zh, HasSubstr("127.0.0.9 是私有地址或环回地址：互联网上的收件方永远看不到它"));
  EXPECT_THAT(zh, HasSubstr("192.0.2.25（由 --ip 指定）"));
  EXPECT_THAT(zh, HasSubstr("向 208.67.222.222, 208.67.220.220 查询 myip.opendns.com A：应答即该查询发出时所用的地址"));
  EXPECT_THAT(zh, HasSubstr("google 看到的是 203.0.113.9，opendns 看到的是 198.51.100.7：本机经由多个地址发出"));
  EXPECT_THAT(zh, HasSubstr("SERVFAIL：DNS 服务器故障"));
  EXPECT_THAT(zh, HasSubstr("TXT 应答中没有地址"));
  EXPECT_THAT(zh, HasSubstr("没有“我的地址是什么”服务作答"));
  EXPECT_THAT(zh, HasSubstr("127.0.0.1 是私有地址：本机位于 NAT 之后"));
  EXPECT_THAT(zh, HasSubstr("找不到本机的公网地址"));
  for (const char* english : {"given with", "is a private", "the address the query came from", "several addresses",
                              "held no address", "no \"what is my address\"", "could not find", "routed toward"})
    EXPECT_THAT(zh, Not(HasSubstr(english))) << english;
}

}  // namespace
