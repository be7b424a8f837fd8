#pragma once
// The one DNS interface every check asks: "what does the DNS say about NAME/TYPE now?"
//
// Implementations: dns::resolver (c-ares on the io_context), dns::cache (one shared
// cache per run in front of any source), and in-memory zones in tests. SPF, routing,
// DNSBL and correlation code take a `source&`, never a concrete resolver, so the same
// code runs against the network, a cache, or a test world.
//
// Threading: a source belongs to one io_context and is used from its thread only.
// Lifetime: the source must outlive every coroutine that awaits it.

#include "dns/answer.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace dns {

class source {
 public:
  virtual ~source() = default;

  // Never throws for network outcomes: they come back in answer::result.
  virtual boost::asio::awaitable<answer> query(std::string name, std::uint16_t qtype) = 0;

  boost::asio::awaitable<answer> mx(std::string domain) { return query(std::move(domain), type::mx); }
  boost::asio::awaitable<answer> a(std::string name) { return query(std::move(name), type::a); }
  boost::asio::awaitable<answer> aaaa(std::string name) { return query(std::move(name), type::aaaa); }
  boost::asio::awaitable<answer> txt(std::string name) { return query(std::move(name), type::txt); }
  boost::asio::awaitable<answer> ptr(const boost::asio::ip::address& address) {
    return query(reverse_name(address), type::ptr);
  }
};

}  // namespace dns
