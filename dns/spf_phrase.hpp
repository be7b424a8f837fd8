#pragma once
// A sentence of dns/spf and dns/dmarc for people, as a key and named values beside the
// module's English sentence (evaluation::problem, a trace step, a DMARC warning or error).
//
// Promise: the key names a template in probe/data/output_words.yaml (sections "spf" and
// "dmarc"), whose English template, filled with these values, gives back the module's
// English sentence byte for byte; a report renders the same key in another language. The
// English sentence stays what --json prints. A value with `kind` is an identifier (a DNS
// outcome, "dns_result") a report may name in its language; one with `part` is a sentence
// of its own. DNS data (names, records, TXT, the resolver's detail) are values as they came:
// print them through probe::printable(). An empty key means "no sentence": the English
// text stands. Plain values; no lifetimes, no threads.

#include <string>
#include <utility>
#include <vector>

namespace dns {

struct phrase_value;
struct phrase {
  std::string key;  // "spf.lookup_limit", "dmarc.p_none"; "" when there is none
  std::vector<phrase_value> values;
};
struct phrase_value {
  std::string name;          // the template's {placeholder}
  std::string text;          // the value, the same in every language unless `kind` names it
  std::string kind;          // non-empty: `text` is an identifier of this kind
  std::vector<phrase> part;  // one element: the value is that sentence
};

// A problem as dns/'s English sentence and the same as a phrase; no text: no problem.
struct said_problem {
  std::string text;
  phrase said;
  bool empty() const { return text.empty(); }
};

namespace said {
inline phrase_value value(std::string name, std::string text, std::string kind = {}) {
  return phrase_value{std::move(name), std::move(text), std::move(kind), {}};
}
inline phrase_value part(std::string name, phrase of) {
  return phrase_value{std::move(name), {}, {}, {std::move(of)}};
}
// `english` with its phrase: the problem of a key and values.
inline said_problem problem(std::string english, std::string key, std::vector<phrase_value> values = {}) {
  return said_problem{std::move(english), phrase{std::move(key), std::move(values)}};
}
}  // namespace said

}  // namespace dns
