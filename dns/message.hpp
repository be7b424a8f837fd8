#pragma once
// DNS wire format (RFC 1035 §4), sans-I/O: bytes in, values out.
//
// A DNS answer is server-controlled input. The parser never reads past the buffer,
// follows at most `max_compression_jumps` name pointers (a pointer loop is malformed,
// not a hang), caps names at 255 octets (RFC 1035 §2.3.4) and decodes only the
// record types probe uses; anything else is kept as raw rdata. Failures are reported
// as values (`parsed.error`), never thrown.

#include "dns/answer.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dns {

struct message {
  std::uint16_t id = 0;
  std::uint8_t rcode = 0;
  bool truncated = false;
  bool authoritative = false;
  std::string question_name;
  std::uint16_t question_type = 0;
  std::vector<resource_record> answers;
  std::vector<resource_record> authority;
};

struct parsed_message {
  std::optional<message> value;
  std::string error;  // set when value is empty: what was malformed, at which offset
};

parsed_message parse_message(std::span<const std::uint8_t> bytes);

// Reads a response into an answer for (qname, qtype): derives the outcome from the RCODE
// and the answer section, follows the CNAME chain inside the answer (at most 16 hops),
// and takes the negative TTL from the SOA in the authority section (RFC 2308 §5).
answer to_answer(const message& response, std::string qname, std::uint16_t qtype);

// Builds a query (RD set, one question, optional EDNS0 OPT with `udp_size`). For the
// in-process fake server and tests; the resolver lets c-ares build its queries.
std::vector<std::uint8_t> build_query(std::uint16_t id, std::string_view name, std::uint16_t qtype,
                                      std::uint16_t udp_size = 0);

// Encodes a response for the fake DNS server: echoes the question of `query_bytes`,
// sets `rcode`, adds `answers` (A, AAAA, MX, TXT, PTR/CNAME/NS, SOA, raw), optionally
// the TC bit. Names are written uncompressed.
struct response_spec {
  std::uint8_t rcode = 0;
  bool truncated = false;
  std::vector<resource_record> answers;
  std::vector<resource_record> authority;
};
std::vector<std::uint8_t> build_response(std::span<const std::uint8_t> query_bytes, const response_spec& spec);

}  // namespace dns
