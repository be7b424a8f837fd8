// SMTP prober benchmark: N recipients over D domains whose MX hosts are loopback addresses
// (served by smtp-sink or Postfix, started by bench/smtp/run.sh). DNS comes from a generated
// in-memory zone, so the figures are the prober's and the SMTP server's, not the resolver's.
// Prints figures; asserts nothing.
//
//   probe_smtp_bench --port 2525 [--domains 1000] [--recipients 10000] [--addresses 1000]
//                    [--mx-ip 127.0.0.2] [--jobs 64] [--rate 2] [--max-rcpts 20]
//                    [--max-idle 128] [--order domain|shuffled] [--tls off|opportunistic]
//                    [--no-catch-all] [--fixed-domain probe.test --users alice,bob]
#include "dns/source.hpp"
#include "smtp/prober.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <string>

namespace {

namespace net = boost::asio;

struct config {
  std::uint16_t port = 2525;
  std::size_t domains = 1000;
  std::size_t recipients = 10000;
  std::size_t addresses = 1000;  // distinct MX addresses (127.1.x.y), one MX host each
  std::string mx_ip;             // when set: every MX host resolves to this one address
  std::size_t jobs = 64;         // checks in flight
  double rate = 2.0;
  std::size_t max_rcpts = 20;
  std::size_t max_idle = 128;    // smtp-sink serves at most 256 connections at once
  bool shuffled = false;
  bool catch_all = true;
  std::string tls = "off";
  std::string fixed_domain;         // when set: every recipient is USER@fixed_domain
  std::vector<std::string> users;   // the USERs cycled through with fixed_domain
};

// domainN.bench.test → MX 10 mxK.bench.test (K = N mod addresses) → A 127.1.x.y
class generated_zone final : public dns::source {
 public:
  explicit generated_zone(const config& c) : config_(c) {}
  net::awaitable<dns::answer> query(std::string name, std::uint16_t qtype) override {
    ++queries_;
    dns::answer a;
    a.qname = name;
    a.qtype = qtype;
    a.result = dns::outcome::nxdomain;
    if (!config_.fixed_domain.empty() && name == config_.fixed_domain) {
      a.result = dns::outcome::nodata;
      if (qtype == dns::type::mx) {
        a.result = dns::outcome::records;
        a.records.push_back({name, dns::type::mx, 300, dns::mx_data{10, "mx0.bench.test"}});
      }
    } else if (name.starts_with("domain") && name.ends_with(".bench.test")) {
      const std::size_t n = number(name.substr(6));
      a.result = dns::outcome::nodata;
      if (qtype == dns::type::mx) {
        a.result = dns::outcome::records;
        a.records.push_back({name, dns::type::mx, 300,
                             dns::mx_data{10, "mx" + std::to_string(n % config_.addresses) + ".bench.test"}});
      }
    } else if (name.starts_with("mx") && name.ends_with(".bench.test")) {
      const std::size_t k = number(name.substr(2));
      a.result = dns::outcome::nodata;
      if (qtype == dns::type::a) {
        a.result = dns::outcome::records;
        const auto ip = config_.mx_ip.empty()
                            ? net::ip::address_v4(static_cast<std::uint32_t>((127u << 24) | (1u << 16) | (k + 1)))
                            : net::ip::make_address_v4(config_.mx_ip);
        a.records.push_back({name, dns::type::a, 300, ip});
      }
    }
    co_return a;
  }
  std::size_t queries() const { return queries_; }

 private:
  static std::size_t number(std::string_view text) {
    std::size_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n;
  }
  const config& config_;
  std::size_t queries_ = 0;
};

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

bool parse(int argc, char** argv, config& c) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--port") c.port = static_cast<std::uint16_t>(std::stoi(value()));
    else if (arg == "--domains") c.domains = std::stoul(value());
    else if (arg == "--recipients") c.recipients = std::stoul(value());
    else if (arg == "--addresses") c.addresses = std::stoul(value());
    else if (arg == "--mx-ip") c.mx_ip = value();
    else if (arg == "--jobs") c.jobs = std::stoul(value());
    else if (arg == "--rate") c.rate = std::stod(value());
    else if (arg == "--max-rcpts") c.max_rcpts = std::stoul(value());
    else if (arg == "--max-idle") c.max_idle = std::stoul(value());
    else if (arg == "--order") c.shuffled = value() == "shuffled";
    else if (arg == "--tls") c.tls = value();
    else if (arg == "--no-catch-all") c.catch_all = false;
    else if (arg == "--fixed-domain") c.fixed_domain = value();
    else if (arg == "--users") {
      const std::string list = value();
      for (std::size_t start = 0; start <= list.size();) {
        const auto comma = std::min(list.find(',', start), list.size());
        if (comma > start) c.users.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
    }
    else {
      std::cerr << "unknown argument " << arg << "\n";
      return false;
    }
  }
  if (!c.fixed_domain.empty() && c.users.empty()) c.users = {"postmaster"};
  return c.domains > 0 && c.recipients > 0 && c.addresses > 0 && c.jobs > 0;
}

}  // namespace

