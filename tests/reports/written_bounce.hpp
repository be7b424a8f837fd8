#pragma once
// Test helper for the readings tests (tests/reports/*_readings_test.cpp): a bounce
// written for the test, with one failed recipient, read and classified as `probe bounce`
// does, with the knowledge in reports/data (line_classifier.hpp's, loaded once); and the
// Postfix and Exim reports several of them write.

#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"
#include "tests/reports/line_classifier.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reports::testing {

// The message read as `probe bounce` reads it (line endings normalised, the source tree's
// knowledge).
inline report parse_written(const std::string& message) { return parse(normalise_line_endings(message), source_knowledge()); }

// The reason of the message's one failed recipient, which must be `address`; a failure
// of the test (and "") when the message is no failure report or names other recipients.
inline std::string reason_of_only_recipient(const std::string& message, const std::string& address) {
  const auto rep = parse_written(message);
  EXPECT_EQ(rep.kind, report_kind::failure) << to_string(rep.kind);
  if (rep.recipients.size() != 1) {
    ADD_FAILURE() << "recipients: " << rep.recipients.size();
    return {};
  }
  EXPECT_EQ(rep.recipients.front().address, address);
  const auto cl = classify(rep.recipients.front(), rep, source_knowledge());
  SCOPED_TRACE("diag '" + rep.recipients.front().diagnostic + "' matched '" + cl.matched + "'");
  return cl.reason;
}

// A Postfix report (its notification text and RFC 3464 part) for one address the remote
// host refused with `reply` (code, status and words) in answer to `step` ("RCPT TO",
// "end of DATA"), with the DSN's `status`.
struct postfix_refusal {
  std::string address;
  std::string reply;
  std::string status = "5.0.0";
  std::string step = "RCPT TO";
  std::string remote_host = "mx.example.org";
  std::string remote_ip = "192.0.2.7";
};

inline std::string postfix_report(const postfix_refusal& r) {
  const std::string said = "host " + r.remote_host + "[" + r.remote_ip + "] said: " + r.reply + " (in reply to " + r.step + " command)";
  return "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)\n"
         "To: orders@example.net\n"
         "Subject: Undelivered Mail Returned to Sender\n"
         "Auto-Submitted: auto-replied\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B0\"\n"
         "\n"
         "--B0\n"
         "Content-Type: text/plain\n"
         "\n"
         "This is the mail system at host relay.example.net.\n"
         "\n"
         "<" + r.address + ">: " + said + "\n"
         "\n"
         "--B0\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; relay.example.net\n"
         "\n"
         "Final-Recipient: rfc822; " + r.address + "\n"
         "Action: failed\n"
         "Status: " + r.status + "\n"
         "Remote-MTA: dns; " + r.remote_host + "\n"
         "Diagnostic-Code: smtp; " + r.reply + "\n"
         "\n"
         "--B0--\n";
}

// An Exim report ("Mail delivery failed: returning message to sender") for one address
// whose failure text is `failure_lines` (already indented, as Exim writes them), with
// X-Failed-Recipients and the returned message's headers.
inline std::string exim_report(const std::string& address, const std::string& failure_lines) {
  return "From: Mail Delivery System <Mailer-Daemon@mail.example.org>\n"
         "To: sender@example.net\n"
         "Subject: Mail delivery failed: returning message to sender\n"
         "Auto-Submitted: auto-replied\n"
         "X-Failed-Recipients: " + address + "\n"
         "\n"
         "This message was created automatically by mail delivery software.\n"
         "\n"
         "A message that you sent could not be delivered to one or more of its\n"
         "recipients. This is a permanent error. The following address(es) failed:\n"
         "\n" + failure_lines +
         "\n"
         "------ This is a copy of the message, including all the headers. ------\n"
         "\n"
         "From: sender@example.net\n"
         "To: " + address + "\n"
         "Subject: ticket 4411\n"
         "\n"
         "Hello\n";
}

// An MDaemon report ("MDaemon Delivery Status Notification", multipart/mixed) whose session
// transcript is `transcript_lines` (each a time-stamped line, as MDaemon writes them) and
// whose returned message is `original`.
inline std::string mdaemon_report(const std::string& transcript_lines, const std::string& original) {
  return "From: MDaemon@gate.example.net\n"
         "To: billing@example.net\n"
         "Subject: Permanent Delivery Failure\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=\"=_md\"\n\n"
         "--=_md\nContent-Type: text/plain; charset=utf-8\n\n"
         "MDaemon Delivery Status Notification - https://mdaemon.example.com/dsn/\n\n"
         "The attached message had PERMANENT fatal delivery errors.\n\n"
         "--- Session Transcript ---\n" +
         transcript_lines +
         "--- End Transcript ---\n\n"
         "--=_md\nContent-Type: message/rfc822\n\n" + original + "--=_md--\n";
}

// A bounce with only a text part: `from`, `subject` and the report's `text`.
inline std::string text_bounce(const std::string& from, const std::string& subject, const std::string& text) {
  return "From: " + from + "\n"
         "To: invoices@example.net\n"
         "Subject: " + subject + "\n"
         "Auto-Submitted: auto-replied\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=us-ascii\n"
         "\n" + text +
         "\n------ This is a copy of the message's headers. ------\n\n"
         "From: invoices@example.net\n"
         "Subject: quarterly figures\n";
}

// Postfix's text alone (a DSN-less copy, as a forwarded paste leaves it), the entry as
// bounce(8) wraps it: `entry` is written with its line breaks.
inline std::string postfix_text(const std::string& entry) {
  return text_bounce("MAILER-DAEMON@gate.example.net (Mail Delivery System)", "Undelivered Mail Returned to Sender",
                     "This is the mail system at host gate.example.net.\n\n"
                     "I'm sorry to have to inform you that your message could not\n"
                     "be delivered to one or more recipients. It's attached below.\n\n"
                     "                   The mail system\n\n" + entry + "\n");
}

// A qmail-send report to `to` (with any `extra_headers`, each ending in a newline): its
// greeting, the `entries` ("<a@b>:" and the reason lines, blank-line separated) and the
// copy of the message that follows them.
inline std::string qmail_report(const std::string& to, const std::string& extra_headers, const std::string& entries) {
  return "From: MAILER-DAEMON@mail.example.net\n"
         "To: " + to + "\n" + extra_headers +
         "Subject: failure notice\n"
         "\n"
         "Hi. This is the qmail-send program at mail.example.net.\n"
         "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
         "This is a permanent error; I've given up. Sorry it didn't work out.\n"
         "\n" + entries +
         "\n"
         "--- Below this line is a copy of the message.\n"
         "\n"
         "From: " + to + "\n"
         "Subject: hi\n"
         "\n"
         "hi\n";
}

}  // namespace reports::testing

