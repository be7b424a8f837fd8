// The layout check (bench/reports/relayout.py; docs/bounce.md, "The same reply in every
// layout"), what its third look found: the remote host of a provider's reply was lost in two
// layouts, so the provider's own codes went unread. Each is written here for the test with
// other addresses, hosts and words than the lines the check ran on:
// - Sendmail names the server with the root's dot ("... while talking to mx.example.com.:"):
//   the host fact kept the dot, and a provider rule matching the host's suffix missed it;
// - MDaemon names the server only in its session transcript ("Attempting SMTP connection to
//   [mx.example.com]", then "[192.0.2.1:25]"): nothing read it.
// Stop 21, its fourth look: Postfix wraps a long reply at 76 columns, and a link can fall
// alone on the last wrapped line ("... See\n    http://cbl.abuseat.org"); a lone link is
// boilerplate under a report, so the reply lost its link and the cause the link names.
// And Gmail's "The error that the other server returned was:" puts the remote's reply on
// the next line, where a Sendmail-shaped reply ("550 <a@b>... Relaying denied") looked like
// a recipient line and made a second recipient of the address the remote named.
// Stop 22: Google's 421 4.7.28 "... To protect our users from spam, mail sent from your
// domain has been temporarily rate limited" read speeding only where the refusing host named
// Google (its provider rule); in the seven layouts that drop the host, the word "spam" read
// it as content (spamdetected). A reply that says it "has been temporarily rate limited" is
// a rate limit wherever it comes from.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/written_bounce.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace {

using reports::testing::mdaemon_report;
using reports::testing::postfix_text;
using reports::testing::source_knowledge;

reports::report read(const std::string& message) { return reports::testing::parse_written(message); }

const std::string original = "From: billing@example.net\nTo: p.nowak@example.com\nSubject: receipt\n\nHello\n";

// A Sendmail report: its list of failed addresses with their reasons, then the transcript.
std::string sendmail_report(const std::string& failed, const std::string& transcript) {
  return "From: Mail Delivery Subsystem <MAILER-DAEMON@out.example.net>\n"
         "To: billing@example.net\n"
         "Subject: Returned mail: see transcript for details\n"
         "Auto-Submitted: auto-generated (failure)\n"
         "\n"
         "   ----- The following addresses had permanent fatal errors -----\n" +
         failed +
         "\n"
         "   ----- Transcript of session follows -----\n" +
         transcript +
         "\n"
         "   ----- Original message follows -----\n\n" + original;
}

TEST(Relayout3Readings, SendmailHostLosesTheRootDotAndKeepsItsProvider) {
  const auto rep = read(sendmail_report("<p.nowak@example.com>\n"
                                        "    (reason: 421 4.7.0 [TS02] Messages from 203.0.113.61 temporarily deferred)\n",
                                        "... while talking to mta4.am0.yahoodns.net.:\n"
                                        ">>> MAIL From:<billing@example.net>\n"
                                        "<<< 421 4.7.0 [TS02] Messages from 203.0.113.61 temporarily deferred\n"));
  ASSERT_EQ(rep.recipients.size(), 1u);
  const auto& r = rep.recipients.front();
  EXPECT_EQ(r.remote_host, "mta4.am0.yahoodns.net");
  // Yahoo's TS codes name the sending IP's reputation (its error-code page); the words
  // alone ("temporarily deferred") would be a remote system's trouble.
  EXPECT_EQ(reports::classify(r, rep, source_knowledge()).reason, "badreputation");
}

// MDaemon's report of p.nowak@example.com refused at RCPT TO, after its session transcript
// named each of `targets` in an "Attempting SMTP connection to [...]" line.
std::string mdaemon_refused_rcpt(std::initializer_list<std::string> targets) {
  const std::string t = " Wed 2025-03-12 14:02:41: ";
  std::string lines = t + "*  To: p.nowak@example.com\n";
  for (const auto& target : targets) lines += t + "Attempting SMTP connection to [" + target + "]\n";
  lines += t + "--> MAIL From:<billing@example.net>\n" + t + "<-- 250 2.1.0 Ok\n";
  lines += t + "--> RCPT To:<p.nowak@example.com>\n" + t + "<-- 550 5.1.1 Recipient not found\n";
  return mdaemon_report(lines, original);
}

