// smtp::prober end to end: in-memory DNS (memory_zone) and scripted fake servers on
// 127.0.0.x / ::1 sharing one port. Every fake fails the test if it ever sees DATA or BDAT.
#include "smtp/prober.hpp"
#include "tests/fakes/blackhole.hpp"
#include "tests/fakes/fake_smtp_server.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/prober_options.hpp"
#include "tests/fakes/smtp_actions.hpp"
#include "tests/fakes/run_coroutine.hpp"
#include "tests/fakes/socks5_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <list>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using smtp::attempt_end;
using smtp::catch_all_state;
using smtp::verdict;

std::shared_ptr<const smtp::reply_classifier> classifier() {
  static auto loaded = [] {
    auto c = smtp::reply_classifier::load_file(std::string(PROBE_SOURCE_DIR) + "/smtp/reply_classes.yaml");
    EXPECT_TRUE(c) << c.error;
    return std::make_shared<const smtp::reply_classifier>(*c);
  }();
  return loaded;
}

std::shared_ptr<const smtp::quirk_table> quirks() {
  static auto loaded = [] {
    auto q = smtp::quirk_table::load_file(std::string(PROBE_SOURCE_DIR) + "/smtp/provider_quirks.yaml");
    EXPECT_TRUE(q) << q.error;
    return std::make_shared<const smtp::quirk_table>(*q);
  }();
  return loaded;
}

// run_coroutine wants a value; close() has none.
net::awaitable<int> as_value(net::awaitable<void> task) {
  co_await std::move(task);
  co_return 0;
}
void close(net::io_context& io, smtp::prober& p) { fakes::run_coroutine(io, as_value(p.close())); }

smtp::mailbox box(const std::string& text) {
  auto parsed = smtp::parse_mailbox(text);
  EXPECT_TRUE(parsed) << parsed.error;
  return *parsed;
}

using fakes::blackhole;
using fakes::free_port;

struct world {
  net::io_context io;
  fakes::memory_zone zone;
  std::uint16_t port = free_port(io);
  std::list<fakes::fake_smtp_server> servers;

  fakes::fake_smtp_server& serve(const std::string& address, fakes::smtp_behaviour behaviour = {}) {
    return servers.emplace_back(io, std::move(behaviour), address, port);
  }

  smtp::prober_options options() const {
    smtp::prober_options o = fakes::fast_prober_options(port);
    o.classifier = classifier();
    o.quirks = quirks();
    return o;
  }

  smtp::address_check check(smtp::prober& p, const std::string& address) {
    return fakes::run_coroutine(io, p.check(box(address)));
  }
  smtp::address_check check_once(const std::string& address, smtp::prober_options o) {
    smtp::prober p(io.get_executor(), zone, std::move(o));
    auto result = check(p, address);
    close(io, p);
    return result;
  }
  smtp::address_check check_once(const std::string& address) { return check_once(address, options()); }

  ~world() {
    for (const auto& s : servers) EXPECT_FALSE(s.saw_forbidden_command());
  }
};

// Accepts `known`, refuses everything else as unknown (Postfix's wording).
std::function<std::string(const std::string&, fakes::smtp_connection&)> only(std::string known) {
  return [known](const std::string& address, fakes::smtp_connection&) {
    return address == known ? std::string("250 2.1.5 Ok")
                            : "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown in local recipient table";
  };
}

std::size_t count_prefix(const std::vector<std::string>& commands, std::string_view prefix) {
  return std::count_if(commands.begin(), commands.end(), [&](const std::string& c) { return c.starts_with(prefix); });
}

