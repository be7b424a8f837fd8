#pragma once
// `probe server [--ip IP] [--helo NAME] [--domain DOMAIN]`: is my sending server set up
// the way receivers expect? A checklist (PTR, forward-confirmed rDNS, generic PTR, HELO,
// SPF for the domain and the HELO, DMARC, DNSBLs, MX) with evidence and advice (en/zh).
//
// Without --ip the public egress address is detected (probe/egress_ip.hpp) and, as the
// check then runs on the server itself, this host's name is taken as the HELO name when
// --helo is not given. Without --domain the domain of the HELO (else the PTR) name is used.
//
// Exit status: the worst item: fail 1, warn 3, otherwise 0; 2 usage; 4 when no address to
// check could be found; 5 when a data file is unreadable.
// `run_server` takes the DNS sources and the io_context so tests drive it in memory.

#include "dns/source.hpp"
#include "probe/cli.hpp"
#include "probe/egress_ip.hpp"
#include "probe/server_check.hpp"
#include "rbl/catalogue.hpp"

#include <boost/asio/io_context.hpp>

#include <ostream>
#include <string>
#include <variant>

namespace probe {

void register_server_command(CLI::App& app, command_context& ctx);

struct server_request {
  std::string ip;      // --ip; empty: detect
  std::string helo;    // --helo; empty: this host's name when detecting, else none
  std::string domain;  // --domain; empty: derived
  std::string local_hostname;  // what "this host's name" is (gethostname); tests set it
};

// server_check.yaml in probe::data_path("probe") (probe/data/ in the source tree), loaded.
std::variant<server_knowledge, std::string> load_server_knowledge();

int run_server(const settings& config, const server_request& request, const rbl::catalogue& lists,
               const server_knowledge& knowledge, boost::asio::io_context& io, dns::source& dns,
               egress_sources egress, std::ostream& out, std::ostream& err);

}  // namespace probe
