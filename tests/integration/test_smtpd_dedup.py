"""Issue 10 item 2: duplicate recipients are delivered once. The same
address five times, in upper case, and reached again through an alias is
one final recipient in the queue file and one message in the Maildir;
duplicate_filter_limit bounds the filter."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

ALIASES = {"team@example.test": "alice@example.test, bob@example.test",
           "boss@example.test": "ALICE"}


def send(t, rcpts):
    s = t.smtp()
    s.ehlo("c.example.org")
    s.mail("sender@example.org")
    for r in rcpts:
        code, _ = s.rcpt(r)
        assert code == 250, (r, code)
    code, msg = s.data(b"Subject: dup\r\n\r\nonce\r\n")
    s.quit()
    assert code == 250, msg
    return re.search(r"queued as (\S+)", msg.decode()).group(1)


class DedupTest(unittest.TestCase):
    def test_one_copy_each(self):
        t = ternlib.Instance(aliases=ALIASES)
        try:
            t.start()
            qid = send(t, ["alice@example.test"] * 5 +
                       ["ALICE@EXAMPLE.TEST", "Alice@Example.Test",
                        "team@example.test", "boss@example.test"])
            # Wait until the message is done with, then count.
            t.wait_log("%s: removed" % qid)
            self.assertEqual(len(t.messages("alice")), 1)
            self.assertEqual(len(t.messages("bob")), 1)
            log = t.log()
            self.assertEqual(len(re.findall(r"%s: to=<alice@example.test>" % qid, log,
                                            re.I)), 1)
            self.assertIn("%s: from=<sender@example.org>, size=" % qid, log)
            self.assertRegex(log, r"%s: from=<sender@example.org>, size=\d+, nrcpt=2 " % qid)
        finally:
            t.cleanup()

    def test_filter_limit(self):
        # The filter remembers one address: bob. alice, not remembered,
        # goes through twice (a second delivery, never a loss).
        t = ternlib.Instance(main={"duplicate_filter_limit": "1"})
        try:
            t.start()
            qid = send(t, ["bob@example.test", "BOB@example.test",
                           "alice@example.test", "alice@example.test"])
            t.wait_log("%s: removed" % qid)
            self.assertEqual(len(t.messages("bob")), 1)
            self.assertEqual(len(t.messages("alice")), 2)
        finally:
            t.cleanup()


if __name__ == "__main__":
    unittest.main()