TEST(Prober, DeliverableWithCatchAllTest) {
  world w;
  w.zone.add_mx("example.test", 10, "mx1.example.test");
  w.zone.add_a("mx1.example.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.rcpt = only("alice@example.test");
  auto& server = w.serve("127.0.0.2", b);
  const auto r = w.check_once("alice@example.test");
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  EXPECT_EQ(r.catch_all.state, catch_all_state::rejects_unknown);
  EXPECT_EQ(r.routing.kind, dns::route_kind::mx);
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_EQ(r.attempts[0].end, attempt_end::rcpt_answered);
  EXPECT_EQ(r.rcpt_reply->code, 250);
  EXPECT_EQ(r.evidence_attempt, 0u);
  const auto commands = server.commands();
  ASSERT_GE(commands.size(), 6u);
  EXPECT_EQ(commands[0], "EHLO probe.example.net");
  EXPECT_EQ(commands[1], "MAIL FROM:<probe@probe.example.net>");
  EXPECT_EQ(commands[2], "RCPT TO:<alice@example.test>");
  EXPECT_EQ(commands[3], "RSET");
  EXPECT_EQ(commands[4], "MAIL FROM:<probe@probe.example.net>");
  EXPECT_TRUE(commands[5].starts_with("RCPT TO:<") && commands[5].ends_with("@example.test>"));
  EXPECT_NE(commands[5], commands[2]);
  EXPECT_EQ(commands.back(), "QUIT");
}

TEST(Prober, UndeliverableWithoutCatchAllProbe) {
  world w;
  w.zone.add_mx("example.test", 10, "mx1.example.test");
  w.zone.add_a("mx1.example.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.rcpt = only("alice@example.test");
  auto& server = w.serve("127.0.0.2", b);
  const auto r = w.check_once("nosuchuser@example.test");
  EXPECT_EQ(r.result, verdict::undeliverable) << r.reason;
  EXPECT_EQ(r.rcpt_reply->enhanced->to_string(), "5.1.1");
  EXPECT_EQ(r.rcpt_meaning->meaning, smtp::reply_meaning::mailbox_unknown);
  EXPECT_EQ(count_prefix(server.commands(), "RCPT"), 1u);
}

TEST(Prober, CatchAllDomain) {
  world w;
  w.zone.add_mx("catchall.test", 10, "mx.catchall.test");
  w.zone.add_a("mx.catchall.test", "127.0.0.2");
  w.serve("127.0.0.2");
  const auto r = w.check_once("whoever@catchall.test");
  EXPECT_EQ(r.result, verdict::catch_all) << r.reason;
  EXPECT_EQ(r.catch_all.state, catch_all_state::accepts_all);
  EXPECT_FALSE(r.catch_all.probe_address.empty());
}

TEST(Prober, NoCatchAllTestWhenAsked) {
  world w;
  w.zone.add_mx("catchall.test", 10, "mx.catchall.test");
  w.zone.add_a("mx.catchall.test", "127.0.0.2");
  auto& server = w.serve("127.0.0.2");
  auto o = w.options();
  o.catch_all_test = false;
  const auto r = w.check_once("whoever@catchall.test", o);
  EXPECT_EQ(r.result, verdict::deliverable);
  EXPECT_EQ(r.catch_all.state, catch_all_state::not_tested);
  EXPECT_EQ(count_prefix(server.commands(), "RCPT"), 1u);
}

TEST(Prober, FirstMxRefusedSecondAnswers) {
  world w;
  w.zone.add_mx("example.test", 10, "mx1.example.test");
  w.zone.add_mx("example.test", 20, "mx2.example.test");
  w.zone.add_a("mx1.example.test", "127.0.0.2");  // nothing listens there
  w.zone.add_a("mx2.example.test", "127.0.0.3");
  fakes::smtp_behaviour b;
  b.rcpt = only("alice@example.test");
  w.serve("127.0.0.3", b);
  const auto r = w.check_once("alice@example.test");
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].mx_host, "mx1.example.test");
  EXPECT_EQ(r.attempts[0].end, attempt_end::connect_failed);
  EXPECT_EQ(r.attempts[0].error->kind, smtp::failure_kind::refused);
  EXPECT_EQ(r.attempts[1].mx_host, "mx2.example.test");
  EXPECT_EQ(r.evidence_attempt, 1u);
}

TEST(Prober, A5xxAtRcptIsTheAnswerNoBackupAsked) {
  world w;
  w.zone.add_mx("example.test", 10, "mx1.example.test");
  w.zone.add_mx("example.test", 20, "mx2.example.test");
  w.zone.add_a("mx1.example.test", "127.0.0.2");
  w.zone.add_a("mx2.example.test", "127.0.0.3");
  fakes::smtp_behaviour b;
  b.rcpt = only("alice@example.test");
  w.serve("127.0.0.2", b);
  auto& backup = w.serve("127.0.0.3");  // a backup that accepts everything
  const auto r = w.check_once("bob@example.test");
  EXPECT_EQ(r.result, verdict::undeliverable);
  EXPECT_EQ(backup.connections(), 0u);
}

TEST(Prober, ImplicitMx) {
  world w;
  w.zone.add_a("implicit.test", "127.0.0.4");
  fakes::smtp_behaviour b;
  b.rcpt = only("alice@implicit.test");
  w.serve("127.0.0.4", b);
  const auto r = w.check_once("alice@implicit.test");
  EXPECT_EQ(r.routing.kind, dns::route_kind::implicit_mx);
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  EXPECT_TRUE(r.attempts.at(0).implicit_mx);
}

TEST(Prober, NullMxAndNxdomainWithoutConnecting) {
  world w;
  w.zone.add_mx("nullmx.test", 0, "");
  w.zone.add_a("nullmx.test", "127.0.0.2");
  auto& server = w.serve("127.0.0.2");
  const auto null_mx = w.check_once("alice@nullmx.test");
  EXPECT_EQ(null_mx.result, verdict::no_mail_domain);
  EXPECT_NE(null_mx.reason.find("RFC 7505"), std::string::npos);
  const auto nx = w.check_once("alice@nowhere.test");
  EXPECT_EQ(nx.result, verdict::no_mail_domain);
  EXPECT_NE(nx.reason.find("NXDOMAIN"), std::string::npos);
  EXPECT_TRUE(nx.attempts.empty());
  EXPECT_EQ(server.connections(), 0u);
}

