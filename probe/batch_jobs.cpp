#include "probe/batch_jobs.hpp"

#include "dns/domain_name.hpp"
#include "dns/join.hpp"
#include "probe/address_output.hpp"
#include "probe/bounce_command.hpp"
#include "probe/bounce_live.hpp"
#include "probe/bounce_output.hpp"
#include "probe/correlation_run.hpp"
#include "probe/data_dir.hpp"
#include "probe/dns_json.hpp"
#include "probe/prober_setup.hpp"
#include "probe/rbl_command.hpp"
#include "probe/rbl_output.hpp"
#include "probe/server_command.hpp"
#include "rbl/checker.hpp"
#include "rbl/summary.hpp"
#include "rbl/target.hpp"
#include "reports/forwarded.hpp"
#include "reports/input.hpp"
#include "reports/limits.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <filesystem>
#include <thread>

namespace probe {

namespace net = boost::asio;
using nlohmann::json;

namespace {

job_output error_result(std::string message) { return job_output::failure(std::move(message)); }

class run_jobs final : public job_executor {
 public:
  run_jobs(runtime& rt, const settings& config, batch_job_settings options)
      : rt_(rt), config_(config), options_(options) {}

  net::awaitable<std::optional<job_output>> execute(const batch_job& job) override {
    switch (job.kind) {
      case job_kind::mx: co_return co_await mx(job);
      case job_kind::bounce_file:
      case job_kind::bounce_text: co_return co_await bounce(job);
      case job_kind::rbl: co_return co_await dnsbl(job);
      case job_kind::address: co_return co_await address(job);
    }
    co_return error_result("unknown job");
  }

  void drain() override {
    if (prober_) prober_->drain();
  }

  net::awaitable<void> shutdown() override {
    if (prober_) co_await prober_->close();  // QUIT on the sessions kept open for reuse
  }

  std::string resources_used() const override {
    const auto dns = rt_.dns_cache().stats();
    std::string out;
    if (prober_) {
      const auto& c = prober_->counters();
      out += counted(c.sessions_opened, "SMTP session", "SMTP sessions") + " (" + counted(c.rcpts_sent, "RCPT", "RCPTs") +
             "), ";
    }
    out += counted(rt_.resolver().stats().queries, "DNS query", "DNS queries") + " (" +
           counted(dns.hits + dns.coalesced, "lookup", "lookups") + " answered by the run's cache)";
    if (checker_) out += ", " + counted(checker_->health_checks_run(), "DNSBL health check", "DNSBL health checks");
    return out;
  }

  std::string take_notice() override {
    if (prober_ && prober_->port25_blocked_suspected() && !port25_noticed_) {
      port25_noticed_ = true;
      return "outbound port 25 looks blocked on this network: connections to every MX of several domains timed out "
             "while DNS works. Remaining address checks are answered without probing; re-run with "
             "--proxy socks5://HOST:PORT from a network that allows port 25.";
    }
    return {};
  }

 private:
  net::awaitable<std::optional<job_output>> mx(const batch_job& job) {
    const auto at = job.value.rfind('@');
    auto domain = dns::to_ascii_domain(at == std::string::npos ? job.value : job.value.substr(at + 1));
    if (auto* e = std::get_if<dns::name_error>(&domain)) co_return error_result(e->what);
    dns::routing_options options;
    options.seed = config_.dns.seed;
    auto route = co_await dns::route_mail(rt_.dns(), std::get<std::string>(domain), options);
    co_return job_output::result(to_json(route));
  }

  // One prober for the run: one session slot per MX address, so a domain's recipients
  // share a session and no MX gets more than one session at a time from this run.
  smtp::prober* prober() {
    if (!prober_ && prober_error_.empty()) {
      auto setup = make_prober_setup(config_, options_.politeness, {});
      if (!setup.ok()) {
        prober_error_ = setup.error;
        return nullptr;
      }
      // As many idle sessions as domains in flight: enough for a domain's next recipients
      // to reuse its session, few enough not to hog the servers' connection slots (many
      // MTAs, and smtp-sink, serve a few hundred connections at most).
      setup.options.max_idle_sessions = std::max(4u, options_.jobs);
      prober_ = std::make_unique<smtp::prober>(rt_.io().get_executor(), rt_.dns(), std::move(setup.options));
    }
    return prober_.get();
  }

