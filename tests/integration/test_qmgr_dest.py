"""qmgr's scheduling per smtp next hop: a receiver never sees more
parallel sessions than default_destination_concurrency_limit, reached by
slow start from initial_destination_concurrency; a next hop that cannot
be reached is suspended after the first failures, and the rest of its
mail is deferred without a connection attempt each ("delivery temporarily
suspended"), which mailq shows as the reason."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402

ALIASES = {"fwd@example.test": "ok@far.test"}
COUNT = 20


class QmgrDestTest(unittest.TestCase):
    def setUp(self):
        self.t = None
        self.sink = None

    def tearDown(self):
        if self.sink is not None:
            self.sink.close()
        if self.t is not None:
            self.t.cleanup()

    def instance(self, **main):
        self.t = ternlib.Instance(aliases=ALIASES, main=main)
        self.t.start()
        return self.t

    def send_many(self):
        with self.t.smtp() as s:
            for i in range(COUNT):
                s.sendmail("alice@example.test", ["fwd@example.test"],
                           b"Subject: %d\r\n\r\nhello\r\n" % i)

    def test_concurrency_limit_and_slow_start(self):
        # Each message takes the receiver a while, so deliveries pile up
        # and qmgr opens as many sessions as it may.
        self.sink = smtpsink.Sink(delay=0.3)
        t = self.instance(relayhost="[127.0.0.1]:%d" % self.sink.port,
                          default_destination_concurrency_limit="3",
                          initial_destination_concurrency="1")
        self.send_many()
        ternlib.wait_for(lambda: len(self.sink.messages) == COUNT,
                         timeout=30, what="every message at the receiver")
        self.assertLessEqual(self.sink.max_active, 3)
        # Slow start grew past the initial single session.
        self.assertGreaterEqual(self.sink.max_active, 2)
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")

    def test_transport_process_limit(self):
        # Two next hops, each allowed 5 sessions, but master.cf runs at
        # most 2 smtp processes: qmgr never asks for more, over all hops,
        # and every message still arrives.
        both = smtpsink.Group()
        a = smtpsink.Sink(delay=0.3, group=both)
        b = smtpsink.Sink(delay=0.3, group=both)
        try:
            self.t = ternlib.Instance(
                aliases={"fa@example.test": "x@a.test",
                         "fb@example.test": "y@b.test"},
                main={"transport_maps": "inline:{a.test=smtp:[127.0.0.1]:%d,"
                      " b.test=smtp:[127.0.0.1]:%d}" % (a.port, b.port),
                      "default_destination_concurrency_limit": "5",
                      "initial_destination_concurrency": "5"},
                maxproc={"smtp": "2"})
            self.t.start()
            with self.t.smtp() as s:
                for i in range(8):
                    s.sendmail("alice@example.test",
                               ["fa@example.test" if i % 2 else
                                "fb@example.test"],
                               b"Subject: %d\r\n\r\nhello\r\n" % i)
            ternlib.wait_for(
                lambda: len(a.messages) + len(b.messages) == 8, timeout=30,
                what="every message at the receivers")
            self.assertLessEqual(both.max_active, 2)
            self.assertGreaterEqual(both.max_active, 1)
            self.assertNotIn("status=deferred", self.t.log())
        finally:
            a.close()
            b.close()

    def test_recipient_limit(self):
        # One message for 20 recipients of one next hop, at most 7 a
        # request: three SMTP transactions (7, 7, 6), every recipient
        # once, in the order given.
        self.sink = smtpsink.Sink()
        self.instance(relayhost="[127.0.0.1]:%d" % self.sink.port,
                      default_destination_recipient_limit="7")
        rcpts = ["ok%d@far.test" % i for i in range(20)]
        with self.t.smtp() as s:
            s.sendmail("alice@example.test", rcpts,
                       b"Subject: many\r\n\r\nhello\r\n")
        ternlib.wait_for(lambda: len(self.sink.messages) == 3, timeout=30,
                         what="three transactions at the receiver")
        sizes = sorted(len(m[1]) for m in self.sink.messages)
        self.assertEqual(sizes, [6, 7, 7])
        got = sorted(r for m in self.sink.messages for r in m[1])
        self.assertEqual(got, sorted(rcpts))
        ternlib.wait_for(lambda: self.t.queue_files() == [],
                         what="empty queue")

    def test_dead_destination_suspended(self):
        port = ternlib.free_port()  # nothing listens there
        # No retry within the test: each message is tried once at most.
        t = self.instance(relayhost="[127.0.0.1]:%d" % port,
                          minimal_backoff_time="300s",
                          maximal_backoff_time="4000s",
                          queue_run_delay="300s")
        self.send_many()
        ternlib.wait_for(lambda: len(t.queue_files("deferred")) == COUNT,
                         timeout=30, what="every message deferred")
        log = t.log()
        target = "connect to 127.0.0.1[127.0.0.1]:%d" % port
        tried = [l for l in log.splitlines()
                 if target in l and "suspended" not in l]
        suspended = [l for l in log.splitlines()
                     if "status=deferred (delivery temporarily suspended: "
                     + target in l]
        # At most the initial window of attempts (5) and one more at a
        # window of one; everything else is deferred without a try.
        self.assertGreaterEqual(len(tried), 1)
        self.assertLessEqual(len(tried), 6, "\n".join(tried))
        self.assertEqual(len(tried) + len(suspended), COUNT)
        self.assertRegex(log, r"warning: smtp: next hop \[127\.0\.0\.1\]:%d "
                         r"suspended for 300s: " % port + re.escape(target))
        # The reason is what mailq shows.
        out = t.tool("ternqueue").stdout
        self.assertIn("(delivery temporarily suspended: %s: Connection "
                      "refused)" % target, out)


if __name__ == "__main__":
    unittest.main()