int main(int argc, char** argv) {
  config c;
  if (!parse(argc, argv, c)) return 2;
  const std::string data = PROBE_SOURCE_DIR;
  auto classes = smtp::reply_classifier::load_file(data + "/smtp/reply_classes.yaml");
  auto quirks = smtp::quirk_table::load_file(data + "/smtp/provider_quirks.yaml");
  if (!classes || !quirks) {
    std::cerr << classes.error << quirks.error << "\n";
    return 1;
  }

  // Recipients: user0..user(k-1) at each domain, in domain order or shuffled.
  std::vector<smtp::mailbox> recipients;
  recipients.reserve(c.recipients);
  for (std::size_t i = 0; i < c.recipients; ++i) {
    smtp::mailbox box;
    if (c.fixed_domain.empty()) {
      box.local = "user" + std::to_string(i / c.domains);
      box.domain = "domain" + std::to_string(i % c.domains) + ".bench.test";
    } else {
      box.local = c.users[i % c.users.size()];
      box.domain = c.fixed_domain;
    }
    box.domain_unicode = box.domain;
    recipients.push_back(std::move(box));
  }
  if (c.shuffled) {
    std::mt19937_64 rng(42);
    std::shuffle(recipients.begin(), recipients.end(), rng);
  } else {
    std::stable_sort(recipients.begin(), recipients.end(),
                     [](const smtp::mailbox& l, const smtp::mailbox& r) { return l.domain < r.domain; });
  }

  net::io_context io(1);
  generated_zone zone(c);
  smtp::prober_options o;
  o.helo = "bench-client.example.net";
  o.mail_from = "probe@bench-client.example.net";
  o.port = c.port;
  o.tls = c.tls == "off" ? smtp::tls_mode::off : smtp::tls_mode::opportunistic;
  o.per_host_rate = c.rate;
  o.max_rcpts_per_session = c.max_rcpts;
  o.max_idle_sessions = c.max_idle;
  o.catch_all_test = c.catch_all;
  o.limits.connect = std::chrono::milliseconds(5000);
  o.limits.banner = std::chrono::milliseconds(5000);
  o.limits.command = std::chrono::milliseconds(5000);
  o.seed = 1;
  o.classifier = std::make_shared<const smtp::reply_classifier>(*classes);
  o.quirks = std::make_shared<const smtp::quirk_table>(*quirks);
  smtp::prober prober(io.get_executor(), zone, o);

  std::map<std::string, std::size_t> verdicts;
  std::size_t next = 0, done = 0;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point finished;
  for (std::size_t j = 0; j < std::min(c.jobs, recipients.size()); ++j) {
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          while (next < recipients.size()) {
            const auto& box = recipients[next++];
            const auto r = co_await prober.check(box);
            ++verdicts[std::string(smtp::to_string(r.result))];
            if (++done == recipients.size()) {
              finished = std::chrono::steady_clock::now();
              co_await prober.close();
            }
          }
        },
        net::detached);
  }
  // Progress on stderr once a second, so a stall is visible.
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        net::steady_timer tick(io);
        while (done < recipients.size()) {
          tick.expires_after(std::chrono::seconds(1));
          co_await tick.async_wait(net::use_awaitable);
          if (done < recipients.size())
            std::fprintf(stderr, "  %zu/%zu done, %zu sessions opened\n", done, recipients.size(),
                         prober.counters().sessions_opened);
        }
      },
      net::detached);
  io.run();
  const double seconds = std::chrono::duration<double>(finished - start).count();
  const auto& k = prober.counters();
  std::printf("recipients          %zu over %zu domains, MX on %s, port %u\n", recipients.size(),
              c.fixed_domain.empty() ? c.domains : std::size_t{1},
              c.mx_ip.empty() ? (std::to_string(c.addresses) + " loopback addresses").c_str() : c.mx_ip.c_str(), c.port);
  std::printf("politeness          %.1f sessions/s per address, %zu RCPTs per session, one session per address\n",
              c.rate, c.max_rcpts);
  std::printf("order, jobs         %s, %zu in flight, TLS %s, catch-all test %s\n", c.shuffled ? "shuffled" : "by domain",
              c.jobs, c.tls.c_str(), c.catch_all ? "on" : "off");
  std::printf("elapsed             %.3f s\n", seconds);
  std::printf("probes/s            %.0f recipients checked per second\n", recipients.size() / seconds);
  std::printf("RCPT/s              %.0f (%zu RCPT commands, incl. catch-all tests)\n", k.rcpts_sent / seconds,
              k.rcpts_sent);
  std::printf("sessions opened     %zu (reused for %zu checks)\n", k.sessions_opened, k.sessions_reused);
  std::printf("commands sent       %zu (%.1f per recipient)\n", k.commands_sent,
              static_cast<double>(k.commands_sent) / recipients.size());
  std::printf("DNS queries         %zu (in-memory zone, no cache)\n", zone.queries());
  std::printf("peak RSS            %.1f MiB\n", peak_rss_kib() / 1024.0);
  std::printf("verdicts           ");
  for (const auto& [name, count] : verdicts) std::printf(" %s=%zu", name.c_str(), count);
  std::printf("\n");
  return 0;
}
