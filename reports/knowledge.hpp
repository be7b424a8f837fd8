#pragma once
// reports/knowledge: the data files beside this module (data/formats.yaml,
// data/reasons.yaml, data/advice.yaml), loaded and compiled once.
//
// Lifetime and threads: load once per process (a few milliseconds), then share the
// immutable object (const&, or the shared_ptr) between any number of threads.
// Errors are values: a missing file or a bad pattern gives `error` naming the file and
// the entry; nothing throws.

#include "reports/pattern_set.hpp"
#include "reports/report.hpp"

#include <bitset>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace reports {

struct advice {
  std::string what;     // what happened
  std::string side;     // "sender" | "recipient" | "network"
  std::string action;   // what to do
};

class knowledge {
 public:
  struct family_rule {
    std::string family;
    std::string where;                 // from | subject | text | header | part | dsn
    std::vector<std::string> headers;  // where == header: the header names (lower case)
    // A brand's name ("yahoo.com", "lotus"), not a layout's words: it names the family of a
    // message known to be a report, and is no evidence that a message is one.
    bool brand = false;
  };
  // An MTA's own words for its own verdicts, read when the report is in its layout.
  struct family_pattern {
    std::string family;
    std::string reason;
    std::string where;  // diagnostic | report (the whole report text)
    std::string pattern;
    std::unique_ptr<RE2> match;
  };
  struct status_entry {
    std::string reason;
    bool strong = false;
    std::vector<std::string> unless;
  };
  // A text verdict that holds only when the refusal came at one SMTP step.
  struct command_rule {
    smtp_command command = smtp_command::unknown;
    std::string otherwise;                     // the verdict at any other step
    std::vector<std::string> not_from_status;  // status reasons that do not replace it
  };
  // A provider's own code or wording, read when its host refused.
  struct provider_rule {
    std::string provider;
    std::string pattern;
    const RE2* match = nullptr;  // provider_text's expression for this rule (compiled once, there)
    std::string reason;
    smtp_command command = smtp_command::unknown;  // when set: only a refusal at this step
    std::string status;  // when set: only with this status (or none given)
    std::string subcause;  // when set: the provider's own sub-cause (its advice), else the text's
    // Only when the refusing host is the provider's own (the report names it, or the reply
    // does), not when only the recipient's domain or the reporting MTA is: a limit of the
    // provider's servers, which another host's words do not describe.
    bool refusing_host_only = false;
  };
  struct feedback_rule {
    std::string where;  // header | original | subject
    std::string name;   // header name
    std::unique_ptr<RE2> match;
    std::string type;   // ARF Feedback-Type to report
  };
  struct text_rule {
    std::string reason;
    std::string subcause;
    std::string pattern;
    bool generic = false;  // says only "refused": the SMTP command decides when known
    bool native = false;   // an MTA's own verdict (not a relayed SMTP reply): no step needed
  };
  struct size_rule {
    std::uint64_t unit = 1;
  };
  struct url_zone {
    std::string zone;
  };

  // Literal scanners shared by the sets run on the same texts, so a text is scanned once:
  // the report for people (families, markers, recipient lines, boilerplate, sections,
  // delay words) and a diagnostic (reasons, hints, commands, remote hosts).
  std::shared_ptr<literal_scanner> text_literals = std::make_shared<literal_scanner>();
  std::shared_ptr<literal_scanner> diagnostic_literals = std::make_shared<literal_scanner>();