TEST(Relayout3Readings, MdaemonSessionNamesTheRemoteHostAndAddress) {
  const auto rep = read(mdaemon_refused_rcpt({"mx2.example.com", "198.51.100.23:25"}));
  ASSERT_EQ(rep.recipients.size(), 1u);
  const auto& r = rep.recipients.front();
  EXPECT_EQ(r.remote_host, "mx2.example.com");
  EXPECT_EQ(r.remote_ip, "198.51.100.23");
  EXPECT_EQ(r.command, reports::smtp_command::rcpt);
}

// The review of this stop's change found three more: the server of one session carried
// over into the next; a server's reply whose words hold a marker named the server; and
// MDaemon writes "[host : 25]" with spaces around the port's colon.
std::string sendmail_two_sessions(const std::string& second_marker_line, const std::string& second_reply) {
  return sendmail_report("<p.nowak@example.com>\n"
                         "    (reason: 550 5.1.1 No such user)\n"
                         "<j.berg@example.org>\n"
                         "    (reason: 550 5.1.1 Unknown mailbox)\n",
                         "... while talking to mx1.example.com.:\n"
                         ">>> RCPT To:<p.nowak@example.com>\n"
                         "<<< 550 5.1.1 No such user\n"
                         "550 5.1.1 <p.nowak@example.com>... User unknown\n" +
                             second_marker_line + "\n"
                             ">>> RCPT To:<j.berg@example.org>\n"
                             "<<< " + second_reply + "\n"
                             "550 5.1.1 <j.berg@example.org>... User unknown\n");
}

const reports::recipient& recipient_named(const reports::report& rep, const std::string& address) {
  for (const auto& r : rep.recipients)
    if (r.address == address) return r;
  ADD_FAILURE() << "no recipient " << address;
  static const reports::recipient none;
  return none;
}

TEST(Relayout3Readings, EachSessionHasItsOwnServer) {
  {
    const auto rep = read(sendmail_two_sessions("... while talking to [192.0.2.5]:", "550 5.1.1 Unknown mailbox"));
    EXPECT_EQ(recipient_named(rep, "p.nowak@example.com").remote_host, "mx1.example.com");
    EXPECT_EQ(recipient_named(rep, "j.berg@example.org").remote_host, "");
    EXPECT_EQ(recipient_named(rep, "j.berg@example.org").remote_ip, "192.0.2.5");
  }
  {
    const auto rep = read(sendmail_two_sessions("... while talking to [IPv6:2001:db8::25]:", "550 5.1.1 Unknown mailbox"));
    EXPECT_EQ(recipient_named(rep, "j.berg@example.org").remote_host, "");
    EXPECT_EQ(recipient_named(rep, "j.berg@example.org").remote_ip, "2001:db8::25");
  }
  {
    // A marker naming no server ends the first session's server all the same.
    const auto rep = read(sendmail_two_sessions("... while talking to localhost:", "550 5.1.1 Unknown mailbox"));
    EXPECT_EQ(recipient_named(rep, "j.berg@example.org").remote_host, "");
    EXPECT_EQ(recipient_named(rep, "j.berg@example.org").remote_ip, "");
  }
}

TEST(Relayout3Readings, ServerRepliesNameNoServer) {
  const auto rep = read(sendmail_two_sessions("... while talking to mx2.example.org.:",
                                              "550-5.1.1 Unknown mailbox, while talking to relay.example.net. ok"));
  EXPECT_EQ(recipient_named(rep, "j.berg@example.org").remote_host, "mx2.example.org");
}

TEST(Relayout3Readings, MdaemonServerWithSpacesAroundThePort) {
  const auto rep = read(mdaemon_refused_rcpt({"mx3.example.com : 25", "203.0.113.40 : 25"}));
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients.front().remote_host, "mx3.example.com");
  EXPECT_EQ(rep.recipients.front().remote_ip, "203.0.113.40");
}

// A marker naming something that is no host name (words, a bare label) names no server.
TEST(Relayout3Readings, SessionMarkerWithoutAHostNameSetsNoHost) {
  const auto rep = read(mdaemon_refused_rcpt({"localhost"}));
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients.front().remote_host, "");
  EXPECT_EQ(rep.recipients.front().command, reports::smtp_command::rcpt);
}

