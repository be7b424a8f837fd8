#pragma once
// The words of the text reports of `probe user@domain`, `probe rbl` and `probe mx` —
// labels, headings, counts, the reason sentences of an address check (keys "reason.*"),
// the details and warnings of a DNSBL listing ("rbl.said.*"), the explanations of route
// findings (dns::route_finding keys "route.*"), SPF's problems and trace steps and DMARC's
// warnings and errors ("spf.*", "dmarc.*"), the evidence lines of `probe server` ("server.*") and the live checks of
// `probe bounce` ("live.*") — in English and Chinese, from probe/data/output_words.yaml.
//
// A module that composes an English sentence for people keeps, beside it, a `sentence`:
// the key of its template here and the named values. `render` says it in any language;
// the English template gives back the module's own sentence byte for byte (tests render
// every key against the module's sentence), so English output and --json never change.
//
// Promise: `load` accepts a file only if every key the reports use (`required_keys()`)
// has an English and a Chinese text, both texts of a "reason.*", "route.*", "server.*",
// "live.*", "rbl.said.*", "spf.*" or "dmarc.*" key use the same {placeholders}, and every
// entry is well formed; otherwise it returns a message
// naming the file and the problem. `installed()` loads data_path("probe")/output_words.yaml
// once per process (thread-safe; the object is read-only afterwards). Commands check it
// before they render, so `installed_or_throw()` throws only when that check was skipped
// (a bug).
//
// Substitution is one pass over the template: a value that itself contains "{x}" (a
// server's text) is inserted as it is, never expanded. Values are inserted verbatim; the
// caller passes server-controlled text through probe::printable() first.

#include "dns/phrase.hpp"

#include <filesystem>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace probe {

// A sentence as a key of output_words.yaml and its values ("" key: no sentence): the one
// form every module composes (dns/phrase.hpp), with its builders (said::value,
// said::explained, said::part).
using sentence = dns::phrase;
using sentence_value = dns::phrase_value;
namespace said = dns::said;

class output_words {
 public:
  using values = std::initializer_list<std::pair<std::string_view, std::string_view>>;
  using value_list = std::span<const std::pair<std::string_view, std::string_view>>;

  static std::variant<output_words, std::string> load(const std::filesystem::path& path);
  static const std::variant<output_words, std::string>& installed();
  static const output_words& installed_or_throw();

  // "section.key" names the reports ask for.
  static std::span<const std::string_view> required_keys();

  // The text of `key` in `lang` ("zh" → Chinese, anything else → English) with its
  // {placeholders} replaced by `with`; a placeholder without a value stays as written.
  std::string text(std::string_view key, std::string_view lang, values with = {}) const;
  // The same with values gathered at run time (a phrase's values).
  std::string text(std::string_view key, std::string_view lang, value_list with) const;
  bool has(std::string_view key) const { return texts_.contains(key); }

  // A sentence in `lang` (smtp's reasons, rbl's details, SPF's and DMARC's problems and
  // the checks' own lines alike). Only when every key in it (its parts' too) is known;
  // otherwise `fallback` (the module's English sentence) as it is.
  std::string render(const sentence& said, std::string_view lang, const std::string& fallback = {}) const;

  // A name the code spells as an identifier (a verdict, a route kind, a health state):
  // in Chinese its translation from the file's `names.KIND` map, in English (or when
  // the map has none) the identifier itself, so English output prints what --json prints.
  std::string name(std::string_view kind, std::string_view id, std::string_view lang) const;

 private:
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> texts_;  // key -> (en, zh)
  std::map<std::string, std::string, std::less<>> names_;                          // "kind.id" -> zh
};

}  // namespace probe