  // formats.yaml
  // Lower-case names of the headers the reader decodes: in the bounce's own header, in
  // the returned message's.
  std::vector<std::string> top_headers_read;
  std::vector<std::string> original_headers_read;
  pattern_set families;            // one entry per (family, pattern)
  std::vector<family_rule> family_of;
  pattern_set original_markers;
  pattern_set recipient_lines;
  pattern_set boilerplate;
  pattern_set recipient_sections;
  pattern_set block_ends;
  std::bitset<1000> smtp_reply_codes;  // codes a server may send
  std::vector<std::string> transcript_commands;  // line prefixes, lower case
  std::vector<std::string> transcript_replies;
  std::vector<std::string> transcript_sessions;
  // The same markers as literal expressions on the shared report-text scanner: whether a
  // report holds one comes from the pass that scanner already makes, not a search per marker.
  pattern_set transcript_session_markers;
  // A layout's words just before the remote server's own reply ("remote host said:"),
  // lower case: the cause is read in what follows (classify.cpp).
  std::vector<std::string> reply_intros;
  // A layout's words right after the remote server's reply (": retry timeout exceeded"),
  // lower case: the cause is read in the reply before them first (classify.cpp).
  std::vector<std::string> reply_outros;
  pattern_set delay_markers;
  pattern_set commands;
  std::vector<smtp_command> command_of;
  // Words above the recipients naming the step of every failure in the report (formats.yaml
  // report_steps), on the shared report-text scanner.
  pattern_set report_steps;
  std::vector<smtp_command> report_step_of;
  pattern_set remote_hosts;
  // Per remote_hosts expression, the group numbers of its named groups `host` and `ip`
  // (-1: none), looked up once here rather than in its name map per diagnostic.
  struct host_groups {
    int host = -1, ip = -1;
  };
  std::vector<host_groups> remote_host_groups;
  pattern_set vacation_subjects;
  std::vector<std::pair<std::string, std::unique_ptr<RE2>>> vacation_headers;
  // Subjects of a reply (formats.yaml vacation.reply_subjects): with "Auto-Submitted:
  // auto-generated" and In-Reply-To or References, an automatic reply (parse.cpp).
  pattern_set reply_subjects;
  pattern_set bounce_senders;
  pattern_set bounce_subjects;
  pattern_set bare_name_lists;  // a line after which recipients are named without a domain
  pattern_set forward_markers;                          // inline forward: the line before the block
  std::map<std::string, std::string> forward_label_of;  // label, lower case -> from|date|to|subject

  // reasons.yaml
  std::map<std::string, status_entry> status;  // "S.D" -> entry
  pattern_set reason_text;
  std::vector<text_rule> reason_of;
  std::map<int, std::string> reply_codes;
  std::map<smtp_command, std::string> command_reasons;
  std::map<std::string, command_rule> command_required;  // text reason -> its SMTP step
  pattern_set temporary_words;                           // "temporary", "persistent"
  std::map<std::string, std::vector<std::string>> provider_hosts;  // provider -> host/domain suffixes
  // provider -> its help and postmaster sites, whose links in a reply identify it when no
  // refusing host is named ("see https://senders.yahooinc.com/...").
  std::map<std::string, std::vector<std::string>> provider_pages;
  std::vector<provider_rule> provider_rules;
  pattern_set provider_text;  // provider_rules' patterns, in their order (index i: rule i)
  std::map<std::string, std::string> family_reasons;  // family -> reason when nothing else decides
  std::vector<family_pattern> family_patterns;
  struct diagnostic_type_rule {
    std::string reason;
    std::vector<std::string> over_text;  // text verdicts it replaces (the words only restate the exit)
  };
  std::map<std::string, diagnostic_type_rule> diagnostic_types;  // "x-unix" -> reason after the status
  std::vector<feedback_rule> feedback_rules;  // reason -> reason when refused after DATA
  pattern_set hint_zone;
  pattern_set hint_zone_url;
  std::vector<url_zone> zone_of_url;
  pattern_set hint_client_ip;
  pattern_set hint_size;
  std::vector<size_rule> size_of;
  pattern_set hint_connection;
  std::vector<std::string> hint_zone_reasons, hint_client_ip_reasons, hint_size_reasons;  // empty: any
  std::vector<std::string> hard_reasons;

  // advice.yaml: key "reason" or "reason/subcause", then language
  std::map<std::string, std::map<std::string, advice>> advice_texts;
  // advice.yaml reason_names: language, then reason → its short name
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> reason_names;
};

struct knowledge_result {
  std::shared_ptr<const knowledge> value;
  std::string error;  // non-empty when loading failed
};

// Loads data_dir/formats.yaml, reasons.yaml and advice.yaml.
knowledge_result load_knowledge(const std::filesystem::path& data_dir);

// Advice for a reason, preferring the sub-cause's entry; `lang` "en" or "zh" (falls
// back to "en"). nullopt when the data has no entry for the reason.
// A reason's short name in `lang` (advice.yaml reason_names), "" when the language has none
// (English prints the identifier itself).
std::string reason_name(const knowledge& k, std::string_view reason, std::string_view lang);

std::optional<advice> advice_for(const knowledge& k, std::string_view reason, std::string_view subcause,
                                 std::string_view lang);

}  // namespace reports
