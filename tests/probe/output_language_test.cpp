// Text output of `probe user@domain`, `probe rbl` and `probe mx` in English and Chinese
// (--lang): fixed report values rendered in both languages. Chinese output carries the
// Chinese words of probe/data/output_words.yaml and none of the English frame words;
// English output is byte for byte what it was before the words moved to the file; server
// text stays untranslated and stripped of control characters in both.

#include "probe/address_output.hpp"
#include "probe/display_width.hpp"
#include "probe/mx_output.hpp"
#include "probe/output_words.hpp"
#include "probe/rbl_output.hpp"
#include "probe/terminal_text.hpp"
#include "dns/routing.hpp"
#include "smtp/prober.hpp"
#include "tests/fakes/blackhole.hpp"
#include "tests/fakes/fake_smtp_server.hpp"
#include "tests/fakes/memory_zone.hpp"
#include "tests/fakes/prober_options.hpp"
#include "tests/fakes/smtp_actions.hpp"
#include "tests/fakes/run_coroutine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <list>
#include <set>
#include <sstream>

#include <openssl/x509_vfy.h>
#include <unistd.h>

namespace {

using testing::HasSubstr;
using testing::Not;
namespace ip = boost::asio::ip;

const std::filesystem::path words_file = std::filesystem::path(PROBE_SOURCE_DIR) / "probe" / "data" / "output_words.yaml";

// Server-controlled text with a terminal escape (retitle, clear screen), a bare CR and LF.
const std::string hostile = "\x1b]0;pwned\x07\x1b[2Jevil\r\nRCPT TO:<x@y>";

void expect_no_controls(const std::string& text) {
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

void expect_none_of(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* word : words) EXPECT_THAT(text, Not(HasSubstr(word))) << "English frame word left: " << word;
}

// ---- probe user@domain ---------------------------------------------------------------------

const probe::address_verdict_words& verdict_words() {
  static const auto loaded =
      probe::address_verdict_words::load(std::filesystem::path(PROBE_SOURCE_DIR) / "probe" / "data" / "address_verdicts.yaml");
  if (const auto* problem = std::get_if<std::string>(&loaded)) throw std::runtime_error(*problem);
  return std::get<probe::address_verdict_words>(loaded);
}

smtp::reply make_reply(int code, std::vector<std::string> lines) {
  smtp::reply r;
  r.code = code;
  r.lines = std::move(lines);
  return r;
}

dns::answer make_answer(std::string qname, std::uint16_t qtype, dns::outcome result) {
  dns::answer a;
  a.qname = std::move(qname);
  a.qtype = qtype;
  a.result = result;
  return a;
}

// Two attempts: the first refused at connect, the second on a TLS session whose RCPT
// decided; every optional part of the report is present, and the server's words are hostile.
smtp::address_check address_fixture(const std::string& server_text) {
  smtp::address_check c;
  const auto parsed = smtp::parse_mailbox("carol@example.com");
  if (!parsed.value) throw std::runtime_error("fixture address");
  c.recipient = *parsed.value;
  c.result = smtp::verdict::undeliverable;
  c.reason = "5xx to RCPT: 550 5.1.1 " + server_text;
  c.mailbox_exists = false;
  c.warnings = {"no reverse DNS for the source address"};
  c.routing.domain = "example.com";
  c.routing.kind = dns::route_kind::mx;
  dns::mail_host good{10, "mx1.example.com", false, {}, {}, {}};
  good.addresses.push_back({ip::make_address("192.0.2.10"), {}});
  dns::mail_host empty{20, "mx2.example.com", false, {}, {}, {}};
  c.routing.hosts = {good, empty};
  c.routing.findings.push_back({dns::route_problem::mx_no_address, "mx2.example.com",
                                "mx2.example.com has no A or AAAA record; a sender's MTA skips it and tries the next MX",
                                "route.mx_no_address", {{"host", "mx2.example.com"}}});

  smtp::attempt refused;
  refused.mx_host = "mx0.example.com";
  refused.address = ip::make_address("2001:db8::25");
  refused.end = smtp::attempt_end::connect_failed;
  refused.error = smtp::failure{smtp::phase::connect, smtp::failure_kind::refused, "connection refused", {}};
  refused.note = "trying the next address";

  smtp::attempt decided;
  decided.mx_host = "mx1.example.com";
  decided.preference = 10;
  decided.address = ip::make_address("192.0.2.10");
  decided.session_id = 1;
  decided.tls_fallback = true;
  decided.opening.via_proxy = true;
  decided.opening.connect_elapsed = std::chrono::milliseconds(12);
  decided.opening.banner = make_reply(220, {"mx1.example.com ESMTP " + server_text, "second line"});
  decided.opening.capabilities_now.esmtp = true;
  decided.opening.capabilities_now.starttls = true;
  decided.opening.capabilities_now.size = true;
  decided.opening.capabilities_now.size_limit = 10240000;
  smtp::tls_facts tls;
  tls.protocol = "TLSv1.3";
  tls.cipher = "TLS_AES_256_GCM_SHA384";
  tls.certificate = true;
  tls.subject = "CN=mx1.example.com";
  tls.issuer = "CN=Test CA " + server_text;
  tls.not_after = "2027-01-31T12:00:00Z";
  tls.chain_valid = false;
  tls.chain_error = "self-signed certificate";
  tls.name_matches = true;
  tls.name_checked = "mx1.example.com";
  decided.opening.tls = tls;
  decided.opening.findings = {"plaintext after STARTTLS discarded"};
  decided.opening.transcript.push_back({smtp::phase::banner, "", make_reply(220, {"mx1.example.com ESMTP"}),
                                        std::chrono::milliseconds(3), std::nullopt});
  decided.opening.transcript.push_back({smtp::phase::tls_handshake, "", std::nullopt, std::chrono::milliseconds(8), std::nullopt});
  decided.transcript.push_back({smtp::phase::mail, "MAIL FROM:<probe@example.net>", make_reply(250, {"2.1.0 Ok"}),
                                std::chrono::milliseconds(2), std::nullopt});
  decided.transcript.push_back({smtp::phase::rcpt, "RCPT TO:<carol@example.com>",
                                make_reply(550, {"5.1.1 " + server_text}), std::chrono::milliseconds(4), std::nullopt});
  decided.end = smtp::attempt_end::refused_permanently;
  decided.ended_at = smtp::phase::mail;
  decided.refusal = make_reply(554, {"5.7.1 " + server_text});

  c.attempts = {refused, decided};
  c.evidence_attempt = 1;
  c.catch_all.state = smtp::catch_all_state::rejects_unknown;
  c.catch_all.reason = "a random local part was refused";
  c.catch_all.from_cache = true;
  c.quirk = smtp::quirk_match{"Example Mail", "example.com", smtp::verdict::unverifiable, std::nullopt, "accepts all", "全部接受"};
  return c;
}

std::string address_text(const smtp::address_check& c, std::string_view lang, int verbose) {
  std::ostringstream out;
  probe::print_address_check(out, c, verbose, &verdict_words(), lang);
  return out.str();
}

// What the English report was before its words moved to output_words.yaml (rendered by
// the code of that time from these fixtures): the words file must reproduce it exactly.
constexpr std::string_view address_english = R"(carol@example.com: undeliverable
  5xx to RCPT: 550 5.1.1 benign words
  meaning: The receiving server refuses this mailbox: it does not exist, is disabled or is full. What to do: confirm the address with its owner by another channel, and remove it from your lists if it is gone.
  the mailbox does not exist
  warning: no reverse DNS for the source address
route: mx → 10 mx1.example.com 20 mx2.example.com (no address)
attempt 1: mx0.example.com [2001:db8::25] IPv6
    failed: refused while connecting: connection refused
    trying the next address
attempt 2: mx1.example.com [192.0.2.10] IPv4  connect 12 ms  session #1  via proxy  plaintext retry  ← evidence
    banner: 220 mx1.example.com ESMTP benign words (+1 lines)
    EHLO: SIZE 10240000, STARTTLS
    TLS: TLSv1.3 TLS_AES_256_GCM_SHA384; certificate CN=mx1.example.com, issuer CN=Test CA benign words, valid until 2027-01-31T12:00:00Z; chain not trusted (self-signed certificate); name matches mx1.example.com
    finding: plaintext after STARTTLS discarded
    MAIL <probe@example.net> → 250 2.1.0 Ok (2 ms)
    RCPT <carol@example.com> → 550 5.1.1 benign words (4 ms)
    refused: 554 5.7.1 benign words at mail
catch-all: rejects-unknown — a random local part was refused (from an earlier check of this domain)
provider: Example Mail (MX *.example.com)
)";
constexpr std::string_view address_english_verbose = R"(carol@example.com: undeliverable
  5xx to RCPT: 550 5.1.1 benign words
  meaning: The receiving server refuses this mailbox: it does not exist, is disabled or is full. What to do: confirm the address with its owner by another channel, and remove it from your lists if it is gone.
  the mailbox does not exist
  warning: no reverse DNS for the source address
route: mx → 10 mx1.example.com 20 mx2.example.com (no address)
  note: mx2.example.com has no A or AAAA record; a sender's MTA skips it and tries the next MX
attempt 1: mx0.example.com [2001:db8::25] IPv6
    failed: refused while connecting: connection refused
    trying the next address
