#pragma once
// A TCP endpoint whose connects time out, as when a firewall drops SYNs (outbound port 25
// blocked): it listens with a one-slot backlog that its own filler connection keeps full,
// and never accepts. Loopback only. Plus a port that is free on 127.0.0.1, for tests that
// bind fake servers on several 127.0.0.x addresses at one port.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace fakes {

// The port is chosen by a wildcard bind without SO_REUSEADDR, so the kernel hands out one
// that no address holds, not even in TIME_WAIT: a port free only on 127.0.0.1 may still be
// held on 127.0.0.2 by a test running beside this one (seen in CI as EADDRINUSE). Nothing
// listens on it; the socket closes on return.
inline std::uint16_t free_port(boost::asio::io_context& io) {
  boost::asio::ip::tcp::acceptor a(io);
  a.open(boost::asio::ip::tcp::v4());
  a.bind({boost::asio::ip::address_v4::any(), 0});
  return a.local_endpoint().port();
}

struct blackhole {
  blackhole(boost::asio::io_context& io, const std::string& address, std::uint16_t port) : acceptor(io), filler(io) {
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(address), port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true));  // as fake servers do
    acceptor.bind(endpoint);
    acceptor.listen(0);
    filler.connect(endpoint);
  }
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::ip::tcp::socket filler;
};

}  // namespace fakes
