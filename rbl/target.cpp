#include "rbl/target.hpp"

#include "dns/answer.hpp"
#include "rbl/catalogue.hpp"

#include <boost/system/error_code.hpp>

namespace rbl {

target target_for(const boost::asio::ip::address& address) {
  target t;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    t.ip = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  else
    t.ip = address;
  t.text = t.ip->to_string();
  return t;
}

namespace {

// A refusal in English and as a phrase.
target_error refusal(std::string english, std::string key, std::vector<phrase_value> values = {}) {
  return target_error{std::move(english), phrase{"rbl.said.target_" + key, std::move(values)}};
}

}  // namespace

std::variant<target, target_error> parse_target(std::string_view text) {
  if (text.empty()) return refusal("nothing to check: give an IP address or a domain", "empty");
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80)
      return refusal("not an IP address or an ASCII domain name (give internationalised domains in xn-- form)", "not_ascii");
    if (b < 0x21 || b == 0x7f) return refusal("the target contains a space or a control character", "control");
  }
  std::string candidate(text);
  // "[192.0.2.1]" as MTAs write address literals.
  if (candidate.size() > 2 && candidate.front() == '[' && candidate.back() == ']')
    candidate = candidate.substr(1, candidate.size() - 2);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(candidate, ec);
  if (!ec) {
    if (address.is_v6() && address.to_v6().scope_id() != 0)
      return refusal("an IPv6 address with a zone index cannot be looked up", "zone_index");
    return target_for(address);
  }
  const auto domain = dns::normalize_name(text);
  if (!valid_zone_name(domain))
    return refusal("'" + std::string(text) + "' is neither an IP address nor a domain name", "neither",
                   {dns::said::value("text", std::string(text))});
  // An all-numeric last label is a mistyped address, not a domain (RFC 3696 §2).
  const auto last_label = std::string_view(domain).substr(domain.rfind('.') + 1);
  if (last_label.find_first_not_of("0123456789") == std::string_view::npos)
    return refusal("'" + std::string(text) + "' is not a valid IP address", "bad_address", {dns::said::value("text", std::string(text))});
  target t;
  t.text = domain;
  return t;
}

std::string query_name(const target& t, std::string_view zone) {
  if (t.ip) return dns::reverse_name(*t.ip, zone);
  return t.text + "." + dns::normalize_name(zone);
}

}  // namespace rbl
