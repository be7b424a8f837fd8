// Readings added after the twelfth unseen set's half A (docs/bounce.md): ZMailer, the MTA
// in front of vger.kernel.org's lists, refuses RCPT TO for an address it cannot route
// with "Hi [ip], unresolvable address: <a>; nosuchuser; a", naming its router's error
// form (nosuchuser: the address does not exist). Before this reading the words
// "unresolvable address" read as the client's missing reverse DNS (requireptr). The
// bounce is written for this test in Postfix's layout with other addresses and words
// than the set's; a ZMailer refusal without the nosuchuser form keeps its old reading.

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

}  // namespace
