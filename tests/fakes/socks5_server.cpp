#include "tests/fakes/socks5_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace fakes {
namespace net = boost::asio;
using net::ip::tcp;
using namespace net::experimental::awaitable_operators;

struct socks5_server::state {
  state(net::io_context& context, std::string user, std::string pass)
      : io(context), acceptor(context), username(std::move(user)), password(std::move(pass)) {}
  net::io_context& io;
  tcp::acceptor acceptor;
  std::string username, password;
  std::vector<tcp::endpoint> connects;
  std::size_t auth_failures = 0;
  std::size_t sessions = 0;
  std::vector<std::weak_ptr<tcp::socket>> open;
};

namespace {

constexpr auto io_token = net::as_tuple(net::use_awaitable);

net::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
  std::array<char, 4096> buffer{};
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(net::buffer(buffer), io_token);
    if (ec) break;
    auto [wec, w] = co_await net::async_write(to, net::buffer(buffer.data(), n), io_token);
    if (wec) break;
  }
  boost::system::error_code ignored;
  to.shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> serve(std::shared_ptr<socks5_server::state> st, std::shared_ptr<tcp::socket> client) {
  std::array<std::uint8_t, 512> b{};
  // Greeting: VER NMETHODS METHODS
  if (auto [ec, n] = co_await net::async_read(*client, net::buffer(b.data(), 2), io_token); ec || b[0] != 5) co_return;
  const std::size_t methods = b[1];
  if (auto [ec, n] = co_await net::async_read(*client, net::buffer(b.data(), methods), io_token); ec) co_return;
  const bool want_password = !st->username.empty();
  const std::uint8_t wanted = want_password ? 0x02 : 0x00;
  const bool offered = std::find(b.begin(), b.begin() + methods, wanted) != b.begin() + methods;
  const std::array<std::uint8_t, 2> choice{5, offered ? wanted : std::uint8_t{0xff}};
  if (auto [ec, n] = co_await net::async_write(*client, net::buffer(choice), io_token); ec || !offered) co_return;
  if (want_password) {
    // RFC 1929: VER ULEN UNAME PLEN PASSWD
    if (auto [ec, n] = co_await net::async_read(*client, net::buffer(b.data(), 2), io_token); ec) co_return;
    const std::size_t ulen = b[1];
    std::string user(ulen, '\0');
    if (auto [ec, n] = co_await net::async_read(*client, net::buffer(user), io_token); ec) co_return;
    if (auto [ec, n] = co_await net::async_read(*client, net::buffer(b.data(), 1), io_token); ec) co_return;
    std::string pass(b[0], '\0');
    if (auto [ec, n] = co_await net::async_read(*client, net::buffer(pass), io_token); ec) co_return;
    const bool ok = user == st->username && pass == st->password;
    if (!ok) ++st->auth_failures;
    const std::array<std::uint8_t, 2> status{1, ok ? std::uint8_t{0} : std::uint8_t{1}};
    if (auto [ec, n] = co_await net::async_write(*client, net::buffer(status), io_token); ec || !ok) co_return;
  }
  // Request: VER CMD RSV ATYP DST.ADDR DST.PORT
  if (auto [ec, n] = co_await net::async_read(*client, net::buffer(b.data(), 4), io_token); ec) co_return;
  if (b[1] != 1) co_return;
  tcp::endpoint target;
  if (b[3] == 1) {
    if (auto [ec, n] = co_await net::async_read(*client, net::buffer(b.data(), 6), io_token); ec) co_return;
    net::ip::address_v4::bytes_type raw;
    std::copy(b.begin(), b.begin() + 4, raw.begin());
    target = tcp::endpoint(net::ip::address_v4(raw), static_cast<std::uint16_t>((b[4] << 8) | b[5]));
  } else if (b[3] == 4) {
    if (auto [ec, n] = co_await net::async_read(*client, net::buffer(b.data(), 18), io_token); ec) co_return;
    net::ip::address_v6::bytes_type raw;
    std::copy(b.begin(), b.begin() + 16, raw.begin());
    target = tcp::endpoint(net::ip::address_v6(raw), static_cast<std::uint16_t>((b[16] << 8) | b[17]));
  } else {
    co_return;
  }
  st->connects.push_back(target);
  auto upstream = std::make_shared<tcp::socket>(st->io);
  st->open.push_back(upstream);
  auto [cec] = co_await upstream->async_connect(target, io_token);
  std::array<std::uint8_t, 10> reply{5, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  if (cec) reply[1] = cec == net::error::connection_refused ? 5 : 1;
  if (auto [ec, n] = co_await net::async_write(*client, net::buffer(reply), io_token); ec || cec) co_return;
  co_await (pump(*client, *upstream) && pump(*upstream, *client));
}

net::awaitable<void> accept_loop(std::shared_ptr<socks5_server::state> st) {
  for (;;) {
    auto client = std::make_shared<tcp::socket>(st->io);
    auto [ec] = co_await st->acceptor.async_accept(*client, io_token);
    if (ec) co_return;
    ++st->sessions;
    st->open.push_back(client);
    net::co_spawn(st->io, serve(st, client), net::detached);
  }
}

}  // namespace

socks5_server::socks5_server(net::io_context& io, std::string username, std::string password)
    : state_(std::make_shared<state>(io, std::move(username), std::move(password))) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  net::co_spawn(io, accept_loop(state_), net::detached);
}

socks5_server::~socks5_server() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& weak : state_->open)
    if (auto s = weak.lock()) s->close(ignored);
}

std::uint16_t socks5_server::port() const { return state_->acceptor.local_endpoint().port(); }
std::vector<tcp::endpoint> socks5_server::connects() const { return state_->connects; }
std::size_t socks5_server::auth_failures() const { return state_->auth_failures; }
std::size_t socks5_server::sessions() const { return state_->sessions; }

}  // namespace fakes