TEST(Prober, DnsFailureIsUnreachableNotUndeliverable) {
  world w;
  w.zone.fail("broken.test", dns::outcome::servfail);
  const auto r = w.check_once("alice@broken.test");
  EXPECT_EQ(r.result, verdict::unreachable);
  EXPECT_NE(r.reason.find("servfail"), std::string::npos) << r.reason;
}

TEST(Prober, Ipv6OnlyMx) {
  world w;
  w.zone.add_mx("v6.test", 10, "mx.v6.test");
  w.zone.add_a("mx.v6.test", "::1");
  w.serve("::1");
  const auto r = w.check_once("alice@v6.test");
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_EQ(r.attempts[0].address.to_string(), "::1");
  EXPECT_EQ(r.result, verdict::catch_all) << r.reason;
  auto o = w.options();
  o.want_ipv6 = false;  // -4
  const auto v4_only = w.check_once("alice@v6.test", o);
  EXPECT_EQ(v4_only.result, verdict::unreachable);
  EXPECT_TRUE(v4_only.attempts.empty());
  EXPECT_NE(v4_only.reason.find("-4"), std::string::npos) << v4_only.reason;
}

TEST(Prober, EveryAddressOfAHostInOrder) {
  world w;
  w.zone.add_mx("dual.test", 10, "mx.dual.test");
  w.zone.add_a("mx.dual.test", "::1");
  w.zone.add_a("mx.dual.test", "127.0.0.5");
  w.serve("127.0.0.5");  // nothing on ::1 at this port
  const auto r = w.check_once("alice@dual.test");
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].address.to_string(), "::1");  // AAAA first
  EXPECT_EQ(r.attempts[1].address.to_string(), "127.0.0.5");
}

TEST(Prober, GreylistedIsTemporary) {
  world w;
  w.zone.add_mx("grey.test", 10, "mx.grey.test");
  w.zone.add_a("mx.grey.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.rcpt = [](const std::string&, fakes::smtp_connection&) {
    return std::string("451 4.7.1 <alice@grey.test>: Recipient address rejected: Greylisted, try again later");
  };
  w.serve("127.0.0.2", b);
  const auto r = w.check_once("alice@grey.test");
  EXPECT_EQ(r.result, verdict::temporary);
  EXPECT_TRUE(r.greylisted);
  EXPECT_FALSE(r.greylist_retried);
  EXPECT_NE(r.reason.find("greylisted"), std::string::npos);
}

TEST(Prober, GreylistWaitProbesAgain) {
  world w;
  w.zone.add_mx("grey.test", 10, "mx.grey.test");
  w.zone.add_a("mx.grey.test", "127.0.0.2");
  auto first_seen = std::make_shared<std::optional<std::chrono::steady_clock::time_point>>();
  fakes::smtp_behaviour b;
  b.rcpt = [first_seen](const std::string& address, fakes::smtp_connection&) {
    if (address != "alice@grey.test") return std::string("550 5.1.1 unknown");
    if (!*first_seen) {
      *first_seen = std::chrono::steady_clock::now();
      return std::string("450 4.2.0 <alice@grey.test>: Recipient address rejected: Greylisted");
    }
    return std::string("250 2.1.5 Ok");
  };
  auto& server = w.serve("127.0.0.2", b);
  auto o = w.options();
  o.greylist_wait = 1s;
  const auto r = w.check_once("alice@grey.test", o);
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  EXPECT_TRUE(r.greylisted);
  EXPECT_TRUE(r.greylist_retried);
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_GE(r.attempts.size(), 2u);
}

TEST(Prober, FourFiftyTwoOnSecondRcptNeverDecides) {
  world w;
  w.zone.add_mx("strict.test", 10, "mx.strict.test");
  w.zone.add_a("mx.strict.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.rcpt = [](const std::string&, fakes::smtp_connection& c) {
    return c.rcpts >= 2 ? std::string("452 4.5.3 Error: too many recipients") : std::string("250 2.1.5 Ok");
  };
  auto& server = w.serve("127.0.0.2", b);
  smtp::prober p(w.io.get_executor(), w.zone, w.options());
  const auto first = w.check(p, "alice@strict.test");
  EXPECT_EQ(first.result, verdict::deliverable) << first.reason;
  EXPECT_EQ(first.catch_all.state, catch_all_state::inconclusive);  // the probe got 452
  // The next recipient of the domain lands on the kept session, gets 452, and is asked
  // again in a fresh session instead of being reported as temporary.
  const auto second = w.check(p, "bob@strict.test");
  EXPECT_EQ(second.result, verdict::deliverable) << second.reason;
  EXPECT_EQ(server.connections(), 2u);
  close(w.io, p);
}

