#include "smtp/prober.hpp"

#include "smtp/text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

namespace smtp {
namespace net = boost::asio;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto io = net::as_tuple(net::use_awaitable);

attempt_end end_for(const failure& f) {
  switch (f.kind) {
    case failure_kind::not_smtp:
    case failure_kind::reply_too_large: return attempt_end::protocol_failed;
    case failure_kind::tls_failed:
    case failure_kind::tls_unavailable: return attempt_end::tls_failed;
    default: break;
  }
  if (f.where == phase::connect || f.where == phase::proxy) return attempt_end::connect_failed;
  return attempt_end::session_failed;
}

std::string quote_reply(const reply& r) {
  std::string text = std::to_string(r.code);
  if (!r.lines.empty()) text += " " + r.lines.front();
  if (r.lines.size() > 1) text += " …";
  return "\"" + text.substr(0, 300) + "\"";
}

bool is_refusal_of_unknown(reply_meaning m) {
  return m == reply_meaning::mailbox_unknown || m == reply_meaning::bad_address || m == reply_meaning::permanent ||
         m == reply_meaning::mailbox_unavailable;
}

std::string where_text(const attempt& at) {
  return at.mx_host + " [" + at.address.to_string() + "]";
}

// The values of a reason_phrase (dns/phrase.hpp's builders; an identifier names its kind first).
using dns::said::explained;
using dns::said::part;
using dns::said::value;
phrase_value identifier(std::string name, std::string_view kind, std::string_view id) {
  return value(std::move(name), std::string(id), std::string(kind));
}
phrase make_phrase(std::string key, std::vector<phrase_value> values = {}) { return {std::move(key), std::move(values)}; }

// A note or warning: the English text (what --json prints) and its phrase, set together.
void set_note(attempt& at, std::string english, phrase said) {
  at.note = std::move(english);
  at.note_phrase = std::move(said);
}
void add_warning(address_check& check, std::string english, phrase said) {
  check.warning_phrases.push_back({english, std::move(said)});
  check.warnings.push_back(std::move(english));
}

}  // namespace

