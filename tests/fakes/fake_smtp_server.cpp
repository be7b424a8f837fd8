#include "tests/fakes/fake_smtp_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <random>

namespace fakes {
namespace net = boost::asio;
using net::ip::tcp;

namespace {

constexpr auto io_token = net::as_tuple(net::use_awaitable);

struct connection {
  explicit connection(net::any_io_executor ex) : socket(ex) {}
  tcp::socket socket;
  std::unique_ptr<net::ssl::stream<tcp::socket>> tls;
  smtp_connection info;
  tcp::socket& lowest() { return tls ? tls->next_layer() : socket; }
  void close() {
    boost::system::error_code ignored;
    lowest().close(ignored);
  }
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string format_reply(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    out += text.substr(start, end - start) + "\r\n";
    start = end + 1;
  }
  return out;
}

std::string address_of(const std::string& line) {
  const auto open = line.find('<');
  const auto close = line.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return {};
  return line.substr(open + 1, close - open - 1);
}

net::awaitable<boost::system::error_code> send(connection& c, std::string data) {
  auto [ec, n] = c.tls ? co_await net::async_write(*c.tls, net::buffer(data), io_token)
                       : co_await net::async_write(c.socket, net::buffer(data), io_token);
  co_return ec;
}

}  // namespace

struct fake_smtp_server::state {
  state(net::io_context& context, smtp_behaviour b, std::string addr)
      : io(context), behaviour(std::move(b)), address(std::move(addr)), acceptor(context) {}
  net::io_context& io;
  smtp_behaviour behaviour;
  std::string address;
  tcp::acceptor acceptor;
  std::shared_ptr<net::ssl::context> tls;
  std::vector<std::string> commands;
  std::size_t connections = 0;
  std::size_t active = 0;
  std::size_t max_active = 0;
  std::size_t quits = 0;
  bool forbidden = false;
  bool stopped = false;
  std::vector<std::weak_ptr<connection>> open;
};

namespace {

smtp_action default_action(fake_smtp_server::state& st, const std::string& line, connection& c) {
  const std::string verb = upper(line.substr(0, line.find(' ')));
  const auto& b = st.behaviour;
  smtp_action a;
  if (verb == "EHLO") {
    if (!b.ehlo_reply_override.empty()) {
      a.reply = b.ehlo_reply_override;
      return a;
    }
    std::vector<std::string> lines = b.ehlo;
    if (b.starttls && !c.info.tls) lines.push_back("STARTTLS");
    for (std::size_t i = 0; i < lines.size(); ++i)
      a.reply += (i ? "\n" : "") + std::string(i + 1 < lines.size() ? "250-" : "250 ") + lines[i];
  } else if (verb == "HELO") {
    a.reply = "250 fake.test";
  } else if (verb == "STARTTLS") {
    if (!b.starttls || c.info.tls) {
      a.reply = "502 5.5.1 STARTTLS not available";
    } else if (b.tls_garbage) {
      a.reply = "220 2.0.0 Ready to start TLS";
      a.raw = "this is not a TLS record\r\n\x01\x02\x03\xff\xfe garbage";
      a.close = true;
    } else {
      a.reply = "220 2.0.0 Ready to start TLS";
      a.start_tls = true;
    }
  } else if (verb.starts_with("MAIL")) {
    a.reply = b.require_tls && !c.info.tls ? "530 5.7.0 Must issue a STARTTLS command first" : "250 2.1.0 Ok";
  } else if (verb.starts_with("RCPT")) {
    a.reply = b.rcpt ? b.rcpt(address_of(line), c.info) : "250 2.1.5 Ok";
  } else if (verb == "RSET") {
    a.reply = "250 2.0.0 Ok";
  } else if (verb == "NOOP") {
    a.reply = "250 2.0.0 Ok";
  } else if (verb == "QUIT") {
    a.reply = "221 2.0.0 Bye";
    a.close = true;
  } else {
    a.reply = "502 5.5.2 Error: command not recognized";
  }
  return a;
}

net::awaitable<void> serve(std::shared_ptr<fake_smtp_server::state> st, std::shared_ptr<connection> c) {
  struct counted {
    fake_smtp_server::state& st;
    explicit counted(fake_smtp_server::state& s) : st(s) { st.max_active = std::max(st.max_active, ++st.active); }
    ~counted() { --st.active; }
  } count(*st);
  const auto& b = st->behaviour;
  auto executor = co_await net::this_coro::executor;
  if (b.banner_delay.count() > 0) {
    net::steady_timer wait(executor, b.banner_delay);
    (void)co_await wait.async_wait(io_token);
  }
  if (!b.banner_raw.empty()) {
    if (co_await send(*c, b.banner_raw)) co_return;
  } else if (!b.banner.empty()) {
    if (co_await send(*c, format_reply(b.banner))) co_return;
  }
  if (b.close_after_banner) {
    c->close();
    co_return;
  }
  std::string buffer;
  for (;;) {
    auto [ec, n] = c->tls ? co_await net::async_read_until(*c->tls, net::dynamic_buffer(buffer, 1 << 20), "\n", io_token)
                          : co_await net::async_read_until(c->socket, net::dynamic_buffer(buffer, 1 << 20), "\n", io_token);
    if (ec) co_return;
    std::string line = buffer.substr(0, n);
    buffer.erase(0, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    st->commands.push_back(line);
    c->info.commands.push_back(line);
    const std::string verb = upper(line.substr(0, line.find(' ')));
    if (verb == "DATA" || verb == "BDAT") {
      st->forbidden = true;
      ADD_FAILURE() << "the client sent " << line << ": probe must never send a message";
      (void)co_await send(*c, "554 5.5.1 this test server refuses DATA and BDAT\r\n");
      c->close();
      co_return;
    }
    if (verb.starts_with("MAIL")) ++c->info.mails;
    if (verb.starts_with("RCPT")) ++c->info.rcpts;
    if (verb == "QUIT") ++st->quits;
    std::optional<smtp_action> custom;
    if (b.on_command) custom = b.on_command(line, c->info);
    const smtp_action a = custom ? *custom : default_action(*st, line, *c);
    if (a.delay.count() > 0) {
      net::steady_timer wait(executor, a.delay);
      (void)co_await wait.async_wait(io_token);
    }
    if (a.hang) continue;
    if (a.endless) {
      // An endless multi-line reply: at most 64 MiB, or until the client goes away.
      const std::string chunk = [&] {
        std::string out;
        for (int i = 0; i < 64; ++i) out += "250-" + a.reply + "\r\n";
        return out;
      }();
      for (std::size_t sent = 0; sent < (64u << 20); sent += chunk.size())
        if (co_await send(*c, chunk)) co_return;
      c->close();
      co_return;
    }
    if (!a.reply.empty() && co_await send(*c, format_reply(a.reply))) co_return;
    if (!a.raw.empty() && co_await send(*c, a.raw)) co_return;
    if (a.start_tls) {
      if (!st->tls) st->tls = make_server_tls_context(b.tls_name);
      c->tls = std::make_unique<net::ssl::stream<tcp::socket>>(std::move(c->socket), *st->tls);
      auto [hs] = co_await c->tls->async_handshake(net::ssl::stream_base::server, io_token);
      if (hs) {
        c->close();
        co_return;
      }
      c->info.tls = true;
      buffer.clear();
    }
    if (a.close) {
      c->close();
      co_return;
    }
  }
}

net::awaitable<void> accept_loop(std::shared_ptr<fake_smtp_server::state> st) {
  for (;;) {
    auto c = std::make_shared<connection>(st->io.get_executor());
    auto [ec] = co_await st->acceptor.async_accept(c->socket, io_token);
    if (ec || st->stopped) co_return;
    c->info.index = static_cast<int>(++st->connections);
    boost::system::error_code ignored;
    c->info.peer = c->socket.remote_endpoint(ignored).address().to_string();
    st->open.push_back(c);
    net::co_spawn(st->io, serve(st, c), net::detached);
  }
}

}  // namespace

fake_smtp_server::fake_smtp_server(net::io_context& io, smtp_behaviour behaviour, std::string address,
                                   std::uint16_t port)
    : state_(std::make_shared<state>(io, std::move(behaviour), std::move(address))) {
  const tcp::endpoint endpoint(net::ip::make_address(state_->address), port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  if (state_->behaviour.starttls) state_->tls = make_server_tls_context(state_->behaviour.tls_name);
  net::co_spawn(io, accept_loop(state_), net::detached);
}

fake_smtp_server::~fake_smtp_server() { stop(); }

void fake_smtp_server::stop() {
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& weak : state_->open)
    if (auto c = weak.lock()) c->close();
}

std::uint16_t fake_smtp_server::port() const { return state_->acceptor.local_endpoint().port(); }
const std::string& fake_smtp_server::address() const { return state_->address; }
std::vector<std::string> fake_smtp_server::commands() const { return state_->commands; }
std::size_t fake_smtp_server::connections() const { return state_->connections; }
std::size_t fake_smtp_server::max_concurrent_connections() const { return state_->max_active; }
std::size_t fake_smtp_server::quits() const { return state_->quits; }
bool fake_smtp_server::saw_forbidden_command() const { return state_->forbidden; }
smtp_behaviour& fake_smtp_server::behaviour() { return state_->behaviour; }

std::shared_ptr<net::ssl::context> make_server_tls_context(const std::string& name) {
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::random_device{}() & 0x7fffffff));
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert, subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  const std::string san = "DNS:" + name;
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str())) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX_use_certificate(context->native_handle(), cert);
  SSL_CTX_use_PrivateKey(context->native_handle(), key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return context;
}

}  // namespace fakes
