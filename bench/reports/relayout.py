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


# ---------------------------------------------------------------- round 2: more layouts

def mime_message(head, parts, ctype="multipart/report; report-type=delivery-status", boundary="=_r2"):
    """A multipart message from (content-type, body[, transfer-encoding]) parts; `head` the
    top fields without MIME-Version/Content-Type."""
    out = head + "MIME-Version: 1.0\n" + f"Content-Type: {ctype}; boundary=\"{boundary}\"\n\n"
    out += "This is a multi-part message in MIME format.\n\n"
    for p in parts:
        out += f"--{boundary}\nContent-Type: {p[0]}\n"
        if len(p) > 2 and p[2]:
            out += f"Content-Transfer-Encoding: {p[2]}\n"
        out += "\n" + p[1] + ("\n" if not p[1].endswith("\n") else "")
    return out + f"--{boundary}--\n"


def bounce_head(c, sender, subject, extra=""):
    return (f"From: {sender}\n"
            f"To: {SENDER}\n"
            f"Subject: {subject}\n"
            f"Date: {DATE}\n"
            f"Message-ID: <{c['id']}.bounce@{REPORTER}>\n"
            f"{extra}")


def dsn_block(c, fields=None, diag=True, remote=True, sep="; "):
    """A message/delivery-status body; `fields` replaces the per-recipient field order."""
    per = fields or ["Final-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code"]
    values = {"Final-Recipient": f"rfc822{sep}{c['addr']}", "Action": "failed", "Status": c["dsn_status"],
              "Remote-MTA": f"dns{sep}{c['host']}", "Diagnostic-Code": f"smtp{sep}{c['reply']}"}
    lines = [f"Reporting-MTA: dns{sep}{REPORTER}", f"Arrival-Date: {DATE}", ""]
    for f in per:
        if f == "Remote-MTA" and not remote or f == "Diagnostic-Code" and not diag:
            continue
        lines.append(f"{f}: {values[f]}")
    return "\n".join(lines) + "\n"


def original_part(c):
    return ("message/rfc822", original_headers(c) + "\nThe June order, attached.\n")


def html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")


def l_exchange2007(c):
    """Exchange 2007-2010: text and HTML alternatives, the remote's reply as 'host #reply ##'."""
    text = ("Delivery has failed to these recipients or distribution lists:\n\n"
            f"Dana Example<mailto:{c['addr']}>\n"
            "The e-mail system was unable to deliver the message, but did not report a specific reason. "
            "Check the address and try again. If it still fails, contact your system administrator.\n\n"
            "________________________________\nSent by Microsoft Exchange Server 2007\n\n\n\n\n\n"
            "Diagnostic information for administrators:\n\n"
            f"Generating server: {REPORTER}\n\n"
            f"{c['addr']}\n"
            f"{c['host']} #{c['reply']} ##\n\n"
            "Original message headers:\n\n" + original_headers(c))
    html = ("<html><head></head><body>\n<p><b>Delivery has failed to these recipients or distribution lists:"
            f"</b></p>\n<p><a href=\"mailto:{c['addr']}\">Dana Example</a><br>\nThe e-mail system was unable to "
            "deliver the message, but did not report a specific reason.</p>\n"
            "<p><b>Diagnostic information for administrators:</b></p>\n"
            f"<p>Generating server: {REPORTER}</p>\n<p>{c['addr']}<br>\n{c['host']} #{html_escape(c['reply'])} ##</p>\n"
            "</body></html>\n")
    b = f"=_alt_{c['id']}"
    alt = (f"--{b}\nContent-Type: text/plain; charset=\"us-ascii\"\n\n{text}\n"
           f"--{b}\nContent-Type: text/html; charset=\"us-ascii\"\n\n{html}\n--{b}--\n")
    head = bounce_head(c, f"postmaster@{REPORTER}", "Undeliverable: June order")
    return mime_message(head, [(f"multipart/alternative; differences=Content-Type; boundary=\"{b}\"", alt),
                               ("message/delivery-status", dsn_block(c, sep=";")), original_part(c)])


