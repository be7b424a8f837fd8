// Bounces forwarded as attachments (reports/forwarded): every corpus bounce, wrapped as
// a person's "forward as attachment", must read exactly as the bounce read directly; no
// bounce as sent may be taken for a forward; a forward of an ordinary message, or an
// automatic message, is left alone.

#include "reports/classify.hpp"
#include "reports/forwarded.hpp"
#include "reports/input.hpp"
#include "reports/knowledge.hpp"
#include "reports/mime.hpp"
#include "reports/parse.hpp"
#include "report_facts.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace {

using report_facts::knowledge;

std::string facts(const std::string& bytes) { return report_facts::of(bytes); }

std::string forward_of(const std::vector<std::string>& attachments, const std::string& extra_headers = "") {
  std::string m =
      "From: Alice User <alice@example.com>\n"
      "To: helpdesk@example.com\n"
      "Subject: Fwd: Undelivered Mail Returned to Sender\n" +
      extra_headers +
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"outer-boundary-7\"\n\n"
      "--outer-boundary-7\n"
      "Content-Type: text/plain; charset=utf-8\n\n"
      "Hi, this came back. What does it mean?\n\n";
  for (const auto& a : attachments) m += "--outer-boundary-7\nContent-Type: message/rfc822\n\n" + a + "\n";
  return m + "--outer-boundary-7--\n";
}

std::vector<reports::input_message> corpus() {
  std::vector<reports::input_message> all;
  const std::filesystem::path dir = std::filesystem::path(PROBE_SHARED_DIR) / "corpus" / "sisimai-dev" / "emails";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    auto batch = reports::read_source(entry.path().string());
    for (auto& m : batch.messages) all.push_back(std::move(m));
  }
  return all;
}

TEST(Forwarded, NoCorpusBounceIsTakenForAForward) {
  const auto messages = corpus();
  ASSERT_GT(messages.size(), 370u);
  for (const auto& m : messages) {
    EXPECT_TRUE(reports::attached_bounces(m.bytes, knowledge()).empty()) << m.origin;
    EXPECT_FALSE(reports::inline_forwarded_bounce(m.bytes, knowledge())) << m.origin;
  }
}

TEST(Forwarded, EveryCorpusBounceReadsTheSameForwardedAsAttachment) {
  std::size_t compared = 0;
  for (const auto& m : corpus()) {
    const auto found = reports::attached_bounces(forward_of({m.bytes}), knowledge());
    if (found.empty()) {
      // Only a message that does not look like a bounce by its own headers may stay
      // unfound (e.g. a report without a daemon sender or a report type); count them.
      continue;
    }
    ASSERT_EQ(found.size(), 1u) << m.origin;
    EXPECT_EQ(facts(found[0]), facts(m.bytes)) << m.origin;
    ++compared;
  }
  // Most bounces name themselves by their From, Subject or report type.
  EXPECT_GE(compared, 360u);  // 368 of 381 when written
}

TEST(Forwarded, SeveralAttachedBouncesAreReadInOrderAndNamed) {
  const auto messages = corpus();
  ASSERT_GT(messages.size(), 10u);
  reports::input_message fwd{"fwd.eml", forward_of({messages[3].bytes, messages[7].bytes}), false};
  const auto read = reports::unwrap_forward(fwd, knowledge());
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].origin, "fwd.eml#attached-1");
  EXPECT_EQ(read[1].origin, "fwd.eml#attached-2");
  EXPECT_EQ(facts(read[0].bytes), facts(messages[3].bytes));
  EXPECT_EQ(facts(read[1].bytes), facts(messages[7].bytes));
}

// The help desk forwards the user's forward to the postmaster: the bounce two levels down
// is read, and named by the path to it.
TEST(Forwarded, AForwardOfAForwardIsUnwrappedToTheBounce) {
  const auto messages = corpus();
  ASSERT_GT(messages.size(), 10u);
  const std::string inner = forward_of({messages[5].bytes});
  reports::input_message twice{"fwd2.eml", forward_of({inner}), false};
  const auto read = reports::unwrap_forward(twice, knowledge());
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].origin, "fwd2.eml#attached#attached");
  EXPECT_EQ(facts(read[0].bytes), facts(messages[5].bytes));
}

TEST(Forwarded, OrdinaryAndAutomaticMessagesAreLeftAlone) {
  const std::string ordinary =
      "From: Bob <bob@example.org>\nTo: alice@example.com\nSubject: lunch\nMessage-ID: <x@y>\n\nShall we?\n";
  reports::input_message plain{"plain.eml", forward_of({ordinary}), false};
  auto read = reports::unwrap_forward(plain, knowledge());
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].origin, "plain.eml");
  EXPECT_EQ(read[0].bytes, plain.bytes);

  const auto messages = corpus();
  ASSERT_FALSE(messages.empty());
  // An automatic message carrying a bounce (a bounce of a bounce, a list's digest) is
  // read as it stands, and so is one sent by a daemon.
  EXPECT_TRUE(reports::attached_bounces(forward_of({messages[0].bytes}, "Auto-Submitted: auto-replied\n"), knowledge()).empty());
  std::string from_daemon = forward_of({messages[0].bytes});
  from_daemon.replace(0, from_daemon.find('\n'), "From: MAILER-DAEMON@example.com");
  EXPECT_TRUE(reports::attached_bounces(from_daemon, knowledge()).empty());
  // Not multipart at all.
  EXPECT_TRUE(reports::attached_bounces("From: a@b\nSubject: message/rfc822\n\nhello\n", knowledge()).empty());
}

