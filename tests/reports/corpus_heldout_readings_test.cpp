// Readings added when the corpus's held-out split was spent (docs/bounce.md, "The
// held-out split, spent"): each is a general reading of a vendor's wording, written here
// with other addresses, hosts and words than the corpus's messages.
// - Exchange writes a remote server's refusal of RCPT TO as "5.1.351 Remote server
//   returned unknown recipient or mailbox unavailable -> <the remote's reply>", and
//   Exchange Online's directory-based edge blocking as "5.4.1 Recipient address rejected:
//   Access denied" (Microsoft: the recipient does not exist). Both name the step
//   themselves, so a report that omits it still means no such mailbox; before, the
//   missing step made "unknown recipient" a filter's words, and 5.4.1 a refused sender.
// - au (KDDI) answers "550 : User unknown", with no address before the colon, when the
//   recipient's reception filter refuses the sender; "<address>: User unknown" is still
//   a missing mailbox.
// - Gmail's "rejected by the recipient domain" only says refused; the remote's words it
//   quotes decide, and "Remote server does not support TLS" is a STARTTLS failure.
// - Spectrum (Charter) names its cause with a code, "AUP#In-1310"; its error-code page
//   says what each range means (1300-1340: too many concurrent connections).
// - docomo's "Unknown user" after DATA is the sender refused with 5.0.0, and the
//   recipient's filter with 5.2.0 (the mailbox status decides).
// - "Host not reachable" is a connection failure (a network error), not the remote
//   system's failure its bare code 421 read as before. In Zoho's own report it is more:
//   Zoho returns an unreachable host only when its retries end ("This is a permanent
//   error" over a 421), so the sender gave up (expired).
// - Postfix's bounce template around a report whose delivery report is missing ("---
//   Delivery report unavailable ---") is no diagnostic: no cause is found (undefined),
//   where its words "the mail system" read before as a remote system error.

#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

// The one failed recipient's reason (tests/reports/written_bounce.hpp).
const auto reason_of = reports::testing::reason_of_only_recipient;

// A report for one address whose DSN names no SMTP step (Exchange Online's layout).
std::string dsn_report(const std::string& address, const std::string& status, const std::string& remote_mta,
                         const std::string& diagnostic) {
  return "From: postmaster@contoso-mail.example.com\n"
         "To: sender@contoso-mail.example.com\n"
         "Subject: Undeliverable: quarterly figures\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status;\n"
         "  boundary=\"_000_NDR_boundary_\"\n"
         "\n"
         "--_000_NDR_boundary_\n"
         "Content-Type: text/plain; charset=us-ascii\n"
         "\n"
         "Delivery has failed to these recipients or groups:\n"
         "\n"
         + address + "\n"
         "\n"
         "--_000_NDR_boundary_\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.outlook.example.com\n"
         "\n"
         "Final-Recipient: rfc822;" + address + "\n"
         "Action: failed\n"
         "Status: " + status + "\n"
         + (remote_mta.empty() ? std::string() : "Remote-MTA: dns;" + remote_mta + "\n") +
         "Diagnostic-Code: smtp;" + diagnostic + "\n"
         "\n"
         "--_000_NDR_boundary_--\n";
}

TEST(HeldOutReadings, ExchangesRemoteUnknownRecipientWithoutAStepIsUserUnknown) {
  EXPECT_EQ(reason_of(dsn_report("m.okafor@harbour.example.org", "5.1.351", "mx1.harbour.example.org",
                                   "550 5.1.351 Remote server returned unknown recipient or mailbox unavailable "
                                   "-> 550 5.1.1 <m.okafor@harbour.example.org>: Recipient unknown"),
                      "m.okafor@harbour.example.org"),
            "userunknown");
}

TEST(HeldOutReadings, ExchangeOnlineEdgeBlockingWithoutAStepIsUserUnknown) {
  EXPECT_EQ(reason_of(dsn_report("l.ferreira@tejo.example.pt", "5.4.1", "",
                                   "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
                                   "[DB8EUR05FT012.eop-eur05.prod.protection.outlook.example.com]"),
                      "l.ferreira@tejo.example.pt"),
            "userunknown");
}

