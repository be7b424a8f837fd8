// Unit tests of the bounce readers: input splitting, line endings, MIME and charsets,
// DSN fields, free-text families, not-a-bounce, vacation, ARF, and bounded work on
// hostile input.

#include "reports/classify.hpp"
#include "reports/dsn.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/limits.hpp"
#include "reports/mime.hpp"
#include "reports/parse.hpp"
#include "reports/text.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace {

const reports::knowledge& knowledge() {
  static const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

reports::report parse(const std::string& text) { return reports::parse(reports::normalise_line_endings(text), knowledge()); }

const char* postfix_dsn =
    "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
    "To: sender@example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
    "\n"
    "--B\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "This is the mail system at host mx.example.org.\n"
    "\n"
    "<kijitora@example.jp>: host mx.example.jp[192.0.2.25] said: 550 5.1.1\n"
    "    <kijitora@example.jp>: Recipient address rejected: User unknown (in reply to\n"
    "    RCPT TO command)\n"
    "\n"
    "--B\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.org\n"
    "Arrival-Date: Thu, 29 Apr 2010 23:34:45 +0900 (JST)\n"
    "\n"
    "Final-Recipient: rfc822; kijitora@example.jp\n"
    "Original-Recipient: rfc822; kijitora@example.jp\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.example.jp\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <kijitora@example.jp>: Recipient address\n"
    "    rejected: User unknown\n"
    "X-Postfix-Extra: yes\n"
    "\n"
    "--B\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Received: from submit.example.org (submit.example.org [198.51.100.7])\n"
    "\tby mx.example.org (Postfix) with ESMTP id 1234\n"
    "From: Sender <sender@example.org>\n"
    "To: kijitora@example.jp\n"
    "Subject: =?UTF-8?B?5rWL6K+V?=\n"
    "Message-ID: <m1@example.org>\n"
    "\n"
    "--B--\n";

TEST(Input, LineEndings) {
  EXPECT_EQ(reports::normalise_line_endings("a\r\nb\rc\n"), "a\nb\nc\n");
  EXPECT_EQ(reports::normalise_line_endings("\r\r\n"), "\n\n");
  EXPECT_EQ(reports::normalise_line_endings(""), "");
  EXPECT_EQ(reports::normalise_line_endings("no line end"), "no line end");
  EXPECT_EQ(reports::normalise_line_endings("ends in CR\r"), "ends in CR\n");
  EXPECT_EQ(reports::normalise_line_endings("\n\r\n\r\rx\r\n\n"), "\n\n\n\nx\n\n");
  EXPECT_EQ(reports::normalise_line_endings(std::string("a\0\r\nb", 5)), std::string("a\0\nb", 4));
}

TEST(Input, MboxSplitAndUnescape) {
  const std::string mbox = "From a@b Thu Jan  1 00:00:00 2024\nSubject: one\n\n>From here\nbody\nFrom c@d Thu Jan  1 00:00:00 2024\nSubject: two\n\nx\n";
  ASSERT_TRUE(reports::looks_like_mbox(mbox));
  const auto parts = reports::split_mbox(mbox, 100);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_NE(parts[0].find("\nFrom here\n"), std::string::npos);
  EXPECT_EQ(parts[1].find("Subject: two"), 0u);
  const auto batch = reports::split_bytes(mbox, "box");
  ASSERT_EQ(batch.messages.size(), 2u);
  EXPECT_EQ(batch.messages[1].origin, "box#2");
}

// Streaming: an mbox read in 1 MiB pieces must give the same messages as splitting it
// whole, wherever a CRLF, a "From " line or a long line falls against the piece ends.
std::vector<reports::input_message> stream_file(const std::filesystem::path& file) {
  std::vector<reports::input_message> got;
  const auto status = reports::for_each_message(file.string(), [&](reports::input_message&& m) { got.push_back(std::move(m)); });
  EXPECT_TRUE(status.error.empty()) << status.error;
  return got;
}

TEST(Input, StreamedMboxEqualsWholeSplitAtEveryPieceBoundary) {
  const auto file = std::filesystem::temp_directory_path() / ("probe-stream-" + std::to_string(::getpid()) + ".mbox");
  for (std::size_t shift = 0; shift < 8; ++shift) {
    std::string mbox = "From a@b Thu Jan  1 00:00:00 2024\r\nSubject: one\r\n\r\n";
    mbox += std::string((1u << 20) - mbox.size() - 8 + shift, 'x');  // puts the next lines across the boundary
    mbox += "\r\n>From quoted\r\nFrom c@d Thu Jan  1 00:00:00 2024\r\nSubject: two\r\n\r\n";
    mbox += std::string(3u << 20, 'y') + "\rend\r\n";                  // a line longer than a piece, bare CR
    mbox += "From e@f Thu Jan  1 00:00:00 2024\nSubject: three\n\nlast line without LF";
    std::ofstream(file, std::ios::binary) << mbox;
    const auto whole = reports::split_mbox(reports::normalise_line_endings(mbox), 100);
    const auto streamed = stream_file(file);
    ASSERT_EQ(whole.size(), 3u);
    ASSERT_EQ(streamed.size(), whole.size()) << "shift " << shift;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(streamed[i].bytes, whole[i]) << "shift " << shift << " message " << i;
      EXPECT_EQ(streamed[i].origin, file.string() + "#" + std::to_string(i + 1));
      EXPECT_FALSE(streamed[i].truncated);
    }
    EXPECT_NE(streamed[0].bytes.find("\nFrom quoted\n"), std::string::npos);
    EXPECT_EQ(streamed[1].bytes.find('\r'), std::string::npos);
  }
  std::filesystem::remove(file);
}

