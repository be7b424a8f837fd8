#include "probe/server_check.hpp"

#include "dns/join.hpp"
#include "dns/org_domain.hpp"
#include "rbl/catalogue.hpp"
#include "rbl/target.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace probe {

namespace net = boost::asio;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

std::vector<std::string> split(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : text) {
    if (separators.find(c) != std::string_view::npos) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// A line for people and the same line as a sentence of output_words.yaml "server.*".
struct line {
  std::string text;
  sentence said;
};

using said::part;
using said::value;

// Sentences joined by "; " ("server.joined"), as join(texts, "; ") joins their English.
sentence joined(const std::vector<sentence>& parts) {
  if (parts.empty()) return {"server.text", {value("text", "")}};
  sentence out = parts.back();
  for (auto at = parts.rbegin() + 1; at != parts.rend(); ++at)
    out = {"server.joined", {part("first", *at), part("rest", std::move(out))}};
  return out;
}

void add_evidence(check_item& item, line l) {
  item.evidence.push_back(std::move(l.text));
  item.evidence_said.push_back(std::move(l.said));
}

// A failed lookup in words: "NXDOMAIN", "no record", "timeout"... (names.dns_failure).
line failure_line(const dns::answer& a) {
  std::string word;
  switch (a.result) {
    case dns::outcome::nxdomain: word = "NXDOMAIN"; break;
    case dns::outcome::nodata: word = "no record"; break;
    case dns::outcome::timeout: word = "timeout"; break;
    case dns::outcome::servfail: word = "SERVFAIL"; break;
    case dns::outcome::refused: word = "REFUSED"; break;
    default: break;
  }
  if (!word.empty()) return {word, {"server.lookup_failed", {value("result", word, "dns_failure")}}};
  const std::string result(dns::to_string(a.result));
  if (a.detail.empty()) return {result, {"server.lookup_failed", {value("result", result, "dns_failure")}}};
  // The detail is the resolver's (c-ares) own text: a report names the common ones
  // (names.resolver_detail); any other stays as it came.
  return {result + " (" + a.detail + ")",
          {"server.lookup_failed_detail",
           {value("result", result, "dns_failure"), value("detail", a.detail, "resolver_detail")}}};
}

std::string failure_words(const dns::answer& a) { return failure_line(a).text; }

// "mail.example.com A → 192.0.2.1, 2001:db8::1" or "mail.example.com A → NXDOMAIN".
line answer_line(const dns::answer& a) {
  const std::string asked = a.qname + " " + dns::type_name(a.qtype);
  if (!a.ok()) {
    auto failed = failure_line(a);
    return {asked + " → " + failed.text,
            {"server.answer", {value("name", a.qname), value("type", dns::type_name(a.qtype)), part("answer", failed.said)}}};
  }
  std::vector<std::string> values;
  for (const auto& address : a.addresses()) values.push_back(address.to_string());
  for (const auto& name : a.names()) values.push_back(name);
  for (const auto& text : a.texts()) values.push_back("\"" + text + "\"");
  for (const auto& mx : a.mx()) values.push_back(std::to_string(mx.preference) + " " + (mx.host.empty() ? "." : mx.host));
  std::string answer;
  for (std::size_t i = 0; i < values.size(); ++i) answer += (i ? ", " : "") + values[i];
  return {asked + " → " + answer,
          {"server.answer",
           {value("name", a.qname), value("type", dns::type_name(a.qtype)),
            part("answer", {"server.records", {value("records", answer)}})}}};
}

net::ip::address unmapped(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  return address;
}

bool same_address(const net::ip::address& a, const net::ip::address& b) { return unmapped(a) == unmapped(b); }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(separator) : "") + parts[i];
  return out;
}

// The numbers in a name, in order ("ip-192-0-2-1.pool" → 192 0 2 1).
std::vector<long> numbers_in(std::string_view name) {
  std::vector<long> out;
  for (std::size_t i = 0; i < name.size();) {
    if (name[i] < '0' || name[i] > '9') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < name.size() && name[j] >= '0' && name[j] <= '9' && j - i < 12) ++j;
    long value = 0;
    std::from_chars(name.data() + i, name.data() + j, value);
    out.push_back(value);
    while (j < name.size() && name[j] >= '0' && name[j] <= '9') ++j;
    i = j;
  }
  return out;
}

bool contains_sequence(const std::vector<long>& haystack, const std::vector<long>& needle) {
  if (needle.empty() || haystack.size() < needle.size()) return false;
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

check_item make_item(std::string id, std::string title) {
  check_item item;
  item.id = std::move(id);
  item.title = std::move(title);
  return item;
}

std::string text_of(const YAML::Node& node) { return node ? node.as<std::string>() : std::string(); }

}  // namespace

// ---- knowledge -----------------------------------------------------------------------

std::variant<server_knowledge, std::string> server_knowledge::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path.string() + ": cannot be read";
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

std::variant<server_knowledge, std::string> server_knowledge::parse(std::string_view yaml_text,
                                                                    std::string_view origin) {
  server_knowledge out;
  try {
    const auto root = YAML::Load(std::string(yaml_text));
    if (!root.IsMap()) return std::string(origin) + ": expected a map";
    for (const auto& k : root["generic_ptr"]["keywords"]) out.generic_keywords.push_back(lower(k.as<std::string>()));
    for (const auto& k : root["generic_ptr"]["mail_words"]) out.mail_words.push_back(lower(k.as<std::string>()));
    for (const auto& entry : root["titles_zh"]) out.titles_zh[entry.first.as<std::string>()] = entry.second.as<std::string>();
    for (const auto& entry : root["advice"]) {
      rbl::localized_text text{text_of(entry.second["en"]), text_of(entry.second["zh"])};
      if (text.en.empty()) return std::string(origin) + ": advice '" + entry.first.as<std::string>() + "' has no en text";
      out.advice[entry.first.as<std::string>()] = std::move(text);
    }
  } catch (const YAML::Exception& e) {
    return std::string(origin) + ": " + e.what();
  }
  return out;
}

