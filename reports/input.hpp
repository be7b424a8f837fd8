#pragma once
// reports/input: turning files, stdin, mboxes and maildirs into single messages.
//
// Pure functions on bytes (and, for maildir, a directory listing); no GMime here.
// Line endings: CRLF and bare CR become LF (RFC 5322 CRLF, Mac-era bare CR, Unix LF).
// mbox: messages start at lines "From " at column 0 (the first line must be one);
// ">From " quoting (mboxrd/mboxo) is undone in the message bodies.
// An mbox is split while it is read: for_each_message holds one message at a time, so a
// source of any size is read in bounded memory. Limits (reports/limits.hpp): at most
// max_messages messages per source, each cut at max_message_bytes (then `truncated` is
// set); read_source, which returns them all at once, also stops after max_input_bytes.
// Errors are values: an unreadable file gives `error`, never an exception.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

struct input_message {
  std::string origin;  // "FILE", "FILE#N" (N-th message of an mbox), "maildir/cur/NAME", "-"
  std::string bytes;   // LF line endings
  bool truncated = false;
};

struct input_batch {
  std::vector<input_message> messages;
  std::string error;   // non-empty: the source could not be read at all
  bool truncated = false;  // a limit on the source was reached
};

// What reading a source came to, apart from its messages.
struct source_status {
  std::string error;       // non-empty: the source could not be read at all
  bool truncated = false;  // a limit on the source was reached
};

using message_sink = std::function<void(input_message&&)>;

// CRLF and bare CR → LF, in one pass.
std::string normalise_line_endings(std::string_view bytes);

// True when the bytes look like an mbox: the first non-empty line starts with "From ".
bool looks_like_mbox(std::string_view bytes);

// Splits an mbox (already LF-normalised) into messages, unescaping ">From ".
std::vector<std::string> split_mbox(std::string_view bytes, std::size_t max_messages);

// One source: a regular file (one message or an mbox), a maildir (folder with cur/ and
// new/) or any folder of message files, or "-" for standard input. Each message goes to
// `sink` as soon as it is read, in order; messages of an mbox are named "SOURCE#N" when
// there are several (so the first is handed over once the second is seen). Reading stops
// after `max_bytes` of the source (truncated).
source_status for_each_message(const std::string& source, const message_sink& sink,
                               std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// All of one source's messages at once (at most max_input_bytes read).
input_batch read_source(const std::string& source);

// Splits bytes from any source: an mbox into its messages, else one message.
input_batch split_bytes(std::string bytes, const std::string& origin);

}  // namespace reports
