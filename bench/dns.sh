#!/usr/bin/env bash
# DNS benchmark: probe's c-ares resolver vs dnsperf, same server (the rig's nsd), same
# queries (A and MX), same number in flight, in the same run. Prints both rates and the ratio.
#   bench/dns.sh [N=100000] [WINDOW=100]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-100000}
window=${2:-100}
build=${PROBE_BUILD_DIR:-build}
[[ -x $build/bench/probe_dns_bench ]] || scripts/build.sh >/dev/null
rig=$(mktemp -d /tmp/probe-bench-rig.XXXXXX)
trap 'tests/rig/rig.sh stop "$rig"; rm -rf "$rig"' EXIT
tests/rig/rig.sh start "$rig" 2>/dev/null

data="$rig/queries.txt"
for name in probe.test mx1.probe.test multi.probe.test dual.probe.test fallback.probe.test implicit.probe.test \
            null.probe.test cname.probe.test noaddr.probe.test v6only.probe.test mx2.probe.test mx6.probe.test; do
  printf '%s A\n%s MX\n' "$name" "$name"
done >"$data"

echo "== dnsperf ($n queries, $window in flight, nsd at 127.0.0.1:5353)"
per_pass=$(wc -l <"$data")
dnsperf_out=$(tests/rig/rig.sh exec "$rig" -- dnsperf -s 127.0.0.1 -p 5353 -d "$data" -n $(((n + per_pass - 1) / per_pass)) -q "$window" 2>&1)
echo "$dnsperf_out" | grep -E 'Queries (sent|completed|lost)|Queries per second'
dnsperf_qps=$(echo "$dnsperf_out" | awk '/Queries per second/ {print $4}')

echo "== probe resolver ($n queries, $window in flight)"
probe_out=$(tests/rig/rig.sh exec "$rig" -- "$build/bench/probe_dns_bench" 127.0.0.1:5353 "$data" "$n" "$window")
echo "$probe_out"
probe_qps=$(echo "$probe_out" | awk '/probe queries\/s/ {print $3}')

python3 -c "import sys; p,d=float(sys.argv[1]),float(sys.argv[2]); print(f'ratio probe/dnsperf: {p/d:.2f} ({p:.0f} vs {d:.0f} queries/s)')" "$probe_qps" "$dnsperf_qps"
