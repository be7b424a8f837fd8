#include "probe/mx_output.hpp"

#include "dns/domain_name.hpp"
#include "probe/dns_json.hpp"
#include "probe/output_words.hpp"
#include "probe/terminal_text.hpp"

#include <iomanip>
#include <string_view>
#include <utility>
#include <vector>

namespace probe {

namespace {

// The report's words in the chosen language (probe/data/output_words.yaml).
struct wording {
  const output_words& words;
  std::string_view lang;
  std::string operator()(std::string_view key, output_words::values with = {}) const {
    return words.text(key, lang, with);
  }
  // A DNS outcome: the identifier in English (what --json prints), its name in Chinese.
  std::string result(dns::outcome o) const { return words.name("dns_result", dns::to_string(o), lang); }
};

std::string headline(const mx_report& r, const style& look, const wording& say) {
  const auto& route = r.routing;
  const std::string domain = printable(dns::to_unicode_domain(route.domain));
  const auto dialable = route.dialable_hosts();
  switch (route.kind) {
    case dns::route_kind::mx: {
      const auto& first = *dialable.front();
      return say(dialable.size() == 1 ? "mx.headline.mx_one" : "mx.headline.mx_many",
                 {{"domain", domain},
                  {"status", look.good(say("mx.status.mx"))},
                  {"n", std::to_string(dialable.size())},
                  {"host", printable(first.name)},
                  {"ip", first.addresses.front().address.to_string()}});
    }
    case dns::route_kind::implicit_mx:
      return say("mx.headline.implicit_mx", {{"domain", domain},
                                             {"status", look.warn(say("mx.status.implicit_mx"))},
                                             {"ip", dialable.front()->addresses.front().address.to_string()}});
    case dns::route_kind::null_mx:
      return say("mx.headline.null_mx", {{"domain", domain}, {"status", look.bad(say("mx.status.null_mx"))}});
    case dns::route_kind::no_domain:
      return say("mx.headline.no_domain", {{"domain", domain}, {"status", look.bad(say("mx.status.no_domain"))}});
    case dns::route_kind::no_mail_host:
      return say(route.hosts.empty() ? "mx.headline.no_mail_host_none" : "mx.headline.no_mail_host_unusable",
                 {{"domain", domain}, {"status", look.bad(say("mx.status.no_mail_host"))}});
    case dns::route_kind::dns_failure:
      return say("mx.headline.dns_failure", {{"domain", domain},
                                             {"status", look.bad(say("mx.status.dns_failure"))},
                                             {"problem", printable(r.dns_problem)}});
  }
  return domain;
}

std::string describe_ptr(const dns::answer& ptr, const wording& say) {
  if (ptr.qname.empty()) return {};
  if (ptr.ok()) {
    std::string names;
    for (const auto& n : ptr.names()) names += (names.empty() ? "" : ", ") + printable(n);
    return "PTR " + names;
  }
  return say("mx.no_ptr", {{"result", say.result(ptr.result)}});
}

// A finding's explanation in the reader's language: dns gives it as a key and values
// beside the English sentence. Without a known key (an older dns, a new finding kind the
// file does not know yet) the English sentence is shown as it is.
std::string finding_text(const dns::route_finding& finding, const wording& say) {
  if (finding.key.empty() || !say.words.has(finding.key)) return printable(finding.explanation);
  // {result} is a DNS outcome identifier (output_words.yaml route.*): named in Chinese.
  std::vector<std::string> texts;
  texts.reserve(finding.values.size());
  for (const auto& v : finding.values) texts.push_back(v.name == "result" ? say.words.name("dns_result", v.text, say.lang) : v.text);
  std::vector<std::pair<std::string_view, std::string_view>> with;
  with.reserve(finding.values.size());
  for (std::size_t i = 0; i < finding.values.size(); ++i) with.emplace_back(finding.values[i].name, texts[i]);
  return printable(say.words.text(finding.key, say.lang, output_words::value_list(with)));
}

}  // namespace

void print_mx_text(std::ostream& out, const mx_report& r, const style& look, int verbose, std::string_view lang) {
  const wording say{output_words::installed_or_throw(), lang};
  out << headline(r, look, say) << '\n';
  for (const auto& host : r.routing.hosts) {
    out << "  " << std::setw(5) << std::left << host.preference << ' ' << look.strong(printable(host.name));
    if (host.implicit) out << look.dim(say("mx.implicit"));
    if (!host.a.cname_chain.empty()) out << look.dim(say("mx.alias_of", {{"name", printable(host.a.cname_chain.back())}}));
    out << '\n';
    for (const auto& address : host.addresses) {
      out << "        " << std::setw(40) << std::left << address.address.to_string() << ' ' << describe_ptr(address.ptr, say) << '\n';
    }
    if (host.addresses.empty() && host.a.qname.empty() && host.aaaa.qname.empty()) {
      out << "        " << look.warn(say("mx.not_dialled")) << say("mx.not_dialled_why") << '\n';
    } else if (host.addresses.empty()) {
      out << "        " << look.warn(say("mx.no_address"))
          << say("mx.no_address_why", {{"a", say.result(host.a.result)}, {"aaaa", say.result(host.aaaa.result)}}) << '\n';
    }
    if (verbose > 0) {
      for (const dns::answer* a : {&host.aaaa, &host.a}) {
        if (a->qname.empty()) continue;
        out << look.dim("        " + dns::type_name(a->qtype) + " " + say.result(a->result) + " ttl " +
                        std::to_string(a->ttl) + " " + std::to_string(a->elapsed.count()) + " ms" +
                        (a->from_cache ? say("mx.cached") : ""))
            << '\n';
      }
    }
  }
  for (const auto& finding : r.routing.findings)
    out << "  " << look.warn("! " + say.words.name("route_problem", dns::to_string(finding.problem), say.lang)) << "  "
        << finding_text(finding, say) << '\n';
  if (verbose > 0) {
    const auto& mx = r.routing.mx_answer;
    std::string servers;
    for (const auto& s : r.servers) servers += (servers.empty() ? "" : ", ") + s;
    out << look.dim(say("mx.lookup", {{"result", say.result(mx.result)},
                                      {"ttl", std::to_string(mx.ttl)},
                                      {"ms", std::to_string(mx.elapsed.count())},
                                      {"servers", servers}}))
        << '\n';
  }
}

void print_mx_json(std::ostream& out, const mx_report& r) {
  auto j = to_json(r.routing);
  j["input"] = valid_utf8(r.input);
  j["dns_servers"] = r.servers;
  if (!r.dns_problem.empty()) j["dns_problem"] = r.dns_problem;
  out << j.dump() << '\n';
}

}  // namespace probe
