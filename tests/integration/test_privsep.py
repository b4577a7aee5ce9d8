"""Privilege separation as DESIGN.md fixes it, read from /proc (as root
only: an ordinary user's instance runs wholly as that user).
- master: root (it binds ports and forks);
- smtpd, qmgr, smtp: mail_owner ("tern"), real, effective, saved and file
  ids, no supplementary group but its own, no capabilities;
- local: the parent keeps root only to change identity; every process
  that writes a Maildir is the mailbox owner ("vmail") for good;
- queue files are not readable by others, and mailbox files are 0600;
- smtpd's TLS key (root's, mode 0600) is read before the drop: TLS works,
  and so are the shared session ticket keys (spool/tls/, root's 0700),
  yet no smtpd holds the file open and its user cannot read it."""
import grp
import os
import pwd
import ssl
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402


def proc_status(pid):
    """Uid, Gid, Groups and CapEff of a process, from /proc."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid"):
                out[key] = [int(x) for x in value.split()]
            elif key == "Groups":
                out[key] = sorted(int(x) for x in value.split())
            elif key == "CapEff":
                out[key] = int(value, 16)
    return out


@unittest.skipUnless(ternlib.IS_ROOT, "privilege separation needs root")
class PrivsepTest(unittest.TestCase):
    def setUp(self):
        self.sink = smtpsink.Sink(delay=3)
        self.t = ternlib.Instance(
            aliases={"fwd@example.test": "x@far.test"},
            main={"relayhost": "[127.0.0.1]:%d" % self.sink.port})
        self.cert, self.key = ternlib.make_cert(self.t.etc, "smtpd")
        with open(os.path.join(self.t.etc, "main.cf"), "a") as f:
            f.write("smtpd_tls_security_level = may\n"
                    "smtpd_tls_cert_file = %s\nsmtpd_tls_key_file = %s\n"
                    % (self.cert, self.key))
        self.t.start()

    def tearDown(self):
        self.t.cleanup()
        self.sink.close()

    def dropped(self, program):
        """The processes of program, once none is root any more: master
        forks a spare now and then, which is root until its drop."""
        pids = self.t.pids(program)
        try:
            if pids and all(proc_status(p)["Uid"][0] != 0 for p in pids):
                return pids
        except OSError:
            pass  # one exited while we looked
        return None

    def assert_identity(self, pid, user, what):
        pw = pwd.getpwnam(user)
        st = proc_status(pid)
        self.assertEqual(st["Uid"], [pw.pw_uid] * 4, "%s uid" % what)
        self.assertEqual(st["Gid"], [pw.pw_gid] * 4, "%s gid" % what)
        self.assertIn(st["Groups"], ([], [pw.pw_gid]),
                      "%s supplementary groups" % what)
        self.assertEqual(st["CapEff"], 0, "%s capabilities" % what)

    def test_processes_and_files(self):
        t = self.t
        with t.smtp() as s:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s.starttls(context=ctx)
            s.sendmail("alice@example.test", ["bob@example.test"],
                       b"Subject: here\r\n\r\nx\r\n")
            # The receiver holds this one for a while: smtp is running
            # and the queue file is in active/ while we look.
            s.sendmail("alice@example.test", ["fwd@example.test"],
                       b"Subject: away\r\n\r\nx\r\n")
            smtpd = ternlib.wait_for(lambda: self.dropped("smtpd"),
                                     what="smtpd after its drop")
            for pid in smtpd:
                self.assert_identity(pid, "tern", "smtpd")
                held = []
                try:
                    for fd in os.listdir("/proc/%d/fd" % pid):
                        held.append(os.readlink("/proc/%d/fd/%s"
                                                % (pid, fd)))
                except OSError:
                    pass  # it exited (max_idle) while we looked
                self.assertNotIn(self.key, held, "smtpd holds the key")
        key = os.stat(self.key)
        self.assertEqual((key.st_uid, key.st_mode & 0o777), (0, 0o600))
        r = subprocess.run(["runuser", "-u", "tern", "--", "cat", self.key],
                           capture_output=True, timeout=30)
        self.assertNotEqual(r.returncode, 0, "tern can read the TLS key")
        # So are the session ticket keys that every smtpd shares.
        tickets = os.path.join(t.spool, "tls", "ticket_keys")
        st = os.stat(tickets)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600))
        st = os.stat(os.path.dirname(tickets))
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o700))
        self.assertIn("Anonymous TLS connection established", t.log())
        smtp = ternlib.wait_for(lambda: self.dropped("smtp"),
                                what="smtp after its drop")
        for pid in smtp:
            self.assert_identity(pid, "tern", "smtp")
        # qmgr may still be starting (root until its privilege drop).
        qmgr = ternlib.wait_for(
            lambda: [p for p in t.pids("qmgr")
                     if proc_status(p)["Uid"][0] != 0], what="qmgr after its drop")
        for pid in qmgr:
            self.assert_identity(pid, "tern", "qmgr")
        master = t.pids("master")
        self.assertEqual(len(master), 1)
        self.assertEqual(proc_status(master[0])["Uid"][0], 0)

        files = t.wait_messages("bob", 1)
        vmail = pwd.getpwnam("vmail")
        st = os.stat(files[0])
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (vmail.pw_uid, 0o600))
        writers = set(t.pids("local")) - set(t.pids("local", children_of_master=True))
        self.assertTrue(writers, "no mailbox-owner process")
        for pid in writers:
            self.assert_identity(pid, "vmail", "local delivery child")

        # Every queue file, wherever it is now, is the mail owner's and
        # unreadable by others.
        queued = []
        for root, dirs, names in os.walk(t.spool):
            for n in names:
                p = os.path.join(root, n)
                st = os.lstat(p)
                if stat.S_ISREG(st.st_mode) and \
                        os.path.basename(root) in ("incoming", "active",
                                                   "deferred", "hold"):
                    queued.append(p)
                    self.assertEqual(st.st_mode & 0o007, 0, p)
                    self.assertEqual(st.st_uid, pwd.getpwnam("tern").pw_uid, p)
        self.assertTrue(queued, "no queue file to look at")
        ternlib.wait_for(lambda: len(self.sink.messages) == 1, timeout=30,
                         what="the relayed message")

    def test_auth_alone_reads_the_user_table(self):
        import base64
        from test_auth import AuthClient
        t = self.t
        t.add_user("alice", "alice pw")
        users = os.path.join(t.etc, "users")
        # tern user add, as root, gave the new table to auth_owner's group.
        st = os.stat(users)
        self.assertEqual((st.st_uid, st.st_gid, st.st_mode & 0o777),
                         (0, grp.getgrnam("ternauth").gr_gid, 0o640))
        c = AuthClient(os.path.join(t.spool, "private", "auth"))
        try:
            r = c.auth("PLAIN", base64.b64encode(b"\0alice\0alice pw")
                       .decode())
        finally:
            c.close()
        self.assertEqual(r.get("status"), "ok", r)
        auth = ternlib.wait_for(lambda: self.dropped("auth"),
                                what="auth after its drop")
        for pid in auth:
            self.assert_identity(pid, "ternauth", "auth")
        # The mail owner (smtpd, qmgr, smtp) cannot read it.
        r = subprocess.run(["runuser", "-u", "tern", "--", "cat", users],
                           capture_output=True, timeout=30)
        self.assertNotEqual(r.returncode, 0, "tern can read the user table")
        r = t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("users", r.stderr)
        # A table that auth_owner cannot read: tern check says how to
        # fix it.
        os.chown(users, 0, 0)
        r = t.tool("tern", "check", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("%s: ternauth (auth_owner) cannot read it; fix with: "
                      "chgrp %d %s" % (users, grp.getgrnam("ternauth").gr_gid,
                                       users), r.stderr)


if __name__ == "__main__":
    unittest.main()
