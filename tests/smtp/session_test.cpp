// smtp::session against the scripted fake server: phases, timeouts, STARTTLS, SOCKS5, faults.
#include "smtp/session.hpp"
#include "smtp/tls.hpp"
#include "probe/output_words.hpp"
#include "tests/fakes/fake_smtp_server.hpp"
#include "tests/fakes/run_coroutine.hpp"
#include "tests/fakes/socks5_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <variant>
#include <vector>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using smtp::failure_kind;
using smtp::open_status;
using smtp::phase;

smtp::session_options options_for(std::uint16_t port) {
  smtp::session_options o;
  o.helo = "probe.example.net";
  o.port = port;
  o.limits.connect = 2000ms;
  o.limits.banner = 500ms;
  o.limits.command = 500ms;
  o.limits.tls = 2000ms;
  o.limits.quit = 300ms;
  return o;
}

smtp::mailbox box(const std::string& text) {
  auto parsed = smtp::parse_mailbox(text);
  EXPECT_TRUE(parsed) << parsed.error;
  return *parsed;
}

// A server that answers nothing to the commands starting with one of `verbs` (the
// connection stays open).
fakes::smtp_behaviour unanswered(std::vector<std::string> verbs) {
  fakes::smtp_behaviour b;
  b.on_command = [verbs](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (std::none_of(verbs.begin(), verbs.end(), [&](const auto& v) { return line.starts_with(v); })) return std::nullopt;
    fakes::smtp_action a;
    a.hang = true;
    return a;
  };
  return b;
}

struct opened {
  smtp::open_result result;
  smtp::session_opening facts;
};

opened open_session(net::io_context& io, smtp::session& s, const std::string& address = "127.0.0.1",
                    const std::string& mx = "mx.fake.test") {
  auto result = fakes::run_coroutine(io, s.open(net::ip::make_address(address), mx));
  return {result, s.opening()};
}

// A phrase said in `lang` from probe/data/output_words.yaml (the report's renderer), when
// its key is in the `section` the session's phrases belong to.
std::string said_in(const dns::phrase& f, const std::string& lang, const std::string& section) {
  static const auto loaded =
      probe::output_words::load(std::string(PROBE_SOURCE_DIR) + "/probe/data/output_words.yaml");
  if (const auto* problem = std::get_if<std::string>(&loaded)) return "<" + *problem + ">";
  if (f.key.rfind(section, 0) != 0) return "<not in " + section + ": " + f.key + ">";
  return std::get<probe::output_words>(loaded).render(f, lang, "<no template for " + f.key + ">");
}

// A finding's English must give back the finding.
std::string finding_in(const dns::phrase& f, const std::string& lang) {
  return said_in(f, lang, "address.session_finding.");
}

// A detail probe composed has its phrase: English gives back the detail, Chinese says
// `zh_words` instead.
void expect_detail_said(const smtp::failure& f, const std::string& zh_words) {
  EXPECT_EQ(said_in(f.said, "en", "address.detail."), f.detail);
  const auto zh = said_in(f.said, "zh", "address.detail.");
  EXPECT_EQ(zh.find('<'), std::string::npos) << zh;
  EXPECT_NE(zh.find(zh_words), std::string::npos) << zh;
}

TEST(Session, PlainDialogue) {
  net::io_context io;
  fakes::fake_smtp_server server(io, {});
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::ready) << (o.result.error ? o.result.error->describe() : "");
  EXPECT_EQ(o.facts.banner->code, 220);
  EXPECT_TRUE(o.facts.capabilities_now.esmtp);
  EXPECT_EQ(o.facts.capabilities_now.size_limit, 10240000u);
  EXPECT_FALSE(o.facts.tls);
  const auto mail = fakes::run_coroutine(io, s.mail_from("probe@example.net", false));
  ASSERT_TRUE(mail.response);
  EXPECT_EQ(mail.response->code, 250);
  EXPECT_TRUE(s.in_transaction());
  const auto rcpt = fakes::run_coroutine(io, s.rcpt_to(box("user@example.com")));
  EXPECT_EQ(rcpt.response->code, 250);
  EXPECT_EQ(rcpt.command, "RCPT TO:<user@example.com>");
  const auto rset = fakes::run_coroutine(io, s.rset());
  EXPECT_EQ(rset.response->code, 250);
  EXPECT_FALSE(s.in_transaction());
  fakes::run_coroutine(io, s.quit());
  EXPECT_FALSE(s.usable());
  EXPECT_EQ(server.commands(), (std::vector<std::string>{"EHLO probe.example.net", "MAIL FROM:<probe@example.net>",
                                                         "RCPT TO:<user@example.com>", "RSET", "QUIT"}));
  EXPECT_EQ(s.commands_sent(), 5u);
}