const std::string& server_knowledge::title_for(const check_item& item, std::string_view lang) const {
  if (lang == "zh")
    if (const auto found = titles_zh.find(item.id); found != titles_zh.end()) return found->second;
  return item.title;
}

std::string server_knowledge::advice_for(const std::string& key, std::string_view lang,
                                         const std::map<std::string, std::string>& values) const {
  const auto found = advice.find(key);
  if (found == advice.end()) return {};
  std::string out = found->second.in(lang);
  for (const auto& [name, value] : values) {
    const std::string placeholder = "{" + name + "}";
    for (auto at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + value.size()))
      out.replace(at, placeholder.size(), value);
  }
  return out;
}

// ---- facts ---------------------------------------------------------------------------

std::string_view to_string(helo_syntax s) {
  switch (s) {
    case helo_syntax::fqdn: return "fqdn";
    case helo_syntax::address_literal: return "address_literal";
    case helo_syntax::not_fqdn: return "not_fqdn";
    case helo_syntax::invalid: return "invalid";
  }
  return "invalid";
}

std::string_view to_string(name_source s) {
  switch (s) {
    case name_source::given: return "given";
    case name_source::local_hostname: return "local_hostname";
    case name_source::helo: return "helo";
    case name_source::ptr: return "ptr";
    case name_source::none: return "none";
  }
  return "none";
}

std::string domain_of_host(std::string_view host) { return dns::organizational_domain(host); }

namespace {

std::vector<line> generic_ptr_lines(std::string_view name_text, const net::ip::address& raw_ip,
                                    const server_knowledge& knowledge) {
  std::vector<line> reasons;
  const auto name = dns::normalize_name(name_text);
  const auto ip = unmapped(raw_ip);
  if (ip.is_v4()) {
    const auto b = ip.to_v4().to_bytes();
    const std::vector<long> forward{b[0], b[1], b[2], b[3]}, reverse{b[3], b[2], b[1], b[0]};
    const auto numbers = numbers_in(name);
    char hex[9], padded[13];
    std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
    std::snprintf(padded, sizeof padded, "%03d%03d%03d%03d", b[0], b[1], b[2], b[3]);
    if (contains_sequence(numbers, forward) || contains_sequence(numbers, reverse) ||
        name.find(hex) != std::string::npos || name.find(padded) != std::string::npos)
      reasons.push_back({"the name embeds the address " + ip.to_string(),
                         {"server.generic_embeds_address", {value("address", ip.to_string())}}});
  } else {
    auto dashed = ip.to_string();
    std::replace(dashed.begin(), dashed.end(), ':', '-');
    if (name.find(dashed) != std::string::npos)
      reasons.push_back({"the name embeds the address " + ip.to_string(),
                         {"server.generic_embeds_address", {value("address", ip.to_string())}}});
  }

  // Keywords count only in the host part (not in the registered domain: "dsl-provider.net"
  // names the ISP, not the host), and not when a label says the host is a mail server.
  const auto domain = dns::organizational_domain(name);
  const auto host_part = name.size() > domain.size() ? name.substr(0, name.size() - domain.size()) : std::string();
  std::set<std::string> found;
  bool mail_server_name = false;
  for (const auto& label : split(host_part, ".")) {
    for (const auto& token : split(label, "-_")) {
      auto stripped = token;
      while (!stripped.empty() && std::isdigit(static_cast<unsigned char>(stripped.back()))) stripped.pop_back();
      while (!stripped.empty() && std::isdigit(static_cast<unsigned char>(stripped.front()))) stripped.erase(0, 1);
      const auto is = [&](const std::vector<std::string>& words) {
        return std::find(words.begin(), words.end(), token) != words.end() ||
               (!stripped.empty() && std::find(words.begin(), words.end(), stripped) != words.end());
      };
      if (is(knowledge.mail_words)) mail_server_name = true;
      if (is(knowledge.generic_keywords)) found.insert(stripped.empty() ? token : stripped);
    }
  }
  if (!mail_server_name && !found.empty()) {
    std::vector<std::string> words(found.begin(), found.end());
    reasons.push_back({"the name contains pool words: " + join(words, ", "),
                       {"server.generic_pool_words", {value("words", join(words, ", "))}}});
  }
  return reasons;
}

}  // namespace

std::vector<std::string> generic_ptr_reasons(std::string_view name, const net::ip::address& ip,
                                             const server_knowledge& knowledge) {
  std::vector<std::string> out;
  for (auto& l : generic_ptr_lines(name, ip, knowledge)) out.push_back(std::move(l.text));
  return out;
}

std::vector<sentence> generic_ptr_reasons_said(std::string_view name, const net::ip::address& ip,
                                               const server_knowledge& knowledge) {
  std::vector<sentence> out;
  for (auto& l : generic_ptr_lines(name, ip, knowledge)) out.push_back(std::move(l.said));
  return out;
}

net::awaitable<reverse_dns_facts> check_reverse_dns(dns::source& dns, net::ip::address raw_ip,
                                                   const server_knowledge& knowledge, std::size_t max_names) {
  reverse_dns_facts out;
  out.ip = unmapped(raw_ip);
  out.ptr = co_await dns.ptr(out.ip);
  for (const auto& name : out.ptr.names()) {
    if (out.names.size() >= max_names) break;
    out.names.push_back(dns::normalize_name(name));
  }
  std::vector<net::awaitable<forward_confirmation>> lookups;
  for (const auto& name : out.names)
    lookups.push_back([](dns::source& dns, std::string name, net::ip::address ip) -> net::awaitable<forward_confirmation> {
      using namespace boost::asio::experimental::awaitable_operators;
      forward_confirmation c;
      c.name = name;
      std::tie(c.a, c.aaaa) = co_await (dns.a(name) && dns.aaaa(name));
      for (const auto* answer : {&c.a, &c.aaaa})
        for (const auto& address : answer->addresses())
          if (same_address(address, ip)) c.matches = true;
      co_return c;
    }(dns, name, out.ip));
  out.confirmations = co_await dns::join_all(std::move(lookups));
  for (const auto& c : out.confirmations)
    if (c.matches) {
      out.forward_confirmed = true;
      out.confirmed_name = c.name;
      break;
    }
  const auto& judged = out.forward_confirmed ? out.confirmed_name : (out.names.empty() ? std::string() : out.names[0]);
  if (!judged.empty())
    for (auto& reason : generic_ptr_lines(judged, out.ip, knowledge)) {
      out.generic_reasons.push_back(std::move(reason.text));
      out.generic_reasons_said.push_back(std::move(reason.said));
    }
  co_return out;
}

