#include "reports/pattern_set.hpp"

#include "reports/text.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cctype>
#include <mutex>

namespace reports {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_max_mem(8 << 20);
  return o;
}

// Sets up to this size also get one RE2::Set of all their expressions (a union of more
// expressions makes a DFA whose states do not fit its cache on varied text).
constexpr std::size_t max_together = 64;
// Sets up to this size are read through their own line index (each expression's own
// atoms), larger ones through FilteredRE2's prefilter tree (see pattern_set::many).
constexpr std::size_t max_line_indexed = 256;
// The RE2::Set pass is used when at least this many expressions may match: it reads the
// whole text and allocates its match list, so for two or three candidates running them
// one by one (stopping at the first match) costs less (measured over the corpus: 4 best).
constexpr std::size_t min_together_candidates = 4;

// Texts up to this size (a diagnostic) are remembered per thread and scanner (see scan()).
constexpr std::size_t max_remembered_bytes = 4096;

// Literals shorter than this are not worth a prefilter entry.
constexpr int min_atom_length = 3;

// Letters with case outside ASCII (Latin-1 supplement to Cyrillic: UTF-8 lead bytes
// 0xC3..0xD4): the scanner folds only ASCII, so such patterns are always run.
bool has_non_ascii_cased_letters(std::string_view expression) {
  for (const char c : expression) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0xC3 && b <= 0xD4) return true;
  }
  return false;
}

// The expression without a final "(.*)$" group, when it ends so and has no alternation
// at its top level (in "a|b(.*)$" the group belongs to one branch); else "".
std::string head_before_rest_of_line(std::string_view expression) {
  constexpr std::string_view rest = "(.*)$";
  if (!expression.ends_with(rest)) return {};
  const std::string_view head = expression.substr(0, expression.size() - rest.size());
  int depth = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < head.size(); ++i) {
    const char c = head[i];
    if (c == '\\') {
      ++i;  // the escaped character, whatever it is
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < head.size() && head[i + 1] == '^') ++i;
      if (i + 1 < head.size() && head[i + 1] == ']') ++i;  // "[]...]": a literal ']'
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return {};
    } else if (c == '|' && depth == 0) {
      return {};
    }
  }
  // An escape at the very end would have eaten the group's '(' (loop skipped past it).
  if (depth != 0 || in_class) return {};
  std::size_t backslashes = 0;
  while (backslashes < head.size() && head[head.size() - 1 - backslashes] == '\\') ++backslashes;
  if (backslashes % 2 != 0) return {};
  return std::string(head);
}

// A bracket class starting at expression[i] == '[': the index just past its ']', or npos.
std::size_t class_end(std::string_view expression, std::size_t i) {
  std::size_t j = i + 1;
  if (j < expression.size() && expression[j] == '^') ++j;
  if (j < expression.size() && expression[j] == ']') ++j;  // "[]...]": a literal ']'
  for (; j < expression.size(); ++j) {
    if (expression[j] == '\\') {
      ++j;
      continue;
    }
    if (expression[j] == ']') return j + 1;
  }
  return std::string_view::npos;
}

// True when the expression has a '|' outside every group and class (its parts then do
// not run one after the other).
bool has_top_level_alternation(std::string_view expression) {
  int depth = 0;
  for (std::size_t i = 0; i < expression.size(); ++i) {
    const char c = expression[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '[') {
      const std::size_t end = class_end(expression, i);
      if (end == std::string_view::npos) return true;
      i = end - 1;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return true;
    }
  }
  return false;
}

