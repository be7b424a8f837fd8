// rbl::checker against an in-memory DNS world: every outcome kept apart, health checks
// (RFC 5782 §5) cached, IPv6 nibbles, domain lists, dead lists and the DQS key.

#include "rbl/checker.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/rbl/parsed.hpp"
#include "tests/rbl/run_sync.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace {

namespace net = boost::asio;
using testing::HasSubstr;

constexpr std::string_view test_catalogue = R"(
lists:
  - name: zenlike
    title: ZEN-like
    zone: zen.test
    kind: ip
    default: true
    codes:
      - {match: 127.0.0.2, name: SBL, meaning: spam source, meaning_zh: 垃圾邮件来源}
      - {match: 127.0.0.4-127.0.0.7, name: XBL, meaning: exploited host, meaning_zh: 被利用的主机}
      - {match: 127.0.0.10, name: PBL, meaning: policy, meaning_zh: 策略}
    errors:
      - match: 127.255.255.254
        meaning: query via a public resolver refused
        meaning_zh: 公共解析器的查询被拒绝
        advice: {en: use your own resolver, zh: 请使用自建 DNS}
    removal: https://zen.test/remove
    lookup: "https://zen.test/lookup?q={target}"
  - name: v4only
    zone: v4.test
    kind: ip4
    default: true
  - name: domains
    zone: dom.test
    kind: domain
    default: true
  - name: quiet
    zone: quiet.test
    kind: ip4
    default: false
  - name: deadlist
    title: Dead list
    zone: dead.test
    covers: [deadop.test]
    kind: ip4
    status: dead
    dead_since: 2024-06
  - name: keyed
    zone: "{key}.dq.test"
    key: dqs
    kind: ip
    default: true
  - name: public-twin
    zone: twin.test
    kind: ip
    default: true
    superseded_by_key: keyed
  - name: allow
    zone: wl.test
    kind: ip
    role: allow
    default: true
    errors:
      - {match: 127.0.0.255, meaning: refused, meaning_zh: 拒绝}
)";

rbl::catalogue make_catalogue() { return rbl::testing::catalogue_from(test_catalogue); }
using rbl::testing::target_of;

// A zone that follows RFC 5782 §5: 127.0.0.2 listed, 127.0.0.1 not.
void healthy_ip4_zone(fakes::memory_zone& dns, const std::string& zone) {
  dns.add_a("2.0.0.127." + zone, "127.0.0.2");
  dns.add_txt("2.0.0.127." + zone, "test point");
}

std::size_t count_queries(const fakes::memory_zone& dns, const std::string& name, std::uint16_t type) {
  return static_cast<std::size_t>(std::count_if(dns.log().begin(), dns.log().end(), [&](const auto& q) {
    return dns::normalize_name(q.first) == name && q.second == type;
  }));
}

class CheckerTest : public testing::Test {
 protected:
  rbl::catalogue lists_ = make_catalogue();
  fakes::memory_zone dns_;
  net::io_context io_;

  std::vector<rbl::listing> check(std::string_view target, std::vector<std::string> zones,
                                  rbl::check_options options = {}) {
    rbl::checker checker(dns_, lists_, options);
    return check_with(checker, target, std::move(zones));
  }
  std::vector<rbl::listing> check_with(rbl::checker& checker, std::string_view target, std::vector<std::string> zones) {
    auto result = test_support::run_sync<std::variant<std::vector<rbl::listing>, rbl::selection_error>>(
        io_, [&] { return checker.check(target_of(target), zones); });
    if (auto* e = std::get_if<rbl::selection_error>(&result)) throw std::runtime_error(e->what);
    return std::get<std::vector<rbl::listing>>(std::move(result));
  }
  rbl::listing check_one(std::string_view target, std::string zone, rbl::check_options options = {}) {
    auto results = check(target, {std::move(zone)}, options);
    if (results.size() != 1) throw std::runtime_error("expected one listing");
    return results.front();
  }
};

