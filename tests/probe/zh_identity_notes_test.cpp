// The notes of probe/prober_setup on a given MAIL FROM that looks forged are English
// sentences with a phrase beside each (prober_setup::note_phrases): rendered in English the
// phrase gives back the note byte for byte, in Chinese it says it in Chinese and keeps the
// domain as given.
#include "probe/output_words.hpp"
#include "probe/prober_setup.hpp"
#include "tests/probe/words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace {

using testing::HasSubstr;
using testing::Not;

using probe_test::words;

probe::prober_setup setup_for(const std::string& mail_from, const std::string& recipient) {
  probe::settings config;
  config.smtp.helo = "probe.example.net";
  config.smtp.mail_from = mail_from;
  const auto domain = recipient.substr(recipient.find('@') + 1);
  return probe::make_prober_setup(config, {}, domain, recipient);
}

TEST(IdentityNotes, EveryNoteIsItsPhraseInEnglishAndChineseInChinese) {
  struct expected {
    std::string mail_from, recipient, zh;
  };
  const std::vector<expected> cases{
      {"carol@example.com", "carol@example.com", "发件人就是收件人本身"},
      {"dave@mail.example.com", "carol@example.com", "发件人属于收件人自己的域名"},
      {"someone@gmail.com", "carol@example.com", "发件人声称属于邮箱服务商的域名（gmail.com）"},
  };
  for (const auto& c : cases) {
    const auto setup = setup_for(c.mail_from, c.recipient);
    ASSERT_TRUE(setup.ok()) << setup.error;
    ASSERT_EQ(setup.notes.size(), 1u) << c.mail_from;
    ASSERT_EQ(setup.note_phrases.size(), 1u) << c.mail_from;
    EXPECT_EQ(setup.note_phrases.front().english, setup.notes.front());
    EXPECT_EQ(words().render(setup.note_phrases.front().said, "en", "<unknown key>"), setup.notes.front());
    const auto zh = words().render(setup.note_phrases.front().said, "zh", "<unknown key>");
    EXPECT_THAT(zh, HasSubstr(c.zh));
    EXPECT_THAT(zh, Not(HasSubstr("the sender"))) << zh;
  }
}

TEST(IdentityNotes, AnOrdinarySenderHasNoNote) {
  const auto setup = setup_for("postmaster@probe.example.net", "carol@example.com");
  ASSERT_TRUE(setup.ok()) << setup.error;
  EXPECT_TRUE(setup.notes.empty());
  EXPECT_TRUE(setup.note_phrases.empty());
}

}  // namespace
