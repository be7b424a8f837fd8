// Correlation rules, sans-I/O: a bounce's facts and live observations in, a verdict out.
#include "probe/correlation_plan.hpp"
#include "probe/correlation_verdict.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace {

using namespace probe::correlation;
using rcpt = rcpt_observation::outcome;

struct bounce_facts {
  reports::report report;
  reports::recipient recipient;
  reports::classification classification;
};

bounce_facts facts(std::string reason, std::string address = "carol@example.test") {
  bounce_facts f;
  f.recipient.address = std::move(address);
  f.recipient.reply_code = 550;
  f.classification.reason = std::move(reason);
  f.report.original.from = "Sender <sender@origin.test>";
  return f;
}

plan plan_for(const bounce_facts& f, plan_inputs inputs = {}) {
  return make_plan(f.report, f.recipient, f.classification, inputs);
}

rcpt_observation probe_result(rcpt outcome, std::string now_reason = {}) {
  rcpt_observation r;
  r.result = outcome;
  r.now_reason = std::move(now_reason);
  r.code = outcome == rcpt::accepted ? 250 : 550;
  r.text = outcome == rcpt::accepted ? "250 2.1.5 Ok" : "550 5.1.1 User unknown";
  r.host = "mx.example.test";
  r.address = "192.0.2.25";
  r.catch_all_known = true;
  return r;
}

// Every verdict speaks both output languages: the Chinese sentence is not empty and is
// Chinese (a CJK character, UTF-8 lead byte 0xE3-0xE9), not the English one again.
bool has_cjk(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0xE3 && b <= 0xE9;
  });
}

verdict judge(const plan& p, observations o) {
  const auto out = compare(p, o);
  EXPECT_FALSE(out.summary.empty()) << out.rule;
  EXPECT_TRUE(has_cjk(out.summary_zh)) << out.rule << ": " << out.summary_zh;
  EXPECT_NE(out.summary, out.summary_zh) << out.rule;
  // The rule too: Chinese under --lang zh, the English one (what --json prints) otherwise.
  EXPECT_TRUE(has_cjk(out.rule_zh)) << out.rule << ": " << out.rule_zh;
  EXPECT_EQ(out.rule_zh.find(out.rule.substr(0, out.rule.find(':') + 1)), std::string::npos) << out.rule_zh;
  return out.result;
}

// --- planning ------------------------------------------------------------------------

TEST(CorrelationPlan, CausesGroupReasonsByWhatCanBeChecked) {
  EXPECT_EQ(plan_for(facts("userunknown")).kind, cause::mailbox);
  EXPECT_EQ(plan_for(facts("mailboxfull")).kind, cause::mailbox);
  EXPECT_EQ(plan_for(facts("hostunknown")).kind, cause::domain);
  EXPECT_EQ(plan_for(facts("notaccept")).kind, cause::domain);
  EXPECT_EQ(plan_for(facts("expired")).kind, cause::connection);
  EXPECT_EQ(plan_for(facts("blocked")).kind, cause::listing);
  {
    // Greylisting is read as blocked, but a retry, not a blocklist, shows whether it still holds.
    auto greylisted = facts("blocked");
    greylisted.classification.subcause = "greylisting";
    EXPECT_EQ(plan_for(greylisted).kind, cause::rate);
  }
  EXPECT_EQ(plan_for(facts("requireptr")).kind, cause::reverse_dns);
  EXPECT_EQ(plan_for(facts("authfailure")).kind, cause::authentication);
  EXPECT_EQ(plan_for(facts("mesgtoobig")).kind, cause::size);
  EXPECT_EQ(plan_for(facts("norelaying")).kind, cause::relaying);
  EXPECT_EQ(plan_for(facts("speeding")).kind, cause::rate);
  EXPECT_EQ(plan_for(facts("spamdetected")).kind, cause::content);
  EXPECT_EQ(plan_for(facts("mailererror")).kind, cause::other);
}

