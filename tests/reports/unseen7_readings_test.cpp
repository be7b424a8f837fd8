// Readings added after the tenth unseen set's half A (docs/bounce.md): Lotus/HCL Domino's
// German non-delivery text "Benutzer NAME (address) nicht im Domino-Verzeichnis aufgeführt"
// is its English "User NAME (address) not listed in Domino Directory", an unknown mailbox
// in Domino's own words (no SMTP step needed). The ü arrives in whatever charset the
// server used (the set's copy has it as a stray Latin-1 byte), so the reading must not
// depend on it. The bounces are written for this test in Domino's DSN layout with other
// addresses and words than the set's; both read onhold under the rules before this reading.

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

}  // namespace
