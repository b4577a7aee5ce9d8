# SPDX-License-Identifier: MIT
"""SMTP AUTH (RFC 4954) in smtpd through auth(8), as a client sees it:
swaks with STARTTLS and AUTH PLAIN on the submission port gets 235 and
the mail is delivered (ESMTPSA, sasl_method= and sasl_username= in the
log); a wrong password gets 535 and a slower second failure; without TLS
AUTH is not offered (538 if tried); MAIL without AUTH on submission gets
530 5.7.0; an authenticated user relays, an unauthenticated client
outside mynetworks does not; reject_sender_login_mismatch refuses
sending as another user; a cancelled exchange gets 501; SCRAM-SHA-256
works from a small client written here (RFC 5802, RFC 7677)."""
import base64
import os
import shutil
import smtplib
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

MSG = "From: alice@example.test\r\nSubject: sub\r\n\r\nsubmitted\r\n"


ctx = ternlib.tls_context


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


class SmtpdAuthTest(unittest.TestCase):
    def setUp(self):
        self.t = None

    def tearDown(self):
        if self.t is not None:
            self.t.cleanup()

    def start(self, scheme=None, **main):
        self.sub = ternlib.free_port()
        params = {"smtpd_sasl_auth_enable": "yes",
                  "smtpd_tls_security_level": "may",
                  # The test clients are not in mynetworks: only a
                  # login lets them relay.
                  "mynetworks": "192.0.2.0/24",
                  "relayhost": "[127.0.0.1]:9",
                  }
        params.update(main)
        t = self.t = ternlib.Instance(
            main=params,
            master_extra="127.0.0.1:%d inet n - n - - smtpd "
            "-o smtpd_tls_security_level=encrypt "
            "-o smtpd_auth_required=yes\n" % self.sub)
        cert, key = ternlib.make_cert(t.etc, "smtpd")
        with open(os.path.join(t.etc, "main.cf"), "a") as f:
            f.write("smtpd_tls_cert_file = %s\nsmtpd_tls_key_file = %s\n"
                    % (cert, key))
        t.add_user("alice", "alice secret", scheme)
        t.add_user("bob", "bob secret", scheme)
        t.start()
        return t

    def submission(self):
        s = smtplib.SMTP(self.t.host, self.sub, timeout=60 * ternlib.SLOW)
        s.ehlo("client.example.org")
        s.starttls(context=ctx())
        s.ehlo("client.example.org")
        return s

    def test_swaks_plain_on_submission(self):
        t = self.start()
        r = subprocess.run(
            ["swaks", "--server", "127.0.0.1:%d" % self.sub, "--tls",
             "--auth", "PLAIN", "--auth-user", "alice", "--auth-password",
             "alice secret", "--from", "alice@example.test", "--to",
             "bob@example.test", "--helo", "client.example.org"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("<~  235 2.7.0 Authentication successful", r.stdout)
        [m] = t.wait_messages("bob", 1)
        with open(m) as f:
            self.assertIn("with ESMTPSA id", f.read())
        self.assertRegex(t.log(), r": client=localhost\[127\.0\.0\.1\], "
                         r"sasl_method=PLAIN, sasl_username=alice\n")

    def test_wrong_password_and_penalty(self):
        t = self.start()
        s = self.submission()
        self.assertIn("PLAIN", s.esmtp_features["auth"])
        start = time.monotonic()
        with self.assertRaises(smtplib.SMTPAuthenticationError) as e:
            s.login("alice", "wrong one")
        t1 = time.monotonic() - start
        self.assertEqual(e.exception.smtp_code, 535)
        self.assertTrue(e.exception.smtp_error.startswith(b"5.7.8 "))
        start = time.monotonic()
        with self.assertRaises(smtplib.SMTPAuthenticationError):
            s.login("alice", "wrong two")
        t2 = time.monotonic() - start
        self.assertGreaterEqual(t2, 1.5)
        self.assertGreater(t2, t1)
        t.wait_log("warning: localhost[127.0.0.1]: SASL PLAIN "
                   "authentication failed: ")
        self.assertNotIn("wrong one", t.log())
        # LOGIN too, and an unknown user.
        s.ehlo_resp = None
        self.assertEqual(s.docmd("AUTH", "LOGIN " + b64("nobody"))[0], 334)
        self.assertEqual(s.docmd(b64("whatever"))[0], 535)
        s.close()
        # fail2ban's stock postfix filter, told our daemon names, counts
        # every failed login of the run.
        # (smtplib's login tries PLAIN, then LOGIN: two lines each.)
        t.wait_log("SASL LOGIN authentication failed: no such user")
        failed = [l for l in t.log().splitlines()
                  if "authentication failed:" in l]
        self.assertEqual(len(failed), 5, failed)
        r = subprocess.run(
            ["fail2ban-regex", t.maillog,
             'postfix[mode=auth, _daemon="tern/\\w+"]'],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"Failregex: %d total" % len(failed))

    def test_no_auth_without_tls(self):
        t = self.start()
        s = t.smtp()
        s.ehlo("client.example.org")
        self.assertFalse(s.has_extn("auth"))
        self.assertEqual(s.docmd("AUTH", "PLAIN " + b64("\0alice\0alice "
                                                         "secret"))[0], 538)
        s.quit()

    def test_submission_requires_auth(self):
        self.start()
        s = smtplib.SMTP(self.t.host, self.sub, timeout=60 * ternlib.SLOW)
        s.ehlo("client.example.org")
        self.assertEqual(s.docmd("MAIL", "FROM:<alice@example.test>")[0],
                         530)
        s.starttls(context=ctx())
        s.ehlo("client.example.org")
        self.assertEqual(s.docmd("MAIL", "FROM:<alice@example.test>"),
                         (530, b"5.7.0 Authentication required"))
        # A cancelled exchange (RFC 4954 4): 501.
        self.assertEqual(s.docmd("AUTH", "LOGIN")[0], 334)
        self.assertEqual(s.docmd("*")[0], 501)
        s.login("alice", "alice secret")
        self.assertEqual(s.docmd("AUTH", "PLAIN")[0], 503)
        self.assertEqual(s.docmd("MAIL", "FROM:<alice@example.test>")[0],
                         250)
        s.quit()

    def test_relay_needs_login(self):
        t = self.start()
        s = t.smtp()
        s.ehlo("client.example.org")
        s.mail("alice@example.test")
        code, text = s.rcpt("someone@far.test")
        self.assertEqual(code, 554)
        self.assertIn(b"Relay access denied", text)
        s.quit()
        s = self.submission()
        s.login("bob", "bob secret")
        s.mail("bob@example.test")
        self.assertEqual(s.rcpt("someone@far.test")[0], 250)
        s.rset()
        s.quit()

    def test_sender_login_mismatch(self):
        t = self.start(smtpd_recipient_restrictions=
                       "reject_sender_login_mismatch")
        with open(os.path.join(t.etc, "logins"), "w") as f:
            f.write("alice@example.test alice\nbob@example.test bob\n")
        with open(os.path.join(t.etc, "main.cf"), "a") as f:
            f.write("smtpd_sender_login_maps = texthash:%s/logins\n" % t.etc)
        t.tool("tern", "reload")
        t.wait_log("reload")
        s = self.submission()
        s.login("alice", "alice secret")
        s.mail("bob@example.test")
        self.assertEqual(s.rcpt("bob@example.test"),
                         (553, b"5.7.1 <bob@example.test>: Sender address "
                               b"rejected: not owned by user alice"))
        s.rset()
        s.mail("alice@example.test")
        self.assertEqual(s.rcpt("bob@example.test")[0], 250)
        s.rset()
        s.quit()
        s = t.smtp()
        s.ehlo("client.example.org")
        s.mail("alice@example.test")
        self.assertEqual(s.rcpt("bob@example.test"),
                         (553, b"5.7.1 <alice@example.test>: Sender address "
                               b"rejected: not logged in"))
        s.quit()

    def test_submission_adds_date_and_message_id(self):
        t = self.start()
        s = self.submission()
        s.login("alice", "alice secret")
        # No Date:, no Message-ID: they are added at the end of the
        # header section (RFC 5322 3.6: Date: is required).
        s.sendmail("alice@example.test", ["bob@example.test"],
                   "From: alice@example.test\r\nSubject: bare\r\n\r\n"
                   "Date: this is the body\r\n")
        # Both present: nothing is added, nothing is changed.
        s.sendmail("alice@example.test", ["bob@example.test"],
                   "From: alice@example.test\r\nSubject: full\r\n"
                   "Date: Fri, 4 Dec 2026 10:00:00 +0000\r\n"
                   "Message-Id: <own@example.test>\r\n\r\nbody\r\n")
        # The body starts without the empty line: one is put in.
        s.sendmail("alice@example.test", ["bob@example.test"],
                   "From: alice@example.test\r\nSubject: nobreak\r\n"
                   "Hello, this is the body\r\n")
        s.quit()
        # Port 25 without a login: the message is passed on as it came.
        s = t.smtp()
        s.ehlo("client.example.org")
        s.sendmail("carol@example.org", ["bob@example.test"],
                   "From: carol@example.org\r\nSubject: relayed\r\n\r\n"
                   "x\r\n")
        s.quit()
        texts = {}
        for m in t.wait_messages("bob", 4):
            with open(m) as f:
                text = f.read()
            subject = [l for l in text.splitlines()
                       if l.startswith("Subject: ")][0]
            texts[subject[9:]] = text
        head, body = texts["bare"].split("\n\n", 1)
        self.assertRegex(head, r"\nSubject: bare\nDate: [A-Z][a-z][a-z], "
                         r"\d+ [A-Z][a-z][a-z] \d{4} \d\d:\d\d:\d\d "
                         r"[+-]\d{4}\nMessage-ID: <\d{14}\.[0-9A-Za-z]+@"
                         r"mail\.example\.test>$")
        self.assertEqual(body, "Date: this is the body\n")
        mid = head.rsplit("Message-ID: ", 1)[1]
        self.assertIn(": message-id=%s\n" % mid, t.log())
        head, body = texts["nobreak"].split("\n\n", 1)
        self.assertRegex(head, r"\nSubject: nobreak\nDate: .*\n"
                         r"Message-ID: <.*>$")
        self.assertEqual(body, "Hello, this is the body\n")
        head = texts["full"].split("\n\n", 1)[0]
        self.assertEqual(head.count("Date:"), 1)
        self.assertNotIn("Message-ID:", head)
        self.assertIn("Message-Id: <own@example.test>", head)
        head = texts["relayed"].split("\n\n", 1)[0]
        self.assertNotIn("Date:", head)
        self.assertNotIn("Message-ID:", head)

    def test_auth_rate_limit(self):
        t = self.start(smtpd_client_auth_rate_limit="2")
        s = self.submission()
        for _ in range(2):
            self.assertEqual(s.docmd("AUTH", "LOGIN")[0], 334)
            self.assertEqual(s.docmd("*")[0], 501)
        self.assertEqual(s.docmd("AUTH", "LOGIN"),
                         (503, b"5.7.0 Error: too many AUTH commands from "
                               b"127.0.0.1"))
        s.close()
        t.wait_log("warning: AUTH command rate limit exceeded: 3 from "
                   "localhost[127.0.0.1] for service ")

    def scram(self, s, password):
        """A SCRAM-SHA-256 exchange for alice over SMTP: the reply code to
        the client's proof."""
        c = ternlib.ScramClient("alice", password)
        code, first = s.docmd("AUTH", "SCRAM-SHA-256 " + c.first())
        self.assertEqual(code, 334)
        code, final = s.docmd(c.final(first))
        if code == 334:
            self.assertTrue(c.server_ok(final))
        return code, final

    def test_scram_sha_256(self):
        t = self.start(scheme="SCRAM-SHA-256")
        s = self.submission()
        self.assertIn("SCRAM-SHA-256", s.esmtp_features["auth"].split())
        self.assertEqual(self.scram(s, "alice secret")[0], 334)
        self.assertEqual(s.docmd("")[0], 235)
        s.sendmail("alice@example.test", ["bob@example.test"], MSG)
        s.quit()
        t.wait_messages("bob", 1)
        self.assertIn("sasl_method=SCRAM-SHA-256, sasl_username=alice",
                      t.log())
        # A wrong password: 535, logged in Postfix's words, and counted
        # by fail2ban's postfix filter with the mechanism added as
        # auth(8) says (the stock filter knows no SCRAM).
        s = self.submission()
        self.assertEqual(self.scram(s, "wrong")[0], 535)
        s.close()
        t.wait_log("SASL SCRAM-SHA-256 authentication failed: ")
        f2b = os.path.join(t.dir, "fail2ban")
        shutil.copytree("/etc/fail2ban/filter.d",
                        os.path.join(f2b, "filter.d"))
        with open(os.path.join(f2b, "filter.d", "postfix.local"), "w") as f:
            f.write("[Definition]\nmdre-auth = ^[^[]*\\[<HOST>\\]"
                    "%(_port)s: SASL ((?i)LOGIN|PLAIN|(?:CRAM|DIGEST)-MD5|"
                    "SCRAM-SHA-256) authentication failed:\n")
        r = subprocess.run(
            ["fail2ban-regex", t.maillog,
             '%s/filter.d/postfix.conf[mode=auth, _daemon="tern/\\w+"]'
             % f2b], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"Failregex: 1 total")

if __name__ == "__main__":
    unittest.main()
