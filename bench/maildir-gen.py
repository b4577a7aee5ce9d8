#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""maildir-gen.py - write a Maildir of N test messages directly.

    bench/maildir-gen.py DIR [-n N] [--seed S] [--min BYTES] [--max BYTES]
        [--multipart FRACTION] [--new FRACTION] [--sizes] [--owner UID:GID]
        [--real]

Messages are MIME mail of about MIN to MAX bytes (LF line ends, as local
delivery stores them), a FRACTION of them multipart/mixed with a text
part and a base64 attachment; some body lines start with "." (POP3
dot-stuffing). The newest FRACTION of them (--new) lie in new/, the rest
in cur/ with ":2,S". File names are unique names of deliveries,
"<sec>.M<usec>P<pid>Q<n>.bench.test"; with --sizes they carry
",S=<size>,W=<size with CRLF>" as Tern's local(8) and Dovecot write them,
so that a server need not read a file for its size. With --real the
headers are what mail clients write and IMAP servers parse: an RFC 5322
Date with a zone, display names quoted or MIME-encoded, Cc, Reply-To,
In-Reply-To and References in threads, "Re:" and encoded-word subjects;
multipart messages are multipart/mixed, multipart/alternative (text and
HTML) or both nested, with one or two attachments; and one in fifty is
32 to 256 KiB. The same seed gives
the same Maildir, byte for byte and name for name. Standard library
only. Prints the message count and the total size (on disk and on the
wire, CRLF) as JSON.
"""
import argparse
import base64
import json
import os
import random
import sys
import time

WORDS = ("the of and to in is that for it as with was on be by at this "
         "from or have an are not but which all were one there their can "
         "mail server queue message folder header body delivery relay "
         "postmaster invoice meeting report tomorrow please review attached "
         "draft budget schedule quarter update project release network "
         "latency throughput benchmark mailbox").split()
NAMES = ("alice bob carol dave erin frank grace heidi ivan judy mallory "
         "niaj olivia peggy rupert sybil trent victor walter").split()
BASE_TIME = 1760000000


def text_lines(rnd, nbytes):
    """Plain text of about nbytes, lines of up to 76 characters, some
    empty (paragraphs) and some starting with a dot."""
    out = []
    total = 0
    while total < nbytes:
        r = rnd.random()
        if r < 0.06:
            line = ""
        elif r < 0.075:
            line = "." + " ".join(rnd.choice(WORDS)
                                  for _ in range(rnd.randint(0, 8)))
        else:
            words = []
            n = 0
            limit = rnd.randint(30, 76)
            while True:
                w = rnd.choice(WORDS)
                if n + len(w) + 1 > limit:
                    break
                words.append(w)
                n += len(w) + 1
            line = " ".join(words)
        out.append(line)
        total += len(line) + 1
    return out


def trace_head(rnd, sender, i, when, stamp):
    """Return-Path, Delivered-To and Received, as delivery writes them;
    stamp is the Received line's date."""
    return [
        "Return-Path: <%s@example.org>" % sender,
        "Delivered-To: bench@example.test",
        "Received: from client.example.org (client.example.org [192.0.2.%d])"
        % rnd.randint(1, 254),
        "\tby mail.example.test (Tern) with ESMTP id %08X%04X"
        % (when, i & 0xffff),
        "\tfor <bench@example.test>; %s" % stamp]


