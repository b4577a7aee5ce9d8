"""The delay= and delays= fields of delivery log lines keep Postfix's
shape: below 10 s at most two significant digits, from 10 s on whole
seconds, never exponent notation (%.2g printed 1.5e+02 after 150 s).

The long delay is real in every way the log can see: the message is
deferred, its arrival time in the queue file (the TIME record, which is
what delay= measures from) is moved 150 s into the past while it waits
in deferred/, and a flush delivers it."""
import os
import re
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

D = ternlib.DELAY_RE


def backdate(path, seconds):
    """Move the arrival time (the TIME record: 8 bytes of seconds, 4 of
    microseconds, big-endian) of the queue file at path back by seconds."""
    with open(path, "r+b") as f:
        data = f.read()
        off = 0
        while off < len(data):
            rtype = data[off]
            off += 1
            length, shift = 0, 0
            while True:
                b = data[off]
                off += 1
                length |= (b & 0x7f) << shift
                shift += 7
                if not b & 0x80:
                    break
            if rtype == ord("T"):
                sec, usec = struct.unpack(">QI", data[off:off + 12])
                f.seek(off)
                f.write(struct.pack(">Q", sec - seconds))
                return
            off += length
    raise AssertionError("no TIME record in %s" % path)


class DelayLogTest(unittest.TestCase):
    def setUp(self):
        # No retry but the one the test asks for.
        self.t = ternlib.Instance(main={"minimal_backoff_time": "1h",
                                        "maximal_backoff_time": "2h",
                                        "queue_run_delay": "1h"})
        self.t.start()

    def tearDown(self):
        self.t.cleanup()

    def test_short_and_long_delays(self):
        t = self.t
        t.block_mailbox("bob")
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["bob@example.test"],
                       b"Subject: late\r\n\r\nx\r\n")
        qid = ternlib.wait_for(lambda: t.queue_files("deferred"),
                               what="message in deferred/")[0]
        # First attempt: a fraction of a second, two digits at most.
        self.assertRegex(
            t.log(), r"tern/local\[\d+\]: %s: to=<bob@example\.test>, "
            r"relay=local, delay=%s, delays=%s/0/0/%s, dsn=4\.\d+\.\d+, "
            r"status=deferred \(maildir delivery failed" % (qid, D, D, D))

        path = os.path.join(t.spool, "deferred", qid)
        backdate(path, 150)
        os.unlink(t.maildir("bob"))
        start = time.time()
        t.tool("tern", "flush")
        t.wait_messages("bob", 1, timeout=20)
        t.wait_log("%s: removed" % qid)
        waited = time.time() - start
        m = re.search(
            r"tern/local\[\d+\]: %s: to=<bob@example\.test>, relay=local, "
            r"delay=(\d+), delays=(\d+)/0/0/(%s), dsn=2\.0\.0, "
            r"status=sent \(delivered to maildir\)" % (qid, D), t.log())
        self.assertIsNotNone(m, t.log())
        delay, before = int(m.group(1)), int(m.group(2))
        # Whole seconds past 10 s: 150 s of backdating plus the time the
        # message really spent in the queue.
        self.assertGreaterEqual(delay, 150)
        self.assertLessEqual(delay, 151 + int(waited) + 20 * ternlib.SLOW)
        self.assertLessEqual(before, delay)
        self.assertNotRegex(t.log(), r"delays?=[^,]*e[+-]")


if __name__ == "__main__":
    unittest.main()
