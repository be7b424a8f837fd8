#!/usr/bin/python3
"""probe's reading of bounces it was not built on, against two other readers.

The bounces are Mailman's bounce-detector test messages shipped by Debian's
python3-flufl.bounce (117 messages from many MTAs of the 2000s). Two independent readers
give the expected answers:
- flufl.bounce itself names the failed recipients (all_failures);
- Sisimai (Debian's libsisimai-perl, 4.25) names a reason per recipient.
Figures are printed; the test fails below the floors (raised as the reader improves).

Sisimai 4.25 is older than the corpus's Sisimai 5 and differs in two conventions: it
reads a provider's own "no such account" sentence outside RCPT as `filtered`, and its
qmail "in the queue too long" as `expired` (Sisimai 5 and probe: userunknown,
networkerror). Rows where Sisimai decides nothing (onhold, undefined) are not scored.

Usage: run.py PROBE_BINARY FLOOR_RECIPIENTS FLOOR_REASONS
"""
import email
import json
import os
import subprocess
import sys

DATA = "/usr/lib/python3/dist-packages/flufl/bounce/tests/data"
HERE = os.path.dirname(os.path.abspath(__file__))
UNSCORED = {"onhold", "undefined", "vacation", "delivered", "feedback"}


def flufl_recipients(files):
    from flufl.bounce import all_failures
    found = {}
    for name in files:
        with open(os.path.join(DATA, name), "rb") as fp:
            temporary, permanent = all_failures(email.message_from_binary_file(fp))
        found[name] = {a.decode("utf-8", "replace").lower() for a in temporary | permanent}
    return found


def sisimai_reasons(files):
    out = subprocess.run(["perl", os.path.join(HERE, "sisimai_verdicts.pl")] + [os.path.join(DATA, f) for f in files],
                         capture_output=True, text=True, check=True, errors="replace")
    reasons = {}
    for line in out.stdout.splitlines():
        name, address, reason, _status = (line.split("\t") + ["", "", "", ""])[:4]
        reasons.setdefault(name, {})[address] = reason
    return reasons


def probe_readings(probe, files):
    out = subprocess.run([probe, "bounce", "--offline", "--json"] + [os.path.join(DATA, f) for f in files],
                         capture_output=True, text=True, errors="replace")
    readings = {}
    for line in out.stdout.splitlines():
        report = json.loads(line)
        by_address = readings.setdefault(os.path.basename(report.get("source", "")), {})
        for r in report.get("recipients") or []:
            # A DSN's Original-Recipient is the address the sender used: either names the row.
            for address in {r.get("address", ""), r.get("original_recipient", "")} - {""}:
                by_address[address.lower()] = r.get("reason", "")
    return readings


def main():
    probe, floor_recipients, floor_reasons = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if not os.path.isdir(DATA):
        print(f"{DATA} missing: install python3-flufl.bounce (scripts/install-deps.sh)")
        return 1
    files = sorted(f for f in os.listdir(DATA) if f.endswith(".txt"))
    expected = flufl_recipients(files)
    sisimai = sisimai_reasons(files)
    got = probe_readings(probe, files)

    recipients_total = sum(len(a) for a in expected.values())
    recipients_found = sum(len(a & set(got.get(f, {}))) for f, a in expected.items())
    scored = [(f, a, r) for f, rows in sisimai.items() for a, r in rows.items() if r not in UNSCORED]
    agreed = [row for row in scored if got.get(row[0], {}).get(row[1]) == row[2]]

    verbose = os.environ.get("PROBE_AGREEMENT_VERBOSE")
    if verbose:
        for f, a in sorted(expected.items()):
            if a - set(got.get(f, {})):
                print(f"recipient {f}: flufl {sorted(a)} probe {sorted(got.get(f, {}))}")
        for f, a, r in sorted(set(scored) - set(agreed)):
            print(f"reason {f} {a}: sisimai {r} probe {got.get(f, {}).get(a, '(missing)')}")
    print(f"messages: {len(files)} (python3-flufl.bounce test data)")
    print(f"recipients flufl.bounce names that probe names: {recipients_found}/{recipients_total}")
    print(f"reasons agreeing with Sisimai 4.25 where it decides: {len(agreed)}/{len(scored)}")
    ok = recipients_found >= floor_recipients and len(agreed) >= floor_reasons
    if not ok:
        print(f"below the floors ({floor_recipients} recipients, {floor_reasons} reasons)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
