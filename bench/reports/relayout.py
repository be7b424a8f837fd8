#!/usr/bin/python3
"""Does probe read the same remote reply the same way in every layout? (a metamorphic check)

A new bounce changes, above all, the layout around the remote server's words. This script
takes remote replies (by default tests/reports/data/vendor_lines.tsv and seed_lines.tsv;
--lines names other files in either format) and writes each into bounce reports in the
layouts the common MTAs use, built from their documented or real formats:

  dsn          bare RFC 3464 report, Diagnostic-Code folded at 76 columns (the reference)
  dsn-b64      the same report, its parts base64-encoded, the recipient as "<addr>"
  dsn-qp       the same report, its parts quoted-printable (soft breaks at 76 columns)
  postfix      Postfix's bounce text (wrapped at 76 columns, as bounce(8) writes it) + DSN
  postfix-text the same text alone
  postfix-crlf the Postfix report with CRLF line endings
  exim         Exim "SMTP error from remote mail server after ..." with X-Failed-Recipients
  exim-bare    the same without X-Failed-Recipients
  sendmail     "----- Transcript of session follows -----" + DSN
  qmail        "Remote host said:"
  o365         Exchange / Office 365 NDR text ("Remote Server returned '...'") + DSN
  gmail        Gmail's "The error that the other server returned was:"

The SMTP step is the line's (vendor_lines.tsv's third column; seed lines have none) in
every layout that can say one. Hosts and addresses are example.com/.net/.org and
documentation IPs, except a provider's remote host where vendor_lines.tsv names one (its
reading depends on it). Every message is read by one `probe bounce --offline --json` run
over a folder. Per layout it reports: exactly the one recipient found, the reply code and
status of the reply kept (where the reply has them), the reason equal to the reason in
the dsn layout; --misses lists the disagreements.

    /usr/bin/python3 bench/reports/relayout.py PROBE [--lines FILE ...] [--misses] [--keep DIR]

Exit status 0, or 2 for unusable arguments. Python 3 standard library only.
"""
import base64
import collections
import json
import os
import quopri
import re
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
DEFAULT_LINES = [os.path.join(SOURCE, "tests", "reports", "data", "vendor_lines.tsv"),
                 os.path.join(SOURCE, "tests", "reports", "data", "seed_lines.tsv")]
STEPS = {"CONN", "EHLO", "MAIL", "RCPT", "DATA", "-"}
REPORTER = "relay.example.net"
SENDER = "orders@example.net"
DATE = "Tue, 04 Jun 2024 09:15:02 +0000"


def read_lines(path):
    """Rows of vendor_lines.tsv (source, reason, step, text[, host]) or seed_lines.tsv
    (seed, reason, text[, note]): each a dict with label, step, reply, host."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) >= 4 and cols[2] in STEPS:
                rows.append({"where": f"{os.path.basename(path)}:{n}", "label": cols[1], "step": cols[2],
                             "reply": cols[3], "host": cols[4] if len(cols) > 4 else ""})
            elif len(cols) >= 3:
                rows.append({"where": f"{os.path.basename(path)}:{n}", "label": cols[1], "step": "-",
                             "reply": cols[2], "host": ""})
    return rows


REPLY_HEAD = re.compile(r"^([245]\d\d)(?=[ -]|$)(?:[ -]+([245]\.\d{1,3}\.\d{1,3})\b)?")


def smtp_reply_codes():
    """formats.yaml's smtp_reply_codes: the codes probe reads as reply codes."""
    with open(os.path.join(SOURCE, "reports", "data", "formats.yaml"), encoding="utf-8") as f:
        m = re.search(r"^smtp_reply_codes:\s*\[([^\]]*)\]", f.read(), re.M)
    return set(re.findall(r"\d{3}", m.group(1))) if m else set()


VALID_CODES = smtp_reply_codes()


def reply_facts(reply):
    """The reply code and enhanced status the reply itself carries ("" when none): a code
    probe counts as one (formats.yaml smtp_reply_codes) followed by a space or '-', the
    status only when its class is the code's (RFC 3463)."""
    m = REPLY_HEAD.match(reply.strip())
    if not m or m.group(1) not in VALID_CODES:
        return "", ""
    code, status = m.group(1), m.group(2) or ""
    if status and status[0] != code[0]:
        status = ""
    return code, status


