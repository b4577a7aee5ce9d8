#!/usr/bin/python3
"""auth(8) at private/auth, spoken to directly in its attribute protocol
(proto_auth.h): PLAIN and LOGIN against a user table made by tern user
add, failures logged in Postfix's words for fail2ban, a growing delay
after failures, refusals of unknown mechanisms and malformed input, and a
temporary failure without a table."""
import base64
import hashlib
import os
import shutil
import subprocess
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

CLIENT = "localhost[127.0.0.1]"


class AuthClient:
    """A lockstep client of the attribute protocol: each string is a
    4-byte big-endian length and its bytes; an empty name ends a
    message."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(30 * ternlib.SLOW)
        ternlib.wait_for(lambda: self.try_connect(path), what="private/auth")
        self.f = self.s.makefile("rb")

    def try_connect(self, path):
        try:
            self.s.connect(path)
            return True
        except OSError:
            return False

    def close(self):
        self.f.close()
        self.s.close()

    def string(self):
        n = struct.unpack(">I", self.f.read(4))[0]
        return self.f.read(n).decode()

    def request(self, **attrs):
        out = b""
        for k, v in list(attrs.items()) + [("", None)]:
            out += struct.pack(">I", len(k)) + k.encode()
            if v is not None:
                out += struct.pack(">I", len(v.encode())) + v.encode()
        self.s.sendall(out)
        reply = {}
        while True:
            name = self.string()
            if name == "":
                return reply
            reply[name] = self.string()

    def auth(self, mech, initial=None, client=CLIENT):
        attrs = {"request": "auth", "service": "smtpd", "mech": mech,
                 "client": client}
        if initial is not None:
            attrs["response"] = initial
        return self.request(**attrs)

    def cont(self, response):
        return self.request(request="continue", response=response)


def b64(text):
    return base64.b64encode(text.encode()).decode()


class AuthTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()
        self.users = os.path.join(self.t.etc, "users")
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        self.t.cleanup()

    def add_user(self, name, password):
        self.t.add_user(name, password)

    def client(self):
        self.t.start()
        c = AuthClient(os.path.join(self.t.spool, "private", "auth"))
        self.clients.append(c)
        return c

    def timed(self, fn, *args):
        start = time.monotonic()
        r = fn(*args)
        return r, time.monotonic() - start

    def test_login_cookie_redeemed_once(self):
        self.add_user("alice", "right pw")
        c = self.client()
        r = c.auth("PLAIN", b64("\0alice\0right pw"))
        self.assertEqual(r.get("status"), "ok", r)
        cookie = r.get("cookie", "")
        self.assertRegex(cookie, r"^[0-9a-f]{32}$")
        # Another service's process cannot use it; the right one, once.
        r = c.request(request="redeem", service="imapd", cookie=cookie)
        self.assertEqual(r.get("status"), "fail", r)
        r = c.request(request="redeem", service="smtpd", cookie=cookie)
        self.assertEqual((r.get("status"), r.get("user")), ("ok", "alice"))
        r = c.request(request="redeem", service="smtpd", cookie=cookie)
        self.assertEqual(r.get("status"), "fail", r)
        # A failed attempt earns none.
        r = c.auth("PLAIN", b64("\0alice\0wrong"))
        self.assertEqual(r.get("status"), "fail", r)
        self.assertNotIn("cookie", r)

    def test_apop_for_pop3d_only(self):
        """APOP (RFC 1939 7) where every secret is {PLAIN}, and only for
        pop3d: a challenge, then "user digest" with MD5(challenge
        secret)."""
        self.t.add_user("alice", "right pw", "PLAIN")
        c = self.client()
        r = c.auth("APOP")
        self.assertEqual(r.get("status"), "nomech", r)
        r = c.request(request="auth", service="pop3d", mech="APOP",
                      client=CLIENT)
        self.assertEqual(r.get("status"), "continue", r)
        stamp = base64.b64decode(r["data"])
        self.assertRegex(stamp.decode(), r"^<\d+\.\d+@[^>]+>$")
        digest = hashlib.md5(stamp + b"right pw").hexdigest()
        r = c.cont(b64("alice " + digest))
        self.assertEqual((r.get("status"), r.get("user")), ("ok", "alice"))
        r = c.request(request="auth", service="pop3d", mech="APOP",
                      client=CLIENT)
        r = c.cont(b64("alice " + hashlib.md5(b"x").hexdigest()))
        self.assertEqual(r.get("status"), "fail", r)

    @unittest.skipUnless(shutil.which("doveadm"),
                         "Debian's dovecot-core (scripts/setup) is missing")
    def test_dovecot_passwd_file(self):
        """A users file as Dovecot's doveadm pw makes it (SHA512-CRYPT,
        BLF-CRYPT, SCRAM-SHA-256) and a yescrypt {CRYPT} entry, with
        Dovecot's uid:gid:gecos:home:shell:extra fields, works as it is."""
        def pw(scheme, password):
            return subprocess.run(["doveadm", "pw", "-s", scheme, "-p",
                                   password], capture_output=True,
                                  text=True, check=True,
                                  timeout=60).stdout.strip()
        yescrypt = subprocess.run(
            [sys.executable, "-W", "ignore", "-c",
             "import crypt, sys; print(crypt.crypt(sys.argv[1], "
             "'$y$j9T$F5Jx5fExrKuPp53xLKQ..1$'))", "c pw"],
            capture_output=True, text=True, check=True).stdout.strip()
        self.assertTrue(yescrypt.startswith("$y$"), yescrypt)
        with open(self.users, "w") as f:
            f.write("alice:%s:1001:1001::/home/alice::userdb_quota=1G\n"
                    % pw("SHA512-CRYPT", "a pw"))
            f.write("bob:%s::::::\n" % pw("BLF-CRYPT", "b pw"))
            f.write("carol:{CRYPT}%s::::::\n" % yescrypt)
            f.write("dave:%s\n" % pw("SCRAM-SHA-256", "d pw"))
        if ternlib.IS_ROOT:
            shutil.chown(self.users, group="ternauth")
        os.chmod(self.users, 0o640)
        c = self.client()
        for user, password in (("alice", "a pw"), ("bob", "b pw"),
                               ("carol", "c pw"), ("dave", "d pw")):
            r = c.auth("PLAIN", b64("\0%s\0%s" % (user, password)))
            self.assertEqual((r.get("status"), r.get("user")),
                             ("ok", user), r)
        r = c.auth("PLAIN", b64("\0bob\0a pw"))
        self.assertEqual(r.get("status"), "fail", r)

    def test_plain_and_penalty(self):
        self.add_user("alice", "right pw")
        c = self.client()
        r = c.auth("PLAIN", b64("\0alice\0right pw"))
        self.assertEqual(r.get("status"), "ok", r)
        self.assertEqual(r.get("user"), "alice")
        first, t1 = self.timed(c.auth, "PLAIN", b64("\0alice\0wrong"))
        self.assertEqual(first.get("status"), "fail", first)
        self.assertNotIn("user", first)
        self.t.wait_log("warning: %s: SASL PLAIN authentication failed: "
                        % CLIENT)
        second, t2 = self.timed(c.auth, "PLAIN", b64("\0alice\0wrong2"))
        self.assertEqual(second.get("status"), "fail", second)
        self.assertGreaterEqual(t2, 1.5)
        self.assertGreater(t2, t1)
        # The log never holds the password.
        self.assertNotIn("wrong", self.t.log().replace("wrong2", ""))
        self.assertNotIn("right pw", self.t.log())
        # Another client is answered while one waits: a second connection
        # from elsewhere is not delayed.
        other = AuthClient(os.path.join(self.t.spool, "private", "auth"))
        self.clients.append(other)
        r, t3 = self.timed(other.auth, "PLAIN", b64("\0nobody\0x"),
                           "unknown[192.0.2.7]")
        self.assertEqual(r.get("status"), "fail", r)
        self.assertLess(t3, 1.5)
        self.t.wait_log("warning: unknown[192.0.2.7]: SASL PLAIN "
                        "authentication failed: ")

    def test_login_two_steps(self):
        self.add_user("bob", "b pass")
        c = self.client()
        r = c.auth("LOGIN")
        self.assertEqual(r, {"status": "continue", "data": b64("Username:")})
        r = c.cont(b64("bob"))
        self.assertEqual(r, {"status": "continue", "data": b64("Password:")})
        r = c.cont(b64("b pass"))
        self.assertEqual(r.get("status"), "ok", r)
        self.assertEqual(r.get("user"), "bob")

    def test_refusals(self):
        self.add_user("carol", "c pass")
        c = self.client()
        r = c.request(request="mechs")
        self.assertEqual(r.get("status"), "ok", r)
        # SHA512-CRYPT secrets: no CRAM-MD5 or SCRAM on offer.
        self.assertEqual(r.get("mechs"), "PLAIN LOGIN")
        self.assertEqual(c.auth("DIGEST-MD5").get("status"), "nomech")
        self.assertEqual(c.auth("CRAM-MD5").get("status"), "nomech")
        self.assertEqual(c.auth("PLAIN", "not base64!").get("status"), "bad")
        self.assertEqual(c.cont(b64("x")).get("status"), "bad")
        self.assertEqual(c.auth("LOGIN").get("status"), "continue")
        r = c.cont("*")
        self.assertEqual((r.get("status"), r.get("reason")),
                         ("fail", "aborted"))
        # "=" is an empty initial response: PLAIN cannot use it.
        self.assertIn(c.auth("PLAIN", "=").get("status"), ("bad", "fail"))
        # A refused authorization identity is a failure.
        r = c.auth("PLAIN", b64("alice\0carol\0c pass"))
        self.assertEqual(r.get("status"), "fail", r)

    def test_no_table_is_tempfail(self):
        c = self.client()
        r = c.auth("PLAIN", b64("\0alice\0pw"))
        self.assertEqual(r.get("status"), "tempfail", r)
        self.t.wait_log("warning: user table %s: " % self.users)


if __name__ == "__main__":
    unittest.main()
