#pragma once
// DNSBL return codes: what one A record in a list's answer means.
//
// RFC 5782 §2.1: a listing is an A record in 127.0.0.0/8 (127.0.0.2 by convention); the
// last octets may carry a meaning (Spamhaus ZEN's SBL/XBL/PBL codes), a bitmask of
// sub-lists (SURBL, URIBL) or a category and a level (DNSWL). Operators also answer their
// own errors as A records ("your resolver is refused": Spamhaus 127.255.255.254, URIBL
// 127.0.0.1, DNSWL 127.0.0.255): those are not listings and must never be read as one.
// An address outside 127.0.0.0/8 is neither: the list (or its domain) is broken.
//
// Every meaning is told in English and in Chinese (`meaning`, `meaning_zh`): decode()
// composes both sentences in one pass, including the ones no table documents (an answer
// outside 127/8, an undocumented code, undocumented bits of a bitmask), so a decoded code
// never needs its table again to be shown in either language.
//
// Values only; decoding is a pure function of the table and the address.

#include <boost/asio/ip/address_v4.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rbl {

struct localized_text {
  std::string en, zh;
  const std::string& in(std::string_view lang) const { return lang == "zh" && !zh.empty() ? zh : en; }
  bool empty() const { return en.empty() && zh.empty(); }
};

// An inclusive IPv4 range: "127.0.0.2", "127.0.0.4-127.0.0.7" or "127.0.8.0/24".
struct address_range {
  std::uint32_t first = 0, last = 0;
  bool contains(const boost::asio::ip::address_v4& address) const;
  static std::optional<address_range> parse(std::string_view text);
};

struct code_meaning {
  address_range range;
  std::string name;        // short label: "SBL", "PBL"; the same in both languages
  std::string meaning;     // one sentence
  std::string meaning_zh;  // the same sentence in Chinese
};

struct bit_meaning {
  std::uint8_t bit = 0;  // the value of the bit in the last octet (2, 4, 8, ...)
  std::string name, meaning, meaning_zh;
};

struct error_meaning {
  address_range range;
  std::string meaning, meaning_zh;
  localized_text advice;  // what the user should do about it
};

struct octet_meaning {
  std::string meaning, meaning_zh;
};

// 127.0.X.Y read as two fields (DNSWL: X = category, Y = trust level).
struct octet_meanings {
  std::map<int, octet_meaning> third, fourth;
  bool empty() const { return third.empty() && fourth.empty(); }
};

enum class code_class {
  listing,  // inside 127.0.0.0/8 and not an error code
  error,    // the list's own error code: the query was refused or malformed
  bogus,    // outside 127.0.0.0/8: the list is broken (RFC 5782 §2.1)
};
std::string_view to_string(code_class c);

struct decoded_code {
  boost::asio::ip::address_v4 address;
  code_class kind = code_class::listing;
  std::string name;         // "SBL", "PH+MW", "" when undocumented
  std::string meaning;      // what it means, or "listing (undocumented code)"
  std::string meaning_zh;   // the same in Chinese
  bool documented = false;  // the table said what it means
  localized_text advice;    // for error codes
};

struct code_table {
  std::vector<code_meaning> codes;
  std::vector<bit_meaning> bitmask;  // non-empty: the last octet of 127.0.0.X is a bitmask
  octet_meanings octets;
  std::vector<error_meaning> errors;

  // Precedence: outside 127/8 → bogus; error codes; exact codes; bitmask; octets; otherwise
  // an undocumented listing (RFC 5782 §2.1: any 127.0.0.0/8 answer lists the target).
  // `meaning` and `meaning_zh` say the same thing; neither is empty when every entry of
  // the table has both texts (the catalogue loader requires it).
  decoded_code decode(const boost::asio::ip::address_v4& address) const;
};

}  // namespace rbl