# ---------------------------------------------------------------- layouts

def fold_header(name, value, width=76):
    """An RFC 5322 field folded at white space before `width` columns."""
    line = f"{name}: {value}"
    out = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width)
        if cut <= len(name) + 2:
            cut = line.find(" ", width)
            if cut < 0:
                break
        out.append(line[:cut])
        line = line[cut:]          # the white space stays, starting the continuation
    out.append(line)
    return "\n".join(out)


def wrap(text, width=76, indent="    "):
    """Postfix's bounce text: words wrapped at 76 columns, continuation lines indented 4."""
    return "\n".join(textwrap.wrap(text, width=width, subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False))


def dsn_fields(c, diag_folded=True, final=None, extra=""):
    diag = f"Diagnostic-Code: smtp; {c['reply']}"
    if diag_folded:
        diag = fold_header("Diagnostic-Code", f"smtp; {c['reply']}")
    return (f"Reporting-MTA: dns; {REPORTER}\n"
            f"Arrival-Date: {DATE}\n"
            "\n"
            f"Final-Recipient: rfc822; {final or c['addr']}\n"
            f"Original-Recipient: rfc822; {c['addr']}\n"
            "Action: failed\n"
            f"Status: {c['dsn_status']}\n"
            f"Remote-MTA: dns; {c['host']}\n"
            f"{extra}"
            f"{diag}\n"
            f"Last-Attempt-Date: {DATE}\n")


def original_headers(c):
    return (f"From: {SENDER}\n"
            f"To: {c['addr']}\n"
            "Subject: June order\n"
            f"Message-ID: <{c['id']}.order@example.net>\n"
            f"Date: {DATE}\n")


def report(c, sender, subject, text, dsn, encoding=None, extra_headers=""):
    """A multipart/report; `dsn` None: text/plain alone, the original's headers after it."""
    head = (f"From: {sender}\n"
            f"To: {SENDER}\n"
            f"Subject: {subject}\n"
            f"Date: {DATE}\n"
            f"Message-ID: <{c['id']}.bounce@{REPORTER}>\n"
            "Auto-Submitted: auto-replied\n"
            f"{extra_headers}"
            "MIME-Version: 1.0\n")
    if dsn is None:
        return (head + "Content-Type: text/plain; charset=us-ascii\n\n" + text +
                "\n------ This is a copy of the message's headers. ------\n\n" + original_headers(c))

    def part(ctype, body):
        if encoding == "base64":
            enc = base64.encodebytes(body.encode("utf-8")).decode("ascii")
            return f"Content-Type: {ctype}\nContent-Transfer-Encoding: base64\n\n{enc}"
        if encoding == "quoted-printable":
            enc = quopri.encodestring(body.encode("utf-8")).decode("ascii")
            return f"Content-Type: {ctype}\nContent-Transfer-Encoding: quoted-printable\n\n{enc}"
        return f"Content-Type: {ctype}\n\n{body}"

    b = f"=_relayout_{c['id']}"
    return (head +
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{b}\"\n\n"
            "This is a MIME-encapsulated message.\n\n"
            f"--{b}\n" + part("text/plain; charset=us-ascii", text) + "\n"
            f"--{b}\n" + part("message/delivery-status", dsn) + "\n"
            f"--{b}\n" + "Content-Type: text/rfc822-headers\n\n" + original_headers(c) + "\n"
            f"--{b}--\n")


def l_dsn(c, encoding=None, final=None):
    text = (f"This is the mail delivery agent at {REPORTER}.\n\n"
            "Your message could not be delivered to one or more recipients.\n"
            "The attached delivery status report says why.\n")
    return report(c, f"postmaster@{REPORTER}", "Delivery Status Notification (Failure)", text,
                  dsn_fields(c, diag_folded=encoding is None, final=final), encoding)


POSTFIX_STEP = {"EHLO": "EHLO", "MAIL": "MAIL FROM", "RCPT": "RCPT TO", "DATA": "end of DATA"}


