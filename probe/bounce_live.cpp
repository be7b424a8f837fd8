#include "probe/bounce_live.hpp"

#include "dns/join.hpp"
#include "probe/data_dir.hpp"
#include "probe/egress_ip.hpp"
#include "probe/exit_status.hpp"
#include "probe/prober_setup.hpp"
#include "probe/rbl_command.hpp"
#include "probe/runtime.hpp"
#include "probe/server_command.hpp"
#include "probe/style.hpp"
#include "probe/terminal_text.hpp"

#include <yaml-cpp/yaml.h>

#include <ctime>
#include <filesystem>
#include <iostream>

namespace probe {

namespace net = boost::asio;
using nlohmann::json;
namespace co = correlation;

std::variant<correlation_advice, std::string> correlation_advice::load(const std::string& path) {
  correlation_advice advice;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    auto read = [&](const std::string& key, const YAML::Node& node) {
      for (const auto& lang : node) advice.texts_[key][lang.first.as<std::string>()] = lang.second.as<std::string>();
    };
    for (const auto& v : root["verdicts"]) read(v.first.as<std::string>(), v.second);
    for (const auto& c : root["causes"])
      for (const auto& v : c.second) read(c.first.as<std::string>() + "/" + v.first.as<std::string>(), v.second);
  } catch (const YAML::Exception& e) {
    return path + ": " + e.what();
  }
  return advice;
}

std::string correlation_advice::for_verdict(co::cause cause, co::verdict verdict, std::string_view lang) const {
  for (const std::string& key : {std::string(co::to_string(cause)) + "/" + std::string(co::to_string(verdict)),
                                std::string(co::to_string(verdict))}) {
    // Cause keys use underscores in the data file (reverse_dns); to_string uses a hyphen.
    std::string data_key = key;
    for (auto& c : data_key)
      if (c == '-') c = '_';
    const auto found = texts_.find(data_key);
    if (found == texts_.end()) continue;
    if (const auto text = found->second.find(std::string(lang)); text != found->second.end()) return text->second;
    if (const auto text = found->second.find("en"); text != found->second.end()) return text->second;
  }
  return {};
}

std::optional<long long> age_seconds(std::string_view date, std::time_t now) {
  std::string text(date);
  if (const auto comma = text.find(','); comma != std::string::npos && comma < 5) text = text.substr(comma + 1);
  std::tm parts{};
  const char* end = strptime(text.c_str(), " %d %b %Y %H:%M:%S %z", &parts);
  if (end == nullptr) {
    parts = {};
    end = strptime(text.c_str(), " %d %b %Y %H:%M %z", &parts);
  }
  if (end == nullptr) return std::nullopt;
  const long offset = parts.tm_gmtoff;
  const std::time_t utc = timegm(&parts) - offset;
  return static_cast<long long>(now - utc);
}

std::string describe_age(long long seconds, std::string_view lang) {
  const bool zh = lang == "zh";
  if (seconds < 0) return zh ? "时间在未来（时钟不准？）" : "dated in the future (clock skew?)";
  struct unit {
    long long size;
    const char *en, *zh;
  };
  static constexpr unit units[] = {{86400, "day", "天"}, {3600, "hour", "小时"}, {60, "minute", "分钟"}, {1, "second", "秒"}};
  for (const auto& u : units) {
    if (seconds < u.size && u.size != 1) continue;
    const long long n = seconds / u.size;
    if (zh) return std::to_string(n) + " " + u.zh + "前";
    return std::to_string(n) + " " + u.en + (n == 1 ? "" : "s") + " ago";
  }
  return {};
}

