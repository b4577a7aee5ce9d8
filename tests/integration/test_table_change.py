"""Tables that change are noticed: after `ternmap` adds a user, without a
reload, mail for the new user is accepted and delivered (not bounced as
"User unknown" by a daemon that still holds the old table); the daemons
log "table ... has changed -- restarting" as Postfix's do."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402
from test_qmgr_agent import MuteAgent  # noqa: E402


class TableChangeTest(unittest.TestCase):
    def setUp(self):
        # ipc_timeout bounds the greeting wait of a stuck delivery.
        t = ternlib.Instance(main={"ipc_timeout": "3s"})
        self.t = t
        self.vmailbox = os.path.join(t.etc, "vmailbox")
        self.spec = "hash:%s" % self.vmailbox
        t.tool("ternmap", self.spec)
        maincf = os.path.join(t.etc, "main.cf")
        with open(maincf) as f:
            text = f.read()
        with open(maincf, "w") as f:
            f.write(text.replace("texthash:%s" % self.vmailbox, self.spec))
        t.start()

    def tearDown(self):
        self.t.cleanup()

    def send(self, rcpt):
        with self.t.smtp() as s:
            return s.sendmail("bob@example.test", [rcpt],
                              b"Subject: to %s\r\n\r\nx\r\n" % rcpt.encode())

    def test_new_user_after_ternmap(self):
        t = self.t
        # Every daemon has the table open: smtpd (the RCPT check), qmgr
        # (resolution), local (the mailbox path).
        self.assertEqual(self.send("alice@example.test"), {})
        t.wait_messages("alice", 1)
        qmgr = t.pids("qmgr")
        self.assertEqual(len(qmgr), 1)
        with open(self.vmailbox, "a") as f:
            f.write("carol@example.test example.test/carol/\n")
        t.tool("ternmap", self.spec)
        # The idle qmgr restarts on its own.
        line = "tern/qmgr[%d]: table %s has changed -- restarting" % (
            qmgr[0], self.spec)
        t.wait_log(line, timeout=10)
        ternlib.wait_for(lambda: t.pids("qmgr") and t.pids("qmgr") != qmgr,
                         what="a new qmgr")
        # smtpd does not take the next client with the old table.
        self.assertEqual(self.send("carol@example.test"), {})
        t.wait_messages("carol", 1)
        log = t.log()
        self.assertNotIn("User unknown", log)
        self.assertRegex(log, r"tern/smtpd\[\d+\]: table %s has changed "
                         r"-- restarting" % self.spec.replace(".", r"\."))
        # Mail for the old users still flows.
        self.assertEqual(self.send("alice@example.test"), {})
        t.wait_messages("alice", 2)


    def test_busy_qmgr_takes_no_new_mail(self):
        """A qmgr with a message in hand finishes it first, and leaves
        mail that arrives meanwhile to its successor."""
        t = self.t
        sock = os.path.join(t.spool, "private", "local")
        os.rename(sock, sock + ".real")
        agent = MuteAgent(sock, t.owner)
        try:
            self.assertEqual(self.send("alice@example.test"), {})
            ternlib.wait_for(lambda: agent.accepted() >= 1,
                             what="a delivery hanging on the mute agent")
            old = t.pids("qmgr")
            with open(self.vmailbox, "a") as f:
                f.write("carol@example.test example.test/carol/\n")
            t.tool("ternmap", self.spec)
            t.wait_log("tern/qmgr[%d]: table %s has changed -- restarting"
                       % (old[0], self.spec), timeout=10)
            self.assertEqual(self.send("carol@example.test"), {})
            # The stuck delivery times out; only then does qmgr go.
            ternlib.wait_for(lambda: t.pids("qmgr") and
                             t.pids("qmgr") != old, what="a new qmgr")
        finally:
            agent.close()
            os.unlink(sock)
            os.rename(sock + ".real", sock)
        t.wait_messages("carol", 1, timeout=20)
        log = t.log()
        # The old qmgr worked on the first message only: carol's was
        # left to the new one, which knows her.
        taken = [l for l in log.splitlines()
                 if "tern/qmgr[%d]:" % old[0] in l and "(queue active)" in l]
        self.assertEqual(len(taken), 1, taken)
        self.assertNotIn("User unknown", log)

        def delivered():
            if t.messages("alice"):
                return True
            t.tool("tern", "flush", check=False)
            return False
        ternlib.wait_for(delivered, timeout=20, interval=0.5,
                         what="the deferred message delivered")


if __name__ == "__main__":
    unittest.main()