TEST(HeldOutReadings, AuUserUnknownWithoutAnAddressIsItsReceptionFilter) {
  EXPECT_EQ(reason_of(dsn_report("hanako-blue-sky@au.com", "5.1.351", "msmx.au.com",
                                   "550 5.1.351 Remote server returned unknown recipient or mailbox unavailable "
                                   "-> 550 : User unknown"),
                      "hanako-blue-sky@au.com"),
            "filtered");
}

// With the address before the colon, au's "User unknown" is a missing mailbox.
TEST(HeldOutReadings, AuUserUnknownWithTheAddressIsUserUnknown) {
  EXPECT_EQ(reason_of(dsn_report("hanako-blue-sky@au.com", "5.1.351", "msmx.au.com",
                                   "550 5.1.351 Remote server returned unknown recipient or mailbox unavailable "
                                   "-> 550 <hanako-blue-sky@au.com>: User unknown"),
                      "hanako-blue-sky@au.com"),
            "userunknown");
}

TEST(HeldOutReadings, PostfixTemplateWithoutItsDeliveryReportIsUndefined) {
  const std::string message =
      "From: MAILER-DAEMON@out3.example.net (Mail Delivery System)\n"
      "To: newsletter@example.net\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "Auto-Submitted: auto-replied\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status;\n"
      "  boundary=\"4F2A19C0B1.1701000000/out3.example.net\"\n"
      "\n"
      "--4F2A19C0B1.1701000000/out3.example.net\n"
      "Content-Description: Notification\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "This is the mail system at host out3.example.net.\n"
      "\n"
      "I'm sorry to have to inform you that your message could not\n"
      "be delivered to one or more recipients. It's attached below.\n"
      "\n"
      "For further assistance, please send mail to postmaster.\n"
      "\n"
      "If you do so, please include this problem report. You can\n"
      "delete your own text from the attached returned message.\n"
      "\n"
      "                   The mail system\n"
      "\n"
      "\t--- Delivery report unavailable ---\n"
      "\n"
      "--4F2A19C0B1.1701000000/out3.example.net\n"
      "Content-Description: Delivery report\n"
      "Content-Type: message/delivery-status\n"
      "\n"
      "Reporting-MTA: dns; out3.example.net\n"
      "X-Postfix-Queue-ID: 4F2A19C0B1\n"
      "\n"
      "--4F2A19C0B1.1701000000/out3.example.net\n"
      "Content-Description: Undelivered Message\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "From: <newsletter@example.net>\n"
      "To: reader.one@lagoon.example.fr\n"
      "Subject: November issue\n"
      "Message-Id: <issue-11@example.net>\n"
      "\n"
      "Hello.\n"
      "\n"
      "--4F2A19C0B1.1701000000/out3.example.net--\n";
  EXPECT_EQ(reason_of(message, "reader.one@lagoon.example.fr"), "undefined");
}

// A Postfix report for one address docomo refused after DATA, with its DSN status.
std::string postfix_after_data(const std::string& address, const std::string& status, const std::string& words) {
  return reports::testing::postfix_report({.address = address,
                                           .reply = words,
                                           .status = status,
                                           .step = "end of DATA",
                                           .remote_host = "mfsmax.docomo.ne.jp",
                                           .remote_ip = "203.0.113.70"});
}

TEST(HeldOutReadings, DocomoUnknownUserAfterDataWithAMailboxStatusIsItsFilter) {
  EXPECT_EQ(reason_of(postfix_after_data("sakura.0412@docomo.ne.jp", "5.2.0", "550 Unknown user sakura.0412@docomo.ne.jp"),
                      "sakura.0412@docomo.ne.jp"),
            "filtered");
}

// With 5.0.0 the reading is the older one: the sender refused.
TEST(HeldOutReadings, DocomoUnknownUserAfterDataWithAnOtherStatusIsTheSenderRefused) {
  EXPECT_EQ(reason_of(postfix_after_data("sakura.0412@docomo.ne.jp", "5.0.0", "550 Unknown user sakura.0412@docomo.ne.jp"),
                      "sakura.0412@docomo.ne.jp"),
            "rejected");
}

