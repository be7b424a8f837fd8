#pragma once
// The prober: "is this address deliverable now, and if not, why?" — routing, SMTP
// attempts, catch-all test, greylisting, provider quirks and a verdict with its evidence.
//
// What it does for one recipient (RFC 5321 §5.1 and what MTAs such as Postfix do):
// route the domain with dns::route_mail (null MX and NXDOMAIN are answered without
// connecting); try MX hosts in preference order and every address of each (AAAA and A,
// unless -4/-6); move on after a connect failure, a timeout, a 421, or a 4xx/5xx greeting
// or a 4xx to EHLO or MAIL; stop at the first RCPT answer (a 5xx there is the answer —
// backup MXs usually accept anything). After an accepted RCPT, RSET and RCPT a random local
// part in the same session (catch-all test, tri-state, cached per domain). Greylisting is
// recognised and, with greylist_wait, probed once more after the wait. Provider quirks
// (smtp/provider_quirks.yaml) replace answers that cannot be trusted.
//
// Sharing (what correlation and batch rely on): one prober per run. It keeps one session
// slot per MX address: one session at a time per address, recipients of any domain routed
// there queue on it and reuse the open session (RSET between transactions) up to
// max_rcpts_per_session RCPTs; new sessions to one address are opened at most
// per_host_rate per second. Idle sessions are kept up to max_idle_sessions and
// idle_timeout, then closed with QUIT. Counters say how many sessions were opened and
// commands sent.
//
// Safety: a prober never sends DATA or BDAT (smtp::session cannot). Sender and HELO are
// what the options say; the command layer (probe/address_command) chooses defaults that
// never forge the recipient's domain.
//
// Threading: everything runs on the executor given at construction (one io_context
// thread); check() may be awaited by many coroutines at once. Lifetime: the prober and
// the dns::source must outlive every check; call close() before destroying it to send QUIT
// on idle sessions (destroying it closes their sockets without QUIT).
// Results are values: network and DNS outcomes never throw.

#include "dns/phrase.hpp"
#include "dns/routing.hpp"
#include "smtp/async_gate.hpp"
#include "smtp/classify.hpp"
#include "smtp/quirks.hpp"
#include "smtp/session.hpp"
#include "smtp/verdict.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace smtp {

struct prober_options {
  std::string helo;       // a checked HELO name (smtp::check_helo)
  std::string mail_from;  // a checked reverse path (smtp::check_reverse_path); "" = null sender
  tls_mode tls = tls_mode::opportunistic;
  timeouts limits;
  std::uint16_t port = 25;
  std::optional<boost::asio::ip::address> source_ip;
  std::optional<proxy_url> proxy;
  bool want_ipv4 = true;
  bool want_ipv6 = true;
  bool catch_all_test = true;
  std::chrono::seconds greylist_wait{0};  // 0: report greylisting without waiting
  std::size_t max_rcpts_per_session = 20;
  double per_host_rate = 2.0;             // new sessions per second per MX address; <= 0: no limit
  std::size_t max_addresses = 10;         // addresses tried per check (Postfix: smtp_mx_address_limit)
  std::size_t max_idle_sessions = 64;
  std::chrono::milliseconds idle_timeout{10000};
  // Per-MX-address state (rate limit, kept session) is forgotten once unused and more than
  // this many addresses are known: memory stays flat over a million domains.
  std::size_t forget_unused_addresses_above = 4096;
  std::optional<std::uint64_t> seed;      // MX tie order and catch-all local parts, for repeatable runs
  bool lookup_ptr = false;                // PTR of every MX address in the routing
  std::shared_ptr<const reply_classifier> classifier;  // required (smtp/reply_classes.yaml)
  std::shared_ptr<const quirk_table> quirks;           // optional (smtp/provider_quirks.yaml)
};