TEST(Session, SlowBannerTimesOutWithItsPhase) {
  net::io_context io;
  fakes::smtp_behaviour slow;
  slow.banner_delay = 3s;
  fakes::fake_smtp_server server(io, slow);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->where, phase::banner);
  EXPECT_EQ(o.result.error->kind, failure_kind::timeout);
  EXPECT_NE(o.result.error->describe().find("timeout while waiting for the greeting banner"), std::string::npos);
  EXPECT_EQ(o.result.error->detail, "no greeting within 500 ms");
  expect_detail_said(*o.result.error, "500 ms 内没有收到欢迎语");
}

TEST(Session, Banner421IsARejection) {
  net::io_context io;
  fakes::smtp_behaviour busy;
  busy.banner = "421 4.3.2 mx.fake.test Service shutting down";
  busy.close_after_banner = true;
  fakes::fake_smtp_server server(io, busy);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::rejected);
  EXPECT_EQ(o.result.where, phase::banner);
  EXPECT_EQ(o.result.response->code, 421);
  EXPECT_FALSE(s.usable());
}

TEST(Session, DropMidReply) {
  net::io_context io;
  fakes::smtp_behaviour dropper;
  dropper.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (!line.starts_with("RCPT")) return std::nullopt;
    fakes::smtp_action a;
    a.raw = "250-this reply never end";
    a.close = true;
    return a;
  };
  fakes::fake_smtp_server server(io, dropper);
  smtp::session s(io.get_executor(), options_for(server.port()));
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  fakes::run_coroutine(io, s.mail_from("", false));
  const auto rcpt = fakes::run_coroutine(io, s.rcpt_to(box("user@example.com")));
  ASSERT_TRUE(rcpt.error);
  EXPECT_EQ(rcpt.error->where, phase::rcpt);
  EXPECT_EQ(rcpt.error->kind, failure_kind::closed);
  EXPECT_FALSE(s.usable());
}

TEST(Session, EndlessMultiLineReplyIsBounded) {
  net::io_context io;
  fakes::smtp_behaviour endless;
  endless.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (!line.starts_with("EHLO")) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "AUTH PLAIN LOGIN CRAM-MD5";
    a.endless = true;
    return a;
  };
  fakes::fake_smtp_server server(io, endless);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->where, phase::ehlo);
  EXPECT_EQ(o.result.error->kind, failure_kind::reply_too_large);
}

TEST(Session, OneMebibyteLineIsBounded) {
  net::io_context io;
  fakes::smtp_behaviour huge;
  huge.banner = "220 " + std::string(1 << 20, 'x');
  fakes::fake_smtp_server server(io, huge);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->kind, failure_kind::reply_too_large);
  EXPECT_EQ(o.result.error->where, phase::banner);
}

TEST(Session, HttpServerIsNotSmtp) {
  net::io_context io;
  fakes::smtp_behaviour http;
  http.banner_raw = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  fakes::fake_smtp_server server(io, http);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->kind, failure_kind::not_smtp);
  EXPECT_NE(o.result.error->detail.find("HTTP/1.1 400"), std::string::npos);
  expect_detail_said(*o.result.error, "对方发来“HTTP/1.1 400");
}