std::string_view to_string(attempt_end end) {
  switch (end) {
    case attempt_end::rcpt_answered: return "rcpt-answered";
    case attempt_end::connect_failed: return "connect-failed";
    case attempt_end::session_failed: return "session-failed";
    case attempt_end::protocol_failed: return "protocol-failed";
    case attempt_end::tls_failed: return "tls-failed";
    case attempt_end::refused_temporarily: return "refused-temporarily";
    case attempt_end::refused_permanently: return "refused-permanently";
    case attempt_end::smtputf8_missing: return "smtputf8-missing";
    case attempt_end::tls_demanded: return "tls-demanded";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------
// The verdict: a pure function of the facts gathered.

namespace {

void settle_from_rcpt(address_check& check) {
  const reply& answer = *check.rcpt_reply;
  const classification& meaning = *check.rcpt_meaning;
  check.evidence_attempt = check.rcpt_attempt;
  const std::string at = check.rcpt_attempt ? " at " + where_text(check.attempts[*check.rcpt_attempt]) : "";
  const phrase_value at_value =
      check.rcpt_attempt
          ? part("at", make_phrase("reason.at", {value("where", where_text(check.attempts[*check.rcpt_attempt]))}))
          : value("at", "");
  const phrase_value reply_value = value("reply", quote_reply(answer));
  const phrase_value why_value = explained("why", meaning.why, meaning.why_zh);
  const auto say = [&](std::string key, std::vector<phrase_value> values) {
    check.reason_phrase = make_phrase(std::move(key), std::move(values));
  };
  if (check.quirk) {
    check.result = check.quirk->result;
    check.reason = check.quirk->provider + ": " + check.quirk->reason + " (RCPT answered " + quote_reply(answer) + ")";
    // The quirk's own words (smtp/provider_quirks.yaml) are English only.
    say("reason.quirk", {value("provider", check.quirk->provider), explained("quirk", check.quirk->reason, check.quirk->reason_zh), reply_value});
    return;
  }
  switch (meaning.meaning) {
    case reply_meaning::accepted:
      if (check.catch_all.state == catch_all_state::accepts_all) {
        check.result = verdict::catch_all;
        check.reason = "the server accepts any address at this domain (a random local part was accepted too), "
                       "so the accepted RCPT proves nothing about this mailbox";
        say("reason.catch_all", {});
      } else {
        check.result = verdict::deliverable;
        check.reason = "the server accepted RCPT TO" + at + " with " + quote_reply(answer);
        const phrase_value test_value = part("catch_all", check.catch_all.reason_phrase);
        if (check.catch_all.state == catch_all_state::rejects_unknown) {
          check.reason += ", and it refuses unknown recipients";
          say("reason.accepted_rejects_unknown", {at_value, reply_value});
        } else if (check.catch_all.state == catch_all_state::inconclusive) {
          check.reason += "; whether it accepts every address could not be told (" + check.catch_all.reason + ")";
          say("reason.accepted_inconclusive", {at_value, reply_value, test_value});
        } else {
          check.reason += "; the catch-all test was not run" +
                          (check.catch_all.reason.empty() ? std::string() : " (" + check.catch_all.reason + ")");
          if (check.catch_all.reason.empty())
            say("reason.accepted_untested", {at_value, reply_value});
          else
            say("reason.accepted_untested_because", {at_value, reply_value, test_value});
        }
      }
      return;
    case reply_meaning::mailbox_unknown:
    case reply_meaning::mailbox_unavailable:
    case reply_meaning::bad_address:
    case reply_meaning::permanent:
      check.result = verdict::undeliverable;
      check.reason = "the server refused the recipient" + at + " with " + quote_reply(answer) + ": " + meaning.why;
      say("reason.refused_recipient", {at_value, reply_value, why_value});
      return;
    case reply_meaning::policy:
      if (answer.permanent()) {
        check.result = verdict::rejected_us;
        check.reason = "the server refused the prober, not the recipient" + at + ": " + quote_reply(answer) + " — " +
                       meaning.why;
        say("reason.refused_prober", {at_value, reply_value, why_value});
      } else {
        check.result = verdict::temporary;
        check.reason = "the server deferred the prober" + at + ": " + quote_reply(answer) + " — " + meaning.why;
        say("reason.deferred_prober", {at_value, reply_value, why_value});
      }
      return;
    case reply_meaning::requires_tls:
      check.result = verdict::tls_error;
      check.reason = "the server demands TLS" + at + " (" + quote_reply(answer) + ") and the session could not be upgraded";
      say("reason.tls_demanded_at_rcpt", {at_value, reply_value});
      return;
    case reply_meaning::greylisted:
      check.result = verdict::temporary;
      check.reason = check.greylist_retried
                         ? "still greylisted after waiting: " + quote_reply(answer) + at
                         : "greylisted: " + quote_reply(answer) + at +
                               "; a real MTA retries after a few minutes (use --greylist-wait to probe again)";
      say(check.greylist_retried ? "reason.still_greylisted" : "reason.greylisted", {reply_value, at_value});
      return;
    case reply_meaning::rate_limited:
    case reply_meaning::too_many_recipients:
    case reply_meaning::transient:
      check.result = verdict::temporary;
      check.reason = "the server deferred the recipient" + at + " with " + quote_reply(answer) + ": " + meaning.why;
      say("reason.deferred_recipient", {at_value, reply_value, why_value});
      return;
  }
}

}  // namespace

void decide(address_check& check, tls_mode mode, std::uint16_t port) {
  check.port25_blocked_suspected = false;
  check.reason_phrase = {};
  const auto say = [&](std::string key, std::vector<phrase_value> values = {}) {
    check.reason_phrase = make_phrase(std::move(key), std::move(values));
  };
  switch (check.routing.kind) {
    case dns::route_kind::null_mx:
      check.result = verdict::no_mail_domain;
      check.reason = "the domain publishes a null MX (\"MX 0 .\", RFC 7505): it accepts no mail";
      say("reason.null_mx");
      return;
    case dns::route_kind::no_domain:
      check.result = verdict::no_mail_domain;
      check.reason = "the domain does not exist (NXDOMAIN)";
      say("reason.no_domain");
      return;
    case dns::route_kind::no_mail_host:
      check.result = verdict::no_mail_domain;
      check.reason = "the domain has no MX record and no address, or none of its MX hosts has an address";
      say("reason.no_mail_host");
      return;
    case dns::route_kind::dns_failure:
      check.result = verdict::unreachable;
      check.reason = "the DNS lookup of the domain's mail routing failed (" +
                     std::string(dns::to_string(check.routing.mx_answer.result)) +
                     (check.routing.mx_answer.detail.empty() ? "" : ": " + check.routing.mx_answer.detail) +
                     "); nothing was probed";
      say("reason.dns_failure",
          {value("result", std::string(dns::to_string(check.routing.mx_answer.result))),
           value("detail", check.routing.mx_answer.detail.empty() ? "" : ": " + check.routing.mx_answer.detail)});
      return;
    case dns::route_kind::mx:
    case dns::route_kind::implicit_mx: break;
  }
  if (check.rcpt_reply && check.rcpt_meaning) {
    settle_from_rcpt(check);
    return;
  }

  // No RCPT answer: the most telling way the attempts ended decides.
  const auto find = [&](auto predicate) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < check.attempts.size(); ++i)
      if (predicate(check.attempts[i])) return i;
    return std::nullopt;
  };
  const auto with_end = [&](attempt_end end) { return find([&](const attempt& a) { return a.end == end; }); };
  const auto describe_attempt = [&](std::size_t i) {
    const attempt& a = check.attempts[i];
    std::string text = where_text(a);
    if (a.refusal) text += " answered " + quote_reply(*a.refusal) + " to " + std::string(to_string(a.ended_at));
    else if (a.error) text += ": " + a.error->describe();
    return text;
  };
  // describe_attempt as a sentence of its own.
  const auto attempt_value = [&](std::size_t i) {
    const attempt& a = check.attempts[i];
    if (a.refusal)
      return part("attempt", make_phrase("reason.attempt_answered",
                                             {value("where", where_text(a)), value("reply", quote_reply(*a.refusal)),
                                              identifier("phase", "phase", to_string(a.ended_at))}));
    if (a.error)
      return part("attempt", make_phrase("reason.attempt_failed",
                                             {value("where", where_text(a)), part("error", a.error->describe_said())}));
    return part("attempt", make_phrase("reason.attempt", {value("where", where_text(a))}));
  };

  if (auto i = with_end(attempt_end::refused_permanently)) {
    check.result = verdict::rejected_us;
    check.evidence_attempt = i;
    check.reason = "the server refused the prober before any recipient was asked: " + describe_attempt(*i);
    say("reason.refused_before_rcpt", {attempt_value(*i)});
    return;
  }
  if (auto i = with_end(attempt_end::smtputf8_missing)) {
    check.result = verdict::undeliverable;
    check.evidence_attempt = i;
    check.reason = "the local part is not ASCII and " + where_text(check.attempts[*i]) +
                   " does not offer SMTPUTF8 (RFC 6531 §3.2): a sending MTA must bounce such mail";
    say("reason.smtputf8_missing", {value("where", where_text(check.attempts[*i]))});
    return;
  }
  if (auto i = with_end(attempt_end::tls_demanded)) {
    check.result = verdict::tls_error;
    check.evidence_attempt = i;
    check.reason = "the server demands STARTTLS, but --tls off was given: " + describe_attempt(*i);
    say("reason.tls_demanded_tls_off", {attempt_value(*i)});
    return;
  }
  if (mode == tls_mode::required) {
    if (auto i = with_end(attempt_end::tls_failed)) {
      check.result = verdict::tls_error;
      check.evidence_attempt = i;
      check.reason = "TLS was required and could not be had: " + describe_attempt(*i);
      say("reason.tls_required_failed", {attempt_value(*i)});
      return;
    }
  }
  // No server answered RCPT: the first of these endings, in this order, says why.
  struct no_answer {
    attempt_end end;
    verdict result;
    const char* why;
    const char* key;
  };
  static constexpr no_answer no_answers[] = {
      {attempt_end::refused_temporarily, verdict::temporary, "every server tried deferred the prober: ",
       "reason.all_deferred"},
      {attempt_end::session_failed, verdict::temporary, "the server was reached but the session failed: ",
       "reason.session_failed"},
      {attempt_end::protocol_failed, verdict::protocol_error, "the peer does not speak SMTP correctly: ",
       "reason.not_smtp"},
      {attempt_end::tls_failed, verdict::tls_error, "STARTTLS failed and no plaintext session succeeded: ",
       "reason.starttls_failed"},
  };
  for (const auto& n : no_answers) {
    if (auto i = with_end(n.end)) {
      check.result = n.result;
      check.evidence_attempt = i;
      check.reason = n.why + describe_attempt(*i);
      say(n.key, {attempt_value(*i)});
      return;
    }
  }
  check.result = verdict::unreachable;
  if (check.attempts.empty()) {
    check.reason = "no MX address could be tried";
    if (!check.warnings.empty()) check.reason += " (" + check.warnings.back() + ")";
    if (check.warnings.empty()) {
      say("reason.nothing_tried");
    } else {
      // The prober's own warning is a sentence of this file; a caller's stays as it is.
      const auto& last = check.warnings.back();
      const auto own = std::find_if(check.warning_phrases.rbegin(), check.warning_phrases.rend(),
                                    [&](const address_check::warning_phrase& w) { return w.english == last; });
      say("reason.nothing_tried_because",
          {own != check.warning_phrases.rend() ? part("warning", own->said) : value("warning", last)});
    }
    return;
  }
  check.evidence_attempt = check.attempts.size() - 1;
  const bool all_timeouts = std::all_of(check.attempts.begin(), check.attempts.end(), [](const attempt& a) {
    return a.end == attempt_end::connect_failed && a.error && a.error->kind == failure_kind::timeout;
  });
  const bool via_proxy = check.attempts.front().opening.via_proxy;
  if (all_timeouts && !via_proxy) {
    check.port25_blocked_suspected = true;
    check.reason = "every address of every MX timed out while connecting to port " + std::to_string(port) +
                   ", although DNS answered: outbound port " + std::to_string(port) +
                   " is probably blocked by the local network (common on cloud hosts and home ISPs); "
                   "try from a mail server, or through --proxy socks5://host:port";
    say("reason.port25_blocked", {value("port", std::to_string(port))});
    return;
  }
  check.reason = "no MX could be reached: " + describe_attempt(check.attempts.size() - 1);
  say("reason.unreachable", {attempt_value(check.attempts.size() - 1)});
}

