// Each MTA family's layout is read for its structure: where the recipient, the status,
// the reply code, the SMTP step and the server's words sit. The bounces here are written
// for this test from the families' documented formats (Postfix bounce(8) templates, Exim's
// "SMTP error from remote mail server after ...", qmail-send's "Remote host said:",
// Sendmail's "----- Transcript of session follows -----", ...) with causes other than the
// commonest one, so a reader that only knew the corpus's phrases would fail them.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace {

const reports::knowledge& knowledge() {
  static const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

struct expected {
  std::string address;
  std::string reason;
  std::string status;  // "" : not checked
  int reply_code = -1;  // -1 : not checked
  reports::smtp_command command = reports::smtp_command::unknown;
  bool check_command = false;
};

struct family_case {
  const char* name;
  const char* message;
  std::vector<expected> recipients;
  reports::report_kind kind = reports::report_kind::failure;
};

using cmd = reports::smtp_command;

expected want(std::string address, std::string reason, std::string status = "", int reply = -1) {
  return {std::move(address), std::move(reason), std::move(status), reply, cmd::unknown, false};
}
expected want_at(std::string address, std::string reason, std::string status, int reply, cmd command) {
  return {std::move(address), std::move(reason), std::move(status), reply, command, true};
}

void check(const family_case& c) {
  SCOPED_TRACE(c.name);
  const auto rep = reports::parse(reports::normalise_line_endings(c.message), knowledge());
  EXPECT_EQ(rep.kind, c.kind) << to_string(rep.kind);
  ASSERT_EQ(rep.recipients.size(), c.recipients.size());
  for (std::size_t i = 0; i < c.recipients.size(); ++i) {
    const auto& r = rep.recipients[i];
    const auto& e = c.recipients[i];
    const auto cl = reports::classify(r, rep, knowledge());
    SCOPED_TRACE("recipient " + e.address + " diag '" + r.diagnostic + "' family " + rep.mta_family + " by " +
                 std::string(to_string(cl.by)) + " '" + cl.matched + "'");
    EXPECT_EQ(r.address, e.address);
    EXPECT_EQ(cl.reason, e.reason);
    if (!e.status.empty()) {
      EXPECT_EQ(cl.status, e.status);
    }
    if (e.reply_code >= 0) {
      EXPECT_EQ(r.reply_code, e.reply_code);
    }
    if (e.check_command) {
      EXPECT_EQ(to_string(r.command), to_string(e.command));
    }
  }
}

// Postfix bounce(8), text part only (no DSN part: older or stripped reports).
TEST(Families, PostfixTextOnly) {
  check({"postfix text",
         "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)\n"
         "To: alice@example.net\n"
         "Subject: Undelivered Mail Returned to Sender\n"
         "\n"
         "This is the mail system at host relay.example.net.\n"
         "\n"
         "I'm sorry to have to inform you that your message could not\n"
         "be delivered to one or more recipients. It's attached below.\n"
         "\n"
         "                   The mail system\n"
         "\n"
         "<bob@example.org>: host mx1.example.org[203.0.113.9] said: 552 5.2.2\n"
         "    <bob@example.org>: Recipient address rejected: Mailbox quota exceeded\n"
         "    (in reply to RCPT TO command)\n"
         "\n"
         "<carol@example.org>: host mx1.example.org[203.0.113.9] said: 554 5.7.1\n"
         "    Service unavailable; Client host [198.51.100.4] blocked using\n"
         "    bl.example-dnsbl.test (in reply to MAIL FROM command)\n"
         "\n"
         "<dave@example.com>: Host or domain name not found. Name service error for\n"
         "    name=example.com type=MX: Host not found\n",
         {want_at("bob@example.org", "mailboxfull", "5.2.2", 552, cmd::rcpt),
          want_at("carol@example.org", "blocked", "5.7.1", 554, cmd::mail),
          want("dave@example.com", "hostunknown")}});
}

// Postfix with the DSN part: the DSN gives status and code, the text gives the step.
TEST(Families, PostfixDsnAfterData) {
  check({"postfix dsn",
         "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)\n"
         "To: alice@example.net\n"
         "Subject: Undelivered Mail Returned to Sender\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"X1\"\n"
         "\n"
         "--X1\n"
         "Content-Type: text/plain\n"
         "\n"
         "This is the mail system at host relay.example.net.\n"
         "\n"
         "<erin@example.org>: host mx.example.org[203.0.113.10] said: 550 5.7.1\n"
         "    Message rejected as spam by Content Filtering (in reply to end of DATA\n"
         "    command)\n"
         "\n"
         "--X1\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; relay.example.net\n"
         "\n"
         "Final-Recipient: rfc822; erin@example.org\n"
         "Action: failed\n"
         "Status: 5.7.1\n"
         "Remote-MTA: dns; mx.example.org\n"
         "Diagnostic-Code: smtp; 550 5.7.1 Message rejected as spam by Content Filtering\n"
         "\n"
         "--X1--\n",
         {want_at("erin@example.org", "spamdetected", "5.7.1", 550, cmd::data)}});
}

// Exim: address, then the indented reason; the step is in "after RCPT TO:<...>".
TEST(Families, Exim) {
  check({"exim",
         "From: Mail Delivery System <Mailer-Daemon@smtp.example.net>\n"
         "To: alice@example.net\n"
         "Subject: Mail delivery failed: returning message to sender\n"
         "Auto-Submitted: auto-replied\n"
         "\n"
         "This message was created automatically by mail delivery software.\n"
         "\n"
         "A message that you sent could not be delivered to one or more of its\n"
         "recipients. This is a permanent error. The following address(es) failed:\n"
         "\n"
         "  frank@example.org\n"
         "    host mx.example.org [203.0.113.20]\n"
         "    SMTP error from remote mail server after RCPT TO:<frank@example.org>:\n"
         "    550 5.1.1 <frank@example.org>: Recipient address rejected: No such user\n"
         "  grace@example.com\n"
         "    Unrouteable address\n"
         "\n"
         "------ This is a copy of the message, including all the headers. ------\n"
         "\n"
         "From: alice@example.net\n"
         "To: frank@example.org, grace@example.com\n"
         "Subject: hello\n",
         {want_at("frank@example.org", "userunknown", "5.1.1", 550, cmd::rcpt), want("grace@example.com", "hostunknown")}});
}

// Exim's delay warning: still retrying.
TEST(Families, EximDelay) {
  check({"exim delay",
         "From: Mail Delivery System <Mailer-Daemon@smtp.example.net>\n"
         "To: alice@example.net\n"
         "Subject: Warning: message 1abc-000123-Xy delayed 24 hours\n"
         "\n"
         "This message was created automatically by mail delivery software.\n"
         "A message that you sent has not yet been delivered to one or more of its\n"
         "recipients after more than 24 hours on the queue on smtp.example.net.\n"
         "\n"
         "The message identifier is:     1abc-000123-Xy\n"
         "\n"
         "The address to which the message has not yet been delivered is:\n"
         "\n"
         "  heidi@example.org\n"
         "    host mx.example.org [203.0.113.30]: Connection timed out\n"
         "\n"
         "No action is required on your part. Delivery attempts will continue for\n"
         "some time, and this warning may be repeated at intervals if the message\n"
         "remains undelivered. Eventually the mail delivery software will give up,\n"
         "and when that happens, the message will be returned to you.\n",
         {want("heidi@example.org", "expired")},
         reports::report_kind::delay});
}

// qmail-send: "<address>:" then the remote host's words and the (#D.S.N) code.
TEST(Families, Qmail) {
  check({"qmail",
         "From: MAILER-DAEMON@mail.example.net\n"
         "To: alice@example.net\n"
         "Subject: failure notice\n"
         "\n"
         "Hi. This is the qmail-send program at mail.example.net.\n"
         "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
         "This is a permanent error; I've given up. Sorry it didn't work out.\n"
         "\n"
         "<ivan@example.org>:\n"
         "203.0.113.40 does not like recipient.\n"
         "Remote host said: 550 Requested action not taken: mailbox full\n"
         "Giving up on 203.0.113.40.\n"
         "\n"
         "<judy@example.com>:\n"
         "Sorry, I couldn't find any host named example.com. (#5.1.2)\n"
         "\n"
         "--- Below this line is a copy of the message.\n"
         "\n"
         "From: alice@example.net\n",
         {want_at("ivan@example.org", "mailboxfull", "", 550, cmd::rcpt), want("judy@example.com", "hostunknown", "5.1.2")}});
}

// qmail local delivery: its own status in "(#5.x.y)".
TEST(Families, QmailLocal) {
  check({"qmail local",
         "From: MAILER-DAEMON@mail.example.org\n"
         "To: alice@example.net\n"
         "Subject: failure notice\n"
         "\n"
         "Hi. This is the qmail-send program at mail.example.org.\n"
         "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
         "This is a permanent error; I've given up. Sorry it didn't work out.\n"
         "\n"
         "<mallory@example.org>:\n"
         "Sorry, no mailbox here by that name. (#5.1.1)\n"
         "\n"
         "--- Below this line is a copy of the message.\n",
         {want("mallory@example.org", "userunknown", "5.1.1")}});
}

// Sendmail: the transcript names the step; the DSN gives the status.
TEST(Families, SendmailTranscript) {
  check({"sendmail",
         "From: Mail Delivery Subsystem <MAILER-DAEMON@gw.example.net>\n"
         "To: <alice@example.net>\n"
         "Subject: Returned mail: see transcript for details\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"S2\"\n"
         "\n"
         "--S2\n"
         "\n"
         "The original message was received at Mon, 3 Jun 2024 10:00:00 +0200\n"
         "from localhost [127.0.0.1]\n"
         "\n"
         "   ----- The following addresses had permanent fatal errors -----\n"
         "<niaj@example.org>\n"
         "    (reason: 552 5.3.4 Message size exceeds fixed maximum message size)\n"
         "\n"
         "   ----- Transcript of session follows -----\n"
         "... while talking to mx.example.org.:\n"
         ">>> DATA\n"
         "<<< 552 5.3.4 Message size exceeds fixed maximum message size\n"
         "554 5.0.0 Service unavailable\n"
         "\n"
         "--S2\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; gw.example.net\n"
         "\n"
         "Final-Recipient: RFC822; niaj@example.org\n"
         "Action: failed\n"
         "Status: 5.3.4\n"
         "Remote-MTA: DNS; mx.example.org\n"
         "Diagnostic-Code: SMTP; 552 5.3.4 Message size exceeds fixed maximum message size\n"
         "\n"
         "--S2--\n",
         {want_at("niaj@example.org", "mesgtoobig", "5.3.4", 552, cmd::data)}});
}

// Sendmail V5 / old sendmail: transcript only, no DSN.
TEST(Families, SendmailV5) {
  check({"sendmail v5",
         "From: Mail Delivery Subsystem <MAILER-DAEMON@old.example.net>\n"
         "To: alice@example.net\n"
         "Subject: Returned mail: Host unknown\n"
         "\n"
         "   ----- Transcript of session follows -----\n"
         "... while talking to mail.example.org.:\n"
         ">>> MAIL From:<alice@example.net>\n"
         "<<< 553 5.1.8 <alice@example.net>... Domain of sender address alice@example.net does not exist\n"
         "501 <olivia@example.org>... Data format error\n"
         "\n"
         "   ----- Unsent message follows -----\n"
         "From: alice@example.net\n",
         {want_at("olivia@example.org", "rejected", "5.1.8", 553, cmd::mail)}});
}

// A plain RFC 3464 report from an MTA no family names.
TEST(Families, Rfc3464Generic) {
  check({"rfc3464",
         "From: postmaster@gw.example.net\n"
         "To: alice@example.net\n"
         "Subject: Delivery Status Notification (Failure)\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R3\"\n"
         "\n"
         "--R3\n"
         "Content-Type: text/plain\n"
         "\n"
         "Your message could not be delivered.\n"
         "\n"
         "--R3\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; gw.example.net\n"
         "\n"
         "Final-Recipient: rfc822; peggy@example.org\n"
         "Action: failed\n"
         "Status: 5.7.26\n"
         "Diagnostic-Code: smtp; 550 5.7.26 Unauthenticated mail is prohibited\n"
         "\n"
         "Final-Recipient: rfc822; rupert@example.org\n"
         "Action: delayed\n"
         "Status: 4.2.2\n"
         "Diagnostic-Code: smtp; 452 4.2.2 Over quota\n"
         "\n"
         "--R3--\n",
         {want("peggy@example.org", "authfailure", "5.7.26", 550), want("rupert@example.org", "mailboxfull", "4.2.2", 452)}});
}

// OpenSMTPD: "address: reply" after its fixed introduction.
TEST(Families, OpenSmtpd) {
  check({"opensmtpd",
         "From: Mailer Daemon <MAILER-DAEMON@smtpd.example.net>\n"
         "To: alice@example.net\n"
         "Subject: Delivery status notification: error\n"
         "\n"
         "Hi!\n"
         "\n"
         "This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n"
         "\n"
         "An error has occurred while attempting to deliver a message for\n"
         "the following list of recipients:\n"
         "\n"
         "sybil@example.org: 550 5.7.1 Relaying denied\n"
         "\n"
         "Below is a copy of the original message:\n",
         {want("sybil@example.org", "norelaying", "5.7.1", 550)}});
}

// DragonFly Mail Agent: "did not like our RCPT TO:" then the reply on the next line.
TEST(Families, DragonFly) {
  check({"dma",
         "From: MAILER-DAEMON@dfly.example.net\n"
         "To: alice@example.net\n"
         "Subject: Mail delivery failed\n"
         "\n"
         "This is the DragonFly Mail Agent v0.13 at dfly.example.net.\n"
         "\n"
         "There was an error delivering your mail to <trent@example.org>.\n"
         "\n"
         "mx.example.org [203.0.113.50] did not like our RCPT TO:\n"
         "552 5.2.2 Mailbox full\n"
         "\n"
         "Original message follows.\n",
         {want_at("trent@example.org", "mailboxfull", "5.2.2", 552, cmd::rcpt)}});
}

// Gmail (Google's own report): the remote server's reply below the address.
TEST(Families, Gmail) {
  check({"gmail",
         "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
         "To: alice@example.net\n"
         "Subject: Delivery Status Notification (Failure)\n"
         "\n"
         "Delivery to the following recipient failed permanently:\n"
         "\n"
         "     victor@example.org\n"
         "\n"
         "Technical details of permanent failure:\n"
         "Google tried to deliver your message, but it was rejected by the server for the recipient domain "
         "example.org by mx.example.org. [203.0.113.60].\n"
         "\n"
         "The error that the other server returned was:\n"
         "550 5.7.1 Your IP address has been blocked by our reputation service\n",
         {want("victor@example.org", "blocked", "5.7.1", 550)}});
}

// Exchange / Office 365 NDR: the "diagnostic information" block holds the code.
TEST(Families, Office365) {
  check({"office365",
         "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.net>\n"
         "To: alice@example.net\n"
         "Subject: Undeliverable: hello\n"
         "\n"
         "Delivery has failed to these recipients or groups:\n"
         "\n"
         "walter@example.org\n"
         "Your message couldn't be delivered because the recipient's mailbox is full.\n"
         "\n"
         "Diagnostic information for administrators:\n"
         "\n"
         "Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com\n"
         "\n"
         "walter@example.org\n"
         "Remote Server returned '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException'\n"
         "\n"
         "Original message headers:\n"
         "\n"
         "From: alice@example.net\n",
         {want("walter@example.org", "mailboxfull", "5.2.2", 554)}});
}

// Courier: the transcript under the address.
TEST(Families, Courier) {
  check({"courier",
         "From: Courier mail server at mail.example.net <@>\n"
         "To: alice@example.net\n"
         "Subject: NOTICE: mail delivery status.\n"
         "\n"
         "This is a delivery status notification from mail.example.net,\n"
         "running the Courier mail server, version 1.1.\n"
         "\n"
         "                        UNDELIVERABLE MAIL\n"
         "\n"
         "Your message to the following recipients cannot be delivered:\n"
         "\n"
         "<yolanda@example.org>:\n"
         "    mx.example.org [203.0.113.70]:\n"
         ">>> RCPT TO:<yolanda@example.org>\n"
         "<<< 550 5.1.1 <yolanda@example.org>: Unknown local part\n",
         {want_at("yolanda@example.org", "userunknown", "5.1.1", 550, cmd::rcpt)}});
}

// Domino: "was not delivered to: ... because: ...".
TEST(Families, Domino) {
  check({"domino",
         "From: Postmaster@notes.example.net\n"
         "To: alice@example.net\n"
         "Subject: DELIVERY FAILURE: User zed (zed@example.org) not listed in Domino Directory\n"
         "\n"
         "Your message\n"
         "\n"
         "  Subject: hello\n"
         "\n"
         "was not delivered to:\n"
         "\n"
         "  zed@example.org\n"
         "\n"
         "because:\n"
         "\n"
         "  User zed (zed@example.org) not listed in Domino Directory\n",
         {want("zed@example.org", "userunknown")}});
}

// An unknown layout: the generic "<address>: ... said: 550 ..." line.
TEST(Families, GenericSaidLine) {
  check({"generic",
         "From: MAILER-DAEMON@box.example.net\n"
         "To: alice@example.net\n"
         "Subject: Undelivered mail\n"
         "\n"
         "Your mail could not be delivered.\n"
         "\n"
         "<uma@example.org>: mx.example.org said: 554 5.7.1 Message refused: spam score too high\n",
         {want("uma@example.org", "spamdetected", "5.7.1", 554)}});
}

}  // namespace

