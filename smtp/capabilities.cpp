#include "smtp/capabilities.hpp"

#include "smtp/text.hpp"

#include <algorithm>
#include <charconv>

namespace smtp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

capabilities parse_ehlo(const reply& ehlo) {
  capabilities caps;
  caps.esmtp = ehlo.klass() == 2;
  if (ehlo.lines.empty()) return caps;
  if (const auto first = words(ehlo.lines.front()); !first.empty()) caps.server_name = std::string(first.front());
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    const std::string& line = ehlo.lines[i];
    const auto parts = words(line);
    if (parts.empty()) continue;  // smtp-sink ends its EHLO reply with a bare "250 "
    caps.keywords.push_back(line);
    const std::string keyword = upper(parts.front());
    if (keyword == "SIZE") {
      caps.size = true;
      std::uint64_t limit = 0;
      if (parts.size() > 1) {
        const auto text = parts[1];
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec == std::errc{} && end == text.data() + text.size() && limit > 0) caps.size_limit = limit;
      }
    } else if (keyword == "STARTTLS") {
      caps.starttls = true;
    } else if (keyword == "PIPELINING") {
      caps.pipelining = true;
    } else if (keyword == "8BITMIME") {
      caps.eightbitmime = true;
    } else if (keyword == "SMTPUTF8") {
      caps.smtputf8 = true;
    } else if (keyword == "ENHANCEDSTATUSCODES") {
      caps.enhanced_status_codes = true;
    } else if (keyword == "CHUNKING") {
      caps.chunking = true;
    } else if (keyword == "DSN") {
      caps.dsn = true;
    } else if (keyword == "AUTH" || keyword.starts_with("AUTH=")) {
      // "AUTH=LOGIN PLAIN" is the pre-standard form some servers still send.
      std::vector<std::string> mechanisms;
      if (keyword.size() > 5) mechanisms.push_back(keyword.substr(5));
      for (std::size_t k = 1; k < parts.size(); ++k) mechanisms.push_back(upper(parts[k]));
      for (auto& mech : mechanisms)
        if (std::find(caps.auth.begin(), caps.auth.end(), mech) == caps.auth.end()) caps.auth.push_back(std::move(mech));
    }
  }
  return caps;
}

}  // namespace smtp
