#include "dns/message.hpp"

#include <algorithm>
#include <limits>

namespace dns {
namespace {

constexpr std::size_t header_size = 12;
constexpr int max_compression_jumps = 64;  // far above any honest message; stops pointer loops
constexpr std::size_t max_name_octets = 255;  // RFC 1035 §2.3.4
constexpr int max_cname_hops = 16;

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool u8(std::size_t& at, std::uint8_t& out) const {
    if (at + 1 > bytes_.size()) return false;
    out = bytes_[at++];
    return true;
  }
  bool u16(std::size_t& at, std::uint16_t& out) const {
    if (at + 2 > bytes_.size()) return false;
    out = static_cast<std::uint16_t>(bytes_[at] << 8 | bytes_[at + 1]);
    at += 2;
    return true;
  }
  bool u32(std::size_t& at, std::uint32_t& out) const {
    if (at + 4 > bytes_.size()) return false;
    out = static_cast<std::uint32_t>(bytes_[at]) << 24 | static_cast<std::uint32_t>(bytes_[at + 1]) << 16 |
          static_cast<std::uint32_t>(bytes_[at + 2]) << 8 | bytes_[at + 3];
    at += 4;
    return true;
  }

  // Reads a possibly compressed name starting at `at`; on success `at` points past the
  // name's bytes in place (not past the pointer targets).
  bool name(std::size_t& at, std::string& out, std::string& error) const {
    out.clear();
    std::size_t pos = at;
    bool jumped = false;
    int jumps = 0;
    std::size_t octets = 1;  // the root label
    for (;;) {
      if (pos >= bytes_.size()) return fail(error, "name runs past the end", pos);
      const std::uint8_t length = bytes_[pos];
      if ((length & 0xc0) == 0xc0) {
        if (pos + 1 >= bytes_.size()) return fail(error, "truncated compression pointer", pos);
        if (++jumps > max_compression_jumps) return fail(error, "compression pointer loop", pos);
        const std::size_t target = static_cast<std::size_t>(length & 0x3f) << 8 | bytes_[pos + 1];
        if (!jumped) at = pos + 2;
        jumped = true;
        pos = target;
        continue;
      }
      if (length & 0xc0) return fail(error, "unknown label type", pos);
      if (length == 0) {
        if (!jumped) at = pos + 1;
        return true;
      }
      if (pos + 1 + length > bytes_.size()) return fail(error, "label runs past the end", pos);
      octets += length + 1u;
      if (octets > max_name_octets) return fail(error, "name longer than 255 octets", pos);
      if (!out.empty()) out += '.';
      append_label(out, bytes_.subspan(pos + 1, length));
      pos += 1 + length;
    }
  }

  std::span<const std::uint8_t> bytes() const { return bytes_; }

 private:
  static bool fail(std::string& error, const char* what, std::size_t at) {
    error = std::string(what) + " at offset " + std::to_string(at);
    return false;
  }
  // Presentation format (RFC 4343 §2.1): a dot inside a label and bytes that are not
  // printable are escaped, so a hostile label can neither forge structure nor reach a
  // terminal raw.
  static void append_label(std::string& out, std::span<const std::uint8_t> label) {
    for (const std::uint8_t c : label) {
      if (c == '.' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c > 0x20 && c < 0x7f) {
        out += static_cast<char>(c);
      } else {
        out += '\\';
        out += static_cast<char>('0' + c / 100);
        out += static_cast<char>('0' + c / 10 % 10);
        out += static_cast<char>('0' + c % 10);
      }
    }
  }

  std::span<const std::uint8_t> bytes_;
};

bool parse_rdata(const reader& in, std::uint16_t type, std::size_t begin, std::size_t end, rdata& out,
                 std::string& error) {
  const auto bytes = in.bytes();
  const std::size_t length = end - begin;
  auto name_within = [&](std::size_t& at, std::string& name) {
    if (!in.name(at, name, error)) return false;
    if (at > end) {
      error = "name runs past its record";
      return false;
    }
    return true;
  };
  switch (type) {
    case type::a: {
      if (length != 4) break;
      boost::asio::ip::address_v4::bytes_type b;
      std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(begin), bytes.begin() + static_cast<std::ptrdiff_t>(end), b.begin());
      out = boost::asio::ip::address_v4(b);
      return true;
    }
    case type::aaaa: {
      if (length != 16) break;
      boost::asio::ip::address_v6::bytes_type b;
      std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(begin), bytes.begin() + static_cast<std::ptrdiff_t>(end), b.begin());
      out = boost::asio::ip::address_v6(b);
      return true;
    }
    case type::mx: {
      std::size_t at = begin;
      mx_data mx;
      if (!in.u16(at, mx.preference) || at > end || !name_within(at, mx.host)) break;
      out = std::move(mx);
      return true;
    }
    case type::cname:
    case type::ptr:
    case type::ns: {
      std::size_t at = begin;
      name_data n;
      if (!name_within(at, n.name)) break;
      out = std::move(n);
      return true;
    }
    case type::txt:
    case type::spf: {
      txt_data txt;
      for (std::size_t at = begin; at < end;) {
        const std::size_t size = bytes[at];
        if (at + 1 + size > end) {
          error = "TXT string runs past its record";
          return false;
        }
        txt.strings.emplace_back(reinterpret_cast<const char*>(bytes.data() + at + 1), size);
        at += 1 + size;
      }
      out = std::move(txt);
      return true;
    }
    case type::soa: {
      std::size_t at = begin;
      soa_data soa;
      if (!name_within(at, soa.mname) || !name_within(at, soa.rname)) break;
      if (!in.u32(at, soa.serial) || !in.u32(at, soa.refresh) || !in.u32(at, soa.retry) ||
          !in.u32(at, soa.expire) || !in.u32(at, soa.minimum) || at > end)
        break;
      out = std::move(soa);
      return true;
    }
    default:
      out = raw_data{{bytes.begin() + static_cast<std::ptrdiff_t>(begin), bytes.begin() + static_cast<std::ptrdiff_t>(end)}};
      return true;
  }
  if (error.empty()) error = "bad " + type_name(type) + " record data";
  return false;
}

