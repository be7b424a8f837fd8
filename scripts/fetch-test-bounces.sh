#!/usr/bin/env bash
# Fetches bounce messages probe was not built on, for tests/reports/agreement/: the test
# bounces of Mail::DeliveryStatus::BounceParser 1.543 from Debian's source package (the
# binary package does not ship them). Debian's archive is the only place they come from;
# the tarball is checked against the SHA-256 in Debian's signed .dsc for bookworm.
# Idempotent: a second run with the folder present only checks.
# Usage: scripts/fetch-test-bounces.sh [DEST]   (default /var/cache/probe/test-bounces)
set -euo pipefail

dest=${1:-${PROBE_TEST_BOUNCES:-/var/cache/probe/test-bounces}}
name=libmail-deliverystatus-bounceparser-perl_1.543+repacked.orig.tar.xz
url=http://deb.debian.org/debian/pool/main/libm/libmail-deliverystatus-bounceparser-perl/$name
sha256=01f89040426ab6de77f9f0bcdce61a938ef6a24179efbfdb4f7a1f68c5263282
folder=$dest/bounceparser-1.543

if [[ -f $folder/.complete ]]; then
  echo "fetch-test-bounces: $folder present"
  exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsS --retry 3 -m 300 -o "$tmp/$name" "$url"
echo "$sha256  $tmp/$name" | sha256sum -c --quiet -
tar -xJf "$tmp/$name" -C "$tmp"
rm -rf "$folder"
mkdir -p "$folder"
cp -r "$tmp"/Mail-DeliveryStatus-BounceParser-1.543/t/corpus "$folder/corpus"
cp "$tmp"/Mail-DeliveryStatus-BounceParser-1.543/LICENSE "$folder/" 2>/dev/null || true
touch "$folder/.complete"
echo "fetch-test-bounces: $(ls "$folder/corpus" | wc -l) messages in $folder/corpus"