TEST(HeldOutReadings, SpectrumsConnectionCodeIsTooManyConnections) {
  EXPECT_EQ(reason_of(dsn_report("pat.quinn@charter.net", "5.1.0", "mx.charter.net",
                                 "550 5.1.0 <bounces+7731@mail.example.com> sender rejected. Please see "
                                 "https://www.spectrum.net/support/internet/understanding-email-error-codes "
                                 "for more information. AUP#In-1330"),
                      "pat.quinn@charter.net"),
            "toomanyconn");
}

// Another range of the same page: the sending IP (its DNS, a listing) is refused.
TEST(HeldOutReadings, SpectrumsIpCodeIsBlocked) {
  EXPECT_EQ(reason_of(dsn_report("pat.quinn@rr.com", "5.7.1", "mx.rr.com",
                                 "554 5.7.1 203.0.113.9 rejected. Please see "
                                 "https://www.spectrum.net/support/internet/understanding-email-error-codes "
                                 "for more information. AUP#In-1110"),
                      "pat.quinn@rr.com"),
            "blocked");
}

TEST(HeldOutReadings, GmailsQuotedTlsRefusalIsAStartTlsFailure) {
  const std::string message =
      "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
      "To: ana.sousa@example.com\n"
      "X-Failed-Recipients: office@school.example.ed.jp\n"
      "Subject: Delivery Status Notification (Failure)\n"
      "Content-Type: text/plain; charset=ISO-8859-1\n"
      "\n"
      "Delivery to the following recipient failed permanently:\n"
      "\n"
      "     office@school.example.ed.jp\n"
      "\n"
      "Technical details of permanent failure:\n"
      "Google tried to deliver your message, but it was rejected by the recipient domain. "
      "We recommend contacting the other email provider for further information about the "
      "cause of this error. The error that the other server returned was: 500 Remote server "
      "does not support TLS (state 6).\n"
      "\n"
      "----- Original message -----\n"
      "\n"
      "To: office@school.example.ed.jp\n"
      "Subject: enrolment\n"
      "\n"
      "Hello.\n";
  EXPECT_EQ(reason_of(message, "office@school.example.ed.jp"), "failedstarttls");
}

// Zoho's report layout: the returned message's headers follow the recipient's line in the
// same text part, with no space after the colon ("Received:from"). `reporter` is the
// mailer-daemon's host.
std::string zoho_layout_report(const std::string& reporter) {
  return "From: mailer-daemon@" + reporter + "\n"
    "To: ravi@zoho.example.com\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Content-Type: text/plain; charset=\"UTF-8\"\n"
    "\n"
    "This message was created automatically by mail delivery software.\n"
    "A message that you sent could not be delivered to one or more of its recipients. "
    "This is a permanent error. \n"
    "\n"
    "accounts@ledger.example.in Error, ERROR_CODE :421, ERROR_CODE :, Host not reachable.\n"
    "\n"
    "\n"
    "Received:from mail.zoho.example.com by mx.zohomail.example.com\n"
    "    with SMTP id 1418381459307794.7899025594404; Fri, 12 Dec 2014 02:50:59 -0800 (PST)\n"
    "Message-ID:<1a2b3c@zoho.example.com>\n"
    "To:<accounts@ledger.example.in>\n"
    "Subject:invoice\n";
}

const std::string zoho_report = zoho_layout_report("mail.zoho.com");

TEST(HeldOutReadings, ZohosHostNotReachableIsTheEndOfItsRetries) {
  EXPECT_EQ(reason_of(zoho_report, "accounts@ledger.example.in"), "expired");
}

// The same words from any other reporting host only say the connection failed.
TEST(HeldOutReadings, HostNotReachableElsewhereIsANetworkError) {
  EXPECT_EQ(reason_of(zoho_layout_report("mailer.example.org"), "accounts@ledger.example.in"), "networkerror");
}

// "Received:" without a space still starts the returned message: its headers are the
// original's, not more words of the diagnostic.
TEST(HeldOutReadings, ZohosReturnedHeadersAreTheOriginalsNotTheDiagnostic) {
  const auto rep = reports::parse(reports::normalise_line_endings(zoho_report), reports::testing::source_knowledge());
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients.front().diagnostic, "Error, ERROR_CODE :421, ERROR_CODE :, Host not reachable.");
  EXPECT_EQ(rep.original.subject, "invoice");
  EXPECT_EQ(rep.original.message_id, "<1a2b3c@zoho.example.com>");
}

}  // namespace
