// The DNS wire parser on hostile bytes: loops, overruns and oversize names are values.
#include "dns/message.hpp"

#include <gtest/gtest.h>

namespace {

using bytes = std::vector<std::uint8_t>;

bytes header(std::uint16_t ancount, std::uint8_t rcode = 0) {
  return {0x12, 0x34, 0x81, static_cast<std::uint8_t>(0x80 | rcode), 0, 1, 0, static_cast<std::uint8_t>(ancount), 0, 0, 0, 0};
}

TEST(Message, RoundTripsEveryDecodedType) {
  const auto query = dns::build_query(7, "example.test", dns::type::txt);
  dns::response_spec spec;
  spec.answers = {
      {"example.test", dns::type::a, 60, boost::asio::ip::make_address_v4("127.0.0.9")},
      {"example.test", dns::type::aaaa, 61, boost::asio::ip::make_address_v6("::1")},
      {"example.test", dns::type::mx, 62, dns::mx_data{10, "mx.example.test"}},
      {"example.test", dns::type::txt, 63, dns::txt_data{{"v=spf1 ", "-all"}}},
      {"example.test", dns::type::ptr, 64, dns::name_data{"host.example.test"}},
      {"example.test", dns::type::tlsa, 65, dns::raw_data{{3, 1, 1, 0xab}}},
  };
  spec.authority = {{"example.test", dns::type::soa, 300, dns::soa_data{"ns.example.test", "host.example.test", 1, 2, 3, 4, 5}}};
  const auto wire = dns::build_response(query, spec);
  const auto parsed = dns::parse_message(wire);
  ASSERT_TRUE(parsed.value) << parsed.error;
  EXPECT_EQ(parsed.value->id, 7);
  EXPECT_EQ(parsed.value->question_name, "example.test");
  EXPECT_EQ(parsed.value->question_type, dns::type::txt);
  EXPECT_EQ(parsed.value->answers, spec.answers);
  EXPECT_EQ(parsed.value->authority, spec.authority);
}

TEST(Message, CompressionPointerLoopIsMalformedNotAHang) {
  bytes m = header(0);
  m.insert(m.end(), {0xc0, 12, 0, 1, 0, 1});  // question name points at itself
  const auto parsed = dns::parse_message(m);
  EXPECT_FALSE(parsed.value);
  EXPECT_NE(parsed.error.find("loop"), std::string::npos) << parsed.error;
}

TEST(Message, RecordRunningPastTheEndIsMalformed) {
  bytes m = header(1);
  m.insert(m.end(), {1, 'a', 0, 0, 1, 0, 1});             // question a./A
  m.insert(m.end(), {1, 'a', 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 127, 0});  // rdlength 4, only 2 bytes
  EXPECT_FALSE(dns::parse_message(m).value);
}

TEST(Message, WrongAddressLengthIsMalformed) {
  bytes m = header(1);
  m.insert(m.end(), {1, 'a', 0, 0, 1, 0, 1});
  m.insert(m.end(), {1, 'a', 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 127, 0, 0});
  const auto parsed = dns::parse_message(m);
  EXPECT_FALSE(parsed.value);
  EXPECT_NE(parsed.error.find("A record"), std::string::npos) << parsed.error;
}

TEST(Message, NamesLongerThan255OctetsAreRefused) {
  bytes m = header(0);
  for (int i = 0; i < 5; ++i) {
    m.push_back(63);
    m.insert(m.end(), 63, 'x');
  }
  m.insert(m.end(), {0, 0, 1, 0, 1});
  EXPECT_FALSE(dns::parse_message(m).value);
}

TEST(Message, HostileLabelBytesAreEscaped) {
  bytes m = header(0);
  m.insert(m.end(), {4, 'a', '.', 0x1b, 'b', 0, 0, 1, 0, 1});
  const auto parsed = dns::parse_message(m);
  ASSERT_TRUE(parsed.value) << parsed.error;
  EXPECT_EQ(parsed.value->question_name, "a\\.\\027b");
}

TEST(Message, ShortInputIsMalformed) {
  EXPECT_FALSE(dns::parse_message(bytes{1, 2, 3}).value);
  EXPECT_FALSE(dns::parse_message(bytes{}).value);
}

dns::message response(std::uint8_t rcode, std::vector<dns::resource_record> answers,
                      std::vector<dns::resource_record> authority = {}) {
  dns::message m;
  m.rcode = rcode;
  m.answers = std::move(answers);
  m.authority = std::move(authority);
  return m;
}

TEST(ToAnswer, FollowsTheCnameChainAndKeepsIt) {
  const auto m = response(0, {{"www.example.test", dns::type::cname, 30, dns::name_data{"web.example.test"}},
                              {"web.example.test", dns::type::cname, 20, dns::name_data{"host.example.test"}},
                              {"HOST.example.test", dns::type::a, 10, boost::asio::ip::make_address_v4("127.0.0.1")}});
  const auto a = dns::to_answer(m, "www.example.test", dns::type::a);
  EXPECT_EQ(a.result, dns::outcome::records);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.cname_chain, (std::vector<std::string>{"www.example.test", "web.example.test", "host.example.test"}));
  EXPECT_EQ(a.ttl, 10u);
}

