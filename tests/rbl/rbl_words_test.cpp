// A listing's detail and warnings and a zone's health (rbl/checker.cpp) carry a phrase
// beside the English (rbl::phrase, output_words.yaml "rbl.said.*"). Every listing below is
// the checker's own, against an in-memory zone: rendered in English each phrase gives back
// the checker's text byte for byte (so `probe rbl` and --json cannot drift), rendered in
// Chinese it is the file's; `probe rbl --lang zh` prints them.

#include "probe/output_words.hpp"
#include "probe/rbl_output.hpp"
#include "rbl/checker.hpp"
#include "rbl/summary.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/rbl/parsed.hpp"
#include "tests/rbl/run_sync.hpp"
#include "tests/probe/words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace {

using testing::HasSubstr;
using testing::Not;
namespace net = boost::asio;

constexpr const char* test_catalogue = R"(
version: 1
lists:
  - name: zenlike
    title: ZEN-like
    zone: zen.test
    kind: ip
    default: true
    codes:
      - {match: 127.0.0.2, name: SBL, meaning: spam source, meaning_zh: 垃圾邮件来源}
    errors:
      - match: 127.255.255.254
        meaning: query via a public resolver refused
        meaning_zh: 公共解析器的查询被拒绝
  - name: v4only
    zone: v4.test
    kind: ip4
    default: true
  - name: domains
    zone: dom.test
    kind: domain
    default: true
  - name: deadlist
    title: Dead list
    zone: dead.test
    kind: ip4
    status: dead
    dead_since: 2024-06
  - name: keyed
    zone: "{key}.dq.test"
    key: dqs
    kind: ip
    default: true
)";

using probe_test::words;

rbl::catalogue make_catalogue() { return rbl::testing::catalogue_from(test_catalogue); }
using rbl::testing::target_of;

// One listing of `target` on `zone`, asked by a fresh checker of the zone `dns` serves.
rbl::listing ask(fakes::memory_zone& dns, std::string_view target, const std::string& zone,
                 rbl::check_options options = {}) {
  static const rbl::catalogue lists = make_catalogue();
  net::io_context io;
  rbl::checker checker(dns, lists, options);
  auto result = test_support::run_sync<std::variant<std::vector<rbl::listing>, rbl::selection_error>>(
      io, [&] { return checker.check(target_of(target), {zone}); });
  if (auto* e = std::get_if<rbl::selection_error>(&result)) throw std::runtime_error(e->what);
  auto listings = std::get<std::vector<rbl::listing>>(std::move(result));
  if (listings.size() != 1) throw std::runtime_error("expected one listing");
  return listings.front();
}

void healthy(fakes::memory_zone& dns, const std::string& zone) { dns.add_a("2.0.0.127." + zone, "127.0.0.2"); }

struct words_case {
  std::string name;
  rbl::listing listing;
  std::string target = "192.0.2.1";
};