TEST(Prober, StartTlsRequiredBy530) {
  world w;
  w.zone.add_mx("tls.test", 10, "mx.tls.test");
  w.zone.add_a("mx.tls.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.starttls = true;
  b.require_tls = true;
  b.tls_name = "mx.tls.test";
  b.rcpt = only("alice@tls.test");
  // Hide STARTTLS from EHLO: the client learns of it only from the 530.
  b.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (!line.starts_with("EHLO")) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "250-mx.tls.test\n250 8BITMIME";
    return a;
  };
  auto& server = w.serve("127.0.0.2", b);
  const auto r = w.check_once("alice@tls.test");
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  ASSERT_FALSE(r.attempts.empty());
  const auto& at = r.attempts.back();
  ASSERT_TRUE(at.opening.tls);
  EXPECT_TRUE(at.opening.tls->name_matches);
  const auto commands = server.commands();
  EXPECT_EQ(count_prefix(commands, "STARTTLS"), 1u);
  EXPECT_EQ(count_prefix(commands, "EHLO"), 2u);
  auto o = w.options();
  o.tls = smtp::tls_mode::off;
  const auto refused = w.check_once("alice@tls.test", o);
  EXPECT_EQ(refused.result, verdict::tls_error) << refused.reason;
}

TEST(Prober, OpportunisticTlsFallsBackToPlaintext) {
  world w;
  w.zone.add_mx("badtls.test", 10, "mx.badtls.test");
  w.zone.add_a("mx.badtls.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.starttls = true;
  b.tls_garbage = true;
  b.rcpt = only("alice@badtls.test");
  w.serve("127.0.0.2", b);
  const auto r = w.check_once("alice@badtls.test");
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].end, attempt_end::tls_failed);
  EXPECT_TRUE(r.attempts[1].tls_fallback);
  auto o = w.options();
  o.tls = smtp::tls_mode::required;
  const auto strict = w.check_once("alice@badtls.test", o);
  EXPECT_EQ(strict.result, verdict::tls_error) << strict.reason;
}

TEST(Prober, Banner421ThenNextMx) {
  world w;
  w.zone.add_mx("busy.test", 10, "mx1.busy.test");
  w.zone.add_mx("busy.test", 20, "mx2.busy.test");
  w.zone.add_a("mx1.busy.test", "127.0.0.2");
  w.zone.add_a("mx2.busy.test", "127.0.0.3");
  fakes::smtp_behaviour busy;
  busy.banner = "421 4.3.2 Service shutting down";
  busy.close_after_banner = true;
  w.serve("127.0.0.2", busy);
  fakes::smtp_behaviour ok;
  ok.rcpt = only("alice@busy.test");
  w.serve("127.0.0.3", ok);
  const auto r = w.check_once("alice@busy.test");
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  EXPECT_EQ(r.attempts[0].end, attempt_end::refused_temporarily);
  EXPECT_EQ(r.attempts[0].refusal->code, 421);
}

TEST(Prober, Banner554EverywhereIsRejectedUs) {
  world w;
  w.zone.add_mx("blocked.test", 10, "mx.blocked.test");
  w.zone.add_a("mx.blocked.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.banner = "554 5.7.1 Service unavailable; client [127.0.0.1] blocked using zen.spamhaus.org";
  auto& server = w.serve("127.0.0.2", b);
  const auto r = w.check_once("alice@blocked.test");
  EXPECT_EQ(r.result, verdict::rejected_us) << r.reason;
  EXPECT_EQ(server.quits(), 1u);  // RFC 5321 §3.1: QUIT after a 554 greeting
}

TEST(Prober, PolicyRefusalAtRcptIsNeverUndeliverable) {
  world w;
  w.zone.add_mx("policy.test", 10, "mx.policy.test");
  w.zone.add_a("mx.policy.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.rcpt = [](const std::string&, fakes::smtp_connection&) {
    return std::string("554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using bl.test");
  };
  w.serve("127.0.0.2", b);
  const auto r = w.check_once("alice@policy.test");
  EXPECT_EQ(r.result, verdict::rejected_us) << r.reason;
}

TEST(Prober, MailRefusals) {
  world w;
  w.zone.add_mx("mail.test", 10, "mx1.mail.test");
  w.zone.add_mx("mail.test", 20, "mx2.mail.test");
  w.zone.add_a("mx1.mail.test", "127.0.0.2");
  w.zone.add_a("mx2.mail.test", "127.0.0.3");
  fakes::smtp_behaviour deferring;
  deferring.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (!line.starts_with("MAIL")) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "451 4.3.0 Temporary lookup failure";
    return a;
  };
  w.serve("127.0.0.2", deferring);
  fakes::smtp_behaviour refusing;
  refusing.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (!line.starts_with("MAIL")) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "553 5.7.1 <probe@probe.example.net>: Sender address rejected: not owned by you";
    return a;
  };
  w.serve("127.0.0.3", refusing);
  const auto r = w.check_once("alice@mail.test");
  EXPECT_EQ(r.result, verdict::rejected_us) << r.reason;
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].end, attempt_end::refused_temporarily);
  EXPECT_EQ(r.attempts[1].end, attempt_end::refused_permanently);
}