TEST(CorrelationPlan, NetworkErrorSplitsIntoDnsConnectionAndLoop) {
  auto dns = facts("networkerror");
  dns.recipient.diagnostic = "Host or domain name not found. Name service error for name=x.test type=MX";
  EXPECT_EQ(plan_for(dns).kind, cause::domain);
  auto loop = facts("networkerror");
  loop.recipient.diagnostic = "554 Too many hops 27 (25 max)";
  EXPECT_EQ(plan_for(loop).kind, cause::content);
  auto lost = facts("networkerror");
  lost.recipient.diagnostic = "lost connection with mx.example.test[192.0.2.1] while receiving the initial server greeting";
  EXPECT_EQ(plan_for(lost).kind, cause::connection);
}

TEST(CorrelationPlan, ConnectionLevelFailuresAreConnectionWhateverTheReason) {
  auto f = facts("systemerror");
  f.classification.hints.connection_level = true;
  const auto p = plan_for(f);
  EXPECT_EQ(p.kind, cause::connection);
  EXPECT_TRUE(p.rcpt_probe);
}

TEST(CorrelationPlan, SendingIpComesFromTheTextThenReceivedThenFlagThenEgress) {
  auto f = facts("blocked");
  f.classification.hints.client_ip = "192.0.2.7";
  f.report.original.sending_ip = "198.51.100.8";
  auto p = plan_for(f, {.ip = "203.0.113.9", .egress_ip = "203.0.113.10", .helo = ""});
  EXPECT_EQ(p.sending_ip, "192.0.2.7");
  EXPECT_EQ(p.sending_ip_from, ip_source::diagnostic_text);
  f.classification.hints.client_ip.clear();
  p = plan_for(f, {.ip = "203.0.113.9", .egress_ip = "203.0.113.10", .helo = ""});
  EXPECT_EQ(p.sending_ip_from, ip_source::received_chain);
  f.report.original.sending_ip.clear();
  p = plan_for(f, {.ip = "203.0.113.9", .egress_ip = "203.0.113.10", .helo = ""});
  EXPECT_EQ(p.sending_ip, "203.0.113.9");
  EXPECT_EQ(p.sending_ip_from, ip_source::flag);
  p = plan_for(f, {.ip = "", .egress_ip = "203.0.113.10", .helo = ""});
  EXPECT_EQ(p.sending_ip_from, ip_source::egress_detection);
  p = plan_for(f);
  EXPECT_EQ(p.sending_ip_from, ip_source::none);
  EXPECT_TRUE(p.sending_ip.empty());
}

TEST(CorrelationPlan, ChecksFollowTheCause) {
  const auto mailbox = plan_for(facts("userunknown"));
  EXPECT_TRUE(mailbox.rcpt_probe);
  EXPECT_FALSE(mailbox.dnsbl);
  const auto listing = plan_for(facts("blocked"));
  EXPECT_TRUE(listing.dnsbl);
  EXPECT_FALSE(listing.rcpt_probe);
  auto spf = facts("authfailure");
  const auto auth = plan_for(spf, {.ip = "192.0.2.1", .egress_ip = "", .helo = ""});
  EXPECT_TRUE(auth.spf);
  EXPECT_TRUE(auth.dmarc);
  EXPECT_EQ(auth.sender_domain_name, "origin.test");
  const auto size = plan_for(facts("mesgtoobig"));
  EXPECT_TRUE(size.size);
  EXPECT_TRUE(size.rcpt_probe);
}

// --- verdicts ------------------------------------------------------------------------

TEST(CorrelationVerdict, MailboxAcceptedByADomainThatRefusesUnknownsIsTransient) {
  observations o;
  o.rcpt = probe_result(rcpt::accepted);
  EXPECT_EQ(judge(plan_for(facts("userunknown")), o), verdict::transient);
}

TEST(CorrelationVerdict, MailboxAcceptedByACatchAllIsInconclusive) {
  observations o;
  o.rcpt = probe_result(rcpt::accepted);
  o.rcpt->catch_all = true;
  EXPECT_EQ(judge(plan_for(facts("userunknown")), o), verdict::inconclusive);
  o.rcpt->catch_all = false;
  o.rcpt->catch_all_known = false;  // the catch-all test itself failed: still no guess
  EXPECT_EQ(judge(plan_for(facts("userunknown")), o), verdict::inconclusive);
}