def postfix_text(c):
    if c["step"] == "CONN":     # smtp_proto.c: a refused greeting
        said = f"host {c['host']}[{c['ip']}] refused to talk to me: {c['reply']}"
    else:
        said = f"host {c['host']}[{c['ip']}] said: {c['reply']}"
    if c["step"] in POSTFIX_STEP:
        said += f" (in reply to {POSTFIX_STEP[c['step']]} command)"
    return (f"This is the mail system at host {REPORTER}.\n\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients. It's attached below.\n\n"
            "For further assistance, please send mail to postmaster.\n\n"
            "If you do so, please include this problem report. You can\n"
            "delete your own text from the attached returned message.\n\n"
            "                   The mail system\n\n" +
            wrap(f"<{c['addr']}>: {said}") + "\n")


def l_postfix(c):
    return report(c, f"MAILER-DAEMON@{REPORTER} (Mail Delivery System)", "Undelivered Mail Returned to Sender",
                  postfix_text(c),
                  dsn_fields(c).replace("\n", f"\nX-Postfix-Queue-ID: 4Vt{c['id']}\n", 1))


def l_postfix_text(c):
    return report(c, f"MAILER-DAEMON@{REPORTER} (Mail Delivery System)", "Undelivered Mail Returned to Sender",
                  postfix_text(c), None)


def l_postfix_crlf(c):
    return l_postfix(c).replace("\n", "\r\n")


EXIM_STEP = {"CONN": "after initial connection", "EHLO": f"after EHLO {REPORTER}",
             "MAIL": f"after MAIL FROM:<{SENDER}> SIZE=2048", "RCPT": "after RCPT TO:<{addr}>",
             "DATA": "after end of data"}


def exim_text(c):
    after = EXIM_STEP.get(c["step"], "").replace("{addr}", c["addr"])
    return ("This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            f"  {c['addr']}\n"
            f"    host {c['host']} [{c['ip']}]\n"
            f"    SMTP error from remote mail server{' ' + after if after else ''}:\n"
            f"    {c['reply']}\n")


def l_exim(c, xfr=True):
    return report(c, f"Mail Delivery System <Mailer-Daemon@{REPORTER}>",
                  "Mail delivery failed: returning message to sender", exim_text(c), None,
                  extra_headers=f"X-Failed-Recipients: {c['addr']}\n" if xfr else "")


SENDMAIL_STEP = {"CONN": [], "EHLO": [f">>> EHLO {REPORTER}"], "MAIL": [f">>> MAIL From:<{SENDER}> SIZE=2048"],
                 "RCPT": [">>> RCPT To:<{addr}>"], "DATA": [">>> DATA", "<<< 354 Go ahead", ">>> ."]}


def l_sendmail(c):
    code, status = c["code"], c["status"]
    rest = REPLY_HEAD.sub("", c["reply"].strip()).strip() if code else c["reply"].strip()
    summary = " ".join(x for x in (code, status) if x) + f" <{c['addr']}>... {rest}"
    transcript = [f"... while talking to {c['host']}.:"]
    if c["step"] in SENDMAIL_STEP:
        transcript += [t.replace("{addr}", c["addr"]) for t in SENDMAIL_STEP[c["step"]]]
        transcript.append(f"<<< {c['reply']}")
    transcript.append(summary)
    text = (f"The original message was received at {DATE}\n"
            f"from client.example.net [198.51.100.5]\n\n"
            "   ----- The following addresses had permanent fatal errors -----\n"
            f"<{c['addr']}>\n"
            f"    (reason: {c['reply']})\n\n"
            "   ----- Transcript of session follows -----\n" + "\n".join(transcript) + "\n")
    dsn = dsn_fields(c, diag_folded=False).replace("dns; ", "DNS; ").replace("rfc822; ", "RFC822; ") \
        .replace("smtp; ", "SMTP; ")
    return report(c, f"Mail Delivery Subsystem <MAILER-DAEMON@{REPORTER}>",
                  "Returned mail: see transcript for details", text, dsn)


QMAIL_STEP = {"CONN": "Connected to {ip} but greeting failed.", "EHLO": "Connected to {ip} but my name was rejected.",
              "MAIL": "Connected to {ip} but sender was rejected.", "RCPT": "{ip} does not like recipient.",
              "DATA": "{ip} failed after I sent the message."}


def l_qmail(c):
    said = QMAIL_STEP.get(c["step"], "").replace("{ip}", c["ip"])
    text = (f"Hi. This is the qmail-send program at {REPORTER}.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            f"<{c['addr']}>:\n" + (said + "\n" if said else "") +
            f"Remote host said: {c['reply']}\n"
            f"Giving up on {c['ip']}.\n")
    return report(c, f"MAILER-DAEMON@{REPORTER}", "failure notice", text, None)


