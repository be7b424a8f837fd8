// `probe user@domain` end to end: the CLI, the c-ares resolver asking a fake DNS server,
// the prober talking to fake SMTP servers on loopback, text and JSON output, exit statuses.
#include "probe/address_command.hpp"
#include "probe/address_output.hpp"
#include "probe/exit_status.hpp"
#include "tests/fakes/fake_dns_server.hpp"
#include "tests/fakes/fake_smtp_server.hpp"
#include "tests/fakes/memory_zone.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <thread>

namespace {

namespace net = boost::asio;
using json = nlohmann::json;

// DNS answers from a memory_zone, served over the wire by the fake DNS server.
fakes::dns_reply from_zone(const fakes::memory_zone& zone, const std::string& name, std::uint16_t type) {
  const auto answer = zone.lookup(name, type);
  fakes::dns_reply reply;
  reply.spec.rcode = answer.result == dns::outcome::nxdomain ? 3 : 0;
  reply.spec.answers = answer.records;
  return reply;
}

// Fake DNS and SMTP servers on a thread of their own: run_address_check runs its own
// io_context on the test's thread, like the real command.
struct network {
  net::io_context io;
  fakes::memory_zone zone;
  std::uint16_t smtp_port = 0;
  std::unique_ptr<fakes::fake_dns_server> dns;
  std::vector<std::unique_ptr<fakes::fake_smtp_server>> smtp;
  std::thread thread;

  network() {
    dns = std::make_unique<fakes::fake_dns_server>(
        io, [this](const std::string& name, std::uint16_t type) { return from_zone(zone, name, type); });
  }
  fakes::fake_smtp_server& serve(const std::string& address, fakes::smtp_behaviour b = {}) {
    smtp.push_back(std::make_unique<fakes::fake_smtp_server>(io, std::move(b), address, smtp_port));
    smtp_port = smtp.back()->port();
    return *smtp.back();
  }
  void start() {
    thread = std::thread([this] {
      auto guard = net::make_work_guard(io);
      io.run();
    });
  }
  void stop() {
    if (thread.joinable()) {
      io.stop();
      thread.join();
    }
  }
  ~network() {
    stop();
    for (const auto& s : smtp) EXPECT_FALSE(s->saw_forbidden_command());
  }

