#pragma once
// The answer to "is this address deliverable now?" and the catch-all tri-state.
// Names are the ones printed and written to JSON (docs/address.md). Pure values.

#include <optional>
#include <string_view>

namespace smtp {

enum class verdict {
  deliverable,     // RCPT accepted, and the domain rejects unknown recipients (or could not be told)
  undeliverable,   // RCPT refused for the mailbox (5.1.x, "user unknown", disabled, full)
  rejected_us,     // refused for policy against the prober (5.7.x, blocklist, PTR, sender)
  temporary,       // 4xx, greylisting, 421: ask again later
  unreachable,     // no MX could be reached (refused, timeouts), or DNS failed
  no_mail_domain,  // null MX (RFC 7505), NXDOMAIN, or a domain with no mail host
  catch_all,       // RCPT accepted, but so is a random local part: the answer proves nothing
  unverifiable,    // a provider whose RCPT answers cannot tell (smtp/provider_quirks.yaml)
  protocol_error,  // the peer does not speak SMTP properly
  tls_error,       // TLS was required and could not be had
};
std::string_view to_string(verdict v);
std::optional<verdict> verdict_from(std::string_view name);

enum class catch_all_state {
  not_tested,       // skipped (--no-catch-all), not needed, or the session ended first
  accepts_all,      // a random local part was accepted
  rejects_unknown,  // a random local part was refused as unknown
  inconclusive,     // a 4xx, a 452, a policy refusal or a failure: no conclusion
};
std::string_view to_string(catch_all_state state);
std::optional<catch_all_state> catch_all_state_from(std::string_view name);

}  // namespace smtp
