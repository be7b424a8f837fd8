#pragma once
// DNSBL lookups: is this IP address or domain listed, by which lists, and why?
//
// Promise:
// - Every selected list ends in exactly one `rbl::outcome`, and the outcomes stay apart:
//   a listing is never confused with a list's error code, a timeout never reads as "not
//   listed", an answer outside 127.0.0.0/8 is "bogus", and a list that lists its own
//   negative test point (a wildcard, as dead lists do) is "unhealthy" and its answer is
//   discarded with a warning (RFC 5782 §5).
// - All lists are asked concurrently; each list (its health check, A and TXT lookups)
//   finishes within its own timeout whatever the DNS source does (rbl/timed_query.hpp),
//   so one slow list never delays the report beyond that timeout. At most
//   `max_concurrent_lists` list checks run at once per checker (a batch of thousands of
//   targets queues instead of flooding the DNS); a list's timeout starts with its turn.
// - Zone health is checked once per zone and address family for the checker's lifetime
//   and shared by every check that needs it (correlation checks many bounces per run).
// - Never throws for DNS outcomes. Server-controlled text (TXT) is kept bounded but raw:
//   print it through probe::printable().
//
// Threading: one checker per io_context, used from its thread. Lifetime: the source and
// the catalogue must outlive the checker and every check it started.

#include "dns/source.hpp"
#include "rbl/catalogue.hpp"
#include "rbl/target.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace rbl {

enum class outcome {
  listed,      // A records in 127/8 that are not error codes (for an allowlist: allowlisted)
  not_listed,  // NXDOMAIN (or NODATA)
  list_error,  // the list answered one of its error codes (refused resolver, bad zone…)
  unknown,     // timeout, SERVFAIL, REFUSED: nothing learnt
  bogus,       // an answer outside 127.0.0.0/8: the list is broken
  unhealthy,   // the list failed its RFC 5782 §5 health check (wildcard, broken): answer discarded
  dead,        // the catalogue says the list no longer exists; not asked (unless --all)
  skipped,     // not asked: needs a key, or does not take this kind of target
};
std::string_view to_string(outcome o);

enum class health_state {
  healthy,        // listed test point listed, unlisted one not
  not_checked,    // not asked (the list was not queried)
  no_test_point,  // the listed test point is not listed: list empty, dead, or not RFC 5782
  unknown,        // a test point lookup failed (timeout, SERVFAIL)
  refused,        // a test point answered an error code (the list refuses this resolver)
  broken,         // a test point answered outside 127.0.0.0/8
  wildcard,       // the unlisted test point is listed: the list answers "listed" to everything
};
std::string_view to_string(health_state h);

// rbl::phrase (rbl/target.hpp): a text of this module as a key of output_words.yaml.
struct zone_health {
  health_state state = health_state::not_checked;
  std::string detail;                 // what was seen, in words
  phrase detail_said;                 // `detail` as a phrase
  std::string listed_point, unlisted_point;  // the test points asked ("127.0.0.2")
  dns::answer listed_answer, unlisted_answer;
};

struct check_options {
  std::chrono::milliseconds timeout{3000};  // per list: health check, A and TXT together
  bool include_all = false;                 // --all: also dead, keyed and non-default lists
  std::string dqs_key;                      // fills {key} in keyed zones
  bool fetch_txt = true;                    // TXT for listings and error codes
  std::size_t max_txt_records = 8;          // hostile input bounds
  std::size_t max_txt_bytes = 512;
  std::size_t max_codes = 16;
  // List checks in flight at once, over every check() of this checker: DNSBL operators
  // rate-limit, and a burst of thousands of queries overflows resolvers and forwarders
  // (dnsmasq forwards 150 at a time) so that everything times out. A list's timeout
  // starts when it gets its slot.
  std::size_t max_concurrent_lists = 64;
};

// A list chosen for a check, with the zone to ask (a zone named by the user may be an
// alias or a sub-zone of the catalogue entry that explains its codes).
struct selected_list {
  // The catalogue's entry (not owned: the catalogue outlives the check), or a raw zone's.
  std::shared_ptr<const list_entry> entry;
  const list_entry& list() const { return *entry; }
  std::string query_zone;    // what is asked (key filled in); empty when the key is missing
  std::string display_zone;  // what is shown (key masked)
  std::string requested_as;  // the --zones item, or "default"
};

