#pragma once
// Test helper for the readings tests (tests/reports/unseen*_readings_test.cpp): a bounce
// written for the test, with one failed recipient, read and classified as `probe bounce`
// does, with the knowledge in reports/data (line_classifier.hpp's, loaded once).

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/line_classifier.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reports::testing {

// The reason of the message's one failed recipient, which must be `address`; a failure
// of the test (and "") when the message is no failure report or names other recipients.
inline std::string reason_of_only_recipient(const std::string& message, const std::string& address) {
  const auto rep = parse(normalise_line_endings(message), source_knowledge());
  EXPECT_EQ(rep.kind, report_kind::failure) << to_string(rep.kind);
  if (rep.recipients.size() != 1) {
    ADD_FAILURE() << "recipients: " << rep.recipients.size();
    return {};
  }
  EXPECT_EQ(rep.recipients.front().address, address);
  const auto cl = classify(rep.recipients.front(), rep, source_knowledge());
  SCOPED_TRACE("diag '" + rep.recipients.front().diagnostic + "' matched '" + cl.matched + "'");
  return cl.reason;
}

}  // namespace reports::testing