  probe::settings config() const {
    probe::settings s;
    s.dns.servers = {dns->address()};
    s.dns.timeout_ms = 500;
    s.dns.tries = 1;
    s.smtp.port = smtp_port;
    s.smtp.helo = "probe.example.net";
    s.smtp.connect_timeout_ms = 1000;
    s.smtp.banner_timeout_ms = 1000;
    s.smtp.command_timeout_ms = 1000;
    s.smtp.tls_timeout_ms = 2000;
    s.smtp.per_host_rate = 0;
    return s;
  }
};

struct outcome {
  int status;
  std::string out, err;
};

outcome run(const probe::settings& s, const std::string& address) {
  std::ostringstream out, err;
  probe::address_options options;
  options.address = address;
  const int status = probe::run_address_check(s, options, out, err);
  return {status, out.str(), err.str()};
}

void postfix_like(network& n) {
  n.zone.add_mx("example.test", 10, "mx1.example.test");
  n.zone.add_a("mx1.example.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.banner = "220 mx1.example.test ESMTP Postfix";
  b.rcpt = [](const std::string& address, fakes::smtp_connection&) {
    return address == "alice@example.test"
               ? std::string("250 2.1.5 Ok")
               : "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown in local recipient table";
  };
  n.serve("127.0.0.2", b);
}

TEST(AddressCommand, DeliverableText) {
  network n;
  postfix_like(n);
  n.start();
  const auto r = run(n.config(), "alice@example.test");
  EXPECT_EQ(r.status, probe::exit_ok) << r.out << r.err;
  EXPECT_TRUE(r.out.starts_with("alice@example.test: deliverable\n")) << r.out;
  EXPECT_NE(r.out.find("attempt 1: mx1.example.test [127.0.0.2] IPv4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("banner: 220 mx1.example.test ESMTP Postfix"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("catch-all: rejects-unknown"), std::string::npos) << r.out;
}

TEST(AddressCommand, UnknownUserExitsOne) {
  network n;
  postfix_like(n);
  n.start();
  const auto r = run(n.config(), "nosuchuser@example.test");
  EXPECT_EQ(r.status, probe::exit_negative) << r.out << r.err;
  EXPECT_TRUE(r.out.starts_with("nosuchuser@example.test: undeliverable")) << r.out;
  EXPECT_NE(r.out.find("User unknown in local recipient table"), std::string::npos);
}

TEST(AddressCommand, JsonCarriesTheWholeStructure) {
  network n;
  postfix_like(n);
  n.start();
  auto s = n.config();
  s.output.json = true;
  const auto r = run(s, "alice@example.test");
  ASSERT_EQ(r.status, probe::exit_ok) << r.out << r.err;
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], "deliverable");
  EXPECT_EQ(j["exit_status"], 0);
  EXPECT_EQ(j["routing"]["kind"], "mx");
  EXPECT_EQ(j["routing"]["hosts"][0]["name"], "mx1.example.test");
  const auto& attempt = j["attempts"][0];
  EXPECT_EQ(attempt["address"], "127.0.0.2");
  EXPECT_EQ(attempt["family"], "ipv4");
  EXPECT_EQ(attempt["banner"]["code"], 220);
  EXPECT_EQ(attempt["ehlo"]["size_limit"], 10240000);
  EXPECT_EQ(attempt["end"], "rcpt-answered");
  std::vector<std::string> phases;
  for (const auto& e : attempt["transcript"]) phases.push_back(e["phase"]);
  EXPECT_EQ(phases, (std::vector<std::string>{"banner", "ehlo", "mail", "rcpt", "rset", "mail", "rcpt"}));
  EXPECT_EQ(j["rcpt"]["reply"]["enhanced"], "2.1.5");
  EXPECT_EQ(j["rcpt"]["meaning"], "accepted");
  EXPECT_EQ(j["catch_all"]["state"], "rejects-unknown");
  EXPECT_EQ(j["evidence_attempt"], 0);
  EXPECT_EQ(j["counters"]["sessions_opened"], 1);
  EXPECT_EQ(j["mail_from"], "probe@probe.example.net");
}

TEST(AddressCommand, NxdomainAndNullMx) {
  network n;
  n.zone.add_mx("nullmx.test", 0, "");
  n.start();
  const auto nx = run(n.config(), "a@nowhere.test");
  EXPECT_EQ(nx.status, probe::exit_negative);
  EXPECT_TRUE(nx.out.starts_with("a@nowhere.test: no-mail-domain")) << nx.out;
  const auto null_mx = run(n.config(), "a@nullmx.test");
  EXPECT_EQ(null_mx.status, probe::exit_negative);
}

TEST(AddressCommand, UnreachableExitsFour) {
  network n;
  n.zone.add_mx("down.test", 10, "mx.down.test");
  n.zone.add_a("mx.down.test", "127.0.0.9");
  n.serve("127.0.0.2");  // allocates a port; nothing listens on 127.0.0.9 there
  n.start();
  const auto r = run(n.config(), "a@down.test");
  EXPECT_EQ(r.status, probe::exit_probe_failed) << r.out;
  EXPECT_TRUE(r.out.starts_with("a@down.test: unreachable")) << r.out;
}

TEST(AddressCommand, UsageErrorsNeverTouchTheNetwork) {
  network n;
  auto& server = n.serve("127.0.0.2");
  n.start();
  const auto injected = run(n.config(), "a@example.test\r\nDATA");
  EXPECT_EQ(injected.status, probe::exit_usage);
  EXPECT_NE(injected.err.find("CR, LF or NUL"), std::string::npos) << injected.err;
  EXPECT_EQ(run(n.config(), "not-an-address").status, probe::exit_usage);
  auto bad_helo = n.config();
  bad_helo.smtp.helo = "mail.example.net\nRSET";
  EXPECT_EQ(run(bad_helo, "a@example.test").status, probe::exit_usage);
  auto bad_proxy = n.config();
  bad_proxy.smtp.proxy = "http://proxy:8080";
  EXPECT_EQ(run(bad_proxy, "a@example.test").status, probe::exit_usage);
  auto bad_dns = n.config();
  bad_dns.dns.servers = {"not-an-ip"};
  EXPECT_EQ(run(bad_dns, "a@example.test").status, probe::exit_usage);
  n.stop();
  EXPECT_EQ(server.connections(), 0u);
}

TEST(AddressCommand, HostileBannerIsMadePrintable) {
  network n;
  n.zone.add_mx("evil.test", 10, "mx.evil.test");
  n.zone.add_a("mx.evil.test", "127.0.0.2");
  fakes::smtp_behaviour b;
  b.banner = "220 evil \x1b]0;pwned\x07 \x1b[2J ESMTP";
  n.serve("127.0.0.2", b);
  n.start();
  auto s = n.config();
  s.output.verbose = 1;
  const auto r = run(s, "a@evil.test");
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
  EXPECT_NE(r.out.find("banner: 220 evil"), std::string::npos) << r.out;
}

TEST(AddressCommand, SenderDefaultsNeverForge) {
  network n;
  n.zone.add_mx("probe.example.net", 10, "mx.probe.example.net");
  n.zone.add_a("mx.probe.example.net", "127.0.0.2");
  auto& server = n.serve("127.0.0.2");
  n.start();
  auto s = n.config();
  s.output.json = true;
  // Probing the HELO name's own domain: the default sender would be in the target domain.
  const auto r = run(s, "someone@probe.example.net");
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["mail_from"], "");
  s.smtp.mail_from = "someone@gmail.com";
  const auto forged = json::parse(run(s, "someone@probe.example.net").out);
  bool warned = false;
  for (const auto& w : forged["warnings"]) warned = warned || w.get<std::string>().find("gmail.com") != std::string::npos;
  EXPECT_TRUE(warned);
  n.stop();
  const auto commands = server.commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "MAIL FROM:<>"), commands.end());
}

