#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pop3-load.py - one timed POP3 session against any POP3 server.

    bench/pop3-load.py --port PORT --user NAME --password PW [--host H]
        [--window W] [--no-retr] [--timeout S] [--label L] [--json]
        [--uidl-out FILE]

Connects, reads the greeting, USER, PASS, STAT, UIDL, LIST (the "index"
phase, each step timed), then RETR of every message with up to W commands
in flight (RFC 2449 PIPELINING; default 64), and QUIT without DELE, so
that the mailbox stays as it was. Checks that LIST's sizes add up to
STAT's, that UIDL and LIST have a line per message, and that every RETR
brought the octets LIST announced (dot-stuffing taken off). Prints a
report, and with --json one JSON line at the end (also holding each
message's UIDL, size and CRC-32). Standard library only. Exit status 0
when the session went through and every check held, else 1.
"""
import argparse
import json
import os
import socket
import sys
import time
import zlib


class ProtoError(Exception):
    pass


class Conn:
    def __init__(self, host, port, timeout):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.wire = 0

    def fill(self):
        if self.pos > 1 << 20:
            del self.buf[:self.pos]
            self.pos = 0
        data = self.s.recv(1 << 20)
        if not data:
            raise ProtoError("connection closed by the server")
        self.wire += len(data)
        self.buf += data

    def line(self):
        while True:
            k = self.buf.find(b"\r\n", self.pos)
            if k >= 0:
                out = bytes(self.buf[self.pos:k])
                self.pos = k + 2
                return out
            self.fill()

    def ok(self, what):
        line = self.line()
        if not line.startswith(b"+OK"):
            raise ProtoError("%s: %r" % (what, line[:200]))
        return line

    def multi(self):
        """The data of a multi-line response after its status line, with
        the final CRLF of its last line, still dot-stuffed."""
        start = self.pos
        # An empty response is ".\r\n" right away.
        while True:
            if self.buf.startswith(b".\r\n", start):
                self.pos = start + 3
                return b""
            k = self.buf.find(b"\r\n.\r\n", start)
            if k >= 0:
                out = bytes(self.buf[start:k + 2])
                self.pos = k + 5
                return out
            # Keep the offset valid across fill()'s compaction.
            off = start - self.pos
            self.fill()
            start = self.pos + off

    def body(self, size):
        """Skip over a RETR response's text after its status line,
        whose unstuffed length LIST gave as size: returns its length
        with the dot-stuffing taken off and its CRC-32 (of the text as
        sent), without copying it out of the buffer."""
        start = self.pos
        # The stuffed text is no shorter than size: its end ("\r\n.\r\n",
        # or ".\r\n" for an empty one) is not before start + size - 2.
        skip = max(size - 2, 0)
        while True:
            if self.buf.startswith(b".\r\n", start):
                self.pos = start + 3
                return 0, 0
            k = self.buf.find(b"\r\n.\r\n", start + skip)
            if k >= 0:
                end = k + 2
                stuffed = self.buf.count(b"\r\n.", start, end) + \
                    (1 if self.buf.startswith(b".", start) else 0)
                with memoryview(self.buf) as m:
                    crc = zlib.crc32(m[start:end])
                self.pos = k + 5
                return end - start - stuffed, crc
            off = start - self.pos
            self.fill()
            start = self.pos + off

    def send(self, data):
        self.s.sendall(data)


def session(host, port, user, password, window=64, retr=True, timeout=60):
    r = {"ok": False}
    cpu0 = os.times()
    t0 = time.monotonic()
    c = Conn(host, port, timeout)
    try:
        c.ok("greeting")
        c.send(b"USER %s\r\n" % user.encode())
        c.ok("USER")
        c.send(b"PASS %s\r\n" % password.encode())
        c.ok("PASS")
        t1 = time.monotonic()
        c.send(b"STAT\r\n")
        st = c.ok("STAT").split()
        count, octets = int(st[1]), int(st[2])
        t2 = time.monotonic()
        c.send(b"UIDL\r\n")
        c.ok("UIDL")
        uidl = c.multi().split(b"\r\n")[:-1]
        t3 = time.monotonic()
        c.send(b"LIST\r\n")
        c.ok("LIST")
        lst = c.multi().split(b"\r\n")[:-1]
        t4 = time.monotonic()
        r.update(login_s=t1 - t0, stat_s=t2 - t1, uidl_s=t3 - t2,
                 list_s=t4 - t3, index_s=t4 - t0, count=count,
                 octets=octets)
        uids = [x.split()[1].decode() for x in uidl]
        sizes = [int(x.split()[1]) for x in lst]
        if len(uids) != count or len(sizes) != count:
            raise ProtoError("STAT says %d messages, UIDL has %d, LIST %d"
                             % (count, len(uids), len(sizes)))
        if sum(sizes) != octets:
            raise ProtoError("LIST sizes add up to %d, STAT says %d"
                             % (sum(sizes), octets))
        if len(set(uids)) != count:
            raise ProtoError("UIDL: duplicate IDs")
        r["uidl"] = uids
        r["sizes"] = sizes
        crcs = []
        got = 0
        bad = 0
        if retr:
            t5 = time.monotonic()
            sent = 0
            done = 0
            while done < count:
                if sent < count and sent - done <= window // 2:
                    k = min(count, done + window)
                    c.send(b"".join(b"RETR %d\r\n" % (i + 1)
                                    for i in range(sent, k)))
                    sent = k
                c.ok("RETR %d" % (done + 1))
                n, crc = c.body(sizes[done])
                if n != sizes[done]:
                    bad += 1
                got += n
                crcs.append(crc)
                done += 1
            t6 = time.monotonic()
            r.update(retr_s=t6 - t5, retr_octets=got, retr_bad=bad,
                     retr_msgs_per_s=count / (t6 - t5) if t6 > t5 else 0,
                     retr_mb_per_s=got / 1e6 / (t6 - t5) if t6 > t5 else 0)
            r["crc"] = crcs
        c.send(b"QUIT\r\n")
        c.ok("QUIT")
        r["total_s"] = time.monotonic() - t0
        r["wire_bytes"] = c.wire
        r["ok"] = bad == 0
        if bad:
            r["error"] = "%d RETR sizes differ from LIST" % bad
    except (OSError, ProtoError, ValueError, IndexError) as e:
        r["error"] = str(e)
    finally:
        c.s.close()
    cpu1 = os.times()
    r["client_cpu_s"] = (cpu1.user - cpu0.user) + (cpu1.system -
                                                     cpu0.system)
    return r


def report(label, r):
    p = "%s: " % label if label else ""
    if "index_s" in r:
        print("%sindex %.3f s (login %.3f, STAT %.3f, UIDL %.3f, LIST %.3f)"
              " %d messages, %d octets"
              % (p, r["index_s"], r["login_s"], r["stat_s"], r["uidl_s"],
                 r["list_s"], r["count"], r["octets"]))
    if "retr_s" in r:
        print("%sRETR %d messages in %.3f s: %.0f msgs/s, %.1f MB/s"
              " (client CPU %.2f s)"
              % (p, r["count"], r["retr_s"], r["retr_msgs_per_s"],
                 r["retr_mb_per_s"], r["client_cpu_s"]))
    if not r["ok"]:
        print("%sFAILED: %s" % (p, r.get("error")))


def main():
    ap = argparse.ArgumentParser(description="one timed POP3 session")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--no-retr", action="store_true")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--label", default="")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--uidl-out")
    a = ap.parse_args()
    r = session(a.host, a.port, a.user, a.password, max(a.window, 1),
                not a.no_retr, a.timeout)
    report(a.label, r)
    if a.uidl_out and "uidl" in r:
        with open(a.uidl_out, "w") as f:
            for i, u in enumerate(r["uidl"]):
                f.write("%d %s\n" % (i + 1, u))
    if a.json:
        print(json.dumps(r))
    sys.exit(0 if r["ok"] else 1)


if __name__ == "__main__":
    main()
