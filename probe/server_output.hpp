#pragma once
// Output of `probe server`: the checklist as text and as JSON (schema: docs/server.md).
//
// Promise: every string from the network (PTR names, records, TXT, DNS details) goes
// through probe::printable() for text and probe::valid_utf8() for JSON; advice comes
// from probe/data/server_check.yaml in the chosen language. Pure functions; no I/O.

#include "probe/egress_ip.hpp"
#include "probe/server_check.hpp"
#include "probe/style.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace probe {

struct server_report {
  egress_result egress;
  server_facts facts;
  std::vector<check_item> items;  // egress first, then the checks
};

// fail → exit_negative (1), warn → exit_temporary (3), otherwise exit_ok (0).
int server_exit_status(const std::vector<check_item>& items);

std::string server_text(const server_report& report, const server_knowledge& knowledge, std::string_view lang,
                        int verbose = 0, const style& look = style(color_mode::never));
nlohmann::json server_json(const server_report& report, const server_knowledge& knowledge, std::string_view lang);

}  // namespace probe