struct selection_error {
  std::string what;
};

// The lists to ask about `t`: `zones` empty → the catalogue's defaults for this kind of
// target (with --all every list that takes it); otherwise each item is a catalogue name,
// a zone the catalogue knows (exact, alias, keyed, covered suffix), or a raw zone.
std::variant<std::vector<selected_list>, selection_error> select_lists(const catalogue& lists, const target& t,
                                                                      const std::vector<std::string>& zones,
                                                                      const check_options& options);

// One decoded A record, as the list's code table told it (rbl/codes.hpp): a consumer shows
// `meaning` or `meaning_zh` by language without the catalogue.
struct code_hit {
  std::string address;  // "127.0.0.2"
  code_class kind = code_class::listing;
  std::string name;     // "SBL"
  std::string meaning;
  bool documented = false;
  localized_text advice;
  // `meaning` in Chinese. decode_answer() always fills it; a hit built by hand may leave
  // it out (hence last, with an initializer: -Wmissing-field-initializers) and is then
  // shown in English.
  std::string meaning_zh{};
};

struct listing {
  std::string list_name;     // catalogue name, or the zone for raw zones
  std::string title;
  std::string zone;          // display form (key masked)
  std::string query_name;    // display form (key masked); empty when not asked
  bool in_catalogue = true;
  list_role role = list_role::block;
  list_status status = list_status::active;
  std::string dead_since;
  outcome result = outcome::skipped;
  std::vector<code_hit> codes;      // decoded A records (listed, error or bogus)
  std::vector<std::string> txt;     // reasons the list gives, bounded, raw (print via printable)
  std::string detail;               // one line: why skipped, which failure, what was discarded
  phrase detail_said;               // `detail` as a phrase
  std::vector<std::string> warnings;
  std::vector<phrase> warnings_said;  // warnings[i] as a phrase (same length)
  zone_health health;                // state and detail; the test point answers stay in the checker's cache
  dns::answer a_answer, txt_answer;  // evidence (qname shows the key: do not print it)
  std::string removal_page, lookup_page;
  std::chrono::milliseconds elapsed{0};

  bool blocks() const { return result == outcome::listed && role == list_role::block; }
  bool allowlisted() const { return result == outcome::listed && role == list_role::allow; }
  // Asked but nothing definite learnt (unknown, list error, bogus, unhealthy).
  bool inconclusive() const;
};

class checker {
 public:
  checker(dns::source& source, const catalogue& lists, check_options options = {});
  checker(const checker&) = delete;
  checker& operator=(const checker&) = delete;
  ~checker();

  // One listing per selected list, in selection order. Completes within the longest
  // per-list timeout (plus scheduling), whatever the source does.
  boost::asio::awaitable<std::vector<listing>> check_selected(target t, std::vector<selected_list> lists);
  boost::asio::awaitable<listing> check_one(target t, selected_list list);
  // Selects (see select_lists) and checks; selection errors come back as the variant.
  boost::asio::awaitable<std::variant<std::vector<listing>, selection_error>> check(
      target t, std::vector<std::string> zones);

  // RFC 5782 §5 for one zone and family (ip4, ip6 or domain), cached for the checker's life.
  boost::asio::awaitable<zone_health> health(const selected_list& list, list_kind family,
                                             std::chrono::steady_clock::time_point deadline);

  const catalogue& lists() const { return lists_; }
  const check_options& options() const { return options_; }
  std::size_t health_checks_run() const { return health_checks_run_; }

 private:
  struct health_slot;
  boost::asio::awaitable<void> acquire_turn();
  void release_turn();

  dns::source& source_;
  const catalogue& lists_;
  check_options options_;
  std::map<std::string, std::shared_ptr<health_slot>> health_cache_;
  std::size_t health_checks_run_ = 0;
  std::size_t lists_in_flight_ = 0;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiting_for_turn_;
};

// Decodes an A answer with a list's code table (bounded by max_codes).
std::vector<code_hit> decode_answer(const list_entry& list, const dns::answer& a, std::size_t max_codes = 16);

}  // namespace rbl
