// The fast MIME reader against GMime (the reference reader) and against hand-made
// structures: boundaries, nesting, broken headers, transfer encodings, bounds.

#include "reports/input.hpp"
#include "reports/limits.hpp"
#include "reports/mime.hpp"
#include "reports/text.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

using reports::mime::document;
using reports::mime::parse_mime;

std::vector<reports::mime::header> without_content_fields(std::vector<reports::mime::header> v) {
  std::erase_if(v, [](const auto& h) {
    return reports::text::istarts_with(h.name, "content-") || reports::text::iequals(h.name, "mime-version");
  });
  return v;
}

std::string_view without_final_newline(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

struct report_part {
  std::string media_type;
  std::string_view text;
};

// The parts that explain a bounce: those outside the returned message.
std::vector<report_part> report_parts(const document& d) {
  std::vector<report_part> out;
  for (const auto& p : d.parts)
    if (!p.in_original && !p.is_embedded_message) out.push_back({p.media_type, without_final_newline(p.text)});
  return out;
}

// Every embedded message's From, Subject and Message-ID, in order.
std::vector<std::string> embedded_identities(const document& d) {
  std::vector<std::string> out;
  for (const auto& p : d.parts)
    if (p.is_embedded_message)
      out.push_back(std::string(reports::mime::header_value(p.headers, "From")) + "|" +
                    std::string(reports::mime::header_value(p.headers, "Subject")) + "|" +
                    std::string(reports::mime::header_value(p.headers, "Message-ID")));
  return out;
}

template <typename T, typename Eq>
bool is_subsequence(const std::vector<T>& small, const std::vector<T>& big, Eq eq) {
  std::size_t j = 0;
  for (const auto& x : small) {
    while (j < big.size() && !eq(x, big[j])) ++j;
    if (j == big.size()) return false;
    ++j;
  }
  return true;
}

// Every corpus message: the top-level headers are the same through both readers, and
// every report part and returned message GMime finds, the fast reader finds with the
// same text. The fast reader may find more: a multipart whose boundary never occurs is
// one text part here (GMime: nothing), and an unindented "boundary=" line after
// "Content-Type: ...;" (Exchange) continues the field here (GMime loses the parts).
TEST(Mime, FastReaderAgreesWithGMimeOnCorpus) {
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus not found at " << dir;
  std::size_t compared = 0, more_parts = 0;
  std::vector<std::string> disagreements;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto batch = reports::read_source(entry.path().string());
    for (const auto& m : batch.messages) {
      ++compared;
      const document fast = parse_mime(m.bytes);
      const document ref = reports::mime::parse_mime_reference(m.bytes);
      const std::string name = entry.path().filename().string();
      const auto fh = without_content_fields(fast.headers), rh = without_content_fields(ref.headers);
      bool same_headers = fh.size() == rh.size();
      for (std::size_t i = 0; same_headers && i < fh.size(); ++i)
        same_headers = fh[i].name == rh[i].name && fh[i].value == rh[i].value;
      const auto fp = report_parts(fast), rp = report_parts(ref);
      const bool parts_found = is_subsequence(rp, fp, [](const report_part& a, const report_part& b) {
        return a.media_type == b.media_type && a.text == b.text;
      });
      const bool messages_found = is_subsequence(embedded_identities(ref), embedded_identities(fast),
                                                 [](const std::string& a, const std::string& b) { return a == b; });
      if (!same_headers || !parts_found || !messages_found) disagreements.push_back(name + (same_headers ? "" : " headers") + (parts_found ? "" : " parts") + (messages_found ? "" : " messages"));
      if (fp.size() > rp.size()) ++more_parts;
    }
  }
  EXPECT_GT(compared, 300u);
  EXPECT_TRUE(disagreements.empty()) << disagreements.size() << " messages: " << [&] { std::string all; for (const auto& d : disagreements) all += d + "; "; return all; }();
  EXPECT_LT(more_parts, 10u);
}

TEST(Mime, NestedMultipartsAndEmbeddedMessage) {
  const document d = parse_mime(
      "From: a@example.org\nContent-Type: multipart/report; boundary=\"outer\"\n\npreamble\n"
      "--outer\nContent-Type: text/plain\n\nhuman words\n"
      "--outer\nContent-Type: multipart/alternative; boundary=outer-inner\n\n"
      "--outer-inner\nContent-Type: text/plain\n\ninner words\n--outer-inner--\n"
      "--outer\nContent-Type: message/rfc822\n\nSubject: the original\nContent-Type: text/plain\n\nbody not decoded\n"
      "--outer--\nepilogue\n");
  ASSERT_EQ(d.parts.size(), 4u);
  EXPECT_EQ(d.parts[0].text, "human words");
  EXPECT_EQ(d.parts[0].depth, 1);
  EXPECT_EQ(d.parts[1].text, "inner words");
  EXPECT_EQ(d.parts[1].depth, 2);
  EXPECT_TRUE(d.parts[2].is_embedded_message);
  EXPECT_EQ(reports::mime::header_value(d.parts[2].headers, "Subject"), "the original");
  EXPECT_TRUE(d.parts[3].in_original);
  EXPECT_TRUE(d.parts[3].text.empty());  // the returned message's body is not decoded
  EXPECT_FALSE(d.truncated);
}

