"""transport_maps: per address, domain and parent domain routing to smtp
with a next hop of its own, the error: transport (bounce with the text and
its status) and discard: (delivered to nowhere, logged as sent), and an
unknown transport deferred with a warning."""
import email
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402

ALIASES = {
    "far@example.test": "a@far.test",
    "deep@example.test": "b@deep.sub.test",
    "gone@example.test": "x@moved.test",
    "null@example.test": "y@null.test",
    "odd@example.test": "z@odd.test",
}


class TransportTest(unittest.TestCase):
    def setUp(self):
        self.sink = smtpsink.Sink()
        hop = "[127.0.0.1]:%d" % self.sink.port
        table = os.path.join(ternlib.tempfile.gettempdir(),
                             "tern-transport-%d" % os.getpid())
        with open(table, "w") as f:
            f.write("far.test smtp:%s\n" % hop)
            f.write(".sub.test smtp:%s\n" % hop)
            f.write("moved.test error:5.1.6 this user has moved away\n")
            f.write("null.test discard:\n")
            f.write("odd.test uucp:somewhere\n")
        self.table = table
        self.t = ternlib.Instance(aliases=ALIASES, main={
            "transport_maps": "texthash:%s" % table,
            # Anything not in the table would go here and fail.
            "relayhost": "[127.0.0.1]:1"})
        self.t.start()

    def tearDown(self):
        self.sink.close()
        self.t.cleanup()
        os.unlink(self.table)

    def send(self, to):
        with self.t.smtp() as s:
            s.sendmail("alice@example.test", [to],
                       b"Subject: route\r\n\r\nx\r\n")

    def test_smtp_next_hops(self):
        self.send("far@example.test")
        self.send("deep@example.test")
        ternlib.wait_for(lambda: len(self.sink.messages) == 2,
                         what="two messages at the sink")
        self.assertEqual(sorted(m[1][0] for m in self.sink.messages),
                         ["a@far.test", "b@deep.sub.test"])

    def test_error_and_discard(self):
        t = self.t
        self.send("gone@example.test")
        files = t.wait_messages("alice", 1, timeout=30)
        with open(files[0], "rb") as f:
            report = f.read().decode(errors="replace")
        self.assertIn("this user has moved away", report)
        self.assertIn("Status: 5.1.6", report)
        t.wait_log("to=<x@moved.test>, orig_to=<gone@example.test>, "
                   "relay=none")
        self.assertIn("dsn=5.1.6, status=bounced (this user has moved away)",
                      t.log())
        self.send("null@example.test")
        t.wait_log("dsn=2.0.0, status=sent (discarded)")
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")
        self.assertEqual(self.sink.messages, [])

    def test_unknown_transport_defers(self):
        t = self.t
        self.send("odd@example.test")
        t.wait_log("transport_maps: <z@odd.test>: unknown transport "
                   "\"uucp\"")
        t.wait_log("dsn=4.3.5, status=deferred (<z@odd.test>: mail system "
                   "configuration error)")


if __name__ == "__main__":
    unittest.main()
