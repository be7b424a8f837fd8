#!/usr/bin/env bash
# Whole-program benchmarks of probe batch and probe bounce (issues 7 and 8). Prints figures;
# asserts nothing.
#
#   bench/batch.sh [RECIPIENTS=10000] [DOMAINS=1000] [BOUNCES=1000] [BOUNCE_DOMAINS=50]
#
# In a network namespace of this script's own (only loopback; nothing can leave it):
#   - nsd on 127.0.0.1:5353 serving bench.test: dN.bench.test MX mx.dN.bench.test, each MX
#     on its own loopback address 127.1.x.y;
#   - smtp-sink on 0.0.0.0:2525 answering for every one of those addresses.
# Then, with the real binary and politeness on (one session per MX address, 2 new sessions/s
# per address, 20 RCPTs per session):
#   1. probe batch: RECIPIENTS address lines over DOMAINS domains, grouped by domain and
#      shuffled: lines/s, peak RSS, SMTP sessions, DNS queries;
#   2. probe bounce with live checks: BOUNCES genuine-format Postfix DSNs over BOUNCE_DOMAINS
#      domains: bounces/s, peak RSS, sessions (shared per MX address), DNS queries;
#   3. probe batch --offline: 10,000 bounce jobs over the sisimai corpus (../shared): lines/s,
#      peak RSS.
# Daemons are stopped by PID; the namespace is removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
recipients=${1:-10000}
domains=${2:-1000}
bounces=${3:-1000}
bounce_domains=${4:-50}
build=${PROBE_BUILD_DIR:-build}
probe=$(realpath "$build/probe/probe")
[[ -x $probe ]] || { echo "build first (scripts/build.sh)"; exit 2; }
shared=${PROBE_SHARED_DIR:-$(realpath ../shared 2>/dev/null || true)}

work=$(mktemp -d /tmp/probe-batch-bench.XXXXXX)
ns=probe-batch-bench-$$
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -s $work/nsd.pid ]] && kill "$(cat "$work/nsd.pid")" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
in_ns() { ip netns exec "$ns" "$@"; }

mx_ip() { echo "127.1.$(($1 / 250)).$(($1 % 250 + 1))"; }
{
  printf '$ORIGIN bench.test.\n$TTL 3600\n@ IN SOA ns.bench.test. h.bench.test. 1 60 60 600 60\n@ IN NS ns.bench.test.\nns IN A 127.0.0.1\n'
  for i in $(seq 0 $((domains - 1))); do
    printf 'd%d IN MX 10 mx.d%d.bench.test.\nmx.d%d IN A %s\n' "$i" "$i" "$i" "$(mx_ip "$i")"
  done
} >"$work/bench.test.zone"
cat >"$work/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@5353
  server-count: 1
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$work"
  pidfile: "$work/nsd.pid"
  xfrdfile: "$work/xfrd.state"
  zonelistfile: "$work/zone.list"
  logfile: "$work/nsd.log"
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "bench.test"
  zonefile: "bench.test.zone"
CONF
in_ns nsd -c "$work/nsd.conf"
# Not through the in_ns function: `ip netns exec` execs smtp-sink, so $! is its own PID.
ip netns exec "$ns" smtp-sink -u nobody -h sink.bench.test 0.0.0.0:2525 4096 2>/dev/null &
pids+=($!)
for _ in $(seq 1 100); do
  in_ns ss -Hltn 'sport = :2525' | grep -q . && in_ns ss -Hlun 'sport = :5353' | grep -q . && break
  sleep 0.05
done

flags=(--dns-server 127.0.0.1:5353 --smtp-port 2525 --tls off --helo bench.example.net)
measure() {  # measure NAME COMMAND...: runs it under /usr/bin/time, prints the figures
  local name=$1
  shift
  # PROBE_BENCH_WRAP (e.g. "perf record -g -o /tmp/p.data") runs inside the timing.
  in_ns /usr/bin/time -f '%e %M %U %S' -o "$work/time" ${PROBE_BENCH_WRAP:-} "$@" >"$work/out" 2>"$work/err" || true
  # GNU time writes "Command exited with non-zero status N" first when N != 0.
  read -r seconds rss_kb user sys < <(tail -n 1 "$work/time")
  echo "$name: $(wc -l <"$work/out") output lines in ${seconds} s (CPU ${user} s user + ${sys} s sys)," \
       "peak RSS $((rss_kb / 1024)) MiB, $(du -m "$work/out" | cut -f1) MB written"
  grep -h 'probe batch:\|live checks:' "$work/err" "$work/out" | sed 's/^/  /' || true
}

# 1. Address checks.
for i in $(seq 0 $((recipients - 1))); do echo "user$i@d$((i % domains)).bench.test"; done | sort -t@ -k2,2 -s >"$work/by-domain.txt"
shuf --random-source=<(yes) "$work/by-domain.txt" >"$work/shuffled.txt"
jobs=${PROBE_BENCH_JOBS:-100}
echo "== probe batch: $recipients recipients over $domains domains (smtp-sink catch-all), -j $jobs"
measure "grouped by domain" "$probe" batch -j "$jobs" "${flags[@]}" "$work/by-domain.txt"
measure "shuffled        " "$probe" batch -j "$jobs" "${flags[@]}" "$work/shuffled.txt"

# 2. Bounces with live checks: Postfix-format DSNs, user unknown, over BOUNCE_DOMAINS domains.
mkdir -p "$work/bounces/new" "$work/bounces/cur" "$work/bounces/tmp"
for i in $(seq 0 $((bounces - 1))); do
  rcpt="user$i@d$((i % bounce_domains)).bench.test"
  mx="mx.d$((i % bounce_domains)).bench.test"
  cat >"$work/bounces/new/$i.eml" <<DSN
From: MAILER-DAEMON@out.bench.test (Mail Delivery System)
To: sender@out.bench.test
Subject: Undelivered Mail Returned to Sender
Date: $(date -R)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B$i"

--B$i
Content-Type: text/plain

<$rcpt>: host $mx[$(mx_ip $((i % bounce_domains)))] said: 550 5.1.1 <$rcpt>:
    Recipient address rejected: User unknown in local recipient table

--B$i
Content-Type: message/delivery-status

Reporting-MTA: dns; out.bench.test
Arrival-Date: $(date -R)

Final-Recipient: rfc822; $rcpt
Action: failed
Status: 5.1.1
Remote-MTA: dns; $mx
Diagnostic-Code: smtp; 550 5.1.1 <$rcpt>: Recipient address rejected: User unknown in local recipient table

--B$i--
DSN
done
echo
echo "== probe bounce with live checks: $bounces bounces over $bounce_domains domains"
measure "live" "$probe" bounce -v "${flags[@]}" "$work/bounces"
echo "  verdicts: $(grep -o 'now: [^:]*: [A-Z]*' "$work/out" | awk '{print $NF}' | sort | uniq -c | tr '\n' ' ')"

# 3. Offline bounces through batch.
if [[ -d $shared/corpus/sisimai-dev/emails ]]; then
  ls "$shared"/corpus/sisimai-dev/emails/*.eml | awk '{print "{\"bounce\":\"" $0 "\"}"}' >"$work/corpus.jsonl"
  for _ in $(seq 1 $((10000 / $(wc -l <"$work/corpus.jsonl") + 1))); do cat "$work/corpus.jsonl"; done | head -10000 >"$work/bounces.jsonl"
  echo
  echo "== probe batch --offline: 10000 bounce jobs (the sisimai corpus, repeated)"
  measure "offline" "$probe" batch --offline -j 64 "$work/bounces.jsonl"
fi
