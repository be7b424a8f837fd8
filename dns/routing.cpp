#include "dns/routing.hpp"

#include "dns/join.hpp"

#include <algorithm>
#include <random>

namespace dns {

namespace net = boost::asio;

std::string_view to_string(route_kind kind) {
  switch (kind) {
    case route_kind::mx: return "mx";
    case route_kind::implicit_mx: return "implicit-mx";
    case route_kind::null_mx: return "null-mx";
    case route_kind::no_domain: return "no-domain";
    case route_kind::no_mail_host: return "no-mail-host";
    case route_kind::dns_failure: return "dns-failure";
  }
  return "dns-failure";
}

std::string_view to_string(route_problem problem) {
  switch (problem) {
    case route_problem::mx_ip_literal: return "mx-ip-literal";
    case route_problem::mx_is_cname: return "mx-is-cname";
    case route_problem::mx_no_address: return "mx-no-address";
    case route_problem::mx_lookup_failed: return "mx-lookup-failed";
    case route_problem::null_mx_mixed: return "null-mx-mixed";
    case route_problem::mx_localhost: return "mx-localhost";
  }
  return "unknown";
}

std::vector<const mail_host*> routing::dialable_hosts() const {
  std::vector<const mail_host*> out;
  for (const auto& host : hosts)
    if (!host.addresses.empty()) out.push_back(&host);
  return out;
}

namespace {

bool is_ip_literal(std::string_view host) {
  if (host.starts_with('[') && host.ends_with(']')) return true;  // "[192.0.2.1]" (RFC 5321 address literal)
  boost::system::error_code ec;
  (void)net::ip::make_address(std::string(host), ec);
  return !ec;
}

net::awaitable<answer> skipped() { co_return answer{}; }

// Resolves one MX host: its AAAA and A records (as asked), then the PTR of every address.
net::awaitable<mail_host> resolve_host(source& dns, mail_host host, routing_options options) {
  std::vector<net::awaitable<answer>> lookups;
  lookups.push_back(options.want_ipv6 ? dns.aaaa(host.name) : skipped());
  lookups.push_back(options.want_ipv4 ? dns.a(host.name) : skipped());
  auto answers = co_await join_all(std::move(lookups));
  host.aaaa = std::move(answers[0]);
  host.a = std::move(answers[1]);
  for (const answer* family : {&host.aaaa, &host.a})
    for (const auto& address : family->addresses()) host.addresses.push_back({address, {}});
  if (options.lookup_ptr && !host.addresses.empty()) {
    std::vector<net::awaitable<answer>> reverse;
    for (const auto& address : host.addresses) reverse.push_back(dns.ptr(address.address));
    auto ptrs = co_await join_all(std::move(reverse));
    for (std::size_t i = 0; i < ptrs.size(); ++i) host.addresses[i].ptr = std::move(ptrs[i]);
  }
  co_return host;
}

bool failed(const answer& a) { return !a.qname.empty() && !is_answer(a.result); }

void add_host_findings(routing& route, const mail_host& host) {
  if (host.addresses.empty()) {
    if (failed(host.aaaa) || failed(host.a)) {
      const answer& bad = failed(host.a) ? host.a : host.aaaa;
      const std::string result(to_string(bad.result));
      route.findings.push_back({route_problem::mx_lookup_failed, host.name,
                                "the address lookup of " + host.name + " failed (" + result +
                                    "); a sender's MTA defers the mail and retries later",
                                "route.mx_lookup_failed",
                                {{"host", host.name}, {"result", result}}});
    } else {
      route.findings.push_back({route_problem::mx_no_address, host.name,
                                host.name + " has no A or AAAA record; a sender's MTA skips it and tries the next MX",
                                "route.mx_no_address",
                                {{"host", host.name}}});
    }
  }
  const answer& resolved = !host.a.cname_chain.empty() ? host.a : host.aaaa;
  if (!host.implicit && !resolved.cname_chain.empty()) {
    route.findings.push_back({route_problem::mx_is_cname, host.name,
                              host.name + " is an alias (CNAME to " + resolved.cname_chain.back() +
                                  "); RFC 2181 §10.3 forbids MX targets that are aliases, though most MTAs follow it",
                              "route.mx_is_cname",
                              {{"host", host.name}, {"target", resolved.cname_chain.back()}}});
  }
  for (const auto& address : host.addresses) {
    if (address.address.is_loopback() || address.address.is_unspecified()) {
      const auto text = address.address.to_string();
      route.findings.push_back({route_problem::mx_localhost, host.name,
                                host.name + " resolves to " + text +
                                    ", a loopback/unspecified address; senders elsewhere cannot deliver there",
                                "route.mx_localhost",
                                {{"host", host.name}, {"address", text}}});
      break;
    }
  }
}

}  // namespace

net::awaitable<routing> route_mail(source& dns, std::string domain, routing_options options) {
  routing route;
  route.domain = normalize_name(domain);
  route.mx_answer = co_await dns.mx(route.domain);
  const answer& mx = route.mx_answer;

  if (mx.result == outcome::nxdomain) {
    route.kind = route_kind::no_domain;
    co_return route;
  }
  if (!is_answer(mx.result)) {
    route.kind = route_kind::dns_failure;
    co_return route;
  }

  std::vector<mail_host> candidates;
  if (mx.result == outcome::nodata) {
    // RFC 5321 §5.1: no MX records — the domain itself is the implicit MX, preference 0.
    candidates.push_back(mail_host{0, route.domain, true, {}, {}, {}});
  } else {
    auto records = mx.mx();
    const auto null_count = std::count_if(records.begin(), records.end(), [](const mx_data& m) { return m.host.empty(); });
    if (null_count > 0 && records.size() == 1) {
      route.kind = route_kind::null_mx;  // RFC 7505 §3: no address to dial, ever
      co_return route;
    }
    if (null_count > 0) {
      route.findings.push_back({route_problem::null_mx_mixed, ".",
                                "a null MX (MX 0 .) is published beside other MX records; RFC 7505 §3 forbids this and "
                                "senders ignore the null MX and use the others",
                                "route.null_mx_mixed",
                                {}});
    }
    std::stable_sort(records.begin(), records.end(),
                     [](const mx_data& l, const mx_data& r) { return l.preference < r.preference; });
    // RFC 5321 §5.1: hosts of equal preference are tried in random order.
    // One engine per thread, seeded once: seeding from std::random_device on every call
    // was a visible cost in batch runs. A seed (tests, --seed) gets an engine of its own.
    thread_local std::mt19937_64 shared_engine{std::random_device{}()};
    std::optional<std::mt19937_64> seeded;
    if (options.seed) seeded.emplace(*options.seed);
    std::mt19937_64& shuffle_engine = seeded ? *seeded : shared_engine;
    for (auto first = records.begin(); first != records.end();) {
      auto last = std::find_if(first, records.end(), [&](const mx_data& m) { return m.preference != first->preference; });
      std::shuffle(first, last, shuffle_engine);
      first = last;
    }
    for (auto& record : records) {
      if (record.host.empty()) continue;
      if (is_ip_literal(record.host)) {
        route.findings.push_back({route_problem::mx_ip_literal, record.host,
                                  "MX target " + record.host +
                                      " is an IP address, not a host name (RFC 5321 §5.1); Postfix and Exim treat it "
                                      "as an invalid MX and do not dial it",
                                  "route.mx_ip_literal",
                                  {{"host", record.host}}});
        mail_host literal{record.preference, record.host, false, {}, {}, {}};
        route.hosts.push_back(std::move(literal));
        continue;
      }
      candidates.push_back(mail_host{record.preference, normalize_name(record.host), false, {}, {}, {}});
    }
  }

  std::vector<net::awaitable<mail_host>> resolving;
  for (auto& host : candidates) resolving.push_back(resolve_host(dns, std::move(host), options));
  auto resolved = co_await join_all(std::move(resolving));

  // IP-literal hosts were recorded without addresses; merge keeping preference order.
  for (auto& host : resolved) route.hosts.push_back(std::move(host));
  std::stable_sort(route.hosts.begin(), route.hosts.end(),
                   [](const mail_host& l, const mail_host& r) { return l.preference < r.preference; });
  for (const auto& host : route.hosts) {
    if (is_ip_literal(host.name)) continue;
    if (host.implicit && host.addresses.empty() && !failed(host.a) && !failed(host.aaaa)) continue;  // not an MX at all
    add_host_findings(route, host);
  }

  const bool any_address = std::any_of(route.hosts.begin(), route.hosts.end(), [](const mail_host& h) { return !h.addresses.empty(); });
  const bool any_failure = std::any_of(route.hosts.begin(), route.hosts.end(),
                                       [](const mail_host& h) { return failed(h.a) || failed(h.aaaa); });
  const bool implicit = mx.result == outcome::nodata;
  if (any_address) {
    route.kind = implicit ? route_kind::implicit_mx : route_kind::mx;
  } else if (any_failure) {
    route.kind = route_kind::dns_failure;
  } else {
    route.kind = route_kind::no_mail_host;
    if (implicit) route.hosts.clear();  // the domain itself has no address: nothing to show as a host
  }
  co_return route;
}

}  // namespace dns
