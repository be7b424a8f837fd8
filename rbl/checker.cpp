#include "rbl/checker.hpp"

#include "rbl/timed_query.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>

namespace rbl {

namespace net = boost::asio;

namespace {

list_kind family_of(const target& t) {
  if (t.is_domain()) return list_kind::domain;
  return t.is_ipv6() ? list_kind::ip6 : list_kind::ip4;
}

std::string family_words(list_kind kind) {
  switch (kind) {
    case list_kind::ip4: return "IPv4 addresses only";
    case list_kind::ip6: return "IPv6 addresses only";
    case list_kind::ip: return "IP addresses only";
    case list_kind::domain: return "domain names only";
  }
  return "";
}

using dns::said::part;
using dns::said::value;
phrase said(std::string key, std::vector<phrase_value> values = {}) { return {"rbl.said." + key, std::move(values)}; }

// A failed lookup: the word is an identifier (names.dns_failure), and so is the resolver's
// detail (c-ares's text: a report names the common ones, names.resolver_detail).
phrase failure_said(const dns::answer& a) {
  std::string word;
  switch (a.result) {
    case dns::outcome::timeout: word = "timeout"; break;
    case dns::outcome::servfail: word = "SERVFAIL"; break;
    case dns::outcome::refused: word = "REFUSED"; break;
    case dns::outcome::malformed: word = "malformed answer"; break;
    default: word = std::string(dns::to_string(a.result)); break;
  }
  if (a.detail.empty()) return said("failure", {value("result", word, "dns_failure"), value("detail", "")});
  return said("failure", {value("result", word, "dns_failure"),
                          part("detail", said("resolver_detail", {value("detail", a.detail, "resolver_detail")}))});
}

std::string failure_words(const dns::answer& a) {
  return failure_said(a).values[0].text + (a.detail.empty() ? "" : " (" + a.detail + ")");
}

void set_detail(listing& l, std::string english, phrase p) {
  l.detail = std::move(english);
  l.detail_said = std::move(p);
}
void set_detail(zone_health& h, std::string english, phrase p) {
  h.detail = std::move(english);
  h.detail_said = std::move(p);
}
void warn(listing& l, std::string english, phrase p) {
  l.warnings.push_back(std::move(english));
  l.warnings_said.push_back(std::move(p));
}

// " (gone since 2014-03)" or nothing.
phrase_value gone_since(const std::string& since) {
  return since.empty() ? value("since", "") : part("since", said("gone_since", {value("date", since)}));
}

// The display form of a query name: the key label of a keyed zone is masked.
std::string masked(const std::string& name, const selected_list& list) {
  if (list.list().key.empty() || list.query_zone.empty() || list.query_zone == list.display_zone) return name;
  if (!name.ends_with(list.query_zone)) return name;
  return name.substr(0, name.size() - list.query_zone.size()) + list.display_zone;
}

std::string display_zone_for(const list_entry& entry, const std::string& zone_asked) {
  if (entry.key.empty()) return zone_asked;
  // The first label of a keyed zone is the key.
  const auto dot = zone_asked.find('.');
  return "<" + entry.key + "-key>" + (dot == std::string::npos ? std::string() : zone_asked.substr(dot));
}

bool contains_error(const std::vector<code_hit>& hits, std::string* meaning = nullptr) {
  for (const auto& h : hits)
    if (h.kind == code_class::error) {
      if (meaning) *meaning = h.address + ": " + h.meaning;
      return true;
    }
  return false;
}

bool contains_bogus(const std::vector<code_hit>& hits) {
  return std::any_of(hits.begin(), hits.end(), [](const code_hit& h) { return h.kind == code_class::bogus; });
}

std::string test_query_name(const std::string& point, list_kind family, const std::string& zone) {
  if (family == list_kind::domain) return dns::normalize_name(point) + "." + zone;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(point, ec);
  if (ec) return {};
  return dns::reverse_name(address, zone);
}

zone_health judge_health(const list_entry& list, zone_health h) {
  // Worst finding wins: wildcard > broken > refused > unknown > no test point > healthy.
  const auto unlisted_hits = decode_answer(list, h.unlisted_answer);
  const auto listed_hits = decode_answer(list, h.listed_answer);
  std::string error_meaning;
  if (h.unlisted_answer.ok() && !contains_bogus(unlisted_hits) && !contains_error(unlisted_hits)) {
    h.state = health_state::wildcard;
    set_detail(h,
               "the test point " + h.unlisted_point + " that must not be listed is listed (" +
                   unlisted_hits.front().address + "): the list answers \"listed\" to everything",
               said("health_wildcard", {value("point", h.unlisted_point), value("code", unlisted_hits.front().address)}));
  } else if (contains_bogus(unlisted_hits) || contains_bogus(listed_hits)) {
    h.state = health_state::broken;
    set_detail(h, "a test point answered outside 127.0.0.0/8: the list's domain no longer serves a DNSBL",
               said("health_broken"));
  } else if (contains_error(unlisted_hits, &error_meaning) || contains_error(listed_hits, &error_meaning)) {
    h.state = health_state::refused;
    set_detail(h, "the list answered its test points with an error code: " + error_meaning,
               said("health_error_code", {value("meaning", error_meaning)}));
  } else if ((!h.unlisted_point.empty() && !dns::is_answer(h.unlisted_answer.result)) ||
             (!h.listed_point.empty() && !dns::is_answer(h.listed_answer.result))) {
    h.state = health_state::unknown;
    const auto& failed = !dns::is_answer(h.unlisted_answer.result) && !h.unlisted_point.empty() ? h.unlisted_answer
                                                                                                : h.listed_answer;
    set_detail(h, "a test point lookup failed: " + failure_words(failed),
               said("health_lookup_failed", {part("failure", failure_said(failed))}));
  } else if (!h.listed_point.empty() && !h.listed_answer.ok()) {
    h.state = health_state::no_test_point;
    set_detail(h,
               "the test point " + h.listed_point +
                   " is not listed: the list may be empty, dead, or not follow RFC 5782 §5",
               said("health_no_test_point", {value("point", h.listed_point)}));
  } else {
    h.state = health_state::healthy;
    if (h.listed_point.empty())
      set_detail(h, "the unlisted test point " + h.unlisted_point + " is not listed",
                 said("health_unlisted_only", {value("point", h.unlisted_point)}));
    else
      set_detail(h, "test point " + h.listed_point + " listed, " + h.unlisted_point + " not",
                 said("healthy", {value("listed", h.listed_point), value("unlisted", h.unlisted_point)}));
  }
  return h;
}

}  // namespace

std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::listed: return "listed";
    case outcome::not_listed: return "not_listed";
    case outcome::list_error: return "list_error";
    case outcome::unknown: return "unknown";
    case outcome::bogus: return "bogus";
    case outcome::unhealthy: return "unhealthy";
    case outcome::dead: return "dead";
    case outcome::skipped: return "skipped";
  }
  return "unknown";
}

