#include "probe/egress_ip.hpp"

#include "rbl/timed_query.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>

namespace probe {

namespace net = boost::asio;

namespace {

using said::part;
using said::value;

// A failed lookup: "NXDOMAIN", "no record", "timeout (detail)"; the word is named in other
// languages (names.dns_failure), the resolver's detail (c-ares's text) stays as it came.
void set_failure(egress_attempt& attempt, const dns::answer& a) {
  std::string word = a.result == dns::outcome::nxdomain ? "NXDOMAIN"
                     : a.result == dns::outcome::nodata ? "no record"
                                                        : std::string(dns::to_string(a.result));
  attempt.problem = word + (a.detail.empty() ? "" : " (" + a.detail + ")");
  attempt.problem_said = {"server.egress_lookup_failed",
                          {value("result", word, "dns_failure"),
                           a.detail.empty() ? value("detail", "")
                                            : part("detail", {"server.resolver_detail",
                                                              {value("detail", a.detail, "resolver_detail")}})}};
}

void set_how(egress_result& out, std::string english, sentence said) {
  out.how = std::move(english);
  out.how_said = std::move(said);
}

void add_warning(egress_result& out, std::string english, sentence said) {
  out.warnings.push_back(std::move(english));
  out.warnings_said.push_back(std::move(said));
}

std::optional<net::ip::address> address_in(std::string_view text, bool ipv6) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(std::string(text), ec);
  if (ec || address.is_v6() != ipv6) return std::nullopt;
  return address;
}

net::awaitable<egress_attempt> ask_opendns(dns::source& source, const std::string& servers, const egress_options& o) {
  egress_attempt attempt;
  attempt.method = egress_method::opendns;
  const auto qtype = o.ipv6 ? dns::type::aaaa : dns::type::a;
  attempt.asked = "myip.opendns.com " + dns::type_name(qtype) + " at " + servers;
  attempt.asked_said = {"server.egress_asked_opendns", {value("type", dns::type_name(qtype)), value("servers", servers)}};
  attempt.answer = co_await rbl::query_until(source, "myip.opendns.com", qtype, rbl::clock::now() + o.timeout);
  for (const auto& address : attempt.answer.addresses())
    if (address.is_v6() == o.ipv6) {
      attempt.found = address;
      break;
    }
  if (!attempt.found) set_failure(attempt, attempt.answer);
  co_return attempt;
}

net::awaitable<egress_attempt> ask_google(dns::source& source, const std::string& servers, const egress_options& o) {
  egress_attempt attempt;
  attempt.method = egress_method::google;
  attempt.asked = "o-o.myaddr.l.google.com TXT at " + servers;
  attempt.asked_said = {"server.egress_asked_google", {value("servers", servers)}};
  attempt.answer =
      co_await rbl::query_until(source, "o-o.myaddr.l.google.com", dns::type::txt, rbl::clock::now() + o.timeout);
  // Asked directly, the answer is one TXT holding the querier's address; asked through a
  // resolver, another TXT may carry "edns0-client-subnet ...". Take the one that parses.
  for (const auto& text : attempt.answer.texts())
    if (auto address = address_in(text, o.ipv6)) {
      attempt.found = address;
      break;
    }
  if (!attempt.found) {
    if (attempt.answer.ok()) {
      attempt.problem = "the TXT answer held no address";
      attempt.problem_said = {"server.egress_txt_no_address", {}};
    } else {
      set_failure(attempt, attempt.answer);
    }
  }
  co_return attempt;
}

}  // namespace

std::string_view to_string(egress_method method) {
  switch (method) {
    case egress_method::given: return "given";
    case egress_method::opendns: return "opendns";
    case egress_method::google: return "google";
    case egress_method::interface_address: return "interface";
    case egress_method::none: return "none";
  }
  return "none";
}

std::vector<std::string> opendns_servers(bool ipv6) {
  if (ipv6) return {"2620:119:35::35", "2620:119:53::53"};
  return {"208.67.222.222", "208.67.220.220"};
}

std::vector<std::string> google_servers(bool ipv6) {
  // ns1.google.com and ns2.google.com: the authoritative servers of l.google.com.
  if (ipv6) return {"2001:4860:4802:32::a", "2001:4860:4802:34::a"};
  return {"216.239.32.10", "216.239.34.10"};
}

bool is_private_address(const net::ip::address& address) {
  if (address.is_unspecified() || address.is_loopback()) return true;
  if (address.is_v4()) {
    const auto v = address.to_v4().to_uint();
    const auto in = [v](std::uint32_t net, int bits) { return (v >> (32 - bits)) == (net >> (32 - bits)); };
    return in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16) ||  // RFC 1918
           in(0x64400000, 10) ||                                              // RFC 6598 CGNAT
           in(0xa9fe0000, 16);                                                // link-local
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return is_private_address(net::ip::make_address_v4(net::ip::v4_mapped, v6));
  const auto bytes = v6.to_bytes();
  return v6.is_link_local() || (bytes[0] & 0xfe) == 0xfc;  // fe80::/10, ULA fc00::/7
}

