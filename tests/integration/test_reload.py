"""tern reload is all or nothing: a reload that cannot be carried out
leaves the running services alone, and tern reload says why and exits
non-zero."""
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()
        self.t.start()

    def tearDown(self):
        self.t.cleanup()

    def append(self, name, text):
        path = os.path.join(self.t.etc, name)
        with open(path) as f:
            old = f.read()
        with open(path, "a") as f:
            f.write(text)
        return old

    def write(self, name, text):
        with open(os.path.join(self.t.etc, name), "w") as f:
            f.write(text)

    def master(self):
        with open(os.path.join(self.t.spool, "pid", "master.pid")) as f:
            return int(f.read())

    def send_and_wait(self, user, n, subject):
        with self.t.smtp() as s:
            s.sendmail("a@example.org", ["%s@example.test" % user],
                       ("Subject: %s\r\n\r\nx\r\n" % subject).encode())
        self.t.wait_messages(user, n)

    def test_taken_port_keeps_old_services(self):
        self.send_and_wait("alice", 1, "before")
        master = self.master()
        qmgr = self.t.pids("qmgr", children_of_master=True)
        self.assertEqual(len(qmgr), 1)
        busy = socket.socket()
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        taken = busy.getsockname()[1]
        try:
            self.append("master.cf", "127.0.0.1:%d inet n - n - - smtpd\n" % taken)
            r = self.t.tool("tern", "reload", check=False)
            self.assertNotEqual(r.returncode, 0, r.stderr)
            self.assertIn("reload failed", r.stderr)
            self.assertIn("bind 127.0.0.1:%d" % taken, r.stderr)
            self.assertIn("Address already in use", r.stderr)
            self.t.wait_log("reload failed, keeping the old configuration")
            # The same master, the same qmgr, and mail still flows.
            self.assertEqual(self.master(), master)
            self.assertIn(master, self.t.pids("master"))
            self.assertEqual(self.t.pids("qmgr", children_of_master=True), qmgr)
            self.send_and_wait("alice", 2, "after failed reload")
            r = self.t.tool("tern", "status", check=False)
            self.assertEqual(r.returncode, 0)
            self.assertIn("last reload failed", r.stderr)
        finally:
            busy.close()
        # Once the port is free, the same reload succeeds.
        r = self.t.tool("tern", "reload", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        with socket.create_connection(("127.0.0.1", taken), timeout=10) as c:
            self.assertTrue(c.makefile("rb").readline().startswith(b"220"))
        self.send_and_wait("alice", 3, "after good reload")

    def test_missing_table_refused_before_signal(self):
        # An idle smtpd that read the good main.cf serves the next
        # session (one started while main.cf is broken would die).
        self.send_and_wait("bob", 1, "before")
        master = self.master()
        qmgr = self.t.pids("qmgr", children_of_master=True)
        old = self.append("main.cf", "virtual_alias_maps = hash:%s/nonexistent\n"
                          % self.t.etc)
        r = self.t.tool("tern", "reload", check=False)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertIn("nonexistent", r.stderr)
        self.assertIn("not reloading", r.stderr)
        # Master was not signalled: nothing was reloaded or restarted.
        self.assertNotIn("reload -- version", self.t.log())
        self.assertEqual(self.master(), master)
        self.assertIn(master, self.t.pids("master"))
        self.assertEqual(self.t.pids("qmgr", children_of_master=True), qmgr)
        r = self.t.tool("tern", "status", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.write("main.cf", old)
        self.send_and_wait("bob", 2, "after refused reload")

    def test_good_reload_reports_success(self):
        r = self.t.tool("tern", "reload", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.t.tool("tern", "reload", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.t.log().count("reload -- version"), 2)


if __name__ == "__main__":
    unittest.main()