// Exim sends the bounce to an errors address and names the original sender above the
// list ("A message sent by <sender> could not be delivered"): only the addresses that
// X-Failed-Recipients names failed. A "no such user" said in answer to MAIL FROM is the
// sender's address refused.
TEST(Families, EximSenderQuotedAboveTheList) {
  check({"exim errors-to",
         "From: Mail Delivery System <Mailer-Daemon@relay.example.net>\n"
         "To: bounces@example.net\n"
         "Subject: Mail delivery failed\n"
         "X-Failed-Recipients: frank@example.org, grace@example.org\n"
         "\n"
         "This message was created automatically by mail delivery software.\n"
         "\n"
         "A message sent by\n"
         "\n"
         "  <list-owner@example.net>\n"
         "\n"
         "could not be delivered to one or more of its recipients. The following\n"
         "address(es) failed:\n"
         "\n"
         "  frank@example.org\n"
         "    host mx.example.org [203.0.113.20]\n"
         "    SMTP error from remote mail server after MAIL FROM:<list-owner@example.net> SIZE=2048:\n"
         "    553 5.1.0 list-owner@example.net: no such user here\n"
         "  grace@example.org\n"
         "    retry timeout exceeded\n",
         {want_at("frank@example.org", "rejected", "5.1.0", 553, cmd::mail), want("grace@example.org", "expired")}});
}

