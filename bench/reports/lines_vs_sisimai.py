#!/usr/bin/python3
"""probe and Sisimai 4.25 (Debian's libsisimai-perl) on the same bounce lines.

Each line of a lines file (tests/reports/data/seed_lines.tsv: the seed guides' lines with
the cause each guide states; or vendor_lines.tsv) is wrapped in the same minimal RFC 3464
report (Action: failed, Status 4.0.0 or 5.0.0 by the line's reply code, the line as the
Diagnostic-Code) and read by both; the figures are how many causes each names as the
guide does, overall and for the lines with Chinese text or from Chinese providers.
Prints figures; asserts nothing.

Usage: lines_vs_sisimai.py PROBE LINES_TSV [--misses]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VERDICTS = os.path.join(HERE, "..", "..", "tests", "reports", "agreement", "sisimai_verdicts.pl")
CHINESE = re.compile(r"[\u4e00-\u9fff]|163\.|126\.|qq\.com|sina|sohu|aliyun|coremail|netease|21cn|\b(DT|HL|MI|RP|RL|IP):[A-Z]{3}\b")


def read_lines(path):
    rows = []
    for raw in open(path, encoding="utf-8"):
        if raw.startswith("#") or not raw.strip():
            continue
        cols = raw.rstrip("\n").split("\t")
        # seed_lines: seed, reason, line[, note]; vendor_lines: source, reason, step, line[, host]
        if len(cols) >= 4 and cols[2] in ("CONN", "EHLO", "MAIL", "RCPT", "DATA", "-"):
            rows.append((cols[0], cols[1], cols[3]))
        else:
            rows.append((cols[0], cols[1], cols[2]))
    return rows


def report(index, line):
    status = "4.0.0" if re.match(r"\s*4\d\d\b", line) else "5.0.0"
    return ("From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
            "To: sender@example.org\nSubject: Undelivered Mail Returned to Sender\n"
            f"Date: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <r{index}@mx.example.org>\n"
            "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
            "--B\nContent-Type: text/plain; charset=utf-8\n\nYour message could not be delivered.\n\n"
            "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
            f"Final-Recipient: rfc822; user{index}@example.net\nAction: failed\nStatus: {status}\n"
            f"Diagnostic-Code: smtp; {line}\n\n"
            "--B\nContent-Type: text/rfc822-headers\n\nFrom: sender@example.org\n"
            f"To: user{index}@example.net\nSubject: test\n\n--B--\n")


def main():
    probe, lines_path = sys.argv[1], sys.argv[2]
    misses = "--misses" in sys.argv
    rows = read_lines(lines_path)
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, (_, _, line) in enumerate(rows):
            p = os.path.join(d, f"{i:04d}.eml")
            with open(p, "w", encoding="utf-8") as f:
                f.write(report(i, line))
            paths.append(p)
        out = subprocess.run([probe, "bounce", "--offline", "--json"] + paths, capture_output=True, text=True).stdout
        probe_reason = {}
        for l in out.splitlines():
            r = json.loads(l)
            for x in r.get("recipients") or []:
                probe_reason[x.get("address", "")] = x.get("reason", "")
        out = subprocess.run(["perl", VERDICTS] + paths, capture_output=True, text=True, errors="replace").stdout
        sisimai_reason = {}
        for l in out.splitlines():
            cols = l.split("\t")
            if len(cols) >= 3:
                sisimai_reason[cols[1]] = cols[2]
    totals = {"all": [0, 0, 0], "chinese": [0, 0, 0]}
    for i, (source, expected, line) in enumerate(rows):
        address = f"user{i}@example.net"
        p, s = probe_reason.get(address, "(none)"), sisimai_reason.get(address, "(none)")
        groups = ["all"] + (["chinese"] if CHINESE.search(line) or source.startswith("zh") else [])
        for g in groups:
            totals[g][0] += 1
            totals[g][1] += p == expected
            totals[g][2] += s == expected
        if misses and (p != expected or s != expected):
            print(f"{source}\texpected {expected}\tprobe {p}\tsisimai {s}\t{line[:120]}")
    for g, (n, pr, si) in totals.items():
        if n:
            print(f"{os.path.basename(lines_path)} {g}: {n} lines; probe {pr} = {100 * pr / n:.1f}%, "
                  f"Sisimai 4.25 {si} = {100 * si / n:.1f}%")


if __name__ == "__main__":
    sys.exit(main())
