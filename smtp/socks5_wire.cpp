// SOCKS5 messages and proxy URLs: the sans-I/O half of smtp/socks5.hpp (the handshake
// coroutine is in socks5.cpp).
#include "smtp/socks5.hpp"

#include "smtp/text.hpp"

#include <charconv>

namespace smtp {
namespace net = boost::asio;

namespace {

std::string percent_decode(std::string_view text, bool& ok) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size() ||
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr != text.data() + i + 3) {
      ok = false;
      return {};
    }
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

}  // namespace

std::string proxy_url::display() const {
  std::string out = "socks5://";
  if (!username.empty()) out += username + ":***@";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

checked<proxy_url> parse_proxy_url(std::string_view url) {
  using result = checked<proxy_url>;
  if (has_line_break_or_nul(url)) return result::fail("the proxy URL contains CR, LF or NUL");
  std::string_view rest = url;
  if (rest.starts_with("socks5://"))
    rest.remove_prefix(9);
  else if (rest.starts_with("socks5h://"))
    rest.remove_prefix(10);
  else
    return result::fail("the proxy must be written socks5://[user:pass@]host:port");
  proxy_url out;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const auto colon = credentials.find(':');
    bool ok = true;
    out.username = percent_decode(credentials.substr(0, colon), ok);
    if (colon != std::string_view::npos) out.password = percent_decode(credentials.substr(colon + 1), ok);
    if (!ok) return result::fail("the proxy user or password has a bad %-escape");
    if (out.username.empty() || out.username.size() > 255 || out.password.size() > 255)
      return result::fail("the proxy user and password must be 1 to 255 octets (RFC 1929)");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view port_text;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return result::fail("the proxy's IPv6 address has no closing bracket");
    out.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.starts_with(":")) return result::fail("the proxy URL needs a port: socks5://host:port");
    port_text = rest.substr(1);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return result::fail("the proxy URL needs a port: socks5://host:port");
    out.host = std::string(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return result::fail("the proxy port is not a number from 1 to 65535");
  if (out.host.empty()) return result::fail("the proxy host is empty");
  out.port = static_cast<std::uint16_t>(port);
  return result::ok(std::move(out));
}

namespace socks5 {

std::string greeting(bool offer_password) {
  std::string out{'\x05'};
  if (offer_password) {
    out += '\x02';
    out += static_cast<char>(auth_method::none);
    out += static_cast<char>(auth_method::username_password);
  } else {
    out += '\x01';
    out += static_cast<char>(auth_method::none);
  }
  return out;
}

std::optional<auth_method> parse_method_selection(std::string_view bytes) {
  if (bytes.size() != 2 || bytes[0] != '\x05') return std::nullopt;
  const auto method = static_cast<std::uint8_t>(bytes[1]);
  if (method == 0x00) return auth_method::none;
  if (method == 0x02) return auth_method::username_password;
  if (method == 0xff) return auth_method::unacceptable;
  return std::nullopt;  // a method we did not offer
}

std::string password_request(std::string_view username, std::string_view password) {
  std::string out{'\x01'};
  out += static_cast<char>(username.size());
  out += username;
  out += static_cast<char>(password.size());
  out += password;
  return out;
}

bool parse_password_status(std::string_view bytes) { return bytes.size() == 2 && bytes[1] == '\x00'; }

std::string connect_request(const net::ip::tcp::endpoint& target) {
  std::string out{'\x05', '\x01', '\x00'};
  const auto address = target.address();
  if (address.is_v4()) {
    out += '\x01';
    const auto bytes = address.to_v4().to_bytes();
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  } else {
    out += '\x04';
    const auto bytes = address.to_v6().to_bytes();
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  out += static_cast<char>(target.port() >> 8);
  out += static_cast<char>(target.port() & 0xff);
  return out;
}

std::optional<std::size_t> reply_length(std::string_view first_five) {
  if (first_five.size() < 5 || first_five[0] != '\x05' || first_five[2] != '\x00') return std::nullopt;
  switch (first_five[3]) {
    case '\x01': return 4 + 4 + 2;
    case '\x04': return 4 + 16 + 2;
    case '\x03': return 4 + 1 + static_cast<std::uint8_t>(first_five[4]) + 2;  // a domain name
    default: return std::nullopt;
  }
}

std::string_view reply_text(std::uint8_t rep) {
  switch (rep) {
    case 0x00: return "succeeded";
    case 0x01: return "general SOCKS server failure";
    case 0x02: return "connection not allowed by ruleset";
    case 0x03: return "network unreachable";
    case 0x04: return "host unreachable";
    case 0x05: return "connection refused";
    case 0x06: return "TTL expired";
    case 0x07: return "command not supported";
    case 0x08: return "address type not supported";
    default: return "unassigned reply code";
  }
}

}  // namespace socks5

}  // namespace smtp