def o365_html(c):
    return ("<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=us-ascii\">\n"
            "<style>*{font-family:'Segoe UI',Arial,sans-serif}</style>\n</head>\n<body>\n"
            "<table><tr><td style=\"font-size:16px\">"
            f"Your message to <a href=\"mailto:{c['addr']}\">{c['addr']}</a> couldn't be delivered.</td></tr>\n"
            f"<tr><td>{c['host']} gave this error:<br>\n{html_escape(c['reply'])}</td></tr>\n</table>\n"
            "<br><br><br><br>\n<p style=\"font-size:14px\"><b>Diagnostic information for administrators:</b></p>\n"
            f"<p>Generating server: {REPORTER}<br>\n<br>\n{c['addr']}<br>\n{c['host']}<br>\n"
            f"Remote server returned '{html_escape(c['reply'])}'<br>\n<br>\n</p>\n"
            "<p>Original message headers:</p>\n<pre>" + html_escape(original_headers(c)) + "</pre>\n</body>\n</html>\n")


def l_o365_html(c, dsn=True):
    """Office 365's newer NDR: an HTML part and no text part."""
    head = bounce_head(c, f"postmaster@{REPORTER}", "Undeliverable: June order")
    parts = [("text/html; charset=\"us-ascii\"", o365_html(c))]
    if dsn:
        parts.append(("message/delivery-status", dsn_block(c, sep=";")))
    parts.append(original_part(c))
    return mime_message(head, parts, ctype="multipart/report; report-type=delivery-status" if dsn
                        else "multipart/mixed")


def l_domino(c):
    """Lotus/HCL Domino: 'was not delivered to: ... because:' and an X-Notes Diagnostic-Code."""
    text = ("Your message\n\n  Subject: June order\n\nwas not delivered to:\n\n"
            f"  {c['addr']}\n\nbecause:\n\n  {c['reply']}\n\n")
    dsn = (f"Reporting-MTA: dns;{REPORTER}\n\nFinal-Recipient: rfc822;{c['addr']}\nAction: failed\n"
           f"Status: {c['dsn_status']}\nRemote-MTA: smtp;{c['host']}\n" +
           fold_header("Diagnostic-Code", f"X-Notes; {c['reply']}") + "\n")
    head = bounce_head(c, f"Mail Router <postmaster@{REPORTER}>", "DELIVERY FAILURE: June order")
    return mime_message(head, [("text/plain; charset=UTF-8", text), ("message/delivery-status", dsn),
                               original_part(c)])


def l_courier(c):
    """Courier: the SMTP dialogue ('>>> RCPT TO:<a@b>', '<<< reply') under the recipient."""
    steps = {"CONN": [], "EHLO": [f">>> EHLO {REPORTER}"], "MAIL": [f">>> MAIL FROM:<{SENDER}>"],
             "RCPT": [f">>> RCPT TO:<{c['addr']}>"], "DATA": [">>> DATA", "<<< 354 Ok", ">>> ."]}
    # A reply of no known step is written as Courier writes a failure outside a dialogue
    # (the words alone): "<<< " with no command before it would answer the greeting.
    dialogue = ("\n".join(steps[c["step"]] + [f"<<< {c['reply']}"]) if c["step"] in steps
                else f"    {c['reply']}")
    text = (f"\nThis is a delivery status notification from {REPORTER},\n"
            "running the Courier mail server, version 1.1.8.\n\n"
            f"The original message was received on {DATE}\n"
            "from [198.51.100.5] (client.example.net [198.51.100.5])\n\n" + "-" * 75 + "\n\n"
            "                           UNDELIVERABLE MAIL\n\n"
            "Your message to the following recipients cannot be delivered:\n\n"
            f"<{c['addr']}>:\n    {c['host']} [{c['ip']}]:\n{dialogue}\n\n" + "-" * 75 + "\n\n"
            "If your message was also sent to additional recipients, their delivery\n"
            "status is not included in this report.\n")
    head = bounce_head(c, f"postmaster@{REPORTER}", "NOTICE: mail delivery status.")
    return mime_message(head, [("text/plain; charset=us-ascii", text),
                               ("message/delivery-status", dsn_block(c)), original_part(c)],
                        boundary="=_courier_0")


