#pragma once
// Writes a nlohmann::json document exactly as its compact dump() does (no indent, UTF-8
// kept as it is, strict), faster: nlohmann's serializer runs a UTF-8 decoder state
// machine over every byte of every string, which made serialising `probe bounce --json`
// cost about as much as parsing the bounce; this writer copies runs of plain ASCII whole
// and checks multi-byte sequences by hand.
//
// Promise: append_compact_json(out, j) appends the same bytes as j.dump(), or, when a
// string in j is not valid UTF-8 (dump() would throw type_error 316), appends nothing
// and returns false so the caller can fall back to dump() and its error. Floating-point
// numbers are written by nlohmann itself (its shortest round-trip form). Thread-safe
// (no state); recursion depth is the document's, which probe builds (not peer input).

#include <nlohmann/json.hpp>

#include <string>

namespace probe {

bool append_compact_json(std::string& out, const nlohmann::json& j);

// j.dump() through append_compact_json, with dump()'s own behaviour when it cannot.
std::string compact_json(const nlohmann::json& j);

}  // namespace probe