std::string_view to_string(health_state h) {
  switch (h) {
    case health_state::healthy: return "healthy";
    case health_state::not_checked: return "not_checked";
    case health_state::no_test_point: return "no_test_point";
    case health_state::unknown: return "unknown";
    case health_state::refused: return "refused";
    case health_state::broken: return "broken";
    case health_state::wildcard: return "wildcard";
  }
  return "unknown";
}

bool listing::inconclusive() const {
  return result == outcome::unknown || result == outcome::list_error || result == outcome::bogus ||
         result == outcome::unhealthy;
}

std::vector<code_hit> decode_answer(const list_entry& list, const dns::answer& a, std::size_t max_codes) {
  std::vector<code_hit> out;
  if (!a.ok()) return out;
  for (const auto& rr : a.records) {
    if (out.size() >= max_codes) break;
    const auto* v4 = std::get_if<net::ip::address_v4>(&rr.data);
    if (v4 == nullptr) continue;
    const auto decoded = list.codes.decode(*v4);
    out.push_back({v4->to_string(), decoded.kind, decoded.name, decoded.meaning, decoded.documented, decoded.advice,
                   decoded.meaning_zh});
  }
  return out;
}

std::variant<std::vector<selected_list>, selection_error> select_lists(const catalogue& lists, const target& t,
                                                                      const std::vector<std::string>& zones,
                                                                      const check_options& options) {
  std::vector<selected_list> out;
  std::set<std::string> seen;
  const auto add = [&](const list_entry& entry, std::string zone_asked, std::string requested_as) {
    if (!seen.insert(zone_asked.empty() ? entry.name : zone_asked).second) return;
    selected_list s;
    s.entry = entry.in_catalogue ? std::shared_ptr<const list_entry>(std::shared_ptr<const void>{}, &entry)
                                 : std::make_shared<const list_entry>(entry);
    s.query_zone = std::move(zone_asked);
    s.display_zone = s.query_zone.empty() ? entry.display_zone() : display_zone_for(entry, s.query_zone);
    s.requested_as = std::move(requested_as);
    out.push_back(std::move(s));
  };

  if (zones.empty()) {
    const bool have_key = !options.dqs_key.empty();
    for (const auto& entry : lists.lists()) {
      if (!entry.takes(t.is_ipv6(), t.is_domain())) continue;
      if (!options.include_all) {
        if (!entry.default_query || entry.status == list_status::dead) continue;
        if (entry.access == list_access::key && !have_key) continue;
        if (have_key && !entry.superseded_by_key.empty()) continue;
      }
      add(entry, entry.zone_with_key(options.dqs_key), "default");
    }
    return out;
  }

  for (const auto& item : zones) {
    const auto name = dns::normalize_name(item);
    if (name.empty()) continue;
    if (const auto* by_name = lists.find_name(name)) {
      add(*by_name, by_name->zone_with_key(options.dqs_key), item);
      continue;
    }
    if (!valid_zone_name(name))
      return selection_error{"'" + item + "' is neither a list in the catalogue nor a valid zone name"};
    if (const auto* by_zone = lists.find_zone(name)) {
      add(*by_zone, name, item);
      continue;
    }
    add(catalogue::raw_zone(name, family_of(t)), name, item);
  }
  return out;
}