// ---------------------------------------------------------------------------------------
// The prober.

prober::prober(net::any_io_executor executor, dns::source& dns, prober_options options)
    : executor_(std::move(executor)),
      dns_(dns),
      options_(std::move(options)),
      tls_context_(make_client_tls_context()),
      random_(options_.seed ? *options_.seed : std::random_device{}()) {
  if (!options_.classifier) throw std::invalid_argument("smtp::prober needs a reply classifier");
  if (options_.max_rcpts_per_session == 0) options_.max_rcpts_per_session = 1;
  prune_slots_above_ = options_.forget_unused_addresses_above;
}

prober::~prober() = default;

const prober_counters& prober::counters() const { return counters_; }

bool prober::port25_blocked_suspected() const {
  return counters_.domains_connect_timeout >= 2 && counters_.domains_reached == 0;
}

// Slots nobody uses, with no kept session, no pending rate limit and nothing learnt (a
// lowered RCPT limit) hold no state worth keeping: a run over a million domains drops
// them instead of keeping one per MX address it ever saw. Runs when no check is inside
// try_address with the slot (users == 0), so no reference to an erased slot survives.
void prober::prune_slots() {
  if (slots_.size() <= prune_slots_above_) return;  // amortised: a sweep per doubling
  const auto now = clock_type::now();
  for (auto it = slots_.begin(); it != slots_.end();) {
    const slot& s = *it->second;
    const bool forgettable = s.users == 0 && !s.idle && !s.in_lru && !s.gate.busy() && s.gate.waiting() == 0 &&
                             s.next_open <= now && s.rcpt_limit == options_.max_rcpts_per_session;
    it = forgettable ? slots_.erase(it) : std::next(it);
  }
  prune_slots_above_ = std::max(options_.forget_unused_addresses_above, 2 * slots_.size());
}

