// The DNSBL catalogue: the shipped file loads, holds the lists the issue names with their
// codes, finds lists by the zone a bounce cites, and rejects malformed entries by name.

#include "rbl/catalogue.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/address_v4.hpp>

namespace {

using boost::asio::ip::make_address_v4;

const rbl::catalogue& shipped() {
  static const rbl::catalogue instance = [] {
    auto loaded = rbl::catalogue::load(PROBE_SOURCE_DIR "/rbl/data/catalogue.yaml");
    if (auto* error = std::get_if<rbl::load_error>(&loaded)) {
      ADD_FAILURE() << error->what;
      return rbl::catalogue{};
    }
    return std::get<rbl::catalogue>(std::move(loaded));
  }();
  return instance;
}

const rbl::list_entry& named(std::string_view name) {
  const auto* entry = shipped().find_name(name);
  if (entry == nullptr) throw std::runtime_error("missing list " + std::string(name));
  return *entry;
}

TEST(Catalogue, ShippedFileHoldsEveryListTheIssueNames) {
  for (const char* name : {"spamhaus-zen", "spamhaus-dbl", "spamhaus-dqs-zen", "spamhaus-dqs-dbl", "spamcop",
                           "barracuda", "uceprotect-1", "uceprotect-2", "uceprotect-3", "psbl", "mailspike", "s5h",
                           "dnswl", "surbl", "uribl", "sorbs", "casa-cbl", "casa-cdl", "casa-cblplus"})
    EXPECT_NE(shipped().find_name(name), nullptr) << name;
}

TEST(Catalogue, SpamhausZenCodesAndErrors) {
  const auto& zen = named("spamhaus-zen");
  EXPECT_EQ(zen.zone, "zen.spamhaus.org");
  EXPECT_EQ(zen.kind, rbl::list_kind::ip);
  const auto decode = [&](const char* a) { return zen.codes.decode(make_address_v4(a)); };
  EXPECT_EQ(decode("127.0.0.2").name, "SBL");
  EXPECT_EQ(decode("127.0.0.3").name, "CSS");
  for (const char* xbl : {"127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"}) EXPECT_EQ(decode(xbl).name, "XBL") << xbl;
  EXPECT_EQ(decode("127.0.0.9").name, "DROP");
  EXPECT_EQ(decode("127.0.0.10").name, "PBL");
  EXPECT_EQ(decode("127.0.0.11").name, "PBL");
  for (const char* error : {"127.255.255.252", "127.255.255.254", "127.255.255.255"}) {
    const auto d = decode(error);
    EXPECT_EQ(d.kind, rbl::code_class::error) << error;
    EXPECT_TRUE(d.documented);
  }
  EXPECT_NE(decode("127.255.255.254").meaning.find("public"), std::string::npos);
  EXPECT_FALSE(decode("127.255.255.254").advice.zh.empty());
  EXPECT_EQ(decode("192.0.2.1").kind, rbl::code_class::bogus);
  const auto undocumented = decode("127.0.0.77");
  EXPECT_EQ(undocumented.kind, rbl::code_class::listing);
  EXPECT_FALSE(undocumented.documented);
}

TEST(Catalogue, SpamhausDblCodesIncludingIpQueryError) {
  const auto& dbl = named("spamhaus-dbl");
  EXPECT_EQ(dbl.kind, rbl::list_kind::domain);
  EXPECT_EQ(dbl.codes.decode(make_address_v4("127.0.1.2")).kind, rbl::code_class::listing);
  EXPECT_EQ(dbl.codes.decode(make_address_v4("127.0.1.4")).name, "DBL phish");
  const auto ip_error = dbl.codes.decode(make_address_v4("127.0.1.255"));
  EXPECT_EQ(ip_error.kind, rbl::code_class::error);
  EXPECT_NE(ip_error.meaning.find("IP address"), std::string::npos);
}

TEST(Catalogue, DqsZoneNeedsKeyAndNeverShowsIt) {
  const auto& dqs = named("spamhaus-dqs-zen");
  EXPECT_EQ(dqs.access, rbl::list_access::key);
  EXPECT_EQ(dqs.zone_with_key(""), "");
  EXPECT_EQ(dqs.zone_with_key("AbC123secret"), "abc123secret.zen.dq.spamhaus.net");
  EXPECT_EQ(dqs.display_zone().find("secret"), std::string::npos);
  EXPECT_EQ(dqs.display_zone(), "<dqs-key>.zen.dq.spamhaus.net");
  EXPECT_EQ(named("spamhaus-zen").superseded_by_key, "spamhaus-dqs-zen");
}

TEST(Catalogue, DnswlIsAnAllowlistWhose255MeansRefused) {
  const auto& dnswl = named("dnswl");
  EXPECT_EQ(dnswl.role, rbl::list_role::allow);
  const auto refused = dnswl.codes.decode(make_address_v4("127.0.0.255"));
  EXPECT_EQ(refused.kind, rbl::code_class::error);
  const auto listed = dnswl.codes.decode(make_address_v4("127.0.10.3"));
  EXPECT_EQ(listed.kind, rbl::code_class::listing);
  EXPECT_EQ(listed.name, "special case");
  EXPECT_NE(listed.meaning.find("trust high"), std::string::npos);
}

TEST(Catalogue, SurblAndUriblDecodeBitmasks) {
  const auto& surbl = named("surbl");
  const auto both = surbl.codes.decode(make_address_v4("127.0.0.24"));  // 8 + 16
  EXPECT_EQ(both.kind, rbl::code_class::listing);
  EXPECT_EQ(both.name, "PH+MW");
  EXPECT_EQ(surbl.codes.decode(make_address_v4("127.0.0.1")).kind, rbl::code_class::error);
  const auto& uribl = named("uribl");
  EXPECT_EQ(uribl.codes.decode(make_address_v4("127.0.0.14")).name, "black+grey+red");
  EXPECT_EQ(uribl.codes.decode(make_address_v4("127.0.0.1")).kind, rbl::code_class::error);
  const auto odd = uribl.codes.decode(make_address_v4("127.0.0.18"));  // 2 + 16: 16 undocumented
  EXPECT_EQ(odd.name, "black");
  EXPECT_NE(odd.meaning.find("undocumented bits 16"), std::string::npos);
}

TEST(Catalogue, DeadListsAreMarkedAndNotDefault) {
  for (const char* name : {"sorbs", "casa-cbl", "casa-cdl", "casa-cblplus"}) {
    const auto& list = named(name);
    EXPECT_EQ(list.status, rbl::list_status::dead) << name;
    EXPECT_FALSE(list.default_query) << name;
    EXPECT_FALSE(list.dead_since.empty()) << name;
  }
  EXPECT_EQ(named("casa-cblplus").codes.decode(make_address_v4("127.0.8.6")).name, "CBL+");
}

TEST(Catalogue, FindsTheListABounceCites) {
  const auto& c = shipped();
  ASSERT_NE(c.find_zone("cblplus.anti-spam.org.cn"), nullptr);
  EXPECT_EQ(c.find_zone("cblplus.anti-spam.org.cn")->name, "casa-cblplus");
  EXPECT_EQ(c.find_zone("CBLPLUS.Anti-Spam.org.cn.")->name, "casa-cblplus");
  // A sub-list nobody catalogued still belongs to the dead operator.
  ASSERT_NE(c.find_zone("cml.anti-spam.org.cn"), nullptr);
  EXPECT_EQ(c.find_zone("cml.anti-spam.org.cn")->status, rbl::list_status::dead);
  EXPECT_EQ(c.find_zone("dnsbl.sorbs.net")->name, "sorbs");
  EXPECT_EQ(c.find_zone("spam.dnsbl.sorbs.net")->name, "sorbs");
  EXPECT_EQ(c.find_zone("zen.spamhaus.org")->name, "spamhaus-zen");
  EXPECT_FALSE(c.find_zone("zen.spamhaus.org")->removal_page.empty());
  EXPECT_EQ(c.find_zone("sbl-xbl.spamhaus.org")->name, "spamhaus-sbl");
  EXPECT_EQ(c.find_zone("mykey123.zen.dq.spamhaus.net")->name, "spamhaus-dqs-zen");
  EXPECT_EQ(c.find_zone("bl.spamcop.net")->name, "spamcop");
  EXPECT_EQ(c.find_zone("spamcop.net"), nullptr);
  EXPECT_EQ(c.find_zone("bl.example.org"), nullptr);
  EXPECT_EQ(c.find("psbl")->zone, "psbl.surriel.com");
  EXPECT_EQ(c.find("psbl.surriel.com")->name, "psbl");
}

TEST(Catalogue, RawZoneFollowsRfc5782) {
  const auto raw = rbl::catalogue::raw_zone("BL.Example.ORG.", rbl::list_kind::ip4);
  EXPECT_FALSE(raw.in_catalogue);
  EXPECT_EQ(raw.zone, "bl.example.org");
  EXPECT_EQ(raw.codes.decode(make_address_v4("127.0.0.2")).kind, rbl::code_class::listing);
  EXPECT_EQ(raw.codes.decode(make_address_v4("127.0.0.1")).kind, rbl::code_class::listing);
  EXPECT_EQ(raw.codes.decode(make_address_v4("10.0.0.1")).kind, rbl::code_class::bogus);
  EXPECT_TRUE(raw.takes(true, false));
  const auto points = shipped().test_points_for(raw, rbl::list_kind::ip6);
  EXPECT_EQ(points.listed, "::ffff:7f00:2");
}

TEST(Catalogue, TestPointOverrides) {
  EXPECT_EQ(shipped().test_points_for(named("spamhaus-dbl"), rbl::list_kind::domain).listed, "dbltest.com");
  EXPECT_EQ(shipped().test_points_for(named("spamcop"), rbl::list_kind::ip4).unlisted, "127.0.0.1");
}

TEST(Catalogue, MalformedEntriesAreNamed) {
  const auto error_of = [](std::string_view yaml) {
    auto loaded = rbl::catalogue::parse(yaml, "test.yaml");
    const auto* error = std::get_if<rbl::load_error>(&loaded);
    return error ? error->what : std::string("(loaded)");
  };
  EXPECT_NE(error_of("lists: [{name: a, zone: bl.example, codes: [{match: 127.0.0}]}]").find("list 1 (a): bad code range"),
            std::string::npos);
  EXPECT_NE(error_of("lists: [{name: a, zone: bl.example}, {name: a, zone: bl2.example}]").find("list 2 (a): duplicate"),
            std::string::npos);
  EXPECT_NE(error_of("lists: [{name: a, zone: 'bad zone'}]").find("not a valid DNS name"), std::string::npos);
  EXPECT_NE(error_of("lists: [{name: a, zone: bl.example, kind: ipx}]").find("unknown kind"), std::string::npos);
  EXPECT_NE(error_of("lists: [{name: a, zone: bl.example, bitmask: [{bit: 3}]}]").find("single bit"), std::string::npos);
  EXPECT_NE(error_of("lists: [{name: a, zone: '{key}.bl.example'}]").find("placeholder"), std::string::npos);
  EXPECT_NE(error_of("lists: [{name: a").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_of("- just a list").find("'lists'"), std::string::npos);
  EXPECT_EQ(error_of("lists: [{name: a, zone: bl.example}]"), "(loaded)");
  auto missing = rbl::catalogue::load("/nonexistent/catalogue.yaml");
  ASSERT_TRUE(std::holds_alternative<rbl::load_error>(missing));
  EXPECT_NE(std::get<rbl::load_error>(missing).what.find("cannot be read"), std::string::npos);
}

TEST(Catalogue, AddressRanges) {
  const auto cidr = rbl::address_range::parse("127.0.8.0/24");
  ASSERT_TRUE(cidr);
  EXPECT_TRUE(cidr->contains(make_address_v4("127.0.8.255")));
  EXPECT_FALSE(cidr->contains(make_address_v4("127.0.9.0")));
  const auto span = rbl::address_range::parse(" 127.0.0.4 - 127.0.0.7 ");
  ASSERT_TRUE(span);
  EXPECT_TRUE(span->contains(make_address_v4("127.0.0.5")));
  EXPECT_FALSE(span->contains(make_address_v4("127.0.0.8")));
  EXPECT_FALSE(rbl::address_range::parse("127.0.0.7-127.0.0.4"));
  EXPECT_FALSE(rbl::address_range::parse("127.0.0.0/33"));
  EXPECT_FALSE(rbl::address_range::parse("::1"));
}

TEST(Catalogue, ZoneNameValidity) {
  EXPECT_TRUE(rbl::valid_zone_name("zen.spamhaus.org"));
  EXPECT_TRUE(rbl::valid_zone_name("zen.spamhaus.org."));
  EXPECT_FALSE(rbl::valid_zone_name("localhost"));
  EXPECT_FALSE(rbl::valid_zone_name("a..b"));
  EXPECT_FALSE(rbl::valid_zone_name("-a.b"));
  EXPECT_FALSE(rbl::valid_zone_name("a b.c"));
  EXPECT_FALSE(rbl::valid_zone_name("a.b\r\nQUIT"));
  EXPECT_FALSE(rbl::valid_zone_name(std::string(64, 'a') + ".com"));
}

// ---- Chinese meanings ----------------------------------------------------------------------

// True when `text` holds a CJK ideograph (U+4E00..U+9FFF: E4 B8 80 .. E9 BF BF in UTF-8).
bool has_chinese(const std::string& text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xE4 && lead <= 0xE9) return true;
  }
  return false;
}

