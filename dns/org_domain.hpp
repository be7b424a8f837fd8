#pragma once
// Organisational domains (RFC 7489 §3.2) through the Public Suffix List.
//
// Promise: the answer comes from libpsl's built-in list (Debian's libpsl5, compiled in at
// build time of that package), so results never depend on the network and two runs agree
// (only a libpsl built without a list falls back to /usr/share/publicsuffix, then to the
// PSL's implicit "*" rule). Names are compared in their lower-case A-label form; a trailing dot is
// ignored. Thread-safe: libpsl's built-in context is immutable.
//
// Domains that are themselves public suffixes ("com", "co.uk") or are not valid names
// have no organisational domain of their own: organizational_domain() returns the
// normalised input unchanged, which callers may check with is_public_suffix().

#include <string>
#include <string_view>

namespace dns {

// "mail.example.co.uk" → "example.co.uk"; "example.com" → "example.com"; "co.uk" → "co.uk".
std::string organizational_domain(std::string_view domain);

// True for names on the Public Suffix List, including the implicit "*" rule (any TLD).
bool is_public_suffix(std::string_view domain);

// Identifier alignment (RFC 7489 §3.1): strict ('s') needs the same name; relaxed ('r',
// and anything else) needs the same organisational domain.
bool domains_aligned(std::string_view a, std::string_view b, char mode);

}  // namespace dns