TEST(Session, StartTlsReportsFactsAndEhloAgain) {
  net::io_context io;
  fakes::smtp_behaviour tls;
  tls.starttls = true;
  fakes::fake_smtp_server server(io, tls);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s, "127.0.0.1", "mx.fake.test.");
  ASSERT_EQ(o.result.status, open_status::ready) << (o.result.error ? o.result.error->describe() : "");
  ASSERT_TRUE(o.facts.tls);
  EXPECT_TRUE(s.tls_active());
  EXPECT_EQ(o.facts.tls->sni, "mx.fake.test");
  EXPECT_EQ(o.facts.tls->protocol, "TLSv1.3");
  EXPECT_FALSE(o.facts.tls->cipher.empty());
  EXPECT_FALSE(o.facts.tls->chain_valid);  // self-signed: reported, not fatal
  EXPECT_NE(o.facts.tls->chain_error.find("self"), std::string::npos) << o.facts.tls->chain_error;
  EXPECT_TRUE(o.facts.tls->name_matches);  // trailing dot stripped before the check
  EXPECT_NE(o.facts.tls->subject.find("CN=mx.fake.test"), std::string::npos);
  EXPECT_EQ(o.facts.tls->subject_alt_names, std::vector<std::string>{"mx.fake.test"});
  EXPECT_FALSE(o.facts.tls->not_after.empty());
  EXPECT_FALSE(o.facts.tls->expired);
  EXPECT_TRUE(o.facts.plaintext_capabilities.starttls);
  EXPECT_FALSE(o.facts.capabilities_now.starttls);  // the second EHLO, inside TLS
  const auto commands = server.commands();
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0], "EHLO probe.example.net");
  EXPECT_EQ(commands[1], "STARTTLS");
  EXPECT_EQ(commands[2], "EHLO probe.example.net");
  const auto rcpt_mail = fakes::run_coroutine(io, s.mail_from("", false));
  EXPECT_EQ(rcpt_mail.response->code, 250);
}

TEST(Session, CertificateNameMismatchIsAFact) {
  net::io_context io;
  fakes::smtp_behaviour tls;
  tls.starttls = true;
  fakes::fake_smtp_server server(io, tls);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s, "127.0.0.1", "other.example");
  ASSERT_EQ(o.result.status, open_status::ready);
  EXPECT_FALSE(o.facts.tls->name_matches);
  EXPECT_EQ(o.facts.tls->name_checked, "other.example");
}


void expect_findings_said(const smtp::session_opening& o) {
  ASSERT_EQ(o.findings_said.size(), o.findings.size());
  for (std::size_t i = 0; i < o.findings.size(); ++i) {
    EXPECT_EQ(finding_in(o.findings_said[i], "en"), o.findings[i]);
    const auto zh = finding_in(o.findings_said[i], "zh");
    EXPECT_EQ(zh.find('<'), std::string::npos) << zh;
    EXPECT_EQ(zh.find("plaintext"), std::string::npos) << zh;
    EXPECT_NE(zh.find("明文"), std::string::npos) << zh;
  }
}

TEST(Session, RefusedStartTlsContinuesInPlaintextAndSaysSo) {
  net::io_context io;
  fakes::smtp_behaviour refuse;
  refuse.starttls = true;
  refuse.on_command = [](const std::string& line, fakes::smtp_connection&) -> std::optional<fakes::smtp_action> {
    if (line != "STARTTLS") return std::nullopt;
    fakes::smtp_action a;
    a.reply = "454 4.7.0 TLS not available due to temporary reason";
    return a;
  };
  fakes::fake_smtp_server server(io, refuse);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::ready) << (o.result.error ? o.result.error->describe() : "");
  ASSERT_EQ(o.facts.findings.size(), 1u);
  EXPECT_EQ(o.facts.findings.front(), "STARTTLS was refused; the session continues in plaintext");
  expect_findings_said(o.facts);
  ASSERT_TRUE(o.facts.tls_failure);
  expect_detail_said(*o.facts.tls_failure, "服务器对 STARTTLS 的回答是 454 ");
}

