#include "reports/report.hpp"

#include "reports/classify.hpp"

#include <algorithm>
#include <stdexcept>

namespace reports {

namespace {

bool name_before(const fact_sources::value_type& entry, std::string_view fact) { return std::string_view(entry.first) < fact; }

}  // namespace

fact_sources::fact_sources(std::initializer_list<value_type> entries) {
  entries_.reserve(std::max<std::size_t>(entries.size(), 8));
  for (const auto& [fact, where] : entries)
    if (find(fact) == end()) (*this)[fact] = where;
}

std::string& fact_sources::operator[](std::string_view fact) {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), fact, name_before);
  if (it != entries_.end() && it->first == fact) return it->second;
  // One allocation for a recipient's usual facts instead of one per doubling.
  if (entries_.empty()) {
    entries_.reserve(8);
    return entries_.emplace_back(std::string(fact), std::string()).second;
  }
  return entries_.insert(it, value_type(std::string(fact), std::string()))->second;
}

fact_sources::iterator fact_sources::find(std::string_view fact) {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), fact, name_before);
  return it != entries_.end() && it->first == fact ? it : entries_.end();
}

fact_sources::const_iterator fact_sources::find(std::string_view fact) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), fact, name_before);
  return it != entries_.end() && it->first == fact ? it : entries_.end();
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
