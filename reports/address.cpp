#include "reports/address.hpp"

#include <idn2.h>

#include <algorithm>
#include <string>

#include "reports/text.hpp"

namespace reports {
namespace {

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// The domain's A-label form, lower case; the domain as written when libidn2 refuses it
// (a broken or hostile name then simply compares unequal to the other spelling).
std::string a_label_domain(std::string_view domain) {
  // RFC 1035's 255-octet bound: a longer "domain" is not one, and libidn2 need not see it.
  if (!has_non_ascii(domain) || domain.size() > 255) return text::lower(domain);
  const std::string owned(domain);
  char* converted = nullptr;
  if (idn2_to_ascii_8z(owned.c_str(), &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK)
    return text::lower(domain);
  std::string out = text::lower(converted);
  idn2_free(converted);
  return out;
}

}  // namespace

bool same_recipient(std::string_view a, std::string_view b) {
  if (text::iequals(a, b)) return true;
  if (!has_non_ascii(a) && !has_non_ascii(b)) return false;
  const std::size_t at_a = a.rfind('@');
  const std::size_t at_b = b.rfind('@');
  if (at_a == std::string_view::npos || at_b == std::string_view::npos) return false;
  if (!text::iequals(a.substr(0, at_a), b.substr(0, at_b))) return false;
  return a_label_domain(a.substr(at_a + 1)) == a_label_domain(b.substr(at_b + 1));
}

}  // namespace reports