attempt 2: mx1.example.com [192.0.2.10] IPv4  connect 12 ms  session #1  via proxy  plaintext retry  ← evidence
    banner: 220 mx1.example.com ESMTP benign words (+1 lines)
    EHLO: SIZE 10240000, STARTTLS
    TLS: TLSv1.3 TLS_AES_256_GCM_SHA384; certificate CN=mx1.example.com, issuer CN=Test CA benign words, valid until 2027-01-31T12:00:00Z; chain not trusted (self-signed certificate); name matches mx1.example.com
    finding: plaintext after STARTTLS discarded
      < 220 mx1.example.com ESMTP
      * TLS handshake (8 ms)
      > MAIL FROM:<probe@example.net>
      < 250 2.1.0 Ok
      > RCPT TO:<carol@example.com>
      < 550 5.1.1 benign words
    refused: 554 5.7.1 benign words at mail
catch-all: rejects-unknown — a random local part was refused (from an earlier check of this domain)
provider: Example Mail (MX *.example.com)
)";
constexpr std::string_view address_english_other_branches = R"(carol@example.com: undeliverable
  5xx to RCPT: 550 5.1.1 x
  meaning: The receiving server refuses this mailbox: it does not exist, is disabled or is full. What to do: confirm the address with its owner by another channel, and remove it from your lists if it is gone.
  the mailbox exists
  warning: no reverse DNS for the source address
route: mx → 10 mx1.example.com 20 mx2.example.com (no address)
  note: mx2.example.com has no A or AAAA record; a sender's MTA skips it and tries the next MX
attempt 1: mx0.example.com [2001:db8::25] IPv6
    failed: refused while connecting: connection refused
    trying the next address
attempt 2: mx1.example.com [192.0.2.10] IPv4  session #1 (reused)  via proxy  plaintext retry  ← evidence
    banner: 220 mx1.example.com ESMTP x (+1 lines)
    HELO used (EHLO refused)
    TLS: TLSv1.3 TLS_AES_256_GCM_SHA384; no certificate
    TLS failed: tls-failed while in the TLS handshake: bad record mac
    finding: plaintext after STARTTLS discarded
      > MAIL FROM:<probe@example.net>
      < 250 2.1.0 Ok
      > RCPT TO:<carol@example.com>
      < 550 5.1.1 x
    refused: 554 5.7.1 x at mail
catch-all: rejects-unknown — a random local part was refused (from an earlier check of this domain)
provider: Example Mail (MX *.example.com)
)";

smtp::address_check other_branches_fixture() {
  auto c = address_fixture("x");
  c.mailbox_exists = true;
  c.attempts[1].reused_session = true;
  c.attempts[1].opening.capabilities_now = {};
  c.attempts[1].opening.used_helo = true;
  c.attempts[1].opening.tls->certificate = false;
  c.attempts[1].opening.tls_failure = smtp::failure{smtp::phase::tls_handshake, smtp::failure_kind::tls_failed, "bad record mac", {}};
  return c;
}

TEST(AddressOutputLanguage, EnglishIsUnchanged) {
  EXPECT_EQ(address_text(address_fixture("benign words"), "en", 0), address_english);
  EXPECT_EQ(address_text(address_fixture("benign words"), "en", 1), address_english_verbose);
  EXPECT_EQ(address_text(other_branches_fixture(), "en", 1), address_english_other_branches);
}

TEST(AddressOutputLanguage, ChineseLabelsEveryPart) {
  const auto zh = address_text(address_fixture("benign words"), "zh", 1);
  for (const char* word : {"carol@example.com: 无法投递（undeliverable）", "  技术原因: 5xx to RCPT: 550 5.1.1 benign words",
                           "  结论: 收件服务器拒收这个邮箱", "  邮箱不存在", "  警告: ", "路由: MX 记录 → 10 mx1.example.com",
                           "20 mx2.example.com（无地址）", "  说明: mx2.example.com 没有 A 或 AAAA 记录；发送方 MTA 会跳过它，改试下一台 MX", "尝试 1: mx0.example.com",
                           "    失败: ", "    备注: trying the next address", "尝试 2: mx1.example.com [192.0.2.10] IPv4",
                           "  连接 12 ms", "  会话 #1", "  经代理", "  明文重试", "  ← 结论依据", "    欢迎语: 220 ",
                           "（另有 1 行）", "    EHLO 扩展: SIZE 10240000, STARTTLS", "；证书 CN=mx1.example.com，签发者 CN=Test CA",
                           "，有效期至 2027-01-31T12:00:00Z", "；证书链不可信（自签名证书）",
                           "；证书名称与 mx1.example.com 匹配", "    发现: ", "      * TLS 握手（8 ms）",
                           "    被拒绝: 554 5.7.1 benign words（MAIL FROM 阶段）",
                           "    失败: 连接被拒绝（连接阶段）\n", "全收测试（catch-all）: 拒收不存在的地址",
                           "（取自此前对该域名的检查）", "服务商: Example Mail（MX *.example.com）"})
    EXPECT_THAT(zh, HasSubstr(word));
  expect_none_of(zh, {"meaning:", "the mailbox", "warning:", "route:", "(no address)", "note:", "attempt ", "connect ",
                      "session #", "(reused)", "via proxy", "plaintext retry", "evidence", "banner:", "EHLO:", "lines)",
                      "certificate CN", "issuer", "valid until", "chain", "name matches", "TLS failed", "finding:",
                      "TLS handshake", "refused:", "failed:", "while connecting", " at mail", "catch-all: ", "earlier check", "provider:",
                      "connection refused"});
}

TEST(AddressOutputLanguage, TheOtherBranchesAreTranslatedToo) {
  const auto c = other_branches_fixture();
  const auto en = address_text(c, "en", 0);
  EXPECT_THAT(en, HasSubstr("  the mailbox exists\n"));
  EXPECT_THAT(en, HasSubstr("  session #1 (reused)  via proxy"));
  EXPECT_THAT(en, HasSubstr("    HELO used (EHLO refused)\n"));
  EXPECT_THAT(en, HasSubstr("    TLS: TLSv1.3 TLS_AES_256_GCM_SHA384; no certificate\n"));
  EXPECT_THAT(en, HasSubstr("    TLS failed: "));
  const auto zh = address_text(c, "zh", 0);
  EXPECT_THAT(zh, HasSubstr("  邮箱存在\n"));
  EXPECT_THAT(zh, HasSubstr("  会话 #1（复用）  经代理"));
  EXPECT_THAT(zh, HasSubstr("    使用了 HELO（EHLO 被拒绝）\n"));
  EXPECT_THAT(zh, HasSubstr("    TLS: TLSv1.3 TLS_AES_256_GCM_SHA384；无证书\n"));
  EXPECT_THAT(zh, HasSubstr("    TLS 失败: TLS 握手失败（TLS 握手阶段）: bad record mac\n"));
  expect_none_of(zh, {"the mailbox", "(reused)", "HELO used", "no certificate", "TLS failed", "while in"});
}

TEST(AddressOutputLanguage, HostileServerTextIsStrippedInChinese) {
  const auto zh = address_text(address_fixture(hostile), "zh", 1);
  expect_no_controls(zh);
  EXPECT_THAT(zh, HasSubstr("evil"));
  // The server's words stay as they were sent (not translated), only made printable.
  EXPECT_THAT(zh, HasSubstr("RCPT TO:<x@y>"));
}

// ---- probe rbl ---------------------------------------------------------------------------

rbl::listing make_listing(std::string title, std::string zone, rbl::outcome result) {
  rbl::listing l;
  l.list_name = zone;
  l.title = std::move(title);
  l.zone = std::move(zone);
  l.result = result;
  // The target is 127.0.0.127, whose reversed form is itself: the query names stay in
  // loopback space (nothing here is dialled; the listings are values).
  l.query_name = "127.0.0.127." + l.zone;
  l.elapsed = std::chrono::milliseconds(7);
  l.health.state = rbl::health_state::healthy;
  return l;
}

probe::rbl_report rbl_fixture(const std::string& server_text) {
  probe::rbl_report report;
  report.target = std::get<rbl::target>(rbl::parse_target("127.0.0.127"));
  auto listed = make_listing("ZEN-like", "zen.test", rbl::outcome::listed);
  listed.codes.push_back({"127.0.0.2", rbl::code_class::listing, "SBL", "spam source", true, {}});
  listed.txt = {"see https://zen.test/q/127.0.0.127 " + server_text};
  listed.removal_page = "https://zen.test/remove";
  listed.lookup_page = "https://zen.test/lookup";
  listed.warnings = {"the list answered slowly"};
  auto error = make_listing("Other list", "other.test", rbl::outcome::list_error);
  error.codes.push_back({"127.255.255.254", rbl::code_class::error, "", "public resolver refused", true,
                         {"use your own resolver", "请使用自建 DNS 服务器"}});
  error.health.state = rbl::health_state::refused;
  error.health.detail = "test point answered 127.255.255.254";
  auto unknown = make_listing("Slow list", "slow.test", rbl::outcome::unknown);
  unknown.detail = "timeout after 3000 ms";
  auto clean = make_listing("Clean list", "clean.test", rbl::outcome::not_listed);
  auto allow = make_listing("Allowlist", "wl.test", rbl::outcome::listed);
  allow.role = rbl::list_role::allow;
  auto dead = make_listing("Gone list", "gone.test", rbl::outcome::dead);
  dead.detail = "no longer exists (gone since 2024-06)";
  report.listings = {listed, error, unknown, clean, allow, dead,
                     make_listing("Bogus list", "bogus.test", rbl::outcome::bogus),
                     make_listing("Sick list", "sick.test", rbl::outcome::unhealthy),
                     make_listing("Keyed list", "keyed.test", rbl::outcome::skipped)};
  report.summary = rbl::summarize(report.listings);
  return report;
}

