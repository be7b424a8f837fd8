#include "reports/parse.hpp"

#include "reports/address.hpp"
#include "reports/dsn.hpp"
#include "reports/limits.hpp"
#include "reports/mime.hpp"
#include "reports/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <cctype>
#include <charconv>

namespace reports {
namespace {

using mime::header;
using mime::header_value;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A remote host as a fact: lower case, without the root's trailing dot that Sendmail
// ("... while talking to mx.example.com.:") and some Remote-MTA fields write, so provider
// rules matching on the host's suffix see one spelling.
std::string host_fact(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return text::lower(host);
}

// ---------------------------------------------------------------------------------------
// Which text parts matter.

struct parts_view {
  const mime::part* human = nullptr;       // the report for people
  std::vector<const mime::part*> dsn;      // message/delivery-status
  const mime::part* feedback = nullptr;    // message/feedback-report
  const mime::part* original = nullptr;    // message/rfc822 (headers) or text/rfc822-headers
  const mime::part* html = nullptr;
};

parts_view view_of(const mime::document& doc) {
  parts_view v;
  for (const auto& p : doc.parts) {
    const std::string& t = p.media_type;
    if (t == "message/delivery-status" || t == "message/global-delivery-status") {
      // A DSN inside the returned message (a forwarded bounce) still explains it.
      v.dsn.push_back(&p);
    } else if (t == "message/feedback-report") {
      if (v.feedback == nullptr) v.feedback = &p;
    } else if (p.is_embedded_message || t == "text/rfc822-headers" || t == "message/rfc822-headers") {
      if (v.original == nullptr && !(p.in_original && !p.is_embedded_message)) v.original = &p;
    } else if (!p.in_original && t == "text/plain") {
      if (v.human == nullptr) v.human = &p;
    } else if (!p.in_original && t == "text/html") {
      if (v.html == nullptr) v.html = &p;
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// SMTP facts in text.

bool boundary_before(std::string_view s, std::size_t i) {
  if (i == 0) return true;
  const char c = s[i - 1];
  return !(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_' ||
           c == '/' || c == '=');
}

}  // namespace

namespace {

// The first RFC 3463 status of one of `classes` ("45" for failures) in `s`. Every status
// has a '.' after its class digit: the candidates are found by memchr for the dots, in the
// same (ascending) order as a walk over every byte.
std::string find_status_of(std::string_view s, std::string_view classes) {
  for (std::size_t dot = s.find('.', 1); dot != std::string_view::npos && dot + 4 <= s.size(); dot = s.find('.', dot + 1)) {
    const std::size_t i = dot - 1;
    if (classes.find(s[i]) == std::string_view::npos) continue;
    // "550.5.1.1" (seed 000), "#5.1.1" and a multi-line reply's first line "550-5.1.1" (all
    // an MTA may quote of it) are statuses; "192.0.5.1.1" is not.
    bool before_ok = boundary_before(s, i);
    if (!before_ok && i >= 4 && (s[i - 1] == '.' || s[i - 1] == '-') && is_digit(s[i - 2]) && is_digit(s[i - 3]) &&
        is_digit(s[i - 4]) && (i == 4 || (!is_digit(s[i - 5]) && s[i - 5] != '.' && s[i - 5] != '-')))
      before_ok = true;
    if (!before_ok) continue;
    std::size_t j = i + 2, d1 = 0;
    while (j < s.size() && is_digit(s[j]) && d1 < 4) ++j, ++d1;
    if (d1 == 0 || d1 > 3 || j >= s.size() || s[j] != '.') continue;
    std::size_t k = j + 1, d2 = 0;
    while (k < s.size() && is_digit(s[k]) && d2 < 4) ++k, ++d2;
    if (d2 == 0 || d2 > 3) continue;
    if (k < s.size() && (is_digit(s[k]) || (s[k] == '.' && k + 1 < s.size() && is_digit(s[k + 1])))) continue;
    return std::string(s.substr(i, k - i));
  }
  return {};
}

// A success reply ("250 2.1.5 Ok", "250 2.6.0 Message received") of a delivery report:
// its code, or 0.
int find_success_reply_code(std::string_view s, const knowledge& k) {
  for (std::size_t i = 0; i + 3 <= s.size(); ++i) {
    if (s[i] != '2' || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) continue;
    if (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.')) continue;
    if (i + 3 < s.size() && s[i + 3] != ' ' && s[i + 3] != '-') continue;
    const int code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    if (k.smtp_reply_codes.test(static_cast<std::size_t>(code))) return code;
  }
  return 0;
}

// The reply code a failure class digit at s[i] starts, or 0.
int reply_code_at(std::string_view s, std::size_t i, const knowledge& k) {
  const char c = s[i];
  // Only failure classes: "220" banners and "250 ok" lines in transcripts are not it.
  if ((c != '4' && c != '5') || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) return 0;
  if (s[i + 1] > '5') return 0;
  if (i > 0) {
    const char b = s[i - 1];
    if (!(b == ' ' || b == ':' || b == ';' || b == '(' || b == '[' || b == '<' || b == '\'' || b == '"' ||
          b == '\t' || b == '\n' || b == '='))
      return 0;
  }
  const std::size_t e = i + 3;
  if (e < s.size()) {
    const char a = s[e];
    // "550:" (Yahoo) and "ERROR_CODE :550," (Zoho) too.
    if (!(a == ' ' || a == '-' || a == '\t' || a == '\n' || a == ']' || a == '\'' || a == ')' || a == ':' || a == ','))
      return 0;
    // "550-5.7.1", "550 5.1.1", "550 Requested"; refuse "250 bytes"-like counts after a number.
    if (a == '-' && !(e + 1 < s.size() && (is_digit(s[e + 1]) || s[e + 1] == ' ' || s[e + 1] == '\'' ||
                                            std::isalpha(static_cast<unsigned char>(s[e + 1])))))
      return 0;
  }
  const int code = (c - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
  return k.smtp_reply_codes.test(static_cast<std::size_t>(code)) ? code : 0;
}

}  // namespace

// Only failure classes: a "2.0.0" in a transcript is not why mail bounced.
std::string find_status(std::string_view s) { return find_status_of(s, "45"); }

int find_reply_code(std::string_view s, const knowledge& k) {
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // Eight bytes at a time, only the places holding '4' or '5' are looked at, in order:
    // with the low bit set both are 0x35, so those bytes of z are zero. The zero-byte
    // test may also flag a byte above a zero one (a borrow), never miss one, and
    // reply_code_at checks each place again.
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull, fives = 0x3535353535353535ull;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      const std::uint64_t z = (w | ones) ^ fives;
      for (std::uint64_t m = (z - ones) & ~z & highs; m != 0; m &= m - 1) {
        const std::size_t at = i + static_cast<std::size_t>(std::countr_zero(m)) / 8;
        if (at + 3 > s.size()) return 0;  // no later place has room for a code either
        if (const int code = reply_code_at(s, at, k)) return code;
      }
    }
  }
  for (; i + 3 <= s.size(); ++i)
    if (const int code = reply_code_at(s, i, k)) return code;
  return 0;
}

std::string prefer_status(std::string_view field, std::string_view in_reply, int reply_code) {
  if (field.empty()) return std::string(in_reply);
  if (in_reply.empty() || field == in_reply) return std::string(field);
  // The reply code's class settles a class conflict (RFC 3463 §2: the class digit of the
  // status and of the reply agree).
  if (reply_code != 0 && field[0] != in_reply[0]) {
    const char reply_class = static_cast<char>('0' + reply_code / 100);
    if (field[0] == reply_class) return std::string(field);
    if (in_reply[0] == reply_class) return std::string(in_reply);
  }
  const auto generic = [](std::string_view s) { return s.size() >= 5 && s.substr(1, 4) == ".0.0"; };
  const auto other_detail = [](std::string_view s) { return s.size() >= 5 && s.substr(3, 2) == ".0"; };  // X.Y.0
  if (generic(field)) return std::string(generic(in_reply) ? field : in_reply);
  if (generic(in_reply)) return std::string(field);
  if (other_detail(field) && !other_detail(in_reply)) return std::string(in_reply);
  // Codes that say little about the cause: "4.4.7" (expired: the last attempt's reason is
  // better), "4.7.0" (often "too many errors"), "5.3.x" (system trouble), and the
  // protocol codes X.5.1, X.5.2, X.5.4, X.5.5.
  if (field == "4.4.7" || field == "4.7.0" || field.starts_with("5.3.")) return std::string(in_reply);
  if (field.size() >= 5 && field.substr(1, 3) == ".5." && (field[4] == '1' || field[4] == '2' || field[4] == '4' || field[4] == '5'))
    return std::string(in_reply);
  // "5.1.1" (no such mailbox) yields to a specific code other than a protocol one
  // ("550 5.7.1 IP address blacklisted" under Status: 5.1.1).
  if (field == "5.1.1" && !other_detail(in_reply) && !in_reply.starts_with("5.5.")) return std::string(in_reply);
  return std::string(field);
}

smtp_facts read_smtp_facts(std::string_view diagnostic, const knowledge& k) {
  smtp_facts f;
  f.status = find_status(diagnostic);
  f.reply_code = find_reply_code(diagnostic, k);
  // A scan per diagnostic: its hit list is kept per thread (read_smtp_facts does not
  // recurse, and nothing it calls scans into it).
  thread_local scanned_text scanned;
  k.commands.scan_into(diagnostic, scanned);
  const int c = k.commands.first(scanned);
  if (c >= 0) f.command = k.command_of[static_cast<std::size_t>(c)];
  // The refusing host's groups from the run that finds its expression (one search, not two).
  thread_local std::vector<re2::StringPiece> groups;
  const int h = k.remote_hosts.first_captured(scanned, groups);
  if (h >= 0 && groups[0].data() != nullptr) {
    const auto& g = k.remote_host_groups[static_cast<std::size_t>(h)];
    if (g.host >= 0 && groups[static_cast<std::size_t>(g.host)].data())
      f.remote_host = host_fact(std::string_view(groups[static_cast<std::size_t>(g.host)].data(),
                                                 groups[static_cast<std::size_t>(g.host)].size()));
    if (g.ip >= 0 && groups[static_cast<std::size_t>(g.ip)].data()) f.remote_ip = std::string(groups[static_cast<std::size_t>(g.ip)]);
    if (!f.remote_ip.empty() && !text::is_ip_literal(f.remote_ip)) f.remote_ip.clear();
    if (f.remote_host.find('.') == std::string::npos) f.remote_host.clear();
  }
  return f;
}

namespace {

// ---------------------------------------------------------------------------------------
// Free text: recipient blocks.

struct text_block {
  std::string address;
  std::string diagnostic;
  std::size_t lines_in_entry = 0;
  std::size_t last_line = 0;  // index of the last report line read into this block
};

void join_diag(std::string& into, std::string_view line) {
  if (into.size() >= limits::max_diagnostic_bytes) return;
  const std::size_t old_size = into.size();
  if (old_size != 0) into.push_back(' ');
  const std::size_t start = into.size();
  text::append_squeezed(into, line);
  if (into.size() == start) into.resize(old_size);  // nothing but white space
  else if (into.size() > limits::max_diagnostic_bytes) into.resize(limits::max_diagnostic_bytes);
}

std::string_view unquote(std::string_view line) {
  while (line.starts_with(">") && !line.starts_with(">>>")) {
    line.remove_prefix(1);
    if (line.starts_with(" ")) line.remove_prefix(1);
  }
  return line;
}

// The report for people, cut into lines once, with every line-oriented pattern set run
// once over the whole text (pattern_set::first_per_line).
struct report_text {
  std::string_view raw;                   // the human-readable part, decoded
  std::vector<std::string_view> all_raw;  // its lines (bounded by limits::max_text_lines)
  std::vector<int> marker;                // original_markers per line of all_raw, -1 past the
                                          // first marker after line 0 (no reader needs more)
  std::size_t count = 0;                  // report lines: those before the returned message
  std::string unquoted;                   // forwarded bounces quote with "> ": read through it
  std::string_view text;                  // the report lines' text (unquoted)
  std::vector<std::string_view> lines;    // `count` lines, views into `text`
  std::vector<int> section, recipient, boiler, block_end;
  scanned_text scanned_raw;               // literals of the whole human text
  scanned_text scanned;                   // literals of `text`

  std::string_view region() const {
    return lines.empty() ? std::string_view() : text.substr(0, static_cast<std::size_t>(lines.back().data() - text.data()) + lines.back().size());
  }
};

// Fills `t` whole, reusing its vectors' and strings' room (parse keeps one per thread).
void read_report_text(report_text& t, std::string_view human, const knowledge& k) {
  t.raw = human;
  text::lines_into(human, limits::max_text_lines, t.all_raw);
  k.original_markers.scan_into(human, t.scanned_raw);
  // The markers are read in runs of lines growing twice as long, up to the run holding
  // the first marker after line 0: the returned message below it (its header lines are
  // markers too) is not read line by line.
  t.marker.assign(t.all_raw.size(), -1);
  thread_local std::vector<int> run_markers;  // scratch (read_report_text does not recurse)
  const std::span<const std::string_view> all(t.all_raw);
  for (std::size_t from = 0, size = 16; from < all.size(); from += size, size *= 2) {
    const std::size_t n = std::min(size, all.size() - from);
    k.original_markers.first_per_line(t.scanned_raw, all.subspan(from, n), run_markers);
    std::copy(run_markers.begin(), run_markers.end(), t.marker.begin() + static_cast<std::ptrdiff_t>(from));
    if (std::any_of(t.marker.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(from, 1)),
                    t.marker.begin() + static_cast<std::ptrdiff_t>(from + n), [](int m) { return m >= 0; }))
      break;
  }
  t.count = t.all_raw.size();
  for (std::size_t n = 1; n < t.all_raw.size(); ++n)
    if (t.marker[n] >= 0) {
      t.count = n;
      break;
    }
  bool quoted = false;
  for (std::size_t n = 0; n < t.count && !quoted; ++n) quoted = unquote(t.all_raw[n]).size() != t.all_raw[n].size();
  t.unquoted.clear();
  if (quoted) {
    for (std::size_t n = 0; n < t.count; ++n) {
      t.unquoted.append(unquote(t.all_raw[n]));
      t.unquoted.push_back('\n');
    }
    t.text = t.unquoted;
    text::lines_into(t.text, t.count, t.lines);
    t.lines.resize(t.count);  // a trailing empty line is still a line
    k.recipient_sections.scan_into(t.text, t.scanned);
  } else {
    t.text = human;
    t.lines.assign(t.all_raw.begin(), t.all_raw.begin() + static_cast<std::ptrdiff_t>(t.count));
    t.scanned = t.scanned_raw;
  }
  k.recipient_sections.first_per_line(t.scanned, t.lines, t.section);
  k.recipient_lines.first_per_line(t.scanned, t.lines, t.recipient, '@');
  k.boilerplate.first_per_line(t.scanned, t.lines, t.boiler);
  k.block_ends.first_per_line(t.scanned, t.lines, t.block_end);
}

// True when `lead` is only a "to" label of forward_labels ("To", "收件人", "宛先"), with
// or without a colon (ASCII or full-width) after it.
bool is_recipient_label(std::string_view lead, const knowledge& k) {
  if (lead.ends_with("\xEF\xBC\x9A")) lead.remove_suffix(3);
  else if (lead.ends_with(':')) lead.remove_suffix(1);
  lead = text::trim(lead);
  if (lead.empty() || lead.size() > 32) return false;
  const auto it = k.forward_label_of.find(text::lower(lead));
  return it != k.forward_label_of.end() && it->second == "to";
}

// Whether a line ends with one of the layout's words right before the remote's reply
// (formats.yaml reply_intros: Gmail's "The error that the other server returned was:").
bool ends_with_reply_intro(std::string_view line, const knowledge& k) {
  if (line.empty() || line.back() != ':') return false;
  for (const auto& intro : k.reply_intros)
    if (line.size() >= intro.size() && text::iequals(line.substr(line.size() - intro.size()), intro)) return true;
  return false;
}

// Leading spaces and tabs of a report line.
std::size_t indent_of(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return n;
}

std::vector<text_block> find_blocks(const report_text& t, const knowledge& k, const std::string& sender, bool sender_failed) {
  const std::vector<std::string_view>& lines = t.lines;
  std::vector<text_block> blocks;
  std::size_t current = std::string::npos;  // index into blocks
  bool current_had_blank = false;
  std::size_t current_indent = 0;             // of the line that opened or reopened the current entry
  std::size_t last_read = std::string::npos;  // the last line read into the current entry
  bool expect_recipient = false;  // the previous line introduced a recipient list
  std::vector<re2::StringPiece> groups;
  auto open_block = [&](const std::string& address, std::size_t line_no) -> bool {
    auto it = std::find_if(blocks.begin(), blocks.end(), [&](const text_block& b) { return text::iequals(b.address, address); });
    if (it == blocks.end()) {
      if (blocks.size() >= limits::max_recipients) return false;
      blocks.push_back({address, {}, 0, line_no});
      current = blocks.size() - 1;
    } else {
      current = static_cast<std::size_t>(it - blocks.begin());
      blocks[current].lines_in_entry = 0;
    }
    current_had_blank = false;
    current_indent = indent_of(lines[line_no]);
    last_read = line_no;
    return true;
  };
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string_view line = lines[n];
    const std::string_view trimmed = text::trim(line);
    if (t.section[n] >= 0) {
      expect_recipient = true;
      current = std::string::npos;
      continue;
    }
    // Postfix wraps its report at 76 columns and indents the wrapped lines by four
    // (bounce(8)), so a reply that names an address ("550 5.1.1 <a@b>: Recipient address
    // rejected") can start a wrapped line. A line indented deeper than the line that opened
    // the entry, right after a line of that entry, continues it: not a new recipient.
    const bool continues_entry = current != std::string::npos && last_read != std::string::npos &&
                                 last_read + 1 == n && !blocks[current].diagnostic.empty() &&
                                 indent_of(line) > current_indent;
    // The line right after a layout's "the other server returned:" is the remote's reply,
    // even when it has a recipient line's shape ("550 <a@b>... Relaying denied" names the
    // address the remote refused, which may be another than the recipient's).
    const bool after_reply_intro = n > 0 && ends_with_reply_intro(text::trim(lines[n - 1]), k);
    const int m = continues_entry || after_reply_intro ? -1 : t.recipient[n];
    if (m >= 0) {
      // Group 1 is the address, group 2 (if any) the words after it.
      const bool ok = k.recipient_lines.capture_line(m, line, groups) && groups.size() >= 2;
      const re2::StringPiece address = ok ? groups[1] : re2::StringPiece();
      const re2::StringPiece rest = ok && groups.size() >= 3 ? groups[2] : re2::StringPiece();
      const std::string clean = ok ? text::clean_address(std::string_view(address.data(), address.size())) : "";
      // The sender's address starts an entry only when the report lists it as failed, and
      // then not inside another entry's words (a reply that quotes the sender's address).
      const bool the_sender = text::iequals(clean, sender);
      const bool inside_entry = current != std::string::npos && !blocks[current].diagnostic.empty();
      if (!clean.empty() && (!the_sender || (sender_failed && !inside_entry))) {
        expect_recipient = false;
        if (!open_block(clean, n)) break;
        const std::size_t lead = static_cast<std::size_t>(address.data() - line.data());
        const std::string_view lead_text = text::trim(line.substr(0, lead));
        // "554 <a@b>... 550 Host unknown" (Sendmail): only a reply code before the address.
        const bool code_only = lead_text.size() <= 5 && lead_text.size() >= 3 && is_digit(lead_text[0]) &&
                               is_digit(lead_text[1]) && is_digit(lead_text[2]);
        // "RCPT TO: a@b" (James's message details) and a recipient label ("收件人 a@b",
        // Coremail's facts of the original): a label, not words about the failure (unlike
        // IMail's "Unknown user: a@b").
        const bool label_only = text::iequals(lead_text, "rcpt to:") || is_recipient_label(lead_text, k);
        if (lead > 0 && lead_text.size() > 3 && !code_only && !label_only) {
          // "Unable to deliver message to <a@b> (and others)": the words around the
          // address are the reason.
          join_diag(blocks[current].diagnostic, trimmed);
          ++blocks[current].lines_in_entry;
        } else if (!rest.empty()) {
          // "554 <a@b>... 550 Host unknown": the inner reply is the remote's; a lone outer
          // code ("550 <a@b>... User unknown") is kept with the words.
          const std::string_view words(rest.data(), rest.size());
          const bool inner_code = words.size() > 3 && is_digit(words[0]) && is_digit(words[1]) && is_digit(words[2]);
          if (code_only && !inner_code) join_diag(blocks[current].diagnostic, lead_text.substr(0, 3));
          join_diag(blocks[current].diagnostic, words);
          ++blocks[current].lines_in_entry;
        }
        continue;
      }
    }
    if (expect_recipient && !trimmed.empty() && t.boiler[n] < 0) {
      expect_recipient = false;
      // A list entry that is not a full address ("kijitora", "save to /var/mail/x",
      // "pipe to |/usr/bin/prog"): keep what the MTA named.
      if (trimmed.size() <= 200) {
        std::string named = text::find_address(trimmed);
        if (named.empty()) named = text::valid_utf8(trimmed, 200);
        if ((sender_failed || !text::iequals(named, sender)) && open_block(named, n)) {
          if (named != trimmed) join_diag(blocks[current].diagnostic, trimmed);
          continue;
        }
      }
    }
    if (t.block_end[n] >= 0) current = std::string::npos;
    if (current == std::string::npos) continue;
    text_block& block = blocks[current];
    if (trimmed.empty()) {
      // A blank line ends the block once it has words; before that some formats put a
      // blank line between the address and its reason.
      if (!block.diagnostic.empty() || current_had_blank) current = std::string::npos;
      else current_had_blank = true;
      continue;
    }
    // A link alone on a line is boilerplate (a help page under the report), except where
    // a wrapped reply continues onto it (Postfix: "... See\n    http://cbl.abuseat.org").
    const bool wrapped_link = continues_entry && (text::istarts_with(trimmed, "http://") || text::istarts_with(trimmed, "https://"));
    if (t.boiler[n] >= 0 && !wrapped_link) continue;
    // Exim names an entry that is not an address ("an undisclosed address", "pipe to
    // |prog") and then the address it came from: "(generated from a@b)". That address is
    // the one the sender used.
    if (block.address.find('@') == std::string::npos && block.lines_in_entry == 0) {
      std::string_view rest = trimmed;
      if (rest.starts_with('(')) rest.remove_prefix(1);
      if (text::istarts_with(rest, "generated from ") || text::istarts_with(rest, "generated by ")) {
        if (std::string from = text::find_address(rest); !from.empty()) {
          join_diag(block.diagnostic, block.address);
          block.address = std::move(from);
          continue;
        }
      }
    }
    if (block.lines_in_entry >= limits::max_diagnostic_lines) continue;
    join_diag(block.diagnostic, trimmed);
    ++block.lines_in_entry;
    block.last_line = n;
    last_read = n;
  }
  return blocks;
}

// The report's words without boilerplate, for one-recipient reports whose layout no
// pattern knows.
// A line that only names an address ("* kijitora@example.jp", "<a@b>") says nothing.
bool only_an_address(std::string_view line) {
  const std::string address = text::find_address(line);
  if (address.empty()) return false;
  const std::size_t at = line.find('@');
  std::size_t b = at, e = at;
  while (b > 0 && line[b - 1] != ' ' && line[b - 1] != '\t') --b;
  while (e < line.size() && line[e] != ' ' && line[e] != '\t') ++e;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (i >= b && i < e) continue;
    const char c = line[i];
    if (!(c == ' ' || c == '\t' || c == '*' || c == '-' || c == '<' || c == '>' || c == ':' || c == ',')) return false;
  }
  return true;
}

std::string whole_text(const report_text& rt, std::size_t from = 0) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t n = from; n < rt.lines.size(); ++n) {
    const std::string_view t = text::trim(rt.lines[n]);
    if (from > 0 && rt.block_end[n] >= 0) break;  // another entity's entry
    if (t.empty() || rt.boiler[n] >= 0 || only_an_address(t)) continue;
    join_diag(out, t);
    if (++count >= limits::max_diagnostic_lines * 2 || out.size() >= limits::max_diagnostic_bytes) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The original message.

bool is_private_or_local(std::string_view ip) {
  if (ip.find(':') != std::string_view::npos) {
    return ip == "::1" || text::istarts_with(ip, "fe80") || text::istarts_with(ip, "fc") || text::istarts_with(ip, "fd");
  }
  int a = 0, b = 0;
  std::from_chars(ip.data(), ip.data() + ip.size(), a);
  const std::size_t dot = ip.find('.');
  if (dot != std::string_view::npos) std::from_chars(ip.data() + dot + 1, ip.data() + ip.size(), b);
  return a == 10 || a == 127 || a == 0 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
         (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127) || a >= 224;
}

// IPs in a Received header's "from" clause: "[192.0.2.1]" or "(host [192.0.2.1])".
std::string received_ip(std::string_view received) {
  const std::size_t by = std::min(text::ifind(received, " by "), received.size());
  const std::string_view from_clause = received.substr(0, by);
  std::size_t pos = 0;
  while ((pos = from_clause.find('[', pos)) != std::string_view::npos) {
    const std::size_t end = from_clause.find(']', pos);
    if (end == std::string_view::npos) break;
    std::string_view ip = from_clause.substr(pos + 1, end - pos - 1);
    if (text::istarts_with(ip, "ipv6:")) ip.remove_prefix(5);
    if (text::is_ip_literal(ip) && !is_private_or_local(ip)) return std::string(ip);
    pos = end;
  }
  return {};
}

void fill_original(original_message& o, const std::vector<header>& headers) {
  for (const auto& h : headers) {
    if (text::iequals(h.name, "From") && o.from.empty()) o.from = h.value;
    else if (text::iequals(h.name, "To") && o.to.empty()) o.to = h.value;
    else if (text::iequals(h.name, "Subject") && o.subject.empty()) o.subject = h.value;
    else if (text::iequals(h.name, "Message-ID") && o.message_id.empty()) o.message_id = h.value;
    else if (text::iequals(h.name, "Date") && o.date.empty()) o.date = h.value;
    else if (text::iequals(h.name, "Received") && o.received.size() < limits::max_received)
      o.received.push_back(h.value);
  }
  for (std::size_t i = 0; i < o.received.size() && o.sending_ip.empty(); ++i) {
    o.sending_ip = received_ip(o.received[i]);
    if (!o.sending_ip.empty()) o.sending_ip_source = "Received[" + std::to_string(i + 1) + "] of the returned message";
  }
}

// Headers quoted in the text after the "original message" marker.
std::vector<header> quoted_headers(const report_text& t, const knowledge& k) {
  for (std::size_t n = 0; n < t.all_raw.size(); ++n) {
    if (t.marker[n] < 0) continue;
    const std::string_view line = t.all_raw[n];
    // The marker may itself be the first header (Received:, Return-Path:).
    const bool is_header = line.find(':') != std::string_view::npos && line.find(' ') > line.find(':');
    const std::size_t start = static_cast<std::size_t>(line.data() - t.raw.data()) + (is_header ? 0 : line.size() + 1);
    if (start >= t.raw.size()) return {};
    return mime::parse_header_block(t.raw.substr(start), limits::max_header_count, true, &k.original_headers_read);
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// DSN fields to recipients.

dsn_action action_of(std::string_view value) {
  const std::string v = text::lower(text::trim(value));
  if (v.starts_with("failed") || v.starts_with("failure")) return dsn_action::failed;
  if (v.starts_with("delayed")) return dsn_action::delayed;
  if (v.starts_with("delivered") || v.starts_with("deliverable")) return dsn_action::delivered;
  if (v.starts_with("relayed")) return dsn_action::relayed;
  if (v.starts_with("expanded")) return dsn_action::expanded;
  return dsn_action::unknown;
}

void read_dsn(const dsn::fields& f, report& rep, const knowledge& k) {
  for (const auto& h : f.per_message) {
    if (text::iequals(h.name, "Reporting-MTA") && rep.reporting_mta.empty())
      rep.reporting_mta = std::string(dsn::strip_type(h.value));
    else if (text::iequals(h.name, "Arrival-Date") && rep.arrival_date.empty())
      rep.arrival_date = h.value;
  }
  for (const auto& block : f.per_recipient) {
    if (rep.recipients.size() >= limits::max_recipients) {
      rep.truncated = true;
      break;
    }
    recipient r;
    std::string remote_mta;
    for (const auto& h : block) {
      const std::string& n = h.name;
      if (text::iequals(n, "Final-Recipient")) {
        r.address = text::clean_address(dsn::strip_type(h.value));
        if (r.address.empty()) r.address = text::find_address(h.value);
        r.sources["address"] = "DSN Final-Recipient";
      } else if (text::iequals(n, "Original-Recipient")) {
        r.original_recipient = text::clean_address(dsn::strip_type(h.value));
      } else if (text::iequals(n, "Action")) {
        r.action = action_of(h.value);
        r.sources["action"] = "DSN Action";
      } else if (text::iequals(n, "Status")) {
        // A success status is kept for a delivery report only (checked once the Action
        // is known, at the end of parse).
        r.status = find_status_of(h.value, "245");
        if (!r.status.empty()) r.sources["status"] = "DSN Status";
        // "Status: 5.0.0 (Remote SMTP server has rejected address)": the comment may name
        // the SMTP step (Sun/Oracle Messaging Server).
        if (const std::size_t open = h.value.find('('); open != std::string::npos) {
          const int c = k.commands.first(std::string_view(h.value).substr(open));
          if (c >= 0) {
            r.command = k.command_of[static_cast<std::size_t>(c)];
            r.sources["command"] = "DSN Status comment";
          }
        }
      } else if (text::iequals(n, "Remote-MTA")) {
        remote_mta = std::string(dsn::strip_type(h.value));
      } else if (text::iequals(n, "Diagnostic-Code")) {
        r.diagnostic = text::valid_utf8(dsn::strip_type(h.value), limits::max_diagnostic_bytes);
        r.sources["diagnostic"] = "DSN Diagnostic-Code";
        // RFC 3464 §2.3.6: "diagnostic-type ; diagnostic" (smtp, x-unix, x-postfix, ...).
        const std::string_view value = h.value;
        const std::size_t semi = value.find(';');
        if (semi != std::string_view::npos && semi < 24 && value.substr(0, semi).find(' ') == std::string_view::npos)
          r.diagnostic_type = text::lower(text::trim(value.substr(0, semi)));
      } else if (text::iequals(n, "Last-Attempt-Date")) {
        r.last_attempt_date = h.value;
      } else if (text::istarts_with(n, "X-") && r.extra_fields.size() < 32) {
        r.extra_fields[n] = h.value;
      }
    }
    if (r.address.empty() && !r.original_recipient.empty()) {
      r.address = r.original_recipient;
      r.sources["address"] = "DSN Original-Recipient";
    }
    if (auto it = r.extra_fields.find("X-Actual-Recipient"); it != r.extra_fields.end() && r.address.empty())
      r.address = text::clean_address(dsn::strip_type(it->second));
    if (!remote_mta.empty()) {
      // "dns; mx.example.com" or "dns; [192.0.2.1]" or "mx.example.com [192.0.2.1]".
      const std::string_view rm = text::trim(remote_mta);
      const std::size_t br = rm.find('[');
      std::string host(text::trim(rm.substr(0, br)));
      if (br != std::string_view::npos) {
        const std::size_t end = rm.find(']', br);
        const std::string ip(rm.substr(br + 1, end == std::string_view::npos ? std::string_view::npos : end - br - 1));
        if (text::is_ip_literal(ip)) {
          r.remote_ip = ip;
          r.sources["remote_ip"] = "DSN Remote-MTA";
        }
      }
      if (text::is_ip_literal(host)) {
        if (r.remote_ip.empty()) r.remote_ip = host;
        r.sources["remote_ip"] = "DSN Remote-MTA";
        host.clear();
      }
      if (!host.empty()) {
        r.remote_host = host_fact(host);
        r.sources["remote_host"] = "DSN Remote-MTA";
      }
    }
    rep.recipients.push_back(std::move(r));
  }
}

// ---------------------------------------------------------------------------------------
// SMTP session transcripts quoted in the report.

// MDaemon (and SecurityGateway) stamp each transcript line "Tue 2024-06-04 09:15:02: " before
// its "--> RCPT To:<a@b>" or "<-- 550 ..." (its "--- Session Transcript ---"): the line is
// read after the stamp. A fixed shape, checked byte by byte, so other lines cost a compare.
std::string_view after_stamp(std::string_view line) {
  constexpr std::size_t n = 25;  // "Ddd YYYY-MM-DD HH:MM:SS: "
  if (line.size() <= n || line[3] != ' ' || line[8] != '-' || line[11] != '-' || line[14] != ' ' ||
      line[17] != ':' || line[20] != ':' || line[23] != ':' || line[24] != ' ')
    return line;
  for (const std::size_t i : {4, 5, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19, 21, 22})
    if (!is_digit(line[i])) return line;
  return text::trim(line.substr(n));
}

struct transcript_failure {
  std::string address;  // the RCPT TO address the reply refused, "" for a session-wide step,
                        // "@domain" for Sendmail's summary of one destination host
  smtp_command command = smtp_command::unknown;
  std::string reply;    // "550 Insecure Mail Relay"
  std::string remote_host;  // the server the session's marker line named, "" if none
  std::string remote_ip;
};

// The server a session marker names: "... while talking to mx.example.com.:" (Sendmail;
// "[IPv6:2001:db8::1]" for an address), "Attempting SMTP connection to [mx.example.com : 25]"
// then "[192.0.2.1 : 25]" (MDaemon, with or without the spaces). A host name (lower case,
// without the root's dot) or an address; neither when the marker names something else.
struct session_server {
  std::string host, ip;
};
session_server server_named(std::string_view after_marker) {
  std::string_view name = text::trim(after_marker);
  if (!name.empty() && name.front() == '[') {
    name.remove_prefix(1);
    name = name.substr(0, name.find(']'));
    if (text::istarts_with(name, "ipv6:")) name.remove_prefix(5);
  } else {
    name = name.substr(0, std::min(name.find_first_of(" \t"), name.size()));
    if (!name.empty() && name.back() == ':') name.remove_suffix(1);
  }
  // "192.0.2.1:25", "mx.example.com : 25": a host or IPv4 address and its port (an IPv6
  // address has several colons).
  if (const std::size_t colon = name.rfind(':'); colon != std::string_view::npos && name.find(':') == colon)
    name = name.substr(0, colon);
  name = text::trim(name);
  if (name.empty() || name.size() > 255) return {};
  if (text::is_ip_literal(name)) return {{}, std::string(name)};
  std::string host = host_fact(name);
  const bool host_name = host.find('.') != std::string::npos &&
                         std::all_of(host.begin(), host.end(), [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '-'; });
  if (!host_name) return {};
  return {std::move(host), {}};
}

bool starts_with_any(std::string_view line, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return !p.empty() && text::istarts_with(line, p); });
}

// Command and reply lines (formats.yaml transcript), in order: each failure reply (4xx or
// 5xx) is paired with the command it answered; a reply before any command answered the
// greeting. Replies to QUIT/RSET are not why mail failed. Also Sendmail's per-address
// summary "550 5.0.0 <a@b>... Insufficient permission" and its summary for every address
// at one domain, "451 example.org: Name server timeout" (address "@example.org"). Bounded
// by the report's lines.
std::vector<transcript_failure> read_transcript(const report_text& t, const knowledge& k) {
  std::vector<transcript_failure> out;
  if (k.transcript_commands.empty()) return out;
  smtp_command last = smtp_command::conn;
  bool ignored_step = false;  // QUIT, RSET, NOOP: their replies do not explain the failure
  std::string rcpt;
  // The server of the current session. Every marker starts a new one (nothing carries over
  // from the session before), except an address named right after a host name with no
  // command between: MDaemon names the host, then the address it connects to.
  session_server server;
  bool host_just_named = false;
  bool open_reply = false;  // the line just read was a kept reply line "NNN-...": more follow
  const auto after_prefix = [](std::string_view line, const std::vector<std::string>& prefixes) -> std::string_view {
    for (const auto& p : prefixes)
      if (text::istarts_with(line, p)) return text::trim(line.substr(p.size()));
    return {};
  };
  // The session markers are looked for line by line only in a report that holds one (the
  // report text's scan found one: it may lie below the report lines, then no line has it).
  const bool any_session = k.transcript_session_markers.first(t.scanned) >= 0;
  // Below, a line is read only when it begins with the first byte of a command or reply
  // prefix (ASCII case folded, as istarts_with compares) or with a reply code's '4' or
  // '5': other lines are passed over at one table lookup (in a report holding a session
  // marker, every line is still looked at for it).
  std::array<bool, 256> may_start{};
  may_start['4'] = may_start['5'] = true;
  bool every_line = any_session;
  for (const auto* prefixes : {&k.transcript_commands, &k.transcript_replies})
    for (const auto& p : *prefixes) {
      if (p.empty()) {
        every_line = true;
        continue;
      }
      const auto c = static_cast<unsigned char>(p[0]);
      may_start[c] = true;
      if (c >= 'a' && c <= 'z') may_start[c - 'a' + 'A'] = true;
      if (c >= 'A' && c <= 'Z') may_start[c - 'A' + 'a'] = true;
    }
  for (const std::string_view raw : t.lines) {
    if (out.size() >= limits::max_recipients) break;
    // Only the very next line continues a reply; any other line in between ends it.
    const bool continuing = open_reply;
    open_reply = false;
    const std::string_view line = after_stamp(text::trim(raw));
    if (line.empty()) continue;
    if (!every_line && !may_start[static_cast<unsigned char>(line.front())]) continue;
    bool session = false;
    // A command or reply line is no marker, whatever words the server put in it.
    if (any_session && !starts_with_any(line, k.transcript_commands) && !starts_with_any(line, k.transcript_replies))
      for (const auto& marker : k.transcript_sessions)
        if (const std::size_t at = text::ifind(line.substr(0, 200), marker); at != std::string_view::npos) {
          session = true;
          session_server named = server_named(line.substr(at + marker.size()));
          if (named.ip.empty() || !host_just_named) server.host = std::move(named.host);
          server.ip = std::move(named.ip);
          host_just_named = !server.host.empty() && server.ip.empty();
          break;
        }
    if (!session) host_just_named = false;
    if (session) {
      last = smtp_command::conn;
      ignored_step = false;
      rcpt.clear();
      continue;
    }
    if (const std::string_view command = after_prefix(line, k.transcript_commands); !command.empty()) {
      const std::string word = text::lower(command.substr(0, command.find_first_of(" :")));
      ignored_step = word == "quit" || word == "rset" || word == "noop";
      if (word == "ehlo" || word == "helo" || word == "lhlo") last = smtp_command::ehlo;
      else if (word == "mail") last = smtp_command::mail;
      else if (word == "rcpt") last = smtp_command::rcpt;
      else if (word == "data" || word == "bdat") last = smtp_command::data;
      rcpt = last == smtp_command::rcpt ? text::find_address(command) : std::string();
      continue;
    }
    std::string_view reply = after_prefix(line, k.transcript_replies);
    std::string address;
    smtp_command step = last;
    if (reply.empty() && line.size() > 4 && (line[0] == '4' || line[0] == '5') && is_digit(line[1]) && is_digit(line[2]) &&
        line[3] == ' ') {
      // "550 5.0.0 <a@b>... text" / "554 <a@b>... text": the MTA's summary for one address.
      const std::size_t dots = line.find(">... ");
      const std::size_t lt = line.find('<');
      if (dots == std::string_view::npos || lt == std::string_view::npos || lt > 16 || lt > dots) {
        // "451 example.net: Name server timeout": Sendmail's summary for every address at
        // one destination (a delay warning's transcript names the host, not the address).
        const std::size_t colon = line.find(": ", 4);
        std::string_view host = colon == std::string_view::npos ? std::string_view() : line.substr(4, colon - 4);
        if (host.ends_with('.')) host.remove_suffix(1);  // the root's dot: "example.org.:"
        if (host.size() < 4 || host.find('.') == std::string_view::npos ||
            host.find_first_of(" <>@[]") != std::string_view::npos || is_digit(host.front()))
          continue;
        address = "@" + text::lower(host);
        reply = line;
        step = smtp_command::unknown;
        if (out.empty() || out.back().address != address || out.back().reply != reply)
          out.push_back({address, step, text::valid_utf8(reply, limits::max_diagnostic_bytes), server.host, server.ip});
        continue;
      }
      address = text::clean_address(line.substr(lt, dots - lt + 1));
      if (address.empty()) continue;
      reply = line;
      step = smtp_command::unknown;
    } else if (reply.empty()) {
      continue;
    }
    if (reply.size() < 3 || (reply[0] != '4' && reply[0] != '5') || ignored_step) continue;
    if (address.empty() && step == smtp_command::rcpt) address = rcpt;
    // A multi-line reply (RFC 5321 §4.2.1: "550-" on every line but the last) is one
    // reply: its lines after the first join it. Some MTAs quote only the first line in
    // the recipient's own words ("Our system has detected that this message is").
    if (continuing && !out.empty() && reply.compare(0, 3, out.back().reply, 0, 3) == 0 && step == out.back().command &&
        address == out.back().address) {
      if (out.back().reply.size() < limits::max_diagnostic_bytes)
        out.back().reply = text::valid_utf8(out.back().reply + " " + std::string(reply), limits::max_diagnostic_bytes);
    } else {
      out.push_back({address, step, text::valid_utf8(reply, limits::max_diagnostic_bytes), server.host, server.ip});
    }
    open_reply = reply.size() > 3 && reply[3] == '-';
  }
  return out;
}

// Whether a transcript failure's address names the recipient: "@example.org" (a summary
// for one domain) names every address at that domain, not at its subdomains.
bool names_recipient(std::string_view failure_address, std::string_view recipient) {
  if (failure_address.front() != '@') return same_recipient(failure_address, recipient);
  return recipient.size() > failure_address.size() &&
         text::iequals(recipient.substr(recipient.size() - failure_address.size()), failure_address);
}

// The transcript's failures complete what the recipients lack: the step, and the
// server's reply when the recipient's own words carry no reply code.
void apply_transcript(report& rep, const std::vector<transcript_failure>& failures, const knowledge& k) {
  if (failures.empty()) return;
  const transcript_failure* session = nullptr;  // the first failure not tied to an address
  for (const auto& f : failures)
    if (f.address.empty()) {
      session = &f;
      break;
    }
  for (auto& r : rep.recipients) {
    const transcript_failure* own = nullptr;
    const transcript_failure* summary = nullptr;
    for (const auto& f : failures)
      if (!f.address.empty() && names_recipient(f.address, r.address)) {
        if (f.command != smtp_command::unknown && own == nullptr) own = &f;
        if (f.command == smtp_command::unknown && summary == nullptr) summary = &f;
      }
    // A summary for the recipient's domain says its mail never reached a session (the
    // name server timed out): another session's failure is not its.
    const bool domain_summary = summary != nullptr && summary->address.front() == '@';
    const transcript_failure* f = own != nullptr ? own : domain_summary ? nullptr : session;
    if (f != nullptr && r.command == smtp_command::unknown) {
      r.command = f->command;
      r.sources["command"] = "SMTP transcript";
    }
    if (f != nullptr && r.remote_host.empty() && r.remote_ip.empty() && (!f->remote_host.empty() || !f->remote_ip.empty())) {
      r.remote_host = f->remote_host;
      r.remote_ip = f->remote_ip;
      if (!r.remote_host.empty()) r.sources["remote_host"] = "SMTP transcript";
      if (!r.remote_ip.empty()) r.sources["remote_ip"] = "SMTP transcript";
    }
    if (f == nullptr) f = summary;
    if (f == nullptr) continue;
    const auto src = r.sources.find("diagnostic");
    const bool whole_report = src != r.sources.end() && src->second.find("whole report") != std::string::npos;
    // The server's own reply ("<<< 550 Insecure Mail Relay") explains more than the
    // MTA's summary ("554 <a@b>... Remote protocol error").
    const bool server_reply = f->command != smtp_command::unknown && r.diagnostic.find(f->reply) == std::string::npos;
    if (r.diagnostic.empty() || whole_report || server_reply || find_reply_code(r.diagnostic, k) == 0) {
      r.diagnostic = whole_report || r.diagnostic.empty() ? f->reply
                                                          : text::valid_utf8(f->reply + " " + r.diagnostic, limits::max_diagnostic_bytes);
      r.sources["diagnostic"] = "SMTP transcript";
    }
  }
}

// Amazon SES notifications delivered by SNS as JSON in the body.
bool read_ses_json(std::string_view body, report& rep) {
  const std::size_t open = body.find('{');
  if (open == std::string_view::npos) return false;
  const std::size_t close = body.rfind('}');
  if (close == std::string_view::npos || close < open) return false;
  const auto json = nlohmann::json::parse(body.substr(open, close - open + 1), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return false;
  const std::string type = json.value("notificationType", json.value("eventType", ""));
  auto str = [](const nlohmann::json& j, const char* key) -> std::string {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? text::valid_utf8(it->get<std::string>(), limits::max_diagnostic_bytes) : "";
  };
  auto add = [&](const nlohmann::json& item, dsn_action action, const std::string& diag_key) {
    if (!item.is_object() || rep.recipients.size() >= limits::max_recipients) return;
    recipient r;
    r.address = text::clean_address(str(item, "emailAddress"));
    r.action = action;
    r.status = find_status(str(item, "status"));
    r.diagnostic = std::string(dsn::strip_type(str(item, diag_key.c_str())));
    r.sources = {{"address", "Amazon SES JSON"}, {"status", "Amazon SES JSON"}, {"diagnostic", "Amazon SES JSON"}};
    rep.recipients.push_back(std::move(r));
  };
  if (type == "Bounce" && json.contains("bounce")) {
    const auto& b = json["bounce"];
    const bool transient = b.value("bounceType", "") == "Transient";
    if (b.contains("bouncedRecipients") && b["bouncedRecipients"].is_array())
      for (const auto& item : b["bouncedRecipients"]) add(item, transient ? dsn_action::delayed : dsn_action::failed, "diagnosticCode");
    rep.reporting_mta = str(b, "reportingMTA");
  } else if (type == "Delivery" && json.contains("delivery")) {
    const auto& d = json["delivery"];
    if (d.contains("recipients") && d["recipients"].is_array())
      for (const auto& item : d["recipients"])
        if (item.is_string() && rep.recipients.size() < limits::max_recipients) {
          recipient r;
          r.address = text::clean_address(item.get<std::string>());
          r.action = dsn_action::delivered;
          r.diagnostic = text::valid_utf8(str(d, "smtpResponse"), limits::max_diagnostic_bytes);
          r.status = find_status(r.diagnostic);
          r.sources = {{"address", "Amazon SES JSON"}, {"diagnostic", "Amazon SES JSON"}};
          rep.recipients.push_back(std::move(r));
        }
    rep.reporting_mta = str(d, "reportingMTA");
  } else if (type == "Complaint" && json.contains("complaint")) {
    const auto& c = json["complaint"];
    if (c.contains("complainedRecipients") && c["complainedRecipients"].is_array())
      for (const auto& item : c["complainedRecipients"]) add(item, dsn_action::unknown, "diagnosticCode");
    for (auto& r : rep.recipients) r.feedback_type = str(c, "complaintFeedbackType");
    rep.kind = report_kind::feedback;
  } else {
    return false;
  }
  return !rep.recipients.empty();
}

struct detected_family {
  std::string name;    // empty: none
  bool brand = false;  // decided by a brand's name, not by a layout's words
};

detected_family detect_family(const knowledge& k, const mime::document& doc, const parts_view& v,
                              const scanned_text& human, std::string_view dsn_text) {
  // Scratch kept per thread (cleared, its room reused: detect_family does not recurse).
  thread_local std::string part_types;
  part_types.clear();
  for (const auto& p : doc.parts) {
    part_types += p.media_type;
    part_types += '\n';
  }
  const std::string_view from = header_value(doc.headers, "From");
  const std::string_view subject = header_value(doc.headers, "Subject");
  // One pass per field; the lowest-index family whose field matches wins. Only the
  // field's own rules below the best so far are run, lowest first, up to the first match.
  int best = -1;
  thread_local std::vector<int> candidates;  // one list for the fields read one after another
  thread_local std::vector<int> proven;  // the literal rules a scanner hit proves (no RE2 run)
  auto consider_scanned = [&](std::string_view where, const scanned_text& t, bool per_line) {
    const re2::StringPiece piece(t.text.data(), t.text.size());
    k.families.candidates_into(t, candidates);
    k.families.proven_into(t, proven);
    for (const int i : candidates) {
      if (best >= 0 && i >= best) break;
      if (k.family_of[static_cast<std::size_t>(i)].where != where) continue;
      if (std::binary_search(proven.begin(), proven.end(), i) ||
          finds(per_line ? k.families.line_regex(i) : k.families.regex(i), std::string_view(piece.data(), piece.size()))) {
        best = i;
        break;
      }
    }
  };
  // A field none of whose rules comes before the best so far cannot change the answer:
  // it is not even scanned.
  const auto could_improve = [&](std::string_view where) {
    if (best < 0) return true;
    for (int i = 0; i < best; ++i)
      if (k.family_of[static_cast<std::size_t>(i)].where == where) return true;
    return false;
  };
  thread_local scanned_text field;  // one hit list for the fields scanned one after another
  auto consider = [&](std::string_view where, std::string_view value, bool per_line) {
    if (value.empty() || !could_improve(where)) return;
    k.families.scan_into(value, field);
    consider_scanned(where, field, per_line);
  };
  consider("from", from, false);
  consider("subject", subject, false);
  for (std::size_t i = 0; i < k.family_of.size(); ++i) {
    const auto& rule = k.family_of[i];
    if (std::string_view(rule.where) != "header" || (best >= 0 && static_cast<int>(i) >= best)) continue;
    for (const auto& h : doc.headers)
      if (std::any_of(rule.headers.begin(), rule.headers.end(), [&](const std::string& name) { return text::iequals(name, h.name); }) &&
          finds(k.families.regex(static_cast<int>(i)), h.value)) {
        best = static_cast<int>(i);
        break;
      }
  }
  consider("part", part_types, true);
  if (!human.text.empty()) consider_scanned("text", human, false);
  consider("dsn", dsn_text, true);
  (void)v;
  if (best < 0) return {};
  const auto& rule = k.family_of[static_cast<std::size_t>(best)];
  return {rule.family, rule.brand};
}

// The names listed alone, one per indented line, after a line of `bare_name_lists`
// (old AOL: "\tscreenname"), as addresses at the reporting sender's domain.
std::vector<std::string> bare_named_recipients(std::span<const std::string_view> lines, const knowledge& k,
                                               std::string_view sender_address) {
  std::vector<std::string> out;
  const std::size_t at = sender_address.find('@');
  if (at == std::string_view::npos) return out;
  const std::string_view domain = sender_address.substr(at + 1);
  const auto name_byte = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '+'; };
  bool listing = false;
  for (const auto line : lines) {
    if (out.size() >= limits::max_recipients) break;
    if (!listing) {
      listing = k.bare_name_lists.first(line) >= 0;
      continue;
    }
    const std::string_view name = text::trim(line);
    const bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    if (!indented || name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), name_byte)) break;
    out.push_back(text::lower(std::string(name) + "@" + std::string(domain)));
  }
  return out;
}