TEST_F(CheckerTest, ListedWithSeveralCodesAndTheReason) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.4");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.10");
  dns_.add_txt("1.2.0.192.zen.test", "Listed in SBL, see https://zen.test/sbl/1");
  dns_.add_txt("1.2.0.192.zen.test", std::vector<std::string>{"Listed in ", "PBL"});

  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.result, rbl::outcome::listed);
  EXPECT_TRUE(l.blocks());
  EXPECT_EQ(l.query_name, "1.2.0.192.zen.test");
  ASSERT_EQ(l.codes.size(), 3u);
  std::vector<std::string> names;
  for (const auto& c : l.codes) names.push_back(c.name);
  EXPECT_THAT(names, testing::UnorderedElementsAre("SBL", "XBL", "PBL"));
  EXPECT_THAT(l.txt, testing::UnorderedElementsAre("Listed in SBL, see https://zen.test/sbl/1", "Listed in PBL"));
  EXPECT_EQ(l.health.state, rbl::health_state::healthy);
  EXPECT_EQ(l.removal_page, "https://zen.test/remove");
  EXPECT_EQ(l.lookup_page, "https://zen.test/lookup?q=192.0.2.1");
  EXPECT_TRUE(l.warnings.empty());
}

// Each hit carries its meaning in both languages from the decode, so a consumer never
// needs the catalogue again to show it in Chinese.
TEST_F(CheckerTest, EachCodeCarriesItsChineseMeaning) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.5");  // inside the XBL range
  const auto l = check_one("192.0.2.1", "zenlike");
  ASSERT_EQ(l.codes.size(), 1u);
  EXPECT_EQ(l.codes[0].meaning, "exploited host");
  EXPECT_EQ(l.codes[0].meaning_zh, "被利用的主机");

  dns::answer a;
  a.result = dns::outcome::records;
  for (const char* address : {"127.255.255.254", "127.0.0.99", "198.51.100.7"})
    a.records.push_back({"1.2.0.192.zen.test", dns::type::a, 60, boost::asio::ip::make_address_v4(address)});
  const auto hits = rbl::decode_answer(*lists_.find_name("zenlike"), a);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].meaning_zh, "公共解析器的查询被拒绝");
  EXPECT_EQ(hits[1].meaning_zh, "已列入（列表未公布此返回码的含义）");
  EXPECT_EQ(hits[2].kind, rbl::code_class::bogus);
  EXPECT_EQ(hits[2].meaning_zh, "应答不在 127.0.0.0/8 内：该列表已损坏，或其域名已不再运行 DNSBL");
}

TEST_F(CheckerTest, NotListedAsksNoTxt) {
  healthy_ip4_zone(dns_, "zen.test");
  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.result, rbl::outcome::not_listed);
  EXPECT_FALSE(l.blocks());
  EXPECT_FALSE(l.inconclusive());
  EXPECT_EQ(count_queries(dns_, "1.2.0.192.zen.test", dns::type::txt), 0u);
  EXPECT_EQ(count_queries(dns_, "1.2.0.192.zen.test", dns::type::a), 1u);
}

TEST_F(CheckerTest, ListErrorCodeIsNotAListing) {
  // A public resolver: Spamhaus-style lists answer 127.255.255.254 to everything.
  for (const char* name : {"1.2.0.192.zen.test", "2.0.0.127.zen.test", "1.0.0.127.zen.test"})
    dns_.add_a(name, "127.255.255.254");
  dns_.add_txt("1.2.0.192.zen.test", "public resolver, see https://zen.test/refused");
  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.result, rbl::outcome::list_error);
  EXPECT_FALSE(l.blocks());
  EXPECT_TRUE(l.inconclusive());
  EXPECT_THAT(l.detail, HasSubstr("public resolver"));
  ASSERT_EQ(l.codes.size(), 1u);
  EXPECT_EQ(l.codes[0].kind, rbl::code_class::error);
  EXPECT_EQ(l.codes[0].advice.in("zh"), "请使用自建 DNS");
  EXPECT_EQ(l.health.state, rbl::health_state::refused);
  EXPECT_THAT(l.txt, testing::ElementsAre("public resolver, see https://zen.test/refused"));
}

