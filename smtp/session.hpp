#pragma once
// One SMTP client session: connect (directly or through SOCKS5), greeting, EHLO (HELO
// when EHLO gets a 5xx), STARTTLS, then MAIL, RCPT, RSET and QUIT — nothing else.
//
// Safety promise: the only commands this class can put on the wire are EHLO, HELO,
// STARTTLS, MAIL, RCPT, RSET and QUIT. There is no code path for DATA, BDAT, VRFY or
// anything after RCPT: a probe never delivers a message. Arguments come from validated
// values (smtp/address.hpp) and every line is checked again for CR, LF and NUL before
// it is written; a line that fails is refused, not sent.
//
// Every phase has its own timeout and label (phase), so a failure reads "timeout while
// waiting for the STARTTLS response". On a timeout the socket is closed. Replies are
// parsed by smtp::reply_parser (bounded); a peer that is not SMTP is a failure of kind
// not_smtp with the first bytes as evidence.
//
// STARTTLS (RFC 3207): the socket moves into an ssl::stream with SNI = MX name; after
// the handshake, plaintext the server sent early is discarded, the EHLO features are
// forgotten and EHLO is sent again (§4.2). TLS facts are recorded, never enforced.
//
// Threading: a session belongs to the executor it was created with; one coroutine at a
// time may drive it. Lifetime: the object must outlive the coroutines awaiting it.
// Network outcomes are values (exchange, failure); exceptions only for broken invariants.

#include "dns/phrase.hpp"
#include "smtp/address.hpp"
#include "smtp/capabilities.hpp"
#include "smtp/reply.hpp"
#include "smtp/socks5.hpp"
#include "smtp/tls.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace smtp {

enum class phase { connect, proxy, banner, ehlo, helo, starttls, tls_handshake, mail, rcpt, rset, quit };
std::string_view to_string(phase p);
// "waiting for the STARTTLS response": the phase in words, for failure messages.
std::string_view waiting_for(phase p);

enum class tls_mode { opportunistic, required, off };
std::string_view to_string(tls_mode mode);

struct timeouts {
  std::chrono::milliseconds connect{10000};  // TCP connect, and the SOCKS5 handshake
  std::chrono::milliseconds banner{30000};
  std::chrono::milliseconds command{20000};  // each command's reply
  std::chrono::milliseconds tls{15000};      // the TLS handshake
  std::chrono::milliseconds quit{2000};
};

struct proxy_config {
  boost::asio::ip::tcp::endpoint endpoint;  // the proxy, resolved
  proxy_url url;
};

struct session_options {
  std::string helo;  // a checked HELO name (smtp::check_helo)
  tls_mode tls = tls_mode::opportunistic;
  timeouts limits;
  std::optional<boost::asio::ip::address> source_ip;
  std::optional<proxy_config> proxy;
  std::uint16_t port = 25;
  std::shared_ptr<boost::asio::ssl::context> tls_context;  // shared by every session of a run
};

enum class failure_kind {
  refused,          // connection refused (RST), or the proxy says so
  unreachable,      // no route to the network or host
  timeout,          // the phase's timeout passed
  closed,           // the peer closed the connection
  network_error,    // another socket error (reset mid-session...)
  not_smtp,         // the peer's bytes are not SMTP
  reply_too_large,  // a reply over the size or line bounds
  tls_failed,       // the TLS handshake failed
  tls_unavailable,  // --tls required, and the server offers or accepts no STARTTLS
  proxy_failed,     // the SOCKS5 proxy failed or refused us
  local_error,      // cannot bind the source address, address family mismatch, refused to send
};
std::string_view to_string(failure_kind kind);

struct failure {
  phase where = phase::connect;
  failure_kind kind = failure_kind::network_error;
  std::string detail;  // sanitised; the peer's words when there are any
  // The detail when probe composed it ("no answer within 30000 ms"), as a phrase whose
  // English template gives back `detail` (keys "address.detail.*"); an empty key when the
  // detail is the system's, OpenSSL's or the peer's own words.
  dns::phrase said;
  // "timeout while waiting for the STARTTLS response (after 20000 ms)"
  std::string describe() const;
  // describe() as a phrase (key "address.failure", whose English is describe() itself): the
  // kind and phase as identifiers, the detail as `said` or, when it is the system's words,
  // an identifier (names.system_error); a detail that only repeats the kind ("connection
  // refused" for refused) is left out, as the kind's name already says it.
  dns::phrase describe_said() const;
};
// A failure whose detail probe composed: `english` is the "address.detail.<key>" template
// of probe/data/output_words.yaml filled with `values`, kept beside it for other languages.
failure composed_failure(phase where, failure_kind kind, std::string english, std::string key,
                         std::vector<dns::phrase_value> values = {});

// One step of the dialogue as the transcript shows it.
struct exchange {
  phase step = phase::banner;
  std::string command;             // as sent, without CRLF; "" for the banner and the handshake
  std::optional<reply> response;
  std::chrono::milliseconds elapsed{0};
  std::optional<failure> error;
};

