#pragma once
// Making server-controlled text safe to print.
//
// Banners, replies, DNS answers and bounce bodies are hostile: they may carry terminal
// escape sequences (ESC [ ... that recolour, move the cursor or retitle the window),
// other C0/C1 controls, invalid UTF-8 or megabytes of text. Everything from a peer goes
// through `printable()` before it reaches a terminal or a text report. JSON output gets
// valid UTF-8 from `valid_utf8()` and its own escaping from the JSON writer.

#include <cstddef>
#include <string>
#include <string_view>

namespace probe {

// Replaces C0 controls (except TAB), DEL, C1 controls (U+0080–U+009F) and invalid UTF-8
// with U+FFFD-free ASCII stand-ins ('?' or a \xNN escape), and cuts the result at
// `max_bytes` (marking the cut with "…"). Keeps valid non-ASCII UTF-8 such as Chinese.
std::string printable(std::string_view text, std::size_t max_bytes = 4096);

// Replaces invalid UTF-8 sequences with U+FFFD so JSON writers accept the text.
std::string valid_utf8(std::string_view text);

}  // namespace probe