constexpr std::string_view rbl_english_verbose = R"(DNSBL check of 127.0.0.127 (IPv4): listed on 1 of 7 lists asked; on 1 allowlist

  LISTED      ZEN-like     zen.test         7 ms
                           127.0.0.2  SBL  spam source
                           reason: "see https://zen.test/q/127.0.0.127 benign"
                           removal: https://zen.test/remove
                           lookup: https://zen.test/lookup
                           warning: the list answered slowly
                           asked: 127.0.0.127.zen.test A
                           health: healthy
  LIST ERROR  Other list   other.test       7 ms
                           127.255.255.254  public resolver refused
                           what to do: use your own resolver
                           asked: 127.0.0.127.other.test A
                           health: refused (test point answered 127.255.255.254)
  UNKNOWN     Slow list    slow.test        7 ms
                           timeout after 3000 ms
                           asked: 127.0.0.127.slow.test A
                           health: healthy
  clean       Clean list   clean.test       7 ms
                           asked: 127.0.0.127.clean.test A
                           health: healthy
  ALLOWLISTED Allowlist    wl.test          7 ms
                           asked: 127.0.0.127.wl.test A
                           health: healthy
  DEAD LIST   Gone list    gone.test       
                           no longer exists (gone since 2024-06)
  BOGUS       Bogus list   bogus.test       7 ms
                           asked: 127.0.0.127.bogus.test A
                           health: healthy
  UNHEALTHY   Sick list    sick.test        7 ms
                           asked: 127.0.0.127.sick.test A
                           health: healthy
  skipped     Keyed list   keyed.test      
)";
constexpr std::string_view rbl_english = R"(DNSBL check of 127.0.0.127 (IPv4): listed on 1 of 7 lists asked; on 1 allowlist

  LISTED      ZEN-like     zen.test         7 ms
                           127.0.0.2  SBL  spam source
                           reason: "see https://zen.test/q/127.0.0.127 benign"
                           removal: https://zen.test/remove
                           lookup: https://zen.test/lookup
                           warning: the list answered slowly
  LIST ERROR  Other list   other.test       7 ms
                           127.255.255.254  public resolver refused
                           what to do: use your own resolver
  UNKNOWN     Slow list    slow.test        7 ms
                           timeout after 3000 ms
  clean       Clean list   clean.test       7 ms
  ALLOWLISTED Allowlist    wl.test          7 ms
  DEAD LIST   Gone list    gone.test       
                           no longer exists (gone since 2024-06)
  BOGUS       Bogus list   bogus.test       7 ms
  UNHEALTHY   Sick list    sick.test        7 ms
  skipped     Keyed list   keyed.test      
)";

TEST(RblOutputLanguage, EnglishIsUnchanged) {
  EXPECT_EQ(probe::rbl_text(rbl_fixture("benign"), "en", 1), rbl_english_verbose);
  EXPECT_EQ(probe::rbl_text(rbl_fixture("benign"), "en", 0), rbl_english);
}

TEST(RblOutputLanguage, ChineseLabelsEveryPart) {
  const auto zh = probe::rbl_text(rbl_fixture("benign"), "zh", 1);
  for (const char* word : {"DNSBL 检查 127.0.0.127（IPv4）: 所查询的 7 个列表中有 1 个列入；在 1 个白名单上", "已列入", "列表报错",
                           "未知", "未列入", "在白名单上", "列表已停用", "应答无效", "列表异常", "已跳过",
                           "原因: “see https://zen.test/q/127.0.0.127 benign”", "申请移除: https://zen.test/remove",
                           "查询页面: https://zen.test/lookup", "警告: the list answered slowly", "建议: 请使用自建 DNS 服务器",
                           "详情: timeout after 3000 ms", "查询: 127.0.0.127.zen.test A", "列表健康状态: 正常",
                           "列表健康状态: 拒绝本解析器查询（test point answered 127.255.255.254）"})
    EXPECT_THAT(zh, HasSubstr(word));
  expect_none_of(zh, {"DNSBL check of", "listed on", "lists asked", "allowlist", "LISTED", "LIST ERROR", "UNKNOWN", "clean ",
                      "DEAD LIST", "BOGUS", "UNHEALTHY", "skipped", "what to do:", "reason:", "removal:", "lookup:",
                      "warning:", "asked:", "health:", "healthy"});
}

TEST(RblOutputLanguage, ChineseColumnsLineUpByDisplayWidth) {
  const auto zh = probe::rbl_text(rbl_fixture("benign"), "zh", 0);
  // Each list's row: two spaces, the word padded to 12 columns, the title from column 14.
  std::istringstream lines(zh);
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line);) {
    for (const char* title : {"ZEN-like", "Other list", "Slow list", "Clean list", "Allowlist", "Gone list"}) {
      const auto at = line.find(std::string(title) + " ");
      if (at == std::string::npos || line.rfind("  ", 0) != 0) continue;
      EXPECT_EQ(probe::display_width(line.substr(0, at)), 14u) << line;
      ++rows;
    }
  }
  EXPECT_EQ(rows, 6u);
}

TEST(RblOutputLanguage, TheVerdictSentencesFollowTheLanguage) {
  auto report = rbl_fixture("x");
  report.listings = {make_listing("Clean list", "clean.test", rbl::outcome::not_listed)};
  report.summary = rbl::summarize(report.listings);
  EXPECT_THAT(probe::rbl_text(report, "en"), HasSubstr("): not listed on any of 1 lists asked\n"));
  EXPECT_THAT(probe::rbl_text(report, "zh"), HasSubstr("）: 所查询的 1 个列表均未列入\n"));
  report.listings = {make_listing("Slow list", "slow.test", rbl::outcome::unknown), make_listing("Clean list", "clean.test", rbl::outcome::not_listed)};
  report.summary = rbl::summarize(report.listings);
  EXPECT_THAT(probe::rbl_text(report, "en"), HasSubstr("): not listed on 1 lists, 1 could not answer\n"));
  EXPECT_THAT(probe::rbl_text(report, "zh"), HasSubstr("）: 1 个列表未列入，1 个无法给出答复\n"));
  report.listings = {make_listing("Gone list", "gone.test", rbl::outcome::dead)};
  report.summary = rbl::summarize(report.listings);
  EXPECT_THAT(probe::rbl_text(report, "en"), HasSubstr("): nothing asked: the lists named no longer exist\n"));
  EXPECT_THAT(probe::rbl_text(report, "zh"), HasSubstr("）: 未查询: 指定的列表均已停用\n"));
  report.target = std::get<rbl::target>(rbl::parse_target("example.com"));
  EXPECT_THAT(probe::rbl_text(report, "en"), HasSubstr("DNSBL check of example.com (domain): "));
  EXPECT_THAT(probe::rbl_text(report, "zh"), HasSubstr("DNSBL 检查 example.com（域名）: "));
}

TEST(RblOutputLanguage, HostileTxtIsStrippedInChinese) {
  const auto zh = probe::rbl_text(rbl_fixture(hostile), "zh", 1);
  expect_no_controls(zh);
  EXPECT_THAT(zh, HasSubstr("evil"));
}

// ---- probe mx ----------------------------------------------------------------------------

probe::mx_report mx_fixture(const std::string& ptr_name) {
  probe::mx_report r;
  r.input = "example.com";
  r.servers = {"127.0.0.53"};
  r.routing.domain = "example.com";
  r.routing.kind = dns::route_kind::mx;
  r.routing.mx_answer = make_answer("example.com", 15, dns::outcome::records);
  r.routing.mx_answer.ttl = 300;
  r.routing.mx_answer.elapsed = std::chrono::milliseconds(5);

  dns::mail_host first{10, "mx1.example.com", false, {}, {}, {}};
  first.a = make_answer("mx1.example.com", 1, dns::outcome::records);
  first.a.cname_chain = {"mx1.example.com", "real.example.net"};
  first.a.ttl = 60;
  first.a.from_cache = true;
  first.aaaa = make_answer("mx1.example.com", 28, dns::outcome::nodata);
  const auto named = ip::make_address("192.0.2.10"), unnamed = ip::make_address("192.0.2.11");
  auto ptr = make_answer(dns::reverse_name(named), 12, dns::outcome::records);
  ptr.records.push_back({dns::reverse_name(named), 12, 60, dns::name_data{ptr_name}});
  first.addresses.push_back({named, ptr});
  first.addresses.push_back({unnamed, make_answer(dns::reverse_name(unnamed), 12, dns::outcome::nxdomain)});
  dns::mail_host no_address{20, "mx2.example.com", false, {}, {}, {}};
  no_address.a = make_answer("mx2.example.com", 1, dns::outcome::nodata);
  no_address.aaaa = make_answer("mx2.example.com", 28, dns::outcome::nodata);
  dns::mail_host literal{30, "192.0.2.99", false, {}, {}, {}};
  r.routing.hosts = {first, no_address, literal};
  r.routing.findings.push_back({dns::route_problem::mx_no_address, "mx2.example.com",
                                "mx2.example.com has no A or AAAA record; a sender's MTA skips it and tries the next MX",
                                "route.mx_no_address", {{"host", "mx2.example.com"}}});
  return r;
}

std::string mx_text(const probe::mx_report& r, std::string_view lang, int verbose) {
  std::ostringstream out;
  probe::print_mx_text(out, r, probe::style(probe::color_mode::never), verbose, lang);
  return out.str();
}