TEST(CorrelationVerdict, MailboxStillRefusedIsPersistentRefusedOtherwiseIsChanged) {
  observations o;
  o.rcpt = probe_result(rcpt::refused_mailbox, "userunknown");
  const auto same = compare(plan_for(facts("userunknown")), o);
  EXPECT_EQ(same.result, verdict::persistent);
  EXPECT_NE(same.summary.find("550 5.1.1"), std::string::npos) << same.summary;
  o.rcpt = probe_result(rcpt::refused_mailbox, "mailboxfull");
  o.rcpt->text = "552 5.2.2 Mailbox full";
  const auto other = compare(plan_for(facts("userunknown")), o);
  EXPECT_EQ(other.result, verdict::changed);
  EXPECT_NE(other.now.find("mailboxfull"), std::string::npos);
  EXPECT_NE(other.summary.find("userunknown"), std::string::npos) << "both causes named";
}

TEST(CorrelationVerdict, ProviderQuirksTimeoutsAndBlockedPortsAreNeverTransient) {
  for (const auto outcome : {rcpt::unverifiable, rcpt::unreachable_timeout, rcpt::port25_blocked, rcpt::refused_us,
                             rcpt::greylisted, rcpt::deferred, rcpt::dns_failure, rcpt::error}) {
    observations o;
    o.rcpt = probe_result(outcome);
    EXPECT_EQ(judge(plan_for(facts("userunknown")), o), verdict::inconclusive) << to_string(outcome);
  }
}

TEST(CorrelationVerdict, DomainRules) {
  const auto p = plan_for(facts("hostunknown"));
  observations o;
  o.route = route_observation{"no-domain", {}, {}, "", ""};
  EXPECT_EQ(judge(p, o), verdict::persistent);
  o.route->kind = "null-mx";
  EXPECT_EQ(judge(p, o), verdict::persistent);
  o.route->kind = "dns-failure";
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
  o.route->kind = "mx";
  o.rcpt = probe_result(rcpt::accepted);
  EXPECT_EQ(judge(p, o), verdict::transient);
  o.rcpt = probe_result(rcpt::refused_mailbox, "userunknown");
  EXPECT_EQ(judge(p, o), verdict::changed);
  o.rcpt = probe_result(rcpt::unreachable_timeout);
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
}

TEST(CorrelationVerdict, ConnectionRules) {
  const auto p = plan_for(facts("expired"));
  observations o;
  o.rcpt = probe_result(rcpt::accepted);
  EXPECT_EQ(judge(p, o), verdict::transient);
  o.rcpt = probe_result(rcpt::refused_mailbox, "userunknown");
  EXPECT_EQ(judge(p, o), verdict::changed);
  o.rcpt = probe_result(rcpt::unreachable_refused);
  EXPECT_EQ(judge(p, o), verdict::persistent);
  o.rcpt = probe_result(rcpt::unreachable_timeout);  // down, or port 25 blocked here: cannot tell
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
  o.rcpt = probe_result(rcpt::port25_blocked);
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
}

listing_observation listing(std::string zone, listing_observation::state state, bool named) {
  listing_observation l;
  l.list = zone;
  l.zone = std::move(zone);
  l.result = state;
  l.named_by_bounce = named;
  l.removal_page = "https://lists.example/remove";
  return l;
}

