#pragma once
// Correlation, step 1: from what a bounce says to the live checks its cause depends on.
// Sans-I/O: facts in, plan out. (Issue 7; docs/correlation.md.)
//
// The cause groups Sisimai reasons by what can be checked from outside now:
//   mailbox      userunknown, hasmoved, suspend, mailboxfull   → RCPT probe of the recipient
//   domain       hostunknown, notaccept, DNS networkerror      → the domain's routing, then connect
//   connection   expired, refused/timed out/lost connection     → connect to each MX, RCPT probe
//   listing      blocked, badreputation                         → the sending IP on DNSBLs
//   reverse_dns  requireptr, "does not match your ip", "can't verify FROM domain"
//                                                               → PTR, FCrDNS, HELO; sender domain
//   authentication authfailure (SPF, DMARC)                     → SPF and DMARC of the sender domain
//   size         mesgtoobig, exceedlimit                        → EHLO SIZE against the message
//   relaying     norelaying                                     → is the refusing host an MX now?
//   rate         speeding, toomanyconn, greylisting, 4xx systemerror → RCPT probe
//   content      spamdetected, filtered, contenterror, virusdetected, policyviolation,
//                routing loops                                  → not verifiable without DATA
//   other        anything else                                  → RCPT probe, as evidence only

#include "reports/classify.hpp"
#include "reports/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace probe::correlation {

enum class cause { mailbox, domain, connection, listing, reverse_dns, authentication, size, relaying, rate, content, other };
std::string_view to_string(cause c);

// Where the sending IP came from, most trustworthy first.
enum class ip_source { diagnostic_text, received_chain, flag, egress_detection, none };
std::string_view to_string(ip_source s);

struct plan {
  cause kind = cause::other;
  std::string reason;            // the bounce's Sisimai reason
  std::string recipient;         // the failed address
  std::string domain;            // its domain (as written; A-labels made at run time)

  bool rcpt_probe = false;       // route + SMTP up to RCPT (the prober)
  bool route = false;            // MX routing of the recipient's domain (always with rcpt_probe)
  bool dnsbl = false;            // the sending IP (and named zone) on DNSBLs
  bool reverse_dns = false;      // PTR / FCrDNS / HELO of the sending IP
  bool sender_domain = false;    // the original sender's domain has MX or A ("can't verify FROM")
  bool spf = false;              // SPF of the sender's domain for the sending IP
  bool dmarc = false;            // DMARC record and alignment of the From domain
  bool size = false;             // EHLO SIZE now (from the RCPT probe's session)
  bool relay_membership = false; // the refusing host among the domain's MX now?

  std::string sending_ip;        // empty when unknown
  ip_source sending_ip_from = ip_source::none;
  std::string sending_ip_detail; // e.g. "Client host [192.0.2.1] in the diagnostic"
  std::string named_zone;        // DNSBL zone the bounce named ("" if none)
  std::string sender_address;    // the original MAIL FROM / From, if known
  std::string sender_domain_name;
  std::string from_domain;       // RFC 5322 From domain (DMARC)
  std::optional<std::uint64_t> message_size;
  std::optional<std::uint64_t> stated_limit;
  std::string remote_host;       // the host that refused, if named
  std::string remote_ip;
  std::string helo;              // --helo, for the reverse-DNS check
};

struct plan_inputs {
  std::string ip;                // --ip
  std::string egress_ip;         // from egress detection, when it ran
  std::string helo;              // --helo
};

cause cause_of(const reports::classification& c, const reports::recipient& r);

plan make_plan(const reports::report& report, const reports::recipient& recipient,
               const reports::classification& classification, const plan_inputs& inputs);

}  // namespace probe::correlation
