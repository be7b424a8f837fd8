#pragma once
// A small SOCKS5 server (RFC 1928, with RFC 1929 user/password when configured) for
// tests, in-process on the test's io_context at 127.0.0.1 and port 0. It serves CONNECT
// to IPv4 and IPv6 addresses, answers "connection refused" (REP 5) when the target
// refuses, and relays bytes both ways. It records what clients asked for, so a test can
// check that the prober really went through it.
//
// Lifetime: as fake_smtp_server (shared state; destroying the server closes everything).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fakes {

class socks5_server {
 public:
  // Empty username: no authentication. Otherwise only user/password (method 2) is accepted.
  socks5_server(boost::asio::io_context& io, std::string username = {}, std::string password = {});
  ~socks5_server();
  socks5_server(const socks5_server&) = delete;
  socks5_server& operator=(const socks5_server&) = delete;

  std::uint16_t port() const;
  std::vector<boost::asio::ip::tcp::endpoint> connects() const;  // CONNECT targets asked
  std::size_t auth_failures() const;
  std::size_t sessions() const;

  struct state;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace fakes
