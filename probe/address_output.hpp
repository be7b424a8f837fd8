#pragma once
// Output of `probe user@domain`: text (verdict first, then routing and one block per
// attempt; with -v the transcript) and JSON (the whole structure, docs/address.md).
//
// Every string that came from a peer (banners, replies, certificate names, DNS names) is
// printed through probe::printable() in text, and made valid UTF-8 in JSON. Pure
// functions of the check: nothing here touches the network.
//
// Text is in `lang` ("en" or "zh"): labels from probe/data/output_words.yaml
// (probe/output_words.hpp; the command checks the file loaded before rendering), the
// verdict's meaning from address_verdicts.yaml. The technical reason, failure
// descriptions and findings are composed in English by smtp/ and dns/; Chinese output
// labels them. JSON keys and values do not depend on the language.

#include "smtp/prober.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace probe {

// 0 deliverable; 1 undeliverable, no-mail-domain; 3 temporary, catch-all, unverifiable;
// 4 unreachable, rejected-us, protocol-error, tls-error (probe/exit_status.hpp).
int exit_status_for(smtp::verdict verdict);

nlohmann::ordered_json address_check_json(const smtp::address_check& check,
                                           const smtp::prober_counters* counters = nullptr);
nlohmann::ordered_json reply_json(const smtp::reply& reply);
// The verdict and what it rests on, without attempts and transcripts: what `probe batch`
// writes per address unless -v (a million addresses would otherwise write gigabytes).
nlohmann::ordered_json address_summary_json(const smtp::address_check& check);

// What each verdict means for the sender and what to do, in English and Chinese
// (probe/data/address_verdicts.yaml). Loading fails with a message for a missing file,
// bad YAML, an unknown verdict name or a verdict without an English text.
class address_verdict_words {
 public:
  static std::variant<address_verdict_words, std::string> load(const std::filesystem::path& path);
  // The text for `verdict` in `lang` (English when no translation); empty when unknown.
  std::string for_verdict(smtp::verdict verdict, std::string_view lang) const;

 private:
  std::map<smtp::verdict, std::pair<std::string, std::string>> texts_;  // verdict -> (en, zh)
};

// `words`, when given, adds what the verdict means and what to do, in `lang`.
void print_address_check(std::ostream& out, const smtp::address_check& check, int verbose,
                         const address_verdict_words* words = nullptr, std::string_view lang = "en");

}  // namespace probe