prober::slot& prober::slot_for(const net::ip::address& address) {
  auto& entry = slots_[address.to_string()];
  if (!entry) {
    entry = std::make_unique<slot>();
    entry->rcpt_limit = options_.max_rcpts_per_session;
  }
  return *entry;
}

session_options prober::session_options_for(tls_mode mode) const {
  session_options out;
  out.helo = options_.helo;
  out.tls = mode;
  out.limits = options_.limits;
  out.source_ip = options_.source_ip;
  out.proxy = proxy_;
  out.port = options_.port;
  out.tls_context = tls_context_;
  return out;
}

std::string prober::random_local_part() {
  static constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyz";
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out += letters[random_() % letters.size()];
  for (int i = 0; i < 15; ++i) out += alphabet[random_() % alphabet.size()];
  return out;
}

void prober::record(attempt& at, exchange ex) {
  if (!ex.command.empty() && (ex.response || ex.error)) ++counters_.commands_sent;
  if (ex.step == phase::rcpt && (ex.response || ex.error)) ++counters_.rcpts_sent;
  at.transcript.push_back(std::move(ex));
}

net::awaitable<bool> prober::resolve_proxy(address_check& check) {
  auto hold = co_await proxy_gate_.acquire();
  if (!proxy_resolved_) {
    proxy_resolved_ = true;
    const proxy_url& url = *options_.proxy;
    boost::system::error_code ec;
    auto ip = net::ip::make_address(url.host, ec);
    if (ec) {
      auto answer = co_await dns_.a(url.host);
      if (!answer.ok()) answer = co_await dns_.aaaa(url.host);
      if (answer.ok() && !answer.addresses().empty()) {
        ip = answer.addresses().front();
        ec = {};
      } else {
        const std::string result(dns::to_string(answer.result));
        proxy_error_ = "cannot resolve the proxy host " + url.host + " (" + result + ")";
        proxy_error_phrase_ = make_phrase("reason.warning_proxy_unresolved",
                                          {value("host", url.host), identifier("result", "dns_result", result)});
      }
    }
    if (!ec) proxy_ = proxy_config{net::ip::tcp::endpoint(ip, url.port), url};
  }
  if (!proxy_) add_warning(check, proxy_error_, proxy_error_phrase_);
  co_return proxy_.has_value();
}

net::awaitable<address_check> prober::check(mailbox recipient) {
  dns::routing_options routing_options;
  routing_options.lookup_ptr = options_.lookup_ptr;
  // Both families are always looked up, so the routing shows the DNS as it is; -4/-6
  // only filter what is dialled (and say so when nothing is left).
  routing_options.seed = options_.seed;
  const std::string domain = recipient.domain;
  auto routing = co_await dns::route_mail(dns_, domain, routing_options);
  co_return co_await check(std::move(recipient), std::move(routing));
}

net::awaitable<address_check> prober::check(mailbox recipient, dns::routing routing) {
  if (draining_) throw boost::system::system_error(net::error::operation_aborted, "the prober is draining");
  const auto start = clock_type::now();
  ++counters_.checks;
  prune_slots();
  address_check out;
  out.recipient = std::move(recipient);
  out.helo = options_.helo;
  out.mail_from = options_.mail_from;
  out.routing = std::move(routing);
  if (const auto helo = check_helo(options_.helo); helo && !helo->fully_qualified)
    add_warning(out,
                "the HELO name \"" + options_.helo +
                    "\" is not a fully qualified domain name; many servers refuse or penalise such "
                    "clients (RFC 5321 §4.1.1.1). Set --helo to this host's public FQDN",
                make_phrase("reason.warning_helo_not_fqdn", {value("helo", options_.helo)}));
  if (out.routing.kind == dns::route_kind::mx || out.routing.kind == dns::route_kind::implicit_mx)
    co_await probe(out);
  decide(out, options_.tls, options_.port);
  if (out.port25_blocked_suspected)
    ++counters_.domains_connect_timeout;
  else if (std::any_of(out.attempts.begin(), out.attempts.end(),
                       [](const attempt& a) { return a.end != attempt_end::connect_failed; }))
    ++counters_.domains_reached;
  out.elapsed = std::chrono::duration_cast<milliseconds>(clock_type::now() - start);
  co_return out;
}

net::awaitable<void> prober::probe(address_check& check) {
  if (options_.proxy && !co_await resolve_proxy(check)) co_return;
  std::size_t tried = 0;
  std::size_t filtered = 0;
  bool family_warned = false;
  for (const dns::mail_host* host : check.routing.dialable_hosts()) {
    for (const auto& entry : host->addresses) {
      const auto& address = entry.address;
      if (address.is_v4() ? !options_.want_ipv4 : !options_.want_ipv6) {
        ++filtered;
        continue;
      }
      if (options_.source_ip && !proxy_ && options_.source_ip->is_v4() != address.is_v4()) {
        if (!family_warned)
          add_warning(check,
                      std::string("skipped ") + (address.is_v4() ? "IPv4" : "IPv6") +
                          " MX addresses: the source address " + options_.source_ip->to_string() +
                          " is of the other family",
                      make_phrase("reason.warning_other_family",
                                  {value("family", address.is_v4() ? "IPv4" : "IPv6"),
                                   value("source", options_.source_ip->to_string())}));
        family_warned = true;
        continue;
      }
      if (tried == options_.max_addresses) {
        add_warning(check, "stopped after " + std::to_string(tried) + " addresses (the per-check limit)",
                    make_phrase("reason.warning_address_limit", {value("n", std::to_string(tried))}));
        co_return;
      }
      ++tried;
      if (co_await try_address(check, *host, address) == address_end::decided) co_return;
    }
  }
  if (tried == 0 && filtered > 0)
    add_warning(check,
                std::string("the MX hosts have only ") + (options_.want_ipv4 ? "IPv6" : "IPv4") + " addresses, and " +
                    (options_.want_ipv4 ? "-4" : "-6") + " was given",
                make_phrase("reason.warning_family_missing", {value("family", options_.want_ipv4 ? "IPv6" : "IPv4"),
                                                              value("flag", options_.want_ipv4 ? "-4" : "-6")}));
}