// RFC 5965 §3.2: one Original-Rcpt-To per recipient of the reported message; each is
// complained about.
TEST(Families, ArfSeveralOriginalRecipients) {
  check({"arf two recipients",
         "From: feedback@isp.example\n"
         "To: abuse@example.net\n"
         "Subject: FW: offer\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=feedback-report; boundary=\"F1\"\n"
         "\n"
         "--F1\n"
         "Content-Type: text/plain\n"
         "\n"
         "This is an email abuse report.\n"
         "--F1\n"
         "Content-Type: message/feedback-report\n"
         "\n"
         "Feedback-Type: abuse\n"
         "User-Agent: ReportBuilder/1.0\n"
         "Version: 1\n"
         "Original-Rcpt-To: heidi@isp.example\n"
         "Original-Rcpt-To: ivan@isp.example\n"
         "Source-IP: 192.0.2.44\n"
         "--F1--\n",
         {want("heidi@isp.example", "feedback"), want("ivan@isp.example", "feedback")},
         reports::report_kind::feedback});
}

// A relay that wraps the remote's reply in its own "other" code (X.Y.0): the remote's
// quoted, more specific status is the cause (Amazon SES "Unknown address error").
TEST(Families, RelayOtherCodeWrapsTheRemoteReply) {
  check({"wrapped reply",
         "From: MAILER-DAEMON@relay.example.net\n"
         "To: alice@example.net\n"
         "Subject: Delivery Status Notification (Failure)\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"W1\"\n"
         "\n"
         "--W1\n"
         "Content-Type: text/plain\n"
         "\n"
         "An error occurred while trying to deliver the mail to the following recipients:\n"
         "judy@example.org\n"
         "--W1\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; relay.example.net\n"
         "\n"
         "Final-Recipient: rfc822; judy@example.org\n"
         "Action: failed\n"
         "Status: 5.1.0\n"
         "Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.2.2 <judy@example.org>... Mailbox Full' (delivery attempts: 0)\n"
         "\n"
         "--W1--\n",
         {want("judy@example.org", "mailboxfull", "5.2.2", 550)}});
}