// Whether a message says it is a delivery report at all (RFC 5321 §4.5.5: reports are
// sent with the null reverse-path; RFC 3834: Auto-Submitted; Exim: X-Failed-Recipients).
// The other signs (a DSN part, a mailer daemon's sender or subject, a layout's words) are
// the caller's.
bool headers_say_report(const mime::document& doc) {
  const std::string_view return_path = text::trim(header_value(doc.headers, "Return-Path"));
  if (return_path == "<>") return true;
  if (!header_value(doc.headers, "X-Failed-Recipients").empty()) return true;
  const std::string_view auto_submitted = text::trim(header_value(doc.headers, "Auto-Submitted"));
  return !auto_submitted.empty() && !text::iequals(auto_submitted, "no");
}

bool is_vacation(const knowledge& k, const mime::document& doc) {
  for (const auto& [name, re] : k.vacation_headers) {
    const std::string_view value = header_value(doc.headers, name);
    if (!value.empty() && finds(*re, value)) return true;
  }
  const std::string_view subject = header_value(doc.headers, "Subject");
  if (k.vacation_subjects.first(subject) >= 0) return true;
  // RFC 3834 §5 keeps "auto-generated" for messages that are not a direct response, yet
  // forum and help-desk autoresponders (Discourse's and Chatwoot's test mail) mark their
  // replies so. A message so marked that answers another (In-Reply-To or References, and
  // a reply's subject) is an automatic reply; a notification that is no reply stays not a
  // bounce.
  const std::string_view auto_submitted = text::trim(header_value(doc.headers, "Auto-Submitted"));
  if (!text::istarts_with(auto_submitted, "auto-generated")) return false;
  if (text::trim(header_value(doc.headers, "In-Reply-To")).empty() && text::trim(header_value(doc.headers, "References")).empty())
    return false;
  return k.reply_subjects.first(text::trim(subject)) >= 0;
}

