"""Mail for the users of the system (mydestination): a known user's
mail lands in ~/Maildir/ (or an mbox in mail_spool_directory) as that
user; an unknown user is refused at RCPT with 550 5.1.1; mail for root
is returned, never written as root; aliases(5) to a file, a list, an
:include: list and a command; .forward to another address, and an unsafe
.forward refused with a clear log line. The deliveries need root
(becoming the users); as an ordinary user only the RCPT checks run."""
import email
import mailbox
import os
import shutil
import stat
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402
import test_imapd  # noqa: E402

HOST = "mail.example.test"  # the instance's myhostname


class LocalUserTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()

    def tearDown(self):
        self.t.cleanup()

    def send(self, rcpt, body=b"Subject: hi\r\n\r\nhello\r\n"):
        with self.t.smtp() as s:
            s.ehlo("client.example.org")
            s.mail("sender@example.test")
            code, msg = s.rcpt(rcpt)
            if code != 250:
                return code, msg
            return s.data(body)

    def test_unknown_user_refused_at_rcpt(self):
        self.t.start()
        code, msg = self.send("no-such-user-xyz@%s" % HOST)
        self.assertEqual(code, 550)
        self.assertEqual(msg.decode(),
                         "5.1.1 <no-such-user-xyz@%s>: Recipient address "
                         "rejected: User unknown in local recipient table"
                         % HOST)
        # localhost is in mydestination too.
        self.assertEqual(self.send("no-such-user-xyz@localhost")[0], 550)

    @unittest.skipUnless(ternlib.IS_ROOT, "delivery to a system user "
                         "needs root")
    def test_delivery_to_home_maildir(self):
        pw = self.t.add_system_user()
        self.t.start()
        code, _ = self.send("%s+ext@%s" % (pw.pw_name.upper(), HOST),
                            b"Subject: for a user\r\n\r\nbody\r\n")
        self.assertEqual(code, 250)
        new = os.path.join(pw.pw_dir, "Maildir", "new")
        files = ternlib.wait_for(
            lambda: os.path.isdir(new) and os.listdir(new),
            what="a message in %s" % new)
        path = os.path.join(new, files[0])
        st = os.stat(path)
        self.assertEqual((st.st_uid, st.st_gid), (pw.pw_uid, pw.pw_gid))
        self.assertEqual(os.stat(os.path.join(pw.pw_dir, "Maildir")).st_uid,
                         pw.pw_uid)
        with open(path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(
            b"Return-Path: <sender@example.test>\nDelivered-To: %s+ext@%s\n"
            % (pw.pw_name.upper().encode(), HOST.encode())), data[:200])
        self.assertIn(b"\n\nbody\n", data)
        self.t.wait_log("relay=local")
        line = [l for l in self.t.log().splitlines() if "relay=local" in l][0]
        self.assertRegex(line, r"status=sent \(delivered to maildir\)$")

    @unittest.skipUnless(ternlib.IS_ROOT, "delivery to a system user "
                         "needs root")
    def test_root_is_not_a_delivery_identity(self):
        self.t.cleanup()
        self.t = ternlib.Instance(system_aliases={})
        r = self.t.tool("tern", "check", check=False)
        self.assertIn("tern: warning: mail for root@%s is returned to its "
                      "sender: local(8) never delivers as root; give root "
                      "an alias in alias_maps" % HOST, r.stderr)
        self.t.start()
        code, _ = self.send("root@%s" % HOST)
        self.assertEqual(code, 250)
        self.t.wait_log("to=<root@%s>" % HOST)
        line = [l for l in self.t.log().splitlines()
                if "to=<root@%s>" % HOST in l][0]
        self.assertIn("dsn=5.7.1, status=bounced (mail for root is not "
                      "delivered as root", line)


NEEDS_ROOT = unittest.skipUnless(ternlib.IS_ROOT, "deliveries to users of "
                                 "the system need root")


def shared_dir(path):
    """A directory every delivery identity may write (default_privs is
    nobody), like /tmp."""
    os.makedirs(path)
    os.chmod(path, 0o1777)
    return path


