#include "probe/dns_json.hpp"

#include "probe/terminal_text.hpp"

namespace probe {

using nlohmann::json;

json to_json(const dns::resource_record& rr) {
  json out{{"name", valid_utf8(rr.name)}, {"type", dns::type_name(rr.type)}, {"ttl", rr.ttl}};
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, boost::asio::ip::address_v4> || std::is_same_v<T, boost::asio::ip::address_v6>) {
          out["address"] = v.to_string();
        } else if constexpr (std::is_same_v<T, dns::mx_data>) {
          out["preference"] = v.preference;
          out["exchange"] = v.host.empty() ? "." : valid_utf8(v.host);
        } else if constexpr (std::is_same_v<T, dns::name_data>) {
          out["target"] = valid_utf8(v.name);
        } else if constexpr (std::is_same_v<T, dns::txt_data>) {
          json strings = json::array();
          for (const auto& s : v.strings) strings.push_back(valid_utf8(s));
          out["strings"] = std::move(strings);
          out["text"] = valid_utf8(v.joined());
        } else if constexpr (std::is_same_v<T, dns::soa_data>) {
          out["mname"] = valid_utf8(v.mname);
          out["minimum"] = v.minimum;
        } else {
          static constexpr char hex[] = "0123456789abcdef";
          std::string text;
          for (const auto b : v.bytes) {
            text += hex[b >> 4];
            text += hex[b & 0x0f];
          }
          out["rdata_hex"] = text;
        }
      },
      rr.data);
  return out;
}

json to_json(const dns::answer& a) {
  json out{{"name", valid_utf8(a.qname)},
           {"type", dns::type_name(a.qtype)},
           {"result", dns::to_string(a.result)},
           {"ttl", a.ttl},
           {"ms", a.elapsed.count()},
           {"cached", a.from_cache}};
  if (!a.records.empty()) {
    json records = json::array();
    for (const auto& rr : a.records) records.push_back(to_json(rr));
    out["records"] = std::move(records);
  }
  if (!a.cname_chain.empty()) {
    json chain = json::array();
    for (const auto& n : a.cname_chain) chain.push_back(valid_utf8(n));
    out["cname_chain"] = std::move(chain);
  }
  if (!a.detail.empty()) out["detail"] = valid_utf8(a.detail);
  return out;
}

json to_json(const dns::routing& r) {
  json hosts = json::array();
  for (const auto& h : r.hosts) {
    json addresses = json::array();
    for (const auto& address : h.addresses) {
      json item{{"address", address.address.to_string()}, {"family", address.address.is_v6() ? "ipv6" : "ipv4"}};
      if (!address.ptr.qname.empty()) {
        json names = json::array();
        for (const auto& n : address.ptr.names()) names.push_back(valid_utf8(n));
        item["ptr"] = std::move(names);
        item["ptr_result"] = dns::to_string(address.ptr.result);
      }
      addresses.push_back(std::move(item));
    }
    json host{{"preference", h.preference}, {"name", valid_utf8(h.name)}, {"implicit", h.implicit},
              {"addresses", std::move(addresses)}};
    json lookups = json::array();
    for (const dns::answer* a : {&h.aaaa, &h.a})
      if (!a->qname.empty()) lookups.push_back(to_json(*a));
    host["lookups"] = std::move(lookups);
    hosts.push_back(std::move(host));
  }
  json findings = json::array();
  for (const auto& f : r.findings)
    findings.push_back({{"problem", dns::to_string(f.problem)}, {"host", valid_utf8(f.host)}, {"explanation", valid_utf8(f.explanation)}});
  return json{{"domain", r.domain},
              {"route", dns::to_string(r.kind)},
              {"mx_lookup", to_json(r.mx_answer)},
              {"hosts", std::move(hosts)},
              {"findings", std::move(findings)}};
}

}  // namespace probe
