"""main.cf parameters that change what a client or an administrator sees,
one behaviour each."""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402
from test_smtp_errors import Raw  # noqa: E402


class ParamsTest(unittest.TestCase):
    def start(self, **main):
        self.t = ternlib.Instance(main=main)
        self.t.start()
        r = Raw(self.t.port)
        self.assertEqual(r.banner[0], 220)
        return r

    def tearDown(self):
        self.t.cleanup()

    def test_smtpd_helo_required(self):
        r = self.start(smtpd_helo_required="yes")
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 503)
        self.assertEqual(r.cmd("HELO c")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        r.close()

    def test_queue_minfree(self):
        # More than any disk has: every MAIL is refused for storage, and
        # the administrator is told why.
        r = self.start(queue_minfree="1000000000000000000")
        self.assertEqual(r.cmd("EHLO c")[0], 250)
        code, lines = r.cmd("MAIL FROM:<alice@example.test>")
        self.assertEqual((code, lines[-1]),
                         (452, "452 4.3.1 Insufficient system storage"))
        r.close()
        self.t.wait_log("warning: not enough free space in mail queue for "
                        "a message of 0 bytes (queue_minfree "
                        "1000000000000000000) from localhost[127.0.0.1]")

    def test_queue_space_for_declared_size(self):
        # With queue_minfree 0, a declared size that 1.5 times over does
        # not fit in the free space is refused the same way; with no size
        # limit, SIZE= alone decides.
        st = os.statvfs(ternlib.tempfile.gettempdir())
        free = st.f_bavail * st.f_frsize
        r = self.start(message_size_limit="0")
        self.assertEqual(r.cmd("EHLO c")[0], 250)
        code, _ = r.cmd("MAIL FROM:<alice@example.test> SIZE=%d" % free)
        self.assertEqual(code, 452)
        code, _ = r.cmd("MAIL FROM:<alice@example.test> SIZE=1000")
        self.assertEqual(code, 250)
        r.close()

    def test_vrfy_enabled(self):
        r = self.start(disable_vrfy_command="no")
        code, lines = r.cmd("EHLO c")
        self.assertIn("250-VRFY", lines)
        self.assertEqual(r.cmd("VRFY <alice@example.test>")[0], 252)
        self.assertEqual(r.cmd("VRFY <nobody@example.test>")[0], 550)
        self.assertEqual(r.cmd("VRFY <postmaster@example.test>")[0], 252)
        r.close()

    def test_strict_rfc821_envelopes(self):
        r = self.start(strict_rfc821_envelopes="yes")
        r.cmd("EHLO c")
        self.assertEqual(r.cmd("MAIL FROM: a@example.org")[0], 501)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        r.close()
        self.t.cleanup()
        r = self.start(strict_rfc821_envelopes="no")
        r.cmd("EHLO c")
        self.assertEqual(r.cmd("MAIL FROM: a@example.org")[0], 250)
        self.assertEqual(r.cmd("RCPT TO: alice@example.test")[0], 250)
        r.close()

    def data(self, r, body):
        r.cmd("EHLO c")
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<alice@example.test>")[0], 250)
        self.assertEqual(r.cmd("DATA")[0], 354)
        return r.cmd(body)

    def test_hopcount_limit(self):
        r = self.start(hopcount_limit="3")
        code, lines = self.data(r, b"Received: a\r\nReceived: b\r\nReceived: c\r\n\r\nx\r\n.\r\n")
        self.assertEqual(code, 554)
        self.assertIn("5.4.6", lines[0])
        r.close()

    def test_header_size_limit(self):
        r = self.start(header_size_limit="1024")
        code, _ = self.data(r, b"Subject: big\r\n" + b"X-Pad: " + b"y" * 70 + b"\r\n" * 1
                            + (b"X-More: " + b"z" * 70 + b"\r\n") * 20 + b"\r\nbody\r\n.\r\n")
        self.assertEqual(code, 552)
        r.close()

    def test_line_length_limit(self):
        # A command line longer than line_length_limit is refused...
        r = self.start(line_length_limit="600")
        self.assertEqual(r.cmd("NOOP " + "x" * 700)[0], 500)
        # ...but a long body line is content, stored whole.
        long_line = b"L" * 5000
        code, _ = self.data(r, b"Subject: long\r\n\r\n" + long_line + b"\r\n.\r\n")
        self.assertEqual(code, 250)
        r.close()
        files = self.t.wait_messages("alice", 1)
        with open(files[0], "rb") as f:
            self.assertIn(b"\n" + long_line + b"\n", f.read())

    def test_soft_error_limit_sleeps(self):
        r = self.start(smtpd_soft_error_limit="1", smtpd_error_sleep_time="1s")
        r.cmd("FOO")
        start = time.monotonic()
        r.cmd("BAR")  # over the soft limit: delayed
        self.assertGreaterEqual(time.monotonic() - start, 0.9)
        r.close()

    def test_alias_expansion_limit(self):
        self.t = ternlib.Instance(
            users=["u%d" % i for i in range(5)], main={"virtual_alias_expansion_limit": "3"},
            aliases={"all@example.test": ", ".join("u%d@example.test" % i for i in range(5))})
        self.t.start()
        r = Raw(self.t.port)
        r.cmd("EHLO c")
        r.cmd("MAIL FROM:<a@example.org>")
        code, lines = r.cmd("RCPT TO:<all@example.test>")
        self.assertEqual(code, 554)
        self.assertIn("expansion limit", lines[0])
        r.close()

    def test_syslog_name_and_mail_name(self):
        r = self.start(syslog_name="tern-edge", mail_name="EdgeMail")
        self.assertIn("ESMTP EdgeMail", r.banner[1][0])
        r.close()
        self.t.wait_log("tern-edge/smtpd[")

    def test_default_database_type(self):
        self.t = ternlib.Instance()
        hashsrc = os.path.join(self.t.etc, "vmailbox")
        self.t.tool("ternmap", hashsrc)   # default_database_type: hash
        self.assertTrue(os.path.exists(hashsrc + ".db"))
        with open(os.path.join(self.t.etc, "main.cf"), "a") as f:
            f.write("virtual_mailbox_maps = %s\n" % hashsrc)   # no type: hash
        self.t.start()
        with self.t.smtp() as s:
            s.sendmail("a@example.org", ["bob@example.test"], b"Subject: db\r\n\r\nx\r\n")
        self.t.wait_messages("bob", 1)

    @unittest.skipUnless(ternlib.IS_ROOT, "uid checks need root")
    def test_virtual_minimum_uid(self):
        self.t = ternlib.Instance(main={"virtual_minimum_uid": "999999"})
        self.t.start()
        with self.t.smtp() as s:
            s.sendmail("a@example.org", ["bob@example.test"], b"Subject: uid\r\n\r\nx\r\n")
        self.t.wait_log("dsn=4.3.5, status=deferred (mail system configuration error)")
        self.assertIn("is below virtual_minimum_uid", self.t.log())

    def test_concurrency_and_process_limits(self):
        self.t = ternlib.Instance(main={"local_destination_concurrency_limit": "2",
                                        "default_process_limit": "3"})
        # maxproc "-" for local means default_process_limit.
        self.t.start()
        import threading
        peak = {"local": 0}
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                peak["local"] = max(peak["local"], len(self.t.pids("local", children_of_master=True)))
                time.sleep(0.005)
        w = threading.Thread(target=watch)
        w.start()
        try:
            with self.t.smtp() as s:
                for i in range(30):
                    s.sendmail("a@example.org", ["alice@example.test"],
                               b"Subject: c\r\n\r\nx\r\n")
            self.t.wait_messages("alice", 30)
        finally:
            stop.set()
            w.join()
        self.assertLessEqual(peak["local"], 2)
        self.assertGreaterEqual(peak["local"], 1)


class TernconfDefaultsTest(unittest.TestCase):
    def test_mydomain_follows_myhostname(self):
        t = ternlib.Instance()
        try:
            r = t.tool("ternconf", "-x", "mydomain", "myorigin")
            self.assertIn("mydomain = example.test", r.stdout)
            self.assertIn("myorigin = example.test", r.stdout)
        finally:
            t.cleanup()


if __name__ == "__main__":
    unittest.main()
