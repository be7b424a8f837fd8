// Correlation's live checks against in-process fake SMTP servers and an in-memory DNS
// world: the verdicts that must never be `transient` (catch-all, provider quirk, timeout,
// blocked port 25) and the three the rules can reach through a real SMTP dialogue.
#include "dns/join.hpp"
#include "probe/correlation_run.hpp"
#include "probe/data_dir.hpp"
#include "probe/output_words.hpp"
#include "probe/prober_setup.hpp"
#include "reports/knowledge.hpp"
#include "tests/fakes/blackhole.hpp"
#include "tests/fakes/fake_smtp_server.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/run_coroutine.hpp"
#include "tests/probe/words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <list>

namespace {

namespace net = boost::asio;
namespace co = probe::correlation;

const reports::knowledge& bounce_knowledge() {
  static const auto loaded = reports::load_knowledge(probe::data_path("reports"));
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

struct world {
  net::io_context io;
  fakes::memory_zone zone;
  std::uint16_t port = fakes::free_port(io);
  std::list<fakes::fake_smtp_server> servers;
  std::list<fakes::blackhole> holes;
  probe::settings config;
  std::unique_ptr<smtp::prober> prober;

  world() {
    config.smtp.helo = "probe.example.net";
    config.smtp.port = port;
    config.smtp.connect_timeout_ms = 400;
    config.smtp.banner_timeout_ms = 400;
    config.smtp.command_timeout_ms = 400;
    config.smtp.per_host_rate = 0;
  }

  // DOMAIN's MX is HOST at ADDRESS.
  void route(const std::string& domain, const std::string& host, const std::string& address) {
    zone.add_mx(domain, 10, host);
    zone.add_a(host, address);
  }
  fakes::fake_smtp_server& serve(const std::string& address, fakes::smtp_behaviour behaviour = {}) {
    return servers.emplace_back(io, std::move(behaviour), address, port);
  }

  // A userunknown bounce for `address`, checked now.
  co::recipient_check check(const std::string& address, const std::string& reason = "userunknown") {
    return check_all({address}, reason).front();
  }
  std::vector<co::recipient_check> check_all(const std::vector<std::string>& addresses, const std::string& reason) {
    if (!prober) {
      auto setup = probe::make_prober_setup(config, {}, {});
      if (!setup.ok()) throw std::runtime_error(setup.error);
      prober = std::make_unique<smtp::prober>(io.get_executor(), zone, std::move(setup.options));
    }
    co::live_context live{zone, config, bounce_knowledge(), prober.get(), {}, nullptr, nullptr, nullptr};
    std::vector<reports::recipient> recipients;
    reports::report report;
    report.kind = reports::report_kind::failure;
    for (const auto& a : addresses) {
      reports::recipient r;
      r.address = a;
      r.action = reports::dsn_action::failed;
      r.reply_code = 550;
      r.status = "5.1.1";
      r.diagnostic = "550 5.1.1 User unknown";
      report.recipients.push_back(r);
    }
    reports::classification c;
    c.reason = reason;
    auto all = [&]() -> net::awaitable<std::vector<co::recipient_check>> {
      std::vector<net::awaitable<co::recipient_check>> work;
      for (const auto& r : report.recipients) work.push_back(co::check_recipient(live, report, r, c, {}));
      auto out = co_await dns::join_all(std::move(work));
      co_await prober->close();
      co_return out;
    };
    return fakes::run_coroutine(io, all());
  }
};

fakes::smtp_behaviour knows(std::set<std::string> users) {
  fakes::smtp_behaviour b;
  b.rcpt = [users](const std::string& address, fakes::smtp_connection&) {
    return users.count(address) ? std::string("250 2.1.5 Ok") : std::string("550 5.1.1 <" + address + ">: User unknown");
  };
  return b;
}

TEST(CorrelationLive, MailboxThatExistsNowIsTransient) {
  world w;
  w.route("example.test", "mx.example.test", "127.0.0.31");
  w.serve("127.0.0.31", knows({"carol@example.test"}));
  const auto r = w.check("carol@example.test");
  EXPECT_EQ(r.decided.result, co::verdict::transient) << r.decided.summary;
  ASSERT_TRUE(r.seen.rcpt);
  EXPECT_TRUE(r.seen.rcpt->catch_all_known);
  EXPECT_FALSE(r.seen.rcpt->catch_all);
}

TEST(CorrelationLive, MailboxStillUnknownIsPersistentWithTheLiveReplyAsEvidence) {
  world w;
  w.route("example.test", "mx.example.test", "127.0.0.31");
  w.serve("127.0.0.31", knows({}));
  const auto r = w.check("carol@example.test");
  EXPECT_EQ(r.decided.result, co::verdict::persistent) << r.decided.summary;
  bool rcpt_evidence = false;
  for (const auto& e : r.seen.checks)
    if (e.check == "rcpt" && e.answer.find("550 5.1.1") != std::string::npos) rcpt_evidence = true;
  EXPECT_TRUE(rcpt_evidence);
}

TEST(CorrelationLive, MailboxFullNowIsChanged) {
  world w;
  w.route("example.test", "mx.example.test", "127.0.0.31");
  fakes::smtp_behaviour full;
  full.rcpt = [](const std::string&, fakes::smtp_connection&) { return std::string("552 5.2.2 Mailbox full, over quota"); };
  w.serve("127.0.0.31", full);
  const auto r = w.check("carol@example.test");
  EXPECT_EQ(r.decided.result, co::verdict::changed) << r.decided.summary;
  EXPECT_NE(r.decided.now.find("mailboxfull"), std::string::npos) << r.decided.now;
}

TEST(CorrelationLive, CatchAllIsInconclusive) {
  world w;
  w.route("catchall.test", "mx.catchall.test", "127.0.0.32");
  w.serve("127.0.0.32");  // accepts every RCPT
  const auto r = w.check("carol@catchall.test");
  EXPECT_EQ(r.decided.result, co::verdict::inconclusive) << r.decided.summary;
  EXPECT_NE(r.decided.summary.find("every address"), std::string::npos) << r.decided.summary;
}

TEST(CorrelationLive, ProviderQuirkIsInconclusive) {
  world w;
  // Yahoo's MX accept every RCPT and bounce later (smtp/provider_quirks.yaml): their 250
  // says nothing about the mailbox.
  w.route("yahoo.example", "mta5.am0.yahoodns.net", "127.0.0.33");
  w.serve("127.0.0.33");
  const auto r = w.check("carol@yahoo.example");
  EXPECT_EQ(r.decided.result, co::verdict::inconclusive) << r.decided.summary;
  ASSERT_TRUE(r.seen.rcpt);
  EXPECT_EQ(r.seen.rcpt->result, co::rcpt_observation::outcome::unverifiable);
}

TEST(CorrelationLive, SilentServerIsInconclusiveNotTransient) {
  world w;
  w.route("slow.test", "mx.slow.test", "127.0.0.34");
  fakes::smtp_behaviour silent;
  silent.banner = "";  // connects, then never greets
  w.serve("127.0.0.34", silent);
  for (const std::string reason : {"userunknown", "expired"}) {
    const auto r = w.check("carol@slow.test", reason);
    EXPECT_EQ(r.decided.result, co::verdict::inconclusive) << reason << ": " << r.decided.summary;
  }
}

TEST(CorrelationLive, BlockedPort25IsInconclusive) {
  world w;
  // Several domains whose every MX drops connection attempts: port 25 looks blocked here.
  std::vector<std::string> addresses;
  for (int i = 0; i < 4; ++i) {
    const std::string domain = "d" + std::to_string(i) + ".test";
    const std::string ip = "127.0.0." + std::to_string(40 + i);
    w.route(domain, "mx." + domain, ip);
    w.holes.emplace_back(w.io, ip, w.port);
    addresses.push_back("carol@" + domain);
  }
  const auto results = w.check_all(addresses, "expired");
  for (const auto& r : results) {
    EXPECT_EQ(r.decided.result, co::verdict::inconclusive) << r.planned.recipient << ": " << r.decided.summary;
    ASSERT_TRUE(r.seen.rcpt);
    EXPECT_TRUE(r.seen.rcpt->result == co::rcpt_observation::outcome::port25_blocked ||
                r.seen.rcpt->result == co::rcpt_observation::outcome::unreachable_timeout)
        << co::to_string(r.seen.rcpt->result);
  }
}

TEST(CorrelationLive, RecipientsOfOneDomainShareOneSession) {
  world w;
  w.route("shared.test", "mx.shared.test", "127.0.0.35");
  auto& server = w.serve("127.0.0.35", knows({"a@shared.test", "b@shared.test", "c@shared.test"}));
  const auto results = w.check_all({"a@shared.test", "b@shared.test", "c@shared.test", "d@shared.test"}, "userunknown");
  EXPECT_EQ(results[0].decided.result, co::verdict::transient);
  EXPECT_EQ(results[3].decided.result, co::verdict::persistent);
  EXPECT_EQ(server.connections(), 1u);  // one session, RSET between RCPTs
  EXPECT_EQ(w.prober->counters().sessions_opened, 1u);
  EXPECT_FALSE(server.saw_forbidden_command());
  EXPECT_GE(server.quits(), 1u);
}

// Every live check's lines carry sentences that give back the English exactly (what --json
// prints) and say probe's own words in Chinese; the prober's reason inside a Chinese verdict
// is Chinese too.
using probe_test::words;

TEST(CorrelationLiveLanguage, EveryEvidenceLineIsItsSentenceInEnglishAndChineseInChinese) {
  world w;
  w.route("example.test", "mx.example.test", "127.0.0.31");
  w.serve("127.0.0.31", knows({"carol@example.test"}));
  w.route("down.test", "mx.down.test", "127.0.0.36");  // nothing listens: connection refused
  w.zone.add_mx("gone.test", 0, "");                    // null MX
  const auto results = w.check_all({"carol@example.test", "dave@example.test", "carol@down.test", "x@gone.test",
                                    "x@nosuch.test"},
                                   "userunknown");
  std::string zh;
  std::size_t lines = 0;
  for (const auto& r : results)
    for (const auto& e : r.seen.checks) {
      ++lines;
      EXPECT_EQ(words().render(e.asked_said, "en", "<unknown key>"), e.asked) << e.check;
      EXPECT_EQ(words().render(e.answer_said, "en", "<unknown key>"), e.answer) << e.check;
      zh += words().render(e.asked_said, "zh") + " → " + words().render(e.answer_said, "zh") + "\n";
    }
  EXPECT_GE(lines, 10u);
  EXPECT_THAT(zh, testing::HasSubstr("example.test 的 MX（然后查 A/AAAA） → MX 10 mx.example.test [127.0.0.31]"));
  EXPECT_THAT(zh, testing::HasSubstr("RCPT TO:<carol@example.test>，发往 mx.example.test [127.0.0.31]:"));
  EXPECT_THAT(zh, testing::HasSubstr("250 2.1.5 Ok（随意编造的地址会被拒收）"));
  EXPECT_THAT(zh, testing::HasSubstr("550 5.1.1 <dave@example.test>: User unknown"));  // the server's words as sent
  EXPECT_THAT(zh, testing::HasSubstr("gone.test 的 MX（然后查 A/AAAA） → 空 MX（MX 0 .）：不接收邮件"));
  EXPECT_THAT(zh, testing::HasSubstr("→ NXDOMAIN：域名不存在"));
  EXPECT_THAT(zh, testing::HasSubstr("该域名不存在（NXDOMAIN）"));
  EXPECT_THAT(zh, testing::HasSubstr("无法连接任何 MX：mx.down.test [127.0.0.36]"));
  for (const char* english : {"MX of", "then A/AAAA", " at mx.", "made-up", "accepts no mail", "does not exist",
                              "no MX could be reached"})
    EXPECT_THAT(zh, testing::Not(testing::HasSubstr(english))) << english;

  // The verdict of a connection bounce says the prober's reason in Chinese.
  const auto refused = w.check("carol@down.test", "networkerror");
  ASSERT_TRUE(refused.seen.rcpt);
  EXPECT_THAT(refused.seen.rcpt->detail, testing::HasSubstr("no MX could be reached"));
  EXPECT_THAT(refused.seen.rcpt->detail_zh, testing::HasSubstr("无法连接任何 MX"));
  EXPECT_THAT(refused.decided.summary_zh, testing::HasSubstr("无法连接任何 MX"));
  EXPECT_THAT(refused.decided.summary_zh, testing::Not(testing::HasSubstr("no MX could be reached")));
  EXPECT_THAT(refused.decided.summary, testing::HasSubstr("no MX could be reached"));
}

}  // namespace
