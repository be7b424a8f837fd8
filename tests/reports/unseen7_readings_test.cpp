// Readings added after the tenth unseen set's half A (docs/bounce.md): Lotus/HCL Domino's
// German non-delivery text "Benutzer NAME (address) nicht im Domino-Verzeichnis aufgeführt"
// is its English "User NAME (address) not listed in Domino Directory", an unknown mailbox
// in Domino's own words (no SMTP step needed). The ü arrives in whatever charset the
// server used (the set's copy has it as a stray Latin-1 byte), so the reading must not
// depend on it. The bounces are written for this test in Domino's DSN layout with other
// addresses and words than the set's; both read onhold under the rules before this reading.
//
// Stop 21, from the seventh set's Sendmail 8.11 DSN: the recipient's own words keep only the
// first line of the remote's multi-line reply ("550-5.7.1 ... detected that this message
// is"); the session transcript holds all of it ("<<< 550-5.7.1 ..." to "<<< 550 5.7.1 ..."),
// one reply whose lines are joined.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

// The one failed recipient's reason (tests/reports/written_bounce.hpp).
const auto reason_of = reports::testing::reason_of_only_recipient;

// A Domino DSN for one address whose only cause is Domino's own `words` (X-Notes).
std::string domino_dsn(const std::string& address, const std::string& words) {
  return "From: Postmaster@werk.example.org\n"
         "To: bestellung@example.net\n"
         "Subject: DELIVERY FAILURE: Benutzer nicht gefunden\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"==NOTES0815==\"\n"
         "\n"
         "--==NOTES0815==\n"
         "Content-Type: text/plain; charset=UTF-8\n"
         "\n"
         "Your message\n"
         "\n"
         "  Subject: Angebot Nr. 17\n"
         "\n"
         "was not delivered to:\n"
         "\n"
         "  " + address + "\n"
         "\n"
         "because:\n"
         "\n"
         "  " + words + "\n"
         "\n"
         "--==NOTES0815==\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns;notes1.werk.example.org\n"
         "\n"
         "Final-Recipient: rfc822;" + address + "\n"
         "Action: failed\n"
         "Status: 5.0.0\n"
         "Diagnostic-Code: X-Notes; " + words + "\n"
         "\n"
         "--==NOTES0815==--\n";
}

TEST(Unseen7Readings, DominoGermanNotInDirectoryIsUserUnknown) {
  EXPECT_EQ(reason_of(domino_dsn("jonas.berg@werk.example.org",
                                 "Benutzer jonas.berg (jonas.berg@werk.example.org) nicht im "
                                 "Domino-Verzeichnis aufgeführt"),
                      "jonas.berg@werk.example.org"),
            "userunknown");
}

TEST(Unseen7Readings, DominoGermanWithALatin1UmlautIsUserUnknown) {
  EXPECT_EQ(reason_of(domino_dsn("pia@werk.example.org",
                                 "Benutzer pia (pia@werk.example.org) nicht im Domino-Verzeichnis "
                                 "aufgef\xfchrt"),
                      "pia@werk.example.org"),
            "userunknown");
}

// A Sendmail report whose recipient line quotes only the first line of the remote's
// multi-line reply; its transcript has every line.
std::string sendmail_first_line_only(const std::string& transcript_lines) {
  return "From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>\n"
         "To: <news@example.net>\n"
         "Subject: Returned mail: see transcript for details\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"S1\"\n"
         "\n"
         "--S1\n"
         "\n"
         "   ----- The following addresses had permanent fatal errors -----\n"
         "<ines@example.com>\n"
         "    (reason: 550-5.7.1 [198.51.100.4      7] Our system has detected that this message is)\n"
         "\n"
         "   ----- Transcript of session follows -----\n"
         "... while talking to mx.example.com.:\n"
         ">>> DATA\n" +
         transcript_lines +
         "554 5.0.0 Service unavailable\n"
         "\n"
         "--S1\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; relay.example.org\n"
         "\n"
         "Final-Recipient: RFC822; ines@example.com\n"
         "Action: failed\n"
         "Status: 5.7.1\n"
         "Remote-MTA: DNS; mx.example.com\n"
         "Diagnostic-Code: SMTP; 550-5.7.1 [198.51.100.4      7] Our system has detected that this message is\n"
         "\n"
         "--S1--\n";
}

TEST(Unseen7Readings, AMultiLineReplyInTheTranscriptIsOneReply) {
  const std::string whole =
      "<<< 550-5.7.1 [198.51.100.4      7] Our system has detected that this message is\n"
      "<<< 550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to us,\n"
      "<<< 550 5.7.1 this message has been blocked.\n";
  EXPECT_EQ(reason_of(sendmail_first_line_only(whole), "ines@example.com"), "spamdetected");
  const auto rep = reports::testing::parse_written(sendmail_first_line_only(whole));
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_NE(rep.recipients[0].diagnostic.find("this message has been blocked"), std::string::npos)
      << rep.recipients[0].diagnostic;
  // A reply that ended ("550 ", no dash) is not continued by the next reply line.
  const std::string two =
      "<<< 550 5.7.1 [198.51.100.4      7] Our system has detected that this message is\n"
      "<<< 550 5.7.1 likely unsolicited mail\n";
  const auto apart = reports::testing::parse_written(sendmail_first_line_only(two));
  ASSERT_EQ(apart.recipients.size(), 1u);
  EXPECT_EQ(apart.recipients[0].diagnostic.find("unsolicited"), std::string::npos) << apart.recipients[0].diagnostic;
}

}  // namespace
