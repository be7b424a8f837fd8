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

// One sentence in each output language (--lang en|zh); the dynamic parts (names, replies,
// addresses) are the same in both.
struct words {
  std::string en, zh;
};

words operator+(words a, const words& b) { return {a.en + b.en, a.zh + b.zh}; }
words same(const std::string& both) { return {both, both}; }

// The rule is said in both languages too: --json prints the English one.
outcome make(verdict v, words rule, words summary, std::string now = {}) {
  return outcome{v,           std::move(rule.en), std::move(rule.zh), std::move(summary.en), std::move(summary.zh),
                 std::move(now), {}};
}

std::string reply_text(const rcpt_observation& r) {
  if (!r.text.empty()) return r.text;
  if (r.code) return std::to_string(r.code) + (r.status.empty() ? "" : " " + r.status);
  return r.detail;
}

// The prober's sentence in Chinese when correlation_run could say it (else its English).
const std::string& detail_zh(const rcpt_observation& r) { return r.detail_zh.empty() ? r.detail : r.detail_zh; }
// The server's reply as it came, or the prober's sentence in Chinese.
std::string reply_text_zh(const rcpt_observation& r) {
  if (!r.text.empty() || r.code) return reply_text(r);
  return detail_zh(r);
}
const std::string& detail_zh(const route_observation& r) { return r.detail_zh.empty() ? r.detail : r.detail_zh; }

// " at HOST [IP]" / "（HOST [IP]）": which server answered.
words where(const rcpt_observation& r) {
  if (r.host.empty()) return {};
  const std::string host = r.host + (r.address.empty() ? "" : " [" + r.address + "]");
  return {" at " + host, "（" + host + "）"};
}

// What the RCPT probe found, when it could not decide anything: the reason it is
// inconclusive, in words.
words why_unchecked(const rcpt_observation& r) {
  switch (r.result) {
    case rcpt_outcome::refused_us:
      return {"the server refused the prober itself (" + reply_text(r) + "), so the recipient could not be checked",
              "服务器拒绝了探测方本身（" + reply_text_zh(r) + "），因此无法检查该收件人"};
    case rcpt_outcome::deferred:
      return {"the server deferred the probe (" + reply_text(r) + ")", "服务器暂缓了这次探测（" + reply_text_zh(r) + "）"};
    case rcpt_outcome::greylisted:
      return {"the server greylisted the probe (" + reply_text(r) + "); re-run with --greylist-wait 300",
              "服务器对探测启用了灰名单（" + reply_text_zh(r) + "）；请加 --greylist-wait 300 重试"};
    case rcpt_outcome::unreachable_timeout:
      return {"every connection to the MX timed out: the servers may be down, or this network blocks outbound port 25 "
              "(common on clouds); re-run with --proxy",
              "连接所有 MX 均超时：对方服务器可能宕机，或本机所在网络封锁了出站 25 端口（云主机常见）；请用 --proxy 重试"};
    case rcpt_outcome::port25_blocked:
      return {"outbound port 25 appears to be blocked on this network; re-run with --proxy socks5://host:port",
              "本机所在网络似乎封锁了出站 25 端口；请用 --proxy socks5://主机:端口 重试"};
    case rcpt_outcome::dns_failure:
      return {"the domain's MX could not be resolved now (" + r.detail + ")", "现在无法解析该域名的 MX（" + detail_zh(r) + "）"};
    case rcpt_outcome::unverifiable:
      return {"the provider's RCPT answers cannot be trusted (" + r.detail + ")",
              "该邮件服务商对 RCPT 的回答不可信（" + detail_zh(r) + "）"};
    case rcpt_outcome::error: return {"the SMTP probe failed (" + r.detail + ")", "SMTP 探测失败（" + detail_zh(r) + "）"};
    default: return {r.detail, "探测无法判定：" + detail_zh(r)};
  }
}

