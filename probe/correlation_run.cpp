#include "probe/correlation_run.hpp"

#include "dns/dmarc.hpp"
#include "dns/domain_name.hpp"
#include "dns/join.hpp"
#include "dns/routing.hpp"
#include "dns/spf.hpp"
#include "probe/terminal_text.hpp"
#include "rbl/target.hpp"
#include "reports/classify.hpp"

#include <algorithm>
#include <chrono>

namespace probe::correlation {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

std::int64_t ms_since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count();
}

std::string wire_text(const smtp::reply& reply) {
  std::string out = std::to_string(reply.code);
  if (reply.enhanced) out += " " + reply.enhanced->to_string();
  const std::string text = reply.text();
  // The enhanced code usually opens the text as well; do not say it twice.
  if (reply.enhanced && text.starts_with(reply.enhanced->to_string()))
    out += text.substr(reply.enhanced->to_string().size());
  else if (!text.empty())
    out += " " + text;
  return printable(out, 600);
}

// A line for people and the same line as a sentence of output_words.yaml "live.*".
struct line {
  std::string text;
  sentence said;
};

using said::part;
using said::value;
sentence just(std::string key) { return {std::move(key), {}}; }
sentence text_of(std::string text) { return {"live.text", {value("text", std::move(text))}}; }

line describe(const dns::answer& a) {
  if (a.ok()) {
    std::string out;
    for (const auto& name : a.names()) out += (out.empty() ? "" : ", ") + name;
    for (const auto& address : a.addresses()) out += (out.empty() ? "" : ", ") + address.to_string();
    for (const auto& text : a.texts()) out += (out.empty() ? "" : ", ") + ("\"" + text + "\"");
    for (const auto& mx : a.mx()) out += (out.empty() ? "" : ", ") + (std::to_string(mx.preference) + " " + (mx.host.empty() ? "." : mx.host));
    return {printable(out, 400), text_of(printable(out, 400))};
  }
  const std::string result(dns::to_string(a.result));
  if (a.detail.empty()) return {printable(result, 400), {"live.dns_failed", {value("result", result, "dns_result")}}};
  // The detail is the resolver's (c-ares) own text: a report names the common ones
  // (names.resolver_detail); any other stays as it came.
  std::string out = result + " (" + a.detail + ")";
  return {printable(out, 400),
          {"live.dns_failed_detail",
           {value("result", result, "dns_result"), value("detail", printable(a.detail, 400), "resolver_detail")}}};
}

line describe(const dns::routing& route) {
  switch (route.kind) {
    case dns::route_kind::no_domain: return {"NXDOMAIN: the domain does not exist", just("live.route_no_domain")};
    case dns::route_kind::null_mx: return {"null MX (MX 0 .): accepts no mail", just("live.route_null_mx")};
    case dns::route_kind::no_mail_host: return {"no MX and no address", just("live.route_no_mail_host")};
    case dns::route_kind::dns_failure: {
      auto failed = describe(route.mx_answer);
      return {"lookup failed: " + failed.text, {"live.route_lookup_failed", {part("answer", std::move(failed.said))}}};
    }
    default: break;
  }
  const bool implicit = route.kind == dns::route_kind::implicit_mx;
  std::string hosts;
  for (const auto& host : route.hosts) {
    hosts += (hosts.empty() ? "" : ", ") + std::to_string(host.preference) + " " + host.name;
    if (!host.addresses.empty()) hosts += " [" + host.addresses.front().address.to_string() + "]";
  }
  const std::string out = (implicit ? "no MX; implicit MX " : "MX ") + hosts;
  return {printable(out, 400), {implicit ? "live.route_implicit_mx" : "live.route_mx", {value("hosts", printable(hosts, 400))}}};
}

// The Chinese of a sentence when output_words.yaml is readable; "" otherwise (the English is used).
std::string chinese(const sentence& said) {
  const auto* words = std::get_if<output_words>(&output_words::installed());
  return words ? words->render(said, "zh") : std::string();
}

bool mailbox_reason(std::string_view reason) {
  return reason == "userunknown" || reason == "hasmoved" || reason == "suspend" || reason == "mailboxfull";
}

// The live reply in the bounce's vocabulary: the same classifier that read the bounce.
std::string classify_reply(const smtp::reply& reply, bool at_rcpt, const reports::knowledge& knowledge) {
  if (reply.positive()) return {};
  reports::recipient synthetic;
  synthetic.reply_code = reply.code;
  if (reply.enhanced) synthetic.status = reply.enhanced->to_string();
  synthetic.diagnostic = reply.text();
  synthetic.command = at_rcpt ? reports::smtp_command::rcpt : reports::smtp_command::unknown;
  reports::report context;
  context.kind = reports::report_kind::failure;
  return reports::classify(synthetic, context, knowledge).reason;
}

}  // namespace

