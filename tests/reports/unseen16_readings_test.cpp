// Readings added after the sixteenth unseen set's half A (docs/bounce.md: Sendmail delay
// warnings, Haraka, hMailServer, Exchange Online's localized NDRs). The messages are
// written for this test, with other addresses and words than the set's:
// - cPanel Exim's callout refusal "550 Verification failed for <sender> ... The account or
//   domain may not exist, ... Sender verify failed", relayed in a Haraka bounce: the
//   receiver could not verify the sender's address. Without the reading, "the account or
//   domain may not exist" (an earlier reading for a recipient's domain) decides hostunknown.
// - A Sendmail delay warning whose transcript names the destination host, not the address
//   ("451 example.org: Name server timeout"): the line is the reason for every address at
//   that host. Without the reading the delayed recipient has no words and its status 4.4.3
//   ("directory server failure") decides systemerror.

#include "reports/classify.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

const auto reason_of = reports::testing::reason_of_only_recipient;

// A Haraka bounce for one address whose extended reason is the remote's `reply`.
std::string haraka_report(const std::string& address, const std::string& reply) {
  return "From: MAILER-DAEMON@out.example.net\n"
         "To: <alerts@example.net>\n"
         "Subject: failure notice\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"hb\"\n"
         "\n"
         "--hb\n"
         "Content-Type: text/plain\n"
         "\n"
         "Hi. This is the Haraka Mailer program at out.example.net.\n"
         "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
         "This is a permanent error; I've given up. Sorry it didn't work out.\n"
         "\n"
         "Intended Recipients: <" + address + ">\n"
         "Failure Reason: Error: Some recipients failed: <" + address + ">\n"
         "Extended Reason: <" + address + ">: " + reply + "\n"
         "\n"
         "--hb\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns;out.example.net\n"
         "\n"
         "Final-Recipient: rfc822;" + address + "\n"
         "Action: failed\n"
         "Remote-MTA: mx.example.org\n"
         "Diagnostic-Code: smtp;" + reply + "\n"
         "\n"
         "--hb--\n";
}

// cPanel Exim's callout refusal of `sender`, which quotes the address twice.
std::string callout_refusal(const std::string& sender) {
  return "550 Verification failed for <" + sender + "> The mail server could not deliver mail to " + sender +
         ".  The account or domain may not exist, they may be blacklisted, or missing the proper dns entries. "
         "Sender verify failed";
}

TEST(Unseen16Readings, CalloutRefusalOfTheSenderIsNotAnUnknownHost) {
  const std::string address = "warehouse@depot.example.org";
  EXPECT_EQ(reason_of(haraka_report(address, callout_refusal("alerts@example.net")), address), "rejected");
}

// A long sender address (VERP, SRS), quoted twice in the refusal, does not hide the words.
TEST(Unseen16Readings, CalloutRefusalOfALongSenderIsNotAnUnknownHost) {
  const std::string address = "warehouse@depot.example.org";
  const std::string sender = "bounces+srs=a1b2c=example.net=ledger-notifications-2025.q3@mail-out-07.example.net";
  EXPECT_EQ(reason_of(haraka_report(address, callout_refusal(sender)), address), "rejected");
}

// The same words about the recipient's own domain, without a callout, stay hostunknown.
TEST(Unseen16Readings, DomainMayNotExistWithoutCalloutStaysHostUnknown) {
  const std::string address = "warehouse@depot.example.org";
  EXPECT_EQ(reason_of(haraka_report(address,
                                    "550 The mail server could not deliver mail to warehouse@depot.example.org. "
                                    "The account or domain may not exist, they may be blacklisted, or missing the "
                                    "proper dns entries."),
                      address),
            "hostunknown");
}

// A Sendmail delay warning for `addresses` (4.4.3, no Diagnostic-Code) whose transcript
// is `transcript`, e.g. a line that names the destination host, not the address.
std::string sendmail_delay(const std::vector<std::string>& addresses, const std::string& transcript) {
  std::string dsn;
  for (const auto& address : addresses)
    dsn += "\n"
           "Final-Recipient: RFC822; " + address + "\n"
           "Action: delayed\n"
           "Status: 4.4.3\n"
           "Will-Retry-Until: Sat, 8 Mar 2025 01:10:00 +0100\n";
  return "From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.net>\n"
         "To: <backup@relay.example.net>\n"
         "Subject: Warning: could not send message for past 4 hours\n"
         "Auto-Submitted: auto-generated (warning-timeout)\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"sd\"\n"
         "\n"
         "--sd\n"
         "\n"
         "    **********************************************\n"
         "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
         "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
         "    **********************************************\n"
         "\n"
         "The original message was received at Mon, 3 Mar 2025 01:10:00 +0100\n"
         "from relay.example.net [127.0.0.1]\n"
         "\n"
         "   ----- Transcript of session follows -----\n" +
         transcript + "\n"
         "Warning: message still undelivered after 4 hours\n"
         "Will keep trying until message is 5 days old\n"
         "\n"
         "--sd\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; relay.example.net\n" +
         dsn +
         "\n"
         "--sd--\n";
}

