#include "dns/domain_name.hpp"

#include "dns/answer.hpp"

#include <idn2.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cstdlib>

namespace dns {

namespace {

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

std::variant<std::string, name_error> to_ascii_domain(std::string_view input) {
  if (input.empty()) return name_error{"empty domain"};
  for (const char c : input) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f)
      return name_error{"domain contains a control character (CR, LF, NUL...), refused"};
  }
  if (input.size() > 1 && input.back() == '.') input.remove_suffix(1);
  {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(std::string(input), ec);
    if (!ec) return name_error{"'" + std::string(input) + "' is an IP address, not a domain"};
  }
  std::string ascii;
  const bool has_non_ascii = std::any_of(input.begin(), input.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (has_non_ascii) {
    char* converted = nullptr;
    const std::string owned(input);
    const int rc = idn2_to_ascii_8z(owned.c_str(), &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) return name_error{std::string("not a valid internationalised domain: ") + idn2_strerror(rc)};
    ascii = converted;
    idn2_free(converted);
  } else {
    ascii = std::string(input);
  }
  ascii = normalize_name(ascii);
  if (ascii.size() > 253) return name_error{"domain longer than 253 characters"};
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = ascii.find('.', start);
    const std::string_view label = std::string_view(ascii).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty()) return name_error{"domain has an empty label ('..' or a leading dot)"};
    if (label.size() > 63) return name_error{"a label is longer than 63 characters"};
    for (const char c : label)
      if (!is_ldh(c) && c != '_')  // '_' appears in service names (_dmarc, _domainkey)
        return name_error{"domain contains '" + std::string(1, c) + "', which a host name cannot have"};
    if (label.front() == '-' || label.back() == '-') return name_error{"a label starts or ends with '-'"};
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return ascii;
}

std::string to_unicode_domain(std::string_view ascii) {
  if (ascii.find("xn--") == std::string_view::npos) return std::string(ascii);
  char* converted = nullptr;
  const std::string owned(ascii);
  if (idn2_to_unicode_8z8z(owned.c_str(), &converted, 0) != IDN2_OK) return owned;
  std::string out = converted;
  idn2_free(converted);
  return out;
}

}  // namespace dns
