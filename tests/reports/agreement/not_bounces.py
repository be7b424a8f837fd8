#!/usr/bin/python3
"""probe must not take ordinary mail for bounces.

The messages are the 2,403 "ham" messages Debian's golang-github-gatherstars-com-jwz-dev
ships as test data for its threading code (mailing-list and personal mail of 2002:
SpamAssassin, Exmh, Spambayes, Yahoo Groups and newsletter traffic; each file starts
with its mbox "From " line). A few of them are real delivery reports sent to those lists
(from MAILER-DAEMON or a postmaster); everything else must read as not a bounce.
The test fails when more messages than the ceiling read as reports, and lists them.

Usage: not_bounces.py PROBE_BINARY CEILING
"""
import collections
import json
import os
import subprocess
import sys

DATA = "/usr/share/gocode/src/github.com/gatherstars-com/jwz/test/testdata/ham"


def main():
    probe, ceiling = sys.argv[1], int(sys.argv[2])
    if not os.path.isdir(DATA):
        print(f"{DATA} missing: install golang-github-gatherstars-com-jwz-dev (scripts/install-deps.sh)")
        return 1
    out = subprocess.run([probe, "bounce", "--offline", "--json", DATA], capture_output=True, text=True, errors="replace")
    kinds = collections.Counter()
    reports = []
    for line in out.stdout.splitlines():
        read = json.loads(line)
        kinds[read.get("kind")] += 1
        if read.get("kind") != "not_bounce":
            bounce = read.get("bounce") or {}
            reports.append(f"{os.path.basename(read.get('source', ''))}: {read.get('kind')} "
                           f"(From {bounce.get('from', '')!r}, Subject {bounce.get('subject', '')!r})")
    total = sum(kinds.values())
    files = len([f for f in os.listdir(DATA) if not f.startswith(".")])
    print(f"messages: {total} of {files} files (jwz test data, ham)")
    print(f"read as not a bounce: {kinds['not_bounce']}; read as a report: {len(reports)}")
    for r in reports:
        print("  " + r)
    ok = total >= files and len(reports) <= ceiling
    if not ok:
        print(f"above the ceiling of {ceiling} reports, or messages missing")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
