#include "smtp/reply.hpp"

#include "smtp/text.hpp"

#include <algorithm>

namespace smtp {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads 1 to 3 digits at text[i]; advances i.
std::optional<int> read_number(std::string_view text, std::size_t& i) {
  const std::size_t start = i;
  int value = 0;
  while (i < text.size() && is_digit(text[i]) && i - start < 3) value = value * 10 + (text[i++] - '0');
  if (i == start) return std::nullopt;
  if (i < text.size() && is_digit(text[i])) return std::nullopt;  // more than 3 digits
  return value;
}

// "NNN" with a first digit RFC 5321 §4.2.1 allows (2 to 5), then end, SP or '-'.
bool has_reply_code(std::string_view line) {
  if (line.size() < 3) return false;
  if (line[0] < '2' || line[0] > '5' || !is_digit(line[1]) || !is_digit(line[2])) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '-';
}

int code_of(std::string_view line) { return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'); }

}  // namespace

std::string enhanced_status::to_string() const {
  return std::to_string(klass) + "." + std::to_string(subject) + "." + std::to_string(detail);
}

std::optional<enhanced_status> parse_enhanced_status(std::string_view text) {
  // RFC 3463 §2: class "." subject "." detail; class is 2, 4 or 5; subject and detail 1*3digit.
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.')
    return std::nullopt;
  std::size_t i = 2;
  const auto subject = read_number(text, i);
  if (!subject || i >= text.size() || text[i] != '.') return std::nullopt;
  ++i;
  const auto detail = read_number(text, i);
  if (!detail) return std::nullopt;
  if (i < text.size() && text[i] != ' ' && text[i] != '\t') return std::nullopt;
  return enhanced_status{text[0] - '0', *subject, *detail};
}

std::string_view to_string(reply_issue issue) {
  switch (issue) {
    case reply_issue::code_mismatch: return "code-mismatch";
    case reply_issue::malformed_line: return "malformed-line";
    case reply_issue::line_truncated: return "line-truncated";
    case reply_issue::enhanced_mismatch: return "enhanced-status-mismatch";
    case reply_issue::bare_line_feed: return "bare-line-feed";
    case reply_issue::bytes_replaced: return "bytes-replaced";
  }
  return "unknown";
}

std::string_view to_string(parse_failure failure) {
  switch (failure) {
    case parse_failure::not_smtp: return "not-smtp";
    case parse_failure::reply_too_large: return "reply-too-large";
  }
  return "unknown";
}

bool reply::has_issue(reply_issue issue) const {
  return std::find(issues.begin(), issues.end(), issue) != issues.end();
}

std::string reply::text() const {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

std::vector<std::string> reply::wire_lines() const {
  std::vector<std::string> out;
  const std::string code_text = std::to_string(code);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const char separator = i + 1 < lines.size() ? '-' : ' ';
    out.push_back(code_text + separator + lines[i]);
  }
  if (lines.empty()) out.push_back(code_text);
  return out;
}

void reply_parser::add_issue(reply_issue issue) {
  if (!current_.has_issue(issue)) current_.issues.push_back(issue);
}

void reply_parser::fail(parse_failure failure) {
  failure_ = failure;
  state_ = state::failed;
  if (failure == parse_failure::not_smtp) {
    evidence_ = sanitize(std::string_view(line_).substr(0, 80));
  } else {
    evidence_ = "reply exceeded " + std::to_string(limits_.max_reply) + " bytes or " +
                std::to_string(limits_.max_lines) + " lines";
    if (current_.code != 0) evidence_ += " (code " + std::to_string(current_.code) + ")";
  }
}

bool reply_parser::first_line_prefix_is_smtp() const {
  // Judge the first line of a reply as soon as its first bytes arrive, so that an HTTP
  // server or a TLS record is recognised without waiting for a line feed that may never come.
  const std::string_view seen(line_);
  if (!seen.empty() && (seen[0] < '2' || seen[0] > '5')) return false;
  for (std::size_t k = 1; k < std::min<std::size_t>(3, seen.size()); ++k)
    if (!is_digit(seen[k])) return false;
  if (seen.size() >= 4 && seen[3] != ' ' && seen[3] != '-' && seen[3] != '\r') return false;
  return true;
}

void reply_parser::finish_line() {
  std::string_view line(line_);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  else
    add_issue(reply_issue::bare_line_feed);
  if (line.size() > limits_.max_line) {
    line = line.substr(0, limits_.max_line);
    line_cut_ = true;
  }
  if (line_cut_) add_issue(reply_issue::line_truncated);

  const bool first = current_.lines.empty();
  const bool coded = has_reply_code(line);
  if (first && !coded) {
    fail(parse_failure::not_smtp);
    return;
  }
  if (current_.lines.size() >= limits_.max_lines) {
    fail(parse_failure::reply_too_large);
    return;
  }
  if (first) {
    current_.code = code_of(line);
  } else if (!coded) {
    add_issue(reply_issue::malformed_line);
  } else if (code_of(line) != current_.code) {
    add_issue(reply_issue::code_mismatch);
  }
  // A malformed continuation line cannot end the reply: only "NNN " or "NNN" does.
  const bool more = !coded || (line.size() > 3 && line[3] == '-');
  const std::string_view text = coded ? line.substr(std::min<std::size_t>(4, line.size())) : line;

  bool replaced = false;
  std::string clean = sanitize(text, replaced);
  if (replaced) add_issue(reply_issue::bytes_replaced);
  if (coded && !current_.enhanced && current_.enhanced_raw.empty()) {
    if (const auto status = parse_enhanced_status(clean)) {
      if (status->klass == current_.code / 100) {
        current_.enhanced = status;
      } else {
        current_.enhanced_raw = clean.substr(0, clean.find(' '));
        add_issue(reply_issue::enhanced_mismatch);
      }
    }
  }
  current_.lines.push_back(std::move(clean));
  line_.clear();
  line_cut_ = false;
  if (!more) state_ = state::complete;
}

std::size_t reply_parser::feed(std::string_view input) {
  if (state_ != state::need_more) return 0;
  std::size_t used = 0;
  while (used < input.size()) {
    const std::string_view rest = input.substr(used);
    const std::size_t lf = rest.find('\n');
    std::string_view chunk = lf == std::string_view::npos ? rest : rest.substr(0, lf + 1);
    const bool ends_line = lf != std::string_view::npos;
    if (current_.wire_bytes + chunk.size() > limits_.max_reply) {
      const std::size_t allowed = limits_.max_reply - current_.wire_bytes;
      current_.wire_bytes += allowed;
      fail(parse_failure::reply_too_large);
      return used + allowed;
    }
    current_.wire_bytes += chunk.size();
    used += chunk.size();
    const std::string_view body = ends_line ? chunk.substr(0, chunk.size() - 1) : chunk;
    // Keep one byte beyond the limit so that a CR right at the limit is not mistaken
    // for content; finish_line() cuts to the limit.
    const std::size_t room = limits_.max_line + 1 > line_.size() ? limits_.max_line + 1 - line_.size() : 0;
    line_.append(body.substr(0, std::min(room, body.size())));
    if (body.size() > room) line_cut_ = true;
    if (current_.lines.empty() && !first_line_prefix_is_smtp()) {
      fail(parse_failure::not_smtp);
      return used;
    }
    if (ends_line) {
      finish_line();
      if (state_ != state::need_more) return used;
    }
  }
  return used;
}

reply reply_parser::take() {
  reply out = std::move(current_);
  current_ = reply{};
  line_.clear();
  line_cut_ = false;
  state_ = state::need_more;
  return out;
}

void reply_parser::reset() {
  current_ = reply{};
  line_.clear();
  line_cut_ = false;
  evidence_.clear();
  state_ = state::need_more;
}

}  // namespace smtp
