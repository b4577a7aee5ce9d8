"""Issue 10 item 6: smtpd_forbidden_commands ends a session that is not
SMTP (an HTTP request whose body holds SMTP commands runs none of them),
and a bare CR in a command line is refused, never echoed."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402
from test_smtp_errors import Raw  # noqa: E402

GOODBYE = "221 2.7.0 Error: I can break rules, too. Goodbye."


def closed(r):
    """True when the server closed the connection."""
    try:
        return r.reply()[0] is None
    except ConnectionResetError:
        return True


class ForbiddenDefaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = ternlib.Instance()
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def test_http_post_runs_no_smtp(self):
        body = (b"MAIL FROM:<web@example.org>\r\nRCPT TO:<alice@example.test>\r\n"
                b"DATA\r\nSubject: via http\r\n\r\nhi\r\n.\r\nQUIT\r\n")
        req = (b"POST /form HTTP/1.1\r\nHost: mail.example.test\r\n"
               b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
        r = Raw(self.t.port)
        code, lines = r.cmd(req)
        self.assertEqual(lines, [GOODBYE])
        self.assertTrue(closed(r))
        r.close()
        self.t.wait_log("warning: non-SMTP command from localhost[127.0.0.1]: "
                        "POST /form HTTP/1.1")
        self.t.wait_log("disconnect from localhost[127.0.0.1] unknown=0/1 commands=0/1")
        self.assertEqual(self.t.queue_files(), [])
        self.assertEqual(self.t.messages("alice"), [])
        self.assertNotIn("web@example.org", self.t.log())

    def test_get_connect_and_non_letters(self):
        for line in ("GET / HTTP/1.0", "get /x HTTP/1.1", "CONNECT mail:25 HTTP/1.1",
                     "{\"json\": 1}", "  1234", b"\x16\x03\x01\x02\x00\x01\r\n"):
            r = Raw(self.t.port)
            if isinstance(line, str):
                self.assertEqual(r.cmd("EHLO c")[0], 250)
            code, lines = r.cmd(line)
            self.assertEqual(lines, [GOODBYE], line)
            self.assertTrue(closed(r), line)
            r.close()
        self.t.wait_log("non-SMTP command from localhost[127.0.0.1]: \\026\\003\\001\\002")

    def test_bare_cr_refused_not_echoed(self):
        r = Raw(self.t.port)
        self.assertEqual(r.cmd("EHLO c")[0], 250)
        code, lines = r.cmd("MAIL FROM:<a@example.org>\rRCPT TO:<alice@example.test>")
        self.assertEqual(code, 500)
        self.assertEqual(lines, ["500 5.5.2 Error: bad syntax"])
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        for line in (b"RCPT TO:<alice@example.test>\rX-Injected: 1\r\n",
                     b"RCPT TO:<alice@example.test> \rNOTIFY=NEVER\r\n",
                     b"NOOP\r\r\n", b"VRFY a\rb\r\n"):
            code, lines = r.cmd(line)
            self.assertEqual(lines, ["500 5.5.2 Error: bad syntax"], line)
        self.assertEqual(r.cmd("QUIT")[0], 221)
        r.close()
        self.assertNotIn("X-Injected", self.t.log())


class ForbiddenParameterTest(unittest.TestCase):
    def test_list_replaces_default(self):
        t = ternlib.Instance(main={"smtpd_forbidden_commands": "XFOO, get"})
        try:
            t.start()
            r = Raw(t.port)
            self.assertEqual(r.cmd("{")[0], 502)      # no table entry: allowed
            self.assertEqual(r.cmd("POST / HTTP/1.0")[0], 502)
            self.assertEqual(r.cmd("GET / HTTP/1.0")[1], [GOODBYE])
            self.assertTrue(closed(r))
            r.close()
            r = Raw(t.port)
            self.assertEqual(r.cmd("xfoo bar")[1], [GOODBYE])
            r.close()
            t.wait_log("non-SMTP command from localhost[127.0.0.1]: xfoo bar")
        finally:
            t.cleanup()


if __name__ == "__main__":
    unittest.main()
