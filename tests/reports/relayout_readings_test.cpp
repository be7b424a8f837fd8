// The same remote reply reads the same way whatever layout carries it (bench/reports/
// relayout.py writes every documented reply into twelve MTA layouts; docs/bounce.md, "The
// same reply in every layout"). What that check found, each written here for the test
// with other addresses and words than the lines it ran on:
// - Postfix wraps its report at 76 columns and indents the wrapped lines (bounce(8)); a
//   reply naming an address can start such a line, which was read as a second recipient
//   and cut the first one's reply in two;
// - a layout's own sentence before the remote's reply decided over the reply: qmail's
//   "192.0.2.1 does not like recipient." (user unknown) before "Relay access denied",
//   Gmail's "rejected by the server" (a filter) before a reply no rule knows, Postfix's
//   "refused to talk to me" (blocked) before "Too many connections";
// - qmail's "Connected to X but greeting failed." named no step.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using reports::testing::postfix_text;
using reports::testing::reason_of_only_recipient;
using reports::testing::text_bounce;
using reports::testing::source_knowledge;

reports::report read(const std::string& message) { return reports::testing::parse_written(message); }

std::string qmail_text(const std::string& entry) {
  return text_bounce("MAILER-DAEMON@gate.example.net", "failure notice",
                     "Hi. This is the qmail-send program at gate.example.net.\n"
                     "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                     "This is a permanent error; I've given up. Sorry it didn't work out.\n\n" + entry + "\n");
}

// The reason of the one recipient of the Postfix report carrying `reply` in its DSN.
std::string reason_in_dsn(const std::string& address, const std::string& reply) {
  return reason_of_only_recipient(reports::testing::postfix_report({.address = address, .reply = reply}), address);
}

// A wrapped line naming another address continues the entry; the next entry, at the
// margin again, is the next recipient.
TEST(RelayoutReadings, PostfixWrappedLineNamingAnAddressContinuesTheEntry) {
  const auto rep = read(postfix_text(
      "<m.ortega@example.com>: host mx.example.com[192.0.2.61] said: 550 5.1.1\n"
      "    <ortega.m@example.com>: Recipient address rejected: No such mailbox here\n"
      "    (in reply to RCPT TO command)\n"
      "<j.ortega@example.com>: host mx.example.com[192.0.2.61] said: 550 5.1.1\n"
      "    <ortega.j@example.com>: Recipient address rejected: No such mailbox here\n"
      "    (in reply to RCPT TO command)"));
  ASSERT_EQ(rep.recipients.size(), 2u);
  EXPECT_EQ(rep.recipients[1].address, "j.ortega@example.com");
  const auto& r = rep.recipients.front();
  EXPECT_EQ(r.address, "m.ortega@example.com");
  EXPECT_EQ(r.command, reports::smtp_command::rcpt);
  EXPECT_NE(r.diagnostic.find("550 5.1.1 <ortega.m@example.com>: Recipient address rejected: No such mailbox here"),
            std::string::npos)
      << r.diagnostic;
  EXPECT_EQ(reports::classify(r, rep, source_knowledge()).reason, "userunknown");
}

// The wrapped line of the recipient's own address (the usual case) keeps the reply whole.
TEST(RelayoutReadings, PostfixWrappedLineNamingTheRecipientKeepsTheReplyWhole) {
  const auto rep = read(postfix_text(
      "<l.baptiste@example.com>: host mx.example.com[192.0.2.62] said: 552 5.2.2\n"
      "    <l.baptiste@example.com>: Recipient address rejected: Mailbox over quota\n"
      "    (in reply to RCPT TO command)"));
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_NE(rep.recipients.front().diagnostic.find("552 5.2.2 <l.baptiste@example.com>: Recipient address rejected"),
            std::string::npos)
      << rep.recipients.front().diagnostic;
}

TEST(RelayoutReadings, QmailStepSentenceDoesNotDecideOverTheReply) {
  const std::string reply = "554 5.7.1 <h.osei@example.org>: Relay access denied";
  const std::string qmail = qmail_text("<h.osei@example.org>:\n"
                                       "192.0.2.64 does not like recipient.\n"
                                       "Remote host said: " + reply + "\n"
                                       "Giving up on 192.0.2.64.");
  EXPECT_EQ(reason_of_only_recipient(qmail, "h.osei@example.org"), "norelaying");
  EXPECT_EQ(reason_of_only_recipient(qmail, "h.osei@example.org"), reason_in_dsn("h.osei@example.org", reply));
}

TEST(RelayoutReadings, QmailGreetingFailureIsTheConnectionStep) {
  const auto rep = read(qmail_text("<t.varga@example.org>:\n"
                                   "Connected to 192.0.2.65 but greeting failed.\n"
                                   "Remote host said: 554 mx.example.org no service for you today\n"
                                   "Giving up on 192.0.2.65."));
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients.front().command, reports::smtp_command::conn);
}

TEST(RelayoutReadings, GmailRejectedByTheServerDoesNotDecideOverTheReply) {
  const std::string reply = "421 4.7.0 Temporary System Problem. Try again later.";
  const std::string gmail = text_bounce(
      "Mail Delivery Subsystem <mailer-daemon@example.net>", "Delivery Status Notification (Failure)",
      "Delivery to the following recipient failed permanently:\n\n"
      "     s.kowal@example.org\n\n"
      "Technical details of permanent failure:\n"
      "Google tried to deliver your message, but it was rejected by the server for the recipient domain "
      "example.org by mx.example.org. [192.0.2.66].\n\n"
      "The error that the other server returned was:\n" + reply + "\n");
  // As the same reply reads in a DSN (bench/reports/relayout.py: systemerror there).
  EXPECT_EQ(reason_of_only_recipient(gmail, "s.kowal@example.org"), "systemerror");
}

TEST(RelayoutReadings, PostfixRefusedToTalkToMeIsTheStepNotTheCause) {
  const std::string reply = "421 4.7.0 Too many concurrent SMTP connections from your address, try again later";
  const auto rep = read(postfix_text("<k.dube@example.com>: host mx.example.com[192.0.2.67] refused to talk to me:\n"
                                     "    " + reply));
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients.front().command, reports::smtp_command::conn);
  EXPECT_EQ(reports::classify(rep.recipients.front(), rep, source_knowledge()).reason, "toomanyconn");
}

}  // namespace
