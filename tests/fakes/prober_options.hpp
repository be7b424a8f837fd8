#pragma once
// Prober options for tests against the fake servers and zones: short limits (loopback
// answers at once; a silent peer should fail a test in about a second), no per-host pacing,
// a fixed seed for the catch-all's random local part. The caller adds the classifier and
// the quirks it tests with.

#include "smtp/prober.hpp"

#include <chrono>
#include <cstdint>

namespace fakes {

inline smtp::prober_options fast_prober_options(std::uint16_t port) {
  using namespace std::chrono_literals;
  smtp::prober_options o;
  o.helo = "probe.example.net";
  o.mail_from = "probe@probe.example.net";
  o.port = port;
  o.limits.connect = 1500ms;
  o.limits.banner = 1000ms;
  o.limits.command = 1000ms;
  o.limits.tls = 2000ms;
  o.limits.quit = 300ms;
  o.per_host_rate = 0;
  o.seed = 7;
  return o;
}

}  // namespace fakes