// "550-5.7.1 Messages with multiple 550-5.7.1 addresses in From:" → the prefixes of the
// continuation lines of a multi-line reply (RFC 5321 §4.2.1) are dropped so patterns see
// the sentence.
std::string drop_continuation_prefixes(const std::string& diag, int code, const std::string& status) {
  if (code == 0) return diag;
  const std::string c = std::to_string(code);
  std::string out;
  std::size_t copied = 0;  // diag[copied, i) is still to be copied
  bool first = true;
  std::size_t i = 0;
  // Only the places where the code occurs can start a prefix; the text between them is
  // copied in runs.
  while (i < diag.size()) {
    const std::size_t at = diag.find(c, i);
    if (at == std::string::npos) break;
    i = at;
    const bool at_word = i == 0 || diag[i - 1] == ' ';
    if (at_word && i + 3 < diag.size() && (diag[i + 3] == '-' || diag[i + 3] == ' ')) {
      std::size_t j = i + 4;
      if (!status.empty() && diag.compare(j, status.size(), status) == 0 && j + status.size() <= diag.size() &&
          (j + status.size() == diag.size() || diag[j + status.size()] == ' '))
        j += status.size() + 1;
      if (!first) {
        out.append(diag, copied, i - copied);
        i = std::min(j, diag.size());
        copied = i;
        continue;
      }
      first = false;
    }
    ++i;
  }
  if (copied == 0) return diag;  // nothing dropped
  out.append(diag, copied, std::string::npos);
  return out;
}

