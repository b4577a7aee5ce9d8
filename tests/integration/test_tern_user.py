#!/usr/bin/python3
"""tern user add|passwd|del|list: the passwd-file user table of auth
(auth_user_file), edited under a lock, other lines kept byte for byte."""
import fcntl
import os
import pty
import re
import select
import stat
import subprocess
import sys
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
except ImportError:
    crypt = None

SHA512 = re.compile(r"^\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$")


class TernUserTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()
        self.users = os.path.join(self.t.etc, "users")

    def tearDown(self):
        self.t.cleanup()

    def user(self, *args, password=None):
        return self.t.tool("tern", "user", *args, check=False,
                           input=password if password is not None else "")

    def read(self):
        with open(self.users) as f:
            return f.read()

    def entry(self, name):
        for line in self.read().splitlines():
            if line.split(":", 1)[0] == name:
                return line
        return None

    def check_sha512(self, name, password):
        fields = self.entry(name).split(":")
        self.assertEqual(fields[0], name)
        self.assertRegex(fields[1], SHA512)
        self.assertEqual(fields[2:], [""] * 6)
        if crypt is not None:
            stored = fields[1][len("{SHA512-CRYPT}"):]
            self.assertEqual(crypt.crypt(password, stored), stored)
        return fields[1]

    def test_add_passwd_del_list(self):
        r = self.user("add", "alice", password="first secret\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        st = os.stat(self.users)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o640)
        old = self.check_sha512("alice", "first secret")
        # No newline at the end of stdin is fine too.
        r = self.user("add", "Bob.Smith@example.org", password="pw2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_sha512("Bob.Smith@example.org", "pw2")

        # Comments, blank lines, odd lines and extra fields are kept.
        with open(self.users, "a") as f:
            f.write("# a comment: keep\n\n"
                    "carol:{PLAIN}c:1000:1000:Carol:/home/carol::"
                    "userdb_mail=maildir:~/Maildir\n")
        r = self.user("passwd", "carol", "-s", "PLAIN", password="new:ish\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("':'", r.stderr)
        r = self.user("passwd", "carol", "-s", "PLAIN", password="newpw\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.entry("carol"),
                         "carol:{PLAIN}newpw:1000:1000:Carol:/home/carol::"
                         "userdb_mail=maildir:~/Maildir")
        before = self.read()
        r = self.user("passwd", "alice", password="second\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        new = self.check_sha512("alice", "second")
        self.assertNotEqual(new, old)
        self.assertEqual(self.read().replace(new, old), before)

        # Mode and content of an existing table survive an edit.
        os.chmod(self.users, 0o600)
        r = self.user("add", "dave", "-s", "PLAIN", password="d\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(self.users).st_mode), 0o600)
        self.assertEqual(self.entry("dave"), "dave:{PLAIN}d::::::")

        r = self.user("list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(),
                         ["alice", "Bob.Smith@example.org", "carol", "dave"])
        self.assertNotIn("{", r.stdout)

        r = self.user("del", "Bob.Smith@example.org")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIsNone(self.entry("Bob.Smith@example.org"))
        self.assertIn("# a comment: keep\n\ncarol:", self.read())
        r = self.user("list")
        self.assertEqual(r.stdout, "alice\ncarol\ndave\n")
        # No temporary file is left beside the table.
        self.assertEqual(sorted(n for n in os.listdir(self.t.etc)
                                if n.startswith("users")),
                         ["users", "users.lock"])

    def test_refusals(self):
        r = self.user("add", "alice", password="pw\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        before = self.read()
        cases = [
            (("add", "alice"), "pw\n", "already exists"),
            (("passwd", "nobody"), "pw\n", "no such user"),
            (("del", "nobody"), None, "no such user"),
            (("add", "erin"), "\n", "empty password"),
            (("add", "erin"), "", "no password"),
            (("add", "a:b"), "pw\n", "bad user name"),
            (("add", "a b"), "pw\n", "bad user name"),
            (("add", "#x"), "pw\n", "bad user name"),
            (("add", "x" * 256), "pw\n", "bad user name"),
            (("add", "erin", "-s", "NOSUCH"), "pw\n", "NOSUCH"),
        ]
        for args, pw, text in cases:
            r = self.user(*args, password=pw)
            self.assertEqual(r.returncode, 1, (args, r.stderr))
            self.assertIn(text, r.stderr, args)
            self.assertEqual(self.read(), before, args)
        for args in (("frob", "x"), ("del",), ("del", "a", "b"),
                     ("list", "x"), ("del", "alice", "-s", "PLAIN")):
            r = self.user(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage:", r.stderr)
        self.assertEqual(self.read(), before)

    def test_list_without_table(self):
        r = self.user("list")
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
        self.assertFalse(os.path.exists(self.users))

    def test_auth_user_file_setting(self):
        other = os.path.join(self.t.etc, "other-users")
        with open(os.path.join(self.t.etc, "main.cf"), "a") as f:
            f.write("auth_user_file = %s\n" % other)
        r = self.user("add", "frank", "-s", "PLAIN", password="f\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(other) as f:
            self.assertEqual(f.read(), "frank:{PLAIN}f::::::\n")
        self.assertFalse(os.path.exists(self.users))

    def test_terminal_prompt(self):
        """On a terminal: asked twice with echo off; a mismatch is refused."""
        def run(answers):
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(os.path.join(ternlib.BIN, "tern"),
                         ["tern", "-c", self.t.etc, "user", "add", "tty",
                          "-s", "PLAIN"])
            out = b""
            deadline = time.monotonic() + 30

            def more():
                if not select.select([fd], [], [],
                                     deadline - time.monotonic())[0]:
                    raise AssertionError("no prompt: %r" % out)
                return os.read(fd, 1024)

            for a in answers:
                while not out.endswith(b"password: "):
                    out += more()
                os.write(fd, a + b"\n")
                out += b"<typed>"
            try:
                while True:
                    d = more()
                    if not d:
                        break
                    out += d
            except OSError:
                pass
            os.close(fd)
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status), out.decode()

        code, out = run([b"s3cret", b"s3cre7"])
        self.assertEqual(code, 1, out)
        self.assertIn("do not match", out)
        self.assertNotIn("s3cre", out)
        self.assertFalse(os.path.exists(self.users))
        code, out = run([b"s3cret", b"s3cret"])
        self.assertEqual(code, 0, out)
        self.assertIn("Retype new password: ", out)
        self.assertNotIn("s3cret", out)
        self.assertEqual(self.read(), "tty:{PLAIN}s3cret::::::\n")

    def test_lock(self):
        """An edit waits for the lock; parallel edits all land."""
        self.assertEqual(self.user("add", "first", "-s", "PLAIN",
                                   password="x\n").returncode, 0)
        with open(self.users + ".lock", "r+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            p = subprocess.Popen(
                [os.path.join(ternlib.BIN, "tern"), "-c", self.t.etc, "user",
                 "add", "waiter", "-s", "PLAIN"], stdin=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
            p.stdin.write("w\n")
            p.stdin.close()
            time.sleep(0.5)
            self.assertIsNone(p.poll())
            self.assertIsNone(self.entry("waiter"))
        self.assertEqual(p.wait(timeout=30), 0, p.stderr.read())
        p.stderr.close()
        self.assertEqual(self.entry("waiter"), "waiter:{PLAIN}w::::::")
        procs = []
        for i in range(8):
            q = subprocess.Popen(
                [os.path.join(ternlib.BIN, "tern"), "-c", self.t.etc, "user",
                 "add", "u%d" % i, "-s", "PLAIN"], stdin=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True)
            q.stdin.write("p%d\n" % i)
            q.stdin.close()
            procs.append(q)
        self.assertEqual([q.wait(timeout=60) for q in procs], [0] * 8)
        names = self.user("list").stdout.split()
        self.assertEqual(sorted(names),
                         sorted(["first", "waiter"] +
                                ["u%d" % i for i in range(8)]))

    def test_check_warns_about_mode(self):
        self.assertEqual(self.user("add", "h", "-s", "PLAIN",
                                 password="h\n").returncode, 0)
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(self.users, r.stderr)
        os.chmod(self.users, 0o644)
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warning: %s: mode 0644 lets other users read it"
                      % self.users, r.stderr)

    def test_symlinked_table(self):
        real = os.path.join(self.t.etc, "real-users")
        with open(real, "w") as f:
            f.write("# shared with dovecot\n")
        os.symlink("real-users", self.users)
        r = self.user("add", "gina", "-s", "PLAIN", password="g\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(self.users))
        with open(real) as f:
            self.assertEqual(f.read(),
                             "# shared with dovecot\ngina:{PLAIN}g::::::\n")


if __name__ == "__main__":
    unittest.main()
