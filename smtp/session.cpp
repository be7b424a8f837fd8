#include "smtp/session.hpp"

#include "smtp/text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>

namespace smtp {
namespace net = boost::asio;
using net::ip::tcp;
using namespace net::experimental::awaitable_operators;
using std::chrono::milliseconds;

namespace {

constexpr auto io = net::as_tuple(net::use_awaitable);

milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

// A value that is the system's words (ec.message()): a report names the common ones.
dns::phrase_value system_words(std::string name, std::string text) {
  return dns::said::value(std::move(name), std::move(text), "system_error");
}

failure no_answer_within(phase where, std::chrono::milliseconds limit) {
  const std::string ms = std::to_string(limit.count());
  return composed_failure(where, failure_kind::timeout, "no answer within " + ms + " ms", "no_answer", {dns::said::value("ms", ms)});
}

failure socket_failure(phase where, const boost::system::error_code& ec) {
  namespace errc = net::error;
  if (ec == errc::connection_refused) return {where, failure_kind::refused, "connection refused", {}};
  if (ec == errc::network_unreachable || ec == errc::host_unreachable)
    return {where, failure_kind::unreachable, ec.message(), {}};
  if (ec == errc::timed_out) return {where, failure_kind::timeout, ec.message(), {}};
  if (ec == errc::eof) return composed_failure(where, failure_kind::closed, "the server closed the connection", "server_closed");
  if (ec == errc::connection_reset)
    return composed_failure(where, failure_kind::closed, "the server reset the connection", "server_reset");
  if (ec == boost::system::errc::address_not_available) return {where, failure_kind::local_error, ec.message(), {}};
  return {where, failure_kind::network_error, ec.message(), {}};
}

net::awaitable<boost::system::error_code> connect_socket(tcp::socket& socket, tcp::endpoint target) {
  auto [ec] = co_await socket.async_connect(target, io);
  co_return ec;
}

net::awaitable<boost::system::error_code> handshake(net::ssl::stream<tcp::socket>& stream) {
  auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::client, io);
  co_return ec;
}

bool is_ip_literal(const std::string& name) {
  boost::system::error_code ec;
  (void)net::ip::make_address(name, ec);
  return !ec;
}

}  // namespace

std::string_view to_string(phase p) {
  switch (p) {
    case phase::connect: return "connect";
    case phase::proxy: return "proxy";
    case phase::banner: return "banner";
    case phase::ehlo: return "ehlo";
    case phase::helo: return "helo";
    case phase::starttls: return "starttls";
    case phase::tls_handshake: return "tls-handshake";
    case phase::mail: return "mail";
    case phase::rcpt: return "rcpt";
    case phase::rset: return "rset";
    case phase::quit: return "quit";
  }
  return "unknown";
}

std::string_view waiting_for(phase p) {
  switch (p) {
    case phase::connect: return "connecting";
    case phase::proxy: return "negotiating with the SOCKS5 proxy";
    case phase::banner: return "waiting for the greeting banner";
    case phase::ehlo: return "waiting for the EHLO response";
    case phase::helo: return "waiting for the HELO response";
    case phase::starttls: return "waiting for the STARTTLS response";
    case phase::tls_handshake: return "in the TLS handshake";
    case phase::mail: return "waiting for the MAIL FROM response";
    case phase::rcpt: return "waiting for the RCPT TO response";
    case phase::rset: return "waiting for the RSET response";
    case phase::quit: return "waiting for the QUIT response";
  }
  return "in an unknown phase";
}

std::string_view to_string(tls_mode mode) {
  switch (mode) {
    case tls_mode::opportunistic: return "opportunistic";
    case tls_mode::required: return "required";
    case tls_mode::off: return "off";
  }
  return "unknown";
}