constexpr std::string_view mx_english_verbose = R"(example.com: mail is accepted by 1 MX host; first mx1.example.com [192.0.2.10]
  10    mx1.example.com  (alias of real.example.net)
        192.0.2.10                               PTR mail.example.com
        192.0.2.11                               no PTR (nxdomain)
        AAAA nodata ttl 0 0 ms
        A records ttl 60 0 ms (cached)
  20    mx2.example.com
        no address (A: nodata, AAAA: nodata)
        AAAA nodata ttl 0 0 ms
        A nodata ttl 0 0 ms
  30    192.0.2.99
        not dialled (an IP address is not a valid MX target)
  ! mx-no-address  mx2.example.com has no A or AAAA record; a sender's MTA skips it and tries the next MX
  MX lookup: records, ttl 300, 5 ms, servers 127.0.0.53
)";
constexpr std::string_view mx_english = R"(example.com: mail is accepted by 1 MX host; first mx1.example.com [192.0.2.10]
  10    mx1.example.com  (alias of real.example.net)
        192.0.2.10                               PTR mail.example.com
        192.0.2.11                               no PTR (nxdomain)
  20    mx2.example.com
        no address (A: nodata, AAAA: nodata)
  30    192.0.2.99
        not dialled (an IP address is not a valid MX target)
  ! mx-no-address  mx2.example.com has no A or AAAA record; a sender's MTA skips it and tries the next MX
)";

TEST(MxOutputLanguage, EnglishIsUnchanged) {
  const auto r = mx_fixture("mail.example.com");
  EXPECT_EQ(mx_text(r, "en", 1), mx_english_verbose);
  EXPECT_EQ(mx_text(r, "en", 0), mx_english);
  // The default language is English, as before --lang reached probe mx.
  std::ostringstream out;
  probe::print_mx_text(out, r, probe::style(probe::color_mode::never), 1);
  EXPECT_EQ(out.str(), mx_english_verbose);
}

TEST(MxOutputLanguage, ChineseLabelsEveryPart) {
  const auto zh = mx_text(mx_fixture("mail.example.com"), "zh", 1);
  for (const char* word : {"example.com: 可以接收邮件，共 1 台 MX 主机；首选 mx1.example.com [192.0.2.10]",
                           "mx1.example.com（real.example.net 的别名）", "PTR mail.example.com", "无 PTR（NXDOMAIN：名称不存在）", "（缓存）",
                           "无地址（A: 没有该类型的记录，AAAA: 没有该类型的记录）", "不会连接（IP 地址不是有效的 MX 目标）",
                           "! MX 主机没有地址  mx2.example.com 没有 A 或 AAAA 记录；发送方 MTA 会跳过它，改试下一台 MX",
                           "MX 查询: 有记录，ttl 300，5 ms，DNS 服务器 127.0.0.53", "AAAA 没有该类型的记录 ttl 0 0 ms"})
    EXPECT_THAT(zh, HasSubstr(word));
  expect_none_of(zh, {"mail is accepted", "MX host;", "first ", "alias of", "no PTR", "(cached)", "no address", "not dialled",
                      "mx-no-address", "MX lookup", "servers", "has no A", "sender's MTA",
                      "nodata", "records", "nxdomain"});
}

TEST(MxOutputLanguage, EveryRouteKindHasAChineseHeadline) {
  struct expectation {
    dns::route_kind kind;
    const char* en;
    const char* zh;
  };
  const expectation cases[] = {
      {dns::route_kind::implicit_mx, "example.com: no MX records; mail goes to the domain's own address [192.0.2.10]",
       "example.com: 没有 MX 记录；邮件投递到域名自身的地址 [192.0.2.10]"},
      {dns::route_kind::null_mx, "example.com: accepts no mail (null MX \"MX 0 .\", RFC 7505)", "example.com: 不接收邮件（空 MX"},
      {dns::route_kind::no_domain, "example.com: domain does not exist (NXDOMAIN)", "example.com: 域名不存在（NXDOMAIN）"},
      {dns::route_kind::no_mail_host, "example.com: no host to deliver to (no MX host has a usable address)",
       "example.com: 没有可投递的主机（没有一台 MX 主机有可用地址）"},
      {dns::route_kind::dns_failure, "example.com: routing unknown: timeout from 127.0.0.53",
       "example.com: 路由未知，原因: timeout from 127.0.0.53"},
  };
  for (const auto& c : cases) {
    auto r = mx_fixture("mail.example.com");
    r.routing.kind = c.kind;
    r.dns_problem = "timeout from 127.0.0.53";
    EXPECT_THAT(mx_text(r, "en", 0), HasSubstr(c.en));
    EXPECT_THAT(mx_text(r, "zh", 0), HasSubstr(c.zh));
  }
  auto r = mx_fixture("mail.example.com");
  r.routing.kind = dns::route_kind::no_mail_host;
  r.routing.hosts.clear();
  EXPECT_THAT(mx_text(r, "en", 0), HasSubstr("no host to deliver to (no MX records and no address)"));
  EXPECT_THAT(mx_text(r, "zh", 0), HasSubstr("没有可投递的主机（没有 MX 记录，也没有地址）"));
}

TEST(MxOutputLanguage, HostilePtrNameIsStrippedInChinese) {
  const auto zh = mx_text(mx_fixture(hostile), "zh", 1);
  expect_no_controls(zh);
  EXPECT_THAT(zh, HasSubstr("evil"));
}

// ---- route findings: dns's sentence, said in the reader's language ----------------------

struct finding_case {
  const char* name;
  dns::route_problem problem;
  std::vector<const char*> zh_words;  // Chinese words and the values that must be in the sentence
  std::string domain;
  std::function<void(fakes::memory_zone&)> world;
};

std::vector<finding_case> finding_cases() {
  return {
      {"ip literal", dns::route_problem::mx_ip_literal, {"是 IP 地址而不是主机名", "127.0.0.9", "RFC 5321 §5.1"}, "literal.test",
       [](fakes::memory_zone& z) { z.add_mx("literal.test", 10, "127.0.0.9"); }},
      {"cname", dns::route_problem::mx_is_cname, {"mail.alias.test 是别名（CNAME 指向 real.alias.test）", "RFC 2181 §10.3"},
       "alias.test",
       [](fakes::memory_zone& z) {
         z.add_mx("alias.test", 10, "mail.alias.test");
         z.add_cname("mail.alias.test", "real.alias.test");
         z.add_a("real.alias.test", "192.0.2.6");
       }},
      {"no address", dns::route_problem::mx_no_address, {"ghost.partial.test 没有 A 或 AAAA 记录", "改试下一台 MX"}, "partial.test",
       [](fakes::memory_zone& z) {
         z.add_mx("partial.test", 10, "ghost.partial.test");
         z.add_mx("partial.test", 20, "real.partial.test");
         z.add_a("real.partial.test", "192.0.2.7");
       }},
      {"lookup failed", dns::route_problem::mx_lookup_failed, {"mx.slowhost.test 的地址查询失败（超时）", "稍后重试"},
       "slowhost.test",
       [](fakes::memory_zone& z) {
         z.add_mx("slowhost.test", 10, "mx.slowhost.test");
         z.fail("mx.slowhost.test", dns::outcome::timeout);
       }},
      {"null mx mixed", dns::route_problem::null_mx_mixed, {"空 MX（MX 0 .）与其他 MX 记录同时发布", "RFC 7505 §3"}, "mixed.test",
       [](fakes::memory_zone& z) {
         z.add_mx("mixed.test", 0, "");
         z.add_mx("mixed.test", 10, "mx.mixed.test");
         z.add_a("mx.mixed.test", "192.0.2.8");
       }},
      {"localhost", dns::route_problem::mx_localhost, {"mx.local.test 解析为 127.0.0.1，这是回环或未指定地址"}, "local.test",
       [](fakes::memory_zone& z) {
         z.add_mx("local.test", 10, "mx.local.test");
         z.add_a("mx.local.test", "127.0.0.1");
       }},
  };
}

probe::mx_report routed(const finding_case& fc) {
  fakes::memory_zone zone;
  fc.world(zone);
  boost::asio::io_context io;
  probe::mx_report r;
  r.input = fc.domain;
  r.routing = fakes::run_coroutine(io, dns::route_mail(zone, fc.domain, [] {
                                     dns::routing_options o;
                                     o.lookup_ptr = false;
                                     return o;
                                   }()));
  return r;
}

// The line of the text report that shows `problem`.
std::string finding_line(const std::string& report, std::string_view label) {
  const auto at = report.find("  ! " + std::string(label));
  if (at == std::string::npos) return {};
  return report.substr(at, report.find('\n', at) - at);
}

TEST(RouteFindingLanguage, EnglishTemplateIsDnssOwnSentenceForEveryKind) {
  const auto& words = probe::output_words::installed_or_throw();
  std::set<std::string> reached;
  for (const auto& fc : finding_cases()) {
    SCOPED_TRACE(fc.name);
    const auto r = routed(fc);
    const auto found = std::find_if(r.routing.findings.begin(), r.routing.findings.end(),
                                    [&](const dns::route_finding& f) { return f.problem == fc.problem; });
    ASSERT_NE(found, r.routing.findings.end());
    ASSERT_TRUE(words.has(found->key)) << found->key;
    reached.insert(found->key);
    std::vector<std::pair<std::string_view, std::string_view>> with;
    for (const auto& v : found->values) with.emplace_back(v.name, v.text);
    EXPECT_EQ(words.text(found->key, "en", probe::output_words::value_list(with)), found->explanation);
    // The text report prints that sentence after the problem's identifier, as before.
    const auto en = mx_text(r, "en", 0);
    EXPECT_EQ(finding_line(en, dns::to_string(fc.problem)),
              "  ! " + std::string(dns::to_string(fc.problem)) + "  " + found->explanation);
  }
  for (const auto key : probe::output_words::required_keys())
    if (key.starts_with("route.")) {
      EXPECT_TRUE(reached.contains(std::string(key))) << key << " is never produced";
    }
}

