// The sans-I/O SMTP reply parser: multi-line replies, enhanced status codes, hostile input.
#include "smtp/reply.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using smtp::reply;
using smtp::reply_issue;
using smtp::reply_parser;

// Feeds everything; expects exactly one complete reply and returns it (and the rest).
reply parse_one(std::string_view bytes, std::string* rest = nullptr) {
  reply_parser parser;
  const std::size_t used = parser.feed(bytes);
  EXPECT_EQ(parser.status(), reply_parser::state::complete) << bytes;
  if (rest) *rest = std::string(bytes.substr(used));
  return parser.take();
}

TEST(ReplyParser, SingleLine) {
  const auto r = parse_one("250 2.1.5 Ok\r\n");
  EXPECT_EQ(r.code, 250);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "2.1.5 Ok");
  ASSERT_TRUE(r.enhanced);
  EXPECT_EQ(r.enhanced->to_string(), "2.1.5");
  EXPECT_TRUE(r.positive());
  EXPECT_TRUE(r.issues.empty());
}

TEST(ReplyParser, MultiLineKeepsLinesApart) {
  const auto r = parse_one("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n");
  EXPECT_EQ(r.code, 250);
  EXPECT_EQ(r.lines, (std::vector<std::string>{"mx.example.com", "PIPELINING", "SIZE 10240000", "STARTTLS"}));
  EXPECT_EQ(r.wire_lines().front(), "250-mx.example.com");
  EXPECT_EQ(r.wire_lines().back(), "250 STARTTLS");
}

TEST(ReplyParser, BareCodeLineAndSmtpSinkEmptyLastLine) {
  EXPECT_EQ(parse_one("220\r\n").code, 220);
  // smtp-sink ends its EHLO reply with "250 " (RIG.md).
  const auto r = parse_one("250-sink\r\n250-8BITMIME\r\n250 \r\n");
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_EQ(r.lines[2], "");
}

TEST(ReplyParser, GmailStyleEnhancedOnEveryLine) {
  const auto r = parse_one(
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
      "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
      "550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser\r\n");
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.enhanced->to_string(), "5.1.1");
  EXPECT_TRUE(r.permanent());
  EXPECT_NE(r.text().find("does not exist"), std::string::npos);
}

TEST(ReplyParser, EnhancedClassMustMatchReplyCode) {
  // Postfix smtp_chat.c discards a status whose class disagrees with the reply code.
  const auto r = parse_one("550 2.1.5 odd\r\n");
  EXPECT_FALSE(r.enhanced);
  EXPECT_EQ(r.enhanced_raw, "2.1.5");
  EXPECT_TRUE(r.has_issue(reply_issue::enhanced_mismatch));
}

TEST(ReplyParser, EnhancedStatusSyntax) {
  using smtp::parse_enhanced_status;
  EXPECT_TRUE(parse_enhanced_status("5.7.1 blocked"));
  EXPECT_TRUE(parse_enhanced_status("4.7.28"));
  EXPECT_EQ(parse_enhanced_status("5.1.10 null MX")->detail, 10);
  EXPECT_FALSE(parse_enhanced_status("3.1.1 x"));      // class must be 2, 4 or 5
  EXPECT_FALSE(parse_enhanced_status("5.1234.1 x"));   // subject is 1 to 3 digits
  EXPECT_FALSE(parse_enhanced_status("5.1.1x"));       // must end at a space
  EXPECT_FALSE(parse_enhanced_status("5.1. x"));
  EXPECT_FALSE(parse_enhanced_status("Ok"));
  EXPECT_FALSE(parse_enhanced_status("550"));
}

TEST(ReplyParser, CodeMismatchIsAFindingAndFirstCodeKept) {
  const auto r = parse_one("250-first\r\n550 second\r\n");
  EXPECT_EQ(r.code, 250);
  EXPECT_TRUE(r.has_issue(reply_issue::code_mismatch));
  EXPECT_EQ(r.lines.size(), 2u);
}

TEST(ReplyParser, MalformedContinuationLineDoesNotEndTheReply) {
  const auto r = parse_one("250-first\r\nno code here\r\n250 last\r\n");
  EXPECT_TRUE(r.has_issue(reply_issue::malformed_line));
  EXPECT_EQ(r.lines, (std::vector<std::string>{"first", "no code here", "last"}));
}