// Why an attempt on one address ended.
enum class attempt_end {
  rcpt_answered,        // the RCPT reply decided (check.rcpt_reply)
  connect_failed,       // refused, unreachable or timed out while connecting (or via the proxy)
  session_failed,       // timeout, closed or reset after the connection was made
  protocol_failed,      // the peer is not SMTP, or its reply broke the bounds
  tls_failed,           // handshake failed, or TLS required and not offered
  refused_temporarily,  // 4xx or 421 to the greeting, EHLO/HELO or MAIL
  refused_permanently,  // 5xx to the greeting, EHLO and HELO, or MAIL
  smtputf8_missing,     // the local part needs SMTPUTF8 and the server does not offer it
  tls_demanded,         // 530 "STARTTLS first" while --tls off
};
std::string_view to_string(attempt_end end);

// A sentence as a key and named values (dns/phrase.hpp), so a report can say it in the
// reader's language: smtp/ composes the English sentence (what --json prints) and, beside
// it, this; the templates are probe/data/output_words.yaml's "reason.*". An explanation
// value carries its Chinese (`text_zh`, from smtp/reply_classes.yaml). Server text in a
// value is as it came (bounded as in the English sentence).
using phrase = dns::phrase;
using phrase_value = dns::phrase_value;

struct attempt {
  std::string mx_host;
  std::uint16_t preference = 0;
  bool implicit_mx = false;
  boost::asio::ip::address address;
  std::size_t session_id = 0;      // 1-based within the prober; the same id means the same session
  bool reused_session = false;     // opened by an earlier check and reused
  bool tls_fallback = false;       // a plaintext retry after a failed TLS handshake
  session_opening opening;         // banner, EHLO capabilities, TLS facts (and their transcript)
  std::vector<exchange> transcript;  // this check's commands on the session
  attempt_end end = attempt_end::connect_failed;
  phase ended_at = phase::connect;
  std::optional<failure> error;    // the failure that ended it, if any
  std::optional<reply> refusal;    // the reply that ended it before RCPT, if any
  std::string note;                // what the prober did next and why
  phrase note_phrase;              // `note` as key and values ("reason.note_*")
};

struct catch_all_result {
  catch_all_state state = catch_all_state::not_tested;
  std::string probe_address;       // the random address asked
  std::optional<reply> response;
  bool from_cache = false;         // learnt by an earlier check of the same domain
  std::string reason;
  phrase reason_phrase;            // `reason` as key and values
};

struct address_check {
  mailbox recipient;
  std::string helo;
  std::string mail_from;
  dns::routing routing;
  std::vector<attempt> attempts;
  std::optional<reply> rcpt_reply;            // the deciding RCPT answer
  std::optional<classification> rcpt_meaning;
  std::optional<std::size_t> rcpt_attempt;    // index into attempts
  catch_all_result catch_all;
  bool greylisted = false;
  bool greylist_retried = false;
  std::optional<quirk_match> quirk;
  std::optional<bool> mailbox_exists;         // when a reply proves it (quirks)
  bool port25_blocked_suspected = false;
  verdict result = verdict::unreachable;
  std::string reason;                         // one sentence: why this verdict
  phrase reason_phrase;                       // `reason` as key and values, for other languages
  std::optional<std::size_t> evidence_attempt;  // the attempt the verdict rests on
  std::vector<std::string> warnings;
  // The warnings the prober composed, as key and values; `english` is the warning's text
  // in `warnings` (a caller may add its own warnings there without a phrase).
  struct warning_phrase {
    std::string english;
    phrase said;
  };
  std::vector<warning_phrase> warning_phrases;
  std::chrono::milliseconds elapsed{0};
};

struct prober_counters {
  std::size_t checks = 0;
  std::size_t sessions_opened = 0;
  std::size_t sessions_reused = 0;   // checks served by an already open session
  std::size_t connect_attempts = 0;
  std::size_t commands_sent = 0;     // every command written (EHLO, MAIL, RCPT, RSET, QUIT...)
  std::size_t rcpts_sent = 0;
  std::size_t catch_all_cache_hits = 0;
  std::size_t domains_connect_timeout = 0;  // checks where every address timed out at connect
  std::size_t domains_reached = 0;          // checks where some server answered
};