TEST(Session, PlaintextInjectedAfterStartTlsIsDiscarded) {
  net::io_context io;
  fakes::smtp_behaviour inject;
  inject.starttls = true;
  inject.on_command = [](const std::string& line, fakes::smtp_connection& c) -> std::optional<fakes::smtp_action> {
    if (line != "STARTTLS" || c.tls) return std::nullopt;
    fakes::smtp_action a;
    a.reply = "220 2.0.0 Ready to start TLS\n250 2.1.0 injected answer";  // one write
    a.start_tls = true;
    return a;
  };
  fakes::fake_smtp_server server(io, inject);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::ready) << (o.result.error ? o.result.error->describe() : "");
  ASSERT_FALSE(o.facts.findings.empty());
  EXPECT_NE(o.facts.findings.front().find("RFC 3207"), std::string::npos);
  expect_findings_said(o.facts);
  // The injected "250" was not taken as the answer to the next command.
  const auto mail = fakes::run_coroutine(io, s.mail_from("", false));
  EXPECT_EQ(mail.response->lines.front(), "2.1.0 Ok");
}

TEST(Session, TlsHandshakeGarbage) {
  net::io_context io;
  fakes::smtp_behaviour garbage;
  garbage.starttls = true;
  garbage.tls_garbage = true;
  fakes::fake_smtp_server server(io, garbage);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->where, phase::tls_handshake);
  EXPECT_EQ(o.result.error->kind, failure_kind::tls_failed);
  EXPECT_TRUE(o.facts.tls_failure);
  // OpenSSL's words stay in English and JSON; Chinese names their reason (the fake server
  // answers the ClientHello with plain text, which OpenSSL reads as a bad record version).
  EXPECT_NE(o.result.error->detail.find("wrong version number"), std::string::npos) << o.result.error->detail;
  expect_detail_said(*o.result.error, "版本号错误");
}

TEST(Session, OpenSslReasonIsCutFromEitherForm) {
  EXPECT_EQ(smtp::openssl_reason("wrong version number (SSL routines)"), "wrong version number");
  EXPECT_EQ(smtp::openssl_reason("error:0A00010B:SSL routines::wrong version number"), "wrong version number");
  EXPECT_EQ(smtp::openssl_reason("error:0A000086:SSL routines::certificate verify failed; error:0A000197:SSL "
                                 "routines::shutdown while in init"),
            "certificate verify failed");
  EXPECT_EQ(smtp::openssl_reason("stream truncated"), "stream truncated");
  EXPECT_EQ(smtp::openssl_reason(" (SSL routines)"), " (SSL routines)");
}

// The keys of names.tls_error are libssl's own reason texts (a misspelt key would leave that
// reason in English under --lang zh).
TEST(Session, TlsErrorNamesAreOpenSslsOwnReasons) {
  const auto loaded = probe::output_words::load(std::filesystem::path(PROBE_SOURCE_DIR) / "probe" / "data" / "output_words.yaml");
  ASSERT_TRUE(std::holds_alternative<probe::output_words>(loaded));
  const auto& words = std::get<probe::output_words>(loaded);
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, nullptr);
  for (const int reason :
       {SSL_R_WRONG_VERSION_NUMBER, SSL_R_BAD_PROTOCOL_VERSION_NUMBER, SSL_R_CERTIFICATE_VERIFY_FAILED,
        SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_NO_PROTOCOLS_AVAILABLE, SSL_R_DH_KEY_TOO_SMALL, SSL_R_UNEXPECTED_EOF_WHILE_READING,
        SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED, SSL_R_PACKET_LENGTH_TOO_LONG,
        SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC, SSL_R_NO_SHARED_CIPHER, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE,
        SSL_R_SSLV3_ALERT_UNEXPECTED_MESSAGE, SSL_R_SSLV3_ALERT_BAD_RECORD_MAC, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE,
        SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, SSL_R_TLSV1_ALERT_UNKNOWN_CA, SSL_R_TLSV1_ALERT_DECODE_ERROR,
        SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, SSL_R_TLSV1_ALERT_INTERNAL_ERROR, SSL_R_TLSV1_UNRECOGNIZED_NAME}) {
    const char* text = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, reason));
    ASSERT_NE(text, nullptr) << reason;
    EXPECT_NE(words.name("tls_error", text, "zh"), text) << "no Chinese for libssl's \"" << text << "\"";
  }
}