// Where the first capturing group opens: the index of its '(', or npos.
std::size_t first_group(std::string_view expression) {
  for (std::size_t i = 0; i < expression.size(); ++i) {
    const char c = expression[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      const std::size_t end = class_end(expression, i);
      if (end == std::string_view::npos) return std::string_view::npos;
      i = end - 1;
    } else if (c == '(' && (i + 1 >= expression.size() || expression[i + 1] != '?')) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

// An expression whose first group is an address "([X]+@[Y]+)" (or "+?)"), cut into the
// part before it, the two classes, the part after it and, when the expression ends in a
// group "(T)$", that tail. See find_address for why reading it by hand is exact.
struct address_split {
  std::unique_ptr<RE2> before;  // anchored at the match start when run
  std::unique_ptr<RE2> after;   // null when nothing comes between the address and the tail/end
  std::unique_ptr<RE2> tail;    // T, run anchored at both ends; null when there is no tail group
  bool tail_any = false;        // T is ".*": any ASCII rest matches without running it
  std::array<bool, 128> local{};   // X, per ASCII byte
  std::array<bool, 128> domain{};  // Y, per ASCII byte
  bool lazy = false;
  bool anchored = false;  // the expression starts with '^': the match starts at 0
  // The part before read by hand when it is "[^][\s*]L[ *]" with L literal ASCII text
  // (lower case, as literal_branches gives it): white space, L in any case, spaces, each
  // taken greedily, which is `before`'s own preferred match.
  bool before_by_hand = false;
  bool before_blanks = false;  // "\s*" first
  bool before_spaces = false;  // " *" last
  std::string before_literal;
};

namespace {

std::vector<std::string> literal_branches(std::string_view expression);

// The address split of `expression`, or null when it does not have that shape.
std::unique_ptr<address_split> address_split_of(std::string_view expression, const RE2::Options& o) {
  if (has_top_level_alternation(expression)) return nullptr;
  const std::size_t open = first_group(expression);
  if (open == std::string_view::npos || open + 1 >= expression.size() || expression[open + 1] != '[') return nullptr;
  const std::size_t local_end = class_end(expression, open + 1);
  if (local_end == std::string_view::npos || expression.substr(local_end, 3) != "+@[") return nullptr;
  const std::size_t domain_end = class_end(expression, local_end + 2);
  if (domain_end == std::string_view::npos || domain_end >= expression.size() || expression[domain_end] != '+') return nullptr;
  std::size_t close = domain_end + 1;
  const bool lazy = close < expression.size() && expression[close] == '?';
  if (lazy) ++close;
  if (close >= expression.size() || expression[close] != ')') return nullptr;
  const std::string local_class(expression.substr(open + 1, local_end - open - 1));
  const std::string domain_class(expression.substr(local_end + 2, domain_end - local_end - 2));
  // Classes of ASCII characters only, so that the table below says all about ASCII bytes.
  for (const std::string* c : {&local_class, &domain_class})
    for (const char b : *c)
      if (static_cast<unsigned char>(b) >= 0x80) return nullptr;
  // A final top-level capturing group followed by '$' is the tail.
  std::string_view after = expression.substr(close + 1);
  std::string_view tail;
  if (after.ends_with(")$")) {
    int depth = 0;
    std::size_t group_open = std::string_view::npos;
    for (std::size_t i = 0; i < after.size(); ++i) {
      const char c = after[i];
      if (c == '\\') {
        ++i;
      } else if (c == '[') {
        const std::size_t end = class_end(after, i);
        if (end == std::string_view::npos) return nullptr;
        i = end - 1;
      } else if (c == '(') {
        if (depth++ == 0) group_open = i;
      } else if (c == ')') {
        if (--depth == 0 && i + 2 == after.size() && after[group_open + 1] != '?') {
          tail = after.substr(group_open + 1, i - group_open - 1);
          after = after.substr(0, group_open);
        }
      }
    }
  }
  auto split = std::make_unique<address_split>();
  split->lazy = lazy;
  split->anchored = expression.starts_with('^');
  split->before = std::make_unique<RE2>(std::string(expression.substr(0, open)), o);
  if (!split->before->ok() || split->before->NumberOfCapturingGroups() != 0) return nullptr;
  std::string_view before = expression.substr(0, open);
  if (before.starts_with('^')) before.remove_prefix(1);  // the match start is `anchored`'s
  split->before_blanks = before.starts_with("\\s*");
  if (split->before_blanks) before.remove_prefix(3);
  split->before_spaces = before.ends_with(" *") && !before.ends_with("\\ *");
  if (split->before_spaces) before.remove_suffix(2);
  if (before.empty()) {
    split->before_by_hand = true;
  } else if (const std::vector<std::string> branches = literal_branches(before); branches.size() == 1) {
    split->before_by_hand = true;
    split->before_literal = branches.front();
  }
  if (!after.empty()) {
    split->after = std::make_unique<RE2>(std::string(after), o);
    if (!split->after->ok() || split->after->NumberOfCapturingGroups() != 0) return nullptr;
  }
  if (!tail.empty()) {
    split->tail = std::make_unique<RE2>(std::string(tail), o);
    if (!split->tail->ok()) return nullptr;
    split->tail_any = tail == ".*";
  }
  const RE2 local_re(local_class, o), domain_re(domain_class, o);
  if (!local_re.ok() || !domain_re.ok()) return nullptr;
  for (int b = 0; b < 128; ++b) {
    const char c = static_cast<char>(b);
    const re2::StringPiece one(&c, 1);
    split->local[static_cast<std::size_t>(b)] = RE2::FullMatch(one, local_re);
    split->domain[static_cast<std::size_t>(b)] = RE2::FullMatch(one, domain_re);
  }
  return split;
}

// The literal branches of an expression that is nothing but literals joined by '|' at its
// top level ("user unknown|no such user"; punctuation may be escaped), lower-cased as
// the literal scanner stores them; empty when the expression is anything more (a class,
// a group, a repetition, an anchor, an escape such as \b or \d, '.'). In case-insensitive
// mode such an expression matches a text exactly when the text holds one of them with
// ASCII letters in any case (and other bytes as they are), which is what the literal
// scanner finds. Expressions with letters cased outside ASCII are left out (the scanner
// folds ASCII only; RE2 folds them too).
std::vector<std::string> literal_branches(std::string_view expression) {
  if (expression.empty() || has_non_ascii_cased_letters(expression)) return {};
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < expression.size(); ++i) {
    const char c = expression[i];
    if (c == '|') {
      out.emplace_back();
      continue;
    }
    if (c == '\\') {
      // Only an escaped ASCII punctuation character stands for itself.
      if (i + 1 >= expression.size()) return {};
      const auto e = static_cast<unsigned char>(expression[i + 1]);
      if (e >= 0x80 || !std::ispunct(e)) return {};
      out.back().push_back(static_cast<char>(e));
      ++i;
      continue;
    }
    if (std::string_view(".^$?*+()[]{}").find(c) != std::string_view::npos) return {};
    out.back().push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  for (const auto& b : out)
    if (b.empty()) return {};
  return out;
}

// The literal strings an expression anchored at the start stands for, and whether white
// space may come first: "^\s*L" and "^L", and a group of literal alternatives inside,
// "^\s*L1(A|B)L2" or "^(?:A|B)L2", expanded into "L1AL2" and "L1BL2" (lower-cased as
// literal_branches gives them). Empty for any other expression. In case-insensitive
// mode, RE2 matches such an expression on a text (or line) exactly when one of the
// strings occurs at its start, or after nothing but white space (\s is [\t\n\f\r ]);
// a scanner hit of one there proves the match.
struct start_literal {
  std::vector<std::string> strings;
  bool blank_prefix = false;
};

start_literal start_literals(std::string_view expression) {
  start_literal out;
  if (!expression.starts_with("^")) return out;
  expression.remove_prefix(1);
  if (expression.starts_with("\\s*")) {
    out.blank_prefix = true;
    expression.remove_prefix(3);
  }
  // The literal parts: no '|' at the top level (literal_branches would split there).
  const auto single = [](std::string_view part, std::string& into) {
    if (part.empty()) return true;
    const std::vector<std::string> branches = literal_branches(part);
    if (branches.size() != 1) return false;
    into = branches.front();
    return true;
  };
  std::string head, tail;
  std::vector<std::string> middles(1);
  const std::size_t open = expression.find('(');
  if (open == std::string_view::npos) {
    if (expression.empty() || !single(expression, head)) return out;
  } else {
    // The group must not be escaped, nested, quantified or carry flags.
    if (open > 0 && expression[open - 1] == '\\') return out;
    std::size_t inner = open + 1;
    if (expression.substr(inner).starts_with("?:")) inner += 2;
    else if (expression.substr(inner).starts_with("?")) return out;
    const std::size_t close = expression.find(')', inner);
    if (close == std::string_view::npos || expression[close - 1] == '\\') return out;
    const std::string_view alternatives = expression.substr(inner, close - inner);
    if (alternatives.find('(') != std::string_view::npos) return out;
    const std::string_view after = expression.substr(close + 1);
    if (!after.empty() && std::string_view("?*+{").find(after.front()) != std::string_view::npos) return out;
    if (!single(expression.substr(0, open), head) || !single(after, tail)) return out;
    middles = literal_branches(alternatives);
    if (middles.empty()) return out;
  }
  for (const auto& m : middles) out.strings.push_back(head + m + tail);
  return out;
}

// The bytes a line (or text) may begin with, after its white space, for RE2 to match an
// expression anchored at its start: "^X...", "^\s*X...", "^\s+X..." or "^ *X..." with X one
// character, a class of characters or a group of branches each beginning with one, and
// never white space (\s is [\t\n\f\r ] in RE2) nor optional. Then the first byte that is
// not white space must be one of `bytes` (and, for "^X", be the line's first byte): a
// line beginning otherwise cannot match, whatever follows. Letters stand for both cases
// and for the two letters outside ASCII that fold into it (U+212A, the Kelvin sign, to
// 'k'; U+017F, the long s, to 's': their first UTF-8 bytes). `ok` false: no such bound
// (the expression is always run when its atoms allow).
struct first_byte_gate {
  bool ok = false;
  bool strict = false;  // "^X": no white space may come first
  std::array<bool, 256> bytes{};
};

// One character of an expression at expression[i], lower ASCII only: its bytes into
// `into`, and the index past it; npos for anything else (a dot, a wider escape).
std::size_t gate_character(std::string_view e, std::size_t i, std::array<bool, 256>& into) {
  const auto add = [&](unsigned char c) {
    into[c] = true;
    if (c >= 'a' && c <= 'z') into[c - 'a' + 'A'] = true;
    if (c >= 'A' && c <= 'Z') into[c - 'A' + 'a'] = true;
    if (c == 'k' || c == 'K') into[0xE2] = true;  // U+212A KELVIN SIGN
    if (c == 's' || c == 'S') into[0xC5] = true;  // U+017F LATIN SMALL LETTER LONG S
  };
  if (i >= e.size()) return std::string_view::npos;
  const auto c = static_cast<unsigned char>(e[i]);
  if (c >= 0x80 || std::string_view(".()|^$?*+{}").find(static_cast<char>(c)) != std::string_view::npos)
    return std::string_view::npos;
  if (c == '\\') {
    if (i + 1 >= e.size()) return std::string_view::npos;
    const auto n = static_cast<unsigned char>(e[i + 1]);
    if (n == 'd') {
      for (unsigned char d = '0'; d <= '9'; ++d) add(d);
      return i + 2;
    }
    if (n < 0x80 && !std::isalnum(n)) {
      add(n);
      return i + 2;
    }
    return std::string_view::npos;
  }
  if (c == '[') {
    // A plain class: characters and ASCII ranges, no negation, no escape.
    const std::size_t end = class_end(e, i);
    if (end == std::string_view::npos || e[i + 1] == '^') return std::string_view::npos;
    for (std::size_t j = i + 1; j + 1 < end; ++j) {
      const auto a = static_cast<unsigned char>(e[j]);
      if (a == '\\' || a >= 0x80 || a == '[') return std::string_view::npos;
      if (j + 2 < end - 1 && e[j + 1] == '-') {
        const auto b = static_cast<unsigned char>(e[j + 2]);
        if (b == '\\' || b >= 0x80 || b < a) return std::string_view::npos;
        for (unsigned x = a; x <= b; ++x) add(static_cast<unsigned char>(x));
        j += 2;
      } else {
        add(a);
      }
    }
    return end;
  }
  add(c);
  return i + 1;
}

// Whether the part of an expression at `i` (just past a character or group) makes it
// optional: '?', '*' or a count that may be 0.
bool optional_after(std::string_view e, std::size_t i) {
  return i < e.size() && (e[i] == '?' || e[i] == '*' || (e[i] == '{' && i + 1 < e.size() && (e[i + 1] == '0' || e[i + 1] == ',')));
}

first_byte_gate first_byte_gate_of(std::string_view expression) {
  first_byte_gate gate;
  if (!expression.starts_with("^") || has_top_level_alternation(expression)) return gate;
  std::string_view e = expression.substr(1);
  gate.strict = true;
  for (const std::string_view blanks : {"\\s*", "\\s+", " *", " +"})
    if (e.starts_with(blanks)) {
      e.remove_prefix(blanks.size());
      gate.strict = false;
      break;
    }
  std::size_t next = std::string_view::npos;
  if (e.starts_with("(")) {
    // A group of branches: each must begin with one character, not optional.
    std::size_t i = e.starts_with("(?:") ? 3 : 1;
    if (e.substr(i).starts_with("?")) return gate;  // flags or a named group
    int depth = 0;
    bool branch_start = true;
    for (; i < e.size(); ++i) {
      const char c = e[i];
      if (branch_start && depth == 0) {
        const std::size_t past = gate_character(e, i, gate.bytes);
        if (past == std::string_view::npos || optional_after(e, past)) return first_byte_gate{};
        branch_start = false;
        i = past - 1;
        continue;
      }
      if (c == '\\') {
        ++i;
      } else if (c == '[') {
        const std::size_t end = class_end(e, i);
        if (end == std::string_view::npos) return first_byte_gate{};
        i = end - 1;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (depth-- == 0) break;
      } else if (c == '|' && depth == 0) {
        branch_start = true;
      }
    }
    if (i >= e.size() || branch_start) return first_byte_gate{};
    next = i + 1;
  } else {
    next = gate_character(e, 0, gate.bytes);
  }
  if (next == std::string_view::npos || optional_after(e, next)) return first_byte_gate{};
  for (const unsigned char blank : {'\t', '\n', '\f', '\r', ' '})
    if (gate.bytes[blank]) return first_byte_gate{};
  gate.ok = true;
  return gate;
}

void sort_unique(std::vector<int>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

struct pattern_set::lazy_set {
  std::once_flag once;
  std::atomic<bool> built{false};  // after call_once: one load instead of pthread_once per pass
  std::unique_ptr<RE2::Set> set;
};

pattern_set::pattern_set() = default;
pattern_set::pattern_set(pattern_set&&) noexcept = default;
pattern_set& pattern_set::operator=(pattern_set&&) noexcept = default;
pattern_set::~pattern_set() = default;

bool pattern_set::become_whole(std::string& error) {
  // Each expression is compiled again into the one FilteredRE2 (the own ones go).
  whole_ = true;
  filter_ = std::make_unique<re2::FilteredRE2>(min_atom_length);
  for (std::size_t r = 0; r < own_filters_.size(); ++r) {
    int id = -1;
    if (filter_->Add(own_filters_[r]->GetRE2(0).pattern(), options(), &id) != RE2::NoError) {
      error = "bad pattern '" + own_filters_[r]->GetRE2(0).pattern() + "'";
      return false;
    }
    regexes_[r] = &filter_->GetRE2(id);
  }
  own_filters_.clear();
  return true;
}

bool pattern_set::add(const std::string& expression, std::string& error) {
  if (!whole_ && regexes_.size() == max_line_indexed && !become_whole(error)) return false;
  if (whole_ && filter_ == nullptr) filter_ = std::make_unique<re2::FilteredRE2>(min_atom_length);
  // Each expression is compiled once, by the FilteredRE2 that holds it.
  re2::FilteredRE2* holder = filter_.get();
  std::unique_ptr<re2::FilteredRE2> own;
  if (!whole_) {
    own = std::make_unique<re2::FilteredRE2>(min_atom_length);
    holder = own.get();
  }
  int id = -1;
  if (holder->Add(expression, options(), &id) != RE2::NoError) {
    error = "bad pattern '" + expression + "': " + RE2(expression, options()).error();
    return false;
  }
  const RE2& regex = holder->GetRE2(id);
  id = static_cast<int>(regexes_.size());
  if (own) own_filters_.push_back(std::move(own));
  if (multi_line_) {
    auto line_regex = std::make_unique<RE2>("(?m)" + expression, options());
    if (!line_regex->ok()) {
      error = "bad pattern '" + expression + "' in multi-line mode";
      return false;
    }
    line_regexes_.push_back(std::move(line_regex));
  }
  if (has_non_ascii_cased_letters(expression)) always_.push_back(id);
  regexes_.push_back(&regex);
  if (split_rest_) {
    std::unique_ptr<RE2> head;
    if (const std::string h = head_before_rest_of_line(expression); !h.empty()) {
      head = std::make_unique<RE2>(h, options());
      if (!head->ok() || head->NumberOfCapturingGroups() + 1 != regex.NumberOfCapturingGroups()) head.reset();
    }
    heads_.push_back(std::move(head));
  }
  if (split_address_) {
    std::unique_ptr<address_split> address = address_split_of(expression, options());
    if (address && regex.NumberOfCapturingGroups() != (address->tail ? 2 : 1)) address.reset();
    addresses_.push_back(std::move(address));
  }
  return true;
}

bool pattern_set::compile(std::string& /*error*/, std::shared_ptr<literal_scanner> shared) {
  const bool own = shared == nullptr;
  scanner_ = own ? std::make_shared<literal_scanner>() : std::move(shared);
  compiled_ = !regexes_.empty();
  if (!compiled_) return true;
  line_index_ = !whole_;
  // The set's atoms: FilteredRE2's for a whole set; for the others, each expression's
  // own, in order of first naming. `own_atoms[r]`: expression r's, as local ids.
  std::vector<std::string> atoms;
  std::vector<std::vector<int>> own_atoms;
  if (whole_) {
    filter_->Compile(&atoms);
  } else {
    own_atoms.resize(regexes_.size());
    std::vector<std::string> its;
    for (std::size_t r = 0; r < regexes_.size(); ++r) {
      own_filters_[r]->Compile(&its);
      for (const auto& atom : its) {
        auto it = std::find(atoms.begin(), atoms.end(), atom);
        if (it == atoms.end()) it = atoms.insert(atoms.end(), atom);
        own_atoms[r].push_back(static_cast<int>(it - atoms.begin()));
      }
    }
  }
  std::vector<int> global(atoms.size());
  owner_ = scanner_->new_owner();
  for (std::size_t i = 0; i < atoms.size(); ++i) global[i] = scanner_->add(atoms[i], owner_);
  local_of_.assign(scanner_->size(), -1);
  for (std::size_t i = 0; i < atoms.size(); ++i) local_of_[static_cast<std::size_t>(global[i])] = static_cast<int>(i);
  if (own) scanner_->compile();
  // Literal expressions: a hit of one of their branches proves the match (no RE2 run).
  atom_length_.resize(atoms.size());
  for (std::size_t a = 0; a < atoms.size(); ++a) atom_length_[a] = atoms[a].size();
  proves_.assign(atoms.size(), {});
  for (std::size_t r = 0; r < regexes_.size(); ++r)
    for (const auto& branch : literal_branches(regexes_[r]->pattern()))
      if (const auto it = std::find(atoms.begin(), atoms.end(), branch); it != atoms.end())
        proves_[static_cast<std::size_t>(it - atoms.begin())].push_back(static_cast<int>(r));
  for (auto& p : proves_) sort_unique(p);
  std::vector<int> prefilter_unfiltered;
  if (whole_) {
    filter_->AllPotentials({}, &unfiltered_);
    prefilter_unfiltered = unfiltered_;
    sort_unique(prefilter_unfiltered);
  } else {
    unfiltered_.clear();
  }
  unfiltered_.insert(unfiltered_.end(), always_.begin(), always_.end());
  sort_unique(unfiltered_);
  // Line index for the small sets read line by line: each expression's own atoms.
  if (line_index_) {
    users_of_atom_.assign(atoms.size(), {});
    required_.assign(regexes_.size(), {});
    for (std::size_t r = 0; r < regexes_.size(); ++r) {
      if (std::binary_search(unfiltered_.begin(), unfiltered_.end(), static_cast<int>(r))) continue;
      const std::vector<int>& local = own_atoms[r];
      if (local.empty()) {
        unfiltered_.push_back(static_cast<int>(r));  // names no literal: always a candidate
        continue;
      }
      for (const int a : local) users_of_atom_[static_cast<std::size_t>(a)].push_back(static_cast<int>(r));
      // The atoms it cannot match without, each on its own: with every other atom of the
      // expression present, its prefilter still refuses a text lacking this one.
      if (local.size() < 2) continue;
      for (std::size_t j = 0; j < local.size(); ++j) {
        std::vector<int> others, passed;
        for (std::size_t o = 0; o < local.size(); ++o)
          if (o != j) others.push_back(static_cast<int>(o));
        own_filters_[r]->AllPotentials(others, &passed);
        if (passed.empty()) required_[r].push_back(local[j]);
      }
    }
    sort_unique(unfiltered_);
  }
  // Letters cased outside ASCII fold only to letters outside ASCII, except U+017F (long
  // s, to 's') and U+212A (Kelvin sign, to 'k'): in a plain ASCII text the scanner finds
  // whatever such an expression needs, so FilteredRE2 vouches for it as for any other.
  // Only for the sets read through FilteredRE2 (the atom index leaves them out).
  ascii_unfiltered_ = unfiltered_;
  always_on_ascii_.clear();
  for (const int r : always_) {
    const std::string& pattern = regexes_[static_cast<std::size_t>(r)]->pattern();
    const bool folds_to_ascii = pattern.find("\xC5\xBF") != std::string::npos || pattern.find("\xE2\x84\xAA") != std::string::npos;
    if (folds_to_ascii || line_index_ || std::binary_search(prefilter_unfiltered.begin(), prefilter_unfiltered.end(), r))
      always_on_ascii_.push_back(r);
    else
      std::erase(ascii_unfiltered_, r);
  }
  mask_index_ = line_index_ && regexes_.size() <= 64;
  if (mask_index_) {
    atom_bits_.assign(atoms.size(), {});
    for (std::size_t a = 0; a < atoms.size(); ++a)
      for (const int r : users_of_atom_[a]) atom_bits_[a].users |= std::uint64_t{1} << r;
    unfiltered_mask_ = 0;
    for (const int r : unfiltered_) unfiltered_mask_ |= std::uint64_t{1} << r;
    checked_mask_ = 0;
    for (std::size_t r = 0; r < regexes_.size(); ++r)
      if (!required_[r].empty()) checked_mask_ |= std::uint64_t{1} << r;
    for (std::size_t a = 0; a < atoms.size(); ++a)
      for (const int r : proves_[a]) atom_bits_[a].proven |= std::uint64_t{1} << r;
    for (std::size_t r = 0; r < regexes_.size(); ++r) {
      const start_literal start = start_literals(regexes_[r]->pattern());
      for (const auto& literal : start.strings)
        if (const auto it = std::find(atoms.begin(), atoms.end(), literal); it != atoms.end())
          (start.blank_prefix ? atom_bits_[static_cast<std::size_t>(it - atoms.begin())].blank_start
                              : atom_bits_[static_cast<std::size_t>(it - atoms.begin())].start) |= std::uint64_t{1} << r;
    }
  }
  if (mask_index_) {
    gated_mask_ = strict_mask_ = 0;
    first_byte_allowed_.clear();
    for (std::size_t r = 0; r < regexes_.size(); ++r) {
      const first_byte_gate gate = first_byte_gate_of(regexes_[r]->pattern());
      if (!gate.ok) continue;
      if (first_byte_allowed_.empty()) first_byte_allowed_.assign(256, 0);
      const std::uint64_t bit = std::uint64_t{1} << r;
      gated_mask_ |= bit;
      if (gate.strict) strict_mask_ |= bit;
      for (std::size_t b = 0; b < 256; ++b)
        if (gate.bytes[b]) first_byte_allowed_[b] |= bit;
    }
  }
  if (regexes_.size() <= max_together) together_ = std::make_unique<lazy_set>();
  return true;
}

std::uint64_t pattern_set::gate_mask(std::string_view line) const {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\f' || line[i] == '\r')) ++i;
  if (i == line.size()) return ~gated_mask_;
  std::uint64_t allowed = ~gated_mask_ | first_byte_allowed_[static_cast<unsigned char>(line[i])];
  if (i > 0) allowed &= ~strict_mask_;
  return allowed;
}

const RE2::Set* pattern_set::together() const {
  if (together_ == nullptr) return nullptr;
  if (together_->built.load(std::memory_order_acquire)) return together_->set.get();
  std::call_once(together_->once, [this] {
    auto set = std::make_unique<RE2::Set>(options(), RE2::UNANCHORED);
    bool added = true;
    for (const RE2* re : regexes_)
      if (set->Add(re->pattern(), nullptr) < 0) {
        added = false;
        break;
      }
    if (added && set->Compile()) together_->set = std::move(set);
    together_->built.store(true, std::memory_order_release);
  });
  return together_->set.get();
}


scanned_text pattern_set::scan(std::string_view text) const {
  scanned_text t;
  scan_into(text, t);
  return t;
}

void pattern_set::scan_into(std::string_view text, scanned_text& t) const {
  t.text = text;
  t.scanner = scanner_.get();
  t.hits.clear();
  t.owners = 0;
  if (!compiled_) return;
  // A diagnostic is scanned by the parser (its SMTP facts) and again by the classifier
  // (its reason): each scanner's last short text on this thread is remembered, so the
  // second scan is a comparison.
  struct remembered {
    std::uint64_t scanner = 0;
    std::string text;
    std::vector<literal_scanner::hit> hits;
  };
  thread_local std::array<remembered, 4> memo;
  const bool short_text = text.size() <= max_remembered_bytes;
  remembered* slot = nullptr;
  if (short_text) {
    for (auto& m : memo)
      if (m.scanner == scanner_->serial()) slot = &m;
    if (slot != nullptr && slot->text == text) {
      t.hits = slot->hits;
      t.owners = scanner_->owners_of(t.hits);
      return;
    }
  }
  // Room for a hit per 32 bytes up front: one allocation instead of one per doubling.
  t.hits.reserve(std::min<std::size_t>(text.size() / 32 + 8, 4096));
  scanner_->scan_positions(text, t.hits);
  t.owners = scanner_->owners_of(t.hits);
  if (short_text) {
    if (slot == nullptr) {
      // A scanner not seen yet on this thread takes the slot filled longest ago.
      std::rotate(memo.begin(), memo.end() - 1, memo.end());
      slot = &memo.front();
    }
    slot->scanner = scanner_->serial();
    slot->text.assign(text);
    slot->hits = t.hits;
  }
}

void pattern_set::local_atoms(const scanned_text& t, std::size_t from, std::size_t to, std::vector<int>& out) const {
  out.clear();
  for (const auto& h : t.hits) {
    if (h.end <= from || h.end > to) continue;
    const auto id = static_cast<std::size_t>(h.id);
    if (id < local_of_.size() && local_of_[id] >= 0) out.push_back(local_of_[id]);
  }
}

void pattern_set::potentials(std::vector<int>& atoms, std::vector<int>& out, bool ascii_text) const {
  if (atoms.empty()) {
    out = ascii_text ? ascii_unfiltered_ : unfiltered_;
    return;
  }
  sort_unique(atoms);
  out.clear();
  filter_->AllPotentials(atoms, &out);
  const std::vector<int>& always = ascii_text ? always_on_ascii_ : always_;
  out.insert(out.end(), always.begin(), always.end());
  sort_unique(out);
}

std::vector<int> pattern_set::candidates(const scanned_text& t) const {
  std::vector<int> out;
  candidates_into(t, out);
  return out;
}

void pattern_set::candidates_into(const scanned_text& t, std::vector<int>& out) const {
  out.clear();
  if (!compiled_) return;
  if (mask_index_) {
    // The same expressions from the bit masks (as first() takes them), ascending, without
    // a list of atoms merged, sorted and filtered.
    std::size_t h = 0;
    bool any_atom = false;
    std::uint64_t proven = 0;
    std::uint64_t possible = candidate_mask(t, 0, t.text.size(), h, any_atom, proven);
    if (!any_atom) possible = unfiltered_mask_;
    for (; possible != 0; possible &= possible - 1) out.push_back(std::countr_zero(possible));
    return;
  }
  thread_local std::vector<int> atoms;  // scratch, reused across calls
  local_atoms(t, 0, t.text.size(), atoms);
  if (!line_index_ || atoms.empty()) {
    potentials(atoms, out, !always_.empty() && text::is_plain_ascii(t.text));
    return;
  }
  // Small sets: the expressions naming an atom found (a superset of FilteredRE2's answer,
  // which also checks that every atom an expression needs is there) without walking
  // FilteredRE2's prefilter tree, which cost more than the extra RE2 runs.
  out = unfiltered_;
  for (const int a : atoms) {
    const auto& users = users_of_atom_[static_cast<std::size_t>(a)];
    out.insert(out.end(), users.begin(), users.end());
  }
  sort_unique(out);
  // Expressions missing an atom they cannot match without are no candidates.
  std::erase_if(out, [&](int r) { return !requirements_met(r, atoms); });
}

std::vector<int> pattern_set::matches(const scanned_text& t) const {
  std::vector<int> out;
  const re2::StringPiece piece(t.text.data(), t.text.size());
  for (const int i : candidates(t))
    if (finds(*regexes_[static_cast<std::size_t>(i)], std::string_view(piece.data(), piece.size()))) out.push_back(i);
  return out;
}

std::uint64_t pattern_set::candidate_mask(const scanned_text& t, std::size_t from, std::size_t to, std::size_t& h,
                                          bool& any_atom, std::uint64_t& proven) const {
  std::uint64_t possible = unfiltered_mask_;
  any_atom = false;
  proven = 0;
  thread_local std::vector<int> present;  // scratch: the atoms found in [from, to)
  present.clear();
  // A text without any of the set's literals: no hit to walk.
  if ((t.owners & owner_) == 0) return drop_unmet(possible, present);
  // Hits are ordered by end offset.
  for (; h < t.hits.size() && t.hits[h].end <= to; ++h) {
    const auto id = static_cast<std::size_t>(t.hits[h].id);
    if (t.hits[h].end <= from || id >= local_of_.size() || local_of_[id] < 0) continue;
    const auto a = static_cast<std::size_t>(local_of_[id]);
    possible |= atom_bits_[a].users;
    if (t.hits[h].end - from >= atom_length_[a]) {
      proven |= atom_bits_[a].proven;
      proven |= start_proven(t.text, from, t.hits[h].end - atom_length_[a], a);
    }
    present.push_back(local_of_[id]);
    any_atom = true;
  }
  return drop_unmet(possible, present);
}

std::uint64_t pattern_set::start_proven(std::string_view text, std::size_t line_begin, std::size_t start,
                                       std::size_t a) const {
  std::uint64_t proven = 0;
  if (start == line_begin) proven |= atom_bits_[a].start;
  if (atom_bits_[a].blank_start == 0) return proven;
  for (std::size_t i = line_begin; i < start; ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\f' && c != '\r') return proven;
  }
  return proven | atom_bits_[a].blank_start;
}

bool pattern_set::capture(int index, std::string_view text, std::vector<re2::StringPiece>& groups) const {
  const RE2& re = *regexes_[static_cast<std::size_t>(index)];
  groups.resize(static_cast<std::size_t>(re.NumberOfCapturingGroups()) + 1);
  if (re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED, groups.data(),
               static_cast<int>(groups.size())))
    return true;
  std::fill(groups.begin(), groups.end(), re2::StringPiece());
  return false;
}

int pattern_set::first_of_mask(std::string_view text, std::uint64_t possible, std::uint64_t proven,
                               std::vector<re2::StringPiece>* groups) const {
  // The answer found without a run of its own (proven, or by the set pass) gets its groups
  // from one run with them.
  const auto captured = [&](int i) {
    if (groups != nullptr && i >= 0) capture(i, text, *groups);
    return i;
  };
  // A proven expression answers unless one before it matches: only those are run.
  const int lowest = proven != 0 ? std::countr_zero(proven) : -1;
  if (lowest >= 0) possible &= (std::uint64_t{1} << lowest) - 1;
  // As in first_per_line_masked: the gate, and the set pass where it was taken before it.
  const std::uint64_t before_gate = possible;
  if ((possible & gated_mask_) != 0) possible &= gate_mask(text);
  if (possible == 0) return captured(lowest);
  const re2::StringPiece piece(text.data(), text.size());
  const RE2::Set* set = nullptr;
  if (static_cast<std::size_t>(std::popcount(before_gate)) >= min_together_candidates && (set = together()) != nullptr) {
    // One pass for all of them; the lowest matching index is the answer (`possible`
    // holds every expression before `lowest` that can match, and `lowest` matches).
    thread_local std::vector<int> matched;
    RE2::Set::ErrorInfo error{};
    if (set->Match(piece, &matched, &error)) return captured(*std::min_element(matched.begin(), matched.end()));
    if (error.kind == RE2::Set::kNoError) return captured(lowest);
    // Out of DFA memory: each expression on its own below.
  }
  for (; possible != 0; possible &= possible - 1) {
    const int i = std::countr_zero(possible);
    // With groups wanted, the run that decides also reads them: a text the expression
    // does not match costs the same search either way.
    if (groups != nullptr ? capture(i, text, *groups)
                          : finds(*regexes_[static_cast<std::size_t>(i)], std::string_view(piece.data(), piece.size())))
      return i;
  }
  return captured(lowest);
}

bool pattern_set::requirements_met(int index, std::span<const int> present) const {
  for (const int a : required_[static_cast<std::size_t>(index)])
    if (std::find(present.begin(), present.end(), a) == present.end()) return false;
  return true;
}

std::uint64_t pattern_set::drop_unmet(std::uint64_t possible, std::span<const int> present) const {
  for (std::uint64_t check = possible & checked_mask_; check != 0; check &= check - 1) {
    const int r = std::countr_zero(check);
    if (!requirements_met(r, present)) possible &= ~(std::uint64_t{1} << r);
  }
  return possible;
}

void pattern_set::proven_into(const scanned_text& t, std::vector<int>& out) const {
  out.clear();
  if (!compiled_) return;
  if (mask_index_) {
    // As below, through the bit masks: ascending without sorting.
    std::uint64_t proven = 0;
    for (const auto& hit : t.hits) {
      const auto id = static_cast<std::size_t>(hit.id);
      if (id < local_of_.size() && local_of_[id] >= 0) proven |= atom_bits_[static_cast<std::size_t>(local_of_[id])].proven;
    }
    for (; proven != 0; proven &= proven - 1) out.push_back(std::countr_zero(proven));
    return;
  }
  for (const auto& hit : t.hits) {
    const auto id = static_cast<std::size_t>(hit.id);
    if (id >= local_of_.size() || local_of_[id] < 0) continue;
    const auto& proves = proves_[static_cast<std::size_t>(local_of_[id])];
    out.insert(out.end(), proves.begin(), proves.end());
  }
  sort_unique(out);
}

int pattern_set::lowest_proven(const scanned_text& t, std::size_t from, std::size_t to) const {
  int lowest = -1;
  for (const auto& hit : t.hits) {
    if (hit.end > to) break;  // ordered by end offset
    const auto id = static_cast<std::size_t>(hit.id);
    if (hit.end <= from || id >= local_of_.size() || local_of_[id] < 0) continue;
    const auto a = static_cast<std::size_t>(local_of_[id]);
    if (proves_[a].empty() || hit.end - from < atom_length_[a]) continue;
    if (lowest < 0 || proves_[a].front() < lowest) lowest = proves_[a].front();
  }
  return lowest;
}

int pattern_set::first(const scanned_text& t) const {
  if (mask_index_) {
    // As below, with the candidates as a bit mask (the same expressions, in order).
    std::size_t h = 0;
    bool any_atom = false;
    std::uint64_t proven = 0;
    const std::uint64_t possible = candidate_mask(t, 0, t.text.size(), h, any_atom, proven);
    return first_of_mask(t.text, possible, proven);
  }
  thread_local std::vector<int> possible;  // scratch, reused across calls (first() does not recurse)
  candidates_into(t, possible);
  return first_among(t, possible);
}

int pattern_set::first_captured(const scanned_text& t, std::vector<re2::StringPiece>& groups) const {
  if (mask_index_) {
    std::size_t h = 0;
    bool any_atom = false;
    std::uint64_t proven = 0;
    const std::uint64_t possible = candidate_mask(t, 0, t.text.size(), h, any_atom, proven);
    return first_of_mask(t.text, possible, proven, &groups);
  }
  const int i = first(t);
  if (i >= 0) capture(i, t.text, groups);
  return i;
}

int pattern_set::first_among(const scanned_text& t, std::span<const int> possible) const {
  const re2::StringPiece piece(t.text.data(), t.text.size());
  // A proven expression answers unless one before it matches: only those are run.
  const int lowest = lowest_proven(t, 0, t.text.size());
  const auto before = lowest < 0 ? possible.end() : std::lower_bound(possible.begin(), possible.end(), lowest);
  const RE2::Set* set = nullptr;
  if (before - possible.begin() >= static_cast<std::ptrdiff_t>(min_together_candidates) && (set = together()) != nullptr) {
    // One pass for all of them (see first_per_line).
    thread_local std::vector<int> matched;
    RE2::Set::ErrorInfo error{};
    if (set->Match(piece, &matched, &error)) return *std::min_element(matched.begin(), matched.end());
    if (error.kind == RE2::Set::kNoError) return lowest;
  }
  for (auto it = possible.begin(); it != before; ++it)
    if (finds(*regexes_[static_cast<std::size_t>(*it)], std::string_view(piece.data(), piece.size()))) return *it;
  return lowest;
}

std::vector<int> pattern_set::matches_lines(const scanned_text& t) const {
  std::vector<int> out;
  const re2::StringPiece piece(t.text.data(), t.text.size());
  for (const int i : candidates(t))
    if (finds(multi_line_ ? *line_regexes_[static_cast<std::size_t>(i)] : *regexes_[static_cast<std::size_t>(i)], std::string_view(piece.data(), piece.size())))
      out.push_back(i);
  return out;
}

void pattern_set::first_per_line(const scanned_text& t, std::span<const std::string_view> lines,
                                 std::vector<int>& out, char required) const {
  out.assign(lines.size(), -1);
  if (!compiled_ || lines.empty()) return;
  const auto offset = [&](std::string_view line) { return static_cast<std::size_t>(line.data() - t.text.data()); };
  // Scratch reused across calls (cleared, not freed).
  thread_local std::vector<int> atoms, possible, matched;
  std::size_t h = 0;
  if (mask_index_) {
    first_per_line_masked(t, lines, out, required);
    return;
  }
  for (std::size_t l = 0; l < lines.size(); ++l) {
    const std::size_t line_begin = offset(lines[l]);
    const std::size_t line_end = line_begin + lines[l].size();
    atoms.clear();
    int lowest = -1;  // the lowest expression a hit wholly inside the line proves
    // Hits are ordered by end offset; literals never span lines.
    while (h < t.hits.size() && t.hits[h].end <= line_end) {
      const auto id = static_cast<std::size_t>(t.hits[h].id);
      if (t.hits[h].end > line_begin && id < local_of_.size() && local_of_[id] >= 0) {
        const auto a = static_cast<std::size_t>(local_of_[id]);
        atoms.push_back(local_of_[id]);
        if (!proves_[a].empty() && t.hits[h].end - line_begin >= atom_length_[a] && (lowest < 0 || proves_[a].front() < lowest))
          lowest = proves_[a].front();
      }
      ++h;
    }
    if (required != 0 && lines[l].find(required) == std::string_view::npos) continue;
    if (atoms.empty() && unfiltered_.empty()) continue;
    if (line_index_) {
      possible = unfiltered_;
      for (const int a : atoms) {
        const auto& users = users_of_atom_[static_cast<std::size_t>(a)];
        possible.insert(possible.end(), users.begin(), users.end());
      }
      sort_unique(possible);
      // Expressions missing an atom they cannot match without are no candidates.
      std::erase_if(possible, [&](int r) { return !requirements_met(r, atoms); });
    } else {
      potentials(atoms, possible, false);
    }
    // A proven expression answers unless one before it matches: only those are run.
    out[l] = lowest;
    const auto before = lowest < 0 ? possible.end() : std::lower_bound(possible.begin(), possible.end(), lowest);
    const re2::StringPiece piece(lines[l].data(), lines[l].size());
    const RE2::Set* set = nullptr;
    if (before - possible.begin() >= static_cast<std::ptrdiff_t>(min_together_candidates) && (set = together()) != nullptr) {
      // One pass for all of them; the lowest matching index is the answer, as below
      // (`possible` holds every expression that can match).
      RE2::Set::ErrorInfo error{};
      if (set->Match(piece, &matched, &error)) {
        out[l] = *std::min_element(matched.begin(), matched.end());
        continue;
      }
      if (error.kind == RE2::Set::kNoError) continue;  // no expression matches before `lowest`
      // Out of DFA memory: each expression on its own below.
    }
    for (auto it = possible.begin(); it != before; ++it)
      if (finds(*regexes_[static_cast<std::size_t>(*it)], std::string_view(piece.data(), piece.size()))) {
        out[l] = *it;
        break;
      }
  }
}

void pattern_set::first_per_line_masked(const scanned_text& t, std::span<const std::string_view> lines,
                                        std::vector<int>& out, char required) const {
  // As first_per_line, with a line's candidates as a bit mask (the same expressions, in
  // the same order). candidate_mask and first_of_mask written out: per line, the calls
  // cost more than they do.
  thread_local std::vector<int> matched, present;
  std::size_t h = 0;
  const auto end_of = [&](std::size_t l) { return static_cast<std::size_t>(lines[l].data() - t.text.data()) + lines[l].size(); };
  // Without expressions that need no literal, a line holding none of this set's atoms
  // matches nothing: go from one of the set's hits to the next, past the lines between.
  // (The texts' hits are mostly other sets' on the shared scanner.)
  const bool every_line = unfiltered_mask_ != 0;
  if (!every_line && (t.owners & owner_) == 0) return;  // none of the set's literals: every line -1
  for (std::size_t l = 0; l < lines.size(); ++l) {
    if (!every_line) {
      while (h < t.hits.size() && (static_cast<std::size_t>(t.hits[h].id) >= local_of_.size() || local_of_[static_cast<std::size_t>(t.hits[h].id)] < 0))
        ++h;
      if (h == t.hits.size()) break;
      while (l < lines.size() && end_of(l) < t.hits[h].end) ++l;
      if (l == lines.size()) break;
    } else if (required != 0) {
      // Only a line holding `required` can match: from one such byte to the next, past
      // the lines between (a line holds it when it begins at or before it and ends after).
      const std::size_t at = t.text.find(required, static_cast<std::size_t>(lines[l].data() - t.text.data()));
      if (at == std::string_view::npos) break;
      while (l < lines.size() && end_of(l) <= at) ++l;
      if (l == lines.size()) break;
    }
    const std::size_t line_begin = static_cast<std::size_t>(lines[l].data() - t.text.data());
    const std::size_t line_end = line_begin + lines[l].size();
    std::uint64_t possible = unfiltered_mask_;
    std::uint64_t proven = 0;
    bool any_atom = false;
    present.clear();
    // Hits are ordered by end offset; literals never span lines.
    for (; h < t.hits.size() && t.hits[h].end <= line_end; ++h) {
      const auto id = static_cast<std::size_t>(t.hits[h].id);
      if (t.hits[h].end <= line_begin || id >= local_of_.size() || local_of_[id] < 0) continue;
      const auto a = static_cast<std::size_t>(local_of_[id]);
      possible |= atom_bits_[a].users;
      if (t.hits[h].end - line_begin >= atom_length_[a]) {
        proven |= atom_bits_[a].proven;
        proven |= start_proven(t.text, line_begin, t.hits[h].end - atom_length_[a], a);
      }
      present.push_back(local_of_[id]);
      any_atom = true;
    }
    if (required != 0 && lines[l].find(required) == std::string_view::npos) continue;
    if (!any_atom && unfiltered_.empty()) continue;
    // Expressions missing an atom they cannot match without are no candidates.
    possible = drop_unmet(possible, present);
    // A proven expression answers unless one before it matches: only those are run.
    const int lowest = proven != 0 ? std::countr_zero(proven) : -1;
    if (lowest >= 0) possible &= (std::uint64_t{1} << lowest) - 1;
    out[l] = lowest;
    if (possible == 0) continue;
    // Expressions anchored at the line's start by a character the line does not begin
    // with cannot match it. The set pass is still taken where it was (it costs about two
    // single runs): the gate spares single runs and the lines it leaves no candidate.
    const std::uint64_t before_gate = possible;
    if ((possible & gated_mask_) != 0) possible &= gate_mask(lines[l]);
    if (possible == 0) continue;
    const re2::StringPiece piece(lines[l].data(), lines[l].size());
    const RE2::Set* set = nullptr;
    if (static_cast<std::size_t>(std::popcount(before_gate)) >= min_together_candidates && (set = together()) != nullptr) {
      RE2::Set::ErrorInfo error{};
      if (set->Match(piece, &matched, &error)) {
        out[l] = *std::min_element(matched.begin(), matched.end());
        continue;
      }
      if (error.kind == RE2::Set::kNoError) continue;
    }
    for (; possible != 0; possible &= possible - 1) {
      const int i = std::countr_zero(possible);
      if (finds(*regexes_[static_cast<std::size_t>(i)], std::string_view(piece.data(), piece.size()))) {
        out[l] = i;
        break;
      }
    }
  }
}

namespace {

bool ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }
std::size_t byte(char c) { return static_cast<unsigned char>(c); }

// True when `.*` (RE2, UTF-8) matches all of `rest`: any text without '\n' that is ASCII
// (ASCII is checked by hand; RE2 decides the rest, as '.' takes no invalid UTF-8).
bool any_rest(std::string_view rest) {
  static const RE2 any(".*", options());
  for (const char c : rest)
    if (!ascii(c) || c == '\n') return RE2::FullMatch(re2::StringPiece(rest.data(), rest.size()), any);
  return true;
}

// The groups of an address-split expression `whole` on `line`, found by hand between RE2
// runs that report only where a match is (RE2 finds those with its DFA; groups need its
// backtracker, at about 450 instructions per byte). False when the hand path cannot vouch
// for RE2's own answer, and the caller asks RE2. Why the answer is RE2's (leftmost-first,
// as Perl: each part tries its choices in order of preference, and the first choice the
// parts after it accept is kept):
// - the match starts where RE2 says (0 for an expression starting with '^');
// - if the address and what follows match after the part before's own preferred match,
//   that is the part before's choice;
// - the local part "[X]+" runs to an '@': when its run reaches only one '@', it ends there;
// - the domain "[Y]+" (greedy) takes the whole run of Y when the part after matches
//   there; "[Y]+?" (lazy) ends where the part after first matches, which an unanchored
//   search for the part after finds, if that is within the run;
// - the part after ends where it prefers when the tail group accepts the rest there.
// A byte >= 0x80 where the scan would have to class it sends the line to RE2 (the classes
// hold ASCII only, but a negated class takes every UTF-8 character).
bool find_address(const address_split& a, const RE2& whole, std::string_view line, std::vector<re2::StringPiece>& groups) {
  const std::size_t n = line.size();
  const re2::StringPiece piece(line.data(), n);
  const auto at_offset = [&](const re2::StringPiece& m) { return static_cast<std::size_t>(m.data() - line.data()); };
  re2::StringPiece m;
  std::size_t start = 0;
  if (!a.anchored) {
    if (!whole.Match(piece, 0, n, RE2::UNANCHORED, &m, 1)) return false;
    start = at_offset(m);
  }
  std::size_t from = start;
  if (a.before_by_hand) {
    // As `before` would: its own preferred match from the start (a byte >= 0x80 in the
    // literal's place might be a letter folding into ASCII: RE2 decides).
    if (a.before_blanks)
      while (from < n && (line[from] == ' ' || line[from] == '\t' || line[from] == '\n' || line[from] == '\f' || line[from] == '\r'))
        ++from;
    if (n - from < a.before_literal.size()) return false;
    for (const char l : a.before_literal) {
      const char c = line[from++];
      if (!ascii(c) || (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != l) return false;
    }
    if (a.before_spaces)
      while (from < n && line[from] == ' ') ++from;
  } else {
    if (!a.before->Match(piece, start, n, RE2::ANCHOR_START, &m, 1)) return false;
    from = start + m.size();
  }
  std::size_t at = from;
  while (at < n && ascii(line[at]) && line[at] != '@' && a.local[byte(line[at])]) ++at;
  if (at == from || at >= n || line[at] != '@') return false;
  // Another '@' the local part could run on to: RE2 would split there.
  for (std::size_t k = at + 1; k < n && a.local['@']; ++k) {
    if (!ascii(line[k])) return false;
    if (!a.local[byte(line[k])]) break;
    if (line[k] == '@') return false;
  }
  std::size_t run_end = at + 1;
  while (run_end < n && ascii(line[run_end]) && a.domain[byte(line[run_end])]) ++run_end;
  if (run_end == at + 1 || (run_end < n && !ascii(line[run_end]))) return false;
  std::size_t address_end = run_end;
  std::size_t match_end = run_end;
  if (a.lazy) {
    address_end = at + 2;
    match_end = address_end;
    if (a.after) {
      if (!a.after->Match(piece, at + 2, n, RE2::UNANCHORED, &m, 1) || at_offset(m) > run_end) return false;
      address_end = at_offset(m);
      match_end = address_end + m.size();
    }
  } else if (a.after) {
    if (!a.after->Match(piece, run_end, n, RE2::ANCHOR_START, &m, 1)) return false;
    match_end = run_end + m.size();
  }
  if (a.tail) {
    const std::string_view rest = line.substr(match_end);
    const bool fits = a.tail_any ? any_rest(rest) : a.tail->Match(piece, match_end, n, RE2::ANCHOR_BOTH, nullptr, 0);
    if (!fits) return false;
  }
  groups[0] = re2::StringPiece(line.data() + start, (a.tail ? n : match_end) - start);
  groups[1] = re2::StringPiece(line.data() + from, address_end - from);
  if (a.tail) groups[2] = re2::StringPiece(line.data() + match_end, n - match_end);
  return true;
}

}  // namespace

bool pattern_set::capture_line(int index, std::string_view line, std::vector<re2::StringPiece>& groups) const {
  const auto i = static_cast<std::size_t>(index);
  const RE2& whole = *regexes_.at(i);
  const RE2* head = split_rest_ ? heads_.at(i).get() : nullptr;
  const RE2& re = head != nullptr ? *head : whole;
  groups.assign(static_cast<std::size_t>(whole.NumberOfCapturingGroups()) + 1, re2::StringPiece());
  if (const address_split* a = split_address_ ? addresses_.at(i).get() : nullptr; a != nullptr)
    if (find_address(*a, whole, line, groups)) return true;
  const re2::StringPiece piece(line.data(), line.size());
  const int wanted = re.NumberOfCapturingGroups() + 1;
  if (!re.Match(piece, 0, piece.size(), RE2::UNANCHORED, groups.data(), wanted)) return false;
  if (head != nullptr) {
    // "(.*)$" takes no invalid UTF-8: such a rest is left to the whole expression.
    const std::size_t head_end = static_cast<std::size_t>(groups[0].data() - line.data()) + groups[0].size();
    if (!any_rest(line.substr(head_end)))
      return whole.Match(piece, 0, piece.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()));
    const std::size_t end = static_cast<std::size_t>(groups[0].data() - line.data()) + groups[0].size();
    groups.back() = re2::StringPiece(line.data() + end, line.size() - end);
    groups[0] = re2::StringPiece(groups[0].data(), line.size() - static_cast<std::size_t>(groups[0].data() - line.data()));
  }
  return true;
}

scanned_text pattern_set::prefix(const scanned_text& t, std::size_t size) {
  scanned_text p;
  p.text = t.text.substr(0, size);
  p.scanner = t.scanner;
  const auto end = std::upper_bound(t.hits.begin(), t.hits.end(), p.text.size(),
                                    [](std::size_t at, const literal_scanner::hit& h) { return at < h.end; });
  p.hits.assign(t.hits.begin(), end);
  p.owners = t.owners;  // a superset of the prefix's own
  return p;
}

bool pattern_set::any_line(const scanned_text& scanned) const {
  if (!compiled_ || scanned.text.empty()) return false;
  if (scanned.scanner != scanner_.get()) return any_line(scanned.text);
  const scanned_text& t = scanned;
  const std::string_view text = t.text;
  if (matches_lines(t).empty()) return false;
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    if (nl == text.size()) break;
    pos = nl + 1;
  }
  std::vector<int> per_line;
  first_per_line(t, lines, per_line);
  return std::any_of(per_line.begin(), per_line.end(), [](int i) { return i >= 0; });
}

}  // namespace reports