// The sentences code_table::decode() says itself (rbl/codes.cpp), in Chinese.
constexpr std::string_view bogus_zh = "应答不在 127.0.0.0/8 内：该列表已损坏，或其域名已不再运行 DNSBL";
constexpr std::string_view undocumented_zh = "已列入（列表未公布此返回码的含义）";

TEST(CatalogueChinese, EveryMeaningOfTheShippedFileHasItsChinese) {
  std::size_t meanings = 0;
  for (const auto& list : shipped().lists()) {
    SCOPED_TRACE(list.name);
    const auto& table = list.codes;
    for (const auto& c : table.codes) {
      EXPECT_TRUE(has_chinese(c.meaning_zh)) << c.meaning_zh;
      EXPECT_NE(c.meaning_zh, c.meaning);
      EXPECT_FALSE(has_chinese(c.name)) << c.name;  // names stay in Latin letters (SBL, PBL)
    }
    for (const auto& b : table.bitmask) EXPECT_TRUE(has_chinese(b.meaning_zh)) << b.meaning_zh;
    for (const auto& e : table.errors) EXPECT_TRUE(has_chinese(e.meaning_zh)) << e.meaning_zh;
    for (const auto* octet : {&table.octets.third, &table.octets.fourth})
      for (const auto& [value, text] : *octet) {
        EXPECT_TRUE(has_chinese(text.meaning_zh)) << value;
        EXPECT_FALSE(has_chinese(text.meaning)) << value;
      }
    meanings += table.codes.size() + table.bitmask.size() + table.errors.size();
  }
  EXPECT_GE(meanings, 60u);  // the lists share anchored tables; each list counts its own
}

