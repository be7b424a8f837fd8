#include "rbl/catalogue.hpp"

#include "dns/answer.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace rbl {
namespace {

// A malformed entry: caught once at the top of parse() and turned into a load_error.
struct bad_entry {
  std::string what;
};

std::string text_of(const YAML::Node& node, const char* key, std::string fallback = {}) {
  const auto child = node[key];
  if (!child) return fallback;
  if (!child.IsScalar()) throw bad_entry{std::string("'") + key + "' must be a string"};
  return child.as<std::string>();
}

bool flag_of(const YAML::Node& node, const char* key, bool fallback) {
  const auto child = node[key];
  if (!child) return fallback;
  try {
    return child.as<bool>();
  } catch (const YAML::Exception&) {
    throw bad_entry{std::string("'") + key + "' must be true or false"};
  }
}

std::vector<std::string> names_of(const YAML::Node& node, const char* key) {
  std::vector<std::string> out;
  const auto child = node[key];
  if (!child) return out;
  if (!child.IsSequence()) throw bad_entry{std::string("'") + key + "' must be a list"};
  for (const auto& item : child) out.push_back(dns::normalize_name(item.as<std::string>()));
  return out;
}

address_range range_of(const YAML::Node& node) {
  const auto text = text_of(node, "match");
  const auto range = address_range::parse(text);
  if (!range) throw bad_entry{"bad code range '" + text + "'"};
  return *range;
}

localized_text localized_of(const YAML::Node& node) {
  localized_text out;
  if (!node) return out;
  if (node.IsScalar()) {
    out.en = node.as<std::string>();
    return out;
  }
  out.en = text_of(node, "en");
  out.zh = text_of(node, "zh");
  return out;
}

template <typename Enum>
Enum enum_of(const YAML::Node& node, const char* key, std::initializer_list<std::pair<const char*, Enum>> values,
             Enum fallback) {
  const auto child = node[key];
  if (!child) return fallback;
  const auto text = child.as<std::string>();
  for (const auto& [spelling, value] : values)
    if (text == spelling) return value;
  throw bad_entry{std::string("unknown ") + key + " '" + text + "'"};
}

std::optional<test_point_pair> test_pair_of(const YAML::Node& node) {
  if (!node) return std::nullopt;
  test_point_pair out{text_of(node, "listed"), text_of(node, "unlisted")};
  if (out.listed == "none") out.listed.clear();
  if (out.unlisted == "none") out.unlisted.clear();
  return out;
}

// The Chinese meaning beside an English one; `what` names the entry ("code 127.0.0.2").
std::string meaning_zh_of(const YAML::Node& node, const std::string& what) {
  auto text = text_of(node, "meaning_zh");
  if (text.empty()) throw bad_entry{what + ": missing 'meaning_zh' (the Chinese of its meaning)"};
  return text;
}

std::map<int, std::string> octet_map_of(const YAML::Node& node) {
  std::map<int, std::string> out;
  if (!node) return out;
  if (!node.IsMap()) throw bad_entry{"octets: a map of octet values to meanings expected"};
  for (const auto& kv : node) out[kv.first.as<int>()] = kv.second.as<std::string>();
  return out;
}

// One octet's meanings from its English map and its Chinese one, which must give every value.
std::map<int, octet_meaning> octet_meanings_of(const YAML::Node& octets, const char* key, const char* key_zh) {
  const auto en = octet_map_of(octets[key]);
  auto zh = octet_map_of(octets[key_zh]);
  const bool same_keys = en.size() == zh.size() && std::equal(en.begin(), en.end(), zh.begin(), [](const auto& a, const auto& b) {
                           return a.first == b.first;
                         });
  if (!same_keys) throw bad_entry{std::string("octets: '") + key_zh + "' must give the Chinese of every value of '" + key + "'"};
  std::map<int, octet_meaning> out;
  for (const auto& [value, meaning] : en) out[value] = {meaning, std::move(zh[value])};
  return out;
}

code_table codes_of(const YAML::Node& node) {
  code_table out;
  for (const auto& c : node["codes"])
    out.codes.push_back({range_of(c), text_of(c, "name"), text_of(c, "meaning"), meaning_zh_of(c, "code " + text_of(c, "match"))});
  for (const auto& b : node["bitmask"]) {
    const int bit = b["bit"].as<int>();
    if (bit <= 0 || bit > 255 || (bit & (bit - 1)) != 0)
      throw bad_entry{"bitmask bit " + std::to_string(bit) + " is not a single bit of the last octet"};
    out.bitmask.push_back({static_cast<std::uint8_t>(bit), text_of(b, "name"), text_of(b, "meaning"),
                           meaning_zh_of(b, "bitmask bit " + std::to_string(bit))});
  }
  if (const auto octets = node["octets"]) {
    out.octets.third = octet_meanings_of(octets, "third", "third_zh");
    out.octets.fourth = octet_meanings_of(octets, "fourth", "fourth_zh");
  }
  for (const auto& e : node["errors"])
    out.errors.push_back({range_of(e), text_of(e, "meaning"), meaning_zh_of(e, "error " + text_of(e, "match")),
                          localized_of(e["advice"])});
  return out;
}

list_entry entry_of(const YAML::Node& node) {
  list_entry e;
  e.name = text_of(node, "name");
  if (e.name.empty()) throw bad_entry{"missing 'name'"};
  e.title = text_of(node, "title", e.name);
  e.operator_name = text_of(node, "operator");
  e.zone = dns::normalize_name(text_of(node, "zone"));
  if (e.zone.empty()) throw bad_entry{"missing 'zone'"};
  e.aliases = names_of(node, "aliases");
  e.covers = names_of(node, "covers");
  e.kind = enum_of<list_kind>(node, "kind",
                              {{"ip4", list_kind::ip4}, {"ip6", list_kind::ip6}, {"ip", list_kind::ip},
                               {"domain", list_kind::domain}},
                              list_kind::ip4);
  e.role = enum_of<list_role>(node, "role", {{"block", list_role::block}, {"allow", list_role::allow}},
                              list_role::block);
  e.status = enum_of<list_status>(node, "status", {{"active", list_status::active}, {"dead", list_status::dead}},
                                  list_status::active);
  e.key = text_of(node, "key");
  e.access = enum_of<list_access>(node, "access",
                                  {{"open", list_access::open}, {"key", list_access::key},
                                   {"registered-resolver", list_access::registered_resolver}},
                                  e.key.empty() ? list_access::open : list_access::key);
  const bool zone_has_key = e.zone.find("{key}") != std::string::npos;
  if (zone_has_key != !e.key.empty()) throw bad_entry{"'key' and a {key} placeholder in 'zone' go together"};
  e.dead_since = text_of(node, "dead_since");
  e.default_query = flag_of(node, "default", false);
  e.superseded_by_key = text_of(node, "superseded_by_key");
  e.own_test_points = test_pair_of(node["test_points"]);
  e.codes = codes_of(node);
  e.removal_page = text_of(node, "removal");
  e.lookup_page = text_of(node, "lookup");
  e.notes = text_of(node, "notes");
  const auto checked_zone = zone_has_key ? e.zone_with_key("key") : e.zone;
  if (!valid_zone_name(checked_zone)) throw bad_entry{"zone '" + e.zone + "' is not a valid DNS name"};
  return e;
}

bool ends_with_label(std::string_view name, std::string_view suffix) {
  if (name == suffix) return true;
  return name.size() > suffix.size() && name.ends_with(suffix) && name[name.size() - suffix.size() - 1] == '.';
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

std::string_view to_string(list_kind kind) {
  switch (kind) {
    case list_kind::ip4: return "ip4";
    case list_kind::ip6: return "ip6";
    case list_kind::ip: return "ip";
    case list_kind::domain: return "domain";
  }
  return "ip4";
}

std::string_view to_string(list_role role) { return role == list_role::allow ? "allow" : "block"; }
std::string_view to_string(list_status status) { return status == list_status::dead ? "dead" : "active"; }

std::string_view to_string(list_access access) {
  switch (access) {
    case list_access::open: return "open";
    case list_access::key: return "key";
    case list_access::registered_resolver: return "registered-resolver";
  }
  return "open";
}

bool list_entry::takes(bool ipv6_target, bool domain_target) const {
  if (!in_catalogue) return true;  // raw zones: RFC 5782 says nothing about families
  if (domain_target) return kind == list_kind::domain;
  if (kind == list_kind::domain) return false;
  if (ipv6_target) return kind == list_kind::ip6 || kind == list_kind::ip;
  return kind == list_kind::ip4 || kind == list_kind::ip;
}

std::string list_entry::zone_with_key(std::string_view key_value) const {
  if (key.empty()) return zone;
  if (key_value.empty()) return {};
  std::string out = zone;
  replace_all(out, "{key}", dns::normalize_name(key_value));
  return out;
}

std::string list_entry::display_zone() const {
  if (key.empty()) return zone;
  std::string out = zone;
  replace_all(out, "{key}", "<" + key + "-key>");
  return out;
}

std::string list_entry::lookup_page_for(std::string_view target) const {
  std::string out = lookup_page;
  replace_all(out, "{target}", target);
  return out;
}

std::variant<catalogue, load_error> catalogue::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return load_error{path.string() + ": cannot be read"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

std::variant<catalogue, load_error> catalogue::parse(std::string_view yaml_text, std::string_view origin) {
  const std::string where(origin);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return load_error{where + ": not valid YAML: " + e.what()};
  }
  if (!root.IsMap() || !root["lists"] || !root["lists"].IsSequence())
    return load_error{where + ": expected a map with a 'lists' sequence"};

  catalogue out;
  std::set<std::string> names;
  try {
    if (const auto points = root["test_points"]) {
      if (auto p = test_pair_of(points["ip4"])) out.test_points_.ip4 = *p;
      if (auto p = test_pair_of(points["ip6"])) out.test_points_.ip6 = *p;
      if (auto p = test_pair_of(points["domain"])) out.test_points_.domain = *p;
    }
  } catch (const bad_entry& e) {
    return load_error{where + ": test_points: " + e.what};
  } catch (const YAML::Exception& e) {
    return load_error{where + ": test_points: " + e.what()};
  }
  std::size_t index = 0;
  for (const auto& node : root["lists"]) {
    ++index;
    const std::string label = "list " + std::to_string(index) +
                              (node.IsMap() && node["name"] && node["name"].IsScalar()
                                   ? " (" + node["name"].as<std::string>() + ")"
                                   : std::string());
    try {
      if (!node.IsMap()) throw bad_entry{"not a map"};
      auto entry = entry_of(node);
      if (!names.insert(entry.name).second) throw bad_entry{"duplicate name"};
      out.lists_.push_back(std::move(entry));
    } catch (const bad_entry& e) {
      return load_error{where + ": " + label + ": " + e.what};
    } catch (const YAML::Exception& e) {
      return load_error{where + ": " + label + ": " + e.what()};
    }
  }
  for (const auto& list : out.lists_)
    if (!list.superseded_by_key.empty() && !out.find_name(list.superseded_by_key))
      return load_error{where + ": list " + list.name + ": superseded_by_key names unknown list '" +
                        list.superseded_by_key + "'"};
  return out;
}

test_point_pair catalogue::test_points_for(const list_entry& list, list_kind family) const {
  if (list.own_test_points) return *list.own_test_points;
  switch (family) {
    case list_kind::ip6: return test_points_.ip6;
    case list_kind::domain: return test_points_.domain;
    default: return test_points_.ip4;
  }
}

const list_entry* catalogue::find_name(std::string_view name) const {
  const auto key = dns::normalize_name(name);
  for (const auto& list : lists_)
    if (list.name == key) return &list;
  return nullptr;
}

const list_entry* catalogue::find_zone(std::string_view zone) const {
  const auto key = dns::normalize_name(zone);
  const list_entry* best = nullptr;
  std::size_t best_length = 0;
  const auto consider = [&](const list_entry& list, bool match, std::size_t length, bool exact) {
    // Longer matches win; an exact match beats a suffix match of the same length.
    const std::size_t weight = length * 2 + (exact ? 1 : 0);
    if (match && weight > best_length) {
      best = &list;
      best_length = weight;
    }
  };
  for (const auto& list : lists_) {
    if (list.key.empty()) {
      consider(list, key == list.zone, list.zone.size(), true);
    } else {
      // "{key}.zen.dq.spamhaus.net": any single label in place of the key.
      const auto tail = std::string_view(list.zone).substr(list.zone.find('}') + 1);
      const bool match = tail.starts_with('.') && key.size() > tail.size() && key.ends_with(tail) &&
                         key.find('.') == key.size() - tail.size();
      consider(list, match, key.size(), true);
    }
    for (const auto& alias : list.aliases) consider(list, key == alias, alias.size(), true);
    for (const auto& suffix : list.covers) consider(list, ends_with_label(key, suffix), suffix.size(), false);
  }
  return best;
}

const list_entry* catalogue::find(std::string_view name_or_zone) const {
  if (const auto* by_name = find_name(name_or_zone)) return by_name;
  return find_zone(name_or_zone);
}

list_entry catalogue::raw_zone(std::string_view zone, list_kind kind) {
  list_entry e;
  e.zone = dns::normalize_name(zone);
  e.name = e.zone;
  e.title = e.zone;
  e.kind = kind;
  e.in_catalogue = false;
  e.notes = "not in probe's catalogue: read with RFC 5782 conventions";
  return e;
}

bool valid_zone_name(std::string_view zone) {
  if (!zone.empty() && zone.back() == '.') zone.remove_suffix(1);
  if (zone.empty() || zone.size() > 253) return false;
  int labels = 0;
  std::size_t start = 0;
  while (start <= zone.size()) {
    auto end = zone.find('.', start);
    if (end == std::string_view::npos) end = zone.size();
    const auto label = zone.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_';
      if (!ok) return false;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

}  // namespace rbl