TEST(Input, StreamedSourcesAreNamedAndCut) {
  const auto file = std::filesystem::temp_directory_path() / ("probe-stream1-" + std::to_string(::getpid()) + ".mbox");
  std::ofstream(file, std::ios::binary) << "\n\nFrom a@b Thu Jan  1 00:00:00 2024\nSubject: only\n\nbody\n";
  auto got = stream_file(file);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].origin, file.string());  // a lone message is named by its file
  EXPECT_EQ(got[0].bytes, "Subject: only\n\nbody\n");
  // A message past the per-message limit is cut and marked; the next one is still read.
  std::ofstream(file, std::ios::binary) << "From a@b x\nSubject: big\n\n" << std::string(reports::limits::max_message_bytes + 5, 'z')
                                        << "\nFrom c@d x\nSubject: small\n\nhi\n";
  got = stream_file(file);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].truncated);
  EXPECT_LE(got[0].bytes.size(), reports::limits::max_message_bytes);
  EXPECT_EQ(got[1].bytes, "Subject: small\n\nhi\n");
  EXPECT_FALSE(got[1].truncated);
  // Not an mbox: one message, cut at the limit, and the source says so.
  std::ofstream(file, std::ios::binary) << "Subject: x\r\n\r\n" << std::string(reports::limits::max_message_bytes, 'q');
  bool saw_truncated_source = false;
  got.clear();
  const auto status = reports::for_each_message(file.string(), [&](reports::input_message&& m) { got.push_back(std::move(m)); });
  saw_truncated_source = status.truncated;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].truncated);
  EXPECT_TRUE(saw_truncated_source);
  EXPECT_EQ(got[0].bytes.size(), reports::limits::max_message_bytes);
  EXPECT_TRUE(got[0].bytes.starts_with("Subject: x\n\nqqq"));
  std::filesystem::remove(file);
}

