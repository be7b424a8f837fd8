#pragma once
// Correlation, step 3: compare what the bounce said with what is true now, and give one
// verdict per recipient. Sans-I/O: a plan and observations in, a verdict out.
//
//   transient     the cause is gone now
//   persistent    the cause is still there (the verdict names the fact)
//   changed       the recipient now fails for a different reason (both are named)
//   inconclusive  it cannot be checked from outside, or the check itself failed
//
// Rules (docs/correlation.md) follow issue 7's table. Two principles hold everywhere:
// never `transient` on a guess — a catch-all, a provider quirk, a timeout, a blocked
// port 25, a refusal of the prober itself all land in `inconclusive`, each with its
// reason; and a verdict always says which observation decided it.

#include "probe/correlation_plan.hpp"
#include "probe/output_words.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace probe::correlation {

enum class verdict { transient, persistent, changed, inconclusive };
std::string_view to_string(verdict v);

// One live check as it was made: what was asked of whom, what came back, how long it took.
struct evidence {
  std::string check;   // "route", "rcpt", "dnsbl", "ptr", "sender-domain", "spf", "dmarc", "size", "relay"
  std::string asked;   // "RCPT TO:<carol@probe.test> at mx1.probe.test [127.0.0.2]:2525"
  std::string answer;  // "550 5.1.1 <carol@probe.test>: ... User unknown in local recipient table"
  std::int64_t ms = 0;
  // `asked` and `answer` as sentences of output_words.yaml ("live.*"), so --lang zh can say
  // them in Chinese; the strings above are what --json prints.
  sentence asked_said, answer_said;
};

// What the RCPT probe of the recipient found, reduced to what the rules compare.
struct rcpt_observation {
  enum class outcome {
    accepted,             // 250 to RCPT
    refused_mailbox,      // 5xx about the mailbox (user unknown, full, disabled, moved)
    refused_other,        // 5xx for another reason that concerns the recipient or its domain
    refused_us,           // refused the prober itself: 5.7.x, blocklist, PTR, "banned"
    deferred,             // 4xx at RCPT (not greylisting), 421, 4xx before RCPT on every MX
    greylisted,           // 4xx recognised as greylisting
    unreachable_refused,  // every address refused the TCP connection
    unreachable_timeout,  // every address timed out (down, or port 25 blocked locally)
    port25_blocked,       // the prober concluded outbound port 25 is blocked here
    no_mail_domain,       // NXDOMAIN or null MX
    dns_failure,          // the domain's routing could not be learnt
    unverifiable,         // a provider quirk makes RCPT answers meaningless
    error,                // protocol or TLS failure, or the probe could not run
  };
  outcome result = outcome::error;
  bool catch_all = false;        // the domain accepts any local part
  bool catch_all_known = false;  // the catch-all test gave a definite answer
  std::string now_reason;        // Sisimai reason of the live reply ("" if none)
  int code = 0;
  std::string status;            // enhanced status of the live reply
  std::string text;              // the live reply, one line
  std::string host;              // MX host that answered
  std::string address;           // its address
  bool size_advertised = false;  // EHLO SIZE seen at that host
  std::uint64_t size_limit = 0;  // its value (0: advertised without a limit)
  std::string detail;            // the prober's own sentence
  std::string detail_zh;         // the same in Chinese ("" : not known; `detail` is used)
};
std::string_view to_string(rcpt_observation::outcome o);

struct route_observation {
  std::string kind;                    // dns::route_kind as text: "mx", "implicit-mx", "null-mx", ...
  std::vector<std::string> hosts;      // MX hosts in order
  std::vector<std::string> addresses;  // all their addresses
  std::string detail;
  std::string detail_zh;               // the same in Chinese ("" : `detail` is used)
};

struct listing_observation {
  enum class state { listed, not_listed, unknown, dead, unhealthy, skipped };
  std::string list;           // catalogue name
  std::string zone;
  state result = state::unknown;
  bool allowlist = false;
  bool named_by_bounce = false;
  std::string codes;          // "127.0.0.2 (SBL: ...)"
  std::string codes_zh;       // the same with the codes' Chinese meanings
  std::string txt;
  std::string removal_page;
  std::string dead_since;
  std::string detail;
  std::string detail_zh;  // the same in Chinese ("" : `detail` is used)
};

struct reverse_dns_observation {
  bool known = false;             // the lookups gave definite answers
  std::vector<std::string> ptr_names;
  bool forward_confirmed = false; // some PTR name resolves back to the IP
  bool generic = false;           // the PTR name looks like a dynamic pool
  std::string detail;
};

struct sender_domain_observation {
  bool known = false;
  bool resolves = false;  // has MX, or A/AAAA
  std::string detail;
  std::string detail_zh;  // the same in Chinese ("" : `detail` is used)
};

struct spf_observation {
  std::string result;  // pass / fail / softfail / neutral / none / permerror / temperror
  std::string domain;
  std::string mechanism;
  std::string problem;
};

struct dmarc_observation {
  bool known = false;
  bool has_record = false;
  std::string policy;
  bool spf_aligned = false;
  std::string detail;
};

struct observations {
  std::optional<rcpt_observation> rcpt;
  std::optional<route_observation> route;
  std::vector<listing_observation> listings;
  std::optional<reverse_dns_observation> reverse_dns;
  std::optional<sender_domain_observation> sender_domain;
  std::optional<spf_observation> spf;
  std::optional<dmarc_observation> dmarc;
  std::vector<evidence> checks;  // every live check made, in order
};

struct outcome {
  verdict result = verdict::inconclusive;
  std::string rule;     // which rule decided: "mailbox: still refused (550 5.1.1) → persistent"
  std::string rule_zh;  // the same in Chinese (--lang zh)
  std::string summary;     // one sentence for people, in English
  std::string summary_zh;  // the same sentence in Chinese (--lang zh)
  std::string now;      // for `changed`: the new failure
  std::string removal_page;  // for a persistent listing
};

outcome compare(const plan& p, const observations& o);

}  // namespace probe::correlation