TEST(CatalogueChinese, DecodeTellsTheChineseBesideTheEnglish) {
  const auto zh = [&](const char* list, const char* address) {
    return named(list).codes.decode(make_address_v4(address)).meaning_zh;
  };
  EXPECT_EQ(zh("spamhaus-zen", "127.0.0.2"), "Spamhaus Block List（SBL）：已知的垃圾邮件来源或垃圾邮件团伙");
  EXPECT_NE(zh("spamhaus-zen", "127.0.0.10").find("Policy Block List（PBL），由网络所有者登记"), std::string::npos);
  EXPECT_NE(zh("spamhaus-zen", "127.0.0.6").find("XBL 保留代码"), std::string::npos);  // inside a range
  EXPECT_NE(zh("spamhaus-zen", "127.255.255.254").find("公共或开放的 DNS 解析器"), std::string::npos);
  EXPECT_NE(zh("spamhaus-dbl", "127.0.1.255").find("在域名列表中查询了 IP 地址"), std::string::npos);
  EXPECT_EQ(zh("spamhaus-zen", "192.0.2.1"), bogus_zh);
  EXPECT_EQ(zh("spamhaus-zen", "127.0.0.77"), undocumented_zh);
  const auto raw = rbl::catalogue::raw_zone("bl.example", rbl::list_kind::ip4);
  EXPECT_EQ(raw.codes.decode(make_address_v4("127.0.0.2")).meaning_zh, undocumented_zh);
  EXPECT_EQ(zh("dnswl", "127.0.3.2"), "电子邮件服务商, 信任度中");
  EXPECT_EQ(zh("surbl", "127.0.0.24"), "PH: 钓鱼网站; MW: 恶意软件网站");
  // 2 + 16 on URIBL: bit 16 is not documented; decode() says so in each language.
  const auto odd = named("uribl").codes.decode(make_address_v4("127.0.0.18"));
  EXPECT_EQ(odd.meaning_zh, "black: 垃圾邮件发送者使用的域名；未公布含义的位 16");
  EXPECT_EQ(odd.meaning_zh.find("undocumented"), std::string::npos);
  EXPECT_NE(odd.meaning.find("undocumented bits 16"), std::string::npos);
}

