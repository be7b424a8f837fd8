// The matching engine (literal scanner, prefiltered pattern sets) against naive
// references, and the classification rules added for reading real reports: SMTP
// transcripts, status preference, the RCPT-only reading of "user unknown", provider
// codes, Diagnostic-Code types.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/literal_scanner.hpp"
#include "reports/mime.hpp"
#include "reports/parse.hpp"
#include "reports/pattern_set.hpp"
#include "reports/text.hpp"
#include "reports/yaml_tree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <fstream>
#include <memory>
#include <thread>

#include <filesystem>
#include <random>

namespace {

const reports::knowledge& knowledge() {
  static const auto loaded = reports::load_knowledge(std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data");
  if (!loaded.value) throw std::runtime_error(loaded.error);
  return *loaded.value;
}

reports::report parse(const std::string& text) { return reports::parse(reports::normalise_line_endings(text), knowledge()); }

// The lowest expression of `set` that plain RE2 finds in `text` (-1: none): what every fast
// path of pattern_set must answer.
int first_by_plain_re2(const reports::pattern_set& set, std::string_view text) {
  for (std::size_t i = 0; i < set.size(); ++i)
    if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), set.regex(static_cast<int>(i)))) return static_cast<int>(i);
  return -1;
}

// Checks `set`'s line answers on `text`'s lines (at most `max_lines`), read whole and as
// views one and two bytes in, against plain RE2, both by first_per_line and by first();
// returns how many of those lines some expression matched.
std::size_t expect_lines_agree_with_re2(const reports::pattern_set& set, const std::string& text, std::size_t max_lines) {
  const auto all = reports::text::lines(text, max_lines);
  std::size_t matched = 0;
  for (std::size_t skip = 0; skip < 3; ++skip) {
    std::vector<std::string_view> views;
    for (const auto l : all) views.push_back(l.substr(std::min(skip, l.size())));
    std::vector<int> per_line;
    set.first_per_line(set.scan(text), views, per_line);
    for (std::size_t n = 0; n < views.size(); ++n) {
      const int plain = first_by_plain_re2(set, views[n]);
      matched += plain >= 0 ? 1 : 0;
      EXPECT_EQ(per_line[n], plain) << "skip " << skip << " line: " << views[n];
      EXPECT_EQ(set.first(std::string(views[n])), plain) << "skip " << skip << " line: " << views[n];
    }
  }
  return matched;
}

// ---------------------------------------------------------------------------------------
// Literal scanner: the same answers as searching each literal (ASCII case folded). A
// text of four times the longest literal or more is scanned as two halves at once: these
// random texts of 1 to 60 bytes are read whole and in halves, with literals across the
// middle (checked to fail with the second half starting one byte late, or reporting from
// one byte past the middle).

TEST(LiteralScanner, AgreesWithNaiveSearch) {
  std::mt19937 rng(20240501);
  const std::string alphabet = "abAB c.\xe7\x94\xa8";
  const auto random_text = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % alphabet.size()]);
    return s;
  };
  for (int round = 0; round < 200; ++round) {
    reports::literal_scanner scanner;
    std::vector<std::string> literals;  // by id
    for (int i = 0; i < 8; ++i) {
      std::string l = random_text(1 + rng() % 4);
      const int id = scanner.add(l);
      if (static_cast<std::size_t>(id) == literals.size()) literals.push_back(reports::text::lower(l));
    }
    scanner.compile();
    const std::string haystack = random_text(1 + rng() % 60);
    const std::string folded = reports::text::lower(haystack);
    std::vector<int> found;
    scanner.scan(haystack, found);
    std::vector<reports::literal_scanner::hit> hits;
    scanner.scan_positions(haystack, hits);
    ASSERT_EQ(literals.size(), scanner.size());
    for (std::size_t id = 0; id < scanner.size(); ++id) {
      std::size_t occurrences = 0;
      for (std::size_t at = folded.find(literals[id]); at != std::string::npos; at = folded.find(literals[id], at + 1))
        ++occurrences;
      const bool listed = std::find(found.begin(), found.end(), static_cast<int>(id)) != found.end();
      EXPECT_EQ(listed, occurrences > 0) << "literal '" << literals[id] << "' in '" << haystack << "'";
      const auto positions = std::count_if(hits.begin(), hits.end(), [&](const auto& h) { return h.id == static_cast<int>(id); });
      EXPECT_EQ(static_cast<std::size_t>(positions), occurrences) << literals[id];
    }
    // Every hit ends where its literal ends in the text, in order of its end offset.
    for (std::size_t h = 0; h < hits.size(); ++h) {
      const std::string& l = literals[static_cast<std::size_t>(hits[h].id)];
      ASSERT_GE(hits[h].end, l.size());
      EXPECT_EQ(folded.substr(hits[h].end - l.size(), l.size()), l) << "hit " << h << " in '" << haystack << "'";
      if (h > 0) {
        EXPECT_LE(hits[h - 1].end, hits[h].end);
      }
    }
  }
}

// From 65,535 states on the table's entries are 32-bit instead of 16-bit: the same
// answers there, and on both sides of the limit.
TEST(LiteralScanner, AgreesWithNaiveSearchPastSixteenBitStates) {
  std::mt19937 rng(20261124);
  const auto random_word = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + rng() % 20));
    return s;
  };
  for (const std::size_t count : {2000u, 2600u}) {  // about 56,000 and 73,000 states
    reports::literal_scanner scanner;
    std::vector<std::string> literals;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string l = random_word(28);
      if (static_cast<std::size_t>(scanner.add(l)) == literals.size()) literals.push_back(l);
    }
    scanner.compile();
    for (int round = 0; round < 20; ++round) {
      // Literals, their halves and noise, so the scan walks deep states and finds hits.
      std::string haystack;
      for (int piece = 0; piece < 30; ++piece) {
        const std::string& l = literals[rng() % literals.size()];
        const unsigned kind = rng() % 3;
        haystack += kind == 0 ? l : kind == 1 ? l.substr(rng() % l.size()) : random_word(rng() % 5);
      }
      if (round % 2 == 1) for (char& c : haystack) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string folded = reports::text::lower(haystack);
      std::vector<reports::literal_scanner::hit> hits;
      scanner.scan_positions(haystack, hits);
      std::vector<reports::literal_scanner::hit> expected;
      for (std::size_t end = 1; end <= folded.size(); ++end)
        for (std::size_t id = 0; id < literals.size(); ++id)
          if (end >= literals[id].size() && folded.compare(end - literals[id].size(), literals[id].size(), literals[id]) == 0)
            expected.push_back({static_cast<int>(id), end});
      ASSERT_EQ(hits.size(), expected.size()) << count << " literals, round " << round;
      EXPECT_GT(expected.size(), 2u);
      for (std::size_t h = 0; h < hits.size(); ++h) {
        EXPECT_EQ(hits[h].end, expected[h].end);
        // Literals ending at the same offset may come in any order.
        EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [&](const auto& e) { return e.id == hits[h].id && e.end == hits[h].end; }));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Pattern sets: prefiltered answers equal plain RE2 on every expression.

