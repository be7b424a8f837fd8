#pragma once
// SOCKS5 client (RFC 1928) with username/password authentication (RFC 1929), the way
// out when the local network blocks outbound port 25 (most clouds, many ISPs).
//
// Two layers: pure encoders/decoders of the handshake messages (tested on bytes), and
// `socks5_connect`, which runs the handshake on a connected socket. It has no timeout of
// its own: the caller (smtp::session) races it against the connect phase's timer, and
// every read has a fixed, small size, so a hostile proxy cannot make it loop or buffer.
//
// Only CONNECT to an IP address is used: probe resolves MX hosts itself, so the DNS
// answers it reports are the ones it dialled.

#include "smtp/address.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtp {

struct proxy_url {
  std::string host;  // IP literal or name (brackets removed for IPv6)
  std::uint16_t port = 1080;
  std::string username;
  std::string password;
  std::string display() const;  // "socks5://user:***@host:port"
};
// "socks5://[user:pass@]host:port" ("socks5h://" is accepted too; probe dials IPs either way).
checked<proxy_url> parse_proxy_url(std::string_view url);

namespace socks5 {

enum class auth_method : std::uint8_t { none = 0x00, username_password = 0x02, unacceptable = 0xff };

// Method negotiation (RFC 1928 §3): VER=5, NMETHODS, METHODS.
std::string greeting(bool offer_password);
// Reads the 2-byte method selection; nullopt when it is not a SOCKS5 answer.
std::optional<auth_method> parse_method_selection(std::string_view bytes);
// RFC 1929 §2: VER=1, ULEN, UNAME, PLEN, PASSWD (each at most 255 octets).
std::string password_request(std::string_view username, std::string_view password);
// RFC 1929 §2: VER=1, STATUS (0 = success).
bool parse_password_status(std::string_view bytes);
// RFC 1928 §4: VER=5, CMD=CONNECT, RSV, ATYP (1 = IPv4, 4 = IPv6), address, port.
std::string connect_request(const boost::asio::ip::tcp::endpoint& target);
// RFC 1928 §6: the reply's total length from its first 5 bytes (VER REP RSV ATYP and the
// first address byte), or nullopt when they are not a SOCKS5 reply.
std::optional<std::size_t> reply_length(std::string_view first_five);
// The meaning of a REP code ("connection refused", ...).
std::string_view reply_text(std::uint8_t rep);

}  // namespace socks5

enum class proxy_error {
  none,
  protocol,       // the proxy's answers are not SOCKS5
  auth_required,  // the proxy accepts none of the offered methods
  auth_failed,    // user/password refused
  refused,        // REP 5: the target refused the connection
  unreachable,    // REP 3, 4: network or host unreachable
  not_allowed,    // REP 2: ruleset forbids it
  failed,         // other REP codes, or the proxy closed the connection
};

struct proxy_result {
  proxy_error error = proxy_error::none;
  std::string detail;
};

// Runs the handshake on `socket` (already connected to the proxy) asking for `target`.
boost::asio::awaitable<proxy_result> socks5_connect(boost::asio::ip::tcp::socket& socket, const proxy_url& proxy,
                                                   const boost::asio::ip::tcp::endpoint& target);

}  // namespace smtp
