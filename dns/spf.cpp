#include "dns/spf.hpp"

#include "dns/spf_macro.hpp"
#include "dns/spf_record.hpp"

#include <chrono>
#include <optional>

namespace dns::spf {
namespace {

namespace net = boost::asio;
using boost::asio::ip::address;
using said::part;
using said::value;

// An explanation is shown to the sender in a bounce; a hostile exp= record must not
// turn it into megabytes (an exp TXT of "%{s}%{s}..." multiplies the sender).
constexpr std::size_t max_explanation_bytes = 4096;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string strip_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

// NAME equals DOMAIN or is a subdomain of it (ASCII case-insensitively, §5.5).
bool within(std::string_view name, std::string_view domain) {
  if (iequals(name, domain)) return true;
  return name.size() > domain.size() && name[name.size() - domain.size() - 1] == '.' &&
         iequals(name.substr(name.size() - domain.size()), domain);
}

// A name a DNS query can be composed from: labels of 1-63 octets, 253 octets in all.
// Macro expansion may produce names that are valid domain-specs but not valid names; the
// suite (invalid-domain-*) accepts treating them as "no match" like §4.3 does for <domain>.
bool is_queryable(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (const char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (++label > 63) {
      return false;
    }
  }
  return label > 0;
}

bool in_network(const address& ip, const address& network, int prefix) {
  if (ip.is_v4() != network.is_v4()) return false;
  if (ip.is_v4()) {
    if (prefix == 0) return true;
    const std::uint32_t mask = prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
    return (ip.to_v4().to_uint() & mask) == (network.to_v4().to_uint() & mask);
  }
  const auto a = ip.to_v6().to_bytes();
  const auto b = network.to_v6().to_bytes();
  for (std::size_t i = 0; i < a.size() && prefix > 0; ++i, prefix -= 8) {
    const unsigned bits = prefix >= 8 ? 0xffu : (0xffu << (8 - prefix)) & 0xffu;
    if ((a[i] & bits) != (b[i] & bits)) return false;
  }
  return true;
}

// §5: an IPv4-mapped IPv6 client is an IPv4 client (suite: cidr6-ip4, ip4-mapped-ip6).
address unmapped(const address& ip) {
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6());
  return ip;
}

result from_qualifier(qualifier q) {
  switch (q) {
    case qualifier::pass: return result::pass;
    case qualifier::fail: return result::fail;
    case qualifier::softfail: return result::softfail;
    case qualifier::neutral: return result::neutral;
  }
  return result::neutral;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string describe_failure(const answer& a) {
  std::string out = std::string(to_string(a.result));
  if (!a.detail.empty()) out += " (" + a.detail + ")";
  return out;
}

// describe_failure() as a phrase: the outcome is an identifier, the detail the resolver's
// text (an identifier too: a report names the common ones).
phrase failure_said(const answer& a) {
  const std::string outcome(to_string(a.result));
  if (a.detail.empty()) return {"spf.failure", {value("outcome", outcome, "dns_result")}};
  return {"spf.failure_detail", {value("outcome", outcome, "dns_result"), value("detail", a.detail, "resolver_detail")}};
}

bool is_void(const answer& a) { return a.result == outcome::nxdomain || a.result == outcome::nodata; }

// The outcome of one check_host() level.
struct level_result {
  result verdict = result::neutral;
  std::string mechanism;
  std::string matched_in;
  std::string matched_record;
  std::string problem;
  phrase problem_said;
  std::optional<std::string> exp_spec;  // exp= of the record whose mechanism gave "fail"
  std::string exp_domain;               // the <domain> to expand it with
};

enum class match { yes, no, temperror, permerror };
struct term_result {
  match outcome = match::no;
  std::string problem;
  phrase problem_said;
};

class evaluator {
 public:
  evaluator(source& dns, const request& req, const options& opts, evaluation& out)
      : dns_(dns), req_(req), opts_(opts), out_(out) {
    base_.sender = req.sender;
    base_.helo = req.helo;
    base_.receiver = req.receiver;
    base_.ip = req.ip;
    base_.timestamp = req.timestamp;
    const auto at = req.sender.rfind('@');
    base_.local_part = req.sender.substr(0, at);
    base_.sender_domain = req.sender.substr(at + 1);
  }

  net::awaitable<level_result> check(std::string domain, int depth) {
    level_result r;
    r.matched_in = domain;
    if (!is_checkable_domain(domain)) {
      r.verdict = result::none;
      r.problem = quoted(domain) + " is not a valid multi-label domain name (RFC 7208 §4.3)";
      r.problem_said = {"spf.not_checkable", {value("domain", domain)}};
      note(depth, domain + ": not a checkable domain name → none", {"spf.step_not_checkable", {value("domain", domain)}});
      co_return r;
    }
    const auto txt = co_await ask(domain, type::txt);
    if (!is_answer(txt.result)) {
      r.verdict = result::temperror;
      r.problem = "TXT lookup for " + domain + " failed: " + describe_failure(txt);
      r.problem_said = {"spf.txt_failed", {value("domain", domain), part("failure", failure_said(txt))}};
      note(depth, domain + ": TXT lookup " + describe_failure(txt) + " → temperror",
           {"spf.step_txt_failed", {value("domain", domain), part("failure", failure_said(txt))}});
      co_return r;
    }
    std::vector<std::string> records;
    for (auto& text : txt.texts())
      if (is_spf_record(text)) records.push_back(std::move(text));
    if (records.empty()) {
      r.verdict = result::none;
      r.problem = txt.result == outcome::nxdomain ? domain + " does not exist (NXDOMAIN)"
                                                  : domain + " publishes no SPF record";
      r.problem_said = {txt.result == outcome::nxdomain ? "spf.nxdomain" : "spf.no_record", {value("domain", domain)}};
      note(depth, domain + ": no SPF record (" + std::string(to_string(txt.result)) + ") → none",
           {"spf.step_no_record", {value("domain", domain), value("outcome", std::string(to_string(txt.result)), "dns_result")}});
      co_return r;
    }
    if (records.size() > 1) {
      r.verdict = result::permerror;
      r.problem = domain + " publishes " + std::to_string(records.size()) +
                  " SPF records; exactly one is allowed (RFC 7208 §4.5)";
      r.problem_said = {"spf.several_records", {value("domain", domain), value("n", std::to_string(records.size()))}};
      note(depth, domain + ": " + std::to_string(records.size()) + " SPF records → permerror",
           {"spf.step_several_records", {value("domain", domain), value("n", std::to_string(records.size()))}});
      co_return r;
    }
    const auto& text = records.front();
    if (depth == 0) out_.record = text;
    r.matched_record = text;
    note(depth, domain + ": " + quoted(text), {"spf.step_record", {value("domain", domain), value("record", text)}});
    const auto parsed = parse_record(text);
    if (!parsed.ok()) {
      r.verdict = result::permerror;
      // The syntax error's own words: dns/spf_record's phrase (else its English as a value).
      const auto error = parsed.error_said.key.empty() ? value("error", parsed.error) : part("error", parsed.error_said);
      r.problem = "syntax error in the SPF record of " + domain + " " + parsed.error;
      r.problem_said = {"spf.syntax_error", {value("domain", domain), error}};
      note(depth, "syntax error " + parsed.error + " → permerror", {"spf.step_syntax_error", {error}});
      co_return r;
    }
    const auto& rec = parsed.value;

    for (const auto& m : rec.mechanisms) {
      if (m.queries_dns() && !count_lookup(m.text, domain, r)) {
        note(depth, m.text + ": " + r.problem, problem_step(m.text, r.problem_said));
        co_return r;
      }
      const auto t = co_await evaluate(m, domain, depth);
      if (out_of_time()) {
        r.verdict = result::temperror;
        r.problem = "the evaluation took longer than " + std::to_string(opts_.time_limit.count()) +
                    " ms (RFC 7208 §4.6.4); stopped at " + quoted(m.text) + " in " + domain;
        r.problem_said = {"spf.time_limit", {value("ms", std::to_string(opts_.time_limit.count())),
                                             value("term", m.text), value("domain", domain)}};
        note(depth, m.text + ": " + r.problem, problem_step(m.text, r.problem_said));
        co_return r;
      }
      if (t.outcome == match::temperror || t.outcome == match::permerror) {
        r.verdict = t.outcome == match::temperror ? result::temperror : result::permerror;
        r.problem = t.problem;
        r.problem_said = t.problem_said;
        note(depth, m.text + " → " + std::string(to_string(r.verdict)),
             {"spf.step_error", {value("term", m.text), value("result", std::string(to_string(r.verdict)))}});
        co_return r;
      }
      if (t.outcome == match::yes) {
        r.verdict = from_qualifier(m.qual);
        r.mechanism = m.text;
        note(depth, m.text + " matches → " + std::string(to_string(r.verdict)),
             {"spf.step_matches", {value("term", m.text), value("result", std::string(to_string(r.verdict)))}});
        if (r.verdict == result::fail && rec.exp) {
          r.exp_spec = rec.exp->value;
          r.exp_domain = domain;
        }
        co_return r;
      }
    }

    if (rec.redirect) {
      // §6.1: redirect= applies only when no mechanism matched (an "all" anywhere wins).
      if (!count_lookup(rec.redirect->text, domain, r)) {
        note(depth, rec.redirect->text + ": " + r.problem, problem_step(rec.redirect->text, r.problem_said));
        co_return r;
      }
      const auto target = co_await target_name(rec.redirect->value, domain);
      note(depth, rec.redirect->text + " → " + target, {"spf.step_goes_to", {value("term", rec.redirect->text), value("domain", target)}});
      auto inner = co_await check(target, depth + 1);
      if (inner.verdict == result::none) {
        inner.verdict = result::permerror;
        inner.problem = rec.redirect->text + " in " + domain + ": " + inner.problem +
                        " (RFC 7208 §6.1: none becomes permerror)";
        inner.problem_said = {"spf.redirect_none", {value("term", rec.redirect->text), value("domain", domain),
                                                    part("problem", std::move(inner.problem_said))}};
      }
      co_return inner;
    }
    r.verdict = result::neutral;
    r.mechanism = "default";
    note(depth, "no mechanism matched → neutral (RFC 7208 §4.7)", {"spf.step_default", {}});
    co_return r;
  }

  net::awaitable<void> explain(const level_result& decided, const std::string& top_domain) {
    out_.explanation = top_domain + " does not designate " + req_.ip.to_string() +
                       " as a permitted sender (SPF fail)";
    out_.explanation_said = {"spf.default_explanation", {value("domain", top_domain), value("ip", req_.ip.to_string())}};
    if (!decided.exp_spec) co_return;
    // §6.2: any problem with exp= (DNS error, no or several TXT records, bad macro syntax,
    // non-ASCII text) means "proceed as if no exp modifier was given". The lookup does not
    // count against the limits: it happens after evaluation.
    const auto name = co_await target_name(*decided.exp_spec, decided.exp_domain);
    const auto ignored = [&](const std::string& why, phrase why_said) {
      note(0, "exp=" + name + ": " + why + ", ignored (RFC 7208 §6.2)",
           {"spf.step_exp_ignored", {value("name", name), part("why", std::move(why_said))}});
    };
    if (!is_queryable(name)) co_return ignored("not a valid domain name", {"spf.exp_not_domain", {}});
    const auto txt = co_await ask(name, type::txt);
    if (txt.result != outcome::records)
      co_return ignored("TXT lookup " + describe_failure(txt), {"spf.exp_lookup", {part("failure", failure_said(txt))}});
    const auto texts = txt.texts();
    if (texts.size() != 1)
      co_return ignored(std::to_string(texts.size()) + " TXT records", {"spf.exp_records", {value("n", std::to_string(texts.size()))}});
    for (const char c : texts.front())
      if (static_cast<unsigned char>(c) > 0x7e) co_return ignored("non-ASCII text", {"spf.exp_non_ascii", {}});
    if (const auto error = macro::check_problem(texts.front(), macro::context::explanation); !error.empty())
      co_return ignored("macro error: " + error.text, {"spf.exp_macro_error", {part("error", error.said)}});
    auto values = base_;
    values.domain = decided.exp_domain;
    if (macro::uses_letter(texts.front(), 'p')) values.validated_name = co_await validated_name(decided.exp_domain);
    auto text = macro::expand(texts.front(), values, macro::context::explanation);
    if (!text) co_return ignored("macro error", {"spf.exp_macro_failed", {}});
    if (text->size() > max_explanation_bytes) text->resize(max_explanation_bytes);
    out_.explanation = std::move(*text);
    out_.explanation_from_exp = true;
  }

  void finish() {
    out_.dns_lookups = lookups_;
    out_.void_lookups = voids_;
    if (dropped_trace_ > 0) {
      out_.trace.push_back("… " + std::to_string(dropped_trace_) + " more steps not shown");
      out_.trace_said.push_back({"spf.step_more", {value("n", std::to_string(dropped_trace_))}});
    }
  }

 private:
  net::awaitable<term_result> evaluate(const mechanism& m, const std::string& domain, int depth) {
    switch (m.kind) {
      case mechanism_kind::all:
        co_return term_result{match::yes, {}, {}};
      case mechanism_kind::ip4:
      case mechanism_kind::ip6:
        co_return term_result{in_network(req_.ip, m.network, m.network.is_v4() ? m.cidr4 : m.cidr6) ? match::yes : match::no, {}, {}};
      case mechanism_kind::a:
        co_return co_await evaluate_a(m, domain, depth);
      case mechanism_kind::mx:
        co_return co_await evaluate_mx(m, domain, depth);
      case mechanism_kind::ptr:
        co_return co_await evaluate_ptr(m, domain, depth);
      case mechanism_kind::exists:
        co_return co_await evaluate_exists(m, domain, depth);
      case mechanism_kind::include:
        co_return co_await evaluate_include(m, domain, depth);
    }
    co_return term_result{match::permerror, "unknown mechanism", {}};
  }

  // Every lookup goes through here: past the time limit (§4.6.4) no more queries are
  // sent and each lookup reads as a timeout, so the evaluation ends quickly in temperror.
  net::awaitable<answer> ask(std::string name, std::uint16_t qtype) {
    if (out_of_time()) {
      answer a;
      a.qname = std::move(name);
      a.qtype = qtype;
      a.result = outcome::timeout;
      a.detail = "SPF evaluation time limit reached, not sent";
      co_return a;
    }
    co_return co_await dns_.query(std::move(name), qtype);
  }

  bool out_of_time() const {
    return opts_.time_limit.count() > 0 && std::chrono::steady_clock::now() - started_ > opts_.time_limit;
  }

  std::uint16_t address_type() const { return req_.ip.is_v4() ? type::a : type::aaaa; }
  int prefix_for(const mechanism& m) const { return req_.ip.is_v4() ? m.cidr4 : m.cidr6; }

  // §5: for the mechanism's own lookup, NXDOMAIN/NODATA is "no match" (and a void
  // lookup, §4.6.4); any other failure ends the check with temperror.
  std::optional<term_result> judge_lookup(const mechanism& m, const answer& a, const std::string& name, int depth) {
    if (a.result == outcome::records) return std::nullopt;
    if (is_void(a)) {
      ++voids_;
      note(depth, m.text + ": " + type_name(a.qtype) + " " + name + " → " + std::string(to_string(a.result)) +
                      " (void lookup " + std::to_string(voids_) + ")",
           {"spf.step_void", {value("term", m.text), value("type", type_name(a.qtype)), value("name", name),
                              value("outcome", std::string(to_string(a.result)), "dns_result"),
                              value("n", std::to_string(voids_))}});
      if (voids_ > opts_.max_void_lookups)
        return term_result{match::permerror,
                           "more than " + std::to_string(opts_.max_void_lookups) +
                               " lookups found nothing (void lookup limit, RFC 7208 §4.6.4); the last: " +
                               type_name(a.qtype) + " " + name + " for " + quoted(m.text),
                           {"spf.void_limit", {value("limit", std::to_string(opts_.max_void_lookups)),
                                               value("type", type_name(a.qtype)), value("name", name),
                                               value("term", m.text)}}};
      return term_result{match::no, {}, {}};
    }
    return term_result{match::temperror,
                       type_name(a.qtype) + " lookup for " + name + " (" + quoted(m.text) + ") failed: " + describe_failure(a),
                       {"spf.lookup_failed", {value("type", type_name(a.qtype)), value("name", name),
                                              value("term", m.text), part("failure", failure_said(a))}}};
  }

  bool any_address_matches(const answer& a, const mechanism& m) const {
    for (const auto& candidate : a.addresses())
      if (in_network(req_.ip, candidate, prefix_for(m))) return true;
    return false;
  }

  net::awaitable<term_result> evaluate_a(const mechanism& m, const std::string& domain, int depth) {
    const auto name = co_await target_name(m.domain_spec, domain);
    if (!is_queryable(name)) co_return invalid_target(m, name, depth);
    const auto a = co_await ask(name, address_type());
    if (auto judged = judge_lookup(m, a, name, depth)) co_return *judged;
    const bool hit = any_address_matches(a, m);
    note(depth, m.text + ": " + type_name(a.qtype) + " " + name + " → " + addresses_text(a) + (hit ? " → match" : " → no match"),
         {hit ? "spf.step_a_match" : "spf.step_a_no_match", {value("term", m.text), value("type", type_name(a.qtype)),
                                                              value("name", name), value("addresses", addresses_text(a))}});
    co_return term_result{hit ? match::yes : match::no, {}, {}};
  }

  net::awaitable<term_result> evaluate_mx(const mechanism& m, const std::string& domain, int depth) {
    const auto name = co_await target_name(m.domain_spec, domain);
    if (!is_queryable(name)) co_return invalid_target(m, name, depth);
    const auto mx = co_await ask(name, type::mx);
    if (auto judged = judge_lookup(m, mx, name, depth)) co_return *judged;
    const auto hosts = mx.mx();
    // §4.6.4: at most 10 MX names per "mx"; the suite's mx-limit requires permerror beyond.
    if (static_cast<int>(hosts.size()) > opts_.max_mx_ptr_names)
      co_return term_result{match::permerror,
                            quoted(m.text) + ": " + name + " has " + std::to_string(hosts.size()) +
                                " MX records, more than the " + std::to_string(opts_.max_mx_ptr_names) +
                                " allowed (RFC 7208 §4.6.4)",
                            {"spf.too_many_mx", {value("term", m.text), value("name", name),
                                                 value("n", std::to_string(hosts.size())),
                                                 value("limit", std::to_string(opts_.max_mx_ptr_names))}}};
    for (const auto& host : hosts) {
      const auto host_name = strip_dot(host.host);
      // RFC 7505 null MX ("MX 0 .") names no host: nothing to compare.
      if (host_name.empty() || !is_queryable(host_name)) continue;
      const auto a = co_await ask(host_name, address_type());
      if (a.result != outcome::records && !is_void(a))
        co_return term_result{match::temperror,
                              type_name(a.qtype) + " lookup for MX host " + host_name + " (" + quoted(m.text) +
                                  ") failed: " + describe_failure(a),
                              {"spf.mx_host_failed", {value("type", type_name(a.qtype)), value("host", host_name),
                                                      value("term", m.text), part("failure", failure_said(a))}}};
      if (any_address_matches(a, m)) {
        note(depth, m.text + ": MX " + name + " → " + host_name + " → " + addresses_text(a) + " → match",
             {"spf.step_mx_match", {value("term", m.text), value("name", name), value("host", host_name),
                                    value("addresses", addresses_text(a))}});
        co_return term_result{match::yes, {}, {}};
      }
    }
    note(depth, m.text + ": MX " + name + " → " + std::to_string(hosts.size()) + " host(s), none has " +
                    req_.ip.to_string() + " → no match",
         {"spf.step_mx_no_match", {value("term", m.text), value("name", name), value("n", std::to_string(hosts.size())),
                                   value("ip", req_.ip.to_string())}});
    co_return term_result{match::no, {}, {}};
  }

  net::awaitable<term_result> evaluate_ptr(const mechanism& m, const std::string& domain, int depth) {
    const auto target = strip_dot(co_await target_name(m.domain_spec, domain));
    const auto ptr = co_await ask(reverse_name(req_.ip), type::ptr);
    if (is_void(ptr)) co_return *judge_lookup(m, ptr, ptr.qname, depth);
    if (ptr.result != outcome::records) {
      // §5.5: "If a DNS error occurs while doing the PTR RR lookup, then this mechanism
      // fails to match."
      note(depth, m.text + ": PTR " + ptr.qname + " → " + describe_failure(ptr) + " → no match",
           {"spf.step_ptr_failed", {value("term", m.text), value("name", ptr.qname), part("failure", failure_said(ptr))}});
      co_return term_result{match::no, {}, {}};
    }
    for (const auto& name : first_names(ptr)) {
      if (!within(name, target)) continue;
      if (co_await validates(name)) {
        note(depth, m.text + ": PTR → " + name + " (validated) within " + target + " → match",
             {"spf.step_ptr_match", {value("term", m.text), value("name", name), value("domain", target)}});
        co_return term_result{match::yes, {}, {}};
      }
    }
    note(depth, m.text + ": no validated PTR name within " + target + " → no match",
         {"spf.step_ptr_no_match", {value("term", m.text), value("domain", target)}});
    co_return term_result{match::no, {}, {}};
  }

  net::awaitable<term_result> evaluate_exists(const mechanism& m, const std::string& domain, int depth) {
    const auto name = co_await target_name(m.domain_spec, domain);
    if (!is_queryable(name)) co_return invalid_target(m, name, depth);
    // §5.7: always an A query, whatever the client's address family.
    const auto a = co_await ask(name, type::a);
    if (auto judged = judge_lookup(m, a, name, depth)) co_return *judged;
    note(depth, m.text + ": A " + name + " exists → match", {"spf.step_exists", {value("term", m.text), value("name", name)}});
    co_return term_result{match::yes, {}, {}};
  }

  net::awaitable<term_result> evaluate_include(const mechanism& m, const std::string& domain, int depth) {
    const auto name = co_await target_name(m.domain_spec, domain);
    note(depth, m.text + " → " + name, {"spf.step_goes_to", {value("term", m.text), value("domain", name)}});
    const auto inner = co_await check(name, depth + 1);
    // §5.2 table: pass matches; fail, softfail and neutral do not; errors propagate;
    // none becomes permerror.
    switch (inner.verdict) {
      case result::pass: co_return term_result{match::yes, {}, {}};
      case result::fail:
      case result::softfail:
      case result::neutral:
        note(depth, m.text + ": " + name + " says " + std::string(to_string(inner.verdict)) + " → no match",
             {"spf.step_include_says", {value("term", m.text), value("domain", name),
                                        value("result", std::string(to_string(inner.verdict)))}});
        co_return term_result{match::no, {}, {}};
      case result::temperror: co_return term_result{match::temperror, inner.problem, inner.problem_said};
      case result::permerror: co_return term_result{match::permerror, inner.problem, inner.problem_said};
      case result::none:
        co_return term_result{match::permerror,
                              quoted(m.text) + " in " + domain + ": " + inner.problem +
                                  " (RFC 7208 §5.2: none becomes permerror)",
                              {"spf.include_none", {value("term", m.text), value("domain", domain),
                                                    part("problem", inner.problem_said)}}};
    }
    co_return term_result{match::permerror, "unreachable", {}};
  }

  term_result invalid_target(const mechanism& m, const std::string& name, int depth) {
    note(depth, m.text + ": " + quoted(name) + " is not a valid domain name → no match",
         {"spf.step_invalid_target", {value("term", m.text), value("name", name)}});
    return term_result{match::no, {}, {}};
  }

  // The first max_mx_ptr_names PTR names; the rest are ignored (§4.6.4).
  std::vector<std::string> first_names(const answer& ptr) const {
    std::vector<std::string> names;
    for (auto& n : ptr.names()) {
      if (static_cast<int>(names.size()) >= opts_.max_mx_ptr_names) break;
      names.push_back(strip_dot(n));
    }
    return names;
  }

  // §5.5: a PTR name is validated when one of its addresses is the client's. Lookup
  // errors skip the name (suite: ptr-cname-loop).
  net::awaitable<bool> validates(const std::string& name) {
    if (!is_queryable(name)) co_return false;
    const auto a = co_await ask(name, address_type());
    if (a.result != outcome::records) co_return false;
    for (const auto& candidate : a.addresses())
      if (candidate == req_.ip) co_return true;
    co_return false;
  }

  // %{p} (§7.3): a validated name of the client, preferring <domain> itself, then a
  // subdomain of it, then any; "unknown" when none validates or the lookups fail.
  net::awaitable<std::string> validated_name(const std::string& domain) {
    if (!validated_names_) {
      validated_names_.emplace();
      const auto ptr = co_await ask(reverse_name(req_.ip), type::ptr);
      if (ptr.result == outcome::records)
        for (const auto& name : first_names(ptr))
          if (co_await validates(name)) validated_names_->push_back(name);
    }
    for (const auto& name : *validated_names_)
      if (iequals(name, domain)) co_return name;
    for (const auto& name : *validated_names_)
      if (within(name, domain)) co_return name;
    if (!validated_names_->empty()) co_return validated_names_->front();
    co_return "unknown";
  }

  // Expands a domain-spec for a query (§7.3 truncation, trailing dot dropped); an absent
  // domain-spec means the current <domain>.
  net::awaitable<std::string> target_name(const std::string& spec, const std::string& domain) {
    if (spec.empty()) co_return domain;
    auto values = base_;
    values.domain = domain;
    if (macro::uses_letter(spec, 'p')) values.validated_name = co_await validated_name(domain);
    const auto expanded = macro::expand(spec, values, macro::context::domain_spec);
    co_return macro::fit_domain_name(expanded.value_or(std::string{}));
  }

  bool count_lookup(const std::string& term, const std::string& domain, level_result& r) {
    if (++lookups_ <= opts_.max_dns_lookups) return true;
    lookups_ = opts_.max_dns_lookups;  // the term over the limit is never looked up
    r.verdict = result::permerror;
    r.problem = "more than " + std::to_string(opts_.max_dns_lookups) + " terms that query DNS (RFC 7208 §4.6.4); the limit was hit at " +
                quoted(term) + " in " + domain;
    r.problem_said = {"spf.lookup_limit", {value("limit", std::to_string(opts_.max_dns_lookups)), value("term", term),
                                           value("domain", domain)}};
    return false;
  }

  static std::string addresses_text(const answer& a) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& address : a.addresses()) {
      if (++shown > 8) { out += " …"; break; }
      if (!out.empty()) out += ' ';
      out += address.to_string();
    }
    return out;
  }

