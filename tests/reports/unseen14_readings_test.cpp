// Readings added after the fourteenth unseen set's half A (docs/bounce.md: Japanese,
// Korean and European providers' bounces). The message is written for this test, in the
// provider's bilingual layout, with other addresses and words than the set's:
// - Japanese (and Chinese) text runs an address into the sentence around it without a
//   space ("postmaster@example.jpまで返信をお願いします。", "please reply to ..."): the
//   line is no recipient line, and the address is not one.
// - Openwave InterMail's template names the SMTP step only above the recipients ("Each of
//   the following recipients was rejected by a remote mail server."), then quotes
//   "<a@b> ...User unknown" with no code: the mailbox is unknown at RCPT TO, not a filter's
//   refusal. The named step does not turn words that only say "rejected" into a cause.

#include "reports/classify.hpp"
#include "reports/text.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(Unseen14Readings, AnAddressRunIntoJapaneseWordsIsNotAnAddress) {
  using reports::text::clean_address;
  EXPECT_EQ(clean_address("help@isp.example.jp\xE3\x81\xBE\xE3\x81\xA7\xE3\x80\x82"), "");  // "...jpまで。"
  EXPECT_EQ(clean_address("help@isp.example.com\xE3\x81\xAB"), "");                            // "...comに"
  EXPECT_EQ(clean_address("help@isp.example.jp\xE3\x81\xBE\xE3\x81\xA7mail"), "");              // "...jpまでmail"
  // A top-level label wholly outside ASCII is a domain (an IDN TLD), as is an ASCII one
  // under labels outside ASCII.
  EXPECT_EQ(clean_address("info@\xE4\xBE\x8B\xE3\x81\x88.\xE4\xB8\xAD\xE5\x9B\xBD"), "info@\xE4\xBE\x8B\xE3\x81\x88.\xE4\xB8\xAD\xE5\x9B\xBD");
  EXPECT_EQ(clean_address("info@b\xC3\xBC" "cher.example"), "info@b\xC3\xBC" "cher.example");
}

TEST(Unseen14Readings, ABilingualReportNamesOnlyItsRecipient) {
  const std::string message =
      "From: Mail Administrator <Postmaster@isp.example.jp>\n"
      "To: tanaka.ichiro@example.org\n"
      "Subject: Mail System Error - Returned Mail\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"J1\"\n"
      "\n"
      "--J1\n"
      "Content-Type: text/plain; charset=UTF-8\n"
      "Content-Transfer-Encoding: 8bit\n"
      "\n"
      "This Message was undeliverable due to the following reason:\n"
      "\n"
      "Each of the following recipients was rejected by a remote mail server.\n"
      "\n"
      "Recipient: <suzuki.hanako@mx.isp.example.jp>\n"
      "Reason: <suzuki.hanako@mx.isp.example.jp> ...User unknown\n"
      "\n"
      "Please reply to support@isp.example.jp\n"
      "if you feel this message to be in error.\n"
      "\n"
      "\xE5\x8F\x97\xE5\x8F\x96\xE4\xBA\xBA: <suzuki.hanako@mx.isp.example.jp>\n"  // 受取人:
      "\n"
      "support@isp.example.jp\xE3\x81\xBE\xE3\x81\xA7\xE8\xBF\x94\xE4\xBF\xA1\xE3\x82\x92\xE3\x81\x8A"
      "\xE9\xA1\x98\xE3\x81\x84\xE3\x81\x97\xE3\x81\xBE\xE3\x81\x99\xE3\x80\x82\n"  // まで返信をお願いします。
      "\n"
      "--J1\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "From: tanaka.ichiro@example.org\n"
      "To: suzuki.hanako@mx.isp.example.jp\n"
      "Subject: meeting\n"
      "\n"
      "See you then.\n"
      "\n"
      "--J1--\n";
  const auto rep = reports::testing::parse_written(message);
  EXPECT_EQ(rep.kind, reports::report_kind::failure);
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "suzuki.hanako@mx.isp.example.jp");
}

// InterMail's "Returned Mail" text for one recipient: the `preamble` above it and the
// remote's `reason`.
std::string intermail_report(const std::string& preamble, const std::string& reason) {
  return reports::testing::text_bounce("Mail Administrator <Postmaster@isp.example.jp>", "Mail System Error - Returned Mail",
                                       "This Message was undeliverable due to the following reason:\n"
                                       "\n" + preamble + "\n"
                                       "\n"
                                       "Recipient: <kato.jun@mx.isp.example.jp>\n"
                                       "Reason: " + reason + "\n"
                                       "\n"
                                       "Please reply to support@isp.example.jp\n"
                                       "if you feel this message to be in error.\n");
}

TEST(Unseen14Readings, TheStepTheReportNamesConfirmsAnUnknownMailbox) {
  using reports::testing::reason_of_only_recipient;
  const std::string rejected_by_remote =
      "Each of the following recipients was rejected by a remote mail server.\n"
      "The reasons given by the server are included to help you determine why\n"
      "each recipient was rejected.";
  EXPECT_EQ(reason_of_only_recipient(intermail_report(rejected_by_remote, "<kato.jun@mx.isp.example.jp> ...User unknown"),
                                     "kato.jun@mx.isp.example.jp"),
            "userunknown");
  // The singular and plural forms of the template.
  EXPECT_EQ(reason_of_only_recipient(
                intermail_report("The following recipient was rejected by a remote mail server.",
                                 "<kato.jun@mx.isp.example.jp> ...User unknown"),
                "kato.jun@mx.isp.example.jp"),
            "userunknown");
  // Without it the step is unknown, and "user unknown" at an unknown step is a filter's word.
  EXPECT_EQ(reason_of_only_recipient(intermail_report("The following recipient could not be reached.",
                                                      "<kato.jun@mx.isp.example.jp> ...User unknown"),
                                     "kato.jun@mx.isp.example.jp"),
            "filtered");
  // The step confirms a verdict; it does not make one of words that only say "rejected".
  EXPECT_EQ(reason_of_only_recipient(intermail_report(rejected_by_remote, "<kato.jun@mx.isp.example.jp> ...rejected"),
                                     "kato.jun@mx.isp.example.jp"),
            "filtered");
  const auto rep = reports::testing::parse_written(
      intermail_report(rejected_by_remote, "<kato.jun@mx.isp.example.jp> ...User unknown"));
  EXPECT_EQ(rep.named_step, reports::smtp_command::rcpt);
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].command, reports::smtp_command::unknown);  // the reply itself names none
}

}  // namespace
