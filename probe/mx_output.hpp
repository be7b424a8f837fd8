#pragma once
// How `probe mx` prints a routing: text for people, JSON for programs.
// Every string from DNS passes through printable() before it reaches the terminal.

#include "dns/routing.hpp"
#include "probe/style.hpp"

#include <ostream>
#include <string>

namespace probe {

struct mx_report {
  dns::routing routing;
  std::string input;               // what the user typed (may be a U-label domain)
  std::string dns_problem;         // explain_dns_failure() text when routing failed
  std::vector<std::string> servers;  // DNS servers asked
};

void print_mx_text(std::ostream& out, const mx_report& report, const style& look, int verbose);
void print_mx_json(std::ostream& out, const mx_report& report);

}  // namespace probe
