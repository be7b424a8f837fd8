#include "probe/json_writer.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace probe {
namespace {

// Bytes nlohmann escapes (ensure_ascii off): '"', '\\' and the C0 controls.
constexpr std::array<bool, 256> needs_escape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

bool append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!needs_escape[c]) {
        ++i;
        continue;
      }
      out.append(s.data() + run, i - run);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        }
      }
      run = ++i;
      continue;
    }
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
  return true;
}

bool append_value(std::string& out, const nlohmann::json& j) {
  using value_t = nlohmann::json::value_t;
  switch (j.type()) {
    case value_t::null: out += "null"; return true;
    case value_t::boolean: out += j.get<bool>() ? "true" : "false"; return true;
    case value_t::number_integer: out += std::to_string(j.get<std::int64_t>()); return true;
    case value_t::number_unsigned: out += std::to_string(j.get<std::uint64_t>()); return true;
    case value_t::string: return append_string(out, j.get_ref<const std::string&>());
    case value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out.push_back(',');
        first = false;
        if (!append_string(out, it.key())) return false;
        out.push_back(':');
        if (!append_value(out, it.value())) return false;
      }
      out.push_back('}');
      return true;
    }
    case value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : j) {
        if (!first) out.push_back(',');
        first = false;
        if (!append_value(out, element)) return false;
      }
      out.push_back(']');
      return true;
    }
    default:
      // Floating point (nlohmann's shortest round-trip form), binary, discarded: its own dump.
      out += j.dump();
      return true;
  }
}

}  // namespace

bool append_compact_json(std::string& out, const nlohmann::json& j) {
  const std::size_t start = out.size();
  if (append_value(out, j)) return true;
  out.resize(start);
  return false;
}

std::string compact_json(const nlohmann::json& j) {
  std::string out;
  if (append_compact_json(out, j)) return out;
  return j.dump();  // throws as dump() does on the invalid UTF-8 that stopped the writer
}

}  // namespace probe