def l_o365(c):
    text = ("Delivery has failed to these recipients or groups:\n\n"
            f"{c['addr']}<mailto:{c['addr']}>\n"
            "A problem occurred while delivering this message to this email address. Try sending your "
            "message again. If the problem continues, please contact your helpdesk.\n\n\n\n\n\n"
            "Diagnostic information for administrators:\n\n"
            f"Generating server: {REPORTER}\n\n"
            f"{c['addr']}\n"
            f"{c['host']}\n"
            f"Remote Server returned '{c['reply']}'\n\n"
            "Original message headers:\n\n" + original_headers(c))
    dsn = dsn_fields(c, diag_folded=False).replace("; ", ";")
    return report(c, f"postmaster@{REPORTER}", "Undeliverable: June order", text, dsn)


def l_gmail(c):
    text = ("Delivery to the following recipient failed permanently:\n\n"
            f"     {c['addr']}\n\n"
            "Technical details of permanent failure:\n"
            "Google tried to deliver your message, but it was rejected by the server for the recipient "
            f"domain example.com by {c['host']}. [{c['ip']}].\n\n"
            "The error that the other server returned was:\n"
            f"{c['reply']}\n")
    return report(c, "Mail Delivery Subsystem <mailer-daemon@example.net>",
                  "Delivery Status Notification (Failure)", text, None)


HOSTLESS_LAYOUTS = {"qmail"}   # qmail-remote names the remote's IP alone
STEP_LAYOUTS = {"postfix-text", "postfix-crlf", "exim", "exim-bare", "sendmail", "qmail"}
LAYOUTS = collections.OrderedDict([
    ("dsn", l_dsn),
    ("dsn-b64", lambda c: l_dsn(c, "base64", final=f"<{c['addr']}>")),
    ("dsn-qp", lambda c: l_dsn(c, "quoted-printable")),
    ("postfix", l_postfix),
    ("postfix-text", l_postfix_text),
    ("postfix-crlf", l_postfix_crlf),
    ("exim", l_exim),
    ("exim-bare", lambda c: l_exim(c, xfr=False)),
    ("sendmail", l_sendmail),
    ("qmail", l_qmail),
    ("o365", l_o365),
    ("gmail", l_gmail),
])


# ---------------------------------------------------------------- run and score

