#pragma once
// reports/literal_scanner: which of many fixed strings occur in a text, in one pass
// (Aho-Corasick automaton, fully expanded into a transition table over byte classes).
//
// Matching is ASCII case-insensitive: literals are stored lower case and the text's
// ASCII letters are folded while scanning; other bytes (UTF-8 of CJK text) match
// exactly. Cost: one table lookup per input byte, whatever the number of literals.
// Used as the prefilter of reports/pattern_set (RE2's FilteredRE2 names the literals a
// regex cannot match without).
// Thread-safety: after compile(), scan() and scan_positions() may be called concurrently
// (a long text's second half collects its hits in a per-thread vector).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace reports {

class literal_scanner {
 public:
  literal_scanner() = default;
  // Not copied: column_at_ points into the scanner's own table.
  literal_scanner(const literal_scanner&) = delete;
  literal_scanner& operator=(const literal_scanner&) = delete;
  // Adds a literal (lower-cased here); returns its id. Adding the same literal twice
  // returns the same id. Empty literals are refused (-1). `owner` (from new_owner()) is
  // ORed into the literal's owners.
  int add(std::string_view literal, std::uint64_t owner = 0);
  // A bit naming one user of the scanner (a pattern set), so that a text's hits tell
  // which users have any: the first 64 users get bits of their own, later ones share.
  std::uint64_t new_owner() { return std::uint64_t{1} << (owners_count_++ % 64); }
  // Builds the automaton; call once after the last add().
  void compile();
  // Ids of the literals occurring in `text`, ascending and distinct, into `found`.
  void scan(std::string_view text, std::vector<int>& found) const;
  struct hit {
    int id;
    std::size_t end;  // offset just past the literal's last byte
  };
  // Every occurrence, in order of its end offset, into `hits`.
  void scan_positions(std::string_view text, std::vector<hit>& hits) const;
  // The owners of the literals of `hits` together: a user whose bit is missing has no hit.
  std::uint64_t owners_of(const std::vector<hit>& hits) const {
    std::uint64_t owners = 0;
    for (const hit& h : hits) owners |= owners_[static_cast<std::size_t>(h.id)];
    return owners;
  }
  std::size_t size() const { return literals_.size(); }
  // Distinct for every compile() of every scanner in the process (never reused, unlike an
  // address): names the automaton in per-thread caches of scan results.
  std::uint64_t serial() const { return serial_; }

 private:
  std::vector<std::string> literals_;
  std::vector<std::uint64_t> owners_;  // per literal
  std::uint64_t owners_count_ = 0;
  std::unordered_map<std::string, int> ids_;
  std::uint8_t class_of_[256] = {};     // folded byte -> input class (0 = in no literal)
  std::uint32_t classes_ = 1;
  // Transitions, one column per input class (a column holds every state's next state on
  // that class): column_at_[byte][state] is the next state, one load indexed by the state
  // with no add before it in the chain of look-ups each byte waits on (the column's
  // start, read by the byte, does not wait). States are numbered breadth first, so the
  // shallow states a scan spends most bytes in share cache lines within each column;
  // 16-bit entries while the states fit (they do for the knowledge's scanners), 32-bit
  // beyond. The states in which literals end come last, from first_output_ on.
  const void* column_at_[256] = {};  // into next16_ or next32_
  template <typename Entry>
  const Entry* column(unsigned char byte) const { return static_cast<const Entry*>(column_at_[byte]); }
  std::vector<std::uint16_t> next16_;
  std::vector<std::uint32_t> next32_;
  std::uint32_t first_output_ = 0;
  std::size_t longest_ = 0;  // the longest literal's length: the automaton's deepest state
  // state - first_output_ -> first output; the next entry -> its end.
  std::vector<std::uint32_t> out_begin_;
  std::vector<int> outputs_;  // literal ids ending at each such state (with suffixes)
  template <typename Entry>
  void scan_positions_in(std::string_view text, std::vector<hit>& hits) const;
  std::uint64_t serial_ = 0;
};

}  // namespace reports
