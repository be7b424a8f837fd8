// The prober against the real Postfix of the test rig (tests/rig/README.md), with DNS from
// the rig's nsd through the c-ares resolver: known and unknown users, STARTTLS with the
// rig's self-signed certificate, SIZE, a DNSBL refusal of a listed source address, and
// routing scenarios from tests/rig/zones (probe.test and smtp.test).
#include "dns/cache.hpp"
#include "dns/resolver.hpp"
#include "smtp/prober.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using smtp::verdict;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

net::awaitable<int> as_value(net::awaitable<void> task) {
  co_await std::move(task);
  co_return 0;
}

class PostfixRig : public testing::Test {
 protected:
  void SetUp() override {
    if (env("PROBE_RIG_NSD").empty()) GTEST_SKIP() << "not inside the rig (run through ctest, label rig)";
    dns::resolver_options o;
    o.servers = {env("PROBE_RIG_NSD")};
    o.timeout = 1000ms;
    auto created = dns::resolver::create(io.get_executor(), o);
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<dns::resolver>>(created));
    resolver = std::move(std::get<std::unique_ptr<dns::resolver>>(created));
    cache = std::make_unique<dns::cache>(*resolver);
  }

  smtp::prober_options options() {
    smtp::prober_options o;
    o.helo = "probe-client.example.net";
    o.mail_from = "probe@probe-client.example.net";
    o.port = static_cast<std::uint16_t>(std::stoi(env("PROBE_RIG_SMTP_PORT")));
    o.limits.connect = 2000ms;
    o.limits.banner = 5000ms;
    o.limits.command = 5000ms;
    o.limits.tls = 5000ms;
    o.per_host_rate = 0;
    o.lookup_ptr = true;
    auto classes = smtp::reply_classifier::load_file(std::string(PROBE_SOURCE_DIR) + "/smtp/reply_classes.yaml");
    auto quirks = smtp::quirk_table::load_file(std::string(PROBE_SOURCE_DIR) + "/smtp/provider_quirks.yaml");
    EXPECT_TRUE(classes && quirks);
    o.classifier = std::make_shared<const smtp::reply_classifier>(*classes);
    o.quirks = std::make_shared<const smtp::quirk_table>(*quirks);
    return o;
  }

  smtp::address_check check(const std::string& address, smtp::prober_options o) {
    smtp::prober p(io.get_executor(), *cache, std::move(o));
    auto box = smtp::parse_mailbox(address);
    EXPECT_TRUE(box) << box.error;
    auto result = fakes::run_coroutine(io, p.check(*box));
    fakes::run_coroutine(io, as_value(p.close()));
    return result;
  }
  smtp::address_check check(const std::string& address) { return check(address, options()); }

  net::io_context io;
  std::unique_ptr<dns::resolver> resolver;
  std::unique_ptr<dns::cache> cache;
};

TEST_F(PostfixRig, KnownUserIsDeliverable) {
  const auto r = check("alice@probe.test");
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  ASSERT_TRUE(r.rcpt_reply);
  EXPECT_EQ(r.rcpt_reply->code, 250);
  EXPECT_EQ(r.rcpt_reply->enhanced->to_string(), "2.1.5");
  EXPECT_EQ(r.catch_all.state, smtp::catch_all_state::rejects_unknown) << r.catch_all.reason;
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_EQ(r.attempts[0].mx_host, "mx1.probe.test");
  EXPECT_NE(r.attempts[0].opening.banner->text().find("mx1.probe.test ESMTP"), std::string::npos);
}

TEST_F(PostfixRig, UnknownUserIs550With511) {
  const auto r = check("nosuchuser@probe.test");
  EXPECT_EQ(r.result, verdict::undeliverable) << r.reason;
  ASSERT_TRUE(r.rcpt_reply);
  EXPECT_EQ(r.rcpt_reply->code, 550);
  EXPECT_EQ(r.rcpt_reply->enhanced->to_string(), "5.1.1");
  EXPECT_NE(r.rcpt_reply->text().find("User unknown in local recipient table"), std::string::npos);
  EXPECT_EQ(r.rcpt_meaning->meaning, smtp::reply_meaning::mailbox_unknown);
}

TEST_F(PostfixRig, StartTlsWithTheSelfSignedCertificate) {
  auto o = options();
  o.tls = smtp::tls_mode::required;
  const auto r = check("bob@probe.test", o);
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  ASSERT_FALSE(r.attempts.empty());
  const auto& opening = r.attempts[0].opening;
  ASSERT_TRUE(opening.tls);
  EXPECT_TRUE(opening.tls->protocol == "TLSv1.3" || opening.tls->protocol == "TLSv1.2") << opening.tls->protocol;
  EXPECT_EQ(opening.tls->sni, "mx1.probe.test");
  EXPECT_NE(opening.tls->subject.find("CN=mx1.probe.test"), std::string::npos);
  EXPECT_FALSE(opening.tls->chain_valid);  // self-signed, and reported rather than fatal
  EXPECT_FALSE(opening.tls->chain_error.empty());
  EXPECT_TRUE(opening.tls->name_matches);
  EXPECT_TRUE(opening.plaintext_capabilities.starttls);
  EXPECT_FALSE(opening.capabilities_now.starttls);  // re-EHLO inside TLS
}