std::string_view to_string(failure_kind kind) {
  switch (kind) {
    case failure_kind::refused: return "refused";
    case failure_kind::unreachable: return "unreachable";
    case failure_kind::timeout: return "timeout";
    case failure_kind::closed: return "closed";
    case failure_kind::network_error: return "network-error";
    case failure_kind::not_smtp: return "not-smtp";
    case failure_kind::reply_too_large: return "reply-too-large";
    case failure_kind::tls_failed: return "tls-failed";
    case failure_kind::tls_unavailable: return "tls-unavailable";
    case failure_kind::proxy_failed: return "proxy-failed";
    case failure_kind::local_error: return "local-error";
  }
  return "unknown";
}

dns::phrase failure::describe_said() const {
  const std::string kind_id(to_string(kind));
  std::string lower = detail;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool shown = !detail.empty() && lower.find(kind_id) == std::string::npos;
  using dns::said::value;
  return dns::phrase{"address.failure",
                     {value("described", describe()), value("kind_name", kind_id, "failure_kind"),
                      value("phase_name", std::string(to_string(where)), "phase"), value("detail_separator", shown ? ": " : ""),
                      shown && !said.key.empty() ? dns::said::part("detail", said)
                                                 : value("detail", shown ? detail : std::string(), "system_error")}};
}

failure composed_failure(phase where, failure_kind kind, std::string english, std::string key,
                         std::vector<dns::phrase_value> values) {
  return failure{where, kind, std::move(english), dns::phrase{"address.detail." + std::move(key), std::move(values)}};
}

std::string failure::describe() const {
  std::string out;
  switch (kind) {
    case failure_kind::timeout: out = "timeout while " + std::string(waiting_for(where)); break;
    case failure_kind::closed: out = "connection closed while " + std::string(waiting_for(where)); break;
    case failure_kind::not_smtp: out = "the peer does not speak SMTP (" + std::string(to_string(where)) + ")"; break;
    case failure_kind::reply_too_large: out = "oversized reply while " + std::string(waiting_for(where)); break;
    default: out = std::string(to_string(kind)) + " while " + std::string(waiting_for(where)); break;
  }
  if (!detail.empty()) out += ": " + detail;
  return out;
}

session::session(net::any_io_executor executor, session_options options)
    : executor_(std::move(executor)), options_(std::move(options)), socket_(executor_) {
  if (!options_.tls_context) options_.tls_context = make_client_tls_context();
}

session::~session() { close(); }

tcp::socket& session::lowest() { return tls_ ? tls_->next_layer() : socket_; }

void session::close() {
  boost::system::error_code ignored;
  lowest().close(ignored);
  usable_ = false;
}

milliseconds session::limit_for(phase p) const {
  switch (p) {
    case phase::connect:
    case phase::proxy: return options_.limits.connect;
    case phase::banner: return options_.limits.banner;
    case phase::tls_handshake: return options_.limits.tls;
    case phase::quit: return options_.limits.quit;
    default: return options_.limits.command;
  }
}

net::awaitable<void> session::expire(net::steady_timer& timer) {
  auto [ec] = co_await timer.async_wait(io);
  if (!ec) {
    // Closing completes the pending socket operation at once, whatever it is.
    timed_out_ = true;
    close();
  }
}

template <class T>
net::awaitable<std::optional<T>> session::race(net::awaitable<T> op, milliseconds limit) {
  net::steady_timer timer(executor_, limit);
  auto result = co_await (std::move(op) || expire(timer));
  if (result.index() == 0) co_return std::move(std::get<0>(result));
  co_return std::nullopt;
}