TEST(RouteFindingLanguage, ChineseSaysEveryFindingInChinese) {
  const auto& words = probe::output_words::installed_or_throw();
  for (const auto& fc : finding_cases()) {
    SCOPED_TRACE(fc.name);
    const auto r = routed(fc);
    const auto zh = mx_text(r, "zh", 0);
    const auto line = finding_line(zh, words.name("route_problem", dns::to_string(fc.problem), "zh"));
    ASSERT_FALSE(line.empty()) << zh;
    for (const char* word : fc.zh_words) EXPECT_THAT(line, HasSubstr(word));
    for (const auto& f : r.routing.findings) EXPECT_THAT(zh, Not(HasSubstr(f.explanation)));
    expect_none_of(line, {"sender", "MTA skips", "forbids", "alias (", "address lookup", "loopback", "timeout", "{"});
  }
}

TEST(RouteFindingLanguage, HostileNamesStayStrippedAndAnUnknownKeyFallsBackToEnglish) {
  auto r = mx_fixture("mail.example.com");
  r.routing.findings = {{dns::route_problem::mx_no_address, hostile, hostile + " has no A or AAAA record", "route.mx_no_address",
                         {{"host", hostile}, {"{host}", "x"}}}};
  const auto zh = mx_text(r, "zh", 0);
  expect_no_controls(zh);
  EXPECT_THAT(zh, HasSubstr("evil"));
  EXPECT_THAT(zh, HasSubstr("没有 A 或 AAAA 记录"));
  // A key the words file does not know (a newer dns) shows dns's English rather than nothing.
  r.routing.findings.front().key = "route.from_the_future";
  EXPECT_THAT(mx_text(r, "zh", 0), HasSubstr("has no A or AAAA record"));
}

// ---- the words file ----------------------------------------------------------------------

std::variant<probe::output_words, std::string> load_text(const std::string& yaml) {
  const auto path = std::filesystem::temp_directory_path() / ("probe-output-words-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream f(path);
    f << yaml;
  }
  auto loaded = probe::output_words::load(path);
  std::filesystem::remove(path);
  return loaded;
}

std::string words_file_text() {
  std::ifstream f(words_file);
  return {std::istreambuf_iterator<char>(f), {}};
}

TEST(OutputWords, TheInstalledFileHasEveryKeyInBothLanguages) {
  const auto loaded = probe::output_words::load(words_file);
  ASSERT_TRUE(std::holds_alternative<probe::output_words>(loaded)) << std::get<std::string>(loaded);
  const auto& words = std::get<probe::output_words>(loaded);
  for (const auto key : probe::output_words::required_keys()) {
    EXPECT_FALSE(words.text(key, "en").empty()) << key;
    EXPECT_FALSE(words.text(key, "zh").empty()) << key;
  }
}

TEST(OutputWords, AMissingOrBrokenFileIsRefusedWithItsProblem) {
  const auto missing = probe::output_words::load("/nonexistent/output_words.yaml");
  ASSERT_TRUE(std::holds_alternative<std::string>(missing));
  EXPECT_THAT(std::get<std::string>(missing), HasSubstr("/nonexistent/output_words.yaml"));

  const auto broken = load_text("address: [unclosed\n");
  ASSERT_TRUE(std::holds_alternative<std::string>(broken));

  // A key without its Chinese text.
  auto text = words_file_text();
  const std::string line = R"(  via_proxy:       {en: "  via proxy", zh: "  经代理"})";
  ASSERT_NE(text.find(line), std::string::npos);
  auto no_zh = text;
  no_zh.replace(no_zh.find(line), line.size(), R"(  via_proxy:       {en: "  via proxy"})");
  const auto untranslated = load_text(no_zh);
  ASSERT_TRUE(std::holds_alternative<std::string>(untranslated));
  EXPECT_THAT(std::get<std::string>(untranslated), HasSubstr("address.via_proxy"));

  // A key the reports need, gone.
  auto gone = text;
  gone.erase(gone.find(line), line.size() + 1);
  const auto incomplete = load_text(gone);
  ASSERT_TRUE(std::holds_alternative<std::string>(incomplete));
  EXPECT_THAT(std::get<std::string>(incomplete), HasSubstr("no text for address.via_proxy"));
}

TEST(OutputWords, PlaceholdersAreFilledOnceAndNeverFromValues) {
  const auto loaded = probe::output_words::load(words_file);
  ASSERT_TRUE(std::holds_alternative<probe::output_words>(loaded));
  const auto& words = std::get<probe::output_words>(loaded);
  // A server's text that looks like a placeholder is inserted as it is.
  EXPECT_EQ(words.text("address.warning", "en", {{"text", "{text} {x}"}}), "  warning: {text} {x}");
  EXPECT_EQ(words.text("address.warning", "zh", {{"text", "{text}"}}), "  警告: {text}");
  EXPECT_EQ(words.name("verdict", "catch-all", "en"), "catch-all");
  EXPECT_EQ(words.name("verdict", "catch-all", "zh"), "全收（无法确认）");
  EXPECT_EQ(words.name("verdict", "no-such-verdict", "zh"), "no-such-verdict");
}

// The keys of names.tls_verify_error are OpenSSL's own texts: a key that differs from what
// X509_verify_cert_error_string says (a typo, a changed spelling in another OpenSSL) would
// leave that error in English under --lang zh without any other test noticing.
TEST(OutputWords, CertificateErrorsAreNamedInChineseByOpenSslsOwnText) {
  const auto loaded = probe::output_words::load(words_file);
  ASSERT_TRUE(std::holds_alternative<probe::output_words>(loaded));
  const auto& words = std::get<probe::output_words>(loaded);
  for (const long code :
       {X509_V_ERR_UNSPECIFIED, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_CRL,
        X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY,
        X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED,
        X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD,
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
        X509_V_ERR_CERT_CHAIN_TOO_LONG, X509_V_ERR_CERT_REVOKED, X509_V_ERR_NO_ISSUER_PUBLIC_KEY,
        X509_V_ERR_PATH_LENGTH_EXCEEDED, X509_V_ERR_INVALID_PURPOSE, X509_V_ERR_CERT_UNTRUSTED,
        X509_V_ERR_CERT_REJECTED, X509_V_ERR_SUBJECT_ISSUER_MISMATCH, X509_V_ERR_KEYUSAGE_NO_CERTSIGN,
        X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, X509_V_ERR_INVALID_NON_CA, X509_V_ERR_PERMITTED_VIOLATION,
        X509_V_ERR_EXCLUDED_VIOLATION, X509_V_ERR_PATH_LOOP, X509_V_ERR_HOSTNAME_MISMATCH,
        X509_V_ERR_EMAIL_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH, X509_V_ERR_DANE_NO_MATCH,
        X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL, X509_V_ERR_CA_MD_TOO_WEAK,
        X509_V_ERR_STORE_LOOKUP, X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM, X509_V_ERR_INVALID_CA,
        X509_V_ERR_EMPTY_SUBJECT_ALT_NAME, X509_V_ERR_EC_KEY_EXPLICIT_PARAMS}) {
    const std::string openssl = X509_verify_cert_error_string(code);
    const std::string zh = words.name("tls_verify_error", openssl, "zh");
    EXPECT_NE(zh, openssl) << "code " << code << ": no Chinese for OpenSSL's \"" << openssl << "\"";
    EXPECT_EQ(words.name("tls_verify_error", openssl, "en"), openssl);
  }
  EXPECT_EQ(words.name("tls_verify_error", "the server sent no certificate", "zh"), "服务器没有发送证书");
}

// ---- the reason sentence ------------------------------------------------------------------
// smtp gives the reason of a check (and of its catch-all test) as an English sentence and,
// beside it, a key with values (smtp::phrase). Every check below is made by smtp itself —
// the prober against scripted fake servers on 127.0.0.x, or smtp::decide() on facts where a
// fake cannot reach the branch — and printed: in English the reason line must be smtp's
// sentence byte for byte, in Chinese the template's sentence with the server's reply as it
// came. Together they must reach every "reason.*" key of the words file.

namespace net = boost::asio;
using namespace std::chrono_literals;

std::shared_ptr<const smtp::reply_classifier> reply_classes() {
  static const auto loaded = [] {
    auto c = smtp::reply_classifier::load_file(std::string(PROBE_SOURCE_DIR) + "/smtp/reply_classes.yaml");
    if (!c) throw std::runtime_error(c.error);
    return std::make_shared<const smtp::reply_classifier>(*c);
  }();
  return loaded;
}

net::awaitable<int> closed(smtp::prober& p) {
  co_await p.close();
  co_return 0;
}

struct fake_world {
  net::io_context io;
  fakes::memory_zone zone;
  std::uint16_t port = fakes::free_port(io);
  std::list<fakes::fake_smtp_server> servers;

  // example.test's single MX is 127.0.0.2.
  fake_world() {
    zone.add_mx("example.test", 10, "mx.example.test");
    zone.add_a("mx.example.test", "127.0.0.2");
  }
  fakes::fake_smtp_server& serve(fakes::smtp_behaviour b) { return servers.emplace_back(io, std::move(b), "127.0.0.2", port); }
  smtp::prober_options options() const {
    smtp::prober_options o = fakes::fast_prober_options(port);
    o.classifier = reply_classes();
    return o;
  }
  smtp::address_check check(const std::string& address, smtp::prober_options o) {
    const auto parsed = smtp::parse_mailbox(address);
    if (!parsed) throw std::runtime_error(parsed.error);
    smtp::prober p(io.get_executor(), zone, std::move(o));
    auto result = fakes::run_coroutine(io, p.check(*parsed));
    (void)fakes::run_coroutine(io, closed(p));
    return result;
  }
  smtp::address_check check(const std::string& address) { return check(address, options()); }
};

std::function<std::string(const std::string&, fakes::smtp_connection&)> rcpt_answers(std::string known, std::string others) {
  return [known, others](const std::string& address, fakes::smtp_connection&) {
    return address == known ? std::string("250 2.1.5 Ok") : others;
  };
}

