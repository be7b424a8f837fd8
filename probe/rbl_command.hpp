#pragma once
// `probe rbl IP|DOMAIN [--zones Z1,Z2] [--all] [--dqs-key KEY] [--rbl-timeout MS]`:
// is this address or domain on DNSBLs, which, why, and how to get off them.
//
// Exit status: 1 listed on a blocklist, 0 clean, 3 unknown (a list could not answer and
// none lists it), 2 usage (bad target, bad zone, CR/LF), 5 catalogue (or, for text
// output, probe/data/output_words.yaml) unreadable.
// The command's work is `run_rbl`, which takes the DNS source and the io_context so tests
// drive it against an in-memory world; `register_rbl_command` wires in the real resolver.

#include "dns/source.hpp"
#include "probe/cli.hpp"
#include "rbl/catalogue.hpp"

#include <boost/asio/io_context.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <variant>

namespace probe {

void register_rbl_command(CLI::App& app, command_context& ctx);

// catalogue.yaml in probe::data_path("rbl") (rbl/data/ in the source tree), loaded; the
// error says which file and what is wrong.
std::variant<rbl::catalogue, std::string> load_rbl_catalogue();

// Runs the whole command; returns the exit status.
int run_rbl(const settings& config, std::string_view target_text, const rbl::catalogue& lists,
            boost::asio::io_context& io, dns::source& dns, std::ostream& out, std::ostream& err);

}  // namespace probe
