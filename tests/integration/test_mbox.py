"""An mbox path in virtual_mailbox_maps (a value not ending in "/"): Tern
delivers only to Maildir. `tern check` (and so `tern start`) refuses such
an entry with a clear message, and mail that reaches one anyway (the
table changed under a running system) is bounced at once with 5.3.5,
not deferred with 4.3.5 and retried for maximal_queue_lifetime."""
import email
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


def write_vmailbox(t, bob_value):
    path = os.path.join(t.etc, "vmailbox")
    with open(path, "w") as f:
        f.write("alice@%s %s/alice/\n" % (t.domain, t.domain))
        f.write("bob@%s %s\n" % (t.domain, bob_value))
    return path


class MboxTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()

    def tearDown(self):
        self.t.cleanup()

    def test_check_refuses_mbox_path(self):
        t = self.t
        path = write_vmailbox(t, "example.test/bob")
        r = t.tool("tern", "check", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('tern: error: virtual_mailbox_maps texthash:%s: '
                      'key "bob@example.test": "example.test/bob" is an mbox '
                      'path: mbox delivery is not supported' % path, r.stderr)
        self.assertIn('end the value with "/" for a Maildir', r.stderr)
        self.assertNotIn("alice@example.test", r.stderr)
        r = t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not starting", r.stderr)

    def test_mail_to_mbox_path_bounces(self):
        t = self.t
        t.start()
        # The table changes under the running system (no reload, so no
        # check): the local delivery agent, started for this message,
        # reads the new entry.
        write_vmailbox(t, "example.test/bob")
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["bob@example.test"],
                       b"Subject: to mbox\r\n\r\nx\r\n")
        t.wait_log("status=bounced")
        self.assertRegex(
            t.log(), r"tern/local\[\d+\]: \w+: to=<bob@example\.test>, "
            r"relay=local, %s, dsn=5\.3\.5, status=bounced \(mbox delivery "
            r"is not supported: the mailbox of <bob@example\.test> is not "
            r"a Maildir\)" % ternlib.DELAY_FIELDS_RE)
        self.assertNotIn("status=deferred", t.log())
        # The sender gets the bounce; nothing waits in the queue.
        files = t.wait_messages("alice", 1)
        with open(files[0], "rb") as f:
            m = email.message_from_binary_file(f)
        self.assertEqual(m.get_content_type(), "multipart/report")
        self.assertIn("5.3.5", m.as_string())
        ternlib.wait_for(lambda: not t.queue_files(), what="empty queue")
        # The mailbox path is in the log, not in the bounce.
        self.assertNotIn(t.mail, m.as_string())
        self.assertTrue(re.search(r"warning: virtual_mailbox_maps: mailbox \S+"
                                  r"example\.test/bob of bob@example\.test is "
                                  r"an mbox path", t.log()))


if __name__ == "__main__":
    unittest.main()
