#pragma once
// Addresses and names probe puts on the wire, checked before any byte is sent.
//
// RFC 5321 §4.1.2 Mailbox syntax (Dot-string or Quoted-string local part, a domain;
// §4.5.3.1 length limits), RFC 6531 §3.3 for non-ASCII local parts (they need the
// server's SMTPUTF8), IDNA2008/UTS #46 (libidn2) to turn a Unicode domain into A-labels
// so that routing and RCPT use the ASCII form every server accepts.
//
// Promise: a value that comes out of these functions contains no CR, LF or NUL and
// matches the grammar, so formatting it into a command cannot inject another command.
// Every refusal says what is wrong in words fit for the user. Pure functions, any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtp {

// A value or the reason there is none.
template <class T>
struct checked {
  std::optional<T> value;
  std::string error;

  static checked ok(T v) { return checked{std::move(v), {}}; }
  static checked fail(std::string why) { return checked{std::nullopt, std::move(why)}; }
  explicit operator bool() const { return value.has_value(); }
  const T& operator*() const { return *value; }
  const T* operator->() const { return &*value; }
};

struct mailbox {
  std::string local;           // as it goes on the wire (a Quoted-string keeps its quotes)
  std::string domain;          // A-labels, lower case, no trailing dot: what is routed
  std::string domain_unicode;  // as the user wrote it (lower case, no trailing dot)
  bool utf8_local = false;     // non-ASCII local part: needs SMTPUTF8 (RFC 6531 §3.3)

  std::string address() const { return local + "@" + domain; }
  friend bool operator==(const mailbox&, const mailbox&) = default;
};

// "user@example.com", also "<user@example.com>"; surrounding blanks are ignored.
// Refuses address literals ("user@[192.0.2.1]"): probe needs a domain to route.
checked<mailbox> parse_mailbox(std::string_view text);

// A domain name to A-labels, lower case, no trailing dot; LDH rules per label
// (RFC 5321 §4.1.2 sub-domain, RFC 1035 §2.3.4 lengths).
checked<std::string> normalize_domain(std::string_view text);

struct helo_name {
  std::string name;      // a domain (A-labels) or an address literal "[192.0.2.1]"
  bool fully_qualified;  // a dotted domain name; false for "localhost" or a literal
};
// The EHLO/HELO argument (RFC 5321 §4.1.1.1: Domain / address-literal).
checked<helo_name> check_helo(std::string_view text);

// MAIL FROM's reverse path: "" or "<>" is the null sender; otherwise a mailbox.
// The value is what goes between the angle brackets ("" for the null sender).
checked<std::string> check_reverse_path(std::string_view text);

// True when `name` is `domain` or one of its subdomains (both in key form).
bool is_same_or_subdomain(std::string_view name, std::string_view domain);

}  // namespace smtp
