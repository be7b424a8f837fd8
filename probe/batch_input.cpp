#include "probe/batch_input.hpp"

#include "dns/domain_name.hpp"

#include <boost/asio/ip/address.hpp>

namespace probe {

using nlohmann::json;

std::string_view to_string(job_kind kind) {
  switch (kind) {
    case job_kind::address: return "address";
    case job_kind::bounce_file: return "bounce";
    case job_kind::bounce_text: return "bounce_text";
    case job_kind::rbl: return "rbl";
    case job_kind::mx: return "mx";
  }
  return "address";
}

namespace {

bool has_control(std::string_view s, bool allow_newlines) {
  for (const char c : s) {
    if (c == '\0') return true;
    if (!allow_newlines && (c == '\r' || c == '\n')) return true;
  }
  return false;
}

// The domain part as the shard key, or the whole value when it has none.
std::string domain_key(std::string_view value) {
  const auto at = value.rfind('@');
  const std::string_view domain = at == std::string_view::npos ? value : value.substr(at + 1);
  auto ascii = dns::to_ascii_domain(domain);
  if (auto* d = std::get_if<std::string>(&ascii)) return *d;
  return std::string(domain);
}

std::string rbl_key(std::string_view value) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(value), ec);
  if (!ec) return address.to_string();
  return domain_key(value);
}

}  // namespace

std::variant<batch_job, batch_line_error> parse_batch_line(std::string_view text, std::size_t line) {
  const auto fail = [&](std::string why, std::optional<json> id = std::nullopt) {
    return batch_line_error{line, std::move(id), std::move(why), std::string(text.substr(0, 4096))};
  };
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  if (text.empty()) return fail("empty line");
  if (text.size() > max_batch_line_bytes) return fail("line longer than 16 MiB");

  if (text.front() != '{') {
    // A plain line: an address (the domain is validated when the job runs).
    if (has_control(text, false) || text.find(' ') != std::string_view::npos || text.find('@') == std::string_view::npos)
      return fail("not JSON and not an address");
    batch_job job{line, std::nullopt, job_kind::address, std::string(text), domain_key(text)};
    return job;
  }

  json object;
  try {
    object = json::parse(text);
  } catch (const json::parse_error& e) {
    return fail(std::string("malformed JSON: ") + e.what());
  }
  if (!object.is_object()) return fail("a job must be a JSON object");
  std::optional<json> id;
  if (object.contains("id")) id = object["id"];

  static constexpr std::pair<std::string_view, job_kind> keys[] = {
      {"address", job_kind::address}, {"bounce", job_kind::bounce_file}, {"bounce_text", job_kind::bounce_text},
      {"rbl", job_kind::rbl},         {"mx", job_kind::mx}};
  std::optional<batch_job> found;
  for (const auto& [key, kind] : keys) {
    if (!object.contains(key)) continue;
    if (found) return fail("more than one job in one line (" + std::string(to_string(found->kind)) + " and " + std::string(key) + ")", id);
    const auto& v = object[std::string(key)];
    if (!v.is_string()) return fail("\"" + std::string(key) + "\" must be a string", id);
    const auto value = v.get<std::string>();
    if (value.empty()) return fail("\"" + std::string(key) + "\" is empty", id);
    if (has_control(value, kind == job_kind::bounce_text))
      return fail("\"" + std::string(key) + "\" contains CR, LF or NUL", id);
    found = batch_job{line, id, kind, value, {}};
  }
  for (const auto& [key, value] : object.items()) {
    if (key == "id") continue;
    bool known = false;
    for (const auto& k : keys) known = known || k.first == key;
    if (!known) return fail("unknown key \"" + key + "\" (expected address, bounce, bounce_text, rbl or mx)", id);
  }
  if (!found) return fail("no job: expected one of address, bounce, bounce_text, rbl, mx", id);
  switch (found->kind) {
    case job_kind::address:
    case job_kind::mx: found->shard_key = domain_key(found->value); break;
    case job_kind::rbl: found->shard_key = rbl_key(found->value); break;
    default: break;
  }
  return *found;
}

std::uint64_t shard_hash(std::string_view key) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a offset basis
  for (const char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;  // FNV prime
  }
  return hash;
}

bool in_shard(std::string_view key, unsigned index, unsigned count) {
  return count <= 1 || shard_hash(key) % count == index;
}

}  // namespace probe
