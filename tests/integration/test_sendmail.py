"""sendmail(1): local submission through maildrop/ and pickup(8) -t, -f,
-F, -i, recipients as arguments, -bs, a bounce to the submitter, -bp and
mailq with deferred mail, a malformed maildrop file set aside, and
ternpostdrop refusing what is not a maildrop file."""
import email
import email.policy
import json
import os
import grp
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

EX_DATAERR = 65


def parse(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.compat32)


class SendmailTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()
        self.t.start()
        # The submitter: an ordinary user who owns the queue (as in the
        # demo); as root, mail_owner, so that nothing here runs as root.
        self.user = self.t.owner
        self.login = pwd.getpwnam(self.user).pw_name

    def tearDown(self):
        self.t.cleanup()

    def run_tool(self, name, args, data=b"", check=True):
        kw = {}
        if ternlib.IS_ROOT:
            pw = pwd.getpwnam(self.user)
            kw = dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
        opt = "-C" if name == "sendmail" else "-c"
        r = subprocess.run([os.path.join(ternlib.BIN, name), opt, self.t.etc] + args,
                           input=data, capture_output=True, timeout=60,
                           cwd="/", **kw)
        if check and r.returncode != 0:
            self.fail("%s %s: %d %s" % (name, args, r.returncode, r.stderr))
        return r

    def sendmail(self, args, data, check=True):
        return self.run_tool("sendmail", args, data, check)

    def test_t_delivers_with_added_headers(self):
        r = self.sendmail(["-t"], b"To: alice@example.test\n"
                          b"Bcc: bob@example.test\n"
                          b"Subject: from the shell\n\nhello\n")
        self.assertEqual(r.stdout, b"")
        a = parse(self.t.wait_messages("alice", 1)[0])
        b = parse(self.t.wait_messages("bob", 1)[0])
        for m in (a, b):
            self.assertEqual(m["Subject"], "from the shell")
            self.assertIsNone(m["Bcc"])
            self.assertIsNotNone(m["Date"])
            self.assertRegex(m["Message-ID"], r"^<\d{14}\.[0-9A-F]+@mail\.example\.test>$")
            self.assertIn("%s@example.test" % self.login, m["From"])
            self.assertIn("from userid %d" % pwd.getpwnam(self.user).pw_uid,
                          m["Received"])
            self.assertEqual(m.get_payload(), "hello\n")
        self.t.wait_log("uid=%d from=<%s@example.test>"
                        % (pwd.getpwnam(self.user).pw_uid, self.login))
        ternlib.wait_for(lambda: os.listdir(os.path.join(self.t.spool, "maildrop")) == [],
                         what="maildrop/ empty")

    def test_t_resent_fields(self):
        """-t on a message sent on: the Resent- recipient fields name the
        recipients, not To:; Resent-Bcc: is removed like Bcc:."""
        self.sendmail(["-t"], b"From: carol@example.org\n"
                      b"To: nobody-here@example.test\n"
                      b"Subject: passed on\n"
                      b"Resent-From: alice@example.test\n"
                      b"Resent-To: alice@example.test\n"
                      b"Resent-Bcc: bob@example.test\n\nfyi\n")
        a = parse(self.t.wait_messages("alice", 1)[0])
        b = parse(self.t.wait_messages("bob", 1)[0])
        for m in (a, b):
            self.assertEqual(m["Subject"], "passed on")
            self.assertIsNone(m["Resent-Bcc"])
            self.assertEqual(m["Resent-To"], "alice@example.test")
            self.assertEqual(m["To"], "nobody-here@example.test")
        self.t.wait_log("to=<bob@example.test>")
        self.assertNotIn("nobody-here", self.t.log())

    def test_f_F_i_and_arguments(self):
        self.sendmail(["-i", "-f", "bob@example.test", "-F", 'Bob "B" Builder',
                       "--", "alice"],
                      b"Subject: dots\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                      b"\r\none\r\n.\r\ntwo\r\n")
        m = parse(self.t.wait_messages("alice", 1)[0])
        self.assertEqual(m["From"], '"Bob \\"B\\" Builder" <bob@example.test>')
        self.assertEqual(m["Date"], "Mon, 1 Jan 2024 00:00:00 +0000")
        self.assertEqual(m["Return-Path"], "<bob@example.test>")
        self.assertEqual(m.get_payload(), "one\n.\ntwo\n")

    def test_dot_ends_without_i(self):
        self.sendmail(["alice@example.test"],
                      b"From: me@example.test\n\nkept\n.\nlost\n")
        m = parse(self.t.wait_messages("alice", 1)[0])
        self.assertEqual(m["From"], "me@example.test")
        self.assertEqual(m.get_payload(), "kept\n")

    def test_no_recipients(self):
        r = self.sendmail(["-t"], b"Subject: nobody\n\nx\n", check=False)
        self.assertEqual(r.returncode, EX_DATAERR)
        self.assertIn(b"no recipients", r.stderr)
        self.assertEqual(os.listdir(os.path.join(self.t.spool, "maildrop")), [])

    def test_bad_addresses(self):
        for args in (["a b@example.test"], ["-f", "x> SIZE=1", "alice"]):
            r = self.sendmail(args, b"Subject: x\n\nx\n", check=False)
            self.assertEqual(r.returncode, EX_DATAERR, args)
            self.assertIn(b"bad", r.stderr)
        self.assertEqual(os.listdir(os.path.join(self.t.spool, "maildrop")), [])

    def test_bs_dialog(self):
        # ESMTP parameters: BODY (8BITMIME is offered) is taken, those
        # of extensions not offered get 555 (RFC 5321 4.1.1.11).
        dialog = (b"EHLO client\r\n"
                  b"MAIL FROM:<alice@example.test> SIZE=100\r\n"
                  b"MAIL FROM:<alice@example.test> BODY=8BITMIME\r\n"
                  b"RCPT TO:<bob@example.test> NOTIFY=NEVER\r\n"
                  b"RCPT TO:<bob@example.test>\r\nDATA\r\n"
                  b"Subject: smtp on stdin\r\n\r\n..leading dot\r\n.\r\n"
                  b"NOOP\r\nRSET\r\nRCPT TO:<bob@example.test>\r\nFOO\r\nQUIT\r\n")
        r = self.sendmail(["-bs"], dialog)
        lines = r.stdout.decode().split("\r\n")
        codes = [l[:3] for l in lines if l[3:4] == " "]
        self.assertEqual(codes, ["220", "250", "555", "250", "555", "250",
                                 "354", "250", "250", "250", "503", "500",
                                 "221"])
        self.assertIn("555 5.5.4 Unsupported option: SIZE=100", lines)
        self.assertIn("555 5.5.4 Unsupported option: NOTIFY=NEVER", lines)
        m = parse(self.t.wait_messages("bob", 1)[0])
        self.assertEqual(m["Subject"], "smtp on stdin")
        self.assertEqual(m.get_payload(), ".leading dot\n")
        self.assertEqual(m["Return-Path"], "<alice@example.test>")

    def test_bad_recipient_bounces_to_submitter(self):
        self.sendmail(["-f", "alice@example.test", "nobody@example.test"],
                      b"Subject: lost\n\nx\n")
        ternlib.wait_for(lambda: any(parse(p).get_content_type() == "multipart/report"
                                     for p in self.t.messages("alice")),
                         what="bounce for alice")
        self.t.wait_log("status=bounced")

    def test_bp_and_mailq_list_deferred(self):
        self.t.block_mailbox("bob")
        self.sendmail(["-R", "hdrs", "-V", "ENV1", "-N", "failure,delay",
                       "bob@example.test"], b"Subject: later\n\nx\n")
        ternlib.wait_for(lambda: self.t.queue_files("deferred"), what="deferred mail")
        qid = self.t.queue_files("deferred")[0]
        # The DSN requests went through maildrop/ into the queue file.
        shown = self.t.tool("ternqueue", "-p", qid).stdout
        self.assertIn("dsn_ret=HDRS", shown)
        self.assertIn("dsn_envid=ENV1", shown)
        self.assertIn("dsn_notify: FAILURE,DELAY", shown)
        for out in (self.sendmail(["-bp"], b"").stdout.decode(),
                    self.run_tool("mailq", [], b"").stdout.decode()):
            self.assertIn(qid, out)
            self.assertIn("bob@example.test", out)
            self.assertIn("1 Request.", out)
        # -q is "tern flush": the message is tried again at once.
        self.sendmail(["-q"], b"")
        self.t.wait_log("%s: to=<bob@example.test>" % qid)

    def test_virtual_alias_expanded(self):
        # As through smtpd: postmaster@example.test is alice's alias.
        self.sendmail(["postmaster@example.test"], b"Subject: pm\n\nx\n")
        m = parse(self.t.wait_messages("alice", 1)[0])
        self.assertEqual(m["Subject"], "pm")
        self.t.wait_log("to=<alice@example.test>, "
                        "orig_to=<postmaster@example.test>")

    def test_bi_builds_the_aliases(self):
        # -bi is newaliases: alias_database is built (in a directory
        # the submitter may write; /etc/aliases needs root).
        d = os.path.join(self.t.dir, "aliasdir")
        os.mkdir(d)
        pw = pwd.getpwnam(self.user)
        os.chown(d, pw.pw_uid, pw.pw_gid)
        src = os.path.join(d, "aliases")
        with open(src, "w") as f:
            f.write("staff: alice@example.test\n")
        self.t.tool("ternconf", "-e", "alias_database=hash:%s" % src)
        r = self.sendmail(["-bi"], b"", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(src + ".db"))
        r = self.t.tool("ternalias", "-q", "staff", "hash:%s" % src)
        self.assertEqual(r.stdout.strip(), "alice@example.test")

    def test_mailq_lists_maildrop(self):
        """Mail submitted while the mail system is down waits in
        maildrop/: mailq lists it first, under its file name, with its
        sender, recipients and size; once Tern runs again pickup takes it
        and it is delivered."""
        self.t.stop()
        self.sendmail(["-f", "carol@example.test", "alice@example.test",
                       "bob@example.test"], b"Subject: waiting\n\nx\n")
        drop = os.path.join(self.t.spool, "maildrop")
        names = [n for n in os.listdir(drop) if not n.startswith(".")]
        self.assertEqual(len(names), 1, names)
        out = self.run_tool("mailq", []).stdout.decode()
        self.assertRegex(out, r"(?m)^%s\s+\d+ \w{3} \w{3} [ \d]\d "
                         r"\d\d:\d\d:\d\d\s+carol@example.test$"
                         % re.escape(names[0]))
        self.assertIn("\n%41salice@example.test\n%41sbob@example.test\n"
                      % ("", ""), out)
        self.assertIn("in 1 Request.", out)
        j = self.run_tool("mailq", ["-j"]).stdout.decode().splitlines()
        self.assertEqual(len(j), 1, j)
        obj = json.loads(j[0])
        self.assertEqual(obj["queue_name"], "maildrop")
        self.assertEqual(obj["queue_id"], names[0])
        self.assertEqual(obj["sender"], "carol@example.test")
        self.assertEqual([r["address"] for r in obj["recipients"]],
                         ["alice@example.test", "bob@example.test"])
        self.t.start()
        self.t.wait_messages("alice", 1)
        self.t.wait_messages("bob", 1)
        ternlib.wait_for(lambda: "Mail queue is empty" in
                         self.run_tool("mailq", []).stdout.decode(),
                         what="an empty queue")

    def test_corrupt_maildrop_file_set_aside(self):
        drop = os.path.join(self.t.spool, "maildrop")
        name = "17f0000000000.1.0"
        with open(os.path.join(drop, name), "wb") as f:
            f.write(b"V\x11tern-maildrop 1.0S\x01aR\x00E\x00")
        if ternlib.IS_ROOT:
            pw = pwd.getpwnam(self.user)
            os.chown(os.path.join(drop, name), pw.pw_uid, pw.pw_gid)
        with open(os.path.join(drop, "..junk"), "wb") as f:
            f.write(b"junk")
        # Well-formed records, but a recipient that is no address.
        bad = "17f0000000001.1.0"
        with open(os.path.join(drop, bad), "wb") as f:
            f.write(b"V\x11tern-maildrop 1.0S\x01aR\x05a b@cE\x00")
        # The next submission pokes pickup; both old files go aside, and
        # the new message is delivered all the same.
        self.sendmail(["alice@example.test"], b"Subject: after\n\nx\n")
        self.t.wait_messages("alice", 1)
        self.t.wait_log("maildrop/%s: uid=" % name)
        self.t.wait_log("moved to corrupt/")
        self.t.wait_log("maildrop/%s: uid=%d: malformed: bad recipient address"
                        % (bad, os.getuid()))
        for n in (name, bad, "..junk"):
            self.assertIn(n, os.listdir(os.path.join(self.t.spool, "corrupt")))
        self.assertNotIn(name, os.listdir(drop))
        self.assertEqual(len(self.t.pids("pickup")), 1)

    def test_postdrop_refuses_junk(self):
        r = self.run_tool("ternpostdrop", [], b"not a maildrop file", check=False)
        self.assertEqual(r.returncode, EX_DATAERR)
        self.assertIn(b"malformed", r.stderr)
        self.assertEqual(os.listdir(os.path.join(self.t.spool, "maildrop")), [])


@unittest.skipUnless(ternlib.IS_ROOT, "needs root to make a set-group-id program")
@unittest.skipIf(ternlib.SANITIZE, "a sanitizer build cannot run set-group-id "
                 "(LeakSanitizer)")
class PostdropTest(unittest.TestCase):
    """A user who may not write maildrop/ submits through a set-group-id
    ternpostdrop (setgid_group "mail" here, a copy in command_directory)."""

    def setUp(self):
        self.bindir = tempfile.mkdtemp(prefix="tern-it-bin-")
        os.chmod(self.bindir, 0o755)
        for n in os.listdir(ternlib.BIN):
            if n != "ternpostdrop":
                os.symlink(os.path.join(ternlib.BIN, n), os.path.join(self.bindir, n))
        pd = os.path.join(self.bindir, "ternpostdrop")
        shutil.copy(os.path.join(ternlib.BIN, "ternpostdrop"), pd)
        os.chown(pd, 0, grp.getgrnam("mail").gr_gid)
        os.chmod(pd, 0o2755)
        self.t = ternlib.Instance(main={"command_directory": self.bindir,
                                        "setgid_group": "mail"})
        self.t.start()

    def tearDown(self):
        self.t.cleanup()
        shutil.rmtree(self.bindir, ignore_errors=True)

    def test_ordinary_user_through_postdrop(self):
        nobody = pwd.getpwnam("nobody")
        drop = os.path.join(self.t.spool, "maildrop")
        self.assertEqual(os.stat(drop).st_gid, grp.getgrnam("mail").gr_gid)
        r = subprocess.run([os.path.join(self.bindir, "sendmail"), "-C", self.t.etc,
                            "-v", "-t"],
                           input=b"To: alice@example.test\nSubject: nobody's\n\nhi\n",
                           capture_output=True, timeout=60, cwd="/",
                           user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"using ternpostdrop", r.stderr)
        m = parse(self.t.wait_messages("alice", 1)[0])
        self.assertEqual(m["Subject"], "nobody's")
        self.assertIn("nobody@example.test", m["From"])
        self.assertIn("from userid %d" % nobody.pw_uid, m["Received"])
        self.t.wait_log("uid=%d from=<nobody@example.test>" % nobody.pw_uid)

    def test_ordinary_user_mailq(self):
        """mailq for a user who may not read the queue: showq lists it,
        reached through the set-group-id ternpostdrop."""
        nobody = pwd.getpwnam("nobody")

        def mailq(*args):
            return subprocess.run(
                [os.path.join(self.bindir, "sendmail"), "-C", self.t.etc,
                 "-bp"] + list(args), capture_output=True, timeout=60,
                cwd="/", user=nobody.pw_uid, group=nobody.pw_gid,
                extra_groups=[])
        r = mailq()
        self.assertEqual((r.returncode, r.stdout), (0, b"Mail queue is empty\n"),
                         r.stderr)
        self.t.block_mailbox("alice")
        with self.t.smtp() as c:
            c.sendmail("someone@example.org", ["alice@example.test"],
                       b"Subject: waits\r\n\r\nx\r\n")
        self.t.wait_log("status=deferred")
        r = mailq()
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("someone@example.org", out)
        self.assertIn("alice@example.test", out)
        self.assertIn("-- 1 Kbytes in 1 Request.", out)


if __name__ == "__main__":
    unittest.main()