bool parse_record(const reader& in, std::size_t& at, resource_record& rr, std::string& error) {
  std::uint16_t klass = 0, rdlength = 0;
  if (!in.name(at, rr.name, error)) return false;
  if (!in.u16(at, rr.type) || !in.u16(at, klass) || !in.u32(at, rr.ttl) || !in.u16(at, rdlength)) {
    error = "record header runs past the end";
    return false;
  }
  // RFC 2181 §8: a TTL with the top bit set is treated as zero.
  if (rr.ttl > 0x7fffffffu) rr.ttl = 0;
  if (at + rdlength > in.bytes().size()) {
    error = "record data runs past the end";
    return false;
  }
  if (!parse_rdata(in, rr.type, at, at + rdlength, rr.data, error)) return false;
  at += rdlength;
  return true;
}

}  // namespace

parsed_message parse_message(std::span<const std::uint8_t> bytes) {
  parsed_message out;
  if (bytes.size() < header_size) {
    out.error = "message shorter than a DNS header";
    return out;
  }
  reader in(bytes);
  std::size_t at = 0;
  message m;
  std::uint16_t flags = 0, qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  in.u16(at, m.id);
  in.u16(at, flags);
  in.u16(at, qdcount);
  in.u16(at, ancount);
  in.u16(at, nscount);
  in.u16(at, arcount);
  m.rcode = static_cast<std::uint8_t>(flags & 0x0f);
  m.truncated = flags & 0x0200;
  m.authoritative = flags & 0x0400;
  for (std::uint16_t i = 0; i < qdcount; ++i) {
    std::string name;
    std::uint16_t qtype = 0, qclass = 0;
    if (!in.name(at, name, out.error)) return out;
    if (!in.u16(at, qtype) || !in.u16(at, qclass)) {
      out.error = "question runs past the end";
      return out;
    }
    if (i == 0) {
      m.question_name = std::move(name);
      m.question_type = qtype;
    }
  }
  // Counts are bounded by the buffer: every record takes at least 11 bytes, and each
  // parse step either advances `at` or fails.
  for (std::uint16_t i = 0; i < ancount; ++i) {
    resource_record rr;
    if (!parse_record(in, at, rr, out.error)) return out;
    m.answers.push_back(std::move(rr));
  }
  for (std::uint16_t i = 0; i < nscount; ++i) {
    resource_record rr;
    if (!parse_record(in, at, rr, out.error)) return out;
    m.authority.push_back(std::move(rr));
  }
  // The additional section is not needed (EDNS OPT, glue); it is not parsed.
  out.value = std::move(m);
  return out;
}

