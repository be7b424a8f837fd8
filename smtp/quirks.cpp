#include "smtp/quirks.hpp"

#include "smtp/text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace smtp {

checked<quirk_table> quirk_table::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return checked<quirk_table>::fail("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return load_text(text.str(), path);
}

checked<quirk_table> quirk_table::load_text(const std::string& yaml, const std::string& origin) {
  using result = checked<quirk_table>;
  quirk_table out;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return result::fail(origin + ": " + e.what());
  }
  const auto providers = root["providers"];
  if (!providers || !providers.IsSequence()) return result::fail(origin + ": no \"providers\" list");
  try {
    for (const auto& node : providers) {
      provider_quirk provider;
      provider.name = node["name"].as<std::string>("");
      const std::string where = origin + ": provider \"" + provider.name + "\" (line " +
                                std::to_string(node.Mark().line + 1) + ")";
      if (provider.name.empty()) return result::fail(where + ": missing name");
      for (const auto& suffix : node["mx_suffixes"]) {
        std::string s = ascii_lower(suffix.as<std::string>());
        while (!s.empty() && s.front() == '.') s.erase(0, 1);
        while (!s.empty() && s.back() == '.') s.pop_back();
        if (s.empty()) return result::fail(where + ": empty MX suffix");
        provider.mx_suffixes.push_back(std::move(s));
      }
      if (provider.mx_suffixes.empty()) return result::fail(where + ": no mx_suffixes");
      for (const auto& r : node["rules"]) {
        quirk_rule rule;
        const auto when = r["when"];
        if (!when || !when.IsMap()) return result::fail(where + ": a rule has no \"when\"");
        if (auto problem = parse_condition(&when, rule.when); !problem.empty())
          return result::fail(where + ": " + problem);
        for (const auto& state : r["catch_all"]) {
          const auto parsed = catch_all_state_from(state.as<std::string>());
          if (!parsed) return result::fail(where + ": unknown catch_all state \"" + state.as<std::string>() + "\"");
          rule.catch_all.push_back(*parsed);
        }
        const auto result_name = r["verdict"].as<std::string>("");
        const auto parsed = verdict_from(result_name);
        if (!parsed) return result::fail(where + ": unknown verdict \"" + result_name + "\"");
        rule.result = *parsed;
        if (const auto exists = r["mailbox_exists"]) rule.mailbox_exists = exists.as<bool>();
        rule.reason = r["reason"].as<std::string>("");
        if (rule.reason.empty()) return result::fail(where + ": a rule has no reason");
        rule.reason_zh = r["reason_zh"].as<std::string>("");
        if (rule.reason_zh.empty()) return result::fail(where + ": a rule has no reason_zh (its reason in Chinese)");
        provider.rules.push_back(std::move(rule));
      }
      out.providers_.push_back(std::move(provider));
    }
  } catch (const YAML::Exception& e) {
    return result::fail(origin + ": " + e.what());
  }
  return result::ok(std::move(out));
}

const provider_quirk* quirk_table::provider_for(std::string_view mx_host, std::string* matched_suffix) const {
  std::string host = ascii_lower(mx_host);
  if (!host.empty() && host.back() == '.') host.pop_back();
  const provider_quirk* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& provider : providers_) {
    for (const auto& suffix : provider.mx_suffixes) {
      if (suffix.size() > best_length && is_same_or_subdomain(host, suffix)) {
        best = &provider;
        best_length = suffix.size();
        if (matched_suffix) *matched_suffix = suffix;
      }
    }
  }
  return best;
}

std::optional<quirk_match> quirk_table::match(std::string_view mx_host, const reply& rcpt, reply_meaning meaning,
                                              std::optional<catch_all_state> catch_all) const {
  std::string suffix;
  const provider_quirk* provider = provider_for(mx_host, &suffix);
  if (provider == nullptr) return std::nullopt;
  for (const auto& rule : provider->rules) {
    if (!rule.when.matches(rcpt, meaning)) continue;
    if (!rule.catch_all.empty()) {
      if (!catch_all) continue;
      if (std::find(rule.catch_all.begin(), rule.catch_all.end(), *catch_all) == rule.catch_all.end()) continue;
    }
    return quirk_match{provider->name, suffix, rule.result, rule.mailbox_exists, rule.reason, rule.reason_zh};
  }
  return std::nullopt;
}

}  // namespace smtp
