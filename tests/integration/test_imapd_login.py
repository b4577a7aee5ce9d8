# SPDX-License-Identifier: MIT
"""imapd's login process as IMAP clients see it: the greeting carries the
pre-login capabilities (STARTTLS before TLS, not after; AUTH=PLAIN from
loopback); Python's imaplib logs in after STARTTLS and over IMAPS and the
session (the placeholder one for now) answers with the login's tag and
LOGOUT; a wrong password is NO [AUTHENTICATIONFAILED] and logged as
Dovecot does, so that fail2ban's stock dovecot filter counts it;
AUTHENTICATE PLAIN with an initial response (SASL-IR) and with a
continuation, "*" cancels with BAD; SCRAM-SHA-256 with the server's
signature as a last challenge; a user name as a literal (with "+ OK"
for a synchronizing one, none for LITERAL-'s non-synchronizing one);
what the client pipelines behind its LOGIN reaches the session; ID and
NOOP; ENABLE and unknown commands get BAD and the tenth bad command
"* BYE"; a non-synchronizing literal over 4096 octets is refused; an
idle client gets "* BYE Disconnected for inactivity."; at level encrypt,
LOGINDISABLED and PRIVACYREQUIRED until STARTTLS, and so off loopback
(as root, in a network namespace of its own)."""
import base64
import imaplib
import os
import re
import shutil
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


ctx = ternlib.tls_context


