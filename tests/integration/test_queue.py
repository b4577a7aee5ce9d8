"""The queue over time: deferral with backoff and a later success, expiry
into a bounce, flush, stale temporary files."""
import email
import os
import shutil
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class QueueTest(unittest.TestCase):
    def make(self, **main):
        self.t = ternlib.Instance(main=main)
        self.t.start()
        return self.t

    def tearDown(self):
        self.t.cleanup()

    def block_mailbox(self, user):
        """Put a plain file where the Maildir should be: delivery fails
        with a temporary error until it is removed."""
        d = os.path.join(self.t.mail, self.t.domain)
        os.makedirs(d, exist_ok=True)
        os.chown(d, self.t.uid, self.t.gid)
        with open(self.t.maildir(user), "w") as f:
            f.write("not a maildir\n")

    def test_defer_then_deliver(self):
        t = self.make(minimal_backoff_time="1s", maximal_backoff_time="2s",
                      queue_run_delay="1s")
        self.block_mailbox("bob")
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["bob@example.test"], b"Subject: later\r\n\r\nx\r\n")
        t.wait_log("status=deferred (maildir delivery failed")
        ternlib.wait_for(lambda: t.queue_files("deferred"), what="message in deferred/")
        qid = t.queue_files("deferred")[0]
        # The next attempt is the file's mtime: in the future, within bounds.
        mtime = os.stat(os.path.join(t.spool, "deferred", qid)).st_mtime
        self.assertGreater(mtime, time.time() - 1)
        self.assertLess(mtime, time.time() + 3)
        os.unlink(t.maildir("bob"))
        t.wait_messages("bob", 1, timeout=30)
        t.wait_log("%s: removed" % qid)
        self.assertGreaterEqual(t.log().count("%s: from=<alice@example.test>" % qid), 2)

    def test_expiry_returns_to_sender(self):
        t = self.make(minimal_backoff_time="1s", maximal_backoff_time="1s",
                      queue_run_delay="1s", maximal_queue_lifetime="2s")
        self.block_mailbox("bob")
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["bob@example.test"], b"Subject: doomed\r\n\r\nx\r\n")
        files = t.wait_messages("alice", 1, timeout=30)
        with open(files[0], "rb") as f:
            m = email.message_from_binary_file(f)
        self.assertEqual(m.get_content_type(), "multipart/report")
        status = m.get_payload()[1].as_string()
        self.assertIn("Final-Recipient: rfc822; bob@example.test", status)
        self.assertIn("Action: failed", status)
        self.assertIn("Status: 4.2.0", status)
        self.assertIn("status=expired, returned to sender", t.log())
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")

    def test_bounce_queue_lifetime(self):
        # A notice (null sender) that cannot be delivered expires after
        # bounce_queue_lifetime, and goes to the postmaster (alice).
        t = self.make(minimal_backoff_time="1s", maximal_backoff_time="1s",
                      queue_run_delay="1s", bounce_queue_lifetime="2s",
                      maximal_queue_lifetime="1h")
        self.block_mailbox("bob")
        with t.smtp() as s:
            s.sendmail("", ["bob@example.test"], b"Subject: a notice\r\n\r\nx\r\n")
        files = t.wait_messages("alice", 1, timeout=30)
        with open(files[0], "rb") as f:
            m = email.message_from_binary_file(f)
        self.assertIn("double-bounce@example.test", m["Return-Path"])
        self.assertIn("Final-Recipient: rfc822; bob@example.test",
                      m.get_payload()[1].as_string())

    def test_idle_agent_connection_after_ipc_timeout(self):
        # local gives up an idle qmgr connection after ipc_timeout; the
        # next delivery must still go through.
        t = self.make(ipc_timeout="1s")
        with t.smtp() as s:
            s.sendmail("a@example.org", ["bob@example.test"], b"Subject: one\r\n\r\nx\r\n")
        t.wait_messages("bob", 1)
        time.sleep(2.5)
        with t.smtp() as s:
            s.sendmail("a@example.org", ["bob@example.test"], b"Subject: two\r\n\r\nx\r\n")
        t.wait_messages("bob", 2)
        self.assertNotIn("status=deferred", t.log())

    def test_flush_retries_now(self):
        t = self.make(minimal_backoff_time="1h", maximal_backoff_time="2h",
                      queue_run_delay="1h")
        self.block_mailbox("bob")
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["bob@example.test"], b"Subject: flush\r\n\r\nx\r\n")
        ternlib.wait_for(lambda: t.queue_files("deferred"), what="message in deferred/")
        os.unlink(t.maildir("bob"))
        time.sleep(0.5)
        self.assertEqual(t.messages("bob"), [])
        t.tool("tern", "flush")
        t.wait_messages("bob", 1, timeout=20)

    def test_stale_temp_file_removed(self):
        t = self.make(daemon_timeout="1s")
        stale = os.path.join(t.spool, "incoming", "t123.456.000001.1")
        with open(stale, "w") as f:
            f.write("partial")
        old = time.time() - 10
        os.utime(stale, (old, old))
        t.tool("tern", "flush")
        ternlib.wait_for(lambda: not os.path.exists(stale), what="stale temp file removed")
        t.wait_log("removed stale temporary file incoming/t123.456.000001.1")


class ProcessLimitsTest(unittest.TestCase):
    def test_max_use_and_max_idle(self):
        t = ternlib.Instance(main={"max_use": "2", "max_idle": "1s"})
        try:
            t.start()
            seen = set()
            for _ in range(4):
                with t.smtp() as s:
                    s.noop()
                    seen.update(t.pids("smtpd"))
            # Each smtpd served at most two sessions.
            self.assertGreaterEqual(len(seen), 2)
            # An idle smtpd goes away after max_idle.
            ternlib.wait_for(lambda: t.pids("smtpd") == [], timeout=15,
                             what="idle smtpd exits")
        finally:
            t.cleanup()

    def test_bad_command_is_throttled(self):
        t = ternlib.Instance(master_extra="broken unix - - n - 1 /bin/false\n",
                             main={"service_throttle_time": "60s"})
        try:
            t.start()
            sock = os.path.join(t.spool, "private", "broken")
            for _ in range(5):
                c = socket.socket(socket.AF_UNIX)
                try:
                    c.connect(sock)
                except OSError:
                    pass
                c.close()
                time.sleep(0.1)
            t.wait_log("/bin/false: bad command startup -- throttling")
            # Throttled: one start, not one per connection.
            self.assertEqual(t.log().count("process /bin/false pid"), 1)
        finally:
            t.cleanup()

    def test_missing_program_fails_check(self):
        t = ternlib.Instance(master_extra="broken unix - - n - 1 no-such-daemon-xyz\n")
        try:
            r = t.tool("tern", "check", check=False)
            self.assertEqual(r.returncode, 1)
            self.assertIn("no-such-daemon-xyz", r.stderr)
        finally:
            t.cleanup()

if __name__ == "__main__":
    unittest.main()