TEST(Forwarded, HostileForwardsAreBounded) {
  // Thousands of attached parts: at most max_mime_parts are looked at.
  std::vector<std::string> many(3000, "From: MAILER-DAEMON@x\nSubject: Undelivered\n\nbody\n");
  const auto found = reports::attached_bounces(forward_of(many), knowledge());
  EXPECT_LE(found.size(), 256u);
  EXPECT_FALSE(found.empty());
  // 100,000 nested multiparts around an attached bounce: read without crashing (this test
  // also runs under ASan, whose larger frames a deep recursion would exhaust first), and
  // the bounce past the part limit is not looked at.
  std::string nest = "From: Alice <alice@example.com>\nSubject: Fwd\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n";
  for (int i = 1; i <= 100000; ++i)
    nest += "--b" + std::to_string(i - 1) + "\nContent-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n";
  nest += "--b100000\nContent-Type: message/rfc822\n\n" + many[0];
  EXPECT_TRUE(reports::attached_bounces(nest, knowledge()).empty());  // the bounce lies past the limit
  // A truncated forward (no closing boundary, cut mid-header) is read without failing.
  std::string cut = forward_of({many[0]});
  cut.resize(cut.size() - 40);
  EXPECT_NO_THROW((void)reports::attached_bounces(cut, knowledge()));
}

std::string inline_forward(const std::string& marker, const std::string& header_block, const std::string& pasted) {
  return "From: Alice User <alice@example.com>\n"
         "To: helpdesk@example.com\n"
         "Subject: Fwd: returned mail\n"
         "Content-Type: text/plain; charset=utf-8\n\n"
         "Why did this come back?\n\n" +
         marker + "\n" + header_block + "\n" + pasted;
}

struct reading {
  std::string origin;
  std::string recipients;  // first recipient's address and reason
};

reading read_forward(const std::string& message) {
  const auto read = reports::unwrap_forward({"f.eml", message, false}, knowledge());
  EXPECT_EQ(read.size(), 1u);
  const auto rep = reports::parse(read.at(0).bytes, knowledge());
  if (rep.recipients.empty()) return {read.at(0).origin, ""};
  return {read.at(0).origin, rep.recipients[0].address + " " + reports::classify(rep.recipients[0], rep, knowledge()).reason};
}

TEST(Forwarded, PastedBouncesInEachClientsLayoutAreRead) {
  const std::string said =
      "Delivery has failed to these recipients or groups:\n\n"
      "carol@fabrikam.example\n"
      "Remote server returned '550 5.1.1 <carol@fabrikam.example>: Recipient address rejected: User unknown'\n";
  const struct {
    std::string marker, block;
  } layouts[] = {
      {"---------- Forwarded message ---------",
       "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nDate: Mon, 23 Nov 2026 at 10:02\n"
       "Subject: Delivery Status Notification (Failure)\nTo: <alice@example.com>\n"},
      {"-----Original Message-----",
       "From: Microsoft Outlook <postmaster@contoso.example>\nSent: Monday, November 23, 2026 10:02 AM\n"
       "To: Alice User <alice@example.com>\nSubject: Undeliverable: report\n"},
      {"________________________________", "*From:* postmaster@contoso.example\n*Sent:* Monday\n*Subject:* Undeliverable: report\n"},
      {"-------- Forwarded Message --------", "Subject: Undelivered Mail Returned to Sender\nDate: Mon, 23 Nov 2026\n"
       "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\nTo: alice@example.com\n"},
      {"Begin forwarded message:", "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nSubject: Undelivered Mail\n"},
      {"------------------ 原始邮件 ------------------",
       "发件人: \"系统退信\"<postmaster@qq.example>;\n发送时间: 2026年11月23日(星期一) 上午10:02\n收件人: \"alice\"<alice@example.com>;\n"
       "主题: 系统退信\n"},
      {"-------- 转发邮件信息 --------", "发件人：postmaster@163.example\n主题：系统退信\n"},  // full-width colons
      {"-------- Weitergeleitete Nachricht --------", "Betreff: Unzustellbar: report\nDatum: Mon, 23 Nov 2026\nVon: MAILER-DAEMON@gmx.example\n"},
  };
  for (const auto& l : layouts) {
    const auto r = read_forward(inline_forward(l.marker, l.block, said));
    EXPECT_EQ(r.origin, "f.eml#forwarded") << l.marker;
    EXPECT_EQ(r.recipients, "carol@fabrikam.example userunknown") << l.marker;
  }
  // A forward of an ordinary message keeps the forwarder's message as it is.
  const auto plain = read_forward(inline_forward("---------- Forwarded message ---------",
                                                 "From: Bob <bob@example.org>\nSubject: lunch\n", "Shall we?\n"));
  EXPECT_EQ(plain.origin, "f.eml");
  // A marker with no header block after it is not a forward.
  EXPECT_EQ(read_forward(inline_forward("-----Original Message-----", "", said)).origin, "f.eml");
}

