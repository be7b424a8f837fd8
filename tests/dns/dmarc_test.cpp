// DMARC (RFC 7489): record parsing with the warnings a mail administrator needs, policy
// discovery with the organisational-domain fallback (§6.6.3), and report authorisation.

#include "dns/dmarc.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>

namespace {

namespace net = boost::asio;
namespace dmarc = dns::dmarc;

bool has_warning(const std::vector<std::string>& warnings, std::string_view needle) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

std::string all(const std::vector<std::string>& warnings) {
  std::string out;
  for (const auto& w : warnings) out += "  " + w + "\n";
  return out;
}

dmarc::lookup_result lookup(dns::source& zone, std::string domain) {
  net::io_context io;
  return fakes::run_coroutine(io, dmarc::lookup(zone, std::move(domain)));
}

TEST(dmarc_record, recognises_only_v_dmarc1_first) {
  EXPECT_TRUE(dmarc::is_dmarc_record("v=DMARC1; p=none"));
  EXPECT_TRUE(dmarc::is_dmarc_record("v = DMARC1 ;p=reject"));
  EXPECT_TRUE(dmarc::is_dmarc_record("V=DMARC1"));
  EXPECT_FALSE(dmarc::is_dmarc_record("v=dmarc1; p=none"));  // the value is case-sensitive (§6.4)
  EXPECT_FALSE(dmarc::is_dmarc_record("p=reject; v=DMARC1"));
  EXPECT_FALSE(dmarc::is_dmarc_record("v=DMARC10; p=none"));
  EXPECT_FALSE(dmarc::is_dmarc_record("v=spf1 -all"));
}

TEST(dmarc_record, parses_every_tag) {
  const auto parsed = dmarc::parse_record(
      "v=DMARC1; p=Reject; sp=quarantine; np=reject; pct=50; rua=mailto:agg@example.com,mailto:x@example.com!10m; "
      "ruf=mailto:forensic@example.com; adkim=s; aspf=S; fo=1:d; ri=3600; rf=afrf");
  ASSERT_TRUE(parsed.record) << parsed.error;
  const auto& r = *parsed.record;
  EXPECT_EQ(r.p, "reject");
  EXPECT_EQ(r.sp, "quarantine");
  EXPECT_EQ(r.np, "reject");
  EXPECT_EQ(r.pct, 50);
  ASSERT_EQ(r.rua.size(), 2u);
  EXPECT_EQ(r.rua[1], "mailto:x@example.com!10m");
  ASSERT_EQ(r.ruf.size(), 1u);
  EXPECT_EQ(r.adkim, 's');
  EXPECT_EQ(r.aspf, 's');
  EXPECT_EQ(r.fo, "1:d");
  EXPECT_EQ(r.ri, 3600u);
  EXPECT_FALSE(r.p_assumed);
  EXPECT_TRUE(parsed.error.empty());
  EXPECT_TRUE(has_warning(parsed.warnings, "pct=50")) << all(parsed.warnings);
  EXPECT_TRUE(has_warning(parsed.warnings, "sp=quarantine is weaker than p=reject")) << all(parsed.warnings);
}

TEST(dmarc_record, defaults) {
  const auto parsed = dmarc::parse_record("v=DMARC1; p=quarantine; rua=mailto:d@example.com");
  ASSERT_TRUE(parsed.record);
  EXPECT_EQ(parsed.record->pct, 100);
  EXPECT_EQ(parsed.record->adkim, 'r');
  EXPECT_EQ(parsed.record->aspf, 'r');
  EXPECT_EQ(parsed.record->sp, "");
  EXPECT_EQ(parsed.record->ri, 86400u);
  EXPECT_TRUE(parsed.warnings.empty()) << all(parsed.warnings);
}

TEST(dmarc_record, missing_p_with_valid_rua_is_p_none) {
  const auto parsed = dmarc::parse_record("v=DMARC1; rua=mailto:d@example.com");
  ASSERT_TRUE(parsed.record) << parsed.error;
  EXPECT_EQ(parsed.record->p, "none");
  EXPECT_TRUE(parsed.record->p_assumed);
  EXPECT_TRUE(has_warning(parsed.warnings, "p= is missing")) << all(parsed.warnings);
}

TEST(dmarc_record, missing_or_invalid_p_without_rua_is_unusable) {
  for (const auto* text : {"v=DMARC1", "v=DMARC1; p=rejected", "v=DMARC1; p=reject; sp=bogus", "v=DMARC1; rua=d@example.com"}) {
    const auto parsed = dmarc::parse_record(text);
    EXPECT_FALSE(parsed.record) << text;
    EXPECT_NE(parsed.error.find("no DMARC policy"), std::string::npos) << text << ": " << parsed.error;
  }
}

TEST(dmarc_record, common_mistakes_are_warnings) {
  auto parsed = dmarc::parse_record("v=DMARC1; p=none");
  EXPECT_TRUE(has_warning(parsed.warnings, "p=none: monitoring only")) << all(parsed.warnings);
  EXPECT_TRUE(has_warning(parsed.warnings, "no rua=")) << all(parsed.warnings);

  parsed = dmarc::parse_record("v=DMARC1; p=reject; rua=dmarc@example.com; pct=150; adkim=x; foo=bar; p=none");
  ASSERT_TRUE(parsed.record);
  EXPECT_EQ(parsed.record->p, "reject");  // the first p= wins
  EXPECT_EQ(parsed.record->pct, 100);
  EXPECT_EQ(parsed.record->adkim, 'r');
  EXPECT_TRUE(has_warning(parsed.warnings, "mailto:")) << all(parsed.warnings);
  EXPECT_TRUE(has_warning(parsed.warnings, "pct=150")) << all(parsed.warnings);
  EXPECT_TRUE(has_warning(parsed.warnings, "adkim=x")) << all(parsed.warnings);
  EXPECT_TRUE(has_warning(parsed.warnings, "unknown tag foo=")) << all(parsed.warnings);
  EXPECT_TRUE(has_warning(parsed.warnings, "more than once")) << all(parsed.warnings);
}

TEST(dmarc_lookup, record_at_the_domain) {
  fakes::memory_zone zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
  const auto r = lookup(zone, "Example.COM.");
  ASSERT_TRUE(r.record) << r.error;
  EXPECT_EQ(r.queried_domain, "_dmarc.example.com");
  EXPECT_EQ(r.organizational_domain, "example.com");
  EXPECT_EQ(r.effective_policy, "reject");
  EXPECT_FALSE(r.inherited);
  EXPECT_EQ(r.answer.result, dns::outcome::records);
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(zone.queries(), 1u);  // same organisation: no report-authorisation lookup
}

TEST(dmarc_lookup, subdomain_falls_back_to_the_organisational_domain_and_uses_sp) {
  fakes::memory_zone zone;
  zone.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.co.uk");
  zone.add_txt("_dmarc.mail.example.co.uk", "not dmarc");
  const auto r = lookup(zone, "mail.example.co.uk");
  ASSERT_TRUE(r.record) << r.error;
  EXPECT_TRUE(r.inherited);
  EXPECT_EQ(r.queried_domain, "_dmarc.example.co.uk");
  EXPECT_EQ(r.organizational_domain, "example.co.uk");
  EXPECT_EQ(r.effective_policy, "quarantine");
  ASSERT_EQ(zone.log().size(), 2u);
  EXPECT_EQ(zone.log()[0].first, "_dmarc.mail.example.co.uk");

  // Without sp=, the subdomain gets p=.
  fakes::memory_zone plain;
  plain.add_txt("_dmarc.example.net", "v=DMARC1; p=quarantine; rua=mailto:d@example.net");
  EXPECT_EQ(lookup(plain, "a.b.example.net").effective_policy, "quarantine");
}

TEST(dmarc_lookup, no_record_anywhere) {
  fakes::memory_zone zone;
  const auto r = lookup(zone, "sub.example.org");
  EXPECT_FALSE(r.record);
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.queried_domain, "_dmarc.example.org");
  EXPECT_EQ(r.answer.result, dns::outcome::nxdomain);
  EXPECT_EQ(zone.queries(), 2u);
}

