#pragma once
// reports/pattern_set: many regular expressions from data, matched against peer text in
// linear time, plus each expression on its own for capture groups.
//
// Why RE2: bounce text is peer-controlled; RE2 runs in time linear in the input with no
// backtracking, so no pattern in the data files can be turned against probe.
// How: RE2's FilteredRE2 names, for every expression, the literal strings it cannot
// match without; one Aho-Corasick pass over the text (reports/literal_scanner) finds
// which of them occur, and only the expressions they leave possible are run. A text
// costs one table lookup per byte plus a few RE2 runs, whatever the number of patterns
// (an RE2::Set of 600 case-insensitive patterns spent most of its time rebuilding its
// DFA cache on varied bounce text). Several sets can share one scanner, so a report is
// scanned once for all of them (`scan`, then the scanned_text overloads). Two answers
// need no RE2 run at all: an expression that is only literals joined by '|' matches
// where the scanner found one of them, and an expression lacking one of the atoms its
// prefilter requires on its own cannot match (see required_).
// Patterns are case-insensitive (data authors write them in lower case for clarity) and
// UTF-8. Indices follow the order of `add`; lower index = listed earlier = preferred.
// Lifetime: a scanned_text views the text it was made from.
// Thread-safety: after compile() (and the shared scanner's compile()), const member
// functions may be called concurrently. Each thread keeps its own scratch vectors and its
// own memory of the last short text (up to 4 KiB) each scanner scanned, so scanning the
// same diagnostic twice costs one comparison; nothing is shared between threads.

#include "reports/literal_scanner.hpp"

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

// RE2::PartialMatch(text, re) without groups, called straight: the same answer without
// PartialMatchN's and DoMatch's handling of arguments there are none of (about 70 of
// the 900 instructions a short text costs).
inline bool finds(const RE2& re, std::string_view text) {
  return re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED, nullptr, 0);
}

// A text and where the literals of a scanner occur in it.
struct scanned_text {
  std::string_view text;
  std::vector<literal_scanner::hit> hits;  // by end offset
  const literal_scanner* scanner = nullptr;
  // The scanner's owners (pattern sets) with a hit among `hits` (literal_scanner::owners_of);
  // all bits when not known.
  std::uint64_t owners = ~std::uint64_t{0};
};

// One expression's address group found by hand (pattern_set.cpp).
struct address_split;

class pattern_set {
 public:
  pattern_set();
  pattern_set(pattern_set&&) noexcept;
  pattern_set& operator=(pattern_set&&) noexcept;
  ~pattern_set();

  // Sets that answer matches_lines()/any_line() keep a multi-line copy of each expression;
  // call before the first add().
  void multi_line(bool on) { multi_line_ = on; }
  // Sets whose groups are read (capture()) keep, for each expression ending in "(.*)$"
  // (the rest of the line as its last group), the expression without it; call before
  // the first add().
  void split_rest_of_line(bool on) { split_rest_ = on; }
  // Sets whose first group is an address, "([X]+@[Y]+)" or "([X]+@[Y]+?)" (X and Y
  // classes of ASCII characters), find that group by hand between RE2 runs without
  // groups (see capture_line); call before the first add().
  void split_address(bool on) { split_address_ = on; }
  // A set that will hold more than 256 expressions (the reason patterns): read through
  // one FilteredRE2's prefilter tree from its first add(). Smaller sets give each
  // expression its own FilteredRE2, which compiles it once and names its own atoms (the
  // line index); a set that passes 256 without this call moves to one FilteredRE2 then
  // (compiling what it holds again). Call before the first add().
  void many(bool on) { whole_ = on; }
  // Adds an expression; returns false (and sets `error`) when RE2 rejects it.
  bool add(const std::string& expression, std::string& error);
  // Compiles the set; an empty set compiles and never matches. With `shared`, the set's
  // literals join that scanner, which the caller compiles after its last set.
  bool compile(std::string& error, std::shared_ptr<literal_scanner> shared = nullptr);
  std::size_t size() const { return regexes_.size(); }
  const RE2& regex(int index) const { return *regexes_.at(static_cast<std::size_t>(index)); }
  // The expression as matches_lines() runs it: multi-line when multi_line(true), else regex().
  const RE2& line_regex(int index) const {
    return multi_line_ ? *line_regexes_.at(static_cast<std::size_t>(index)) : regex(index);
  }

