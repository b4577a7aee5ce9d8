"""ternqueue and mailq: the listing in Postfix's mailq shape and as JSON
lines, one message shown like postcat, and hold, release, requeue and
delete by queue ID and ALL, each logged."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class TernqueueTest(unittest.TestCase):
    def setUp(self):
        # Deliveries to bob fail for now and are retried only when asked.
        self.t = ternlib.Instance(main={"minimal_backoff_time": "1h",
                                        "maximal_backoff_time": "2h",
                                        "queue_run_delay": "1h"})
        self.t.start()
        self.t.block_mailbox("bob")
        self.mailq = os.path.join(self.t.dir, "mailq")
        os.symlink(os.path.join(ternlib.BIN, "ternqueue"), self.mailq)

    def tearDown(self):
        self.t.cleanup()

    def queue_two(self):
        t = self.t
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["bob@example.test"],
                       b"Subject: one\r\n\r\nfirst body\r\n")
            s.sendmail("", ["bob@example.test"],
                       b"Subject: two\r\n\r\n.leading dot\r\n")
        ternlib.wait_for(lambda: len(t.queue_files("deferred")) == 2,
                         what="two messages in deferred/")
        return sorted(t.queue_files("deferred"))

    def test_list_shapes(self):
        t = self.t
        r = t.tool("ternqueue")
        self.assertEqual(r.stdout, "Mail queue is empty\n")
        ids = self.queue_two()
        r = t.tool("ternqueue")
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "-Queue ID-  --Size-- ----Arrival Time---- "
                                   "-Sender/Recipient-------")
        # ID, status column, size right-aligned in 8, the arrival time,
        # two spaces, the sender; recipients indented to column 41.
        entry = re.compile(r"^(\S+)[ *!] ( {0,7}\d+) (\w{3} \w{3} [ \d]\d "
                           r"\d\d:\d\d:\d\d)  (\S+)$")
        heads = [entry.match(l) for l in lines if entry.match(l)]
        self.assertEqual(sorted(m.group(1) for m in heads), ids)
        self.assertEqual(sorted(m.group(4) for m in heads),
                         ["MAILER-DAEMON", "alice@example.test"])
        self.assertIn(" " * 41 + "bob@example.test", lines)
        self.assertEqual(lines[-1], "-- 1 Kbytes in 2 Requests.")
        # mailq is the same program under another name.
        r2 = subprocess_run([self.mailq, "-c", t.etc])
        self.assertEqual(r2, r.stdout)
        # JSON: one object a line.
        r = t.tool("ternqueue", "-j")
        objs = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual(sorted(o["queue_id"] for o in objs), ids)
        for o in objs:
            self.assertEqual(o["queue_name"], "deferred")
            self.assertIsInstance(o["arrival_time"], int)
            self.assertGreater(o["message_size"], 0)
            self.assertEqual([r["address"] for r in o["recipients"]],
                             ["bob@example.test"])

    def test_deferral_reason(self):
        """qmgr records why a recipient waits (defer/<id>); the listing
        shows it in parentheses before the recipient, -j as delay_reason;
        it survives a restart, and goes when the message goes."""
        t = self.t
        a, b = self.queue_two()
        reason = re.compile(r"^\(maildir delivery failed: [^\n]+\)$")
        for _ in range(2):
            lines = t.tool("ternqueue").stdout.splitlines()
            for i, l in enumerate(lines):
                if l == " " * 41 + "bob@example.test":
                    self.assertRegex(lines[i - 1], reason)
            self.assertEqual(len([l for l in lines if reason.match(l)]), 2)
            objs = [json.loads(l)
                    for l in t.tool("ternqueue", "-j").stdout.splitlines()]
            for o in objs:
                self.assertTrue(o["recipients"][0]["delay_reason"]
                                .startswith("maildir delivery failed: "))
            # Across a restart: the reasons are on disk.
            t.stop()
            t.start()
        self.assertTrue(os.path.exists(os.path.join(t.spool, "defer", a)))
        t.tool("ternqueue", "-d", a)
        self.assertFalse(os.path.exists(os.path.join(t.spool, "defer", a)))
        # Delivered on a flush: qmgr removes the reasons with the file.
        os.unlink(t.maildir("bob"))
        t.tool("tern", "flush")
        t.wait_messages("bob", 1, timeout=30)
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")
        self.assertEqual(os.listdir(os.path.join(t.spool, "defer")), [])

    def test_show_one(self):
        t = self.t
        qid = self.queue_two()[0]
        r = t.tool("ternqueue", "-p", qid)
        out = r.stdout
        self.assertTrue(out.startswith("*** ENVELOPE RECORDS deferred/%s ***\n" % qid))
        self.assertIn("recipient: bob@example.test\n", out)
        self.assertIn("*** MESSAGE CONTENTS deferred/%s ***\n" % qid, out)
        self.assertTrue(out.endswith("*** MESSAGE FILE END deferred/%s ***\n" % qid))
        self.assertRegex(out, r"Subject: (one|two)\n")
        r = t.tool("ternqueue", "-p", "NOSUCHID", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such queue file", r.stderr)

    def test_hold_release_requeue_delete(self):
        t = self.t
        a, b = self.queue_two()
        t.tool("ternqueue", "-h", a)
        self.assertEqual(t.queue_files("hold"), [a])
        t.wait_log("%s: placed on hold" % a)
        self.assertIn("%s!" % a, t.tool("ternqueue").stdout)
        t.tool("ternqueue", "-H", "ALL")
        self.assertEqual(t.queue_files("hold"), [])
        t.wait_log("%s: released from hold" % a)
        r = t.tool("ternqueue", "-d", b, check=False)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        t.wait_log("%s: removed" % b)
        self.assertEqual(t.queue_files("deferred"), [a])
        # Requeue: the message goes through the queue manager now, and
        # with the mailbox fixed it is delivered.
        os.unlink(t.maildir("bob"))
        t.tool("ternqueue", "-r", "ALL")
        t.wait_log("%s: requeued" % a)
        t.wait_messages("bob", 1, timeout=30)
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")
        r = t.tool("ternqueue", "-d", a, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s: no such queue file" % a, r.stderr)

    def test_usage(self):
        t = self.t
        for args in (["-j", "-p", "X"], ["-d"], ["-p"], ["-x"]):
            r = t.tool("ternqueue", *args, check=False)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage:", r.stderr)


def subprocess_run(argv):
    import subprocess
    return subprocess.run(argv, capture_output=True, text=True,
                          check=True).stdout


if __name__ == "__main__":
    unittest.main()
