#include "dns/spf_record.hpp"

#include "dns/spf_macro.hpp"

#include <boost/asio/ip/address_v6.hpp>

#include <array>

namespace dns::spf {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

struct mechanism_name {
  std::string_view name;
  mechanism_kind kind;
};
constexpr std::array<mechanism_name, 8> mechanism_names{{
    {"all", mechanism_kind::all},
    {"include", mechanism_kind::include},
    {"a", mechanism_kind::a},
    {"mx", mechanism_kind::mx},
    {"ptr", mechanism_kind::ptr},
    {"ip4", mechanism_kind::ip4},
    {"ip6", mechanism_kind::ip6},
    {"exists", mechanism_kind::exists},
}};

// ip4-cidr-length / ip6-cidr-length = "/" ("0" / %x31-39 0*1DIGIT): no leading zeros
// (the suite's cidr4-032 case), bounded by the address width.
bool parse_cidr(std::string_view digits, int max, int& out) {
  if (digits.empty() || digits.size() > 3) return false;
  if (digits.size() > 1 && digits[0] == '0') return false;
  int value = 0;
  for (const char c : digits) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  if (value > max) return false;
  out = value;
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// ip4-network = qnum "." qnum "." qnum "." qnum; qnum has no leading zeros (§5.6).
std::optional<boost::asio::ip::address_v4> parse_ip4(std::string_view text) {
  boost::asio::ip::address_v4::bytes_type bytes{};
  std::size_t octet = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '.') continue;
    if (octet >= 4) return std::nullopt;
    int value = 0;
    if (!parse_cidr(text.substr(start, i - start), 255, value)) return std::nullopt;
    bytes[octet++] = static_cast<unsigned char>(value);
    start = i + 1;
  }
  if (octet != 4) return std::nullopt;
  return boost::asio::ip::address_v4(bytes);
}

std::optional<boost::asio::ip::address_v6> parse_ip6(std::string_view text) {
  // Only the ip6-network alphabet: keeps scope ids ("%eth0") and spaces away from the parser.
  if (text.empty() || text.size() > 45) return std::nullopt;
  for (const char c : text)
    if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f') || c == ':' || c == '.')) return std::nullopt;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v6(std::string(text), ec);
  if (ec) return std::nullopt;
  return address;
}

// Splits "domain-spec[/n][//m]" (§5.3 dual-cidr-length). The CIDR suffixes are recognised
// only when they are all digits, so "a:foo:bar/baz.example.com" keeps its slash.
said_problem parse_dual_cidr(std::string_view& argument, mechanism& m) {
  if (const auto pos = argument.rfind("//"); pos != std::string_view::npos && all_digits(argument.substr(pos + 2))) {
    if (!parse_cidr(argument.substr(pos + 2), 128, m.cidr6))
      return said::problem("invalid IPv6 prefix length", "spf.syntax.bad_ip6_prefix");
    argument = argument.substr(0, pos);
  }
  if (const auto pos = argument.rfind('/'); pos != std::string_view::npos && all_digits(argument.substr(pos + 1))) {
    if (!parse_cidr(argument.substr(pos + 1), 32, m.cidr4))
      return said::problem("invalid IPv4 prefix length", "spf.syntax.bad_ip4_prefix");
    argument = argument.substr(0, pos);
  }
  return {};
}

said_problem domain_spec_problem(std::string_view spec);