def message(rnd, i, when, size, multipart):
    sender = rnd.choice(NAMES)
    head = trace_head(rnd, sender, i, when, "%d" % when) + [
        "From: %s <%s@example.org>" % (sender.capitalize(), sender),
        "To: Bench <bench@example.test>",
        "Subject: message %d: %s" % (i, " ".join(rnd.choice(WORDS)
                                                 for _ in range(5))),
        "Date: %d" % when,
        "Message-ID: <%d.%d@example.org>" % (when, i),
        "MIME-Version: 1.0",
    ]
    if multipart:
        boundary = "=_bench_%d_%08x" % (i, rnd.getrandbits(32))
        head.append('Content-Type: multipart/mixed; boundary="%s"' % boundary)
        fixed = len("\n".join(head)) + 400
        room = max(size - fixed, 600)
        text_part = room // 3
        att_raw = max((room - text_part) * 3 // 4 - 64, 32)
        data = base64.b64encode(rnd.randbytes(att_raw)).decode()
        body = ["This is a multi-part message in MIME format.", "",
                "--" + boundary,
                "Content-Type: text/plain; charset=us-ascii",
                "Content-Transfer-Encoding: 7bit", ""]
        body += text_lines(rnd, text_part)
        body += ["", "--" + boundary,
                 "Content-Type: application/octet-stream; "
                 'name="file%d.bin"' % i,
                 "Content-Transfer-Encoding: base64",
                 'Content-Disposition: attachment; filename="file%d.bin"' % i,
                 ""]
        body += [data[k:k + 76] for k in range(0, len(data), 76)]
        body += ["", "--" + boundary + "--", ""]
    else:
        head.append("Content-Type: text/plain; charset=us-ascii")
        head.append("Content-Transfer-Encoding: 7bit")
        fixed = len("\n".join(head)) + 2
        body = text_lines(rnd, max(size - fixed, 10))
    text = "\n".join(head) + "\n\n" + "\n".join(body) + "\n"
    return text.encode("ascii")


DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
ZONES = (0, 60, 120, -300, -420, 330, 540)
SURNAMES = ("Smith Jones Meyer Dubois Rossi Tanaka Novak Silva Berg "
            "Kowalski").split()
# Non-ASCII display names and subjects, as clients encode them (RFC 2047).
ENCODED = ("=?utf-8?q?Ren=C3=A9e_M=C3=BCller?=", "=?iso-8859-1?q?J=F6rg?=",
           "=?utf-8?b?0JzQsNGA0LjRjw==?=")
SUBJECTS_ENC = ("=?utf-8?q?caf=C3=A9_budget?=",
                "=?utf-8?b?w7xiZXIgZGFzIG1lZXRpbmc=?=")
BIG = (32768, 262144)
BIG_FRACTION = 0.02


def rfc5322_date(when, zone_min):
    """RFC 5322 3.3 date-time of when (UTC seconds) in zone +-zone_min."""
    t = time.gmtime(when + zone_min * 60)
    sign = "+" if zone_min >= 0 else "-"
    z = abs(zone_min)
    return "%s, %02d %s %d %02d:%02d:%02d %s%02d%02d" % (
        DAYS[t.tm_wday], t.tm_mday, MONTHS[t.tm_mon - 1], t.tm_year,
        t.tm_hour, t.tm_min, t.tm_sec, sign, z // 60, z % 60)


def mailbox(rnd, name, domain="example.org"):
    """An address with the display name forms clients write."""
    r = rnd.random()
    if r < 0.1:
        return "%s <%s@%s>" % (rnd.choice(ENCODED), name, domain)
    if r < 0.3:
        return '"%s, %s" <%s@%s>' % (rnd.choice(SURNAMES),
                                     name.capitalize(), name, domain)
    if r < 0.4:
        return "%s@%s" % (name, domain)
    return "%s %s <%s@%s>" % (name.capitalize(), rnd.choice(SURNAMES), name,
                              domain)


def real_head(rnd, i, when, ids):
    sender = rnd.choice(NAMES)
    subject = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 8)))
    r = rnd.random()
    if r < 0.05:
        subject = rnd.choice(SUBJECTS_ENC)
    elif r < 0.4:
        subject = "Re: " + subject
    head = trace_head(rnd, sender, i, when, rfc5322_date(when, 0)) + [
        "From: %s" % mailbox(rnd, sender),
        "To: Bench <bench@example.test>%s" % (
            ", %s" % mailbox(rnd, rnd.choice(NAMES), "example.test")
            if rnd.random() < 0.2 else ""),
    ]
    if rnd.random() < 0.3:
        head.append("Cc: %s" % ", ".join(
            mailbox(rnd, rnd.choice(NAMES)) for _ in range(rnd.randint(1, 3))))
    if rnd.random() < 0.05:
        head.append("Reply-To: %s" % mailbox(rnd, "list", "lists.example.org"))
    head += ["Subject: %s" % subject,
             "Date: %s" % rfc5322_date(when - rnd.randint(1, 30),
                                      rnd.choice(ZONES)),
             "Message-ID: <%d.%d@example.org>" % (when, i)]
    if ids and rnd.random() < 0.4:
        refs = sorted(set(rnd.choice(ids)
                          for _ in range(rnd.randint(1, 3))))
        head.append("In-Reply-To: %s" % refs[-1])
        head.append("References: %s" % "\n\t".join(refs))
    ids.append("<%d.%d@example.org>" % (when, i))
    head.append("User-Agent: %s" % rnd.choice(
        ("Mutt/2.2.9", "Thunderbird/115.3.1", "Roundcube Webmail/1.6.5")))
    head.append("MIME-Version: 1.0")
    return head


def base64_lines(rnd, nbytes):
    data = base64.b64encode(rnd.randbytes(max(nbytes, 32))).decode()
    return [data[k:k + 76] for k in range(0, len(data), 76)]