  // The groups of expression `index` on a single line (no '\n') it is known to match:
  // groups[0] is the whole match, then each group; false when it does not match. With
  // split_rest_of_line(true), an expression ending in "(.*)$" runs without that group
  // and its last group is the rest of the line after the head's match: the same groups
  // (the rest always matches, so the head's preferred match is the whole expression's),
  // but RE2 extracts groups with a backtracker over the matched span, and the rest of a
  // recipient line is most of it.
  // With split_address(true), an expression whose first group is an address is tried
  // first by hand between RE2 runs without groups, and by RE2's groups only when the hand
  // path cannot vouch for the answer (another '@' in reach, a byte >= 0x80 to class, a
  // part after the address or a tail that refuses the preferred choice): the same groups
  // either way. A "(.*)$" rest holding invalid UTF-8 (which '.' does not take) is left to
  // the whole expression.
  bool capture_line(int index, std::string_view line, std::vector<re2::StringPiece>& groups) const;
  // True when expression `index` has the address shape split_address() reads by hand.
  bool address_by_hand(int index) const {
    return split_address_ && addresses_.at(static_cast<std::size_t>(index)) != nullptr;
  }

  // The text scanned with this set's scanner (the shared one if any).
  scanned_text scan(std::string_view text) const;
  // The same into `out`, whose hit list keeps its room between calls (no allocation
  // once it has grown to a text's hits).
  void scan_into(std::string_view text, scanned_text& out) const;

  // Indices of every matching expression, ascending.
  std::vector<int> matches(std::string_view text) const { return matches(scan(text)); }
  std::vector<int> matches(const scanned_text& t) const;
  // Lowest matching index, or -1.
  int first(std::string_view text) const { return first(scan(text)); }
  int first(const scanned_text& t) const;
  // first() and that expression's groups on the text as RE2::Match fills them (groups[0]
  // the whole match, then each group; resized to the expression's groups + 1), untouched
  // when nothing matches. Where first() would run the answer on its own, that one run
  // with groups decides it (RE2 finds the match again before it reads the groups, so
  // first() and then a run with groups searched twice).
  int first_captured(const scanned_text& t, std::vector<re2::StringPiece>& groups) const;
  // The expressions that are literals (joined by '|') and occur in the text, ascending,
  // into `out` (cleared first): they match without an RE2 run, in multi-line mode too.
  void proven_into(const scanned_text& t, std::vector<int>& out) const;
  // first() given the text's candidates() (for a caller that reads them too).
  int first_among(const scanned_text& t, std::span<const int> candidates) const;
  // Indices of the expressions that may match (a superset of matches()), ascending.
  std::vector<int> candidates(const scanned_text& t) const;
  std::vector<int> candidates(std::string_view text) const { return candidates(scan(text)); }
  // candidates() into `out` (cleared first; its room is kept for a caller's scratch).
  void candidates_into(const scanned_text& t, std::vector<int>& out) const;
  // Multi-line mode (^ and $ at line boundaries, when multi_line(true)): indices of
  // expressions matching somewhere in the text, ascending.
  std::vector<int> matches_lines(const scanned_text& t) const;
  std::vector<int> matches_lines(std::string_view text) const { return matches_lines(scan(text)); }
  // True when some single line of the text matches some expression.
  bool any_line(std::string_view text) const { return any_line(scan(text)); }
  // The same for a text already scanned (by this set's scanner; another's is rescanned).
  bool any_line(const scanned_text& t) const;
  // The scan of a prefix of an already scanned text: the hits that end within it (the
  // same hits a scan of the prefix alone finds).
  static scanned_text prefix(const scanned_text& t, std::size_t size);
  // For each of `lines` (views into t.text, in order), the lowest index of an expression
  // matching that line on its own, else -1: the same result as first() on every line.
  // Lines without `required` (when not 0) are skipped. RE2 runs only on the lines that
  // hold a literal some expression needs.
  void first_per_line(const scanned_text& t, std::span<const std::string_view> lines, std::vector<int>& out,
                      char required = 0) const;
  void first_per_line(std::string_view text, std::span<const std::string_view> lines, std::vector<int>& out,
                      char required = 0) const {
    first_per_line(scan(text), lines, out, required);
  }

