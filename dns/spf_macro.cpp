#include "dns/spf_macro.hpp"

#include <algorithm>
#include <vector>

namespace dns::spf::macro {
namespace {

constexpr std::string_view macro_letters = "slodiphcrtv";
constexpr std::string_view explanation_only_letters = "crt";  // §7.2
constexpr std::string_view delimiters = ".-+,/_=";            // §7.1 delimiter
// More digits than this cannot select anything: a name has at most 127 labels.
constexpr std::size_t max_transformer_digits = 3;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// One "%{...}" macro-expand after parsing.
struct macro_term {
  char letter = 0;      // lower-case
  bool url_encode = false;
  int keep = 0;         // rightmost parts to keep; 0 = all
  bool reverse = false;
  std::string split_on; // delimiters; "" = "."
};

// A tokenizer shared by check() and expand() so both agree on the grammar. Calls
// `on_literal(text)` for literal runs and escapes, `on_macro(term)` for %{...}. Returns no
// problem (empty) or the first syntax error with its phrase.
template <class Literal, class Macro>
said_problem walk(std::string_view text, context where, Literal on_literal, Macro on_macro) {
  using said::problem;
  using said::value;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '%') {
      const auto u = static_cast<unsigned char>(c);
      const bool space_ok = where == context::explanation && c == ' ';
      if (!space_ok && (u < 0x21 || u > 0x7e)) {
        const std::string hex{"0123456789abcdef"[u >> 4], "0123456789abcdef"[u & 15]};
        return problem("character 0x" + hex + " is not allowed in a macro-string", "spf.syntax.macro_character",
                       {value("hex", hex)});
      }
      on_literal(text.substr(i, 1));
      ++i;
      continue;
    }
    if (i + 1 >= text.size())
      return problem("'%' at the end (write %% for a literal percent)", "spf.syntax.macro_percent_at_end");
    const char next = text[i + 1];
    if (next == '%') { on_literal("%"); i += 2; continue; }
    if (next == '_') { on_literal(" "); i += 2; continue; }
    if (next == '-') { on_literal("%20"); i += 2; continue; }
    if (next != '{')
      return problem("'%' must be followed by '{', '%', '_' or '-' (RFC 7208 §7.1)", "spf.syntax.macro_bad_escape");
    std::size_t j = i + 2;
    if (j >= text.size()) return problem("unterminated macro", "spf.syntax.macro_unterminated");
    macro_term term;
    term.letter = lower(text[j]);
    term.url_encode = is_upper(text[j]);
    if (macro_letters.find(term.letter) == std::string_view::npos)
      return problem("unknown macro letter '" + std::string(1, text[j]) + "'", "spf.syntax.macro_unknown_letter",
                     {value("letter", std::string(1, text[j]))});
    if (where != context::explanation && explanation_only_letters.find(term.letter) != std::string_view::npos)
      return problem("macro letter '" + std::string(1, text[j]) + "' is allowed only in exp= text (RFC 7208 §7.2)",
                     "spf.syntax.macro_exp_only_letter", {value("letter", std::string(1, text[j]))});
    ++j;
    std::size_t digits = 0;
    while (j < text.size() && is_digit(text[j])) {
      if (++digits > max_transformer_digits)
        return problem("too many digits in a macro transformer", "spf.syntax.macro_too_many_digits");
      term.keep = term.keep * 10 + (text[j] - '0');
      ++j;
    }
    if (digits && term.keep == 0)
      return problem("macro transformer digit must be nonzero (RFC 7208 §7.3)", "spf.syntax.macro_zero_digit");
    if (j < text.size() && lower(text[j]) == 'r') { term.reverse = true; ++j; }
    while (j < text.size() && delimiters.find(text[j]) != std::string_view::npos) term.split_on += text[j++];
    if (j >= text.size() || text[j] != '}') return problem("malformed macro (expected '}')", "spf.syntax.macro_malformed");
    on_macro(term);
    i = j + 1;
  }
  return {};
}

std::string url_encode(std::string_view in) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : in) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                            c == '-' || c == '.' || c == '_' || c == '~';  // RFC 3986 §2.3
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

std::string raw_value(char letter, const values& v) {
  switch (letter) {
    case 's': return v.sender;
    case 'l': return v.local_part;
    case 'o': return v.sender_domain;
    case 'd': return v.domain;
    case 'i': return ip_macro_value(v.ip);
    case 'p': return v.validated_name;
    case 'v': return v.ip.is_v4() ? "in-addr" : "ip6";
    case 'h': return v.helo;
    case 'c': return v.ip.to_string();  // RFC 5952 form for IPv6
    case 'r': return v.receiver;
    case 't': return std::to_string(v.timestamp);
  }
  return {};
}

// §7.3: split on the delimiters, optionally reverse, keep the rightmost N, join with '.'.
std::string transform(std::string_view value, const macro_term& term) {
  const std::string_view split_on = term.split_on.empty() ? std::string_view{"."} : std::string_view{term.split_on};
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t k = 0; k <= value.size(); ++k) {
    if (k == value.size() || split_on.find(value[k]) != std::string_view::npos) {
      parts.push_back(value.substr(start, k - start));
      start = k + 1;
    }
  }
  if (term.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (term.keep > 0 && static_cast<std::size_t>(term.keep) < parts.size()) first = parts.size() - static_cast<std::size_t>(term.keep);
  std::string out;
  for (std::size_t k = first; k < parts.size(); ++k) {
    if (k != first) out += '.';
    out += parts[k];
  }
  return out;
}

}  // namespace

said_problem check_problem(std::string_view text, context where) {
  return walk(text, where, [](std::string_view) {}, [](const macro_term&) {});
}

std::string check(std::string_view text, context where) { return check_problem(text, where).text; }

bool uses_letter(std::string_view text, char letter) {
  bool found = false;
  walk(text, context::explanation, [](std::string_view) {},
       [&](const macro_term& t) { found = found || t.letter == lower(letter); });
  return found;
}

std::optional<std::string> expand(std::string_view text, const values& v, context where) {
  std::string out;
  const auto error = walk(
      text, where, [&](std::string_view literal) { out += literal; },
      [&](const macro_term& term) {
        auto value = transform(raw_value(term.letter, v), term);
        out += term.url_encode ? url_encode(value) : value;
      });
  if (!error.empty()) return std::nullopt;
  return out;
}

std::string ip_macro_value(const boost::asio::ip::address& ip) {
  if (ip.is_v4()) return ip.to_string();
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  for (const auto byte : ip.to_v6().to_bytes()) {
    if (!out.empty()) out += '.';
    out += hex[byte >> 4];
    out += '.';
    out += hex[byte & 15];
  }
  return out;
}

std::string fit_domain_name(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  while (name.size() > 253) {
    const auto dot = name.find('.');
    if (dot == std::string::npos) break;  // one huge label: left for the validity check
    name.erase(0, dot + 1);
  }
  return name;
}

}  // namespace dns::spf::macro
