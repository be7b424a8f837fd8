#!/usr/bin/env bash
# Installs every Debian package probe needs to build, test and benchmark.
# Idempotent and non-interactive: a second run with everything present only checks.
# Usage: scripts/install-deps.sh [--runtime-only]
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config ca-certificates git
  libboost1.81-dev libc-ares-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev
  libre2-dev libgmime-3.0-dev libgsf-1-dev libyaml-cpp-dev libyaml-dev nlohmann-json3-dev
  libtomlplusplus-dev libpsl-dev libidn2-dev libgoogle-perftools-dev scdoc ccache
)
# Real daemons and tools the test rig and the benchmarks drive (tests/rig/, bench/).
test_packages=(
  nsd rbldnsd postfix dnsmasq-base dnsutils dnsperf iproute2 openssl
  python3 python3-jsonschema dpkg-dev file time
  # Other bounce readers and their test bounces: tests/reports/agreement/ compares probe
  # with them on messages it was not built on.
  python3-flufl.bounce libsisimai-perl libmail-deliverystatus-bounceparser-perl
  # Ordinary mail (2,403 messages of 2002) that must not read as bounces: jwz's test data.
  golang-github-gatherstars-com-jwz-dev
  curl xz-utils  # scripts/fetch-test-bounces.sh: BounceParser's test bounces from Debian's source archive
)

packages=("${build_packages[@]}")
[[ ${1:-} == --runtime-only ]] || packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The test bounces of another reader, from Debian's source archive (not a binary package).
fetch_test_bounces() {
  [[ ${1:-} == --runtime-only ]] && return 0
  # The script checks every set and only reports the ones already present, so it runs
  # every time: a set added since the last run is fetched (that needs root for /var/cache).
  "$(dirname "${BASH_SOURCE[0]}")/fetch-test-bounces.sh"
}

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  fetch_test_bounces "${1:-}"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix must create no system configuration and never start: the rig runs private instances.
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
echo 'postfix postfix/mailname string probe.test' | debconf-set-selections

# Package scripts must not start system services (nsd on port 53, rbldnsd, postfix):
# the rig starts its own instances on private ports. policy-rc.d exit 101 forbids
# invoke-rc.d from starting anything; it is removed again unless it was already there.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  own_policy=1
fi
trap '((own_policy)) && rm -f "$policy"' EXIT

apt-get update -qq || echo "install-deps: apt-get update failed; trying with cached lists" >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} packages"
fetch_test_bounces "${1:-}"