 private:
  // This set's atom ids (FilteredRE2 order) of the hits in [from, to) of the text.
  void local_atoms(const scanned_text& t, std::size_t from, std::size_t to, std::vector<int>& out) const;
  // FilteredRE2's candidates for `atoms` (sorted in place) plus the unfiltered ones,
  // ascending, into `out` (cleared first; its room is kept: callers pass scratch).
  // With `ascii_text` (the text is plain ASCII), the expressions with letters cased
  // outside ASCII are candidates by their atoms too (see always_on_ascii_).
  void potentials(std::vector<int>& atoms, std::vector<int>& out, bool ascii_text) const;
  // Sets of up to 64 expressions: the candidates among the hits ending in (from, to],
  // walking the hits from `h` on; and the lowest of them matching `text`.
  // `proven` gets the literal expressions (see proves_) a hit wholly inside [from, to) proves.
  std::uint64_t candidate_mask(const scanned_text& t, std::size_t from, std::size_t to, std::size_t& h,
                               bool& any_atom, std::uint64_t& proven) const;
  // Expression `index` on `text` with its groups (resized to its groups + 1; all null
  // when it does not match).
  bool capture(int index, std::string_view text, std::vector<re2::StringPiece>& groups) const;
  // With `groups`, the answer's groups too (see first_captured).
  int first_of_mask(std::string_view text, std::uint64_t possible, std::uint64_t proven,
                    std::vector<re2::StringPiece>* groups = nullptr) const;
  // False when expression `index` lacks one of its required_ atoms among `present`.
  bool requirements_met(int index, std::span<const int> present) const;
  // `possible` without the expressions whose requirements `present` does not meet.
  std::uint64_t drop_unmet(std::uint64_t possible, std::span<const int> present) const;
  // The lowest expression a hit of [from, to) proves to match there, or -1.
  int lowest_proven(const scanned_text& t, std::size_t from, std::size_t to) const;
  void first_per_line_masked(const scanned_text& t, std::span<const std::string_view> lines, std::vector<int>& out,
                             char required) const;

  // Moves a set that passed 256 expressions to one FilteredRE2 (see many()).
  bool become_whole(std::string& error);
  // The RE2::Set of all expressions (sets of up to 64), built on first use: null when
  // RE2 refuses it (each expression then runs on its own). Thread-safe.
  const RE2::Set* together() const;