TEST(PatternSet, FirstPerLineEqualsFirstOnEveryLineOverTheCorpus) {
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus not found";
  const auto& k = knowledge();
  std::size_t lines_checked = 0, hits = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto batch = reports::read_source(entry.path().string());
    const auto doc = reports::mime::parse_mime(batch.messages.front().bytes);
    for (const auto& part : doc.parts) {
      if (part.text.empty()) continue;
      const auto lines = reports::text::lines(part.text, 400);
      for (const reports::pattern_set* set : {&k.original_markers, &k.recipient_lines, &k.boilerplate, &k.recipient_sections}) {
        std::vector<int> per_line;
        set->first_per_line(set->scan(part.text), lines, per_line);
        for (std::size_t n = 0; n < lines.size(); ++n) {
          const int plain = first_by_plain_re2(*set, lines[n]);
          ASSERT_EQ(per_line[n], plain) << entry.path().filename() << " line: " << lines[n];
          ++lines_checked;
          hits += plain >= 0;
        }
      }
    }
  }
  EXPECT_GT(lines_checked, 10000u);
  EXPECT_GT(hits, 500u);
}

// Expressions anchored at the start with a literal ("^\s*L", "^L", a group of literal
// alternatives) are proven by a scanner hit at the line's start or after white space
// only: crafted lines where the hit is elsewhere, after other bytes, after white space
// that \s does not take (\v), in another case, or inside a view that starts mid-line.
TEST(PatternSet, AnchoredLiteralProofsAgreeWithRe2) {
  reports::pattern_set set;
  std::string error;
  for (const std::string e : {"^\\s*this is a permanent error", "^(received|x-received): ", "^\\s*(?:hi|hello)\\. this is",
                              "^\\s*giving up on ", "^x-failed: ", "error"})
    ASSERT_TRUE(set.add(e, error)) << error;
  ASSERT_TRUE(set.compile(error)) << error;
  const std::vector<std::string> lines = {
      "This is a permanent error.", "  \t This IS a permanent error", "x this is a permanent error", "\vthis is a permanent error",
      "received: from a", " received: from a", "X-Received: by b", "xx-received: by b", "\t\tHELLO. this is the mailer",
      "hi. this is", "oh hi. this is", "giving up on it", "\f\rgiving up on it", "-giving up on it", "x-failed: a", " x-failed: a",
      "an error", "", "received:", "received: "};
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  // Whole lines, then views starting one and two bytes into each line.
  expect_lines_agree_with_re2(set, text, 100);
  // A whole text: '^' is its start, and \s* also takes line breaks before the literal.
  for (const std::string t : {"\n\n  this is a permanent error", "x\nthis is a permanent error", "\nreceived: x", "received: x\n"}) {
    EXPECT_EQ(set.first(t), first_by_plain_re2(set, t)) << t;
  }
}

// Expressions anchored at the start by one character (or a class, or a group of branches
// each beginning with one) are not run on a line whose first byte that is not white space
// cannot begin them (pattern_set.cpp, first_byte_gate). The same answers as plain RE2 on
// lines beginning with every kind of white space (\v is none in RE2), in capitals, with
// the two letters outside ASCII that fold into ASCII ones (the Kelvin sign into 'k', the
// long s into 's'), and with a wrong first byte; as whole lines, as views one and two bytes
// in, and as whole texts. (Checked to fail with the Kelvin sign or the capitals left out
// of a gate, and with "^\s*X" read as "^X".)
TEST(PatternSet, FirstByteGatesAgreeWithRe2) {
  reports::pattern_set set;
  std::string error;
  for (const std::string e :
       {"^\\s*-+ *original message", "^k\\S* scale reading", "^\\s*s\\S* cipher failure", "^\\s*[45]\\d\\d mailbox gone",
        "^ +\\d{3} host said: ", "^(return-path|received): [^ ]+ relay", "^\\s*(?:ab|\\*c) group gate", "^\\s*(the )?mail system",
        "^\\s*\\(expanded from", "^\\s*x?y optional start", "mailbox gone"})
    ASSERT_TRUE(set.add(e, error)) << error;
  ASSERT_TRUE(set.compile(error)) << error;
  const std::vector<std::string> heads = {"", " ", "\t", "\f", "\r", "\v", "  \t", "x", "-"};
  const std::vector<std::string> bodies = {
      "--- original message ---", "- Original Message", "-original message", "K9 scale reading", "k scale reading",
      "\xE2\x84\xAA" "1 scale reading", "\xE2\x84\xAB" "1 scale reading", "ssl cipher failure", "S cipher failure",
      "\xC5\xBFsl cipher failure", "\xC5\xBEsl cipher failure", "550 mailbox gone", "450 MAILBOX GONE", "350 mailbox gone",
      "250 host said: ok", "550 host said: no", "Received: a.example relay", "return-path: <> relay", "RECEIVED: x relay",
      "ab group gate", "*c group gate", "AB GROUP GATE", "c group gate", "the mail system", "mail system", "The Mail System",
      "(expanded from <a@example.com>)", "y optional start", "xy optional start", "z optional start", "mailbox gone"};
  std::string text;
  for (const auto& h : heads)
    for (const auto& b : bodies) text += h + b + "\n";
  const std::size_t matched = expect_lines_agree_with_re2(set, text, 1000);
  EXPECT_GT(matched, 200u);  // the lines exercise matches, not only refusals
  // Whole texts: '^' is the text's start, and \s* also takes line breaks.
  for (const std::string t : {"\n\n--- original message", "\n k scale reading", "k scale reading\nx", "\n\xC5\xBFs cipher failure",
                              "x\n550 mailbox gone"})
    EXPECT_EQ(set.first(t), first_by_plain_re2(set, t)) << t;
}