TEST(Session, TlsRequiredButNotOffered) {
  net::io_context io;
  fakes::fake_smtp_server server(io, {});
  auto options = options_for(server.port());
  options.tls = smtp::tls_mode::required;
  smtp::session s(io.get_executor(), options);
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->kind, failure_kind::tls_unavailable);
  expect_detail_said(*o.result.error, "服务器不提供 STARTTLS");
}

TEST(Session, TlsOffMeansNoStartTls) {
  net::io_context io;
  fakes::smtp_behaviour tls;
  tls.starttls = true;
  fakes::fake_smtp_server server(io, tls);
  auto options = options_for(server.port());
  options.tls = smtp::tls_mode::off;
  smtp::session s(io.get_executor(), options);
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  EXPECT_FALSE(s.tls_active());
  EXPECT_EQ(server.commands().size(), 1u);
}

TEST(Session, EhloRefusedFallsBackToHelo) {
  net::io_context io;
  fakes::smtp_behaviour old;
  old.ehlo_reply_override = "502 5.5.2 Error: command not recognized";
  fakes::fake_smtp_server server(io, old);
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::ready);
  EXPECT_TRUE(o.facts.used_helo);
  EXPECT_FALSE(o.facts.capabilities_now.esmtp);
  EXPECT_EQ(server.commands().back(), "HELO probe.example.net");
}

TEST(Session, StartTlsAfter530) {
  net::io_context io;
  fakes::smtp_behaviour strict;
  strict.starttls = true;
  strict.require_tls = true;
  fakes::fake_smtp_server server(io, strict);
  auto options = options_for(server.port());
  options.tls = smtp::tls_mode::off;  // do not upgrade at once: the server must ask
  smtp::session s(io.get_executor(), options);
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  const auto refused = fakes::run_coroutine(io, s.mail_from("", false));
  EXPECT_EQ(refused.response->code, 530);
  const auto upgraded = fakes::run_coroutine(io, s.upgrade_to_tls());
  EXPECT_FALSE(upgraded) << upgraded->describe();
  EXPECT_TRUE(s.tls_active());
  const auto mail = fakes::run_coroutine(io, s.mail_from("", false));
  EXPECT_EQ(mail.response->code, 250);
}

TEST(Session, RefusesToSendALineBreak) {
  net::io_context io;
  fakes::fake_smtp_server server(io, {});
  smtp::session s(io.get_executor(), options_for(server.port()));
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  smtp::mailbox forged;  // not from parse_mailbox: the session must still refuse it
  forged.local = "victim>\r\nDATA\r\nSubject: x";
  forged.domain = "example.com";
  const auto rcpt = fakes::run_coroutine(io, s.rcpt_to(forged));
  ASSERT_TRUE(rcpt.error);
  EXPECT_EQ(rcpt.error->kind, failure_kind::local_error);
  expect_detail_said(*rcpt.error, "拒绝发送含有 CR、LF 或 NUL 的命令");
  const auto mail = fakes::run_coroutine(io, s.mail_from("a@b.example>\nRSET", false));
  ASSERT_TRUE(mail.error);
  fakes::run_coroutine(io, s.quit());
  for (const auto& c : server.commands()) {
    EXPECT_EQ(c.find("DATA"), std::string::npos) << c;
    EXPECT_EQ(c.find("RCPT"), std::string::npos) << c;
  }
  EXPECT_FALSE(server.saw_forbidden_command());
}

TEST(Session, RcptTimeoutNamesItsPhase) {
  net::io_context io;
  const auto silent = unanswered({"RCPT"});
  fakes::fake_smtp_server server(io, silent);
  smtp::session s(io.get_executor(), options_for(server.port()));
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  fakes::run_coroutine(io, s.mail_from("", false));
  const auto rcpt = fakes::run_coroutine(io, s.rcpt_to(box("user@example.com")));
  ASSERT_TRUE(rcpt.error);
  EXPECT_EQ(rcpt.error->kind, failure_kind::timeout);
  EXPECT_TRUE(rcpt.error->describe().starts_with("timeout while waiting for the RCPT TO response"))
      << rcpt.error->describe();
  expect_detail_said(*rcpt.error, "500 ms 内没有应答");
  EXPECT_FALSE(s.usable());
}

