#pragma once
// SMTP replies: the sans-I/O parser and the reply value.
//
// RFC 5321 §4.2: a reply is one or more lines "NNN-text" ending with "NNN text" (or a
// bare "NNN"). The parser takes bytes as they arrive and yields one `reply` at a time;
// bytes after the end of a reply stay with the caller (pipelined replies, and the
// plaintext a server may have queued after "220 Ready to start TLS", which RFC 3207
// §4.2 says must be thrown away).
//
// Hostile peers are bounded: a line is cut at `limits::max_line` bytes (the rest up to
// LF is discarded), a reply fails once it has taken `limits::max_reply` bytes or
// `limits::max_lines` lines, and a first line that is not "NNN", "NNN " or "NNN-"
// (an HTTP server, a TLS record, binary) fails at once as `not_smtp` without waiting
// for a line end. Stored text is sanitised (smtp/text.hpp).
//
// Enhanced status codes (RFC 3463, RFC 2034 §4) are taken from the first line that
// carries one, and kept only when their class equals the reply code's first digit —
// the check Postfix's smtp_chat.c applies; a mismatch is recorded as an issue.
//
// Pure values and a pure state machine: no I/O, no allocation beyond the reply, any
// thread (one parser per connection).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp {

struct enhanced_status {
  int klass = 0;    // 2, 4 or 5
  int subject = 0;  // 0..999
  int detail = 0;   // 0..999
  std::string to_string() const;  // "5.1.1"
  friend bool operator==(const enhanced_status&, const enhanced_status&) = default;
};
// Parses "class.subject.detail" at the start of `text` (followed by end or a space).
std::optional<enhanced_status> parse_enhanced_status(std::string_view text);

enum class reply_issue {
  code_mismatch,      // lines of one reply carried different codes (first line's code kept)
  malformed_line,     // a line after the first without a "NNN-"/"NNN " prefix
  line_truncated,     // a line longer than the line limit was cut
  enhanced_mismatch,  // an enhanced status whose class differs from the reply code's
  bare_line_feed,     // a line ended in LF without CR (RFC 5321 §2.3.8 requires CRLF)
  bytes_replaced,     // non-printable bytes or invalid UTF-8 were replaced by '?'
};
std::string_view to_string(reply_issue issue);

struct reply {
  int code = 0;
  std::vector<std::string> lines;           // text after "NNN-"/"NNN ", sanitised
  std::optional<enhanced_status> enhanced;  // validated against `code`
  std::string enhanced_raw;                 // as sent, when present but rejected
  std::vector<reply_issue> issues;          // each kind at most once
  std::size_t wire_bytes = 0;               // bytes the reply took on the wire

  int klass() const { return code / 100; }
  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return klass() == 4; }
  bool permanent() const { return klass() == 5; }
  bool has_issue(reply_issue issue) const;
  // The lines joined with a space: what classification reads.
  std::string text() const;
  // "550 5.1.1 text" style, one line per reply line, for transcripts.
  std::vector<std::string> wire_lines() const;
};

enum class parse_failure {
  not_smtp,        // the peer does not speak SMTP (first line is not "NNN[ -]")
  reply_too_large, // more than limits::max_reply bytes or limits::max_lines lines
};
std::string_view to_string(parse_failure failure);

class reply_parser {
 public:
  struct limits {
    std::size_t max_line = 4096;
    std::size_t max_reply = 64 * 1024;
    std::size_t max_lines = 1000;
  };
  enum class state { need_more, complete, failed };

  reply_parser() = default;
  explicit reply_parser(limits bounds) : limits_(bounds) {}

  // Consumes bytes of `input` up to the end of one reply; returns how many were used.
  // Call again with the rest after take(). In state `failed` nothing is consumed.
  std::size_t feed(std::string_view input);
  state status() const { return state_; }
  // The finished reply (state complete); the parser is then ready for the next one.
  reply take();
  parse_failure failure() const { return failure_; }
  // The first bytes of the offending input, sanitised, as evidence of the failure.
  const std::string& failure_evidence() const { return evidence_; }
  // Starts over, forgetting any partial reply (used after STARTTLS).
  void reset();

 private:
  void finish_line();
  void fail(parse_failure failure);
  bool first_line_prefix_is_smtp() const;
  void add_issue(reply_issue issue);

  limits limits_;
  state state_ = state::need_more;
  parse_failure failure_ = parse_failure::not_smtp;
  std::string evidence_;
  std::string line_;        // the current line, up to max_line bytes
  bool line_cut_ = false;   // the current line overflowed
  std::size_t line_wire_ = 0;
  reply current_;
  bool expect_more_ = false;
};

}  // namespace smtp