// Sets sharing a scanner skip a text whose hits hold none of their literals (the hits'
// owners, literal_scanner::owners_of): 70 sets on one scanner (past 64, owners share
// bits), each with one literal expression, one with a literal also used by another set,
// and expressions needing no literal; texts holding one set's literal, another's, none,
// and a prefix cut before a hit. Every set answers first(), candidates() and
// first_per_line() as plain RE2 does, and a text's owners name exactly the sets with a
// hit while they have bits of their own. (Checked to fail with the owners left empty, with
// a prefix given none, and with the memo of the scanner's last short text returning the
// hits without their owners.)
TEST(PatternSet, SetsWithoutAHitInASharedScanAnswerAsPlainRe2) {
  auto shared = std::make_shared<reports::literal_scanner>();
  std::vector<reports::pattern_set> sets(70);
  std::string error;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const std::string word = "word" + std::to_string(i) + "x";
    ASSERT_TRUE(sets[i].add("^\\s*" + word + " (here|there)", error)) << error;
    if (i % 7 == 3) {
      ASSERT_TRUE(sets[i].add("^[0-9]+$", error)) << error;  // needs no literal
    }
    if (i == 5) {
      ASSERT_TRUE(sets[i].add("word6x", error)) << error;  // set 6's literal too
    }
    ASSERT_TRUE(sets[i].compile(error, shared)) << error;
  }
  shared->compile();
  const std::vector<std::string> texts = {"word6x here\n12\n", "  word66x there\nword2x here\n", "nothing at all\n42\n",
                                          "word69x here\n", "", "12345"};
  for (const auto& text : texts) {
    // Scanned twice: the second scan is the per-thread memo of the scanner's last short text.
    const reports::scanned_text first_scan = sets[0].scan(text);
    const reports::scanned_text t = sets[1].scan(text);
    EXPECT_EQ(t.owners, first_scan.owners) << text;
    for (std::size_t i = 0; i < sets.size(); ++i) {
      const auto& set = sets[i];
      EXPECT_EQ(set.first(t), first_by_plain_re2(set, text)) << i << ": " << text;
      const std::vector<int> candidates = set.candidates(t);
      const int plain = first_by_plain_re2(set, text);
      if (plain >= 0) {
        EXPECT_TRUE(std::find(candidates.begin(), candidates.end(), plain) != candidates.end()) << i << ": " << text;
      }
      const auto lines = reports::text::lines(text, 100);
      std::vector<int> per_line;
      set.first_per_line(t, lines, per_line);
      for (std::size_t n = 0; n < lines.size(); ++n) EXPECT_EQ(per_line[n], first_by_plain_re2(set, lines[n])) << i << ": " << lines[n];
      // A prefix cut before the text's last hit keeps the answers of a plain scan of it.
      const std::size_t cut = text.size() / 2;
      EXPECT_EQ(set.first(reports::pattern_set::prefix(t, cut)), first_by_plain_re2(set, text.substr(0, cut))) << i << ": " << text;
    }
  }
  // The owners of a text's hits: the sets with a hit, among the first 64 (set 5 uses set
  // 6's literal too).
  const reports::scanned_text t = sets[0].scan("word6x here, word2x there");
  EXPECT_EQ(t.owners, (std::uint64_t{1} << 6) | (std::uint64_t{1} << 5) | (std::uint64_t{1} << 2));
  EXPECT_EQ(sets[0].scan("nothing").owners, 0u);
}

// With a required byte ('@' for recipient lines), a line without it is -1 and every other
// line is read as without it; the set goes from one '@' to the next. Lines as the reader
// cuts them, and views cut one or two bytes into each line (an '@' there falls between
// the views).
TEST(PatternSet, FirstPerLineWithARequiredByteOverTheCorpus) {
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus not found";
  const auto& k = knowledge();
  std::size_t with_at = 0, hits = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto batch = reports::read_source(entry.path().string());
    const auto doc = reports::mime::parse_mime(batch.messages.front().bytes);
    for (const auto& part : doc.parts) {
      if (part.text.empty()) continue;
      const auto all = reports::text::lines(part.text, 400);
      for (std::size_t skip = 0; skip < 3; ++skip) {
        std::vector<std::string_view> views;
        for (const auto l : all) views.push_back(l.substr(std::min(skip, l.size())));
        for (const reports::pattern_set* set : {&k.recipient_lines, &k.boilerplate}) {
          std::vector<int> per_line;
          set->first_per_line(set->scan(part.text), views, per_line, '@');
          for (std::size_t n = 0; n < views.size(); ++n) {
            int plain = -1;
            if (views[n].find('@') != std::string_view::npos) {
              ++with_at;
              plain = first_by_plain_re2(*set, views[n]);
            }
            ASSERT_EQ(per_line[n], plain) << entry.path().filename() << " skip " << skip << " line: " << views[n];
            hits += plain >= 0;
          }
        }
      }
    }
  }
  EXPECT_GT(with_at, 1000u);
  EXPECT_GT(hits, 300u);
}

// The same on crafted lines with the required byte first, last, alone, absent, and
// between the views (a set of expressions naming no literal, read on every line).
TEST(PatternSet, FirstPerLineWithARequiredByteAtTheEdges) {
  reports::pattern_set set;
  std::string error;
  for (const std::string e : {"^@", "@$", "\\w@\\w", "^x"}) ASSERT_TRUE(set.add(e, error)) << error;
  ASSERT_TRUE(set.compile(error)) << error;
  const std::string text = "@\na@\n@b\nxx\na@b\n\nx@\n@@\nxa\n@x@\n";
  const auto all = reports::text::lines(text, 100);
  for (std::size_t skip = 0; skip < 3; ++skip)
    for (std::size_t drop_end = 0; drop_end < 2; ++drop_end) {
      std::vector<std::string_view> views;
      for (const auto l : all) {
        auto v = l.substr(std::min(skip, l.size()));
        views.push_back(v.substr(0, v.size() - std::min(drop_end, v.size())));
      }
      std::vector<int> per_line;
      set.first_per_line(set.scan(text), views, per_line, '@');
      for (std::size_t n = 0; n < views.size(); ++n) {
        const int plain = views[n].find('@') != std::string_view::npos ? first_by_plain_re2(set, views[n]) : -1;
        EXPECT_EQ(per_line[n], plain) << "skip " << skip << " drop " << drop_end << " line: " << views[n];
      }
    }
}

TEST(PatternSet, MatchesEqualPlainRe2OnDiagnostics) {
  const auto& k = knowledge();
  const std::vector<std::string> texts = {
      "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown in local recipient table",
      "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
      "452 4.2.2 Mailbox full", "421 4.7.0 Try again later, closing connection.", "",
      "550 用户不存在", "Réponse automatique", "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy"};
  for (const auto& t : texts) {
    std::vector<int> plain;
    for (std::size_t i = 0; i < k.reason_text.size(); ++i)
      if (RE2::PartialMatch(t, k.reason_text.regex(static_cast<int>(i)))) plain.push_back(static_cast<int>(i));
    EXPECT_EQ(k.reason_text.matches(t), plain) << t;
    EXPECT_EQ(k.reason_text.first(t), plain.empty() ? -1 : plain.front()) << t;
  }
}

