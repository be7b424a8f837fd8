#pragma once
// Domain names as users type them, checked and put into the form DNS and SMTP use.
//
// Promise: `to_ascii_domain` accepts a host/domain name (optionally with one trailing
// dot, optionally internationalised) and returns its lower-case A-label form
// (IDNA2008 via libidn2, e.g. "bücher.example" → "xn--bcher-kva.example"), or says
// precisely why it is not a domain: empty, a control character (CR/LF/NUL would inject
// protocol commands), an IP address, an empty label, a label over 63 octets, a name
// over 253 octets, a character not allowed in a host name (RFC 1123 §2.1 LDH rule).
// Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <variant>

namespace dns {

struct name_error {
  std::string what;
};

std::variant<std::string, name_error> to_ascii_domain(std::string_view input);

// The U-label form for display ("xn--bcher-kva.example" → "bücher.example"); the input
// unchanged when it has no A-labels or cannot be decoded.
std::string to_unicode_domain(std::string_view ascii);

}  // namespace dns
