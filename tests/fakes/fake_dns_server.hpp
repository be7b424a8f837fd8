#pragma once
// An in-process DNS server on 127.0.0.1 (UDP and TCP on the same ephemeral port) for
// the faults a real server will not produce on demand: silence (timeouts), SERVFAIL,
// REFUSED, truncated UDP answers that must be retried over TCP, malformed answers,
// slow answers. The test supplies a function from (name, type) to the reply.
//
// Runs on the test's io_context (single thread); counts what it received.

#include "dns/message.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace fakes {

struct dns_reply {
  dns::response_spec spec;             // rcode and records
  bool drop = false;                   // never answer
  bool truncate_udp = false;           // over UDP: TC=1 and no records; over TCP: the full answer
  std::chrono::milliseconds delay{0};  // answer after this long
  std::vector<std::uint8_t> raw_tail;  // if set: a valid header echoing the query, then these bytes
};

class fake_dns_server {
 public:
  using behaviour = std::function<dns_reply(const std::string& name, std::uint16_t type)>;
  fake_dns_server(boost::asio::io_context& io, behaviour reply);
  ~fake_dns_server();

  std::string address() const;  // "127.0.0.1:PORT"
  unsigned short port() const { return port_; }
  std::size_t udp_queries() const { return udp_queries_; }
  std::size_t tcp_queries() const { return tcp_queries_; }

 private:
  void receive_udp();
  void accept_tcp();
  std::vector<std::uint8_t> respond(std::span<const std::uint8_t> query, bool over_tcp, std::chrono::milliseconds& delay, bool& drop);

  boost::asio::io_context& io_;
  behaviour reply_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor tcp_;
  unsigned short port_ = 0;
  std::array<std::uint8_t, 4096> buffer_{};
  boost::asio::ip::udp::endpoint peer_;
  std::size_t udp_queries_ = 0, tcp_queries_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fakes