namespace {

void set_problem(helo_facts& out, std::string english, std::string key) {
  out.syntax_problem = std::move(english);
  out.syntax_problem_said = {"server.helo_problem." + key, {}};
}

}  // namespace

net::awaitable<helo_facts> check_helo(dns::source& dns, std::string helo, net::ip::address raw_ip,
                                      const reverse_dns_facts& reverse) {
  using namespace boost::asio::experimental::awaitable_operators;
  helo_facts out;
  out.name = helo;
  const auto ip = unmapped(raw_ip);
  if (helo.size() > 2 && helo.front() == '[' && helo.back() == ']') {
    // RFC 5321 §4.1.3: "[192.0.2.1]" or "[IPv6:2001:db8::1]".
    auto inner = helo.substr(1, helo.size() - 2);
    if (lower(inner).starts_with("ipv6:")) inner = inner.substr(5);
    boost::system::error_code ec;
    const auto literal = net::ip::make_address(inner, ec);
    if (ec) {
      out.syntax = helo_syntax::invalid;
      set_problem(out, "not a valid address literal", "bad_literal");
    } else {
      out.syntax = helo_syntax::address_literal;
      out.addresses.push_back(literal);
      out.resolves = true;
      out.matches_ip = same_address(literal, ip);
    }
    co_return out;
  }
  boost::system::error_code ec;
  (void)net::ip::make_address(helo, ec);
  if (!ec) {
    out.syntax = helo_syntax::invalid;
    set_problem(out, "a bare IP address; RFC 5321 §4.1.3 requires brackets ([192.0.2.1])", "bare_address");
    co_return out;
  }
  const auto name = dns::normalize_name(helo);
  if (name.find('.') == std::string::npos) {
    out.syntax = rbl::valid_zone_name(name + ".x") ? helo_syntax::not_fqdn : helo_syntax::invalid;
    set_problem(out, "a single label, not a fully qualified domain name", "single_label");
    co_return out;
  }
  if (!rbl::valid_zone_name(name)) {
    out.syntax = helo_syntax::invalid;
    set_problem(out, "not a valid domain name", "bad_name");
    co_return out;
  }
  out.syntax = helo_syntax::fqdn;
  std::tie(out.a, out.aaaa) = co_await (dns.a(name) && dns.aaaa(name));
  for (const auto* answer : {&out.a, &out.aaaa})
    for (const auto& address : answer->addresses()) {
      out.addresses.push_back(address);
      if (same_address(address, ip)) out.matches_ip = true;
    }
  out.resolves = !out.addresses.empty();
  out.matches_ptr = std::find(reverse.names.begin(), reverse.names.end(), name) != reverse.names.end();
  co_return out;
}

net::awaitable<server_facts> gather_server_facts(dns::source& dns, rbl::checker& dnsbl, server_inputs inputs,
                                                 const server_knowledge& knowledge) {
  using namespace boost::asio::experimental::awaitable_operators;
  server_facts out;
  inputs.ip = unmapped(inputs.ip);

  const auto listings = [](rbl::checker& checker, rbl::target target,
                           std::vector<std::string> zones) -> net::awaitable<std::vector<rbl::listing>> {
    auto result = co_await checker.check(std::move(target), std::move(zones));
    if (auto* list = std::get_if<std::vector<rbl::listing>>(&result)) co_return std::move(*list);
    co_return std::vector<rbl::listing>{};  // a bad --zones was refused before the check ran
  };
  std::tie(out.reverse, out.dnsbl_ip) = co_await (check_reverse_dns(dns, inputs.ip, knowledge) &&
                                                  listings(dnsbl, rbl::target_for(inputs.ip), inputs.dnsbl_zones));
  if (!inputs.helo.empty()) out.helo = co_await check_helo(dns, inputs.helo, inputs.ip, out.reverse);

  if (inputs.domain.empty()) {
    if (out.helo && out.helo->syntax == helo_syntax::fqdn) {
      inputs.domain = domain_of_host(out.helo->name);
      inputs.domain_from = name_source::helo;
    } else if (out.reverse.forward_confirmed) {
      inputs.domain = domain_of_host(out.reverse.confirmed_name);
      inputs.domain_from = name_source::ptr;
    }
  } else {
    inputs.domain = dns::normalize_name(inputs.domain);
  }

  const auto spf = [](dns::source& dns, bool wanted, dns::spf::request request)
      -> net::awaitable<std::optional<dns::spf::evaluation>> {
    if (!wanted) co_return std::nullopt;
    co_return co_await dns::spf::check_host(dns, std::move(request));
  };
  const auto dmarc = [](dns::source& dns, std::string domain) -> net::awaitable<std::optional<dns::dmarc::lookup_result>> {
    if (domain.empty()) co_return std::nullopt;
    co_return co_await dns::dmarc::lookup(dns, std::move(domain));
  };
  const auto route = [](dns::source& dns, std::string domain) -> net::awaitable<std::optional<dns::routing>> {
    if (domain.empty()) co_return std::nullopt;
    dns::routing_options options;
    options.lookup_ptr = false;
    co_return co_await dns::route_mail(dns, std::move(domain), options);
  };
  const auto domain_listings = [&](std::string domain) -> net::awaitable<std::vector<rbl::listing>> {
    if (domain.empty()) co_return std::vector<rbl::listing>{};
    auto parsed = rbl::parse_target(domain);
    if (std::holds_alternative<rbl::target_error>(parsed)) co_return std::vector<rbl::listing>{};
    auto found = co_await listings(dnsbl, std::get<rbl::target>(parsed), inputs.dnsbl_zones);
    // Lists named in --zones that take IP addresses only say "skipped" here: not news. A zone
    // the catalogue does not know may be an IP list or a domain list; here it is asked about
    // the IP only (`probe rbl DOMAIN --zones ZONE` asks it about a domain).
    std::erase_if(found, [](const rbl::listing& l) { return l.result == rbl::outcome::skipped || !l.in_catalogue; });
    co_return found;
  };

  const std::string helo_name = out.helo && out.helo->syntax == helo_syntax::fqdn ? dns::normalize_name(out.helo->name) : "";
  dns::spf::request domain_request{inputs.ip, inputs.domain, "postmaster@" + inputs.domain, helo_name};
  dns::spf::request helo_request{inputs.ip, helo_name, "postmaster@" + helo_name, helo_name};
  std::tie(out.spf_domain, out.spf_helo, out.dmarc, out.mx, out.dnsbl_domain) =
      co_await (spf(dns, !inputs.domain.empty(), domain_request) && spf(dns, !helo_name.empty(), helo_request) &&
                dmarc(dns, inputs.domain) && route(dns, inputs.domain) && domain_listings(inputs.domain));
  out.inputs = std::move(inputs);
  co_return out;
}