struct checker::health_slot {
  bool done = false;
  zone_health value;
  std::vector<net::steady_timer*> waiters;
};

checker::checker(dns::source& source, const catalogue& lists, check_options options)
    : source_(source), lists_(lists), options_(std::move(options)) {}

checker::~checker() = default;

net::awaitable<zone_health> checker::health(const selected_list& list, list_kind family,
                                            std::chrono::steady_clock::time_point deadline) {
  const auto key = list.query_zone + "|" + std::string(to_string(family));
  if (auto found = health_cache_.find(key); found != health_cache_.end()) {
    auto slot = found->second;
    if (!slot->done) {
      net::steady_timer wake(co_await net::this_coro::executor, deadline);
      slot->waiters.push_back(&wake);
      co_await wake.async_wait(net::as_tuple(net::use_awaitable));
      std::erase(slot->waiters, &wake);
    }
    if (slot->done) co_return slot->value;
    zone_health pending;
    pending.state = health_state::unknown;
    set_detail(pending, "the health check of this list did not finish within the timeout", said("health_pending"));
    co_return pending;
  }

  auto slot = std::make_shared<health_slot>();
  health_cache_[key] = slot;
  ++health_checks_run_;

  const auto points = lists_.test_points_for(list.list(), family == list_kind::ip ? list_kind::ip4 : family);
  zone_health h;
  h.listed_point = points.listed;
  h.unlisted_point = points.unlisted;
  const auto executor = co_await net::this_coro::executor;
  const auto listed_name = points.listed.empty() ? std::string() : test_query_name(points.listed, family, list.query_zone);
  const auto unlisted_name =
      points.unlisted.empty() ? std::string() : test_query_name(points.unlisted, family, list.query_zone);
  std::optional<pending_query> listed_query, unlisted_query;
  if (!listed_name.empty()) listed_query = pending_query::start(executor, source_, listed_name, dns::type::a);
  if (!unlisted_name.empty()) unlisted_query = pending_query::start(executor, source_, unlisted_name, dns::type::a);
  if (listed_query) h.listed_answer = co_await listed_query->wait_until(deadline);
  if (unlisted_query) h.unlisted_answer = co_await unlisted_query->wait_until(deadline);
  if (listed_name.empty()) h.listed_point.clear();
  if (unlisted_name.empty()) h.unlisted_point.clear();
  // Unasked test points count as answered (nothing to judge).
  if (h.listed_point.empty()) h.listed_answer.result = dns::outcome::nxdomain;
  if (h.unlisted_point.empty()) h.unlisted_answer.result = dns::outcome::nxdomain;
  h = judge_health(list.list(), std::move(h));

  // A failed health check is not worth keeping for the run: the next check may get through.
  if (h.state == health_state::unknown)
    health_cache_.erase(key);
  slot->value = h;
  slot->done = true;
  for (auto* waiter : slot->waiters) waiter->cancel();
  co_return h;
}

