// reports/address: one recipient, two spellings (UTF-8 in a report's text, A-label in its
// DSN), and what joining them changes in a report's reading.

#include "reports/address.hpp"
#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using reports::same_recipient;

TEST(SameRecipient, AsciiAddressesCompareIgnoringCase) {
  EXPECT_TRUE(same_recipient("Lena.Ortiz@Example.ORG", "lena.ortiz@example.org"));
  EXPECT_FALSE(same_recipient("lena.ortiz@example.org", "lena.ortis@example.org"));
  EXPECT_FALSE(same_recipient("lena@example.org", "lena@example.net"));
}

TEST(SameRecipient, UnicodeDomainEqualsItsALabel) {
  EXPECT_TRUE(same_recipient("oskar@gärtnerei.example", "oskar@xn--grtnerei-0za.example"));
  EXPECT_TRUE(same_recipient("OSKAR@xn--grtnerei-0za.example", "oskar@gärtnerei.example"));
  // UTS #46 maps upper case before encoding: one domain however it is capitalised.
  EXPECT_TRUE(same_recipient("oskar@GÄRTNEREI.example", "oskar@xn--grtnerei-0za.example"));
}

TEST(SameRecipient, OtherLocalPartOrOtherDomainIsAnotherRecipient) {
  EXPECT_FALSE(same_recipient("oskar@gärtnerei.example", "olga@xn--grtnerei-0za.example"));
  EXPECT_FALSE(same_recipient("oskar@gärtnerei.example", "oskar@xn--grtnerei-0za.example.net"));
  EXPECT_FALSE(same_recipient("oskar@gärtnerei.example", "oskar"));
}

TEST(SameRecipient, ADomainLibidn2RefusesComparesAsWritten) {
  // A lone continuation byte is no UTF-8: no A-label, so only the same bytes are equal.
  EXPECT_TRUE(same_recipient("oskar@\x80x.example", "OSKAR@\x80X.example"));
  EXPECT_FALSE(same_recipient("oskar@\x80x.example", "oskar@x.example"));
}

// A Postfix report whose text names the recipient in UTF-8 and whose DSN names it by
// A-label: the text's step (RCPT TO) belongs to the DSN's recipient.
TEST(SameRecipient, TextStepJoinsTheDsnRecipientSpelledByALabel) {
  reports::testing::postfix_refusal refusal;
  refusal.address = "oskar@gärtnerei.example";
  refusal.reply = "550 User unknown";
  std::string message = reports::testing::postfix_report(refusal);
  const std::string dsn_line = "Final-Recipient: rfc822; oskar@gärtnerei.example";
  const std::size_t at = message.find(dsn_line);
  ASSERT_NE(at, std::string::npos);
  message.replace(at, dsn_line.size(), "Final-Recipient: rfc822; oskar@xn--grtnerei-0za.example");

  const auto& k = reports::testing::source_knowledge();
  const reports::report rep = reports::testing::parse_written(message);
  ASSERT_EQ(rep.recipients.size(), 1u);
  const reports::recipient& r = rep.recipients.front();
  EXPECT_EQ(r.address, "oskar@xn--grtnerei-0za.example");
  EXPECT_EQ(r.command, reports::smtp_command::rcpt);
  // "User unknown" read without the step is a filter's words (the corpus's convention);
  // in answer to RCPT TO it is no such mailbox.
  EXPECT_EQ(reports::classify(r, rep, k).reason, "userunknown");
}

}  // namespace