TEST(ReplyParser, BareLineFeedAccepted) {
  const auto r = parse_one("220 relaxed server\n");
  EXPECT_EQ(r.code, 220);
  EXPECT_EQ(r.lines[0], "relaxed server");
  EXPECT_TRUE(r.has_issue(reply_issue::bare_line_feed));
}

TEST(ReplyParser, NonPrintableBytesAreReplaced) {
  const auto r = parse_one("220 evil \x1b[31mred\x1b[0m \x07 bell \xff\xfe 中文\r\n");
  EXPECT_TRUE(r.has_issue(reply_issue::bytes_replaced));
  EXPECT_EQ(r.lines[0].find('\x1b'), std::string::npos);
  EXPECT_EQ(r.lines[0].find('\x07'), std::string::npos);
  EXPECT_EQ(r.lines[0].find('\xff'), std::string::npos);
  EXPECT_NE(r.lines[0].find("中文"), std::string::npos);  // valid UTF-8 is kept
}

TEST(ReplyParser, LeavesBytesAfterTheReplyForTheCaller) {
  std::string rest;
  const auto r = parse_one("220 Ready to start TLS\r\n250 injected\r\n", &rest);
  EXPECT_EQ(r.code, 220);
  EXPECT_EQ(rest, "250 injected\r\n");
}

TEST(ReplyParser, TwoPipelinedRepliesOneAtATime) {
  reply_parser parser;
  const std::string bytes = "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n";
  std::size_t used = parser.feed(bytes);
  ASSERT_EQ(parser.status(), reply_parser::state::complete);
  EXPECT_EQ(parser.take().lines[0], "2.0.0 Ok");
  used += parser.feed(std::string_view(bytes).substr(used));
  ASSERT_EQ(parser.status(), reply_parser::state::complete);
  EXPECT_EQ(parser.take().lines[0], "2.1.0 Ok");
  EXPECT_EQ(used, bytes.size());
}

TEST(ReplyParser, HttpServerIsNotSmtpAtOnce) {
  reply_parser parser;
  parser.feed("HTTP/1.1 400 Bad Request\r\n");
  ASSERT_EQ(parser.status(), reply_parser::state::failed);
  EXPECT_EQ(parser.failure(), smtp::parse_failure::not_smtp);
  EXPECT_NE(parser.failure_evidence().find("HTTP/1.1"), std::string::npos);
}

TEST(ReplyParser, TlsRecordIsNotSmtpWithoutWaitingForLineFeed) {
  reply_parser parser;
  parser.feed(std::string_view("\x16\x03\x01\x02\x00", 5));
  EXPECT_EQ(parser.status(), reply_parser::state::failed);
}

TEST(ReplyParser, PartialDigitsStillUndecided) {
  reply_parser parser;
  parser.feed("22");
  EXPECT_EQ(parser.status(), reply_parser::state::need_more);
  parser.feed("0");
  EXPECT_EQ(parser.status(), reply_parser::state::need_more);
  parser.feed("x");  // "220x" is not a reply line
  EXPECT_EQ(parser.status(), reply_parser::state::failed);
}

TEST(ReplyParser, ShortOrEmptyFirstLineIsNotSmtp) {
  for (const std::string bytes : {"\r\n", "22\r\n", "1xx ok\r\n", "600 ok\r\n"}) {
    reply_parser parser;
    parser.feed(bytes);
    EXPECT_EQ(parser.status(), reply_parser::state::failed) << bytes;
  }
}

TEST(ReplyParser, LongLineIsCutAtTheLimit) {
  const std::string line = "220 " + std::string(10000, 'x') + "\r\n";
  const auto r = parse_one(line);
  EXPECT_TRUE(r.has_issue(reply_issue::line_truncated));
  EXPECT_EQ(r.lines[0].size(), 4096u - 4);
}

TEST(ReplyParser, LineExactlyAtTheLimitIsNotCut) {
  const std::string line = "220 " + std::string(4092, 'y') + "\r\n";  // 4096 bytes before CRLF
  const auto r = parse_one(line);
  EXPECT_FALSE(r.has_issue(reply_issue::line_truncated));
  EXPECT_FALSE(r.has_issue(reply_issue::bare_line_feed));
}

