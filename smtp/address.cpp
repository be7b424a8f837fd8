#include "smtp/address.hpp"

#include "smtp/text.hpp"

#include <boost/asio/ip/address.hpp>
#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace smtp {
namespace {

constexpr std::size_t max_local_part = 64;  // RFC 5321 §4.5.3.1.1
constexpr std::size_t max_domain = 253;     // 255 octets on the wire (RFC 1035 §2.3.4)
constexpr std::size_t max_label = 63;
constexpr std::size_t max_path = 256;       // RFC 5321 §4.5.3.1.3, with the angle brackets

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// RFC 5322 §3.2.3 atext.
bool is_atext(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Validates a local part; returns an error or "".
std::string check_local_part(std::string_view local, bool& utf8) {
  utf8 = !is_ascii(local);
  if (utf8) {
    bool replaced = false;
    (void)sanitize(local, replaced);
    if (replaced) return "the local part is not valid UTF-8 or contains control characters";
  }
  if (local.empty()) return "the local part (before @) is empty";
  if (local.size() > max_local_part)
    return "the local part is " + std::to_string(local.size()) + " octets; RFC 5321 §4.5.3.1.1 allows 64";
  if (local.front() == '"') {
    // Quoted-string: DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE (RFC 5321 §4.1.2).
    if (local.size() < 2 || local.back() != '"') return "the quoted local part has no closing quote";
    for (std::size_t i = 1; i + 1 < local.size(); ++i) {
      const auto c = static_cast<unsigned char>(local[i]);
      if (c == '\\') {
        if (i + 2 >= local.size()) return "the quoted local part ends in a lone backslash";
        const auto next = static_cast<unsigned char>(local[++i]);
        if (next < 32 || next > 126) return "the quoted local part escapes a control character";
        continue;
      }
      if (c == '"') return "the quoted local part has an unescaped quote inside";
      if (c < 32 || c == 127) return "the quoted local part contains a control character";
    }
    return {};
  }
  // Dot-string: Atom *("." Atom).
  if (local.front() == '.' || local.back() == '.') return "the local part starts or ends with a dot";
  if (local.find("..") != std::string_view::npos) return "the local part has two dots in a row";
  for (const char c : local) {
    if (c == '.' || is_atext(c) || static_cast<unsigned char>(c) >= 0x80) continue;
    return std::string("the local part contains '") + (c >= 32 && c < 127 ? std::string(1, c) : "?") +
           "', which needs quoting (RFC 5321 §4.1.2)";
  }
  return {};
}

std::string check_ldh(std::string_view domain) {
  if (domain.empty()) return "the domain is empty";
  if (domain.size() > max_domain) return "the domain is longer than 253 characters";
  std::size_t start = 0;
  bool all_numeric = true;
  std::string_view last_label;
  while (start <= domain.size()) {
    const std::size_t dot = std::min(domain.find('.', start), domain.size());
    const std::string_view label = domain.substr(start, dot - start);
    if (label.empty()) return "the domain has an empty label (two dots in a row or a leading dot)";
    if (label.size() > max_label) return "a domain label is longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') return "a domain label starts or ends with a hyphen";
    for (const char c : label) {
      if (!is_alpha(c) && !is_digit(c) && c != '-')
        return std::string("the domain contains '") + (c >= 32 && c < 127 ? std::string(1, c) : "?") +
               "'; host names allow letters, digits and hyphens";
      if (!is_digit(c)) all_numeric = false;
    }
    last_label = label;
    start = dot + 1;
  }
  if (all_numeric) return "the domain looks like an IP address; write an address literal in brackets";
  if (std::all_of(last_label.begin(), last_label.end(), is_digit)) return "the top-level label is all digits";
  return {};
}

}  // namespace

checked<std::string> normalize_domain(std::string_view text) {
  if (has_line_break_or_nul(text)) return checked<std::string>::fail("the domain contains CR, LF or NUL");
  std::string_view domain = text;
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  std::string ascii;
  if (is_ascii(domain)) {
    ascii = ascii_lower(domain);
  } else {
    bool replaced = false;
    (void)sanitize(domain, replaced);
    if (replaced) return checked<std::string>::fail("the domain is not valid UTF-8");
    // IDNA2008 with the UTS #46 non-transitional mapping (lower-casing, NFC), as browsers
    // and current MTAs use: "Bücher.example" → "xn--bcher-kva.example".
    const std::string input(domain);
    char* output = nullptr;
    const int rc = idn2_to_ascii_8z(input.c_str(), &output, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    std::unique_ptr<char, decltype(&idn2_free)> owned(output, &idn2_free);
    if (rc != IDN2_OK)
      return checked<std::string>::fail(std::string("the domain is not a valid internationalised name: ") +
                                        idn2_strerror(rc));
    ascii = ascii_lower(output);
  }
  if (auto problem = check_ldh(ascii); !problem.empty()) return checked<std::string>::fail(problem);
  return checked<std::string>::ok(std::move(ascii));
}

checked<mailbox> parse_mailbox(std::string_view text) {
  using result = checked<mailbox>;
  if (has_line_break_or_nul(text))
    return result::fail("the address contains CR, LF or NUL, which could inject SMTP commands");
  std::string_view address = trim(text);
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    address = address.substr(1, address.size() - 2);
  if (address.empty()) return result::fail("the address is empty");
  if (address.size() + 2 > max_path) return result::fail("the address is longer than RFC 5321 allows (256 octets)");
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return result::fail("the address has no @ and domain");
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (domain.empty()) return result::fail("the domain (after @) is empty");
  if (domain.front() == '[')
    return result::fail("address literals such as user@[192.0.2.1] cannot be routed; give a domain");
  mailbox out;
  if (auto problem = check_local_part(local, out.utf8_local); !problem.empty()) return result::fail(problem);
  auto normalized = normalize_domain(domain);
  if (!normalized) return result::fail(normalized.error);
  out.local = std::string(local);
  out.domain = *normalized;
  std::string_view unicode = domain;
  if (unicode.back() == '.') unicode.remove_suffix(1);
  out.domain_unicode = is_ascii(unicode) ? ascii_lower(unicode) : std::string(unicode);
  return result::ok(std::move(out));
}

checked<helo_name> check_helo(std::string_view text) {
  using result = checked<helo_name>;
  if (has_line_break_or_nul(text))
    return result::fail("the HELO name contains CR, LF or NUL, which could inject SMTP commands");
  if (text.empty()) return result::fail("the HELO name is empty");
  if (text.front() == '[') {
    // address-literal (RFC 5321 §4.1.3): "[192.0.2.1]" or "[IPv6:2001:db8::1]".
    if (text.back() != ']') return result::fail("the HELO address literal has no closing bracket");
    std::string_view inner = text.substr(1, text.size() - 2);
    const bool v6 = inner.size() > 5 && ascii_lower(inner.substr(0, 5)) == "ipv6:";
    if (v6) inner.remove_prefix(5);
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(std::string(inner), ec);
    if (ec || ip.is_v6() != v6) return result::fail("the HELO address literal is not an IP address");
    return result::ok(helo_name{std::string(text), false});
  }
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(std::string(text), ec);
  if (!ec) return result::fail("a bare IP address is not a valid HELO name; write it as [" + std::string(text) + "]");
  auto normalized = normalize_domain(text);
  if (!normalized) return result::fail("the HELO name is not a valid host name: " + normalized.error);
  const bool dotted = normalized->find('.') != std::string::npos;
  return result::ok(helo_name{*normalized, dotted});
}

checked<std::string> check_reverse_path(std::string_view text) {
  using result = checked<std::string>;
  if (has_line_break_or_nul(text))
    return result::fail("the sender contains CR, LF or NUL, which could inject SMTP commands");
  const std::string_view trimmed = trim(text);
  if (trimmed.empty() || trimmed == "<>") return result::ok("");
  auto box = parse_mailbox(trimmed);
  if (!box) return result::fail("the sender address is invalid: " + box.error);
  return result::ok(box->address());
}

bool is_same_or_subdomain(std::string_view name, std::string_view domain) {
  if (domain.empty()) return false;
  if (name.size() == domain.size()) return name == domain;
  return name.size() > domain.size() && name.ends_with(domain) && name[name.size() - domain.size() - 1] == '.';
}

}  // namespace smtp
