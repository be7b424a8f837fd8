#include "reports/address.hpp"

#include <idn2.h>

#include <algorithm>
#include <string>
#include <unordered_map>

#include "reports/text.hpp"

namespace reports {
namespace {

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// The domain's A-label form, lower case; the domain as written when libidn2 refuses it
// (a broken or hostile name then simply compares unequal to the other spelling).
std::string convert_domain(std::string_view domain) {
  const std::string owned(domain);
  char* converted = nullptr;
  if (idn2_to_ascii_8z(owned.c_str(), &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK)
    return text::lower(domain);
  std::string out = text::lower(converted);
  idn2_free(converted);
  return out;
}

// The same, remembered per thread: a report's readers compare every recipient with every
// text entry (up to limits::max_recipients each), so one domain would otherwise be
// converted up to a million times (about 2.4 us each). The memory is bounded: the table is
// emptied when it reaches max_remembered names.
std::string a_label_domain(std::string_view domain) {
  constexpr std::size_t max_remembered = 4096;
  thread_local std::unordered_map<std::string, std::string> remembered;
  if (const auto it = remembered.find(std::string(domain)); it != remembered.end()) return it->second;
  if (remembered.size() >= max_remembered) remembered.clear();
  return remembered.emplace(std::string(domain), convert_domain(domain)).first->second;
}

bool has_a_label(std::string_view ascii_domain) { return text::ifind(ascii_domain, "xn--") != std::string_view::npos; }

}  // namespace

bool same_recipient(std::string_view a, std::string_view b) {
  if (text::iequals(a, b)) return true;
  if (!has_non_ascii(a) && !has_non_ascii(b)) return false;
  const std::size_t at_a = a.rfind('@');
  const std::size_t at_b = b.rfind('@');
  if (at_a == std::string_view::npos || at_b == std::string_view::npos) return false;
  if (!text::iequals(a.substr(0, at_a), b.substr(0, at_b))) return false;
  const std::string_view domain_a = a.substr(at_a + 1);
  const std::string_view domain_b = b.substr(at_b + 1);
  // RFC 1035's 255-octet bound: a longer "domain" is not one, and libidn2 need not see it.
  if (domain_a.size() > 255 || domain_b.size() > 255) return false;
  const bool ascii_a = !has_non_ascii(domain_a);
  const bool ascii_b = !has_non_ascii(domain_b);
  // An internationalised domain's A-label form has an "xn--" label; an ASCII domain
  // without one is another domain (equal ASCII spellings were found above).
  if ((ascii_a && !has_a_label(domain_a)) || (ascii_b && !has_a_label(domain_b))) return false;
  return (ascii_a ? text::lower(domain_a) : a_label_domain(domain_a)) == (ascii_b ? text::lower(domain_b) : a_label_domain(domain_b));
}

}  // namespace reports
