// Readings added after the fifteenth unseen set's half A (docs/bounce.md: ESP relays,
// hosting panels, appliances, list hosts and delay notices). The message is written for
// this test in Postfix's layout, with other addresses and words than the set's:
// - Google marks an error that comes from a Workspace administrator's own rule with
//   "gcdp" (Google Custom Domain Policies, its SMTP error reference): the receiving
//   domain's policy refused, not a content filter. Without the reading a refusal after end
//   of DATA whose words say "blocked" reads as a filter's (filtered).

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

}  // namespace