json live_json(const co::recipient_check& check, const correlation_advice& advice, std::string_view lang,
               std::optional<long long> age) {
  const auto& p = check.planned;
  json evidence = json::array();
  for (const auto& e : check.seen.checks)
    evidence.push_back({{"check", e.check}, {"asked", valid_utf8(e.asked)}, {"answer", valid_utf8(e.answer)}, {"ms", e.ms}});
  json live{{"cause", co::to_string(p.kind)},
            {"rule", check.decided.rule},
            {"summary", valid_utf8(lang == "zh" ? check.decided.summary_zh : check.decided.summary)},
            {"advice", advice.for_verdict(p.kind, check.decided.result, lang)},
            {"sending_ip", p.sending_ip},
            {"sending_ip_source", co::to_string(p.sending_ip_from)},
            {"sending_ip_detail", valid_utf8(p.sending_ip_detail)}};
  if (!check.decided.now.empty()) live["now"] = valid_utf8(check.decided.now);
  if (!check.decided.removal_page.empty()) live["removal_page"] = check.decided.removal_page;
  if (age) live["bounce_age_s"] = *age;
  return json{{"verdict", co::to_string(check.decided.result)}, {"evidence", std::move(evidence)}, {"live", std::move(live)}};
}

namespace {

bool failed_recipient(const reports::report& report, const reports::recipient& r) {
  if (report.kind != reports::report_kind::failure && report.kind != reports::report_kind::delay) return false;
  return r.action == reports::dsn_action::failed || r.action == reports::dsn_action::delayed ||
         r.action == reports::dsn_action::unknown;
}

bool needs_sending_ip(co::cause c) {
  return c == co::cause::listing || c == co::cause::reverse_dns || c == co::cause::authentication || c == co::cause::content;
}

struct pending_check {
  std::size_t item = 0, recipient = 0;
  co::recipient_check result;
};

std::string bounce_date_of(const reports::report& report, const reports::recipient& r) {
  if (!r.last_attempt_date.empty()) return r.last_attempt_date;
  if (!report.arrival_date.empty()) return report.arrival_date;
  return report.bounce_date;
}

void print_live_text(std::ostream& out, const pending_check& c, const bounce_item& item, const correlation_advice& advice,
                     const settings& config, const style& look) {
  const auto& check = c.result;
  const auto& recipient = item.report.recipients[c.recipient];
  const std::string lang = config.output.lang;
  const auto v = check.decided.result;
  const std::string word(co::to_string(v));
  std::string label = word;
  for (auto& ch : label) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const bool zh = lang == "zh";
  // The English word stays beside the Chinese one: it is what --json and the docs use.
  if (zh) label = std::string(v == co::verdict::transient    ? "已恢复"
                              : v == co::verdict::persistent ? "仍存在"
                              : v == co::verdict::changed    ? "已变为另一原因"
                                                             : "无法确定") +
                  " " + label;
  const std::string colored = v == co::verdict::transient  ? look.good(label)
                              : v == co::verdict::inconclusive ? look.warn(label)
                                                             : look.bad(label);
  out << (zh ? "  现在: " : "  now: ") << printable(recipient.address) << ": " << colored << " — "
      << printable(zh ? check.decided.summary_zh : check.decided.summary, 1200) << '\n';
  const std::string date = bounce_date_of(item.report, recipient);
  const auto age = age_seconds(date, std::time(nullptr));
  std::string said = recipient.diagnostic.empty() ? recipient.status : recipient.diagnostic;
  out << (zh ? "    退信所述: " : "    bounce said: ") << printable(said, 400);
  if (age) out << "  (" << describe_age(*age, lang) << ")";
  out << '\n';
  // Chinese words from output_words.yaml; without the file, the English lines.
  const output_words* words = zh ? std::get_if<output_words>(&output_words::installed()) : nullptr;
  if (!check.planned.sending_ip.empty() && (check.planned.dnsbl || check.planned.reverse_dns || check.planned.spf)) {
    std::string source = check.planned.sending_ip_detail;
    if (words) {
      // The plan names the source as an identifier; a Received chain's own note (which
      // header) stays beside it as it came.
      const std::string id(co::to_string(check.planned.sending_ip_from));
      const std::string named = words->name("sending_ip_source", id, lang);
      if (named != id)
        source = check.planned.sending_ip_from == co::ip_source::received_chain && source != "from the Received chain"
                     ? named + "：" + source
                     : named;
    }
    out << (zh ? "    发信 IP: " : "    sending IP: ") << check.planned.sending_ip << " (" << printable(source) << ")\n";
  }
  for (const auto& e : check.seen.checks) {
    const std::string label = words ? words->name("live_check", e.check, lang) : e.check;
    const std::string asked = words ? words->render(e.asked_said, lang, e.asked) : e.asked;
    const std::string answer = words ? words->render(e.answer_said, lang, e.answer) : e.answer;
    out << "    " << look.dim(label + ":") << ' ' << printable(asked, 300) << " → " << printable(answer, 600);
    if (e.ms > 0 || e.check == "rcpt") out << look.dim("  (" + std::to_string(e.ms) + " ms)");
    out << '\n';
  }
  const std::string& rule = zh && !check.decided.rule_zh.empty() ? check.decided.rule_zh : check.decided.rule;
  out << "    " << look.dim((zh ? "规则: " : "rule: ") + rule) << '\n';
  if (const auto text = advice.for_verdict(check.planned.kind, v, lang); !text.empty())
    out << "    " << (zh ? "建议: " : "what now: ") << text << '\n';
}

}  // namespace