rcpt_observation observe_rcpt(const smtp::address_check& c, const reports::knowledge& knowledge) {
  using enum rcpt_observation::outcome;
  rcpt_observation r;
  r.detail = printable(c.reason, 600);
  const smtp::attempt* at = nullptr;
  if (c.evidence_attempt && *c.evidence_attempt < c.attempts.size())
    at = &c.attempts[*c.evidence_attempt];
  else if (c.rcpt_attempt && *c.rcpt_attempt < c.attempts.size())
    at = &c.attempts[*c.rcpt_attempt];
  else if (!c.attempts.empty())
    at = &c.attempts.back();
  if (at) {
    r.host = at->mx_host;
    r.address = at->address.to_string();
    const auto& caps = at->opening.capabilities_now;
    r.size_advertised = caps.size;
    r.size_limit = caps.size_limit.value_or(0);
  }
  const smtp::reply* reply = c.rcpt_reply ? &*c.rcpt_reply : (at && at->refusal ? &*at->refusal : nullptr);
  if (reply) {
    r.code = reply->code;
    if (reply->enhanced) r.status = reply->enhanced->to_string();
    r.text = wire_text(*reply);
    r.now_reason = classify_reply(*reply, c.rcpt_reply.has_value(), knowledge);
  }
  r.catch_all = c.catch_all.state == smtp::catch_all_state::accepts_all;
  r.catch_all_known = r.catch_all || c.catch_all.state == smtp::catch_all_state::rejects_unknown;

  switch (c.result) {
    case smtp::verdict::deliverable: r.result = accepted; break;
    case smtp::verdict::catch_all:
      r.result = accepted;
      r.catch_all = r.catch_all_known = true;
      break;
    case smtp::verdict::undeliverable: r.result = mailbox_reason(r.now_reason) ? refused_mailbox : refused_other; break;
    case smtp::verdict::rejected_us: r.result = refused_us; break;
    case smtp::verdict::no_mail_domain: r.result = no_mail_domain; break;
    case smtp::verdict::unverifiable: r.result = unverifiable; break;
    case smtp::verdict::protocol_error:
    case smtp::verdict::tls_error: r.result = error; break;
    case smtp::verdict::temporary:
      // A deferral is a 4xx reply; "temporary" without one was a timeout or a dropped
      // session, which says nothing about the recipient.
      if (reply) {
        r.result = c.greylisted ? greylisted : deferred;
        break;
      }
      [[fallthrough]];
    case smtp::verdict::unreachable: {
      if (c.routing.kind == dns::route_kind::dns_failure) {
        r.result = dns_failure;
        break;
      }
      if (c.port25_blocked_suspected) {
        r.result = port25_blocked;
        break;
      }
      // Refused everywhere is an answer (the hosts are up, nothing listens); a timeout
      // anywhere may be this network's filtering, so it is not.
      bool any_answered = false, any_timeout = false, any_refused = false;
      for (const auto& attempt : c.attempts) {
        // A server answered only if it sent a greeting; one that connects and then stays
        // silent is a timeout like any other.
        if (attempt.opening.banner) any_answered = true;
        if (attempt.error && attempt.error->kind == smtp::failure_kind::timeout) any_timeout = true;
        if (attempt.error && (attempt.error->kind == smtp::failure_kind::refused ||
                              attempt.error->kind == smtp::failure_kind::unreachable))
          any_refused = true;
      }
      r.result = any_answered ? deferred : (any_refused && !any_timeout) ? unreachable_refused : unreachable_timeout;
      break;
    }
  }
  return r;
}

