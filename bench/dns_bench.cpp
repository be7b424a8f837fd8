// DNS throughput of probe's resolver: N queries from a dnsperf-style data file
// ("NAME TYPE" per line, cycled), with at most W in flight, against one server.
// Prints queries/s, outcome counts and peak RSS. No assertions: a benchmark prints.
//
//   probe_dns_bench SERVER DATAFILE [N=100000] [W=100]
#include "dns/resolver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>

namespace net = boost::asio;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: probe_dns_bench SERVER DATAFILE [N] [W]\n";
    return 2;
  }
  const std::string server = argv[1];
  const long total = argc > 3 ? std::stol(argv[3]) : 100000;
  const int window = argc > 4 ? std::stoi(argv[4]) : 100;
  std::vector<std::pair<std::string, std::uint16_t>> queries;
  std::ifstream data(argv[2]);
  for (std::string name, type; data >> name >> type;)
    queries.emplace_back(name, type == "MX" ? dns::type::mx : type == "AAAA" ? dns::type::aaaa : dns::type::a);
  if (queries.empty()) {
    std::cerr << "no queries in " << argv[2] << '\n';
    return 2;
  }

  net::io_context io(1);
  auto created = dns::resolver::create(io.get_executor(), {.servers = {server}, .timeout = std::chrono::milliseconds(2000), .tries = 1});
  if (auto* e = std::get_if<dns::resolver::error>(&created)) {
    std::cerr << e->what << '\n';
    return 2;
  }
  auto& resolver = *std::get<std::unique_ptr<dns::resolver>>(created);

  long next = 0;
  std::map<std::string_view, long> outcomes;
  auto worker = [&]() -> net::awaitable<void> {
    while (next < total) {
      const auto& q = queries[static_cast<std::size_t>(next++) % queries.size()];
      const auto answer = co_await resolver.query(q.first, q.second);
      outcomes[dns::to_string(answer.result)]++;
    }
  };
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < window; ++i) net::co_spawn(io, worker(), net::detached);
  io.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::cout << "probe resolver: " << total << " queries in " << seconds << " s, window " << window << "\n";
  std::cout << "probe queries/s: " << static_cast<long>(static_cast<double>(total) / seconds) << "\n";
  for (const auto& [name, count] : outcomes) std::cout << "  " << name << ": " << count << "\n";
  std::cout << "peak RSS: " << usage.ru_maxrss / 1024 << " MiB\n";
  return 0;
}