TEST(CorrelationVerdict, ListingRules) {
  auto f = facts("blocked");
  f.classification.hints.client_ip = "192.0.2.7";
  f.classification.hints.dnsbl_zone = "bl.example";
  const auto p = plan_for(f);
  observations o;
  o.listings = {listing("bl.example", listing_observation::state::listed, true)};
  const auto still = compare(p, o);
  EXPECT_EQ(still.result, verdict::persistent);
  EXPECT_EQ(still.removal_page, "https://lists.example/remove");
  // The return codes are said in each language: the Chinese summary uses their Chinese.
  o.listings.front().codes = "127.0.0.2 SBL (a known spam source)";
  o.listings.front().codes_zh = "127.0.0.2 SBL（已知垃圾邮件来源）";
  const auto coded = compare(p, o);
  EXPECT_NE(coded.summary.find(": 127.0.0.2 SBL (a known spam source)"), std::string::npos) << coded.summary;
  EXPECT_NE(coded.summary_zh.find("：127.0.0.2 SBL（已知垃圾邮件来源）"), std::string::npos) << coded.summary_zh;
  EXPECT_EQ(coded.summary_zh.find("a known spam source"), std::string::npos) << coded.summary_zh;
  o.listings = {listing("bl.example", listing_observation::state::not_listed, true)};
  EXPECT_EQ(judge(p, o), verdict::transient);
  o.listings = {listing("bl.example", listing_observation::state::unknown, true)};
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
  // rbl/'s detail is said in each language (detail_zh from its phrase).
  o.listings.front().detail = "timeout";
  o.listings.front().detail_zh = "超时";
  const auto unknown = compare(p, o);
  EXPECT_NE(unknown.summary.find("could not be checked now: timeout"), std::string::npos) << unknown.summary;
  EXPECT_NE(unknown.summary_zh.find("现在无法查询 bl.example：超时"), std::string::npos) << unknown.summary_zh;
  auto dead = listing("bl.example", listing_observation::state::dead, true);
  dead.dead_since = "June 2024";
  o.listings = {dead};
  const auto gone = compare(p, o);
  EXPECT_EQ(gone.result, verdict::inconclusive);
  EXPECT_NE(gone.summary.find("no longer exists"), std::string::npos);
  o.listings.push_back(listing("other.example", listing_observation::state::listed, false));
  EXPECT_EQ(judge(p, o), verdict::persistent);  // listed elsewhere meanwhile
}

TEST(CorrelationVerdict, ListingWithoutTheSendingIpIsInconclusive) {
  observations o;
  o.listings = {listing("bl.example", listing_observation::state::not_listed, true)};
  EXPECT_EQ(judge(plan_for(facts("blocked")), o), verdict::inconclusive);
}

TEST(CorrelationVerdict, UnnamedListingNotFoundAnywhereIsInconclusive) {
  auto f = facts("badreputation");
  f.classification.hints.client_ip = "192.0.2.7";
  observations o;
  o.listings = {listing("a.example", listing_observation::state::not_listed, false),
                listing("b.example", listing_observation::state::not_listed, false)};
  EXPECT_EQ(judge(plan_for(f), o), verdict::inconclusive);
}

TEST(CorrelationVerdict, ReverseDnsRules) {
  auto f = facts("requireptr");
  f.classification.hints.client_ip = "192.0.2.7";
  auto p = plan_for(f);
  p.sender_domain = false;
  observations o;
  o.reverse_dns = reverse_dns_observation{true, {}, false, false, ""};
  EXPECT_EQ(judge(p, o), verdict::persistent);
  o.reverse_dns = reverse_dns_observation{true, {"mail.example.test"}, false, false, ""};
  EXPECT_EQ(judge(p, o), verdict::persistent);
  o.reverse_dns = reverse_dns_observation{true, {"mail.example.test"}, true, false, ""};
  EXPECT_EQ(judge(p, o), verdict::transient);
  o.reverse_dns = reverse_dns_observation{false, {}, false, false, "timeout"};
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
}

TEST(CorrelationVerdict, AuthenticationRules) {
  auto f = facts("authfailure");
  const auto p = plan_for(f, {.ip = "192.0.2.7", .egress_ip = "", .helo = ""});
  observations o;
  o.spf = spf_observation{"pass", "origin.test", "ip4:192.0.2.0/24", ""};
  EXPECT_EQ(judge(p, o), verdict::transient);
  o.dmarc = dmarc_observation{true, true, "reject", false, "From origin.test, SPF domain bounce.other.test"};
  EXPECT_EQ(judge(p, o), verdict::persistent);
  o.dmarc.reset();
  o.spf->result = "fail";
  EXPECT_EQ(judge(p, o), verdict::persistent);
  o.spf->result = "temperror";
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
  EXPECT_EQ(judge(plan_for(f), o), verdict::inconclusive);  // no sending IP
}