TEST(Prober, NonSmtpPeerIsAProtocolError) {
  world w;
  w.zone.add_mx("web.test", 10, "www.web.test");
  w.zone.add_a("www.web.test", "127.0.0.2");
  fakes::smtp_behaviour http;
  http.banner_raw = "HTTP/1.1 400 Bad Request\r\n\r\n";
  w.serve("127.0.0.2", http);
  const auto r = w.check_once("alice@web.test");
  EXPECT_EQ(r.result, verdict::protocol_error) << r.reason;
  EXPECT_EQ(r.attempts[0].end, attempt_end::protocol_failed);
}

TEST(Prober, DropMidReplyIsTemporaryAfterAllAddresses) {
  world w;
  w.zone.add_mx("drop.test", 10, "mx.drop.test");
  w.zone.add_a("mx.drop.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.on_command = fakes::cut_reply_to("RCPT");
  w.serve("127.0.0.2", b);
  const auto r = w.check_once("alice@drop.test");
  EXPECT_EQ(r.result, verdict::temporary) << r.reason;
  EXPECT_EQ(r.attempts[0].end, attempt_end::session_failed);
  EXPECT_EQ(r.attempts[0].error->where, smtp::phase::rcpt);
}

TEST(Prober, EveryConnectTimesOutMeansPort25Blocked) {
  world w;
  w.zone.add_mx("far.test", 10, "mx1.far.test");
  w.zone.add_mx("far.test", 20, "mx2.far.test");
  w.zone.add_a("mx1.far.test", "127.0.0.2");
  w.zone.add_a("mx2.far.test", "127.0.0.3");
  blackhole one(w.io, "127.0.0.2", w.port);
  blackhole two(w.io, "127.0.0.3", w.port);
  auto o = w.options();
  o.limits.connect = 300ms;
  smtp::prober p(w.io.get_executor(), w.zone, o);
  const auto r = w.check(p, "alice@far.test");
  EXPECT_EQ(r.result, verdict::unreachable);
  EXPECT_TRUE(r.port25_blocked_suspected);
  EXPECT_NE(r.reason.find("--proxy"), std::string::npos) << r.reason;
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].error->kind, smtp::failure_kind::timeout);
  (void)w.check(p, "bob@far.test");
  EXPECT_TRUE(p.port25_blocked_suspected());  // across domains, as batch needs
}

TEST(Prober, RefusedConnectionsAreNotPort25Blocked) {
  world w;
  w.zone.add_mx("down.test", 10, "mx.down.test");
  w.zone.add_a("mx.down.test", "127.0.0.2");
  const auto r = w.check_once("alice@down.test");
  EXPECT_EQ(r.result, verdict::unreachable);
  EXPECT_FALSE(r.port25_blocked_suspected);
}

TEST(Prober, UnusedAddressesAreForgottenKeptSessionsAreNot) {
  // 60 domains, each with its own MX address where nothing listens, and one domain whose
  // server is kept open: the state of the refused addresses is dropped once more than 8 are
  // known; the kept session's address is not, and its next check reuses the session.
  world w;
  w.zone.add_mx("kept.test", 10, "mx.kept.test");
  w.zone.add_a("mx.kept.test", "127.0.0.2");
  fakes::smtp_behaviour kept;  // named, not designated: g++ 12 -Wextra warns of the members left out
  kept.rcpt = only("user@kept.test");
  auto& server = w.serve("127.0.0.2", kept);
  for (int i = 0; i < 60; ++i) {
    const std::string domain = "d" + std::to_string(i) + ".test";
    w.zone.add_mx(domain, 10, "mx." + domain);
    w.zone.add_a("mx." + domain, "127.0.3." + std::to_string(i + 1));
  }
  auto o = w.options();
  o.forget_unused_addresses_above = 8;
  smtp::prober p(w.io.get_executor(), w.zone, o);
  const auto first = w.check(p, "user@kept.test");
  std::size_t most_tracked = 0;
  for (int i = 0; i < 60; ++i) {
    const auto r = w.check(p, "x@d" + std::to_string(i) + ".test");
    EXPECT_EQ(r.result, verdict::unreachable) << r.reason;
    most_tracked = std::max(most_tracked, p.addresses_tracked());
  }
  const auto again = w.check(p, "user@kept.test");
  close(w.io, p);
  EXPECT_EQ(first.result, verdict::deliverable) << first.reason;
  EXPECT_EQ(again.result, verdict::deliverable) << again.reason;
  EXPECT_TRUE(again.attempts[0].reused_session) << "the kept session's address was forgotten";
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_LE(most_tracked, 2u * 8u + 1u) << "addresses are tracked without bound";
  EXPECT_GE(most_tracked, 8u);
}