net::awaitable<void> checker::acquire_turn() {
  if (lists_in_flight_ < std::max<std::size_t>(options_.max_concurrent_lists, 1)) {
    ++lists_in_flight_;
    co_return;
  }
  // Wait until a finishing list hands its turn over (it cancels this timer).
  auto turn = std::make_shared<net::steady_timer>(co_await net::this_coro::executor, clock::time_point::max());
  waiting_for_turn_.push_back(turn);
  co_await turn->async_wait(net::as_tuple(net::use_awaitable));
}

void checker::release_turn() {
  if (waiting_for_turn_.empty()) {
    --lists_in_flight_;
    return;
  }
  // Hand the turn to the oldest waiter: lists_in_flight_ stays the same.
  auto next = std::move(waiting_for_turn_.front());
  waiting_for_turn_.pop_front();
  next->cancel();
}

net::awaitable<listing> checker::check_one(target t, selected_list selected) {
  const bool asks = selected.list().takes(t.is_ipv6(), t.is_domain()) && !selected.query_zone.empty() &&
                    (selected.list().status != list_status::dead || options_.include_all);
  if (asks) co_await acquire_turn();
  struct turn_guard {
    checker* owner;
    ~turn_guard() {
      if (owner) owner->release_turn();
    }
  } guard{asks ? this : nullptr};
  const auto started = clock::now();
  const auto deadline = started + options_.timeout;
  const auto& entry = selected.list();
  listing out;
  out.list_name = entry.name;
  out.title = entry.title;
  out.zone = selected.display_zone;
  out.in_catalogue = entry.in_catalogue;
  out.role = entry.role;
  out.status = entry.status;
  out.dead_since = entry.dead_since;
  out.removal_page = entry.removal_page;
  out.lookup_page = entry.lookup_page_for(t.text);
  const auto finish = [&](listing& l) {
    l.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
  };

  if (!entry.takes(t.is_ipv6(), t.is_domain())) {
    out.result = outcome::skipped;
    set_detail(out, "this list takes " + family_words(entry.kind), said("takes_" + std::string(to_string(entry.kind))));
    co_return out;
  }
  if (entry.status == list_status::dead && !options_.include_all) {
    out.result = outcome::dead;
    set_detail(out,
               "this list no longer exists" + (entry.dead_since.empty() ? "" : " (gone since " + entry.dead_since + ")") +
                   "; not asked (--all asks it anyway)",
               said("dead", {gone_since(entry.dead_since)}));
    co_return out;
  }
  if (selected.query_zone.empty()) {
    out.result = outcome::skipped;
    set_detail(out, "this list needs a key (--dqs-key)", said("needs_key"));
    co_return out;
  }
  if (entry.status == list_status::dead)
    warn(out,
         "this list no longer exists" +
             (entry.dead_since.empty() ? std::string() : " (gone since " + entry.dead_since + ")") +
             "; its answers mean nothing",
         said("dead_asked", {gone_since(entry.dead_since)}));

  const auto name = query_name(t, selected.query_zone);
  out.query_name = masked(name, selected);
  if (name.size() > 253) {
    out.result = outcome::unknown;
    set_detail(out, "the query name would exceed 253 bytes", said("name_too_long"));
    co_return out;
  }

  const auto executor = co_await net::this_coro::executor;
  auto a_query = pending_query::start(executor, source_, name, dns::type::a);
  out.health = co_await health(selected, family_of(t), deadline);
  // The test point answers are evidence of the zone, not of this target: kept once in the
  // health cache rather than in every listing of a batch.
  out.health.listed_answer = {};
  out.health.unlisted_answer = {};
  out.a_answer = co_await a_query.wait_until(deadline);

  const auto& a = out.a_answer;
  if (a.ok()) {
    out.codes = decode_answer(entry, a, options_.max_codes);
    if (out.codes.empty()) {
      out.result = outcome::unknown;
      set_detail(out, "the answer held no A record", said("no_a_record"));
    } else if (contains_bogus(out.codes)) {
      out.result = outcome::bogus;
      set_detail(out, "answered " + out.codes.front().address + ", outside 127.0.0.0/8: the list is broken",
                 said("bogus", {value("address", out.codes.front().address)}));
    } else if (contains_error(out.codes)) {
      out.result = outcome::list_error;
      for (const auto& c : out.codes)
        if (c.kind == code_class::error) {
          set_detail(out, c.meaning, said("text", {value("text", c.meaning)}));
          break;
        }
    } else {
      out.result = outcome::listed;
    }
  } else if (a.result == dns::outcome::nxdomain) {
    out.result = outcome::not_listed;
  } else if (a.result == dns::outcome::nodata) {
    out.result = outcome::not_listed;
    set_detail(out, "the name exists but has no A record (NODATA): not a listing", said("nodata"));
  } else {
    out.result = outcome::unknown;
    set_detail(out, failure_words(a), failure_said(a));
  }

  // RFC 5782 §5: a list that fails its health check cannot be believed either way.
  switch (out.health.state) {
    case health_state::wildcard:
    case health_state::broken:
      warn(out, "unhealthy list, answer discarded: " + out.health.detail,
           said("unhealthy", {part("health", out.health.detail_said)}));
      if (out.result != outcome::list_error) {
        set_detail(out,
                   "the list failed its health check; its answer (" + std::string(to_string(out.result)) +
                       ") was discarded",
                   said("discarded", {value("result", std::string(to_string(out.result)), "rbl_outcome")}));
        out.result = outcome::unhealthy;
      }
      break;
    case health_state::refused:
      if (out.result != outcome::list_error) warn(out, out.health.detail, out.health.detail_said);
      break;
    case health_state::unknown:
    case health_state::no_test_point:
      warn(out, "health check: " + out.health.detail, said("health_check", {part("health", out.health.detail_said)}));
      break;
    default: break;
  }

  const bool wants_reason = out.result == outcome::listed || out.result == outcome::list_error;
  if (wants_reason && options_.fetch_txt) {
    if (clock::now() >= deadline) {
      warn(out, "no time left for the TXT (reason) lookup", said("no_time_for_txt"));
    } else {
      out.txt_answer = co_await query_until(source_, name, dns::type::txt, deadline);
      for (auto text : out.txt_answer.texts()) {
        if (out.txt.size() >= options_.max_txt_records) break;
        if (text.size() > options_.max_txt_bytes) text.resize(options_.max_txt_bytes);
        out.txt.push_back(std::move(text));
      }
      if (!dns::is_answer(out.txt_answer.result))
        warn(out, "TXT (reason) lookup failed: " + failure_words(out.txt_answer),
             said("txt_failed", {part("failure", failure_said(out.txt_answer))}));
    }
  }
  finish(out);
  co_return out;
}

