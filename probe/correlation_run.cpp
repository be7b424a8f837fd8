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

std::string describe(const dns::answer& a) {
  if (a.ok()) {
    std::string out;
    for (const auto& name : a.names()) out += (out.empty() ? "" : ", ") + name;
    for (const auto& address : a.addresses()) out += (out.empty() ? "" : ", ") + address.to_string();
    for (const auto& text : a.texts()) out += (out.empty() ? "" : ", ") + ("\"" + text + "\"");
    for (const auto& mx : a.mx()) out += (out.empty() ? "" : ", ") + (std::to_string(mx.preference) + " " + (mx.host.empty() ? "." : mx.host));
    return printable(out, 400);
  }
  std::string out(dns::to_string(a.result));
  if (!a.detail.empty()) out += " (" + a.detail + ")";
  return printable(out, 400);
}

std::string describe(const dns::routing& route) {
  switch (route.kind) {
    case dns::route_kind::no_domain: return "NXDOMAIN: the domain does not exist";
    case dns::route_kind::null_mx: return "null MX (MX 0 .): accepts no mail";
    case dns::route_kind::no_mail_host: return "no MX and no address";
    case dns::route_kind::dns_failure: return "lookup failed: " + describe(route.mx_answer);
    default: break;
  }
  std::string out = route.kind == dns::route_kind::implicit_mx ? "no MX; implicit MX " : "MX ";
  for (const auto& host : route.hosts) {
    out += (out.ends_with(" ") ? "" : ", ") + std::to_string(host.preference) + " " + host.name;
    if (!host.addresses.empty()) out += " [" + host.addresses.front().address.to_string() + "]";
  }
  return printable(out, 400);
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
    o.route = route_observation{"dns-failure", {}, {}, "not a domain: " + bad->what};
    co_return task_result{};
  }
  const auto start = clock_type::now();
  dns::routing_options options;
  options.lookup_ptr = false;
  options.seed = live.config.dns.seed;
  options.want_ipv4 = !live.config.smtp.ipv6_only;
  options.want_ipv6 = !live.config.smtp.ipv4_only;
  auto route = co_await dns::route_mail(live.dns, std::get<std::string>(domain), options);
  route_observation seen{std::string(dns::to_string(route.kind)), {}, {}, describe(route.mx_answer)};
  for (const auto& host : route.hosts) {
    seen.hosts.push_back(host.name);
    for (const auto& address : host.addresses) seen.addresses.push_back(address.address.to_string());
  }
  o.route = std::move(seen);
  log.push_back({"route", "MX of " + route.domain + " (then A/AAAA)", describe(route), ms_since(start)});

  if (!p.rcpt_probe) co_return task_result{};
  if (!live.prober) {
    rcpt_observation failed;
    failed.result = rcpt_observation::outcome::error;
    failed.detail = live.prober_error;
    o.rcpt = failed;
    log.push_back({"rcpt", "RCPT TO:<" + p.recipient + ">", "not probed: " + live.prober_error, 0});
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
  const auto& r = *o.rcpt;
  const std::string where = r.host.empty() ? "" : " at " + r.host + " [" + r.address + "]:" + std::to_string(live.config.smtp.port);
  std::string answer = r.text.empty() ? r.detail : r.text;
  if (r.result == rcpt_observation::outcome::accepted)
    answer += r.catch_all ? " (catch-all: a made-up address is accepted too)"
                          : r.catch_all_known ? " (made-up addresses are refused)" : " (catch-all test inconclusive)";
  log.push_back({"rcpt", "RCPT TO:<" + p.recipient + ">" + where, printable(answer, 600), ms_since(probe_start)});
  if (p.size && !r.host.empty())
    log.push_back({"size", "EHLO at " + r.host,
                   r.size_advertised ? "SIZE " + (r.size_limit ? std::to_string(r.size_limit) : std::string("(no fixed limit)"))
                                     : "no SIZE extension advertised",
                   0});
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
    log.push_back({"dnsbl", p.sending_ip, "not checked: the DNSBL catalogue could not be loaded", 0});
    co_return task_result{};
  }
  auto parsed = rbl::parse_target(p.sending_ip);
  if (auto* bad = std::get_if<rbl::target_error>(&parsed)) {
    log.push_back({"dnsbl", p.sending_ip, "not checked: " + bad->what, 0});
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
    std::string answer(rbl::to_string(l.result));
    if (!seen.codes.empty()) answer += ": " + seen.codes;
    if (!seen.txt.empty()) answer += " — " + seen.txt;
    if (l.result == rbl::outcome::dead && !l.dead_since.empty()) answer += " (the list no longer exists; dead since " + l.dead_since + ")";
    log.push_back({"dnsbl", (l.query_name.empty() ? p.sending_ip + " on " + l.zone : l.query_name) + " A", answer, ms});
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
  seen.detail = describe(facts.ptr);
  std::string answer = "PTR " + describe(facts.ptr);
  if (!facts.names.empty())
    answer += facts.forward_confirmed ? "; " + facts.confirmed_name + " resolves back to " + p.sending_ip
                                      : "; no PTR name resolves back to " + p.sending_ip;
  log.push_back({"ptr", "PTR of " + p.sending_ip + ", then A/AAAA of each name", answer, ms_since(start)});
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
  seen.detail = describe(route);
  log.push_back({"sender-domain", "MX/A of " + route.domain, seen.detail, ms_since(start)});
  o.sender_domain = std::move(seen);
  co_return task_result{};
}

net::awaitable<task_result> authentication_checks(live_context& live, const plan& p, observations& o,
                                                  std::vector<evidence>& log) {
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(p.sending_ip, ec);
  if (ec || p.sender_domain_name.empty()) {
    if (p.sender_domain_name.empty())
      log.push_back({"spf", "SPF", "not checked: the original sender's domain is unknown", 0});
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
  log.push_back({"spf", "SPF of " + p.sender_domain_name + " for " + p.sending_ip,
                 std::string(dns::spf::to_string(spf.verdict)) + (spf.mechanism.empty() ? "" : " (" + spf.mechanism + ")") +
                     (spf.problem.empty() ? "" : ": " + printable(spf.problem, 300)),
                 ms_since(start)});
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
  log.push_back({"dmarc", "_dmarc of " + p.from_domain,
                 seen.has_record ? "p=" + seen.policy + ", SPF " + (seen.spf_aligned ? "aligned" : "not aligned")
                                 : "no DMARC record (" + describe(dmarc.answer) + ")",
                 ms_since(dmarc_start)});
  o.dmarc = std::move(seen);
  co_return task_result{};
}

}  // namespace

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