using fakes::answer_to;
using fakes::cut_reply_to;

smtp::reply reply_of(int code, std::string line, std::optional<smtp::enhanced_status> enhanced) {
  smtp::reply r = make_reply(code, {std::move(line)});
  r.enhanced = enhanced;
  return r;
}

// A check on facts: example.test routed to mx.example.test, with the given attempts.
smtp::address_check decided_on(dns::route_kind kind, std::vector<smtp::attempt> attempts,
                               smtp::tls_mode mode = smtp::tls_mode::opportunistic) {
  smtp::address_check c;
  c.recipient = *smtp::parse_mailbox("alice@example.test").value;
  c.routing.domain = "example.test";
  c.routing.kind = kind;
  c.attempts = std::move(attempts);
  smtp::decide(c, mode, 25);
  return c;
}

smtp::attempt attempt_at(smtp::attempt_end end) {
  smtp::attempt a;
  a.mx_host = "mx.example.test";
  a.address = ip::make_address("127.0.0.2");
  a.end = end;
  return a;
}

struct reason_case {
  std::string name;
  smtp::address_check check;
  std::vector<std::string> zh_words;  // Chinese the reason (or the catch-all line) must show
};

std::vector<reason_case> make_reason_cases() {
  std::vector<reason_case> cases;
  const std::string unknown = "550 5.1.1 <x@example.test>: Recipient address rejected: User unknown in local recipient table";
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = rcpt_answers("alice@example.test", unknown);
    w.serve(b);
    cases.push_back({"mailbox refused (5.1.1)", w.check("bob@example.test"),
                     {"服务器（mx.example.test [127.0.0.2]）拒绝了该收件人，答复为 \"550 5.1.1 <x@example.test>: Recipient address rejected: User unknown in local recipient table\"：",
                      "邮箱不存在（RFC 3463 X.1.1", "增强状态码 5.1.1", "由 bob@example.test 被拒收得知"}});
    cases.push_back({"deliverable, unknown refused", w.check("alice@example.test"),
                     {"服务器（mx.example.test [127.0.0.2]）接受了 RCPT TO，答复为 \"250 2.1.5 Ok\"，且它会拒收不存在的收件人",
                      "随机生成的本地部分被拒收，答复为 \"550 5.1.1"}});
    auto o = w.options();
    o.catch_all_test = false;
    cases.push_back({"catch-all test skipped", w.check("alice@example.test", o), {"未进行全收（catch-all）测试（已跳过（--no-catch-all））"}});
    o = w.options();
    o.max_rcpts_per_session = 1;
    cases.push_back({"catch-all test out of recipients", w.check("alice@example.test", o), {"会话已达到收件人数量上限"}});
  }
  {
    fake_world w;
    w.serve({});  // accepts every recipient
    cases.push_back({"catch-all accepted", w.check("alice@example.test"),
                     {"服务器接受该域名下的任何地址", "随机生成的本地部分（", "@example.test）也被接受"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = rcpt_answers("alice@example.test", "450 4.3.0 Try again later");
    w.serve(b);
    cases.push_back({"catch-all unclear", w.check("alice@example.test"),
                     {"无法判断它是否接受任何地址（随机生成的本地部分得到答复 \"450 4.3.0 Try again later\"（暂时失败），无法据此作出判断）"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.on_command = answer_to("RSET", "502 5.5.1 RSET not implemented");
    w.serve(b);
    cases.push_back({"catch-all RSET refused", w.check("alice@example.test"), {"RSET 失败：\"502 5.5.1 RSET not implemented\""}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.on_command = answer_to("MAIL", "451 4.3.0 Temporary lookup failure", 2);
    w.serve(b);
    cases.push_back({"catch-all MAIL refused", w.check("alice@example.test"), {"测试用的 MAIL FROM 失败：\"451 4.3.0 Temporary lookup failure\""}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.on_command = cut_reply_to("RCPT", 2);  // the catch-all test's RCPT
    w.serve(b);
    cases.push_back({"catch-all RCPT failed", w.check("alice@example.test"), {"测试用的 RCPT 失败：连接被对方关闭（RCPT TO 阶段）"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = rcpt_answers("", "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using bl.test");
    w.serve(b);
    cases.push_back({"prober refused (policy)", w.check("alice@example.test"),
                     {"服务器（mx.example.test [127.0.0.2]）拒绝的是探测方，而不是收件人：\"554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using bl.test\" — "}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = rcpt_answers("", "450 4.7.1 Client host rejected: cannot find your reverse hostname, [127.0.0.1]");
    w.serve(b);
    cases.push_back({"prober deferred (policy)", w.check("alice@example.test"), {"服务器（mx.example.test [127.0.0.2]）暂时拒绝了探测方："}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = rcpt_answers("", "451 4.7.1 <alice@example.test>: Recipient address rejected: Greylisted, try again later");
    w.serve(b);
    cases.push_back({"greylisted", w.check("alice@example.test"),
                     {"被灰名单暂缓：\"451 4.7.1 <alice@example.test>: Recipient address rejected: Greylisted, try again later\"（mx.example.test [127.0.0.2]）；真正的 MTA 会在几分钟后重试"}});
    auto o = w.options();
    o.greylist_wait = 1s;
    cases.push_back({"still greylisted", w.check("alice@example.test", o), {"等待后仍被灰名单暂缓：\"451 4.7.1"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = rcpt_answers("", "452 4.2.2 Mailbox full");
    w.serve(b);
    cases.push_back({"recipient deferred", w.check("alice@example.test"),
                     {"服务器（mx.example.test [127.0.0.2]）暂时拒绝了该收件人，答复为 \"452 4.2.2 Mailbox full\"：邮箱已满"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.banner = "554 5.7.1 mx.example.test: no SMTP service here";
    w.serve(b);
    cases.push_back({"prober refused at the greeting", w.check("alice@example.test"),
                     {"服务器在询问任何收件人之前就拒绝了探测方：mx.example.test [127.0.0.2] 答复 \"554 5.7.1 mx.example.test: no SMTP service here\"（等待欢迎语阶段）"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.banner = "421 4.3.2 mx.example.test busy, try later";
    w.serve(b);
    cases.push_back({"every server deferred", w.check("alice@example.test"), {"所尝试的每台服务器都暂时拒绝了探测方："}});
  }
  {
    fake_world w;
    w.serve({});
    cases.push_back({"SMTPUTF8 missing", w.check("用户@example.test"), {"本地部分不是 ASCII，而 mx.example.test [127.0.0.2] 不支持 SMTPUTF8"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.require_tls = true;
    w.serve(b);
    auto o = w.options();
    o.tls = smtp::tls_mode::off;
    cases.push_back({"STARTTLS demanded, --tls off", w.check("alice@example.test", o), {"服务器要求 STARTTLS，但指定了 --tls off："}});
    o = w.options();
    o.tls = smtp::tls_mode::required;
    cases.push_back({"TLS required, not offered", w.check("alice@example.test", o), {"要求使用 TLS，但无法建立："}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.on_command = cut_reply_to("RCPT");
    w.serve(b);
    cases.push_back({"session failed", w.check("alice@example.test"),
                     {"已连上服务器，但会话失败：mx.example.test [127.0.0.2]：连接被对方关闭（RCPT TO 阶段）"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.banner_raw = "HTTP/1.1 400 Bad Request\r\n\r\n";
    w.serve(b);
    cases.push_back({"not SMTP", w.check("alice@example.test"), {"对方没有正确使用 SMTP 协议：mx.example.test [127.0.0.2]：对方不是 SMTP 服务"}});
  }
  {
    fake_world w;  // nothing listens on 127.0.0.2
    cases.push_back({"unreachable (refused)", w.check("alice@example.test"),
                     {"无法连接任何 MX：mx.example.test [127.0.0.2]：连接被拒绝（连接阶段）"}});
  }
  {
    fake_world w;
    fakes::blackhole hole(w.io, "127.0.0.2", w.port);
    auto o = w.options();
    o.limits.connect = 300ms;
    cases.push_back({"unreachable (timeouts)", w.check("alice@example.test", o),
                     {"DNS 有应答，但连接每个 MX 的每个地址的 " + std::to_string(w.port) + " 端口都超时",
                      "--proxy socks5://host:port"}});
  }
  {
    fake_world w;
    w.zone.add_mx("nullmx.test", 0, "");
    cases.push_back({"null MX", w.check("alice@nullmx.test"), {"该域名发布了空 MX（\"MX 0 .\"，RFC 7505）：它不接收任何邮件"}});
    cases.push_back({"no such domain", w.check("alice@nosuch.test"), {"该域名不存在（NXDOMAIN）"}});
    w.zone.fail("broken.test", dns::outcome::servfail);
    cases.push_back({"DNS failure", w.check("alice@broken.test"), {"查询该域名邮件路由的 DNS 请求失败（", "），未进行任何探测"}});
  }
  // Branches a fake does not reach in one run: decide() on their facts.
  cases.push_back({"no mail host", decided_on(dns::route_kind::no_mail_host, {}), {"该域名既没有 MX 记录也没有地址"}});
  cases.push_back({"nothing tried", decided_on(dns::route_kind::mx, {}), {"没有可以尝试的 MX 地址"}});
  {
    smtp::address_check c;
    c.recipient = *smtp::parse_mailbox("alice@example.test").value;
    c.routing.kind = dns::route_kind::mx;
    c.warnings = {"every MX host's address lookup failed"};
    smtp::decide(c, smtp::tls_mode::opportunistic, 25);
    cases.push_back({"nothing tried, with the warning", c, {"没有可以尝试的 MX 地址（every MX host's address lookup failed）"}});
  }
  {
    auto a = attempt_at(smtp::attempt_end::tls_failed);
    a.error = smtp::failure{smtp::phase::tls_handshake, smtp::failure_kind::tls_failed, "wrong version number", {}};
    cases.push_back({"STARTTLS failed", decided_on(dns::route_kind::mx, {a}),
                     {"STARTTLS 失败，且没有明文会话成功：mx.example.test [127.0.0.2]：TLS 握手失败（TLS 握手阶段）: wrong version number"}});
  }
  {
    // The system's common words inside the reason are named in Chinese too.
    auto a = attempt_at(smtp::attempt_end::connect_failed);
    a.error = smtp::failure{smtp::phase::connect, smtp::failure_kind::network_error, "Network is unreachable", {}};
    cases.push_back({"network error, in the system's words", decided_on(dns::route_kind::mx, {a}),
                     {"网络错误（连接阶段）: 网络不可达"}});
  }
  {
    // A detail probe composed is said in Chinese from its own phrase.
    auto a = attempt_at(smtp::attempt_end::session_failed);
    a.error = smtp::composed_failure(smtp::phase::banner, smtp::failure_kind::timeout, "no greeting within 30000 ms",
                                     "no_greeting", {dns::said::value("ms", "30000")});
    cases.push_back({"timeout, in probe's own words", decided_on(dns::route_kind::mx, {a}),
                     {"超时（等待欢迎语阶段）: 30000 ms 内没有收到欢迎语（banner）"}});
  }
  cases.push_back({"attempt without a reply or failure", decided_on(dns::route_kind::mx, {attempt_at(smtp::attempt_end::session_failed)}),
                   {"已连上服务器，但会话失败：mx.example.test [127.0.0.2]"}});
  {
    auto c = decided_on(dns::route_kind::mx, {attempt_at(smtp::attempt_end::rcpt_answered)});
    c.rcpt_attempt = 0;
    c.rcpt_reply = reply_of(530, "5.7.0 Must issue a STARTTLS command first", smtp::enhanced_status{5, 7, 0});
    c.rcpt_meaning = reply_classes()->classify(*c.rcpt_reply);
    smtp::decide(c, smtp::tls_mode::opportunistic, 25);
    cases.push_back({"TLS demanded at RCPT", c,
                     {"服务器（mx.example.test [127.0.0.2]）要求使用 TLS（\"530 5.7.0 Must issue a STARTTLS command first\"），而会话无法升级到 TLS"}});
    c.quirk = smtp::quirk_match{"Example Mail", "example.test", smtp::verdict::unverifiable, std::nullopt,
                                "accepts every recipient at RCPT", "在 RCPT 阶段接受所有收件人"};
    c.rcpt_reply = reply_of(250, "2.1.5 Ok", smtp::enhanced_status{2, 1, 5});
    c.rcpt_meaning = reply_classes()->classify(*c.rcpt_reply);
    smtp::decide(c, smtp::tls_mode::opportunistic, 25);
    cases.push_back({"provider quirk", c, {"Example Mail：在 RCPT 阶段接受所有收件人（RCPT 的答复为 \"250 2.1.5 Ok\"）"}});
    c.quirk.reset();
    c.catch_all = {};
    smtp::decide(c, smtp::tls_mode::opportunistic, 25);
    cases.push_back({"accepted, catch-all never asked", c, {"；未进行全收（catch-all）测试"}});
  }
  return cases;
}

const std::vector<reason_case>& reason_cases() {
  static const auto cases = make_reason_cases();
  return cases;
}

void collect_keys(const smtp::phrase& p, std::set<std::string>& keys) {
  if (p.key.empty()) return;
  keys.insert(p.key);
  for (const auto& v : p.values)
    if (!v.part.empty()) collect_keys(v.part.front(), keys);
}

// The report's second line is the reason.
std::string reason_line(const std::string& report) {
  const auto first = report.find('\n');
  return report.substr(first + 1, report.find('\n', first + 1) - first - 1);
}

std::string catch_all_line(const std::string& report) {
  for (const char* start : {"\ncatch-all: ", "\n全收测试（catch-all）: "})
    if (const auto at = report.find(start); at != std::string::npos)
      return report.substr(at + 1, report.find('\n', at + 1) - at - 1);
  return {};
}

TEST(ReasonLanguage, EnglishIsSmtpsOwnSentenceAndChineseIsTranslated) {
  for (const auto& rc : reason_cases()) {
    SCOPED_TRACE(rc.name);
    const auto& c = rc.check;
    ASSERT_FALSE(c.reason_phrase.key.empty()) << c.reason;
    const auto en = address_text(c, "en", 0);
    EXPECT_EQ(reason_line(en), "  " + probe::printable(c.reason, 2000));
    if (!c.catch_all.reason.empty()) {
      EXPECT_FALSE(c.catch_all.reason_phrase.key.empty()) << c.catch_all.reason;
      EXPECT_THAT(catch_all_line(en), HasSubstr(" — " + probe::printable(c.catch_all.reason, 600)));
    }
    const auto zh = address_text(c, "zh", 0);
    const auto zh_reason = reason_line(zh);
    EXPECT_THAT(zh_reason, testing::StartsWith("  技术原因: "));
    EXPECT_THAT(zh_reason, Not(HasSubstr(c.reason))) << "the English sentence is left";
    EXPECT_THAT(zh_reason, Not(HasSubstr("{"))) << "a placeholder is left";
    const std::string zh_reason_and_test = zh_reason + "\n" + catch_all_line(zh);
    for (const auto& word : rc.zh_words) EXPECT_THAT(zh_reason_and_test, HasSubstr(word)) << zh;
    // The server's reply stays as the server sent it, wherever the English sentence quotes it.
    if (c.rcpt_reply && !c.rcpt_reply->lines.empty() && c.reason.find(c.rcpt_reply->lines.front()) != std::string::npos) {
      EXPECT_THAT(zh_reason, HasSubstr(c.rcpt_reply->lines.front()));
    }
  }
}

TEST(ReasonLanguage, TheCasesReachEveryReasonKey) {
  std::set<std::string> reached;
  for (const auto& rc : reason_cases()) {
    collect_keys(rc.check.reason_phrase, reached);
    collect_keys(rc.check.catch_all.reason_phrase, reached);
  }
  // "not sent" stands for a catch-all exchange missing from a transcript, which a working
  // session never produces; the key is rendered below.
  reached.insert("reason.not_sent");
  // Notes and warnings are reached by the NoteLanguage cases below; the identity notes of
  // probe/prober_setup ("reason.identity_*") by zh_identity_notes_test.
  for (const auto key : probe::output_words::required_keys())
    if (key.starts_with("reason.") && !key.starts_with("reason.note_") && !key.starts_with("reason.warning_") &&
        !key.starts_with("reason.identity_")) {
      EXPECT_TRUE(reached.contains(std::string(key))) << key << " is never produced";
    }
  const auto required = probe::output_words::required_keys();
  for (const auto& key : reached) {
    if (key.starts_with("reason.")) {
      EXPECT_NE(std::find(required.begin(), required.end(), key), required.end()) << key << " is produced but not required";
    }
  }
  const auto& words = probe::output_words::installed_or_throw();
  EXPECT_EQ(words.text("reason.catch_all_rset_failed", "zh", {{"detail", words.text("reason.not_sent", "zh")}}), "RSET 失败：未发送");
}

TEST(ReasonLanguage, ServerTextIsNeverExpandedOrTranslated) {
  fake_world w;
  fakes::smtp_behaviour b;
  b.rcpt = rcpt_answers("", "550 5.1.1 {why} {at} \x1b[2J user unknown");
  w.serve(b);
  const auto c = w.check("alice@example.test");
  ASSERT_EQ(c.reason_phrase.key, "reason.refused_recipient");
  const auto zh = address_text(c, "zh", 0);
  expect_no_controls(zh);
  EXPECT_THAT(reason_line(zh), HasSubstr("\"550 5.1.1 {why} {at} "));
  EXPECT_THAT(reason_line(zh), HasSubstr("user unknown\"：邮箱不存在"));
}

TEST(OutputWords, AReasonWithDifferentPlaceholdersIsRefused) {
  auto text = words_file_text();
  const std::string line = R"(  not_sent:           {en: "not sent", zh: "未发送"})";
  ASSERT_NE(text.find(line), std::string::npos);
  text.replace(text.find(line), line.size(), R"(  not_sent:           {en: "not sent", zh: "未发送 {reply}"})");
  const auto loaded = load_text(text);
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_THAT(std::get<std::string>(loaded), HasSubstr("reason.not_sent: the en and zh texts use different {placeholders}"));
}

TEST(ReplyClasses, EveryRuleExplainsItselfInBothLanguages) {
  // The shipped file loads (a rule with `why` but no `why_zh` is refused) ...
  EXPECT_GT(reply_classes()->size(), 0u);
  const auto missing = smtp::reply_classifier::load_text("rules:\n  - is: policy\n    when: {class: 5}\n    why: refused\n", "t.yaml");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error, HasSubstr("why_zh"));
  // ... and a reply gets both explanations with what matched.
  const auto meaning = reply_classes()->classify(reply_of(550, "5.1.1 user unknown", smtp::enhanced_status{5, 1, 1}));
  EXPECT_THAT(meaning.why, HasSubstr("enhanced status 5.1.1"));
  EXPECT_THAT(meaning.why_zh, HasSubstr("邮箱不存在"));
  EXPECT_THAT(meaning.why_zh, HasSubstr("增强状态码 5.1.1"));
}

TEST(OutputWords, DisplayWidthCountsChineseAsTwoColumns) {
  EXPECT_EQ(probe::display_width("LISTED"), 6u);
  EXPECT_EQ(probe::display_width("已列入"), 6u);
  EXPECT_EQ(probe::display_width("a\xff"), 2u);  // an invalid byte is one column, as printable() shows it
  EXPECT_EQ(probe::pad_to_width("已列入", 12), "已列入      ");
  EXPECT_EQ(probe::pad_to_width("ALLOWLISTED!", 4), "ALLOWLISTED!");
}

TEST(OutputWords, ARouteFindingWithDifferentPlaceholdersIsRefused) {
  auto text = words_file_text();
  const std::string from = R"(zh: "{host} 没有 A 或 AAAA 记录)";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), R"(zh: "{target} 没有 A 或 AAAA 记录)");
  const auto loaded = load_text(text);
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_THAT(std::get<std::string>(loaded), HasSubstr("route.mx_no_address: the en and zh texts use different {placeholders}"));
}

// ---- an attempt's note and the prober's warnings ---------------------------------------------
// The prober gives them as English text (what --json prints) and a phrase beside it
// (attempt::note_phrase, address_check::warning_phrases). Every check below is the prober's
// own against fake servers: the English template must give back the English text, Chinese
// must be the file's, and together they must reach every "reason.note_*" and
// "reason.warning_*" key.

struct note_case {
  std::string name;
  smtp::address_check check;
  std::vector<std::string> zh_lines;  // lines the Chinese report must hold
};

// Two checks on one prober: the second may reuse the first one's session.
smtp::address_check second_check(fake_world& w, const std::string& first, const std::string& second) {
  smtp::prober p(w.io.get_executor(), w.zone, w.options());
  (void)fakes::run_coroutine(w.io, p.check(*smtp::parse_mailbox(first).value));
  auto result = fakes::run_coroutine(w.io, p.check(*smtp::parse_mailbox(second).value));
  (void)fakes::run_coroutine(w.io, closed(p));
  return result;
}

std::vector<note_case> make_note_cases() {
  std::vector<note_case> cases;
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.banner = "554 5.7.1 mx.example.test: no SMTP service here";
    w.serve(b);
    cases.push_back({"5xx greeting", w.check("alice@example.test"),
                     {"    备注: 服务器拒绝本客户端；改试下一个地址（与 Postfix 收到 5xx 欢迎语后的做法相同）"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.banner = "421 4.3.2 mx.example.test busy, try later";
    w.serve(b);
    cases.push_back({"4xx greeting", w.check("alice@example.test"), {"    备注: 被暂缓；改试下一个地址"}});
  }
  {
    fake_world w;  // nothing listens
    cases.push_back({"connect refused", w.check("alice@example.test"), {"    备注: 改试下一个地址"}});
    auto o = w.options();
    o.helo = "localhost";
    cases.push_back({"HELO not an FQDN", w.check("alice@example.test", o),
                     {"  警告: HELO 名称“localhost”不是完整域名（FQDN）；许多服务器会拒绝或惩罚这样的客户端（RFC 5321 §4.1.1.1）。请用 --helo 设为本机的公网 FQDN"}});
    o = w.options();
    o.source_ip = ip::make_address("::1");
    cases.push_back({"source of the other family", w.check("alice@example.test", o),
                     {"  警告: 已跳过 IPv4 的 MX 地址：源地址 ::1 属于另一个地址族",
                      "  技术原因: 没有可以尝试的 MX 地址（已跳过 IPv4 的 MX 地址：源地址 ::1 属于另一个地址族）"}});
    o = w.options();
    o.want_ipv4 = false;
    cases.push_back({"-6 with IPv4 MX only", w.check("alice@example.test", o), {"  警告: MX 主机只有 IPv4 地址，而指定了 -6"}});
    w.zone.add_a("mx.example.test", "127.0.0.3");
    o = w.options();
    o.max_addresses = 1;
    cases.push_back({"address limit", w.check("alice@example.test", o), {"  警告: 尝试 1 个地址后停止（每次检查的上限）"}});
    o = w.options();
    o.proxy = *smtp::parse_proxy_url("socks5://proxy.nosuch.test:1080").value;
    cases.push_back({"proxy unresolved", w.check("alice@example.test", o), {"  警告: 无法解析代理主机 proxy.nosuch.test（"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.starttls = true;
    b.tls_garbage = true;
    w.serve(b);
    cases.push_back({"TLS fails, plaintext retry", w.check("alice@example.test"),
                     {"    备注: TLS 握手失败；不使用 STARTTLS 重试此地址"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.on_command = answer_to("MAIL", "451 4.3.0 Temporary lookup failure");
    w.serve(b);
    cases.push_back({"MAIL deferred", w.check("alice@example.test"), {"    备注: MAIL FROM 被暂缓；改试下一个地址"}});
  }
  {
    fake_world w;
    w.serve({});
    cases.push_back({"SMTPUTF8 missing", w.check("用户@example.test"), {"    备注: 该地址需要 SMTPUTF8，而服务器不支持"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = rcpt_answers("", "451 4.7.1 <alice@example.test>: Recipient address rejected: Greylisted, try again later");
    w.serve(b);
    auto o = w.options();
    o.greylist_wait = 1s;
    cases.push_back({"greylist wait", w.check("alice@example.test", o), {"    备注: 被灰名单暂缓；等待 1 秒后再次询问"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.on_command = answer_to("RSET", "421 4.4.2 idle timeout", 2);  // the reused session's RSET
    w.serve(b);
    cases.push_back({"stale session", second_check(w, "alice@example.test", "bob@example.test"),
                     {"    备注: 保留的会话已不再应答；改开新会话"}});
  }
  {
    fake_world w;
    fakes::smtp_behaviour b;
    b.rcpt = [](const std::string& address, fakes::smtp_connection&) {
      return address == "bob@example.test" ? std::string("452 4.5.3 Too many recipients") : std::string("250 2.1.5 Ok");
    };
    w.serve(b);
    cases.push_back({"recipient limit", second_check(w, "alice@example.test", "bob@example.test"),
                     {"    备注: 服务器将每个会话的收件人数限制为 "}});
  }
  return cases;
}

const std::vector<note_case>& note_cases() {
  static const auto cases = make_note_cases();
  return cases;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(NoteLanguage, EnglishIsTheProbersOwnTextAndChineseIsTranslated) {
  const auto& words = probe::output_words::installed_or_throw();
  for (const auto& nc : note_cases()) {
    SCOPED_TRACE(nc.name);
    const auto& c = nc.check;
    std::size_t notes = 0;
    for (const auto& a : c.attempts) {
      if (a.note.empty()) continue;
      ++notes;
      ASSERT_FALSE(a.note_phrase.key.empty()) << a.note;
      EXPECT_EQ(words.render(a.note_phrase, "en"), a.note);
      const auto zh = words.render(a.note_phrase, "zh");
      EXPECT_NE(zh, a.note);
      EXPECT_THAT(zh, Not(HasSubstr("{")));
    }
    EXPECT_EQ(c.warning_phrases.size(), c.warnings.size()) << "a warning of the prober without a phrase";
    for (const auto& w : c.warning_phrases) {
      EXPECT_EQ(words.render(w.said, "en"), w.english);
      EXPECT_NE(words.render(w.said, "zh"), w.english);
    }
    EXPECT_GT(notes + c.warnings.size(), 0u) << "the case shows no note or warning";
    // English report: the note and warning lines are the English text as before.
    const auto en = lines_of(address_text(c, "en", 0));
    for (const auto& a : c.attempts) {
      if (!a.note.empty()) {
        EXPECT_NE(std::find(en.begin(), en.end(), "    " + probe::printable(a.note, 600)), en.end()) << a.note;
      }
    }
    for (const auto& w : c.warnings)
      EXPECT_NE(std::find(en.begin(), en.end(), "  warning: " + probe::printable(w, 600)), en.end()) << w;
    const auto zh = address_text(c, "zh", 0);
    for (const auto& line : nc.zh_lines) EXPECT_THAT(zh, HasSubstr(line)) << zh;
    for (const auto& a : c.attempts) {
      if (!a.note.empty()) {
        EXPECT_THAT(zh, Not(HasSubstr(a.note)));
      }
    }
    for (const auto& w : c.warnings) EXPECT_THAT(zh, Not(HasSubstr(w)));
  }
}

TEST(NoteLanguage, TheCasesReachEveryNoteAndWarningKey) {
  std::set<std::string> reached;
  for (const auto& nc : note_cases()) {
    for (const auto& a : nc.check.attempts) collect_keys(a.note_phrase, reached);
    for (const auto& w : nc.check.warning_phrases) collect_keys(w.said, reached);
  }
  for (const auto key : probe::output_words::required_keys())
    if (key.starts_with("reason.note_") || key.starts_with("reason.warning_")) {
      EXPECT_TRUE(reached.contains(std::string(key))) << key << " is never produced";
    }
}

TEST(NoteLanguage, ACallersWarningWithoutAPhraseStaysAsItIs) {
  auto c = decided_on(dns::route_kind::mx, {attempt_at(smtp::attempt_end::session_failed)});
  c.warnings.insert(c.warnings.begin(), "the sending IP 127.0.0.1 is private");
  const auto zh = address_text(c, "zh", 0);
  EXPECT_THAT(zh, HasSubstr("  警告: the sending IP 127.0.0.1 is private\n"));
}

TEST(OutputWords, ANoteWithoutItsChineseIsRefused) {
  auto text = words_file_text();
  const std::string line = R"(  note_next_address:  {en: "trying the next address", zh: "改试下一个地址"})";
  ASSERT_NE(text.find(line), std::string::npos);
  text.replace(text.find(line), line.size(), R"(  note_next_address:  {en: "trying the next address"})");
  const auto loaded = load_text(text);
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_THAT(std::get<std::string>(loaded), HasSubstr("reason.note_next_address needs an en and a zh text"));
}

}  // namespace
