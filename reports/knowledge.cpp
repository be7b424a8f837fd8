#include "reports/knowledge.hpp"

#include "reports/text.hpp"
#include "reports/yaml_tree.hpp"

#include <yaml-cpp/yaml.h>

namespace reports {
namespace {

smtp_command command_from_name(std::string_view name) {
  if (name == "conn") return smtp_command::conn;
  if (name == "ehlo") return smtp_command::ehlo;
  if (name == "mail") return smtp_command::mail;
  if (name == "rcpt") return smtp_command::rcpt;
  if (name == "data") return smtp_command::data;
  return smtp_command::unknown;
}

struct loader {
  std::string file;
  std::string error;

  bool fail(const std::string& what) {
    if (error.empty()) error = file + ": " + what;
    return false;
  }

  // Entries {command, match: [...]}: each expression into `set`, its command into `command_of`.
  bool add_steps(pattern_set& set, std::vector<smtp_command>& command_of, const YAML::Node& list, const std::string& where) {
    for (const auto& c : list) {
      const smtp_command command = command_from_name(c["command"].as<std::string>());
      if (command == smtp_command::unknown) return fail(where + ": unknown command " + c["command"].as<std::string>());
      for (const auto& m : c["match"]) {
        std::string e;
        if (!set.add(m.as<std::string>(), e)) return fail(where + ": " + e);
        command_of.push_back(command);
      }
    }
    return true;
  }

  bool add_list(pattern_set& set, const YAML::Node& list, const std::string& where) {
    if (!list) return true;
    if (!list.IsSequence()) return fail(where + " must be a list");
    for (const auto& item : list) {
      std::string e;
      if (!set.add(item.as<std::string>(), e)) return fail(where + ": " + e);
    }
    return true;
  }

