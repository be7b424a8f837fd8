// The layout check's second round (bench/reports/relayout.py round 2; docs/bounce.md, "The
// same reply in every layout"): more MTA layouts and more ways a real bounce varies. What it
// found, each written here for the test with other addresses and words than the lines it
// ran on:
// - Gmail / Google Workspace's "** Message not delivered **" names the recipient in "There
//   was a problem delivering your message to a@b." and puts the reply, after blank lines,
//   under "The response from the remote server was:"; its DSN has no Diagnostic-Code. The
//   reply was lost (no code, no cause);
// - Exchange 2013+ / Office 365 without a DSN (an HTML-only NDR, a text NDR) names the
//   remote host on the line before "Remote server returned '...'": it was not read, so a
//   provider's reply was read without its provider;
// - Exim's ": retry timeout exceeded" after the reply decided over the reply (a full
//   mailbox, a refused sender read as the end of the retries);
// - MDaemon's time-stamped session transcript ("Tue 2024-06-04 09:15:02: <-- 550 ...") was
//   not read: the whole report was the diagnostic.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using reports::testing::reason_of_only_recipient;

reports::report read(const std::string& message) { return reports::testing::parse_written(message); }

const std::string original = "From: ledger@example.net\nTo: r.amadi@example.com\nSubject: statements\n\nHello\n";

TEST(Relayout2Readings, GmailMessageNotDeliveredReadsTheReplyBelowTheBlankLines) {
  const std::string b = "=_alt";
  const std::string message =
      "From: Mail Delivery Subsystem <mailer-daemon@googlemail.example.com>\n"
      "To: ledger@example.net\n"
      "Subject: Delivery Status Notification (Failure)\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"=_top\"\n\n"
      "--=_top\n"
      "Content-Type: multipart/alternative; boundary=\"" + b + "\"\n\n"
      "--" + b + "\nContent-Type: text/plain; charset=\"UTF-8\"\n\n"
      "\n** Message not delivered **\n\n"
      "There was a problem delivering your message to r.amadi@example.com. See the technical details below.\n\n\n\n"
      "The response from the remote server was:\n"
      "552 5.2.2 Quota exceeded for this account\n\n"
      "--" + b + "\nContent-Type: text/html; charset=\"UTF-8\"\n\n"
      "<html><body><h2>Message not delivered</h2><p>See the technical details below.</p></body></html>\n"
      "--" + b + "--\n"
      "--=_top\n"
      "Content-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; googlemail.example.com\n\n"
      "Final-Recipient: rfc822; r.amadi@example.com\n"
      "Action: failed\n"
      "Status: 5.2.2\n\n"
      "--=_top\n"
      "Content-Type: message/rfc822\n\n" + original + "--=_top--\n";
  const auto rep = read(message);
  ASSERT_EQ(rep.recipients.size(), 1u);
  const auto& r = rep.recipients.front();
  EXPECT_EQ(r.address, "r.amadi@example.com");
  EXPECT_NE(r.diagnostic.find("552 5.2.2 Quota exceeded for this account"), std::string::npos) << r.diagnostic;
  EXPECT_EQ(reason_of_only_recipient(message, "r.amadi@example.com"), "mailboxfull");
}

TEST(Relayout2Readings, ExchangeDiagnosticNamesTheRemoteHostWithoutDsn) {
  const auto rep = read(
      "From: postmaster@gate.example.net\n"
      "To: ledger@example.net\n"
      "Subject: Undeliverable: statements\n"
      "MIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=\"us-ascii\"\n\n"
      "Delivery has failed to these recipients or groups:\n\n"
      "r.amadi@example.com<mailto:r.amadi@example.com>\n"
      "A problem occurred while delivering this message to this email address.\n\n"
      "Diagnostic information for administrators:\n\n"
      "Generating server: gate.example.net\n\n"
      "r.amadi@example.com\n"
      "mx2.example.com\n"
      "Remote Server returned '550 5.1.1 Mailbox unavailable'\n\n"
      "Original message headers:\n\n" + original);
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients.front().remote_host, "mx2.example.com");
}

// Exim's report of a refused RCPT TO whose remote `error` ends with Exim's own outro.
std::string exim_refusal(const std::string& address, const std::string& error) {
  return reports::testing::exim_report(address, "  " + address + "\n"
                                                "    host mx.example.com [192.0.2.44]\n"
                                                "    SMTP error from remote mail server after RCPT TO:<" + address + ">:\n"
                                                "    " + error + "\n");
}

// The reply names the cause; Exim's wrapper after it does not decide over it (without the
// reading both were "expired"). A reply that names none still reads as the retries' end.
TEST(Relayout2Readings, EximRetryTimeoutDoesNotDecideOverTheReply) {
  const std::string to = "r.amadi@example.com";
  EXPECT_EQ(reason_of_only_recipient(exim_refusal(to, "501 5.5.4 Syntax error in MAIL parameters: retry timeout exceeded"), to),
            "syntaxerror");
  EXPECT_EQ(reason_of_only_recipient(
                exim_refusal(to, "451 4.3.0 Mail server temporarily rejected the message: retry timeout exceeded"), to),
            "systemerror");
  EXPECT_EQ(reason_of_only_recipient(exim_refusal(to, "451 4.3.0 Please try later: retry timeout exceeded"), to), "expired");
}

TEST(Relayout2Readings, MdaemonStampedTranscriptGivesTheReplyAndStep) {
  const std::string t = " Tue 2024-06-04 09:15:02: ";
  const auto rep = read(reports::testing::mdaemon_report(t + "*  To: r.amadi@example.com\n" +
                                                         t + "Attempting SMTP connection to [mx.example.com]\n" +
                                                         t + "--> MAIL From:<ledger@example.net> SIZE=2048\n" +
                                                         t + "<-- 250 2.1.0 Ok\n" +
                                                         t + "--> RCPT To:<r.amadi@example.com>\n" +
                                                         t + "<-- 550 5.1.1 No such mailbox\n",
                                                     original));
  ASSERT_EQ(rep.recipients.size(), 1u);
  const auto& r = rep.recipients.front();
  EXPECT_EQ(r.address, "r.amadi@example.com");
  EXPECT_EQ(r.diagnostic, "550 5.1.1 No such mailbox");
  EXPECT_EQ(r.command, reports::smtp_command::rcpt);
}

}  // namespace
