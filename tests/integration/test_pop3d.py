# SPDX-License-Identifier: MIT
"""pop3d as POP3 clients see it: Python's poplib over STLS and over
implicit TLS (POP3S) gets STAT, LIST, UIDL, TOP and RETR that agree with
the Maildir, RETR byte for byte what smtpd accepted (dot-stuffed on the
wire); DELE then QUIT removes, DELE then a dropped connection or RSET
keeps; UIDLs are stable across sessions and unique in a mailbox of
1,000; a second session gets -ERR [IN-USE]; wrong-state commands, bad
message numbers and long lines get -ERR; no password login before TLS at
level encrypt; failed logins are logged as Dovecot does and fail2ban's
stock dovecot filter counts them; fetchmail pulls a mailbox into an
mbox; a Maildir moved from Tern to Dovecot 2.3's POP3 server (Debian's
dovecot-pop3d, run by the test) or back keeps its UIDLs and sizes; as root, the three processes of a session run as root (never
reading the client), mail_owner and the mailbox owner."""
import base64
import os
import poplib
import pwd
import re
import shutil
import socket
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


ctx = ternlib.tls_context


DOVECOT_POP3 = "/usr/lib/dovecot/pop3"


def proc_uid(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


class Pop3dTest(ternlib.AccessTest):
    def start(self, level="may", scheme=None, **main):
        t = self.start_service("pop3d", level, scheme, **main)
        self.pop, self.pops = self.port, self.tls_port
        return t

    def deliver(self, *bodies, to="alice"):
        s = self.t.smtp()
        for i, body in enumerate(bodies):
            s.sendmail("carol@example.org", ["%s@example.test" % to],
                       "Subject: m%d\r\n\r\n%s" % (i, body))
        s.quit()
        return self.t.wait_messages(to, len(bodies))

    def stls(self, user="alice", password="alice pw"):
        p = poplib.POP3("127.0.0.1", self.pop, timeout=30 * ternlib.SLOW)
        p.stls(context=ctx())
        p.user(user)
        p.pass_(password)
        return p

    def pop3s(self, user="alice", password="alice pw"):
        p = poplib.POP3_SSL("127.0.0.1", self.pops, context=ctx(),
                            timeout=30 * ternlib.SLOW)
        p.user(user)
        p.pass_(password)
        return p

    def files(self, user="alice"):
        d = self.t.maildir(user)
        out = []
        for sub in ("new", "cur"):
            p = os.path.join(d, sub)
            if os.path.isdir(p):
                out += [os.path.join(p, n) for n in os.listdir(p)]
        return out

    @staticmethod
    def wire(data):
        """The message as POP3 counts it: every LF not after CR as CRLF."""
        return re.sub(rb"(?<!\r)\n", b"\r\n", data)

    def test_stls_and_pop3s_agree_with_maildir(self):
        self.start()
        self.deliver("first\r\n",
                     ".a line that starts with a dot\r\n..two dots\r\n.\r\n"
                     "end\r\n",
                     "x" * 1500 + "\r\n" + "line\r\n" * 300)
        files = {}
        for path in self.files():
            with open(path, "rb") as f:
                data = f.read()
            files[re.search(rb"Subject: (m\d)", data).group(1)] = data
        for login in (self.stls, self.pop3s):
            p = login()
            count, size = p.stat()
            self.assertEqual(count, 3)
            self.assertEqual(size, sum(len(self.wire(d))
                                       for d in files.values()))
            _, listing, _ = p.list()
            uidls = [u.split()[1] for u in p.uidl()[1]]
            self.assertEqual(len(set(uidls)), 3)
            for u in uidls:
                self.assertRegex(u.decode(), r"^[0-9a-f]{16}$")
            for n in range(1, 4):
                _, lines, octets = p.retr(n)
                subject = re.search(rb"Subject: (m\d)",
                                    b"\n".join(lines)).group(1)
                data = files[subject]
                # poplib takes the dot-stuffing off and the CRLFs.
                self.assertEqual(b"\r\n".join(lines) + b"\r\n",
                                 self.wire(data))
                self.assertEqual(listing[n - 1],
                                 b"%d %d" % (n, len(self.wire(data))))
                _, head, _ = p.top(n, 0)
                self.assertEqual(b"\r\n".join(head) + b"\r\n",
                                 self.wire(data.split(b"\n\n")[0] +
                                           b"\n\n"))
                _, two, _ = p.top(n, 2)
                body = data.split(b"\n\n", 1)[1].count(b"\n")
                self.assertEqual(len(two), len(head) + min(2, body))
            p.quit()
        # The wire itself: the dot lines are stuffed.
        s = socket.create_connection(("127.0.0.1", self.pop), timeout=30)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"USER alice\r\nPASS alice pw\r\n")
        f.readline()
        self.assertEqual(f.readline(), b"+OK Logged in.\r\n")
        for n in range(1, 4):
            s.sendall(b"TOP %d 3\r\n" % n)
            got = []
            while True:
                line = f.readline()
                got.append(line)
                if line == b".\r\n":
                    break
            if any(b"Subject: m1" in l for l in got):
                self.assertIn(b"..a line that starts with a dot\r\n", got)
                self.assertIn(b"...two dots\r\n", got)
                self.assertIn(b"..\r\n", got)
        s.sendall(b"QUIT\r\n")
        s.close()
        log = self.t.log()
        self.assertRegex(log, r"pop3-login: Login: user=<alice>, "
                         r"method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1,"
                         r" mpid=\d+, TLS\n")
        self.t.wait_log("pop3(alice): Disconnected: Logged out top=3/")
        self.assertRegex(log, r"pop3\(alice\): Disconnected: Logged out "
                         r"top=6/\d+, retr=3/\d+, del=0/3, size=%d\n"
                         % sum(len(self.wire(d)) for d in files.values()))

    def test_dele_quit_drop_rset(self):
        self.start()
        self.deliver("one\r\n", "two\r\n", "three\r\n")
        # DELE, then the connection drops: nothing is removed.
        p = self.stls()
        p.dele(1)
        p.sock.shutdown(socket.SHUT_RDWR)
        p.sock.close()
        p.file.close()
        ternlib.wait_for(lambda: "Disconnected: Connection closed" in
                         self.t.log(), what="the dropped session")
        self.assertEqual(len(self.files()), 3)
        # DELE, RSET, QUIT: nothing either.
        p = self.stls()
        p.dele(1)
        p.dele(2)
        with self.assertRaises(poplib.error_proto):
            p.retr(1)
        p.rset()
        p.retr(1)
        p.quit()
        self.assertEqual(len(self.files()), 3)
        # DELE, QUIT: removed, the rest keep their UIDLs.
        p = self.stls()
        before = dict(u.split() for u in p.uidl()[1])
        p.dele(2)
        self.assertEqual(p.quit(), b"+OK Logging out, messages deleted.")
        self.assertEqual(len(self.files()), 2)
        p = self.stls()
        after = [u.split()[1] for u in p.uidl()[1]]
        self.assertEqual(after, [before[b"1"], before[b"3"]])
        self.assertEqual(p.stat()[0], 2)
        p.quit()

    def test_uidls_stable_and_unique_in_1000(self):
        t = self.start()
        # A thousand messages put into new/ as another delivery agent
        # would (no sizes in the names).
        d = t.maildir("alice")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        for i in range(1000):
            name = os.path.join(d, "new", "%d.M%dP1.other" % (1700000000 + i,
                                                               i))
            with open(name, "w") as f:
                f.write("Subject: n%d\n\nbody %d\n" % (i, i))
        if ternlib.IS_ROOT:
            for root, dirs, names in os.walk(d):
                for n in dirs + names:
                    os.chown(os.path.join(root, n), t.uid, t.gid)
                os.chown(root, t.uid, t.gid)
        p = self.stls()
        first = p.uidl()[1]
        self.assertEqual(p.stat(), (1000, sum(len("Subject: n%d\r\n\r\n"
                                                  "body %d\r\n" % (i, i))
                                              for i in range(1000))))
        p.quit()
        self.assertEqual(len(set(u.split()[1] for u in first)), 1000)
        # Messages seen move from new/ to cur/.
        self.assertEqual(os.listdir(os.path.join(d, "new")), [])
        p = self.pop3s()
        self.assertEqual(p.uidl()[1], first)
        p.quit()
        with open(os.path.join(d, "dovecot-uidlist")) as f:
            head = f.readline()
        self.assertRegex(head, r"^3 V\d+ N1001 G[0-9a-f]{32}")

    def session(self):
        p = poplib.POP3("127.0.0.1", self.pop, timeout=30)
        p.stls(context=ctx())
        return p

    def test_auth_mechanisms(self):
        """RFC 5034: AUTH PLAIN with an initial response, LOGIN step by
        step, a cancelled exchange."""
        self.start()
        session = self.session

        p = session()
        self.assertIn("PLAIN", p.capa()["SASL"])
        self.assertTrue(p._shortcmd("AUTH PLAIN " + base64.b64encode(
            b"\0alice\0alice pw").decode()).startswith(b"+OK"))
        self.assertEqual(p.stat()[0], 0)
        p.quit()
        p = session()
        self.assertEqual(p._shortcmd("AUTH LOGIN"), b"+ VXNlcm5hbWU6")
        p._putcmd(base64.b64encode(b"bob").decode())
        self.assertEqual(p._getline()[0], b"+ UGFzc3dvcmQ6")
        p._putcmd(base64.b64encode(b"bob pw").decode())
        self.assertTrue(p._getresp().startswith(b"+OK"))
        p.quit()
        p = session()
        self.assertEqual(p._shortcmd("AUTH LOGIN"), b"+ VXNlcm5hbWU6")
        p._putcmd("*")
        with self.assertRaises(poplib.error_proto):
            p._getresp()
        p.quit()

    def test_auth_scram(self):
        """SCRAM-SHA-256 (RFC 7677), offered when every user has SCRAM
        keys."""
        t = self.start(scheme="SCRAM-SHA-256")
        self.deliver("for bob\r\n", to="bob")
        p = self.session()
        self.assertIn("SCRAM-SHA-256", p.capa()["SASL"])
        c = ternlib.ScramClient("bob", "bob pw")
        first = p._shortcmd("AUTH SCRAM-SHA-256 " + c.first())
        self.assertTrue(first.startswith(b"+ "), first)
        p._putcmd(c.final(first[2:].decode()))
        line = p._getline()[0]
        self.assertTrue(line.startswith(b"+ "), line)
        self.assertTrue(c.server_ok(line[2:].decode()))
        p._putcmd("")
        self.assertTrue(p._getresp().startswith(b"+OK"))
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        self.assertRegex(t.log(), r"pop3-login: Login: user=<bob>, "
                         r"method=SCRAM-SHA-256, ")

    def test_apop_where_secrets_allow(self):
        """RFC 1939 7: with {PLAIN} secrets the greeting carries a
        timestamp and APOP logs in with MD5(timestamp secret); a wrong
        digest fails; one try a connection. Without them: no timestamp,
        APOP refused."""
        t = self.start(scheme="PLAIN")
        self.deliver("one\r\n")
        p = poplib.POP3("127.0.0.1", self.pop, timeout=30)
        stamp = re.search(rb"<[^>]+>", p.getwelcome()).group(0)
        self.assertTrue(p.apop("alice", "alice pw").startswith(b"+OK"))
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        p = poplib.POP3("127.0.0.1", self.pop, timeout=30)
        self.assertNotIn(stamp, p.getwelcome())
        with self.assertRaises(poplib.error_proto) as e:
            p.apop("alice", "wrong")
        self.assertIn("[AUTH]", str(e.exception))
        with self.assertRaises(poplib.error_proto):
            p.apop("alice", "alice pw")
        p.quit()
        self.assertIn("pop3-login: Login: user=<alice>, method=APOP, ",
                      t.log())

    def test_no_apop_with_hashed_secrets(self):
        self.start()
        p = poplib.POP3("127.0.0.1", self.pop, timeout=30)
        self.assertEqual(p.getwelcome(), b"+OK Tern ready.")
        with self.assertRaises(poplib.error_proto):
            p.apop("alice", "alice pw")
        p.quit()

    def test_snapshot_and_idle_timeout(self):
        """Mail that arrives during a session waits for the next one
        (RFC 1939: the maildrop is the session's); an idle client is
        told and disconnected after pop3d_timeout, and nothing it marked
        is deleted."""
        t = self.start(pop3d_timeout="%ds" % int(6 * ternlib.SLOW))
        self.deliver("one\r\n")
        p = self.stls()
        self.assertEqual(p.stat()[0], 1)
        p.dele(1)
        self.deliver("two\r\n", "three\r\n")
        self.assertEqual(p.stat()[0], 0)
        self.assertEqual(len(p.list()[1]), 0)
        p.rset()
        self.assertEqual(p.stat()[0], 1)
        p.dele(1)
        # Idle past pop3d_timeout: the server speaks first, then closes.
        line = p.file.readline()
        self.assertEqual(line, b"-ERR Disconnected for inactivity.\r\n")
        self.assertEqual(p.file.readline(), b"")
        t.wait_log("pop3(alice): Disconnected: Inactivity ")
        p = self.stls()
        self.assertEqual(p.stat()[0], 3)
        p.quit()

    def test_deep_pipelining(self):
        """A client that keeps hundreds of kilobytes of commands in flight
        while it reads (RFC 2449 PIPELINING) is served to the end: the
        relay never waits on the session while the session waits on it."""
        self.start()
        self.deliver("y" * 998 + "\r\n" * 1 + ("z" * 998 + "\r\n") * 99)
        s = socket.create_connection(("127.0.0.1", self.pop), timeout=60)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"USER alice\r\nPASS alice pw\r\n")
        f.readline()
        self.assertEqual(f.readline(), b"+OK Logged in.\r\n")
        batch = (b"NOOP\r\n" * 500 + b"RETR 1\r\n") * 80
        sent = []
        writer = threading.Thread(target=lambda: sent.append(
            s.sendall(batch + b"QUIT\r\n")))
        writer.start()
        oks = dots = 0
        while True:
            line = f.readline()
            if line == b"":
                break
            if line.startswith(b"+OK"):
                oks += 1
            elif line == b".\r\n":
                dots += 1
        writer.join(60)
        s.close()
        # 40,000 NOOPs, 80 RETRs and the QUIT.
        self.assertEqual((oks, dots), (40000 + 80 + 1, 80))

    def test_pipelined_with_login(self):
        """Commands in the same write as PASS, without TLS: the login
        process hands them to the session with the connection."""
        self.start()
        self.deliver("one\r\n", "two\r\n")
        s = socket.create_connection(("127.0.0.1", self.pop), timeout=60)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"USER alice\r\nPASS alice pw\r\nSTAT\r\nUIDL 2\r\n"
                  b"QUIT\r\n")
        self.assertTrue(f.readline().startswith(b"+OK"))
        self.assertEqual(f.readline(), b"+OK Logged in.\r\n")
        self.assertRegex(f.readline(), rb"^\+OK 2 \d+\r\n$")
        self.assertRegex(f.readline(), rb"^\+OK 2 \S+\r\n$")
        self.assertTrue(f.readline().startswith(b"+OK"))
        self.assertEqual(f.readline(), b"")
        s.close()

    def test_retr_marks_seen(self):
        """As Dovecot's POP3 server: messages sent by RETR get \\Seen (the
        Maildir flag S) at QUIT; TOP is a peek; a session that does not
        QUIT changes nothing."""
        self.start()
        self.deliver("one\r\n", "two\r\n", "three\r\n")
        p = self.stls()
        p.retr(1)
        p.top(2, 0)
        p.sock.shutdown(socket.SHUT_RDWR)
        p.sock.close()
        p.file.close()
        ternlib.wait_for(lambda: "Disconnected: Connection closed" in
                         self.t.log(), what="the dropped session")
        self.assertEqual(sorted(f.rsplit(":2,", 1)[1] for f in self.files()),
                         ["", "", ""])
        p = self.stls()
        # Which number is which message (TOP does not mark).
        num = {}
        for n in (1, 2, 3):
            head = b"\n".join(p.top(n, 0)[1])
            num[re.search(rb"Subject: (m\d)", head).group(1).decode()] = n
        p.retr(num["m0"])
        p.top(num["m1"], 0)
        p.retr(num["m2"])
        p.dele(num["m2"])
        p.quit()
        flags = {}
        for f in self.files():
            with open(f) as fh:
                flags[re.search(r"Subject: (m\d)", fh.read()).group(1)] = \
                    f.rsplit(":2,", 1)[1]
        self.assertEqual(flags, {"m0": "S", "m1": ""})

    def test_second_session_in_use(self):
        self.start()
        self.deliver("one\r\n")
        p = self.stls()
        q = poplib.POP3("127.0.0.1", self.pop, timeout=30)
        q.user("alice")
        with self.assertRaises(poplib.error_proto) as e:
            q.pass_("alice pw")
        self.assertTrue(str(e.exception).startswith("b'-ERR [IN-USE] "),
                        e.exception)
        q.close()
        self.assertEqual(p.stat()[0], 1)
        p.quit()

    def test_bad_commands_get_err(self):
        self.start()
        self.deliver("one\r\n")
        s = socket.create_connection(("127.0.0.1", self.pop), timeout=30)
        f = s.makefile("rb")

        def cmd(line):
            s.sendall(line + b"\r\n")
            return f.readline()

        self.assertTrue(f.readline().startswith(b"+OK"))
        self.assertTrue(cmd(b"STAT").startswith(b"-ERR"))
        self.assertTrue(cmd(b"PASS x").startswith(b"-ERR"))
        self.assertTrue(cmd(b"NOOP " + b"x" * 300).startswith(
            b"-ERR Line too long"))
        self.assertEqual(cmd(b"USER alice"), b"+OK\r\n")
        self.assertEqual(cmd(b"PASS alice pw"), b"+OK Logged in.\r\n")
        for bad in (b"RETR 0", b"RETR 2", b"RETR x", b"TOP 1", b"DELE 9",
                    b"LIST 1 2", b"USER alice", b"STLS", b"XYZZY"):
            self.assertTrue(cmd(bad).startswith(b"-ERR"), bad)
        self.assertEqual(cmd(b"DELE 1"), b"+OK Marked to be deleted.\r\n")
        self.assertEqual(cmd(b"RETR 1"), b"-ERR Message is deleted.\r\n")
        self.assertEqual(cmd(b"STAT"), b"+OK 0 0\r\n")
        self.assertEqual(cmd(b"RSET"), b"+OK\r\n")
        self.assertTrue(cmd(b"stat").startswith(b"+OK 1 "))
        # Ten unknown commands end the session, without deleting.
        for _ in range(10):
            line = cmd(b"BOGUS")
            if line != b"-ERR Unknown command.\r\n":
                break
        self.assertEqual(line, b"-ERR Too many bad commands.\r\n")
        self.assertEqual(f.readline(), b"")
        s.close()
        self.assertEqual(len(self.files()), 1)

    def test_encrypt_level_refuses_login_before_stls(self):
        self.start(level="encrypt")
        p = poplib.POP3("127.0.0.1", self.pop, timeout=30)
        self.assertNotIn("USER", p.capa())
        self.assertIn("STLS", p.capa())
        with self.assertRaises(poplib.error_proto) as e:
            p.user("alice")
        self.assertIn("Plaintext authentication disallowed", str(e.exception))
        p.stls(context=ctx())
        self.assertIn("USER", p.capa())
        self.assertNotIn("STLS", p.capa())
        p.user("alice")
        p.pass_("alice pw")
        p.quit()

    def test_failed_logins_and_fail2ban(self):
        t = self.start()
        p = poplib.POP3("127.0.0.1", self.pop, timeout=60)
        p.user("alice")
        with self.assertRaises(poplib.error_proto) as e:
            p.pass_("wrong")
        self.assertEqual(str(e.exception),
                         "b'-ERR [AUTH] Authentication failed.'")
        p.quit()
        t.wait_log("pop3-login: Disconnected (auth failed, 1 attempts in ")
        self.assertRegex(t.log(), r"tern/pop3d\[\d+\]: pop3-login: "
                         r"Disconnected \(auth failed, 1 attempts in \d+ "
                         r"secs\): user=<alice>, method=PLAIN, "
                         r"rip=127\.0\.0\.1, lip=127\.0\.0\.1\n")
        r = subprocess.run(
            ["fail2ban-regex", t.maillog, 'dovecot[_daemon="tern/pop3d"]'],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"Failregex: 1 total")

    def test_fetchmail_into_mbox(self):
        t = self.start()
        self.deliver("one\r\n", "two\r\n.dot\r\n", "three\r\n")
        home = os.path.join(t.dir, "fetch")
        os.makedirs(home)
        mbox = os.path.join(home, "mbox")
        rc = os.path.join(home, "fetchmailrc")
        with open(rc, "w") as f:
            f.write("poll 127.0.0.1 proto pop3 port %d\n"
                    "  user alice password \"alice pw\" is root\n"
                    "  sslproto '' mda \"/bin/sh -c 'echo From fetchmail;"
                    " cat; echo' >> %s\"\n" % (self.pop, mbox))
        os.chmod(rc, 0o600)
        r = subprocess.run(["fetchmail", "-f", rc, "--nosyslog"],
                           capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, HOME=home))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(mbox) as f:
            text = f.read()
        self.assertEqual(text.count("From fetchmail\n"), 3)
        for s in ("Subject: m0", "Subject: m1", "Subject: m2",
                  "\n.dot\n"):
            self.assertIn(s, text)
        # fetchmail deletes what it fetched.
        self.assertEqual(self.files(), [])

    def dovecot_pop3(self, maildir):
        """Dovecot 2.3's own POP3 server (Debian's dovecot-pop3d), run as
        a pre-authenticated session on stdin and stdout over maildir, as
        the mailbox owner: its UIDL and LIST lines."""
        r = self.t.dovecot(DOVECOT_POP3, maildir,
                           b"UIDL\r\nLIST\r\nQUIT\r\n")
        lines = r.stdout.split(b"\r\n")
        self.assertEqual(lines[0], b"+OK", r.stdout + r.stderr)
        end = lines.index(b".")
        uidl = lines[1:end]
        self.assertEqual(lines[end + 1], b"+OK %d messages:" % len(uidl))
        return uidl, lines[end + 2:end + 2 + len(uidl)]

    @unittest.skipUnless(os.path.exists(DOVECOT_POP3),
                         "Debian's dovecot-pop3d (scripts/setup) is missing")
    def test_uidls_as_dovecot_both_ways(self):
        """A Maildir moves from Tern to Dovecot and from Dovecot to Tern
        and its POP3 clients see the same UIDLs and sizes."""
        t = self.start()
        self.deliver("one\r\n", ".two\r\nlines\r\n", "x" * 500 + "\r\n")
        p = self.stls()
        tern = (p.uidl()[1], p.list()[1])
        p.quit()
        copy = os.path.join(t.dir, "to-dovecot")
        t.copy_maildir(t.maildir("alice"), copy)
        self.assertEqual(self.dovecot_pop3(copy), tern)
        # The other way: a Maildir Dovecot numbered first becomes bob's.
        fresh = os.path.join(t.dir, "fresh")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(fresh, sub))
        for i in range(4):
            with open(os.path.join(fresh, "new", "%d.M%dP9.elsewhere"
                                   % (1600000000 + i, i)), "w") as f:
                f.write("Subject: d%d\n\nfrom dovecot %d\n" % (i, i))
        t.copy_maildir(fresh, os.path.join(t.dir, "dovecot-side"))
        dovecot = self.dovecot_pop3(os.path.join(t.dir, "dovecot-side"))
        bob = t.maildir("bob")
        t.copy_maildir(os.path.join(t.dir, "dovecot-side"), bob)
        p = self.stls("bob", "bob pw")
        self.assertEqual((p.uidl()[1], p.list()[1]), dovecot)
        p.quit()
        # New mail after the move takes the next UID on both sides.
        self.deliver("later\r\n", to="bob")
        p = self.stls("bob", "bob pw")
        after = (p.uidl()[1], p.list()[1])
        p.quit()
        self.assertEqual(after[0][:4], dovecot[0])
        self.assertTrue(after[0][4].startswith(b"5 00000005"), after[0])
        back = os.path.join(t.dir, "back")
        t.copy_maildir(bob, back)
        self.assertEqual(self.dovecot_pop3(back), after)

    @unittest.skipUnless(ternlib.IS_ROOT, "privilege separation needs root")
    def test_process_identities(self):
        t = self.start()
        self.deliver("one\r\n")
        p = self.stls()
        p.stat()
        pids = t.pids("pop3d")
        uids = sorted(proc_uid(x) for x in pids)
        # master's child (root), the login (tern), the session (vmail).
        self.assertEqual(uids, sorted([0, pwd.getpwnam("tern").pw_uid,
                                       pwd.getpwnam("vmail").pw_uid]),
                         pids)
        # Only the login process holds the client's connection.
        port = p.sock.getsockname()[1]
        inode = None
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if int(cols[2].split(":")[1], 16) == port:
                    inode = cols[9]
        self.assertIsNotNone(inode)
        holders = []
        for x in pids:
            for fd in os.listdir("/proc/%d/fd" % x):
                try:
                    if os.readlink("/proc/%d/fd/%s" % (x, fd)) == \
                            "socket:[%s]" % inode:
                        holders.append(proc_uid(x))
                except OSError:
                    pass
        self.assertEqual(holders, [pwd.getpwnam("tern").pw_uid])
        p.quit()

