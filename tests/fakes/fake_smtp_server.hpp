#pragma once
// A scripted SMTP server for tests, in-process on the test's io_context, bound to a
// loopback address (127.0.0.x or ::1) and port 0 or a chosen port.
//
// By default it behaves like a small ESMTP server (EHLO, optional STARTTLS with a
// self-signed certificate made at run time, MAIL, RCPT, RSET, QUIT). Tests change what it
// says through `behaviour`: the banner and its delay, the EHLO lines, a function deciding
// the RCPT answer, or a function taking over any command with an `action` (raw bytes,
// delay, close, hang, endless reply, start TLS).
//
// Safety net: if a client ever sends DATA or BDAT the server records it and fails the
// running test (ADD_FAILURE): probe must never send a message.
//
// Lifetime: connection coroutines share state through a shared_ptr, so destroying the
// server (which closes the listener and every connection) is safe while they are pending.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fakes {

struct smtp_connection {
  int index = 0;            // 1-based, in accept order
  std::string peer;         // the client's address
  bool tls = false;         // after a successful STARTTLS
  int mails = 0;            // MAIL commands in this connection
  int rcpts = 0;            // RCPT commands in this connection
  std::vector<std::string> commands;
};

struct smtp_action {
  std::string reply;                  // reply lines separated by "\n"; each sent with CRLF
  std::string raw;                    // bytes sent exactly as given (after `reply`)
  std::chrono::milliseconds delay{0}; // wait before answering
  bool close = false;                 // close the connection after answering
  bool hang = false;                  // answer nothing; keep the connection open
  bool endless = false;               // send `reply`'s first line as "250-..." forever
  bool start_tls = false;             // after answering, run a TLS handshake as the server
};

struct smtp_behaviour {
  std::string banner = "220 fake.test ESMTP ready";  // "" = say nothing
  std::string banner_raw;                            // bytes sent instead of the banner, when set
  std::chrono::milliseconds banner_delay{0};
  bool close_after_banner = false;
  std::vector<std::string> ehlo = {"fake.test greets you", "PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES",
                                   "8BITMIME"};
  bool starttls = false;               // offer STARTTLS (certificate for `tls_name`)
  std::string tls_name = "mx.fake.test";
  bool tls_garbage = false;            // answer STARTTLS with 220, then send non-TLS bytes
  bool require_tls = false;            // 530 to MAIL until STARTTLS
  std::string ehlo_reply_override;     // when set, EHLO gets this reply (e.g. "502 5.5.2 no")
  // RCPT's answer from the address (without <>) and the connection; default "250 2.1.5 Ok".
  std::function<std::string(const std::string& address, smtp_connection&)> rcpt;
  // Takes over any command line (without CRLF); nullopt falls back to the defaults.
  std::function<std::optional<smtp_action>(const std::string& line, smtp_connection&)> on_command;
};

class fake_smtp_server {
 public:
  fake_smtp_server(boost::asio::io_context& io, smtp_behaviour behaviour, std::string address = "127.0.0.1",
                   std::uint16_t port = 0);
  ~fake_smtp_server();
  fake_smtp_server(const fake_smtp_server&) = delete;
  fake_smtp_server& operator=(const fake_smtp_server&) = delete;

  std::uint16_t port() const;
  const std::string& address() const;
  // Every command line seen, in order, across connections.
  std::vector<std::string> commands() const;
  std::size_t connections() const;
  std::size_t max_concurrent_connections() const;  // the most connections open at once
  std::size_t quits() const;
  bool saw_forbidden_command() const;  // DATA or BDAT
  smtp_behaviour& behaviour();         // change the script between checks
  void stop();

  struct state;

 private:
  std::shared_ptr<state> state_;
};

// A server-side TLS context with a freshly generated self-signed certificate for `name`
// (EC P-256, SAN DNS:name, valid from now for a day).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& name);

}  // namespace fakes
