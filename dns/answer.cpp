#include "dns/answer.hpp"

#include <algorithm>
#include <array>

namespace dns {

std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::records: return "records";
    case outcome::nxdomain: return "nxdomain";
    case outcome::nodata: return "nodata";
    case outcome::servfail: return "servfail";
    case outcome::refused: return "refused";
    case outcome::timeout: return "timeout";
    case outcome::malformed: return "malformed";
    case outcome::error: return "error";
  }
  return "error";
}

std::string type_name(std::uint16_t t) {
  switch (t) {
    case type::a: return "A";
    case type::ns: return "NS";
    case type::cname: return "CNAME";
    case type::soa: return "SOA";
    case type::ptr: return "PTR";
    case type::mx: return "MX";
    case type::txt: return "TXT";
    case type::aaaa: return "AAAA";
    case type::srv: return "SRV";
    case type::tlsa: return "TLSA";
    case type::spf: return "SPF";
    default: return "TYPE" + std::to_string(t);  // RFC 3597 §5 notation
  }
}

std::string txt_data::joined() const {
  std::string out;
  for (const auto& s : strings) out += s;
  return out;
}

std::vector<mx_data> answer::mx() const {
  std::vector<mx_data> out;
  for (const auto& rr : records)
    if (const auto* m = std::get_if<mx_data>(&rr.data)) out.push_back(*m);
  return out;
}

std::vector<boost::asio::ip::address> answer::addresses() const {
  std::vector<boost::asio::ip::address> out;
  for (const auto& rr : records) {
    if (const auto* v4 = std::get_if<boost::asio::ip::address_v4>(&rr.data)) out.emplace_back(*v4);
    if (const auto* v6 = std::get_if<boost::asio::ip::address_v6>(&rr.data)) out.emplace_back(*v6);
  }
  return out;
}

std::vector<std::string> answer::names() const {
  std::vector<std::string> out;
  for (const auto& rr : records)
    if (const auto* n = std::get_if<name_data>(&rr.data)) out.push_back(n->name);
  return out;
}

std::vector<std::string> answer::texts() const {
  std::vector<std::string> out;
  for (const auto& rr : records)
    if (const auto* t = std::get_if<txt_data>(&rr.data)) out.push_back(t->joined());
  return out;
}

namespace {

std::string reversed_labels(const boost::asio::ip::address& address) {
  std::string out;
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    for (int i = 3; i >= 0; --i) {
      out += std::to_string(bytes[static_cast<std::size_t>(i)]);
      if (i) out += '.';
    }
    return out;
  }
  // RFC 3596 §2.5 / RFC 5782 §2.4: 32 nibbles, least significant first.
  static constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7',
                                            '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  const auto bytes = address.to_v6().to_bytes();
  for (int i = 15; i >= 0; --i) {
    const auto b = bytes[static_cast<std::size_t>(i)];
    out += hex[b & 0x0f];
    out += '.';
    out += hex[b >> 4];
    if (i) out += '.';
  }
  return out;
}

}  // namespace

std::string reverse_name(const boost::asio::ip::address& address) {
  return reversed_labels(address) + (address.is_v4() ? ".in-addr.arpa" : ".ip6.arpa");
}

std::string reverse_name(const boost::asio::ip::address& address, std::string_view zone) {
  std::string out = reversed_labels(address);
  out += '.';
  out += normalize_name(zone);
  return out;
}

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.' && name.size() > 1) name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  });
  return out;
}

}  // namespace dns
