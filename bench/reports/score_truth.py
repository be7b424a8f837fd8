#!/usr/bin/env python3
"""Scores `probe bounce --offline --json` against a labelled set of bounces.

A labelled set is a directory holding `emails/` and one or more `truth*.tsv` files in the
layout of ../shared/corpus/sisimai-dev/truth.tsv (file, mta_module, index, status,
replycode, reason, hardbounce, feedbacktype; one row per failed recipient, in order).
The scoring rules are the corpus test's (tests/reports/corpus_test.cpp): a status of
4.0.9xx/5.0.9xx is Sisimai's "derived from text" code and only its class digit counts.

Use it to measure probe on bounces it was not tuned on:
    bench/reports/score_truth.py PROBE_BINARY SET_DIR [--misses] [--by-module]
Prints the rates; --misses lists each row whose reason differs (this spends the set as
an unseen one: once you have looked, it is a development set).
Exit status 0, or 2 for unusable arguments.
"""
import collections
import glob
import json
import os
import subprocess
import sys


def read_truth(set_dir):
    rows = []
    for path in sorted(glob.glob(os.path.join(set_dir, "truth*.tsv"))):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f):
                cols = line.rstrip("\n").split("\t")
                if n == 0 and cols[0] == "file":
                    continue
                cols += [""] * (8 - len(cols))
                rows.append({"file": cols[0], "module": cols[1], "index": int(cols[2]),
                             "status": cols[3], "reply": cols[4], "reason": cols[5]})
    return rows


def status_matches(expected, got):
    if len(expected) >= 7 and expected[1:4] == ".0." and expected[4] == "9":
        return bool(got) and got[0] == expected[0]
    return expected == got


def read_results(probe, set_dir, files):
    results = {}
    emails = os.path.join(set_dir, "emails")
    # One process for all files; --threads 1 keeps it polite on a shared machine.
    out = subprocess.run([probe, "bounce", "--offline", "--json", "--threads", "1"] + files,
                         cwd=emails, capture_output=True, text=True, errors="replace")
    for line in out.stdout.splitlines():
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        # A file holding several messages reads as FILE#1, FILE#2...; Sisimai's tables
        # number the recipients across all of them, so they are joined in order.
        source = doc.get("source", "")
        if "#" in source and source.split("#", 1)[1].isdigit():
            source = source.split("#", 1)[0]
        if source in results:
            results[source]["recipients"] = results[source].get("recipients", []) + doc.get("recipients", [])
        else:
            results[source] = doc
    return results


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    probe, set_dir = os.path.abspath(argv[1]), argv[2]
    show_misses = "--misses" in argv
    by_module = "--by-module" in argv
    rows = read_truth(set_dir)
    if not rows:
        print(f"no truth*.tsv rows in {set_dir}", file=sys.stderr)
        return 2
    files = sorted({r["file"] for r in rows if os.path.exists(os.path.join(set_dir, "emails", r["file"]))})
    results = read_results(probe, set_dir, files)
    tally = collections.Counter()
    modules = collections.defaultdict(collections.Counter)
    for r in rows:
        if r["file"] not in files:
            continue
        doc = results.get(r["file"], {})
        recipients = doc.get("recipients", [])
        got = recipients[r["index"] - 1] if r["index"] <= len(recipients) else {}
        reason = got.get("reason", "") or ("not-a-bounce" if doc.get("kind") == "not_a_bounce" else "")
        status = got.get("status", "") or ""
        if got and not status and reason not in ("feedback", "vacation", "delivered"):
            # No status in the bounce: the class probe derives, as the corpus test scores it.
            status = "4.0.0" if got.get("temporary") else "5.0.0"
        reply = got.get("reply_code")
        reply = "" if reply is None else str(reply)
        ok = {"rows": 1, "reason": reason == r["reason"], "status": status_matches(r["status"], status),
              "reply": reply == r["reply"], "found": bool(got)}
        for k, v in ok.items():
            tally[k] += int(v)
            modules[r["module"]][k] += int(v)
        if show_misses and not ok["reason"]:
            diag = (got.get("diagnostic", "") or "")[:160].replace("\n", " ")
            print(f"MISS {r['file']}#{r['index']} [{r['module']}] expected {r['reason']} {r['status']} {r['reply']}"
                  f" got {reason or '-'} {status} {reply} by {got.get('decided_by', '')}: {diag}")
    n = tally["rows"]
    pct = lambda k: f"{tally[k]}/{n} = {100.0 * tally[k] / n:.1f}%"
    print(f"{set_dir}: {len(files)} emails, {n} rows; reason {pct('reason')}, status {pct('status')},"
          f" reply code {pct('reply')}, recipients found {pct('found')}")
    if by_module:
        for m, t in sorted(modules.items(), key=lambda kv: kv[1]["reason"] - kv[1]["rows"]):
            print(f"  {m:20} {t['reason']:3}/{t['rows']:<3} reason")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
