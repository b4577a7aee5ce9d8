#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""smtp-load - send N messages over C parallel SMTP connections.

Each of the C connections sends its share of the N messages one after
the other (MAIL, RCPT, DATA on one session, no PIPELINING), round-robin
to the given recipients. Every message has the same size (default
4096 bytes including its header). Reported:

  accepted   msgs/s: accepted messages / time from the first connect
             until the last "250" after DATA;
  end-to-end msgs/s: accepted messages / time from the first connect
             until every accepted message is a file in a Maildir new/
             directory (with --maildir; files already there at the
             start are not counted), or until the mail log has a
             "status=sent" line for each (with --sent-log, for mail
             relayed to another server; lines already there at the start
             are not counted).

Everything is bounded: socket operations time out after --io-timeout
seconds and the whole run, delivery wait included, after --timeout
seconds. Exit status 0 when every message was accepted and (with
--maildir) delivered, 1 otherwise, 2 on usage errors. With --json the
last line of the output is a JSON object with the figures.

With --submit USER:PASSWORD every message is a session of its own, as a
mail user agent submits: connect, EHLO, (with --tls) STARTTLS and EHLO
again, AUTH PLAIN with the initial response, MAIL, RCPT, DATA, QUIT.
The C connections then each open their share of sessions one after the
other. The server's certificate is not verified (self-signed test
certificates) and TLS sessions are not resumed: every connection does a
full handshake.
"""
import argparse
import base64
import json
import os
import resource
import socket
import ssl
import sys
import threading
import time


class SmtpError(Exception):
    pass


class Session:
    """A minimal SMTP client: one reply per command, CRLF lines."""

    def __init__(self, host, port, timeout):
        self.host = host
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.rfile = self.sock.makefile("rb")
        self.lines = []

    def reply(self):
        """The code and last line of one reply; all its lines are left
        in self.lines."""
        self.lines = lines = []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                raise SmtpError("connection closed by server")
            lines.append(line.rstrip(b"\r\n").decode("ascii", "replace"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        try:
            code = int(lines[-1][:3])
        except ValueError:
            raise SmtpError("bad reply: %r" % lines[-1])
        return code, lines[-1]

    def command(self, text, want):
        self.sock.sendall(text.encode("ascii") + b"\r\n")
        code, line = self.reply()
        if code != want:
            raise SmtpError("%s: %s" % (text.split(" ")[0], line))
        return line

    def starttls(self, context):
        """STARTTLS, then the TLS handshake on the same socket."""
        self.command("STARTTLS", 220)
        self.rfile.close()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)
        self.rfile = self.sock.makefile("rb")

    def close(self):
        try:
            self.sock.sendall(b"QUIT\r\n")
            self.reply()
        except (OSError, SmtpError):
            pass
        self.rfile.close()
        self.sock.close()


def make_body(size, sender, rcpt, seq):
    """A message of exactly size bytes as sent (CRLF endings, before the
    final "." line); no line starts with "."."""
    head = ("From: <%s>\r\nTo: <%s>\r\nSubject: smtp-load message %d\r\n"
            "Message-ID: <load.%d.%d@smtp-load>\r\n\r\n"
            % (sender, rcpt, seq, os.getpid(), seq)).encode("ascii")
    line = b"x" * 76 + b"\r\n"
    body = bytearray(head)
    while len(body) + len(line) <= size:
        body += line
    rest = size - len(body)
    if rest >= 3:
        body += b"y" * (rest - 2) + b"\r\n"
    elif rest > 0:
        # Too little room for a line of its own: lengthen the last one.
        body[-2:-2] = b"z" * rest
    return bytes(body)


def count_new(maildirs):
    n = 0
    for d in maildirs:
        try:
            n += sum(1 for name in os.listdir(os.path.join(d, "new"))
                     if not name.startswith("."))
        except FileNotFoundError:
            pass
    return n


def count_sent(log):
    try:
        with open(log, "rb") as f:
            return f.read().count(b"status=sent")
    except FileNotFoundError:
        return 0


def count_done(args):
    if args.sent_log:
        return count_sent(args.sent_log)
    return count_new(args.maildir)


def send_message(sess, args, seq):
    """One mail transaction on an open session, for message seq."""
    rcpt = args.rcpt[seq % len(args.rcpt)]
    sess.command("MAIL FROM:<%s>" % args.sender, 250)
    sess.command("RCPT TO:<%s>" % rcpt, 250)
    sess.command("DATA", 354)
    sess.sock.sendall(make_body(args.size, args.sender, rcpt, seq)
                      + b".\r\n")
    code, line = sess.reply()
    if code != 250:
        raise SmtpError("end of DATA: %s" % line)


def open_session(args):
    sess = Session(args.host, args.port, args.io_timeout)
    try:
        code, line = sess.reply()
        if code != 220:
            raise SmtpError("greeting: %s" % line)
        sess.command("EHLO smtp-load.test", 250)
    except (OSError, SmtpError):
        sess.close()
        raise
    return sess


def worker(args, index, count, stats, lock, deadline):
    """Persistent mode: count messages on one session."""
    accepted = 0
    errors = []
    last_ok = None
    sess = None
    try:
        sess = open_session(args)
        for i in range(count):
            if time.monotonic() > deadline:
                errors.append("run time limit reached")
                break
            send_message(sess, args, index + i * args.connections)
            accepted += 1
            last_ok = time.monotonic()
    except (OSError, SmtpError) as e:
        errors.append(str(e))
    finally:
        if sess is not None:
            sess.close()
    add_stats(stats, lock, accepted, errors, last_ok, {})


def submit_one(args, seq, phases):
    """Submission mode: one session for message seq; adds the seconds
    spent in each step to phases."""
    t0 = time.monotonic()
    sess = open_session(args)
    try:
        t1 = time.monotonic()
        phases["connect+EHLO"] += t1 - t0
        if args.tls_context is not None:
            sess.starttls(args.tls_context)
            sess.command("EHLO smtp-load.test", 250)
            if args.tls_version is None:
                args.tls_version = "%s %s" % (sess.sock.version(),
                                              sess.sock.cipher()[0])
            t2 = time.monotonic()
            phases["STARTTLS+EHLO"] += t2 - t1
            t1 = t2
        sess.command("AUTH PLAIN " + args.auth_plain, 235)
        t2 = time.monotonic()
        phases["AUTH"] += t2 - t1
        send_message(sess, args, seq)
        phases["MAIL..DATA"] += time.monotonic() - t2
    finally:
        sess.close()


def submit_worker(args, index, count, stats, lock, deadline):
    """Submission mode: count sessions one after the other, one message
    each. A failed session is counted and the next one tried."""
    accepted = 0
    errors = []
    last_ok = None
    phases = dict.fromkeys(PHASES, 0.0)
    for i in range(count):
        if time.monotonic() > deadline:
            errors.append("run time limit reached")
            break
        try:
            submit_one(args, index + i * args.connections, phases)
            accepted += 1
            last_ok = time.monotonic()
        except (OSError, SmtpError) as e:
            errors.append(str(e))
    add_stats(stats, lock, accepted, errors, last_ok, phases)


PHASES = ("connect+EHLO", "STARTTLS+EHLO", "AUTH", "MAIL..DATA")


def add_stats(stats, lock, accepted, errors, last_ok, phases):
    with lock:
        stats["accepted"] += accepted
        stats["errors"] += errors
        if last_ok is not None and (stats["last_ok"] is None
                                    or last_ok > stats["last_ok"]):
            stats["last_ok"] = last_ok
        for k, v in phases.items():
            stats["phases"][k] = stats["phases"].get(k, 0.0) + v


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("-n", "--messages", type=int, default=5000)
    p.add_argument("-c", "--connections", type=int, default=10)
    p.add_argument("--size", type=int, default=4096,
                   help="bytes per message (default 4096)")
    p.add_argument("--sender", default="load@sender.test")
    p.add_argument("--rcpt", action="append", required=True,
                   help="recipient address (repeat for several)")
    p.add_argument("--maildir", action="append", default=[],
                   help="Maildir to watch for deliveries (repeat)")
    p.add_argument("--timeout", type=float, default=600,
                   help="limit for the whole run in seconds (default 600)")
    p.add_argument("--sent-log", default=None,
                   help="a mail log: delivery means a status=sent line")
    p.add_argument("--io-timeout", type=float, default=60)
    p.add_argument("--submit", metavar="USER:PASSWORD", default=None,
                   help="one session per message with AUTH PLAIN")
    p.add_argument("--tls", action="store_true",
                   help="with --submit: STARTTLS before AUTH")
    p.add_argument("--label", default="")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if args.messages < 1 or args.connections < 1 or args.size < 512:
        p.error("need --messages >= 1, --connections >= 1, --size >= 512")
    if args.tls and not args.submit:
        p.error("--tls needs --submit")
    args.connections = min(args.connections, args.messages)
    args.tls_context = None
    args.tls_version = None
    if args.submit:
        user, sep, password = args.submit.partition(":")
        if not sep or not user:
            p.error("--submit wants USER:PASSWORD")
        args.auth_plain = base64.b64encode(
            b"\0" + user.encode() + b"\0" + password.encode()).decode()
        if args.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            args.tls_context = ctx

    waits = bool(args.maildir or args.sent_log)
    before = count_done(args)
    stats = {"accepted": 0, "errors": [], "last_ok": None, "phases": {}}
    target = submit_worker if args.submit else worker
    lock = threading.Lock()
    start = time.monotonic()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    deadline = start + args.timeout
    threads = []
    for c in range(args.connections):
        share = args.messages // args.connections + \
            (1 if c < args.messages % args.connections else 0)
        t = threading.Thread(target=target, daemon=True,
                             args=(args, c, share, stats, lock, deadline))
        threads.append(t)
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    accepted = stats["accepted"]
    t_accept = (stats["last_ok"] or time.monotonic()) - start
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)

    delivered = None
    t_e2e = None
    if waits and accepted > 0:
        while time.monotonic() < deadline:
            delivered = count_done(args) - before
            if delivered >= accepted:
                t_e2e = time.monotonic() - start
                break
            time.sleep(0.05)
        else:
            delivered = count_done(args) - before

    label = (args.label + ": ") if args.label else ""
    size_kib = args.size / 1024
    if args.submit:
        print("%s%d messages of %g KiB, one session each (%sAUTH PLAIN), "
              "%d in parallel: %d accepted"
              % (label, args.messages, size_kib,
                 "STARTTLS, " if args.tls else "", args.connections,
                 accepted))
    else:
        print("%s%d messages of %g KiB over %d connections: %d accepted"
              % (label, args.messages, size_kib, args.connections, accepted))
    res = {"label": args.label, "messages": args.messages,
           "connections": args.connections, "size": args.size,
           "accepted": accepted, "accept_seconds": round(t_accept, 3),
           "accepted_per_second": None, "delivered": delivered,
           "end_to_end_seconds": None, "end_to_end_per_second": None,
           "errors": len(stats["errors"]),
           "client_cpu_ms_per_message": round(1000 * cpu / max(accepted, 1),
                                              2)}
    if args.submit:
        res["tls"] = args.tls_version
        res["session_ms"] = dict(
            (k, round(1000 * v / accepted, 2)) for k, v in
            stats["phases"].items() if accepted > 0 and v > 0)
    if accepted > 0 and t_accept > 0:
        res["accepted_per_second"] = round(accepted / t_accept, 1)
        print("%saccepted:   %8.1f msgs/s (%.2f s until the last 250)"
              % (label, accepted / t_accept, t_accept))
    if t_e2e is not None:
        res["end_to_end_seconds"] = round(t_e2e, 3)
        res["end_to_end_per_second"] = round(accepted / t_e2e, 1)
        print("%send-to-end: %8.1f msgs/s (%.2f s until all are %s)"
              % (label, accepted / t_e2e, t_e2e,
                 "sent on" if args.sent_log else "in the Maildirs"))
    elif waits:
        print("%send-to-end: only %s of %d delivered within %g s"
              % (label, delivered, accepted, args.timeout))
    print("%sclient CPU: %.2f ms per message (this program, until the "
          "last 250)" % (label, res["client_cpu_ms_per_message"]))
    if args.submit and res["session_ms"]:
        print("%ssession:    %s (mean ms%s)"
              % (label, ", ".join("%s %.1f" % kv for kv in
                                  res["session_ms"].items()),
                 ", " + args.tls_version if args.tls_version else ""))
    for e in sorted(set(stats["errors"]))[:10]:
        print("%serror: %s" % (label, e), file=sys.stderr)
    if stats["errors"]:
        print("%s%d connection(s) failed" % (label, len(stats["errors"])),
              file=sys.stderr)
    if args.json:
        print(json.dumps(res))
    ok = accepted == args.messages and (not waits or t_e2e is not None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
