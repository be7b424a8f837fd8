#pragma once
// Provider quirks: mailbox providers whose RCPT answers do not mean what they say.
//
// Yahoo accepts every RCPT and bounces after DATA; Microsoft 365 tenants without
// Directory-Based Edge Blocking accept every RCPT; Outlook.com answers 452 to repeated
// RCPTs and refuses unknown IPs; Gmail's 4.2.1 "receiving mail at a rate" means the
// mailbox exists. Such answers would give a false "deliverable" or "undeliverable";
// the quirk turns them into the verdict the evidence supports, with the reason.
//
// The knowledge is data (smtp/provider_quirks.yaml), keyed by MX host suffix at a label
// boundary (the longest matching suffix wins). A rule may wait for the catch-all test
// (its `catch_all` list); otherwise it applies to the RCPT reply at once.
// A loaded table is immutable: share it across threads.

#include "smtp/address.hpp"
#include "smtp/classify.hpp"
#include "smtp/verdict.hpp"

#include <optional>
#include <string>
#include <vector>

namespace smtp {

struct quirk_rule {
  reply_condition when;                    // on the RCPT reply; `meaning` tests the classification
  std::vector<catch_all_state> catch_all;  // when given, the rule applies only after the catch-all test
  verdict result = verdict::unverifiable;
  std::optional<bool> mailbox_exists;      // what the reply proves about the mailbox, if anything
  std::string reason;
  std::string reason_zh;                   // the same in Chinese (required beside `reason`)
};

struct provider_quirk {
  std::string name;
  std::vector<std::string> mx_suffixes;  // lower case, no leading or trailing dot
  std::vector<quirk_rule> rules;
};

struct quirk_match {
  std::string provider;
  std::string mx_suffix;  // the suffix that matched the MX host
  verdict result = verdict::unverifiable;
  std::optional<bool> mailbox_exists;
  std::string reason;
  std::string reason_zh;
};

class quirk_table {
 public:
  static checked<quirk_table> load_file(const std::string& path);
  static checked<quirk_table> load_text(const std::string& yaml, const std::string& origin = "<text>");

  // The provider whose suffix matches `mx_host` (case-insensitive, trailing dot ignored).
  const provider_quirk* provider_for(std::string_view mx_host, std::string* matched_suffix = nullptr) const;

  // The first rule of the provider of `mx_host` that holds. Without `catch_all`, only
  // rules that do not wait for the catch-all test are considered.
  std::optional<quirk_match> match(std::string_view mx_host, const reply& rcpt, reply_meaning meaning,
                                   std::optional<catch_all_state> catch_all = std::nullopt) const;

  std::size_t size() const { return providers_.size(); }

 private:
  std::vector<provider_quirk> providers_;
};

}  // namespace smtp