net::awaitable<std::optional<failure>> session::connect(tcp::endpoint target) {
  const tcp::endpoint dial = options_.proxy ? options_.proxy->endpoint : target;
  boost::system::error_code ec;
  socket_.open(dial.protocol(), ec);
  if (ec)
    co_return composed_failure(phase::connect, failure_kind::local_error, "cannot open a socket: " + ec.message(), "no_socket",
                       {system_words("error", ec.message())});
  if (options_.source_ip) {
    if (options_.source_ip->is_v4() != dial.address().is_v4())
      co_return composed_failure(phase::connect, failure_kind::local_error,
                         "the source address " + options_.source_ip->to_string() + " and " +
                             dial.address().to_string() + " are of different address families",
                         "other_family",
                         {dns::said::value("source", options_.source_ip->to_string()),
                          dns::said::value("target", dial.address().to_string())});
    socket_.bind(tcp::endpoint(*options_.source_ip, 0), ec);
    if (ec)
      co_return composed_failure(phase::connect, failure_kind::local_error,
                         "cannot bind to the source address " + options_.source_ip->to_string() + ": " + ec.message(),
                         "no_bind",
                         {dns::said::value("source", options_.source_ip->to_string()), system_words("error", ec.message())});
  }
  const auto connected = co_await race(connect_socket(socket_, dial), options_.limits.connect);
  if (!connected) co_return composed_failure(phase::connect, failure_kind::timeout, "no answer to the TCP SYN", "no_syn_answer");
  if (*connected) {
    auto f = socket_failure(phase::connect, *connected);
    if (options_.proxy) {
      auto inner = f.said.key.empty() ? system_words("detail", f.detail) : dns::said::part("detail", f.said);
      f.said = dns::phrase{"address.detail.to_proxy",
                           {dns::said::value("proxy", options_.proxy->url.display()), std::move(inner)}};
      f.detail = "to the proxy " + options_.proxy->url.display() + ": " + f.detail;
    }
    co_return f;
  }
  // Without TCP_NODELAY the first command after the TLS handshake can wait ~40 ms for
  // the server's delayed ACK (Nagle); every command here is one small write.
  socket_.set_option(tcp::no_delay(true), ec);
  if (const auto local = socket_.local_endpoint(ec); !ec) opening_.local_endpoint = endpoint_text(local);

  if (options_.proxy) {
    const auto answered = co_await race(socks5_connect(socket_, options_.proxy->url, target), options_.limits.connect);
    if (!answered)
      co_return composed_failure(phase::proxy, failure_kind::timeout, "the proxy did not finish the handshake", "proxy_silent");
    switch (answered->error) {
      case proxy_error::none: break;
      case proxy_error::refused: co_return failure{phase::connect, failure_kind::refused, answered->detail, {}};
      case proxy_error::unreachable: co_return failure{phase::connect, failure_kind::unreachable, answered->detail, {}};
      default: co_return failure{phase::proxy, failure_kind::proxy_failed, answered->detail, {}};
    }
  }
  co_return std::nullopt;
}

net::awaitable<session::read_outcome> session::read_reply(phase p) {
  for (;;) {
    if (!pending_.empty()) pending_.erase(0, parser_.feed(pending_));
    if (parser_.status() == reply_parser::state::complete) co_return read_outcome{parser_.take(), std::nullopt};
    if (parser_.status() == reply_parser::state::failed) {
      const bool not_smtp = parser_.failure() == parse_failure::not_smtp;
      if (!not_smtp)
        co_return read_outcome{std::nullopt, failure{p, failure_kind::reply_too_large, parser_.failure_evidence(), {}}};
      co_return read_outcome{std::nullopt,
                             composed_failure(p, failure_kind::not_smtp, "it sent \"" + parser_.failure_evidence() + "\"",
                                      "it_sent", {dns::said::value("evidence", parser_.failure_evidence())})};
    }
    // The parser took every pending byte and wants more. Each read is at most 4 KiB and
    // the parser fails a reply after 64 KiB, so this loop ends (or the phase times out).
    auto [ec, n] = tls_ ? co_await tls_->async_read_some(net::buffer(read_buffer_), io)
                        : co_await socket_.async_read_some(net::buffer(read_buffer_), io);
    if (ec) {
      if (ec == net::ssl::error::stream_truncated)
        co_return read_outcome{std::nullopt, composed_failure(p, failure_kind::closed, "the server closed the TLS connection",
                                                      "server_closed_tls")};
      co_return read_outcome{std::nullopt, socket_failure(p, ec)};
    }
    const std::string_view fresh(read_buffer_.data(), n);
    const std::size_t used = parser_.feed(fresh);
    pending_.append(fresh.substr(used));
  }
}

