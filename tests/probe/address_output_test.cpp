// `probe user@domain` text output: what each verdict means and what to do, in English and
// Chinese, from probe/data/address_verdicts.yaml.

#include "probe/address_output.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using testing::HasSubstr;

const probe::address_verdict_words& words() {
  static const auto loaded =
      probe::address_verdict_words::load(std::filesystem::path(PROBE_SOURCE_DIR) / "probe" / "data" / "address_verdicts.yaml");
  if (const auto* problem = std::get_if<std::string>(&loaded)) throw std::runtime_error(*problem);
  return std::get<probe::address_verdict_words>(loaded);
}

TEST(AddressOutput, EveryVerdictSaysWhatItMeansInBothLanguages) {
  for (const char* name : {"deliverable", "undeliverable", "rejected-us", "temporary", "unreachable", "no-mail-domain",
                           "catch-all", "unverifiable", "protocol-error", "tls-error"}) {
    const auto verdict = smtp::verdict_from(name);
    ASSERT_TRUE(verdict) << name;
    const auto en = words().for_verdict(*verdict, "en");
    const auto zh = words().for_verdict(*verdict, "zh");
    EXPECT_THAT(en, HasSubstr("What to do:")) << name;
    EXPECT_THAT(zh, HasSubstr("建议：")) << name;
  }
}

TEST(AddressOutput, TheMeaningFollowsTheReason) {
  smtp::address_check check;
  const auto parsed = smtp::parse_mailbox("carol@example.com");
  ASSERT_TRUE(parsed.value);
  check.recipient = *parsed.value;
  check.result = smtp::verdict::catch_all;
  check.reason = "the server accepts any address at this domain";
  std::ostringstream en, zh, none;
  probe::print_address_check(en, check, 0, &words(), "en");
  probe::print_address_check(zh, check, 0, &words(), "zh");
  probe::print_address_check(none, check, 0);
  EXPECT_THAT(en.str(), HasSubstr("  meaning: The server accepts any address at this domain, so its yes proves nothing"));
  EXPECT_THAT(zh.str(), HasSubstr("  结论: 该服务器接受本域名下的任何地址"));
  EXPECT_THAT(none.str(), testing::Not(HasSubstr("meaning:")));
}

TEST(AddressOutput, ABrokenWordsFileIsRefusedWithItsProblem) {
  const auto path = std::filesystem::temp_directory_path() / "probe-address-verdicts-test.yaml";
  {
    std::ofstream f(path);
    f << "verdicts:\n  maybe:\n    en: \"?\"\n";
  }
  const auto loaded = probe::address_verdict_words::load(path);
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_THAT(std::get<std::string>(loaded), HasSubstr("unknown verdict maybe"));
  std::filesystem::remove(path);
}

}  // namespace