  // The set-wide prefilter (sets of more than 256 expressions, see many()), else null.
  std::unique_ptr<re2::FilteredRE2> filter_;
  bool whole_ = false;
  // Smaller sets: per expression, its own FilteredRE2 holding its one compiled RE2.
  std::vector<std::unique_ptr<re2::FilteredRE2>> own_filters_;
  std::shared_ptr<literal_scanner> scanner_;
  // This set's bit among the scanner's owners: a text whose hits lack it holds none of
  // the set's literals, and its hits are not walked.
  std::uint64_t owner_ = 0;
  std::vector<int> local_of_;    // scanner literal id -> this set's atom id, or -1
  std::vector<int> always_;      // expressions the prefilter cannot vouch for: always candidates
  std::vector<int> unfiltered_;  // expressions without a literal (and always_): any text
  // The same two for a plain ASCII text, where the scanner finds the literals of always_
  // expressions as RE2 reads them (but for letters folding into ASCII): sets read
  // through FilteredRE2 only.
  std::vector<int> always_on_ascii_;
  std::vector<int> ascii_unfiltered_;
  // For line-wise use: local atom -> the expressions whose prefilter names it. A line
  // can only match expressions naming one of its atoms (or unfiltered ones).
  std::vector<std::vector<int>> users_of_atom_;
  // Per expression of an indexed set: the atoms it cannot match without, each on its own
  // (its prefilter joins them with AND: "deli?very to the following recipients? failed"
  // needs "del", "very to the following recipient" and " failed"), so a text holding
  // only some of them is no candidate; the atom index alone takes any of them.
  std::vector<std::vector<int>> required_;
  std::uint64_t checked_mask_ = 0;  // sets of up to 64: the expressions with required_ atoms
  bool line_index_ = false;
  // The same index as bit masks, for sets of up to 64 expressions (bit i: expression i),
  // so a line's candidates are an OR per literal found, in index order without sorting.
  // Per local atom, for the sets of up to 64 (bit i: expression i), together so that a
  // hit reads one cache line: the expressions using the atom (users); those a hit of it
  // proves (proven: see proves_ below); those it proves when it starts the line (start)
  // or follows only white space there (blank_start: see start_proven).
  struct atom_bits {
    std::uint64_t users = 0, proven = 0, start = 0, blank_start = 0;
  };
  std::vector<atom_bits> atom_bits_;
  std::uint64_t unfiltered_mask_ = 0;
  bool mask_index_ = false;
  // Expressions that are only literals joined by '|' (see literal_branches in the .cpp):
  // local atom -> the expressions having it as a branch, which a hit of it proves to
  // match, so they need no RE2 run; as bit masks for the sets of up to 64.
  std::vector<std::size_t> atom_length_;
  std::vector<std::vector<int>> proves_;
  // Expressions that are a literal anchored at the start ("^\s*this is a permanent
  // error", "^(received|x-received): ", see start_literals in the .cpp), for the sets of
  // up to 64: local atom -> the expressions it proves when its hit starts the text or
  // line RE2 would read (`^`), or follows nothing but white space there (`^\s*`).
  // The expressions a hit of atom `a` starting at `start` proves, in a text or line whose
  // RE2 reading begins at `line_begin` (atom_bits start and blank_start).
  std::uint64_t start_proven(std::string_view text, std::size_t line_begin, std::size_t start, std::size_t a) const;
  // Sets of up to 64: the expressions anchored at the start by one character (or a group
  // of branches each beginning with one: "^\s*-+ *original message", "^(received|...)",
  // see first_byte_gate in the .cpp), as bit masks: gated_mask_ all of them, strict_mask_
  // those without white space allowed before it, first_byte_allowed_ per byte (256
  // entries, empty when none is gated) those it may begin.
  std::uint64_t gated_mask_ = 0, strict_mask_ = 0;
  std::vector<std::uint64_t> first_byte_allowed_;
  // The expressions of the set a line or text (RE2's `^` at its start) may match as far
  // as its first byte that is not white space tells (all others' bits set): a gated
  // expression needs that byte among its first bytes.
  std::uint64_t gate_mask(std::string_view line) const;
  // Small sets: all expressions in one RE2::Set, so a line that several expressions may
  // match is read once (one DFA pass) instead of once per expression. Compiled on first
  // use (every expression in it already compiled alone, so only memory can refuse it):
  // a one-file run reaches few of the sets' passes.
  struct lazy_set;
  std::unique_ptr<lazy_set> together_;
  std::vector<const RE2*> regexes_;                  // owned by filter_
  std::vector<std::unique_ptr<RE2>> line_regexes_;  // the same expressions, multi-line mode
  bool multi_line_ = false;
  bool split_rest_ = false;
  std::vector<std::unique_ptr<RE2>> heads_;  // per expression: without "(.*)$", or null
  bool split_address_ = false;
  std::vector<std::unique_ptr<address_split>> addresses_;  // per expression, or null
  bool compiled_ = false;
};

}  // namespace reports