TEST(Session, PipelinedTransactionNamesThePhaseThatTimedOut) {
  net::io_context io;
  const auto silent = unanswered({"RCPT"});
  fakes::fake_smtp_server server(io, silent);
  smtp::session s(io.get_executor(), options_for(server.port()));
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  ASSERT_TRUE(s.opening().capabilities_now.pipelining);
  const auto group = fakes::run_coroutine(io, s.mail_transaction(false, "", false, box("user@example.com")));
  ASSERT_EQ(group.size(), 2u);
  EXPECT_EQ(group[0].step, phase::mail);
  ASSERT_TRUE(group[0].response);
  EXPECT_EQ(group[0].response->code, 250);
  EXPECT_EQ(group[1].step, phase::rcpt);
  ASSERT_TRUE(group[1].error);
  EXPECT_EQ(group[1].error->kind, failure_kind::timeout);
  EXPECT_TRUE(group[1].error->describe().starts_with("timeout while waiting for the RCPT TO response"));
  EXPECT_FALSE(s.usable());
}

// A command after the one that failed was never answered: its detail quotes the failure
// before it, in the reader's language too.
TEST(Session, PipelinedCommandAfterAFailureIsNotAnswered) {
  net::io_context io;
  const auto silent = unanswered({"MAIL", "RCPT"});
  fakes::fake_smtp_server server(io, silent);
  smtp::session s(io.get_executor(), options_for(server.port()));
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  ASSERT_TRUE(s.opening().capabilities_now.pipelining);
  const auto group = fakes::run_coroutine(io, s.mail_transaction(false, "", false, box("user@example.com")));
  ASSERT_EQ(group.size(), 2u);
  ASSERT_TRUE(group[0].error);
  EXPECT_EQ(group[0].error->where, phase::mail);
  ASSERT_TRUE(group[1].error);
  EXPECT_EQ(group[1].error->where, phase::rcpt);
  EXPECT_TRUE(group[1].error->detail.starts_with("not answered: timeout while waiting for the MAIL FROM response"))
      << group[1].error->detail;
  expect_detail_said(*group[1].error, "未获回答（前一条命令失败）：超时（MAIL FROM 阶段）: 500 ms 内没有应答");
}

TEST(Session, PipelinedGroupReadsRepliesInOrder) {
  net::io_context io;
  fakes::smtp_behaviour b;
  b.rcpt = [](const std::string&, fakes::smtp_connection&) { return std::string("550-5.1.1 first\n550 5.1.1 second"); };
  fakes::fake_smtp_server server(io, b);
  smtp::session s(io.get_executor(), options_for(server.port()));
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  fakes::run_coroutine(io, s.mail_from("", false));
  ASSERT_TRUE(s.in_transaction());
  const auto group = fakes::run_coroutine(io, s.mail_transaction(true, "a@b.example", false, box("user@example.com")));
  ASSERT_EQ(group.size(), 3u);
  EXPECT_EQ(group[0].response->lines[0], "2.0.0 Ok");
  EXPECT_EQ(group[1].response->lines[0], "2.1.0 Ok");
  EXPECT_EQ(group[2].response->lines.size(), 2u);
  EXPECT_TRUE(s.in_transaction());
  EXPECT_EQ(s.rcpts_sent(), 1u);
  EXPECT_TRUE(s.usable());
}

TEST(Session, ConnectionRefused) {
  net::io_context io;
  std::uint16_t port = 0;
  {
    net::ip::tcp::acceptor probe_port(io, {net::ip::make_address("127.0.0.1"), 0});
    port = probe_port.local_endpoint().port();
  }
  smtp::session s(io.get_executor(), options_for(port));
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->where, phase::connect);
  EXPECT_EQ(o.result.error->kind, failure_kind::refused);
}

