"""Failures reach the log and the administrator: a child that dies at
start-up says why in maillog, a bind failure at start is logged, ternconf
-e refuses typos and bad values, and status/stop work with a broken
main.cf."""
import os
import signal
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class FailuresLoggedTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()

    def tearDown(self):
        self.t.cleanup()

    def main_cf(self):
        with open(os.path.join(self.t.etc, "main.cf")) as f:
            return f.read()

    def test_child_startup_failure_logged_status_stop_still_work(self):
        self.t.start()
        # No smtpd that read the good main.cf may be left to serve us.
        ternlib.wait_for(lambda: self.t.pids("smtpd", children_of_master=True),
                         what="the smtpd started by the port probe")
        # Break main.cf first, then stop every smtpd that read the good
        # one: any forked after the write (a probe connection still in
        # the listen queue makes master fork another) reads the broken
        # file and dies by itself, so none is left to serve us.
        with open(os.path.join(self.t.etc, "main.cf"), "a") as f:
            f.write("smtpd_timeout = 30x\n")

        def none_left():
            self.t.kill("smtpd", signal.SIGTERM)
            try:
                ternlib.wait_for(lambda: not self.t.pids("smtpd"), timeout=2,
                                 what="smtpd gone")
            except AssertionError:
                return False
            return True
        ternlib.wait_for(none_left, timeout=30, what="every smtpd gone")
        # A new smtpd reads the broken main.cf and dies at once. (Other
        # daemons master starts meanwhile, pickup at its first wake-up,
        # die of it too: their lines are not the ones looked for.)
        with socket.create_connection(("127.0.0.1", self.t.port), timeout=10):
            self.t.wait_log("/smtpd: bad command startup")
        log = self.t.log()
        self.assertRegex(log, r"warning: process \S+/smtpd pid \d+: .*fatal: .*"
                         r"main\.cf:\d+: smtpd_timeout: bad time value")
        # The reason comes before the exit status.
        self.assertLess(log.index("bad time value"), log.index("exit status 1"))
        r = self.t.tool("tern", "status", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("is running", r.stderr)
        self.assertIn("warning", r.stderr)
        self.assertIn("queue_directory = %s" % self.t.spool, r.stderr)
        r = self.t.tool("tern", "stop", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.t.started = False
        self.assertEqual(self.t.pids("master"), [])
        r = self.t.tool("tern", "status", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not running", r.stderr)
        # Everything else still refuses a broken main.cf.
        r = self.t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("smtpd_timeout", r.stderr)

    def test_bind_failure_at_start_logged(self):
        busy = socket.socket()
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", self.t.port))
        busy.listen(1)
        try:
            r = self.t.tool("tern", "start", check=False)
        finally:
            busy.close()
        self.assertNotEqual(r.returncode, 0)
        what = "bind 127.0.0.1:%d: Address already in use" % self.t.port
        self.assertIn(what, r.stderr)
        self.assertIn(what, self.t.log())
        self.assertEqual(self.t.pids("master"), [])

    def test_ternconf_edit_checks_names_and_values(self):
        before = self.main_cf()
        r = self.t.tool("ternconf", "-e", "mesage_size_limit=20000000", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ternconf: unknown parameter 'mesage_size_limit'; "
                      "did you mean 'message_size_limit'?", r.stderr)
        r = self.t.tool("ternconf", "-e", "message_size_limit=20000000",
                        "smtpd_timeout=30x", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('smtpd_timeout: bad time value "30x"', r.stderr)
        r = self.t.tool("ternconf", "-e", "smtpd_recipient_limit=0", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("below the minimum", r.stderr)
        # Nothing was written by any refused edit.
        self.assertEqual(self.main_cf(), before)
        r = self.t.tool("ternconf", "-e", "message_size_limit=20000000",
                        "smtpd_banner=$myhostname ESMTP", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("message_size_limit = 20000000\n", self.main_cf())

    def test_privileged_network_service_refused(self):
        path = os.path.join(self.t.etc, "master.cf")
        with open(path) as f:
            lines = f.read().splitlines()
        for i, l in enumerate(lines):
            if " smtpd" in l:
                w = l.split()
                w[3] = "n"
                lines[i] = " ".join(w)
                line = i + 1
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        for cmd in ("check", "start"):
            r = self.t.tool("tern", cmd, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("%s:%d: 127.0.0.1:%d: smtpd parses network input"
                          % (path, line, self.t.port), r.stderr)
        self.assertEqual(self.t.pids("master"), [])
        self.assertFalse(self.t.port_open())


if __name__ == "__main__":
    unittest.main()
