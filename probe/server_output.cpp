#include "probe/server_output.hpp"

#include "probe/display_width.hpp"
#include "probe/exit_status.hpp"
#include "probe/output_words.hpp"
#include "probe/rbl_output.hpp"
#include "probe/terminal_text.hpp"

#include <algorithm>
#include <sstream>

namespace probe {
namespace {

using nlohmann::json;

std::string_view status_word(check_status s) {
  switch (s) {
    case check_status::pass: return "PASS";
    case check_status::info: return "NOTE";
    case check_status::skipped: return "SKIP";
    case check_status::warn: return "WARN";
    case check_status::fail: return "FAIL";
  }
  return "FAIL";
}

// In Chinese output the English word stays beside the Chinese one: it is what --json and
// the docs use.
std::string status_label(check_status s, bool zh) {
  if (!zh) return std::string(status_word(s));
  const char* chinese = s == check_status::pass      ? "通过"
                        : s == check_status::info    ? "提示"
                        : s == check_status::skipped ? "跳过"
                        : s == check_status::warn    ? "警告"
                                                     : "失败";
  return std::string(chinese) + " " + std::string(status_word(s));
}

std::string source_words(name_source s, bool zh) {
  switch (s) {
    case name_source::given: return zh ? "由参数给出" : "given";
    case name_source::local_hostname: return zh ? "本机主机名" : "this host's name";
    case name_source::helo: return zh ? "取自 HELO 名称" : "from the HELO name";
    case name_source::ptr: return zh ? "取自 PTR 名称" : "from the PTR name";
    case name_source::none: return zh ? "无" : "none";
  }
  return zh ? "无" : "none";
}

// " (words)" in English, "（words）" in Chinese (full-width brackets, as the other Chinese lines).
std::string in_brackets(const std::string& words, bool zh) { return zh ? "（" + words + "）" : " (" + words + ")"; }

// The Chinese words of the report (probe/data/output_words.yaml "server.*"); null in
// English or when the file could not be read (then the English lines are printed).
const output_words* words_for(std::string_view lang) {
  if (lang != "zh") return nullptr;
  return std::get_if<output_words>(&output_words::installed());
}

std::string summary_in(const check_item& item, std::string_view lang, const output_words* words) {
  if (lang != "zh") return item.summary;
  if (words && !item.summary_said.key.empty()) {
    auto said = words->render(item.summary_said, lang);
    if (!said.empty()) return said;
  }
  return item.summary_zh.empty() ? item.summary : item.summary_zh;
}

std::string evidence_in(const check_item& item, std::size_t i, std::string_view lang, const output_words* words) {
  if (!words || i >= item.evidence_said.size()) return item.evidence[i];
  return words->render(item.evidence_said[i], lang, item.evidence[i]);
}

json nullable(const std::string& text) { return text.empty() ? json(nullptr) : json(valid_utf8(text)); }

json spf_json(const dns::spf::evaluation& e) {
  json trace = json::array();
  for (const auto& t : e.trace) trace.push_back(valid_utf8(t));
  return json{{"result", dns::spf::to_string(e.verdict)},
              {"record", nullable(e.record)},
              {"mechanism", nullable(e.mechanism)},
              {"matched_in", nullable(e.matched_in)},
              {"dns_lookups", e.dns_lookups},
              {"void_lookups", e.void_lookups},
              {"explanation", nullable(e.explanation)},
              {"problem", nullable(e.problem)},
              {"trace", std::move(trace)}};
}

json dmarc_json(const dns::dmarc::lookup_result& d) {
  json warnings = json::array();
  for (const auto& w : d.warnings) warnings.push_back(valid_utf8(w));
  json out{{"queried", d.queried_domain},
           {"organizational_domain", nullable(d.organizational_domain)},
           {"dns_result", dns::to_string(d.answer.result)},
           {"record", nullptr},
           {"effective_policy", nullable(d.effective_policy)},
           {"inherited", d.inherited},
           {"warnings", std::move(warnings)},
           {"error", nullable(d.error)}};
  if (d.record) {
    const auto& r = *d.record;
    out["record"] = json{{"raw", valid_utf8(r.raw)}, {"p", r.p},   {"sp", nullable(r.sp)}, {"pct", r.pct},
                         {"rua", r.rua},             {"ruf", r.ruf}, {"adkim", std::string(1, r.adkim)},
                         {"aspf", std::string(1, r.aspf)}};
  }
  return out;
}

}  // namespace

int server_exit_status(const std::vector<check_item>& items) {
  switch (worst_status(items)) {
    case check_status::fail: return exit_negative;
    case check_status::warn: return exit_temporary;
    default: return exit_ok;
  }
}

std::string server_text(const server_report& report, const server_knowledge& knowledge, std::string_view lang,
                        int verbose, const style& look) {
  const auto& in = report.facts.inputs;
  const bool zh = lang == "zh";
  const output_words* words = words_for(lang);
  std::ostringstream out;
  out << (zh ? "服务器检查：" : "Server check of ") << (report.egress.address ? report.egress.address->to_string() : "?") << '\n';
  const std::string how = words ? words->render(report.egress.how_said, lang, report.egress.how) : report.egress.how;
  out << (zh ? "  地址:    " : "  address: ") << printable(how) << '\n';
  out << "  HELO:    "
      << (in.helo.empty() ? (zh ? "（无；请用 --helo 指定）" : "(none; give --helo)")
                          : printable(in.helo) + in_brackets(source_words(in.helo_from, zh), zh))
      << '\n';
  out << (zh ? "  域名:    " : "  domain:  ")
      << (in.domain.empty() ? (zh ? "（无；请用 --domain 指定）" : "(none; give --domain)")
                            : printable(in.domain) + in_brackets(source_words(in.domain_from, zh), zh))
      << "\n\n";
  std::size_t width = 0;
  for (const auto& item : report.items) width = std::max(width, display_width(knowledge.title_for(item, lang)));
  int counts[5] = {};
  for (const auto& item : report.items) {
    ++counts[static_cast<int>(item.status)];
    const auto word = status_label(item.status, zh);
    const auto coloured = item.status == check_status::fail   ? look.bad(word)
                          : item.status == check_status::warn ? look.warn(word)
                          : item.status == check_status::pass ? look.good(word)
                                                              : look.dim(word);
    const std::string& title = knowledge.title_for(item, lang);
    out << "  " << coloured << "  " << title << std::string(width - display_width(title) + 2, ' ')
        << printable(summary_in(item, lang, words), 600) << '\n';
    const bool show_evidence = verbose > 0 || item.status == check_status::warn || item.status == check_status::fail;
    if (show_evidence)
      for (std::size_t i = 0; i < item.evidence.size(); ++i)
        out << "          " << printable(evidence_in(item, i, lang, words), 600) << '\n';
    if (!item.advice_key.empty() && item.status != check_status::pass) {
      auto values = item.advice_values;
      if (words)
        for (const auto& [name, said] : item.advice_said) values[name] = words->render(said, lang, values[name]);
      const auto advice = knowledge.advice_for(item.advice_key, lang, values);
      if (!advice.empty()) out << "          " << (lang == "zh" ? "建议: " : item.status == check_status::fail || item.status == check_status::warn ? "what to change: " : "suggestion: ") << printable(advice, 2000) << '\n';
    }
  }
  const int status = server_exit_status(report.items);
  const auto count = [&](check_status s) { return counts[static_cast<int>(s)]; };
  if (zh) {
    out << "\n" << count(check_status::fail) << " 项失败，" << count(check_status::warn) << " 项警告，"
        << count(check_status::pass) << " 项通过";
    if (count(check_status::skipped)) out << "，" << count(check_status::skipped) << " 项跳过";
    out << "（退出码 " << status << "）\n";
  } else {
    out << "\n" << count(check_status::fail) << " fail, " << count(check_status::warn) << " warn, "
        << count(check_status::pass) << " pass";
    if (count(check_status::skipped)) out << ", " << count(check_status::skipped) << " skipped";
    out << " (exit " << status << ")\n";
  }
  return out.str();
}

json server_json(const server_report& report, const server_knowledge& knowledge, std::string_view lang) {
  const auto& in = report.facts.inputs;
  json attempts = json::array();
  for (const auto& a : report.egress.attempts)
    attempts.push_back(json{{"method", to_string(a.method)},
                            {"asked", a.asked},
                            {"found", a.found ? json(a.found->to_string()) : json(nullptr)},
                            {"problem", nullable(a.problem)}});
  json egress_warnings = json::array();
  for (const auto& w : report.egress.warnings) egress_warnings.push_back(w);

  json items = json::array();
  json counts{{"pass", 0}, {"info", 0}, {"skipped", 0}, {"warn", 0}, {"fail", 0}};
  for (const auto& item : report.items) {
    json evidence = json::array();
    for (const auto& e : item.evidence) evidence.push_back(valid_utf8(e));
    const auto advice = item.advice_key.empty() || item.status == check_status::pass
                            ? std::string()
                            : knowledge.advice_for(item.advice_key, lang, item.advice_values);
    items.push_back(json{{"id", item.id},
                         {"title", knowledge.title_for(item, lang)},
                         {"status", to_string(item.status)},
                         {"summary", valid_utf8(lang == "zh" && !item.summary_zh.empty() ? item.summary_zh : item.summary)},
                         {"evidence", std::move(evidence)},
                         {"advice_key", nullable(advice.empty() ? std::string() : item.advice_key)},
                         {"advice", nullable(advice)}});
    counts[std::string(to_string(item.status))] = counts[std::string(to_string(item.status))].get<int>() + 1;
  }
  json dnsbl_ip = json::array(), dnsbl_domain = json::array();
  for (const auto& l : report.facts.dnsbl_ip) dnsbl_ip.push_back(listing_json(l, lang));
  for (const auto& l : report.facts.dnsbl_domain) dnsbl_domain.push_back(listing_json(l, lang));
  const auto& f = report.facts;
  return json{{"ip", report.egress.address ? json(report.egress.address->to_string()) : json(nullptr)},
              {"ip_source",
               {{"method", to_string(report.egress.method)},
                {"how", report.egress.how},
                {"attempts", std::move(attempts)},
                {"warnings", std::move(egress_warnings)}}},
              {"helo", nullable(in.helo)},
              {"helo_source", to_string(in.helo_from)},
              {"domain", nullable(in.domain)},
              {"domain_source", to_string(in.domain_from)},
              {"worst", to_string(worst_status(report.items))},
              {"exit_status", server_exit_status(report.items)},
              {"counts", std::move(counts)},
              {"items", std::move(items)},
              {"ptr", [&] {
                 json names = json::array();
                 for (const auto& n : f.reverse.names) names.push_back(valid_utf8(n));
                 return json{{"names", std::move(names)},
                             {"dns_result", dns::to_string(f.reverse.ptr.result)},
                             {"forward_confirmed", f.reverse.forward_confirmed},
                             {"confirmed_name", nullable(f.reverse.confirmed_name)},
                             {"generic_reasons", f.reverse.generic_reasons}};
               }()},
              {"spf",
               {{"domain", f.spf_domain ? spf_json(*f.spf_domain) : json(nullptr)},
                {"helo", f.spf_helo ? spf_json(*f.spf_helo) : json(nullptr)}}},
              {"dmarc", f.dmarc ? dmarc_json(*f.dmarc) : json(nullptr)},
              {"dnsbl", {{"ip", std::move(dnsbl_ip)}, {"domain", std::move(dnsbl_domain)}}}};
}

}  // namespace probe
