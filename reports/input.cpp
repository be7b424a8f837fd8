#include "reports/input.hpp"

#include "reports/limits.hpp"
#include "reports/outlook_msg.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <system_error>

namespace reports {
namespace {

std::string_view next_line(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  const std::size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) {
    pos = text.size();
    return text.substr(start);
  }
  pos = end + 1;
  return text.substr(start, end - start);
}

// ">From ", ">>From " ... lose one '>' (mboxrd); mboxo only quoted "From " itself, and
// undoing one level is right for both.
bool is_quoted_from(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return i > 0 && line.substr(i).starts_with("From ");
}

// Reads at most `cap` bytes from a stream; sets `truncated` when more was there.
std::string read_bounded(std::istream& in, std::size_t cap, bool& truncated) {
  std::string data;
  // Read through a buffer that is not zero-filled: growing the string by resize() filled
  // 64 KiB per file before reading into it, more than reading a typical bounce costs.
  constexpr std::size_t buffer_size = 1u << 16;
  const auto buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
  while (in && data.size() < cap) {
    in.read(buffer.get(), static_cast<std::streamsize>(std::min(buffer_size, cap - data.size())));
    data.append(buffer.get(), static_cast<std::size_t>(in.gcount()));
  }
  truncated = data.size() >= cap && in.peek() != std::char_traits<char>::eof();
  return data;
}

// CRLF and bare CR -> LF, appended to `out`, for input read in chunks: a CR that ends one
// chunk may be the first half of a CRLF whose LF starts the next (`after_cr` carries it).
// The runs between carriage returns are copied whole: most input has none (LF) or one per
// line (CRLF), and a byte-at-a-time copy cost more than the parse of a small message.
void append_normalised(std::string& out, std::string_view bytes, bool& after_cr) {
  const char* at = bytes.data();
  const char* const end = at + bytes.size();
  if (after_cr && at < end && *at == '\n') ++at;
  after_cr = false;
  while (at < end) {
    const auto* cr = static_cast<const char*>(std::memchr(at, '\r', static_cast<std::size_t>(end - at)));
    if (cr == nullptr) {
      out.append(at, end);
      return;
    }
    out.append(at, cr);
    out.push_back('\n');
    at = cr + 1;
    if (at == end) after_cr = true;
    else if (*at == '\n') ++at;
  }
}

// One file's bytes as message text: an Outlook .msg converted (reports/outlook_msg), any
// other input with its line endings made LF.
std::string message_text(std::string_view raw) {
  if (looks_like_compound_file(raw))
    if (auto converted = message_from_outlook_msg(raw)) return std::move(*converted);
  std::string out;
  out.reserve(raw.size());
  bool after_cr = false;
  append_normalised(out, raw, after_cr);
  return out;
}

// Splits LF-normalised mbox text, fed in pieces of any size, into messages. Lines are
// cut at piece ends and joined again; a line longer than a message may be is kept only
// up to that size (all that is looked at of it is whether it starts with "From ").
class mbox_splitter {
 public:
  using emit_fn = std::function<void(std::string message, bool cut)>;
  explicit mbox_splitter(emit_fn emit) : emit_(std::move(emit)) {}

  void feed(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      const std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) {
        keep_partial(text.substr(pos));
        return;
      }
      if (partial_.empty()) {
        line(text.substr(pos, end - pos));
      } else {
        keep_partial(text.substr(pos, end - pos));
        line(partial_);
        partial_.clear();
      }
      pos = end + 1;
    }
  }

  void finish() {
    if (!partial_.empty()) line(partial_);
    partial_.clear();
    if (in_message_) emit_(std::move(current_), cut_);
    in_message_ = false;
  }

 private:
  void keep_partial(std::string_view piece) {
    const std::size_t room = limits::max_message_bytes + 1 - std::min(partial_.size(), limits::max_message_bytes + 1);
    partial_.append(piece.substr(0, std::min(room, piece.size())));
  }

  void line(std::string_view text) {
    if (text.starts_with("From ")) {
      if (in_message_) emit_(std::move(current_), cut_);
      current_.clear();
      cut_ = false;
      in_message_ = true;
      return;  // the From_ line is the mbox envelope, not part of the message
    }
    if (!in_message_) return;
    if (current_.size() >= limits::max_message_bytes) {  // cut; keep scanning for the next From_
      cut_ = true;
      return;
    }
    if (is_quoted_from(text)) current_.append(text.substr(1));
    else current_.append(text);
    current_.push_back('\n');
  }

  emit_fn emit_;
  std::string partial_;  // a line not yet ended by LF
  std::string current_;
  bool in_message_ = false;
  bool cut_ = false;
};

