"""Permanent failures come back to the sender as RFC 3464 reports; loops
are caught; a bounce that bounces goes to the postmaster."""
import email
import email.policy
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


def parse(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.compat32)


class BounceTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance(users=("alice", "bob", "carol"), aliases={
            "lost@example.test": "ghost@example.test",
            "loop1@example.test": "loop2@example.test",
            "loop2@example.test": "loop1@example.test",
        })
        self.t.start()

    def tearDown(self):
        self.t.cleanup()

    def find_report(self, user, n=1):
        files = self.t.wait_messages(user, n)
        for p in files:
            m = parse(p)
            if m.get_content_type() == "multipart/report":
                return m, p
        self.fail("no report in %s's mailbox" % user)

    def test_unknown_target_bounces_to_sender(self):
        with self.t.smtp() as s:
            s.sendmail("alice@example.test", ["lost@example.test"],
                       b"Subject: into the void\r\nX-Marker: 42\r\n\r\nhello?\r\n")
        m, path = self.find_report("alice")
        self.assertEqual(m["Return-Path"], "<>")
        self.assertIn("MAILER-DAEMON@mail.example.test", m["From"])
        self.assertEqual(m.get_param("report-type"), "delivery-status")
        parts = m.get_payload()
        self.assertEqual(parts[0].get_content_type(), "text/plain")
        self.assertEqual(parts[1].get_content_type(), "message/delivery-status")
        self.assertIn(parts[2].get_content_type(), ("text/rfc822-headers", "message/rfc822"))
        status = parts[1].as_string()
        self.assertIn("Final-Recipient: rfc822; ghost@example.test", status)
        self.assertIn("Original-Recipient: rfc822; lost@example.test", status)
        self.assertIn("Action: failed", status)
        self.assertIn("Status: 5.1.1", status)
        self.assertIn("X-Marker: 42", parts[2].as_string())
        self.t.wait_log("status=bounced")
        self.t.wait_log("sender non-delivery notification")
        ternlib.wait_for(lambda: self.t.queue_files() == [], what="empty queue")

    def test_delivered_to_loop_is_5_4_6(self):
        with self.t.smtp() as s:
            s.sendmail("alice@example.test", ["bob@example.test"],
                       b"Delivered-To: bob@example.test\r\nSubject: looped\r\n\r\nx\r\n")
        m, _ = self.find_report("alice")
        self.assertIn("Status: 5.4.6", m.get_payload()[1].as_string())
        time.sleep(0.3)
        self.assertEqual(self.t.messages("bob"), [])

    def test_alias_loop_is_refused(self):
        with self.t.smtp() as s:
            s.ehlo("c")
            s.mail("alice@example.test")
            code, msg = s.rcpt("loop1@example.test")
            self.assertEqual(code, 554)
            self.assertIn(b"5.4.6", msg)

    def test_bounce_of_bounce_goes_to_postmaster(self):
        # Null sender: the report goes to 2bounce_notice_recipient
        # (postmaster@$myorigin, aliased to alice in ternlib).
        with self.t.smtp() as s:
            s.sendmail("", ["lost@example.test"], b"Subject: orphan\r\n\r\nx\r\n")
        m, _ = self.find_report("alice")
        self.assertIn("double-bounce@example.test", m["Return-Path"])
        self.assertIn("Final-Recipient: rfc822; ghost@example.test",
                      m.get_payload()[1].as_string())


if __name__ == "__main__":
    unittest.main()