TEST(ReplyParser, OneMebibyteLineFailsAtTheReplyBound) {
  reply_parser parser;
  const std::string line = "220 " + std::string(1 << 20, 'x') + "\r\n";
  const std::size_t used = parser.feed(line);
  EXPECT_EQ(parser.status(), reply_parser::state::failed);
  EXPECT_EQ(parser.failure(), smtp::parse_failure::reply_too_large);
  EXPECT_EQ(used, 64u * 1024);  // never reads past the bound
}

TEST(ReplyParser, EndlessMultiLineReplyFailsAtTheBound) {
  reply_parser parser;
  std::size_t fed = 0;
  for (int i = 0; i < 100000 && parser.status() == reply_parser::state::need_more; ++i)
    fed += parser.feed("250-AUTH PLAIN LOGIN\r\n");
  EXPECT_EQ(parser.status(), reply_parser::state::failed);
  EXPECT_EQ(parser.failure(), smtp::parse_failure::reply_too_large);
  EXPECT_LE(fed, 64u * 1024);
}

TEST(ReplyParser, TooManyShortLinesFail) {
  reply_parser parser(reply_parser::limits{4096, 1 << 20, 10});
  for (int i = 0; i < 20 && parser.status() == reply_parser::state::need_more; ++i) parser.feed("250-x\r\n");
  EXPECT_EQ(parser.status(), reply_parser::state::failed);
}

// "Fail at every step": the same exchange split at every byte boundary must give the
// same replies, and a stream cut at any point must never produce a reply early.
TEST(ReplyParser, SplitAtEveryByteGivesTheSameReplies) {
  const std::string script =
      "220 mx.example ESMTP\r\n"
      "250-mx.example\r\n250-SIZE 1000\r\n250 ENHANCEDSTATUSCODES\r\n"
      "250 2.1.0 Ok\r\n"
      "550-5.1.1 no such\r\n550 5.1.1 user\r\n";
  const std::vector<int> expected_codes{220, 250, 250, 550};
  for (std::size_t split = 0; split <= script.size(); ++split) {
    reply_parser parser;
    std::vector<int> codes;
    std::string pending;
    for (const std::string_view part : {std::string_view(script).substr(0, split), std::string_view(script).substr(split)}) {
      pending += part;
      for (;;) {
        const std::size_t used = parser.feed(pending);
        pending.erase(0, used);
        if (parser.status() != reply_parser::state::complete) break;
        codes.push_back(parser.take().code);
      }
    }
    EXPECT_EQ(codes, expected_codes) << "split at " << split;
    EXPECT_TRUE(pending.empty());
  }
}

TEST(ReplyParser, ByteByByte) {
  const std::string script = "250-a\r\n250-b\r\n250 c\r\n";
  reply_parser parser;
  for (std::size_t i = 0; i < script.size(); ++i) {
    EXPECT_EQ(parser.status(), reply_parser::state::need_more) << i;
    EXPECT_EQ(parser.feed(std::string_view(script).substr(i, 1)), 1u);
  }
  ASSERT_EQ(parser.status(), reply_parser::state::complete);
  EXPECT_EQ(parser.take().lines.size(), 3u);
}

TEST(ReplyParser, TruncatedStreamNeverCompletes) {
  const std::string script = "250-a\r\n250-b\r\n250 c\r\n";
  for (std::size_t cut = 0; cut + 1 < script.size(); ++cut) {
    reply_parser parser;
    parser.feed(std::string_view(script).substr(0, cut));
    EXPECT_NE(parser.status(), reply_parser::state::complete) << "cut at " << cut;
  }
}

TEST(ReplyParser, ResetForgetsAPartialReply) {
  reply_parser parser;
  parser.feed("250-partial\r\n250-more");
  parser.reset();
  parser.feed("220 fresh\r\n");
  ASSERT_EQ(parser.status(), reply_parser::state::complete);
  const auto r = parser.take();
  EXPECT_EQ(r.code, 220);
  EXPECT_EQ(r.lines.size(), 1u);
}

TEST(ReplyParser, FailedParserConsumesNothingMore) {
  reply_parser parser;
  parser.feed("GET / HTTP/1.0\r\n");
  EXPECT_EQ(parser.feed("250 ok\r\n"), 0u);
}

}  // namespace