outcome mailbox_rule(const plan& p, const observations& o) {
  if (!o.rcpt)
    return make(verdict::inconclusive, {"mailbox: no RCPT probe", "邮箱：没有进行 RCPT 探测"}, {"the recipient could not be probed", "无法探测该收件人"});
  const auto& r = *o.rcpt;
  const words at = where(r);
  switch (r.result) {
    case rcpt_outcome::accepted:
      if (r.catch_all)
        return make(verdict::inconclusive, {"mailbox: accepted, but the domain accepts any address (catch-all)", "邮箱：已接受，但该域名接受任何地址（全收）"},
                    {"the server accepts every address" + at.en + ", so its 250 proves nothing about this mailbox",
                     "服务器" + at.zh + "接受任何地址（全收），所以它的 250 不能证明这个邮箱存在"});
      if (!r.catch_all_known)
        return make(verdict::inconclusive, {"mailbox: accepted, catch-all test inconclusive", "邮箱：已接受，全收测试没有结论"},
                    {"the server accepted the recipient" + at.en +
                         ", but whether it accepts any address could not be learnt; not concluding",
                     "服务器" + at.zh + "接受了该收件人，但无法确定它是否接受任何地址；不下结论"});
      return make(verdict::transient, {"mailbox: RCPT accepted and the domain refuses unknown addresses → transient", "邮箱：RCPT 被接受，且该域名拒收不存在的地址 → 已恢复"},
                  {"the server accepts " + p.recipient + " now" + at.en + " (and refuses made-up addresses)",
                   "服务器" + at.zh + "现在接受 " + p.recipient + "（并拒收随意编造的地址）"});
    case rcpt_outcome::refused_mailbox:
      if (r.now_reason.empty() || r.now_reason == p.reason)
        return make(verdict::persistent, {"mailbox: the same refusal now → persistent", "邮箱：现在仍是同样的拒收 → 仍存在"},
                    {"the server still refuses " + p.recipient + at.en + ": " + reply_text(r),
                     "服务器" + at.zh + "仍然拒收 " + p.recipient + "：" + reply_text_zh(r)});
      return make(verdict::changed, {"mailbox: refused now for another reason (" + r.now_reason + ") → changed", "邮箱：现在因其他原因（" + r.now_reason + "）被拒收 → 已变为另一原因"},
                  {"the bounce said " + p.reason + "; now the server says " + r.now_reason + at.en + ": " + reply_text(r),
                   "退信原因是 " + p.reason + "；现在服务器" + at.zh + "给出的是 " + r.now_reason + "：" + reply_text_zh(r)},
                  r.now_reason + ": " + reply_text(r));
    case rcpt_outcome::refused_other:
    case rcpt_outcome::no_mail_domain:
      return make(verdict::changed, {"mailbox: fails now for another reason → changed", "邮箱：现在因其他原因失败 → 已变为另一原因"},
                  {"the bounce said " + p.reason + "; now: " + reply_text(r) + at.en,
                   "退信原因是 " + p.reason + "；现在" + at.zh + "：" + reply_text_zh(r)},
                  (r.now_reason.empty() ? std::string(to_string(r.result)) : r.now_reason) + ": " + reply_text(r));
    case rcpt_outcome::unreachable_refused:
      return make(verdict::changed, {"mailbox: no MX accepts connections now → changed", "邮箱：现在没有 MX 接受连接 → 已变为另一原因"},
                  {"the bounce said " + p.reason + "; now no MX of " + p.domain + " accepts connections",
                   "退信原因是 " + p.reason + "；现在 " + p.domain + " 的所有 MX 都拒绝连接"},
                  "unreachable: " + r.detail);
    default:
      return make(verdict::inconclusive, {"mailbox: the probe could not see the mailbox", "邮箱：探测无法看到该邮箱"}, why_unchecked(r));
  }
}