// decode() composes the sentences no table holds in both languages itself: a table built
// here (no catalogue, no file) gets them too.
TEST(CodeTableChinese, DecodeSaysItsOwnSentencesInChinese) {
  rbl::code_table table;
  table.bitmask = {{2, "A", "first", "第一"}, {8, "C", "third", "第三"}};
  const auto odd = table.decode(make_address_v4("127.0.0.14"));  // 2 + 8 documented, 4 not
  EXPECT_EQ(odd.name, "A+C");
  EXPECT_TRUE(odd.documented);
  EXPECT_EQ(odd.meaning, "A: first; C: third; undocumented bits 4");
  EXPECT_EQ(odd.meaning_zh, "A: 第一; C: 第三；未公布含义的位 4");
  const auto exact = table.decode(make_address_v4("127.0.0.10"));
  EXPECT_EQ(exact.meaning_zh, "A: 第一; C: 第三");
  const auto bogus = table.decode(make_address_v4("10.0.0.2"));
  EXPECT_EQ(bogus.kind, rbl::code_class::bogus);
  EXPECT_EQ(bogus.meaning_zh, bogus_zh);
  EXPECT_EQ(bogus.meaning, "answer outside 127.0.0.0/8: the list is broken or its domain no longer runs a DNSBL");
  const auto none = table.decode(make_address_v4("127.0.0.4"));  // only an undocumented bit: a plain listing
  EXPECT_FALSE(none.documented);
  EXPECT_EQ(none.meaning, "listing (undocumented code)");
  EXPECT_EQ(none.meaning_zh, undocumented_zh);
  table.octets.third = {{3, {"ESP", "邮件服务商"}}};
  table.octets.fourth = {{1, {"trust low", "信任度低"}}};
  const auto octets = table.decode(make_address_v4("127.0.3.1"));
  EXPECT_EQ(octets.meaning, "ESP, trust low");
  EXPECT_EQ(octets.meaning_zh, "邮件服务商, 信任度低");
  table.errors = {{*rbl::address_range::parse("127.0.0.255"), "refused", "拒绝", {}}};
  EXPECT_EQ(table.decode(make_address_v4("127.0.0.255")).meaning_zh, "拒绝");
}