def alternative(rnd, i, nbytes):
    """A multipart/alternative entity (head and body lines): text and
    HTML."""
    b = "=_alt_%d_%08x" % (i, rnd.getrandbits(32))
    text = text_lines(rnd, nbytes // 2)
    html = ["<html><body>"] + ["<p>%s</p>" % x for x in
                               text_lines(rnd, nbytes // 2) if x] + \
        ["</body></html>"]
    return (['Content-Type: multipart/alternative; boundary="%s"' % b],
            ["--" + b, "Content-Type: text/plain; charset=utf-8",
             "Content-Transfer-Encoding: 7bit", ""] + text +
            ["--" + b, "Content-Type: text/html; charset=utf-8",
             "Content-Transfer-Encoding: 7bit", ""] + html +
            ["--" + b + "--"])


def attachment(rnd, i, k, nbytes):
    kind, ext = rnd.choice((("application/pdf", "pdf"),
                            ("image/jpeg", "jpg"),
                            ("application/octet-stream", "bin"),
                            ("application/zip", "zip")))
    name = "file%d-%d.%s" % (i, k, ext)
    return (['Content-Type: %s; name="%s"' % (kind, name),
             "Content-Transfer-Encoding: base64",
             'Content-Disposition: attachment; filename="%s"' % name, ""] +
            base64_lines(rnd, nbytes * 3 // 4 - 64))


def real_message(rnd, i, when, size, multipart, ids):
    """message() with the headers and structures of --real."""
    head = real_head(rnd, i, when, ids)
    if not multipart:
        head.append("Content-Type: text/plain; charset=utf-8; format=flowed")
        head.append("Content-Transfer-Encoding: 7bit")
        fixed = len("\n".join(head)) + 2
        body = text_lines(rnd, max(size - fixed, 10))
        return ("\n".join(head) + "\n\n" + "\n".join(body) +
                "\n").encode("ascii")
    room = max(size - len("\n".join(head)) - 600, 600)
    kind = rnd.random()
    if kind < 0.25:
        h, body = alternative(rnd, i, room)
        head += h
        return ("\n".join(head) + "\n\n" + "\n".join(body) +
                "\n").encode("ascii")
    b = "=_mixed_%d_%08x" % (i, rnd.getrandbits(32))
    head.append('Content-Type: multipart/mixed; boundary="%s"' % b)
    body = ["This is a multi-part message in MIME format.", "", "--" + b]
    text_part = room // 3
    if kind < 0.6:
        h, alt = alternative(rnd, i, text_part)
        body += h + [""] + alt
    else:
        body += ["Content-Type: text/plain; charset=utf-8",
                 "Content-Transfer-Encoding: 7bit", ""]
        body += text_lines(rnd, text_part)
    natt = 2 if rnd.random() < 0.25 else 1
    for k in range(natt):
        body += ["", "--" + b] + attachment(rnd, i, k,
                                            (room - text_part) // natt)
    body += ["", "--" + b + "--", ""]
    return ("\n".join(head) + "\n\n" + "\n".join(body) +
            "\n").encode("ascii")


def generate(path, n=10000, seed=1, smin=4096, smax=20480, multipart=0.2,
             new=0.1, sizes=False, owner=None, real=False):
    rnd = random.Random(seed)
    ids = []
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    pid = 20000 + seed % 10000
    first_new = n - int(n * new)
    total = 0
    wire = 0
    when = BASE_TIME
    for i in range(n):
        when += rnd.randint(1, 120)
        if real:
            size = rnd.randint(smin, smax)
            big = rnd.random() < BIG_FRACTION
            if big:
                size = rnd.randint(*BIG)
            data = real_message(rnd, i, when, size,
                                big or rnd.random() < multipart, ids)
        else:
            data = message(rnd, i, when, rnd.randint(smin, smax),
                           rnd.random() < multipart)
        # No CR in what we write: every LF is a CRLF on the wire.
        vsize = len(data) + data.count(b"\n")
        name = "%d.M%06dP%dQ%d.bench.test" % (when, rnd.randint(0, 999999),
                                              pid, i + 1)
        if sizes:
            name += ",S=%d,W=%d" % (len(data), vsize)
        if i >= first_new:
            f = os.path.join(path, "new", name)
        else:
            f = os.path.join(path, "cur", name + ":2,S")
        with open(f, "wb") as fp:
            fp.write(data)
        os.utime(f, (when, when))
        total += len(data)
        wire += vsize
    if owner is not None:
        uid, gid = owner
        for root, dirs, names in os.walk(path):
            os.chown(root, uid, gid)
            os.chmod(root, 0o700)
            for x in names:
                os.chown(os.path.join(root, x), uid, gid)
    return {"messages": n, "bytes": total, "octets": wire}


def main():
    ap = argparse.ArgumentParser(description="write a test Maildir")
    ap.add_argument("dir")
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min", type=int, default=4096)
    ap.add_argument("--max", type=int, default=20480)
    ap.add_argument("--multipart", type=float, default=0.2)
    ap.add_argument("--new", type=float, default=0.1)
    ap.add_argument("--sizes", action="store_true")
    ap.add_argument("--owner", help="UID:GID of every file and directory")
    ap.add_argument("--real", action="store_true",
                    help="real-world headers and MIME structures")
    a = ap.parse_args()
    owner = None
    if a.owner:
        u, g = a.owner.split(":")
        owner = (int(u), int(g))
    if a.min < 1024 or a.max < a.min:
        sys.exit("maildir-gen.py: need 1024 <= --min <= --max")
    print(json.dumps(generate(a.dir, a.n, a.seed, a.min, a.max, a.multipart,
                              a.new, a.sizes, owner, a.real)))


if __name__ == "__main__":
    main()