net::awaitable<session::read_outcome> session::write_and_read(std::string line, phase p) {
  auto [ec, n] = tls_ ? co_await net::async_write(*tls_, net::buffer(line), io)
                      : co_await net::async_write(socket_, net::buffer(line), io);
  if (ec) co_return read_outcome{std::nullopt, socket_failure(p, ec)};
  co_return co_await read_reply(p);
}

exchange session::prepare(verb v, const std::string& argument) const {
  static constexpr struct {
    phase step;
    std::string_view text;
  } verbs[] = {{phase::ehlo, "EHLO"}, {phase::helo, "HELO"},  {phase::starttls, "STARTTLS"}, {phase::mail, "MAIL FROM:"},
               {phase::rcpt, "RCPT TO:"}, {phase::rset, "RSET"}, {phase::quit, "QUIT"}};
  const auto& spec = verbs[static_cast<int>(v)];
  exchange ex;
  ex.step = spec.step;
  ex.command = std::string(spec.text);
  if (!argument.empty()) {
    if (v == verb::ehlo || v == verb::helo) ex.command += ' ';
    ex.command += argument;
  }
  // Last line of defence against command injection: validated values never get here
  // with a line break, but if one did, the line is refused rather than sent.
  if (has_line_break_or_nul(ex.command)) {
    ex.command = sanitize(ex.command);
    ex.error = composed_failure(spec.step, failure_kind::local_error, "refused to send a command containing CR, LF or NUL",
                        "refused_line_break");
  } else if (!usable_) {
    ex.error = composed_failure(spec.step, failure_kind::closed, "the session is no longer open", "session_closed");
  }
  return ex;
}

void session::settle(verb v, exchange& ex) {
  last_used_ = std::chrono::steady_clock::now();
  if (ex.error) {
    close();
    return;
  }
  // RFC 5321 §3.8: 421 means the server is closing the transmission channel.
  if (ex.response->code == 421) close();
  const bool ok = ex.response->klass() == 2;
  if (v == verb::mail && ok) in_transaction_ = true;
  if (v == verb::rset && ok) in_transaction_ = false;
}

net::awaitable<exchange> session::command(verb v, std::string argument) {
  exchange ex = prepare(v, argument);
  if (ex.error) co_return ex;
  const auto start = std::chrono::steady_clock::now();
  ++commands_sent_;
  if (v == verb::rcpt) ++rcpts_sent_;
  const auto limit = limit_for(ex.step);
  auto outcome = co_await race(write_and_read(ex.command + "\r\n", ex.step), limit);
  ex.elapsed = since(start);
  if (!outcome) {
    ex.error = no_answer_within(ex.step, limit);
  } else {
    ex.response = std::move(outcome->response);
    ex.error = std::move(outcome->error);
  }
  settle(v, ex);
  co_return ex;
}