// Loading compiles each small set's expressions once (their own FilteredRE2s) and its
// RE2::Set on first use; a bad expression is still refused when it is added, whatever
// the set's mode, and a set that passes 256 expressions without many() moves to one
// FilteredRE2 and answers as before.
TEST(PatternSet, BadExpressionRefusedAtAddInEveryMode) {
  for (const bool many : {false, true}) {
    reports::pattern_set set;
    set.many(many);
    std::string error;
    EXPECT_TRUE(set.add("user unknown", error)) << error;
    EXPECT_FALSE(set.add("mailbox (full", error));
    EXPECT_NE(error.find("mailbox (full"), std::string::npos) << error;
  }
}

TEST(PatternSet, LargeSetWithoutManyAnswersAsPlainRe2) {
  // 300 expressions, most naming a literal, some none, one literal-only; added without
  // many(), so the set moves to one FilteredRE2 at the 257th.
  std::vector<std::string> expressions;
  for (int i = 0; i < 300; ++i) {
    if (i % 50 == 7) expressions.push_back("[0-9]{" + std::to_string(i % 5 + 3) + "}x");
    else if (i % 50 == 9) expressions.push_back("word" + std::to_string(i) + "|other" + std::to_string(i));
    else expressions.push_back("code " + std::to_string(i) + "\\b.*(rejected|refused)");
  }
  for (const bool many : {false, true}) {
    reports::pattern_set set;
    set.many(many);
    std::string error;
    for (const auto& e : expressions) ASSERT_TRUE(set.add(e, error)) << error;
    ASSERT_TRUE(set.compile(error)) << error;
    ASSERT_EQ(set.size(), expressions.size());
    for (const std::string text : {"550 code 12 was rejected", "code 280 refused here", "12345x", "other59",
                                   "code 299 REFUSED", "nothing at all", "code 3 rejectedcode 30 refused"}) {
      std::vector<int> plain;
      for (std::size_t i = 0; i < set.size(); ++i)
        if (RE2::PartialMatch(text, set.regex(static_cast<int>(i)))) plain.push_back(static_cast<int>(i));
      EXPECT_EQ(set.matches(text), plain) << text << (many ? " (many)" : "");
      EXPECT_EQ(set.first(text), plain.empty() ? -1 : plain.front()) << text;
    }
  }
}