TEST(Prober, SessionsAreSharedPerMxAddress) {
  world w;
  for (const std::string domain : {"one.test", "two.test"}) {
    w.zone.add_mx(domain, 10, "mx.shared.test");
  }
  w.zone.add_a("mx.shared.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.rcpt = [](const std::string& address, fakes::smtp_connection&) {
    return address.starts_with("user") ? std::string("250 2.1.5 Ok") : std::string("550 5.1.1 unknown");
  };
  auto& server = w.serve("127.0.0.2", b);
  smtp::prober p(w.io.get_executor(), w.zone, w.options());
  const auto a = w.check(p, "user1@one.test");
  const auto b2 = w.check(p, "user2@one.test");
  const auto c = w.check(p, "user3@two.test");
  close(w.io, p);
  EXPECT_EQ(a.result, verdict::deliverable) << a.reason;
  EXPECT_EQ(b2.result, verdict::deliverable);
  EXPECT_EQ(c.result, verdict::deliverable);
  EXPECT_TRUE(b2.catch_all.from_cache);  // one catch-all test per domain
  EXPECT_FALSE(c.catch_all.from_cache);
  EXPECT_TRUE(b2.attempts[0].reused_session);
  EXPECT_EQ(b2.attempts[0].session_id, a.attempts[0].session_id);
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(p.counters().sessions_opened, 1u);
  EXPECT_EQ(p.counters().sessions_reused, 2u);
  EXPECT_EQ(p.counters().catch_all_cache_hits, 1u);
  EXPECT_EQ(server.quits(), 1u);
  EXPECT_EQ(count_prefix(server.commands(), "RSET"), count_prefix(server.commands(), "MAIL") - 1);
  EXPECT_EQ(p.counters().commands_sent, server.commands().size());
}

TEST(Prober, AKeptSessionTheServerClosedIsReplacedSilently) {
  world w;
  w.zone.add_mx("idle.test", 10, "mx.idle.test");
  w.zone.add_a("mx.idle.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  // The server hangs up right after answering the first check's last RCPT, as a server
  // with a short idle timeout does; the client learns it only at the next command.
  b.on_command = [](const std::string& line, fakes::smtp_connection& c) -> std::optional<fakes::smtp_action> {
    if (!line.starts_with("RCPT") || c.index != 1 || c.rcpts < 2) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "550 5.1.1 unknown";
    a.close = true;
    return a;
  };
  auto& server = w.serve("127.0.0.2", b);
  smtp::prober p(w.io.get_executor(), w.zone, w.options());
  const auto first = w.check(p, "alice@idle.test");
  const auto second = w.check(p, "bob@idle.test");
  close(w.io, p);
  EXPECT_EQ(first.result, verdict::deliverable) << first.reason;
  EXPECT_EQ(second.result, verdict::deliverable) << second.reason;
  ASSERT_EQ(second.attempts.size(), 2u);
  EXPECT_TRUE(second.attempts[0].reused_session);
  EXPECT_NE(second.attempts[0].note.find("no longer answered"), std::string::npos);
  EXPECT_FALSE(second.attempts[1].reused_session);
  EXPECT_EQ(second.evidence_attempt, 1u);
  EXPECT_EQ(server.connections(), 2u);
}

TEST(Prober, OneSessionAtATimePerAddressAndRcptLimit) {
  world w;
  w.zone.add_mx("busy.test", 10, "mx.busy.test");
  w.zone.add_a("mx.busy.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.rcpt = [](const std::string& address, fakes::smtp_connection&) {
    return address.starts_with("user") ? std::string("250 2.1.5 Ok") : std::string("550 5.1.1 unknown");
  };
  auto& server = w.serve("127.0.0.2", b);
  auto o = w.options();
  o.max_rcpts_per_session = 3;
  smtp::prober p(w.io.get_executor(), w.zone, o);
  std::vector<smtp::address_check> results(8);
  int done = 0;
  for (int i = 0; i < 8; ++i)
    net::co_spawn(w.io, p.check(box("user" + std::to_string(i) + "@busy.test")),
                  [&, i](std::exception_ptr e, smtp::address_check r) {
                    ASSERT_FALSE(e);
                    results[i] = std::move(r);
                    ++done;
                  });
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (done < 8 && std::chrono::steady_clock::now() < deadline) w.io.run_one_for(50ms);
  ASSERT_EQ(done, 8);
  close(w.io, p);
  for (const auto& r : results) EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  EXPECT_EQ(server.max_concurrent_connections(), 1u);
  // 8 real RCPTs and 1 catch-all test, at most 3 per session.
  EXPECT_EQ(count_prefix(server.commands(), "RCPT"), 9u);
  EXPECT_EQ(server.connections(), 3u);
  EXPECT_EQ(p.counters().sessions_opened, 3u);
}

TEST(Prober, Smtputf8OnlyWhenAdvertised) {
  world w;
  w.zone.add_mx("utf8.test", 10, "mx.utf8.test");
  w.zone.add_a("mx.utf8.test", "127.0.0.2");
  auto& plain = w.serve("127.0.0.2");
  const auto refused = w.check_once("用户@utf8.test");
  EXPECT_EQ(refused.result, verdict::undeliverable);
  EXPECT_NE(refused.reason.find("SMTPUTF8"), std::string::npos);
  EXPECT_EQ(count_prefix(plain.commands(), "MAIL"), 0u);  // nothing was asked
  plain.behaviour().ehlo.push_back("SMTPUTF8");
  const auto accepted = w.check_once("用户@utf8.test");
  EXPECT_EQ(accepted.result, verdict::catch_all) << accepted.reason;
  const auto commands = plain.commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "MAIL FROM:<probe@probe.example.net> SMTPUTF8"),
            commands.end());
}