void apply_smtp_facts(recipient& r, const knowledge& k, const std::string& source) {
  smtp_facts f = read_smtp_facts(r.diagnostic, k);
  r.diagnostic = drop_continuation_prefixes(r.diagnostic, f.reply_code, f.status);
  // RFC 3463 X.4.7 "delivery time expired": "if possible, the code for the actual problem
  // found when delivery was attempted should be returned" — some MTAs quote it after
  // ("554 4.4.7 Message expired ... <421 4.4.2 Connection timed out>"): use that one.
  // Likewise a relay's own "other" code (X.Y.0) before the remote's quoted reply (Amazon
  // SES: "5.1.0 - Unknown address error 550-'5.2.2 <user>... Mailbox Full'").
  const bool says_little = f.status.size() == 5 && (f.status.substr(1) == ".4.7" || f.status.substr(3) == ".0");
  if (says_little) {
    const std::size_t at = r.diagnostic.find(f.status);
    if (at != std::string::npos) {
      const std::string_view after = std::string_view(r.diagnostic).substr(at + f.status.size());
      const std::string inner = find_status(after);
      if (!inner.empty() && inner.substr(1) != ".4.7" && inner.substr(3) != ".0" && inner.size() >= 5) {
        f.status = inner;
        const std::size_t inner_at = after.find(inner);
        const int inner_code = find_reply_code(after.substr(inner_at > 4 ? inner_at - 4 : 0, 8), k);
        if (inner_code != 0) f.reply_code = inner_code;
      }
    }
  }
  if (!f.status.empty()) {
    const std::string preferred = prefer_status(r.status, f.status, r.reply_code != 0 ? r.reply_code : f.reply_code);
    if (preferred != r.status) {
      r.status = preferred;
      r.sources["status"] = source;
    }
  }
  if (r.reply_code == 0 && f.reply_code != 0) {
    r.reply_code = f.reply_code;
    r.sources["reply_code"] = source;
  }
  // A reply code whose class contradicts the status is not this failure's reply (RFC 3463
  // §2: the classes agree); take one of the status's class from the text, or none.
  if (r.reply_code != 0 && !r.status.empty() && r.status[0] != static_cast<char>('0' + r.reply_code / 100)) {
    int same_class = 0;
    for (std::size_t from = 0; from < r.diagnostic.size() && same_class == 0;) {
      const std::string_view rest = std::string_view(r.diagnostic).substr(from);
      const int code = find_reply_code(rest, k);
      if (code == 0) break;
      if (r.status[0] == static_cast<char>('0' + code / 100)) same_class = code;
      const std::size_t at = rest.find(std::to_string(code));
      from += (at == std::string_view::npos ? rest.size() : at + 3);
    }
    r.reply_code = same_class;
    r.sources["reply_code"] = source;
  }
  if (r.command == smtp_command::unknown && f.command != smtp_command::unknown) {
    r.command = f.command;
    r.sources["command"] = source;
  }
  if (r.remote_host.empty() && !f.remote_host.empty()) {
    r.remote_host = f.remote_host;
    r.sources["remote_host"] = source;
  }
  if (r.remote_ip.empty() && !f.remote_ip.empty()) {
    r.remote_ip = f.remote_ip;
    r.sources["remote_ip"] = source;
  }
}

