#pragma once
// JSON forms of DNS values (answers, routing), shared by every command's --json output.
// Strings from the network are made valid UTF-8 here; JSON escaping does the rest.
// Field names are documented in docs/json.md.

#include "dns/answer.hpp"
#include "dns/routing.hpp"

#include <nlohmann/json.hpp>

namespace probe {

nlohmann::json to_json(const dns::answer& answer);
nlohmann::json to_json(const dns::resource_record& record);
nlohmann::json to_json(const dns::routing& routing);

}  // namespace probe
