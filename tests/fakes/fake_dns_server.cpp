#include "tests/fakes/fake_dns_server.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace fakes {

namespace net = boost::asio;
using net::ip::tcp;
using net::ip::udp;

fake_dns_server::fake_dns_server(net::io_context& io, behaviour reply)
    : io_(io), reply_(std::move(reply)), udp_(io), tcp_(io) {
  // UDP and TCP must share one port number (a resolver retries TCP on the same port).
  for (int attempt = 0; attempt < 50; ++attempt) {
    udp_ = udp::socket(io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port_ = udp_.local_endpoint().port();
    // Bursts of thousands of queries arrive at once; the default buffer holds ~250.
    udp_.set_option(net::socket_base::receive_buffer_size(4 << 20));
    boost::system::error_code ec;
    tcp_ = tcp::acceptor(io);
    tcp_.open(tcp::v4(), ec);
    tcp_.set_option(tcp::acceptor::reuse_address(true), ec);
    tcp_.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    if (!ec) tcp_.listen(64, ec);
    if (!ec) break;
    udp_.close();
  }
  receive_udp();
  accept_tcp();
}

fake_dns_server::~fake_dns_server() { *alive_ = false; }

std::string fake_dns_server::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::vector<std::uint8_t> fake_dns_server::respond(std::span<const std::uint8_t> query, bool over_tcp,
                                                   std::chrono::milliseconds& delay, bool& drop) {
  const auto parsed = dns::parse_message(query);
  if (!parsed.value) {
    drop = true;
    return {};
  }
  dns_reply r = reply_(parsed.value->question_name, parsed.value->question_type);
  delay = r.delay;
  drop = r.drop;
  if (!r.raw_tail.empty()) {
    auto out = dns::build_response(query, {});
    out.insert(out.end(), r.raw_tail.begin(), r.raw_tail.end());
    out[7] = 1;  // ancount = 1: the tail claims to be an answer
    return out;
  }
  if (r.truncate_udp && !over_tcp) {
    dns::response_spec empty;
    empty.rcode = r.spec.rcode;
    empty.truncated = true;
    return dns::build_response(query, empty);
  }
  return dns::build_response(query, r.spec);
}

void fake_dns_server::receive_udp() {
  udp_.async_receive_from(net::buffer(buffer_), peer_, [this, alive = alive_](boost::system::error_code ec, std::size_t n) {
    if (!*alive || ec) return;
    ++udp_queries_;
    std::chrono::milliseconds delay{0};
    bool drop = false;
    auto reply = std::make_shared<std::vector<std::uint8_t>>(respond({buffer_.data(), n}, false, delay, drop));
    if (!drop) {
      auto timer = std::make_shared<net::steady_timer>(io_, delay);
      timer->async_wait([this, alive, timer, reply, peer = peer_](boost::system::error_code) {
        if (!*alive) return;
        udp_.async_send_to(net::buffer(*reply), peer, [reply](boost::system::error_code, std::size_t) {});
      });
    }
    receive_udp();
  });
}

void fake_dns_server::accept_tcp() {
  tcp_.async_accept([this, alive = alive_](boost::system::error_code ec, tcp::socket socket) {
    if (!*alive || ec) return;
    auto conn = std::make_shared<tcp::socket>(std::move(socket));
    auto length = std::make_shared<std::array<std::uint8_t, 2>>();
    net::async_read(*conn, net::buffer(*length), [this, alive, conn, length](boost::system::error_code ec, std::size_t) {
      if (!*alive || ec) return;
      auto query = std::make_shared<std::vector<std::uint8_t>>(((*length)[0] << 8) | (*length)[1]);
      net::async_read(*conn, net::buffer(*query), [this, alive, conn, query](boost::system::error_code ec, std::size_t) {
        if (!*alive || ec) return;
        ++tcp_queries_;
        std::chrono::milliseconds delay{0};
        bool drop = false;
        auto body = respond(*query, true, delay, drop);
        if (drop) return;
        auto framed = std::make_shared<std::vector<std::uint8_t>>();
        framed->push_back(static_cast<std::uint8_t>(body.size() >> 8));
        framed->push_back(static_cast<std::uint8_t>(body.size()));
        framed->insert(framed->end(), body.begin(), body.end());
        auto timer = std::make_shared<net::steady_timer>(io_, delay);
        timer->async_wait([conn, framed, timer](boost::system::error_code) {
          net::async_write(*conn, net::buffer(*framed), [conn, framed](boost::system::error_code, std::size_t) {});
        });
      });
    });
    accept_tcp();
  });
}

}  // namespace fakes