std::string address_of(std::string_view header_text) {
  const std::size_t lt = header_text.find('<');
  if (lt != std::string_view::npos) {
    const std::size_t gt = header_text.find('>', lt);
    const std::string a = text::clean_address(header_text.substr(lt, gt == std::string_view::npos ? std::string_view::npos : gt - lt + 1));
    if (!a.empty()) return a;
  }
  return text::find_address(header_text);
}

}  // namespace

namespace {

// Sendmail reports an alias loop with one DSN block per alias level, all for the same
// final address with the same words: one failure, said several times. A recipient equal
// to an earlier one in every fact that tells failures apart is dropped.
void drop_repeated_recipients(std::vector<recipient>& recipients) {
  for (std::size_t i = 1; i < recipients.size();) {
    const recipient& r = recipients[i];
    const bool repeated = std::any_of(recipients.begin(), recipients.begin() + static_cast<std::ptrdiff_t>(i), [&](const recipient& e) {
      return same_recipient(e.address, r.address) && e.status == r.status && e.reply_code == r.reply_code &&
             e.action == r.action && e.diagnostic == r.diagnostic && e.remote_host == r.remote_host;
    });
    if (repeated) recipients.erase(recipients.begin() + static_cast<std::ptrdiff_t>(i));
    else ++i;
  }
}

// The message from its first line holding anything but spaces and tabs (bytes are
// LF-normalised by the input reader).
std::string_view past_blank_lines(std::string_view bytes) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') start = i + 1;
    else if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') break;
  }
  return bytes.substr(start);
}

}  // namespace

