// Readings added after the eighth unseen set's half A (docs/bounce.md): Exim's quoted
// output of a local transport and Exim's "(filter fail)" marker. The bounces are written
// for this test in Exim's layout ("A message that you sent could not be delivered ...")
// with other addresses and other words than the set's, so only the phrase is pinned.
// The first and third cases read onhold under the rules before these readings; the second
// guards the order (a cause named in the quoted output still decides).

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace {

const reports::knowledge& knowledge() {
  static const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

using reports::testing::exim_report;

struct reading {
  std::string address;
  std::string reason;
};

reading read_one(const std::string& message) {
  const auto rep = reports::parse(reports::normalise_line_endings(message), knowledge());
  EXPECT_EQ(rep.kind, reports::report_kind::failure) << to_string(rep.kind);
  if (rep.recipients.size() != 1) {
    ADD_FAILURE() << "recipients: " << rep.recipients.size();
    return {};
  }
  const auto cl = reports::classify(rep.recipients.front(), rep, knowledge());
  SCOPED_TRACE("diag '" + rep.recipients.front().diagnostic + "' matched '" + cl.matched + "'");
  return {rep.recipients.front().address, cl.reason};
}

// Exim quotes what a pipe transport printed when it failed; words that name no cause the
// tables know mean the local delivery program failed (Sisimai's mailererror).
TEST(Unseen5Readings, EximTransportOutputWithoutACauseIsMailerError) {
  const auto got = read_one(exim_report("helpdesk@mail.example.org",
                                        "  helpdesk@mail.example.org\n"
                                        "\n"
                                        "The following text was generated during the delivery attempt:\n"
                                        "\n"
                                        "------ helpdesk@mail.example.org ------\n"
                                        "\n"
                                        "ticket import: queue 'support' is closed\n"));
  EXPECT_EQ(got.address, "helpdesk@mail.example.org");
  EXPECT_EQ(got.reason, "mailererror");
}

// The same block holding a cause the tables know keeps that cause: the program's words
// decide before the fact that a program spoke.
TEST(Unseen5Readings, EximTransportOutputNamingACauseKeepsIt) {
  const auto got = read_one(exim_report("dana@mail.example.org",
                                        "  dana@mail.example.org\n"
                                        "\n"
                                        "The following text was generated during the delivery attempt:\n"
                                        "\n"
                                        "------ dana@mail.example.org ------\n"
                                        "\n"
                                        "Mail quota exceeded.\n"));
  EXPECT_EQ(got.address, "dana@mail.example.org");
  EXPECT_EQ(got.reason, "mailboxfull");
}

// Exim's filter "fail" command: the filter's own text, then "(filter fail)".
TEST(Unseen5Readings, EximFilterFailIsFiltered) {
  const auto got = read_one(exim_report("kim@mail.example.org",
                                        "  kim@mail.example.org\n"
                                        "    rule 12 of the household rules: not for this address (filter fail)\n"));
  EXPECT_EQ(got.address, "kim@mail.example.org");
  EXPECT_EQ(got.reason, "filtered");
}

}  // namespace