outcome domain_rule(const plan& p, const observations& o) {
  if (!o.route)
    return make(verdict::inconclusive, {"domain: routing not checked", "域名：未检查路由"},
                {"the domain's routing could not be checked", "无法检查该域名的邮件路由"});
  const auto& route = *o.route;
  if (route.kind == "no-domain")
    return make(verdict::persistent, {"domain: still NXDOMAIN → persistent", "域名：仍然是 NXDOMAIN → 仍存在"},
                {p.domain + " still does not exist (NXDOMAIN)", p.domain + " 仍然不存在（NXDOMAIN）"});
  if (route.kind == "null-mx")
    return make(verdict::persistent, {"domain: null MX → persistent", "域名：空 MX → 仍存在"},
                {p.domain + " publishes a null MX: it accepts no mail", p.domain + " 发布了空 MX（null MX）：它不接收任何邮件"});
  if (route.kind == "no-mail-host")
    return make(verdict::persistent, {"domain: still no mail host → persistent", "域名：仍然没有邮件主机 → 仍存在"},
                {p.domain + " still has no MX and no address to deliver to", p.domain + " 仍然没有 MX，也没有可投递的地址"});
  if (route.kind == "dns-failure")
    return make(verdict::inconclusive, {"domain: DNS lookup failed now", "域名：现在 DNS 查询失败"},
                {"the DNS lookup of " + p.domain + " failed now: " + route.detail,
                 "现在查询 " + p.domain + " 的 DNS 失败：" + detail_zh(route)});
  // It routes now; does anything answer?
  if (!o.rcpt)
    return make(verdict::inconclusive, {"domain: routes now, not probed", "域名：现在可以路由，未探测"},
                {p.domain + " routes now, but the SMTP probe did not run", p.domain + " 现在可以路由，但没有进行 SMTP 探测"});
  const auto& r = *o.rcpt;
  const words at = where(r);
  switch (r.result) {
    case rcpt_outcome::accepted:
    case rcpt_outcome::refused_us:
    case rcpt_outcome::deferred:
    case rcpt_outcome::greylisted:
    case rcpt_outcome::unverifiable: {
      const std::string how =
          r.result == rcpt_outcome::accepted ? "" : std::string(to_string(r.result)) + ": " + reply_text(r);
      return make(verdict::transient, {"domain: routes and an MX answers → transient", "域名：可以路由，且有 MX 响应 → 已恢复"},
                  {p.domain + " resolves and its mail server answers now" + at.en + (how.empty() ? "" : " (" + how + ")"),
                   p.domain + " 现在可以解析，其邮件服务器" + at.zh + "也有响应" + (how.empty() ? "" : "（" + how + "）")});
    }
    case rcpt_outcome::refused_mailbox:
    case rcpt_outcome::refused_other:
      return make(verdict::changed, {"domain: routes now, but the recipient is refused → changed", "域名：现在可以路由，但收件人被拒收 → 已变为另一原因"},
                  {p.domain + " resolves now, but the server refuses the recipient" + at.en + ": " + reply_text(r),
                   p.domain + " 现在可以解析，但服务器" + at.zh + "拒收该收件人：" + reply_text_zh(r)},
                  (r.now_reason.empty() ? std::string("refused") : r.now_reason) + ": " + reply_text(r));
    case rcpt_outcome::unreachable_refused:
      return make(verdict::changed, {"domain: routes now, but no MX accepts connections → changed", "域名：现在可以路由，但没有 MX 接受连接 → 已变为另一原因"},
                  {p.domain + " resolves now, but every MX refuses connections",
                   p.domain + " 现在可以解析，但所有 MX 都拒绝连接"},
                  "unreachable: " + r.detail);
    default:
      return make(verdict::inconclusive, {"domain: routes now, the SMTP probe failed", "域名：现在可以路由，SMTP 探测失败"},
                  words{p.domain + " resolves now; ", p.domain + " 现在可以解析；"} + why_unchecked(r));
  }
}

