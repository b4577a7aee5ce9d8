"""qmgr never waits for a delivery agent: a local that accepts connections
and never answers does not stop qmgr from serving triggers, scanning and
starting other deliveries; the stuck ones are deferred after the greeting
timeout, and delivered once a working local is back."""
import os
import pwd
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class MuteAgent:
    """A socket in place of private/local that accepts and says nothing."""

    def __init__(self, path, owner):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(64)
        if ternlib.IS_ROOT:
            pw = pwd.getpwnam(owner)
            os.chown(path, pw.pw_uid, pw.pw_gid)
        self.conns = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(c)

    def accepted(self):
        with self.lock:
            return len(self.conns)

    def close(self):
        self.sock.close()
        with self.lock:
            for c in self.conns:
                c.close()


class QmgrAgentTest(unittest.TestCase):
    def setUp(self):
        # The greeting timeout is min(ipc_timeout, 30s).
        self.t = ternlib.Instance(main={"ipc_timeout": "3s"})
        self.t.start()
        self.sock = os.path.join(self.t.spool, "private", "local")
        self.agent = None

    def tearDown(self):
        if self.agent:
            self.agent.close()
        self.t.cleanup()

    def send(self, subject):
        with self.t.smtp() as s:
            r = s.sendmail("bob@example.test", ["alice@example.test"],
                           b"Subject: %s\r\n\r\nx\r\n" % subject.encode())
        self.assertEqual(r, {})

    def qid_of(self, n):
        """Queue IDs in the order qmgr activated them."""
        ids = []
        for line in self.t.log().splitlines():
            if "(queue active)" in line:
                qid = line.split(": from=<")[0].rsplit(" ", 1)[1]
                if qid not in ids:
                    ids.append(qid)
        return ids if len(ids) >= n else None

    def test_mute_agent_does_not_stop_qmgr(self):
        t = self.t
        os.rename(self.sock, self.sock + ".real")
        self.agent = MuteAgent(self.sock, t.owner)
        self.send("first")
        ternlib.wait_for(lambda: self.agent.accepted() >= 1,
                         what="qmgr connected to the mute agent")
        first = ternlib.wait_for(lambda: self.qid_of(1))[0]
        # While the first delivery waits for a greeting that never
        # comes, qmgr takes the next trigger, scans and starts the next
        # delivery on a second connection.
        self.send("second")
        ternlib.wait_for(lambda: self.agent.accepted() >= 2,
                         what="a second connection while the first hangs")
        second = ternlib.wait_for(lambda: self.qid_of(2))[1]
        log = t.log()
        deferred = "%s: to=<alice@example.test>, relay=local" % first
        self.assertNotIn(deferred, log[:log.index("%s: from=" % second)])
        # The stuck attempts are deferred after the greeting timeout.
        t.wait_log("status=deferred (delivery temporarily suspended: "
                   "local: timeout waiting for the greeting)")
        t.wait_log("connect to private/local: timeout waiting for the greeting")
        # A working agent again: both are delivered.
        self.agent.close()
        os.unlink(self.sock)
        self.agent = None
        os.rename(self.sock + ".real", self.sock)

        def delivered():
            if len(t.messages("alice")) >= 2:
                return True
            t.tool("tern", "flush", check=False)
            return False
        ternlib.wait_for(delivered, timeout=30, interval=0.5,
                         what="both messages delivered")
        t.wait_log("%s: removed" % first)
        t.wait_log("%s: removed" % second)

    def test_trigger_burst(self):
        """Many triggers at once, some of them slow to send their byte,
        neither stall qmgr nor lose the work."""
        t = self.t
        path = os.path.join(t.spool, "public", "qmgr")
        slow = []
        for _ in range(5):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            slow.append(s)          # connected, byte not sent yet
        for _ in range(50):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            s.send(b"W")
            s.close()
        self.send("after the burst")
        t.wait_messages("alice", 1, timeout=10)
        for s in slow:
            s.close()


if __name__ == "__main__":
    unittest.main()
