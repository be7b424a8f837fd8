#include "reports/literal_scanner.hpp"

#include <algorithm>
#include <atomic>
#include <type_traits>

namespace reports {
namespace {

// A text this many times the longest literal is scanned as two halves at once.
constexpr std::size_t split_factor = 4;

constexpr unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c; }

}  // namespace

int literal_scanner::add(std::string_view literal, std::uint64_t owner) {
  if (literal.empty()) return -1;
  std::string folded(literal);
  for (char& c : folded) c = static_cast<char>(fold(static_cast<unsigned char>(c)));
  const auto [it, inserted] = ids_.emplace(folded, static_cast<int>(literals_.size()));
  if (inserted) {
    literals_.push_back(std::move(folded));
    owners_.push_back(0);
  }
  owners_[static_cast<std::size_t>(it->second)] |= owner;
  return it->second;
}

void literal_scanner::compile() {
  static std::atomic<std::uint64_t> compiled{0};
  serial_ = ++compiled;
  // Byte classes: every byte used by a literal gets its own class, all others share 0.
  classes_ = 1;
  std::fill(std::begin(class_of_), std::end(class_of_), 0);
  for (const auto& l : literals_)
    for (const char c : l) {
      const auto b = static_cast<unsigned char>(c);
      if (class_of_[b] == 0) class_of_[b] = static_cast<std::uint8_t>(classes_++);
    }
  // Upper-case ASCII letters fold onto their lower-case class.
  for (unsigned c = 'A'; c <= 'Z'; ++c) class_of_[c] = class_of_[fold(static_cast<unsigned char>(c))];

  // The trie, as lists of children (state 0 is the root, nobody's child).
  std::vector<std::vector<int>> own_outputs(1);
  std::vector<std::uint32_t> first_child(1, 0), next_sibling(1, 0), class_of_state(1, 0);
  const auto child_of = [&](std::uint32_t state, std::uint32_t cls) -> std::uint32_t {
    for (std::uint32_t child = first_child[state]; child != 0; child = next_sibling[child])
      if (class_of_state[child] == cls) return child;
    return 0;
  };
  for (std::size_t id = 0; id < literals_.size(); ++id) {
    std::uint32_t state = 0;
    for (const char c : literals_[id]) {
      const std::uint32_t cls = class_of_[static_cast<unsigned char>(c)];
      std::uint32_t child = child_of(state, cls);
      if (child == 0) {
        child = static_cast<std::uint32_t>(own_outputs.size());
        own_outputs.emplace_back();
        class_of_state.push_back(cls);
        next_sibling.push_back(first_child[state]);
        first_child[state] = child;
        first_child.push_back(0);
      }
      state = child;
    }
    own_outputs[state].push_back(static_cast<int>(id));
  }
  const std::size_t states = own_outputs.size();

  // Breadth-first, first pass: failure links and outputs including the suffixes' (a
  // failure state is shallower, so it is finished first).
  std::vector<std::uint32_t> failure(states, 0), queue;
  std::vector<std::vector<int>> outputs(states);
  queue.reserve(states);
  for (std::uint32_t child = first_child[0]; child != 0; child = next_sibling[child]) queue.push_back(child);
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::uint32_t state = queue[q];
    outputs[state] = own_outputs[state];
    const auto& inherited = outputs[failure[state]];
    outputs[state].insert(outputs[state].end(), inherited.begin(), inherited.end());
    for (std::uint32_t child = first_child[state]; child != 0; child = next_sibling[child]) {
      const std::uint32_t c = class_of_state[child];
      std::uint32_t f = failure[state];
      while (f != 0 && child_of(f, c) == 0) f = failure[f];
      failure[child] = child_of(f, c);
      queue.push_back(child);
    }
  }
  // The states in which literals end are numbered after all others, so the scan loop
  // tells them by one comparison of the state it already holds (no flag to mask off per
  // byte). Both groups in breadth-first order: the shallow states, where a scan spends
  // most bytes, are neighbours in each column. The root has no output: it stays state 0.
  std::vector<std::uint32_t> renumbered(states, 0);
  std::uint32_t plain = 1;
  for (const std::uint32_t s : queue)
    if (outputs[s].empty()) renumbered[s] = plain++;
  std::uint32_t with_output = plain;
  for (const std::uint32_t s : queue)
    if (!outputs[s].empty()) renumbered[s] = with_output++;
  first_output_ = plain;
  longest_ = 0;
  for (const auto& l : literals_) longest_ = std::max(longest_, l.size());

  // Second pass: the full transition table, written column by column in the final
  // numbering. A state's entry in a column is its child on that class, else its failure
  // state's entry, else (the root) the root. Every failure state is numbered before the
  // states failing to it (it is shallower, and a state without outputs fails to one
  // without), so one pass in numbering order finds each failure entry finished.
  std::vector<std::uint32_t> failure_of(states, 0);  // by final number
  for (const std::uint32_t state : queue) failure_of[renumbered[state]] = renumbered[failure[state]];
  const auto fill = [&](auto& next) {
    using entry = typename std::decay_t<decltype(next)>::value_type;
    constexpr entry none = static_cast<entry>(~entry{0});  // never a state: states < none
    next.assign(states * classes_, none);
    for (std::size_t state = 0; state < states; ++state)
      for (std::uint32_t child = first_child[state]; child != 0; child = next_sibling[child])
        next[class_of_state[child] * states + renumbered[state]] = static_cast<entry>(renumbered[child]);
    for (std::size_t c = 0; c < classes_; ++c) {
      entry* const column = next.data() + c * states;
      if (column[0] == none) column[0] = 0;
      for (std::size_t s = 1; s < states; ++s)
        if (column[s] == none) column[s] = column[failure_of[s]];
    }
  };
  next16_.clear();
  next32_.clear();
  if (states < 0xffff) fill(next16_);
  else fill(next32_);
  for (unsigned b = 0; b < 256; ++b) {
    const std::size_t column = class_of_[b] * states;
    column_at_[b] = next16_.empty() ? static_cast<const void*>(next32_.data() + column)
                                    : static_cast<const void*>(next16_.data() + column);
  }

  std::vector<std::uint32_t> old_of(states);
  for (std::size_t s = 0; s < states; ++s) old_of[renumbered[s]] = static_cast<std::uint32_t>(s);
  out_begin_.assign(states - plain + 1, 0);
  outputs_.clear();
  for (std::size_t n = plain; n < states; ++n) {
    out_begin_[n - plain] = static_cast<std::uint32_t>(outputs_.size());
    const auto& own = outputs[old_of[n]];
    outputs_.insert(outputs_.end(), own.begin(), own.end());
  }
  out_begin_[states - plain] = static_cast<std::uint32_t>(outputs_.size());
}