net::awaitable<std::unique_ptr<session>> prober::open_session(slot& s, const dns::mail_host& host,
                                                              net::ip::address address, attempt& at, tls_mode mode) {
  if (options_.per_host_rate > 0) {
    // Politeness: at most per_host_rate new sessions per second to one address.
    const auto interval = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(1.0 / options_.per_host_rate));
    if (s.next_open > clock_type::now()) {
      net::steady_timer wait(executor_, s.next_open);
      (void)co_await wait.async_wait(io);
    }
    s.next_open = std::max(clock_type::now(), s.next_open) + interval;
  }
  auto sess = std::make_unique<session>(executor_, session_options_for(mode));
  ++counters_.connect_attempts;
  at.session_id = ++next_session_id_;
  const auto opened = co_await sess->open(address, host.name);
  // A session is a connection that reached the server; a refused or timed-out connect is
  // only a connect attempt.
  const bool connected = opened.status != open_status::failed ||
                         (opened.error && opened.error->where != phase::connect && opened.error->where != phase::proxy);
  if (connected) ++counters_.sessions_opened;
  at.opening = sess->opening();
  for (const auto& ex : at.opening.transcript)
    if (!ex.command.empty() && (ex.response || ex.error)) ++counters_.commands_sent;
  switch (opened.status) {
    case open_status::ready: co_return sess;
    case open_status::rejected:
      at.refusal = opened.response;
      at.ended_at = opened.where;
      at.end = opened.response && opened.response->permanent() ? attempt_end::refused_permanently
                                                                 : attempt_end::refused_temporarily;
      if (at.end == attempt_end::refused_permanently)
        set_note(at, "the server refuses this client; trying the next address (as Postfix does after a 5xx greeting)",
                 make_phrase("reason.note_refused_client"));
      else
        set_note(at, "deferred; trying the next address", make_phrase("reason.note_deferred"));
      co_await retire(std::move(sess), &at);
      co_return nullptr;
    case open_status::failed:
      at.error = opened.error;
      at.ended_at = opened.where;
      at.end = opened.error ? end_for(*opened.error) : attempt_end::session_failed;
      co_await retire(std::move(sess), &at);
      co_return nullptr;
  }
  co_return nullptr;
}

net::awaitable<void> prober::retire(std::unique_ptr<session> sess, attempt* at) {
  if (!sess) co_return;
  const bool was_open = sess->usable();
  auto ex = co_await sess->quit();
  if (was_open) {
    ++counters_.commands_sent;
    if (at) at->transcript.push_back(std::move(ex));
  }
}

net::awaitable<void> prober::park(slot& s, std::unique_ptr<session> sess, std::size_t session_id) {
  if (!sess) co_return;
  if (!sess->usable() || sess->rcpts_sent() >= s.rcpt_limit || options_.max_idle_sessions == 0) {
    co_await retire(std::move(sess), nullptr);
    co_return;
  }
  s.idle = std::move(sess);
  s.idle_session_id = session_id;
  idle_lru_.push_back(&s);
  s.lru = std::prev(idle_lru_.end());
  s.in_lru = true;
  // Bound the sessions held open: QUIT the least recently parked ones.
  while (idle_lru_.size() > options_.max_idle_sessions) {
    slot* oldest = idle_lru_.front();
    idle_lru_.pop_front();
    oldest->in_lru = false;
    auto victim = std::move(oldest->idle);
    co_await retire(std::move(victim), nullptr);
  }
}