std::vector<words_case> make_cases() {
  std::vector<words_case> cases;
  {
    fakes::memory_zone dns;
    healthy(dns, "zen.test");
    dns.fail("1.2.0.192.zen.test", dns::outcome::timeout, "no answer from the DNS server(s) before the timeout");
    cases.push_back({"timeout, healthy zone", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    healthy(dns, "zen.test");
    dns.fail("1.2.0.192.zen.test", dns::outcome::servfail);
    cases.push_back({"servfail", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    healthy(dns, "zen.test");
    dns.add_a("1.2.0.192.zen.test", "198.51.100.7");
    cases.push_back({"bogus", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    for (const char* name : {"1.2.0.192.zen.test", "2.0.0.127.zen.test", "1.0.0.127.zen.test"}) dns.add_a(name, "127.0.0.2");
    cases.push_back({"wildcard", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    dns.add_a("2.0.0.127.zen.test", "203.0.113.9");
    cases.push_back({"broken test point", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    dns.add_a("1.2.0.192.zen.test", "127.0.0.2");
    cases.push_back({"no test point", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    dns.fail("2.0.0.127.zen.test", dns::outcome::refused);
    cases.push_back({"test point lookup refused", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    for (const char* name : {"2.0.0.127.zen.test", "1.0.0.127.zen.test"}) dns.add_a(name, "127.255.255.254");
    cases.push_back({"test points answer an error code", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    healthy(dns, "zen.test");
    dns.add_a("1.2.0.192.zen.test", "127.255.255.254");
    cases.push_back({"error code", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    healthy(dns, "zen.test");
    dns.add_txt("1.2.0.192.zen.test", "only a TXT record");
    cases.push_back({"nodata", ask(dns, "192.0.2.1", "zenlike")});
  }
  {
    fakes::memory_zone dns;
    cases.push_back({"dead, not asked", ask(dns, "192.0.2.1", "deadlist")});
    for (const char* name : {"1.2.0.192.dead.test", "2.0.0.127.dead.test", "1.0.0.127.dead.test"}) dns.add_a(name, "127.0.0.2");
    rbl::check_options all;
    all.include_all = true;
    cases.push_back({"dead, asked with --all", ask(dns, "192.0.2.1", "deadlist", all)});
    cases.push_back({"IPv4 list, IPv6 target", ask(dns, "2001:db8::1", "v4only"), "2001:db8::1"});
    cases.push_back({"domain list, IP target", ask(dns, "192.0.2.1", "domains")});
    cases.push_back({"IP list, domain target", ask(dns, "example.test", "zenlike"), "example.test"});
    cases.push_back({"keyed list without a key", ask(dns, "192.0.2.1", "keyed")});
    const std::string long_domain = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                    std::string(50, 'd') + ".test";
    cases.push_back({"query name too long", ask(dns, long_domain, "domains"), long_domain});
  }
  return cases;
}

const std::vector<words_case>& cases() {
  static const auto made = make_cases();
  return made;
}

void collect(const rbl::phrase& p, std::set<std::string>& keys) {
  if (p.key.empty()) return;
  keys.insert(p.key);
  for (const auto& v : p.values)
    if (!v.part.empty()) collect(v.part.front(), keys);
}

TEST(RblWords, EveryTextIsItsPhraseInEnglishAndTranslatedInChinese) {
  std::set<std::string> keys;
  const auto same = [&](const rbl::phrase& p, const std::string& english) {
    EXPECT_FALSE(p.key.empty()) << english;
    EXPECT_EQ(words().render(p, "en", "<unknown key>"), english) << p.key;
    const auto zh = words().render(p, "zh", "<unknown key>");
    EXPECT_THAT(zh, Not(HasSubstr("{"))) << p.key;
    // Only the catalogue's own words (rbl.said.text) stay as they are.
    if (p.key != "rbl.said.text") {
      EXPECT_NE(zh, english) << p.key;
    }
    collect(p, keys);
  };
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    const auto& l = c.listing;
    EXPECT_FALSE(l.detail.empty() && l.warnings.empty()) << "the case says nothing";
    if (!l.detail.empty()) same(l.detail_said, l.detail);
    ASSERT_EQ(l.warnings_said.size(), l.warnings.size());
    for (std::size_t i = 0; i < l.warnings.size(); ++i) same(l.warnings_said[i], l.warnings[i]);
    if (!l.health.detail.empty()) same(l.health.detail_said, l.health.detail);
  }
  // Every key but the few a fake zone cannot reach in one run (a health check outlasting
  // its timeout, no time left for TXT, a TXT lookup failing while A answered, a crash,
  // a list without a listed test point, an answer of records none of which is an A).
  const std::set<std::string> unreached{"rbl.said.health_pending", "rbl.said.no_time_for_txt", "rbl.said.txt_failed",
                                        "rbl.said.internal_error", "rbl.said.health_unlisted_only", "rbl.said.takes_ip6",
                                        "rbl.said.no_a_record"};
  // (The target refusals are reached by EveryRefusedTargetSaysWhyInBothLanguages.)
  for (const auto key : probe::output_words::required_keys())
    if (key.starts_with("rbl.said.") && !key.starts_with("rbl.said.target_") && !unreached.contains(std::string(key))) {
      EXPECT_TRUE(keys.contains(std::string(key))) << key << " is never produced";
    }
}

std::string report(const words_case& c, std::string_view lang) {
  probe::rbl_report r{target_of(c.target), {c.listing}, rbl::summarize({c.listing})};
  return probe::rbl_text(r, lang, 1);
}

TEST(RblWords, ProbeRblPrintsThemInChineseAndLeavesEnglishAlone) {
  std::string zh, en;
  for (const auto& c : cases()) {
    zh += report(c, "zh");
    en += report(c, "en");
  }
  // The resolver's own words are named too (names.resolver_detail).
  for (const char* line : {"超时（超时前 DNS 服务器没有应答）", "SERVFAIL：DNS 服务器故障", "应答为 198.51.100.7，不在 127.0.0.0/8 之内：该列表已损坏",
                           "列表异常，应答已丢弃：不应列入的测试点 127.0.0.1 被列入（127.0.0.2）",
                           "该列表未通过健康检查；其应答（已列入）已丢弃", "健康检查：测试点 127.0.0.2 未被列入",
                           "健康检查：测试点查询失败：REFUSED：DNS 服务器拒绝查询", "该列表对测试点返回了错误码",
                           "名称存在但没有 A 记录（NODATA）：不算列入", "该列表已不存在（自 2024-06 起停用）；未查询（--all 仍会查询）",
                           "该列表已不存在（自 2024-06 起停用）；它的应答没有意义", "该列表只接受 IPv4 地址",
                           "该列表只接受域名", "该列表只接受 IP 地址", "该列表需要密钥（--dqs-key）", "查询名称会超过 253 字节",
                           "（测试点 127.0.0.2 已列入，127.0.0.1 未列入）"})
    EXPECT_THAT(zh, HasSubstr(line)) << zh;
  for (const char* english : {"health check:", "test point", "no longer exists", "this list takes", "needs a key",
                              "discarded", "NODATA): not a listing", "outside 127.0.0.0/8", "no answer from"})
    EXPECT_THAT(zh, Not(HasSubstr(english))) << english;
  // English is the checker's text, as before.
  for (const auto& c : cases()) {
    const auto& l = c.listing;
    if (!l.detail.empty() && l.result != rbl::outcome::list_error) {
      EXPECT_THAT(en, HasSubstr("  " + l.detail));
    }
    for (const auto& w : l.warnings) EXPECT_THAT(en, HasSubstr("warning: " + w));
    if (!l.health.detail.empty()) {
      EXPECT_THAT(en, HasSubstr(" (" + l.health.detail + ")"));
    }
  }
}

TEST(RblWords, EveryRefusedTargetSaysWhyInBothLanguages) {
  std::set<std::string> keys;
  std::string zh;
  for (const std::string input : {"", "例子.test", "192.0.2.1 ", "fe80::1%eth0", "not_a_domain!", "192.0.2.300"}) {
    SCOPED_TRACE(input);
    auto parsed = rbl::parse_target(input);
    const auto* bad = std::get_if<rbl::target_error>(&parsed);
    ASSERT_NE(bad, nullptr);
    ASSERT_FALSE(bad->said.key.empty()) << bad->what;
    EXPECT_EQ(words().render(bad->said, "en", "<unknown key>"), bad->what);
    const auto in_zh = words().render(bad->said, "zh", "<unknown key>");
    EXPECT_NE(in_zh, bad->what);
    zh += in_zh + "\n";
    keys.insert(bad->said.key);
  }
  for (const auto key : probe::output_words::required_keys())
    if (key.starts_with("rbl.said.target_")) {
      EXPECT_TRUE(keys.contains(std::string(key))) << key << " is never produced";
    }
  EXPECT_THAT(zh, HasSubstr("“192.0.2.300”不是有效的 IP 地址"));
  EXPECT_THAT(zh, HasSubstr("“not_a_domain!”既不是 IP 地址，也不是域名"));
}

}  // namespace