outcome connection_rule(const plan& p, const observations& o) {
  if (!o.rcpt) return make(verdict::inconclusive, {"connection: not probed", "连接：未探测"}, {"the MX could not be probed", "无法探测 MX"});
  const auto& r = *o.rcpt;
  const words at = where(r);
  switch (r.result) {
    case rcpt_outcome::accepted:
      return make(verdict::transient, {"connection: an MX answers and accepts the recipient → transient", "连接：有 MX 响应并接受该收件人 → 已恢复"},
                  {"the mail server of " + p.domain + " answers again" + at.en + " and accepts " + p.recipient +
                       (r.catch_all ? " (it accepts any address)" : ""),
                   p.domain + " 的邮件服务器" + at.zh + "已恢复响应，并接受 " + p.recipient +
                       (r.catch_all ? "（它接受任何地址）" : "")});
    case rcpt_outcome::refused_us:
      return make(verdict::transient, {"connection: an MX answers again (it refuses the prober) → transient", "连接：MX 已恢复响应（它拒绝的是探测方） → 已恢复"},
                  {"the mail server of " + p.domain + " answers again" + at.en + "; it refused the prober itself (" +
                       reply_text(r) + "), which says nothing of the original sender",
                   p.domain + " 的邮件服务器" + at.zh + "已恢复响应；它拒绝的是探测方本身（" + reply_text_zh(r) +
                       "），与原发信方无关"});
    case rcpt_outcome::refused_mailbox:
    case rcpt_outcome::refused_other:
    case rcpt_outcome::deferred:
    case rcpt_outcome::greylisted:
      return make(verdict::changed, {"connection: the host answers but refuses the recipient → changed", "连接：主机有响应但拒收该收件人 → 已变为另一原因"},
                  {"the server answers again" + at.en + " but refuses " + p.recipient + ": " + reply_text(r),
                   "服务器" + at.zh + "已恢复响应，但拒收 " + p.recipient + "：" + reply_text_zh(r)},
                  (r.now_reason.empty() ? std::string(to_string(r.result)) : r.now_reason) + ": " + reply_text(r));
    case rcpt_outcome::unreachable_refused:
      return make(verdict::persistent, {"connection: every MX address still refuses connections → persistent", "连接：每个 MX 地址仍拒绝连接 → 仍存在"},
                  {"no MX of " + p.domain + " accepts connections now (" + r.detail + ")",
                   p.domain + " 的所有 MX 现在仍拒绝连接（" + detail_zh(r) + "）"});
    case rcpt_outcome::no_mail_domain:
      return make(verdict::changed, {"connection: the domain accepts no mail now → changed", "连接：该域名现在不接收邮件 → 已变为另一原因"},
                  {p.domain + " now has no mail host (" + r.detail + ")", p.domain + " 现在没有邮件主机（" + detail_zh(r) + "）"},
                  "no-mail-domain: " + r.detail);
    default:
      return make(verdict::inconclusive, {"connection: not decidable from here", "连接：从这里无法判定"}, why_unchecked(r));
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
  const std::string codes = l.codes.empty() ? "" : ": " + l.codes;
  const std::string codes_zh = l.codes_zh.empty() ? codes : "：" + l.codes_zh;
  auto out = make(verdict::persistent, {"listing: still listed on " + l.zone + " → persistent", "黑名单：仍在 " + l.zone + " 中 → 仍存在"},
                  {ip + " is still listed on " + l.list + " (" + l.zone + ")" + codes +
                       (l.removal_page.empty() ? "" : "; removal: " + l.removal_page),
                   ip + " 仍在 " + l.list + "（" + l.zone + "）黑名单中" + codes_zh +
                       (l.removal_page.empty() ? "" : "；移除申请：" + l.removal_page)});
  out.removal_page = l.removal_page;
  return out;
}

outcome listing_rule(const plan& p, const observations& o) {
  if (p.sending_ip.empty())
    return make(verdict::inconclusive, {"listing: the sending IP is unknown", "黑名单：发信 IP 未知"},
                {"the bounce does not say which IP sent the message; re-run with --ip ADDRESS",
                 "退信没有说明是哪个 IP 发出的邮件；请加 --ip 地址 重试"});
  const auto* named = named_listing(o);
  const auto* blocking = first_block(o);
  using state = listing_observation::state;
  if (named) {
    switch (named->result) {
      case state::listed: return persistent_listing(*named, p.sending_ip);
      case state::not_listed:
        return make(verdict::transient, {"listing: no longer listed on the named list → transient", "黑名单：已不在退信所指的列表中 → 已恢复"},
                    {p.sending_ip + " is no longer listed on " + named->zone + " (delisted since the bounce)",
                     p.sending_ip + " 已不在 " + named->zone + " 中（退信之后已被移除）"});
      case state::dead:
        if (blocking) return persistent_listing(*blocking, p.sending_ip);
        return make(verdict::inconclusive, {"listing: the named list no longer exists", "黑名单：退信所指的列表已不存在"},
                    {"the bounce cites " + named->zone + ", a list that no longer exists" +
                         (named->dead_since.empty() ? "" : " (shut down " + named->dead_since + ")") +
                         "; the receiving server's configuration is out of date — ask its postmaster to remove it",
                     "退信引用的 " + named->zone + " 已经不存在" +
                         (named->dead_since.empty() ? "" : "（" + named->dead_since + " 关闭）") +
                         "；对方服务器的配置已过时，请联系其管理员删除该黑名单"});
      default:
        if (blocking) return persistent_listing(*blocking, p.sending_ip);
        return make(verdict::inconclusive, {"listing: the named list could not be checked", "黑名单：无法查询退信所指的列表"},
                    {"the listing on " + named->zone + " could not be checked now: " + named->detail,
                     "现在无法查询 " + named->zone + "：" + (named->detail_zh.empty() ? named->detail : named->detail_zh)});
    }
  }
  if (blocking) return persistent_listing(*blocking, p.sending_ip);
  const bool all_definite = !o.listings.empty() && std::all_of(o.listings.begin(), o.listings.end(), [](const auto& l) {
    return l.result == state::not_listed || l.result == state::dead || l.result == state::skipped;
  });
  return make(verdict::inconclusive, {"listing: no public list names the IP", "黑名单：没有公共列表列入该 IP"},
              {p.sending_ip + (all_definite ? " is on none of the public lists checked" : " could not be checked on every list") +
                   "; the receiver may use its own reputation data, which cannot be checked from outside",
               p.sending_ip + (all_definite ? " 不在所查的任何公共黑名单中" : " 未能在所有黑名单上查询") +
                   "；对方可能使用自己的信誉数据，无法从外部检查"});
}

outcome reverse_dns_rule(const plan& p, const observations& o) {
  std::vector<outcome> parts;
  if (p.reverse_dns) {
    if (!o.reverse_dns || !o.reverse_dns->known) {
      parts.push_back(make(verdict::inconclusive, {"reverse DNS: lookup failed", "反向解析：查询失败"},
                           {"the reverse DNS of " + p.sending_ip + " could not be checked now",
                            "现在无法查询 " + p.sending_ip + " 的反向解析"}));
    } else if (o.reverse_dns->ptr_names.empty()) {
      parts.push_back(make(verdict::persistent, {"reverse DNS: still no PTR → persistent", "反向解析：仍然没有 PTR → 仍存在"},
                           {p.sending_ip + " still has no PTR record", p.sending_ip + " 仍然没有 PTR 记录"}));
    } else if (!o.reverse_dns->forward_confirmed) {
      const std::string& name = o.reverse_dns->ptr_names.front();
      parts.push_back(make(verdict::persistent, {"reverse DNS: PTR does not resolve back → persistent", "反向解析：PTR 不能正向解析回该 IP → 仍存在"},
                           {p.sending_ip + " has PTR " + name + ", which does not resolve back to it (not forward-confirmed)",
                            p.sending_ip + " 的 PTR 是 " + name + "，但该名称不能正向解析回这个 IP（正反向不一致）"}));
    } else {
      const std::string& name = o.reverse_dns->ptr_names.front();
      parts.push_back(make(verdict::transient, {"reverse DNS: PTR present and forward-confirmed → transient", "反向解析：已有 PTR 且正反向一致 → 已恢复"},
                           {p.sending_ip + " now has PTR " + name + ", forward-confirmed" +
                                (o.reverse_dns->generic ? " (though it looks generic; some receivers still refuse such names)" : ""),
                            p.sending_ip + " 现在有 PTR " + name + "，且正反向一致" +
                                (o.reverse_dns->generic ? "（但看起来像通用名称，部分收信方仍会拒收）" : "")}));
    }
  }
  if (p.sender_domain) {
    const std::string& domain = p.sender_domain_name;
    const std::string& sender_detail_zh = !o.sender_domain || o.sender_domain->detail_zh.empty()
                                              ? (o.sender_domain ? o.sender_domain->detail : p.sender_domain_name)
                                              : o.sender_domain->detail_zh;
    if (!o.sender_domain || !o.sender_domain->known)
      parts.push_back(make(verdict::inconclusive, {"sender domain: lookup failed", "发件域名：查询失败"},
                           {"the sender domain " + domain + " could not be checked now", "现在无法检查发件域名 " + domain}));
    else if (!o.sender_domain->resolves)
      parts.push_back(make(verdict::persistent, {"sender domain: still unresolvable → persistent", "发件域名：仍然无法解析 → 仍存在"},
                           {"the sender domain " + domain + " still has no MX or address (" + o.sender_domain->detail + ")",
                            "发件域名 " + domain + " 仍然没有 MX 或地址记录（" + sender_detail_zh + "）"}));
    else
      parts.push_back(make(verdict::transient, {"sender domain: resolves now → transient", "发件域名：现在可以解析 → 已恢复"},
                           {"the sender domain " + domain + " resolves now (" + o.sender_domain->detail + ")",
                            "发件域名 " + domain + " 现在可以解析（" + sender_detail_zh + "）"}));
  }
  if (parts.empty())
    return make(verdict::inconclusive, {"reverse DNS: nothing to check", "反向解析：没有可检查的内容"},
                {"neither the sending IP nor the sender's domain is known; re-run with --ip ADDRESS",
                 "发信 IP 和发件域名都不知道；请加 --ip 地址 重试"});
  for (const auto& part : parts)
    if (part.result == verdict::persistent) return part;
  for (const auto& part : parts)
    if (part.result == verdict::inconclusive) return part;
  return parts.front();
}

outcome authentication_rule(const plan& p, const observations& o) {
  if (p.sending_ip.empty())
    return make(verdict::inconclusive, {"authentication: the sending IP is unknown", "身份认证：发信 IP 未知"},
                {"SPF cannot be evaluated without the sending IP; re-run with --ip ADDRESS",
                 "不知道发信 IP 就无法评估 SPF；请加 --ip 地址 重试"});
  if (!o.spf)
    return make(verdict::inconclusive, {"authentication: SPF not evaluated", "身份认证：未评估 SPF"}, {"SPF could not be evaluated", "无法评估 SPF"});
  const auto& spf = *o.spf;
  if (spf.result == "temperror")
    return make(verdict::inconclusive, {"authentication: SPF temperror", "身份认证：SPF 临时错误（temperror）"},
                {"SPF of " + spf.domain + " could not be evaluated now: " + spf.problem,
                 "现在无法评估 " + spf.domain + " 的 SPF：" + spf.problem});
  if (spf.result == "pass") {
    if (o.dmarc && o.dmarc->known && o.dmarc->has_record && !o.dmarc->spf_aligned)
      return make(verdict::persistent, {"authentication: SPF passes but is not aligned with From (DMARC) → persistent", "身份认证：SPF 通过，但与 From 不对齐（DMARC） → 仍存在"},
                  {"SPF passes for " + spf.domain + ", but that domain is not aligned with the From domain " + p.from_domain +
                       ", so DMARC still fails unless DKIM passes (" + o.dmarc->detail + ")",
                   spf.domain + " 的 SPF 通过，但该域名与发件人（From）域名 " + p.from_domain +
                       " 不对齐，除非 DKIM 通过，DMARC 仍会失败（" + o.dmarc->detail + "）"});
    return make(verdict::transient, {"authentication: SPF passes now → transient", "身份认证：SPF 现在通过 → 已恢复"},
                {"SPF of " + spf.domain + " passes for " + p.sending_ip + " now (" + spf.mechanism + ")",
                 spf.domain + " 的 SPF 现在对 " + p.sending_ip + " 通过（" + spf.mechanism + "）"});
  }
  const std::string mechanism = spf.mechanism.empty() ? "" : " (" + spf.mechanism + ")";
  const std::string problem = spf.problem.empty() ? "" : ": " + spf.problem;
  return make(verdict::persistent, {"authentication: SPF " + spf.result + " → persistent", "身份认证：SPF 结果为 " + spf.result + " → 仍存在"},
              {"SPF of " + spf.domain + " still gives " + spf.result + " for " + p.sending_ip + mechanism + problem,
               spf.domain + " 的 SPF 对 " + p.sending_ip + " 仍然是 " + spf.result + mechanism + problem});
}

outcome size_rule(const plan& p, const observations& o) {
  if (p.reason == "exceedlimit")
    return make(verdict::inconclusive, {"size: the limit is not one EHLO shows", "邮件大小：该限制不是 EHLO 能显示的"},
                {"the limit exceeded (recipients per message, rate...) is not advertised and cannot be checked without sending",
                 "超出的限制（每封收件人数、频率等）不会在 EHLO 中公布，不实际发信就无法检查"});
  if (!o.rcpt) return make(verdict::inconclusive, {"size: not probed", "邮件大小：未探测"}, {"the server could not be probed", "无法探测该服务器"});
  const auto& r = *o.rcpt;
  const words at = where(r);
  if (!r.size_advertised) {
    if (r.result == rcpt_outcome::accepted || r.result == rcpt_outcome::refused_us || r.result == rcpt_outcome::refused_mailbox)
      return make(verdict::inconclusive, {"size: the server does not advertise SIZE", "邮件大小：服务器未声明 SIZE"},
                  {"the server" + at.en + " does not state its size limit in EHLO; it can only be learnt by sending",
                   "服务器" + at.zh + "没有在 EHLO 中声明大小限制；只有实际发信才能知道"});
    return make(verdict::inconclusive, {"size: the server could not be reached", "邮件大小：无法连接服务器"}, why_unchecked(r));
  }
  const words limit = r.size_limit ? same(std::to_string(r.size_limit)) + words{" bytes", " 字节"}
                                   : words{"no stated limit", "未声明限制"};
  if (p.message_size) {
    const std::string size = std::to_string(*p.message_size);
    if (r.size_limit == 0 || *p.message_size <= r.size_limit)
      return make(verdict::transient, {"size: the message fits the SIZE advertised now → transient", "邮件大小：邮件未超过现在声明的 SIZE → 已恢复"},
                  {"the message (" + size + " bytes) fits the limit advertised now" + at.en + " (" + limit.en + ")",
                   "邮件（" + size + " 字节）在服务器" + at.zh + "现在声明的限制之内（" + limit.zh + "）"});
    return make(verdict::persistent, {"size: still larger than the SIZE advertised now → persistent", "邮件大小：仍然超过现在声明的 SIZE → 仍存在"},
                {"the message (" + size + " bytes) is still over the limit advertised" + at.en + " (" + limit.en + ")",
                 "邮件（" + size + " 字节）仍然超过服务器" + at.zh + "声明的限制（" + limit.zh + "）"});
  }
  if (p.stated_limit) {
    const std::string before = std::to_string(*p.stated_limit);
    if (r.size_limit == 0 || r.size_limit > *p.stated_limit)
      return make(verdict::transient, {"size: the limit grew since the bounce → transient", "邮件大小：退信之后限制已调大 → 已恢复"},
                  {"the limit" + at.en + " is now " + limit.en + ", up from the " + before + " bytes the bounce stated",
                   "服务器" + at.zh + "的限制现在是 " + limit.zh + "，比退信所述的 " + before + " 字节大"});
    return make(verdict::persistent, {"size: the limit is unchanged → persistent", "邮件大小：限制没有变化 → 仍存在"},
                {"the limit" + at.en + " is still " + limit.en + " (the bounce stated " + before + ")",
                 "服务器" + at.zh + "的限制仍然是 " + limit.zh + "（退信所述为 " + before + "）"});
  }
  return make(verdict::inconclusive, {"size: the message size is unknown", "邮件大小：邮件大小未知"},
              {"the server now advertises " + limit.en + ", but the bounce gives neither the message's size nor the old limit",
               "服务器现在声明 " + limit.zh + "，但退信既没有给出邮件大小，也没有给出原来的限制"});
}

outcome relaying_rule(const plan& p, const observations& o) {
  if (!o.route || (o.route->kind != "mx" && o.route->kind != "implicit-mx"))
    return make(verdict::inconclusive, {"relaying: the domain's MX are unknown now", "转发：现在无法得知该域名的 MX"},
                {"the MX of " + p.domain + " could not be learnt now" + (o.route ? ": " + o.route->detail : ""),
                 "现在无法获知 " + p.domain + " 的 MX" + (o.route ? "：" + o.route->detail : "")});
  if (p.remote_host.empty() && p.remote_ip.empty())
    return make(verdict::inconclusive, {"relaying: the refusing host is not named", "转发：退信没有指明拒收的主机"},
                {"the bounce does not name the host that refused to relay", "退信没有指明拒绝转发的主机"});
  const auto& route = *o.route;
  const bool host_is_mx = !p.remote_host.empty() && std::find(route.hosts.begin(), route.hosts.end(), p.remote_host) != route.hosts.end();
  const bool ip_is_mx = !p.remote_ip.empty() && std::find(route.addresses.begin(), route.addresses.end(), p.remote_ip) != route.addresses.end();
  std::string mx_list;
  for (const auto& h : route.hosts) mx_list += (mx_list.empty() ? "" : ", ") + h;
  const std::string refusing = p.remote_host.empty() ? p.remote_ip : p.remote_host;
  if (!host_is_mx && !ip_is_mx)
    return make(verdict::persistent, {"relaying: the refusing host is not an MX of the domain → persistent", "转发：拒收的主机不是该域名的 MX → 仍存在"},
                {"the mail went to " + refusing + ", which is not an MX of " + p.domain + " (its MX are " + mx_list +
                     "): the sender's routing (smarthost, transport map, stale DNS) is wrong",
                 "邮件被送到了 " + refusing + "，它不是 " + p.domain + " 的 MX（其 MX 为 " + mx_list +
                     "）：发信方的路由（中继主机、transport 映射、过期的 DNS）有误"});
  if (o.rcpt && o.rcpt->result == rcpt_outcome::accepted)
    return make(verdict::transient, {"relaying: the MX accepts the recipient now → transient", "转发：MX 现在接受该收件人 → 已恢复"},
                {refusing + " is an MX of " + p.domain + " and accepts the recipient now",
                 refusing + " 是 " + p.domain + " 的 MX，现在接受该收件人"});
  if (o.rcpt && o.rcpt->now_reason == "norelaying")
    return make(verdict::persistent, {"relaying: the MX still refuses to relay → persistent", "转发：MX 仍拒绝转发 → 仍存在"},
                {"the MX still refuses to relay for " + p.domain + ": " + reply_text(*o.rcpt) +
                     " — the domain is missing from its accepted domains",
                 "该 MX 仍拒绝为 " + p.domain + " 转发：" + reply_text(*o.rcpt) + "——它的接收域名列表中缺少该域名"});
  return make(verdict::inconclusive, {"relaying: the MX could not confirm", "转发：MX 无法确认"},
              o.rcpt ? why_unchecked(*o.rcpt) : words{"the MX was not probed", "没有探测该 MX"});
}

outcome rate_rule(const plan& p, const observations& o) {
  if (!o.rcpt) return make(verdict::inconclusive, {"rate: not probed", "频率限制：未探测"}, {"the server could not be probed", "无法探测该服务器"});
  const auto& r = *o.rcpt;
  const words at = where(r);
  switch (r.result) {
    case rcpt_outcome::accepted:
      return make(verdict::transient, {"rate: accepted now → transient", "频率限制：现在被接受 → 已恢复"},
                  {"the server accepts " + p.recipient + " now" + at.en + ": the limit or greylisting has passed",
                   "服务器" + at.zh + "现在接受 " + p.recipient + "：频率限制或灰名单已经过去"});
    case rcpt_outcome::deferred:
    case rcpt_outcome::greylisted:
      return make(verdict::persistent, {"rate: deferred again → persistent", "频率限制：再次被暂缓 → 仍存在"},
                  {"the server defers again" + at.en + " (" + reply_text(r) +
                       "); this kind of failure usually clears by itself as the sender's MTA retries",
                   "服务器" + at.zh + "再次暂缓（" + reply_text_zh(r) + "）；这类失败通常会在发信服务器重试时自行消除"});
    case rcpt_outcome::refused_mailbox:
    case rcpt_outcome::refused_other:
      return make(verdict::changed, {"rate: refused now for another reason → changed", "频率限制：现在因其他原因被拒 → 已变为另一原因"},
                  {"the bounce was a deferral (" + p.reason + "); now the server refuses" + at.en + ": " + reply_text(r),
                   "退信是暂缓（" + p.reason + "）；现在服务器" + at.zh + "拒收：" + reply_text_zh(r)},
                  (r.now_reason.empty() ? std::string("refused") : r.now_reason) + ": " + reply_text(r));
    default:
      return make(verdict::inconclusive, {"rate: the probe could not decide", "频率限制：探测无法判定"}, why_unchecked(r));
  }
}

outcome content_rule(const plan& p, const observations& o) {
  words helps;
  if (const auto* l = first_block(o))
    helps = helps + words{" Meanwhile " + p.sending_ip + " is listed on " + l->zone + ".",
                          "另外，" + p.sending_ip + " 在 " + l->zone + " 黑名单中。"};
  if (o.spf && o.spf->result != "pass" && !o.spf->result.empty())
    helps = helps + words{" SPF of " + o.spf->domain + " gives " + o.spf->result + ".",
                          o.spf->domain + " 的 SPF 结果是 " + o.spf->result + "。"};
  if (o.reverse_dns && o.reverse_dns->known && (o.reverse_dns->ptr_names.empty() || !o.reverse_dns->forward_confirmed))
    helps = helps + words{" The sending IP's reverse DNS is not forward-confirmed.", "发信 IP 的反向解析正反向不一致。"};
  return make(verdict::inconclusive, {"content: not verifiable without sending the message", "内容：不发送原邮件就无法验证"},
              words{"a " + p.reason + " refusal depends on the message itself, and probe never sends DATA; it cannot be checked from outside.",
                    p.reason + " 类拒收取决于邮件本身，而 probe 从不发送 DATA，无法从外部检查。"} +
                  helps);
}

outcome other_rule(const plan& p, const observations& o) {
  words seen;
  if (o.rcpt) {
    const std::string answer = std::string(to_string(o.rcpt->result)) +
                               (reply_text(*o.rcpt).empty() ? "" : " (" + reply_text(*o.rcpt) + ")");
    seen = {" The recipient's server now says: " + answer + ".", "收件服务器现在的回答：" + answer + "。"};
  }
  return make(verdict::inconclusive, {"other: no live check decides this cause", "其他：没有能判定此原因的在线检查"},
              words{"probe has no live check that decides a " + p.reason + " bounce.",
                    "probe 没有能判定 " + p.reason + " 类退信的实时检查。"} +
                  seen);
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
