#include "tests/fakes/memory_zone.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace fakes {

void memory_zone::add(std::string name, std::uint16_t type, dns::rdata data, std::uint32_t ttl) {
  auto key = dns::normalize_name(name);
  names_[key].push_back(entry{type, ttl, std::move(data), std::move(name)});
}

void memory_zone::add_a(std::string name, std::string_view address) {
  const auto ip = boost::asio::ip::make_address(address);
  if (ip.is_v4())
    add(std::move(name), dns::type::a, ip.to_v4());
  else
    add(std::move(name), dns::type::aaaa, ip.to_v6());
}

void memory_zone::add_mx(std::string name, std::uint16_t preference, std::string host) {
  add(std::move(name), dns::type::mx, dns::mx_data{preference, std::move(host)});
}

void memory_zone::add_txt(std::string name, std::vector<std::string> strings) {
  add(std::move(name), dns::type::txt, dns::txt_data{std::move(strings)});
}

void memory_zone::add_cname(std::string name, std::string target) {
  add(std::move(name), dns::type::cname, dns::name_data{std::move(target)});
}

void memory_zone::add_ptr(std::string_view address, std::string name) {
  add(dns::reverse_name(boost::asio::ip::make_address(address)), dns::type::ptr,
      dns::name_data{std::move(name)});
}

void memory_zone::add_empty(std::string name) { names_[dns::normalize_name(name)]; }

void memory_zone::fail(std::string name, dns::outcome failure, std::string detail) {
  failures_[dns::normalize_name(name)] = {failure, std::move(detail)};
}

boost::asio::awaitable<dns::answer> memory_zone::query(std::string name, std::uint16_t qtype) {
  log_.emplace_back(name, qtype);
  co_return lookup(name, qtype);
}

dns::answer memory_zone::lookup(const std::string& name, std::uint16_t qtype) const {
  dns::answer out;
  out.qname = name;
  out.qtype = qtype;
  auto current = dns::normalize_name(name);
  for (int hops = 0; hops < 8; ++hops) {
    if (auto f = failures_.find(current); f != failures_.end()) {
      out.result = f->second.first;
      out.detail = f->second.second;
      return out;
    }
    const auto found = names_.find(current);
    if (found == names_.end()) {
      out.result = dns::outcome::nxdomain;
      return out;
    }
    for (const auto& e : found->second)
      if (e.type == qtype) out.records.push_back({e.owner, e.type, e.ttl, e.data});
    if (!out.records.empty()) {
      out.result = dns::outcome::records;
      out.ttl = std::min_element(out.records.begin(), out.records.end(), [](auto& l, auto& r) {
                  return l.ttl < r.ttl;
                })->ttl;
      return out;
    }
    const auto cname = std::find_if(found->second.begin(), found->second.end(),
                                    [](const entry& e) { return e.type == dns::type::cname; });
    if (cname == found->second.end() || qtype == dns::type::cname) {
      out.result = dns::outcome::nodata;
      return out;
    }
    if (out.cname_chain.empty()) out.cname_chain.push_back(current);
    current = dns::normalize_name(std::get<dns::name_data>(cname->data).name);
    out.cname_chain.push_back(current);
  }
  out.result = dns::outcome::error;
  out.detail = "CNAME chain too long";
  return out;
}

}  // namespace fakes