answer to_answer(const message& response, std::string qname, std::uint16_t qtype) {
  answer a;
  a.qname = std::move(qname);
  a.qtype = qtype;
  std::string current = normalize_name(a.qname);
  for (int hop = 0; hop < max_cname_hops; ++hop) {
    for (const auto& rr : response.answers)
      if (rr.type == qtype && normalize_name(rr.name) == current) a.records.push_back(rr);
    if (!a.records.empty() || qtype == type::cname) break;
    const auto alias = std::find_if(response.answers.begin(), response.answers.end(), [&](const resource_record& rr) {
      return rr.type == type::cname && normalize_name(rr.name) == current;
    });
    if (alias == response.answers.end()) break;
    if (a.cname_chain.empty()) a.cname_chain.push_back(current);
    current = normalize_name(std::get<name_data>(alias->data).name);
    if (std::find(a.cname_chain.begin(), a.cname_chain.end(), current) != a.cname_chain.end()) {
      a.result = outcome::error;
      a.detail = "CNAME loop at " + current;
      a.records.clear();
      return a;
    }
    a.cname_chain.push_back(current);
  }
  switch (response.rcode) {
    case 0: a.result = a.records.empty() ? outcome::nodata : outcome::records; break;
    case 2: a.result = outcome::servfail; break;
    case 3: a.result = outcome::nxdomain; break;
    case 5: a.result = outcome::refused; break;
    default:
      a.result = outcome::error;
      a.detail = "DNS RCODE " + std::to_string(response.rcode);
  }
  if (a.result != outcome::records) a.records.clear();
  if (!a.records.empty()) {
    a.ttl = std::numeric_limits<std::uint32_t>::max();
    for (const auto& rr : a.records) a.ttl = std::min(a.ttl, rr.ttl);
  } else {
    for (const auto& rr : response.authority)
      if (const auto* soa = std::get_if<soa_data>(&rr.data)) a.ttl = std::min(rr.ttl, soa->minimum);
  }
  return a;
}

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}
void put_name(std::vector<std::uint8_t>& out, std::string_view name) {
  while (!name.empty() && name != ".") {
    const auto dot = name.find('.');
    const auto label = name.substr(0, dot);
    out.push_back(static_cast<std::uint8_t>(std::min<std::size_t>(label.size(), 63)));
    out.insert(out.end(), label.begin(), label.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(label.size(), 63)));
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  out.push_back(0);
}
void put_record(std::vector<std::uint8_t>& out, const resource_record& rr) {
  put_name(out, rr.name);
  put16(out, rr.type);
  put16(out, 1);  // IN
  put32(out, rr.ttl);
  std::vector<std::uint8_t> data;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, raw_data>) {
          data = v.bytes;
        } else if constexpr (std::is_same_v<T, boost::asio::ip::address_v4> ||
                             std::is_same_v<T, boost::asio::ip::address_v6>) {
          const auto b = v.to_bytes();
          data.assign(b.begin(), b.end());
        } else if constexpr (std::is_same_v<T, mx_data>) {
          put16(data, v.preference);
          put_name(data, v.host);
        } else if constexpr (std::is_same_v<T, name_data>) {
          put_name(data, v.name);
        } else if constexpr (std::is_same_v<T, txt_data>) {
          for (const auto& s : v.strings) {
            data.push_back(static_cast<std::uint8_t>(std::min<std::size_t>(s.size(), 255)));
            data.insert(data.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(s.size(), 255)));
          }
        } else if constexpr (std::is_same_v<T, soa_data>) {
          put_name(data, v.mname);
          put_name(data, v.rname);
          for (const auto n : {v.serial, v.refresh, v.retry, v.expire, v.minimum}) put32(data, n);
        }
      },
      rr.data);
  put16(out, static_cast<std::uint16_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

}  // namespace

std::vector<std::uint8_t> build_query(std::uint16_t id, std::string_view name, std::uint16_t qtype,
                                      std::uint16_t udp_size) {
  std::vector<std::uint8_t> out;
  put16(out, id);
  put16(out, 0x0100);  // RD
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, udp_size ? 1 : 0);
  put_name(out, name);
  put16(out, qtype);
  put16(out, 1);
  if (udp_size) {  // RFC 6891 §6.1.2 OPT pseudo-record
    out.push_back(0);
    put16(out, 41);
    put16(out, udp_size);
    put32(out, 0);
    put16(out, 0);
  }
  return out;
}

std::vector<std::uint8_t> build_response(std::span<const std::uint8_t> query_bytes, const response_spec& spec) {
  std::vector<std::uint8_t> out;
  if (query_bytes.size() < header_size) return out;
  reader in(query_bytes);
  std::size_t at = header_size;
  std::string qname, error;
  std::uint16_t qtype = 0, qclass = 0;
  if (!in.name(at, qname, error) || !in.u16(at, qtype) || !in.u16(at, qclass)) return out;
  const std::uint16_t query_flags = static_cast<std::uint16_t>(query_bytes[2] << 8 | query_bytes[3]);
  out.insert(out.end(), query_bytes.begin(), query_bytes.begin() + 2);  // id
  std::uint16_t flags = 0x8000 | 0x0400 | 0x0080;                      // QR, AA, RA
  flags |= query_flags & 0x0100;                                        // RD echoed
  if (spec.truncated) flags |= 0x0200;
  flags |= spec.rcode & 0x0f;
  put16(out, flags);
  put16(out, 1);
  put16(out, static_cast<std::uint16_t>(spec.answers.size()));
  put16(out, static_cast<std::uint16_t>(spec.authority.size()));
  put16(out, 0);
  out.insert(out.end(), query_bytes.begin() + header_size, query_bytes.begin() + static_cast<std::ptrdiff_t>(at));
  for (const auto& rr : spec.answers) put_record(out, rr);
  for (const auto& rr : spec.authority) put_record(out, rr);
  return out;
}

}  // namespace dns