net::awaitable<std::vector<listing>> checker::check_selected(target t, std::vector<selected_list> lists) {
  if (lists.empty()) co_return std::vector<listing>{};
  const auto executor = co_await net::this_coro::executor;
  // Shared with the spawned checks, so a handler never writes into a finished frame.
  struct join_state {
    explicit join_state(net::any_io_executor e) : all_done(std::move(e), clock::time_point::max()) {}
    std::vector<listing> results;
    std::size_t remaining = 0;
    net::steady_timer all_done;
  };
  auto join = std::make_shared<join_state>(executor);
  join->results.resize(lists.size());
  join->remaining = lists.size();
  for (std::size_t i = 0; i < lists.size(); ++i) {
    net::co_spawn(executor, check_one(t, lists[i]), [join, i](std::exception_ptr error, listing result) {
      if (error) {
        result.result = outcome::unknown;
        result.detail = "internal error while checking this list";
        result.detail_said = {"rbl.said.internal_error", {}};
      }
      join->results[i] = std::move(result);
      if (--join->remaining == 0) join->all_done.cancel();
    });
  }
  // Every check_one ends within its own deadline, so this wait is bounded.
  while (join->remaining > 0) co_await join->all_done.async_wait(net::as_tuple(net::use_awaitable));
  for (std::size_t i = 0; i < lists.size(); ++i)
    if (join->results[i].list_name.empty()) join->results[i].list_name = lists[i].list().name;
  co_return std::move(join->results);
}

net::awaitable<std::variant<std::vector<listing>, selection_error>> checker::check(target t,
                                                                                   std::vector<std::string> zones) {
  auto selection = select_lists(lists_, t, zones, options_);
  if (auto* error = std::get_if<selection_error>(&selection)) co_return *error;
  co_return co_await check_selected(std::move(t), std::move(std::get<std::vector<selected_list>>(selection)));
}

}  // namespace rbl