  // A trace step: the English line (indented by depth) and the same step as a phrase.
  void note(int depth, std::string line, phrase said) {
    if (out_.trace.size() >= opts_.max_trace_lines) {
      ++dropped_trace_;
      return;
    }
    out_.trace.push_back(std::string(static_cast<std::size_t>(depth) * 2, ' ') + std::move(line));
    out_.trace_said.push_back(std::move(said));
  }

  // "TERM: PROBLEM", the step of a problem that ends the evaluation at a term.
  static phrase problem_step(const std::string& term, const phrase& problem) {
    return {"spf.step_problem", {value("term", term), part("problem", problem)}};
  }

  source& dns_;
  const request& req_;
  const options& opts_;
  evaluation& out_;
  macro::values base_;
  int lookups_ = 0;
  int voids_ = 0;
  std::size_t dropped_trace_ = 0;
  std::optional<std::vector<std::string>> validated_names_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// Fills the defaults of §4.3 and §5: sender "postmaster@domain" for the null sender, local
// part "postmaster" when missing, IPv4-mapped clients as IPv4, %{t} now.
request normalised(request req) {
  req.ip = unmapped(req.ip);
  if (req.domain.empty()) {
    const auto at = req.sender.rfind('@');
    req.domain = at == std::string::npos ? req.sender : req.sender.substr(at + 1);
  }
  if (req.sender.empty()) req.sender = "postmaster@" + req.domain;
  const auto at = req.sender.rfind('@');
  if (at == std::string::npos) req.sender = "postmaster@" + req.sender;
  else if (at == 0) req.sender = "postmaster" + req.sender;
  if (req.timestamp == 0)
    req.timestamp = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return req;
}

}  // namespace

std::string_view to_string(result r) {
  switch (r) {
    case result::none: return "none";
    case result::neutral: return "neutral";
    case result::pass: return "pass";
    case result::fail: return "fail";
    case result::softfail: return "softfail";
    case result::temperror: return "temperror";
    case result::permerror: return "permerror";
  }
  return "permerror";
}

bool is_checkable_domain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (!is_queryable(domain)) return false;
  const auto dot = domain.rfind('.');
  return dot != std::string_view::npos && is_toplabel(domain.substr(dot + 1));
}

net::awaitable<evaluation> check_host(source& dns, request req, options opts) {
  const auto r = normalised(std::move(req));
  evaluation out;
  evaluator ev(dns, r, opts, out);
  const auto decided = co_await ev.check(strip_dot(r.domain), 0);
  out.verdict = decided.verdict;
  out.mechanism = decided.mechanism;
  out.matched_in = decided.matched_in;
  out.matched_record = decided.matched_record;
  out.problem = decided.problem;
  out.problem_said = decided.problem_said;
  if (decided.verdict == result::fail) co_await ev.explain(decided, strip_dot(r.domain));
  ev.finish();
  co_return out;
}

}  // namespace dns::spf
