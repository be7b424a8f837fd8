#pragma once
// reports/parse: one message in, one `report` out (reports/report.hpp).
//
// Reads RFC 3464 DSNs (message/delivery-status, also embedded in text), RFC 5965 ARF
// feedback reports, RFC 3834 auto-replies and the free-text formats of the MTA families
// in data/formats.yaml, with a generic fallback; SMTP session transcripts quoted in a
// report give the step each failed reply answered. Never throws on peer input and never
// fails: unreadable or non-bounce input gives kind == not_bounce. Work is bounded by
// reports/limits.hpp. Thread-safe given a shared const knowledge (see reports/mime.hpp
// for GMime's initialisation). Each thread keeps scratch between calls (thread_local:
// the report text's lines, scans and per-line results, DSN field lists), cleared and
// reused, never shared; it holds at most what the limits allow one message.

#include "reports/knowledge.hpp"
#include "reports/report.hpp"

#include <string_view>

namespace reports {

report parse(std::string_view message_bytes, const knowledge& k);

// Helpers exposed for tests and for the classifier.
struct smtp_facts {
  int reply_code = 0;
  std::string status;
  smtp_command command = smtp_command::unknown;
  std::string remote_host;
  std::string remote_ip;
};
// Reply code, enhanced status, command and refusing host named in a diagnostic text.
smtp_facts read_smtp_facts(std::string_view diagnostic, const knowledge& k);
// First enhanced status code ("5.1.1") in the text, or "".
std::string find_status(std::string_view text);
// First failure (4xx/5xx) SMTP reply code in the text that a server may send
// (formats.yaml smtp_reply_codes), or 0.
int find_reply_code(std::string_view text, const knowledge& k);
// The status a recipient is best described by, given the DSN Status field, the code in
// the server's reply and the reply code: a generic or ambiguous field ("5.0.0",
// "4.4.7") gives way to the server's specific code; a class that contradicts the reply
// code loses.
std::string prefer_status(std::string_view field, std::string_view in_reply, int reply_code);

}  // namespace reports
