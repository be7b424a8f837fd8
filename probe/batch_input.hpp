#pragma once
// One line of `probe batch` input → one job, or the reason it is not one. Sans-I/O.
//
// A line is a JSON object with exactly one of "address", "bounce" (a path),
// "bounce_text", "rbl", "mx", and optionally "id" (any JSON value, echoed back); or a
// plain line that is just an address. Everything else (empty line, bad JSON, unknown
// or several job keys, wrong types, CR/LF/NUL in a value, over-long lines) is an error
// record for that line — never skipped.
//
// Each job has a shard key: the recipient's domain (A-label, lower case) for address
// and mx jobs, the target for rbl jobs; bounce jobs get theirs once the bounce is read.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace probe {

enum class job_kind { address, bounce_file, bounce_text, rbl, mx };
std::string_view to_string(job_kind kind);

struct batch_job {
  std::size_t line = 0;          // 1-based input line number
  std::optional<nlohmann::json> id;
  job_kind kind = job_kind::address;
  std::string value;             // the address, path, bounce text, rbl target or domain
  std::string shard_key;         // see above; empty for bounce jobs until read
};

struct batch_line_error {
  std::size_t line = 0;
  std::optional<nlohmann::json> id;
  std::string error;
  std::string shard_key;         // the line's own text, so exactly one shard reports it
};

inline constexpr std::size_t max_batch_line_bytes = 16u << 20;  // a bounce_text may be large

std::variant<batch_job, batch_line_error> parse_batch_line(std::string_view text, std::size_t line);

// The stable shard hash (docs/batch.md): FNV-1a, 64-bit, over the key's bytes; a job
// belongs to shard K of N when hash % N == K. Never changes between releases.
std::uint64_t shard_hash(std::string_view key);
bool in_shard(std::string_view key, unsigned index, unsigned count);

}  // namespace probe
