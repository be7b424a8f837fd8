#pragma once
// Output of `probe user@domain`: text (verdict first, then routing and one block per
// attempt; with -v the transcript) and JSON (the whole structure, docs/address.md).
//
// Every string that came from a peer (banners, replies, certificate names, DNS names) is
// printed through probe::printable() in text, and made valid UTF-8 in JSON. Pure
// functions of the check: nothing here touches the network.

#include "smtp/prober.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace probe {

// 0 deliverable; 1 undeliverable, no-mail-domain; 3 temporary, catch-all, unverifiable;
// 4 unreachable, rejected-us, protocol-error, tls-error (probe/exit_status.hpp).
int exit_status_for(smtp::verdict verdict);

nlohmann::ordered_json address_check_json(const smtp::address_check& check,
                                           const smtp::prober_counters* counters = nullptr);
nlohmann::ordered_json reply_json(const smtp::reply& reply);
// The verdict and what it rests on, without attempts and transcripts: what `probe batch`
// writes per address unless -v (a million addresses would otherwise write gigabytes).
nlohmann::ordered_json address_summary_json(const smtp::address_check& check);

void print_address_check(std::ostream& out, const smtp::address_check& check, int verbose);

}  // namespace probe
