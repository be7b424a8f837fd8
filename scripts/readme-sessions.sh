#!/usr/bin/env bash
# Records the README's example sessions: each command runs for real against the loopback
# test rig (tests/rig: nsd, rbldnsd, dnsmasq and Postfix in a network namespace), and its
# output replaces the part of README.md between the "sessions" markers. Rerun it after a
# change to any output so the examples stay true. Needs root (the rig's namespace) and a
# build: scripts/readme-sessions.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
build=${1:-${PROBE_BUILD_DIR:-build}}
probe=$(realpath "$build/probe/probe")
[[ -x $probe ]] || { echo "readme-sessions: no probe binary in $build (run scripts/build.sh)" >&2; exit 2; }

rig=$(mktemp -d /tmp/probe-readme.XXXXXX)
cleanup() { "$root/tests/rig/rig.sh" stop "$rig" >/dev/null 2>&1 || true; rm -rf "$rig"; }
trap cleanup EXIT
"$root/tests/rig/rig.sh" start "$rig" >/dev/null

sessions=$(mktemp)
# session TITLE SHELL-COMMAND: runs the command in the rig's namespace, from the rig's
# folder (so bounces are named bounces/NAME.eml), with `probe` on PATH and no colour.
session() {
  local title=$1 command=$2 output status=0
  output=$(cd "$rig" && "$root/tests/rig/rig.sh" exec "$rig" -- \
             env PATH="$(dirname "$probe"):$PATH" NO_COLOR=1 LANG=C.UTF-8 bash -c "$command" 2>&1) || status=$?
  {
    printf '### %s\n\n```console\n$ %s\n%s\n$ echo $?\n%d\n```\n\n' "$title" "$command" "${output//$rig\//}" "$status"
  } >>"$sessions"
}

helo="--helo probe.probe.test"   # the rig's hosts have no public FQDN; say who we are
session "How mail to a domain is routed" \
  "probe mx multi.probe.test"
session "Is this address deliverable?" \
  "probe alice@probe.test --smtp-port 2525 $helo"
session "An address that does not exist" \
  "probe carol@probe.test --smtp-port 2525 $helo"
session "Why did this bounce, and would it still? (a genuine Postfix DSN)" \
  "probe bounce bounces/blocked.eml --smtp-port 2525 $helo"
session "The same bounce, parsed only, in Chinese" \
  "probe bounce --offline --lang zh bounces/unknown-user.eml"
session "Is my server the problem?" \
  "probe server --ip 127.0.0.45 --helo listed.server.test --zones zen.rbl.test"
session "DNSBL listings" \
  "probe rbl 127.0.0.45 --zones zen.rbl.test,bl.test"
session "Batch: JSON lines in, one JSON line out per input line" \
  "printf '%s\n' alice@probe.test '{\"address\":\"carol@probe.test\",\"id\":7}' '{\"mx\":\"null.probe.test\"}' 'not json' | probe batch --ordered --smtp-port 2525 $helo"

# Replace what lies between the markers; everything else in README.md is kept.
python3 - "$root/README.md" "$sessions" <<'EOF'
import sys
readme, sessions = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
begin, end = "<!-- sessions:begin (scripts/readme-sessions.sh) -->\n", "<!-- sessions:end -->\n"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + begin + "\n" + sessions + end + tail)
EOF
rm -f "$sessions"
echo "readme-sessions: README.md updated from $probe"
