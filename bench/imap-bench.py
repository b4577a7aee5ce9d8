#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""imap-bench.py - IMAP benchmark: Tern's imapd, and Dovecot's IMAP on a
copy of the same Maildir in the same run (bench/run -i starts this).

    bench/imap-bench.py --src DIR --bin DIR [-n N] [--seed S] [--sizes]
        [--new FRACTION] [--bodies K] [--timeout S] [--no-dovecot]
        [--no-drop-caches] [--dovecot-first] [--repeat R] [--cold C]

Writes a Maildir of N messages (maildir-gen.py --real: real headers,
nested MIME, attachments, a few large messages; --sizes: names with S=
and W=; --new: the fraction in new/, default none, see settle()) into a
throw-away Tern instance's mailbox of user "alice" and, before any
session, copies it for a throw-away Dovecot (pop3-bench.py's, with
protocols = imap). A session is one connection with these rows, each
timed alone (wall time, time.monotonic, from sending the command to its
tagged OK, every response read in full, literals included; one command
at a time, no pipelining):

    1   connect, greeting, LOGIN, SELECT INBOX
    2   FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)
    3   FETCH 1:* BODYSTRUCTURE
    4a  UID SEARCH HEADER Message-ID <the middle message's>
    4b  UID SEARCH SUBJECT "budget"
    5   FETCH 1:K BODY.PEEK[] (K = --bodies, default 1000)