// ---- assessment ----------------------------------------------------------------------

std::string_view to_string(check_status s) {
  switch (s) {
    case check_status::pass: return "pass";
    case check_status::info: return "info";
    case check_status::skipped: return "skipped";
    case check_status::warn: return "warn";
    case check_status::fail: return "fail";
  }
  return "fail";
}

check_status worst_status(const std::vector<check_item>& items) {
  // Notes and skipped items say nothing is wrong: only warn and fail make a result worse.
  check_status worst = check_status::pass;
  for (const auto& item : items)
    if ((item.status == check_status::warn || item.status == check_status::fail) &&
        static_cast<int>(item.status) > static_cast<int>(worst))
      worst = item.status;
  return worst;
}

check_item assess_egress(const egress_result& egress) {
  check_item item;
  item.id = "egress";
  item.title = "Address checked";
  if (!egress.address) {
    item.status = check_status::fail;
    item.summary = egress.how;
    item.summary_said = egress.how_said;
  } else {
    item.status = egress.warnings.empty() ? check_status::info : check_status::warn;
    item.summary = egress.address->to_string() + " (" + egress.how + ")";
    if (!egress.how_said.key.empty())
      item.summary_said = {"server.egress_summary",
                           {value("address", egress.address->to_string()), part("how", egress.how_said)}};
    if (!egress.warnings.empty()) {
      item.advice_key = "egress_private";
      item.advice_values["ip"] = egress.address->to_string();
    }
  }
  // An egress_result made elsewhere may lack its sentences: the English text then stands.
  const auto said_or = [](const sentence& said, const std::string& text) {
    return said.key.empty() ? sentence{"server.text", {value("text", text)}} : said;
  };
  for (const auto& attempt : egress.attempts) {
    const auto asked = part("asked", said_or(attempt.asked_said, attempt.asked));
    if (attempt.found)
      add_evidence(item, {attempt.asked + ": " + attempt.found->to_string(),
                          {"server.egress_found", {asked, value("address", attempt.found->to_string())}}});
    else
      add_evidence(item, {attempt.asked + ": nothing (" + attempt.problem + ")",
                          {"server.egress_nothing", {asked, part("problem", said_or(attempt.problem_said, attempt.problem))}}});
  }
  for (std::size_t i = 0; i < egress.warnings.size(); ++i) {
    const auto& w = egress.warnings[i];
    const sentence said = i < egress.warnings_said.size() ? said_or(egress.warnings_said[i], w) : sentence{"server.text", {value("text", w)}};
    add_evidence(item, {"warning: " + w, {"server.warning", {part("text", said)}}});
  }
  return item;
}