namespace {

struct task_result {};

net::awaitable<task_result> route_and_probe(live_context& live, const plan& p, observations& o,
                                            std::vector<evidence>& log) {
  auto domain = dns::to_ascii_domain(p.domain);
  if (auto* bad = std::get_if<dns::name_error>(&domain)) {
    // dns/'s reason is its own English sentence (not translated here).
    o.route = route_observation{"dns-failure", {}, {}, "not a domain: " + bad->what, "不是有效的域名：" + bad->what};
    co_return task_result{};
  }
  const auto start = clock_type::now();
  dns::routing_options options;
  options.lookup_ptr = false;
  options.seed = live.config.dns.seed;
  options.want_ipv4 = !live.config.smtp.ipv6_only;
  options.want_ipv6 = !live.config.smtp.ipv4_only;
  auto route = co_await dns::route_mail(live.dns, std::get<std::string>(domain), options);
  const auto mx_answer = describe(route.mx_answer);
  route_observation seen{std::string(dns::to_string(route.kind)), {}, {}, mx_answer.text, chinese(mx_answer.said)};
  for (const auto& host : route.hosts) {
    seen.hosts.push_back(host.name);
    for (const auto& address : host.addresses) seen.addresses.push_back(address.address.to_string());
  }
  o.route = std::move(seen);
  auto routed = describe(route);
  log.push_back({"route", "MX of " + route.domain + " (then A/AAAA)", routed.text, ms_since(start),
                 {"live.route_asked", {value("domain", route.domain)}}, std::move(routed.said)});

  if (!p.rcpt_probe) co_return task_result{};
  if (!live.prober) {
    rcpt_observation failed;
    failed.result = rcpt_observation::outcome::error;
    failed.detail = live.prober_error;
    o.rcpt = failed;
    // The prober's setup error is probe/prober_setup's English sentence (not translated here).
    log.push_back({"rcpt", "RCPT TO:<" + p.recipient + ">", "not probed: " + live.prober_error, 0,
                   {"live.rcpt_asked", {value("recipient", p.recipient)}},
                   {"live.not_probed", {value("error", live.prober_error)}}});
    co_return task_result{};
  }
  const auto mailbox = smtp::parse_mailbox(p.recipient);
  if (!mailbox) {
    rcpt_observation failed;
    failed.result = rcpt_observation::outcome::error;
    failed.detail = "the recipient is not a usable address: " + mailbox.error;
    o.rcpt = failed;
    co_return task_result{};
  }
  const auto probe_start = clock_type::now();
  const auto check = co_await live.prober->check(*mailbox, std::move(route));
  o.rcpt = observe_rcpt(check, live.bounce_knowledge);
  // The prober's reason in Chinese, from the key and values smtp keeps beside its sentence.
  const auto& reason = check.reason_phrase;
  o.rcpt->detail_zh = printable(chinese(reason), 600);
  const auto& r = *o.rcpt;
  const std::string port = std::to_string(live.config.smtp.port);
  const std::string where = r.host.empty() ? "" : " at " + r.host + " [" + r.address + "]:" + port;
  sentence asked = r.host.empty() ? sentence{"live.rcpt_asked", {value("recipient", p.recipient)}}
                                  : sentence{"live.rcpt_asked_at", {value("recipient", p.recipient), value("host", r.host),
                                                                    value("address", r.address), value("port", port)}};
  std::string answer = r.text.empty() ? r.detail : r.text;
  // The server's reply as it came, or the prober's own sentence (rendered from its key).
  sentence answer_said{"live.rcpt_answer", {r.text.empty() && !reason.key.empty() ? part("answer", reason)
                                                                                 : value("answer", answer)}};
  if (r.result == rcpt_observation::outcome::accepted) {
    answer += r.catch_all ? " (catch-all: a made-up address is accepted too)"
                          : r.catch_all_known ? " (made-up addresses are refused)" : " (catch-all test inconclusive)";
    answer_said.values.push_back(part("note", just(r.catch_all        ? "live.rcpt_catch_all"
                                                   : r.catch_all_known ? "live.rcpt_rejects_unknown"
                                                                       : "live.rcpt_catch_all_unclear")));
  } else {
    answer_said.values.push_back(value("note", ""));
  }
  log.push_back({"rcpt", "RCPT TO:<" + p.recipient + ">" + where, printable(answer, 600), ms_since(probe_start),
                 std::move(asked), std::move(answer_said)});
  if (p.size && !r.host.empty()) {
    const std::string limit = r.size_limit ? std::to_string(r.size_limit) : std::string();
    log.push_back({"size", "EHLO at " + r.host,
                   r.size_advertised ? "SIZE " + (r.size_limit ? limit : std::string("(no fixed limit)"))
                                     : "no SIZE extension advertised",
                   0, {"live.size_asked", {value("host", r.host)}},
                   !r.size_advertised ? just("live.size_none")
                   : r.size_limit     ? sentence{"live.size_limit", {value("limit", limit)}}
                                      : just("live.size_unlimited")});
  }
  co_return task_result{};
}

listing_observation observe_listing(const rbl::listing& l) {
  using state = listing_observation::state;
  listing_observation seen;
  seen.list = l.list_name;
  seen.zone = l.zone;
  seen.allowlist = l.role == rbl::list_role::allow;
  seen.removal_page = l.removal_page;
  seen.dead_since = l.dead_since;
  seen.detail = printable(l.detail, 300);
  // rbl/'s phrase in Chinese ("" when it gave none: the English is used).
  if (!l.detail_said.key.empty()) seen.detail_zh = printable(chinese(l.detail_said), 300);
  switch (l.result) {
    case rbl::outcome::listed: seen.result = state::listed; break;
    case rbl::outcome::not_listed: seen.result = state::not_listed; break;
    case rbl::outcome::dead: seen.result = state::dead; break;
    case rbl::outcome::unhealthy: seen.result = state::unhealthy; break;
    case rbl::outcome::skipped: seen.result = state::skipped; break;
    default: seen.result = state::unknown; break;
  }
  for (const auto& code : l.codes) {
    const std::string named = code.address + (code.name.empty() ? "" : " " + code.name);
    const std::string& zh = code.meaning_zh.empty() ? code.meaning : code.meaning_zh;
    seen.codes += (seen.codes.empty() ? "" : ", ") + named + (code.meaning.empty() ? "" : " (" + code.meaning + ")");
    seen.codes_zh += (seen.codes_zh.empty() ? "" : "，") + named + (zh.empty() ? "" : "（" + zh + "）");
  }
  for (const auto& txt : l.txt) seen.txt += (seen.txt.empty() ? "" : " | ") + printable(txt, 300);
  return seen;
}

net::awaitable<task_result> dnsbl_checks(live_context& live, const plan& p, observations& o, std::vector<evidence>& log) {
  if (!live.dnsbl || !live.catalogue) {
    log.push_back({"dnsbl", p.sending_ip, "not checked: the DNSBL catalogue could not be loaded", 0,
                   text_of(p.sending_ip), just("live.dnsbl_no_catalogue")});
    co_return task_result{};
  }
  auto parsed = rbl::parse_target(p.sending_ip);
  if (auto* bad = std::get_if<rbl::target_error>(&parsed)) {
    // rbl/'s reason as its phrase (its English when it gave none).
    const sentence why = bad->said.key.empty() ? text_of(bad->what) : bad->said;
    log.push_back({"dnsbl", p.sending_ip, "not checked: " + bad->what, 0, text_of(p.sending_ip),
                   {"live.not_checked", {part("why", why)}}});
    co_return task_result{};
  }
  const auto target = std::get<rbl::target>(parsed);
  const auto& options = live.dnsbl->options();
  std::vector<rbl::selected_list> lists;
  if (auto usual = rbl::select_lists(*live.catalogue, target, live.config.rbl.zones, options);
      auto* chosen = std::get_if<std::vector<rbl::selected_list>>(&usual))
    lists = std::move(*chosen);
  std::string named_list;
  if (!p.named_zone.empty()) {
    auto named = rbl::select_lists(*live.catalogue, target, {p.named_zone}, options);
    if (auto* chosen = std::get_if<std::vector<rbl::selected_list>>(&named); chosen && !chosen->empty()) {
      named_list = chosen->front().list().name;
      const bool present = std::any_of(lists.begin(), lists.end(), [&](const auto& s) { return s.list().name == named_list; });
      if (!present) lists.insert(lists.begin(), chosen->front());
    }
  }
  const auto start = clock_type::now();
  const auto listings = co_await live.dnsbl->check_selected(target, std::move(lists));
  const auto ms = ms_since(start);
  for (const auto& l : listings) {
    auto seen = observe_listing(l);
    seen.named_by_bounce = !named_list.empty() && l.list_name == named_list;
    const std::string result(rbl::to_string(l.result));
    std::string answer = result;
    sentence answer_said{"live.dnsbl_answer", {value("result", result, "rbl_outcome")}};
    const auto optional_part = [&](const char* name, bool present, std::string text, sentence words) {
      if (present) answer += text;
      answer_said.values.push_back(present ? part(name, std::move(words)) : value(name, ""));
    };
    auto codes = value("codes", seen.codes);
    codes.text_zh = seen.codes_zh;
    optional_part("codes", !seen.codes.empty(), ": " + seen.codes, {"live.dnsbl_codes", {std::move(codes)}});
    optional_part("txt", !seen.txt.empty(), " — " + seen.txt, {"live.dnsbl_txt", {value("txt", seen.txt)}});
    const bool dead = l.result == rbl::outcome::dead && !l.dead_since.empty();
    optional_part("dead", dead, " (the list no longer exists; dead since " + l.dead_since + ")",
                  {"live.dnsbl_dead", {value("date", l.dead_since)}});
    sentence asked = l.query_name.empty()
                         ? sentence{"live.dnsbl_asked_on", {value("ip", p.sending_ip), value("zone", l.zone)}}
                         : sentence{"live.dnsbl_asked", {value("query", l.query_name)}};
    log.push_back({"dnsbl", (l.query_name.empty() ? p.sending_ip + " on " + l.zone : l.query_name) + " A", answer, ms,
                   std::move(asked), std::move(answer_said)});
    o.listings.push_back(std::move(seen));
  }
  co_return task_result{};
}

net::awaitable<task_result> reverse_dns_check(live_context& live, const plan& p, observations& o, std::vector<evidence>& log) {
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(p.sending_ip, ec);
  if (ec || !live.server) co_return task_result{};
  const auto start = clock_type::now();
  const auto facts = co_await check_reverse_dns(live.dns, ip, *live.server);
  reverse_dns_observation seen;
  seen.known = dns::is_answer(facts.ptr.result);
  seen.ptr_names = facts.names;
  seen.forward_confirmed = facts.forward_confirmed;
  seen.generic = !facts.generic_reasons.empty();
  const auto ptr = describe(facts.ptr);
  seen.detail = ptr.text;
  std::string answer = "PTR " + ptr.text;
  sentence answer_said{"live.ptr_answer", {part("answer", ptr.said)}};
  if (facts.names.empty()) {
    answer_said.values.push_back(value("confirmation", ""));
  } else if (facts.forward_confirmed) {
    answer += "; " + facts.confirmed_name + " resolves back to " + p.sending_ip;
    answer_said.values.push_back(part("confirmation", {"live.ptr_confirmed", {value("name", facts.confirmed_name),
                                                                             value("ip", p.sending_ip)}}));
  } else {
    answer += "; no PTR name resolves back to " + p.sending_ip;
    answer_said.values.push_back(part("confirmation", {"live.ptr_unconfirmed", {value("ip", p.sending_ip)}}));
  }
  log.push_back({"ptr", "PTR of " + p.sending_ip + ", then A/AAAA of each name", answer, ms_since(start),
                 {"live.ptr_asked", {value("ip", p.sending_ip)}}, std::move(answer_said)});
  o.reverse_dns = std::move(seen);
  co_return task_result{};
}

net::awaitable<task_result> sender_domain_check(live_context& live, const plan& p, observations& o, std::vector<evidence>& log) {
  auto domain = dns::to_ascii_domain(p.sender_domain_name);
  if (std::holds_alternative<dns::name_error>(domain)) co_return task_result{};
  const auto start = clock_type::now();
  dns::routing_options options;
  options.lookup_ptr = false;
  const auto route = co_await dns::route_mail(live.dns, std::get<std::string>(domain), options);
  sender_domain_observation seen;
  seen.known = route.kind != dns::route_kind::dns_failure;
  seen.resolves = route.kind == dns::route_kind::mx || route.kind == dns::route_kind::implicit_mx;
  auto routed = describe(route);
  seen.detail = routed.text;
  seen.detail_zh = chinese(routed.said);
  log.push_back({"sender-domain", "MX/A of " + route.domain, seen.detail, ms_since(start),
                 {"live.sender_domain_asked", {value("domain", route.domain)}}, std::move(routed.said)});
  o.sender_domain = std::move(seen);
  co_return task_result{};
}

net::awaitable<task_result> authentication_checks(live_context& live, const plan& p, observations& o,
                                                  std::vector<evidence>& log) {
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(p.sending_ip, ec);
  if (ec || p.sender_domain_name.empty()) {
    if (p.sender_domain_name.empty())
      log.push_back({"spf", "SPF", "not checked: the original sender's domain is unknown", 0, text_of("SPF"),
                     just("live.spf_no_domain")});
    co_return task_result{};
  }
  const auto start = clock_type::now();
  dns::spf::request request;
  request.ip = ip;
  request.domain = p.sender_domain_name;
  request.sender = p.sender_address;
  request.helo = p.helo;
  const auto spf = co_await dns::spf::check_host(live.dns, request);
  o.spf = spf_observation{std::string(dns::spf::to_string(spf.verdict)), p.sender_domain_name, spf.mechanism, printable(spf.problem, 300)};
  const std::string spf_result(dns::spf::to_string(spf.verdict));
  log.push_back({"spf", "SPF of " + p.sender_domain_name + " for " + p.sending_ip,
                 spf_result + (spf.mechanism.empty() ? "" : " (" + spf.mechanism + ")") +
                     (spf.problem.empty() ? "" : ": " + printable(spf.problem, 300)),
                 ms_since(start), {"live.spf_asked", {value("domain", p.sender_domain_name), value("ip", p.sending_ip)}},
                 spf_answer_said(spf)});
  if (!p.dmarc || p.from_domain.empty()) co_return task_result{};
  const auto dmarc_start = clock_type::now();
  const auto dmarc = co_await dns::dmarc::lookup(live.dns, p.from_domain);
  dmarc_observation seen;
  seen.known = dns::is_answer(dmarc.answer.result) || dmarc.record.has_value();
  seen.has_record = dmarc.record.has_value();
  if (dmarc.record) {
    seen.policy = dmarc.record->p;
    seen.spf_aligned = dns::dmarc::aligned(p.from_domain, p.sender_domain_name, dmarc.record->aspf);
    seen.detail = "From " + p.from_domain + ", SPF domain " + p.sender_domain_name + " (aspf=" + std::string(1, dmarc.record->aspf) + ")";
  }
  const auto dmarc_answer = describe(dmarc.answer);
  log.push_back({"dmarc", "_dmarc of " + p.from_domain,
                 seen.has_record ? "p=" + seen.policy + ", SPF " + (seen.spf_aligned ? "aligned" : "not aligned")
                                 : "no DMARC record (" + dmarc_answer.text + ")",
                 ms_since(dmarc_start), {"live.dmarc_asked", {value("domain", p.from_domain)}},
                 seen.has_record ? sentence{seen.spf_aligned ? "live.dmarc_aligned" : "live.dmarc_not_aligned",
                                            {value("policy", seen.policy)}}
                                 : sentence{"live.dmarc_none", {part("answer", dmarc_answer.said)}}});
  o.dmarc = std::move(seen);
  co_return task_result{};
}

}  // namespace