net::awaitable<std::vector<exchange>> session::mail_transaction(bool rset_first, const std::string& reverse_path,
                                                                bool smtputf8, const mailbox& recipient) {
  std::vector<std::pair<verb, std::string>> steps;
  if (rset_first) steps.emplace_back(verb::rset, "");
  steps.emplace_back(verb::mail, "<" + reverse_path + ">" + (smtputf8 ? " SMTPUTF8" : ""));
  steps.emplace_back(verb::rcpt, "<" + recipient.address() + ">");
  std::vector<exchange> out;

  if (!opening_.capabilities_now.pipelining) {
    // One command at a time; stop at the first refusal (RCPT after a refused MAIL is pointless).
    for (const auto& [v, argument] : steps) {
      out.push_back(co_await command(v, argument));
      if (!out.back().response || out.back().response->klass() != 2) break;
    }
    co_return out;
  }

  // RFC 2920 §3.1: RSET, MAIL and RCPT may all be sent in one group; the replies come back
  // in order. One write and one round trip instead of three.
  std::string group;
  for (const auto& [v, argument] : steps) {
    out.push_back(prepare(v, argument));
    if (out.back().error) co_return out;  // nothing of the group is sent
    group += out.back().command + "\r\n";
  }
  const auto start = std::chrono::steady_clock::now();
  commands_sent_ += steps.size();
  ++rcpts_sent_;
  // One timer for the whole group (the command timeout): a race per reply would cost two
  // coroutine spawns each. `current` says which reply was awaited when time ran out.
  std::size_t current = 0;
  const auto exchange_group = [](session& self, std::string bytes, std::vector<exchange>& replies,
                                 std::size_t& at, std::chrono::steady_clock::time_point since_start)
      -> net::awaitable<read_outcome> {
    auto [ec, n] = self.tls_ ? co_await net::async_write(*self.tls_, net::buffer(bytes), io)
                             : co_await net::async_write(self.socket_, net::buffer(bytes), io);
    if (ec) co_return read_outcome{std::nullopt, socket_failure(replies.front().step, ec)};
    for (at = 0; at < replies.size(); ++at) {
      auto outcome = co_await self.read_reply(replies[at].step);
      replies[at].elapsed = since(since_start);
      if (outcome.error) co_return outcome;
      replies[at].response = std::move(outcome.response);
    }
    co_return read_outcome{};
  };
  const auto limit = options_.limits.command;
  const auto finished = co_await race(exchange_group(*this, std::move(group), out, current, start), limit);
  std::optional<failure> broken;
  if (!finished)  // `current` is the reply that never came (the group has one after it at most)
    broken = no_answer_within(out[std::min(current, out.size() - 1)].step, limit);
  else if (finished->error)
    broken = finished->error;
  for (std::size_t i = 0; i < out.size(); ++i) {
    exchange& ex = out[i];
    if (broken && i >= current) {
      ex.error = broken;
      ex.error->where = ex.step;
      ex.response.reset();
      if (i > current) {
        // The failure of the command before is said in its own words (kind, phase, detail).
        ex.error->detail = "not answered: " + broken->describe();
        ex.error->said = dns::phrase{"address.detail.not_answered", {dns::said::part("described", broken->describe_said())}};
      }
      if (ex.elapsed.count() == 0) ex.elapsed = since(start);
    }
    settle(steps[i].first, ex);
  }
  co_return out;
}

net::awaitable<open_result> session::greet() {
  auto ehlo = co_await command(verb::ehlo, options_.helo);
  opening_.transcript.push_back(ehlo);
  if (ehlo.error) co_return open_result{open_status::failed, phase::ehlo, std::nullopt, ehlo.error};
  if (ehlo.response->klass() == 2) {
    opening_.capabilities_now = parse_ehlo(*ehlo.response);
    co_return open_result{open_status::ready, phase::ehlo, std::nullopt, std::nullopt};
  }
  if (ehlo.response->klass() != 5 || !usable_)
    co_return open_result{open_status::rejected, phase::ehlo, ehlo.response, std::nullopt};
  // RFC 5321 §3.2: a server that does not know EHLO answers 500/502; fall back to HELO.
  auto helo = co_await command(verb::helo, options_.helo);
  opening_.transcript.push_back(helo);
  if (helo.error) co_return open_result{open_status::failed, phase::helo, std::nullopt, helo.error};
  if (helo.response->klass() != 2) co_return open_result{open_status::rejected, phase::helo, helo.response, std::nullopt};
  opening_.used_helo = true;
  opening_.capabilities_now = capabilities{};
  opening_.capabilities_now.server_name = parse_ehlo(*helo.response).server_name;
  co_return open_result{open_status::ready, phase::helo, std::nullopt, std::nullopt};
}