TEST(AddressCommand, CommandLine) {
  network n;
  postfix_like(n);
  n.start();
  const auto parse = [&](std::vector<std::string> args) {
    probe::settings config;
    probe::command_context ctx{config};
    CLI::App app{"probe", "probe"};
    app.require_subcommand(0, 1);
    probe::add_output_flags(app, config.output);
    probe::register_address_command(app, ctx);
    std::vector<const char*> argv{"probe"};
    for (const auto& a : args) argv.push_back(a.c_str());
    testing::internal::CaptureStdout();
    app.parse(static_cast<int>(argv.size()), argv.data());
    const std::string out = testing::internal::GetCapturedStdout();
    EXPECT_TRUE(probe::address_given(app) || !app.get_subcommands().empty());
    return std::make_pair(ctx.exit_status, out);
  };
  const std::vector<std::string> common{"--dns-server",      n.dns->address(), "--smtp-port", std::to_string(n.smtp_port),
                                        "--helo",            "probe.example.net", "--rate",    "0",
                                        "--command-timeout", "1000"};
  auto args = common;
  args.insert(args.begin(), {"--json", "alice@example.test"});
  const auto [status, out] = parse(args);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(json::parse(out)["verdict"], "deliverable");
  auto alias = common;
  alias.insert(alias.begin(), {"check", "nosuchuser@example.test", "--no-catch-all"});
  const auto [alias_status, alias_out] = parse(alias);
  EXPECT_EQ(alias_status, 1) << alias_out;
  EXPECT_TRUE(alias_out.starts_with("nosuchuser@example.test: undeliverable")) << alias_out;
}

TEST(AddressCommand, ExitStatusTable) {
  using smtp::verdict;
  EXPECT_EQ(probe::exit_status_for(verdict::deliverable), 0);
  EXPECT_EQ(probe::exit_status_for(verdict::undeliverable), 1);
  EXPECT_EQ(probe::exit_status_for(verdict::no_mail_domain), 1);
  EXPECT_EQ(probe::exit_status_for(verdict::temporary), 3);
  EXPECT_EQ(probe::exit_status_for(verdict::catch_all), 3);
  EXPECT_EQ(probe::exit_status_for(verdict::unverifiable), 3);
  EXPECT_EQ(probe::exit_status_for(verdict::unreachable), 4);
  EXPECT_EQ(probe::exit_status_for(verdict::rejected_us), 4);
  EXPECT_EQ(probe::exit_status_for(verdict::protocol_error), 4);
  EXPECT_EQ(probe::exit_status_for(verdict::tls_error), 4);
}

}  // namespace