TEST(CatalogueChinese, AnEntryWithoutItsChineseIsRefusedByName) {
  const auto error_of = [](std::string_view yaml) {
    auto loaded = rbl::catalogue::parse(yaml, "test.yaml");
    const auto* error = std::get_if<rbl::load_error>(&loaded);
    return error ? error->what : std::string("(loaded)");
  };
  EXPECT_EQ(error_of("lists: [{name: a, zone: bl.example, codes: [{match: 127.0.0.2, name: X, meaning: spam}]}]"),
            "test.yaml: list 1 (a): code 127.0.0.2: missing 'meaning_zh' (the Chinese of its meaning)");
  EXPECT_EQ(error_of("lists: [{name: a, zone: bl.example, codes: [{match: 127.0.0.2, name: X, meaning: spam, meaning_zh: ''}]}]"),
            "test.yaml: list 1 (a): code 127.0.0.2: missing 'meaning_zh' (the Chinese of its meaning)");
  EXPECT_EQ(error_of("lists: [{name: a, zone: bl.example, codes: [{match: 127.0.0.2, meaning: spam, meaning_zh: 垃圾}]},"
                     " {name: b, zone: b.example, bitmask: [{bit: 4, name: Y, meaning: y}]}]"),
            "test.yaml: list 2 (b): bitmask bit 4: missing 'meaning_zh' (the Chinese of its meaning)");
  EXPECT_EQ(error_of("lists: [{name: a, zone: bl.example, errors: [{match: 127.255.255.254, meaning: refused}]}]"),
            "test.yaml: list 1 (a): error 127.255.255.254: missing 'meaning_zh' (the Chinese of its meaning)");
  EXPECT_NE(error_of("lists: [{name: a, zone: bl.example, octets: {third: {2: bank}, fourth: {1: low}, fourth_zh: {1: 低}}}]")
                .find("list 1 (a): octets: 'third_zh' must give the Chinese of every value of 'third'"),
            std::string::npos);
  EXPECT_NE(error_of("lists: [{name: a, zone: bl.example, octets: {third: {2: bank}, third_zh: {2: 银行}, fourth: {1: low, 2: mid},"
                     " fourth_zh: {1: 低}}}]")
                .find("'fourth_zh' must give the Chinese of every value of 'fourth'"),
            std::string::npos);
  // With every Chinese text the same entries load.
  EXPECT_EQ(error_of("lists: [{name: a, zone: bl.example, codes: [{match: 127.0.0.2, name: X, meaning: spam, meaning_zh: 垃圾}],"
                     " errors: [{match: 127.255.255.254, meaning: refused, meaning_zh: 拒绝}],"
                     " octets: {third: {2: bank}, third_zh: {2: 银行}}}]"),
            "(loaded)");
}

}  // namespace
