#pragma once
// Where a module's data files (DNSBL catalogue, bounce patterns, advice texts, provider
// quirks) are found at run time. Libraries never look for files themselves: probe/ finds
// the folder here and hands it to them.
//
// Order: $PROBE_DATA_DIR/MODULE; <binary>/../share/probe/MODULE (the installed layout,
// relative to the install prefix, so a relocated .deb or `cmake --install --prefix X`
// works); the source tree's MODULE/data (a build that was not installed).

#include <string>
#include <string_view>

namespace probe {

std::string data_path(std::string_view module);

}  // namespace probe
