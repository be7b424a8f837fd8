// Readings added after the ninth unseen set's half A (docs/bounce.md): status 5.1.2
// ("bad destination system address", RFC 3463 §3.2) names the host, but a server that
// answered RCPT TO with "no such user" exists — its words name the mailbox (Sisimai 4.25
// re-reads the text for hostunknown too and says userunknown). The bounce is written for
// this test in Postfix's layout with other addresses and other words than the set's.
// The first case reads hostunknown under the rules before this reading; the second guards
// the status where the words name the host.
// Stalwart names the refused step in its notification ("host 'mx.example.org' rejected
// command 'RCPT TO:<...>' with code 550 (5.1.1) '...'"); without it the step is unknown and
// no-such-user words read as a filter's (filtered) — the third case, written in Stalwart's
// layout with other addresses and words than the set's, reads filtered under the rules before.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

// The one failed recipient's reason (tests/reports/written_bounce.hpp).
const auto reason_of = reports::testing::reason_of_only_recipient;

// A Postfix DSN for one address refused at RCPT TO with `reply` (code, status and words).
std::string postfix_dsn(const std::string& address, const std::string& status, const std::string& reply) {
  return reports::testing::postfix_report({.address = address, .reply = reply, .status = status});
}

TEST(Unseen6Readings, NoSuchUserAtRcptOutweighsStatus512) {
  EXPECT_EQ(reason_of(postfix_dsn("kai@shop.example.org", "5.1.2",
                                  "550 5.1.2 <kai@shop.example.org>: mailbox kai does not exist here"),
                      "kai@shop.example.org"),
            "userunknown");
}

TEST(Unseen6Readings, Status512WithHostWordsStaysHostUnknown) {
  EXPECT_EQ(reason_of(postfix_dsn("lena@old.example.org", "5.1.2",
                                  "550 5.1.2 <lena@old.example.org>: Recipient address rejected: "
                                  "Domain not found"),
                      "lena@old.example.org"),
            "hostunknown");
}

// A Stalwart DSN for one address: the notification names the refused command, the
// delivery-status part does not.
std::string stalwart_dsn(const std::string& address, const std::string& command, const std::string& words) {
  return "From: \"Mail Delivery Subsystem\" <MAILER-DAEMON@relay.example.net>\n"
         "To: orders@example.net\n"
         "Auto-Submitted: auto-generated\n"
         "Subject: Failed to deliver message\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=\"delivery-status\"; boundary=\"b1\"\n"
         "\n"
         "--b1\n"
         "Content-Type: text/plain; charset=\"utf-8\"\n"
         "\n"
         "Your message could not be delivered to the following recipients:\n"
         "\n"
         "<" + address + "> (host 'mx.example.org' rejected command '" + command + "' with code 550 (5.0.0) '" +
         words + "')\n"
         "\n"
         "--b1\n"
         "Content-Type: message/delivery-status; charset=\"utf-8\"\n"
         "\n"
         "Reporting-MTA: dns;relay.example.net\n"
         "\n"
         "Final-Recipient: rfc822;" + address + "\n"
         "Action: failed\n"
         "Status: 5.0.0\n"
         "Diagnostic-Code: smtp;550 " + words + "\n"
         "Remote-MTA: dns;mx.example.org\n"
         "\n"
         "--b1--\n";
}

TEST(Unseen6Readings, StalwartNamesTheRefusedCommand) {
  EXPECT_EQ(reason_of(stalwart_dsn("mira@example.org", "RCPT TO:<mira@example.org>", "No such mailbox here"),
                      "mira@example.org"),
            "userunknown");
}

}  // namespace