TEST_F(CheckerTest, ErrorCodeBesideAListingIsStillAnError) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  dns_.add_a("1.2.0.192.zen.test", "127.255.255.254");
  EXPECT_EQ(check_one("192.0.2.1", "zenlike").result, rbl::outcome::list_error);
}

TEST_F(CheckerTest, TimeoutAndServfailAreUnknownNotClean) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.fail("1.2.0.192.zen.test", dns::outcome::timeout);
  dns_.fail("2.2.0.192.zen.test", dns::outcome::servfail);
  const auto timed_out = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(timed_out.result, rbl::outcome::unknown);
  EXPECT_THAT(timed_out.detail, HasSubstr("timeout"));
  const auto servfail = check_one("192.0.2.2", "zenlike");
  EXPECT_EQ(servfail.result, rbl::outcome::unknown);
  EXPECT_THAT(servfail.detail, HasSubstr("SERVFAIL"));
}

TEST_F(CheckerTest, AnswerOutsideLoopbackIsBogus) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_a("1.2.0.192.zen.test", "198.51.100.7");  // an expired list domain parked on a web server
  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.result, rbl::outcome::bogus);
  EXPECT_FALSE(l.blocks());
  EXPECT_THAT(l.detail, HasSubstr("198.51.100.7"));
}

TEST_F(CheckerTest, WildcardListIsDiscardedWithAWarning) {
  // A dead list that answers "listed" to everything, 127.0.0.1 included.
  for (const char* name : {"1.2.0.192.zen.test", "2.0.0.127.zen.test", "1.0.0.127.zen.test"})
    dns_.add_a(name, "127.0.0.2");
  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.result, rbl::outcome::unhealthy);
  EXPECT_FALSE(l.blocks());
  EXPECT_EQ(l.health.state, rbl::health_state::wildcard);
  ASSERT_FALSE(l.warnings.empty());
  EXPECT_THAT(l.warnings.front(), HasSubstr("discarded"));
  EXPECT_THAT(l.detail, HasSubstr("listed"));  // what the discarded answer said
}

TEST_F(CheckerTest, BrokenTestPointMakesTheListUnhealthy) {
  dns_.add_a("2.0.0.127.zen.test", "203.0.113.9");
  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.health.state, rbl::health_state::broken);
  EXPECT_EQ(l.result, rbl::outcome::unhealthy);
}

TEST_F(CheckerTest, MissingTestPointIsAWarningOnly) {
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.result, rbl::outcome::listed);
  EXPECT_EQ(l.health.state, rbl::health_state::no_test_point);
  ASSERT_FALSE(l.warnings.empty());
  EXPECT_THAT(l.warnings.front(), HasSubstr("127.0.0.2"));
}

TEST_F(CheckerTest, NodataIsNotListed) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_txt("1.2.0.192.zen.test", "only a TXT record");
  const auto l = check_one("192.0.2.1", "zenlike");
  EXPECT_EQ(l.result, rbl::outcome::not_listed);
  EXPECT_THAT(l.detail, HasSubstr("NODATA"));
}

