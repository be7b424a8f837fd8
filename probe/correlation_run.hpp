#pragma once
// Correlation, step 2: run a plan's live checks through the run's shared resources and
// turn their results into observations (probe/correlation_verdict.hpp), each check
// recorded as evidence: what was asked of whom, the answer, how long it took.
//
// Sharing (issue 7): one DNS cache (runtime), one SMTP prober (one session slot per MX
// address; recipients of one domain share a session, RSET between RCPTs), one DNSBL checker
// (zone health once per list). Many recipients are checked concurrently by awaiting
// check_recipient for each.
//
// Threading: the runtime's io_context thread. Lifetime: everything in live_context outlives
// every check. Network outcomes are observations, never exceptions.

#include "probe/correlation_plan.hpp"
#include "probe/correlation_verdict.hpp"
#include "dns/source.hpp"
#include "probe/server_check.hpp"
#include "probe/settings.hpp"
#include "rbl/catalogue.hpp"
#include "rbl/checker.hpp"
#include "reports/knowledge.hpp"
#include "smtp/prober.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace probe::correlation {

struct live_context {
  dns::source& dns;                             // the run's one DNS cache
  const settings& config;
  const reports::knowledge& bounce_knowledge;  // classifies live replies in the bounce's vocabulary
  smtp::prober* prober = nullptr;              // null when it could not be set up (prober_error says why)
  std::string prober_error;
  const rbl::catalogue* catalogue = nullptr;
  rbl::checker* dnsbl = nullptr;
  const server_knowledge* server = nullptr;    // generic-PTR keywords
};

struct recipient_check {
  plan planned;
  observations seen;
  outcome decided;
};

boost::asio::awaitable<recipient_check> check_recipient(live_context& live, const reports::report& report,
                                                        const reports::recipient& recipient,
                                                        const reports::classification& classification,
                                                        plan_inputs inputs);

// Maps the prober's result onto what the rules compare (pure; tested on facts).
rcpt_observation observe_rcpt(const smtp::address_check& check, const reports::knowledge& knowledge);

// The live SPF check's answer as a sentence: the result, the mechanism that decided and
// dns/spf's problem as its phrase (pure; tested on evaluations).
sentence spf_answer_said(const dns::spf::evaluation& spf);

}  // namespace probe::correlation
