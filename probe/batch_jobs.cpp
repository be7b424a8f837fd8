#include "probe/batch_jobs.hpp"

#include "dns/domain_name.hpp"
#include "probe/bounce_command.hpp"
#include "probe/bounce_output.hpp"
#include "probe/dns_json.hpp"
#include "probe/rbl_command.hpp"
#include "probe/rbl_output.hpp"
#include "rbl/checker.hpp"
#include "rbl/summary.hpp"
#include "rbl/target.hpp"
#include "reports/classify.hpp"
#include "reports/input.hpp"
#include "reports/parse.hpp"

namespace probe {

namespace net = boost::asio;
using nlohmann::json;

namespace {

json error_result(std::string message) { return json{{"error", std::move(message)}}; }

class run_jobs final : public job_executor {
 public:
  run_jobs(runtime& rt, const settings& config, batch_job_settings options)
      : rt_(rt), config_(config), options_(options) {}

  net::awaitable<std::optional<json>> execute(const batch_job& job) override {
    switch (job.kind) {
      case job_kind::mx: co_return co_await mx(job);
      case job_kind::bounce_file:
      case job_kind::bounce_text: co_return bounce(job);
      case job_kind::rbl: co_return co_await dnsbl(job);
      case job_kind::address: co_return error_result(std::string(to_string(job.kind)) + " jobs are not available yet");
    }
    co_return error_result("unknown job");
  }

  net::awaitable<void> shutdown() override { co_return; }

  std::string resources_used() const override {
    const auto dns = rt_.dns_cache().stats();
    std::string out = std::to_string(rt_.resolver().stats().queries) + " DNS queries (" +
                      std::to_string(dns.hits + dns.coalesced) + " lookups answered by the run's cache)";
    if (checker_) out += ", " + std::to_string(checker_->health_checks_run()) + " DNSBL health checks";
    return out;
  }

 private:
  net::awaitable<std::optional<json>> mx(const batch_job& job) {
    auto domain = dns::to_ascii_domain(job.value.substr(job.value.rfind('@') == std::string::npos ? 0 : job.value.rfind('@') + 1));
    if (auto* e = std::get_if<dns::name_error>(&domain)) co_return error_result(e->what);
    dns::routing_options options;
    options.seed = config_.dns.seed;
    auto route = co_await dns::route_mail(rt_.dns(), std::get<std::string>(domain), options);
    co_return to_json(route);
  }

  // Reads, parses and classifies; the shard key is the first recipient's domain.
  std::optional<json> bounce(const batch_job& job) {
    if (!knowledge_) {
      auto loaded = reports::load_knowledge(bounce_data_dir());
      if (!loaded.error.empty()) return error_result("bounce knowledge: " + loaded.error);
      knowledge_ = loaded.value;
    }
    std::vector<std::string> messages;
    if (job.kind == job_kind::bounce_text) {
      messages.push_back(reports::normalise_line_endings(job.value));
    } else {
      auto read = reports::read_source(job.value);
      if (!read.error.empty()) return error_result(read.error);
      for (auto& m : read.messages) messages.push_back(std::move(m.bytes));
    }
    if (messages.empty()) return error_result("no message in " + job.value);
    json out = json::array();
    for (auto& bytes : messages) {
      bounce_item item;
      item.origin = job.kind == job_kind::bounce_text ? "bounce_text" : job.value;
      item.report = reports::parse(bytes, *knowledge_);
      for (const auto& r : item.report.recipients) item.classifications.push_back(reports::classify(r, item.report, *knowledge_));
      out.push_back(bounce_json(item, *knowledge_, config_.output.lang));
    }
    return messages.size() == 1 ? json{{"bounce", out[0]}} : json{{"bounces", out}};
  }

  // One catalogue and one checker for the run: each list's zone health is checked once.
  net::awaitable<std::optional<json>> dnsbl(const batch_job& job) {
    if (!checker_) {
      auto loaded = load_rbl_catalogue();
      if (auto* e = std::get_if<std::string>(&loaded)) co_return error_result(*e);
      catalogue_ = std::make_unique<rbl::catalogue>(std::move(std::get<rbl::catalogue>(loaded)));
      rbl_options_.timeout = std::chrono::milliseconds(config_.rbl.timeout_ms);
      rbl_options_.include_all = config_.rbl.all;
      rbl_options_.dqs_key = config_.rbl.dqs_key;
      checker_ = std::make_unique<rbl::checker>(rt_.dns(), *catalogue_, rbl_options_);
    }
    auto parsed = rbl::parse_target(job.value);
    if (auto* bad = std::get_if<rbl::target_error>(&parsed)) co_return error_result(bad->what);
    const auto target = std::get<rbl::target>(parsed);
    auto selection = rbl::select_lists(*catalogue_, target, config_.rbl.zones, rbl_options_);
    if (auto* bad = std::get_if<rbl::selection_error>(&selection)) co_return error_result(bad->what);
    // Not inside the braced initializer: g++ 12 destroys a co_await result there twice.
    auto listings = co_await checker_->check_selected(target, std::get<std::vector<rbl::selected_list>>(std::move(selection)));
    rbl_report report{target, std::move(listings), {}};
    report.summary = rbl::summarize(report.listings);
    co_return rbl_json(report, config_.output.lang);
  }

  runtime& rt_;
  const settings& config_;
  std::unique_ptr<rbl::catalogue> catalogue_;
  rbl::check_options rbl_options_;
  std::unique_ptr<rbl::checker> checker_;
  batch_job_settings options_;
  std::shared_ptr<const reports::knowledge> knowledge_;
};

}  // namespace

std::unique_ptr<job_executor> make_job_executor(runtime& rt, const settings& config, batch_job_settings options) {
  return std::make_unique<run_jobs>(rt, config, options);
}

}  // namespace probe
