"""The administrator's view: tern check/start/stop/reload/status, errors
that name file and line, one master per queue. Privilege separation is
test_privsep.py."""
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class AdminTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance()

    def tearDown(self):
        self.t.cleanup()

    def append(self, name, text):
        with open(os.path.join(self.t.etc, name), "a") as f:
            f.write(text)

    def test_check_clean(self):
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")

    def test_main_cf_typo_names_file_and_line(self):
        self.append("main.cf", "smtpd_timeout = 30x\n")
        with open(os.path.join(self.t.etc, "main.cf")) as f:
            lines = f.read().count("\n")
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s/main.cf:%d: smtpd_timeout" % (self.t.etc, lines), r.stderr)
        r = self.t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(self.t.port_open())

    def test_unknown_parameter_warns(self):
        self.append("main.cf", "smptd_banner = typo\n")
        r = self.t.tool("tern", "check", check=False)
        self.assertIn("smptd_banner", r.stderr)
        self.assertIn("warning", r.stderr)

    def test_master_cf_typo_refused_nothing_starts(self):
        self.append("master.cf", "broken unix - - n - x local\n")
        with open(os.path.join(self.t.etc, "master.cf")) as f:
            lines = f.read().count("\n")
        r = self.t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("%s/master.cf:%d:" % (self.t.etc, lines), r.stderr)
        time.sleep(0.3)
        self.assertFalse(self.t.port_open())
        self.assertEqual(self.t.pids("master"), [])

    def test_missing_table_is_reported(self):
        self.append("main.cf", "virtual_alias_maps = hash:%s/nonexistent\n" % self.t.etc)
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("virtual_alias_maps", r.stderr)
        self.assertIn("nonexistent", r.stderr)

    def test_check_tls_settings(self):
        """TLS settings that smtpd or smtp would stop at or log are found
        by tern check, named by file (and master.cf line) and parameter."""
        t = self.t
        cert, key = ternlib.make_cert(t.etc, "smtpd")
        with open(os.path.join(t.etc, "master.cf")) as f:
            line = f.read().count("\n") + 1
        self.append("master.cf", "127.0.0.1:%d inet n - n - - smtpd "
                    "-o smtpd_tls_wrappermode=yes\n" % ternlib.free_port())
        self.append("master.cf", "127.0.0.1:%d inet n - n - - pop3d "
                    "-o pop3d_tls_wrappermode=yes\n" % ternlib.free_port())
        self.append("master.cf", "127.0.0.1:%d inet n - n - - imapd "
                    "-o imapd_tls_wrappermode=yes\n" % ternlib.free_port())
        self.append("master.cf", "127.0.0.1:%d inet n - n - - imapd "
                    "-o imapd_tls_security_level=may\n"
                    % ternlib.free_port())
        self.append("main.cf", "smtpd_tls_security_level = sometimes\n")
        r = t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s/main.cf: smtpd_tls_security_level = sometimes: "
                      "unknown security level (none, may or encrypt)"
                      % t.etc, r.stderr)
        self.append("main.cf", "smtpd_tls_security_level = may\n")
        r = t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1)
        # Implicit TLS without a certificate is an error; STARTTLS at
        # may on the other service only a warning.
        self.assertIn("tern: error: %s/master.cf:%d: 127.0.0.1:" % (t.etc, line),
                      r.stderr)
        self.assertIn("TLS is required but smtpd_tls_cert_file is empty",
                      r.stderr)
        # pop3d's too (POP3S), named as its own parameter.
        self.assertIn("tern: error: %s/master.cf:%d: 127.0.0.1:"
                      % (t.etc, line + 1), r.stderr)
        self.assertIn("TLS is required but pop3d_tls_cert_file is empty",
                      r.stderr)
        # imapd's (IMAPS, and STARTTLS at may).
        self.assertIn("tern: error: %s/master.cf:%d: 127.0.0.1:"
                      % (t.etc, line + 2), r.stderr)
        self.assertIn("TLS is required but imapd_tls_cert_file is empty",
                      r.stderr)
        self.assertIn("tern: warning: %s/master.cf:%d: 127.0.0.1:"
                      % (t.etc, line + 3), r.stderr)
        self.assertIn("STARTTLS is not offered: imapd_tls_cert_file is "
                      "empty", r.stderr)
        self.assertIn("tern: warning: ", r.stderr)
        self.assertIn("STARTTLS is not offered: smtpd_tls_cert_file is "
                      "empty", r.stderr)
        # A key that is not the certificate's.
        other_cert, other_key = ternlib.make_cert(t.etc, "other")
        self.append("main.cf", "smtpd_tls_cert_file = %s\n"
                    "smtpd_tls_key_file = %s\n" % (cert, other_key))
        r = t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("tern: error: %s/master.cf:%d: 127.0.0.1:" % (t.etc, line),
                      r.stderr)
        self.assertIn("cannot load private key %s: " % other_key, r.stderr)
        self.append("main.cf", "smtpd_tls_key_file = %s\n" % key)
        r = t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        # The client side, and the tables.
        with open(os.path.join(t.etc, "tls_policy"), "w") as f:
            f.write("example.net encrypt\nexample.org always\n")
        with open(os.path.join(t.etc, "sni"), "w") as f:
            f.write("mail.example.org %s/missing.pem\n" % t.etc)
        self.append("main.cf",
                    "smtp_tls_security_level = dane\n"
                    "smtp_tls_CAfile = %s/missing-ca.pem\n"
                    "smtp_tls_policy_maps = texthash:%s/tls_policy\n"
                    "tls_server_sni_maps = texthash:%s/sni\n"
                    % (t.etc, t.etc, t.etc))
        # What smtp and smtpd live with (mail waits, a name gets the
        # default certificate) is a warning; a level that stops all
        # outbound mail is an error.
        r = t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("tern: error: %s/main.cf: smtp_tls_security_level = "
                      "dane: unknown security level" % t.etc, r.stderr)
        self.assertIn("tern: warning: smtp_tls_CAfile: cannot load CA file "
                      "%s/missing-ca.pem" % t.etc, r.stderr)
        self.assertIn('tern: warning: smtp_tls_policy_maps: '
                      'texthash:%s/tls_policy: example.org: "always": '
                      'unknown security level' % t.etc, r.stderr)
        self.assertNotIn("example.net", r.stderr)
        self.assertIn("tern: warning: tls_server_sni_maps: texthash:%s/sni: "
                      "mail.example.org: cannot load certificate chain "
                      "%s/missing.pem" % (t.etc, t.etc), r.stderr)
        r = t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(t.port_open())
        self.append("main.cf", "smtp_tls_security_level = may\n")
        r = t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_start_status_reload_stop_and_one_master(self):
        self.t.start()
        r = self.t.tool("tern", "status", check=False)
        self.assertEqual(r.returncode, 0)
        self.assertIn("is running", r.stderr)
        # A second master on the same queue is refused.
        r = subprocess.run([os.path.join(ternlib.BIN, "master"), "-c", self.t.etc, "-f"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("already running", r.stderr + self.t.log())
        r = self.t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        # reload: a changed banner is used by new sessions.
        self.append("main.cf", "smtpd_banner = $myhostname ESMTP reloaded\n")
        self.t.tool("tern", "reload")
        self.t.wait_log("reload -- version")

        def banner():
            with socket.create_connection(("127.0.0.1", self.t.port), timeout=10) as c:
                return b"reloaded" in c.makefile("rb").readline()
        ternlib.wait_for(banner, what="new banner after reload")
        with self.t.smtp() as s:
            s.sendmail("a@example.org", ["bob@example.test"], b"Subject: after reload\r\n\r\nx\r\n")
        self.t.wait_messages("bob", 1)
        self.t.tool("tern", "stop")
        self.t.started = False
        self.assertFalse(self.t.port_open())
        r = self.t.tool("tern", "status", check=False)
        self.assertEqual(r.returncode, 1)
        ternlib.wait_for(lambda: self.t.pids("smtpd") == [] and self.t.pids("qmgr") == [],
                         what="children gone after stop")

    def test_shipped_configuration_parses(self):
        """conf/main.cf and conf/master.cf, as packagers install them."""
        r = subprocess.run([os.path.join(ternlib.BIN, "master"), "-t", "-c",
                            os.path.join(ternlib.SOURCE, "conf")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run([os.path.join(ternlib.BIN, "ternconf"), "-c",
                            os.path.join(ternlib.SOURCE, "conf"), "-n"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")

    @unittest.skipUnless(ternlib.IS_ROOT, "needs root to name a missing user")
    def test_check_explains_missing_mail_owner(self):
        self.append("main.cf", "mail_owner = no-such-user-xyz\n")
        r = self.t.tool("tern", "check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no-such-user-xyz", r.stderr)
        self.assertIn("useradd", r.stderr)


if __name__ == "__main__":
    unittest.main()
