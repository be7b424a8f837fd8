#!/usr/bin/env bash
# The Debian package: cpack -G DEB builds it with dpkg-shlibdeps Depends; unpacked into a
# temporary root, its probe runs, finds its data relative to its own prefix, and reads a
# bounce offline.  Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "package: $(basename "$deb")"
echo "Depends: $depends"
for lib in libc-ares2 libssl3 libgmime-3.0-0 libre2-9 libyaml-cpp0.7 libyaml-0-2 libidn2-0; do
  grep -q "$lib" <<<"$depends" || { echo "FAIL: Depends lacks $lib"; exit 1; }
done
dpkg-deb -x "$deb" "$work/root"
for f in usr/bin/probe usr/share/man/man1/probe.1.gz usr/share/bash-completion/completions/probe usr/share/probe/reports; do
  [[ -e $work/root/$f ]] || { echo "FAIL: $f missing from the package"; find "$work/root" | head -50; exit 1; }
done
version=$("$work/root/usr/bin/probe" --version)
echo "$version"
grep -q '^probe [0-9]' <<<"$version" || { echo "FAIL: --version"; exit 1; }
# The packaged binary must use the packaged data, not the source tree's.
out=$(env -u PROBE_DATA_DIR "$work/root/usr/bin/probe" bounce --offline --json "$source/tests/probe/data/postfix-dsn.eml")
grep -q '"reason":"userunknown"' <<<"$out" || { echo "FAIL: offline bounce from the package: $out"; exit 1; }
echo "package test: ok"
