#pragma once
// reports/classify: why a recipient failed, in Sisimai's vocabulary, with the hints that
// correlation (issue 7) needs to check whether the cause still holds.
//
// Decision order (issue 5; docs/bounce.md "Classification"): the speaker's own vocabulary
// first (a provider's documented codes when its host refused, the reporting MTA's own
// verdicts), then a specific enhanced status code, then the diagnostic text read in the
// context of the SMTP command, then a weak status code, the Diagnostic-Code type, the
// SMTP reply code and the SMTP command; a delay without a cause is "expired", words no
// rule knows are "onhold". All knowledge is data (reports/data/reasons.yaml).
// Pure function of its inputs and the loaded knowledge: thread-safe, no I/O (it keeps a
// scratch scan per thread, thread_local, reused between calls).

#include "reports/report.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace reports {

class knowledge;

enum class decided_by { provider, status, text, reply_code, command, report_kind, none };
std::string_view to_string(decided_by by);

struct correlation_hints {
  std::string dnsbl_zone;          // "zen.spamhaus.org": named in the text or by its URL
  std::string client_ip;           // the sending IP as the remote server named it
  std::optional<std::uint64_t> size_limit;  // bytes, when the text states the limit
  bool connection_level = false;   // refused / timed out / lost connection: no SMTP dialogue
  std::string remote_host;         // the refusing host, when named
  std::string remote_ip;
};

struct classification {
  std::string reason = "undefined";  // Sisimai reason name
  bool hard = false;                 // retrying can never work
  bool temporary = false;            // the failure was reported as 4xx / delayed
  std::string status;                // the recipient's status, else derived "4.0.0"/"5.0.0"
  std::string subcause;              // "spamhaus-pbl", "too-many-hops", "" if none
  decided_by by = decided_by::none;
  std::string matched;               // the code, or the pattern that matched (with its context)
  correlation_hints hints;
};

classification classify(const recipient& rcpt, const report& rep, const knowledge& k);

}  // namespace reports