class SourcedPOP3(ternlib.SourcedClient, poplib.POP3):
    """poplib.POP3 from a given local address."""


@unittest.skipUnless(os.environ.get("TERN_TEST_NETNS") == "1",
                     "run by Pop3dOffLoopbackTest in a network namespace")
class Pop3dInNamespace(unittest.TestCase):
    """Inside a network namespace of its own where 192.0.2.1 (Tern) and
    192.0.2.2 (the client) are local: a client that is not on a loopback
    address may not send a password before STLS."""

    def test_no_plaintext_before_stls(self):
        pop = ternlib.free_port(host="192.0.2.1")
        t = ternlib.Instance(
            listen="192.0.2.1",
            master_extra="192.0.2.1:%d inet n - n - - pop3d "
            "-o pop3d_tls_security_level=may\n" % pop)
        self.addCleanup(t.cleanup)
        t.add_server_cert()
        t.add_user("alice", "alice pw")
        t.start()
        p = SourcedPOP3("192.0.2.1", pop, "192.0.2.2")
        capa = p.capa()
        self.assertNotIn("USER", capa)
        self.assertNotIn("SASL", capa)
        self.assertIn("STLS", capa)
        for cmd in ("USER alice", "AUTH PLAIN AGFsaWNlAGFsaWNlIHB3"):
            with self.assertRaises(poplib.error_proto) as e:
                p._shortcmd(cmd)
            self.assertIn("Plaintext authentication disallowed",
                          str(e.exception))
        p.stls(context=ctx())
        self.assertIn("USER", p.capa())
        p.user("alice")
        p.pass_("alice pw")
        p.quit()
        self.assertRegex(t.log(), r"pop3-login: Login: user=<alice>, "
                         r"method=PLAIN, rip=192\.0\.2\.2, "
                         r"lip=192\.0\.2\.1, mpid=\d+, TLS\n")


@unittest.skipUnless(ternlib.IS_ROOT and shutil.which("unshare") and
                     shutil.which("ip"), "a network namespace needs root")
class Pop3dOffLoopbackTest(unittest.TestCase):
    def test_plaintext_refused_off_loopback(self):
        r = ternlib.run_in_netns(__file__, "Pop3dInNamespace")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("test_no_plaintext_before_stls", r.stderr)
        self.assertNotIn("skipped", r.stderr)

if __name__ == "__main__":
    unittest.main()