said_problem parse_mechanism(std::string_view term, mechanism& m) {
  using said::problem;
  m.text = std::string(term);
  std::string_view rest = term;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-' || rest[0] == '~' || rest[0] == '?')) {
    m.qual = static_cast<qualifier>(rest[0]);
    rest.remove_prefix(1);
  }
  const auto name_end = rest.find_first_of(":/");
  const auto name = rest.substr(0, name_end);
  rest = name_end == std::string_view::npos ? std::string_view{} : rest.substr(name_end);
  bool known = false;
  for (const auto& candidate : mechanism_names)
    if (iequals(name, candidate.name)) {
      m.kind = candidate.kind;
      known = true;
    }
  if (!known) return problem("unknown mechanism", "spf.syntax.unknown_mechanism");

  switch (m.kind) {
    case mechanism_kind::all:
      if (!rest.empty()) return problem("\"all\" takes no argument (RFC 7208 §5.1)", "spf.syntax.all_argument");
      return {};
    case mechanism_kind::include:
    case mechanism_kind::exists:
      if (rest.empty() || rest[0] != ':')
        return problem("needs \":\" and a domain (RFC 7208 §5.2, §5.7)", "spf.syntax.needs_domain");
      m.domain_spec = std::string(rest.substr(1));
      return domain_spec_problem(m.domain_spec);
    case mechanism_kind::ptr:
      if (rest.empty()) return {};
      if (rest[0] != ':') return problem("\"ptr\" takes no prefix length (RFC 7208 §5.5)", "spf.syntax.ptr_prefix");
      m.domain_spec = std::string(rest.substr(1));
      return domain_spec_problem(m.domain_spec);
    case mechanism_kind::a:
    case mechanism_kind::mx: {
      if (auto error = parse_dual_cidr(rest, m); !error.empty()) return error;
      if (rest.empty()) return {};
      if (rest[0] != ':') return problem("malformed argument", "spf.syntax.malformed_argument");
      m.domain_spec = std::string(rest.substr(1));
      return domain_spec_problem(m.domain_spec);
    }
    case mechanism_kind::ip4:
    case mechanism_kind::ip6: {
      if (rest.empty() || rest[0] != ':')
        return problem("needs \":\" and an address (RFC 7208 §5.6)", "spf.syntax.needs_address");
      auto network = rest.substr(1);
      const bool v4 = m.kind == mechanism_kind::ip4;
      int prefix = v4 ? 32 : 128;
      if (const auto slash = network.find('/'); slash != std::string_view::npos) {
        if (!parse_cidr(network.substr(slash + 1), prefix, prefix))
          return v4 ? problem("invalid IPv4 prefix length", "spf.syntax.bad_ip4_prefix")
                    : problem("invalid IPv6 prefix length", "spf.syntax.bad_ip6_prefix");
        network = network.substr(0, slash);
      }
      if (v4) {
        const auto address = parse_ip4(network);
        if (!address) return problem("invalid IPv4 address", "spf.syntax.bad_ip4");
        m.network = *address;
        m.cidr4 = prefix;
      } else {
        const auto address = parse_ip6(network);
        if (!address) return problem("invalid IPv6 address", "spf.syntax.bad_ip6");
        m.network = *address;
        m.cidr6 = prefix;
      }
      return {};
    }
  }
  return problem("unknown mechanism", "spf.syntax.unknown_mechanism");
}

// name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ), then "=" (§12 unknown-modifier).
// Returns the position of '=' when `term` is a modifier, npos otherwise.
std::size_t modifier_equals(std::string_view term) {
  if (term.empty() || !is_alpha(term[0])) return std::string_view::npos;
  std::size_t i = 1;
  while (i < term.size() && (is_alnum(term[i]) || term[i] == '-' || term[i] == '_' || term[i] == '.')) ++i;
  return (i < term.size() && term[i] == '=') ? i : std::string_view::npos;
}

}  // namespace

std::string_view to_string(mechanism_kind kind) {
  for (const auto& candidate : mechanism_names)
    if (candidate.kind == kind) return candidate.name;
  return "?";
}

bool mechanism::queries_dns() const {
  return kind == mechanism_kind::include || kind == mechanism_kind::a || kind == mechanism_kind::mx ||
         kind == mechanism_kind::ptr || kind == mechanism_kind::exists;
}

bool is_toplabel(std::string_view label) {
  if (label.empty()) return false;
  bool has_alpha = false, has_dash = false;
  for (const char c : label) {
    if (c == '-') has_dash = true;
    else if (is_alpha(c)) has_alpha = true;
    else if (!is_digit(c)) return false;
  }
  if (!has_dash) return has_alpha;
  return is_alnum(label.front()) && is_alnum(label.back());
}