TEST_F(CheckerTest, Ipv6TargetsUseNibblesAndIpv6TestPoints) {
  const std::string nibbles = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";
  dns_.add_a(nibbles + ".zen.test", "127.0.0.3");
  // RFC 5782 §5: ::FFFF:7F00:2 listed, ::FFFF:7F00:1 not.
  dns_.add_a("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.zen.test", "127.0.0.2");
  const auto results = check("2001:db8::1", {});
  const auto zen = std::find_if(results.begin(), results.end(), [](auto& l) { return l.list_name == "zenlike"; });
  ASSERT_NE(zen, results.end());
  EXPECT_EQ(zen->query_name, nibbles + ".zen.test");
  EXPECT_EQ(zen->result, rbl::outcome::listed);
  EXPECT_EQ(zen->health.state, rbl::health_state::healthy);
  EXPECT_EQ(zen->health.listed_point, "::ffff:7f00:2");
  // IPv4-only and domain lists are not in the default set for an IPv6 address.
  for (const auto& l : results) {
    EXPECT_NE(l.list_name, "v4only");
    EXPECT_NE(l.list_name, "domains");
  }
  // Named explicitly, the IPv4-only list is reported as skipped, not asked.
  const auto skipped = check_one("2001:db8::1", "v4only");
  EXPECT_EQ(skipped.result, rbl::outcome::skipped);
  EXPECT_THAT(skipped.detail, HasSubstr("IPv4"));
  EXPECT_EQ(count_queries(dns_, nibbles + ".v4.test", dns::type::a), 0u);
}

TEST_F(CheckerTest, Ipv4MappedAddressesAreAskedAsIpv4) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  const auto l = check_one("::ffff:192.0.2.1", "zenlike");
  EXPECT_EQ(l.query_name, "1.2.0.192.zen.test");
  EXPECT_EQ(l.result, rbl::outcome::listed);
}

TEST_F(CheckerTest, DomainListsUseTestAndInvalid) {
  dns_.add_a("test.dom.test", "127.0.0.2");
  dns_.add_a("spam.example.dom.test", "127.0.0.2");
  const auto listed = check_one("Spam.Example.", "domains");
  EXPECT_EQ(listed.query_name, "spam.example.dom.test");
  EXPECT_EQ(listed.result, rbl::outcome::listed);
  EXPECT_EQ(listed.health.state, rbl::health_state::healthy);
  EXPECT_EQ(listed.health.listed_point, "test");
  EXPECT_EQ(listed.health.unlisted_point, "invalid");
  EXPECT_EQ(check_one("clean.example", "domains").result, rbl::outcome::not_listed);

  // A domain list that lists INVALID is wildcarding.
  dns_.add_a("invalid.dom.test", "127.0.0.2");
  rbl::checker fresh(dns_, lists_);
  const auto wild = check_with(fresh, "clean.example", {"domains"});
  EXPECT_EQ(wild.front().result, rbl::outcome::unhealthy);
  EXPECT_EQ(wild.front().health.state, rbl::health_state::wildcard);

  // Domain targets ask only domain lists by default.
  const auto defaults = check("clean.example", {});
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults.front().list_name, "domains");
}

TEST_F(CheckerTest, DeadListsAreNotAskedUnlessAll) {
  const auto dead = check_one("192.0.2.1", "dead.test");
  EXPECT_EQ(dead.result, rbl::outcome::dead);
  EXPECT_EQ(dead.list_name, "deadlist");
  EXPECT_THAT(dead.detail, HasSubstr("no longer exists"));
  EXPECT_THAT(dead.detail, HasSubstr("2024-06"));
  EXPECT_EQ(dns_.queries(), 0u);

  // A sub-zone of the dead operator, as a bounce might cite it.
  EXPECT_EQ(check_one("192.0.2.1", "cbl.deadop.test").result, rbl::outcome::dead);

  // Default selection never includes it.
  for (const auto& l : check("192.0.2.1", {})) EXPECT_NE(l.list_name, "deadlist");

  // --all asks it; a dead list that wildcards is discarded.
  for (const char* name : {"1.2.0.192.dead.test", "2.0.0.127.dead.test", "1.0.0.127.dead.test"})
    dns_.add_a(name, "127.0.0.2");
  rbl::check_options all;
  all.include_all = true;
  const auto asked = check_one("192.0.2.1", "deadlist", all);
  EXPECT_EQ(asked.result, rbl::outcome::unhealthy);
  EXPECT_THAT(asked.warnings.front(), HasSubstr("no longer exists"));
  const auto everything = check("192.0.2.1", {}, all);
  EXPECT_TRUE(std::any_of(everything.begin(), everything.end(), [](auto& l) { return l.list_name == "deadlist"; }));
  EXPECT_TRUE(std::any_of(everything.begin(), everything.end(), [](auto& l) { return l.list_name == "quiet"; }));
}