TEST(Relayout3Readings, AWrappedReplyKeepsTheLinkOnItsLastLine) {
  const auto wrapped = read(postfix_text(
      "<p.nowak@example.com>: host mx.example.com[192.0.2.41] refused to talk to\n"
      "    me: 554 Not now: 198.51.100.4 is sending large amounts of spam. See\n"
      "    http://cbl.abuseat.org/lookup\n"));
  ASSERT_EQ(wrapped.recipients.size(), 1u);
  EXPECT_NE(wrapped.recipients[0].diagnostic.find("cbl.abuseat.org"), std::string::npos) << wrapped.recipients[0].diagnostic;
  EXPECT_EQ(reports::classify(wrapped.recipients[0], wrapped, source_knowledge()).reason, "blocked");
  // A link after the entry's blank line is the report's own help page, not the reply's.
  const auto apart = read(postfix_text(
      "<p.nowak@example.com>: host mx.example.com[192.0.2.41] said: 550 5.1.1 No such\n"
      "    user here (in reply to RCPT TO command)\n"
      "\n"
      "    http://help.example.net/bounces\n"));
  ASSERT_EQ(apart.recipients.size(), 1u);
  EXPECT_EQ(apart.recipients[0].diagnostic.find("help.example.net"), std::string::npos) << apart.recipients[0].diagnostic;
}

TEST(Relayout3Readings, TheLineAfterGmailsReplyIntroIsTheReply) {
  const auto rep = read(
      "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
      "To: billing@example.net\n"
      "Subject: Delivery Status Notification (Failure)\n"
      "\n"
      "Delivery to the following recipient failed permanently:\n"
      "\n"
      "     p.nowak@example.com\n"
      "\n"
      "Technical details of permanent failure:\n"
      "Google tried to deliver your message, but it was rejected by the server for the recipient domain example.com by mx.example.com. [192.0.2.41].\n"
      "\n"
      "The error that the other server returned was:\n"
      "550 <relay-test@example.org>... Relaying denied\n"
      "\n"
      "----- Original message -----\n"
      "\n" +
      original);
  ASSERT_EQ(rep.recipients.size(), 1u);
  EXPECT_EQ(rep.recipients[0].address, "p.nowak@example.com");
  EXPECT_EQ(reports::classify(rep.recipients[0], rep, source_knowledge()).reason, "norelaying");
}

TEST(Relayout3Readings, ARateLimitForSpamsSakeIsARateLimitWithoutItsHost) {
  const auto reason_of = [](const std::string& reply) {
    const auto rep = read(postfix_text("<p.nowak@example.com>: " + reply + "\n"));
    EXPECT_EQ(rep.recipients.size(), 1u);
    if (rep.recipients.empty()) return std::string();
    EXPECT_TRUE(rep.recipients[0].remote_host.empty()) << rep.recipients[0].remote_host;
    return reports::classify(rep.recipients[0], rep, source_knowledge()).reason;
  };
  EXPECT_EQ(reason_of("421 4.7.28 Unusual volume from your domain [example.net] was seen. To protect our users from\n"
                      "    spam, mail sent from your domain has been temporarily rate limited."),
            "speeding");
  // Without the rate limit the spam words keep their reading.
  EXPECT_EQ(reason_of("550 5.7.1 To protect our users from spam, this message was refused as spam."), "spamdetected");
}

// The sixteenth batch's rules, each held to the words its vendor uses (a review found them
// matching replies that mean something else).
TEST(Relayout3Readings, TheSixteenthBatchsRulesKeepToTheirVendorsWords) {
  const auto reason_of = [](const std::string& reply) {
    const auto rep = read(postfix_text("<p.nowak@example.com>: host mx.example.com[192.0.2.41] said: " + reply + "\n"));
    EXPECT_EQ(rep.recipients.size(), 1u);
    return rep.recipients.empty() ? std::string() : reports::classify(rep.recipients[0], rep, source_knowledge()).reason;
  };
  // "[IP reputation fail]" is the bracketed verdict; a named list's refusal stays blocked.
  EXPECT_EQ(reason_of("554 IP address 198.51.100.4 rejected [IP reputation fail]"), "badreputation");
  EXPECT_EQ(reason_of("554 5.7.1 Service unavailable; Client host [198.51.100.4] blocked using zen.spamhaus.org; IP reputation failure"),
            "blocked");
  // Trend Micro's ERS lists, not any "sender IP found in" an allow list.
  EXPECT_EQ(reason_of("550 5.7.1 Mail from 198.51.100.4 refused: sender IP found in ERS-DUL"), "blocked");
  EXPECT_NE(reason_of("550 5.7.1 Message content rejected: sender IP found in allowlist, but the attachment type .exe is not permitted"),
            "blocked");
  // SmarterMail's queue giving up, with or without the apostrophe.
  EXPECT_EQ(reason_of("Failed all attempts to connect to recipient's mail server."), "expired");
  EXPECT_EQ(reason_of("Failed four attempts to connect to recipients mail server."), "expired");
}

}  // namespace
