#pragma once
// A sentence for people as a key and named values, beside a module's English sentence: the
// one form dns/ (SPF problems and trace steps, DMARC warnings and errors), smtp/ (an address
// check's reasons, notes and warnings), rbl/ (a listing's details and warnings, a refused
// target) and probe/'s own checks give a report. It lives in dns/ because every module
// that composes sentences depends on dns/.
//
// Promise: the key names a template in probe/data/output_words.yaml, whose English
// template, filled with these values, gives back the module's English sentence byte for
// byte; a report renders the same key in another language. The English sentence stays
// what --json prints. A value is a fact the same in every language (server text, a host,
// a number, DNS data: as it came, printed through probe::printable()), an identifier
// (`kind` set: a report may show its name from the file's names.KIND), an explanation with
// its own Chinese text (`text_zh`), or a sentence of its own (`part`, one element). An
// empty key means "no sentence": the English text stands. Plain values; no lifetimes, no
// threads.

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
  std::string text;          // the value: English, and every language without its own
  std::string text_zh;       // "": `text` in Chinese too
  std::string kind;          // non-empty: `text` is an identifier of this kind
  std::vector<phrase> part;  // one element: the value is that sentence
};

// A problem as dns/'s English sentence and the same as a phrase; no text: no problem.
struct said_problem {
  std::string text;
  phrase said;
  bool empty() const { return text.empty(); }
};

// Building values: a fact (with `kind`, an identifier), an explanation in both languages,
// and a part, a sentence of its own.
namespace said {
inline phrase_value value(std::string name, std::string text, std::string kind = {}) {
  return phrase_value{std::move(name), std::move(text), {}, std::move(kind), {}};
}
inline phrase_value explained(std::string name, std::string en, std::string zh) {
  return phrase_value{std::move(name), std::move(en), std::move(zh), {}, {}};
}
inline phrase_value part(std::string name, phrase of) {
  return phrase_value{std::move(name), {}, {}, {}, {std::move(of)}};
}
// `english` with its phrase: the problem of a key and values.
inline said_problem problem(std::string english, std::string key, std::vector<phrase_value> values = {}) {
  return said_problem{std::move(english), phrase{std::move(key), std::move(values)}};
}
}  // namespace said

}  // namespace dns
