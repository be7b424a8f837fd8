#pragma once
// An in-memory DNS world for sans-network tests: a dns::source whose answers come
// from records the test adds. Names are matched case-insensitively; CNAMEs are
// followed (up to 8 hops) like a recursive resolver would. A name marked with
// `fail(name, outcome)` answers that failure (timeout, servfail, ...) for every type.
//
// Every query is counted and logged so tests can assert how many lookups a check made.

#include "dns/source.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace fakes {

class memory_zone : public dns::source {
 public:
  void add(std::string name, std::uint16_t type, dns::rdata data, std::uint32_t ttl = 300);
  void add_a(std::string name, std::string_view address);     // A or AAAA by syntax
  void add_mx(std::string name, std::uint16_t preference, std::string host);
  void add_txt(std::string name, std::vector<std::string> strings);
  void add_txt(std::string name, std::string text) { add_txt(std::move(name), std::vector{std::move(text)}); }
  void add_cname(std::string name, std::string target);
  void add_ptr(std::string_view address, std::string name);
  // The name exists (NODATA for types it lacks) even with no records at all.
  void add_empty(std::string name);
  // `detail` is the resolver's words the answer carries.
  void fail(std::string name, dns::outcome failure, std::string detail = "injected failure");

  boost::asio::awaitable<dns::answer> query(std::string name, std::uint16_t qtype) override;
  dns::answer lookup(const std::string& name, std::uint16_t qtype) const;  // same, synchronously

  std::size_t queries() const { return log_.size(); }
  const std::vector<std::pair<std::string, std::uint16_t>>& log() const { return log_; }

 private:
  struct entry {
    std::uint16_t type;
    std::uint32_t ttl;
    dns::rdata data;
    std::string owner;
  };
  std::map<std::string, std::vector<entry>> names_;
  std::map<std::string, std::pair<dns::outcome, std::string>> failures_;  // outcome, detail
  std::vector<std::pair<std::string, std::uint16_t>> log_;
};

}  // namespace fakes
