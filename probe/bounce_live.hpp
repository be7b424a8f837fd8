#pragma once
// `probe bounce` without --offline (issue 7): for each failed recipient of every bounce
// read, check what its cause depends on now and say whether the bounce was transient, is
// persistent, has changed or is inconclusive — with the evidence and the rule.
//
// One run shares one DNS cache, one SMTP prober (a session per MX address; recipients of
// one domain share it), one DNSBL checker (zone health once per list); every recipient is
// checked concurrently. Exit status: 1 if any recipient is persistent, else 7 if any
// changed, else 3 if any inconclusive, else 0 (6 when nothing read is a bounce, 5 on an
// unreadable input). Installed into the bounce command by main (set_bounce_live_checks).

#include "probe/bounce_command.hpp"
#include "probe/correlation_run.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace probe {

int run_bounce_live(std::vector<bounce_item>& items, const reports::knowledge& knowledge, command_context& ctx);

// Advice after a verdict (probe/data/correlation.yaml), by cause then by verdict alone.
class correlation_advice {
 public:
  static std::variant<correlation_advice, std::string> load(const std::string& path);
  std::string for_verdict(correlation::cause cause, correlation::verdict verdict, std::string_view lang) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> texts_;  // key → lang → text
};

// Seconds since an RFC 5322 date ("Mon, 23 Nov 2026 19:03:39 +0000"); nullopt if unreadable.
std::optional<long long> age_seconds(std::string_view date, std::time_t now);
std::string describe_age(long long seconds, std::string_view lang);

nlohmann::json live_json(const correlation::recipient_check& check, const correlation_advice& advice, std::string_view lang,
                         std::optional<long long> age);

}  // namespace probe