// Settles the verdict, reason and evidence of a check from its routing, attempts, RCPT
// answer, catch-all result and quirk. Pure: the prober calls it; tests call it on facts.
void decide(address_check& check, tls_mode mode, std::uint16_t port);

class prober {
 public:
  prober(boost::asio::any_io_executor executor, dns::source& dns, prober_options options);
  ~prober();
  prober(const prober&) = delete;
  prober& operator=(const prober&) = delete;

  // Routes the recipient's domain, then probes.
  boost::asio::awaitable<address_check> check(mailbox recipient);
  // Probes with a routing already at hand (correlation has one).
  boost::asio::awaitable<address_check> check(mailbox recipient, dns::routing routing);
  // Sends QUIT on every idle session and closes them.
  boost::asio::awaitable<void> close();
  // Stop taking new work (a batch was interrupted): checks that have not started talking
  // to a server — queued for a session slot, or not begun — end with operation_aborted;
  // a dialogue under way finishes, so its session can be ended with QUIT by close().
  void drain() { draining_ = true; }
  bool draining() const { return draining_; }

  const prober_counters& counters() const;
  // Across the checks so far: several domains timed out on every address, none answered.
  bool port25_blocked_suspected() const;
  const prober_options& options() const { return options_; }
  // MX addresses whose state (session slot) is kept now.
  std::size_t addresses_tracked() const { return slots_.size(); }

 private:
  bool draining_ = false;
  struct slot {
    async_gate gate;
    std::unique_ptr<session> idle;  // an open session kept for reuse
    std::size_t idle_session_id = 0;
    std::chrono::steady_clock::time_point next_open{};
    std::size_t rcpt_limit = 0;     // lowered when the server answers 452 to a later RCPT
    std::list<slot*>::iterator lru;
    bool in_lru = false;
    std::size_t users = 0;          // checks now in try_address with this slot
  };
  enum class transaction_end { decided, next_address, stale_session, too_many_recipients, greylisted };
  enum class address_end { decided, next_address };

  boost::asio::awaitable<void> probe(address_check& check);
  boost::asio::awaitable<address_end> try_address(address_check& check, const dns::mail_host& host,
                                                  boost::asio::ip::address address);
  boost::asio::awaitable<std::unique_ptr<session>> open_session(slot& s, const dns::mail_host& host,
                                                                boost::asio::ip::address address, attempt& at,
                                                                tls_mode mode);
  boost::asio::awaitable<transaction_end> transaction(session& sess, address_check& check, attempt& at,
                                                      slot& s, bool reused);
  boost::asio::awaitable<void> test_catch_all(session& sess, address_check& check, attempt& at, slot& s);
  boost::asio::awaitable<void> park(slot& s, std::unique_ptr<session> sess, std::size_t session_id);
  boost::asio::awaitable<void> retire(std::unique_ptr<session> sess, attempt* at);
  boost::asio::awaitable<bool> resolve_proxy(address_check& check);
  slot& slot_for(const boost::asio::ip::address& address);
  void prune_slots();
  void remember_catch_all(const std::string& domain, const catch_all_result& result);
  session_options session_options_for(tls_mode mode) const;
  std::string random_local_part();
  void record(attempt& at, exchange ex);

  boost::asio::any_io_executor executor_;
  dns::source& dns_;
  prober_options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::optional<proxy_config> proxy_;
  bool proxy_resolved_ = false;
  async_gate proxy_gate_;
  std::string proxy_error_;
  phrase proxy_error_phrase_;  // proxy_error_ as key and values
  std::unordered_map<std::string, std::unique_ptr<slot>> slots_;
  std::list<slot*> idle_lru_;
  std::size_t prune_slots_above_ = 0;  // set from the options
  std::map<std::string, catch_all_result> catch_all_cache_;
  std::deque<std::string> catch_all_order_;  // insertion order, to bound the cache
  std::mt19937_64 random_;
  std::size_t next_session_id_ = 0;
  prober_counters counters_;
};

}  // namespace smtp