class ImapdLoginTest(ternlib.AccessTest):
    def start(self, level="may", scheme=None, **main):
        t = self.start_service("imapd", level, scheme, **main)
        self.imap, self.imaps = self.port, self.tls_port
        return t

    def raw(self):
        """A plain connection: the socket, its reader and the greeting."""
        s = socket.create_connection(("127.0.0.1", self.imap),
                                     timeout=30 * ternlib.SLOW)
        f = s.makefile("rb")
        return s, f, f.readline()

    until_tagged = staticmethod(ternlib.imap_until)

    def test_capabilities_and_starttls(self):
        t = self.start()
        m = imaplib.IMAP4("127.0.0.1", self.imap, timeout=30)
        self.assertTrue(m.welcome.startswith(b"* OK [CAPABILITY IMAP4rev1 "))
        self.assertIn("STARTTLS", m.capabilities)
        self.assertIn("IMAP4REV2", m.capabilities)
        self.assertIn("SASL-IR", m.capabilities)
        self.assertIn("LITERAL-", m.capabilities)
        self.assertIn("AUTH=PLAIN", m.capabilities)  # loopback
        self.assertNotIn("LOGINDISABLED", m.capabilities)
        m.starttls(ssl_context=ctx())
        self.assertNotIn("STARTTLS", m.capabilities)
        self.assertIn("AUTH=PLAIN", m.capabilities)
        typ, data = m.login("alice", "alice pw")
        self.assertEqual(typ, "OK")
        self.assertIn(b"Logged in", data[0])
        self.assertEqual(m.logout()[0], "BYE")
        t.wait_log("imap-login: Login: user=<alice>, method=PLAIN, "
                   "rip=127.0.0.1, lip=127.0.0.1, mpid=")
        self.assertRegex(t.log(), r"tern/imapd\[\d+\]: imap-login: Login: "
                         r"user=<alice>, method=PLAIN, rip=127\.0\.0\.1, "
                         r"lip=127\.0\.0\.1, mpid=\d+, TLS\n")

    def test_imaps(self):
        self.start()
        m = imaplib.IMAP4_SSL("127.0.0.1", self.imaps, ssl_context=ctx(),
                              timeout=30)
        self.assertNotIn("STARTTLS", m.capabilities)
        self.assertEqual(m.login("bob", "bob pw")[0], "OK")
        self.assertEqual(m.logout()[0], "BYE")

    def test_failed_login_and_fail2ban(self):
        t = self.start()
        m = imaplib.IMAP4("127.0.0.1", self.imap, timeout=60)
        with self.assertRaises(imaplib.IMAP4.error) as e:
            m.login("alice", "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(e.exception))
        m.logout()
        t.wait_log("imap-login: Disconnected: Logged out (auth failed, "
                   "1 attempts in ")
        self.assertRegex(t.log(), r"tern/imapd\[\d+\]: imap-login: "
                         r"Disconnected: Logged out \(auth failed, 1 "
                         r"attempts in \d+ secs\): user=<alice>, "
                         r"method=PLAIN, rip=127\.0\.0\.1, "
                         r"lip=127\.0\.0\.1\n")
        s, f, _ = self.raw()
        f.close()
        s.close()
        t.wait_log("imap-login: Disconnected (no auth attempts in ")
        self.assertRegex(t.log(), r"imap-login: Disconnected \(no auth "
                         r"attempts in \d+ secs\): user=<>, "
                         r"rip=127\.0\.0\.1, lip=127\.0\.0\.1\n")
        if not os.path.exists("/usr/bin/fail2ban-regex"):
            self.skipTest("no fail2ban-regex")
        r = subprocess.run(
            ["fail2ban-regex", t.maillog, 'dovecot[_daemon="tern/imapd"]'],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"Failregex: 1 total")

    def test_authenticate(self):
        t = self.start()
        s, f, greeting = self.raw()
        self.assertTrue(greeting.startswith(b"* OK [CAPABILITY "))
        # SASL-IR (RFC 4959), a wrong password first.
        bad = base64.b64encode(b"\0alice\0nope")
        s.sendall(b"a1 AUTHENTICATE PLAIN " + bad + b"\r\n")
        self.assertEqual(f.readline(), b"a1 NO [AUTHENTICATIONFAILED] "
                         b"Authentication failed.\r\n")
        # A continuation, cancelled (RFC 9051 6.2.2).
        s.sendall(b"a2 AUTHENTICATE PLAIN\r\n")
        self.assertEqual(f.readline(), b"+ \r\n")
        s.sendall(b"*\r\n")
        self.assertTrue(f.readline().startswith(b"a2 BAD "))
        s.sendall(b"a3 AUTHENTICATE XYZZY\r\n")
        self.assertTrue(f.readline().startswith(b"a3 NO "))
        good = base64.b64encode(b"\0alice\0alice pw")
        s.sendall(b"a4 AUTHENTICATE PLAIN " + good + b"\r\n")
        self.assertTrue(f.readline().startswith(b"a4 OK "))
        s.sendall(b"a5 LOGOUT\r\n")
        self.assertEqual(self.until_tagged(f, b"a5")[-1],
                         b"a5 OK Logout completed.\r\n")
        s.close()
        t.wait_log("imap-login: Login: user=<alice>, method=PLAIN, ")
        # A failed AUTHENTICATE PLAIN alone is logged with its user, as
        # Dovecot logs it.
        s, f, _ = self.raw()
        s.sendall(b"c1 AUTHENTICATE PLAIN " + bad + b"\r\nc2 LOGOUT\r\n")
        self.until_tagged(f, b"c2")
        s.close()
        ternlib.wait_for(lambda: re.search(
            r"imap-login: Disconnected: Logged out \(auth failed, 1 "
            r"attempts in \d+ secs\): user=<alice>, method=PLAIN, ",
            t.log()), what="the failed login's log line")
        # With a continuation.
        s, f, _ = self.raw()
        s.sendall(b"b1 authenticate plain\r\n")
        self.assertEqual(f.readline(), b"+ \r\n")
        s.sendall(good + b"\r\n")
        self.assertTrue(f.readline().startswith(b"b1 OK "))
        s.close()

    def test_authenticate_scram(self):
        """SCRAM-SHA-256 (RFC 7677): the server's signature comes as one
        more challenge, answered with an empty line, then the OK."""
        t = self.start(scheme="SCRAM-SHA-256")
        s, f, greeting = self.raw()
        self.assertIn(b"AUTH=SCRAM-SHA-256", greeting)
        c = ternlib.ScramClient("bob", "bob pw")
        s.sendall(b"s1 AUTHENTICATE SCRAM-SHA-256 " + c.first().encode() +
                  b"\r\n")
        first = f.readline()
        self.assertTrue(first.startswith(b"+ "), first)
        s.sendall(c.final(first[2:].strip().decode()).encode() + b"\r\n")
        line = f.readline()
        self.assertTrue(line.startswith(b"+ "), line)
        self.assertTrue(c.server_ok(line[2:].strip().decode()))
        s.sendall(b"\r\n")
        self.assertTrue(f.readline().startswith(b"s1 OK "))
        s.sendall(b"s2 LOGOUT\r\n")
        self.assertEqual(self.until_tagged(f, b"s2")[-1],
                         b"s2 OK Logout completed.\r\n")
        f.close()
        s.close()
        self.assertRegex(t.log(), r"imap-login: Login: user=<bob>, "
                         r"method=SCRAM-SHA-256, ")

    def test_literals_and_pipelining(self):
        self.start()
        s, f, _ = self.raw()
        # A synchronizing literal: "+ OK" before the client sends it.
        s.sendall(b"c1 LOGIN {5}\r\n")
        self.assertTrue(f.readline().startswith(b"+ "))
        # LITERAL-'s non-synchronizing one needs no "+"; behind the
        # LOGIN, pipelined commands go to the session.
        s.sendall(b"alice {8+}\r\nalice pw\r\nc2 NOOP\r\nc3 LOGOUT\r\n")
        self.assertTrue(f.readline().startswith(b"c1 OK "))
        self.assertEqual(f.readline(), b"c2 OK NOOP completed.\r\n")
        self.assertEqual(self.until_tagged(f, b"c3")[-1],
                         b"c3 OK Logout completed.\r\n")
        self.assertEqual(f.readline(), b"")
        s.close()
        # Over 4096 octets, a non-synchronizing literal is refused.
        s, f, _ = self.raw()
        # The client sends it all the same: it is read and dropped, with
        # the rest of its command (RFC 7888 4).
        s.sendall(b"d1 LOGIN {5000+}\r\n" + b"x" * 5000 + b" pw\r\n")
        self.assertTrue(f.readline().startswith(b"d1 BAD [TOOBIG]"))
        s.sendall(b"d2 NOOP\r\n")
        self.assertEqual(f.readline(), b"d2 OK NOOP completed.\r\n")
        # One too big to drop ends the connection.
        s.sendall(b"d3 LOGIN {100000+}\r\n")
        self.assertTrue(f.readline().startswith(b"* BYE [TOOBIG]"))
        self.assertEqual(f.readline(), b"")
        s.close()

    def test_commands_and_bad_ones(self):
        t = self.start()
        s, f, _ = self.raw()

        def cmd(line, tag):
            s.sendall(line + b"\r\n")
            return self.until_tagged(f, tag)

        self.assertEqual(cmd(b"e1 ID NIL", b"e1"),
                         [b'* ID ("name" "Tern")\r\n',
                          b"e1 OK ID completed.\r\n"])
        self.assertEqual(cmd(b'e2 ID ("name" "test")', b"e2")[0],
                         b'* ID ("name" "Tern")\r\n')
        self.assertEqual(cmd(b"e3 NOOP", b"e3"),
                         [b"e3 OK NOOP completed.\r\n"])
        lines = cmd(b"e4 CAPABILITY", b"e4")
        self.assertTrue(lines[0].startswith(b"* CAPABILITY IMAP4rev1 "))
        self.assertTrue(lines[1].startswith(b"e4 OK "))
        # Ten bad commands: the tenth gets its BAD, then "* BYE".
        bad = [b"e5 ENABLE CONDSTORE", b"e6 SELECT INBOX", b"e7 NOOP x",
               b"e8 LOGIN alice", b"e9 (", b"e10 STARTTLS x", b"e11 ID",
               b"e12 XYZZY", b"e13 AUTHENTICATE", b"e14 FETCH 1 (FLAGS)"]
        for i, line in enumerate(bad):
            tag = line.split(b" ")[0]
            self.assertTrue(cmd(line, tag)[-1].startswith(tag + b" BAD "),
                            line)
        self.assertEqual(f.readline(),
                         b"* BYE Too many invalid IMAP commands.\r\n")
        self.assertEqual(f.readline(), b"")
        s.close()
        t.wait_log("imap-login: Disconnected: Too many invalid commands "
                   "(no auth attempts in ")

    def test_idle_timeout(self):
        t = self.start(imapd_timeout="%ds" % int(3 * ternlib.SLOW))
        s, f, _ = self.raw()
        self.assertEqual(f.readline(),
                         b"* BYE Disconnected for inactivity.\r\n")
        self.assertEqual(f.readline(), b"")
        s.close()
        t.wait_log("imap-login: Disconnected: Inactivity (no auth attempts")

    def test_encrypt_level(self):
        self.start(level="encrypt")
        m = imaplib.IMAP4("127.0.0.1", self.imap, timeout=30)
        self.assertIn("LOGINDISABLED", m.capabilities)
        self.assertNotIn("AUTH=PLAIN", m.capabilities)
        typ, data = m._simple_command("LOGIN", "alice", '"alice pw"')
        self.assertEqual(typ, "NO")
        self.assertIn(b"PRIVACYREQUIRED", data[-1])
        m.starttls(ssl_context=ctx())
        self.assertNotIn("LOGINDISABLED", m.capabilities)
        self.assertEqual(m.login("alice", "alice pw")[0], "OK")
        m.logout()

    def test_starttls_discards_pipelined_input(self):
        self.start()
        s, f, _ = self.raw()
        # A command behind STARTTLS in the same packet must not be run
        # inside TLS (RFC 9051 6.2.1; the STARTTLS injection attacks).
        s.sendall(b"f1 STARTTLS\r\nf2 LOGIN alice {8+}\r\nalice pw\r\n")
        self.assertEqual(f.readline(), b"f1 OK Begin TLS negotiation now.\r\n")
        tls = ctx().wrap_socket(s, server_hostname="mail.example.test")
        tf = tls.makefile("rb")
        tls.sendall(b"f3 NOOP\r\n")
        self.assertEqual(tf.readline(), b"f3 OK NOOP completed.\r\n")
        tls.close()


class SourcedIMAP4(ternlib.SourcedClient, imaplib.IMAP4):
    """imaplib.IMAP4 from a given local address."""


@unittest.skipUnless(os.environ.get("TERN_TEST_NETNS") == "1",
                     "run by ImapdOffLoopbackTest in a network namespace")
class ImapdInNamespace(unittest.TestCase):
    """Inside a network namespace of its own where 192.0.2.1 (Tern) and
    192.0.2.2 (the client) are local: a client that is not on a loopback
    address may not send a password before STARTTLS (RFC 9051 6.2.3)."""

    def test_logindisabled_before_starttls(self):
        imap = ternlib.free_port(host="192.0.2.1")
        t = ternlib.Instance(
            listen="192.0.2.1",
            master_extra="192.0.2.1:%d inet n - n - - imapd "
            "-o imapd_tls_security_level=may\n" % imap)
        self.addCleanup(t.cleanup)
        t.add_server_cert()
        t.add_user("alice", "alice pw")
        t.start()
        m = SourcedIMAP4("192.0.2.1", imap, "192.0.2.2")
        self.assertIn("LOGINDISABLED", m.capabilities)
        self.assertIn("STARTTLS", m.capabilities)
        self.assertNotIn("AUTH=PLAIN", m.capabilities)
        for args in (("LOGIN", "alice", '"alice pw"'),
                     ("AUTHENTICATE", "PLAIN", "AGFsaWNlAGFsaWNlIHB3")):
            typ, data = m._simple_command(*args)
            self.assertEqual(typ, "NO")
            self.assertIn(b"[PRIVACYREQUIRED]", data[-1])
        m.starttls(ssl_context=ctx())
        self.assertNotIn("LOGINDISABLED", m.capabilities)
        self.assertIn("AUTH=PLAIN", m.capabilities)
        self.assertEqual(m.login("alice", "alice pw")[0], "OK")
        m.logout()
        self.assertRegex(t.log(), r"imap-login: Login: user=<alice>, "
                         r"method=PLAIN, rip=192\.0\.2\.2, "
                         r"lip=192\.0\.2\.1, mpid=\d+, TLS\n")


@unittest.skipUnless(ternlib.IS_ROOT and shutil.which("unshare") and
                     shutil.which("ip"), "a network namespace needs root")
class ImapdOffLoopbackTest(unittest.TestCase):
    def test_plaintext_refused_off_loopback(self):
        r = ternlib.run_in_netns(__file__, "ImapdInNamespace")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("test_logindisabled_before_starttls", r.stderr)
        self.assertNotIn("skipped", r.stderr)


if __name__ == "__main__":
    unittest.main()
