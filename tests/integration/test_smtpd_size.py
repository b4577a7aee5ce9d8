"""Issue 10 item 5: message_size_limit counts octets as RFC 1870 does
(CRLF is two octets, transparency dots are not counted): a message one
octet over the limit gets 552 5.3.4 after the end of DATA and nothing is
queued; one of exactly the limit is accepted."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402
from test_smtp_errors import Raw  # noqa: E402

LIMIT = 20000


def message(octets):
    """A message of exactly octets RFC 1870 octets (CRLF lines, some that
    start with a dot), and its form on the wire (dot-stuffed, with the
    terminating dot)."""
    head = b"Subject: size\r\n\r\n"
    lines = []
    size = len(head)
    i = 0
    while size + 72 <= octets - 10:
        body = (b"." if i % 7 == 0 else b"x") + b"y" * 69 + b"\r\n"
        lines.append(body)
        size += len(body)
        i += 1
    lines.append(b"z" * (octets - size - 2) + b"\r\n")
    content = head + b"".join(lines)
    assert len(content) == octets
    wire = head + b"".join(b"." + l if l.startswith(b".") else l for l in lines)
    return content, wire + b".\r\n"


class SizeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = ternlib.Instance(main={"message_size_limit": str(LIMIT)})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def send(self, rcpt, wire):
        r = Raw(self.t.port)
        self.assertEqual(r.cmd("EHLO c.example.org")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<%s@example.test>" % rcpt)[0], 250)
        self.assertEqual(r.cmd("DATA")[0], 354)
        code, lines = r.cmd(wire)
        # The session goes on after either answer.
        self.assertEqual(r.cmd("NOOP")[0], 250)
        r.close()
        return code, lines

    def test_one_octet_over_is_refused(self):
        content, wire = message(LIMIT + 1)
        # Stored with LF line ends it would fit: the old undercount.
        self.assertLess(len(content.replace(b"\r\n", b"\n")), LIMIT)
        # The queue file of test_exactly_the_limit_is_accepted (run
        # before this one) stays a moment after its delivery.
        ternlib.wait_for(lambda: self.t.queue_files() == [], what="an empty queue")
        code, lines = self.send("bob", wire)
        self.assertEqual(code, 552, lines)
        self.assertIn("552 5.3.4 Message size exceeds fixed limit", lines[0])
        self.assertEqual(self.t.queue_files(), [])
        self.t.wait_log("reject: DATA from localhost[127.0.0.1]: 552 5.3.4")
        self.assertEqual(self.t.messages("bob"), [])

    def test_exactly_the_limit_is_accepted(self):
        content, wire = message(LIMIT)
        # The dots on the wire are more than the limit: they do not count.
        self.assertGreater(len(wire) - 3, LIMIT)
        code, lines = self.send("alice", wire)
        self.assertEqual(code, 250, lines)
        files = self.t.wait_messages("alice", 1)
        with open(files[0], "rb") as f:
            stored = f.read()
        self.assertTrue(stored.endswith(content.replace(b"\r\n", b"\n")))

    def test_reject_log_shapes(self):
        # Issue 10 item 7: helo= is the HELO name, from= the sender, in
        # Postfix's exact shapes (one static buffer served both before).
        r = Raw(self.t.port)
        self.assertEqual(r.cmd("EHLO helo.example.net")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<sender@example.org> SIZE=%d" % (LIMIT + 1))[0],
                         552)
        self.assertEqual(r.cmd("MAIL FROM:<sender@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<nobody@example.test>")[0], 550)
        self.assertEqual(r.cmd("RCPT TO:<bob@example.test>")[0], 250)
        self.assertEqual(r.cmd("DATA")[0], 354)
        self.assertEqual(r.cmd(message(LIMIT + 1)[1])[0], 552)
        r.close()
        client = r"tern/smtpd\[\d+\]: "
        shapes = [
            r"NOQUEUE: reject: MAIL from localhost\[127\.0\.0\.1\]: 552 5\.3\.4 "
            r"Message size exceeds fixed limit; proto=ESMTP helo=<helo\.example\.net>",
            r"NOQUEUE: reject: RCPT from localhost\[127\.0\.0\.1\]: 550 5\.1\.1 "
            r"<nobody@example\.test>: Recipient address rejected: User unknown in "
            r"virtual mailbox table; from=<sender@example\.org> to=<nobody@example\.test> "
            r"proto=ESMTP helo=<helo\.example\.net>",
            r"[0-9A-Z]+: reject: DATA from localhost\[127\.0\.0\.1\]: 552 5\.3\.4 "
            r"Message size exceeds fixed limit; from=<sender@example\.org> "
            r"proto=ESMTP helo=<helo\.example\.net>",
        ]
        for shape in shapes:
            ternlib.wait_for(lambda: re.search(client + shape + "$", self.t.log(), re.M),
                             what=shape)


if __name__ == "__main__":
    unittest.main()