void literal_scanner::scan(std::string_view text, std::vector<int>& found) const {
  found.clear();
  std::vector<hit> hits;
  scan_positions(text, hits);
  if (hits.empty()) return;
  std::vector<std::uint64_t> seen((literals_.size() + 63) / 64, 0);
  for (const hit& h : hits) seen[static_cast<std::size_t>(h.id) / 64] |= 1ull << (h.id % 64);
  for (std::size_t w = 0; w < seen.size(); ++w)
    for (std::uint64_t bits = seen[w]; bits != 0; bits &= bits - 1)
      found.push_back(static_cast<int>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))));
}

void literal_scanner::scan_positions(std::string_view text, std::vector<hit>& hits) const {
  hits.clear();
  if (!next16_.empty()) scan_positions_in<std::uint16_t>(text, hits);
  else if (!next32_.empty()) scan_positions_in<std::uint32_t>(text, hits);
}

template <typename Entry>
void literal_scanner::scan_positions_in(std::string_view text, std::vector<hit>& hits) const {
  // States from first_output_ on are states in which literals end. size_t states: no
  // zero-extension per byte.
  const std::size_t first_output = first_output_;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const auto report = [&](std::vector<hit>& into, std::size_t at_state, std::size_t end) {
    const std::size_t at = at_state - first_output;
    for (std::uint32_t o = out_begin_[at]; o != out_begin_[at + 1]; ++o) into.push_back({outputs_[o], end});
  };
  std::size_t state = 0;
  std::size_t i = 0;
  if (text.size() >= split_factor * longest_ && longest_ > 0) {
    // Two scans at once, over the halves: each byte's look-up waits for the previous one
    // (the next state), and a table entry not in L1 cache makes it wait longer, so two
    // independent chains of look-ups take little more time than one. The second starts
    // longest_ - 1 bytes before the middle: the state after a byte is the longest
    // suffix that begins a literal, at most longest_ bytes, so from the middle on it is
    // the state a scan from the start would hold; hits ending before the middle are the
    // first half's.
    const std::size_t middle = text.size() / 2;
    const std::size_t second_start = middle - (longest_ - 1);
    thread_local std::vector<hit> second_hits;
    second_hits.clear();
    std::size_t second = 0;
    for (; i + 2 <= middle; i += 2) {
      state = column<Entry>(bytes[i])[state];
      second = column<Entry>(bytes[second_start + i])[second];
      if (state >= first_output) report(hits, state, i + 1);
      if (second >= first_output && second_start + i >= middle) report(second_hits, second, second_start + i + 1);
      state = column<Entry>(bytes[i + 1])[state];
      second = column<Entry>(bytes[second_start + i + 1])[second];
      if (state >= first_output) report(hits, state, i + 2);
      if (second >= first_output && second_start + i + 1 >= middle) report(second_hits, second, second_start + i + 2);
    }
    for (; i < middle; ++i) {
      state = column<Entry>(bytes[i])[state];
      second = column<Entry>(bytes[second_start + i])[second];
      if (state >= first_output) report(hits, state, i + 1);
      if (second >= first_output && second_start + i >= middle) report(second_hits, second, second_start + i + 1);
    }
    for (std::size_t j = second_start + middle; j < text.size(); ++j) {
      second = column<Entry>(bytes[j])[second];
      if (second >= first_output) report(second_hits, second, j + 1);
    }
    hits.insert(hits.end(), second_hits.begin(), second_hits.end());
    return;
  }
  // Four bytes per round: the loop's own bookkeeping is paid once for four lookups.
  for (; i + 4 <= text.size(); i += 4) {
    state = column<Entry>(bytes[i])[state];
    if (state >= first_output) report(hits, state, i + 1);
    state = column<Entry>(bytes[i + 1])[state];
    if (state >= first_output) report(hits, state, i + 2);
    state = column<Entry>(bytes[i + 2])[state];
    if (state >= first_output) report(hits, state, i + 3);
    state = column<Entry>(bytes[i + 3])[state];
    if (state >= first_output) report(hits, state, i + 4);
  }
  for (; i < text.size(); ++i) {
    state = column<Entry>(bytes[i])[state];
    if (state >= first_output) report(hits, state, i + 1);
  }
}

}  // namespace reports
