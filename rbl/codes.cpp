#include "rbl/codes.hpp"

#include <boost/system/error_code.hpp>

#include <charconv>

namespace rbl {
namespace {

std::optional<std::uint32_t> parse_v4(std::string_view text) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v4(std::string(text), ec);
  if (ec) return std::nullopt;
  return address.to_uint();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool in_loopback_net(const boost::asio::ip::address_v4& address) {
  return (address.to_uint() >> 24) == 127;
}

// What decode() says itself when no table entry says it, in both languages.
struct sentence {
  std::string_view en, zh;
};
constexpr sentence bogus_answer{
    "answer outside 127.0.0.0/8: the list is broken or its domain no longer runs a DNSBL",
    "应答不在 127.0.0.0/8 内：该列表已损坏，或其域名已不再运行 DNSBL"};
constexpr sentence undocumented_listing{"listing (undocumented code)", "已列入（列表未公布此返回码的含义）"};
// Appended to a bitmask answer's documented bits, followed by the value of the others.
constexpr sentence undocumented_bits{"; undocumented bits ", "；未公布含义的位 "};

}  // namespace

std::string_view to_string(code_class c) {
  switch (c) {
    case code_class::listing: return "listing";
    case code_class::error: return "error";
    case code_class::bogus: return "bogus";
  }
  return "listing";
}

bool address_range::contains(const boost::asio::ip::address_v4& address) const {
  const auto value = address.to_uint();
  return value >= first && value <= last;
}

std::optional<address_range> address_range::parse(std::string_view text) {
  text = trim(text);
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const auto base = parse_v4(trim(text.substr(0, slash)));
    const auto bits_text = trim(text.substr(slash + 1));
    int bits = -1;
    const auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
    if (!base || ec != std::errc{} || end != bits_text.data() + bits_text.size() || bits < 0 || bits > 32)
      return std::nullopt;
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return address_range{*base & mask, (*base & mask) | ~mask};
  }
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    const auto first = parse_v4(trim(text.substr(0, dash)));
    const auto last = parse_v4(trim(text.substr(dash + 1)));
    if (!first || !last || *first > *last) return std::nullopt;
    return address_range{*first, *last};
  }
  const auto single = parse_v4(text);
  if (!single) return std::nullopt;
  return address_range{*single, *single};
}

decoded_code code_table::decode(const boost::asio::ip::address_v4& address) const {
  decoded_code out;
  out.address = address;
  const auto say = [&out](std::string_view en, std::string_view zh) {
    out.meaning += en;
    out.meaning_zh += zh;
  };
  if (!in_loopback_net(address)) {
    out.kind = code_class::bogus;
    say(bogus_answer.en, bogus_answer.zh);
    return out;
  }
  for (const auto& e : errors) {
    if (!e.range.contains(address)) continue;
    out.kind = code_class::error;
    say(e.meaning, e.meaning_zh);
    out.advice = e.advice;
    out.documented = true;
    return out;
  }
  for (const auto& c : codes) {
    if (!c.range.contains(address)) continue;
    out.name = c.name;
    say(c.meaning, c.meaning_zh);
    out.documented = true;
    return out;
  }
  const auto bytes = address.to_bytes();
  if (!bitmask.empty() && bytes[1] == 0 && bytes[2] == 0) {
    std::uint8_t known = 0;
    for (const auto& b : bitmask) {
      if ((bytes[3] & b.bit) == 0) continue;
      known |= b.bit;
      if (!out.name.empty()) {
        out.name += '+';
        say("; ", "; ");
      }
      out.name += b.name;
      say(b.name + ": " + b.meaning, b.name + ": " + b.meaning_zh);
    }
    if (known != 0) {
      out.documented = true;
      if (const auto unknown = static_cast<std::uint8_t>(bytes[3] & ~known); unknown != 0) {
        const auto bits = std::to_string(unknown);
        say(std::string(undocumented_bits.en) + bits, std::string(undocumented_bits.zh) + bits);
      }
      return out;
    }
  }
  if (!octets.empty() && bytes[1] == 0) {
    const auto third = octets.third.find(bytes[2]);
    const auto fourth = octets.fourth.find(bytes[3]);
    if (third != octets.third.end()) {
      out.name = third->second.meaning;
      say(third->second.meaning, third->second.meaning_zh);
      if (fourth != octets.fourth.end()) say(", " + fourth->second.meaning, ", " + fourth->second.meaning_zh);
      out.documented = true;
      return out;
    }
  }
  say(undocumented_listing.en, undocumented_listing.zh);  // RFC 5782 §2.1: any 127.0.0.0/8 answer lists the target
  return out;
}

}  // namespace rbl