TEST(dmarc_lookup, dns_failure_is_not_absence_and_stops_discovery) {
  fakes::memory_zone zone;
  zone.fail("_dmarc.sub.example.org", dns::outcome::timeout);
  zone.add_txt("_dmarc.example.org", "v=DMARC1; p=reject");
  const auto r = lookup(zone, "sub.example.org");
  EXPECT_FALSE(r.record);
  EXPECT_EQ(r.answer.result, dns::outcome::timeout);
  EXPECT_NE(r.error.find("timeout"), std::string::npos) << r.error;
  EXPECT_EQ(zone.queries(), 1u);
}

TEST(dmarc_lookup, multiple_records_mean_no_policy) {
  fakes::memory_zone zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=none");
  const auto r = lookup(zone, "example.com");
  EXPECT_FALSE(r.record);
  EXPECT_NE(r.error.find("2 DMARC records"), std::string::npos) << r.error;
}

TEST(dmarc_lookup, near_miss_version_is_reported) {
  fakes::memory_zone zone;
  zone.add_txt("_dmarc.example.com", "v=dmarc1; p=reject");
  const auto r = lookup(zone, "example.com");
  EXPECT_FALSE(r.record);
  EXPECT_TRUE(has_warning(r.warnings, "exactly \"v=DMARC1\"")) << all(r.warnings);
}

