"""scripts/demo is safe to run again: an existing instance's etc/ is kept,
unknown actions are refused, status reports, stop on a missing instance
creates nothing; run as root from a directory the mail users cannot reach
(a clone in /root), it still delivers. Uses the built programs
(TERN_DEMO_BIN) and a free port range (TERN_DEMO_PORT_BASE)."""
import imaplib
import os
import poplib
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

DEMO = os.path.join(ternlib.SOURCE, "scripts", "demo")
# The demo's ports: TERN_DEMO_PORT_BASE plus the standard port's last
# two digits (SMTP, SMTPS, submission, POP3, POP3S, IMAP, IMAPS).
DEMO_OFFSETS = (25, 65, 87, 10, 95, 43, 93)


class DemoTest(unittest.TestCase):
    def setUp(self):
        self.top = tempfile.mkdtemp(prefix="tern-demo-")
        os.chmod(self.top, 0o755)
        self.env = dict(os.environ,
                        TERN_DEMO_BIN=os.path.abspath(ternlib.BIN),
                        TERN_DEMO_PORT_BASE=str(ternlib.free_port_base(
                            DEMO_OFFSETS)),
                        TERN_DEMO_PASSWORD="demo pw 7")
        self.started = []

    def tearDown(self):
        for d in self.started:
            self.demo("stop", d)
            real = os.path.realpath(d)
            if real != d and real.startswith("/var/lib/tern-demo/"):
                shutil.rmtree(real, ignore_errors=True)
        shutil.rmtree(self.top, ignore_errors=True)

    def demo(self, *args, cwd=None):
        return subprocess.run(["sh", DEMO] + list(args), cwd=cwd or self.top,
                              env=self.env, capture_output=True, text=True,
                              timeout=120 * ternlib.SLOW)

    def start(self, *args, cwd=None):
        r = self.demo(*args, cwd=cwd)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("It works.", r.stdout)
        return r

    def test_run_again_status_stop(self):
        inst = os.path.join(self.top, "inst")
        self.started.append(inst)
        r = self.start(inst)
        # The demo message came over STARTTLS with the demo's own
        # certificate; submissions (base + 65) speaks TLS at once.
        self.assertIn("with ESMTPS id", r.stdout)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        base = int(self.env["TERN_DEMO_PORT_BASE"])
        s = smtplib.SMTP_SSL("127.0.0.1", base + 65, context=ctx,
                             timeout=30 * ternlib.SLOW)
        self.assertEqual(s.ehlo()[0], 250)
        self.assertEqual(s.sock.version(), "TLSv1.3")
        s.quit()
        # Submission (base + 87): STARTTLS, then AUTH with the demo
        # password; mail before AUTH is refused.
        self.assertIn("now: demo pw 7", r.stdout)
        s = smtplib.SMTP("127.0.0.1", base + 87, timeout=30 * ternlib.SLOW)
        s.starttls(context=ctx)
        s.ehlo("client.example.org")
        self.assertEqual(s.docmd("MAIL", "FROM:<alice@example.test>")[0],
                         530)
        s.login("alice", "demo pw 7")
        s.sendmail("alice@example.test", ["bob@example.test"],
                   b"Subject: submitted\r\n\r\nvia 587\r\n")
        s.quit()
        bob = os.path.join(inst, "mail", "example.test", "bob", "new")
        ternlib.wait_for(lambda: os.path.isdir(bob) and os.listdir(bob),
                         what="the submitted message")
        self.assertEqual(os.stat(os.path.join(inst, "etc", "tls",
                                              "key.pem")).st_mode & 0o777,
                         0o600)
        # POP3 with STLS (base + 10) and POP3S (base + 95) for bob.
        p = poplib.POP3("127.0.0.1", base + 10, timeout=30 * ternlib.SLOW)
        p.stls(context=ctx)
        p.user("bob")
        p.pass_("demo pw 7")
        self.assertEqual(p.stat()[0], 1)
        self.assertIn(b"via 587", b"\n".join(p.retr(1)[1]))
        p.quit()
        p = poplib.POP3_SSL("127.0.0.1", base + 95, context=ctx,
                            timeout=30 * ternlib.SLOW)
        p.user("bob")
        p.pass_("demo pw 7")
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        self.assertIn("curl -k pop3s://127.0.0.1:%d/1 -u bob:PASSWORD"
                      % (base + 95), r.stdout)
        # IMAP with STARTTLS (base + 43) and IMAPS (base + 93) for bob.
        m = imaplib.IMAP4("127.0.0.1", base + 43, timeout=30 * ternlib.SLOW)
        m.starttls(ssl_context=ctx)
        self.assertEqual(m.login("bob", "demo pw 7")[0], "OK")
        m.logout()
        m = imaplib.IMAP4_SSL("127.0.0.1", base + 93, ssl_context=ctx,
                              timeout=30 * ternlib.SLOW)
        self.assertEqual(m.login("bob", "demo pw 7")[0], "OK")
        m.logout()
        self.assertIn("curl -k imaps://127.0.0.1:%d/INBOX -u bob:PASSWORD"
                      % (base + 93), r.stdout)
        main_cf = os.path.join(inst, "etc", "main.cf")
        with open(main_cf, "a") as f:
            f.write("# the administrator's own line\n")
        with open(main_cf) as f:
            before = f.read()
        r = self.start("start", inst)
        self.assertIn("already running", r.stdout)
        self.assertIn("using the existing configuration", r.stdout)
        with open(main_cf) as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(len(os.listdir(os.path.join(
            inst, "mail", "example.test", "alice", "new"))), 2)
        r = self.demo("status", inst)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("running in %s" % inst, r.stdout)
        r = self.demo("stop", inst)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.demo("status", inst)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not running", r.stdout)
        # Stopped, run again: the kept configuration starts as it is.
        self.start(inst)
        with open(main_cf) as f:
            self.assertEqual(f.read(), before)

    def test_refusals_create_nothing(self):
        for args in (("status",), ("stop",), ("status", "missing"),
                     ("stop", "missing"), ("frobnicate",),
                     ("start", "a", "b")):
            r = self.demo(*args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertEqual(os.listdir(self.top), [], args)
        r = self.demo("frobnicate")
        self.assertIn("unknown action 'frobnicate'", r.stderr)
        r = self.demo("status")
        self.assertIn("no instance in ./demo-instance", r.stderr)

    @unittest.skipUnless(ternlib.IS_ROOT, "needs root")
    def test_root_in_private_home(self):
        # Like a clone in /root: a directory only root can enter.
        home = os.path.join(self.top, "root-home")
        os.mkdir(home, 0o700)
        inst = os.path.join(home, "demo-instance")
        self.started.append(inst)
        self.start(cwd=home)
        self.assertTrue(os.path.islink(inst))
        real = os.path.realpath(inst)
        self.assertTrue(real.startswith("/var/lib/tern-demo/"), real)
        r = self.demo("status", cwd=home)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