TEST_F(CheckerTest, KeyedZoneIsBuiltFromTheKeyAndMasked) {
  rbl::check_options with_key;
  with_key.dqs_key = "S3cretKey";
  healthy_ip4_zone(dns_, "s3cretkey.dq.test");
  dns_.add_a("1.2.0.192.s3cretkey.dq.test", "127.0.0.2");
  const auto results = check("192.0.2.1", {}, with_key);
  const auto keyed = std::find_if(results.begin(), results.end(), [](auto& l) { return l.list_name == "keyed"; });
  ASSERT_NE(keyed, results.end());
  EXPECT_EQ(keyed->result, rbl::outcome::listed);
  EXPECT_EQ(keyed->zone, "<dqs-key>.dq.test");
  EXPECT_EQ(keyed->query_name, "1.2.0.192.<dqs-key>.dq.test");
  EXPECT_EQ(count_queries(dns_, "1.2.0.192.s3cretkey.dq.test", dns::type::a), 1u);
  // With the key, the public twin is replaced by its keyed version.
  EXPECT_TRUE(std::none_of(results.begin(), results.end(), [](auto& l) { return l.list_name == "public-twin"; }));

  // Without a key: not in the defaults, and named explicitly it is skipped.
  const auto defaults = check("192.0.2.1", {});
  EXPECT_TRUE(std::none_of(defaults.begin(), defaults.end(), [](auto& l) { return l.list_name == "keyed"; }));
  EXPECT_TRUE(std::any_of(defaults.begin(), defaults.end(), [](auto& l) { return l.list_name == "public-twin"; }));
  const auto no_key = check_one("192.0.2.1", "keyed");
  EXPECT_EQ(no_key.result, rbl::outcome::skipped);
  EXPECT_THAT(no_key.detail, HasSubstr("key"));

  // A keyed zone typed in full is recognised and its key masked.
  const auto typed = check_one("192.0.2.1", "s3cretkey.dq.test");
  EXPECT_EQ(typed.list_name, "keyed");
  EXPECT_EQ(typed.result, rbl::outcome::listed);
  EXPECT_EQ(typed.query_name.find("s3cret"), std::string::npos);
}

TEST_F(CheckerTest, HealthIsCheckedOncePerZoneForTheCheckersLife) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  rbl::checker checker(dns_, lists_);
  for (const char* ip : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) check_with(checker, ip, {"zenlike", "v4only"});
  EXPECT_EQ(count_queries(dns_, "2.0.0.127.zen.test", dns::type::a), 1u);
  EXPECT_EQ(count_queries(dns_, "1.0.0.127.zen.test", dns::type::a), 1u);
  EXPECT_EQ(checker.health_checks_run(), 2u);
  // Concurrent checks of one zone share the health check in flight.
  rbl::checker concurrent(dns_, lists_);
  check_with(concurrent, "192.0.2.9", {"zenlike", "zen.test"});  // same zone twice → deduplicated
  check_with(concurrent, "192.0.2.9", {"zenlike"});
  EXPECT_EQ(concurrent.health_checks_run(), 1u);
}

TEST_F(CheckerTest, FailedHealthChecksAreRetriedLater) {
  dns_.fail("2.0.0.127.zen.test", dns::outcome::timeout);
  rbl::checker checker(dns_, lists_);
  const auto first = check_with(checker, "192.0.2.1", {"zenlike"});
  EXPECT_EQ(first.front().health.state, rbl::health_state::unknown);
  check_with(checker, "192.0.2.1", {"zenlike"});
  EXPECT_EQ(checker.health_checks_run(), 2u);
}

