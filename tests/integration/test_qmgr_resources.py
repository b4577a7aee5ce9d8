"""qmgr under resource pressure: a transient failure to open a queue file
(out of descriptors) never sends accepted mail to corrupt/, and what is
left behind is retried without a restart; `tern requeue` gives what was
set aside another try."""
import os
import pwd
import resource
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

N_MESSAGES = 60


class QmgrResourceTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance(main={
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
        })
        self.t.start()

    def tearDown(self):
        self.t.cleanup()

    def local_socket(self):
        return os.path.join(self.t.spool, "private", "local")

    def stop_local(self):
        """Make the delivery agent unreachable: its socket goes away (the
        master keeps listening on the unlinked name)."""
        os.rename(self.local_socket(), self.local_socket() + ".off")

    def start_local(self):
        os.rename(self.local_socket() + ".off", self.local_socket())

    def nofile(self, pid, limits=None):
        """Get (or set) the descriptor limits of pid. As root without
        CAP_SYS_RESOURCE (a container) only a process of the same user
        may do that: ask from a child running as mail_owner."""
        if not ternlib.IS_ROOT:
            return resource.prlimit(pid, resource.RLIMIT_NOFILE, *(
                [limits] if limits else []))
        pw = pwd.getpwnam(self.t.owner)
        rd, wr = os.pipe()
        child = os.fork()
        if child == 0:
            try:
                os.close(rd)
                os.setgroups([])
                os.setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid)
                os.setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)
                got = resource.prlimit(pid, resource.RLIMIT_NOFILE, *(
                    [limits] if limits else []))
                os.write(wr, ("%d %d" % got).encode())
                os._exit(0)
            except BaseException as e:  # noqa: B902
                os.write(wr, ("error %r" % e).encode())
                os._exit(1)
        os.close(wr)
        with os.fdopen(rd) as f:
            out = f.read()
        os.waitpid(child, 0)
        if out.startswith("error"):
            raise AssertionError("prlimit as %s: %s" % (self.t.owner, out))
        return tuple(int(x) for x in out.split())

    def qmgr_pid(self):
        """The running qmgr, once it has become mail_owner."""
        uid = pwd.getpwnam(self.t.owner).pw_uid

        def ready():
            for pid in self.t.pids("qmgr"):
                try:
                    with open("/proc/%d/status" % pid) as f:
                        uids = [l.split()[1:] for l in f
                                if l.startswith("Uid:")][0]
                except (OSError, IndexError):
                    continue
                if all(int(u) == uid for u in uids):
                    return pid
            return None
        return ternlib.wait_for(ready, what="qmgr running as mail_owner")

    def corrupt(self):
        return self.t.queue_files("corrupt")

    def test_descriptor_shortage_is_not_corruption(self):
        t = self.t
        pid = self.qmgr_pid()
        self.stop_local()
        # Leave qmgr one descriptor beyond what it holds while idle: a
        # scan opens its directory, and then no queue file opens (EMFILE).
        old = self.nofile(pid)
        nfd = len(os.listdir("/proc/%d/fd" % pid))
        self.nofile(pid, (nfd + 1, old[1]))
        with t.smtp() as s:
            for i in range(N_MESSAGES):
                s.sendmail("bob@example.test", ["alice@example.test"],
                           b"Subject: m%d\r\n\r\nbody %d\r\n" % (i, i))
        # qmgr ran out of descriptors, said it will retry, and set
        # nothing aside.
        t.wait_log("Too many open files; will retry", timeout=30)
        ternlib.wait_for(lambda: len(t.queue_files("active")) >= 2,
                         what="messages waiting in active/")
        self.assertEqual(self.corrupt(), [])
        # Descriptors and the delivery agent come back: everything is
        # delivered, without a restart of qmgr.
        self.nofile(pid, old)
        self.start_local()

        def delivered():
            if len(t.messages("alice")) >= N_MESSAGES:
                return True
            t.tool("tern", "flush", check=False)
            return False
        ternlib.wait_for(delivered, timeout=40, interval=0.5,
                         what="%d messages delivered" % N_MESSAGES)
        ternlib.wait_for(lambda: not t.queue_files(), what="empty queue")
        self.assertEqual(len(t.messages("alice")), N_MESSAGES)
        self.assertEqual(self.corrupt(), [])
        self.assertNotIn("corrupt queue file", t.log())
        self.assertEqual(self.qmgr_pid(), pid)

    def test_requeue(self):
        t = self.t
        self.stop_local()
        with t.smtp() as s:
            s.sendmail("bob@example.test", ["alice@example.test"],
                       b"Subject: set aside\r\n\r\nx\r\n")
        ternlib.wait_for(lambda: t.queue_files("deferred"),
                         what="message in deferred/")
        qid = t.queue_files("deferred")[0]
        # As an administrator would find it: in corrupt/, out of the way.
        os.rename(os.path.join(t.spool, "deferred", qid),
                  os.path.join(t.spool, "corrupt", qid))
        # And a file that really is damaged.
        bad = "000001ABC"
        with open(os.path.join(t.spool, "corrupt", bad), "w") as f:
            f.write("not a queue file\n")
        if ternlib.IS_ROOT:
            pw = pwd.getpwnam(t.owner)
            os.chown(os.path.join(t.spool, "corrupt", bad), pw.pw_uid,
                     pw.pw_gid)
        self.start_local()

        r = t.tool("tern", "requeue", "NOSUCH", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a queue ID", r.stderr)
        r = t.tool("tern", "requeue", "ABCDE12", check=False)
        self.assertEqual(r.returncode, 1)
        r = t.tool("tern", "requeue", check=False)
        self.assertEqual(r.returncode, 2)

        r = t.tool("tern", "requeue", qid)
        self.assertIn("%s: requeued" % qid, r.stderr)
        t.wait_messages("alice", 1)
        t.wait_log("%s: removed" % qid)

        r = t.tool("tern", "requeue", "ALL")
        self.assertIn("%s: requeued" % bad, r.stderr)
        # Still damaged: set aside again, with the reason.
        t.wait_log("%s: corrupt queue file active/%s" % (bad, bad))
        ternlib.wait_for(lambda: self.corrupt() == [bad],
                         what="damaged file back in corrupt/")
        self.assertEqual(len(t.messages("alice")), 1)


if __name__ == "__main__":
    unittest.main()
