#include "probe/correlation_plan.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <set>

namespace probe::correlation {

std::string_view to_string(cause c) {
  switch (c) {
    case cause::mailbox: return "mailbox";
    case cause::domain: return "domain";
    case cause::connection: return "connection";
    case cause::listing: return "listing";
    case cause::reverse_dns: return "reverse-dns";
    case cause::authentication: return "authentication";
    case cause::size: return "size";
    case cause::relaying: return "relaying";
    case cause::rate: return "rate";
    case cause::content: return "content";
    case cause::other: return "other";
  }
  return "other";
}

std::string_view to_string(ip_source s) {
  switch (s) {
    case ip_source::diagnostic_text: return "diagnostic-text";
    case ip_source::received_chain: return "received-chain";
    case ip_source::flag: return "--ip";
    case ip_source::egress_detection: return "egress-detection";
    case ip_source::none: return "none";
  }
  return "none";
}

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool mentions(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  const std::string text = lower(haystack);
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view n) { return text.find(n) != std::string::npos; });
}

// "Name <user@example.com>" or "user@example.com" → "user@example.com".
std::string address_in(std::string_view header) {
  const auto open = header.rfind('<');
  const auto close = header.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    header = header.substr(open + 1, close - open - 1);
  while (!header.empty() && (header.front() == ' ' || header.front() == '"')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '"')) header.remove_suffix(1);
  return header.find('@') == std::string_view::npos ? std::string{} : std::string(header);
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string{} : lower(address.substr(at + 1));
}

bool is_ip(const std::string& text) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(text, ec);
  return !text.empty() && !ec;
}

}  // namespace

cause cause_of(const reports::classification& c, const reports::recipient& r) {
  const std::string& reason = c.reason;
  const std::string& sub = c.subcause;
  if (reason == "userunknown" || reason == "hasmoved" || reason == "suspend" || reason == "mailboxfull")
    return cause::mailbox;
  if (reason == "hostunknown" || reason == "notaccept") return cause::domain;
  if (reason == "networkerror") {
    if (mentions(sub, {"hop", "loop"}) || mentions(r.diagnostic, {"too many hops", "mail loop", "loops back"}))
      return cause::content;  // a routing loop: a configuration problem, not checkable from outside
    if (mentions(sub, {"dns", "domain"}) || mentions(r.diagnostic, {"name service", "host not found", "domain name not found", "dns"}))
      return cause::domain;
    return cause::connection;
  }
  if (reason == "expired" || c.hints.connection_level) return cause::connection;
  // Greylisting is read as blocked (Sisimai's convention), but no blocklist is involved:
  // whether the recipient is still refused is what a retry now shows.
  if (mentions(sub, {"greylist"})) return cause::rate;
  if (reason == "blocked" || reason == "badreputation") return cause::listing;
  if (reason == "requireptr") return cause::reverse_dns;
  if (reason == "rejected" && mentions(r.diagnostic, {"can't verify", "cannot verify", "domain not found",
                                                      "sender address rejected: domain", "unverified"}))
    return cause::reverse_dns;
  if (reason == "authfailure") return cause::authentication;
  if (reason == "mesgtoobig" || reason == "exceedlimit") return cause::size;
  if (reason == "norelaying") return cause::relaying;
  if (reason == "speeding" || reason == "toomanyconn" ||
      (reason == "systemerror" && c.temporary) || reason == "systemfull")
    return cause::rate;
  if (reason == "spamdetected" || reason == "filtered" || reason == "contenterror" || reason == "virusdetected" ||
      reason == "policyviolation" || reason == "notcompliantrfc")
    return cause::content;
  return cause::other;
}

plan make_plan(const reports::report& report, const reports::recipient& recipient,
               const reports::classification& classification, const plan_inputs& inputs) {
  plan p;
  p.kind = cause_of(classification, recipient);
  p.reason = classification.reason;
  p.recipient = recipient.address;
  p.domain = domain_of(recipient.address);
  p.named_zone = classification.hints.dnsbl_zone;
  p.stated_limit = classification.hints.size_limit;
  p.message_size = report.original.size;
  p.remote_host = !classification.hints.remote_host.empty() ? classification.hints.remote_host : recipient.remote_host;
  p.remote_ip = !classification.hints.remote_ip.empty() ? classification.hints.remote_ip : recipient.remote_ip;
  p.helo = inputs.helo;
  p.sender_address = address_in(report.original.from);
  if (const auto x = recipient.extra_fields.find("X-Postfix-Sender"); x != recipient.extra_fields.end())
    p.sender_address = address_in(x->second.substr(x->second.find(';') == std::string::npos ? 0 : x->second.find(';') + 1));
  p.sender_domain_name = domain_of(p.sender_address);
  p.from_domain = domain_of(address_in(report.original.from));
  if (p.from_domain.empty()) p.from_domain = p.sender_domain_name;

  // The sending IP: what the refusing server said, then the DSN and Received chain, then
  // --ip, then the detected egress address (issue 7, "Sending IP").
  if (is_ip(classification.hints.client_ip)) {
    p.sending_ip = classification.hints.client_ip;
    p.sending_ip_from = ip_source::diagnostic_text;
    p.sending_ip_detail = "named by the refusing server in its reply";
  } else if (is_ip(report.original.sending_ip)) {
    p.sending_ip = report.original.sending_ip;
    p.sending_ip_from = ip_source::received_chain;
    p.sending_ip_detail = report.original.sending_ip_source.empty() ? "from the Received chain" : report.original.sending_ip_source;
  } else if (is_ip(inputs.ip)) {
    p.sending_ip = inputs.ip;
    p.sending_ip_from = ip_source::flag;
    p.sending_ip_detail = "given with --ip";
  } else if (is_ip(inputs.egress_ip)) {
    p.sending_ip = inputs.egress_ip;
    p.sending_ip_from = ip_source::egress_detection;
    p.sending_ip_detail = "this machine's public address (assumed to be the sender)";
  }

  switch (p.kind) {
    case cause::mailbox:
    case cause::rate:
    case cause::connection:
    case cause::domain:
      p.rcpt_probe = p.route = true;
      break;
    case cause::listing:
      p.dnsbl = true;
      break;
    case cause::reverse_dns:
      p.reverse_dns = !p.sending_ip.empty();
      p.sender_domain = !p.sender_domain_name.empty();
      break;
    case cause::authentication:
      p.spf = p.dmarc = true;
      break;
    case cause::size:
      p.rcpt_probe = p.route = p.size = true;
      break;
    case cause::relaying:
      p.route = p.relay_membership = true;
      p.rcpt_probe = true;
      break;
    case cause::content:
      // Not verifiable without sending the message; the checks that still help.
      p.dnsbl = p.spf = p.reverse_dns = !p.sending_ip.empty();
      break;
    case cause::other:
      p.rcpt_probe = p.route = true;
      break;
  }
  if (p.domain.empty()) p.rcpt_probe = p.route = p.relay_membership = p.size = false;
  return p;
}

}  // namespace probe::correlation