TEST(ToAnswer, CnameLoopIsAnError) {
  const auto m = response(0, {{"a.test", dns::type::cname, 30, dns::name_data{"b.test"}},
                              {"b.test", dns::type::cname, 30, dns::name_data{"a.test"}}});
  const auto a = dns::to_answer(m, "a.test", dns::type::a);
  EXPECT_EQ(a.result, dns::outcome::error);
  EXPECT_NE(a.detail.find("loop"), std::string::npos);
}

TEST(ToAnswer, RcodesMapToDistinctOutcomes) {
  const dns::resource_record soa{"test", dns::type::soa, 900, dns::soa_data{"ns", "host", 1, 1, 1, 1, 120}};
  EXPECT_EQ(dns::to_answer(response(3, {}, {soa}), "x.test", dns::type::a).result, dns::outcome::nxdomain);
  EXPECT_EQ(dns::to_answer(response(3, {}, {soa}), "x.test", dns::type::a).ttl, 120u);  // RFC 2308 §5
  EXPECT_EQ(dns::to_answer(response(0, {}), "x.test", dns::type::a).result, dns::outcome::nodata);
  EXPECT_EQ(dns::to_answer(response(2, {}), "x.test", dns::type::a).result, dns::outcome::servfail);
  EXPECT_EQ(dns::to_answer(response(5, {}), "x.test", dns::type::a).result, dns::outcome::refused);
  EXPECT_EQ(dns::to_answer(response(4, {}), "x.test", dns::type::a).result, dns::outcome::error);
}

TEST(ToAnswer, RecordsOfAnotherOwnerAreNotTakenAsTheAnswer) {
  const auto m = response(0, {{"other.test", dns::type::a, 10, boost::asio::ip::make_address_v4("127.0.0.1")}});
  EXPECT_EQ(dns::to_answer(m, "x.test", dns::type::a).result, dns::outcome::nodata);
}

TEST(Names, ReverseNamesForPtrAndDnsbl) {
  EXPECT_EQ(dns::reverse_name(boost::asio::ip::make_address("192.0.2.10")), "10.2.0.192.in-addr.arpa");
  EXPECT_EQ(dns::reverse_name(boost::asio::ip::make_address("127.0.0.2"), "zen.example."), "2.0.0.127.zen.example");
  // RFC 5782 §2.4: 32 nibbles, least significant first.
  EXPECT_EQ(dns::reverse_name(boost::asio::ip::make_address("2001:db8::1"), "bl.test"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test");
  EXPECT_EQ(dns::normalize_name("MX.Example.TEST."), "mx.example.test");
}

TEST(Txt, StringsOfOneRecordConcatenateRecordsStaySeparate) {
  dns::answer a;
  a.result = dns::outcome::records;
  a.records = {{"t", dns::type::txt, 1, dns::txt_data{{"v=spf1 ip4:192.0.2.0/24", " -all"}}},
               {"t", dns::type::txt, 1, dns::txt_data{{"other"}}}};
  EXPECT_EQ(a.texts(), (std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all", "other"}));
}

}  // namespace