  bool compile(pattern_set& set, const std::string& where, std::shared_ptr<literal_scanner> shared = nullptr) {
    std::string e;
    return set.compile(e, std::move(shared)) || fail(where + ": " + e);
  }
};

bool load_formats(const YAML::Node& root, knowledge& k, loader& l) {
  k.families.multi_line(true);
  k.delay_markers.multi_line(true);
  k.recipient_lines.split_rest_of_line(true);
  k.recipient_lines.split_address(true);
  for (const auto& fam : root["families"]) {
    const std::string name = fam["name"].as<std::string>();
    const std::string where = fam["where"].as<std::string>();
    std::vector<std::string> headers;
    if (fam["header"] && fam["header"].IsSequence())
      for (const auto& h : fam["header"]) headers.push_back(text::lower(h.as<std::string>()));
    else if (fam["header"])
      headers.push_back(text::lower(fam["header"].as<std::string>()));
    if (where == "header" && headers.empty()) return l.fail("families " + name + ": where: header needs header:");
    const bool brand = fam["brand"] && fam["brand"].as<bool>();
    for (const auto& m : fam["match"]) {
      std::string e;
      if (!k.families.add(m.as<std::string>(), e)) return l.fail("families " + name + ": " + e);
      k.family_of.push_back({name, where, headers, brand});
    }
  }
  if (!l.add_list(k.original_markers, root["original_markers"], "original_markers")) return false;
  if (!l.add_list(k.recipient_lines, root["recipient_lines"], "recipient_lines")) return false;
  if (!l.add_list(k.boilerplate, root["boilerplate"], "boilerplate")) return false;
  if (!l.add_list(k.recipient_sections, root["recipient_sections"], "recipient_sections")) return false;
  if (!l.add_list(k.block_ends, root["block_ends"], "block_ends")) return false;
  const auto prefixes = [](const YAML::Node& list, std::vector<std::string>& out) {
    for (const auto& p : list) out.push_back(text::lower(p.as<std::string>()));
  };
  for (const auto& c : root["smtp_reply_codes"]) {
    const int code = c.as<int>();
    if (code < 100 || code > 999) return l.fail("smtp_reply_codes: not a reply code");
    k.smtp_reply_codes.set(static_cast<std::size_t>(code));
  }
  prefixes(root["transcript"]["commands"], k.transcript_commands);
  prefixes(root["transcript"]["replies"], k.transcript_replies);
  prefixes(root["transcript"]["sessions"], k.transcript_sessions);
  for (const auto& marker : k.transcript_sessions) {
    std::string e;
    if (marker.empty() || !k.transcript_session_markers.add(RE2::QuoteMeta(marker), e))
      return l.fail("transcript sessions: \"" + marker + "\" " + (e.empty() ? "is empty" : e));
  }
  prefixes(root["reply_intros"], k.reply_intros);
  // classify.cpp finds the intros at the colons of a diagnostic (one memchr pass, not a
  // search per intro), so each must end with one.
  for (const auto& intro : k.reply_intros)
    if (intro.size() < 2 || intro.back() != ':') return l.fail("reply_intros: \"" + intro + "\" does not end with ':'");
  prefixes(root["reply_outros"], k.reply_outros);
  if (!l.add_list(k.delay_markers, root["delay_markers"], "delay_markers")) return false;
  if (!l.add_steps(k.commands, k.command_of, root["commands"], "commands")) return false;
  if (!l.add_steps(k.report_steps, k.report_step_of, root["report_steps"], "report_steps")) return false;
  if (!l.add_list(k.remote_hosts, root["remote_hosts"], "remote_hosts")) return false;
  for (std::size_t i = 0; i < k.remote_hosts.size(); ++i) {
    const auto& names = k.remote_hosts.regex(static_cast<int>(i)).NamedCapturingGroups();
    knowledge::host_groups g;
    if (const auto it = names.find("host"); it != names.end()) g.host = it->second;
    if (const auto it = names.find("ip"); it != names.end()) g.ip = it->second;
    k.remote_host_groups.push_back(g);
  }
  const auto vac = root["vacation"];
  if (vac) {
    if (!l.add_list(k.vacation_subjects, vac["subjects"], "vacation.subjects")) return false;
    if (!l.add_list(k.reply_subjects, vac["reply_subjects"], "vacation.reply_subjects")) return false;
    for (const auto& h : vac["headers"]) {
      RE2::Options o;
      o.set_case_sensitive(false);
      o.set_log_errors(false);
      auto re = std::make_unique<RE2>(h["match"].as<std::string>(), o);
      if (!re->ok()) return l.fail("vacation.headers: " + re->error());
      k.vacation_headers.emplace_back(h["name"].as<std::string>(), std::move(re));
    }
  }
  for (const auto& f : root["feedback"]) {
    RE2::Options o;
    o.set_case_sensitive(false);
    o.set_log_errors(false);
    knowledge::feedback_rule rule;
    rule.where = f["where"].as<std::string>();
    rule.name = f["name"].as<std::string>("");
    rule.match = std::make_unique<RE2>(f["match"].as<std::string>(), o);
    rule.type = f["type"].as<std::string>();
    if (!rule.match->ok()) return l.fail("feedback: " + rule.match->error());
    k.feedback_rules.push_back(std::move(rule));
  }
  if (!l.add_list(k.bounce_senders, root["bounce_senders"], "bounce_senders")) return false;
  // Headers to decode, by where they are read. A name is added once, lower case.
  const auto add = [](std::vector<std::string>& list, std::string name) {
    name = text::lower(name);
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(std::move(name));
  };
  // The bounce's own header: parse.cpp reads From, To, Subject, Date, X-Failed-Recipients,
  // Return-Path and Auto-Submitted (whether it says it is a report at all), In-Reply-To and
  // References (whether an auto-generated message is a reply), the family,
  // vacation and complaint rules the headers they name.
  for (const char* name : {"from", "to", "subject", "date", "x-failed-recipients", "return-path", "auto-submitted",
                           "in-reply-to", "references"})
    add(k.top_headers_read, name);
  for (const auto& f : k.family_of)
    for (const auto& h : f.headers) add(k.top_headers_read, h);
  for (const auto& [name, re] : k.vacation_headers) add(k.top_headers_read, name);
  // The returned message's header (an embedded message/rfc822): the listed ones
  // (formats.yaml headers_read; parse.cpp's fill_original reads From, To, Subject,
  // Message-ID, Date and Received), the complaint rules' own and X-HmXmrOriginalRecipient
  // (Hotmail JMRP names the complainer there). Its DKIM signatures, ARC sets and vendor
  // headers are never unfolded.
  for (const auto& h : root["headers_read"]) add(k.original_headers_read, h.as<std::string>());
  for (const char* name : {"from", "to", "subject", "message-id", "date", "received", "x-hmxmroriginalrecipient"})
    add(k.original_headers_read, name);
  for (const auto& r : k.feedback_rules) {
    if (r.name.empty()) continue;
    if (r.where == "header") add(k.top_headers_read, r.name);
    if (r.where == "original") add(k.original_headers_read, r.name);
  }
  if (!l.add_list(k.bounce_subjects, root["bounce_subjects"], "bounce_subjects")) return false;
  if (!l.add_list(k.bare_name_lists, root["bare_name_lists"], "bare_name_lists")) return false;
  if (!l.add_list(k.forward_markers, root["forward_markers"], "forward_markers")) return false;
  for (const auto& field : root["forward_labels"])
    for (const auto& label : field.second) k.forward_label_of[text::lower(label.as<std::string>())] = field.first.as<std::string>();
  const auto& text = k.text_literals;
  const auto& diag = k.diagnostic_literals;
  return l.compile(k.families, "families", text) && l.compile(k.original_markers, "original_markers", text) &&
         l.compile(k.recipient_lines, "recipient_lines", text) && l.compile(k.boilerplate, "boilerplate", text) &&
         l.compile(k.recipient_sections, "recipient_sections", text) && l.compile(k.block_ends, "block_ends", text) &&
         l.compile(k.delay_markers, "delay_markers", text) && l.compile(k.report_steps, "report_steps", text) &&
         l.compile(k.transcript_session_markers, "transcript sessions", text) && l.compile(k.commands, "commands", diag) &&
         l.compile(k.remote_hosts, "remote_hosts", diag) && l.compile(k.vacation_subjects, "vacation.subjects") &&
         l.compile(k.reply_subjects, "vacation.reply_subjects") &&
         l.compile(k.bounce_senders, "bounce_senders") && l.compile(k.bounce_subjects, "bounce_subjects") &&
         l.compile(k.forward_markers, "forward_markers") && l.compile(k.bare_name_lists, "bare_name_lists");
}

bool load_reasons(const YAML::Node& root, knowledge& k, loader& l) {
  k.reason_text.many(true);  // about 900 expressions, read through FilteredRE2's tree
  for (const auto& entry : root["status"]) {
    knowledge::status_entry s;
    s.reason = entry.second["reason"].as<std::string>();
    s.strong = entry.second["strong"] ? entry.second["strong"].as<bool>() : false;
    if (entry.second["unless"])
      for (const auto& u : entry.second["unless"]) s.unless.push_back(u.as<std::string>());
    k.status[entry.first.as<std::string>()] = s;
  }
  for (const auto& group : root["patterns"]) {
    const std::string reason = group["reason"].as<std::string>();
    for (const auto& rule : group["rules"]) {
      const std::string subcause = rule["subcause"] ? rule["subcause"].as<std::string>() : "";
      const bool generic = rule["generic"] ? rule["generic"].as<bool>() : false;
      const bool native = rule["native"] ? rule["native"].as<bool>() : false;
      for (const auto& m : rule["match"]) {
        std::string e;
        const std::string pattern = m.as<std::string>();
        if (!k.reason_text.add(pattern, e)) return l.fail("patterns " + reason + ": " + e);
        k.reason_of.push_back({reason, subcause, pattern, generic, native});
      }
    }
  }
  for (const auto& rc : root["reply_codes"]) k.reply_codes[rc.first.as<int>()] = rc.second.as<std::string>();
  for (const auto& f : root["family_reasons"]) k.family_reasons[f.first.as<std::string>()] = f.second.as<std::string>();
  for (const auto& f : root["family_patterns"]) {
    RE2::Options o;
    o.set_case_sensitive(false);
    o.set_log_errors(false);
    for (const auto& m : f["match"]) {
      knowledge::family_pattern fp;
      fp.family = f["family"].as<std::string>();
      fp.reason = f["reason"].as<std::string>();
      fp.where = f["where"] ? f["where"].as<std::string>() : "diagnostic";
      fp.pattern = m.as<std::string>();
      fp.match = std::make_unique<RE2>(fp.pattern, o);
      if (!fp.match->ok()) return l.fail("family_patterns " + fp.family + ": " + fp.match->error());
      if (fp.where != "diagnostic" && fp.where != "report") return l.fail("family_patterns: where must be diagnostic or report");
      k.family_patterns.push_back(std::move(fp));
    }
  }
  for (const auto& d : root["diagnostic_types"]) {
    knowledge::diagnostic_type_rule rule;
    rule.reason = d.second["reason"].as<std::string>();
    for (const auto& o : d.second["over_text"]) rule.over_text.push_back(o.as<std::string>());
    k.diagnostic_types[text::lower(d.first.as<std::string>())] = std::move(rule);
  }
  for (const auto& c : root["command_required"]) {
    knowledge::command_rule rule;
    rule.command = command_from_name(c.second["command"].as<std::string>());
    rule.otherwise = c.second["otherwise"].as<std::string>();
    for (const auto& r : c.second["not_from_status"]) rule.not_from_status.push_back(r.as<std::string>());
    if (rule.command == smtp_command::unknown) return l.fail("command_required: unknown command");
    k.command_required[c.first.as<std::string>()] = std::move(rule);
  }
  if (!l.add_list(k.temporary_words, root["temporary_words"], "temporary_words")) return false;
  for (const auto& p : root["providers"]) {
    const std::string name = p["name"].as<std::string>();
    for (const auto& h : p["hosts"]) k.provider_hosts[name].push_back(text::lower(h.as<std::string>()));
    for (const auto& h : p["pages"]) k.provider_pages[name].push_back(text::lower(h.as<std::string>()));
    for (const auto& r : p["rules"]) {
      knowledge::provider_rule rule;
      rule.provider = name;
      rule.pattern = r["match"].as<std::string>();
      rule.reason = r["reason"].as<std::string>();
      if (r["command"]) {
        rule.command = command_from_name(r["command"].as<std::string>());
        if (rule.command == smtp_command::unknown) return l.fail("providers " + name + ": unknown command");
      }
      if (r["status"]) rule.status = r["status"].as<std::string>();
      if (r["subcause"]) rule.subcause = r["subcause"].as<std::string>();
      if (r["refusing_host_only"]) rule.refusing_host_only = r["refusing_host_only"].as<bool>();
      // Compiled once, by provider_text (same options); `match` points there after loading.
      std::string e;
      if (!k.provider_text.add(rule.pattern, e)) return l.fail("providers " + name + ": " + e);
      k.provider_rules.push_back(std::move(rule));
    }
  }
  for (const auto& c : root["commands"])
    k.command_reasons[command_from_name(c.first.as<std::string>())] = c.second.as<std::string>();
  const auto hints = root["hints"];
  if (!l.add_list(k.hint_zone, hints["dnsbl_zone"], "hints.dnsbl_zone")) return false;
  for (const auto& u : hints["dnsbl_url"]) {
    std::string e;
    if (!k.hint_zone_url.add(u["match"].as<std::string>(), e)) return l.fail("hints.dnsbl_url: " + e);
    k.zone_of_url.push_back({u["zone"].as<std::string>()});
  }
  if (!l.add_list(k.hint_client_ip, hints["client_ip"], "hints.client_ip")) return false;
  for (const auto& s : hints["size_limit"]) {
    std::string e;
    if (!k.hint_size.add(s["match"].as<std::string>(), e)) return l.fail("hints.size_limit: " + e);
    k.size_of.push_back({s["unit"] ? s["unit"].as<std::uint64_t>() : 1});
  }
  if (!l.add_list(k.hint_connection, hints["connection_level"], "hints.connection_level")) return false;
  for (const auto& r : hints["for"]["dnsbl_zone"]) k.hint_zone_reasons.push_back(r.as<std::string>());
  for (const auto& r : hints["for"]["client_ip"]) k.hint_client_ip_reasons.push_back(r.as<std::string>());
  for (const auto& r : hints["for"]["size_limit"]) k.hint_size_reasons.push_back(r.as<std::string>());
  for (const auto& r : root["hard"]["always"]) k.hard_reasons.push_back(r.as<std::string>());
  const auto& diag = k.diagnostic_literals;
  if (!(l.compile(k.reason_text, "patterns", diag) && l.compile(k.hint_zone, "hints.dnsbl_zone", diag) &&
        l.compile(k.hint_zone_url, "hints.dnsbl_url", diag) && l.compile(k.hint_client_ip, "hints.client_ip", diag) &&
        l.compile(k.hint_size, "hints.size_limit", diag) &&
        l.compile(k.hint_connection, "hints.connection_level", diag) && l.compile(k.provider_text, "providers", diag) &&
        l.compile(k.temporary_words, "temporary_words")))
    return false;
  for (std::size_t i = 0; i < k.provider_rules.size(); ++i) k.provider_rules[i].match = &k.provider_text.regex(static_cast<int>(i));
  return true;
}

bool load_advice(const YAML::Node& root, knowledge& k, loader& l) {
  for (const auto& entry : root["advice"]) {
    const std::string key = entry.first.as<std::string>();
    for (const auto& lang : entry.second) {
      advice a;
      a.what = lang.second["what"].as<std::string>("");
      a.side = lang.second["side"].as<std::string>("");
      a.action = lang.second["action"].as<std::string>("");
      if (a.side != "sender" && a.side != "recipient" && a.side != "network" && a.side != "none")
        return l.fail("advice " + key + ": side must be sender, recipient, network or none");
      k.advice_texts[key][lang.first.as<std::string>()] = a;
    }
  }
  for (const auto& lang : root["reason_names"])
    for (const auto& name : lang.second)
      k.reason_names[lang.first.as<std::string>()][name.first.as<std::string>()] = name.second.as<std::string>();
  // A reason with advice and no Chinese name would print its bare identifier in Chinese text.
  for (const auto& [key, texts] : k.advice_texts) {
    if (key.find('/') != std::string::npos || !texts.contains("zh")) continue;
    const auto zh = k.reason_names.find("zh");
    if (zh == k.reason_names.end() || !zh->second.contains(key))
      return l.fail("reason_names.zh lacks a name for " + key);
  }
  return true;
}

// Reads the three files into a fresh knowledge; with `fast`, through libyaml
// (reports/yaml_tree), else through yaml-cpp's own parser.
knowledge_result load_with(const std::filesystem::path& data_dir, bool fast) {
  auto k = std::make_shared<knowledge>();
  knowledge_result result;
  const std::pair<const char*, bool (*)(const YAML::Node&, knowledge&, loader&)> files[] = {
      {"formats.yaml", load_formats}, {"reasons.yaml", load_reasons}, {"advice.yaml", load_advice}};
  for (const auto& [name, fn] : files) {
    loader l{(data_dir / name).string(), {}};
    try {
      YAML::Node root;
      if (fast) {
        std::optional<YAML::Node> read = read_yaml_file(l.file, result.error);
        if (!read) return result;
        root = std::move(*read);
      } else {
        root = YAML::LoadFile(l.file);
      }
      if (!fn(root, *k, l)) {
        result.error = l.error;
        return result;
      }
    } catch (const YAML::Exception& e) {
      result.error = l.file + ": " + e.what();
      return result;
    }
  }
  k->text_literals->compile();
  k->diagnostic_literals->compile();
  result.value = std::move(k);
  return result;
}

}  // namespace

knowledge_result load_knowledge(const std::filesystem::path& data_dir) {
  // libyaml reads the files (yaml-cpp's parser cost about 100M instructions, a fifth of
  // a one-file run); on any failure the files are read again by yaml-cpp's own parser,
  // which decides and words the error as before (with its line and column).
  knowledge_result fast = load_with(data_dir, true);
  if (fast.value) return fast;
  return load_with(data_dir, false);
}

std::string reason_name(const knowledge& k, std::string_view reason, std::string_view lang) {
  const auto names = k.reason_names.find(lang);
  if (names == k.reason_names.end()) return {};
  const auto name = names->second.find(reason);
  return name == names->second.end() ? std::string() : name->second;
}

std::optional<advice> advice_for(const knowledge& k, std::string_view reason, std::string_view subcause,
                                 std::string_view lang) {
  auto pick = [&](const std::string& key) -> std::optional<advice> {
    const auto it = k.advice_texts.find(key);
    if (it == k.advice_texts.end()) return std::nullopt;
    auto l = it->second.find(std::string(lang));
    if (l == it->second.end()) l = it->second.find("en");
    if (l == it->second.end()) return std::nullopt;
    return l->second;
  };
  if (!subcause.empty())
    if (auto a = pick(std::string(reason) + "/" + std::string(subcause))) return a;
  return pick(std::string(reason));
}

}  // namespace reports
