#pragma once
// reports/report: the facts read from one bounce, as plain copyable values.
//
// Promise: a `report` holds no pointers into the input and no library handles; it can be
// copied, stored and compared on any thread. Every text field came from a peer and is
// hostile: it is valid UTF-8 (invalid bytes replaced) and size-bounded (reports/limits.hpp),
// but still needs probe::printable() before it reaches a terminal.
// Each recipient carries `sources`: for each fact, where it was read ("DSN Status",
// "qmail text", ...), so `probe bounce -v` can show it and correlation can weigh it.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reports {

// What the message is. Only `failure` and `delay` describe undelivered mail.
enum class report_kind { failure, delay, delivered, relayed, expanded, vacation, feedback, not_bounce };
std::string_view to_string(report_kind kind);

// The SMTP step at which the remote server refused (RFC 5321 §3.3 order).
enum class smtp_command { unknown, conn, ehlo, mail, rcpt, data };
std::string_view to_string(smtp_command command);

// RFC 3464 §2.3.3 Action values.
enum class dsn_action { unknown, failed, delayed, delivered, relayed, expanded };
std::string_view to_string(dsn_action action);

// Where each fact of a recipient was read, by fact name, iterated in name order: the
// interface of the std::map it replaced, as far as readers use one (operator[], find, at,
// count, begin/end), kept in one vector, because a recipient has under a dozen facts and
// the map allocated a node for each. Unlike a map's, a reference or iterator into it is
// invalidated by the next insertion (operator[] of a new name).
class fact_sources {
 public:
  using value_type = std::pair<std::string, std::string>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  fact_sources() = default;
  // As std::map's: in name order, the first of two entries of one name kept.
  fact_sources(std::initializer_list<value_type> entries);

  // The entry for `fact`, added empty (in name order) when absent.
  std::string& operator[](std::string_view fact);
  iterator find(std::string_view fact);
  const_iterator find(std::string_view fact) const;
  // Throws std::out_of_range when absent, as std::map::at.
  const std::string& at(std::string_view fact) const;
  std::size_t count(std::string_view fact) const { return find(fact) == end() ? 0 : 1; }
  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<value_type> entries_;  // ascending by name
};

struct recipient {
  std::string address;             // Final-Recipient or the address named in the text
  std::string original_recipient;  // Original-Recipient (RFC 3464 §2.3.1), if given
  dsn_action action = dsn_action::unknown;
  std::string status;              // RFC 3463 "D.S.N", empty when none was found
  int reply_code = 0;              // SMTP reply code (RFC 5321 §4.2), 0 when none
  std::string diagnostic;          // unfolded, bounded remote or local explanation
  std::string diagnostic_type;     // Diagnostic-Code type, lower case: "smtp", "x-unix", ... ("" if none)
  smtp_command command = smtp_command::unknown;
  std::string remote_host;         // the MTA that refused (Remote-MTA or "host X said")
  std::string remote_ip;
  std::string last_attempt_date;   // as written (RFC 5322 date-time)
  std::string feedback_type;       // ARF (RFC 5965) Feedback-Type, for feedback reports
  std::map<std::string, std::string> extra_fields;  // other X- fields of the DSN block
  // fact name ("address", "status", "reply_code", "diagnostic", "command", "remote_host",
  // "remote_ip", "action") -> where it was read.
  fact_sources sources;
};

// The message that bounced, as far as the bounce quotes it.
struct original_message {
  std::string from;
  std::string to;
  std::string subject;
  std::string message_id;
  std::string date;
  std::vector<std::string> received;  // Received: headers, newest first, unfolded, bounded
  std::string sending_ip;             // first public IP in the Received chain (oldest hop)
  std::string sending_ip_source;      // which Received header named it
  std::optional<std::uint64_t> size;  // from X-Postfix/DSN text or the quoted body, if known
};

struct report {
  report_kind kind = report_kind::not_bounce;
  std::string mta_family;       // "Postfix", "Exim", "qmail", "RFC3464", ... ("" if unknown)
  std::string reporting_mta;    // Reporting-MTA or the bounce's own host
  std::string arrival_date;     // Arrival-Date, else the bounce's Date
  std::string bounce_from;      // From: of the bounce itself
  std::string bounce_subject;   // Subject: of the bounce itself (decoded)
  std::string bounce_date;
  original_message original;
  std::vector<recipient> recipients;
  std::string mta_reason;       // the reporting MTA's own verdict on the whole report, in its own
                                // words (reasons.yaml family_patterns, where: report), or ""
  std::string mta_reason_matched;  // the pattern that found it
  // The SMTP step the report's own words name for all its failures ("Each of the following
  // recipients was rejected by a remote mail server": RCPT TO; formats.yaml report_steps),
  // and the words. Weaker than a recipient's own `command`: it confirms a verdict that holds
  // at that step only, it does not decide a cause.
  smtp_command named_step = smtp_command::unknown;
  std::string named_step_matched;
  bool truncated = false;       // the input exceeded a limit; the rest was not read
  std::vector<std::string> notes;  // parse findings worth showing (limits hit, odd structure)
};

}  // namespace reports