// Hands the messages of one mbox to the sink, holding back the first until a second one
// is seen: a lone message is named by its source, several by "SOURCE#N".
class mbox_namer {
 public:
  mbox_namer(std::string origin, const message_sink& sink) : origin_(std::move(origin)), sink_(sink) {}

  void add(std::string message, bool cut) {
    ++count_;
    if (count_ == 1) {
      held_ = {origin_, std::move(message), cut};
      return;
    }
    if (count_ == 2) release(origin_ + "#1");
    deliver({origin_ + "#" + std::to_string(count_), std::move(message), cut});
  }

  void finish() {
    if (count_ == 1) release(origin_);
  }

  std::size_t count() const { return count_; }

 private:
  void release(std::string name) {
    held_.origin = std::move(name);
    deliver(std::move(held_));
  }
  void deliver(input_message message) {
    if (message.bytes.size() > limits::max_message_bytes) {
      message.bytes.resize(limits::max_message_bytes);
      message.truncated = true;
    }
    sink_(std::move(message));
  }

  std::string origin_;
  const message_sink& sink_;
  input_message held_;
  std::size_t count_ = 0;
};

// One stream (a file or stdin): an mbox is split as it is read, so memory holds one
// message whatever the stream's size; anything else is one message.
source_status stream_messages(std::istream& in, const std::string& origin, const message_sink& sink,
                              std::size_t max_bytes) {
  source_status status;
  constexpr std::size_t chunk_size = 1u << 20;
  // Not zero-filled: only the bytes read are looked at, and filling 1 MiB per source cost
  // more than reading a typical bounce (a few KiB) whole.
  const auto chunk = std::make_unique_for_overwrite<char[]>(chunk_size);
  std::string text;
  bool after_cr = false;
  std::size_t total = 0;
  auto read_chunk = [&]() {
    if (!in || total >= max_bytes) return false;
    in.read(chunk.get(), static_cast<std::streamsize>(std::min(chunk_size, max_bytes - total)));
    const auto got = static_cast<std::size_t>(in.gcount());
    total += got;
    append_normalised(text, std::string_view(chunk.get(), got), after_cr);
    return got > 0;
  };
  auto more_unread = [&]() { return in && in.peek() != std::char_traits<char>::eof(); };

  // The first bytes say whether this is text at all: an Outlook .msg (a compound file)
  // is read whole, up to the message limit, and converted; it is never normalised.
  char head[8];
  in.read(head, sizeof head);
  const auto head_size = static_cast<std::size_t>(in.gcount());
  total += head_size;
  if (looks_like_compound_file(std::string_view(head, head_size))) {
    bool cut = false;
    std::string raw(head, head_size);
    raw += read_bounded(in, limits::max_message_bytes - raw.size(), cut);
    sink({origin, message_text(raw), cut});
    status.truncated = cut;
    return status;
  }
  append_normalised(text, std::string_view(head, head_size), after_cr);

  // The first non-empty line decides (looks_like_mbox); leading blank lines are read past.
  while (text.find_first_not_of('\n') == std::string::npos && text.size() < limits::max_message_bytes && read_chunk()) {
  }
  if (!looks_like_mbox(text)) {
    while (text.size() < limits::max_message_bytes && read_chunk()) {
    }
    input_message message{origin, std::move(text), false};
    if (message.bytes.size() > limits::max_message_bytes || more_unread()) {
      message.bytes.resize(std::min(message.bytes.size(), limits::max_message_bytes));
      message.truncated = true;
      status.truncated = true;
    }
    sink(std::move(message));
    return status;
  }
  mbox_namer namer(origin, sink);
  bool full = false;
  mbox_splitter splitter([&](std::string message, bool cut) {
    if (full) return;
    namer.add(std::move(message), cut);
    full = namer.count() >= limits::max_messages;
  });
  do {
    splitter.feed(text);
    text.clear();
  } while (!full && read_chunk());
  if (!full) splitter.finish();
  namer.finish();
  status.truncated = full || (total >= max_bytes && more_unread());
  return status;
}

}  // namespace

