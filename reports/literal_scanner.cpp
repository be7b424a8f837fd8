#include "reports/literal_scanner.hpp"

#include <algorithm>
#include <atomic>

namespace reports {
namespace {

constexpr unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c; }

}  // namespace

int literal_scanner::add(std::string_view literal) {
  if (literal.empty()) return -1;
  std::string folded(literal);
  for (char& c : folded) c = static_cast<char>(fold(static_cast<unsigned char>(c)));
  const auto [it, inserted] = ids_.emplace(folded, static_cast<int>(literals_.size()));
  if (inserted) literals_.push_back(std::move(folded));
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

  // The trie, built in the transition table itself (0 = no edge: the root is nobody's
  // child); each state's children are also kept as a list, so the breadth-first pass
  // below touches a row's children only, not all of its classes.
  next_.assign(classes_, 0);
  std::vector<std::vector<int>> own_outputs(1);
  std::vector<std::uint32_t> first_child(1, 0), next_sibling(1, 0), class_of_state(1, 0);
  for (std::size_t id = 0; id < literals_.size(); ++id) {
    std::uint32_t state = 0;
    for (const char c : literals_[id]) {
      const std::uint32_t cls = class_of_[static_cast<unsigned char>(c)];
      const std::size_t slot = std::size_t{state} * classes_ + cls;
      if (next_[slot] == 0) {
        const auto child = static_cast<std::uint32_t>(own_outputs.size());
        next_[slot] = child;
        own_outputs.emplace_back();
        class_of_state.push_back(cls);
        next_sibling.push_back(first_child[state]);
        first_child[state] = child;
        first_child.push_back(0);
        next_.resize(next_.size() + classes_, 0);
      }
      state = next_[slot];
    }
    own_outputs[state].push_back(static_cast<int>(id));
  }
  const std::size_t states = own_outputs.size();

  // Breadth-first: failure links, full transitions, outputs including the suffixes'.
  // A state's row starts as a copy of its failure state's (finished earlier: it is
  // shallower), then its own children replace their entries. Entries are final as they
  // are written: a row offset, flagged when literals end in that state.
  std::vector<std::uint32_t> failure(states, 0);
  std::vector<std::vector<int>> outputs(states);
  std::vector<bool> has_output(states, false);
  std::vector<std::uint32_t> queue;
  queue.reserve(states);
  const auto encode = [&](std::uint32_t s) { return s * classes_ | (has_output[s] ? output_flag : 0u); };
  for (std::uint32_t child = first_child[0]; child != 0; child = next_sibling[child]) {
    has_output[child] = !own_outputs[child].empty();
    queue.push_back(child);
  }
  std::fill(next_.begin(), next_.begin() + classes_, 0u);
  for (const std::uint32_t child : queue) next_[class_of_state[child]] = encode(child);
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::uint32_t state = queue[q];
    const std::uint32_t fail = failure[state];
    outputs[state] = own_outputs[state];
    const auto& inherited = outputs[fail];
    outputs[state].insert(outputs[state].end(), inherited.begin(), inherited.end());
    std::uint32_t* const row = next_.data() + std::size_t{state} * classes_;
    const std::uint32_t* const fail_row = next_.data() + std::size_t{fail} * classes_;
    std::copy(fail_row, fail_row + classes_, row);
    for (std::uint32_t child = first_child[state]; child != 0; child = next_sibling[child]) {
      const std::uint32_t c = class_of_state[child];
      failure[child] = (fail_row[c] & ~output_flag) / classes_;
      has_output[child] = !own_outputs[child].empty() || has_output[failure[child]];
      row[c] = encode(child);
      queue.push_back(child);
    }
  }
  // States in which literals end are numbered after all others, so the scan loop tells
  // them by one comparison of the row it already holds (no flag to mask off per byte).
  std::vector<std::uint32_t> renumbered(states);
  std::uint32_t plain = 0;
  for (std::size_t s = 0; s < states; ++s)
    if (!has_output[s]) renumbered[s] = plain++;
  std::uint32_t with_output = plain;
  for (std::size_t s = 0; s < states; ++s)
    if (has_output[s]) renumbered[s] = with_output++;
  // In place (a second table would double the peak memory of loading): the entries
  // first, then each row moved to its new place along the permutation's cycles.
  for (std::uint32_t& entry : next_) entry = renumbered[(entry & ~output_flag) / classes_] * classes_;
  std::vector<std::uint32_t> held(classes_), displaced(classes_);
  std::vector<bool> placed(states, false);
  const auto row = [&](std::size_t state) { return next_.begin() + static_cast<std::ptrdiff_t>(state * classes_); };
  for (std::size_t start = 0; start < states; ++start) {
    if (placed[start]) continue;
    std::copy(row(start), row(start) + classes_, held.begin());  // the row that belongs at renumbered[start]
    for (std::size_t at = start;;) {
      const std::size_t to = renumbered[at];
      placed[to] = true;
      if (to == start) {
        std::copy(held.begin(), held.end(), row(to));
        break;
      }
      std::copy(row(to), row(to) + classes_, displaced.begin());
      std::copy(held.begin(), held.end(), row(to));
      held.swap(displaced);
      at = to;
    }
  }
  first_output_row_ = plain * classes_;
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
  if (next_.empty()) return;
  std::vector<std::uint64_t> seen((literals_.size() + 63) / 64, 0);
  std::size_t row = 0;
  const std::uint32_t* next = next_.data();
  bool any = false;
  for (const char c : text) {
    row = next[row + class_of_[static_cast<unsigned char>(c)]];
    if (row >= first_output_row_) {
      const std::size_t at = (row - first_output_row_) / classes_;
      for (std::uint32_t o = out_begin_[at]; o != out_begin_[at + 1]; ++o)
        seen[static_cast<std::size_t>(outputs_[o]) / 64] |= 1ull << (outputs_[o] % 64);
      any = true;
    }
  }
  if (!any) return;
  for (std::size_t w = 0; w < seen.size(); ++w)
    for (std::uint64_t bits = seen[w]; bits != 0; bits &= bits - 1)
      found.push_back(static_cast<int>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))));
}

void literal_scanner::scan_positions(std::string_view text, std::vector<hit>& hits) const {
  hits.clear();
  if (next_.empty()) return;
  // A row is a state's offset in next_ (state * classes_); rows from first_output_row_ on
  // are states in which literals end. size_t rows: no zero-extension per byte.
  std::size_t row = 0;
  const std::uint32_t* next = next_.data();
  const std::size_t first_output = first_output_row_;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const auto report = [&](std::size_t at_row, std::size_t end) {
    const std::size_t at = (at_row - first_output) / classes_;
    for (std::uint32_t o = out_begin_[at]; o != out_begin_[at + 1]; ++o) hits.push_back({outputs_[o], end});
  };
  // Four bytes per round: the loop's own bookkeeping is paid once for four lookups.
  std::size_t i = 0;
  for (; i + 4 <= text.size(); i += 4) {
    row = next[row + class_of_[bytes[i]]];
    if (row >= first_output) report(row, i + 1);
    row = next[row + class_of_[bytes[i + 1]]];
    if (row >= first_output) report(row, i + 2);
    row = next[row + class_of_[bytes[i + 2]]];
    if (row >= first_output) report(row, i + 3);
    row = next[row + class_of_[bytes[i + 3]]];
    if (row >= first_output) report(row, i + 4);
  }
  for (; i < text.size(); ++i) {
    row = next[row + class_of_[bytes[i]]];
    if (row >= first_output) report(row, i + 1);
  }
}

}  // namespace reports
