#pragma once
// reports/outlook_msg: Outlook .msg files (an NDR dragged out of Outlook onto the desktop)
// read as the message they hold.
//
// A .msg is not MIME but a compound file ([MS-CFB]) whose streams are MAPI properties
// ([MS-OXMSG] §2.1.3): the subject, the plain-text body, the sender, the recipients'
// display names, and often the transport headers the message arrived with. libgsf (the
// GNOME structured-file library, Debian's libgsf-1-dev) reads the compound file; this
// module turns those properties into one RFC 5322 message for the bounce reader: the
// transport headers' Date, Message-ID, X-Failed-Recipients, Auto-Submitted and
// Content-Language when present, From, To and Subject from the properties (which Outlook
// keeps even when the transport headers are gone), and the body as UTF-8 text.
// Attachments (the returned original, often embedded as another .msg) are not read.
//
// Bounds: the file is taken as given (callers cut it at limits::max_message_bytes);
// each property is cut at limits::max_part_text_bytes. Unicode properties (type 001F,
// UTF-16LE) and 8-bit ones (001E, read as Windows-1252 when not UTF-8) are both read.
// Thread-safe: nothing is shared between calls (GLib's type system is initialised once).

#include <optional>
#include <string>
#include <string_view>

namespace reports {

// True when `bytes` start with the compound-file signature (D0 CF 11 E0 A1 B1 1A E1).
bool looks_like_compound_file(std::string_view bytes);

// The message an Outlook .msg holds, as RFC 5322 text with LF line endings; nullopt when
// `bytes` are not a compound file with a message's properties.
std::optional<std::string> message_from_outlook_msg(std::string_view bytes);

}  // namespace reports
