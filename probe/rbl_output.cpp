#include "probe/rbl_output.hpp"

#include "probe/exit_status.hpp"
#include "probe/terminal_text.hpp"

#include <algorithm>
#include <sstream>

namespace probe {
namespace {

using nlohmann::json;

std::string pad(std::string_view text, std::size_t width) {
  std::string out(text);
  // Count code points, not bytes, so the few non-ASCII titles still line up.
  std::size_t shown = 0;
  for (const char c : out)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++shown;
  if (shown < width) out.append(width - shown, ' ');
  return out;
}

std::string target_kind(const rbl::target& t) {
  if (t.is_domain()) return "domain";
  return t.is_ipv6() ? "ipv6" : "ipv4";
}

std::string verdict_line(const rbl::summary& s) {
  std::ostringstream out;
  switch (s.overall) {
    case rbl::verdict::listed: out << "listed on " << s.listed << " of " << s.asked << " lists asked"; break;
    case rbl::verdict::clean:
      if (s.asked == 0 && s.dead > 0)
        out << "nothing asked: the lists named no longer exist";
      else
        out << "not listed on any of " << s.asked << " lists asked";
      break;
    case rbl::verdict::unknown:
      out << "not listed on " << s.not_listed << " lists, " << s.inconclusive << " could not answer";
      if (s.asked == 0) out.str("no list could be asked");
      break;
  }
  if (s.allowlisted > 0) out << "; on " << s.allowlisted << " allowlist" << (s.allowlisted > 1 ? "s" : "");
  return out.str();
}

json health_json(const rbl::zone_health& h) {
  json out{{"state", rbl::to_string(h.state)}, {"detail", valid_utf8(h.detail)}};
  if (!h.listed_point.empty()) out["listed_point"] = h.listed_point;
  if (!h.unlisted_point.empty()) out["unlisted_point"] = h.unlisted_point;
  return out;
}

}  // namespace

int rbl_exit_status(const rbl::summary& summary) {
  switch (summary.overall) {
    case rbl::verdict::listed: return exit_negative;
    case rbl::verdict::unknown: return exit_temporary;
    case rbl::verdict::clean: return exit_ok;
  }
  return exit_temporary;
}

std::string_view rbl_result_word(const rbl::listing& l) {
  switch (l.result) {
    case rbl::outcome::listed: return l.role == rbl::list_role::allow ? "ALLOWLISTED" : "LISTED";
    case rbl::outcome::not_listed: return "clean";
    case rbl::outcome::list_error: return "LIST ERROR";
    case rbl::outcome::unknown: return "UNKNOWN";
    case rbl::outcome::bogus: return "BOGUS";
    case rbl::outcome::unhealthy: return "UNHEALTHY";
    case rbl::outcome::dead: return "DEAD LIST";
    case rbl::outcome::skipped: return "skipped";
  }
  return "UNKNOWN";
}

std::string rbl_text(const rbl_report& report, std::string_view lang, int verbose, const style& look) {
  std::ostringstream out;
  const auto kind = target_kind(report.target);
  out << "DNSBL check of " << printable(report.target.text) << " ("
      << (kind == "ipv4" ? "IPv4" : kind == "ipv6" ? "IPv6" : "domain") << "): " << verdict_line(report.summary) << "\n\n";
  std::size_t title_width = 12, zone_width = 16;
  for (const auto& l : report.listings) {
    title_width = std::max(title_width, std::min<std::size_t>(l.title.size(), 40));
    zone_width = std::max(zone_width, std::min<std::size_t>(l.zone.size(), 48));
  }
  const std::string indent(2 + 12 + title_width + 1, ' ');
  for (const auto& l : report.listings) {
    const auto word = pad(rbl_result_word(l), 12);
    const auto coloured = l.blocks() || l.result == rbl::outcome::bogus || l.result == rbl::outcome::unhealthy
                              ? look.bad(word)
                          : l.result == rbl::outcome::not_listed || l.allowlisted() ? look.good(word)
                          : l.result == rbl::outcome::dead || l.result == rbl::outcome::skipped ? look.dim(word)
                                                                                                 : look.warn(word);
    out << "  " << coloured << pad(printable(l.title, 40), title_width) << ' '
        << pad(printable(l.zone, 48), zone_width);
    const bool asked = l.result != rbl::outcome::dead && l.result != rbl::outcome::skipped;
    if (asked) out << ' ' << l.elapsed.count() << " ms";
    out << '\n';
    // A discarded answer's codes are noise unless asked for (-v); JSON keeps them.
    const bool show_codes = l.result != rbl::outcome::unhealthy || verbose > 0;
    for (const auto& c : show_codes ? l.codes : std::vector<rbl::code_hit>{}) {
      out << indent << c.address;
      if (!c.name.empty()) out << "  " << printable(c.name, 80);
      out << "  " << printable(c.meaning, 300) << '\n';
      if (c.kind == rbl::code_class::error && !c.advice.empty()) out << indent << "what to do: " << c.advice.in(lang) << '\n';
    }
    const bool detail_repeats_code = l.result == rbl::outcome::list_error && !l.codes.empty();
    if (!l.detail.empty() && !detail_repeats_code) out << indent << printable(l.detail, 400) << '\n';
    for (const auto& t : l.txt) out << indent << "reason: \"" << printable(t, 400) << "\"\n";
    if (l.blocks() && !l.removal_page.empty()) out << indent << "removal: " << printable(l.removal_page) << '\n';
    if (l.blocks() && !l.lookup_page.empty() && l.lookup_page != l.removal_page)
      out << indent << "lookup: " << printable(l.lookup_page) << '\n';
    for (const auto& w : l.warnings) out << indent << "warning: " << printable(w, 400) << '\n';
    if (verbose > 0 && asked) {
      if (!l.query_name.empty()) out << indent << "asked: " << printable(l.query_name) << " A\n";
      out << indent << "health: " << rbl::to_string(l.health.state);
      if (!l.health.detail.empty()) out << " (" << printable(l.health.detail, 300) << ")";
      out << '\n';
    }
  }
  return out.str();
}

json listing_json(const rbl::listing& l, std::string_view lang) {
  json codes = json::array();
  for (const auto& c : l.codes) {
    json code{{"address", c.address},
              {"class", rbl::to_string(c.kind)},
              {"name", valid_utf8(c.name)},
              {"meaning", valid_utf8(c.meaning)},
              {"documented", c.documented}};
    if (!c.advice.empty()) code["advice"] = c.advice.in(lang);
    codes.push_back(std::move(code));
  }
  json txt = json::array();
  for (const auto& t : l.txt) txt.push_back(valid_utf8(t));
  json warnings = json::array();
  for (const auto& w : l.warnings) warnings.push_back(valid_utf8(w));
  json out{{"name", l.list_name},
           {"title", l.title},
           {"zone", l.zone},
           {"query", l.query_name.empty() ? json(nullptr) : json(l.query_name)},
           {"in_catalogue", l.in_catalogue},
           {"role", rbl::to_string(l.role)},
           {"status", rbl::to_string(l.status)},
           {"dead_since", l.dead_since.empty() ? json(nullptr) : json(l.dead_since)},
           {"result", rbl::to_string(l.result)},
           {"codes", std::move(codes)},
           {"txt", std::move(txt)},
           {"detail", valid_utf8(l.detail)},
           {"warnings", std::move(warnings)},
           {"health", health_json(l.health)},
           {"removal_page", l.removal_page.empty() ? json(nullptr) : json(l.removal_page)},
           {"lookup_page", l.lookup_page.empty() ? json(nullptr) : json(l.lookup_page)},
           {"elapsed_ms", l.elapsed.count()}};
  return out;
}

json rbl_json(const rbl_report& report, std::string_view lang) {
  const auto& s = report.summary;
  json lists = json::array();
  for (const auto& l : report.listings) lists.push_back(listing_json(l, lang));
  return json{{"target", report.target.text},
              {"target_kind", target_kind(report.target)},
              {"verdict", rbl::to_string(s.overall)},
              {"exit_status", rbl_exit_status(s)},
              {"summary",
               {{"asked", s.asked},
                {"listed", s.listed},
                {"allowlisted", s.allowlisted},
                {"not_listed", s.not_listed},
                {"inconclusive", s.inconclusive},
                {"dead", s.dead},
                {"skipped", s.skipped}}},
              {"lists", std::move(lists)}};
}

}  // namespace probe
