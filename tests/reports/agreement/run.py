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
- fixtures: the bounces, complaints and receipts other mail libraries ship as test data
  (scripts/fetch-test-bounces.sh): python-flanker 0.9.15, CPython 3.11.2's email tests,
  the npm package baunsu 0.2.3. Each message's failed recipients and reason, or that it is
  not a failure, are written in new_sets_truth.tsv, labelled without probe (the set's own
  fixture names and tests; Sisimai 4.25 where the set says nothing). Scored: recipients
  found, reasons agreeing, and the verdict (vacation, feedback, not a bounce) of the
  messages that are not failures.
Figures are printed; the test fails below the floors (raised as the reader improves).

Sisimai 4.25 is older than the corpus's Sisimai 5 and differs in two conventions: it
reads a provider's own "no such account" sentence outside RCPT as `filtered`, and its
qmail "in the queue too long" as `expired` (Sisimai 5 and probe: userunknown,
networkerror). Rows where Sisimai decides nothing (onhold, undefined) are not scored.

Usage: run.py PROBE_BINARY FLOOR_RECIPIENTS FLOOR_REASONS [flufl|bounceparser]
       run.py PROBE_BINARY FLOOR_RECIPIENTS FLOOR_REASONS fixtures FLOOR_VERDICTS
"""
import email
import json
import os
import re
import subprocess
import sys

FLUFL_DATA = "/usr/lib/python3/dist-packages/flufl/bounce/tests/data"
TEST_BOUNCES = os.environ.get("PROBE_TEST_BOUNCES", "/var/cache/probe/test-bounces")
BOUNCEPARSER_DATA = os.path.join(TEST_BOUNCES, "bounceparser-1.543", "corpus")
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


def read_truth():
    """new_sets_truth.tsv: one row per failed recipient, or per message that is not a failure."""
    rows = []
    with open(os.path.join(HERE, "new_sets_truth.tsv"), encoding="utf-8") as fp:
        for line in fp:
            if line.startswith("#") or line.startswith("set\t") or not line.strip():
                continue
            set_name, name, address, reason, labelled_by, sisimai, note = (line.rstrip("\n").split("\t") + [""] * 7)[:7]
            rows.append({"set": set_name, "path": os.path.join(TEST_BOUNCES, set_name, name), "file": f"{set_name}/{name}",
                         "address": address.lower(), "reason": reason, "labelled_by": labelled_by, "sisimai": sisimai,
                         "note": note})
    return rows


def probe_reports(probe, paths):
    """probe's report of each path: kind and, per address (final or original), the recipient's JSON."""
    out = subprocess.run([probe, "bounce", "--offline", "--json"] + paths, capture_output=True, text=True, errors="replace")
    reports = {}
    for line in out.stdout.splitlines():
        report = json.loads(line)
        by_address = {}
        for r in report.get("recipients") or []:
            for address in {r.get("address", ""), r.get("original_recipient", "")} - {""}:
                by_address[address.lower()] = r
        reports[report.get("source", "")] = {"kind": report.get("kind", ""), "recipients": by_address}
    return reports


def fixtures(probe, floor_recipients, floor_reasons, floor_verdicts):
    rows = read_truth()
    paths = sorted({r["path"] for r in rows})
    missing = sorted({os.path.join(TEST_BOUNCES, r["set"]) for r in rows if not os.path.isfile(r["path"])})
    if missing:
        print(f"{', '.join(missing)} missing: run scripts/fetch-test-bounces.sh")
        return 1
    reports = probe_reports(probe, paths)
    failures = [r for r in rows if r["address"] != "-"]
    verdicts = [r for r in rows if r["address"] == "-"]
    misses = []
    found = agreed = sisimai_agreed = sisimai_scored = 0
    for r in failures:
        got = reports.get(r["path"], {"kind": "(no report)", "recipients": {}})
        recipient = got["recipients"].get(r["address"])
        found += recipient is not None
        reason = recipient.get("reason", "") if recipient else "(missing)"
        agreed += reason == r["reason"]
        if r["sisimai"] not in UNSCORED | {"-"}:
            sisimai_scored += 1
            sisimai_agreed += reason == r["sisimai"]
        if reason != r["reason"]:
            diagnostic = (recipient or {}).get("diagnostic", "") or ", ".join(sorted(got["recipients"])) or got["kind"]
            misses.append(f"{r['file']} {r['address']}: expected {r['reason']} ({r['labelled_by']}; Sisimai 4.25 {r['sisimai']}), "
                          f"probe {reason} [{got['kind']}] {diagnostic[:160]!r}")
    # By message too: one message's masked, repeated addresses (CPython's msg_43) weigh as much
    # as eleven other messages in the row count.
    messages = {}
    for r in failures:
        got = reports.get(r["path"], {}).get("recipients", {}).get(r["address"], {})
        messages[r["path"]] = messages.get(r["path"], True) and got.get("reason") == r["reason"]
    verdicts_agreed = 0
    for r in verdicts:
        kind = reports.get(r["path"], {}).get("kind", "(no report)")
        verdicts_agreed += kind == r["reason"]
        if kind != r["reason"]:
            misses.append(f"{r['file']}: expected {r['reason']}, probe {kind}")
    if os.environ.get("PROBE_AGREEMENT_VERBOSE"):
        for m in misses:
            print(m)
    for set_name in sorted({r["set"] for r in rows}):
        mine = [r for r in failures if r["set"] == set_name]
        ok = [r for r in mine if reports.get(r["path"], {}).get("recipients", {}).get(r["address"], {}).get("reason") == r["reason"]]
        print(f"  {set_name}: {len({r['path'] for r in rows if r['set'] == set_name})} messages, "
              f"reasons {len(ok)}/{len(mine)}")
    print(f"messages: {len(paths)} (test data of python-flanker, CPython and baunsu; labels in new_sets_truth.tsv)")
    print(f"recipients the labels name that probe names: {found}/{len(failures)}")
    print(f"reasons agreeing with the labels: {agreed}/{len(failures)}")
    print(f"failure messages whose every labelled reason agrees: {sum(messages.values())}/{len(messages)}")
    print(f"reasons agreeing with Sisimai 4.25 where it decides (information): {sisimai_agreed}/{sisimai_scored}")
    print(f"messages that are not failures read as labelled (vacation, feedback, not a bounce): {verdicts_agreed}/{len(verdicts)}")
    ok = found >= floor_recipients and agreed >= floor_reasons and verdicts_agreed >= floor_verdicts
    if not ok:
        print(f"below the floors ({floor_recipients} recipients, {floor_reasons} reasons, {floor_verdicts} verdicts)")
    return 0 if ok else 1


def main():
    probe, floor_recipients, floor_reasons = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    which = sys.argv[4] if len(sys.argv) > 4 else "flufl"
    if which == "fixtures":
        if len(sys.argv) < 6:
            print("fixtures needs FLOOR_VERDICTS")
            return 2
        return fixtures(probe, floor_recipients, floor_reasons, int(sys.argv[5]))
    if which == "flufl":
        data, suffix, source, named_by = FLUFL_DATA, ".txt", "python3-flufl.bounce test data", "flufl.bounce"
        install = "install python3-flufl.bounce (scripts/install-deps.sh)"
    elif which == "bounceparser":
        data, suffix, source, named_by = BOUNCEPARSER_DATA, ".msg", "Mail::DeliveryStatus::BounceParser test bounces", "BounceParser"
        install = "run scripts/fetch-test-bounces.sh (scripts/install-deps.sh does)"
    else:
        print(f"unknown set {which!r}: flufl, bounceparser or fixtures")
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
