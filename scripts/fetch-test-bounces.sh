#!/usr/bin/env bash
# Fetches bounce messages probe was not built on, for tests/reports/agreement/. Each set
# comes from a package archive and is checked against a SHA-256 before anything is kept:
# - bounceparser-1.543: Mail::DeliveryStatus::BounceParser's test bounces, from Debian's
#   source package (the binary package does not ship them); SHA-256 from Debian's signed
#   .dsc for bookworm.
# - flanker-0.9.15: python-flanker's bounce, complaint (ARF) and disposition-notification
#   fixtures, from Debian's source package (trixie; SHA-256 from trixie's Sources index).
# - cpython-3.11.2: the real delivery reports among CPython's Lib/test/test_email/data,
#   from Debian's python3.11 source package (bookworm; SHA-256 from its signed .dsc).
# - baunsu-0.2.3: the npm package baunsu's test emails (Postfix bounces of 2012 from many
#   providers, an auto-reply, ordinary mail): the tarball `npm pack` would fetch, taken
#   straight from the npm registry with curl (no npm needed); SHA-256 of that tarball.
# Idempotent: a set whose folder is complete is only reported.
# Usage: scripts/fetch-test-bounces.sh [DEST]   (default /var/cache/probe/test-bounces)
set -euo pipefail

dest=${1:-${PROBE_TEST_BOUNCES:-/var/cache/probe/test-bounces}}
debian=http://deb.debian.org/debian/pool/main
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# fetch_debian FOLDER URL SHA256: downloads URL into $tmp, checks it, unpacks it into
# $tmp/src; the caller copies what it keeps into $dest/FOLDER and marks it complete.
fetch_debian() {
  local url=$2 sha256=$3 file
  file=$tmp/$(basename "$url")
  curl -fsS --retry 3 -m 600 -o "$file" "$url"
  echo "$sha256  $file" | sha256sum -c --quiet -
  rm -rf "$tmp/src" && mkdir -p "$tmp/src"
  tar -xf "$file" -C "$tmp/src"
}

complete() {
  [[ -f $dest/$1/.complete ]] && { echo "fetch-test-bounces: $dest/$1 present"; return 0; }
  rm -rf "${dest:?}/$1" && mkdir -p "$dest/$1"
  return 1
}

finish() {
  touch "$dest/$1/.complete"
  echo "fetch-test-bounces: $(find "$dest/$1" -type f ! -name '.complete' | wc -l) files in $dest/$1"
}

folder=bounceparser-1.543
if ! complete $folder; then
  fetch_debian $folder \
    $debian/libm/libmail-deliverystatus-bounceparser-perl/libmail-deliverystatus-bounceparser-perl_1.543+repacked.orig.tar.xz \
    01f89040426ab6de77f9f0bcdce61a938ef6a24179efbfdb4f7a1f68c5263282
  cp -r "$tmp"/src/Mail-DeliveryStatus-BounceParser-1.543/t/corpus "$dest/$folder/corpus"
  cp "$tmp"/src/Mail-DeliveryStatus-BounceParser-1.543/LICENSE "$dest/$folder/" 2>/dev/null || true
  finish $folder
fi

folder=flanker-0.9.15  # Apache-2.0
if ! complete $folder; then
  fetch_debian $folder $debian/p/python-flanker/python-flanker_0.9.15.orig.tar.gz \
    b9d9a27740ddc74c2fa1584ea19e5af6706c5dcdd105ee01b36d72089ab50e43
  fixtures=$tmp/src/flanker-0.9.15/tests/fixtures/messages
  cp -r "$fixtures/bounce" "$fixtures/complaints" "$fixtures/disposition-notification.eml" "$dest/$folder/"
  cp "$tmp/src/flanker-0.9.15/LICENSE" "$dest/$folder/"
  finish $folder
fi

folder=cpython-3.11.2  # PSF licence
if ! complete $folder; then
  fetch_debian $folder $debian/p/python3.11/python3.11_3.11.2.orig.tar.gz \
    2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849
  mkdir -p "$dest/$folder/data"
  # Only the real delivery reports: msg_05 is a made-up "Yadda yadda" report, not kept.
  for m in msg_16.txt msg_25.txt msg_43.txt; do
    cp "$tmp/src/Python-3.11.2/Lib/test/test_email/data/$m" "$dest/$folder/data/"
  done
  cp "$tmp/src/Python-3.11.2/LICENSE" "$dest/$folder/"
  finish $folder
fi

folder=baunsu-0.2.3  # MIT (package.json)
if [[ -f $dest/$folder/.complete ]]; then
  echo "fetch-test-bounces: $dest/$folder present"
else
  complete $folder || true
  curl -fsS --retry 3 -m 300 -o "$tmp/baunsu-0.2.3.tgz" https://registry.npmjs.org/baunsu/-/baunsu-0.2.3.tgz
  echo "e70903f6e92ec53b8feef60f6437be6f794a5b19ded61776657637e205dbae93  $tmp/baunsu-0.2.3.tgz" | sha256sum -c --quiet -
  tar -xzf "$tmp/baunsu-0.2.3.tgz" -C "$tmp"
  cp -r "$tmp/package/tests/emails" "$tmp/package/package.json" "$dest/$folder/"
  finish $folder
fi
exit $status
