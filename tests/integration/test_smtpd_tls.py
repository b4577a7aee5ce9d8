# SPDX-License-Identifier: MIT
"""TLS in smtpd: STARTTLS (RFC 3207) on the SMTP port and implicit TLS
(smtpd_tls_wrappermode, RFC 8314) on a second one. What a client sees:
STARTTLS in EHLO only before TLS; TLS 1.3 negotiated by openssl s_client;
TLS 1.1 refused; commands pipelined behind STARTTLS never answered
inside TLS; the EHLO state forgotten after the handshake; the Received:
header naming the protocol and cipher; the certificate that
tls_server_sni_maps names for the client's server name; a session that
resumes in another smtpd process (shared ticket keys), and none with
smtpd_tls_session_cache_timeout = 0; smtpd_tls_security_level =
encrypt refusing MAIL before STARTTLS with 530 5.7.0; a certificate that
cannot be loaded logged, with TLS then not offered (454)."""
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

MSG = b"From: a@example.org\r\nSubject: tls\r\n\r\nover TLS\r\n"


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class SmtpdTlsTest(unittest.TestCase):
    def setUp(self):
        self.t = None

    def tearDown(self):
        if self.t is not None:
            self.t.cleanup()

    def start(self, wrapper=False, certs=True, **main):
        self.t = t = ternlib.Instance(main=main)
        if certs:
            ec = ternlib.make_cert(t.etc, "ec")
            rsa = ternlib.make_cert(t.etc, "rsa", kind="rsa")
            t_main = {"smtpd_tls_cert_file": "%s, %s" % (ec[0], rsa[0]),
                      "smtpd_tls_key_file": "%s, %s" % (ec[1], rsa[1])}
            t_main.update(main)
            main = t_main
        main.setdefault("smtpd_tls_security_level", "may")
        # Rewrite main.cf with the TLS settings (the instance was made
        # first so that the certificates could go into its etc/).
        with open(os.path.join(t.etc, "main.cf"), "a") as f:
            for k, v in main.items():
                f.write("%s = %s\n" % (k, v))
        if wrapper:
            self.wport = ternlib.free_port()
            with open(os.path.join(t.etc, "master.cf"), "a") as f:
                f.write("127.0.0.1:%d inet n - n - 5 smtpd "
                        "-o smtpd_tls_wrappermode=yes\n" % self.wport)
        t.start()
        return t

    def received(self, path):
        with open(path, "rb") as f:
            head = f.read().split(b"\n\n", 1)[0].decode()
        return head

    def test_starttls_delivers_and_records_cipher(self):
        t = self.start()
        s = t.smtp()
        s.ehlo("client.example.org")
        self.assertTrue(s.has_extn("starttls"))
        code, text = s.starttls(context=client_context())
        self.assertEqual((code, text), (220, b"2.0.0 Ready to start TLS"))
        self.assertEqual(s.sock.version(), "TLSv1.3")
        s.ehlo("client.example.org")
        self.assertFalse(s.has_extn("starttls"))
        # A second STARTTLS inside TLS is refused.
        self.assertEqual(s.docmd("STARTTLS")[0], 554)
        s.sendmail("a@example.org", ["alice@%s" % t.domain], MSG)
        s.quit()
        [m] = t.wait_messages("alice", 1)
        head = self.received(m)
        self.assertRegex(
            head, r"Received: from client\.example\.org \(localhost "
            r"\[127\.0\.0\.1\]\)\n\t\(using TLSv1\.3 with cipher "
            r"TLS_[A-Z0-9_]+ \(\d+/\d+ bits\)\)\n"
            r"\t\(No client certificate requested\)\n"
            r"\tby mail\.example\.test \(Tern\) with ESMTPS id ")
        log = t.wait_log("Anonymous TLS connection established from "
                         "localhost[127.0.0.1]: TLSv1.3 with cipher ")
        self.assertRegex(t.log(), r"disconnect from localhost\[127\.0\.0\.1\]"
                         r" ehlo=2 starttls=1/2 mail=1 rcpt=1 data=1 "
                         r"quit=1 commands=7/8")
        self.assertTrue(log)

    def test_ehlo_forgotten_after_starttls(self):
        t = self.start()
        s = t.smtp()
        s.ehlo("client.example.org")
        s.starttls(context=client_context())
        # RFC 3207 4.2: the client must say EHLO again.
        code, _ = s.docmd("MAIL", "FROM:<a@example.org> BODY=8BITMIME")
        self.assertEqual(code, 555)
        s.close()

    def test_openssl_s_client_tls13_and_tls11_refused(self):
        t = self.start()
        r = subprocess.run(
            ["openssl", "s_client", "-starttls", "smtp", "-connect",
             "127.0.0.1:%d" % t.port, "-tls1_3", "-ign_eof"],
            input="QUIT\r\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"New, TLSv1\.3, Cipher is TLS_")
        self.assertIn("221 2.0.0 Bye", r.stdout)
        # A client that offers TLS 1.1 at most: the server refuses it
        # (the client is told it may use old ciphers, so the refusal is
        # the server's own).
        r = subprocess.run(
            ["openssl", "s_client", "-starttls", "smtp", "-connect",
             "127.0.0.1:%d" % t.port, "-tls1_1", "-cipher",
             "DEFAULT@SECLEVEL=0"],
            input="QUIT\r\n", capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn("221 2.0.0 Bye", r.stdout)
        t.wait_log("SSL_accept error from localhost[127.0.0.1]: ")
        self.assertRegex(t.log(), r"SSL_accept error from localhost"
                         r"\[127\.0\.0\.1\]: .*(unsupported protocol|"
                         r"version)")

    def starttls_session(self, port, name=None, session=None):
        """One STARTTLS handshake (SNI name, resuming session): the
        server's certificate (DER), the session, and whether it was
        resumed."""
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        f = raw.makefile("rb")
        self.assertTrue(f.readline().startswith(b"220 "))
        raw.sendall(b"EHLO client.example.org\r\n")
        while not f.readline().startswith(b"250 "):
            pass
        raw.sendall(b"STARTTLS\r\n")
        self.assertTrue(f.readline().startswith(b"220 "))
        # One client context: a session resumes only within it.
        if not hasattr(self, "tls_ctx"):
            self.tls_ctx = client_context()
        s = self.tls_ctx.wrap_socket(raw, server_hostname=name,
                                     session=session)
        f = s.makefile("rb")
        # TLS 1.3 tickets come after the handshake: read a reply first.
        s.sendall(b"NOOP\r\n")
        self.assertTrue(f.readline().startswith(b"250 "))
        result = (s.getpeercert(binary_form=True), s.session,
                  s.session_reused)
        s.sendall(b"QUIT\r\n")
        f.readline()
        s.close()
        return result

    def test_sni_and_resumption_across_processes(self):
        # The SNI table and its certificate (key and chain in one file),
        # made before the instance starts.
        extra = tempfile.mkdtemp(prefix="tern-sni.")
        self.addCleanup(shutil.rmtree, extra)
        cert, key = ternlib.make_cert(extra, "other",
                                      cn="other.example.test")
        both = os.path.join(extra, "other-all.pem")
        with open(both, "w") as out:
            for part in (key, cert):
                with open(part) as f:
                    out.write(f.read())
        os.chmod(both, 0o600)
        with open(os.path.join(extra, "sni"), "w") as f:
            f.write("other.example.test %s\n.sub.example.test %s\n"
                    "broken.example.test %s/missing.pem\n"
                    % (both, both, extra))
        # max_use 1: every connection is served by a new smtpd.
        t = self.start(max_use="1",
                       tls_server_sni_maps="texthash:%s/sni" % extra)
        with open(cert) as f:
            other = ssl.PEM_cert_to_DER_cert(f.read())
        got, _, _ = self.starttls_session(t.port, "other.example.test")
        self.assertEqual(got, other)
        got, _, _ = self.starttls_session(t.port, "Mx.Sub.Example.Test")
        self.assertEqual(got, other)
        got, _, _ = self.starttls_session(t.port, "mail.example.test")
        self.assertNotEqual(got, other)
        # An entry that cannot be loaded: a warning, the default.
        got, _, _ = self.starttls_session(t.port, "broken.example.test")
        self.assertNotEqual(got, other)
        self.assertRegex(t.log(), r"warning: tls_server_sni_maps: "
                         r"texthash:\S+/sni: broken\.example\.test: "
                         r"cannot load certificate chain \S+/missing\.pem")
        default, session, reused = self.starttls_session(t.port)
        self.assertNotEqual(default, other)
        self.assertFalse(reused)
        # The ticket from that process resumes in the next one.
        _, _, reused = self.starttls_session(t.port, session=session)
        self.assertTrue(reused)
        # (The instance's start connects once as well.)
        pids = re.findall(r"smtpd\[(\d+)\]: connect from", t.log())
        self.assertGreaterEqual(len(pids), 6)
        self.assertEqual(len(set(pids)), len(pids), pids)
        keys = os.path.join(t.spool, "tls", "ticket_keys")
        self.assertEqual(os.stat(keys).st_mode & 0o777, 0o600)

    def test_no_resumption_when_timeout_is_zero(self):
        t = self.start(smtpd_tls_session_cache_timeout="0")
        _, session, _ = self.starttls_session(t.port)
        _, _, reused = self.starttls_session(t.port, session=session)
        self.assertFalse(reused)

    def test_pipelined_after_starttls_is_discarded(self):
        t = self.start()
        raw = socket.create_connection((t.host, t.port),
                                       timeout=30 * ternlib.SLOW)
        f = raw.makefile("rb")
        self.assertTrue(f.readline().startswith(b"220 "))
        raw.sendall(b"EHLO client.example.org\r\n")
        while True:
            line = f.readline()
            if line.startswith(b"250 "):
                break
        # One packet: the RSET must never be answered inside TLS.
        raw.sendall(b"STARTTLS\r\nRSET\r\n")
        self.assertEqual(f.readline(), b"220 2.0.0 Ready to start TLS\r\n")
        tls = client_context().wrap_socket(raw)
        tf = tls.makefile("rb")
        tls.sendall(b"QUIT\r\n")
        lines = tf.read().split(b"\r\n")
        self.assertEqual(lines[0], b"221 2.0.0 Bye")
        self.assertEqual([l for l in lines[1:] if l], [])
        tls.close()
        t.wait_log("bytes pipelined after STARTTLS discarded")
        self.assertNotRegex(t.log(), r"disconnect from .* rset=")

    def test_wrapper_mode(self):
        t = self.start(wrapper=True)
        s = smtplib.SMTP_SSL(t.host, self.wport, timeout=30 * ternlib.SLOW,
                             context=client_context())
        s.ehlo("client.example.org")
        self.assertFalse(s.has_extn("starttls"))
        self.assertEqual(s.sock.version(), "TLSv1.3")
        s.sendmail("a@example.org", ["bob@%s" % t.domain], MSG)
        s.quit()
        [m] = t.wait_messages("bob", 1)
        self.assertIn("with ESMTPS id", self.received(m))
        # A plain-text client on the wrapper port gets no greeting.
        raw = socket.create_connection((t.host, self.wport),
                                       timeout=30 * ternlib.SLOW)
        raw.sendall(b"EHLO client.example.org\r\n")
        try:
            got = raw.makefile("rb").read()
        except ConnectionResetError:
            got = b""
        raw.close()
        # Nothing but a TLS alert, if anything: no SMTP reply.
        self.assertNotIn(b"220", got)
        self.assertNotIn(b"250", got)
        t.wait_log("SSL_accept error from localhost[127.0.0.1]: ")

    def test_encrypt_level_requires_starttls(self):
        t = self.start(smtpd_tls_security_level="encrypt")
        s = t.smtp()
        s.ehlo("client.example.org")
        self.assertTrue(s.has_extn("starttls"))
        self.assertEqual(s.docmd("MAIL", "FROM:<a@example.org>"),
                         (530, b"5.7.0 Must issue a STARTTLS command first"))
        self.assertEqual(s.docmd("NOOP")[0], 250)
        s.starttls(context=client_context())
        s.ehlo("client.example.org")
        s.sendmail("a@example.org", ["alice@%s" % t.domain], MSG)
        s.quit()
        t.wait_messages("alice", 1)

    def test_none_and_missing_certificate(self):
        t = self.start(smtpd_tls_security_level="none")
        s = t.smtp()
        s.ehlo("client.example.org")
        self.assertFalse(s.has_extn("starttls"))
        self.assertEqual(s.docmd("STARTTLS")[0], 502)
        s.quit()
        t.cleanup()
        self.t = None
        t = self.start(certs=False,
                       smtpd_tls_cert_file="/nonexistent/cert.pem")
        s = t.smtp()
        s.ehlo("client.example.org")
        self.assertFalse(s.has_extn("starttls"))
        self.assertEqual(s.docmd("STARTTLS"),
                         (454, b"4.7.0 TLS not available due to local "
                               b"problem"))
        s.quit()
        log = t.wait_log("TLS is not available: cannot load certificate "
                         "chain /nonexistent/cert.pem")
        self.assertTrue(log)

    def test_bad_level_is_a_configuration_error(self):
        t = ternlib.Instance(main={"smtpd_tls_security_level": "always",
                                   "max_use": "1"})
        self.t = t
        t.allow_crashes = True
        # tern start refuses it, naming the file and parameter.
        r = t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("%s/main.cf: smtpd_tls_security_level = always: "
                      "unknown security level (none, may or encrypt)"
                      % t.etc, r.stderr)
        # Set after the start, the next smtpd (max_use 1: a new process
        # for each client) stops at once with the reason: the client
        # gets no greeting.
        with open(os.path.join(t.etc, "main.cf"), "a") as f:
            f.write("smtpd_tls_security_level = none\n")
        t.start()
        with open(os.path.join(t.etc, "main.cf"), "a") as f:
            f.write("smtpd_tls_security_level = always\n")
        s = socket.create_connection((t.host, t.port), timeout=30)
        try:
            got = s.recv(100)
        except OSError:
            got = b""
        s.close()
        self.assertEqual(got, b"")
        t.wait_log("smtpd_tls_security_level: unknown security level")
        self.assertRegex(t.log(), r"main\.cf: smtpd_tls_security_level: "
                         r"unknown security level \"always\"")


if __name__ == "__main__":
    unittest.main()
