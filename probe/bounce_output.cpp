#include "probe/bounce_output.hpp"

#include "probe/terminal_text.hpp"
#include "reports/parse.hpp"

#include <sstream>

namespace probe {
namespace {

std::string show(const std::string& s, std::size_t max = 512) { return printable(s, max); }

std::string side_label(const std::string& side, const std::string& lang) {
  if (lang == "zh") {
    if (side == "sender") return "发件方";
    if (side == "recipient") return "收件方";
    if (side == "network") return "网络";
    return "-";
  }
  return side.empty() ? "-" : side;
}

// The report's kind in Chinese; English readers see the vocabulary word itself, which is
// also what --json carries.
std::string_view kind_label(reports::report_kind kind, bool zh) {
  if (!zh) return reports::to_string(kind);
  switch (kind) {
    case reports::report_kind::failure: return "退信";
    case reports::report_kind::delay: return "延迟通知";
    case reports::report_kind::delivered: return "投递成功报告";
    case reports::report_kind::relayed: return "已转交报告";
    case reports::report_kind::expanded: return "已展开报告";
    case reports::report_kind::vacation: return "自动回复";
    case reports::report_kind::feedback: return "投诉报告";
    case reports::report_kind::not_bounce: return "不是退信";
  }
  return reports::to_string(kind);
}

}  // namespace

bounce_item read_bounce_item(std::string origin, std::string_view bytes, bool truncated, const reports::knowledge& k) {
  bounce_item item;
  item.origin = std::move(origin);
  item.report = reports::parse(bytes, k);
  item.report.truncated = item.report.truncated || truncated;
  for (const auto& r : item.report.recipients) item.classifications.push_back(reports::classify(r, item.report, k));
  return item;
}

std::string not_bounce_lines::pass(const bounce_item& item, std::string rendered) {
  ++messages_;
  if (list_each_ || !item.error.empty() || item.report.kind != reports::report_kind::not_bounce) return rendered;
  if (held_++ == 0) first_held_ = std::move(rendered);
  return {};
}

std::string not_bounce_lines::finish(const std::string& lang) const {
  if (held_ == 0) return {};
  if (messages_ == 1) return first_held_;
  const std::string n = std::to_string(held_), of = std::to_string(messages_);
  if (lang == "zh") return n + " / " + of + " 封邮件不是退信（-v 逐一列出）\n";
  return n + " of " + of + " messages are not bounce reports (-v lists them)\n";
}

std::string bounce_text(const bounce_item& item, const reports::knowledge& k, const std::string& lang, int verbose) {
  std::ostringstream out;
  const bool zh = lang == "zh";
  out << show(item.origin) << ": ";
  if (!item.error.empty()) {
    out << show(item.error) << "\n";
    return out.str();
  }
  const auto& rep = item.report;
  if (rep.kind == reports::report_kind::not_bounce) {
    out << (zh ? "不是退信" : "not a bounce") << "\n";
    return out.str();
  }
  out << kind_label(rep.kind, zh);
  if (!rep.mta_family.empty()) out << " (" << show(rep.mta_family, 64) << ")";
  if (!rep.reporting_mta.empty()) out << (zh ? "，报告方 " : ", reported by ") << show(rep.reporting_mta, 256);
  if (!rep.arrival_date.empty()) out << (zh ? "，时间 " : ", ") << show(rep.arrival_date, 128);
  out << "\n";
  if (!rep.original.from.empty() || !rep.original.subject.empty())
    out << (zh ? "  原邮件: " : "  original: ") << show(rep.original.from, 256) << " \"" << show(rep.original.subject, 256)
        << "\"" << (rep.original.message_id.empty() ? "" : " " + show(rep.original.message_id, 256)) << "\n";
  if (!rep.original.sending_ip.empty())
    out << (zh ? "  发信 IP: " : "  sending IP: ") << show(rep.original.sending_ip, 64)
        << (verbose > 0 ? "  [" + show(rep.original.sending_ip_source, 128) + "]" : "") << "\n";
  for (std::size_t i = 0; i < rep.recipients.size(); ++i) {
    const auto& r = rep.recipients[i];
    const auto& c = item.classifications.at(i);
    auto source = [&](const char* fact) -> std::string {
      if (verbose <= 0) return "";
      const auto it = r.sources.find(fact);
      return it == r.sources.end() ? "" : "  [" + show(it->second, 128) + "]";
    };
    out << "  " << show(r.address.empty() ? std::string("(unknown recipient)") : r.address, 320) << source("address") << "\n";
    if (const std::string name = zh ? reports::reason_name(k, c.reason, lang) : std::string(); !name.empty())
      out << "    原因: " << name << "（" << c.reason << "，" << (c.hard ? "永久" : "可重试") << "）";
    else
      out << (zh ? "    原因: " : "    reason: ") << c.reason << (c.hard ? (zh ? "（永久）" : " (hard)") : (zh ? "（可重试）" : " (soft)"));
    if (!c.subcause.empty()) out << (zh ? "，" : ", ") << show(c.subcause, 64);
    if (verbose > 0) out << (zh ? "  [依据 " : "  [decided by ") << reports::to_string(c.by) << (c.matched.empty() ? "" : ": " + show(c.matched, 200)) << "]";
    out << "\n";
    if (!r.status.empty() || r.reply_code != 0) {
      out << (zh ? "    代码: " : "    code: ") << (r.reply_code ? std::to_string(r.reply_code) + " " : "") << show(r.status, 16);
      if (r.command != reports::smtp_command::unknown) out << (zh ? "，阶段 " : " at ") << reports::to_string(r.command);
      out << source("status") << "\n";
    } else if (r.command != reports::smtp_command::unknown) {
      out << (zh ? "    阶段: " : "    at: ") << reports::to_string(r.command) << source("command") << "\n";
    }
    if (!r.remote_host.empty() || !r.remote_ip.empty())
      out << (zh ? "    对方服务器: " : "    remote: ") << show(r.remote_host, 256) << (r.remote_ip.empty() ? "" : " [" + show(r.remote_ip, 64) + "]")
          << source("remote_host") << "\n";
    if (!r.diagnostic.empty()) out << (zh ? "    诊断: " : "    said: ") << show(r.diagnostic, verbose > 0 ? 2048 : 300) << source("diagnostic") << "\n";
    if (!r.feedback_type.empty()) out << (zh ? "    投诉类型: " : "    feedback type: ") << show(r.feedback_type, 64) << "\n";
    if (!c.hints.dnsbl_zone.empty()) out << (zh ? "    黑名单: " : "    blocklist: ") << show(c.hints.dnsbl_zone, 256) << "\n";
    if (!c.hints.client_ip.empty()) out << (zh ? "    对方所见发信 IP: " : "    client IP named: ") << show(c.hints.client_ip, 64) << "\n";
    if (c.hints.size_limit) out << (zh ? "    大小限制: " : "    size limit: ") << *c.hints.size_limit << (zh ? " 字节" : " bytes") << "\n";
    if (const auto a = reports::advice_for(k, c.reason, c.subcause, lang)) {
      if (zh) out << "    说明: " << a->what << "（责任方：" << side_label(a->side, lang) << "）\n";
      else out << "    what: " << a->what << " (side: " << side_label(a->side, lang) << ")\n";
      out << (zh ? "    建议: " : "    advice: ") << a->action << "\n";
    }
  }
  if (rep.truncated) out << (zh ? "  注意: 输入超出限制，未读完。\n" : "  note: the input exceeded a limit and was not read in full.\n");
  return out.str();
}

nlohmann::json bounce_json(const bounce_item& item, const reports::knowledge& k, const std::string& lang) {
  // Built member by member with moves: nlohmann's initializer lists copy every value once
  // more, and this document is written once per message (in an mbox, per message of
  // thousands), where building and writing it cost more than reading the bounce.
  using nlohmann::json;
  auto u = [](const std::string& s) { return valid_utf8(s); };
  json j = json::object();
  j["source"] = u(item.origin);
  if (!item.error.empty()) {
    j["error"] = u(item.error);
    return j;
  }
  const auto& rep = item.report;
  j["kind"] = std::string(reports::to_string(rep.kind));
  j["mta_family"] = u(rep.mta_family);
  j["mta_reason"] = u(rep.mta_reason);
  j["reporting_mta"] = u(rep.reporting_mta);
  j["arrival_date"] = u(rep.arrival_date);
  json& bounce = j["bounce"] = json::object();
  bounce["from"] = u(rep.bounce_from);
  bounce["subject"] = u(rep.bounce_subject);
  bounce["date"] = u(rep.bounce_date);
  json& original = j["original"] = json::object();
  original["from"] = u(rep.original.from);
  original["to"] = u(rep.original.to);
  original["subject"] = u(rep.original.subject);
  original["message_id"] = u(rep.original.message_id);
  original["date"] = u(rep.original.date);
  original["sending_ip"] = u(rep.original.sending_ip);
  original["sending_ip_source"] = u(rep.original.sending_ip_source);
  json& received = original["received"] = json::array();
  for (const auto& r : rep.original.received) received.push_back(u(r));
  original["size"] = rep.original.size ? json(*rep.original.size) : json(nullptr);
  j["truncated"] = rep.truncated;
  json& recipients = j["recipients"] = json::array();
  for (std::size_t i = 0; i < rep.recipients.size(); ++i) {
    const auto& r = rep.recipients[i];
    const auto& c = item.classifications.at(i);
    json& rj = recipients.emplace_back(json::object());
    rj["address"] = u(r.address);
    rj["original_recipient"] = u(r.original_recipient);
    rj["action"] = std::string(reports::to_string(r.action));
    rj["status"] = u(r.status);
    rj["reply_code"] = r.reply_code ? json(r.reply_code) : json(nullptr);
    rj["diagnostic"] = u(r.diagnostic);
    rj["diagnostic_type"] = u(r.diagnostic_type);
    rj["command"] = std::string(reports::to_string(r.command));
    rj["remote_host"] = u(r.remote_host);
    rj["remote_ip"] = u(r.remote_ip);
    rj["last_attempt_date"] = u(r.last_attempt_date);
    rj["feedback_type"] = u(r.feedback_type);
    rj["reason"] = c.reason;
    rj["hard"] = c.hard;
    rj["temporary"] = c.temporary;
    rj["subcause"] = u(c.subcause);
    rj["decided_by"] = std::string(reports::to_string(c.by));
    rj["matched"] = u(c.matched);
    json& hints = rj["hints"] = json::object();
    hints["dnsbl_zone"] = u(c.hints.dnsbl_zone);
    hints["client_ip"] = u(c.hints.client_ip);
    hints["size_limit"] = c.hints.size_limit ? json(*c.hints.size_limit) : json(nullptr);
    hints["connection_level"] = c.hints.connection_level;
    json& sources = rj["sources"] = json::object();
    for (const auto& [fact, where] : r.sources) sources[u(fact)] = u(where);
    json& extra = rj["extra_fields"] = json::object();
    for (const auto& [name, value] : r.extra_fields) extra[u(name)] = u(value);
    if (const auto a = reports::advice_for(k, c.reason, c.subcause, lang)) {
      json& advice = rj["advice"] = json::object();
      advice["lang"] = lang;
      advice["what"] = a->what;
      advice["side"] = a->side;
      advice["action"] = a->action;
    } else {
      rj["advice"] = nullptr;
    }
  }
  return j;
}

}  // namespace probe