@NEEDS_ROOT
class AliasTest(unittest.TestCase):
    """aliases(5) entries for the users of the system."""

    USERS = ("alice", "bob", "carol", "dave", "erin")

    def setUp(self):
        self.t = ternlib.Instance(users=self.USERS)
        d = self.t.domain
        self.out = shared_dir(os.path.join(self.t.dir, "out"))
        self.members = os.path.join(self.t.etc, "members")
        with open(self.members, "w") as f:
            f.write("# the list\ncarol@%s\ndave@%s, erin@%s\n" % (d, d, d))
        self.script = os.path.join(self.t.etc, "record.sh")
        with open(self.script, "w") as f:
            f.write("#!/bin/sh\n"
                    "env | sort > %s/env.txt\n"
                    "cat > %s/stdin.txt\n"
                    "exit ${EXIT_WITH:-0}\n" % (self.out, self.out))
        os.chmod(self.script, 0o755)
        self.t.system_aliases = None
        with open(os.path.join(self.t.etc, "aliases"), "w") as f:
            f.write("tofile: %s/file.mbox\n" % self.out)
            f.write("five: alice@%s, bob@%s, carol@%s,\n"
                    "  dave@%s, erin@%s\n" % (d, d, d, d, d))
            f.write("owner-five: bob@%s\n" % d)
            f.write("incl: :include:%s\n" % self.members)
            f.write('runner: "|%s"\n' % self.script)
            f.write("failing: |exit 67\n")
            f.write("tempfail: |exit 75\n")
        self.t.start()

    def tearDown(self):
        self.t.cleanup()

    def send(self, rcpt, body=b"Subject: hi\r\n\r\nFrom the start\r\nhello\r\n",
             sender="sender@example.test"):
        with self.t.smtp() as s:
            s.ehlo("client.example.org")
            s.mail(sender)
            code, msg = s.rcpt(rcpt)
            self.assertEqual(code, 250, msg)
            code, msg = s.data(body)
            self.assertEqual(code, 250, msg)

    def status_line(self, rcpt):
        return status_line(self.t, rcpt)

    def test_file(self):
        self.send("tofile@%s" % HOST)
        path = os.path.join(self.out, "file.mbox")
        self.assertIn("status=sent (delivered to file: %s)" % path,
                      self.status_line("tofile@%s" % HOST))
        st = os.stat(path)
        self.assertEqual(pwd_name(st.st_uid), "nobody")
        msgs = read_mbox(path)
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["Delivered-To"], "tofile@%s" % HOST)
        with open(path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"From sender@example.test "), data)
        # mboxrd: a body line that starts with "From " is quoted.
        self.assertIn(b"\n>From the start\n", data)

    def test_list_of_five_with_owner(self):
        self.send("five@%s" % HOST)
        line = self.status_line("five@%s" % HOST)
        self.assertRegex(line, r"status=sent \(forwarded as [0-9A-F]+\)$")
        for u in self.USERS:
            files = self.t.wait_messages(u, 1)
            with open(files[0], "rb") as f:
                m = email.message_from_binary_file(f)
            # The copies come from the list's owner (owner-five).
            self.assertEqual(m["Return-Path"], "<owner-five@%s>"
                             % self.t.domain)
            self.assertEqual(m.get_all("Delivered-To")[-1],
                             "five@%s" % HOST)

    def test_include(self):
        self.send("incl@%s" % HOST)
        for u in ("carol", "dave", "erin"):
            self.t.wait_messages(u, 1)
        self.assertEqual(self.t.messages("alice"), [])

    def test_command_environment_holds_no_shell_text(self):
        # The extension is the client's text; it reaches the command
        # only as a value in the environment, never as shell text.
        marker = os.path.join(self.out, "marker")
        rcpt = "runner+`touch${IFS}%s`@%s" % (marker, HOST)
        self.send(rcpt)
        line = self.status_line(rcpt)
        self.assertIn("status=sent (delivered to command: %s)"
                      % self.script, line)
        with open(os.path.join(self.out, "env.txt")) as f:
            env = dict(l.rstrip("\n").split("=", 1)
                       for l in f if "=" in l)
        self.assertFalse(os.path.exists(marker))
        self.assertEqual(env["EXTENSION"], "`touch${ifs}%s`" % marker.lower())
        self.assertEqual(env["SENDER"], "sender@example.test")
        self.assertEqual(env["RECIPIENT"], rcpt)
        self.assertEqual(env["USER"], "runner")
        self.assertEqual(env["LOCAL"], rcpt.split("@")[0])
        self.assertEqual(env["DOMAIN"], HOST)
        # Nothing of local's own environment is passed on.
        self.assertEqual(set(env) - {"PWD", "SHLVL", "_"},
                         {"SENDER", "RECIPIENT", "USER", "LOGNAME", "HOME",
                          "SHELL", "LOCAL", "EXTENSION", "DOMAIN", "PATH"})
        with open(os.path.join(self.out, "stdin.txt"), "rb") as f:
            self.assertTrue(f.read().startswith(
                b"Return-Path: <sender@example.test>\nDelivered-To: "))

    def test_command_exit_codes(self):
        self.send("failing@%s" % HOST)
        self.assertIn("dsn=5.1.1, status=bounced (Command died with "
                      "status 67", self.status_line("failing@%s" % HOST))
        self.send("tempfail@%s" % HOST)
        self.assertIn("dsn=4.3.0, status=deferred",
                      self.status_line("tempfail@%s" % HOST))