TEST(Forwarded, OutlookBlocksWithoutAMarkerAndHtmlOnlyForwardsAreRead) {
  const std::string said =
      "Your message to carol@fabrikam.example couldn't be delivered.\n"
      "Remote server returned '550 5.1.1 <carol@fabrikam.example>: Recipient address rejected: User unknown'\n";
  // Outlook's plain-text alternative: no marker line, the block starts a paragraph.
  auto r = read_forward(inline_forward("",
                                       "From: Microsoft Outlook <postmaster@contoso.example>\nSent: Monday, November 23, 2026 10:02 AM\n"
                                       "To: Alice <alice@example.com>\nSubject: Undeliverable: report\n",
                                       said));
  EXPECT_EQ(r.origin, "f.eml#forwarded");
  EXPECT_EQ(r.recipients, "carol@fabrikam.example userunknown");
  // Without a marker, two fields are not enough, and a sentence naming a daemon is no block.
  EXPECT_EQ(read_forward(inline_forward("", "From: postmaster@contoso.example\nSubject: Undeliverable: report\n", said)).origin,
            "f.eml");
  EXPECT_EQ(read_forward(inline_forward("", "I got this From: MAILER-DAEMON yesterday\nSubject: Undeliverable: report\nTo: me\n", said))
                .origin,
            "f.eml");

  // HTML only: Outlook's bold labels and line breaks, no marker; then Gmail's, with its marker.
  const std::string html_said =
      "<p>Your message to carol@fabrikam.example couldn&#39;t be delivered.</p>"
      "<p>Remote server returned &#39;550 5.1.1 &lt;carol@fabrikam.example&gt;: Recipient address rejected: User unknown&#39;</p>";
  const auto html_forward = [](const std::string& block, const std::string& words) {
    return "From: Alice User <alice@example.com>\nTo: helpdesk@example.com\nSubject: FW: Undeliverable\n"
           "Content-Type: text/html; charset=utf-8\n\n<html><body><p>Why?</p>" +
           block + words + "</body></html>\n";
  };
  r = read_forward(html_forward("<div><p><b>From:</b> Microsoft Outlook &lt;postmaster@contoso.example&gt;<br>"
                                "<b>Sent:</b> Monday, November 23, 2026 10:02 AM<br><b>To:</b> Alice<br>"
                                "<b>Subject:</b> Undeliverable: report</p></div>",
                                html_said));
  EXPECT_EQ(r.origin, "f.eml#forwarded");
  EXPECT_EQ(r.recipients, "carol@fabrikam.example userunknown");
  r = read_forward(html_forward("<div>---------- Forwarded message ---------<br>From: <b>Mail Delivery Subsystem</b> "
                                "&lt;mailer-daemon@googlemail.com&gt;<br>Date: Mon, 23 Nov 2026<br>"
                                "Subject: Delivery Status Notification (Failure)<br>To: &lt;alice@example.com&gt;<br></div>",
                                html_said));
  EXPECT_EQ(r.origin, "f.eml#forwarded");
  EXPECT_EQ(r.recipients, "carol@fabrikam.example userunknown");
}

TEST(Forwarded, CorpusBouncesPastedIntoAForwardNameTheirRecipientNotTheForwarder) {
  std::size_t pasted = 0, same_recipient = 0;
  for (const auto& m : corpus()) {
    const auto doc = reports::mime::parse_mime(m.bytes);
    const reports::mime::part* body = nullptr;
    for (const auto& p : doc.parts)
      if (!p.in_original && p.media_type == "text/plain" && !p.text.empty()) {
        body = &p;
        break;
      }
    if (body == nullptr) continue;
    const std::string block = "From: " + std::string(reports::mime::header_value(doc.headers, "from")) +
                              "\nDate: " + std::string(reports::mime::header_value(doc.headers, "date")) +
                              "\nSubject: " + std::string(reports::mime::header_value(doc.headers, "subject")) + "\n";
    const std::string fwd = inline_forward("---------- Forwarded message ---------", block, body->text);
    const auto read = reports::unwrap_forward({"f.eml", fwd, false}, knowledge());
    ASSERT_EQ(read.size(), 1u);
    if (read[0].origin != "f.eml#forwarded") continue;
    ++pasted;
    const auto direct = reports::parse(m.bytes, knowledge());
    const auto via = reports::parse(read[0].bytes, knowledge());
    for (const auto& r : via.recipients) EXPECT_NE(r.address, "alice@example.com") << m.origin;
    if (!direct.recipients.empty() && !via.recipients.empty() && direct.recipients[0].address == via.recipients[0].address)
      ++same_recipient;
  }
  std::fprintf(stderr, "pasted %zu, same first recipient %zu\n", pasted, same_recipient);
  EXPECT_GE(pasted, 340u);                         // 360 of 381 when written
  EXPECT_GE(same_recipient * 10, pasted * 9);      // 335 of 360 when written
}

}  // namespace
