#pragma once
// What a refusal means: reading SMTP replies the way a mail administrator does.
//
// The reply code says only "temporary" or "permanent"; whose problem it is (the mailbox,
// or the server's policy against the prober) sits in the enhanced status code
// (RFC 3463) and, when servers omit it, in the wording. That knowledge is data:
// smtp/reply_classes.yaml holds ordered rules; the first rule whose conditions all hold
// decides. Wording matches are case-insensitive and must start at a word boundary
// ("rbl" matches "RBL" and "rbl.example", not "verbless").
//
// Promise: classify() is total (every reply gets a meaning; 2xx is always `accepted`, a
// 4xx is never a mailbox verdict, a 5.7.x never `mailbox_unknown`). Loading reports the
// file and the rule at fault, and refuses a rule with a `why` but no `why_zh` (or the
// reverse), so the Chinese report never misses an explanation. A loaded classifier is immutable: share it across threads.

#include "smtp/address.hpp"
#include "smtp/reply.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp {

enum class reply_meaning {
  accepted,             // 2xx
  mailbox_unknown,      // no such mailbox (5.1.1, "user unknown")
  mailbox_unavailable,  // the mailbox exists or existed but takes no mail (disabled, full, moved)
  bad_address,          // the address is malformed or names no valid destination for this server
  policy,               // the server refuses the prober: IP, reputation, PTR, HELO, sender, relay
  requires_tls,         // 530 "must issue a STARTTLS command first"
  greylisted,           // a deliberate temporary refusal of a first attempt
  rate_limited,         // too many messages or connections, too fast
  too_many_recipients,  // 452 / 4.5.3: this session has asked for enough recipients
  transient,            // another temporary failure
  permanent,            // a permanent refusal that names no reason
};
std::string_view to_string(reply_meaning meaning);
std::optional<reply_meaning> reply_meaning_from(std::string_view name);

// Conditions on a reply; every condition that is present must hold.
struct reply_condition {
  std::optional<int> klass;            // 2, 4 or 5
  std::vector<int> codes;              // any of these codes
  std::vector<std::string> enhanced;   // any of these statuses; "*" matches a whole field ("5.7.*")
  std::vector<std::string> text;       // any of these words (see above)
  std::vector<reply_meaning> meanings; // any of these meanings (quirk rules only)

  // `meaning` is the classifier's result, when known.
  bool matches(const reply& r, std::optional<reply_meaning> meaning = std::nullopt) const;
  // What matched, for evidence: "enhanced status 5.1.1", "wording \"user unknown\"".
  std::string explain(const reply& r) const;
  // The same in Chinese: "增强状态码 5.1.1", "措辞 \"user unknown\"" (the word as the data spells it).
  std::string explain_zh(const reply& r) const;
};

struct classification {
  reply_meaning meaning = reply_meaning::permanent;
  std::string why;     // the rule's explanation and what matched
  std::string why_zh;  // the same in Chinese (the rule's why_zh); "" when the rule has none
};

class reply_classifier {
 public:
  struct rule {
    reply_meaning meaning;
    reply_condition when;
    std::string why;
    std::string why_zh;  // required beside `why`: a rule explains itself in both languages
  };

  // Reads smtp/reply_classes.yaml (or a test's copy).
  static checked<reply_classifier> load_file(const std::string& path);
  static checked<reply_classifier> load_text(const std::string& yaml, const std::string& origin = "<text>");

  classification classify(const reply& r) const;
  std::size_t size() const { return rules_.size(); }

 private:
  std::vector<rule> rules_;
};

// Parses a YAML node of conditions (shared with the quirk table). Returns "" or an error.
std::string parse_condition(const void* yaml_node, reply_condition& out);

// Matches a status pattern such as "5.7.*" or "4.2.1".
bool enhanced_matches(std::string_view pattern, const enhanced_status& status);
// Case-insensitive search of `word` starting at a word boundary in `text`.
bool contains_word(std::string_view text, std::string_view word);

}  // namespace smtp
