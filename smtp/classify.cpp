#include "smtp/classify.hpp"

#include "smtp/text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace smtp {
namespace {

constexpr std::pair<reply_meaning, std::string_view> meaning_names[] = {
    {reply_meaning::accepted, "accepted"},
    {reply_meaning::mailbox_unknown, "mailbox-unknown"},
    {reply_meaning::mailbox_unavailable, "mailbox-unavailable"},
    {reply_meaning::bad_address, "bad-address"},
    {reply_meaning::policy, "policy"},
    {reply_meaning::requires_tls, "requires-tls"},
    {reply_meaning::greylisted, "greylisted"},
    {reply_meaning::rate_limited, "rate-limited"},
    {reply_meaning::too_many_recipients, "too-many-recipients"},
    {reply_meaning::transient, "transient"},
    {reply_meaning::permanent, "permanent"},
};

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string field_text(const enhanced_status& s, int index) {
  return std::to_string(index == 0 ? s.klass : index == 1 ? s.subject : s.detail);
}

}  // namespace

std::string_view to_string(reply_meaning meaning) {
  for (const auto& [value, name] : meaning_names)
    if (value == meaning) return name;
  return "unknown";
}

std::optional<reply_meaning> reply_meaning_from(std::string_view name) {
  for (const auto& [value, text] : meaning_names)
    if (text == name) return value;
  return std::nullopt;
}

bool enhanced_matches(std::string_view pattern, const enhanced_status& status) {
  int index = 0;
  std::size_t start = 0;
  while (index < 3) {
    const std::size_t dot = std::min(pattern.find('.', start), pattern.size());
    const std::string_view field = pattern.substr(start, dot - start);
    if (field != "*" && field != field_text(status, index)) return false;
    ++index;
    if (dot == pattern.size()) break;
    start = dot + 1;
  }
  return index == 3;
}

bool contains_word(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  const std::string haystack = ascii_lower(text);
  const std::string needle = ascii_lower(word);
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
    // A word boundary before the match, unless the pattern itself starts with a non-word character.
    if (at == 0 || !is_word_char(haystack[at - 1]) || !is_word_char(needle.front())) return true;
  }
  return false;
}

bool reply_condition::matches(const reply& r, std::optional<reply_meaning> meaning) const {
  if (klass && r.klass() != *klass) return false;
  if (!codes.empty() && std::find(codes.begin(), codes.end(), r.code) == codes.end()) return false;
  if (!enhanced.empty()) {
    if (!r.enhanced) return false;
    if (std::none_of(enhanced.begin(), enhanced.end(),
                     [&](const std::string& p) { return enhanced_matches(p, *r.enhanced); }))
      return false;
  }
  if (!text.empty()) {
    const std::string all = r.text();
    if (std::none_of(text.begin(), text.end(), [&](const std::string& w) { return contains_word(all, w); }))
      return false;
  }
  if (!meanings.empty()) {
    if (!meaning || std::find(meanings.begin(), meanings.end(), *meaning) == meanings.end()) return false;
  }
  return true;
}

namespace {

// The words of a condition's explanation, per language.
struct explanation_words {
  std::string_view code, enhanced, wording, separator;
};
constexpr explanation_words english_words{"code ", "enhanced status ", "wording \"", ", "};
constexpr explanation_words chinese_words{"代码 ", "增强状态码 ", "措辞 \"", "，"};

std::string explain_with(const reply_condition& c, const reply& r, const explanation_words& words) {
  std::vector<std::string> parts;
  if (!c.codes.empty() || c.klass) parts.push_back(std::string(words.code) + std::to_string(r.code));
  if (!c.enhanced.empty() && r.enhanced) parts.push_back(std::string(words.enhanced) + r.enhanced->to_string());
  if (!c.text.empty()) {
    const std::string all = r.text();
    for (const auto& w : c.text)
      if (contains_word(all, w)) {
        parts.push_back(std::string(words.wording) + w + "\"");
        break;
      }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? std::string() : std::string(words.separator)) + p;
  return out;
}

}  // namespace

std::string reply_condition::explain(const reply& r) const { return explain_with(*this, r, english_words); }

std::string reply_condition::explain_zh(const reply& r) const { return explain_with(*this, r, chinese_words); }

