#pragma once
// dns::resolver: one c-ares channel driven by an Asio io_context.
//
// c-ares 1.18 has no event thread of its own here: it tells us which sockets it wants
// watched (ARES_OPT_SOCK_STATE_CB), we wait on them with Asio and call ares_process_fd
// when they are ready, and one steady_timer re-armed from ares_timeout() drives its
// retransmissions. No thread per query, no blocking call, no getaddrinfo.
//
// Threading: use from the io_context's thread only (one strand of execution).
// Lifetime: destroying the resolver completes every pending query with outcome::error
// ("resolver shut down"); coroutines awaiting it must not outlive the io_context.
// Errors: `create` reports a bad server list or a c-ares initialisation failure as a
// value; queries never throw for network outcomes.

#include "dns/source.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace dns {

struct resolver_options {
  // "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 address. Empty: /etc/resolv.conf.
  // (c-ares 1.18 ignores a port written in resolv.conf; ports work only from here.)
  std::vector<std::string> servers;
  std::chrono::milliseconds timeout{2500};  // per try
  int tries = 2;
  // With >150 queries in flight on one UDP socket the kernel's default receive buffer
  // overflows and answers are lost; 4 MiB holds a burst (RIG.md).
  int udp_receive_buffer = 4 << 20;
  // EDNS0 (RFC 6891) lets large TXT answers (SPF) come over UDP; truncated answers are
  // retried over TCP by c-ares either way.
  bool edns = true;
};

struct resolver_stats {
  std::uint64_t queries = 0;   // started
  std::uint64_t answered = 0;  // completed with any outcome
};

class resolver final : public source {
 public:
  struct error {
    std::string what;
  };
  static std::variant<std::unique_ptr<resolver>, error> create(boost::asio::any_io_executor executor,
                                                               resolver_options options = {});
  ~resolver() override;
  resolver(const resolver&) = delete;
  resolver& operator=(const resolver&) = delete;

  boost::asio::awaitable<answer> query(std::string name, std::uint16_t qtype) override;

  // The servers c-ares will ask, as "IP:PORT" strings (for reports).
  std::vector<std::string> servers() const;
  resolver_stats stats() const;

 private:
  struct state;
  explicit resolver(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

// Parses "IP", "IP:PORT", "[IPv6]:PORT", "IPv6" into c-ares CSV form ("IP:PORT" or
// "[IPv6]:PORT"); returns an error message for anything else.
std::variant<std::string, resolver::error> normalize_server(std::string_view server);

// The version of the c-ares library in use ("1.18.1").
std::string c_ares_version();

}  // namespace dns