TEST(dmarc_lookup, external_report_destinations_need_authorisation) {
  fakes::memory_zone zone;
  zone.add_txt("_dmarc.example.com",
               "v=DMARC1; p=reject; rua=mailto:a@reports.vendor.example,mailto:b@unauthorised.example,mailto:me@example.com");
  zone.add_txt("example.com._report._dmarc.reports.vendor.example", "v=DMARC1");
  const auto r = lookup(zone, "example.com");
  ASSERT_TRUE(r.record);
  EXPECT_TRUE(has_warning(r.warnings, "unauthorised.example, which has not authorised them")) << all(r.warnings);
  EXPECT_FALSE(has_warning(r.warnings, "reports.vendor.example, which")) << all(r.warnings);
  EXPECT_EQ(zone.queries(), 3u);
}

TEST(dmarc_lookup, invalid_names_are_refused_without_a_query) {
  fakes::memory_zone zone;
  for (const auto* bad : {"", "a..example", "exa mple.com", "bad\nname.example"}) {
    const auto r = lookup(zone, bad);
    EXPECT_FALSE(r.record);
    EXPECT_NE(r.error.find("not a domain name"), std::string::npos) << bad;
  }
  EXPECT_EQ(zone.queries(), 0u);
}

TEST(dmarc_alignment, relaxed_and_strict) {
  EXPECT_TRUE(dmarc::aligned("example.com", "mail.example.com", 'r'));
  EXPECT_TRUE(dmarc::aligned("news.example.co.uk", "bounces.example.co.uk", 'r'));
  EXPECT_FALSE(dmarc::aligned("example.com", "mail.example.com", 's'));
  EXPECT_TRUE(dmarc::aligned("Example.com", "example.COM.", 's'));
  EXPECT_FALSE(dmarc::aligned("example.co.uk", "other.co.uk", 'r'));
  EXPECT_FALSE(dmarc::aligned("example.com", "example.net", 'r'));
  EXPECT_FALSE(dmarc::aligned("", "example.net", 'r'));
  EXPECT_EQ(dmarc::organizational_domain("a.b.example.com"), "example.com");
}

}  // namespace
