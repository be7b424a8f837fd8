#include "smtp/socks5.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace smtp {
namespace net = boost::asio;

net::awaitable<proxy_result> socks5_connect(net::ip::tcp::socket& socket, const proxy_url& proxy,
                                           const net::ip::tcp::endpoint& target) {
  const auto io = net::as_tuple(net::use_awaitable);
  const auto closed = [](const boost::system::error_code& ec) {
    return proxy_result{proxy_error::failed, "the proxy closed the connection or failed: " + ec.message()};
  };
  std::array<char, 262> buffer{};

  const bool with_password = !proxy.username.empty();
  if (auto [ec, n] = co_await net::async_write(socket, net::buffer(socks5::greeting(with_password)), io); ec)
    co_return closed(ec);
  if (auto [ec, n] = co_await net::async_read(socket, net::buffer(buffer.data(), 2), io); ec) co_return closed(ec);
  const auto method = socks5::parse_method_selection(std::string_view(buffer.data(), 2));
  if (!method) co_return proxy_result{proxy_error::protocol, "the proxy's greeting answer is not SOCKS5"};
  if (*method == socks5::auth_method::unacceptable)
    co_return proxy_result{proxy_error::auth_required,
                           with_password ? "the proxy accepts none of the offered authentication methods"
                                         : "the proxy requires authentication; give socks5://user:pass@host:port"};
  if (*method == socks5::auth_method::username_password) {
    if (!with_password)
      co_return proxy_result{proxy_error::protocol, "the proxy chose password authentication, which was not offered"};
    const auto request = socks5::password_request(proxy.username, proxy.password);
    if (auto [ec, n] = co_await net::async_write(socket, net::buffer(request), io); ec) co_return closed(ec);
    if (auto [ec, n] = co_await net::async_read(socket, net::buffer(buffer.data(), 2), io); ec) co_return closed(ec);
    if (!socks5::parse_password_status(std::string_view(buffer.data(), 2)))
      co_return proxy_result{proxy_error::auth_failed, "the proxy refused the user name or password"};
  }

  if (auto [ec, n] = co_await net::async_write(socket, net::buffer(socks5::connect_request(target)), io); ec)
    co_return closed(ec);
  if (auto [ec, n] = co_await net::async_read(socket, net::buffer(buffer.data(), 5), io); ec) co_return closed(ec);
  const auto length = socks5::reply_length(std::string_view(buffer.data(), 5));
  if (!length) co_return proxy_result{proxy_error::protocol, "the proxy's CONNECT answer is not SOCKS5"};
  // The rest of the reply (bound address and port) is read and ignored; its length is at most 262.
  if (auto [ec, n] = co_await net::async_read(socket, net::buffer(buffer.data() + 5, *length - 5), io); ec)
    co_return closed(ec);
  const auto rep = static_cast<std::uint8_t>(buffer[1]);
  if (rep == 0x00) co_return proxy_result{};
  std::string detail = "the proxy answered: " + std::string(socks5::reply_text(rep));
  switch (rep) {
    case 0x02: co_return proxy_result{proxy_error::not_allowed, detail};
    case 0x03:
    case 0x04: co_return proxy_result{proxy_error::unreachable, detail};
    case 0x05: co_return proxy_result{proxy_error::refused, detail};
    default: co_return proxy_result{proxy_error::failed, detail};
  }
}

}  // namespace smtp