TEST(Prober, ThroughSocks5Proxy) {
  world w;
  w.zone.add_mx("proxied.test", 10, "mx.proxied.test");
  w.zone.add_a("mx.proxied.test", "127.0.0.6");
  fakes::smtp_behaviour b;
  b.rcpt = only("alice@proxied.test");
  w.serve("127.0.0.6", b);
  fakes::socks5_server proxy(w.io, "u", "p");
  auto o = w.options();
  o.proxy = *smtp::parse_proxy_url("socks5://u:p@127.0.0.1:" + std::to_string(proxy.port()));
  const auto r = w.check_once("alice@proxied.test", o);
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  EXPECT_TRUE(r.attempts[0].opening.via_proxy);
  ASSERT_FALSE(proxy.connects().empty());
  EXPECT_EQ(proxy.connects()[0].address().to_string(), "127.0.0.6");
}

TEST(Prober, UnresolvableProxyIsUnreachableWithTheReason) {
  world w;
  w.zone.add_mx("proxied.test", 10, "mx.proxied.test");
  w.zone.add_a("mx.proxied.test", "127.0.0.6");
  auto o = w.options();
  o.proxy = *smtp::parse_proxy_url("socks5://proxy.nowhere.test:1080");
  const auto r = w.check_once("alice@proxied.test", o);
  EXPECT_EQ(r.result, verdict::unreachable);
  EXPECT_NE(r.reason.find("proxy"), std::string::npos) << r.reason;
}

TEST(Prober, YahooQuirkMakesAcceptanceUnverifiable) {
  world w;
  w.zone.add_mx("yahoo.test", 1, "mta5.am0.yahoodns.net");
  w.zone.add_a("mta5.am0.yahoodns.net", "127.0.0.2");
  auto& server = w.serve("127.0.0.2");
  const auto r = w.check_once("someone@yahoo.test");
  EXPECT_EQ(r.result, verdict::unverifiable) << r.reason;
  ASSERT_TRUE(r.quirk);
  EXPECT_EQ(r.quirk->provider, "Yahoo Mail");
  EXPECT_EQ(count_prefix(server.commands(), "RCPT"), 1u);  // no catch-all probe needed
}

TEST(Prober, Microsoft365AcceptAllIsUnverifiableButDbebIsUndeliverable) {
  world w;
  w.zone.add_mx("contoso.test", 0, "contoso-test.mail.protection.outlook.com");
  w.zone.add_a("contoso-test.mail.protection.outlook.com", "127.0.0.2");
  auto& server = w.serve("127.0.0.2");
  const auto open = w.check_once("anyone@contoso.test");
  EXPECT_EQ(open.result, verdict::unverifiable) << open.reason;
  server.behaviour().rcpt = [](const std::string& address, fakes::smtp_connection&) {
    return address == "real@contoso.test" ? std::string("250 2.1.5 Recipient OK")
                                          : std::string("550 5.4.1 Recipient address rejected: Access denied. "
                                                        "AS(201806281)");
  };
  const auto dbeb = w.check_once("ghost@contoso.test");
  EXPECT_EQ(dbeb.result, verdict::undeliverable) << dbeb.reason;
  EXPECT_EQ(dbeb.mailbox_exists, false);
  const auto real = w.check_once("real@contoso.test");
  EXPECT_EQ(real.result, verdict::deliverable) << real.reason;  // the random local part was refused
  EXPECT_EQ(real.catch_all.state, catch_all_state::rejects_unknown);
}

TEST(Prober, WarnsAboutANonFqdnHelo) {
  world w;
  w.zone.add_mx("example.test", 10, "mx.example.test");
  w.zone.add_a("mx.example.test", "127.0.0.2");
  w.serve("127.0.0.2");
  auto o = w.options();
  o.helo = "localhost";
  const auto r = w.check_once("alice@example.test", o);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("not a fully qualified"), std::string::npos);
}

TEST(Prober, Rcpt421MovesToTheNextAddress) {
  world w;
  w.zone.add_mx("flaky.test", 10, "mx1.flaky.test");
  w.zone.add_mx("flaky.test", 20, "mx2.flaky.test");
  w.zone.add_a("mx1.flaky.test", "127.0.0.2");
  w.zone.add_a("mx2.flaky.test", "127.0.0.3");
  fakes::smtp_behaviour closing;
  closing.rcpt = [](const std::string&, fakes::smtp_connection&) {
    return std::string("421 4.4.2 mx1 Error: timeout exceeded");
  };
  w.serve("127.0.0.2", closing);
  fakes::smtp_behaviour ok;
  ok.rcpt = only("alice@flaky.test");
  w.serve("127.0.0.3", ok);
  const auto r = w.check_once("alice@flaky.test");
  EXPECT_EQ(r.result, verdict::deliverable) << r.reason;
  EXPECT_EQ(r.attempts[0].end, attempt_end::refused_temporarily);
}

