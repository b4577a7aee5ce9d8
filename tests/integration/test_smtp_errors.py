"""Every SMTP error of the foundation issue gets its code; bare LF and bare
CR cannot end DATA or smuggle a second message."""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class Raw:
    """A raw SMTP dialogue: send bytes, read one full reply."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30 * ternlib.SLOW)
        self.f = self.sock.makefile("rb")
        self.banner = self.reply()

    def reply(self):
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                return (None, lines)
            lines.append(line.decode(errors="replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                return (int(lines[-1][:3]), lines)

    def cmd(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.sock.close()


class SmtpErrorsTest(unittest.TestCase):
    # mynetworks leaves out 127.0.0.1, the tests' client: it is a
    # stranger here, so that relaying must be refused.
    main = {"message_size_limit": "20000", "smtpd_recipient_limit": "3",
            "smtpd_hard_error_limit": "30", "smtpd_timeout": "2s",
            "mynetworks": "192.0.2.0/24"}

    @classmethod
    def setUpClass(cls):
        cls.t = ternlib.Instance(users=("alice", "bob", "carol"), main=cls.main)
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def session(self):
        r = Raw(self.t.port)
        self.assertEqual(r.banner[0], 220)
        self.assertIn("mail.example.test ESMTP Tern", r.banner[1][0])
        return r

    def code(self, r, line):
        return r.cmd(line)[0]

    def test_ehlo_extensions(self):
        r = self.session()
        code, lines = r.cmd("EHLO c.example.org")
        self.assertEqual(code, 250)
        ext = [l[4:] for l in lines[1:]]
        for e in ("PIPELINING", "SIZE 20000", "8BITMIME", "ENHANCEDSTATUSCODES", "DSN"):
            self.assertIn(e, ext)
        self.assertEqual(self.code(r, "HELO c.example.org"), 250)
        self.assertEqual(self.code(r, "HELO"), 501)
        self.assertEqual(self.code(r, "EHLO"), 501)
        r.close()

    def test_bad_sequence_503(self):
        r = self.session()
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test>"), 503)
        self.assertEqual(self.code(r, "DATA"), 503)
        self.assertEqual(self.code(r, "EHLO c"), 250)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org>"), 250)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org>"), 503)
        self.assertEqual(self.code(r, "DATA"), 503)
        self.assertEqual(self.code(r, "RSET"), 250)
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test>"), 503)
        r.close()

    def test_syntax_501_and_unknown_502(self):
        r = self.session()
        self.assertEqual(self.code(r, "EHLO c"), 250)
        self.assertEqual(self.code(r, "MAIL FROM:<no-closing@example.org"), 501)
        self.assertEqual(self.code(r, "MAIL TO:<a@example.org>"), 501)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org> BODY=9BIT"), 501)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org> FOO=BAR"), 555)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org> BODY=8BITMIME"), 250)
        self.assertEqual(self.code(r, "RCPT TO:<@@bad>"), 501)
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test> FOO=BAR"), 555)
        # RFC 3461: DSN parameters, checked for syntax
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test> NOTIFY=NEVER,SUCCESS"), 501)
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test> NOTIFY=SOMETIMES"), 501)
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test> ORCPT=rfc822"), 501)
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test> ORCPT=rfc822;a+2"), 501)
        self.assertEqual(self.code(r, "RCPT TO:<alice@example.test> NOTIFY=NEVER NOTIFY=NEVER"), 501)
        self.assertEqual(self.code(r, "RSET extra"), 501)
        self.assertEqual(self.code(r, "XYZZY"), 502)
        self.assertEqual(self.code(r, "EXPN staff"), 502)
        self.assertEqual(self.code(r, ""), 500)
        self.assertEqual(self.code(r, "NOOP"), 250)
        self.assertEqual(self.code(r, "HELP"), 214)
        self.assertEqual(self.code(r, "VRFY alice@example.test"), 252)
        self.assertEqual(self.code(r, "X" * 3000), 500)
        self.assertEqual(self.code(r, "QUIT"), 221)
        r.close()

    def test_size_552(self):
        r = self.session()
        self.assertEqual(self.code(r, "EHLO c"), 250)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org> SIZE=20001"), 552)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org> SIZE=99999999999999999999999"), 552)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org> SIZE=100"), 250)
        self.assertEqual(self.code(r, "RCPT TO:<carol@example.test>"), 250)
        self.assertEqual(self.code(r, "DATA"), 354)
        big = b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 400 + b".\r\n"
        self.assertEqual(r.cmd(big)[0], 552)
        # The session goes on and nothing was queued.
        self.assertEqual(self.code(r, "NOOP"), 250)
        r.close()
        time.sleep(0.2)
        self.assertEqual(self.t.messages("carol"), [])

    def test_recipient_limit_452(self):
        r = self.session()
        self.assertEqual(self.code(r, "EHLO c"), 250)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org>"), 250)
        for _ in range(3):
            self.assertEqual(self.code(r, "RCPT TO:<alice@example.test>"), 250)
        self.assertEqual(self.code(r, "RCPT TO:<bob@example.test>"), 452)
        r.close()

    def test_unknown_user_550_and_relay_554(self):
        r = self.session()
        self.assertEqual(self.code(r, "EHLO c"), 250)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org>"), 250)
        code, lines = r.cmd("RCPT TO:<nobody@example.test>")
        self.assertEqual(code, 550)
        self.assertIn("5.1.1", lines[0])
        code, lines = r.cmd("RCPT TO:<someone@elsewhere.example>")
        self.assertEqual(code, 554)
        self.assertIn("5.7.1", lines[0])
        self.assertIn("Relay access denied", lines[0])
        code, lines = r.cmd("DATA")
        self.assertEqual(code, 554)
        self.assertIn("no valid recipients", lines[0])
        self.assertEqual(r.cmd("QUIT")[0], 221)
        r.close()
        # Postfix's disconnect shape: failed commands as ok/total.
        self.t.wait_log("ehlo=1 mail=1 rcpt=0/2 data=0/1 quit=1 commands=3/6")
        self.t.wait_log("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 554 5.7.1 "
                        "<someone@elsewhere.example>: Relay access denied; "
                        "from=<a@example.org> to=<someone@elsewhere.example> "
                        "proto=ESMTP helo=<c>")

    def test_timeout_421(self):
        r = self.session()
        start = time.monotonic()
        code, lines = r.reply()
        self.assertEqual(code, 421)
        self.assertIn("4.4.2", lines[0])
        self.assertLess(time.monotonic() - start, 20 * ternlib.SLOW)
        r.close()

    def test_bare_lf_cannot_smuggle(self):
        r = self.session()
        self.assertEqual(self.code(r, "EHLO c"), 250)
        self.assertEqual(self.code(r, "MAIL FROM:<a@example.org>"), 250)
        self.assertEqual(self.code(r, "RCPT TO:<bob@example.test>"), 250)
        self.assertEqual(self.code(r, "DATA"), 354)
        # The classic smuggling payloads: "\n.\r\n", "\n.\n", "\r\n.\r" and
        # "\r.\r\n" must all stay inside the first message.
        payload = (b"Subject: first\r\n\r\nbody\n.\r\n"
                   b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<alice@example.test>\r\n"
                   b"DATA\r\nSubject: smuggled\r\n\r\nevil\n.\nmore\r\n.\rx\r\nz\r.\r\n"
                   b"end\r\n.\r\n")
        code, lines = r.cmd(payload)
        self.assertEqual(code, 250, lines)
        self.assertEqual(self.code(r, "QUIT"), 221)
        r.close()
        files = self.t.wait_messages("bob", 1)
        time.sleep(0.5)
        self.assertEqual(self.t.messages("alice"), [], "a second message was smuggled")
        self.assertEqual(len(self.t.messages("bob")), 1)
        with open(files[0], "rb") as f:
            data = f.read()
        self.assertIn(b"Subject: smuggled", data)
        self.assertIn(b"evil\n.\nmore", data)

    def test_pipelining(self):
        r = self.session()
        self.assertEqual(self.code(r, "EHLO c"), 250)
        r.sock.sendall(b"MAIL FROM:<p@example.org>\r\nRCPT TO:<alice@example.test>\r\n"
                       b"RCPT TO:<nobody@example.test>\r\nDATA\r\n")
        codes = [r.reply()[0] for _ in range(4)]
        self.assertEqual(codes, [250, 250, 550, 354])
        self.assertEqual(r.cmd(b"Subject: p\r\n\r\npipelined\r\n.\r\n")[0], 250)
        r.close()


class HardErrorLimitTest(unittest.TestCase):
    def test_disconnect_after_hard_limit(self):
        t = ternlib.Instance(main={"smtpd_hard_error_limit": "3",
                                   "smtpd_error_sleep_time": "0s"})
        try:
            t.start()
            r = Raw(t.port)
            self.assertEqual(r.cmd("FOO")[0], 502)
            self.assertEqual(r.cmd("BAR")[0], 502)
            code, lines = r.cmd("BAZ")
            self.assertEqual(code, 502)
            code, lines = r.reply()
            self.assertEqual(code, 421)
            self.assertIn("too many errors", lines[0])
            self.assertEqual(r.reply()[0], None)  # connection closed
            r.close()
            t.wait_log("too many errors after UNKNOWN from localhost[127.0.0.1]")
        finally:
            t.cleanup()


if __name__ == "__main__":
    unittest.main()