std::string sendmail_delay(const std::string& address, const std::string& host_line) {
  return sendmail_delay(std::vector<std::string>{address}, host_line);
}

// The delayed recipient's reason (a delay warning is no failure report, so
// reason_of_only_recipient does not apply).
std::string delayed_reason(const reports::report& rep) {
  return reports::classify(rep.recipients.front(), rep, reports::testing::source_knowledge()).reason;
}

TEST(Unseen16Readings, SendmailHostLineExplainsTheDelayAtThatHost) {
  const std::string address = "nightly@archive.example.org";
  const auto rep = reports::testing::parse_written(sendmail_delay(address, "451 archive.example.org: Name server timeout"));
  ASSERT_EQ(rep.recipients.size(), 1U);
  EXPECT_EQ(rep.recipients.front().diagnostic, "451 archive.example.org: Name server timeout");
  EXPECT_EQ(rep.kind, reports::report_kind::delay);
  EXPECT_EQ(delayed_reason(rep), "networkerror");
}

// A line about another host does not explain this address: the status decides.
TEST(Unseen16Readings, SendmailHostLineForAnotherHostIsNotTaken) {
  const std::string address = "nightly@archive.example.org";
  const auto rep = reports::testing::parse_written(sendmail_delay(address, "451 mirror.example.com: Name server timeout"));
  ASSERT_EQ(rep.recipients.size(), 1U);
  EXPECT_EQ(rep.recipients.front().diagnostic, "");
  EXPECT_EQ(delayed_reason(rep), "systemerror");
}

// The line names one domain: an address at a subdomain of it is not named.
TEST(Unseen16Readings, SendmailHostLineDoesNotNameASubdomainsAddresses) {
  const auto rep =
      reports::testing::parse_written(sendmail_delay("nightly@eu.archive.example.org", "451 archive.example.org: Name server timeout"));
  ASSERT_EQ(rep.recipients.size(), 1U);
  EXPECT_EQ(rep.recipients.front().diagnostic, "");
}

// The root's dot after the name ("example.org.:") names the same domain, in any case.
TEST(Unseen16Readings, SendmailHostLineWithTheRootsDotNamesTheDomain) {
  const auto rep =
      reports::testing::parse_written(sendmail_delay("Nightly@Archive.Example.ORG", "451 archive.example.org.: Name server timeout"));
  ASSERT_EQ(rep.recipients.size(), 1U);
  EXPECT_EQ(rep.recipients.front().diagnostic, "451 archive.example.org.: Name server timeout");
}

// Two destinations in one warning: one server's session failed, the other domain's name
// server timed out. Each address takes its own line, and the session's failure is not the
// other domain's; an address with its own reply keeps it.
TEST(Unseen16Readings, EachDomainTakesItsOwnLineInAWarningForSeveralDomains) {
  const std::string transcript =
      "... while talking to mx.one.example.org.:\n"
      "<<< 421 4.3.2 Service not available\n"
      "... while talking to mx.four.example.org.:\n"
      ">>> RCPT To:<full@four.example.org>\n"
      "<<< 452 4.2.2 Mailbox full\n"
      "451 two.example.org: Name server timeout\n"
      "451 three.example.org: Name server timeout";
  const auto rep = reports::testing::parse_written(sendmail_delay(
      {"plain@one.example.org", "full@four.example.org", "late@two.example.org", "later@three.example.org"}, transcript));
  ASSERT_EQ(rep.recipients.size(), 4U);
  EXPECT_EQ(rep.recipients[0].diagnostic, "421 4.3.2 Service not available");
  EXPECT_EQ(rep.recipients[1].diagnostic, "452 4.2.2 Mailbox full");
  EXPECT_EQ(rep.recipients[2].diagnostic, "451 two.example.org: Name server timeout");
  EXPECT_EQ(rep.recipients[2].remote_host, "");
  EXPECT_EQ(rep.recipients[3].diagnostic, "451 three.example.org: Name server timeout");
}

}  // namespace