TEST(Input, MaildirAndMissingFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("probe-maildir-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "cur");
  std::filesystem::create_directories(dir / "new");
  std::filesystem::create_directories(dir / "tmp");
  std::ofstream(dir / "cur" / "1.eml") << postfix_dsn;
  std::ofstream(dir / "new" / "2.eml") << "Subject: hi\r\n\r\nhello\r\n";
  std::ofstream(dir / "tmp" / "3.eml") << "unfinished";
  const auto batch = reports::read_source(dir.string());
  EXPECT_TRUE(batch.error.empty());
  ASSERT_EQ(batch.messages.size(), 2u);
  EXPECT_EQ(batch.messages[1].bytes, "Subject: hi\n\nhello\n");
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(reports::read_source((dir / "nothing").string()).error.empty());
}

TEST(Input, FolderFilesSavedWithAnMboxFromLineAreReadAsNamedFilesAre) {
  // Mail clients and list archives save a message with its mbox "From " line; in a folder
  // it is read as the same file named alone is, not as a message whose header block starts
  // with a line that is no header. A file holding two messages is split.
  const auto dir = std::filesystem::temp_directory_path() / ("probe-folder-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "1.eml") << "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n" << postfix_dsn;
  std::ofstream(dir / "2.mbox") << "From a@example.org Mon Jan  1 00:00:00 2024\nSubject: one\n\nx\n"
                                   "From b@example.org Mon Jan  1 00:00:01 2024\nSubject: two\n\ny\n";
  const auto batch = reports::read_source(dir.string());
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(batch.error.empty());
  ASSERT_EQ(batch.messages.size(), 3u);
  const auto alone = reports::normalise_line_endings(postfix_dsn);
  EXPECT_EQ(batch.messages[0].bytes, alone);
  EXPECT_EQ(batch.messages[1].bytes, "Subject: one\n\nx\n");
  EXPECT_EQ(batch.messages[2].bytes, "Subject: two\n\ny\n");
  EXPECT_EQ(reports::parse(batch.messages[0].bytes, knowledge()).kind, reports::report_kind::failure);
}

TEST(Mime, CharsetsToUtf8) {
  EXPECT_EQ(reports::mime::to_utf8("\xb2\xe2\xca\xd4", "gb2312"), "测试");
  EXPECT_EQ(reports::mime::to_utf8("\xb4\xfa\xb8\xd5", "big5"), "測試");
  EXPECT_EQ(reports::mime::to_utf8("\x1b$B%F%9%H\x1b(B", "iso-2022-jp"), "テスト");
  EXPECT_EQ(reports::mime::to_utf8("\x83\x65\x83\x58\x83\x67", "shift_jis"), "テスト");
  EXPECT_EQ(reports::mime::to_utf8("caf\xe9", "iso-8859-1"), "café");
  EXPECT_EQ(reports::mime::to_utf8("\x80\xa0\xff", "ISO-8859-1"), "\u0080\u00a0\u00ff");  // every byte is its code point
  // A stray NUL reads as a space in every charset, as in UTF-8 (charset_test.cpp has more).
  EXPECT_EQ(reports::mime::to_utf8(std::string("ab\xe9\0cd", 6), "latin1"), "ab\u00e9 cd");
  EXPECT_EQ(reports::mime::to_utf8("\x93quoted\x94", "windows-1252"), "\u201cquoted\u201d");
  EXPECT_EQ(reports::mime::to_utf8("+bUuL1Q-", "utf-7"), "测试");
  EXPECT_EQ(reports::mime::decode_header_text("=?GB2312?B?suLK1A==?= ok"), "测试 ok");
  EXPECT_EQ(reports::mime::decode_header_text("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?="), "テスト");
}

TEST(Mime, TransferEncodings) {
  const std::string b64 =
      "Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
      "5rWL6K+V\n";
  const auto doc = reports::mime::parse_mime(b64);
  ASSERT_EQ(doc.parts.size(), 1u);
  EXPECT_EQ(doc.parts[0].text, "测试");
  const std::string qp =
      "Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
      "caf=E9 soft=\nbreak\n";
  const auto doc2 = reports::mime::parse_mime(qp);
  ASSERT_EQ(doc2.parts.size(), 1u);
  EXPECT_EQ(doc2.parts[0].text, "café softbreak\n");
}

TEST(Dsn, FieldsWithoutBlankLinesAndFolding) {
  const auto f = reports::dsn::parse_fields(
      "Reporting-MTA: dns; a.example\nFinal-Recipient: rfc822; x@example.jp\nAction: failed\nStatus: 5.1.1\n"
      "Final-Recipient: rfc822; y@example.jp\nOriginal-Recipient: rfc822; y@example.jp\nAction: delayed\nStatus: 4.2.2\n"
      "Diagnostic-Code: smtp; 452 4.2.2\n  mailbox full\n");
  ASSERT_EQ(f.per_recipient.size(), 2u);
  EXPECT_EQ(reports::mime::header_value(f.per_message, "Reporting-MTA"), "dns; a.example");
  EXPECT_EQ(reports::mime::header_value(f.per_recipient[1], "Diagnostic-Code"), "smtp; 452 4.2.2 mailbox full");
}

TEST(Parse, PostfixDsn) {
  const auto rep = parse(postfix_dsn);
  EXPECT_EQ(rep.kind, reports::report_kind::failure);
  EXPECT_EQ(rep.mta_family, "Postfix");
  EXPECT_EQ(rep.reporting_mta, "mx.example.org");
  ASSERT_EQ(rep.recipients.size(), 1u);
  const auto& r = rep.recipients[0];
  EXPECT_EQ(r.address, "kijitora@example.jp");
  EXPECT_EQ(r.status, "5.1.1");
  EXPECT_EQ(r.reply_code, 550);
  EXPECT_EQ(r.command, reports::smtp_command::rcpt);
  EXPECT_EQ(r.remote_host, "mx.example.jp");
  EXPECT_EQ(r.remote_ip, "192.0.2.25");
  EXPECT_EQ(r.sources.at("status"), "DSN Status");
  EXPECT_EQ(r.extra_fields.at("X-Postfix-Extra"), "yes");
  EXPECT_EQ(rep.original.subject, "测试");
  EXPECT_EQ(rep.original.message_id, "<m1@example.org>");
  EXPECT_EQ(rep.original.sending_ip, "198.51.100.7");
  const auto c = reports::classify(r, rep, knowledge());
  EXPECT_EQ(c.reason, "userunknown");
  EXPECT_TRUE(c.hard);
}

// A message pasted with lines of spaces above its header block still has its headers:
// an autoresponder's Precedence and From are read, and a bounce's From and Subject.
TEST(Parse, BlankLinesAboveTheHeaderBlockAreReadPast) {
  const std::string reply =
      "From: someone@example.net\nTo: s@example.org\nSubject: Re: hello\nPrecedence: auto_reply\n\n"
      "I am away until Monday.\n";
  for (const std::string& above : {std::string(), std::string("   \n"), std::string("\t \n\n  \n")}) {
    const auto rep = parse(above + reply);
    EXPECT_EQ(rep.kind, reports::report_kind::vacation) << "above: '" << above << "'";
    EXPECT_EQ(rep.bounce_from, "someone@example.net") << "above: '" << above << "'";
  }
}

// Coremail (163.com, 126.com) words the remote's reply in an English gloss that names the
// step twice: "SMTP error, RCPT TO: Host X(ip) RCPT TO said 550 ...". The step read from it
// keeps "no such user" an unknown mailbox; at an unnamed step it would read as a filter.
TEST(Parse, CoremailGlossNamesTheStep) {
  const auto rep = parse(
      "From: Postmaster@163.com\nTo: s@163.com\nSubject: Undelivered\nX-Mailer: Coremail MTA server\n"
      "Content-Type: text/plain; charset=utf-8\n\n"
      "Sorry, your mail was returned.\n\n"
      "      收件人 b@example.net\n\n"
      "      退信原因：\n"
      "            未知的原因，对方拒绝接收您的邮件\n"
      "            英文说明:SMTP error, RCPT TO: Host example.net(192.0.2.1) RCPT TO said 550 No such user here\n");
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "b@example.net");
  EXPECT_EQ(rep.recipients[0].command, reports::smtp_command::rcpt);
  EXPECT_EQ(reports::classify(rep.recipients[0], rep, knowledge()).reason, "userunknown");
  // The same gloss for DATA: the words are a filter's there.
  const auto data = parse(
      "From: Postmaster@163.com\nTo: s@163.com\nSubject: Undelivered\nX-Mailer: Coremail MTA server\n"
      "Content-Type: text/plain; charset=utf-8\n\n"
      "      收件人 b@example.net\n\n"
      "            英文说明:SMTP error, DATA: Host example.net(192.0.2.1) DATA said 550 No such user here\n");
  ASSERT_EQ(data.recipients.size(), 1u);
  EXPECT_EQ(data.recipients[0].command, reports::smtp_command::data);
  EXPECT_EQ(reports::classify(data.recipients[0], data, knowledge()).reason, "filtered");
}

// QSBMF (djb's qmail-send bounce message format) gives its example paragraph without a
// "(#5.1.2)" code: the sentence alone names the missing host.
TEST(Parse, QmailHostNotFoundWithoutCode) {
  const auto q = parse(
      "From: MAILER-DAEMON@mx.example.org\nTo: s@example.org\nSubject: failure notice\n\n"
      "Hi. This is the qmail-send program at mx.example.org.\n"
      "I'm afraid I wasn't able to deliver your message to the\n"
      "following addresses. This is a permanent error; I've given up.\n"
      "Sorry it didn't work out.\n\n"
      "<god@example.net>:\nSorry, I couldn't find any host by that name.\n\n"
      "--- Below this line is a copy of the message.\n\nFrom: s@example.org\n");
  ASSERT_EQ(q.recipients.size(), 1u);
  EXPECT_EQ(reports::classify(q.recipients[0], q, knowledge()).reason, "hostunknown");
}

// Lotus Domino names a recipient its directory holds twice: the receiving system cannot
// choose (Sisimai's Domino table reads it as systemerror); no other word here decides.
TEST(Parse, DominoSeveralDirectoryMatchesIsASystemError) {
  const auto d = parse(
      "From: Postmaster@example.com\nTo: s@example.org\n"
      "Subject: DELIVERY FAILURE: Recipient user name info (info@example.com) not unique.\n"
      "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\nYour message\n\nwas not delivered to:\n\n  info@example.com\n\nbecause:\n\n"
      "  Recipient user name info (info@example.com) not unique.  Several matches found in Domino Directory.\n\n"
      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mx.example.com\n\n"
      "Final-Recipient: rfc822;info@example.com\nAction: failed\nStatus: 5.0.0\n"
      "Diagnostic-Code: X-Notes; Recipient user name info (info@example.com\n ) not unique.  Several matches found in Domino Directory.\n\n"
      "--b--\n");
  ASSERT_EQ(d.recipients.size(), 1u);
  EXPECT_EQ(reports::classify(d.recipients[0], d, knowledge()).reason, "systemerror");
}

// A delay warning whose only cause is a bare "421" (and the "other routing" status 4.4.0):
// the remote was not ready this time, so the delay itself is the verdict, as for any
// warning without words a rule knows. The same 421 in a failure still reads by its code.
TEST(Parse, DelayWarningWithABare421IsExpired) {
  const std::string dsn =
      "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\nDelivery is being retried.\n\n"
      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
      "Final-Recipient: rfc822; a@example.net\nStatus: 4.4.0\nAction: ";
  const std::string tail = "\nDiagnostic-Code: smtp; 421 4.4.0 [internal] no MXs for this domain could be reached at this time\n\n--b--\n";
  const auto delayed = parse("From: Mailer-Daemon@mx.example.org\nTo: s@example.org\nSubject: Delayed Mail (still being retried)\n" + dsn + "delayed" + tail);
  ASSERT_EQ(delayed.recipients.size(), 1u);
  EXPECT_EQ(delayed.kind, reports::report_kind::delay);
  EXPECT_EQ(reports::classify(delayed.recipients[0], delayed, knowledge()).reason, "expired");
  const auto failed = parse("From: Mailer-Daemon@mx.example.org\nTo: s@example.org\nSubject: Undeliverable\n" + dsn + "failed" + tail);
  ASSERT_EQ(failed.recipients.size(), 1u);
  EXPECT_EQ(reports::classify(failed.recipients[0], failed, knowledge()).reason, "systemerror");
}

// The same for a bare "452" (4.0.0), the other 4xx code the reply-code table knows (RFC 5321
// §4.2.3: insufficient system storage): in a delay the delay decides, as Sisimai 4.25 reads it.
TEST(Parse, DelayWarningWithABare452IsExpired) {
  const auto delayed = parse(
      "From: Mailer-Daemon@mx.example.org\nTo: s@example.org\nSubject: Delayed Mail (still being retried)\n"
      "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\nYour message could not be delivered for more than 4 hour(s).\n\n"
      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
      "Final-Recipient: rfc822; a@example.net\nAction: delayed\nStatus: 4.0.0\nDiagnostic-Code: smtp; 452\n\n--b--\n");
  ASSERT_EQ(delayed.recipients.size(), 1u);
  EXPECT_EQ(delayed.kind, reports::report_kind::delay);
  EXPECT_EQ(delayed.recipients[0].reply_code, 452);
  EXPECT_EQ(reports::classify(delayed.recipients[0], delayed, knowledge()).reason, "expired");
}

// CommuniGate Pro writes "Failed to deliver to '<a@b>'" and the reason on the lines after
// it, and its DSN part has no Diagnostic-Code: the reason is read from the text.
TEST(Parse, CommuniGateFailedToDeliverLineStartsTheRecipientsWords) {
  const auto c = parse(
      "From: <MAILER-DAEMON@mx.example.org>\nTo: <s@example.org>\nSubject: Undeliverable mail: hello\n"
      "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=\"delivery-status\"; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain; charset=\"utf-8\"\n\n"
      "Failed to deliver to 'a@example.net'\nSMTP module(domain example.net) reports:\n host 192.0.2.7 says:\n 550 5.1.1 No such mailbox\n\n\n"
      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
      "Original-Recipient: rfc822;<a@example.net>\nFinal-Recipient: rfc822;<a@example.net>\nAction: failed\nStatus: 5.0.0\n\n"
      "--b--\n");
  ASSERT_EQ(c.recipients.size(), 1u);
  EXPECT_NE(c.recipients[0].diagnostic.find("No such mailbox"), std::string::npos) << c.recipients[0].diagnostic;
  EXPECT_EQ(reports::classify(c.recipients[0], c, knowledge()).reason, "userunknown");
}

// Exchange's resolver says "Recipient not found by SMTP address lookup" with 5.1.10, a code
// Microsoft uses for RecipientNotFound (RFC 7505 gave 5.1.10 to null MX): its own directory
// lookup, so the words decide even in a DSN that names no SMTP step.
TEST(Parse, ExchangeSmtpAddressLookupIsAnUnknownUser) {
  const auto d = parse(
      "From: postmaster@example.net\nTo: s@example.org\nSubject: Undeliverable: hello\n"
      "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\nDelivery has failed to these recipients or groups:\n\na@example.net\n\n"
      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mx.example.net\n\n"
      "Final-Recipient: rfc822;a@example.net\nAction: failed\nStatus: 5.1.10\n"
      "Diagnostic-Code: smtp;550 5.1.10 example.net; Recipient not found by SMTP address lookup\n\n"
      "--b--\n");
  ASSERT_EQ(d.recipients.size(), 1u);
  EXPECT_EQ(reports::classify(d.recipients[0], d, knowledge()).reason, "userunknown");
}

// qmail-ldap's "The users mailfolder is over the allowed quota (size)." is a full mailbox.
TEST(Parse, QmailMailfolderOverTheAllowedQuotaIsMailboxFull) {
  const auto d = parse(
      "From: MAILER-DAEMON@mx.example.nl\nTo: s@example.org\nSubject: failure notice\n\n"
      "Hi. This is the qmail-send program at mx.example.nl.\n"
      "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
      "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
      "<a@example.nl>:\nThe users mailfolder is over the allowed quota (size).\n\n"
      "--- Below this line is a copy of the message.\n\nSubject: hello\n\nhi\n");
  ASSERT_EQ(d.recipients.size(), 1u);
  EXPECT_EQ(reports::classify(d.recipients[0], d, knowledge()).reason, "mailboxfull");
}

TEST(Parse, QmailAndExim) {
  const auto q = parse(
      "From: MAILER-DAEMON@mx.example.jp\nTo: s@example.jp\nSubject: failure notice\n\n"
      "Hi. This is the qmail-send program at mx.example.jp.\n"
      "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
      "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
      "<a@example.net>:\n192.0.2.1 does not like recipient.\nRemote host said: 552 5.2.2 <a@example.net>... Mailbox Full\n"
      "Giving up on 192.0.2.1.\n\n<b@example.net>:\nSorry, I couldn't find any host named example.net. (#5.1.2)\n\n"
      "--- Below this line is a copy of the message.\n\nFrom: s@example.jp\nTo: a@example.net\n");
  EXPECT_EQ(q.mta_family, "qmail");
  ASSERT_EQ(q.recipients.size(), 2u);
  EXPECT_EQ(reports::classify(q.recipients[0], q, knowledge()).reason, "mailboxfull");
  EXPECT_EQ(q.recipients[0].remote_ip, "192.0.2.1");
  EXPECT_EQ(reports::classify(q.recipients[1], q, knowledge()).reason, "hostunknown");
  const auto e = parse(
      "From: Mail Delivery System <Mailer-Daemon@e.example.org>\nTo: s@example.org\nSubject: Mail delivery failed\n\n"
      "This message was created automatically by mail delivery software.\n\n"
      "A message that you sent could not be delivered to one or more of its\n"
      "recipients. This is a permanent error. The following address(es) failed:\n\n"
      "  k@example.net\n    host mx.example.net [192.0.2.2]\n"
      "    SMTP error from remote mail server after RCPT TO:<k@example.net>:\n"
      "    554 5.7.1 Service unavailable; Client host [198.51.100.9] blocked using zen.spamhaus.org\n\n"
      "------ This is a copy of the message, including all the headers. ------\n");
  EXPECT_EQ(e.mta_family, "Exim");
  ASSERT_EQ(e.recipients.size(), 1u);
  EXPECT_EQ(e.recipients[0].command, reports::smtp_command::rcpt);
  const auto c = reports::classify(e.recipients[0], e, knowledge());
  EXPECT_EQ(c.reason, "blocked");
  EXPECT_EQ(c.hints.dnsbl_zone, "zen.spamhaus.org");
  EXPECT_EQ(c.hints.client_ip, "198.51.100.9");
}

TEST(Parse, NotABounceVacationAndArf) {
  const auto plain = parse("From: friend@example.com\nTo: me@example.org\nSubject: lunch?\n\nSee you at noon.\n");
  EXPECT_EQ(plain.kind, reports::report_kind::not_bounce);
  EXPECT_TRUE(plain.recipients.empty());
  const auto vac = parse("From: boss@example.com\nTo: me@example.org\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nAway until Monday.\n");
  EXPECT_EQ(vac.kind, reports::report_kind::vacation);
  // Autoresponders send with the null reverse-path too (RFC 3834 §3.3): their own marks
  // say auto-reply, not report.
  EXPECT_EQ(parse("Return-Path: <>\nFrom: John <john@example.com>\nTo: me@example.org\nSubject: Thank you for your e-mail\n"
                  "Precedence: bulk\n\nI will reply soon.\nJohn\njohn@example.com\n").kind,
            reports::report_kind::vacation);
  EXPECT_EQ(parse("From: a@example.pl\nTo: me@example.org\nSubject: =?utf-8?Q?[Automatyczna_odpowied=C5=BA]_test?=\n\nNie ma mnie.\n").kind,
            reports::report_kind::vacation);
  EXPECT_EQ(parse("From: a@example.com\nTo: me@example.org\nSubject: Re: test\nPrecedence: auto_reply\n\nAway.\n").kind,
            reports::report_kind::vacation);
  const auto arf = parse(
      "From: fbl@isp.example\nTo: abuse@example.org\nSubject: report\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n--F\nContent-Type: text/plain\n\nA complaint.\n"
      "--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\n"
      "Original-Rcpt-To: <victim@isp.example>\nSource-IP: 192.0.2.77\n\n--F\nContent-Type: text/rfc822-headers\n\n"
      "From: s@example.org\nTo: victim@isp.example\nSubject: buy\n\n--F--\n");
  EXPECT_EQ(arf.kind, reports::report_kind::feedback);
  ASSERT_EQ(arf.recipients.size(), 1u);
  EXPECT_EQ(arf.recipients[0].feedback_type, "abuse");
  EXPECT_EQ(arf.recipients[0].address, "victim@isp.example");
  EXPECT_EQ(arf.original.sending_ip, "192.0.2.77");
  EXPECT_EQ(reports::classify(arf.recipients[0], arf, knowledge()).reason, "feedback");
}

// "Auto-Submitted: auto-generated" (RFC 3834 §5: not a direct response) on a message that
// answers another (In-Reply-To or References and a reply's subject) is how forum and
// help-desk autoresponders mark their replies: an automatic reply. Without the reply's
// marks it stays what it was (a notification is not a bounce).
TEST(Parse, AnAutoGeneratedReplyIsAnAutomaticReply) {
  const std::string head = "From: Help Desk <desk@example.com>\nTo: me@example.org\nAuto-Submitted: auto-generated\n";
  const std::string body = "\nWe received your request and will answer within two days.\n";
  EXPECT_EQ(parse(head + "Subject: Re: printer on floor 3\nIn-Reply-To: <q1@example.org>\n" + body).kind,
            reports::report_kind::vacation);
  EXPECT_EQ(parse(head + "Subject: AW: Drucker\nReferences: <q2@example.org>\n" + body).kind, reports::report_kind::vacation);
  EXPECT_EQ(parse(head + "Subject: =?utf-8?B?5Zue5aSN77ya5omT5Y2w5py6?=\nIn-Reply-To: <q3@example.org>\n" + body).kind,
            reports::report_kind::vacation);  // "回复：打印机"
  // No reply's subject, no reference to a message, or not auto-generated: not a bounce.
  EXPECT_EQ(parse(head + "Subject: Your weekly digest\nIn-Reply-To: <q4@example.org>\n" + body).kind,
            reports::report_kind::not_bounce);
  EXPECT_EQ(parse(head + "Subject: Re: printer on floor 3\n" + body).kind, reports::report_kind::not_bounce);
  EXPECT_EQ(parse("From: Ann <ann@example.com>\nTo: me@example.org\nSubject: Re: printer on floor 3\n"
                  "In-Reply-To: <q5@example.org>\n" + body).kind,
            reports::report_kind::not_bounce);
}

TEST(Parse, AListPostNamingABrandAndAnAddressIsNotABounce) {
  // A brand's name ("yahoo.com", "McAfee", "Lotus Domino") names the family of a report but
  // does not make one: a list post with an address in its footer is ordinary mail.
  const std::string post =
      "From: Ann Example <ann@example.net>\nTo: list@example.org\nSubject: Re: filters\n"
      "Sender: list-admin@example.org\nErrors-To: list-admin@example.org\nPrecedence: bulk\n\n"
      "Our McAfee gateway and the Lotus Domino server both refused it; Yahoo.com accepted it.\n"
      "_______________________________________________\n"
      "list@example.org\nhttps://lists.example.org/listinfo/list\n";
  const auto read = parse(post);
  EXPECT_EQ(read.kind, reports::report_kind::not_bounce);
  EXPECT_TRUE(read.recipients.empty());
  EXPECT_TRUE(read.mta_family.empty());
  // The same words sent with the null reverse-path bounces travel with (RFC 5321 §4.5.5),
  // or from a mailer daemon, are a report to read.
  EXPECT_NE(parse("Return-Path: <>\n" + post).kind, reports::report_kind::not_bounce);
  EXPECT_NE(parse("From: MAILER-DAEMON@example.org\n" + post.substr(post.find('\n') + 1)).kind,
            reports::report_kind::not_bounce);
}

TEST(Parse, AProviderListingItsUsersByNameAloneNamesAddressesAtItsDomain) {
  // AOL: the names under "the following recipients" are its own users' screen names.
  const auto read = parse(
      "From: Mail Delivery Subsystem <MAILER-DAEMON@aol.example>\nTo: list-bounces@example.org\n"
      "Subject: Mail Delivery Problem\n\n"
      "Your mail to the following recipients could not be delivered because they are not accepting mail from "
      "news@example.org:\n\tFirstName\n\tsecond.name\n\nThe rest of this note is not a name.\n");
  ASSERT_EQ(read.recipients.size(), 2u);
  EXPECT_EQ(read.recipients[0].address, "firstname@aol.example");
  EXPECT_EQ(read.recipients[1].address, "second.name@aol.example");
  // The refused sender quoted in the sentence is not taken for a recipient.
  for (const auto& r : read.recipients) EXPECT_NE(r.address, "news@example.org");
  // Not from a mailer daemon: the names are not read.
  const auto person = parse("From: ann@example.net\nTo: list@example.org\nSubject: Mail Delivery Problem\n\n"
                            "Your mail to the following recipients could not be delivered because of a typo:\n\tbob\n");
  for (const auto& r : person.recipients) EXPECT_NE(r.address, "bob@example.net");
}

TEST(Hostile, BinaryHugeNestedEndless) {
  const auto start = std::chrono::steady_clock::now();
  std::string binary(3u << 20, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>((i * 2654435761u) >> 13);
  const auto b = parse(binary);
  EXPECT_EQ(b.kind, reports::report_kind::not_bounce);
  // Deeply nested multiparts: cut at the part limit, no stack exhaustion.
  std::string nested = "Subject: x\nMIME-Version: 1.0\n";
  for (int i = 0; i < 20000; ++i)
    nested += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" + std::to_string(i) + "\n";
  const auto n = parse(nested);
  EXPECT_TRUE(n.truncated);
  // Endless headers and a huge single line.
  std::string endless = "From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n";
  for (int i = 0; i < 200000; ++i) endless += "X-H" + std::to_string(i) + ": v\n";
  endless += "\n<a@example.com>: " + std::string(5u << 20, 'a') + "\n";
  const auto e = parse(endless);
  for (const auto& r : e.recipients) EXPECT_LE(r.diagnostic.size(), 2048u + 8);
  // Over the per-message limit: truncated, still a clean value.
  std::string big(12u << 20, 'x');
  const auto g = reports::parse(big, knowledge());
  EXPECT_TRUE(g.truncated);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "hostile inputs parsed in " << seconds << " s\n";  // a figure, not an assertion
}

TEST(Knowledge, AdviceInBothLanguages) {
  for (const char* reason : {"userunknown", "hostunknown", "mailboxfull", "blocked", "spamdetected", "expired",
                             "networkerror", "norelaying", "requireptr", "authfailure", "mesgtoobig", "undefined"}) {
    const auto en = reports::advice_for(knowledge(), reason, "", "en");
    const auto zh = reports::advice_for(knowledge(), reason, "", "zh");
    ASSERT_TRUE(en && zh) << reason;
    EXPECT_FALSE(en->action.empty());
    EXPECT_NE(en->what, zh->what);
  }
  const auto pbl = reports::advice_for(knowledge(), "blocked", "spamhaus-pbl", "zh");
  ASSERT_TRUE(pbl);
  EXPECT_NE(pbl->what.find("PBL"), std::string::npos);
  // An ARF report's Feedback-Type is its sub-cause: only "abuse" is the recipient's spam
  // complaint, so an authentication failure report must not be explained as one.
  for (const char* type : {"auth-failure", "fraud", "virus", "not-spam"}) {
    for (const char* lang : {"en", "zh"}) {
      const auto complaint = reports::advice_for(knowledge(), "feedback", "abuse", lang);
      const auto a = reports::advice_for(knowledge(), "feedback", type, lang);
      ASSERT_TRUE(a && complaint) << type << " " << lang;
      EXPECT_NE(a->what, complaint->what) << type << " " << lang;
      EXPECT_NE(a->action, complaint->action) << type << " " << lang;
    }
    // Its own Chinese, not the English entry as a fallback.
    EXPECT_NE(reports::advice_for(knowledge(), "feedback", type, "zh")->what,
              reports::advice_for(knowledge(), "feedback", type, "en")->what)
        << type;
  }
  // End to end: an authentication failure report is read with its type as the sub-cause
  // and explained as one.
  const auto arf = parse(
      "From: reports@example.net\nTo: abuse@example.org\nSubject: auth failure\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\n\n"
      "--F\nContent-Type: text/plain\n\nAn authentication failure report.\n"
      "--F\nContent-Type: message/feedback-report\n\nFeedback-Type: auth-failure\nUser-Agent: x/1\nVersion: 1\n"
      "Auth-Failure: dkim\nReported-Domain: example.org\n"
      "--F\nContent-Type: text/rfc822-headers\n\nFrom: a@example.org\nTo: b@example.com\nSubject: hi\n"
      "--F--\n");
  ASSERT_EQ(arf.recipients.size(), 1u);
  const auto c = reports::classify(arf.recipients[0], arf, knowledge());
  EXPECT_EQ(c.reason, "feedback");
  EXPECT_EQ(c.subcause, "auth-failure");
  const auto auth_zh = reports::advice_for(knowledge(), c.reason, c.subcause, "zh");
  ASSERT_TRUE(auth_zh);
  EXPECT_NE(auth_zh->what.find("DKIM"), std::string::npos);
  EXPECT_NE(auth_zh->what.find("认证失败"), std::string::npos);
  const auto fallback = reports::advice_for(knowledge(), "blocked", "no-such-subcause", "fr");
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->side, "sender");
  EXPECT_FALSE(reports::load_knowledge("/nonexistent").error.empty());
}

}  // namespace

