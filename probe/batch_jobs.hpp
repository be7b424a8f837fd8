#pragma once
// The jobs `probe batch` runs, over one run's shared resources: one DNS cache, one SMTP
// prober (one session slot per MX address), one DNSBL checker (zone health once per run),
// the bounce knowledge loaded once. Each job's result object is the same JSON the single
// command prints with --json (docs/batch.md).
//
// Threading and lifetime: the runtime's io_context thread; the runtime outlives this. The
// executor owns a pool of reading threads (one per core, at most 8) on which bounce jobs
// are read and classified; results come back to the io thread.

#include "probe/batch_runner.hpp"
#include "probe/prober_setup.hpp"
#include "probe/runtime.hpp"
#include "probe/settings.hpp"

#include <memory>

namespace probe {

struct batch_job_settings {
  bool offline = false;       // bounce jobs: parse and classify only
  unsigned shard_index = 0;   // bounce jobs learn their shard once read
  unsigned shard_count = 1;
  prober_overrides politeness;  // --max-rcpts, --rate, --greylist-wait, --no-catch-all
  unsigned jobs = 16;           // -j: domains in flight, which sizes the idle-session pool
};

std::unique_ptr<job_executor> make_job_executor(runtime& rt, const settings& config, batch_job_settings options);

}  // namespace probe
