#!/usr/bin/python3
"""probe's reading of bounces it was not built on, against other readers.

Two sets of bounces, each with its own reader naming the failed recipients:
- flufl: Mailman's bounce-detector test messages shipped by Debian's python3-flufl.bounce
  (117 messages from many MTAs of the 2000s); flufl.bounce names the recipients
  (all_failures).
- bounceparser: Mail::DeliveryStatus::BounceParser's 126 test bounces (real bounces of
  2006-2010: Sendmail, Postfix, Exchange/IIS, AOL, Yahoo, spam filters, quota and size
  refusals), from Debian's source package (scripts/fetch-test-bounces.sh); the Perl
  module (libmail-deliverystatus-bounceparser-perl) names the recipients.
For both, Sisimai (Debian's libsisimai-perl, 4.25) names a reason per recipient.
Figures are printed; the test fails below the floors (raised as the reader improves).

Sisimai 4.25 is older than the corpus's Sisimai 5 and differs in two conventions: it
reads a provider's own "no such account" sentence outside RCPT as `filtered`, and its
qmail "in the queue too long" as `expired` (Sisimai 5 and probe: userunknown,
networkerror). Rows where Sisimai decides nothing (onhold, undefined) are not scored.

Usage: run.py PROBE_BINARY FLOOR_RECIPIENTS FLOOR_REASONS [flufl|bounceparser]
"""
import email
import json
import os
import re
import subprocess
import sys

FLUFL_DATA = "/usr/lib/python3/dist-packages/flufl/bounce/tests/data"
BOUNCEPARSER_DATA = os.path.join(os.environ.get("PROBE_TEST_BOUNCES", "/var/cache/probe/test-bounces"),
                                 "bounceparser-1.543", "corpus")
HERE = os.path.dirname(os.path.abspath(__file__))
UNSCORED = {"onhold", "undefined", "vacation", "delivered", "feedback"}


def flufl_recipients(data, files):
    from flufl.bounce import all_failures
    found = {}
    for name in files:
        with open(os.path.join(data, name), "rb") as fp:
            temporary, permanent = all_failures(email.message_from_binary_file(fp))
        found[name] = {a.decode("utf-8", "replace").lower() for a in temporary | permanent}
    return found


# BounceParser also reports fragments it took for addresses ("rfc822;a@b", "a@b>", a bare
# local part); only plain addresses are expected of probe.
PLAIN_ADDRESS = re.compile(r"^[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]+$")


def bounceparser_recipients(data, files):
    out = subprocess.run(["perl", os.path.join(HERE, "bounceparser_recipients.pl")] + [os.path.join(data, f) for f in files],
                         capture_output=True, text=True, check=True, errors="replace")
    found = {name: set() for name in files}
    for line in out.stdout.splitlines():
        name, address = (line.split("\t") + [""])[:2]
        if PLAIN_ADDRESS.match(address):
            found.setdefault(name, set()).add(address)
    return found


def sisimai_reasons(data, files):
    out = subprocess.run(["perl", os.path.join(HERE, "sisimai_verdicts.pl")] + [os.path.join(data, f) for f in files],
                         capture_output=True, text=True, check=True, errors="replace")
    reasons = {}
    for line in out.stdout.splitlines():
        name, address, reason, _status = (line.split("\t") + ["", "", "", ""])[:4]
        reasons.setdefault(name, {})[address] = reason
    return reasons


def probe_readings(probe, data, files):
    out = subprocess.run([probe, "bounce", "--offline", "--json"] + [os.path.join(data, f) for f in files],
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
    which = sys.argv[4] if len(sys.argv) > 4 else "flufl"
    if which == "flufl":
        data, suffix, source, named_by = FLUFL_DATA, ".txt", "python3-flufl.bounce test data", "flufl.bounce"
        install = "install python3-flufl.bounce (scripts/install-deps.sh)"
    elif which == "bounceparser":
        data, suffix, source, named_by = BOUNCEPARSER_DATA, ".msg", "Mail::DeliveryStatus::BounceParser test bounces", "BounceParser"
        install = "run scripts/fetch-test-bounces.sh (scripts/install-deps.sh does)"
    else:
        print(f"unknown set {which!r}: flufl or bounceparser")
        return 2
    if not os.path.isdir(data):
        print(f"{data} missing: {install}")
        return 1
    files = sorted(f for f in os.listdir(data) if f.endswith(suffix))
    expected = flufl_recipients(data, files) if which == "flufl" else bounceparser_recipients(data, files)
    sisimai = sisimai_reasons(data, files)
    got = probe_readings(probe, data, files)

    recipients_total = sum(len(a) for a in expected.values())
    recipients_found = sum(len(a & set(got.get(f, {}))) for f, a in expected.items())
    scored = [(f, a, r) for f, rows in sisimai.items() for a, r in rows.items() if r not in UNSCORED]
    agreed = [row for row in scored if got.get(row[0], {}).get(row[1]) == row[2]]

    verbose = os.environ.get("PROBE_AGREEMENT_VERBOSE")
    if verbose:
        for f, a in sorted(expected.items()):
            if a - set(got.get(f, {})):
                print(f"recipient {f}: {named_by} {sorted(a)} probe {sorted(got.get(f, {}))}")
        for f, a, r in sorted(set(scored) - set(agreed)):
            print(f"reason {f} {a}: sisimai {r} probe {got.get(f, {}).get(a, '(missing)')}")
    print(f"messages: {len(files)} ({source})")
    print(f"recipients {named_by} names that probe names: {recipients_found}/{recipients_total}")
    print(f"reasons agreeing with Sisimai 4.25 where it decides: {len(agreed)}/{len(scored)}")
    ok = recipients_found >= floor_recipients and len(agreed) >= floor_reasons
    if not ok:
        print(f"below the floors ({floor_recipients} recipients, {floor_reasons} reasons)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