TEST_F(PostfixRig, SizeAndExtensionsAdvertised) {
  const auto r = check("alice@probe.test");
  ASSERT_FALSE(r.attempts.empty());
  const auto& caps = r.attempts[0].opening.capabilities_now;
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 10240000u);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.pipelining);
}

TEST_F(PostfixRig, ListedSourceAddressIsRejectedUsNotUndeliverable) {
  auto o = options();
  o.source_ip = net::ip::make_address("127.0.0.10");  // listed in bl.test (tests/rig/rbl)
  const auto r = check("alice@probe.test", o);
  EXPECT_EQ(r.result, verdict::rejected_us) << r.reason;
  ASSERT_TRUE(r.rcpt_reply);
  EXPECT_EQ(r.rcpt_reply->code, 554);
  EXPECT_NE(r.rcpt_reply->text().find("blocked using bl.test"), std::string::npos) << r.rcpt_reply->text();
  EXPECT_EQ(r.attempts[0].opening.local_endpoint.substr(0, 11), "127.0.0.10:");
}

TEST_F(PostfixRig, FirstMxRefusedThenSecond) {
  const auto r = check("alice@fallback.probe.test");
  ASSERT_EQ(r.routing.kind, dns::route_kind::mx);
  ASSERT_EQ(r.attempts.size(), 2u) << r.reason;
  EXPECT_EQ(r.attempts[0].mx_host, "mx2.probe.test");
  EXPECT_EQ(r.attempts[0].error->kind, smtp::failure_kind::refused);
  EXPECT_EQ(r.attempts[1].mx_host, "mx1.probe.test");
  EXPECT_EQ(r.attempts[1].end, smtp::attempt_end::rcpt_answered);
  EXPECT_EQ(r.evidence_attempt, 1u);
}

TEST_F(PostfixRig, ImplicitMxNullMxAndNxdomain) {
  const auto implicit = check("alice@implicit.probe.test");
  EXPECT_EQ(implicit.routing.kind, dns::route_kind::implicit_mx);
  ASSERT_FALSE(implicit.attempts.empty());
  EXPECT_TRUE(implicit.attempts[0].implicit_mx);
  EXPECT_EQ(implicit.attempts[0].end, smtp::attempt_end::rcpt_answered);
  const auto null_mx = check("alice@null.probe.test");
  EXPECT_EQ(null_mx.result, verdict::no_mail_domain);
  EXPECT_TRUE(null_mx.attempts.empty());
  const auto nx = check("alice@nosuch.probe.test");
  EXPECT_EQ(nx.result, verdict::no_mail_domain);
  EXPECT_EQ(nx.routing.kind, dns::route_kind::no_domain);
}

TEST_F(PostfixRig, Ipv6OnlyMxOnLoopback) {
  const auto r = check("alice@v6only.probe.test");
  ASSERT_FALSE(r.attempts.empty()) << r.reason;
  EXPECT_EQ(r.attempts[0].address.to_string(), "::1");
  EXPECT_TRUE(r.rcpt_reply) << r.reason;  // Postfix answered over IPv6
}

TEST_F(PostfixRig, SmtpZoneRefusedThenIpv6) {
  // tests/rig/zones/smtp.test.zone: MX 10 refuses (127.0.0.3), MX 20 is Postfix on ::1.
  const auto r = check("postmaster@smtp.test");
  ASSERT_EQ(r.attempts.size(), 2u) << r.reason;
  EXPECT_EQ(r.attempts[0].error->kind, smtp::failure_kind::refused);
  EXPECT_EQ(r.attempts[1].address.to_string(), "::1");
  EXPECT_TRUE(r.rcpt_reply);
}

TEST_F(PostfixRig, DualStackHostTriesAaaaFirstThenA) {
  // dual.smtp.test: one MX host with AAAA ::1 and A 127.0.0.2; with -4 only the A is dialled.
  const auto both = check("alice@dual.smtp.test");
  ASSERT_FALSE(both.attempts.empty());
  EXPECT_EQ(both.attempts[0].address.to_string(), "::1");
  auto o = options();
  o.want_ipv6 = false;
  const auto v4 = check("alice@dual.smtp.test", o);
  ASSERT_FALSE(v4.attempts.empty());
  EXPECT_EQ(v4.attempts[0].address.to_string(), "127.0.0.2");
}

TEST_F(PostfixRig, RecipientsShareOneSession) {
  smtp::prober p(io.get_executor(), *cache, options());
  const auto a = fakes::run_coroutine(io, p.check(*smtp::parse_mailbox("alice@probe.test")));
  const auto b = fakes::run_coroutine(io, p.check(*smtp::parse_mailbox("bob@probe.test")));
  const auto c = fakes::run_coroutine(io, p.check(*smtp::parse_mailbox("carol@probe.test")));
  fakes::run_coroutine(io, as_value(p.close()));
  EXPECT_EQ(a.result, verdict::deliverable) << a.reason;
  EXPECT_EQ(b.result, verdict::deliverable) << b.reason;
  EXPECT_EQ(c.result, verdict::undeliverable) << c.reason;
  EXPECT_EQ(p.counters().sessions_opened, 1u);
  EXPECT_TRUE(b.catch_all.from_cache);
}

}  // namespace