net::awaitable<prober::address_end> prober::try_address(address_check& check, const dns::mail_host& host,
                                                        net::ip::address address) {
  slot& s = slot_for(address);
  // While this check uses the slot, prune_slots() keeps it.
  struct slot_user {
    slot& used;
    explicit slot_user(slot& s) : used(s) { ++used.users; }
    ~slot_user() { --used.users; }
    slot_user(const slot_user&) = delete;
    slot_user& operator=(const slot_user&) = delete;
  } user(s);
  tls_mode mode = options_.tls;
  bool fresh_only = false;
  // Rounds: a stale kept session, a 452 on a later RCPT, a TLS fallback and one greylisting
  // retry each cost one more round; the bound keeps a hostile server from looping us.
  for (int round = 0; round < 5; ++round) {
    attempt at;
    at.mx_host = host.name;
    at.preference = host.preference;
    at.implicit_mx = host.implicit;
    at.address = address;
    auto guard = co_await s.gate.acquire();
    if (draining_) throw boost::system::system_error(net::error::operation_aborted, "the prober is draining");

    std::unique_ptr<session> sess;
    bool reused = false;
    if (s.idle) {
      sess = std::move(s.idle);
      if (s.in_lru) {
        idle_lru_.erase(s.lru);
        s.in_lru = false;
      }
      const bool fit = !fresh_only && sess->usable() && sess->mode() == mode &&
                       clock_type::now() - sess->last_used() < options_.idle_timeout &&
                       sess->rcpts_sent() < s.rcpt_limit;
      if (fit) {
        reused = true;
        at.reused_session = true;
        at.session_id = s.idle_session_id;
        at.opening = sess->opening();
        ++counters_.sessions_reused;
      } else {
        co_await retire(std::move(sess), nullptr);
      }
    }
    if (!sess) {
      sess = co_await open_session(s, host, address, at, mode);
      at.tls_fallback = mode != options_.tls;
      if (!sess) {
        if (mode == tls_mode::opportunistic && at.error && at.error->kind == failure_kind::tls_failed) {
          // RFC 7435 §4 (opportunistic security): a failed handshake must not stop delivery;
          // like Postfix at security level "may", retry this address in plaintext.
          set_note(at, "the TLS handshake failed; retrying this address without STARTTLS",
                   make_phrase("reason.note_tls_plaintext_retry"));
          check.attempts.push_back(std::move(at));
          mode = tls_mode::off;
          fresh_only = true;
          continue;
        }
        if (at.note.empty()) set_note(at, "trying the next address", make_phrase("reason.note_next_address"));
        check.attempts.push_back(std::move(at));
        co_return address_end::next_address;
      }
    }
    const std::size_t session_id = at.session_id;
    const auto end = co_await transaction(*sess, check, at, s, reused);
    switch (end) {
      case transaction_end::stale_session:
        set_note(at, "the kept session no longer answered; opening a new one", make_phrase("reason.note_stale_session"));
        check.attempts.push_back(std::move(at));
        co_await retire(std::move(sess), nullptr);
        fresh_only = true;
        continue;
      case transaction_end::too_many_recipients:
        s.rcpt_limit = std::max<std::size_t>(1, sess->rcpts_sent() - 1);
        set_note(at,
                 "the server limits recipients per session to " + std::to_string(s.rcpt_limit) +
                     "; asking again in a new session",
                 make_phrase("reason.note_rcpt_limit", {value("limit", std::to_string(s.rcpt_limit))}));
        check.attempts.push_back(std::move(at));
        co_await retire(std::move(sess), &check.attempts.back());
        fresh_only = true;
        continue;
      case transaction_end::greylisted:
        if (options_.greylist_wait.count() > 0 && !check.greylist_retried) {
          set_note(at, "greylisted; waiting " + std::to_string(options_.greylist_wait.count()) + " s to ask again",
                   make_phrase("reason.note_greylist_wait", {value("seconds", std::to_string(options_.greylist_wait.count()))}));
          check.attempts.push_back(std::move(at));
          co_await retire(std::move(sess), &check.attempts.back());
          guard.release();
          net::steady_timer wait(executor_, options_.greylist_wait);
          (void)co_await wait.async_wait(io);
          check.greylist_retried = true;
          check.rcpt_reply.reset();
          check.rcpt_meaning.reset();
          check.rcpt_attempt.reset();
          fresh_only = true;
          continue;
        }
        check.attempts.push_back(std::move(at));
        check.rcpt_attempt = check.attempts.size() - 1;
        co_await park(s, std::move(sess), session_id);
        co_return address_end::decided;
      case transaction_end::decided:
        check.attempts.push_back(std::move(at));
        if (check.attempts.back().end == attempt_end::rcpt_answered) check.rcpt_attempt = check.attempts.size() - 1;
        co_await park(s, std::move(sess), session_id);
        co_return address_end::decided;
      case transaction_end::next_address:
        check.attempts.push_back(std::move(at));
        co_await retire(std::move(sess), &check.attempts.back());
        co_return address_end::next_address;
    }
  }
  attempt last;
  last.mx_host = host.name;
  last.preference = host.preference;
  last.address = address;
  last.end = attempt_end::session_failed;
  last.error = composed_failure(phase::connect, failure_kind::local_error, "gave up on this address after 5 rounds", "gave_up");
  check.attempts.push_back(std::move(last));
  co_return address_end::next_address;
}