namespace {

void add_reverse_items(std::vector<check_item>& items, const server_facts& f,
                       std::map<std::string, std::string> values) {
  const auto& r = f.reverse;
  auto ptr = make_item("ptr", "Reverse DNS (PTR)");
  add_evidence(ptr, answer_line(r.ptr));
  if (r.ptr.ok() && !r.names.empty()) {
    ptr.status = r.names.size() == 1 ? check_status::pass : check_status::warn;
    ptr.summary = r.ip.to_string() + " → " + join(r.names, ", ");
    if (r.names.size() > 1) ptr.advice_key = "ptr_multiple";
  } else if (dns::is_answer(r.ptr.result)) {
    ptr.status = check_status::fail;
    ptr.summary = r.ip.to_string() + " has no PTR record";
    ptr.summary_zh = r.ip.to_string() + " 没有 PTR 记录";
    ptr.advice_key = "ptr_missing";
  } else {
    ptr.status = check_status::warn;
    const auto failed = failure_line(r.ptr);
    ptr.summary = "the PTR lookup failed: " + failed.text;
    ptr.summary_zh = "PTR 查询失败：" + failed.text;  // --json --lang zh prints this, as before
    ptr.summary_said = {"server.summary.ptr_lookup_failed", {part("failure", failed.said)}};
    ptr.advice_key = "ptr_lookup_failed";
    values["problem"] = failed.text;
    ptr.advice_said["problem"] = failed.said;
  }
  ptr.advice_values = values;
  items.push_back(std::move(ptr));

  auto fcrdns = make_item("fcrdns", "Forward-confirmed reverse DNS");
  if (r.names.empty()) {
    fcrdns.status = check_status::skipped;
    fcrdns.summary = "no PTR name to confirm";
    fcrdns.summary_zh = "没有可确认的 PTR 名称";
  } else {
    bool any_failed = false;
    for (const auto& c : r.confirmations) {
      add_evidence(fcrdns, answer_line(c.a));
      add_evidence(fcrdns, answer_line(c.aaaa));
      if (!dns::is_answer(c.a.result) || !dns::is_answer(c.aaaa.result)) any_failed = true;
    }
    if (r.forward_confirmed) {
      fcrdns.status = check_status::pass;
      fcrdns.summary = r.confirmed_name + " resolves back to " + r.ip.to_string();
      fcrdns.summary_zh = r.confirmed_name + " 正向解析回 " + r.ip.to_string();
    } else if (any_failed) {
      fcrdns.status = check_status::warn;
      fcrdns.summary = "could not confirm that the PTR name resolves back to " + r.ip.to_string();
      fcrdns.summary_zh = "无法确认 PTR 名称能正向解析回 " + r.ip.to_string();
      fcrdns.advice_key = "fcrdns_lookup_failed";
      values["problem"] = "lookup failed";
      fcrdns.advice_said["problem"] = {"server.advice_lookup_failed", {}};
    } else {
      fcrdns.status = check_status::fail;
      fcrdns.summary = "no PTR name resolves back to " + r.ip.to_string();
      fcrdns.summary_zh = "没有一个 PTR 名称能正向解析回 " + r.ip.to_string();
      fcrdns.advice_key = "fcrdns_failed";
    }
  }
  fcrdns.advice_values = values;
  items.push_back(std::move(fcrdns));

  auto generic = make_item("ptr_generic", "PTR name is specific (not an ISP pool name)");
  if (r.names.empty()) {
    generic.status = check_status::skipped;
    generic.summary = "no PTR name";
    generic.summary_zh = "没有 PTR 名称";
  } else if (!r.generic_reasons.empty()) {
    generic.status = check_status::warn;
    generic.summary = values["ptr"] + " looks generic: " + join(r.generic_reasons, "; ");
    generic.summary_zh = values["ptr"] + " 看起来是通用名称：" + join(r.generic_reasons, "; ");  // --json --lang zh
    generic.summary_said = {"server.summary.ptr_generic",
                            {value("ptr", values["ptr"]), part("reasons", joined(r.generic_reasons_said))}};
    generic.advice_key = "ptr_generic";
  } else {
    generic.status = check_status::pass;
    generic.summary = values["ptr"] + " looks like a server's own name";
    generic.summary_zh = values["ptr"] + " 看起来是服务器自己的名称";
  }
  generic.advice_values = values;
  items.push_back(std::move(generic));
}

void add_helo_items(std::vector<check_item>& items, const server_facts& f, std::map<std::string, std::string> values) {
  if (!f.helo) {
    auto helo = make_item("helo", "HELO name");
    helo.status = check_status::skipped;
    helo.summary = "no HELO name given";
    helo.summary_zh = "没有给出 HELO 名称";
    helo.advice_key = "helo_missing";
    helo.advice_values = values;
    items.push_back(std::move(helo));
    return;
  }
  const auto& h = *f.helo;
  auto fqdn = make_item("helo_fqdn", "HELO name is a fully qualified domain name");
  switch (h.syntax) {
    case helo_syntax::fqdn:
      fqdn.status = check_status::pass;
      fqdn.summary = h.name;
      break;
    case helo_syntax::address_literal:
      fqdn.status = check_status::warn;
      fqdn.summary = h.name + " is an address literal";
      fqdn.summary_zh = h.name + " 是地址字面量";
      fqdn.advice_key = "helo_address_literal";
      break;
    default:
      fqdn.status = check_status::fail;
      fqdn.summary = h.name + ": " + h.syntax_problem;
      fqdn.summary_said = {"server.summary.helo_problem", {value("helo", h.name), part("problem", h.syntax_problem_said)}};
      fqdn.advice_key = "helo_not_fqdn";
      break;
  }
  fqdn.advice_values = values;
  items.push_back(std::move(fqdn));
  if (h.syntax != helo_syntax::fqdn && h.syntax != helo_syntax::address_literal) return;

  if (h.syntax == helo_syntax::fqdn) {
    auto resolves = make_item("helo_resolves", "HELO name resolves");
    add_evidence(resolves, answer_line(h.a));
    add_evidence(resolves, answer_line(h.aaaa));
    const bool failed = !dns::is_answer(h.a.result) || !dns::is_answer(h.aaaa.result);
    if (h.resolves) {
      resolves.status = check_status::pass;
      std::vector<std::string> addresses;
      for (const auto& a : h.addresses) addresses.push_back(a.to_string());
      resolves.summary = h.name + " → " + join(addresses, ", ");
    } else if (failed) {
      resolves.status = check_status::warn;
      resolves.summary = "the address lookup of " + h.name + " failed";
      resolves.summary_zh = h.name + " 的地址查询失败";
      resolves.advice_key = "helo_lookup_failed";
      const auto failed = failure_line(!dns::is_answer(h.a.result) ? h.a : h.aaaa);
      values["problem"] = failed.text;
      resolves.advice_said["problem"] = failed.said;
    } else {
      resolves.status = check_status::fail;
      resolves.summary = h.name + " has no A or AAAA record";
      resolves.summary_zh = h.name + " 没有 A 或 AAAA 记录";
      resolves.advice_key = "helo_no_address";
    }
    resolves.advice_values = values;
    items.push_back(std::move(resolves));
    if (!h.resolves) return;
  }

  auto ip = make_item("helo_matches_ip", "HELO name matches the address");
  ip.status = h.matches_ip ? check_status::pass : check_status::warn;
  ip.summary = h.matches_ip ? h.name + " resolves to " + values["ip"] : h.name + " does not resolve to " + values["ip"];
  ip.summary_zh = h.matches_ip ? h.name + " 解析到 " + values["ip"] : h.name + " 没有解析到 " + values["ip"];
  if (!h.matches_ip) ip.advice_key = "helo_ip_mismatch";
  ip.advice_values = values;
  items.push_back(std::move(ip));

  auto ptr = make_item("helo_matches_ptr", "HELO name matches the PTR name");
  if (f.reverse.names.empty() || h.syntax != helo_syntax::fqdn) {
    ptr.status = check_status::skipped;
    ptr.summary = f.reverse.names.empty() ? "no PTR name to compare" : "the HELO is an address literal";
    ptr.summary_zh = f.reverse.names.empty() ? "没有可比较的 PTR 名称" : "HELO 是地址字面量";
  } else if (h.matches_ptr) {
    ptr.status = check_status::pass;
    ptr.summary = h.name + " is the PTR name";
    ptr.summary_zh = h.name + " 就是 PTR 名称";
  } else {
    ptr.status = check_status::warn;
    ptr.summary = h.name + " differs from the PTR name " + join(f.reverse.names, ", ");
    ptr.summary_zh = h.name + " 与 PTR 名称 " + join(f.reverse.names, ", ") + " 不同";
    ptr.advice_key = "helo_ptr_mismatch";
  }
  ptr.advice_values = values;
  items.push_back(std::move(ptr));
}

// A module's sentence (dns/spf's, dns/dmarc's, rbl/'s): its phrase when it gave one, else
// its English as it is.
sentence dns_sentence(const dns::phrase& said, const std::string& english) {
  return said.key.empty() ? sentence{"server.text", {value("text", english)}} : said;
}

// A trace step: the indentation dns/spf gave it, then the step's phrase.
sentence spf_step(const dns::spf::evaluation& e, std::size_t i) {
  const auto& line = e.trace[i];
  if (i >= e.trace_said.size() || e.trace_said[i].key.empty()) return {"server.text", {value("text", line)}};
  const auto indent = line.find_first_not_of(' ');
  return {"spf.indented", {value("indent", line.substr(0, indent == std::string::npos ? 0 : indent)),
                           part("step", e.trace_said[i])}};
}

void add_spf_evidence(check_item& item, const dns::spf::evaluation& e) {
  if (!e.record.empty()) add_evidence(item, {"record: " + e.record, {"server.record", {value("record", e.record)}}});
  if (!e.mechanism.empty()) {
    if (e.matched_in.empty())
      add_evidence(item, {"decided by: " + e.mechanism, {"server.spf_decided_by", {value("mechanism", e.mechanism)}}});
    else
      add_evidence(item, {"decided by: " + e.mechanism + " in " + e.matched_in,
                          {"server.spf_decided_by_in", {value("mechanism", e.mechanism), value("record", e.matched_in)}}});
  }
  const auto lookups = std::to_string(e.dns_lookups), void_lookups = std::to_string(e.void_lookups);
  add_evidence(item, {"DNS lookups: " + lookups + "/10, void lookups: " + void_lookups + "/2",
                      {"server.spf_lookups", {value("lookups", lookups), value("void_lookups", void_lookups)}}});
  // The problem and the trace: dns/spf's sentences (their phrases, "spf.*").
  if (!e.problem.empty())
    add_evidence(item, {"problem: " + e.problem, {"server.problem", {part("problem", dns_sentence(e.problem_said, e.problem))}}});
  // The explanation is the domain owner's text (RFC 7208 §6.2 exp=): as it came; dns/spf's
  // default explanation is its own sentence.
  if (!e.explanation.empty())
    add_evidence(item, {"explanation: " + e.explanation,
                        {"server.spf_explanation",
                         {e.explanation_from_exp ? value("text", e.explanation)
                                                 : part("text", dns_sentence(e.explanation_said, e.explanation))}}});
  constexpr std::size_t trace_lines = 12;
  for (std::size_t i = 0; i < e.trace.size() && i < trace_lines; ++i)
    add_evidence(item, {"  " + e.trace[i], {"server.spf_step", {part("step", spf_step(e, i))}}});
  if (e.trace.size() > trace_lines) {
    const auto more = std::to_string(e.trace.size() - trace_lines);
    add_evidence(item, {"  … " + more + " more steps", {"server.spf_more_steps", {value("n", more)}}});
  }
}

check_item spf_item(const dns::spf::evaluation& e, bool helo_identity, std::map<std::string, std::string> values) {
  using dns::spf::result;
  auto item = make_item(helo_identity ? "spf_helo" : "spf_domain",
                  helo_identity ? "SPF of the HELO name" : "SPF of the domain");
  const auto identity = helo_identity ? values["helo"] : values["domain"];
  item.summary = identity + ": " + std::string(dns::spf::to_string(e.verdict)) + " for " + values["ip"];
  item.summary_zh = identity + "：对 " + values["ip"] + " 的结果是 " + std::string(dns::spf::to_string(e.verdict));
  values["result"] = std::string(dns::spf::to_string(e.verdict));
  values["problem"] = e.problem;
  if (!e.problem_said.key.empty()) item.advice_said["problem"] = e.problem_said;
  switch (e.verdict) {
    case result::pass: item.status = check_status::pass; break;
    case result::fail:
      item.status = check_status::fail;
      item.advice_key = helo_identity ? "spf_helo_fail" : "spf_fail";
      break;
    case result::softfail:
      item.status = check_status::warn;
      item.advice_key = helo_identity ? "spf_helo_fail" : "spf_softfail";
      break;
    case result::neutral:
      item.status = check_status::warn;
      item.advice_key = helo_identity ? "spf_helo_fail" : "spf_neutral";
      break;
    case result::none:
      item.status = helo_identity ? check_status::info : check_status::warn;
      item.advice_key = helo_identity ? "spf_helo_none" : "spf_none";
      break;
    case result::permerror:
      item.status = check_status::fail;
      item.advice_key = "spf_permerror";
      values["domain"] = identity;
      break;
    case result::temperror:
      item.status = check_status::warn;
      item.advice_key = "spf_temperror";
      values["domain"] = identity;
      break;
  }
  add_spf_evidence(item, e);
  item.advice_values = values;
  return item;
}

check_item dmarc_item(const dns::dmarc::lookup_result& d, std::map<std::string, std::string> values) {
  auto item = make_item("dmarc", "DMARC policy");
  add_evidence(item, answer_line(d.answer));
  if (!d.organizational_domain.empty())
    add_evidence(item, {"organisational domain: " + d.organizational_domain,
                        {"server.organizational_domain", {value("domain", d.organizational_domain)}}});
  // dns/dmarc's warnings: its sentences (their phrases, "dmarc.*").
  std::vector<sentence> warnings_said;
  for (std::size_t i = 0; i < d.warnings.size(); ++i) {
    warnings_said.push_back(dns_sentence(i < d.warnings_said.size() ? d.warnings_said[i] : dns::phrase{}, d.warnings[i]));
    add_evidence(item, {"warning: " + d.warnings[i], {"server.warning", {part("text", warnings_said.back())}}});
  }
  if (d.record) {
    add_evidence(item, {"record: " + d.record->raw, {"server.record", {value("record", d.record->raw)}}});
    const auto policy = d.effective_policy.empty() ? d.record->p : d.effective_policy;
    item.summary = "p=" + policy + (d.record->pct != 100 ? " pct=" + std::to_string(d.record->pct) : "") +
                   (d.inherited ? " (inherited from " + d.organizational_domain + ")" : "");
    item.summary_zh = "p=" + policy + (d.record->pct != 100 ? " pct=" + std::to_string(d.record->pct) : "") +
                      (d.inherited ? "（继承自 " + d.organizational_domain + "）" : "");
    if (d.warnings.empty()) {
      item.status = check_status::pass;
    } else {
      item.status = check_status::warn;
      item.advice_key = "dmarc_weak";
      values["problem"] = join(d.warnings, "; ");
      item.advice_said["problem"] = joined(warnings_said);
    }
  } else if (!d.error.empty()) {
    const bool dns_failure = !dns::is_answer(d.answer.result);
    item.status = dns_failure ? check_status::warn : check_status::fail;
    item.summary = d.error;
    if (!d.error_said.key.empty()) {
      item.summary_said = d.error_said;
      item.advice_said["problem"] = item.summary_said;
    }
    item.advice_key = dns_failure ? "dmarc_lookup_failed" : "dmarc_error";
    values["problem"] = d.error;
  } else {
    item.status = check_status::warn;
    item.summary = "no DMARC record at " + d.queried_domain;
    item.summary_zh = d.queried_domain + " 没有 DMARC 记录";
    item.advice_key = "dmarc_none";
  }
  item.advice_values = values;
  return item;
}

line listing_line(const rbl::listing& l) {
  const std::string result(rbl::to_string(l.result));
  std::string out = l.zone + ": " + result;
  sentence said{"server.listing", {value("zone", l.zone), value("result", result, "rbl_outcome")}};
  const auto optional_part = [&](const char* name, std::string text, sentence words) {
    out += text;
    said.values.push_back(text.empty() ? value(name, "") : part(name, std::move(words)));
  };
  std::vector<std::string> codes;
  for (const auto& c : l.codes) codes.push_back(c.address + (c.name.empty() ? "" : " " + c.name));
  const auto code_list = join(codes, ", ");
  optional_part("codes", codes.empty() ? "" : " (" + code_list + ")", {"server.listing_codes", {value("codes", code_list)}});
  // rbl/'s detail: its phrase when it gave one, else its English as it is.
  const bool detail = !l.detail.empty() && l.result != rbl::outcome::listed;
  const sentence detail_said = dns_sentence(l.detail_said, l.detail);
  optional_part("detail", detail ? " — " + l.detail : "", {"server.listing_detail", {part("detail", detail_said)}});
  const bool removal = l.blocks() && !l.removal_page.empty();
  optional_part("removal", removal ? " — removal: " + l.removal_page : "",
                {"server.listing_removal", {value("url", l.removal_page)}});
  return {out, said};
}

check_item dnsbl_item(const std::vector<rbl::listing>& listings, bool domain_lists,
                      std::map<std::string, std::string> values) {
  auto item = make_item(domain_lists ? "dnsbl_domain" : "dnsbl_ip",
                  domain_lists ? "Domain blocklists" : "DNS blocklists (DNSBL)");
  std::vector<std::string> listed, unknown;
  int asked = 0;
  for (const auto& l : listings) {
    if (l.result == rbl::outcome::skipped || l.result == rbl::outcome::dead) continue;
    ++asked;
    add_evidence(item, listing_line(l));
    for (const auto& t : l.txt) add_evidence(item, {"  reason: " + t, {"server.listing_reason", {value("text", t)}}});
    if (l.blocks()) listed.push_back(l.title);
    else if (l.inconclusive()) unknown.push_back(l.title);
  }
  const auto who = domain_lists ? values["domain"] : values["ip"];
  if (asked == 0) {
    item.status = check_status::skipped;
    item.summary = "no list to ask";
    item.summary_zh = "没有可查询的黑名单";
  } else if (!listed.empty()) {
    item.status = check_status::fail;
    item.summary = who + " is listed on " + join(listed, ", ");
    item.summary_zh = who + " 被列入 " + join(listed, ", ");
    item.advice_key = domain_lists ? "dnsbl_domain_listed" : "dnsbl_listed";
    values["lists"] = join(listed, ", ");
  } else if (!unknown.empty()) {
    item.status = check_status::warn;
    item.summary = who + " is on no list that answered; " + std::to_string(unknown.size()) + " could not answer";
    item.summary_zh = who + " 不在有回应的黑名单中；" + std::to_string(unknown.size()) + " 个黑名单没有回应";
    item.advice_key = "dnsbl_unknown";
    values["lists"] = join(unknown, ", ");
  } else {
    item.status = check_status::pass;
    item.summary = who + " is on none of " + std::to_string(asked) + " lists";
    item.summary_zh = who + " 不在所查的 " + std::to_string(asked) + " 个黑名单中";
  }
  item.advice_values = values;
  return item;
}

check_item mx_item(const dns::routing& r, std::map<std::string, std::string> values) {
  auto item = make_item("mx", "MX of the domain");
  add_evidence(item, answer_line(r.mx_answer));
  std::vector<std::string> hosts;
  for (const auto& h : r.hosts) {
    std::vector<std::string> addresses;
    for (const auto& a : h.addresses) addresses.push_back(a.address.to_string());
    hosts.push_back(std::to_string(h.preference) + " " + (h.name.empty() ? "." : h.name) +
                    (addresses.empty() ? "" : " (" + join(addresses, ", ") + ")"));
  }
  std::vector<std::string> findings;
  std::vector<sentence> findings_said;
  for (const auto& finding : r.findings) {
    findings.push_back(finding.explanation.empty() ? finding.host + ": " + std::string(dns::to_string(finding.problem))
                                                   : finding.explanation);
    // The explanation is dns/routing's sentence; its key and values say it in Chinese.
    sentence explained{finding.key, {}};
    // {result} is a DNS outcome identifier (output_words.yaml route.*).
    for (const auto& v : finding.values) explained.values.push_back(value(v.name, v.text, v.name == "result" ? "dns_result" : ""));
    if (explained.key.empty()) explained = {"server.text", {value("text", findings.back())}};
    findings_said.push_back(explained);
    add_evidence(item, {"finding: " + finding.host + ": " + finding.explanation,
                        {"server.finding", {value("host", finding.host), part("explanation", std::move(explained))}}});
  }
  switch (r.kind) {
    case dns::route_kind::mx:
    case dns::route_kind::implicit_mx:
      item.status = findings.empty() ? check_status::pass : check_status::warn;
      item.summary = (r.kind == dns::route_kind::implicit_mx ? "no MX; mail goes to the domain's own address: "
                                                             : "mail for " + values["domain"] + " goes to ") +
                     join(hosts, "; ");
      item.summary_zh = (r.kind == dns::route_kind::implicit_mx ? "没有 MX；邮件投递到域名自身的地址："
                                                                : "发往 " + values["domain"] + " 的邮件投递到 ") +
                        join(hosts, "; ");
      if (!findings.empty()) {
        item.advice_key = "mx_findings";
        values["problem"] = join(findings, "; ");
        item.advice_said["problem"] = joined(findings_said);
      }
      break;
    case dns::route_kind::null_mx:
      item.status = check_status::fail;
      item.summary = values["domain"] + " has a null MX (accepts no mail)";
      item.summary_zh = values["domain"] + " 发布了空 MX（不接收邮件）";
      item.advice_key = "mx_null";
      break;
    case dns::route_kind::no_domain:
      item.status = check_status::fail;
      item.summary = values["domain"] + " does not exist";
      item.summary_zh = values["domain"] + " 不存在";
      item.advice_key = "mx_nxdomain";
      break;
    case dns::route_kind::no_mail_host:
      item.status = check_status::fail;
      item.summary = values["domain"] + " has no MX and no usable address";
      item.summary_zh = values["domain"] + " 没有 MX，也没有可用的地址";
      item.advice_key = "mx_none";
      break;
    case dns::route_kind::dns_failure:
      item.status = check_status::warn;
      item.summary = "the MX lookup failed: " + failure_words(r.mx_answer);
      item.summary_zh = "MX 查询失败：" + failure_words(r.mx_answer);  // --json --lang zh prints this, as before
      item.summary_said = {"server.summary.mx_lookup_failed", {part("failure", failure_line(r.mx_answer).said)}};
      item.advice_key = "mx_dns_failure";
      values["problem"] = failure_words(r.mx_answer);
      item.advice_said["problem"] = failure_line(r.mx_answer).said;
      break;
  }
  item.advice_values = values;
  return item;
}

}  // namespace

