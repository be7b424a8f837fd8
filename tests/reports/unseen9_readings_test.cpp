// Readings added after the twelfth unseen set's half A (docs/bounce.md): ZMailer, the MTA
// in front of vger.kernel.org's lists, refuses RCPT TO for an address it cannot route
// with "Hi [ip], unresolvable address: <a>; nosuchuser; a", naming its router's error
// form (nosuchuser: the address does not exist). Before this reading the words
// "unresolvable address" read as the client's missing reverse DNS (requireptr). The
// bounce is written for this test in Postfix's layout with other addresses and words
// than the set's; a ZMailer refusal without the nosuchuser form keeps its old reading.
// Stop 22: the cPanel Exim report of a phishing message sent to a list "from" the list
// itself failed for the bounce's own addressee, and the text's entry for it was skipped
// as the sender quoted: the report's failure list (X-Failed-Recipients, a DSN) naming the
// addressee makes its entry a failure's.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

// The one failed recipient's reason (tests/reports/written_bounce.hpp).
const auto reason_of = reports::testing::reason_of_only_recipient;

// A Postfix report for one address refused at RCPT TO with the remote's `words`.
std::string postfix_dsn(const std::string& address, const std::string& words) {
  return reports::testing::postfix_report(
      {.address = address, .reply = words, .remote_host = "lists.example.org", .remote_ip = "198.51.100.25"});
}

TEST(Unseen9Readings, ZmailerNoSuchUserFormIsUserUnknown) {
  EXPECT_EQ(reason_of(postfix_dsn("kernel-notes@lists.example.org",
                                  "554 5.0.0 Hi [203.0.113.40], unresolvable address: "
                                  "<kernel-notes@lists.example.org>; nosuchuser; "
                                  "kernel-notes@lists.example.org"),
                      "kernel-notes@lists.example.org"),
            "userunknown");
}

// The reading needs ZMailer's nosuchuser form: "unresolvable address" alone stays a
// reverse-DNS refusal, as it read before.
TEST(Unseen9Readings, UnresolvableAddressWithoutTheFormKeepsItsReading) {
  EXPECT_EQ(reason_of(postfix_dsn("patches@lists.example.org",
                                  "554 5.7.1 Client host rejected: unresolvable address "
                                  "203.0.113.41"),
                      "patches@lists.example.org"),
            "requireptr");
}

// cPanel's Exim text for an hourly send limit that refused the list's own address.
const std::string cpanel_hourly_limit_text =
      "This message was created automatically by mail delivery software.\n"
      "\n"
      "A message that you sent could not be delivered to one or more of its\n"
      "recipients. This is a permanent error. The following address(es) failed:\n"
      "\n"
      "  announce@lists.example.net\n"
      "    Domain shop.example.com has exceeded the max emails per hour (301/250 (120%)) allowed.  Message discarded.\n";

// A report in Exim's layout with its RFC 3464 part: the bounce goes `to`, its text is `text`
// and its DSN names `failed` with no Diagnostic-Code (the words are only in the text).
std::string exim_report_with_dsn(const std::string& to, const std::string& failed, const std::string& text) {
  return "From: Mail Delivery System <Mailer-Daemon@host7.example.com>\n"
         "To: " + to + "\n"
         "Subject: Mail delivery failed: returning message to sender\n"
         "X-Failed-Recipients: " + failed + "\n"
         "Auto-Submitted: auto-replied\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"X9\"\n"
         "\n"
         "--X9\n"
         "Content-type: text/plain; charset=us-ascii\n"
         "\n" + text +
         "\n"
         "--X9\n"
         "Content-type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; host7.example.com\n"
         "\n"
         "Action: failed\n"
         "Final-Recipient: rfc822;" + failed + "\n"
         "Status: 5.0.0\n"
         "\n"
         "--X9\n"
         "Content-type: message/rfc822\n"
         "\n"
         "From: " + to + "\n"
         "To: " + failed + "\n"
         "Subject: your mailbox quota\n"
         "\n"
         "Click here.\n"
         "\n"
         "--X9--\n";
}

TEST(Unseen9Readings, AFailureOfTheBouncesOwnAddresseeKeepsItsWords) {
  // cPanel's layout: the list's address is both the (forged) sender the bounce goes to and
  // the failed recipient.
  const std::string report =
      exim_report_with_dsn("announce@lists.example.net", "announce@lists.example.net", cpanel_hourly_limit_text);
  EXPECT_EQ(reason_of(report, "announce@lists.example.net"), "speeding");
  const auto rep = reports::testing::parse_written(report);
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_NE(rep.recipients[0].diagnostic.find("max emails per hour"), std::string::npos) << rep.recipients[0].diagnostic;
}

TEST(Unseen9Readings, TheAddresseeIsFoundInXFailedRecipientsWhateverItsCase) {
  // Exim's text alone (no DSN part): only X-Failed-Recipients names the failure, and the
  // bounce's To: spells the same address with a capital.
  const std::string report =
      "From: Mail Delivery System <Mailer-Daemon@host7.example.com>\n"
      "To: Announce@lists.example.net\n"
      "Subject: Mail delivery failed: returning message to sender\n"
      "X-Failed-Recipients: announce@lists.example.net\n"
      "Auto-Submitted: auto-replied\n"
      "\n" +
      cpanel_hourly_limit_text;
  EXPECT_EQ(reason_of(report, "announce@lists.example.net"), "speeding");
}

TEST(Unseen9Readings, AFailedAddressThatContainsTheAddresseeDoesNotNameIt) {
  // joann@ failed; the text quotes what the remote said of the sender, ann@ (whose address
  // is the end of joann's): that line is the sender's, not joann's reason.
  const std::string report = exim_report_with_dsn("ann@example.org", "joann@example.org",
                                                  "Your message to joann@example.org was not delivered.\n"
                                                  "The remote server returned this about the envelope sender:\n"
                                                  "\n"
                                                  "  ann@example.org: sender domain has no SPF record, accepted\n");
  const auto rep = reports::testing::parse_written(report);
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "joann@example.org");
  EXPECT_EQ(rep.recipients[0].diagnostic.find("SPF"), std::string::npos) << rep.recipients[0].diagnostic;
}

TEST(Unseen9Readings, TheAddresseeQuotedInsideAnotherEntryIsThatEntrysWords) {
  // Mail to oneself and another: the addressee failed too, and the other's reply quotes
  // the addressee's address at the start of a line. That line stays the other's reply.
  const std::string report = reports::testing::qmail_report(
      "ann@example.org", "X-Failed-Recipients: ann@example.org, joann@example.com\n",
      "<ann@example.org>:\n"
      "Sorry, no mailbox here by that name. (#5.1.1)\n"
      "\n"
      "<joann@example.com>:\n"
      "192.0.2.44 failed after I sent the message.\n"
      "Remote host said: 554 the sender below is not allowed here\n"
      "ann@example.org: listed as a known spam source on our local policy list\n"
      "Giving up on 192.0.2.44.\n");
  const auto rep = reports::testing::parse_written(report);
  ASSERT_EQ(rep.recipients.size(), 2u);
  for (const auto& r : rep.recipients) {
    if (r.address == "ann@example.org") {
      EXPECT_EQ(r.diagnostic.find("spam"), std::string::npos) << r.diagnostic;
    } else {
      EXPECT_EQ(r.address, "joann@example.com");
      EXPECT_NE(r.diagnostic.find("known spam source"), std::string::npos) << r.diagnostic;
    }
  }
}

}  // namespace
