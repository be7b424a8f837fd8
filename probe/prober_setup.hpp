#pragma once
// From settings to a prober: the one place that turns flags and config into
// smtp::prober_options, shared by `probe user@domain`, `probe batch` and the bounce
// correlation, so every command probes with the same identity and limits.
//
// Sender identity (never forged): --helo, else /etc/mailname, else this host's name;
// --mail-from, else "probe@<HELO name>" when that name is fully qualified and is neither
// the recipient's domain nor a mailbox provider's, else the null sender "<>" (RFC 5321
// §4.5.5, as verification callouts use). Notes warn when a given sender looks forged;
// each note is an English sentence with its phrase beside it (note_phrases).
//
// Data files: smtp/reply_classes.yaml and smtp/provider_quirks.yaml via data_path("smtp").

#include "probe/exit_status.hpp"
#include "probe/settings.hpp"
#include "smtp/prober.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace probe {

struct prober_overrides {
  bool no_catch_all = false;
  int greylist_wait_s = -1;   // -1: from settings
  int max_rcpts = -1;         // -1: from settings
  double per_host_rate = -1;  // -1: from settings
};

struct prober_setup {
  smtp::prober_options options;
  std::vector<std::string> notes;  // identity warnings, for the report
  // notes[i] with its phrase (keys "reason.identity_sender_*" of probe/data/output_words.yaml),
  // in the form the address report reads beside the prober's own warnings
  // (smtp::address_check::warning_phrases): add both to a check's warnings.
  std::vector<smtp::address_check::warning_phrase> note_phrases;
  std::string error;               // set when the settings cannot make a prober
  int error_status = exit_ok;      // exit_usage (bad flag) or exit_input_error (data file)
  bool ok() const { return error.empty(); }
};

// `recipient_domain` (A-label, lower case) is the one domain a single check probes;
// empty for a run over many domains.
prober_setup make_prober_setup(const settings& config, const prober_overrides& overrides,
                               std::string_view recipient_domain, std::string_view recipient_address = {});

}  // namespace probe