// Apache James (also Verizon's vtext.com gateway): the reply under "Error message below:",
// the recipient as "RCPT TO:" under "Message details:", then the original's fields.
TEST(Families, ApacheJames) {
  check({"james",
         "From: postmaster@james.example.org\n"
         "To: alice@example.net\n"
         "Subject: Re:Hello\n"
         "\n"
         "Error: Invalid user address\n"
         "\n"
         "Error message below:\n"
         "550 - Requested action not taken: no such user here\n"
         "\n"
         "Message details:\n"
         "  Subject: Hello\n"
         "  Sent date: Wed Jun 12 02:21:53 GMT 2013\n"
         "  MAIL FROM: alice@example.net\n"
         "  RCPT TO: kevin@james.example.org\n"
         "  From: alice@example.net\n"
         "  CC: recipient list not shown: ;\n"
         "  Size (in bytes): 39\n"
         "  Number of lines: 2\n",
         {want("kevin@james.example.org", "filtered", "5.0.0", 550)}});
}

// A gateway that writes white space before each DSN field's colon (RFC 5322 §4.5.1
// obsolete syntax: "Diagnostic-Code : smtp;550 ..."): the fields are still read.
TEST(Families, DsnFieldsWithSpaceBeforeTheColon) {
  check({"spaced dsn",
         "From: postmaster@gateway.example.net\n"
         "To: alice@example.net\n"
         "Subject: Failed: Hello\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"S1\"\n"
         "\n"
         "--S1\n"
         "Content-Type: text/plain\n"
         "\n"
         "Your message could not be delivered.\n"
         "--S1\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA : dns;gateway.example.net\n"
         "Action : failed\n"
         "Status : 5.0.0\n"
         "Diagnostic-Code : smtp;550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain\n"
         "Final-Recipient : rfc822;leo@example.org\n"
         "\n"
         "--S1--\n",
         {want("leo@example.org", "norelaying", "5.7.54", 550)}});
}

// A delivery report's success is kept as it was said: status and reply code.
TEST(Families, DeliveredKeepsItsStatusAndReply) {
  check({"delivered",
         "From: MAILER-DAEMON@relay.example.net\n"
         "To: alice@example.net\n"
         "Subject: Successful Mail Delivery Report\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"D1\"\n"
         "\n"
         "--D1\n"
         "Content-Type: text/plain\n"
         "\n"
         "Your message was successfully delivered to the destination(s) listed below.\n"
         "--D1\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; relay.example.net\n"
         "\n"
         "Final-Recipient: rfc822; mia@example.org\n"
         "Action: delivered\n"
         "Status: 2.0.0\n"
         "Diagnostic-Code: smtp; 250 2.1.5 Ok delivery via mx.example.org[192.0.2.2]:25\n"
         "\n"
         "--D1--\n",
         {want("mia@example.org", "delivered", "2.0.0", 250)},
         reports::report_kind::delivered});
}
