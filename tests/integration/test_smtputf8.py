"""SMTPUTF8 (RFC 6531): smtpd offers it, takes UTF-8 addresses only in a
transaction that declared it (553 5.6.7 otherwise), delivers to a UTF-8
local part's Maildir, and mail that must leave for a server without
SMTPUTF8 bounces 5.6.7 instead of being downgraded."""
import email
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402

UTF8_USER = "j\u00f6ran"


class Smtputf8Test(unittest.TestCase):
    def setUp(self):
        self.sink = smtpsink.Sink()
        self.t = ternlib.Instance(
            users=("alice", UTF8_USER),
            aliases={"fwd@example.test": "ok@far.test"},
            main={"relayhost": "[127.0.0.1]:%d" % self.sink.port})
        self.t.start()

    def tearDown(self):
        self.sink.close()
        self.t.cleanup()

    def test_local_delivery(self):
        t = self.t
        rcpt = "%s@example.test" % UTF8_USER
        with t.smtp() as s:
            code, text = s.ehlo("client.test")
            self.assertIn(b"SMTPUTF8", text)
            s.sendmail("alice@example.test", [rcpt],
                       "Subject: gr\u00fc\u00dfe\r\n\r\nhej\r\n".encode(),
                       mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        files = t.wait_messages(UTF8_USER, 1)
        with open(files[0], "rb") as f:
            data = f.read()
        self.assertIn(("Delivered-To: %s" % rcpt).encode(), data)

    def test_undeclared_utf8_refused(self):
        t = self.t
        s = socket.create_connection(("127.0.0.1", t.port), timeout=10)
        f = s.makefile("rb")

        def cmd(line):
            s.sendall(line + b"\r\n")
            while True:
                reply = f.readline()
                if reply[3:4] != b"-":
                    return reply

        f.readline()
        cmd(b"EHLO client.test")
        self.assertTrue(cmd("MAIL FROM:<j\u00f6@x.test>".encode())
                        .startswith(b"553 5.6.7 Must declare SMTPUTF8"))
        self.assertTrue(cmd(b"MAIL FROM:<alice@example.test>")
                        .startswith(b"250"))
        self.assertTrue(cmd(("RCPT TO:<%s@example.test>" % UTF8_USER)
                            .encode()).startswith(b"553 5.6.7"))
        # Malformed UTF-8 is a syntax error even when declared.
        cmd(b"RSET")
        self.assertTrue(cmd(b"MAIL FROM:<alice@example.test> SMTPUTF8")
                        .startswith(b"250"))
        self.assertTrue(cmd(b"RCPT TO:<j\xc3@example.test>")
                        .startswith(b"501 5.1.3"))
        cmd(b"QUIT")
        s.close()

    def test_no_downgrade_to_plain_server(self):
        t = self.t
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["fwd@example.test"],
                       b"Subject: out\r\n\r\nx\r\n", mail_options=["SMTPUTF8"])
        files = t.wait_messages("alice", 1, timeout=30)
        with open(files[0], "rb") as f:
            m = email.message_from_binary_file(f)
        self.assertEqual(m.get_content_type(), "multipart/report")
        self.assertIn("Status: 5.6.7", m.as_string())
        t.wait_log("dsn=5.6.7, status=bounced (SMTPUTF8 is required, but "
                   "was not offered by host 127.0.0.1[127.0.0.1])")
        self.assertEqual(self.sink.messages, [])


if __name__ == "__main__":
    unittest.main()
