// probe/json_writer writes what nlohmann's compact dump() writes, byte for byte, on
// documents of every shape and on every string byte probe may meet (controls, quotes,
// UTF-8 of every length, broken UTF-8), and leaves broken UTF-8 to dump()'s own rules.

#include "probe/json_writer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

std::string random_string(std::mt19937& rng) {
  // Mostly ASCII with escapes, some well-formed UTF-8, now and then a broken byte.
  static const std::vector<std::string> pieces = {
      "a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f", std::string(1, '\0'), "\x01", "\x1f", "\x7f",
      "é", "退信", "𝄞", "\xe2\x82\xac", "user@example.org", "550 5.1.1"};
  static const std::vector<std::string> broken = {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\x80"};
  std::string s;
  const int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) {
    if (rng() % 40 == 0) s += broken[rng() % broken.size()];
    else s += pieces[rng() % pieces.size()];
  }
  return s;
}

nlohmann::json random_document(std::mt19937& rng, int depth) {
  switch (depth > 3 ? rng() % 6 : rng() % 8) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<std::int64_t>(rng()) - static_cast<std::int64_t>(rng());
    case 3: return static_cast<std::uint64_t>(rng()) << 20;
    case 4: return static_cast<double>(rng() % 100000) / 7.0;
    case 5: return random_string(rng);
    case 6: {
      nlohmann::json a = nlohmann::json::array();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) a.push_back(random_document(rng, depth + 1));
      return a;
    }
    default: {
      nlohmann::json o = nlohmann::json::object();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) o[random_string(rng)] = random_document(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonWriter, WritesWhatDumpWrites) {
  std::mt19937 rng(20261124);
  int written = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto doc = random_document(rng, 0);
    std::string expected;
    bool dump_throws = false;
    try {
      expected = doc.dump();
    } catch (const nlohmann::json::type_error&) {
      dump_throws = true;
    }
    std::string got = "prefix";
    const bool ok = probe::append_compact_json(got, doc);
    ASSERT_EQ(ok, !dump_throws) << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (ok) {
      ASSERT_EQ(got, "prefix" + expected);
      ++written;
    } else {
      ASSERT_EQ(got, "prefix");  // nothing appended
      EXPECT_THROW((void)probe::compact_json(doc), nlohmann::json::type_error);
      ++refused;
    }
  }
  // Both paths were taken.
  EXPECT_GT(written, 1000);
  EXPECT_GT(refused, 10);
}

TEST(JsonWriter, EveryControlByteAndUtf8Boundary) {
  for (int c = 0; c < 0x80; ++c) {
    const nlohmann::json doc = {{"k", std::string(1, static_cast<char>(c))}};
    EXPECT_EQ(probe::compact_json(doc), doc.dump()) << c;
  }
  // The edges of RFC 3629: the last overlongs and surrogates are refused, their neighbours kept.
  for (const std::string s : {"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xf0\x90\x80\x80",
                              "\xf4\x8f\xbf\xbf"})
    EXPECT_EQ(probe::compact_json(nlohmann::json(s)), nlohmann::json(s).dump());
  for (const std::string s : {"\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80"}) {
    std::string out;
    EXPECT_FALSE(probe::append_compact_json(out, nlohmann::json(s)));
    EXPECT_THROW((void)nlohmann::json(s).dump(), nlohmann::json::type_error);
  }
}

}  // namespace
