#!/usr/bin/env bash
# probe bounce against Sisimai (Debian's libsisimai-perl 4.25), whole processes, on the
# shared corpus: its 381 files as they are, and one mbox of the corpus ten times over
# (3,790 messages, 17 MiB), where start-up weighs little. Prints farm-bench's figures
# (min/median/max of user, system, CPU and wall seconds and peak memory, A = probe,
# B = Sisimai) and asserts nothing. Sisimai's score on the corpus's own truth is printed
# too: tests/reports/agreement/sisimai_verdicts.pl's reasons against truth.tsv.
# Usage: bench/reports/vs_sisimai.sh PROBE_BINARY [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
probe=${1:?usage: vs_sisimai.sh PROBE_BINARY [RUNS]}
runs=${2:-5}
corpus=$root/../shared/corpus/sisimai-dev
verdicts=$root/tests/reports/agreement/sisimai_verdicts.pl
command -v farm-bench >/dev/null || { echo "farm-bench is not on PATH" >&2; exit 2; }
perl -MSisimai -e 1 2>/dev/null || { echo "Sisimai is not installed (apt-get install libsisimai-perl)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Sisimai 4.25's reasons against the corpus truth (Sisimai 5's)"
(cd "$corpus/emails" && perl "$verdicts" ./*) >"$work/sisimai.tsv"
python3 - "$corpus/truth.tsv" "$work/sisimai.tsv" <<'PY'
import csv, collections, os, sys
truth = collections.defaultdict(list)
for row in csv.DictReader(open(sys.argv[1]), delimiter='\t'):
    truth[row['file']].append(row['reason'])
read = collections.defaultdict(list)
for line in open(sys.argv[2]):
    name, _address, reason, _status = line.rstrip('\n').split('\t')
    read[os.path.basename(name)].append(reason)
rows = sum(len(v) for v in truth.values())
same = sum(1 for f, reasons in truth.items() for i, r in enumerate(reasons) if i < len(read[f]) and read[f][i] == r)
print(f"Sisimai 4.25: {same}/{rows} reasons = {100 * same / rows:.1f}%")
PY

echo "== the 381 corpus files, one process each side"
files=("$corpus"/emails/*)
farm-bench -n "$runs" --timeout 600 --vs "perl $verdicts ${files[*]}" -- "$probe" bounce --offline --json "$corpus/emails"

echo "== one mbox: the corpus ten times over"
python3 - "$corpus/emails" "$work/corpus.mbox" <<'PY'
import os, re, sys
folder, out = sys.argv[1], open(sys.argv[2], 'wb')
for _ in range(10):
    for name in sorted(os.listdir(folder)):
        body = open(os.path.join(folder, name), 'rb').read().replace(b'\r\n', b'\n')
        if body.startswith(b'From '):
            body = body.split(b'\n', 1)[1]
        body = re.sub(rb'(?m)^From ', b'>From ', body)
        out.write(b'From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n' + body.rstrip(b'\n') + b'\n\n')
PY
farm-bench -n "$runs" --timeout 900 --vs "perl $verdicts $work/corpus.mbox" -- "$probe" bounce --offline --json "$work/corpus.mbox"
