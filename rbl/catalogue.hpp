#pragma once
// The DNSBL catalogue: what probe knows about each list, loaded from rbl/data/catalogue.yaml.
//
// Promise: a loaded catalogue is immutable and self-consistent (every list has a name, a
// zone, a kind; names are unique; code ranges parse). Loading never throws: a missing
// file or a malformed entry comes back as a load_error naming the entry. Lookups are
// case-insensitive and ignore a trailing dot.
//
// A zone not in the catalogue is still usable: `catalogue::raw_zone()` builds an entry
// with RFC 5782 conventions (any 127.0.0.0/8 answer is a listing; §5 test points).
//
// Every code, bitmask bit, error code and octet meaning has a Chinese text beside the
// English (`meaning_zh`, `third_zh`/`fourth_zh`); an entry without one is refused by
// name, so `probe rbl --lang zh` never falls back to English for a meaning the catalogue
// documents (what decode() says of answers no entry documents is in rbl/codes.cpp).
//
// Values only; no I/O after loading. Safe to share read-only between threads.

#include "rbl/codes.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rbl {

enum class list_kind {
  ip4,     // IPv4 addresses only
  ip6,     // IPv6 addresses only
  ip,      // both families (RFC 5782 §2.4 nibbles for IPv6)
  domain,  // domain names (RHSBL / URI lists, RFC 5782 §2.3)
};
std::string_view to_string(list_kind kind);

enum class list_role { block, allow };
std::string_view to_string(list_role role);

enum class list_status { active, dead };
std::string_view to_string(list_status status);

enum class list_access {
  open,                 // anyone may query (within the operator's fair-use limits)
  key,                  // needs a per-user key in the zone name (Spamhaus DQS)
  registered_resolver,  // answers only resolvers registered with the operator (Barracuda)
};
std::string_view to_string(list_access access);

// RFC 5782 §5 test points: one that must be listed and one that must not be.
// `listed` empty: the list publishes no listed test point (only the wildcard check runs).
struct test_point_pair {
  std::string listed;
  std::string unlisted;
};

struct test_points {
  test_point_pair ip4{"127.0.0.2", "127.0.0.1"};
  test_point_pair ip6{"::ffff:7f00:2", "::ffff:7f00:1"};
  test_point_pair domain{"test", "invalid"};
};

struct list_entry {
  std::string name;                  // catalogue name, e.g. "spamhaus-zen"; the zone for raw zones
  std::string title;                 // "Spamhaus ZEN"
  std::string operator_name;
  std::string zone;                  // "zen.spamhaus.org"; may hold "{key}"
  std::vector<std::string> aliases;  // other zones bounces cite for this list
  std::vector<std::string> covers;   // any zone under these suffixes belongs to this list
  list_kind kind = list_kind::ip4;
  list_role role = list_role::block;
  list_status status = list_status::active;
  list_access access = list_access::open;
  std::string key;                   // which key fills {key} ("dqs"); empty when none
  std::string dead_since;            // "2024-06"
  bool default_query = false;        // asked when the user names no zones
  std::string superseded_by_key;     // name of the keyed twin that replaces it when the key is given
  std::optional<test_point_pair> own_test_points;  // overrides the catalogue-wide pair for `kind`
  code_table codes;                  // English and Chinese meanings side by side
  std::string removal_page;
  std::string lookup_page;           // may hold "{target}"
  std::string notes;
  bool in_catalogue = true;          // false for raw zones

  bool takes(bool ipv6_target, bool domain_target) const;
  // The zone with the key filled in; empty when the list needs a key and none was given.
  std::string zone_with_key(std::string_view key_value) const;
  // The zone for display: the key is never shown ("<dqs-key>.zen.dq.spamhaus.net").
  std::string display_zone() const;
  std::string lookup_page_for(std::string_view target) const;
};

struct load_error {
  std::string what;  // "rbl/data/catalogue.yaml: list 4 (spamcop): bad code range '127.0.0'"
};

class catalogue {
 public:
  static std::variant<catalogue, load_error> load(const std::filesystem::path& path);
  static std::variant<catalogue, load_error> parse(std::string_view yaml_text, std::string_view origin);

  const std::vector<list_entry>& lists() const { return lists_; }
  const test_points& default_test_points() const { return test_points_; }
  test_point_pair test_points_for(const list_entry& list, list_kind family) const;

  const list_entry* find_name(std::string_view name) const;
  // The list a zone belongs to, as a bounce cites it: exact zone, alias, a keyed zone
  // ("KEY.zen.dq.spamhaus.net"), or a zone under a `covers` suffix
  // ("cblplus.anti-spam.org.cn", "spam.dnsbl.sorbs.net"). Longest match wins.
  const list_entry* find_zone(std::string_view zone) const;
  // A catalogue name, else a zone.
  const list_entry* find(std::string_view name_or_zone) const;

  // An entry for a zone the catalogue does not know (RFC 5782 conventions). `kind` is the
  // kind of target it will be asked about.
  static list_entry raw_zone(std::string_view zone, list_kind kind);

 private:
  std::vector<list_entry> lists_;
  test_points test_points_;
};

// True when `zone` is a syntactically usable DNS zone name: 2+ labels of letters, digits,
// '-' and '_', 1–63 bytes each, 253 bytes at most, no leading or trailing '-'.
bool valid_zone_name(std::string_view zone);

}  // namespace rbl