sentence spf_answer_said(const dns::spf::evaluation& spf) {
  // The result is an identifier (RFC 7208 §2.6); the problem is dns/spf's phrase whenever it
  // has one, so Chinese output says it in Chinese however long it is (the printed answer is
  // bounded and made printable where it is shown, probe/bounce_live.cpp), else its English.
  sentence said{"live.spf_answer", {value("result", std::string(dns::spf::to_string(spf.verdict)))}};
  said.values.push_back(spf.mechanism.empty() ? value("mechanism", "")
                                              : part("mechanism", {"live.spf_mechanism", {value("mechanism", spf.mechanism)}}));
  said.values.push_back(spf.problem.empty() ? value("problem", "")
                        : !spf.problem_said.key.empty()
                            ? part("problem", {"live.spf_problem", {part("problem", spf.problem_said)}})
                            : part("problem", {"live.spf_problem", {value("problem", printable(spf.problem, 300))}}));
  return said;
}

net::awaitable<recipient_check> check_recipient(live_context& live, const reports::report& report,
                                                const reports::recipient& recipient,
                                                const reports::classification& classification, plan_inputs inputs) {
  recipient_check result;
  result.planned = make_plan(report, recipient, classification, inputs);
  const plan& p = result.planned;
  observations& o = result.seen;

  // Each group of checks logs into its own list; they run concurrently.
  std::vector<std::vector<evidence>> logs(5);
  std::vector<net::awaitable<task_result>> tasks;
  if (p.route || p.rcpt_probe) tasks.push_back(route_and_probe(live, p, o, logs[0]));
  if (p.dnsbl && !p.sending_ip.empty()) tasks.push_back(dnsbl_checks(live, p, o, logs[1]));
  if (p.reverse_dns && !p.sending_ip.empty()) tasks.push_back(reverse_dns_check(live, p, o, logs[2]));
  if (p.sender_domain) tasks.push_back(sender_domain_check(live, p, o, logs[3]));
  if ((p.spf || p.dmarc) && !p.sending_ip.empty()) tasks.push_back(authentication_checks(live, p, o, logs[4]));
  co_await dns::join_all(std::move(tasks));
  for (auto& log : logs)
    for (auto& e : log) o.checks.push_back(std::move(e));

  result.decided = compare(p, o);
  co_return result;
}

}  // namespace probe::correlation