// How the session was opened: the facts every attempt on it shares.
struct session_opening {
  boost::asio::ip::address address;
  std::string mx_host;
  std::uint16_t port = 25;
  bool via_proxy = false;
  std::string local_endpoint;  // "127.0.0.1:40112" (the proxy connection's, with a proxy)
  std::chrono::milliseconds connect_elapsed{0};
  std::optional<reply> banner;
  capabilities plaintext_capabilities;  // the first EHLO (what a plaintext client sees)
  capabilities capabilities_now;        // after STARTTLS when upgraded, else the same
  bool used_helo = false;               // EHLO was refused with a 5xx; HELO was used
  std::optional<tls_facts> tls;         // facts after a successful handshake
  std::optional<failure> tls_failure;   // a STARTTLS refusal or a failed handshake
  std::vector<exchange> transcript;     // banner, EHLO, STARTTLS, handshake, EHLO
  std::vector<std::string> findings;    // e.g. plaintext discarded after STARTTLS
  // findings[i] as a phrase (dns/phrase.hpp; keys "address.session_finding.*", same length)
  std::vector<dns::phrase> findings_said;
};

enum class open_status {
  ready,     // greeting and EHLO/HELO accepted; TLS as the mode asks
  rejected,  // the server answered, but not 2xx (greeting 421/554, EHLO and HELO refused)
  failed,    // a network, protocol or TLS failure (see error)
};

struct open_result {
  open_status status = open_status::failed;
  phase where = phase::connect;
  std::optional<reply> response;  // the refusing reply when rejected
  std::optional<failure> error;   // when failed
};

class session {
 public:
  session(boost::asio::any_io_executor executor, session_options options);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Connects to address:port (via the proxy when configured), reads the greeting, says
  // EHLO (HELO after a 5xx) and negotiates STARTTLS as the options ask.
  boost::asio::awaitable<open_result> open(boost::asio::ip::address address, std::string mx_host);

  // MAIL FROM:<reverse_path> (with " SMTPUTF8" when asked). `reverse_path` must come
  // from smtp::check_reverse_path ("" is the null sender).
  boost::asio::awaitable<exchange> mail_from(const std::string& reverse_path, bool smtputf8);
  boost::asio::awaitable<exchange> rcpt_to(const mailbox& recipient);
  // [RSET,] MAIL FROM, RCPT TO as one transaction: pipelined in one write when the server
  // offers PIPELINING (RFC 2920), else one by one, stopping at the first refusal. One
  // exchange per command sent, in order; a pipelined RCPT after a refused MAIL is answered
  // (503) and returned too — callers read MAIL's reply first.
  boost::asio::awaitable<std::vector<exchange>> mail_transaction(bool rset_first, const std::string& reverse_path,
                                                                 bool smtputf8, const mailbox& recipient);
  boost::asio::awaitable<exchange> rset();
  // STARTTLS in an open session (after a 530 "must issue STARTTLS first"), then EHLO.
  boost::asio::awaitable<std::optional<failure>> upgrade_to_tls();
  // QUIT with a short timeout, then closes. Safe to call in any state.
  boost::asio::awaitable<exchange> quit();

  const session_opening& opening() const { return opening_; }
  bool usable() const { return usable_; }
  bool tls_active() const { return tls_ != nullptr; }
  tls_mode mode() const { return options_.tls; }
  std::size_t commands_sent() const { return commands_sent_; }
  std::size_t rcpts_sent() const { return rcpts_sent_; }
  // The transaction state: MAIL accepted and no RSET since.
  bool in_transaction() const { return in_transaction_; }
  std::chrono::steady_clock::time_point last_used() const { return last_used_; }

 private:
  enum class verb { ehlo, helo, starttls, mail, rcpt, rset, quit };
  struct read_outcome {
    std::optional<reply> response;
    std::optional<failure> error;
  };

  boost::asio::awaitable<std::optional<failure>> connect(boost::asio::ip::tcp::endpoint target);
  exchange prepare(verb v, const std::string& argument) const;  // the line, or why it cannot be sent
  void settle(verb v, exchange& ex);                             // session state after a reply
  boost::asio::awaitable<exchange> command(verb v, std::string argument);
  boost::asio::awaitable<read_outcome> write_and_read(std::string line, phase p);
  boost::asio::awaitable<read_outcome> read_reply(phase p);
  // Runs `op`, closing the socket if `limit` passes first; nullopt on timeout.
  template <class T>
  boost::asio::awaitable<std::optional<T>> race(boost::asio::awaitable<T> op, std::chrono::milliseconds limit);
  boost::asio::awaitable<void> expire(boost::asio::steady_timer& timer);
  boost::asio::awaitable<open_result> greet();  // EHLO, then HELO on 5xx
  boost::asio::awaitable<open_result> starttls(bool required);
  std::chrono::milliseconds limit_for(phase p) const;
  boost::asio::ip::tcp::socket& lowest();
  void close();

  boost::asio::any_io_executor executor_;
  session_options options_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  reply_parser parser_;
  std::string pending_;               // bytes read but not yet parsed
  std::array<char, 4096> read_buffer_{};
  session_opening opening_;
  bool usable_ = false;
  bool in_transaction_ = false;
  bool timed_out_ = false;
  std::size_t commands_sent_ = 0;
  std::size_t rcpts_sent_ = 0;
  std::chrono::steady_clock::time_point last_used_{};
};

}  // namespace smtp
