// Readings added after the fifteenth unseen set's half A (docs/bounce.md: ESP relays,
// hosting panels, appliances, list hosts and delay notices). The message is written for
// this test in Postfix's layout, with other addresses and words than the set's:
// - Google marks an error that comes from a Workspace administrator's own rule with
//   "gcdp" (Google Custom Domain Policies, its SMTP error reference): the receiving
//   domain's policy refused, not a content filter. Without the reading a refusal after end
//   of DATA whose words say "blocked" reads as a filter's (filtered).
// - Stop 22: Oracle Messaging Server (iCloud) quotes only the first line of Gmail's
//   multi-line reply, "Diagnostic code: smtp;550-5.1.1 The email account that you tried to
//   reach does not exist": "550-5.1.1" is a status too (before, only "550 5.1.1" and
//   "550.5.1.1" were), and decides the unknown mailbox.

#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

const auto reason_of = reports::testing::reason_of_only_recipient;

TEST(Unseen15Readings, GoogleCustomDomainPolicyIsTheDomainsPolicy) {
  const std::string address = "r.quill@members.example.org";
  EXPECT_EQ(reason_of(reports::testing::postfix_report(
                          {.address = address,
                           .reply = "550-5.7.1 Outbound mail from this members domain is blocked for external "
                                    "550-5.7.1 recipients. Ask your club office. - gcdp "
                                    "550 5.7.1 7c1e0a2b93d4f-4b2c5d6e7f8a9b0c1si998877qa.42 - gsmtp",
                           .status = "5.7.1",
                           .step = "end of DATA",
                           .remote_host = "aspmx.l.google.com",
                           .remote_ip = "192.0.2.26"}),
                      address),
            "policyviolation");
}

// The same refusal without Google's marker stays the filter's (the reading needs gcdp).
TEST(Unseen15Readings, WithoutTheMarkerAGoogleRefusalAfterDataStaysFiltered) {
  const std::string address = "r.quill@members.example.org";
  EXPECT_EQ(reason_of(reports::testing::postfix_report(
                          {.address = address,
                           .reply = "550 5.7.1 Outbound mail from this members domain is blocked for external "
                                    "recipients. 7c1e0a2b93d4f-4b2c5d6e7f8a9b0c1si998877qa.42 - gsmtp",
                           .status = "5.7.1",
                           .step = "end of DATA",
                           .remote_host = "aspmx.l.google.com",
                           .remote_ip = "192.0.2.26"}),
                      address),
            "filtered");
}

TEST(Unseen15Readings, AMultiLineReplysFirstLineCarriesItsStatus) {
  using reports::find_status;
  EXPECT_EQ(find_status("smtp;550-5.1.1 The mailbox you tried to reach is not here."), "5.1.1");
  EXPECT_EQ(find_status("452-4.2.2 The mailbox is full."), "4.2.2");
  // Not after a longer number, a date or a word.
  EXPECT_EQ(find_status("ticket 2016-5.1.1"), "");
  EXPECT_EQ(find_status("build 10.550-5.1.1"), "");
  EXPECT_EQ(find_status("rule x-5.1.1"), "");

  const std::string message =
      "From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\n"
      "To: h.ota@example.net\n"
      "Subject: Delivery Notification: Delivery has failed\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"M1\"\n"
      "\n"
      "--M1\n"
      "Content-Type: text/plain; charset=us-ascii\n"
      "\n"
      "This report relates to a message you sent with the following header fields:\n"
      "\n"
      "  From: h.ota@example.net\n"
      "  To: w.lange@example.com\n"
      "  Subject: agenda\n"
      "\n"
      "Your message cannot be delivered to the following recipients:\n"
      "\n"
      "  Recipient address: w.lange@example.com\n"
      "  Reason: Remote SMTP server has rejected address\n"
      "  Diagnostic code: smtp;550-5.1.1 The mailbox you tried to reach does not exist. Please check the address\n"
      "  Remote system: dns;mx.example.com (TCP|192.0.2.10|40000|198.51.100.20|25) (mx.example.com ESMTP)\n"
      "\n"
      "--M1\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "From: h.ota@example.net\n"
      "To: w.lange@example.com\n"
      "Subject: agenda\n"
      "\n"
      "See attached.\n"
      "\n"
      "--M1--\n";
  EXPECT_EQ(reason_of(message, "w.lange@example.com"), "userunknown");
}

}  // namespace
