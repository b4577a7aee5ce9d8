"""Client limits, counted by anvil(8) across every smtpd: a client over
smtpd_client_connection_count_limit or _rate_limit gets 421 4.7.0 at
connect while other clients are served; over the message or recipient
rate limit, 450 4.7.1; each refusal logged in Postfix's words; clients in
smtpd_client_event_limit_exceptions ($mynetworks by default) are never
limited."""
import os
import smtplib
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


def greeting(t, source="127.0.0.1"):
    """Connect from source; the socket and smtpd's first reply line."""
    s = socket.create_connection((t.host, t.port), timeout=30 * ternlib.SLOW,
                                 source_address=(source, 0))
    f = s.makefile("rb")
    return s, f, f.readline().decode().rstrip("\r\n")


class AnvilTest(unittest.TestCase):
    def setUp(self):
        self.t = None
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            s.close()
        if self.t is not None:
            self.t.cleanup()

    def start(self, **main):
        # No exceptions: the tests' loopback client is limited.
        main.setdefault("smtpd_client_event_limit_exceptions", "")
        self.t = ternlib.Instance(main=main)
        self.t.start()
        self.service = "127.0.0.1:%d" % self.t.port
        # ternlib's start-up probe has closed: anvil has counted it out
        # (smtpd tells anvil before it logs the disconnect).
        self.t.wait_log("disconnect from localhost[127.0.0.1]")
        return self.t

    def open(self, source="127.0.0.1"):
        s, f, line = greeting(self.t, source)
        self.socks.append(s)
        return s, line

    def test_connection_count_limit(self):
        t = self.start(smtpd_client_connection_count_limit="2")
        for _ in range(2):
            s, line = self.open()
            self.assertTrue(line.startswith("220 "), line)
        s, line = self.open()
        self.assertEqual(line, "421 4.7.0 mail.example.test Error: too many "
                         "connections from 127.0.0.1")
        t.wait_log("warning: Connection concurrency limit exceeded: 3 from "
                   "localhost[127.0.0.1] for service %s" % self.service)
        # Another client is still served.
        s2, line = self.open("127.0.0.2")
        self.assertTrue(line.startswith("220 "), line)
        # One of the two closes: there is room again.
        for s in self.socks[:2]:
            s.close()
        ternlib.wait_for(lambda: self.open()[1].startswith("220 "),
                         what="a session after the others closed")

    def test_connection_rate_limit(self):
        t = self.start(smtpd_client_connection_rate_limit="3",
                       smtpd_client_connection_count_limit="0")
        lines = []
        for _ in range(6):
            s, line = self.open()
            lines.append(line[:4])
            s.close()
        # ternlib's start-up probe counted too: at most 3 in the window.
        self.assertIn("421 ", lines)
        self.assertLessEqual(sum(1 for l in lines if l == "220 "), 3)
        t.wait_log("warning: Connection rate limit exceeded: ")
        s, line = self.open("127.0.0.3")
        self.assertTrue(line.startswith("220 "), line)

    def test_message_and_recipient_rate_limits(self):
        self.start(smtpd_client_message_rate_limit="2",
                   smtpd_client_recipient_rate_limit="3")
        with self.t.smtp() as s:
            s.ehlo("client.example.org")
            self.assertEqual(s.mail("alice@example.test")[0], 250)
            codes = [s.rcpt("bob@example.test")[0] for _ in range(4)]
            self.assertEqual(codes, [250, 250, 250, 450])
            code, msg = s.rcpt("bob@example.test")
            self.assertEqual((code, msg), (450, b"4.7.1 Error: too many "
                                                b"recipients from 127.0.0.1"))
            s.rset()
            self.assertEqual(s.mail("alice@example.test")[0], 250)
            s.rset()
            code, msg = s.mail("alice@example.test")
            self.assertEqual((code, msg), (450, b"4.7.1 Error: too much mail "
                                                b"from 127.0.0.1"))
        self.t.wait_log("warning: Recipient address rate limit exceeded: 4 "
                        "from localhost[127.0.0.1] for service %s"
                        % self.service)
        self.t.wait_log("warning: Message delivery request rate limit "
                        "exceeded: 3 from localhost[127.0.0.1] for service "
                        "%s" % self.service)

    def test_mynetworks_exempt_by_default(self):
        t = ternlib.Instance(main={"smtpd_client_connection_count_limit": "1"})
        self.t = t
        t.start()
        for _ in range(3):
            s, line = self.open()
            self.assertTrue(line.startswith("220 "), line)
        self.assertNotIn("limit exceeded", t.log())


if __name__ == "__main__":
    unittest.main()
