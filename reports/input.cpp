#include "reports/input.hpp"

#include "reports/limits.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
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
  std::size_t chunk = 1u << 16;
  while (in && data.size() < cap) {
    const std::size_t old = data.size();
    const std::size_t want = std::min(chunk, cap - old);
    data.resize(old + want);
    in.read(data.data() + old, static_cast<std::streamsize>(want));
    data.resize(old + static_cast<std::size_t>(in.gcount()));
    chunk = std::min<std::size_t>(chunk * 2, 1u << 22);
  }
  truncated = data.size() >= cap && in.peek() != std::char_traits<char>::eof();
  return data;
}

void add_message(input_batch& batch, std::string bytes, std::string origin) {
  input_message message;
  message.origin = std::move(origin);
  if (bytes.size() > limits::max_message_bytes) {
    bytes.resize(limits::max_message_bytes);
    message.truncated = true;
  }
  message.bytes = std::move(bytes);
  batch.messages.push_back(std::move(message));
}

}  // namespace

std::string normalise_line_endings(std::string_view bytes) {
  // Copies the runs between carriage returns whole: most input has none (LF) or one per
  // line (CRLF), and a byte-at-a-time copy cost more than the parse of a small message.
  std::string out;
  out.reserve(bytes.size());
  const char* at = bytes.data();
  const char* const end = at + bytes.size();
  while (at < end) {
    const auto* cr = static_cast<const char*>(std::memchr(at, '\r', static_cast<std::size_t>(end - at)));
    if (cr == nullptr) {
      out.append(at, end);
      break;
    }
    out.append(at, cr);
    out.push_back('\n');
    at = cr + 1;
    if (at < end && *at == '\n') ++at;
  }
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
  std::string current;
  bool in_message = false;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::string_view line = next_line(bytes, pos);
    if (line.starts_with("From ")) {
      if (in_message) {
        messages.push_back(std::move(current));
        current.clear();
        if (messages.size() >= max_messages) return messages;
      }
      in_message = true;
      continue;  // the From_ line is the mbox envelope, not part of the message
    }
    if (!in_message) continue;
    if (current.size() >= limits::max_message_bytes) continue;  // cut; keep scanning for the next From_
    if (is_quoted_from(line)) current.append(line.substr(1));
    else current.append(line);
    current.push_back('\n');
  }
  if (in_message) messages.push_back(std::move(current));
  return messages;
}

input_batch split_bytes(std::string bytes, const std::string& origin) {
  input_batch batch;
  if (!looks_like_mbox(bytes) && bytes.size() > limits::max_message_bytes) {
    // One message: what lies past the per-message limit is never looked at, so do not copy it.
    bytes.resize(limits::max_message_bytes);
    batch.truncated = true;
  }
  std::string text = normalise_line_endings(bytes);
  bytes.clear();
  bytes.shrink_to_fit();
  if (looks_like_mbox(text)) {
    auto parts = split_mbox(text, limits::max_messages);
    if (parts.size() >= limits::max_messages) batch.truncated = true;
    for (std::size_t i = 0; i < parts.size(); ++i)
      add_message(batch, std::move(parts[i]), parts.size() == 1 ? origin : origin + "#" + std::to_string(i + 1));
  } else {
    add_message(batch, std::move(text), origin);
    batch.messages.back().truncated = batch.messages.back().truncated || batch.truncated;
  }
  return batch;
}

input_batch read_source(const std::string& source) {
  input_batch batch;
  if (source == "-") {
    bool truncated = false;
    std::string data = read_bounded(std::cin, limits::max_input_bytes, truncated);
    batch = split_bytes(std::move(data), "-");
    batch.truncated = batch.truncated || truncated;
    return batch;
  }
  std::error_code ec;
  const std::filesystem::path path(source);
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    batch.error = "cannot read " + source + ": no such file or directory";
    return batch;
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
          batch.truncated = true;
          break;
        }
        if (it->is_regular_file(ec) && !it->path().filename().string().starts_with(".")) files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    std::size_t total = 0;
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      if (!in) continue;
      bool truncated = false;
      std::string data = read_bounded(in, limits::max_message_bytes, truncated);
      total += data.size();
      add_message(batch, normalise_line_endings(data), file.string());
      batch.messages.back().truncated = truncated;
      if (total >= limits::max_input_bytes) {
        batch.truncated = true;
        break;
      }
    }
    return batch;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    batch.error = "cannot read " + source + ": permission denied or not a regular file";
    return batch;
  }
  bool truncated = false;
  std::string data = read_bounded(in, limits::max_input_bytes, truncated);
  batch = split_bytes(std::move(data), source);
  batch.truncated = batch.truncated || truncated;
  return batch;
}

}  // namespace reports