std::optional<net::ip::address> local_interface_address(const net::ip::address& toward, std::string& problem) {
  net::io_context io;
  net::ip::udp::socket socket(io);
  boost::system::error_code ec;
  socket.open(toward.is_v6() ? net::ip::udp::v6() : net::ip::udp::v4(), ec);
  if (!ec) socket.connect({toward, 53}, ec);  // UDP connect: route lookup only, nothing sent
  if (ec) {
    problem = "no route toward " + toward.to_string() + ": " + ec.message();
    return std::nullopt;
  }
  const auto local = socket.local_endpoint(ec);
  if (ec) {
    problem = ec.message();
    return std::nullopt;
  }
  return local.address();
}

egress_result egress_given(const net::ip::address& address) {
  egress_result out;
  out.address = address;
  out.method = egress_method::given;
  set_how(out, "given with --ip", {"server.egress_given", {}});
  if (is_private_address(address))
    add_warning(out,
                address.to_string() +
                    " is a private or loopback address: receivers on the internet never see it, so its PTR "
                    "and DNSBL results say nothing about your mail",
                {"server.egress_private_given", {value("address", address.to_string())}});
  return out;
}

net::awaitable<egress_result> detect_egress(egress_sources sources, egress_options options) {
  using namespace boost::asio::experimental::awaitable_operators;
  egress_result out;
  // Both services at once: each is bounded by its own timeout.
  if (sources.opendns && sources.google) {
    auto [opendns, google] = co_await (ask_opendns(*sources.opendns, sources.opendns_servers, options) &&
                                       ask_google(*sources.google, sources.google_servers, options));
    out.attempts.push_back(std::move(opendns));
    out.attempts.push_back(std::move(google));
  } else if (sources.opendns) {
    out.attempts.push_back(co_await ask_opendns(*sources.opendns, sources.opendns_servers, options));
  } else if (sources.google) {
    out.attempts.push_back(co_await ask_google(*sources.google, sources.google_servers, options));
  }
  for (const auto& attempt : out.attempts) {
    if (!attempt.found) continue;
    if (!out.address) {
      out.address = attempt.found;
      out.method = attempt.method;
      set_how(out, "asked " + attempt.asked + ": the address the query came from",
              {"server.egress_how_asked", {part("asked", attempt.asked_said)}});
    } else if (*attempt.found != *out.address) {
      add_warning(out,
                  std::string(to_string(attempt.method)) + " saw " + attempt.found->to_string() + ", " +
                      std::string(to_string(out.method)) + " saw " + out.address->to_string() +
                      ": this host leaves through several addresses (NAT pool or several uplinks); check each "
                      "with --ip",
                  {"server.egress_several",
                   {value("method", std::string(to_string(attempt.method))), value("found", attempt.found->to_string()),
                    value("first_method", std::string(to_string(out.method))),
                    value("address", out.address->to_string())}});
    }
  }
  if (!out.address) {
    egress_attempt local;
    local.method = egress_method::interface_address;
    boost::system::error_code ec;
    const auto toward =
        net::ip::make_address(options.ipv6 ? options.interface_toward_v6 : options.interface_toward, ec);
    const std::string toward_text = ec ? std::string("?") : toward.to_string();
    local.asked = "the local address routed toward " + toward_text;
    local.asked_said = {"server.egress_asked_interface", {value("toward", toward_text)}};
    if (!ec) local.found = local_interface_address(toward, local.problem);
    // The system's own words (no route, ...) stay as they came.
    if (!local.found) local.problem_said = {"server.text", {value("text", local.problem)}};
    if (local.found) {
      out.address = local.found;
      out.method = egress_method::interface_address;
      set_how(out,
              "no \"what is my address\" service answered; using the local interface address routed toward the "
              "internet",
              {"server.egress_how_interface", {}});
      if (is_private_address(*local.found))
        add_warning(out,
                    local.found->to_string() +
                        " is a private address: this host is behind NAT and its public address is unknown; "
                        "give it with --ip",
                    {"server.egress_private_nat", {value("address", local.found->to_string())}});
    }
    out.attempts.push_back(std::move(local));
  }
  if (!out.address) {
    out.method = egress_method::none;
    set_how(out,
            "could not find this host's public address (no DNS service answered and there is no route); give it "
            "with --ip",
            {"server.egress_how_none", {}});
  }
  co_return out;
}

}  // namespace probe