report parse(std::string_view bytes, const knowledge& k) {
  report rep;
  if (bytes.size() > limits::max_message_bytes) {
    bytes = bytes.substr(0, limits::max_message_bytes);
    rep.truncated = true;
  }
  // Lines of only white space before the header block (a message pasted from a web page
  // or a ticket, a fixture saved with a line of spaces on top) would end the header block
  // before it begins (RFC 5322 §2.1), leaving From, Subject and Precedence unread.
  bytes = past_blank_lines(bytes);
  // The document is kept per thread between messages (parse does not recurse): its part
  // and header objects are reused; views into it are only read during this call.
  thread_local mime::document doc;
  mime::parse_mime_into(bytes, mime::read_options{.headers = &k.original_headers_read, .top_headers = &k.top_headers_read,
                                                  .part_headers = false, .only_read_texts = true},
                        doc);
  rep.truncated = rep.truncated || doc.truncated;
  if (doc.truncated) rep.notes.push_back("more MIME parts than the limit; the rest was not read");
  rep.bounce_from = std::string(header_value(doc.headers, "From"));
  rep.bounce_subject = std::string(header_value(doc.headers, "Subject"));
  rep.bounce_date = std::string(header_value(doc.headers, "Date"));
  const std::string sender = address_of(header_value(doc.headers, "To"));
  const parts_view v = view_of(doc);

  // The report for people: the text part as it is (a view), or an HTML part's words.
  std::string stripped_html;
  if (v.human == nullptr && v.html != nullptr) stripped_html = text::strip_html(v.html->text);
  const std::string_view human = v.human != nullptr ? std::string_view(v.human->text) : std::string_view(stripped_html);
  // The report text's vectors and strings are kept per thread between messages (cleared,
  // not freed; parse does not recurse): its views are only read during this call.
  thread_local report_text rt;
  read_report_text(rt, human, k);
  const std::vector<std::string_view>& lines = rt.lines;

  // The original message.
  if (v.original != nullptr) {
    if (v.original->is_embedded_message) fill_original(rep.original, v.original->headers);
    else fill_original(rep.original, mime::parse_header_block(v.original->text, limits::max_header_count, true, &k.original_headers_read));
  }
  if (rep.original.from.empty() && rep.original.to.empty() && !human.empty())
    fill_original(rep.original, quoted_headers(rt, k));

  std::string dsn_text;
  // ARF feedback (RFC 5965).
  if (v.feedback != nullptr) {
    const auto fields = mime::parse_header_block(v.feedback->text, limits::max_header_count, false);
    recipient r;
    r.feedback_type = text::lower(text::trim(header_value(fields, "Feedback-Type")));
    std::string_view rcpt = header_value(fields, "Original-Rcpt-To");
    if (rcpt.empty()) rcpt = header_value(fields, "Removal-Recipient");
    r.address = text::clean_address(rcpt);
    r.sources["address"] = rcpt.empty() ? "returned message To" : "ARF Original-Rcpt-To";
    if (r.address.empty()) r.address = address_of(rep.original.to);
    r.sources["feedback_type"] = "ARF Feedback-Type";
    const std::string_view source_ip = header_value(fields, "Source-IP");
    if (text::is_ip_literal(text::trim(source_ip))) {
      rep.original.sending_ip = std::string(text::trim(source_ip));
      rep.original.sending_ip_source = "ARF Source-IP";
    }
    rep.arrival_date = std::string(header_value(fields, "Arrival-Date"));
    rep.reporting_mta = std::string(dsn::strip_type(header_value(fields, "Reporting-MTA")));
    rep.kind = report_kind::feedback;
    rep.mta_family = "ARF";
    // RFC 5965 §3.2: Original-Rcpt-To may appear once per recipient of the reported
    // message; each is complained about.
    std::size_t rcpt_fields = 0;
    for (const auto& f : fields) {
      if (!text::iequals(f.name, "Original-Rcpt-To") || ++rcpt_fields == 1) continue;
      if (rep.recipients.size() + 1 >= limits::max_recipients) break;
      recipient more = r;
      more.address = text::clean_address(f.value);
      if (!more.address.empty() && !text::iequals(more.address, r.address)) rep.recipients.push_back(std::move(more));
    }
    rep.recipients.insert(rep.recipients.begin(), std::move(r));
    return rep;
  }

  // Complaints in other shapes (Hotmail JMRP, Apple Mail unsubscribe).
  if (v.dsn.empty()) {
    const std::vector<header>* embedded = v.original && v.original->is_embedded_message ? &v.original->headers : nullptr;
    for (const auto& rule : k.feedback_rules) {
      std::string_view value;
      if (std::string_view(rule.where) == "header") value = header_value(doc.headers, rule.name);
      else if (std::string_view(rule.where) == "original" && embedded) value = header_value(*embedded, rule.name);
      else if (std::string_view(rule.where) == "subject") value = header_value(doc.headers, "Subject");
      if (value.empty() || !finds(*rule.match, value)) continue;
      recipient r;
      r.feedback_type = rule.type;
      r.sources["feedback_type"] = rule.where + " " + rule.name;
      if (embedded) r.address = text::clean_address(header_value(*embedded, "X-HmXmrOriginalRecipient"));
      if (r.address.empty()) r.address = address_of(rep.original.to);
      if (r.address.empty()) r.address = address_of(rep.bounce_from);
      r.sources["address"] = "complaint";
      rep.kind = report_kind::feedback;
      rep.mta_family = "ARF";
      rep.recipients.push_back(std::move(r));
      return rep;
    }
  }

  // RFC 3464 delivery status.
  std::size_t dsn_size = 0;
  for (const auto* p : v.dsn) dsn_size += p->text.size() + 2;
  dsn_text.reserve(dsn_size);
  for (const auto* p : v.dsn) {
    dsn_text += p->text;
    dsn_text += "\n\n";
  }
  if (dsn_text.empty() && dsn::looks_like_fields(rt.all_raw)) {  // the human text's lines
    // Some MTAs (WorkMail, forwarding relays) paste the DSN fields into the text part.
    std::size_t start = std::string::npos;
    for (const char* field : {"Reporting-MTA:", "Final-Recipient:", "Original-Recipient:", "Action:"}) {
      const std::size_t at = human.find(field);
      if (at != std::string::npos && (at == 0 || human[at - 1] == '\n')) start = std::min(start, at);
    }
    if (start != std::string::npos) dsn_text = std::string(human.substr(start));
  }
  if (!dsn_text.empty()) read_dsn(dsn::parse_fields(dsn_text), rep, k);
  std::erase_if(rep.recipients, [](const recipient& r) { return r.address.empty() && r.diagnostic.empty() && r.status.empty(); });

  const detected_family family = detect_family(k, doc, v, rt.scanned_raw, dsn_text);
  rep.mta_family = family.name;
  // The MTA's own verdict on the whole report, in its own words.
  for (const auto& fp : k.family_patterns) {
    if (std::string_view(fp.where) != "report" || fp.family != rep.mta_family) continue;
    const std::string_view region = rt.region();
    if (finds(*fp.match, region) || finds(*fp.match, rep.bounce_subject)) {
      rep.mta_reason = fp.reason;
      rep.mta_reason_matched = fp.pattern;
      break;
    }
  }

  // The step the report's own words name for every failure (the region is a prefix of the
  // scanned report text: its hits are already known).
  if (const int step = k.report_steps.first(pattern_set::prefix(rt.scanned, rt.region().size())); step >= 0) {
    rep.named_step = k.report_step_of[static_cast<std::size_t>(step)];
    rep.named_step_matched = k.report_steps.regex(step).pattern();
  }

  // Amazon SES JSON notifications.
  if (rep.recipients.empty() && human.find("\"notificationType\"") != std::string::npos) {
    if (read_ses_json(human, rep)) rep.mta_family = "AmazonSES";
  }

  // Free text is read for recipients only in a message that says it is a delivery report.
  // A brand's name alone is not that: a Yahoo Groups post or a newsletter naming McAfee
  // would otherwise read as a bounce of the addresses in its footer.
  const bool sender_is_daemon = k.bounce_senders.first(rep.bounce_from) >= 0;
  const bool from_daemon = sender_is_daemon || k.bounce_subjects.first(rep.bounce_subject) >= 0;
  const bool says_report = !dsn_text.empty() || !rep.recipients.empty() || from_daemon ||
                           (!family.name.empty() && !family.brand) || headers_say_report(doc);
  if (!says_report) rep.mta_family.clear();

  // Free text.
  const std::string text_source = (rep.mta_family.empty() || rep.mta_family == "RFC3464" ? std::string("report")
                                                                                          : rep.mta_family) + " text";
  // The bounce's addressee is no recipient of the text ("A message that you sent to <a> ..."
  // quotes the sender), unless the report's own list of failures names it: mail sent to
  // oneself, or a forged sender that is also the recipient (phishing sent to a mailing list
  // "from" the list).
  std::vector<std::string> failed_list;  // Exim's X-Failed-Recipients
  for (std::string_view rest = header_value(doc.headers, "X-Failed-Recipients"); !rest.empty();) {
    const std::size_t comma = std::min(rest.find(','), rest.size());
    if (std::string a = text::clean_address(rest.substr(0, comma)); !a.empty()) failed_list.push_back(std::move(a));
    if (failed_list.size() >= limits::max_recipients) break;
    rest.remove_prefix(std::min(comma + 1, rest.size()));
  }
  const auto listed_as_failed = [&](const std::string& address) {
    return std::any_of(failed_list.begin(), failed_list.end(), [&](const std::string& a) { return same_recipient(a, address); });
  };
  const bool addressee_failed =
      !sender.empty() &&
      (std::any_of(rep.recipients.begin(), rep.recipients.end(), [&](const recipient& r) { return same_recipient(r.address, sender); }) ||
       listed_as_failed(sender));
  const std::vector<text_block> blocks =
      says_report ? find_blocks(rt, k, sender, addressee_failed) : std::vector<text_block>();
  if (!rep.recipients.empty()) {
    for (auto& r : rep.recipients) {
      if (!r.diagnostic.empty() && find_reply_code(r.diagnostic, k) != 0) continue;
      const auto it = std::find_if(blocks.begin(), blocks.end(), [&](const text_block& b) {
        return same_recipient(b.address, r.address) || (blocks.size() == 1 && rep.recipients.size() == 1);
      });
      if (it != blocks.end() && !it->diagnostic.empty() && it->diagnostic.size() > r.diagnostic.size()) {
        r.diagnostic = r.diagnostic.empty() ? it->diagnostic : r.diagnostic + " " + it->diagnostic;
        r.diagnostic = text::valid_utf8(r.diagnostic, limits::max_diagnostic_bytes);
        r.sources["diagnostic"] = r.sources.count("diagnostic") ? r.sources["diagnostic"] + " + " + text_source : text_source;
      }
    }
    // One recipient whose DSN gave no Diagnostic-Code and whose text block has no reply: the
    // remote's reply the layout introduces below the block (formats.yaml reply_intros) still
    // explains it, as when there is no DSN (below). Gmail's "** Message not delivered **"
    // puts it after blank lines, under "The response from the remote server was:", and its
    // DSN has no Diagnostic-Code (bench/reports/relayout.py gworkspace: the reply was lost).
    if (rep.recipients.size() == 1 && blocks.size() == 1 && !blocks.front().diagnostic.empty()) {
      auto& r = rep.recipients.front();
      const auto src = r.sources.find("diagnostic");
      if (src != r.sources.end() && src->second == text_source && find_reply_code(r.diagnostic, k) == 0) {
        const std::string tail = whole_text(rt, blocks.front().last_line + 1);
        const bool introduced = std::any_of(k.reply_intros.begin(), k.reply_intros.end(), [&](const std::string& intro) {
          return text::ifind(tail, intro) != std::string_view::npos;
        });
        if (introduced && r.diagnostic.size() < limits::max_diagnostic_bytes)
          r.diagnostic = text::valid_utf8(r.diagnostic + " " + tail, limits::max_diagnostic_bytes);
      }
    }
    // The text may still name what the DSN fields leave out (command, refusing host).
    for (auto& r : rep.recipients) {
      const auto it = std::find_if(blocks.begin(), blocks.end(), [&](const text_block& b) { return same_recipient(b.address, r.address); });
      if (it == blocks.end()) continue;
      // Only these three are taken from the text: a recipient that has them all needs no
      // reading of its block's words.
      if (r.command != smtp_command::unknown && !r.remote_host.empty() && !r.remote_ip.empty()) continue;
      const smtp_facts from_text = read_smtp_facts(it->diagnostic, k);
      if (r.command == smtp_command::unknown && from_text.command != smtp_command::unknown) {
        r.command = from_text.command;
        r.sources["command"] = text_source;
      }
      if (r.remote_host.empty() && !from_text.remote_host.empty()) {
        r.remote_host = from_text.remote_host;
        r.sources["remote_host"] = text_source;
      }
      if (r.remote_ip.empty() && !from_text.remote_ip.empty()) {
        r.remote_ip = from_text.remote_ip;
        r.sources["remote_ip"] = text_source;
      }
    }
  } else if (rep.kind != report_kind::feedback) {
    // Exim lists the failed recipients in X-Failed-Recipients: when the header names some of
    // the text's addresses, one it leaves out is not a failure ("A message sent by
    // <sender> could not be delivered", the sender quoted above the list).
    const bool header_names_some =
        !failed_list.empty() && std::any_of(blocks.begin(), blocks.end(), [&](const text_block& b) { return listed_as_failed(b.address); });
    for (const auto& b : blocks) {
      if (header_names_some && !listed_as_failed(b.address)) continue;
      recipient r;
      r.address = b.address;
      r.diagnostic = b.diagnostic;
      r.sources["address"] = text_source;
      if (!r.diagnostic.empty()) r.sources["diagnostic"] = text_source;
      rep.recipients.push_back(std::move(r));
    }
    // Blocks without words borrow the whole report (one failure explained once for all),
    // joined only when one needs it.
    const bool any_without_words =
        std::any_of(rep.recipients.begin(), rep.recipients.end(), [](const recipient& r) { return r.diagnostic.empty(); });
    const std::string whole = any_without_words ? whole_text(rt) : std::string();
    for (auto& r : rep.recipients)
      if (r.diagnostic.empty() && !whole.empty()) {
        r.diagnostic = whole;
        r.sources["diagnostic"] = text_source + " (whole report)";
      }
    // One recipient: the words after its block still explain it (Gmail puts the remote
    // server's reply paragraphs below the address).
    if (rep.recipients.size() == 1 && blocks.size() == 1 && !blocks.front().diagnostic.empty()) {
      const std::string tail = whole_text(rt, blocks.front().last_line + 1);
      auto& r = rep.recipients.front();
      if (!tail.empty() && r.diagnostic.size() < limits::max_diagnostic_bytes)
        r.diagnostic = text::valid_utf8(r.diagnostic + " " + tail, limits::max_diagnostic_bytes);
    }
  }

  const bool looks_bouncy = says_report && (!rep.mta_family.empty() || from_daemon);

  // Vacation / auto-reply (RFC 3834): only when nothing says it is a delivery report
  // (Exim marks its own bounces Auto-Submitted: auto-replied too).
  if (dsn_text.empty() && !from_daemon && is_vacation(k, doc)) {
    rep.kind = report_kind::vacation;
    rep.recipients.clear();
    recipient r;
    r.address = address_of(rep.bounce_from);
    r.sources["address"] = "auto-reply From";
    r.diagnostic = text::valid_utf8(rep.bounce_subject, limits::max_diagnostic_bytes);
    rep.recipients.push_back(std::move(r));
    if (rep.mta_family.empty()) rep.mta_family = "RFC3834";
    return rep;
  }

  // A provider that lists its own users by name alone: name@the report sender's domain
  // (only when the sender is the provider's mailer daemon, whose domain that is).
  if (rep.recipients.empty() && looks_bouncy && sender_is_daemon) {
    for (std::string& address : bare_named_recipients(lines, k, address_of(rep.bounce_from))) {
      recipient r;
      r.address = std::move(address);
      r.sources["address"] = text_source + " (name at the sender's domain)";
      r.diagnostic = whole_text(rt);
      r.sources["diagnostic"] = text_source + " (whole report)";
      rep.recipients.push_back(std::move(r));
    }
  }

  // A delivery report no layout matched: one recipient, the whole report as the reason.
  if (rep.recipients.empty() && looks_bouncy && !lines.empty()) {
    recipient r;
    r.address = address_of(rep.original.to);
    r.sources["address"] = "returned message To";
    if (r.address.empty()) {
      for (const auto line : lines) {
        const std::string a = text::find_address(line);
        if (!a.empty() && !text::iequals(a, sender) && !text::iequals(a, address_of(rep.bounce_from))) {
          r.address = a;
          r.sources["address"] = text_source;
          break;
        }
      }
    }
    r.diagnostic = whole_text(rt);
    r.sources["diagnostic"] = text_source + " (whole report)";
    if (!r.diagnostic.empty() || !r.address.empty()) rep.recipients.push_back(std::move(r));
  }

  apply_transcript(rep, read_transcript(rt, k), k);

  // Facts inside each diagnostic.
  for (auto& r : rep.recipients) {
    const auto src = r.sources.find("diagnostic");
    // A copy: apply_smtp_facts adds sources, which may move the one it names.
    const std::string source = src == r.sources.end() ? text_source : src->second;
    apply_smtp_facts(r, k, source);
  }
  // Size of the returned message when the text states it ("message size 2397844 exceeds").
  for (const auto& r : rep.recipients) {
    static const RE2 size_re("(?i)message size (\\d{1,12}) exceeds");
    std::uint64_t size = 0;
    // Every match holds "exceed" (no letter of it folds to one outside ASCII, as k and s
    // do): a diagnostic without it is not run.
    if (!rep.original.size && text::ifind(r.diagnostic, "exceed") != std::string_view::npos &&
        RE2::PartialMatch(r.diagnostic, size_re, &size))
      rep.original.size = size;
  }

  // Kind.
  if (rep.kind != report_kind::feedback) {
    bool any_failed = false, any_delayed = false, any_delivered = false, any_relayed = false, any_expanded = false;
    bool any_unknown = false;
    for (const auto& r : rep.recipients) {
      switch (r.action) {
        case dsn_action::failed: any_failed = true; break;
        case dsn_action::delayed: any_delayed = true; break;
        case dsn_action::delivered: any_delivered = true; break;
        case dsn_action::relayed: any_relayed = true; break;
        case dsn_action::expanded: any_expanded = true; break;
        case dsn_action::unknown: any_unknown = true; break;
      }
    }
    if (rep.recipients.empty()) {
      rep.kind = report_kind::not_bounce;
    } else if (any_failed) {
      rep.kind = report_kind::failure;
    } else if (any_unknown) {
      // No Action field: a status class or the report's wording tells a warning.
      bool temporary = true;
      for (const auto& r : rep.recipients)
        if (!(r.status.starts_with("4"))) temporary = false;
      bool delay_words = false;
      // The region is a prefix of the scanned report text: its hits are already known.
      if (k.delay_markers.any_line(pattern_set::prefix(rt.scanned, rt.region().size()))) delay_words = true;
      if (k.delay_markers.first(rep.bounce_subject) >= 0) delay_words = true;
      rep.kind = delay_words || (temporary && !rep.recipients.empty() && false) ? report_kind::delay : report_kind::failure;
    } else if (any_delayed) {
      rep.kind = report_kind::delay;
    } else if (any_delivered) {
      rep.kind = report_kind::delivered;
    } else if (any_relayed) {
      rep.kind = report_kind::relayed;
    } else if (any_expanded) {
      rep.kind = report_kind::expanded;
    }
  }
  if (rep.reporting_mta.empty()) {
    const std::string from = address_of(rep.bounce_from);
    const std::size_t at = from.find('@');
    if (at != std::string::npos) rep.reporting_mta = from.substr(at + 1);
  }
  if (rep.arrival_date.empty()) rep.arrival_date = rep.bounce_date;
  for (auto& r : rep.recipients)
    if (r.action == dsn_action::unknown && rep.kind == report_kind::failure) r.action = dsn_action::failed;
    else if (r.action == dsn_action::unknown && rep.kind == report_kind::delay) r.action = dsn_action::delayed;
  // A delivery report's success: its status and reply ("250 2.1.5 Ok"), which the
  // failure readers above leave out.
  for (auto& r : rep.recipients) {
    const bool success = r.action == dsn_action::delivered || r.action == dsn_action::relayed ||
                         r.action == dsn_action::expanded || rep.kind == report_kind::delivered;
    if (!success) {
      if (r.status.starts_with('2')) r.status.clear();
      continue;
    }
    if (r.status.empty()) r.status = find_status_of(r.diagnostic, "2");
    if (r.reply_code == 0) r.reply_code = find_success_reply_code(r.diagnostic, k);
  }
  drop_repeated_recipients(rep.recipients);
  return rep;
}

}  // namespace reports
