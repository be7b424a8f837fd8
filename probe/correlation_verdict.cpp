#include "probe/correlation_verdict.hpp"

#include <algorithm>

namespace probe::correlation {

std::string_view to_string(verdict v) {
  switch (v) {
    case verdict::transient: return "transient";
    case verdict::persistent: return "persistent";
    case verdict::changed: return "changed";
    case verdict::inconclusive: return "inconclusive";
  }
  return "inconclusive";
}

std::string_view to_string(rcpt_observation::outcome o) {
  using enum rcpt_observation::outcome;
  switch (o) {
    case accepted: return "accepted";
    case refused_mailbox: return "refused-mailbox";
    case refused_other: return "refused-other";
    case refused_us: return "refused-us";
    case deferred: return "deferred";
    case greylisted: return "greylisted";
    case unreachable_refused: return "unreachable-refused";
    case unreachable_timeout: return "unreachable-timeout";
    case port25_blocked: return "port25-blocked";
    case no_mail_domain: return "no-mail-domain";
    case dns_failure: return "dns-failure";
    case unverifiable: return "unverifiable";
    case error: return "error";
  }
  return "error";
}

namespace {

using rcpt_outcome = rcpt_observation::outcome;

outcome make(verdict v, std::string rule, std::string summary, std::string now = {}) {
  return outcome{v, std::move(rule), std::move(summary), std::move(now), {}};
}

std::string reply_text(const rcpt_observation& r) {
  if (!r.text.empty()) return r.text;
  if (r.code) return std::to_string(r.code) + (r.status.empty() ? "" : " " + r.status);
  return r.detail;
}

std::string where(const rcpt_observation& r) {
  if (r.host.empty()) return {};
  return " at " + r.host + (r.address.empty() ? "" : " [" + r.address + "]");
}

// What the RCPT probe found, when it could not decide anything: the reason it is
// inconclusive, in words.
std::string why_unchecked(const rcpt_observation& r) {
  switch (r.result) {
    case rcpt_outcome::refused_us:
      return "the server refused the prober itself (" + reply_text(r) + "), so the recipient could not be checked";
    case rcpt_outcome::deferred: return "the server deferred the probe (" + reply_text(r) + ")";
    case rcpt_outcome::greylisted:
      return "the server greylisted the probe (" + reply_text(r) + "); re-run with --greylist-wait 300";
    case rcpt_outcome::unreachable_timeout:
      return "every connection to the MX timed out: the servers may be down, or this network blocks outbound port 25 "
             "(common on clouds); re-run with --proxy";
    case rcpt_outcome::port25_blocked:
      return "outbound port 25 appears to be blocked on this network; re-run with --proxy socks5://host:port";
    case rcpt_outcome::dns_failure: return "the domain's MX could not be resolved now (" + r.detail + ")";
    case rcpt_outcome::unverifiable: return "the provider's RCPT answers cannot be trusted (" + r.detail + ")";
    case rcpt_outcome::error: return "the SMTP probe failed (" + r.detail + ")";
    default: return r.detail;
  }
}

outcome mailbox_rule(const plan& p, const observations& o) {
  if (!o.rcpt) return make(verdict::inconclusive, "mailbox: no RCPT probe", "the recipient could not be probed");
  const auto& r = *o.rcpt;
  switch (r.result) {
    case rcpt_outcome::accepted:
      if (r.catch_all)
        return make(verdict::inconclusive, "mailbox: accepted, but the domain accepts any address (catch-all)",
                    "the server accepts every address" + where(r) + ", so its 250 proves nothing about this mailbox");
      if (!r.catch_all_known)
        return make(verdict::inconclusive, "mailbox: accepted, catch-all test inconclusive",
                    "the server accepted the recipient" + where(r) +
                        ", but whether it accepts any address could not be learnt; not concluding");
      return make(verdict::transient, "mailbox: RCPT accepted and the domain refuses unknown addresses → transient",
                  "the server accepts " + p.recipient + " now" + where(r) + " (and refuses made-up addresses)");
    case rcpt_outcome::refused_mailbox:
      if (r.now_reason.empty() || r.now_reason == p.reason)
        return make(verdict::persistent, "mailbox: the same refusal now → persistent",
                    "the server still refuses " + p.recipient + where(r) + ": " + reply_text(r));
      return make(verdict::changed, "mailbox: refused now for another reason (" + r.now_reason + ") → changed",
                  "the bounce said " + p.reason + "; now the server says " + r.now_reason + where(r) + ": " + reply_text(r),
                  r.now_reason + ": " + reply_text(r));
    case rcpt_outcome::refused_other:
    case rcpt_outcome::no_mail_domain:
      return make(verdict::changed, "mailbox: fails now for another reason → changed",
                  "the bounce said " + p.reason + "; now: " + reply_text(r) + where(r),
                  (r.now_reason.empty() ? std::string(to_string(r.result)) : r.now_reason) + ": " + reply_text(r));
    case rcpt_outcome::unreachable_refused:
      return make(verdict::changed, "mailbox: no MX accepts connections now → changed",
                  "the bounce said " + p.reason + "; now no MX of " + p.domain + " accepts connections", "unreachable: " + r.detail);
    default:
      return make(verdict::inconclusive, "mailbox: the probe could not see the mailbox", why_unchecked(r));
  }
}

outcome domain_rule(const plan& p, const observations& o) {
  if (!o.route) return make(verdict::inconclusive, "domain: routing not checked", "the domain's routing could not be checked");
  const auto& route = *o.route;
  if (route.kind == "no-domain")
    return make(verdict::persistent, "domain: still NXDOMAIN → persistent", p.domain + " still does not exist (NXDOMAIN)");
  if (route.kind == "null-mx")
    return make(verdict::persistent, "domain: null MX → persistent", p.domain + " publishes a null MX: it accepts no mail");
  if (route.kind == "no-mail-host")
    return make(verdict::persistent, "domain: still no mail host → persistent",
                p.domain + " still has no MX and no address to deliver to");
  if (route.kind == "dns-failure")
    return make(verdict::inconclusive, "domain: DNS lookup failed now", "the DNS lookup of " + p.domain + " failed now: " + route.detail);
  // It routes now; does anything answer?
  if (!o.rcpt)
    return make(verdict::inconclusive, "domain: routes now, not probed", p.domain + " routes now, but the SMTP probe did not run");
  const auto& r = *o.rcpt;
  switch (r.result) {
    case rcpt_outcome::accepted:
    case rcpt_outcome::refused_us:
    case rcpt_outcome::deferred:
    case rcpt_outcome::greylisted:
    case rcpt_outcome::unverifiable:
      return make(verdict::transient, "domain: routes and an MX answers → transient",
                  p.domain + " resolves and its mail server answers now" + where(r) +
                      (r.result == rcpt_outcome::accepted ? "" : " (" + std::string(to_string(r.result)) + ": " + reply_text(r) + ")"));
    case rcpt_outcome::refused_mailbox:
    case rcpt_outcome::refused_other:
      return make(verdict::changed, "domain: routes now, but the recipient is refused → changed",
                  p.domain + " resolves now, but the server refuses the recipient" + where(r) + ": " + reply_text(r),
                  (r.now_reason.empty() ? std::string("refused") : r.now_reason) + ": " + reply_text(r));
    case rcpt_outcome::unreachable_refused:
      return make(verdict::changed, "domain: routes now, but no MX accepts connections → changed",
                  p.domain + " resolves now, but every MX refuses connections", "unreachable: " + r.detail);
    default:
      return make(verdict::inconclusive, "domain: routes now, the SMTP probe failed",
                  p.domain + " resolves now; " + why_unchecked(r));
  }
}

outcome connection_rule(const plan& p, const observations& o) {
  if (!o.rcpt) return make(verdict::inconclusive, "connection: not probed", "the MX could not be probed");
  const auto& r = *o.rcpt;
  switch (r.result) {
    case rcpt_outcome::accepted:
      return make(verdict::transient, "connection: an MX answers and accepts the recipient → transient",
                  "the mail server of " + p.domain + " answers again" + where(r) + " and accepts " + p.recipient +
                      (r.catch_all ? " (it accepts any address)" : ""));
    case rcpt_outcome::refused_us:
      return make(verdict::transient, "connection: an MX answers again (it refuses the prober) → transient",
                  "the mail server of " + p.domain + " answers again" + where(r) +
                      "; it refused the prober itself (" + reply_text(r) + "), which says nothing of the original sender");
    case rcpt_outcome::refused_mailbox:
    case rcpt_outcome::refused_other:
    case rcpt_outcome::deferred:
    case rcpt_outcome::greylisted:
      return make(verdict::changed, "connection: the host answers but refuses the recipient → changed",
                  "the server answers again" + where(r) + " but refuses " + p.recipient + ": " + reply_text(r),
                  (r.now_reason.empty() ? std::string(to_string(r.result)) : r.now_reason) + ": " + reply_text(r));
    case rcpt_outcome::unreachable_refused:
      return make(verdict::persistent, "connection: every MX address still refuses connections → persistent",
                  "no MX of " + p.domain + " accepts connections now (" + r.detail + ")");
    case rcpt_outcome::no_mail_domain:
      return make(verdict::changed, "connection: the domain accepts no mail now → changed",
                  p.domain + " now has no mail host (" + r.detail + ")", "no-mail-domain: " + r.detail);
    default:
      return make(verdict::inconclusive, "connection: not decidable from here", why_unchecked(r));
  }
}

const listing_observation* named_listing(const observations& o) {
  for (const auto& l : o.listings)
    if (l.named_by_bounce) return &l;
  return nullptr;
}

const listing_observation* first_block(const observations& o) {
  for (const auto& l : o.listings)
    if (l.result == listing_observation::state::listed && !l.allowlist) return &l;
  return nullptr;
}

outcome persistent_listing(const listing_observation& l, const std::string& ip) {
  auto out = make(verdict::persistent, "listing: still listed on " + l.zone + " → persistent",
                  ip + " is still listed on " + l.list + " (" + l.zone + ")" + (l.codes.empty() ? "" : ": " + l.codes) +
                      (l.removal_page.empty() ? "" : "; removal: " + l.removal_page));
  out.removal_page = l.removal_page;
  return out;
}

outcome listing_rule(const plan& p, const observations& o) {
  if (p.sending_ip.empty())
    return make(verdict::inconclusive, "listing: the sending IP is unknown",
                "the bounce does not say which IP sent the message; re-run with --ip ADDRESS");
  const auto* named = named_listing(o);
  const auto* blocking = first_block(o);
  using state = listing_observation::state;
  if (named) {
    switch (named->result) {
      case state::listed: return persistent_listing(*named, p.sending_ip);
      case state::not_listed:
        return make(verdict::transient, "listing: no longer listed on the named list → transient",
                    p.sending_ip + " is no longer listed on " + named->zone + " (delisted since the bounce)");
      case state::dead:
        if (blocking) return persistent_listing(*blocking, p.sending_ip);
        return make(verdict::inconclusive, "listing: the named list no longer exists",
                    "the bounce cites " + named->zone + ", a list that no longer exists" +
                        (named->dead_since.empty() ? "" : " (shut down " + named->dead_since + ")") +
                        "; the receiving server's configuration is out of date — ask its postmaster to remove it");
      default:
        if (blocking) return persistent_listing(*blocking, p.sending_ip);
        return make(verdict::inconclusive, "listing: the named list could not be checked",
                    "the listing on " + named->zone + " could not be checked now: " + named->detail);
    }
  }
  if (blocking) return persistent_listing(*blocking, p.sending_ip);
  const bool all_definite = !o.listings.empty() && std::all_of(o.listings.begin(), o.listings.end(), [](const auto& l) {
    return l.result == state::not_listed || l.result == state::dead || l.result == state::skipped;
  });
  return make(verdict::inconclusive, "listing: no public list names the IP",
              p.sending_ip + (all_definite ? " is on none of the public lists checked" : " could not be checked on every list") +
                  "; the receiver may use its own reputation data, which cannot be checked from outside");
}

outcome reverse_dns_rule(const plan& p, const observations& o) {
  std::vector<outcome> parts;
  if (p.reverse_dns) {
    if (!o.reverse_dns || !o.reverse_dns->known) {
      parts.push_back(make(verdict::inconclusive, "reverse DNS: lookup failed",
                           "the reverse DNS of " + p.sending_ip + " could not be checked now"));
    } else if (o.reverse_dns->ptr_names.empty()) {
      parts.push_back(make(verdict::persistent, "reverse DNS: still no PTR → persistent",
                           p.sending_ip + " still has no PTR record"));
    } else if (!o.reverse_dns->forward_confirmed) {
      parts.push_back(make(verdict::persistent, "reverse DNS: PTR does not resolve back → persistent",
                           p.sending_ip + " has PTR " + o.reverse_dns->ptr_names.front() +
                               ", which does not resolve back to it (not forward-confirmed)"));
    } else {
      parts.push_back(make(verdict::transient, "reverse DNS: PTR present and forward-confirmed → transient",
                           p.sending_ip + " now has PTR " + o.reverse_dns->ptr_names.front() + ", forward-confirmed" +
                               (o.reverse_dns->generic ? " (though it looks generic; some receivers still refuse such names)" : "")));
    }
  }
  if (p.sender_domain) {
    if (!o.sender_domain || !o.sender_domain->known)
      parts.push_back(make(verdict::inconclusive, "sender domain: lookup failed",
                           "the sender domain " + p.sender_domain_name + " could not be checked now"));
    else if (!o.sender_domain->resolves)
      parts.push_back(make(verdict::persistent, "sender domain: still unresolvable → persistent",
                           "the sender domain " + p.sender_domain_name + " still has no MX or address (" + o.sender_domain->detail + ")"));
    else
      parts.push_back(make(verdict::transient, "sender domain: resolves now → transient",
                           "the sender domain " + p.sender_domain_name + " resolves now (" + o.sender_domain->detail + ")"));
  }
  if (parts.empty())
    return make(verdict::inconclusive, "reverse DNS: nothing to check",
                "neither the sending IP nor the sender's domain is known; re-run with --ip ADDRESS");
  for (const auto& part : parts)
    if (part.result == verdict::persistent) return part;
  for (const auto& part : parts)
    if (part.result == verdict::inconclusive) return part;
  return parts.front();
}

outcome authentication_rule(const plan& p, const observations& o) {
  if (p.sending_ip.empty())
    return make(verdict::inconclusive, "authentication: the sending IP is unknown",
                "SPF cannot be evaluated without the sending IP; re-run with --ip ADDRESS");
  if (!o.spf) return make(verdict::inconclusive, "authentication: SPF not evaluated", "SPF could not be evaluated");
  const auto& spf = *o.spf;
  if (spf.result == "temperror")
    return make(verdict::inconclusive, "authentication: SPF temperror", "SPF of " + spf.domain + " could not be evaluated now: " + spf.problem);
  if (spf.result == "pass") {
    if (o.dmarc && o.dmarc->known && o.dmarc->has_record && !o.dmarc->spf_aligned)
      return make(verdict::persistent, "authentication: SPF passes but is not aligned with From (DMARC) → persistent",
                  "SPF passes for " + spf.domain + ", but that domain is not aligned with the From domain " + p.from_domain +
                      ", so DMARC still fails unless DKIM passes (" + o.dmarc->detail + ")");
    return make(verdict::transient, "authentication: SPF passes now → transient",
                "SPF of " + spf.domain + " passes for " + p.sending_ip + " now (" + spf.mechanism + ")");
  }
  return make(verdict::persistent, "authentication: SPF " + spf.result + " → persistent",
              "SPF of " + spf.domain + " still gives " + spf.result + " for " + p.sending_ip +
                  (spf.mechanism.empty() ? "" : " (" + spf.mechanism + ")") + (spf.problem.empty() ? "" : ": " + spf.problem));
}

outcome size_rule(const plan& p, const observations& o) {
  if (p.reason == "exceedlimit")
    return make(verdict::inconclusive, "size: the limit is not one EHLO shows",
                "the limit exceeded (recipients per message, rate...) is not advertised and cannot be checked without sending");
  if (!o.rcpt) return make(verdict::inconclusive, "size: not probed", "the server could not be probed");
  const auto& r = *o.rcpt;
  if (!r.size_advertised) {
    if (r.result == rcpt_outcome::accepted || r.result == rcpt_outcome::refused_us || r.result == rcpt_outcome::refused_mailbox)
      return make(verdict::inconclusive, "size: the server does not advertise SIZE",
                  "the server" + where(r) + " does not state its size limit in EHLO; it can only be learnt by sending");
    return make(verdict::inconclusive, "size: the server could not be reached", why_unchecked(r));
  }
  const std::string limit = r.size_limit ? std::to_string(r.size_limit) + " bytes" : "no stated limit";
  if (p.message_size) {
    if (r.size_limit == 0 || *p.message_size <= r.size_limit)
      return make(verdict::transient, "size: the message fits the SIZE advertised now → transient",
                  "the message (" + std::to_string(*p.message_size) + " bytes) fits the limit advertised now" + where(r) + " (" + limit + ")");
    return make(verdict::persistent, "size: still larger than the SIZE advertised now → persistent",
                "the message (" + std::to_string(*p.message_size) + " bytes) is still over the limit advertised" + where(r) + " (" + limit + ")");
  }
  if (p.stated_limit) {
    if (r.size_limit == 0 || r.size_limit > *p.stated_limit)
      return make(verdict::transient, "size: the limit grew since the bounce → transient",
                  "the limit" + where(r) + " is now " + limit + ", up from the " + std::to_string(*p.stated_limit) + " bytes the bounce stated");
    return make(verdict::persistent, "size: the limit is unchanged → persistent",
                "the limit" + where(r) + " is still " + limit + " (the bounce stated " + std::to_string(*p.stated_limit) + ")");
  }
  return make(verdict::inconclusive, "size: the message size is unknown",
              "the server now advertises " + limit + ", but the bounce gives neither the message's size nor the old limit");
}

outcome relaying_rule(const plan& p, const observations& o) {
  if (!o.route || (o.route->kind != "mx" && o.route->kind != "implicit-mx"))
    return make(verdict::inconclusive, "relaying: the domain's MX are unknown now",
                "the MX of " + p.domain + " could not be learnt now" + (o.route ? ": " + o.route->detail : ""));
  if (p.remote_host.empty() && p.remote_ip.empty())
    return make(verdict::inconclusive, "relaying: the refusing host is not named",
                "the bounce does not name the host that refused to relay");
  const auto& route = *o.route;
  const bool host_is_mx = !p.remote_host.empty() && std::find(route.hosts.begin(), route.hosts.end(), p.remote_host) != route.hosts.end();
  const bool ip_is_mx = !p.remote_ip.empty() && std::find(route.addresses.begin(), route.addresses.end(), p.remote_ip) != route.addresses.end();
  std::string mx_list;
  for (const auto& h : route.hosts) mx_list += (mx_list.empty() ? "" : ", ") + h;
  if (!host_is_mx && !ip_is_mx)
    return make(verdict::persistent, "relaying: the refusing host is not an MX of the domain → persistent",
                "the mail went to " + (p.remote_host.empty() ? p.remote_ip : p.remote_host) + ", which is not an MX of " +
                    p.domain + " (its MX are " + mx_list + "): the sender's routing (smarthost, transport map, stale DNS) is wrong");
  if (o.rcpt && o.rcpt->result == rcpt_outcome::accepted)
    return make(verdict::transient, "relaying: the MX accepts the recipient now → transient",
                (p.remote_host.empty() ? p.remote_ip : p.remote_host) + " is an MX of " + p.domain + " and accepts the recipient now");
  if (o.rcpt && o.rcpt->now_reason == "norelaying")
    return make(verdict::persistent, "relaying: the MX still refuses to relay → persistent",
                "the MX still refuses to relay for " + p.domain + ": " + reply_text(*o.rcpt) + " — the domain is missing from its accepted domains");
  return make(verdict::inconclusive, "relaying: the MX could not confirm", o.rcpt ? why_unchecked(*o.rcpt) : "the MX was not probed");
}

outcome rate_rule(const plan& p, const observations& o) {
  if (!o.rcpt) return make(verdict::inconclusive, "rate: not probed", "the server could not be probed");
  const auto& r = *o.rcpt;
  switch (r.result) {
    case rcpt_outcome::accepted:
      return make(verdict::transient, "rate: accepted now → transient",
                  "the server accepts " + p.recipient + " now" + where(r) + ": the limit or greylisting has passed");
    case rcpt_outcome::deferred:
    case rcpt_outcome::greylisted:
      return make(verdict::persistent, "rate: deferred again → persistent",
                  "the server defers again" + where(r) + " (" + reply_text(r) +
                      "); this kind of failure usually clears by itself as the sender's MTA retries");
    case rcpt_outcome::refused_mailbox:
    case rcpt_outcome::refused_other:
      return make(verdict::changed, "rate: refused now for another reason → changed",
                  "the bounce was a deferral (" + p.reason + "); now the server refuses" + where(r) + ": " + reply_text(r),
                  (r.now_reason.empty() ? std::string("refused") : r.now_reason) + ": " + reply_text(r));
    default:
      return make(verdict::inconclusive, "rate: the probe could not decide", why_unchecked(r));
  }
}

outcome content_rule(const plan& p, const observations& o) {
  std::string helps;
  if (const auto* l = first_block(o)) helps += " Meanwhile " + p.sending_ip + " is listed on " + l->zone + ".";
  if (o.spf && o.spf->result != "pass" && !o.spf->result.empty()) helps += " SPF of " + o.spf->domain + " gives " + o.spf->result + ".";
  if (o.reverse_dns && o.reverse_dns->known && (o.reverse_dns->ptr_names.empty() || !o.reverse_dns->forward_confirmed))
    helps += " The sending IP's reverse DNS is not forward-confirmed.";
  return make(verdict::inconclusive, "content: not verifiable without sending the message",
              "a " + p.reason + " refusal depends on the message itself, and probe never sends DATA; it cannot be checked from outside." + helps);
}

outcome other_rule(const plan& p, const observations& o) {
  std::string seen = o.rcpt ? " The recipient's server now says: " + std::string(to_string(o.rcpt->result)) +
                                  (reply_text(*o.rcpt).empty() ? "" : " (" + reply_text(*o.rcpt) + ")") + "."
                            : "";
  return make(verdict::inconclusive, "other: no live check decides this cause",
              "probe has no live check that decides a " + p.reason + " bounce." + seen);
}

}  // namespace

outcome compare(const plan& p, const observations& o) {
  switch (p.kind) {
    case cause::mailbox: return mailbox_rule(p, o);
    case cause::domain: return domain_rule(p, o);
    case cause::connection: return connection_rule(p, o);
    case cause::listing: return listing_rule(p, o);
    case cause::reverse_dns: return reverse_dns_rule(p, o);
    case cause::authentication: return authentication_rule(p, o);
    case cause::size: return size_rule(p, o);
    case cause::relaying: return relaying_rule(p, o);
    case cause::rate: return rate_rule(p, o);
    case cause::content: return content_rule(p, o);
    case cause::other: return other_rule(p, o);
  }
  return other_rule(p, o);
}

}  // namespace probe::correlation
