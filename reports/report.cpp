#include "reports/report.hpp"

#include "reports/classify.hpp"

#include <algorithm>
#include <stdexcept>

namespace reports {

namespace {

// As std::string_view::compare's sign, the first bytes compared inline (no memcmp call
// when they differ, as the fact names mostly do).
int compare_names(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a.front() != b.front())
    return static_cast<unsigned char>(a.front()) < static_cast<unsigned char>(b.front()) ? -1 : 1;
  return a.compare(b);
}

}  // namespace

fact_sources::fact_sources(std::initializer_list<value_type> entries) {
  entries_.reserve(std::max<std::size_t>(entries.size(), 8));
  for (const auto& [fact, where] : entries)
    if (find(fact) == end()) (*this)[fact] = where;
}

std::string& fact_sources::operator[](std::string_view fact) {
  // A recipient has under a dozen facts, and the readers mostly name a new one after those
  // it already has (address, action, status, diagnostic ...): walked from the end, a new
  // last name costs one comparison and no shift; the names differ in their first byte
  // mostly, compared before the whole names.
  std::size_t i = entries_.size();
  while (i > 0) {
    const int c = compare_names(entries_[i - 1].first, fact);
    if (c == 0) return entries_[i - 1].second;
    if (c < 0) break;
    --i;
  }
  // One allocation for a recipient's usual facts instead of one per doubling.
  if (entries_.capacity() == 0) entries_.reserve(8);
  if (i == entries_.size()) return entries_.emplace_back(std::string(fact), std::string()).second;
  return entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(i), value_type(std::string(fact), std::string()))->second;
}

fact_sources::iterator fact_sources::find(std::string_view fact) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const int c = compare_names(it->first, fact);
    if (c == 0) return it;
    if (c > 0) break;
  }
  return entries_.end();
}

fact_sources::const_iterator fact_sources::find(std::string_view fact) const {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const int c = compare_names(it->first, fact);
    if (c == 0) return it;
    if (c > 0) break;
  }
  return entries_.end();
}

const std::string& fact_sources::at(std::string_view fact) const {
  const auto it = find(fact);
  if (it == end()) throw std::out_of_range("fact_sources::at: no source for " + std::string(fact));
  return it->second;
}

std::string_view to_string(report_kind kind) {
  switch (kind) {
    case report_kind::failure: return "failure";
    case report_kind::delay: return "delay";
    case report_kind::delivered: return "delivered";
    case report_kind::relayed: return "relayed";
    case report_kind::expanded: return "expanded";
    case report_kind::vacation: return "vacation";
    case report_kind::feedback: return "feedback";
    case report_kind::not_bounce: return "not_bounce";
  }
  return "not_bounce";
}

std::string_view to_string(smtp_command command) {
  switch (command) {
    case smtp_command::conn: return "CONN";
    case smtp_command::ehlo: return "EHLO";
    case smtp_command::mail: return "MAIL";
    case smtp_command::rcpt: return "RCPT";
    case smtp_command::data: return "DATA";
    case smtp_command::unknown: return "";
  }
  return "";
}

std::string_view to_string(dsn_action action) {
  switch (action) {
    case dsn_action::failed: return "failed";
    case dsn_action::delayed: return "delayed";
    case dsn_action::delivered: return "delivered";
    case dsn_action::relayed: return "relayed";
    case dsn_action::expanded: return "expanded";
    case dsn_action::unknown: return "";
  }
  return "";
}

std::string_view to_string(decided_by by) {
  switch (by) {
    case decided_by::provider: return "provider";
    case decided_by::status: return "status";
    case decided_by::text: return "text";
    case decided_by::reply_code: return "code";
    case decided_by::command: return "command";
    case decided_by::report_kind: return "kind";
    case decided_by::none: return "none";
  }
  return "none";
}

}  // namespace reports
