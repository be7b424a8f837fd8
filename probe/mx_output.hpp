#pragma once
// How `probe mx` prints a routing: text for people, JSON for programs.
// Every string from DNS passes through printable() before it reaches the terminal.
// Text is in `lang` ("en" or "zh"), its words from probe/data/output_words.yaml
// (probe/output_words.hpp; the command checks the file loaded before rendering). DNS
// names, result identifiers (nxdomain, timeout) and the resolver's failure text are not
// translated. JSON does not depend on the language.

#include "dns/routing.hpp"
#include "probe/style.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace probe {

struct mx_report {
  dns::routing routing;
  std::string input;               // what the user typed (may be a U-label domain)
  std::string dns_problem;         // explain_dns_failure() text when routing failed
  std::vector<std::string> servers;  // DNS servers asked
};

void print_mx_text(std::ostream& out, const mx_report& report, const style& look, int verbose,
                   std::string_view lang = "en");
void print_mx_json(std::ostream& out, const mx_report& report);

}  // namespace probe
