#!/usr/bin/env bash
# SMTP prober benchmark: RCPT probes/s, peak RSS and sessions opened.
#
#   bench/smtp/run.sh [RECIPIENTS=10000] [DOMAINS=1000]
#
# 1. smtp-sink in a network namespace of this script's own, listening on 0.0.0.0:2525 there,
#    so every MX host can have its own loopback address (127.1.x.y) and politeness (one
#    session per address, 2 new sessions/s per address, 20 RCPTs per session) is what it
#    would be against 1,000 real MX hosts. The namespace has only its loopback: nothing
#    can leave it.
# 2. The rig's Postfix (127.0.0.2:2525, one address): with politeness on, one address
#    serialises everything, so that run also shows what politeness costs.
# Daemons are stopped by PID; the namespace is removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
recipients=${1:-10000}
domains=${2:-1000}
build=${PROBE_BUILD_DIR:-build}
bench=$build/bench/smtp/probe_smtp_bench
[[ -x $bench ]] || cmake --build "$build" --target probe_smtp_bench >/dev/null

ns=probe-smtp-bench-$$
sink_pid=
rig=
cleanup() {
  [[ -n $sink_pid ]] && kill "$sink_pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if [[ -n $rig ]]; then tests/rig/rig.sh stop "$rig" 2>/dev/null || true; rm -rf "$rig"; fi
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
# `ip netns exec` execs smtp-sink, so $! is smtp-sink's own PID.
ip netns exec "$ns" smtp-sink -u nobody -h sink.bench.test 0.0.0.0:2525 4096 2>/dev/null &
sink_pid=$!
for _ in $(seq 1 100); do
  ip netns exec "$ns" ss -Hltn 'sport = :2525' | grep -q . && break
  sleep 0.05
done

echo "== smtp-sink, $recipients recipients over $domains domains, $domains MX addresses, by domain"
ip netns exec "$ns" "$bench" --port 2525 --recipients "$recipients" --domains "$domains" --addresses "$domains"
echo
echo "== smtp-sink, same, recipients shuffled"
ip netns exec "$ns" "$bench" --port 2525 --recipients "$recipients" --domains "$domains" --addresses "$domains" --order shuffled
echo
echo "== smtp-sink, same, shuffled, all sessions kept (--max-idle 200, --jobs 48: smtp-sink serves 256 connections)"
ip netns exec "$ns" "$bench" --port 2525 --recipients "$recipients" --domains "$domains" --addresses "$domains" --order shuffled \
  --max-idle 200 --jobs 48
kill "$sink_pid" 2>/dev/null || true
sink_pid=

rig=$(mktemp -d /tmp/probe-smtp-bench-rig.XXXXXX)
if tests/rig/rig.sh start "$rig" 2>/dev/null; then
  # Postfix's own users (alice, bob, postmaster @probe.test): accepted RCPTs, no error
  # counting. One address, so politeness serialises everything.
  small=$((recipients / 10))
  echo
  echo "== Postfix (rig, one address 127.0.0.2), $small recipients, politeness on (2 sessions/s, 20 RCPTs/session)"
  tests/rig/rig.sh exec "$rig" -- "$bench" --port 2525 --recipients "$small" --mx-ip 127.0.0.2 \
    --fixed-domain probe.test --users alice,bob,postmaster --tls off
  echo
  echo "== Postfix, $recipients recipients, politeness relaxed (--rate 0 --max-rcpts 90; still one session at a time)"
  echo "   (Postfix counts RSET as a junk command after 100: smtpd_junk_command_limit)"
  tests/rig/rig.sh exec "$rig" -- "$bench" --port 2525 --recipients "$recipients" --mx-ip 127.0.0.2 \
    --fixed-domain probe.test --users alice,bob,postmaster --rate 0 --max-rcpts 90 --tls off
  echo
  echo "== Postfix with STARTTLS, same"
  tests/rig/rig.sh exec "$rig" -- "$bench" --port 2525 --recipients "$recipients" --mx-ip 127.0.0.2 \
    --fixed-domain probe.test --users alice,bob,postmaster --rate 0 --max-rcpts 90 --tls opportunistic
fi