std::string parse_condition(const void* yaml_node, reply_condition& out) {
  const YAML::Node& node = *static_cast<const YAML::Node*>(yaml_node);
  try {
    if (const auto k = node["class"]) {
      out.klass = k.as<int>();
      if (*out.klass < 2 || *out.klass > 5) return "class must be 2, 3, 4 or 5";
    }
    if (const auto codes = node["codes"]) {
      for (const auto& c : codes) out.codes.push_back(c.as<int>());
    }
    if (const auto statuses = node["enhanced"]) {
      for (const auto& s : statuses) {
        const auto text = s.as<std::string>();
        if (std::count(text.begin(), text.end(), '.') != 2) return "enhanced status \"" + text + "\" is not C.S.D";
        out.enhanced.push_back(text);
      }
    }
    if (const auto words = node["text"]) {
      for (const auto& w : words) {
        auto word = w.as<std::string>();
        if (word.empty()) return "an empty text pattern would match everything";
        out.text.push_back(std::move(word));
      }
    }
    if (const auto meanings = node["meaning"]) {
      const auto add = [&](const std::string& name) -> std::string {
        const auto m = reply_meaning_from(name);
        if (!m) return "unknown meaning \"" + name + "\"";
        out.meanings.push_back(*m);
        return {};
      };
      if (meanings.IsSequence()) {
        for (const auto& m : meanings)
          if (auto e = add(m.as<std::string>()); !e.empty()) return e;
      } else if (auto e = add(meanings.as<std::string>()); !e.empty()) {
        return e;
      }
    }
  } catch (const YAML::Exception& e) {
    return std::string("bad value: ") + e.what();
  }
  return {};
}

checked<reply_classifier> reply_classifier::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return checked<reply_classifier>::fail("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return load_text(text.str(), path);
}

checked<reply_classifier> reply_classifier::load_text(const std::string& yaml, const std::string& origin) {
  using result = checked<reply_classifier>;
  reply_classifier out;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return result::fail(origin + ": " + e.what());
  }
  const auto rules = root["rules"];
  if (!rules || !rules.IsSequence()) return result::fail(origin + ": no \"rules\" list");
  std::size_t index = 0;
  for (const auto& node : rules) {
    ++index;
    const std::string where = origin + ": rule " + std::to_string(index) +
                              (node.Mark().line >= 0 ? " (line " + std::to_string(node.Mark().line + 1) + ")" : "");
    if (!node["is"]) return result::fail(where + ": missing \"is\" (the meaning)");
    const auto meaning = reply_meaning_from(node["is"].as<std::string>(""));
    if (!meaning) return result::fail(where + ": unknown meaning \"" + node["is"].as<std::string>("") + "\"");
    rule r{*meaning, {}, node["why"].as<std::string>(""), node["why_zh"].as<std::string>("")};
    if (r.why.empty() != r.why_zh.empty())
      return result::fail(where + ": \"why\" and \"why_zh\" go together (the Chinese report needs both)");
    const auto when = node["when"];
    if (!when || !when.IsMap()) return result::fail(where + ": missing \"when\" conditions");
    if (auto problem = parse_condition(&when, r.when); !problem.empty()) return result::fail(where + ": " + problem);
    if (!r.when.meanings.empty()) return result::fail(where + ": reply rules cannot test a meaning");
    out.rules_.push_back(std::move(r));
  }
  return result::ok(std::move(out));
}

classification reply_classifier::classify(const reply& r) const {
  // Invariants the data cannot break: a positive reply is accepted, and a temporary one is
  // never read as a statement about the mailbox.
  if (r.positive()) return {reply_meaning::accepted, "positive reply", "肯定答复"};
  for (const auto& candidate : rules_) {
    if (!candidate.when.matches(r)) continue;
    auto meaning = candidate.meaning;
    if (r.transient() && (meaning == reply_meaning::mailbox_unknown || meaning == reply_meaning::bad_address ||
                          meaning == reply_meaning::permanent))
      meaning = reply_meaning::transient;
    if (r.enhanced && r.enhanced->subject == 7 && meaning == reply_meaning::mailbox_unknown)
      meaning = reply_meaning::policy;
    std::string why = candidate.why;
    if (const auto matched = candidate.when.explain(r); !matched.empty()) why += (why.empty() ? "" : " — ") + matched;
    std::string why_zh = candidate.why_zh;
    if (const auto matched = candidate.when.explain_zh(r); !matched.empty())
      why_zh += (why_zh.empty() ? "" : " — ") + matched;
    return {meaning, why, why_zh};
  }
  if (r.transient()) return {reply_meaning::transient, "a temporary refusal (4xx) that names no reason", "未说明原因的暂时拒绝（4xx）"};
  return {reply_meaning::permanent, "a permanent refusal (5xx) that names no reason", "未说明原因的永久拒绝（5xx）"};
}

}  // namespace smtp
