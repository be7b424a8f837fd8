#pragma once
// reports/limits: the bounds on every loop over bounce input (a bounce is peer data).
// Past a limit the parser stops reading, keeps what it has and marks the report
// `truncated`; it never fails, hangs or grows without bound. docs/bounce.md lists these.

#include <cstddef>

namespace reports::limits {

inline constexpr std::size_t max_message_bytes = 10u << 20;   // per message; the rest is ignored
inline constexpr std::size_t max_input_bytes = 256u << 20;    // per file or stdin (an mbox)
inline constexpr std::size_t max_messages = 100000;           // per mbox or maildir
inline constexpr std::size_t max_mime_parts = 256;            // MIME parts per message
inline constexpr std::size_t max_mime_depth = 32;             // nesting levels of multiparts and messages
inline constexpr std::size_t max_part_text_bytes = 1u << 20;  // decoded text kept per part
inline constexpr std::size_t max_header_count = 1000;         // headers read per part
inline constexpr std::size_t max_header_bytes = 8192;         // one header value after unfolding
inline constexpr std::size_t max_recipients = 1000;           // per report
inline constexpr std::size_t max_diagnostic_bytes = 2048;     // one recipient's diagnostic
inline constexpr std::size_t max_diagnostic_lines = 12;       // lines joined into a diagnostic
inline constexpr std::size_t max_text_lines = 5000;           // lines of a human-readable part scanned
inline constexpr std::size_t max_received = 30;               // Received headers kept

}  // namespace reports::limits
