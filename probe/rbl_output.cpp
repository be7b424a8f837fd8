#include "probe/rbl_output.hpp"

#include "probe/display_width.hpp"
#include "probe/exit_status.hpp"
#include "probe/output_words.hpp"
#include "probe/terminal_text.hpp"

#include <algorithm>
#include <sstream>

namespace probe {
namespace {

using nlohmann::json;

// The report's words in the chosen language (probe/data/output_words.yaml).
struct wording {
  const output_words& words;
  std::string_view lang;
  std::string operator()(std::string_view key, output_words::values with = {}) const {
    return words.text(key, lang, with);
  }
};

std::string target_kind(const rbl::target& t) {
  if (t.is_domain()) return "domain";
  return t.is_ipv6() ? "ipv6" : "ipv4";
}

std::string verdict_line(const rbl::summary& s, const wording& say) {
  const auto n = [](std::size_t count) { return std::to_string(count); };
  std::string out;
  switch (s.overall) {
    case rbl::verdict::listed: out = say("rbl.verdict.listed", {{"listed", n(s.listed)}, {"asked", n(s.asked)}}); break;
    case rbl::verdict::clean:
      out = s.asked == 0 && s.dead > 0 ? say("rbl.verdict.nothing_asked") : say("rbl.verdict.clean", {{"asked", n(s.asked)}});
      break;
    case rbl::verdict::unknown:
      out = s.asked == 0 ? say("rbl.verdict.none_asked")
                         : say("rbl.verdict.unknown", {{"not_listed", n(s.not_listed)}, {"inconclusive", n(s.inconclusive)}});
      break;
  }
  if (s.allowlisted > 0)
    out += say(s.allowlisted > 1 ? "rbl.verdict.allowlisted_many" : "rbl.verdict.allowlisted_one", {{"n", n(s.allowlisted)}});
  return out;
}

std::string result_key(const rbl::listing& l) {
  if (l.result == rbl::outcome::listed && l.role == rbl::list_role::allow) return "rbl.result.allowlisted";
  return "rbl.result." + std::string(rbl::to_string(l.result));
}

// A code's meaning in `lang`: the decode's Chinese, or the English when the hit has none
// (one built by hand, not by rbl::decode_answer()).
const std::string& meaning_in(const rbl::code_hit& c, std::string_view lang) {
  return lang == "zh" && !c.meaning_zh.empty() ? c.meaning_zh : c.meaning;
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
  const wording say{output_words::installed_or_throw(), lang};
  std::ostringstream out;
  out << say("rbl.heading", {{"target", printable(report.target.text)},
                             {"kind", say("rbl.kind." + target_kind(report.target))},
                             {"verdict", verdict_line(report.summary, say)}})
      << "\n\n";
  // Columns by display width: a Chinese word or title takes two columns per character.
  constexpr std::size_t word_width = 12;
  std::size_t title_width = 12, zone_width = 16;
  for (const auto& l : report.listings) {
    title_width = std::max(title_width, std::min<std::size_t>(display_width(l.title), 40));
    zone_width = std::max(zone_width, std::min<std::size_t>(display_width(l.zone), 48));
  }
  const std::string indent(2 + word_width + title_width + 1, ' ');
  for (const auto& l : report.listings) {
    const auto word = pad_to_width(say(result_key(l)), word_width);
    const auto coloured = l.blocks() || l.result == rbl::outcome::bogus || l.result == rbl::outcome::unhealthy
                              ? look.bad(word)
                          : l.result == rbl::outcome::not_listed || l.allowlisted() ? look.good(word)
                          : l.result == rbl::outcome::dead || l.result == rbl::outcome::skipped ? look.dim(word)
                                                                                                 : look.warn(word);
    out << "  " << coloured << pad_to_width(printable(l.title, 40), title_width) << ' '
        << pad_to_width(printable(l.zone, 48), zone_width);
    const bool asked = l.result != rbl::outcome::dead && l.result != rbl::outcome::skipped;
    if (asked) out << ' ' << l.elapsed.count() << " ms";
    out << '\n';
    // A discarded answer's codes are noise unless asked for (-v); JSON keeps them.
    const bool show_codes = l.result != rbl::outcome::unhealthy || verbose > 0;
    for (const auto& c : show_codes ? l.codes : std::vector<rbl::code_hit>{}) {
      out << indent << c.address;
      if (!c.name.empty()) out << "  " << printable(c.name, 80);
      out << "  " << printable(meaning_in(c, lang), 300) << '\n';
      if (c.kind == rbl::code_class::error && !c.advice.empty())
        out << indent << say("rbl.what_to_do", {{"advice", c.advice.in(lang)}}) << '\n';
    }
    const bool detail_repeats_code = l.result == rbl::outcome::list_error && !l.codes.empty();
    // rbl's own words in the reader's language (its English when it gave no phrase).
    const auto in_lang = [&](const rbl::phrase& said, const std::string& english) {
      return say.words.render(said, say.lang, english);
    };
    if (!l.detail.empty() && !detail_repeats_code)
      out << indent << say("rbl.detail", {{"detail", printable(in_lang(l.detail_said, l.detail), 400)}}) << '\n';
    for (const auto& t : l.txt) out << indent << say("rbl.reason", {{"txt", printable(t, 400)}}) << '\n';
    if (l.blocks() && !l.removal_page.empty()) out << indent << say("rbl.removal", {{"url", printable(l.removal_page)}}) << '\n';
    if (l.blocks() && !l.lookup_page.empty() && l.lookup_page != l.removal_page)
      out << indent << say("rbl.lookup", {{"url", printable(l.lookup_page)}}) << '\n';
    for (std::size_t i = 0; i < l.warnings.size(); ++i) {
      const auto text = i < l.warnings_said.size() ? in_lang(l.warnings_said[i], l.warnings[i]) : l.warnings[i];
      out << indent << say("rbl.warning", {{"text", printable(text, 400)}}) << '\n';
    }
    if (verbose > 0 && asked) {
      if (!l.query_name.empty()) out << indent << say("rbl.asked", {{"name", printable(l.query_name)}}) << '\n';
      const std::string state(rbl::to_string(l.health.state));
      out << indent << say("rbl.health", {{"state", state}, {"state_name", say.words.name("rbl_health", state, lang)}});
      if (!l.health.detail.empty())
        out << say("rbl.health_detail", {{"detail", printable(in_lang(l.health.detail_said, l.health.detail), 300)}});
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
              {"meaning_zh", valid_utf8(c.meaning_zh)},
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