  net::awaitable<std::optional<job_output>> address(const batch_job& job) {
    auto* p = prober();
    if (!p) co_return error_result(prober_error_);
    const auto mailbox = smtp::parse_mailbox(job.value);
    if (!mailbox) co_return error_result("not a usable address: " + mailbox.error);
    if (p->port25_blocked_suspected()) {
      // docs/batch.md: once port 25 is known to be blocked here, thousands of timeouts
      // would say nothing more.
      co_return job_output::result(json{{"address", mailbox->address()},
                                        {"verdict", "unreachable"},
                                        {"reason", "not probed: outbound port 25 appears blocked on this network"},
                                        {"probed", false}});
    }
    const auto check = co_await p->check(*mailbox);
    co_return job_output::result(config_.output.verbose > 0 ? address_check_json(check, nullptr)
                                                            : address_summary_json(check));
  }

  // One catalogue and one checker for the run: each list's zone health is checked once.
  rbl::checker* checker(std::string& error) {
    if (!checker_) {
      auto loaded = load_rbl_catalogue();
      if (auto* e = std::get_if<std::string>(&loaded)) {
        error = *e;
        return nullptr;
      }
      catalogue_ = std::make_unique<rbl::catalogue>(std::move(std::get<rbl::catalogue>(loaded)));
      rbl::check_options options;
      options.timeout = std::chrono::milliseconds(config_.rbl.timeout_ms);
      options.include_all = config_.rbl.all;
      options.dqs_key = config_.rbl.dqs_key;
      checker_ = std::make_unique<rbl::checker>(rt_.dns(), *catalogue_, options);
    }
    return checker_.get();
  }

  net::awaitable<std::optional<job_output>> dnsbl(const batch_job& job) {
    std::string error;
    auto* c = checker(error);
    if (!c) co_return error_result(error);
    auto parsed = rbl::parse_target(job.value);
    if (auto* bad = std::get_if<rbl::target_error>(&parsed)) co_return error_result(bad->what);
    const auto target = std::get<rbl::target>(parsed);
    auto selection = rbl::select_lists(*catalogue_, target, config_.rbl.zones, c->options());
    if (auto* bad = std::get_if<rbl::selection_error>(&selection)) co_return error_result(bad->what);
    // Not inside the braced initializer: g++ 12 destroys a co_await result there twice.
    auto listings = co_await c->check_selected(target, std::get<std::vector<rbl::selected_list>>(std::move(selection)));
    rbl_report report{target, std::move(listings), {}};
    report.summary = rbl::summarize(report.listings);
    co_return job_output::result(rbl_json(report, config_.output.lang));
  }

  const reports::knowledge* knowledge(std::string& error) {
    if (!knowledge_) {
      auto loaded = reports::load_knowledge(bounce_data_dir());
      if (!loaded.error.empty()) {
        error = "bounce knowledge: " + loaded.error;
        return nullptr;
      }
      knowledge_ = loaded.value;
    }
    return knowledge_.get();
  }

  // What reading one bounce job came to: its messages read and classified, or why not.
  struct bounce_read {
    std::vector<bounce_item> items;
    std::vector<json> documents;  // each item as probe bounce --json prints it
    std::string error;
    bool unreadable = false;  // the source itself could not be read
  };

  // Pure CPU work on read-only knowledge: runs on the reading threads, not the io thread.
  static bounce_read read_bounce(const batch_job& job, const reports::knowledge& k, const std::string& lang) {
    bounce_read out;
    // Each message is parsed as it is read, so a job's memory is its reports, not its mbox.
    auto read_message = [&](reports::input_message&& message) {
      for (auto& readable : reports::unwrap_forward(std::move(message), k)) {
        bounce_item item = read_bounce_item(job.kind == job_kind::bounce_text ? "bounce_text" : job.value, readable.bytes,
                                             readable.truncated, k);
        out.documents.push_back(bounce_json(item, k, lang));
        out.items.push_back(std::move(item));
      }
    };
    if (job.kind == job_kind::bounce_text) {
      read_message({"bounce_text", reports::normalise_line_endings(job.value), false});
    } else {
      // One job is one output line holding every message's document: 256 MiB of input at most.
      const auto status = reports::for_each_message(job.value, read_message, reports::limits::max_input_bytes);
      if (!status.error.empty()) {
        out.error = status.error;
        out.unreadable = true;
        return out;
      }
    }
    if (out.items.empty()) out.error = "no message in " + job.value;
    return out;
  }