net::awaitable<open_result> session::starttls(bool required) {
  auto ex = co_await command(verb::starttls, "");
  opening_.transcript.push_back(ex);
  if (ex.error) co_return open_result{open_status::failed, phase::starttls, std::nullopt, ex.error};
  if (ex.response->code != 220) {
    const std::string code = std::to_string(ex.response->code), text = ex.response->text().substr(0, 200);
    failure refused = composed_failure(phase::starttls, failure_kind::tls_unavailable,
                               "the server answered STARTTLS with " + code + " " + text, "starttls_answer",
                               {dns::said::value("code", code), dns::said::value("text", text)});
    opening_.tls_failure = refused;
    if (!usable_) co_return open_result{open_status::rejected, phase::starttls, ex.response, std::nullopt};
    if (required) co_return open_result{open_status::failed, phase::starttls, ex.response, refused};
    opening_.findings.push_back("STARTTLS was refused; the session continues in plaintext");
    opening_.findings_said.push_back(dns::phrase{"address.session_finding.starttls_refused", {}});
    co_return open_result{open_status::ready, phase::starttls, std::nullopt, std::nullopt};
  }
  // RFC 3207 §4.2: anything the server sent after "220" but before the handshake is not
  // trustworthy (an injected reply would later be read as the answer to our command).
  if (!pending_.empty()) {
    opening_.findings.push_back("discarded " + std::to_string(pending_.size()) +
                                " bytes of plaintext the server sent after its STARTTLS reply (RFC 3207 §4.2)");
    opening_.findings_said.push_back(dns::phrase{"address.session_finding.plaintext_discarded",
                                                 {dns::said::value("bytes", std::to_string(pending_.size()))}});
    pending_.clear();
  }
  parser_.reset();

  tls_ = std::make_unique<net::ssl::stream<tcp::socket>>(std::move(socket_), *options_.tls_context);
  std::string sni = opening_.mx_host;
  if (!sni.empty() && sni.back() == '.') sni.pop_back();
  if (sni.empty() || is_ip_literal(sni)) sni.clear();  // RFC 6066 §3: no IP literals in SNI
  if (!sni.empty()) SSL_set_tlsext_host_name(tls_->native_handle(), sni.c_str());

  exchange shake;
  shake.step = phase::tls_handshake;
  const auto start = std::chrono::steady_clock::now();
  const auto done = co_await race(handshake(*tls_), options_.limits.tls);
  shake.elapsed = since(start);
  if (!done) {
    const std::string ms = std::to_string(options_.limits.tls.count());
    shake.error = composed_failure(phase::tls_handshake, failure_kind::timeout, "no handshake within " + ms + " ms",
                           "no_handshake", {dns::said::value("ms", ms)});
  } else if (*done) {
    // Asio took the first error off OpenSSL's queue into `done`; what is left follows it.
    std::string errors = (*done).message();
    if (std::string rest = drain_openssl_errors(""); !rest.empty()) errors += "; " + rest;
    errors = sanitize(errors);
    // The reason alone is named in other languages; the words around it stay as they are.
    const std::string_view reason = openssl_reason(errors);
    const auto at = static_cast<std::size_t>(reason.data() - errors.data());
    using dns::said::value;
    shake.error = composed_failure(phase::tls_handshake, failure_kind::tls_failed, errors, "tls_error",
                                   {value("before", errors.substr(0, at)), value("reason", std::string(reason), "tls_error"),
                                    value("after", errors.substr(at + reason.size()))});
  }
  opening_.transcript.push_back(shake);
  if (shake.error) {
    opening_.tls_failure = shake.error;
    close();
    co_return open_result{open_status::failed, phase::tls_handshake, std::nullopt, shake.error};
  }
  opening_.tls = read_tls_facts(tls_->native_handle(), opening_.mx_host, sni);
  // RFC 3207 §4.2: forget the plaintext EHLO answer and ask again.
  opening_.capabilities_now = capabilities{};
  co_return co_await greet();
}