then LOGOUT. A cold session is a server's first look at the Maildir
(Dovecot builds its index and cache, Tern its dovecot-uidlist), after
dropping the page cache as root; there are C of them per server
(default 3), each round on the Maildir as written (put back from a copy
before every round after the first), the order of the two servers
alternating (whoever goes first after the copy meets the disk still busy
with it), and the table has the median of each row. Then one warm-up
session per server that is not counted (the second cold session's cache drop has
evicted the first server's files), then R warm sessions per server
(default 3), taking turns; the table has the median of each row. The
server CPU time of each row is read from /proc between the rows. The
answers of the two servers are compared: message counts, RFC822.SIZE,
INTERNALDATE, ENVELOPE and BODYSTRUCTURE of every message (matched by
Message-ID), the search results (as Message-IDs) and every body fetched
(size and CRC-32). Everything is stopped and removed at the end, also on
errors, ^C or SIGTERM; every socket operation is bounded by --timeout.
"""
import importlib.util
import os
import re
import signal
import shutil
import socket
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DOVECOT_IMAP = "/usr/lib/dovecot/imap"
PASSWORD = "bench-imap-secret"
USER = "alice"
SUBJECT_WORD = "budget"
GOAL = 1.2
# Seconds a Maildir directory stays "recently changed" for imapd, plus one.
SETTLE_S = 3
# Bounds on what the client accepts from a server.
MAX_LINE = 16 << 20
MAX_LITERAL = 64 << 20
RECV = 1 << 18


# pop3-bench.py's Dovecot, process and instance helpers, and the
# maildir-gen.py it loaded.
_spec = importlib.util.spec_from_file_location(
    "pop3_bench", os.path.join(HERE, "pop3-bench.py"))
pb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pb)
gen = pb.gen

ROWS = (("1", "LOGIN + SELECT INBOX"),
        ("2", "FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)"),
        ("3", "FETCH 1:* BODYSTRUCTURE"),
        ("4a", "UID SEARCH HEADER Message-ID <x>"),
        ("4b", 'UID SEARCH SUBJECT "%s"' % SUBJECT_WORD),
        ("5", "FETCH 1:K BODY.PEEK[]"))


class ImapError(Exception):
    pass


class Client:
    """One IMAP connection, one command at a time. A response is a list
    of segments: lines (with CRLF) and the literals each announces."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.buf = bytearray()
        self.pos = 0
        self.tag = 0
        self.chunk = bytearray(RECV)
        self.chunk_view = memoryview(self.chunk)

    def close(self):
        self.sock.close()

    def _fill(self):
        if self.pos > (1 << 20) and self.pos * 2 > len(self.buf):
            del self.buf[:self.pos]
            self.pos = 0
        n = self.sock.recv_into(self.chunk)
        if n == 0:
            raise ImapError("the server closed the connection")
        self.buf += self.chunk_view[:n]

    def _line(self):
        # Where to look for CRLF, from self.pos: _fill may move the data.
        done = 0
        while True:
            k = self.buf.find(b"\r\n", self.pos + done)
            if k >= 0:
                with memoryview(self.buf) as mv:
                    line = bytes(mv[self.pos:k + 2])
                self.pos = k + 2
                return line
            if len(self.buf) - self.pos > MAX_LINE:
                raise ImapError("a line longer than %d bytes" % MAX_LINE)
            done = max(len(self.buf) - self.pos - 1, 0)
            self._fill()

    def _exact(self, n):
        have = len(self.buf) - self.pos
        if have >= n:
            with memoryview(self.buf) as mv:
                data = bytes(mv[self.pos:self.pos + n])
            self.pos += n
            return data
        # The rest of a literal goes from the socket straight into its
        # own buffer: one copy a byte, so that a row of large literals
        # times the server more than this client's copying.
        data = bytearray(n)
        with memoryview(self.buf) as mv:
            data[:have] = mv[self.pos:]
        del self.buf[:]
        self.pos = 0
        with memoryview(data) as view:
            while have < n:
                k = self.sock.recv_into(view[have:], min(n - have, RECV))
                if k == 0:
                    raise ImapError("the server closed the connection")
                have += k
        return data

    def _plain_responses(self, tag):
        """The whole untagged one-line responses at the front of the
        buffer, split in one go (as response() would give them, each a
        list of one line): a FETCH 1:* of 10,000 messages is then timed
        by the server more than by this client's loop. Stops before a
        line that announces a literal, and before the tagged line."""
        end = self.buf.rfind(b"\r\n", self.pos)
        if end < 0:
            return []
        stop = end + 2
        lit = self.buf.find(b"}\r\n", self.pos, stop)
        if lit >= 0:
            stop = self.buf.rfind(b"\r\n", self.pos, lit) + 2
            if stop < self.pos + 2:
                return []
        with memoryview(self.buf) as mv:
            lines = bytes(mv[self.pos:stop]).split(b"\r\n")
        lines.pop()  # after the last CRLF: nothing
        if lines and lines[-1].startswith(tag + b" "):
            stop -= len(lines.pop()) + 2
        self.pos = stop
        return [[x + b"\r\n"] for x in lines]

    def response(self):
        segs = []
        while True:
            line = self._line()
            segs.append(line)
            if line.endswith(b"}\r\n"):
                k = line.rfind(b"{")
                n = line[k + 1:-3].rstrip(b"+")
                if k >= 0 and n.isdigit():
                    if int(n) > MAX_LITERAL:
                        raise ImapError("a literal of %s bytes" % n)
                    segs.append(self._exact(int(n)))
                    continue
            return segs

    def command(self, text):
        """Send one command; (untagged responses, tagged line). NO or
        BAD raises."""
        self.tag += 1
        tag = b"b%d" % self.tag
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        out = []
        while True:
            out.extend(self._plain_responses(tag))
            r = self.response()
            if r[0].startswith(tag + b" "):
                if not r[0].startswith(tag + b" OK"):
                    raise ImapError("%s: %s" % (text, r[0].decode(
                        errors="replace").strip()))
                return out, r[0]
            out.append(r)


def flat(segs):
    """A response as one line: each literal as a quoted string (so that
    two servers that choose literal or quoted differently compare
    equal), no CRLF at the end."""
    out = []
    i = 0
    while i < len(segs):
        line = segs[i]
        if i + 1 < len(segs) and line.endswith(b"}\r\n"):
            lit = segs[i + 1].replace(b"\\", b"\\\\").replace(b'"', b'\\"')
            out.append(line[:line.rfind(b"{")] + b'"' + lit + b'"')
            i += 2
        else:
            out.append(line[:-2] if line.endswith(b"\r\n") else line)
            i += 1
    return b"".join(out)


def item(text, name):
    """The value of FETCH item name (a parenthesised list) in text."""
    k = text.find(name + b" (")
    if k < 0:
        return None
    k += len(name) + 1
    depth = 0
    i = k
    quoted = False
    while i < len(text):
        c = text[i:i + 1]
        if quoted:
            if c == b"\\":
                i += 1
            elif c == b'"':
                quoted = False
        elif c == b'"':
            quoted = True
        elif c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return text[k:i + 1]
        i += 1
    return None


RE_SEQ = re.compile(rb"^\* (\d+) FETCH ")
RE_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
RE_DATE = re.compile(rb'INTERNALDATE "([^"]*)"')
RE_MID = re.compile(rb'"(<[^"]*>)"\)$')


def session(port, args, mid, r):
    """One session, yielding the key of each row when it is done: puts
    every row's wall time, client CPU time and the answers (for the
    checks) in r; server CPU is added by timed()."""
    r.update({"ok": False, "rows": {}, "cpu_client": {}})
    rows = r["rows"]
    c = None

    def run(key, text):
        p0, t0 = time.process_time(), time.monotonic()
        out = c.command(text)
        rows[key] = time.monotonic() - t0
        r["cpu_client"][key] = time.process_time() - p0
        return out[0]

    try:
        p0, t0 = time.process_time(), time.monotonic()
        c = Client(port, args.timeout)
        greeting = c.response()
        if not greeting[0].startswith(b"* OK"):
            raise ImapError("greeting: %r" % greeting[0][:200])
        c.command("LOGIN %s %s" % (USER, PASSWORD))
        r["login_s"] = time.monotonic() - t0
        sel, _ = c.command("SELECT INBOX")
        rows["1"] = time.monotonic() - t0
        r["cpu_client"]["1"] = time.process_time() - p0
        r["select_s"] = rows["1"] - r["login_s"]
        for x in sel:
            m = re.match(rb"\* (\d+) EXISTS", x[0])
            if m:
                r["exists"] = int(m.group(1))
        yield "1"
        r["env"] = run("2", "FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE "
                       "ENVELOPE)")
        yield "2"
        r["bs"] = run("3", "FETCH 1:* BODYSTRUCTURE")
        yield "3"
        r["search_mid"] = run("4a", 'UID SEARCH HEADER Message-ID "%s"'
                              % mid)
        yield "4a"
        r["search_subj"] = run("4b", 'UID SEARCH SUBJECT "%s"'
                               % SUBJECT_WORD)
        yield "4b"
        k = min(args.bodies, r.get("exists", 0))
        r["bodies"] = run("5", "FETCH 1:%d BODY.PEEK[]" % k) if k else []
        r["bodies_asked"] = k
        yield "5"
        c.command("LOGOUT")
        r["ok"] = True
    except (OSError, ImapError) as e:
        r["error"] = str(e)
    finally:
        if c:
            c.close()


def timed(label, port, root, names, cold, args, mid):
    """A session with the server CPU time of every row (the process
    tree under root, read between the rows, outside the timed part)."""
    dropped = pb.drop_caches(cold and not args.no_drop_caches)
    before = pb.named(root, names)
    cpu = {}
    r = {}
    c0 = pb.cpu_ms(root)
    for key in session(port, args, mid, r):
        c1 = pb.cpu_ms(root)
        cpu[key] = c1 - c0
        c0 = c1
    left = pb.wait_gone(root, names, before)
    if left:
        print("%s: the session's processes did not end: %s"
              % (label, " ".join(str(x) for x in sorted(left))))
    r["cpu_server"] = cpu
    r["dropped_caches"] = dropped
    parts = []
    for key, _ in ROWS:
        if key in r["rows"]:
            parts.append("%s %.3f s (server CPU %.0f ms, client %.0f ms)" % (
                key, r["rows"][key], cpu.get(key, 0),
                r["cpu_client"][key] * 1000))
    print("%s: %s%s" % (label, "; ".join(parts),
                        " (page cache dropped before)" if dropped else ""))
    if "login_s" in r:
        print("%s: row 1 = LOGIN %.3f s + SELECT %.3f s, %s messages"
              % (label, r["login_s"], r["select_s"], r.get("exists")))
    if not r["ok"]:
        print("%s: FAILED: %s" % (label, r.get("error")))
    return r


def median(v):
    v = sorted(v)
    if not v:
        return None
    h = len(v) // 2
    return v[h] if len(v) % 2 else (v[h - 1] + v[h]) / 2


def median_of(runs):
    out = dict(runs[-1])
    out["ok"] = all(r["ok"] for r in runs)
    for fig in ("rows", "cpu_server"):
        out[fig] = dict((k, median([r[fig][k] for r in runs
                                    if k in r[fig]]))
                        for k, _ in ROWS)
    return out


def ratio(d, t):
    return d / t if d and t else None


def table(res, fig, title, unit, scale):
    print()
    print(title)
    print("%-52s %9s %9s %6s   %9s %9s %6s" % (
        "row", "Tern", "Dovecot", "ratio", "Tern", "Dovecot", "ratio"))
    print("%-52s %26s   %26s" % ("", "---------- cold ----------",
                                 "-- warm (median of R) ---"))
    worst = None
    for key, name in ROWS:
        cells = []
        for phase in ("cold", "warm"):
            t = res["tern", phase][fig].get(key)
            d = res.get(("dovecot", phase), {}).get(fig, {}).get(key)
            q = ratio(d, t)
            if q is not None and fig == "rows":
                if worst is None or q < worst[0]:
                    worst = (q, key, phase)
            cells.append("%9s %9s %6s" % (
                "-" if t is None else "%.*f" % (scale, t * unit),
                "-" if d is None else "%.*f" % (scale, d * unit),
                "-" if q is None else "%.2f" % q))
        print("%-52s %s   %s" % ("%-3s %s" % (key, name), cells[0],
                                  cells[1]))
    return worst


def settle(maildirs):
    """Wait until cur/ and new/ of every Maildir are SETTLE_S seconds
    old: on a file system with whole-second times Tern trusts an
    unchanged folder only once its times are two seconds behind the
    clock (lib/store/mailbox_index.c, mbx_settled), and before that looks at
    it again at every command; the cold rows should time a first look,
    not that."""
    newest = 0
    for m in maildirs:
        for sub in ("cur", "new"):
            newest = max(newest, os.stat(os.path.join(m, sub)).st_mtime)
    while time.time() < newest + SETTLE_S:
        time.sleep(0.1)


def message_id(maildir, index):
    """The Message-ID of the index-th message by file name."""
    names = []
    for sub in ("cur", "new"):
        names += [os.path.join(maildir, sub, x)
                  for x in os.listdir(os.path.join(maildir, sub))]
    names.sort(key=os.path.basename)
    with open(names[index], "rb") as f:
        head = f.read(65536).split(b"\n\n", 1)[0]
    m = re.search(rb"^Message-ID: *(<[^>]*>)", head, re.M | re.I)
    return m.group(1).decode()


def by_mid(r):
    """{seq: Message-ID} and {Message-ID: (size, date, envelope)} from
    row 2, {Message-ID: bodystructure} from row 3."""
    seq_mid, env, bs = {}, {}, {}
    for segs in r.get("env", []):
        text = flat(segs)
        m = RE_SEQ.match(text)
        e = item(text, b"ENVELOPE")
        if not m or e is None:
            continue
        mm = RE_MID.search(e)
        mid = mm.group(1) if mm else b"seq %s" % m.group(1)
        seq_mid[int(m.group(1))] = mid
        s = RE_SIZE.search(text)
        d = RE_DATE.search(text)
        env[mid] = (s and int(s.group(1)), d and d.group(1), e)
    for segs in r.get("bs", []):
        text = flat(segs)
        m = RE_SEQ.match(text)
        if m and int(m.group(1)) in seq_mid:
            bs[seq_mid[int(m.group(1))]] = item(text, b"BODYSTRUCTURE")
    return seq_mid, env, bs


def searched(r, key, seq_mid, uid_seq):
    """The Message-IDs a UID SEARCH gave."""
    out = set()
    for segs in r.get(key, []):
        if segs[0].startswith(b"* SEARCH"):
            for u in segs[0].split()[2:]:
                out.add(seq_mid.get(uid_seq.get(int(u)), b"?"))
    return out


def uid_map(port, args):
    """{uid: seq} of the mailbox, in a session of its own."""
    c = Client(port, args.timeout)
    try:
        c.response()
        c.command("LOGIN %s %s" % (USER, PASSWORD))
        c.command("EXAMINE INBOX")
        out, _ = c.command("FETCH 1:* UID")
        m = {}
        for segs in out:
            x = re.match(rb"\* (\d+) FETCH \(UID (\d+)\)", segs[0])
            if x:
                m[int(x.group(2))] = int(x.group(1))
        c.command("LOGOUT")
        return m
    finally:
        c.close()


def bodies(r, seq_mid):
    out = {}
    for segs in r.get("bodies", []):
        m = RE_SEQ.match(segs[0])
        if m and len(segs) >= 2:
            out[seq_mid.get(int(m.group(1)), m.group(1))] = (
                len(segs[1]), zlib.crc32(segs[1]))
    return out


def differ(label, a, b, show):
    """Compare two {Message-ID: value}; print and return True when
    equal."""
    keys = set(a) | set(b)
    bad = sorted(k for k in keys if a.get(k) != b.get(k))
    if not bad:
        print("check: %s: equal for all %d messages" % (label, len(keys)))
        return True
    print("check: %s: DIFFER for %d of %d messages; first %s:"
          % (label, len(bad), len(keys), bad[0].decode(errors="replace")))
    print("    Tern:    %s" % show(a.get(bad[0]))[:600])
    print("    Dovecot: %s" % show(b.get(bad[0]))[:600])
    return False


def checks(res, tport, dport, args):
    t, d = res["tern", "cold"], res["dovecot", "cold"]
    ok = True
    same = t.get("exists") == d.get("exists") == args.n
    print("check: SELECT: %s and %s EXISTS (%d written): %s"
          % (t.get("exists"), d.get("exists"), args.n,
             "yes" if same else "NO"))
    ok = ok and same
    tsm, tenv, tbs = by_mid(t)
    dsm, denv, dbs = by_mid(d)
    for label, r, sm in (("Tern", t, tsm), ("Dovecot", d, dsm)):
        if len(r.get("env", [])) != args.n or len(sm) != args.n or \
                len(r.get("bs", [])) != args.n:
            print("check: %s: %d ENVELOPE and %d BODYSTRUCTURE responses"
                  " for %d messages" % (label, len(r.get("env", [])),
                                        len(r.get("bs", [])), args.n))
            ok = False
    ok = differ("RFC822.SIZE", dict((k, v[0]) for k, v in tenv.items()),
                dict((k, v[0]) for k, v in denv.items()), str) and ok
    ok = differ("INTERNALDATE", dict((k, v[1]) for k, v in tenv.items()),
                dict((k, v[1]) for k, v in denv.items()),
                lambda x: x and x.decode()) and ok
    ok = differ("ENVELOPE", dict((k, v[2]) for k, v in tenv.items()),
                dict((k, v[2]) for k, v in denv.items()),
                lambda x: x and x.decode(errors="replace")) and ok
    # RFC 9051 7.5.2: types, subtypes, parameter names and the
    # encoding are case-insensitive; Dovecot gives them as the message
    # has them, Tern in upper case.
    if not differ("BODYSTRUCTURE", tbs, dbs,
                  lambda x: x and x.decode(errors="replace")):
        ok = differ("BODYSTRUCTURE, ignoring letter case",
                    dict((k, v and v.lower()) for k, v in tbs.items()),
                    dict((k, v and v.lower()) for k, v in dbs.items()),
                    lambda x: x and x.decode(errors="replace")) and ok
    tu, du = uid_map(tport, args), uid_map(dport, args)
    for key in ("search_mid", "search_subj"):
        a, b = searched(t, key, tsm, tu), searched(d, key, dsm, du)
        print("check: %s: %d and %d messages, the same ones: %s"
              % ("UID SEARCH HEADER Message-ID" if key == "search_mid"
                 else "UID SEARCH SUBJECT", len(a), len(b),
                 "yes" if a == b else "NO"))
        ok = ok and a == b and len(a) > 0
    ok = differ("BODY.PEEK[] of 1:%d (size, CRC-32)" % t.get(
        "bodies_asked", 0), bodies(t, tsm), bodies(d, dsm), str) and ok
    return ok


def main():
    ap = pb.arguments("IMAP benchmark")
    ap.add_argument("--bodies", type=int, default=1000)
    ap.add_argument("--new", type=float, default=0.0)
    ap.add_argument("--cold", type=int, default=3,
                    help="cold sessions per server, each on the Maildir "
                    "as written (the table gives their median)")
    args = ap.parse_args()
    if args.n < 2:
        sys.exit("imap-bench.py: -n must be at least 2")

    ternlib = pb.prepare(args)
    root = os.geteuid() == 0
    why = pb.dovecot_why_not(args.no_dovecot, DOVECOT_IMAP)

    t = dc = None
    ok = True
    try:
        t, port, tern_root = pb.start_tern(ternlib, ((USER, PASSWORD),),
                                           "imapd", args)
        t0 = time.monotonic()
        info = gen.generate(t.maildir(USER), args.n, args.seed,
                            new=args.new, sizes=args.sizes,
                            owner=(t.uid, t.gid), real=True)
        print("Maildir: %d messages, %d bytes (%d octets on the wire), "
              "seed %d, real headers and MIME, %s, %d%% in new/; "
              "written in %.1f s"
              % (info["messages"], info["bytes"], info["octets"], args.seed,
                 "names with S= and W=" if args.sizes else
                 "names without sizes", round(args.new * 100),
                 time.monotonic() - t0))
        mid = message_id(t.maildir(USER), args.n // 2)

        if why is None:
            dc = pb.Dovecot(t.uid, t.gid, [(USER, pb.user_hashes(t)[USER])],
                            ternlib.free_port(), protocol="imap")
            os.mkdir(dc.home(USER))
            os.chown(dc.home(USER), t.uid, t.gid)
            pb.copy_maildir(t.maildir(USER), dc.maildir(USER))
            dc.start()
            dc_root = dc.master()
            print("Dovecot: %s, instance %s, IMAP on 127.0.0.1:%d"
                  % (dc.version(), dc.dir, dc.port))
        else:
            print("Dovecot: not run (%s); Tern figures only" % why)
        pb.machine(args, root)
        print("Row 4a searches for %s (message %d of %d by file name)"
              % (mid, args.n // 2 + 1, args.n))

        res = {}
        servers = [("tern", port, tern_root, ("imapd",))]
        if dc:
            servers.append(("dovecot", dc.port, dc_root,
                            ("imap", "imap-login")))
            if args.dovecot_first:
                servers.reverse()
        maildirs = [t.maildir(USER)] + ([dc.maildir(USER)] if dc else [])
        # Each cold round starts from the Maildir as written: a copy
        # kept now, put back before every round after the first (the
        # first sessions leave their lists, caches and folders behind).
        pristine = os.path.join(t.dir, "pristine-Maildir")
        if args.cold > 1:
            pb.copy_maildir(t.maildir(USER), pristine)
        cold = dict((x[0], []) for x in servers)
        for k in range(max(args.cold, 1)):
            if k > 0:
                for m in maildirs:
                    shutil.rmtree(m)
                    pb.copy_maildir(pristine, m)
            settle(maildirs)
            # Whoever goes first meets the disk as the writing left it:
            # the order alternates from round to round.
            for name, p, pid, names in (servers if k % 2 == 0
                                        else servers[::-1]):
                cold[name].append(timed("%s cold #%d" % (name, k + 1), p,
                                        pid, names, True, args, mid))
        for name, runs in cold.items():
            res[name, "cold"] = median_of(runs)
        # The second cold session dropped the first one's files from the
        # page cache: one session each, not counted, makes them warm.
        warm = dict((x[0], []) for x in servers)
        for k in range(max(args.repeat, 1) + 1):
            for name, p, pid, names in servers:
                r = timed("%s %s" % (name, "warm-up (not counted)"
                                     if k == 0 else "warm #%d" % k),
                          p, pid, names, False, args, mid)
                if k > 0 or not r["ok"]:
                    warm[name].append(r)
        for name, runs in warm.items():
            res[name, "warm"] = median_of(runs)
        ok = all(r["ok"] for r in res.values())
        worst = table(res, "rows", "wall time, seconds (ratio: Dovecot's "
                      "time / Tern's; above 1, Tern is faster)", 1, 3)
        table(res, "cpu_server", "server CPU time (user + system of the "
              "server's process tree), ms (ratio: Dovecot's / Tern's)",
              1, 0)
        print()
        print("goal: >= %.1fx Dovecot on every row" % GOAL)
        if worst:
            print("lowest ratio: %.2f (row %s, %s)%s" % (
                worst[0], worst[1], worst[2],
                ": goal met on every row" if worst[0] >= GOAL else
                ": goal NOT met"))
        if dc and ok:
            ok = checks(res, port, dc.port, args)
        time.sleep(0.5)
        pb.complaints("tern", t.maillog)
        if dc:
            pb.complaints("dovecot", dc.log)
    except KeyboardInterrupt as e:
        print("imap-bench: interrupted (%s)" % e, file=sys.stderr)
        ok = False
    except (RuntimeError, OSError, AssertionError, ImapError,
            subprocess.SubprocessError) as e:
        print("imap-bench: %s" % e, file=sys.stderr)
        ok = False
    finally:
        ok = pb.stop_all(t, dc, "imapd", "imap-bench") and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