  // Reads, parses and classifies; the shard key is the first failed recipient's domain.
  // Without --offline, each failed recipient gets its live verdict (docs/correlation.md).
  // The reading runs on reading_threads_ (one per core): parsing a large mbox is CPU work
  // that would otherwise hold up every DNS and SMTP dialogue of the batch, and bounce jobs
  // read side by side use every core.
  net::awaitable<std::optional<job_output>> bounce(const batch_job& job) {
    std::string error;
    const auto* k = knowledge(error);
    if (!k) co_return error_result(error);
    const std::string& lang = config_.output.lang;
    bounce_read read = co_await net::co_spawn(
        reading_threads_, [&job, k, &lang]() -> net::awaitable<bounce_read> { co_return read_bounce(job, *k, lang); },
        net::use_awaitable);
    if (read.unreadable) {
      // Unreadable: no recipient to shard by, so the path decides which shard reports it.
      if (options_.shard_count > 1 && !in_shard(job.value, options_.shard_index, options_.shard_count)) co_return std::nullopt;
      co_return error_result(read.error);
    }
    if (!read.error.empty()) co_return error_result(read.error);
    std::vector<bounce_item> items = std::move(read.items);
    if (options_.shard_count > 1) {
      std::string key = "#" + std::to_string(job.line);
      for (const auto& item : items)
        if (!item.report.recipients.empty()) {
          const auto& address = item.report.recipients.front().address;
          key = address.substr(address.rfind('@') == std::string::npos ? 0 : address.rfind('@') + 1);
          auto ascii = dns::to_ascii_domain(key);
          if (auto* d = std::get_if<std::string>(&ascii)) key = *d;
          break;
        }
      if (!in_shard(key, options_.shard_index, options_.shard_count)) co_return std::nullopt;
    }
    json out = json::array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      json document = std::move(read.documents[i]);
      if (!options_.offline) co_await add_live_checks(items[i], *k, document);
      out.push_back(std::move(document));
    }
    co_return job_output::result(items.size() == 1 ? json{{"bounce", out[0]}} : json{{"bounces", out}});
  }

  net::awaitable<void> add_live_checks(const bounce_item& item, const reports::knowledge& k, json& document) {
    if (!advice_) {
      auto loaded = correlation_advice::load((std::filesystem::path(data_path("probe")) / "correlation.yaml").string());
      if (auto* a = std::get_if<correlation_advice>(&loaded)) advice_ = std::make_unique<correlation_advice>(std::move(*a));
      auto server = load_server_knowledge();
      if (auto* s = std::get_if<server_knowledge>(&server)) server_ = std::make_unique<server_knowledge>(std::move(*s));
    }
    std::string error;
    checker(error);
    correlation::live_context live{rt_.dns(), config_, k, prober(), prober_error_, catalogue_.get(), checker_.get(), server_.get()};
    correlation::plan_inputs inputs;
    inputs.ip = config_.ip;
    inputs.helo = config_.smtp.helo;
    std::vector<std::size_t> indexes;
    std::vector<net::awaitable<correlation::recipient_check>> work;
    const auto& report = item.report;
    if (report.kind != reports::report_kind::failure && report.kind != reports::report_kind::delay) co_return;
    for (std::size_t i = 0; i < report.recipients.size(); ++i) {
      const auto action = report.recipients[i].action;
      if (action != reports::dsn_action::failed && action != reports::dsn_action::delayed && action != reports::dsn_action::unknown)
        continue;
      indexes.push_back(i);
      work.push_back(correlation::check_recipient(live, report, report.recipients[i], item.classifications[i], inputs));
    }
    auto results = co_await dns::join_all(std::move(work));
    const std::time_t now = std::time(nullptr);
    for (std::size_t n = 0; n < results.size(); ++n) {
      const auto i = indexes[n];
      if (!document.contains("recipients") || i >= document["recipients"].size()) continue;
      const auto& r = report.recipients[i];
      const std::string date = !r.last_attempt_date.empty() ? r.last_attempt_date : !report.arrival_date.empty() ? report.arrival_date : report.bounce_date;
      static const correlation_advice no_advice;
      const auto live_part = live_json(results[n], advice_ ? *advice_ : no_advice, config_.output.lang, age_seconds(date, now));
      for (const auto& [key, value] : live_part.items()) document["recipients"][i][key] = value;
    }
  }

  runtime& rt_;
  const settings& config_;
  batch_job_settings options_;
  std::unique_ptr<smtp::prober> prober_;
  std::string prober_error_;
  bool port25_noticed_ = false;
  std::unique_ptr<rbl::catalogue> catalogue_;
  std::unique_ptr<rbl::checker> checker_;
  std::shared_ptr<const reports::knowledge> knowledge_;
  net::thread_pool reading_threads_{std::max(1u, std::min(8u, std::thread::hardware_concurrency()))};
  std::unique_ptr<correlation_advice> advice_;
  std::unique_ptr<server_knowledge> server_;
};

}  // namespace

std::unique_ptr<job_executor> make_job_executor(runtime& rt, const settings& config, batch_job_settings options) {
  return std::make_unique<run_jobs>(rt, config, options);
}

}  // namespace probe