def status_line(t, rcpt):
    """The log line of the delivery to rcpt (waited for)."""
    t.wait_log("to=<%s>" % rcpt)
    return [l for l in t.log().splitlines() if "to=<%s>" % rcpt in l][0]


def read_mbox(path):
    box = mailbox.mbox(path, create=False)
    try:
        return list(box)
    finally:
        box.close()


def pwd_name(uid):
    import pwd
    return pwd.getpwuid(uid).pw_name


@NEEDS_ROOT
class ForwardTest(unittest.TestCase):
    """~/.forward and the mbox spool."""

    def setUp(self):
        self.t = ternlib.Instance()

    def tearDown(self):
        self.t.cleanup()

    def send(self, rcpt, body=b"Subject: hi\r\n\r\nFrom me\r\nbody\r\n"):
        with self.t.smtp() as s:
            s.ehlo("client.example.org")
            s.mail("sender@example.test")
            self.assertEqual(s.rcpt(rcpt)[0], 250)
            self.assertEqual(s.data(body)[0], 250)

    def status_line(self, rcpt):
        return status_line(self.t, rcpt)

    def write_forward(self, pw, text, mode=0o644):
        path = os.path.join(pw.pw_dir, ".forward")
        with open(path, "w") as f:
            f.write(text)
        os.chown(path, pw.pw_uid, pw.pw_gid)
        os.chmod(path, mode)
        return path

    def test_forward_to_another_user_keeping_a_copy(self):
        pw = self.t.add_system_user()
        self.write_forward(pw, "# forward\nbob@%s, \\%s\n"
                           % (self.t.domain, pw.pw_name))
        self.t.start()
        self.send("%s@%s" % (pw.pw_name, HOST))
        self.t.wait_messages("bob", 1)
        new = os.path.join(pw.pw_dir, "Maildir", "new")
        ternlib.wait_for(lambda: os.path.isdir(new) and os.listdir(new),
                         what="the kept copy")
        self.assertEqual(self.t.messages("alice"), [])

    def test_forward_to_a_command_runs_as_the_user(self):
        pw = self.t.add_system_user()
        out = os.path.join(pw.pw_dir, "ran")
        self.write_forward(pw, '"|id -u > %s; id -G >> %s; cat >> %s"\n'
                           % (out, out, out))
        self.t.start()
        self.send("%s@%s" % (pw.pw_name, HOST))
        line = self.status_line("%s@%s" % (pw.pw_name, HOST))
        self.assertIn("status=sent (delivered to command: id -u", line)
        with open(out) as f:
            uid, groups, rest = f.read().split("\n", 2)
        self.assertEqual(int(uid), pw.pw_uid)
        self.assertEqual(groups.split(), [str(pw.pw_gid)])
        self.assertIn("\n\nFrom me\nbody\n", rest)
        st = os.stat(out)
        self.assertEqual(st.st_uid, pw.pw_uid)

    def test_world_writable_forward_is_refused(self):
        pw = self.t.add_system_user()
        path = self.write_forward(pw, "bob@%s\n" % self.t.domain, 0o666)
        self.t.start()
        self.send("%s@%s" % (pw.pw_name, HOST))
        new = os.path.join(pw.pw_dir, "Maildir", "new")
        ternlib.wait_for(lambda: os.path.isdir(new) and os.listdir(new),
                         what="delivery to the mailbox")
        self.t.wait_log("the .forward file is ignored")
        line = [l for l in self.t.log().splitlines()
                if "the .forward file is ignored" in l][0]
        self.assertIn("warning: ", line)
        self.assertIn(path, line)
        self.assertIn("writable by group or others", line)
        self.assertEqual(self.t.messages("bob"), [])

    def test_mbox_in_the_spool(self):
        spool = shared_dir(os.path.join(self.t.dir, "varmail"))
        self.t = ternlib.Instance(main={"home_mailbox": "",
                                        "mail_spool_directory": spool})
        pw = self.t.add_system_user()
        self.t.start()
        for i in range(3):
            self.send("%s@%s" % (pw.pw_name, HOST),
                      b"Subject: n%d\r\n\r\nFrom me\r\nbody\r\n" % i)
        path = os.path.join(spool, pw.pw_name)
        ternlib.wait_for(lambda: os.path.exists(path) and
                         len(read_mbox(path)) == 3,
                         what="three messages in %s" % path)
        st = os.stat(path)
        self.assertEqual(st.st_uid, pw.pw_uid)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(sorted(m["Subject"] for m in read_mbox(path)),
                         ["n0", "n1", "n2"])
        with open(path, "rb") as f:
            self.assertIn(b"\n>From me\n", f.read())

    def test_mbox_in_a_debian_spool(self):
        # Debian's /var/mail: root:mail 2775. The user cannot write
        # there; the delivery runs with group mail, as Debian's tools do,
        # and leaves no dot-lock behind.
        import grp
        spool = os.path.join(self.t.dir, "varmail")
        os.mkdir(spool)
        os.chown(spool, 0, grp.getgrnam("mail").gr_gid)
        os.chmod(spool, 0o2775)
        self.t = ternlib.Instance(main={"home_mailbox": "",
                                        "mail_spool_directory": spool})
        pw = self.t.add_system_user()
        self.t.start()
        # Ten messages at once: several local processes append to the
        # one mbox, under the locks.
        rcpt = "%s@%s" % (pw.pw_name, HOST)
        threads = [threading.Thread(
            target=self.send, args=(rcpt, b"Subject: c%d\r\n\r\nFrom "
                                    b"a body line\r\n%s\r\n"
                                    % (i, b"x" * (i * 5000))))
            for i in range(10)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        path = os.path.join(spool, pw.pw_name)
        ternlib.wait_for(lambda: os.path.exists(path) and
                         len(read_mbox(path)) == 10,
                         what="ten messages in %s" % path)
        self.assertEqual(os.stat(path).st_uid, pw.pw_uid)
        self.assertEqual(sorted(os.listdir(spool)), [pw.pw_name])
        self.assertNotIn("dot-lock", self.t.log())
        msgs = read_mbox(path)
        self.assertEqual(sorted(m["Subject"] for m in msgs),
                         ["c%d" % i for i in range(10)])
        for m in msgs:
            body = m.get_payload()
            self.assertTrue(body.startswith(">From a body line\n"), body)
            n = int(m["Subject"][1:])
            self.assertEqual(body, ">From a body line\n%s\n"
                             % ("x" * n * 5000))
        if shutil.which("mutt"):
            # mutt reads it: its index shows the ten messages.
            home = os.path.join(self.t.dir, "mutthome")
            os.makedirs(os.path.join(home, "Mail"))
            rc = os.path.join(home, ".muttrc")
            with open(rc, "w") as f:
                f.write("set mbox_type=mbox\nset status_format="
                        "\"count=%m\"\n")
            screen = test_imapd.ImapdTest.tty(
                ["mutt", "-n", "-R", "-F", rc, "-f", path],
                dict(os.environ, HOME=home, TERM="vt100"),
                [("count=10", "q")])
            self.assertIn("count=10", screen)


class CheckTest(unittest.TestCase):
    """tern check: aliases, the mbox spool and users' .forward files."""

    def tearDown(self):
        self.t.cleanup()

    def test_bad_aliases_and_spool(self):
        self.t = ternlib.Instance(main={
            "home_mailbox": "",
            "mail_spool_directory": "/nonexistent/spool"})
        with open(os.path.join(self.t.etc, "aliases"), "w") as f:
            f.write("gone: :include:%s/no-such-list\n" % self.t.etc)
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("alias_maps texthash:%s/aliases: key \"gone\": "
                      ":include:%s/no-such-list: no such file: such mail "
                      "is bounced" % (self.t.etc, self.t.etc), r.stderr)
        self.assertIn("mail_spool_directory /nonexistent/spool: No such "
                      "file or directory", r.stderr)
        # A value that does not parse: the file and line.
        with open(os.path.join(self.t.etc, "aliases"), "a") as f:
            f.write('broken: "|unterminated\n')
        r = self.t.tool("tern", "check", check=False)
        self.assertIn("alias_maps: %s/aliases:2: alias \"broken\": "
                      "unterminated quoted string" % self.t.etc, r.stderr)
        with open(os.path.join(self.t.etc, "aliases"), "w") as f:
            f.write("fine: alice@%s\nroot: fine\n" % self.t.domain)
        spool = os.path.join(self.t.dir, "varmail")
        os.mkdir(spool)
        os.chmod(spool, 0o777)
        self.t.tool("ternconf", "-e", "mail_spool_directory=%s" % spool)
        r = self.t.tool("tern", "check", check=False)
        self.assertIn("writable by every user without the sticky bit",
                      r.stderr)
        os.chmod(spool, 0o1777)
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    @NEEDS_ROOT
    def test_unsafe_forward_warned(self):
        self.t = ternlib.Instance()
        pw = self.t.add_system_user()
        path = os.path.join(pw.pw_dir, ".forward")
        with open(path, "w") as f:
            f.write("bob@example.test\n")
        os.chown(path, pw.pw_uid, pw.pw_gid)
        os.chmod(path, 0o622)
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("tern: warning: %s: " % path, r.stderr)
        self.assertIn("local(8) ignores this .forward file and delivers "
                      "%s's mail to the mailbox" % pw.pw_name, r.stderr)


if __name__ == "__main__":
    unittest.main()
