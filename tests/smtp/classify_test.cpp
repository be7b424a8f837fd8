// Reading replies (smtp/reply_classes.yaml) and provider quirks (smtp/provider_quirks.yaml),
// loaded from the repository's data files, never from a copy.
#include "smtp/classify.hpp"
#include "smtp/quirks.hpp"

#include <gtest/gtest.h>

namespace {

using smtp::reply_meaning;

const smtp::reply_classifier& classifier() {
  static const auto loaded = smtp::reply_classifier::load_file(std::string(PROBE_SOURCE_DIR) + "/smtp/reply_classes.yaml");
  EXPECT_TRUE(loaded) << loaded.error;
  return *loaded;
}

const smtp::quirk_table& quirks() {
  static const auto loaded = smtp::quirk_table::load_file(std::string(PROBE_SOURCE_DIR) + "/smtp/provider_quirks.yaml");
  EXPECT_TRUE(loaded) << loaded.error;
  return *loaded;
}

smtp::reply make(std::string_view wire) {
  smtp::reply_parser parser;
  parser.feed(wire);
  EXPECT_EQ(parser.status(), smtp::reply_parser::state::complete) << wire;
  return parser.take();
}

reply_meaning meaning_of(std::string_view wire) { return classifier().classify(make(wire)).meaning; }

TEST(Classify, PostfixRepliesFromTheRig) {
  // Replies recorded from the real Postfix (shared/RIG.md).
  EXPECT_EQ(meaning_of("250 2.1.5 Ok\r\n"), reply_meaning::accepted);
  EXPECT_EQ(meaning_of("550 5.1.1 <nosuchuser@probe.test>: Recipient address rejected: User unknown in local "
                       "recipient table\r\n"),
            reply_meaning::mailbox_unknown);
  EXPECT_EQ(meaning_of("554 5.7.1 Service unavailable; Client host [127.0.0.10] blocked using bl.test; Listed\r\n"),
            reply_meaning::policy);
}

TEST(Classify, SeedGuideBounceLines) {
  // Lines from the seed guides (shared/seeds/004): refusals of the sender, not the mailbox.
  EXPECT_EQ(meaning_of("554 Service unavailable; Client host [202.105.45.53] blocked using "
                       "cblplus.anti-spam.org.cn; Mail from 202.105.45.53 refused\r\n"),
            reply_meaning::policy);
  EXPECT_EQ(meaning_of("553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\r\n"),
            reply_meaning::policy);
  EXPECT_EQ(meaning_of("550 5.7.1 Relaying denied\r\n"), reply_meaning::policy);
  EXPECT_EQ(meaning_of("553 sorry, your mailserver is listed in bl.spamcop.net\r\n"), reply_meaning::policy);
  EXPECT_EQ(meaning_of("553 can't verify FROM domain in DNS\r\n"), reply_meaning::policy);
}

TEST(Classify, MailboxRefusalsWithoutEnhancedCodes) {
  EXPECT_EQ(meaning_of("550 No such user here\r\n"), reply_meaning::mailbox_unknown);
  EXPECT_EQ(meaning_of("550 Requested action not taken: mailbox unavailable\r\n"), reply_meaning::mailbox_unknown);
  EXPECT_EQ(meaning_of("552 Mailbox full\r\n"), reply_meaning::mailbox_unavailable);
  EXPECT_EQ(meaning_of("550 5.2.1 The email account that you tried to reach is disabled\r\n"),
            reply_meaning::mailbox_unavailable);
  EXPECT_EQ(meaning_of("550 something happened\r\n"), reply_meaning::permanent);
}

TEST(Classify, TemporaryRepliesAreNeverAboutTheMailbox) {
  EXPECT_EQ(meaning_of("450 4.1.1 <x@y>: Recipient address rejected: unverified address\r\n"), reply_meaning::transient);
  EXPECT_EQ(meaning_of("451 4.7.1 Service unavailable - try again later\r\n"), reply_meaning::greylisted);
  EXPECT_EQ(meaning_of("450 4.2.0 <u@d>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/\r\n"),
            reply_meaning::greylisted);
  EXPECT_EQ(meaning_of("451 4.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org\r\n"), reply_meaning::policy);
  EXPECT_EQ(meaning_of("452 4.5.3 Error: too many recipients\r\n"), reply_meaning::too_many_recipients);
  EXPECT_EQ(meaning_of("450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n"
                       "450 4.2.1 prevents additional messages from being delivered.\r\n"),
            reply_meaning::rate_limited);
  EXPECT_EQ(meaning_of("421 4.3.2 Service shutting down\r\n"), reply_meaning::transient);
}

TEST(Classify, SecurityStatusIsNeverMailboxUnknown) {
  // Wording says "user unknown" but the status is 5.7.1: policy wins (invariant in code).
  EXPECT_EQ(meaning_of("550 5.7.1 user unknown or blocked\r\n"), reply_meaning::policy);
  EXPECT_EQ(meaning_of("530 5.7.0 Must issue a STARTTLS command first\r\n"), reply_meaning::requires_tls);
}

TEST(Classify, SenderRefusalsAtRcpt) {
  // Postfix delays sender checks to RCPT (smtpd_delay_reject): the refusal is of the sender.
  EXPECT_EQ(meaning_of("550 5.1.0 <probe@x.test>: Sender address rejected: Domain not found\r\n"),
            reply_meaning::policy);
  EXPECT_EQ(meaning_of("553 5.1.8 <probe@x.test>: Sender address rejected: Domain not found\r\n"),
            reply_meaning::policy);
}

TEST(Classify, WhyNamesTheRuleAndWhatMatched) {
  const auto c = classifier().classify(make("550 5.1.1 nope\r\n"));
  EXPECT_NE(c.why.find("5.1.1"), std::string::npos) << c.why;
}

TEST(Classify, WordsStartAtABoundary) {
  EXPECT_TRUE(smtp::contains_word("Blocked by RBL zen", "rbl"));
  EXPECT_TRUE(smtp::contains_word("greylisted for 5 minutes", "greylist"));
  EXPECT_FALSE(smtp::contains_word("verbless reply", "rbl"));
  EXPECT_FALSE(smtp::contains_word("interrupted", "ptr"));
}

TEST(Classify, EnhancedPatterns) {
  const smtp::enhanced_status s{5, 7, 1};
  EXPECT_TRUE(smtp::enhanced_matches("5.7.*", s));
  EXPECT_TRUE(smtp::enhanced_matches("5.7.1", s));
  EXPECT_TRUE(smtp::enhanced_matches("*.7.1", s));
  EXPECT_FALSE(smtp::enhanced_matches("5.1.*", s));
  EXPECT_FALSE(smtp::enhanced_matches("5.7", s));
}

TEST(Classify, BadDataFilesAreRefusedWithTheirPlace) {
  auto bad = smtp::reply_classifier::load_text("rules:\n  - is: nonsense\n    when: {class: 5}\n", "test.yaml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error.find("test.yaml"), std::string::npos);
  EXPECT_NE(bad.error.find("nonsense"), std::string::npos);
  EXPECT_FALSE(smtp::reply_classifier::load_text("rules:\n  - is: policy\n    when: {text: [\"\"]}\n"));
  EXPECT_FALSE(smtp::reply_classifier::load_text("rules: [\n"));
  EXPECT_FALSE(smtp::reply_classifier::load_file("/nonexistent/reply_classes.yaml"));
  EXPECT_FALSE(smtp::quirk_table::load_text("providers:\n  - name: X\n    mx_suffixes: [x.test]\n    rules:\n"
                                            "      - when: {class: 2}\n        verdict: maybe\n        reason: r\n        reason_zh: r\n"));
  // A rule whose reason has no Chinese text is refused: --lang zh would print English.
  const auto untranslated = smtp::quirk_table::load_text(
      "providers:\n  - name: X\n    mx_suffixes: [x.test]\n    rules:\n"
      "      - when: {class: 2}\n        verdict: unverifiable\n        reason: r\n");
  ASSERT_FALSE(untranslated);
  EXPECT_NE(untranslated.error.find("reason_zh"), std::string::npos) << untranslated.error;
}

TEST(Quirks, SuffixAtALabelBoundaryLongestWins) {
  EXPECT_NE(quirks().provider_for("mta5.am0.yahoodns.net."), nullptr);
  EXPECT_EQ(quirks().provider_for("notyahoodns.net"), nullptr);
  const auto* consumer = quirks().provider_for("hotmail-com.olc.protection.outlook.com");
  ASSERT_NE(consumer, nullptr);
  EXPECT_NE(consumer->name.find("Outlook.com"), std::string::npos);
  const auto* tenant = quirks().provider_for("contoso-com.mail.protection.outlook.com");
  ASSERT_NE(tenant, nullptr);
  EXPECT_NE(tenant->name.find("365"), std::string::npos);
  EXPECT_EQ(quirks().provider_for("mx.example.com"), nullptr);
}

TEST(Quirks, YahooAcceptedRcptIsUnverifiable) {
  const auto r = make("250 recipient <x@yahoo.com> ok\r\n");
  const auto q = quirks().match("mta6.am0.yahoodns.net", r, classifier().classify(r).meaning);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->result, smtp::verdict::unverifiable);
  EXPECT_FALSE(quirks().match("mx.example.com", r, reply_meaning::accepted));
}

TEST(Quirks, GmailRateMeansTheMailboxExists) {
  const auto r = make("450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n"
                      "450 4.2.1 prevents additional messages from being delivered.\r\n");
  const auto q = quirks().match("gmail-smtp-in.l.google.com", r, classifier().classify(r).meaning);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->result, smtp::verdict::temporary);
  EXPECT_EQ(q->mailbox_exists, true);
}

TEST(Quirks, OutlookConsumer452IsUnverifiable) {
  const auto r = make("452 4.5.3 Too many recipients\r\n");
  const auto q = quirks().match("outlook-com.olc.protection.outlook.com", r, classifier().classify(r).meaning);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->result, smtp::verdict::unverifiable);
}

TEST(Quirks, Microsoft365WaitsForTheCatchAllTest) {
  const auto r = make("250 2.1.5 Recipient OK\r\n");
  const std::string mx = "contoso-com.mail.protection.outlook.com";
  EXPECT_FALSE(quirks().match(mx, r, reply_meaning::accepted));  // not before the test
  EXPECT_FALSE(quirks().match(mx, r, reply_meaning::accepted, smtp::catch_all_state::rejects_unknown));
  const auto q = quirks().match(mx, r, reply_meaning::accepted, smtp::catch_all_state::inconclusive);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->result, smtp::verdict::unverifiable);
  const auto dbeb = make("550 5.4.1 Recipient address rejected: Access denied. AS(201806281)\r\n");
  const auto unknown = quirks().match(mx, dbeb, classifier().classify(dbeb).meaning);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->result, smtp::verdict::undeliverable);
  EXPECT_EQ(unknown->mailbox_exists, false);
}

}  // namespace