TEST(Mime, BrokenStructuresStillReadable) {
  // The boundary never occurs: the body is the report.
  const document a = parse_mime("Content-Type: multipart/mixed; boundary=\"nowhere\"\n\nUser unknown\n");
  ASSERT_EQ(a.parts.size(), 1u);
  EXPECT_EQ(a.parts[0].text, "User unknown\n");
  // No header block at all.
  const document b = parse_mime("just words, no headers\nsecond line\n");
  ASSERT_EQ(b.parts.size(), 1u);
  EXPECT_TRUE(b.headers.empty());
  EXPECT_EQ(b.parts[0].text, "just words, no headers\nsecond line\n");
  // A missing ';' before a parameter, a quoted boundary with spaces, CRLF line ends.
  const document c = parse_mime(
      "Content-Type: multipart/mixed; boundary=\"a b\"\r\n\r\n--a b\r\nContent-Type: text/plain charset=utf-8\r\n\r\nx\r\n--a b--\r\n");
  ASSERT_EQ(c.parts.size(), 1u);
  EXPECT_EQ(c.parts[0].media_type, "text/plain");
  EXPECT_EQ(c.parts[0].text, "x");
  // Folded header values are unfolded; a continuation before any field is not a header.
  const document e = parse_mime("Subject: one\n two\n\tthree\n\nbody\n");
  EXPECT_EQ(reports::mime::header_value(e.headers, "Subject"), "one two three");
}

TEST(Mime, PartAndDepthLimits) {
  std::string many = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (std::size_t i = 0; i < reports::limits::max_mime_parts + 10; ++i) many += "--b\nContent-Type: text/plain\n\nx\n";
  many += "--b--\n";
  const document d = parse_mime(many);
  EXPECT_TRUE(d.truncated);
  EXPECT_LE(d.parts.size(), reports::limits::max_mime_parts);

  std::string deep = "Content-Type: multipart/mixed; boundary=b0\n\n";
  for (int i = 0; i < 100; ++i)
    deep += "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i + 1) + "\n\n";
  deep += "--b100\nContent-Type: text/plain\n\ndeepest\n";
  const document e = parse_mime(deep);
  EXPECT_TRUE(e.truncated);
  EXPECT_TRUE(e.parts.empty());
}

TEST(Mime, TransferDecoders) {
  EXPECT_EQ(reports::mime::decode_base64("aGVs\nbG8=\n", 100), "hello");
  EXPECT_EQ(reports::mime::decode_base64("aGVsbG8=", 3), "hel");
  EXPECT_EQ(reports::mime::decode_base64("!!aGk", 100), "hi");
  EXPECT_EQ(reports::mime::decode_quoted_printable("a=3Db=\nc= \nd", 100), "a=bcd");
  EXPECT_EQ(reports::mime::decode_quoted_printable("100% =ZZ end=", 100), "100% =ZZ end");
  const document u = parse_mime("Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 f\n#86)C\n`\nend\n");
  ASSERT_EQ(u.parts.size(), 1u);
  EXPECT_EQ(u.parts[0].text, "abc");
}

}  // namespace

TEST(Mime, ReadOptionsLeaveOutHeadersNobodyReads) {
  const std::string message =
      "From: a@example.org\nReceived: from relay.example.org\nSubject: bounce\n"
      "Content-Type: multipart/report; boundary=\"b\"\n\n"
      "--b\nContent-Type: text/plain\nContent-Description: notification\n\nwords\n"
      "--b\nContent-Type: message/rfc822\n\nReceived: from sender.example.net\nSubject: the original\n\nbody\n"
      "--b--\n";
  const std::vector<std::string> wanted{"subject", "received", "content-type"};
  const std::vector<std::string> top{"from"};
  const document d = parse_mime(message, reports::mime::read_options{.headers = &wanted, .top_headers = &top, .part_headers = false});
  // The top level keeps only `top_headers`.
  ASSERT_EQ(d.headers.size(), 1u);
  EXPECT_EQ(d.headers[0].name, "From");
  ASSERT_EQ(d.parts.size(), 3u);
  // A leaf part's own headers are left out, its text is still decoded.
  EXPECT_TRUE(d.parts[0].headers.empty());
  EXPECT_EQ(d.parts[0].text, "words");
  // The returned message keeps the `headers` it has.
  ASSERT_TRUE(d.parts[1].is_embedded_message);
  EXPECT_EQ(reports::mime::header_value(d.parts[1].headers, "Received"), "from sender.example.net");
  EXPECT_EQ(reports::mime::header_value(d.parts[1].headers, "Subject"), "the original");
  // Without the options every header is there.
  const document all = parse_mime(message);
  EXPECT_EQ(all.headers.size(), 4u);
  EXPECT_FALSE(all.parts[0].headers.empty());
}