namespace {

said_problem domain_spec_problem(std::string_view spec) {
  using said::problem;
  if (spec.empty()) return problem("empty domain-spec", "spf.syntax.empty_domain_spec");
  if (auto error = macro::check_problem(spec, macro::context::domain_spec); !error.empty()) return error;
  // domain-end may be a macro-expand: "%{d}", but also "%%", "%_", "%-" by the grammar.
  // Find where the last token starts by walking from the left (a '%' may itself be escaped).
  bool ends_in_macro = false;
  for (std::size_t i = 0; i < spec.size();) {
    if (spec[i] != '%') { ends_in_macro = false; ++i; continue; }
    ends_in_macro = true;
    if (spec[i + 1] == '{') i = spec.find('}', i) + 1;
    else i += 2;
  }
  if (ends_in_macro) return {};
  auto name = spec;
  if (name.back() == '.') name.remove_suffix(1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos)
    return problem("domain needs at least two labels, the last a valid top label (RFC 7208 §7.1)", "spf.syntax.two_labels");
  if (!is_toplabel(name.substr(dot + 1)))
    return problem("\"" + std::string(name.substr(dot + 1)) + "\" is not a valid top label (RFC 7208 §7.1)",
                   "spf.syntax.bad_toplabel", {said::value("label", std::string(name.substr(dot + 1)))});
  return {};
}

}  // namespace

std::string check_domain_spec(std::string_view spec) { return domain_spec_problem(spec).text; }

bool is_spf_record(std::string_view text) {
  return text.size() >= 6 && iequals(text.substr(0, 6), "v=spf1") && (text.size() == 6 || text[6] == ' ');
}

parse_result parse_record(std::string_view text) {
  parse_result out;
  if (!is_spf_record(text)) {
    out.error = "not an SPF record (must start with \"v=spf1\")";
    out.error_said = {"spf.syntax.not_spf", {}};
    return out;
  }
  // §3.1: SPF records are 7-bit ASCII; §4.6.1: terms are separated by spaces only, so a
  // TAB, CR, LF or NUL inside a record is a syntax error, not a separator.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u > 0x7e) {
      out.error = "non-ASCII byte at offset " + std::to_string(i) + " (RFC 7208 §3.1)";
      out.error_said = {"spf.syntax.non_ascii", {said::value("offset", std::to_string(i))}};
      return out;
    }
    if (u < 0x20) {
      out.error = "control character at offset " + std::to_string(i) + " (terms are separated by spaces only, RFC 7208 §4.6.1)";
      out.error_said = {"spf.syntax.control", {said::value("offset", std::to_string(i))}};
      return out;
    }
  }
  auto& rec = out.value;
  std::size_t i = 6;
  while (i < text.size()) {
    if (text[i] == ' ') { ++i; continue; }
    const auto end = std::min(text.find(' ', i), text.size());
    const auto term = text.substr(i, end - i);
    i = end;
    const auto fail = [&](const said_problem& why) {
      out.error = "at \"" + std::string(term) + "\": " + why.text;
      out.error_said = {"spf.syntax.at_term", {said::value("term", std::string(term)), said::part("why", why.said)}};
      return out;
    };
    if (const auto eq = modifier_equals(term); eq != std::string_view::npos) {
      modifier mod{lowered(term.substr(0, eq)), std::string(term.substr(eq + 1)), std::string(term)};
      if (mod.name == "redirect" || mod.name == "exp") {
        auto& slot = mod.name == "redirect" ? rec.redirect : rec.exp;
        if (slot)
          return fail(said::problem("\"" + mod.name + "=\" appears more than once (RFC 7208 §6)",
                                    "spf.syntax.repeated_modifier", {said::value("name", mod.name)}));
        if (auto error = domain_spec_problem(mod.value); !error.empty()) return fail(error);
        slot = std::move(mod);
      } else {
        // Unknown modifiers are ignored (§6) but must still be valid macro-strings (§12).
        if (auto error = macro::check_problem(mod.value, macro::context::explanation); !error.empty()) return fail(error);
        rec.unknown_modifiers.push_back(std::move(mod));
      }
      continue;
    }
    mechanism m;
    if (auto error = parse_mechanism(term, m); !error.empty()) return fail(error);
    rec.mechanisms.push_back(std::move(m));
  }
  return out;
}

}  // namespace dns::spf
