# SPDX-License-Identifier: MIT
"""TLS in the SMTP client: one instance relays to another (relayhost)
whose smtpd offers STARTTLS with a self-signed certificate.
smtp_tls_security_level = may (the default) uses TLS when offered and
logs it as Postfix does ("Untrusted TLS connection established to
..."); encrypt defers mail to a server without STARTTLS (4.7.4);
smtp_tls_policy_maps gives a destination its own level, verify with
smtp_tls_CAfile and match= succeeds for the right name and defers for a
wrong one; none sends in clear."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

MSG = b"From: a@a.example\r\nSubject: relayed\r\n\r\nacross\r\n"


class SmtpTlsTest(unittest.TestCase):
    def setUp(self):
        self.insts = []

    def tearDown(self):
        for t in self.insts:
            t.cleanup()

    def receiver(self, tls=True):
        b = ternlib.Instance()
        self.insts.append(b)
        if tls:
            self.cert, key = ternlib.make_cert(b.etc, "b")
            with open(os.path.join(b.etc, "main.cf"), "a") as f:
                f.write("smtpd_tls_security_level = may\n"
                        "smtpd_tls_cert_file = %s\n"
                        "smtpd_tls_key_file = %s\n" % (self.cert, key))
        b.start()
        return b

    def sender(self, b, **main):
        nexthop = "[127.0.0.1]:%d" % b.port
        params = {"virtual_mailbox_domains": "a.example",
                  "relayhost": nexthop}
        params.update(main)
        a = ternlib.Instance(main=params)
        self.insts.append(a)
        a.start()
        return a, nexthop

    def send(self, a):
        s = a.smtp()
        s.sendmail("a@a.example", ["bob@%s" % a.domain], MSG)
        s.quit()

    def head(self, path):
        with open(path, "rb") as f:
            return f.read().split(b"\n\n", 1)[0].decode()

    def test_may_uses_tls(self):
        b = self.receiver()
        a, _ = self.sender(b)
        self.send(a)
        [m] = b.wait_messages("bob", 1)
        self.assertIn("with ESMTPS id", self.head(m))
        a.wait_log("status=sent")
        self.assertRegex(a.log(), r"Untrusted TLS connection established "
                         r"to 127\.0\.0\.1\[127\.0\.0\.1\]:%d: TLSv1\.3 "
                         r"with cipher TLS_\S+ \(\d+/\d+ bits\)" % b.port)

    def test_none_sends_in_clear(self):
        b = self.receiver()
        a, _ = self.sender(b, smtp_tls_security_level="none")
        self.send(a)
        [m] = b.wait_messages("bob", 1)
        self.assertIn("with ESMTP id", self.head(m))
        self.assertNotIn("TLS connection established", a.log())

    def test_encrypt_defers_without_starttls(self):
        b = self.receiver(tls=False)
        a, _ = self.sender(b, smtp_tls_security_level="encrypt")
        self.send(a)
        a.wait_log("status=deferred")
        self.assertRegex(a.log(), r"dsn=4\.7\.4, status=deferred \(TLS is "
                         r"required, but was not offered by host "
                         r"127\.0\.0\.1\[127\.0\.0\.1\]\)")
        self.assertEqual(b.messages("bob"), [])

    def policy(self, b, a_main, entry):
        path = os.path.join(b.dir, "tls_policy")
        with open(path, "w") as f:
            f.write("[127.0.0.1]:%d %s\n" % (b.port, entry))
        a_main.update({"smtp_tls_policy_maps": "texthash:" + path,
                       "smtp_tls_CAfile": self.cert})
        return self.sender(b, **a_main)

    def test_policy_verify_by_name(self):
        b = self.receiver()
        a, _ = self.policy(b, {"smtp_tls_security_level": "none"},
                           "verify match=mail.example.test")
        self.send(a)
        b.wait_messages("bob", 1)
        a.wait_log("status=sent")
        self.assertIn("Verified TLS connection established to "
                      "127.0.0.1[127.0.0.1]:%d: TLSv1.3" % b.port, a.log())

    def test_policy_verify_wrong_name_defers(self):
        b = self.receiver()
        a, _ = self.policy(b, {}, "verify match=other.example")
        self.send(a)
        a.wait_log("status=deferred")
        self.assertRegex(a.log(), r"dsn=4\.7\.5, status=deferred \(Server "
                         r"certificate not verified: host 127\.0\.0\.1"
                         r"\[127\.0\.0\.1\]: ")
        self.assertEqual(b.messages("bob"), [])

    def test_policy_bad_entry_defers_naming_it(self):
        b = self.receiver()
        a, nexthop = self.policy(b, {}, "always")
        self.send(a)
        a.wait_log("status=deferred")
        self.assertIn("dsn=4.3.5, status=deferred (mail system "
                      "configuration error: smtp_tls_policy_maps entry "
                      "for %s: \"always\": unknown security level"
                      % nexthop, a.log())


if __name__ == "__main__":
    unittest.main()