net::awaitable<prober::transaction_end> prober::transaction(session& sess, address_check& check, attempt& at,
                                                            slot& s, bool reused) {
  bool first_reply = true;  // a kept session that fails its first command had gone stale
  const auto stale_or = [&](transaction_end otherwise) {
    return reused && first_reply ? transaction_end::stale_session : otherwise;
  };
  const bool sender_utf8 = std::any_of(options_.mail_from.begin(), options_.mail_from.end(),
                                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  const bool needs_utf8 = check.recipient.utf8_local || sender_utf8;
  if (needs_utf8 && !sess.opening().capabilities_now.smtputf8) {
    at.end = attempt_end::smtputf8_missing;
    at.ended_at = phase::mail;
    set_note(at, "the address needs SMTPUTF8, which the server does not offer", make_phrase("reason.note_smtputf8"));
    co_return transaction_end::decided;
  }

  // [RSET,] MAIL, RCPT — pipelined when offered. A 530 "must issue STARTTLS first" upgrades
  // the session once and starts over.
  for (int round = 0; round < 2; ++round) {
    const auto upgrade = [&]() -> net::awaitable<bool> {
      const std::size_t before = sess.opening().transcript.size();
      const auto problem = co_await sess.upgrade_to_tls();
      at.opening = sess.opening();
      for (std::size_t i = before; i < sess.opening().transcript.size(); ++i) record(at, sess.opening().transcript[i]);
      if (problem) {
        at.error = problem;
        at.ended_at = problem->where;
        at.end = attempt_end::tls_failed;
        co_return false;
      }
      co_return true;
    };

    auto group = co_await sess.mail_transaction(sess.in_transaction(), options_.mail_from, needs_utf8, check.recipient);
    std::optional<exchange> rset, mail, rcpt;
    for (const auto& ex : group) {
      if (ex.step == phase::rset) rset = ex;
      if (ex.step == phase::mail) mail = ex;
      if (ex.step == phase::rcpt) rcpt = ex;
    }
    for (auto& ex : group) record(at, std::move(ex));

    if (rset) {
      const bool ok = rset->response && rset->response->klass() == 2;
      if (!ok) {
        if (reused) co_return transaction_end::stale_session;
        at.error = rset->error;
        at.refusal = rset->response;
        at.ended_at = phase::rset;
        at.end = rset->error ? end_for(*rset->error) : attempt_end::refused_temporarily;
        co_return transaction_end::next_address;
      }
      first_reply = false;
    }
    if (!mail || mail->error) {
      at.error = mail ? mail->error : composed_failure(phase::mail, failure_kind::local_error, "MAIL was not sent", "mail_not_sent");
      at.ended_at = phase::mail;
      at.end = end_for(*at.error);
      co_return stale_or(transaction_end::next_address);
    }
    const auto& mail_reply = mail->response;
    if (mail_reply->code == 421) {
      at.refusal = mail_reply;
      at.ended_at = phase::mail;
      at.end = attempt_end::refused_temporarily;
      co_return stale_or(transaction_end::next_address);
    }
    first_reply = false;
    if (mail_reply->klass() != 2) {
      const auto meaning = options_.classifier->classify(*mail_reply);
      at.refusal = mail_reply;
      at.ended_at = phase::mail;
      if (meaning.meaning == reply_meaning::requires_tls && round == 0 && !sess.tls_active()) {
        if (sess.mode() == tls_mode::off) {
          at.end = attempt_end::tls_demanded;
          co_return transaction_end::next_address;
        }
        if (!(co_await upgrade())) co_return transaction_end::next_address;
        at.refusal.reset();
        continue;
      }
      if (mail_reply->transient()) {
        at.end = attempt_end::refused_temporarily;
        set_note(at, "MAIL FROM was deferred; trying the next address", make_phrase("reason.note_mail_deferred"));
        co_return transaction_end::next_address;
      }
      // 5xx to MAIL: the server refuses the sender; a backup MX would not know better.
      at.end = attempt_end::refused_permanently;
      co_return transaction_end::decided;
    }

    if (!rcpt || rcpt->error) {
      at.error = rcpt ? rcpt->error : composed_failure(phase::rcpt, failure_kind::local_error, "RCPT was not sent", "rcpt_not_sent");
      at.ended_at = phase::rcpt;
      at.end = end_for(*at.error);
      co_return transaction_end::next_address;
    }
    const auto& rcpt_reply = rcpt->response;
    if (rcpt_reply->code == 421) {
      at.refusal = rcpt_reply;
      at.ended_at = phase::rcpt;
      at.end = attempt_end::refused_temporarily;
      co_return transaction_end::next_address;
    }
    const auto meaning = options_.classifier->classify(*rcpt_reply);
    if (meaning.meaning == reply_meaning::requires_tls && round == 0 && !sess.tls_active() &&
        sess.mode() != tls_mode::off) {
      if (!(co_await upgrade())) co_return transaction_end::next_address;
      continue;
    }
    if (meaning.meaning == reply_meaning::too_many_recipients && sess.rcpts_sent() > 1)
      co_return transaction_end::too_many_recipients;

    check.rcpt_reply = rcpt_reply;
    check.rcpt_meaning = meaning;
    at.end = attempt_end::rcpt_answered;
    at.ended_at = phase::rcpt;
    break;
  }
  if (!check.rcpt_reply) {
    // Only reachable when the server answered 530 again after the upgrade.
    at.end = attempt_end::tls_failed;
    co_return transaction_end::next_address;
  }

  const reply_meaning meaning = check.rcpt_meaning->meaning;
  if (options_.quirks) {
    if (auto quirk = options_.quirks->match(at.mx_host, *check.rcpt_reply, meaning)) {
      check.quirk = std::move(quirk);
      check.mailbox_exists = check.quirk->mailbox_exists;
    }
  }
  if (meaning == reply_meaning::greylisted) {
    check.greylisted = true;
    co_return transaction_end::greylisted;
  }
  if (meaning == reply_meaning::mailbox_unknown) {
    if (const auto cached = catch_all_cache_.find(check.recipient.domain); cached != catch_all_cache_.end()) {
      check.catch_all = cached->second;
      check.catch_all.from_cache = true;
    } else {
      // A refused real recipient already shows that the domain refuses unknown ones.
      catch_all_result learnt;
      learnt.state = catch_all_state::rejects_unknown;
      learnt.probe_address = check.recipient.address();
      learnt.response = check.rcpt_reply;
      learnt.reason = "learnt from the refusal of " + check.recipient.address();
      learnt.reason_phrase = make_phrase("reason.catch_all_learnt", {value("address", check.recipient.address())});
      remember_catch_all(check.recipient.domain, learnt);
      check.catch_all = std::move(learnt);
    }
  }
  if (meaning == reply_meaning::accepted && !check.quirk) {
    if (options_.catch_all_test)
      co_await test_catch_all(sess, check, at, s);
    else {
      check.catch_all.reason = "skipped (--no-catch-all)";
      check.catch_all.reason_phrase = make_phrase("reason.catch_all_skipped");
    }
    if (options_.quirks) {
      if (auto quirk = options_.quirks->match(at.mx_host, *check.rcpt_reply, meaning, check.catch_all.state)) {
        check.quirk = std::move(quirk);
        check.mailbox_exists = check.quirk->mailbox_exists;
      }
    }
  }
  co_return transaction_end::decided;
}

net::awaitable<void> prober::test_catch_all(session& sess, address_check& check, attempt& at, slot& s) {
  catch_all_result& result = check.catch_all;
  if (const auto cached = catch_all_cache_.find(check.recipient.domain); cached != catch_all_cache_.end()) {
    result = cached->second;
    result.from_cache = true;
    ++counters_.catch_all_cache_hits;
    co_return;
  }
  if (sess.rcpts_sent() + 1 > s.rcpt_limit) {
    result.reason = "the session reached its limit of recipients";
    result.reason_phrase = make_phrase("reason.catch_all_session_full");
    co_return;
  }
  mailbox probe_box;
  probe_box.local = random_local_part();
  probe_box.domain = check.recipient.domain;
  probe_box.domain_unicode = check.recipient.domain_unicode;
  result.probe_address = probe_box.address();

  auto group = co_await sess.mail_transaction(true, options_.mail_from, check.recipient.utf8_local, probe_box);
  std::optional<exchange> rset, mail, rcpt;
  for (const auto& ex : group) {
    if (ex.step == phase::rset) rset = ex;
    if (ex.step == phase::mail) mail = ex;
    if (ex.step == phase::rcpt) rcpt = ex;
  }
  for (auto& ex : group) record(at, std::move(ex));
  const auto describe = [](const std::optional<exchange>& ex) -> std::string {
    if (!ex) return "not sent";
    if (ex->error) return ex->error->describe();
    return ex->response ? quote_reply(*ex->response) : "";
  };
  const auto detail_value = [](const std::optional<exchange>& ex) {
    if (!ex) return part("detail", make_phrase("reason.not_sent"));
    if (ex->error) return part("detail", ex->error->describe_said());
    return value("detail", ex->response ? quote_reply(*ex->response) : "");
  };
  if (!rset || !rset->response || rset->response->klass() != 2) {
    result.state = catch_all_state::inconclusive;
    result.reason = "RSET failed: " + describe(rset);
    result.reason_phrase = make_phrase("reason.catch_all_rset_failed", {detail_value(rset)});
    co_return;
  }
  if (!mail || !mail->response || mail->response->klass() != 2) {
    result.state = catch_all_state::inconclusive;
    result.reason = "MAIL FROM for the test failed: " + describe(mail);
    result.reason_phrase = make_phrase("reason.catch_all_mail_failed", {detail_value(mail)});
    co_return;
  }
  if (!rcpt || rcpt->error || !rcpt->response) {
    result.state = catch_all_state::inconclusive;
    result.reason = "the test RCPT failed: " + describe(rcpt);
    result.reason_phrase = make_phrase("reason.catch_all_rcpt_failed", {detail_value(rcpt)});
    co_return;
  }
  result.response = rcpt->response;
  const auto meaning = options_.classifier->classify(*result.response);
  std::optional<quirk_match> quirk;
  if (options_.quirks) quirk = options_.quirks->match(at.mx_host, *result.response, meaning.meaning);
  if (meaning.meaning == reply_meaning::accepted) {
    result.state = catch_all_state::accepts_all;
    result.reason = "a random local part (" + result.probe_address + ") was accepted too";
    result.reason_phrase = make_phrase("reason.catch_all_accepted", {value("address", result.probe_address)});
  } else if ((result.response->permanent() && is_refusal_of_unknown(meaning.meaning)) ||
             (quirk && quirk->mailbox_exists == false)) {
    result.state = catch_all_state::rejects_unknown;
    result.reason = "a random local part was refused with " + quote_reply(*result.response);
    result.reason_phrase = make_phrase("reason.catch_all_refused", {value("reply", quote_reply(*result.response))});
  } else {
    result.state = catch_all_state::inconclusive;
    result.reason = "a random local part got " + quote_reply(*result.response) + " (" +
                    std::string(to_string(meaning.meaning)) + "), which proves nothing either way";
    result.reason_phrase = make_phrase("reason.catch_all_unclear", {value("reply", quote_reply(*result.response)),
                                                                     identifier("meaning", "reply_meaning", to_string(meaning.meaning))});
  }
  if (result.state != catch_all_state::inconclusive) remember_catch_all(check.recipient.domain, result);
}

void prober::remember_catch_all(const std::string& domain, const catch_all_result& result) {
  // A domain's recipients are checked close together (batch groups them): the last few
  // thousand domains are worth remembering, a million are not.
  constexpr std::size_t most_domains = 10000;
  const auto [it, inserted] = catch_all_cache_.insert_or_assign(domain, result);
  if (!inserted) return;
  catch_all_order_.push_back(domain);
  while (catch_all_cache_.size() > most_domains && !catch_all_order_.empty()) {
    catch_all_cache_.erase(catch_all_order_.front());
    catch_all_order_.pop_front();
  }
}

net::awaitable<void> prober::close() {
  std::vector<std::unique_ptr<session>> open;
  for (auto& [key, s] : slots_) {
    if (s->idle) open.push_back(std::move(s->idle));
    s->in_lru = false;
  }
  idle_lru_.clear();
  if (open.empty()) co_return;
  // QUIT them all at once: each has its own short timeout.
  std::size_t pending = open.size();
  net::steady_timer all_done(executor_, net::steady_timer::time_point::max());
  for (auto& sess : open) {
    net::co_spawn(
        executor_,
        [this, owned = std::move(sess), &pending, &all_done]() mutable -> net::awaitable<void> {
          co_await retire(std::move(owned), nullptr);
          if (--pending == 0) all_done.cancel();
        },
        net::detached);
  }
  if (pending > 0) (void)co_await all_done.async_wait(io);
}

}  // namespace smtp