TEST(Session, SourceAddressIsBound) {
  net::io_context io;
  fakes::fake_smtp_server server(io, {}, "127.0.0.1");
  auto options = options_for(server.port());
  options.source_ip = net::ip::make_address("127.0.0.5");
  smtp::session s(io.get_executor(), options);
  ASSERT_EQ(open_session(io, s).result.status, open_status::ready);
  EXPECT_EQ(s.opening().local_endpoint.substr(0, 10), "127.0.0.5:");
  auto mismatch = options_for(server.port());
  mismatch.source_ip = net::ip::make_address("::1");
  smtp::session other(io.get_executor(), mismatch);
  const auto o = open_session(io, other);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->kind, failure_kind::local_error);
}

TEST(Session, Ipv6Loopback) {
  net::io_context io;
  fakes::fake_smtp_server server(io, {}, "::1");
  smtp::session s(io.get_executor(), options_for(server.port()));
  const auto o = open_session(io, s, "::1");
  ASSERT_EQ(o.result.status, open_status::ready) << (o.result.error ? o.result.error->describe() : "");
}

smtp::proxy_config proxy_at(std::uint16_t port, std::string user = {}, std::string pass = {}) {
  smtp::proxy_config p;
  p.endpoint = {net::ip::make_address("127.0.0.1"), port};
  p.url.host = "127.0.0.1";
  p.url.port = port;
  p.url.username = std::move(user);
  p.url.password = std::move(pass);
  return p;
}

TEST(Session, ThroughSocks5WithPassword) {
  net::io_context io;
  fakes::fake_smtp_server server(io, {}, "127.0.0.3");
  fakes::socks5_server proxy(io, "alice", "s3cret");
  auto options = options_for(server.port());
  options.proxy = proxy_at(proxy.port(), "alice", "s3cret");
  smtp::session s(io.get_executor(), options);
  const auto o = open_session(io, s, "127.0.0.3");
  ASSERT_EQ(o.result.status, open_status::ready) << (o.result.error ? o.result.error->describe() : "");
  EXPECT_TRUE(o.facts.via_proxy);
  ASSERT_EQ(proxy.connects().size(), 1u);
  EXPECT_EQ(proxy.connects()[0].address().to_string(), "127.0.0.3");
  EXPECT_EQ(proxy.connects()[0].port(), server.port());
  const auto rcpt_mail = fakes::run_coroutine(io, s.mail_from("", false));
  EXPECT_EQ(rcpt_mail.response->code, 250);
}

TEST(Session, Socks5WrongPassword) {
  net::io_context io;
  fakes::fake_smtp_server server(io, {});
  fakes::socks5_server proxy(io, "alice", "s3cret");
  auto options = options_for(server.port());
  options.proxy = proxy_at(proxy.port(), "alice", "wrong");
  smtp::session s(io.get_executor(), options);
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->kind, failure_kind::proxy_failed);
  EXPECT_EQ(proxy.auth_failures(), 1u);
  EXPECT_EQ(server.connections(), 0u);
}

TEST(Session, Socks5NeedsCredentials) {
  net::io_context io;
  fakes::socks5_server proxy(io, "alice", "s3cret");
  smtp::session s(io.get_executor(), [&] {
    auto o = options_for(25);
    o.proxy = proxy_at(proxy.port());
    return o;
  }());
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->kind, failure_kind::proxy_failed);
  EXPECT_NE(o.result.error->detail.find("requires authentication"), std::string::npos);
}

TEST(Session, Socks5TargetRefused) {
  net::io_context io;
  std::uint16_t closed_port = 0;
  {
    net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  fakes::socks5_server proxy(io);
  auto options = options_for(closed_port);
  options.proxy = proxy_at(proxy.port());
  smtp::session s(io.get_executor(), options);
  const auto o = open_session(io, s);
  ASSERT_EQ(o.result.status, open_status::failed);
  EXPECT_EQ(o.result.error->kind, failure_kind::refused);
}

}  // namespace