TEST(Parse, HtmlOnlyBounceIsReadThroughItsWords) {
  // Only an HTML part: tags are dropped (block tags end lines), the common entities decoded,
  // and the free-text reader finds the recipient line.
  const auto rep = parse(
      "From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\nSubject: Undelivered Mail Returned to Sender\n"
      "MIME-Version: 1.0\nContent-Type: text/html; charset=iso-8859-1\n\n"
      "<html><body><p>This is the mail system at host mx.example.org.</p>"
      "<div>&lt;kijitora@example.jp&gt;: host mx.example.jp[192.0.2.25] said: 550 5.1.1 "
      "&quot;kijitora&quot; User unknown (in reply to RCPT TO command)</div></body></html>\n");
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "kijitora@example.jp");
  EXPECT_EQ(rep.recipients[0].reply_code, 550);
  EXPECT_EQ(rep.recipients[0].status, "5.1.1");
  EXPECT_NE(rep.recipients[0].diagnostic.find("\"kijitora\" User unknown"), std::string::npos) << rep.recipients[0].diagnostic;
  EXPECT_EQ(rep.recipients[0].diagnostic.find('<'), std::string::npos) << rep.recipients[0].diagnostic;
}

namespace {

// Found reading Debian's flufl.bounce test messages (tests/reports/agreement/).
TEST(Reader, AddressFormsWithASchemeOrX400AttributeYieldTheSmtpAddress) {
  EXPECT_EQ(reports::text::clean_address("[SMTP:kijitora@Example.JP]"), "kijitora@example.jp");
  EXPECT_EQ(reports::text::clean_address("mailto:kijitora@example.jp"), "kijitora@example.jp");
  EXPECT_EQ(reports::text::find_address("c=US;a= ;p=Org;o=Nexus2;dda:SMTP=kijitora@example.JP; on Fri, 4 Oct 2002"),
            "kijitora@example.jp");
  // '=' alone is part of SRS and VERP local parts.
  EXPECT_EQ(reports::text::clean_address("SRS0=HHH=TT=example.org=sender@example.jp"), "SRS0=HHH=TT=example.org=sender@example.jp");
}

TEST(Reader, EximGeneratedFromNamesTheAddressBehindAnEntryThatIsNotOne) {
  const auto rep = parse(
      "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n"
      "To: sender@example.org\n"
      "Subject: Mail delivery failed: returning message to sender\n"
      "\n"
      "This message was created automatically by mail delivery software.\n"
      "\n"
      "A message that you sent could not be delivered to one or more of its\n"
      "recipients. This is a permanent error. The following address(es) failed:\n"
      "\n"
      "  an undisclosed address\n"
      "    (generated from kijitora@example.jp)\n"
      "\n"
      "------ This is a copy of the message, including all the headers. ------\n"
      "\n"
      "Subject: hello\n");
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "kijitora@example.jp");
}

TEST(Reader, TheSameFailureSaidTwiceIsOneRecipient) {
  std::string dsn =
      "From: MAILER-DAEMON@mx.example.org\n"
      "Subject: Returned mail: see transcript for details\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
      "\n--B\nContent-Type: text/plain\n\nThe original message was received.\n"
      "\n--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mx.example.org\n";
  for (int i = 0; i < 3; ++i)
    dsn += "\nFinal-Recipient: RFC822; kijitora@example.jp\nAction: failed\nStatus: 5.1.1\n"
           "Diagnostic-Code: SMTP; 550 5.1.1 User unknown\n";
  dsn += "\nFinal-Recipient: RFC822; mikeneko@example.jp\nAction: failed\nStatus: 5.2.2\n"
         "Diagnostic-Code: SMTP; 552 5.2.2 Mailbox full\n\n--B--\n";
  const auto rep = parse(dsn);
  ASSERT_EQ(rep.recipients.size(), 2u);
  EXPECT_EQ(rep.recipients[0].address, "kijitora@example.jp");
  EXPECT_EQ(rep.recipients[1].address, "mikeneko@example.jp");
}

}  // namespace