TEST(PatternSet, SmallSetTogetherFromManyThreads) {
  // Six expressions a line may all match: first_per_line reads them through the
  // RE2::Set built on first use, from four threads at once.
  reports::pattern_set set;
  std::string error;
  for (const char* e : {"alpha.*omega", "alp", "ha om", "^alpha", "omega$", "a.*o", "zzz"}) ASSERT_TRUE(set.add(e, error));
  ASSERT_TRUE(set.compile(error)) << error;
  const std::string text = "alpha omega\nnone here\nzzz and alpha\n";
  std::vector<std::string_view> lines = reports::text::lines(text, 100);
  std::vector<int> expected;
  for (const auto line : lines) expected.push_back(set.first(line));
  ASSERT_EQ(expected, (std::vector<int>{0, -1, 1}));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        std::vector<int> got;
        set.first_per_line(text, lines, got);
        if (got != expected) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// reports/yaml_tree builds yaml-cpp's tree from libyaml's events: the same tree as
// YAML::Load, node for node (type, scalar text, order, every pair), on the knowledge files
// and on crafted documents.
::testing::AssertionResult same_tree(const YAML::Node& a, const YAML::Node& b, const std::string& where) {
  if (a.Type() != b.Type()) return ::testing::AssertionFailure() << where << ": type " << a.Type() << " vs " << b.Type();
  if (a.IsScalar() && a.Scalar() != b.Scalar())
    return ::testing::AssertionFailure() << where << ": '" << a.Scalar() << "' vs '" << b.Scalar() << "'";
  if (a.size() != b.size()) return ::testing::AssertionFailure() << where << ": size " << a.size() << " vs " << b.size();
  if (a.IsSequence())
    for (std::size_t i = 0; i < a.size(); ++i)
      if (auto r = same_tree(a[i], b[i], where + "[" + std::to_string(i) + "]"); !r) return r;
  if (a.IsMap()) {
    auto ia = a.begin();
    auto ib = b.begin();
    for (std::size_t i = 0; ia != a.end(); ++ia, ++ib, ++i) {
      if (auto r = same_tree(ia->first, ib->first, where + " key " + std::to_string(i)); !r) return r;
      if (auto r = same_tree(ia->second, ib->second, where + "." + (ia->first.IsScalar() ? ia->first.Scalar() : "?")); !r) return r;
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(YamlTree, SameTreeAsYamlCpp) {
  const auto source = std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data";
  for (const char* name : {"formats.yaml", "reasons.yaml", "advice.yaml"}) {
    std::string error;
    const auto fast = reports::read_yaml_file((source / name).string(), error);
    ASSERT_TRUE(fast) << name << ": " << error;
    EXPECT_TRUE(same_tree(*fast, YAML::LoadFile((source / name).string()), name));
  }
  const std::vector<std::string> documents = {
      "a: 1\nb: ~\nc: null\nd: Null\ne: NULL\nf:\ng: ''\nh: \"~\"\ni: 'null'\n",
      "- x\n- [1, 2, {k: v}]\n- {}\n- []\n- !!str 12\n",
      "list:\n  - match: 'a\\\\b (?P<x>y)'\n    flag: true\n  - match: \"quoted \\\"inner\\\" \\u00e9\"\n",
      "base: &b\n  k: v\nref: *b\nother: *b\n",
      "dup: 1\ndup: 2\n",
      "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
      "# only a comment\n",
      "",
      "\"550 5.1.1\": user unknown\n550: code\n",
  };
  for (const auto& doc : documents) {
    std::string error;
    const auto fast = reports::read_yaml(doc, error);
    ASSERT_TRUE(fast) << doc << ": " << error;
    EXPECT_TRUE(same_tree(*fast, YAML::Load(doc), doc));
  }
  std::string error;
  EXPECT_FALSE(reports::read_yaml("a: [1, 2\n", error));
  EXPECT_NE(error.find("line"), std::string::npos) << error;
  EXPECT_FALSE(reports::read_yaml_file("/nonexistent/x.yaml", error));
}

// A scratch copy of the knowledge files (reports/data) in a temporary directory, for tests
// that load a broken variant; removed when the copy goes out of scope.
class knowledge_copy {
 public:
  explicit knowledge_copy(const std::string& tag)
      : dir_(std::filesystem::temp_directory_path() / ("probe-" + tag + "-" + std::to_string(::getpid()))) {
    const auto source = std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data";
    std::filesystem::create_directories(dir_);
    for (const char* name : {"formats.yaml", "reasons.yaml", "advice.yaml"})
      std::filesystem::copy_file(source / name, dir_ / name, std::filesystem::copy_options::overwrite_existing);
  }
  ~knowledge_copy() { std::filesystem::remove_all(dir_); }
  knowledge_copy(const knowledge_copy&) = delete;
  knowledge_copy& operator=(const knowledge_copy&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  YAML::Node read(const std::string& name) const { return YAML::LoadFile((dir_ / name).string()); }
  void write(const std::string& name, const YAML::Node& root) const {
    std::ofstream out(dir_ / name);
    YAML::Emitter emit;
    emit << root;
    out << emit.c_str();
  }

 private:
  std::filesystem::path dir_;
};

TEST(Knowledge, SyntaxErrorWordedByYamlCpp) {
  // On any failure the files are read again by yaml-cpp, which words the error with its
  // line and column, as before.
  const knowledge_copy copy("yaml-test");
  std::ofstream(copy.dir() / "advice.yaml", std::ios::app) << "\nbroken: [1, 2\n";
  const auto loaded = reports::load_knowledge(copy.dir());
  EXPECT_FALSE(loaded.value);
  EXPECT_NE(loaded.error.find("advice.yaml"), std::string::npos) << loaded.error;
  EXPECT_NE(loaded.error.find("yaml-cpp"), std::string::npos) << loaded.error;
}

TEST(Knowledge, BadExpressionInTheDataIsALoadError) {
  // A copy of the data with one bad reason pattern, then one bad small-set expression.
  for (const std::string which : {"reasons.yaml", "formats.yaml"}) {
    const knowledge_copy copy("knowledge-test");
    YAML::Node root = copy.read(which);
    if (which == "reasons.yaml") root["patterns"][0]["rules"][0]["match"].push_back("mailbox (full");
    else root["boilerplate"].push_back("mailbox (full");
    copy.write(which, root);
    const auto loaded = reports::load_knowledge(copy.dir());
    EXPECT_FALSE(loaded.value) << which;
    EXPECT_NE(loaded.error.find(which), std::string::npos) << loaded.error;
    EXPECT_NE(loaded.error.find("mailbox (full"), std::string::npos) << loaded.error;
  }
}

// classify.cpp looks for the reply intros only at a diagnostic's colons, so an intro that
// does not end with one could never be found: the data is refused at load instead.
TEST(Knowledge, AReplyIntroWithoutItsColonIsALoadError) {
  const knowledge_copy copy("intro-test");
  YAML::Node root = copy.read("formats.yaml");
  ASSERT_TRUE(root["reply_intros"].IsSequence());
  root["reply_intros"].push_back("the server answered");
  copy.write("formats.yaml", root);
  const auto loaded = reports::load_knowledge(copy.dir());
  EXPECT_FALSE(loaded.value);
  EXPECT_NE(loaded.error.find("the server answered"), std::string::npos) << loaded.error;
}

// An empty session marker would start a new session on every line of every transcript.
TEST(Knowledge, AnEmptyTranscriptSessionMarkerIsALoadError) {
  const knowledge_copy copy("session-test");
  YAML::Node root = copy.read("formats.yaml");
  ASSERT_TRUE(root["transcript"]["sessions"].IsSequence());
  root["transcript"]["sessions"].push_back("");
  copy.write("formats.yaml", root);
  const auto loaded = reports::load_knowledge(copy.dir());
  EXPECT_FALSE(loaded.value);
  EXPECT_NE(loaded.error.find("transcript sessions"), std::string::npos) << loaded.error;
}

TEST(Knowledge, EveryReasonWithAdviceHasAChineseName) {
  const auto source = std::filesystem::path(PROBE_SOURCE_DIR) / "reports" / "data";
  const auto loaded = reports::load_knowledge(source);
  ASSERT_TRUE(loaded.value) << loaded.error;
  EXPECT_EQ(reports::reason_name(*loaded.value, "userunknown", "zh"), "收件人不存在");
  EXPECT_EQ(reports::reason_name(*loaded.value, "userunknown", "en"), "");
  // A copy of the data whose names lack one reason is refused at load.
  const knowledge_copy copy("names-test");
  YAML::Node root = copy.read("advice.yaml");
  root["reason_names"]["zh"].remove("mailboxfull");
  copy.write("advice.yaml", root);
  const auto refused = reports::load_knowledge(copy.dir());
  EXPECT_FALSE(refused.value);
  EXPECT_NE(refused.error.find("reason_names.zh lacks a name for mailboxfull"), std::string::npos) << refused.error;
}

// ---------------------------------------------------------------------------------------
// Status preference (RFC 3463) and reply codes.

TEST(Status, PreferenceBetweenFieldAndReply) {
  EXPECT_EQ(reports::prefer_status("5.0.0", "5.1.1", 550), "5.1.1");  // generic field
  EXPECT_EQ(reports::prefer_status("5.1.1", "5.0.0", 550), "5.1.1");  // generic reply
  EXPECT_EQ(reports::prefer_status("5.1.1", "5.7.1", 550), "5.7.1");  // 5.1.1 under a specific 5.7.x
  EXPECT_EQ(reports::prefer_status("4.4.7", "4.4.2", 421), "4.4.2");  // expired yields
  EXPECT_EQ(reports::prefer_status("5.2.2", "5.1.1", 552), "5.2.2");  // a specific field stays
  EXPECT_EQ(reports::prefer_status("4.4.1", "5.4.7", 421), "4.4.1");  // the reply's class decides
  EXPECT_EQ(reports::prefer_status("", "5.1.1", 550), "5.1.1");
}

TEST(Status, ReplyCodesAreRegisteredFailureCodes) {
  EXPECT_EQ(reports::find_reply_code("550: 5.1.1 <a@b>... User Unknown", knowledge()), 550);
  EXPECT_EQ(reports::find_reply_code("522 5.2.0 Delivery failed: Over quota", knowledge()), 0);  // not a reply code
  EXPECT_EQ(reports::find_reply_code("250 ok 550-'5.7.1 refused'", knowledge()), 550);
}

TEST(Status, ExpiredQuotesTheLastAttempt) {
  const auto rep = parse(
      "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: multipart/report; boundary=B\n\n"
      "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
      "Final-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 4.4.7\n"
      "Diagnostic-Code: smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>\n"
      "--B--\n");
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].status, "4.4.2");
  EXPECT_EQ(rep.recipients[0].reply_code, 421);
}

// The returned message's size stated in a diagnostic ("message size N exceeds"), in any
// case; nothing from other wording.
TEST(Status, ReturnedSizeFromTheDiagnostic) {
  const auto report_with = [](const std::string& diagnostic) {
    return parse(
        "From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: multipart/report; boundary=B\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        "Final-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 5.3.4\n"
        "Diagnostic-Code: smtp; " + diagnostic + "\n--B--\n");
  };
  EXPECT_EQ(report_with("552 5.3.4 Message size 2397844 exceeds fixed maximum").original.size, std::optional<std::uint64_t>(2397844));
  EXPECT_EQ(report_with("552 5.3.4 MESSAGE SIZE 12 EXCEEDS LIMIT").original.size, std::optional<std::uint64_t>(12));
  EXPECT_FALSE(report_with("552 5.3.4 Message size 12 is over the limit").original.size.has_value());
  EXPECT_FALSE(report_with("552 5.3.4 Message exceeds fixed maximum message size").original.size.has_value());
}

// ---------------------------------------------------------------------------------------
// Transcripts.

TEST(Transcript, SendmailCommandAndServerReply) {
  const auto rep = parse(
      "From: Mail Delivery Subsystem <MAILER-DAEMON@example.jp>\nSubject: Returned mail: see transcript\n\n"
      "   ----- Transcript of session follows -----\n"
      "While talking to mx.example.edu:\n>>> MAIL From:<sender@example.jp>\n<<< 550 Insecure Mail Relay\n"
      "554 <kijitora@example.edu>... Remote protocol error\n\n   ----- Unsent message follows -----\nSubject: x\n\nbody\n");
  ASSERT_EQ(rep.recipients.size(), 1u);
  const auto& r = rep.recipients[0];
  EXPECT_EQ(r.address, "kijitora@example.edu");
  EXPECT_EQ(r.command, reports::smtp_command::mail);
  EXPECT_EQ(r.reply_code, 550);
  EXPECT_NE(r.diagnostic.find("Insecure Mail Relay"), std::string::npos);
  EXPECT_EQ(reports::classify(r, rep, knowledge()).reason, "norelaying");
}

// Without a session marker ("While talking to"), lines are passed over by their first
// byte: the MTA's summary line, starting with its reply code, is still read, and gives a
// recipient whose Diagnostic-Code names no reply its reply.
TEST(Transcript, SummaryLineWithoutASessionMarker) {
  const auto rep = parse(
      "From: Mail Delivery Subsystem <MAILER-DAEMON@example.jp>\nSubject: Returned mail\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\n\n   ----- Transcript of session follows -----\n"
      "550 5.0.0 <neko@example.edu>... Permission denied\n\n"
      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n"
      "Final-Recipient: RFC822; neko@example.edu\nAction: failed\nStatus: 5.3.0\n"
      "Diagnostic-Code: X-Unix; Permission denied 77\n\n--b--\n");
  ASSERT_EQ(rep.recipients.size(), 1u);
  const auto& r = rep.recipients[0];
  EXPECT_EQ(r.address, "neko@example.edu");
  EXPECT_EQ(r.reply_code, 550);
  EXPECT_EQ(r.sources.at("diagnostic"), "SMTP transcript");
}

TEST(Transcript, PostfixInOutStep) {
  const auto rep = parse(
      "From: MAILER-DAEMON@example.com\nSubject: Postfix SMTP server: errors from x\n\nTranscript of session follows.\n\n"
      " Out: 220 mx.example.com ESMTP\n In:  EHLO client.example.jp\n Out: 250 mx.example.com\n"
      " In:  MAIL FROM:<s@example.jp>\n Out: 250 2.1.0 Ok\n In:  RCPT TO:<k@example.net>\n Out: 250 2.1.5 Ok\n"
      " In:  DATA\n Out: 354 End data\n Out: 451 4.3.0 Error: queue file write error\n In:  QUIT\n Out: 221 Bye\n");
  ASSERT_FALSE(rep.recipients.empty());
  const auto& r = rep.recipients[0];
  EXPECT_EQ(r.command, reports::smtp_command::data);
  EXPECT_EQ(r.reply_code, 451);
  EXPECT_EQ(r.status, "4.3.0");
  EXPECT_EQ(reports::classify(r, rep, knowledge()).reason, "systemerror");
}

// ---------------------------------------------------------------------------------------
// Classification rules.

reports::report one_recipient_report(const std::string& family, const std::string& diagnostic,
                                     reports::smtp_command command, const std::string& status = "") {
  reports::report rep;
  rep.kind = reports::report_kind::failure;
  rep.mta_family = family;
  reports::recipient r;
  r.address = "a@example.jp";
  r.action = reports::dsn_action::failed;
  r.diagnostic = diagnostic;
  r.command = command;
  r.status = status;
  rep.recipients.push_back(r);
  return rep;
}

TEST(Classify, UserUnknownNeedsRcptInAReadReport) {
  const auto& k = knowledge();
  auto rcpt = one_recipient_report("Postfix", "550 User unknown", reports::smtp_command::rcpt);
  EXPECT_EQ(reports::classify(rcpt.recipients[0], rcpt, k).reason, "userunknown");
  auto data = one_recipient_report("Postfix", "550 User unknown", reports::smtp_command::data);
  EXPECT_EQ(reports::classify(data.recipients[0], data, k).reason, "filtered");
  auto unknown = one_recipient_report("RFC3464", "550 User unknown", reports::smtp_command::unknown);
  EXPECT_EQ(reports::classify(unknown.recipients[0], unknown, k).reason, "filtered");
  // A line alone (no layout read): the plain meaning.
  auto alone = one_recipient_report("", "550 User unknown", reports::smtp_command::unknown);
  EXPECT_EQ(reports::classify(alone.recipients[0], alone, k).reason, "userunknown");
  // The status names the cause: 5.2.1 (mailbox disabled) reads as a filter.
  auto disabled = one_recipient_report("RFC3464", "550 5.2.1 <a@example.jp>... User Unknown", reports::smtp_command::unknown, "5.2.1");
  EXPECT_EQ(reports::classify(disabled.recipients[0], disabled, k).reason, "filtered");
  // The MTA's own verdict needs no step.
  auto native = one_recipient_report("Exchange", "The recipient name is not recognized", reports::smtp_command::unknown);
  EXPECT_EQ(reports::classify(native.recipients[0], native, k).reason, "userunknown");
}

// Words that only say "blocked" or "refused" take their cause from the step. Before any
// envelope only the client can be refused, so a temporary refusal there is the client's
// too; at RCPT a temporary refusal is not the mailbox's absence.
TEST(Classify, TemporaryRefusalBeforeTheEnvelopeIsTheClients) {
  const auto& k = knowledge();
  for (const auto step : {reports::smtp_command::conn, reports::smtp_command::ehlo}) {
    auto rep = one_recipient_report("Postfix", "421 mx.example.net 192.0.2.9 temporarily blocked", step);
    rep.recipients[0].reply_code = 421;
    const auto c = reports::classify(rep.recipients[0], rep, k);
    EXPECT_EQ(c.reason, "blocked") << reports::to_string(step);
    EXPECT_EQ(c.by, reports::decided_by::command) << reports::to_string(step);
  }
  auto rcpt = one_recipient_report("Postfix", "450 4.7.1 <b@example.net>: temporarily refused", reports::smtp_command::rcpt);
  rcpt.recipients[0].reply_code = 450;
  EXPECT_NE(reports::classify(rcpt.recipients[0], rcpt, k).reason, "userunknown");
}

TEST(Classify, ProviderCodesDecideFirst) {
  const auto& k = knowledge();
  auto rep = one_recipient_report("Postfix",
                                  "550 5.1.0 <b@example.com> sender rejected. Refer to Error Codes section. AUP#CDRBL",
                                  reports::smtp_command::mail, "5.1.0");
  rep.recipients[0].remote_host = "cxr.mx.a.cloudfilter.net";
  auto c = reports::classify(rep.recipients[0], rep, k);
  EXPECT_EQ(c.reason, "blocked");
  EXPECT_EQ(c.by, reports::decided_by::provider);
  // The same words from another host are read the generic way.
  rep.recipients[0].remote_host = "mx.example.net";
  EXPECT_NE(reports::classify(rep.recipients[0], rep, k).by, reports::decided_by::provider);
}

// A gateway that rewrote the report may drop the refusing host; the provider's reply still
// links to its own pages, and that names it. An address at its domain does not.
TEST(Classify, ProviderNamedByItsPagesInTheReply) {
  const auto& k = knowledge();
  const std::string words = "421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred; see ";
  auto linked = one_recipient_report("Mimecast", words + "https://senders.yahooinc.com/error-codes", reports::smtp_command::mail, "4.7.0");
  auto c = reports::classify(linked.recipients[0], linked, k);
  EXPECT_EQ(c.by, reports::decided_by::provider);
  EXPECT_EQ(c.reason, "badreputation");
  auto help = one_recipient_report("Mimecast", words + "https://help.yahoo.com/kb/SLN3434.html", reports::smtp_command::mail, "4.7.0");
  EXPECT_EQ(reports::classify(help.recipients[0], help, k).by, reports::decided_by::provider);
  // A named refusing host that is not the provider's wrote the reply itself.
  help.recipients[0].remote_host = "mx.example.net";
  EXPECT_NE(reports::classify(help.recipients[0], help, k).by, reports::decided_by::provider);
  // A look-alike host is not the provider's, nor is an address at its domain.
  auto lookalike = one_recipient_report("Mimecast", words + "https://notyahooinc.com/error-codes", reports::smtp_command::mail, "4.7.0");
  EXPECT_NE(reports::classify(lookalike.recipients[0], lookalike, k).by, reports::decided_by::provider);
  auto address = one_recipient_report("Mimecast", words + "postmaster@yahooinc.com", reports::smtp_command::mail, "4.7.0");
  EXPECT_NE(reports::classify(address.recipients[0], address, k).by, reports::decided_by::provider);
  // A port does not hide the page.
  auto port = one_recipient_report("Mimecast", words + "https://senders.yahooinc.com:443/error-codes", reports::smtp_command::mail, "4.7.0");
  EXPECT_EQ(reports::classify(port.recipients[0], port, k).by, reports::decided_by::provider);
  // A URL whose user information looks like a provider's page is another host's.
  auto userinfo = one_recipient_report("Mimecast", words + "http://senders.yahooinc.com@mx.example.net/help",
                                       reports::smtp_command::mail, "4.7.0");
  EXPECT_NE(reports::classify(userinfo.recipients[0], userinfo, k).by, reports::decided_by::provider);
  // A link rewriter's host under a provider's mail domain (Microsoft Safe Links) is no page
  // of the provider: Outlook's "mailbox unavailable" (no such user) must not apply.
  auto wrapped = one_recipient_report(
      "qmail",
      "550 5.7.1 Requested action not taken: mailbox unavailable (sender blocked, see "
      "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.spamhaus.org%2Fquery)",
      reports::smtp_command::unknown, "5.7.1");
  wrapped.recipients[0].remote_ip = "192.0.2.41";
  const auto w = reports::classify(wrapped.recipients[0], wrapped, k);
  EXPECT_NE(w.by, reports::decided_by::provider);
  EXPECT_NE(w.reason, "userunknown");
}

// A reply that names its own server after its code (RFC 5321's "421 <domain> ...") names
// the provider when the report names no refusing host.
TEST(Classify, ProviderNamedByTheReplysOwnHost) {
  const auto& k = knowledge();
  auto own = one_recipient_report("Mimecast", "421 imta-07.sys.comcast.net comcast 198.51.100.7 Too many sessions opened",
                                  reports::smtp_command::conn);
  own.recipients[0].reply_code = 421;
  auto c = reports::classify(own.recipients[0], own, k);
  EXPECT_EQ(c.by, reports::decided_by::provider);
  EXPECT_EQ(c.reason, "toomanyconn");
  // After an enhanced status too; not an address, nor a host further into the words.
  auto status = one_recipient_report("Mimecast", "421 4.7.0 imta-07.sys.comcast.net Too many sessions opened",
                                     reports::smtp_command::conn, "4.7.0");
  status.recipients[0].reply_code = 421;
  EXPECT_EQ(reports::classify(status.recipients[0], status, k).by, reports::decided_by::provider);
  auto later = one_recipient_report("Mimecast", "421 Too many sessions opened from imta-07.sys.comcast.net",
                                    reports::smtp_command::conn);
  later.recipients[0].reply_code = 421;
  EXPECT_NE(reports::classify(later.recipients[0], later, k).by, reports::decided_by::provider);
  auto ip = one_recipient_report("Mimecast", "421 198.51.100.7 Too many sessions opened", reports::smtp_command::conn);
  ip.recipients[0].reply_code = 421;
  EXPECT_NE(reports::classify(ip.recipients[0], ip, k).by, reports::decided_by::provider);
  // qmail's "#" before the code, and a multi-line reply's first line ("421-").
  for (const std::string reply : {"#421 imta-07.sys.comcast.net Too many sessions opened",
                                  "421-imta-07.sys.comcast.net Too many sessions opened"}) {
    auto r = one_recipient_report("Mimecast", reply, reports::smtp_command::conn);
    r.recipients[0].reply_code = 421;
    EXPECT_EQ(reports::classify(r.recipients[0], r, k).by, reports::decided_by::provider) << reply;
  }
  // A domain the reply is about ("example.com: ...") is not the server introducing itself.
  auto about = one_recipient_report("qmail", "550 5.7.1 hotmail.com: Requested action not taken: mailbox unavailable",
                                    reports::smtp_command::unknown, "5.7.1");
  about.recipients[0].reply_code = 550;
  EXPECT_NE(reports::classify(about.recipients[0], about, k).by, reports::decided_by::provider);
}

// A provider's code decides the reason; the text still gives the sub-cause (its advice).
TEST(Classify, ProviderVerdictKeepsTheTextsSubcause) {
  const auto& k = knowledge();
  auto rep = one_recipient_report(
      "Postfix", "550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy.",
      reports::smtp_command::data, "5.7.26");
  rep.recipients[0].remote_host = "mx.google.com";
  const auto c = reports::classify(rep.recipients[0], rep, k);
  EXPECT_EQ(c.by, reports::decided_by::provider);
  EXPECT_EQ(c.reason, "authfailure");
  EXPECT_EQ(c.subcause, "dmarc-fail");
}

// A provider rule may name its own sub-cause: docomo's "552 Too many recipients" is its
// limit on recipients per SMTP session (toomanyconn, with advice on sessions); the same
// words from another host are a per-message limit (exceedlimit).
TEST(Classify, ProviderRuleNamesItsOwnSubcause) {
  const auto& k = knowledge();
  auto rep = one_recipient_report("Postfix", "552 Too many recipients", reports::smtp_command::rcpt);
  rep.recipients[0].reply_code = 552;
  rep.recipients[0].remote_host = "mfsmax.docomo.ne.jp";
  const auto c = reports::classify(rep.recipients[0], rep, k);
  EXPECT_EQ(c.by, reports::decided_by::provider);
  EXPECT_EQ(c.reason, "toomanyconn");
  EXPECT_EQ(c.subcause, "recipients-per-session");
  EXPECT_FALSE(c.hard);
  const auto en = reports::advice_for(k, c.reason, c.subcause, "en");
  ASSERT_TRUE(en.has_value());
  EXPECT_NE(en->what.find("recipients in one SMTP session"), std::string::npos) << en->what;
  const auto zh = reports::advice_for(k, c.reason, c.subcause, "zh");
  ASSERT_TRUE(zh.has_value());
  EXPECT_NE(zh->what.find("SMTP 会话"), std::string::npos) << zh->what;
  rep.recipients[0].remote_host = "mx.example.net";
  const auto other = reports::classify(rep.recipients[0], rep, k);
  EXPECT_EQ(other.reason, "exceedlimit");
  EXPECT_EQ(other.subcause, "too-many-recipients");
  // Mail to a docomo address refused by the sender's own relay is the relay's limit.
  rep.recipients[0].address = "hanako.0722@docomo.ne.jp";
  rep.recipients[0].remote_host = "smtp.example.net";
  EXPECT_EQ(reports::classify(rep.recipients[0], rep, k).reason, "exceedlimit");
  // A reply that names docomo's server as its own is docomo's.
  rep.recipients[0].remote_host.clear();
  rep.recipients[0].diagnostic = "552 mfsmax.docomo.ne.jp Too many recipients";
  EXPECT_EQ(reports::classify(rep.recipients[0], rep, k).reason, "toomanyconn");
}

// "Maximum number of attempts" in a remote server's reply is about the session (logins,
// invalid recipients), not the sending queue giving up; a message larger than the room
// left in a mailbox is its quota, not a size limit.
TEST(Classify, ReadingsOfTheSeventeenthBatchKeepToTheirWords) {
  const auto& k = knowledge();
  auto session = one_recipient_report("Postfix", "421 4.7.0 Maximum number of attempts exceeded, closing connection",
                                      reports::smtp_command::rcpt, "4.7.0");
  session.recipients[0].reply_code = 421;
  EXPECT_NE(reports::classify(session.recipients[0], session, k).reason, "expired");
  auto queue = one_recipient_report("Postfix", "The maximum number of delivery attempts has been reached for this message.",
                                    reports::smtp_command::unknown);
  EXPECT_EQ(reports::classify(queue.recipients[0], queue, k).reason, "expired");
  auto quota = one_recipient_report("Postfix", "552 Message is larger than the recipient's remaining quota",
                                    reports::smtp_command::data);
  quota.recipients[0].reply_code = 552;
  EXPECT_EQ(reports::classify(quota.recipients[0], quota, k).reason, "mailboxfull");
  auto size = one_recipient_report("Postfix", "552 Your e-mail message is larger than the destination mail system is able to accept.",
                                   reports::smtp_command::data);
  size.recipients[0].reply_code = 552;
  EXPECT_EQ(reports::classify(size.recipients[0], size, k).reason, "mesgtoobig");
}

TEST(Classify, LocalProgramExitIsAMailerError) {
  const auto& k = knowledge();
  auto rep = one_recipient_report("Postfix", "temporary failure", reports::smtp_command::unknown, "4.3.0");
  rep.recipients[0].diagnostic_type = "x-unix";
  EXPECT_EQ(reports::classify(rep.recipients[0], rep, k).reason, "mailererror");
  rep.recipients[0].diagnostic_type = "smtp";
  EXPECT_NE(reports::classify(rep.recipients[0], rep, k).reason, "mailererror");
}

TEST(Classify, OnholdWhenWordsDecideNothing) {
  const auto& k = knowledge();
  auto words = one_recipient_report("RFC3464", "Something odd happened here", reports::smtp_command::unknown);
  EXPECT_EQ(reports::classify(words.recipients[0], words, k).reason, "onhold");
  auto nothing = one_recipient_report("RFC3464", "", reports::smtp_command::unknown);
  EXPECT_EQ(reports::classify(nothing.recipients[0], nothing, k).reason, "undefined");
}

}  // namespace