net::awaitable<open_result> session::open(net::ip::address address, std::string mx_host) {
  opening_ = session_opening{};
  opening_.address = address;
  opening_.mx_host = std::move(mx_host);
  opening_.port = options_.port;
  opening_.via_proxy = options_.proxy.has_value();

  const auto start = std::chrono::steady_clock::now();
  if (auto problem = co_await connect(tcp::endpoint(address, options_.port))) {
    close();
    co_return open_result{open_status::failed, problem->where, std::nullopt, problem};
  }
  opening_.connect_elapsed = since(start);
  usable_ = true;
  last_used_ = std::chrono::steady_clock::now();

  exchange banner;
  banner.step = phase::banner;
  const auto banner_start = std::chrono::steady_clock::now();
  const auto greeting = co_await race(read_reply(phase::banner), options_.limits.banner);
  banner.elapsed = since(banner_start);
  if (!greeting) {
    const std::string ms = std::to_string(options_.limits.banner.count());
    banner.error = composed_failure(phase::banner, failure_kind::timeout, "no greeting within " + ms + " ms", "no_greeting",
                            {dns::said::value("ms", ms)});
  } else {
    banner.response = greeting->response;
    banner.error = greeting->error;
  }
  opening_.transcript.push_back(banner);
  if (banner.error) {
    close();
    co_return open_result{open_status::failed, phase::banner, std::nullopt, banner.error};
  }
  opening_.banner = banner.response;
  if (banner.response->klass() != 2) {
    if (banner.response->code == 421) close();
    co_return open_result{open_status::rejected, phase::banner, banner.response, std::nullopt};
  }

  auto greeted = co_await greet();
  if (greeted.status != open_status::ready) co_return greeted;
  opening_.plaintext_capabilities = opening_.capabilities_now;

  if (options_.tls == tls_mode::off) co_return greeted;
  if (opening_.capabilities_now.starttls) co_return co_await starttls(options_.tls == tls_mode::required);
  if (options_.tls == tls_mode::required) {
    failure missing = composed_failure(phase::starttls, failure_kind::tls_unavailable, "the server does not offer STARTTLS",
                               "no_starttls");
    opening_.tls_failure = missing;
    co_return open_result{open_status::failed, phase::starttls, std::nullopt, missing};
  }
  co_return greeted;
}

net::awaitable<exchange> session::mail_from(const std::string& reverse_path, bool smtputf8) {
  co_return co_await command(verb::mail, "<" + reverse_path + ">" + (smtputf8 ? " SMTPUTF8" : ""));
}

net::awaitable<exchange> session::rcpt_to(const mailbox& recipient) {
  co_return co_await command(verb::rcpt, "<" + recipient.address() + ">");
}

net::awaitable<exchange> session::rset() { co_return co_await command(verb::rset, ""); }

net::awaitable<std::optional<failure>> session::upgrade_to_tls() {
  if (tls_) co_return std::nullopt;
  in_transaction_ = false;
  const auto upgraded = co_await starttls(true);
  if (upgraded.status == open_status::ready) co_return std::nullopt;
  if (upgraded.error) co_return upgraded.error;
  if (!upgraded.response) co_return composed_failure(upgraded.where, failure_kind::tls_unavailable, "the upgrade failed", "upgrade_failed");
  const std::string code = std::to_string(upgraded.response->code), text = upgraded.response->text().substr(0, 200);
  co_return composed_failure(upgraded.where, failure_kind::tls_unavailable, "the server answered " + code + " " + text,
                     "server_answered", {dns::said::value("code", code), dns::said::value("text", text)});
}

net::awaitable<exchange> session::quit() {
  exchange ex;
  ex.step = phase::quit;
  ex.command = "QUIT";
  if (usable_) ex = co_await command(verb::quit, "");
  close();
  co_return ex;
}

}  // namespace smtp