def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    probe, args = args[0], args[1:]
    files, misses, keep = [], False, None
    while args:
        a = args.pop(0)
        if a == "--misses":
            misses = True
        elif a == "--lines":
            while args and not args[0].startswith("--"):
                files.append(args.pop(0))
        elif a == "--keep" and args:
            keep = args.pop(0)
        else:
            print(f"unknown argument {a}", file=sys.stderr)
            return 2
    rows, skipped = [], 0
    for path in files or DEFAULT_LINES:
        for row in read_lines(path):
            # A line that starts with an address ("<a@b>: host X said: ...", "a@b, 554 ...")
            # is a report's recipient line, not a server's reply: written into another
            # layout it names a second recipient, rightly.
            first = row["reply"].strip().split(" ", 1)[0]
            if "@" in first:
                skipped += 1
                continue
            rows.append(row)

    out_dir = keep or tempfile.mkdtemp(prefix="relayout.")
    os.makedirs(out_dir, exist_ok=True)
    cases = {}
    for i, row in enumerate(rows):
        code, status = reply_facts(row["reply"])
        c = dict(row, id=f"{i:04d}", addr=f"dana.{i:04d}@example.com", code=code, status=status,
                 host=row["host"] or "mx.example.org", ip=f"192.0.2.{10 + i % 200}")
        c["dsn_status"] = status or (f"{code[0]}.0.0" if code else "5.0.0")
        for name, make in LAYOUTS.items():
            fname = f"{c['id']}-{name}.eml"
            with open(os.path.join(out_dir, fname), "w", encoding="utf-8", newline="") as f:
                f.write(make(c))
            cases[fname] = (c, name)

    run = subprocess.run([probe, "bounce", "--offline", "--json", "--threads", "2", out_dir],
                         capture_output=True, text=True)
    results = {}
    for line in run.stdout.splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        results[os.path.basename(obj.get("source", ""))] = obj
    if not results:
        print("probe gave no results: " + run.stderr[:500], file=sys.stderr)
        return 2

    def reading(fname):
        obj = results.get(fname, {})
        return obj, obj.get("recipients") or []

    stats = collections.OrderedDict((n, collections.Counter()) for n in LAYOUTS)
    disagreements = []
    for fname, (c, name) in sorted(cases.items()):
        obj, recips = reading(fname)
        ref_obj, ref = reading(f"{c['id']}-dsn.eml")
        ref_reason = ref[0].get("reason") if ref else "(none)"
        # A layout that names the SMTP step is also compared with the Postfix report, which
        # names it too (the bare DSN cannot: RFC 3464 has no field for it).
        step_ref = f"{c['id']}-{'postfix' if name in STEP_LAYOUTS else 'dsn'}.eml"
        _, sref = reading(step_ref)
        sref_reason = sref[0].get("reason") if sref else "(none)"
        s = stats[name]
        s["messages"] += 1
        notes = []
        one = len(recips) == 1 and recips[0].get("address", "").lower() == c["addr"]
        s["recipient"] += one
        if not one:
            notes.append("recipients " + ",".join(r.get("address", "") for r in recips) or "recipients none")
        r = recips[0] if recips else {}
        if c["code"]:
            s["code_n"] += 1
            ok = str(r.get("reply_code") or "") == c["code"]
            s["code"] += ok
            if not ok:
                notes.append(f"code {r.get('reply_code')} for {c['code']}")
        if c["status"]:
            s["status_n"] += 1
            ok = r.get("status") == c["status"]
            s["status"] += ok
            if not ok:
                notes.append(f"status {r.get('status')!r} for {c['status']}")
        reason = r.get("reason", "(none)")
        s["reason"] += reason == ref_reason
        s["same_step"] += reason == sref_reason
        s["label"] += reason == c["label"]
        if reason != sref_reason:
            notes.append(f"reason {reason} ({step_ref.split('-', 1)[1][:-4]} {sref_reason}; dsn {ref_reason}; "
                         f"label {c['label']})")
        if notes and c["host"] != "mx.example.org" and name in HOSTLESS_LAYOUTS:
            notes.append(f"({name} names no remote host; the line's reading is {c['host']}'s)")
        if notes:
            disagreements.append((name, c, r, notes))

    if skipped:
        print(f"{skipped} lines left out: they start with an address (a report's recipient line, not a reply)")
    print(f"{len(rows)} replies x {len(LAYOUTS)} layouts = {len(cases)} messages (probe read {len(results)})")
    print("reason=dsn: the reason read in the bare DSN; =step: in the Postfix report for layouts that name the")
    print("SMTP step (postfix-text, -crlf, exim, exim-bare, sendmail, qmail), else the DSN's; =label: the file's")
    print(f"{'layout':13} {'recipient':>11} {'reply code':>11} {'status':>11} {'reason=dsn':>11} {'reason=step':>11} {'reason=label':>13}")
    tot = collections.Counter()
    for name, s in stats.items():
        tot.update(s)
        print(f"{name:13} {s['recipient']:5}/{s['messages']:<5} {s['code']:5}/{s['code_n']:<5} "
              f"{s['status']:5}/{s['status_n']:<5} {s['reason']:5}/{s['messages']:<5} {s['same_step']:5}/{s['messages']:<5} {s['label']:6}/{s['messages']:<6}")
    print(f"{'all':13} {tot['recipient']:5}/{tot['messages']:<5} {tot['code']:5}/{tot['code_n']:<5} "
          f"{tot['status']:5}/{tot['status_n']:<5} {tot['reason']:5}/{tot['messages']:<5} {tot['same_step']:5}/{tot['messages']:<5} {tot['label']:6}/{tot['messages']:<6}")
    print(f"disagreements: {len(disagreements)} in {len({d[1]['id'] for d in disagreements})} replies")
    if misses:
        for name, c, r, notes in disagreements:
            print(f"{name:13} {c['where']:22} {c['step']:4} {'; '.join(notes)}")
            print(f"{'':13} reply: {c['reply'][:150]}")
            if r.get("diagnostic") != c["reply"]:
                print(f"{'':13} read:  {(r.get('diagnostic') or '')[:150]}")
    if not keep:
        for fname in cases:
            os.unlink(os.path.join(out_dir, fname))
        os.rmdir(out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