int run_bounce_live(std::vector<bounce_item>& items, const reports::knowledge& knowledge, command_context& ctx) {
  const settings& config = ctx.config;
  auto created = runtime::create(config);
  if (auto* e = std::get_if<std::string>(&created)) {
    std::cerr << "probe bounce: " << *e << '\n';
    return exit_usage;
  }
  auto& rt = *std::get<std::unique_ptr<runtime>>(created);
  auto advice_loaded = correlation_advice::load((std::filesystem::path(data_path("probe")) / "correlation.yaml").string());
  if (auto* e = std::get_if<std::string>(&advice_loaded)) {
    std::cerr << "probe bounce: " << *e << '\n';
    return exit_input_error;
  }
  const auto& advice = std::get<correlation_advice>(advice_loaded);

  // The run's shared resources: one prober, one DNSBL checker, the server-check knowledge.
  auto setup = make_prober_setup(config, {}, {});
  std::unique_ptr<smtp::prober> prober;
  if (setup.ok()) prober = std::make_unique<smtp::prober>(rt.io().get_executor(), rt.dns(), std::move(setup.options));
  auto catalogue = load_rbl_catalogue();
  std::unique_ptr<rbl::checker> dnsbl;
  const rbl::catalogue* lists = std::get_if<rbl::catalogue>(&catalogue);
  if (lists) {
    rbl::check_options options;
    options.timeout = std::chrono::milliseconds(config.rbl.timeout_ms);
    options.include_all = config.rbl.all;
    options.dqs_key = config.rbl.dqs_key;
    dnsbl = std::make_unique<rbl::checker>(rt.dns(), *lists, options);
  } else {
    std::cerr << "probe bounce: DNSBL checks unavailable: " << std::get<std::string>(catalogue) << '\n';
  }
  auto server_loaded = load_server_knowledge();
  const server_knowledge* server = std::get_if<server_knowledge>(&server_loaded);
  co::live_context live{rt.dns(), config, knowledge, prober.get(), setup.error, lists, dnsbl.get(), server};

  co::plan_inputs inputs;
  inputs.ip = config.ip;
  inputs.helo = config.smtp.helo;

  // The recipients to check, and whether any of them needs this machine's egress address.
  std::vector<pending_check> checks;
  bool want_egress = false;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& report = items[i].report;
    if (!items[i].error.empty()) continue;
    for (std::size_t r = 0; r < report.recipients.size(); ++r) {
      if (!failed_recipient(report, report.recipients[r])) continue;
      checks.push_back({i, r, {}});
      const auto p = co::make_plan(report, report.recipients[r], items[i].classifications[r], inputs);
      want_egress = want_egress || (p.sending_ip.empty() && needs_sending_ip(p.kind));
    }
  }

  rt.run([&]() -> net::awaitable<int> {
    if (want_egress) {
      // Last resort for the sending IP (issue 7): this machine's public address, asked the
      // way `probe server` does.
      std::string error;
      dns::resolver_options ropts;
      ropts.timeout = std::chrono::milliseconds(2000);
      ropts.tries = 1;
      ropts.servers = opendns_servers(false);
      auto opendns = dns::resolver::create(rt.io().get_executor(), ropts);
      ropts.servers = google_servers(false);
      auto google = dns::resolver::create(rt.io().get_executor(), ropts);
      egress_sources sources;
      if (auto* r = std::get_if<std::unique_ptr<dns::resolver>>(&opendns)) sources.opendns = r->get();
      if (auto* r = std::get_if<std::unique_ptr<dns::resolver>>(&google)) sources.google = r->get();
      // A named argument: g++ 12 destroyed the defaulted temporary twice across the co_await.
      const egress_options options;
      const auto egress = co_await detect_egress(sources, options);
      if (egress.address && !is_private_address(*egress.address)) inputs.egress_ip = egress.address->to_string();
    }
    std::vector<net::awaitable<co::recipient_check>> work;
    for (auto& c : checks)
      work.push_back(co::check_recipient(live, items[c.item].report, items[c.item].report.recipients[c.recipient],
                                         items[c.item].classifications[c.recipient], inputs));
    auto results = co_await dns::join_all(std::move(work));
    for (std::size_t i = 0; i < results.size(); ++i) checks[i].result = std::move(results[i]);
    if (prober) co_await prober->close();  // QUIT on the sessions kept open for sharing
    co_return 0;
  }());

  // Output: the offline reading of each message, with each failed recipient's verdict.
  bool any_bounce = false, input_error = false;
  bool persistent = false, changed = false, inconclusive = false;
  const style look(config.output.color);
  const std::time_t now = std::time(nullptr);
  not_bounce_lines quiet(config.output.json || config.output.verbose > 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (!item.error.empty()) input_error = true;
    if (item.error.empty() && item.report.kind != reports::report_kind::not_bounce) any_bounce = true;
    if (config.output.json) {
      json document = bounce_json(item, knowledge, config.output.lang);
      for (const auto& c : checks) {
        if (c.item != i || !document.contains("recipients") || c.recipient >= document["recipients"].size()) continue;
        const auto& recipient = item.report.recipients[c.recipient];
        const auto live = live_json(c.result, advice, config.output.lang, age_seconds(bounce_date_of(item.report, recipient), now));
        for (const auto& [key, value] : live.items()) document["recipients"][c.recipient][key] = value;
      }
      std::cout << document.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    } else {
      std::cout << quiet.pass(item, bounce_text(item, knowledge, config.output.lang, config.output.verbose));
      for (const auto& c : checks)
        if (c.item == i) print_live_text(std::cout, c, item, advice, config, look);
    }
    for (const auto& c : checks) {
      if (c.item != i) continue;
      persistent = persistent || c.result.decided.result == co::verdict::persistent;
      changed = changed || c.result.decided.result == co::verdict::changed;
      inconclusive = inconclusive || c.result.decided.result == co::verdict::inconclusive;
    }
  }
  std::cout << quiet.finish(config.output.lang);
  if (!config.output.json && prober) {
    const auto& counters = prober->counters();
    if (config.output.verbose > 0)
      std::cout << look.dim(config.output.lang == "zh"
                                ? "在线检查: " + std::to_string(checks.size()) + " 个收件人，" +
                                      std::to_string(counters.sessions_opened) + " 个 SMTP 会话，" +
                                      std::to_string(rt.resolver().stats().queries) + " 次 DNS 查询"
                                : "live checks: " + std::to_string(checks.size()) + " recipients, " +
                                      std::to_string(counters.sessions_opened) + " SMTP sessions, " +
                                      std::to_string(rt.resolver().stats().queries) + " DNS queries")
                << '\n';
  }
  if (input_error) return exit_input_error;
  if (!any_bounce) return exit_not_bounce;
  if (persistent) return exit_negative;
  if (changed) return exit_changed;
  if (inconclusive) return exit_temporary;
  return exit_ok;
}

}  // namespace probe