def l_opensmtpd(c):
    """OpenSMTPD: 'address: reply' on one line, no DSN."""
    text = ("    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n"
            "    An error has occurred while attempting to deliver a message for\n"
            "    the following list of recipients:\n\n"
            f"{c['addr']}: {c['reply']}\n\n    Below is a copy of the original message:\n\n" +
            original_headers(c))
    return (bounce_head(c, f"Mailer Daemon <MAILER-DAEMON@{REPORTER}>", "Delivery status notification: error") +
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n" + text)


def l_amazonses(c):
    """Amazon SES: 'An error occurred while trying to deliver the mail to the following
    recipients:' and a DSN whose fields come in SES's order."""
    text = f"An error occurred while trying to deliver the mail to the following recipients:\n{c['addr']}"
    dsn = (f"Reporting-MTA: dsn; a27-33.smtp-out.{REPORTER}\n\nAction: failed\n"
           f"Final-Recipient: rfc822; {c['addr']}\nDiagnostic-Code: smtp; {c['reply']}\n"
           f"Status: {c['dsn_status']}\n\n")
    head = bounce_head(c, "MAILER-DAEMON@amazonses.example.net", "Delivery Status Notification (Failure)")
    return mime_message(head, [("text/plain; charset=us-ascii", text, "7bit"),
                               ("message/delivery-status", dsn, "7bit"), original_part(c)],
                        ctype="multipart/report; report-type=delivery-status")


def l_yahoo(c):
    text = ("Sorry, we were unable to deliver your message to the following address.\n\n"
            f"<{c['addr']}>:\nRemote host said: {c['reply']}\n\n"
            "--- Below this line is a copy of the message.\n\n" + original_headers(c))
    return (bounce_head(c, "MAILER-DAEMON@yahoo.example.com", "Failure Notice") +
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n" + text)


def l_mimecast(c):
    text = ("This is an automated alert notification. Please do not reply.\n\n"
            "An email that you attempted to send to the following address could not be delivered:\n"
            f"-- {c['addr']}\n\n"
            "The problem appears to be :\n-- Other\n\n"
            f"Additional information follows :\n-- {c['reply']}\n\n"
            "This condition occurred after 1 attempt(s) to deliver over\na period of 0 hour(s).\n\n"
            "If you require further information, please contact the Service Desk.\n")
    return (bounce_head(c, "Mimecast Alert <postmaster@mimecast.example.net>",
                        "Failed to deliver to '" + c["addr"] + "'") +
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + text)


def l_gworkspace(c):
    """Gmail / Google Workspace since 2016: '** Message not delivered **' text and HTML, 'The
    response from the remote server was:', a DSN without Diagnostic-Code."""
    text = ("\n** Message not delivered **\n\n"
            f"There was a problem delivering your message to {c['addr']}. See the technical details below.\n\n\n\n"
            f"The response from the remote server was:\n{c['reply']}\n")
    html = ("<html>\n<body>\n<table><tbody><tr><td><h2>\nMessage not delivered\n</h2></td></tr>\n"
            f"<tr><td>\nThere was a problem delivering your message to <a><b>{c['addr']}</b></a>. "
            "See the technical details below.\n</td></tr>\n</tbody></table>\n"
            "<p>The response from the remote server was:<br/>\n<p style=\"font-family:monospace\">\n"
            f"{html_escape(c['reply'])}\n</p>\n</body>\n</html>\n")
    b = f"=_alt_{c['id']}"
    alt = (f"--{b}\nContent-Type: text/plain; charset=\"UTF-8\"\n\n{text}\n"
           f"--{b}\nContent-Type: text/html; charset=\"UTF-8\"\n\n{html}\n--{b}--\n")
    head = bounce_head(c, "Mail Delivery Subsystem <mailer-daemon@googlemail.example.com>",
                       "Delivery Status Notification (Failure)")
    return mime_message(head, [(f"multipart/alternative; boundary=\"{b}\"", alt),
                               ("message/delivery-status", dsn_block(c, diag=False, remote=False)),
                               original_part(c)])


def l_sendmail_transcript(c):
    """Sendmail's text with the transcript and no DSN part."""
    msg = l_sendmail(c)
    text = msg.split("Content-Type: text/plain; charset=us-ascii\n\n", 1)[1].split("\n--=_relayout_", 1)[0]
    return (bounce_head(c, f"Mail Delivery Subsystem <MAILER-DAEMON@{REPORTER}>",
                        "Returned mail: see transcript for details") +
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n" + text +
            "\n   ----- Original message follows -----\n\n" + original_headers(c))


def l_mdaemon(c):
    """MDaemon: a timestamped session transcript ('--> RCPT To:<a@b>', '<-- reply'); a reply of
    no known step is not written (a transcript always has one). The part is labelled UTF-8
    (MDaemon says iso-8859-1): the check is the layout, not a mislabelled charset."""
    if c["step"] == "-":
        return None
    t = "Tue 2024-06-04 09:15:02: "
    steps = {"CONN": [], "EHLO": [f"--> EHLO {REPORTER}", "<-- 250 Ok"],
             "MAIL": [f"--> EHLO {REPORTER}", "<-- 250 Ok", f"--> MAIL From:<{SENDER}> SIZE=2048"],
             "RCPT": [f"--> EHLO {REPORTER}", "<-- 250 Ok", f"--> MAIL From:<{SENDER}> SIZE=2048",
                      "<-- 250 2.1.0 Ok", f"--> RCPT To:<{c['addr']}>"],
             "DATA": [f"--> MAIL From:<{SENDER}> SIZE=2048", "<-- 250 2.1.0 Ok", f"--> RCPT To:<{c['addr']}>",
                      "<-- 250 2.1.5 Ok", "--> DATA", "<-- 354 Go ahead", "--> <message text>"]}
    session = ([f"Parsing message <pd50004034668.msg>", f"*  From: {SENDER}", f"*  To: {c['addr']}",
                "*  Subject: June order", f"Attempting SMTP connection to [{c['host']}]",
                f"Attempting SMTP connection to [{c['ip']}:25]", "Waiting for socket connection...",
                f"*  Connection established ({c['ip']}:25)", "Waiting for protocol to start..."] +
               steps.get(c["step"], []) + [f"<-- {c['reply']}"])
    text = ("-" * 74 + "\nMDaemon Delivery Status Notification - https://www.mdaemon.example.com/dsn/\n" +
            "-" * 74 + "\n\nThe attached message had PERMANENT fatal delivery errors.\n\n"
            "After one or more unsuccessful delivery attempts the attached message has\n"
            "been removed from the MDaemon mail queue on this server.  The number and\n"
            "frequency of delivery attempts are determined by local configuration.\n\n" + "-" * 74 +
            "\nYOUR MESSAGE WAS NOT DELIVERED TO ONE OR MORE RECIPIENTS\n" + "-" * 74 + "\n\n"
            "--- Session Transcript ---\n" + "\n".join(" " + t + s for s in session) +
            "\n--- End Transcript ---\n")
    head = bounce_head(c, f"MDaemon@{REPORTER}", "Permanent Delivery Failure", "X-MDDSN-Message: Yes\n")
    return mime_message(head, [("text/plain; charset=utf-8", text), original_part(c)],
                        ctype="multipart/mixed")


def l_exim_retry(c):
    """Exim after a temporary failure outlived its retry rules: the last error and
    ': retry timeout exceeded' (deliver.c)."""
    return l_exim(dict(c, reply=c["reply"] + ": retry timeout exceeded"))


def l_forwarded(c):
    """A user forwards the whole Postfix report, attached, to a help desk."""
    inner = l_postfix(c)
    head = (f"From: Sam Sender <sam.sender@example.net>\nTo: Help Desk <helpdesk@example.net>\n"
            f"Subject: Fwd: Undelivered Mail Returned to Sender\nDate: {DATE}\n"
            f"Message-ID: <{c['id']}.fwd@example.net>\n")
    return mime_message(head, [("text/plain; charset=utf-8", "Hi, my mail to a customer came back. Can you "
                                "tell me why?\n\nThanks,\nSam\n"),
                               ("message/rfc822", inner)], ctype="multipart/mixed", boundary="=_fwd")


def l_nested(c):
    """The report as the one part of a multipart/mixed (a gateway that adds a footer)."""
    inner = l_postfix(c)
    inner_head, inner_body = inner.split("\n\n", 1)
    ctype = re.search(r"^Content-Type: (.*)$", inner_head, re.M).group(1)
    head = inner_head.split("MIME-Version: 1.0\n")[0]
    return mime_message(head, [(ctype, inner_body),
                               ("text/plain; charset=us-ascii", "-- \nScanned by the mail gateway at "
                                "example.net.\n")], ctype="multipart/mixed", boundary="=_outer")


# ---------------------------------------------------------------- round 2: variations
# Each is a base layout written with one thing a real bounce varies in; it is compared with
# the same base layout unvaried.

IDN_DOMAIN = "b\u00fccher.example"


def v_upper(c):
    return l_postfix(dict(c, addr=c["addr"].upper()))


def v_display(c):
    """Office 365's text NDR names the recipient 'Name (a@b)<mailto:a@b>'."""
    text = (f"{c['host']} rejected your message to the following email addresses:\n\n"
            f"Dana Example ({c['addr']})<mailto:{c['addr']}>\n"
            "There's a problem with the recipient's mailbox. Please try resending your message. "
            "If the problem continues, please contact your email admin.\n\n\n"
            f"{c['host']} gave this error:\n{c['reply']}\n\n\n\n\n\n\n"
            f"Diagnostic information for administrators:\n\nGenerating server: {REPORTER}\n\n"
            f"{c['addr']}\n{c['host']}\nRemote server returned '{c['reply']}'\n\n"
            "Original message headers:\n\n" + original_headers(c))
    return (bounce_head(c, f"postmaster@{REPORTER}", "Undeliverable: June order") +
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=\"us-ascii\"\n\n" + text)


def srs_addr(c):
    local, domain = c["addr"].split("@")
    return f"SRS0=Hx3q=NZ={domain}={local}@fwd.example.org"


def v_srs(c):
    """The failed address is a forwarder's SRS rewrite; the bounce goes to a VERP sender that
    encodes it."""
    c2 = dict(c, addr=srs_addr(c))
    msg = l_postfix(c2)
    verp = f"orders+{c['addr'].replace('@', '=')}@example.net"
    return msg.replace(f"To: {SENDER}\n", f"To: {verp}\n", 1)


def v_idn(c):
    """An internationalized domain: UTF-8 in the text (SMTPUTF8), the A-label in the DSN."""
    local = c["addr"].split("@")[0]
    u = f"{local}@{IDN_DOMAIN}"
    a = f"{local}@{IDN_DOMAIN.encode('idna').decode('ascii')}"
    msg = l_postfix(dict(c, addr=u))
    head, rest = msg.split("message/delivery-status", 1)
    msg = head + "message/delivery-status" + rest.replace(u, a)
    return msg.replace("text/plain; charset=us-ascii", "text/plain; charset=utf-8")


# The text's own sentences in the languages whose charsets are tried (written for this check).
CHARSET_INTROS = {
    "iso-2022-jp": "\u3053\u308c\u306f {r} \u306e\u30e1\u30fc\u30eb\u30b7\u30b9\u30c6\u30e0\u3067\u3059\u3002\n"
                   "\u3054\u8ff7\u60d1\u3092\u304a\u304b\u3051\u3057\u307e\u3059\u304c\u3001"
                   "\u6b21\u306e\u5b9b\u5148\u306b\u304a\u5c4a\u3051\u3067\u304d\u307e\u305b\u3093\u3067\u3057\u305f\u3002\n",
    "gb18030": "\u8fd9\u662f {r} \u7684\u90ae\u4ef6\u7cfb\u7edf\u3002\n"
               "\u5f88\u62b1\u6b49\uff0c\u60a8\u7684\u90ae\u4ef6\u65e0\u6cd5\u6295\u9012\u7ed9\u4e0b\u5217\u6536\u4ef6\u4eba\u3002\n",
    "big5": "\u9019\u662f {r} \u7684\u90f5\u4ef6\u7cfb\u7d71\u3002\n"
            "\u5f88\u62b1\u6b49\uff0c\u60a8\u7684\u90f5\u4ef6\u7121\u6cd5\u6295\u905e\u7d66\u4e0b\u5217\u6536\u4ef6\u4eba\u3002\n",
    "windows-1252": "Ceci est le syst\u00e8me de messagerie de {r}.\n"
                    "Votre message n\u2019a pas pu \u00eatre remis \u2014 d\u00e9sol\u00e9.\n",
}


def v_charset(charset, bom=False):
    def make(c):
        msg = l_postfix_text(c)
        head, body = msg.split("\n\n", 1)
        if charset:
            body = CHARSET_INTROS[charset].replace("{r}", REPORTER) + "\n" + body
        enc = charset or "utf-8"
        try:
            raw = body.encode(enc)
        except UnicodeEncodeError:
            return None      # a reply this charset cannot carry is not written in it
        head = head.replace("charset=us-ascii", f"charset={enc}")
        return head.encode("ascii") + b"\n\n" + (b"\xef\xbb\xbf" if bom else b"") + raw
    return make


def v_bare_cr(c):
    return l_postfix(c).replace("\n", "\r")


def v_tab_fold(c):
    msg = l_dsn(c)
    head, rest = msg.split("Diagnostic-Code:", 1)
    diag, tail = rest.split("\nLast-Attempt-Date:", 1)
    return head + "Diagnostic-Code:" + diag.replace("\n ", "\n\t") + "\nLast-Attempt-Date:" + tail


def multiline(c, parts=3):
    """The reply as an SMTP multiline reply, 'code-status text' lines and a last 'code status
    text' (RFC 5321 4.2.1); None when the reply has no code or too few words."""
    if not c["code"]:
        return None
    rest = REPLY_HEAD.sub("", c["reply"].strip()).strip()
    words = rest.split()
    if len(words) < parts:
        return None
    n = -(-len(words) // parts)
    chunks = [" ".join(words[i:i + n]) for i in range(0, len(words), n)]
    pre = c["code"] + "-" + (c["status"] + " " if c["status"] else "")
    last = c["code"] + " " + (c["status"] + " " if c["status"] else "")
    return [pre + x for x in chunks[:-1]] + [last + chunks[-1]]


def v_multiline_exim(c):
    lines = multiline(c)
    if lines is None:
        return None
    return l_exim(dict(c, reply="\n    ".join(lines)))


def v_multiline_postfix(c):
    lines = multiline(c)
    if lines is None:
        return None
    return l_postfix(dict(c, reply=" ".join(lines)))


def v_disagree(c):
    """X-Postfix-Sender and Remote-MTA that are not the text's sender and host."""
    msg = l_postfix(c)
    head, rest = msg.split("message/delivery-status", 1)
    rest = rest.replace(f"Remote-MTA: dns; {c['host']}", "Remote-MTA: dns; backup-mx.example.org", 1)
    rest = rest.replace("X-Postfix-Queue-ID:", "X-Postfix-Sender: rfc822; list-owner@example.org\nX-Postfix-Queue-ID:", 1)
    return head + "message/delivery-status" + rest


ROUND2_LAYOUTS = collections.OrderedDict([
    ("exchange2007", l_exchange2007),
    ("o365-html", l_o365_html),
    ("o365-html-bare", lambda c: l_o365_html(c, dsn=False)),
    ("domino", l_domino),
    ("courier", l_courier),
    ("opensmtpd", l_opensmtpd),
    ("amazonses", l_amazonses),
    ("yahoo", l_yahoo),
    ("mimecast", l_mimecast),
    ("gworkspace", l_gworkspace),
    ("sendmail-text", l_sendmail_transcript),
    ("mdaemon", l_mdaemon),
    ("exim-retry", l_exim_retry),
    ("forwarded", l_forwarded),
    ("nested", l_nested),
])
# variation -> (make, the base layout it is compared with)
VARIATIONS = collections.OrderedDict([
    ("v-upper", (v_upper, "postfix")),
    ("v-display", (v_display, "dsn")),
    ("v-srs-verp", (v_srs, "postfix")),
    ("v-idn", (v_idn, "postfix")),
    ("v-iso2022jp", (v_charset("iso-2022-jp"), "postfix-text")),
    ("v-gb18030", (v_charset("gb18030"), "postfix-text")),
    ("v-big5", (v_charset("big5"), "postfix-text")),
    ("v-cp1252", (v_charset("windows-1252"), "postfix-text")),
    ("v-utf8-bom", (v_charset(None, bom=True), "postfix-text")),
    ("v-bare-cr", (v_bare_cr, "postfix")),
    ("v-tab-fold", (v_tab_fold, "dsn")),
    ("v-multi-exim", (v_multiline_exim, "exim")),
    ("v-multi-postfix", (v_multiline_postfix, "postfix")),
    ("v-disagree", (v_disagree, "postfix")),
])
ROUND2_STEP_LAYOUTS = {"courier", "sendmail-text", "mdaemon", "exim-retry", "forwarded", "nested"}


def expected_addresses(c, name):
    """The addresses that count as the failed recipient in this layout (lower case)."""
    if name == "v-srs-verp":
        return {srs_addr(c).lower()}
    if name == "v-idn":
        local = c["addr"].split("@")[0]
        return {f"{local}@{IDN_DOMAIN}", f"{local}@{IDN_DOMAIN.encode('idna').decode('ascii')}"}
    return {c["addr"]}


ALL_LAYOUTS = collections.OrderedDict(list(LAYOUTS.items()) + list(ROUND2_LAYOUTS.items()) +
                                      [(n, v[0]) for n, v in VARIATIONS.items()])


def step_reference(name):
    """The layout a layout's reason is compared with beside the bare DSN: the Postfix report
    for layouts that name the SMTP step, a variation's own base layout, else the DSN."""
    if name in VARIATIONS:
        return VARIATIONS[name][1]
    return "postfix" if name in STEP_LAYOUTS or name in ROUND2_STEP_LAYOUTS else "dsn"


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
        for name, make in ALL_LAYOUTS.items():
            msg = make(c)
            if msg is None:        # a variation this reply cannot take (no code, a charset)
                continue
            fname = f"{c['id']}-{name}.eml"
            with open(os.path.join(out_dir, fname), "wb") as f:
                f.write(msg if isinstance(msg, bytes) else msg.encode("utf-8"))
            cases[fname] = (c, name)

    run = subprocess.run([probe, "bounce", "--offline", "--json", "--threads", "2", out_dir],
                         capture_output=True, text=True)
    results = {}
    for line in run.stdout.splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        # A report read from an attachment is named "file#attached" (reports/forwarded).
        results[os.path.basename(obj.get("source", "")).split("#", 1)[0]] = obj
    if not results:
        print("probe gave no results: " + run.stderr[:500], file=sys.stderr)
        return 2

    def reading(fname):
        obj = results.get(fname, {})
        return obj, obj.get("recipients") or []

    stats = collections.OrderedDict((n, collections.Counter()) for n in ALL_LAYOUTS)
    disagreements = []
    for fname, (c, name) in sorted(cases.items()):
        obj, recips = reading(fname)
        ref_obj, ref = reading(f"{c['id']}-dsn.eml")
        ref_reason = ref[0].get("reason") if ref else "(none)"
        # A layout that names the SMTP step is also compared with the Postfix report, which
        # names it too (the bare DSN cannot: RFC 3464 has no field for it).
        step_ref = f"{c['id']}-{step_reference(name)}.eml"
        _, sref = reading(step_ref)
        sref_reason = sref[0].get("reason") if sref else "(none)"
        s = stats[name]
        s["messages"] += 1
        notes = []
        one = len(recips) == 1 and recips[0].get("address", "").lower() in expected_addresses(c, name)
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
    print(f"{len(rows)} replies x {len(ALL_LAYOUTS)} layouts = {len(cases)} messages (probe read {len(results)})")
    print("reason=dsn: the reason read in the bare DSN; =step: in the Postfix report for layouts that name the")
    print("SMTP step (postfix-text, -crlf, exim, exim-bare, sendmail, qmail), else the DSN's; =label: the file's")
    print("round 2: reason=step is the variation's base layout (v-...), the Postfix report for courier,")
    print("sendmail-text, mdaemon, exim-retry, forwarded and nested, else the DSN's")
    print(f"{'layout':15} {'recipient':>11} {'reply code':>11} {'status':>11} {'reason=dsn':>11} {'reason=step':>11} {'reason=label':>13}")
    def line(name, s):
        print(f"{name:15} {s['recipient']:5}/{s['messages']:<5} {s['code']:5}/{s['code_n']:<5} "
              f"{s['status']:5}/{s['status_n']:<5} {s['reason']:5}/{s['messages']:<5} "
              f"{s['same_step']:5}/{s['messages']:<5} {s['label']:6}/{s['messages']:<6}")

    for title, names in (("round 1", LAYOUTS), ("round 2 layouts", ROUND2_LAYOUTS),
                         ("round 2 variations", VARIATIONS)):
        tot = collections.Counter()
        for name in names:
            tot.update(stats[name])
            line(name, stats[name])
        line(title, tot)
        print()
    print(f"disagreements: {len(disagreements)} in {len({d[1]['id'] for d in disagreements})} replies")
    if misses:
        for name, c, r, notes in disagreements:
            print(f"{name:15} {c['where']:22} {c['step']:4} {'; '.join(notes)}")
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
