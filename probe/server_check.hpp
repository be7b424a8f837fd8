#pragma once
// The server self-check: is the sending side of a mail server configured the way
// receivers expect? Reverse DNS (PTR, forward-confirmed, not generic), HELO name, SPF for
// the domain and the HELO identity, DMARC, DNSBL listings, and MX of the domain.
//
// Two layers, so correlation (issue 7) can reuse either:
// - facts: coroutines that ask the DNS (check_reverse_dns, check_helo, gather_server_facts)
//   and return plain values with the answers as evidence;
// - assessment: pure functions from facts to checklist items (pass / warn / fail / info /
//   skipped), each with evidence lines and, when something should change, the advice in
//   English and Chinese from probe/data/server_check.yaml.
//
// Never throws for DNS outcomes; a failed lookup is evidence and usually a "warn" (we
// could not confirm), never a silent pass. Server-controlled text (PTR names, records,
// TXT) is kept raw: print through probe::printable().
// Every English line for people (evidence, and summaries that embed composed words) has a
// probe::sentence beside it (key into probe/data/output_words.yaml "server.*" and values),
// so --lang zh can say it in Chinese; the English strings are what --json prints.
// Threading: the io_context's thread. The source and checker must outlive the calls.

#include "dns/dmarc.hpp"
#include "dns/routing.hpp"
#include "dns/source.hpp"
#include "dns/spf.hpp"
#include "probe/egress_ip.hpp"
#include "probe/output_words.hpp"
#include "rbl/checker.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace probe {

struct check_item;

// What probe/data/server_check.yaml says.
struct server_knowledge {
  std::vector<std::string> generic_keywords;
  std::vector<std::string> mail_words;
  std::map<std::string, rbl::localized_text> advice;
  std::map<std::string, std::string> titles_zh;  // item id -> title for --lang zh

  // The item's title in `lang` (the English one from the code unless a translation exists).
  const std::string& title_for(const check_item& item, std::string_view lang) const;

  static std::variant<server_knowledge, std::string> load(const std::filesystem::path& path);
  static std::variant<server_knowledge, std::string> parse(std::string_view yaml_text, std::string_view origin);
  // The advice text for `key` in `lang`, placeholders filled; empty when unknown.
  std::string advice_for(const std::string& key, std::string_view lang,
                         const std::map<std::string, std::string>& values) const;
};

// ---- facts ---------------------------------------------------------------------------

struct forward_confirmation {
  std::string name;  // a PTR name
  dns::answer a, aaaa;
  bool matches = false;  // one of its addresses is the IP
};

struct reverse_dns_facts {
  boost::asio::ip::address ip;
  dns::answer ptr;                // the PTR lookup
  std::vector<std::string> names;  // PTR names (bounded), as received
  std::vector<forward_confirmation> confirmations;
  bool forward_confirmed = false;
  std::string confirmed_name;      // the first PTR name that resolves back to the IP
  std::vector<std::string> generic_reasons;  // why the PTR name looks generic (empty: it does not)
  std::vector<sentence> generic_reasons_said;  // the same reasons as sentences
};

enum class helo_syntax { fqdn, address_literal, not_fqdn, invalid };
std::string_view to_string(helo_syntax s);

struct helo_facts {
  std::string name;  // as given
  helo_syntax syntax = helo_syntax::invalid;
  std::string syntax_problem;
  sentence syntax_problem_said;  // the same as a sentence ("server.helo_problem.*")
  dns::answer a, aaaa;
  std::vector<boost::asio::ip::address> addresses;
  bool resolves = false;
  bool matches_ip = false;
  bool matches_ptr = false;  // equals one of the PTR names (case-insensitive)
};

// PTR of `ip`, then A/AAAA of each PTR name (at most `max_names`).
boost::asio::awaitable<reverse_dns_facts> check_reverse_dns(dns::source& dns, boost::asio::ip::address ip,
                                                           const server_knowledge& knowledge,
                                                           std::size_t max_names = 10);
// Syntax (RFC 5321 §4.1.1.1: a FQDN or an address literal), A/AAAA, match with IP and PTR.
boost::asio::awaitable<helo_facts> check_helo(dns::source& dns, std::string helo, boost::asio::ip::address ip,
                                              const reverse_dns_facts& reverse);
// Reasons a PTR name looks like an ISP's generic pool name: the IP embedded in it, or a
// keyword label ("dynamic", "dsl", "pool"...). Empty when it looks like a server's name.
std::vector<std::string> generic_ptr_reasons(std::string_view name, const boost::asio::ip::address& ip,
                                             const server_knowledge& knowledge);
// The same reasons as sentences, in the same order.
std::vector<sentence> generic_ptr_reasons_said(std::string_view name, const boost::asio::ip::address& ip,
                                               const server_knowledge& knowledge);

enum class name_source { given, local_hostname, helo, ptr, none };
std::string_view to_string(name_source s);

struct server_inputs {
  boost::asio::ip::address ip;
  std::string helo;  // empty: HELO items are skipped
  name_source helo_from = name_source::none;
  std::string domain;  // empty: derived from HELO, then the confirmed PTR name
  name_source domain_from = name_source::none;
  std::vector<std::string> dnsbl_zones;  // --zones; empty: the catalogue's defaults
};

struct server_facts {
  server_inputs inputs;  // with the derived domain filled in
  reverse_dns_facts reverse;
  std::optional<helo_facts> helo;
  std::optional<dns::spf::evaluation> spf_domain, spf_helo;
  std::optional<dns::dmarc::lookup_result> dmarc;
  std::optional<dns::routing> mx;
  std::vector<rbl::listing> dnsbl_ip, dnsbl_domain;
};

// The domain of a host name: its organisational domain (Public Suffix List).
std::string domain_of_host(std::string_view host);

boost::asio::awaitable<server_facts> gather_server_facts(dns::source& dns, rbl::checker& dnsbl, server_inputs inputs,
                                                         const server_knowledge& knowledge);

// ---- assessment ----------------------------------------------------------------------

enum class check_status { pass, info, skipped, warn, fail };  // in increasing severity
std::string_view to_string(check_status s);

struct check_item {
  std::string id;     // stable: "ptr", "fcrdns", "ptr_generic", "helo_fqdn", "helo_resolves",
                      // "helo_matches_ip", "helo_matches_ptr", "spf_domain", "spf_helo",
                      // "dmarc", "dnsbl_ip", "dnsbl_domain", "mx", "egress"
  std::string title;  // "Reverse DNS (PTR)"
  check_status status = check_status::skipped;
  std::string summary;                // one line: what was found
  std::string summary_zh;             // the same line in Chinese; empty where the English one serves (names, addresses)
  sentence summary_said;              // the summary as a sentence, when it embeds words probe composed
  std::vector<std::string> evidence;  // what was asked and what came back
  std::vector<sentence> evidence_said;  // evidence[i] as a sentence (same length)
  std::string advice_key;             // into server_knowledge::advice; empty when nothing to change
  std::map<std::string, std::string> advice_values;
  // Advice values that are words probe composed, as sentences: Chinese output renders them
  // in place of the English advice_values of the same name.
  std::map<std::string, sentence> advice_said;
};

std::vector<check_item> assess(const server_facts& facts, const server_knowledge& knowledge);
check_item assess_egress(const egress_result& egress);
// pass, warn or fail: notes and skipped items do not make the result worse.
check_status worst_status(const std::vector<check_item>& items);

}  // namespace probe