TEST(Prober, PipelinesOnlyWhenOffered) {
  world w;
  w.zone.add_mx("pipe.test", 10, "mx.pipe.test");
  w.zone.add_a("mx.pipe.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (!line.starts_with("MAIL")) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "553 5.7.1 <probe@probe.example.net>: Sender address rejected: not owned by you";
    return a;
  };
  auto& server = w.serve("127.0.0.2", b);
  // With PIPELINING (RFC 2920) MAIL and RCPT go out in one write; RCPT's answer is ignored.
  const auto pipelined = w.check_once("alice@pipe.test");
  EXPECT_EQ(pipelined.result, verdict::rejected_us) << pipelined.reason;
  EXPECT_EQ(count_prefix(server.commands(), "RCPT"), 1u);
  // Without it, nothing follows a refused MAIL.
  auto& ehlo = server.behaviour().ehlo;
  ehlo.erase(std::remove(ehlo.begin(), ehlo.end(), "PIPELINING"), ehlo.end());
  const auto one_by_one = w.check_once("alice@pipe.test");
  EXPECT_EQ(one_by_one.result, verdict::rejected_us) << one_by_one.reason;
  EXPECT_EQ(count_prefix(server.commands(), "RCPT"), 1u);
  EXPECT_EQ(count_prefix(server.commands(), "MAIL"), 2u);
}

TEST(Prober, WithoutPipeliningTheDialogueIsTheSame) {
  world w;
  w.zone.add_mx("plain.test", 10, "mx.plain.test");
  w.zone.add_a("mx.plain.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.ehlo = {"plain.test", "SIZE 1000"};
  b.rcpt = only("alice@plain.test");
  auto& server = w.serve("127.0.0.2", b);
  smtp::prober p(w.io.get_executor(), w.zone, w.options());
  EXPECT_EQ(w.check(p, "alice@plain.test").result, verdict::deliverable);
  EXPECT_EQ(w.check(p, "bob@plain.test").result, verdict::undeliverable);
  close(w.io, p);
  EXPECT_EQ(server.commands(),
            (std::vector<std::string>{"EHLO probe.example.net", "MAIL FROM:<probe@probe.example.net>",
                                      "RCPT TO:<alice@plain.test>", "RSET", "MAIL FROM:<probe@probe.example.net>",
                                      server.commands()[5], "RSET", "MAIL FROM:<probe@probe.example.net>",
                                      "RCPT TO:<bob@plain.test>", "QUIT"}));
}

TEST(Decide, IsAPureFunctionOfFacts) {
  smtp::address_check c;
  c.routing.kind = dns::route_kind::mx;
  smtp::attempt a;
  a.mx_host = "mx.example";
  a.address = net::ip::make_address("192.0.2.1");
  a.end = attempt_end::rcpt_answered;
  c.attempts.push_back(a);
  c.rcpt_attempt = 0;
  smtp::reply r;
  r.code = 450;
  r.lines = {"4.1.1 user unknown, try later"};
  r.enhanced = smtp::enhanced_status{4, 1, 1};
  c.rcpt_reply = r;
  c.rcpt_meaning = classifier()->classify(r);
  smtp::decide(c, smtp::tls_mode::opportunistic, 25);
  EXPECT_EQ(c.result, verdict::temporary);  // a 4xx is never "undeliverable"
  c.routing.kind = dns::route_kind::no_domain;
  smtp::decide(c, smtp::tls_mode::opportunistic, 25);
  EXPECT_EQ(c.result, verdict::no_mail_domain);
}

}  // namespace

namespace {

TEST(Prober, DrainLetsTheDialogueUnderWayFinishAndStopsTheRest) {
  world w;
  w.zone.add_mx("queue.test", 10, "mx.queue.test");
  w.zone.add_a("mx.queue.test", "127.0.0.2");
  fakes::smtp_behaviour slow;
  slow.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (line.rfind("RCPT", 0) != 0) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "250 2.1.5 Ok";
    a.delay = 100ms;
    return a;
  };
  auto& server = w.serve("127.0.0.2", slow);
  smtp::prober p(w.io.get_executor(), w.zone, w.options());
  int finished = 0, aborted = 0;
  auto one = [&](std::string address) -> net::awaitable<void> {
    try {
      (void)co_await p.check(*smtp::parse_mailbox(address));
      ++finished;
    } catch (const boost::system::system_error& e) {
      if (e.code() == net::error::operation_aborted) ++aborted;
    }
  };
  // Three checks queue on the one session slot; drain once the first is talking.
  for (const char* a : {"a@queue.test", "b@queue.test", "c@queue.test"}) net::co_spawn(w.io, one(a), net::detached);
  net::steady_timer t(w.io, 50ms);
  t.async_wait([&](boost::system::error_code) { p.drain(); });
  w.io.run_for(1500ms);
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(aborted, 2);
  EXPECT_TRUE(p.draining());
  close(w.io, p);
  EXPECT_EQ(server.quits(), 1u) << "the finished dialogue's session ends with QUIT";
}

}  // namespace