std::vector<check_item> assess(const server_facts& f, const server_knowledge& /*knowledge*/) {
  std::map<std::string, std::string> values;
  values["ip"] = f.reverse.ip.to_string();
  values["ptr"] = f.reverse.forward_confirmed ? f.reverse.confirmed_name
                                              : (f.reverse.names.empty() ? "" : f.reverse.names.front());
  values["helo"] = f.helo ? f.helo->name : "";
  values["domain"] = f.inputs.domain.empty() ? "example.com" : f.inputs.domain;

  std::vector<check_item> items;
  add_reverse_items(items, f, values);
  add_helo_items(items, f, values);
  if (f.inputs.domain.empty()) {
    auto domain = make_item("domain", "Sending domain");
    domain.status = check_status::skipped;
    domain.summary = "no domain given, and none could be derived from the HELO or PTR name";
    domain.summary_zh = "没有给出域名，也无法从 HELO 或 PTR 名称推出";
    domain.advice_key = "domain_missing";
    domain.advice_values = values;
    items.push_back(std::move(domain));
  } else {
    if (f.spf_domain) items.push_back(spf_item(*f.spf_domain, false, values));
  }
  if (f.spf_helo) items.push_back(spf_item(*f.spf_helo, true, values));
  if (f.dmarc) items.push_back(dmarc_item(*f.dmarc, values));
  items.push_back(dnsbl_item(f.dnsbl_ip, false, values));
  if (!f.inputs.domain.empty()) items.push_back(dnsbl_item(f.dnsbl_domain, true, values));
  if (f.mx) items.push_back(mx_item(*f.mx, values));
  return items;
}

}  // namespace probe
