// SOCKS5 (RFC 1928, RFC 1929) messages as bytes, and proxy URLs.
#include "smtp/socks5.hpp"

#include <gtest/gtest.h>

namespace {

namespace net = boost::asio;
using namespace smtp::socks5;

TEST(Socks5, Greeting) {
  EXPECT_EQ(greeting(false), std::string("\x05\x01\x00", 3));
  EXPECT_EQ(greeting(true), std::string("\x05\x02\x00\x02", 4));
}

TEST(Socks5, MethodSelection) {
  EXPECT_EQ(parse_method_selection(std::string("\x05\x00", 2)), auth_method::none);
  EXPECT_EQ(parse_method_selection(std::string("\x05\x02", 2)), auth_method::username_password);
  EXPECT_EQ(parse_method_selection(std::string("\x05\xff", 2)), auth_method::unacceptable);
  EXPECT_FALSE(parse_method_selection(std::string("\x04\x00", 2)));  // SOCKS4
  EXPECT_FALSE(parse_method_selection(std::string("\x05\x01", 2)));  // GSSAPI, not offered
  EXPECT_FALSE(parse_method_selection("HT"));                         // an HTTP proxy
}

TEST(Socks5, PasswordRequestAndStatus) {
  EXPECT_EQ(password_request("bob", "pw"), std::string("\x01\x03" "bob" "\x02" "pw", 8));
  EXPECT_TRUE(parse_password_status(std::string("\x01\x00", 2)));
  EXPECT_FALSE(parse_password_status(std::string("\x01\x01", 2)));
}

TEST(Socks5, ConnectRequestIpv4AndIpv6) {
  const net::ip::tcp::endpoint v4(net::ip::make_address("192.0.2.10"), 25);
  EXPECT_EQ(connect_request(v4), std::string("\x05\x01\x00\x01\xc0\x00\x02\x0a\x00\x19", 10));
  const net::ip::tcp::endpoint v6(net::ip::make_address("2001:db8::1"), 587);
  const auto request = connect_request(v6);
  ASSERT_EQ(request.size(), 22u);
  EXPECT_EQ(request[3], '\x04');
  EXPECT_EQ(request.substr(20), std::string("\x02\x4b", 2));
}

TEST(Socks5, ReplyLength) {
  EXPECT_EQ(reply_length(std::string("\x05\x00\x00\x01\x7f", 5)), 10u);
  EXPECT_EQ(reply_length(std::string("\x05\x00\x00\x04\x20", 5)), 22u);
  EXPECT_EQ(reply_length(std::string("\x05\x00\x00\x03\x0b", 5)), 4u + 1 + 11 + 2);
  EXPECT_FALSE(reply_length(std::string("\x05\x00\x00\x09\x00", 5)));
  EXPECT_FALSE(reply_length(std::string("\x05\x00\x01\x01\x00", 5)));  // RSV must be 0
  EXPECT_EQ(reply_text(5), "connection refused");
}

TEST(ProxyUrl, Forms) {
  auto plain = smtp::parse_proxy_url("socks5://127.0.0.1:1080");
  ASSERT_TRUE(plain) << plain.error;
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 1080);
  EXPECT_TRUE(plain->username.empty());
  auto auth = smtp::parse_proxy_url("socks5h://us%40er:p%3Ass@proxy.example:9050/");
  ASSERT_TRUE(auth) << auth.error;
  EXPECT_EQ(auth->username, "us@er");
  EXPECT_EQ(auth->password, "p:ss");
  EXPECT_EQ(auth->host, "proxy.example");
  EXPECT_EQ(auth->display(), "socks5://us@er:***@proxy.example:9050");
  auto v6 = smtp::parse_proxy_url("socks5://[::1]:1080");
  ASSERT_TRUE(v6) << v6.error;
  EXPECT_EQ(v6->host, "::1");
}

TEST(ProxyUrl, Refusals) {
  for (const char* bad : {"http://127.0.0.1:8080", "socks5://127.0.0.1", "socks5://127.0.0.1:0",
                          "socks5://127.0.0.1:70000", "socks5://:1080", "socks5://[::1:1080", "socks5://u:%zz@h:1",
                          "socks5://h:1\r\n"}) {
    EXPECT_FALSE(smtp::parse_proxy_url(bad)) << bad;
  }
}

}  // namespace
