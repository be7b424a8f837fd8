#pragma once
// probe's exit statuses: one table for every command (docs/exit-status.md mirrors it).
// Scripts branch on these, so a value never changes meaning once released.

namespace probe {

enum exit_status : int {
  exit_ok = 0,            // deliverable / not listed / checks pass / bounce transient
  exit_negative = 1,      // undeliverable / listed / a check fails / bounce persistent
  exit_usage = 2,         // bad arguments, bad address syntax, CR/LF in an argument
  exit_temporary = 3,     // temporary, greylisted, warnings only, inconclusive, unknown
  exit_probe_failed = 4,  // could not check: network or DNS failure, port 25 blocked
  exit_input_error = 5,   // input file missing or unreadable, bad config file
  exit_not_bounce = 6,    // probe bounce: the input is not a bounce report
  exit_changed = 7,       // probe bounce: a recipient now fails for another reason
  exit_internal = 70,     // a bug in probe (EX_SOFTWARE)
};

}  // namespace probe