std::string normalise_line_endings(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  bool after_cr = false;
  append_normalised(out, bytes, after_cr);
  return out;
}

bool looks_like_mbox(std::string_view bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::string_view line = next_line(bytes, pos);
    if (line.empty()) continue;
    return line.starts_with("From ");
  }
  return false;
}

std::vector<std::string> split_mbox(std::string_view bytes, std::size_t max_messages) {
  std::vector<std::string> messages;
  mbox_splitter splitter([&](std::string message, bool) {
    if (messages.size() < max_messages) messages.push_back(std::move(message));
  });
  splitter.feed(bytes);
  splitter.finish();
  return messages;
}

input_batch split_bytes(std::string bytes, const std::string& origin) {
  std::istringstream in(std::move(bytes));
  input_batch batch;
  const auto status = stream_messages(in, origin, [&](input_message&& m) { batch.messages.push_back(std::move(m)); },
                                      limits::max_input_bytes);
  batch.truncated = status.truncated;
  return batch;
}

source_status for_each_message(const std::string& source, const message_sink& sink, std::size_t max_bytes) {
  source_status result;
  if (source == "-") return stream_messages(std::cin, "-", sink, max_bytes);
  std::error_code ec;
  const std::filesystem::path path(source);
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    result.error = "cannot read " + source + ": no such file or directory";
    return result;
  }
  if (std::filesystem::is_directory(status)) {
    // A maildir keeps messages in cur/ and new/ (tmp/ holds unfinished deliveries);
    // a plain folder of message files is read the same way.
    std::vector<std::filesystem::path> files;
    std::vector<std::filesystem::path> folders;
    if (std::filesystem::is_directory(path / "cur", ec) || std::filesystem::is_directory(path / "new", ec)) {
      folders = {path / "cur", path / "new"};
    } else {
      folders = {path};
    }
    for (const auto& folder : folders) {
      std::filesystem::directory_iterator it(folder, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        if (files.size() >= limits::max_messages) {
          result.truncated = true;
          break;
        }
        if (it->is_regular_file(ec) && !it->path().filename().string().starts_with(".")) files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    // Each file is read as a file named on the command line is: a message saved with its
    // mbox "From " line (mutt, pine, list archives) or an mbox of several is split there,
    // not read as one message whose first line is not a header.
    std::size_t total = 0;
    const message_sink counting_sink = [&](input_message&& m) {
      total += m.bytes.size();
      sink(std::move(m));
    };
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      if (!in) continue;
      const auto status = stream_messages(in, file.string(), counting_sink, max_bytes - total);
      if (status.truncated) result.truncated = true;
      if (total >= max_bytes) {
        result.truncated = true;
        break;
      }
    }
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = "cannot read " + source + ": permission denied or not a regular file";
    return result;
  }
  return stream_messages(in, source, sink, max_bytes);
}

input_batch read_source(const std::string& source) {
  input_batch batch;
  const auto status = for_each_message(
      source, [&](input_message&& m) { batch.messages.push_back(std::move(m)); }, limits::max_input_bytes);
  batch.error = status.error;
  batch.truncated = status.truncated;
  return batch;
}

}  // namespace reports