TEST_F(CheckerTest, RawZonesFollowRfc5782) {
  healthy_ip4_zone(dns_, "bl.example.org");
  dns_.add_a("1.2.0.192.bl.example.org", "127.0.0.9");
  const auto l = check_one("192.0.2.1", "BL.example.org");
  EXPECT_FALSE(l.in_catalogue);
  EXPECT_EQ(l.list_name, "bl.example.org");
  EXPECT_EQ(l.result, rbl::outcome::listed);
  ASSERT_EQ(l.codes.size(), 1u);
  EXPECT_FALSE(l.codes[0].documented);
  EXPECT_EQ(l.health.state, rbl::health_state::healthy);
}

TEST_F(CheckerTest, AllowlistRefusalIsAnErrorAndListingIsNotABlock) {
  healthy_ip4_zone(dns_, "wl.test");
  dns_.add_a("1.2.0.192.wl.test", "127.0.10.3");
  dns_.add_a("2.2.0.192.wl.test", "127.0.0.255");
  const auto listed = check_one("192.0.2.1", "allow");
  EXPECT_EQ(listed.result, rbl::outcome::listed);
  EXPECT_TRUE(listed.allowlisted());
  EXPECT_FALSE(listed.blocks());
  EXPECT_EQ(check_one("192.0.2.2", "allow").result, rbl::outcome::list_error);
}

TEST_F(CheckerTest, TxtIsBounded) {
  healthy_ip4_zone(dns_, "zen.test");
  dns_.add_a("1.2.0.192.zen.test", "127.0.0.2");
  for (int i = 0; i < 40; ++i) dns_.add_txt("1.2.0.192.zen.test", std::string(5000, 'x'));
  rbl::check_options options;
  const auto l = check_one("192.0.2.1", "zenlike", options);
  EXPECT_EQ(l.txt.size(), options.max_txt_records);
  for (const auto& t : l.txt) EXPECT_EQ(t.size(), options.max_txt_bytes);
}

TEST_F(CheckerTest, ManyARecordsAreBounded) {
  healthy_ip4_zone(dns_, "zen.test");
  for (int i = 2; i < 200; ++i) dns_.add_a("1.2.0.192.zen.test", "127.0.0." + std::to_string(i));
  EXPECT_EQ(check_one("192.0.2.1", "zenlike").codes.size(), rbl::check_options{}.max_codes);
}

TEST_F(CheckerTest, SelectionRejectsWhatIsNotAZone) {
  rbl::checker checker(dns_, lists_);
  auto result = test_support::run_sync<std::variant<std::vector<rbl::listing>, rbl::selection_error>>(
      io_, [&] { return checker.check(target_of("192.0.2.1"), {"zen.test\r\nQUIT"}); });
  ASSERT_TRUE(std::holds_alternative<rbl::selection_error>(result));
  EXPECT_THAT(std::get<rbl::selection_error>(result).what, HasSubstr("neither"));
  EXPECT_EQ(dns_.queries(), 0u);
}

TEST(Target, ParsesAddressesAndDomainsAndRefusesTheRest) {
  EXPECT_EQ(target_of("192.0.2.1").text, "192.0.2.1");
  EXPECT_EQ(target_of("[192.0.2.1]").text, "192.0.2.1");
  EXPECT_TRUE(target_of("2001:DB8::1").is_ipv6());
  EXPECT_EQ(target_of("2001:DB8::1").text, "2001:db8::1");
  EXPECT_FALSE(target_of("::ffff:192.0.2.1").is_ipv6());
  EXPECT_EQ(target_of("Example.COM.").text, "example.com");
  EXPECT_TRUE(target_of("example.com").is_domain());
  for (std::string_view bad : std::initializer_list<std::string_view>{"", "exa mple.com", "example.com\r\nRSET", std::string_view("a\0b.com", 7), "例子.中国",
                               "nodot", "192.0.2.300"})
    EXPECT_TRUE(std::holds_alternative<rbl::target_error>(rbl::parse_target(bad))) << bad;
  EXPECT_EQ(rbl::query_name(target_of("192.0.2.1"), "Zen.Test."), "1.2.0.192.zen.test");
}

}  // namespace