TEST(CorrelationVerdict, SizeRules) {
  auto f = facts("mesgtoobig");
  f.report.original.size = 32785;
  observations o;
  o.rcpt = probe_result(rcpt::accepted);
  o.rcpt->size_advertised = true;
  o.rcpt->size_limit = 20000;
  EXPECT_EQ(judge(plan_for(f), o), verdict::persistent);
  o.rcpt->size_limit = 100000;
  EXPECT_EQ(judge(plan_for(f), o), verdict::transient);
  o.rcpt->size_advertised = false;
  EXPECT_EQ(judge(plan_for(f), o), verdict::inconclusive);
  auto stated = facts("mesgtoobig");
  stated.classification.hints.size_limit = 20000;
  o.rcpt->size_advertised = true;
  o.rcpt->size_limit = 20000;
  EXPECT_EQ(judge(plan_for(stated), o), verdict::persistent);
  o.rcpt->size_limit = 50000;
  EXPECT_EQ(judge(plan_for(stated), o), verdict::transient);
  EXPECT_EQ(judge(plan_for(facts("exceedlimit")), o), verdict::inconclusive);
}

TEST(CorrelationVerdict, RelayingToAHostThatIsNotAnMxIsPersistent) {
  auto f = facts("norelaying");
  f.recipient.remote_host = "old-relay.example.test";
  observations o;
  o.route = route_observation{"mx", {"mx.example.test"}, {"192.0.2.25"}, "", ""};
  const auto out = compare(plan_for(f), o);
  EXPECT_EQ(out.result, verdict::persistent);
  EXPECT_NE(out.summary.find("mx.example.test"), std::string::npos) << "names the real MX";
  f.recipient.remote_host = "mx.example.test";
  o.rcpt = probe_result(rcpt::accepted);
  EXPECT_EQ(judge(plan_for(f), o), verdict::transient);
}

TEST(CorrelationVerdict, RateRules) {
  const auto p = plan_for(facts("speeding"));
  observations o;
  o.rcpt = probe_result(rcpt::accepted);
  EXPECT_EQ(judge(p, o), verdict::transient);
  o.rcpt = probe_result(rcpt::deferred);
  const auto again = compare(p, o);
  EXPECT_EQ(again.result, verdict::persistent);
  EXPECT_NE(again.summary.find("clears by itself"), std::string::npos);
  o.rcpt = probe_result(rcpt::unreachable_timeout);
  EXPECT_EQ(judge(p, o), verdict::inconclusive);
}

TEST(CorrelationVerdict, ContentIsNeverDecidedButHelpfulChecksAreMentioned) {
  auto f = facts("spamdetected");
  f.classification.hints.client_ip = "192.0.2.7";
  observations o;
  o.listings = {listing("bl.example", listing_observation::state::listed, false)};
  const auto out = compare(plan_for(f), o);
  EXPECT_EQ(out.result, verdict::inconclusive);
  EXPECT_NE(out.summary.find("listed on bl.example"), std::string::npos) << out.summary;
  EXPECT_NE(out.summary.find("never sends DATA"), std::string::npos);
}

TEST(CorrelationVerdict, ChineseVerdictsSayTheProbersReasonInChinese) {
  const auto p = plan_for(facts("expired"));
  ASSERT_EQ(p.kind, cause::connection);
  observations o;
  o.rcpt = probe_result(rcpt::unreachable_refused);
  o.rcpt->detail = "no MX could be reached: mx.example.test [192.0.2.25]: refused while connecting";
  o.rcpt->detail_zh = "无法连接任何 MX：mx.example.test [192.0.2.25]：连接被拒绝（连接阶段）";
  const auto out = compare(p, o);
  EXPECT_THAT(out.summary, testing::HasSubstr("(no MX could be reached"));
  EXPECT_THAT(out.summary_zh, testing::HasSubstr("（无法连接任何 MX：mx.example.test [192.0.2.25]：连接被拒绝"));
  EXPECT_THAT(out.summary_zh, testing::Not(testing::HasSubstr("could not be reached")));
  // Without a Chinese reason (the words file unreadable), the English one is kept.
  o.rcpt->detail_zh.clear();
  EXPECT_THAT(compare(p, o).summary_zh, testing::HasSubstr("no MX could be reached"));
}

}  // namespace
