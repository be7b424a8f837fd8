#pragma once
// reports/forwarded: bounces a person sent on as attachments.
//
// Help desks are handed bounces that way: a user "forwards as attachment" the report they
// got, so the report arrives as a message/rfc822 part of a message from the user, or, from
// Outlook, as its .msg file (application/vnd.ms-outlook; read by reports/outlook_msg). Read as
// it stands, that message's own headers (the user's From, "Fwd:" subject) would stand in
// for the report's and the report would be read as the returned original. This module
// finds such attachments so they can be read as the reports they are.
//
// A message is a forward when its own headers are a person's: not multipart/report, its
// From is not a bounce sender (knowledge: bounce_senders) and it is not Auto-Submitted.
// An attachment is a bounce when it is multipart/report, has X-Failed-Recipients, or its
// From or Subject is a bounce's (bounce_senders, bounce_subjects). Bounces sent as the
// bounce itself (the usual case) are never unwrapped: their From is a bounce sender or
// they are multipart/report.
//
// Cost: a header read and a byte search for "message/rfc822"; GMime parses the message
// only when both say it may be a forward. Bounds: at most limits::max_mime_parts parts
// are looked at and each attachment is cut at limits::max_message_bytes. Thread-safe
// (GMime is initialised once per process; nothing is shared between calls).

#include "reports/input.hpp"
#include "reports/knowledge.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

// The attached bounces of a forward, as message bytes (LF line endings), in the order
// they are attached; empty when `message` is not a forward carrying a bounce.
std::vector<std::string> attached_bounces(std::string_view message, const knowledge& k);

// The bounce a person pasted into a forward ("---------- Forwarded message ---------",
// "-----Original Message-----", "------------------ 原始邮件 ------------------" and the
// like, then a header block of From/Date/To/Subject in the client's language; knowledge:
// forward_markers, forward_labels): rebuilt as a message of its own, that header block
// then the text after it, when the pasted From or Subject is a bounce's. Outlook's block
// without a marker counts when it starts a paragraph and names From, Subject and one more.
// The first text/plain part is read, else the words of the first text/html part.
std::optional<std::string> inline_forwarded_bounce(std::string_view message, const knowledge& k);

// What to read of one input message: the message itself, or, when it is a forward
// carrying bounces, those bounces, named "ORIGIN#attached" (one) or "ORIGIN#attached-N",
// or the bounce pasted into it, named "ORIGIN#forwarded". A forward of a forward is
// unwrapped again (up to four levels): "ORIGIN#attached#forwarded" and the like.
std::vector<input_message> unwrap_forward(input_message message, const knowledge& k);

}  // namespace reports
