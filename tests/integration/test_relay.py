"""Relay control in smtpd: a client outside mynetworks cannot relay by any
address trick (554 5.7.1, nothing queued), a client inside it relays to a
receiver through relayhost, relay_domains opens one outside domain, and
the access tables and reject_non_fqdn_* restrictions answer as Postfix's.

The instance trusts 127.0.0.1 only (mynetworks = 127.0.0.1/32); the
stranger connects from 127.0.0.2, the blocked client from 127.0.0.3."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402
from test_smtp_out import DNSMASQ, start_dnsmasq  # noqa: E402


class RelayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = smtpsink.Sink()
        d = ternlib.tempfile.mkdtemp(prefix="tern-relay-")
        cls.tmp = d
        cls.clients = os.path.join(d, "clients.cidr")
        with open(cls.clients, "w") as f:
            f.write("127.0.0.3 REJECT\n")
        cls.t = ternlib.Instance(main={
            "relayhost": "[127.0.0.1]:%d" % cls.sink.port,
            "mynetworks": "127.0.0.1/32",
            "relay_domains": "relay.test",
            "smtpd_relay_restrictions":
                "check_client_access cidr:%s, permit_mynetworks, "
                "reject_unauth_destination" % cls.clients,
            "smtpd_recipient_restrictions":
                "reject_non_fqdn_sender, reject_non_fqdn_recipient, "
                "check_sender_access inline:{{bad@example.org=REJECT no "
                "thanks}}, check_recipient_access "
                "inline:{{bob@example.test=550 5.1.1 gone}, "
                "{blocked.test=REJECT blocked domain}, "
                "{carol@=REJECT no carol}, "
                "{bot@example.test=521 5.7.1 go away}, "
                "{alice+watch@example.test=WARN watched}}",
        })
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.sink.close()
        cls.t.cleanup()
        ternlib.shutil.rmtree(cls.tmp, ignore_errors=True)

    def client(self, source):
        return self.client_of(self.t, source)

    @staticmethod
    def client_of(t, source):
        return t.client(source)

    def test_stranger_cannot_relay(self):
        ternlib.wait_for(lambda: self.t.queue_files() == [], what="empty queue")
        before = len(self.sink.messages)
        tricks = ["v@far.test", '"v@far.test"@example.test',
                  "v%far.test@example.test", "far.test!v@example.test",
                  "@example.test:v@far.test", "v%far.test@relay.test"]
        s = self.client("127.0.0.2")
        self.assertEqual(s.mail("a@example.org")[0], 250)
        for rcpt in tricks:
            # Raw, as smtplib's quoting would drop the source route.
            code, msg = s.docmd("RCPT TO:<%s>" % rcpt)
            self.assertEqual(code, 554, (rcpt, msg))
            self.assertIn(b"5.7.1", msg)
            self.assertIn(b"Relay access denied", msg)
        code, msg = s.docmd("DATA")
        self.assertEqual(code, 554)
        s.quit()
        self.assertEqual(self.t.queue_files(), [])
        for rcpt in tricks:
            self.t.wait_log("554 5.7.1 <%s>: Relay access denied" %
                            rcpt.replace("@example.test:", ""))
        self.t.wait_log("NOQUEUE: reject: RCPT from localhost[127.0.0.2]: 554 "
                        "5.7.1 <v@far.test>: Relay access denied; "
                        "from=<a@example.org> to=<v@far.test> proto=ESMTP "
                        "helo=<client.example.org>")
        # The source route was dropped: the trick is plain v@far.test.
        self.assertEqual(len(self.sink.messages), before)
        # Our own domain still takes mail from strangers.
        s = self.client("127.0.0.2")
        s.sendmail("a@example.org", ["alice@example.test"],
                   b"Subject: in\r\n\r\nx\r\n")
        s.quit()
        self.t.wait_messages("alice", 1)

    def test_mynetworks_relays(self):
        s = self.client("127.0.0.1")
        s.sendmail("a@example.org", ["v@far.test"],
                   b"Subject: relayed\r\n\r\nhello\r\n")
        s.quit()
        ternlib.wait_for(lambda: [m for m in self.sink.messages
                                  if m[1] == ["v@far.test"]],
                         what="relayed message at the sink")
        self.t.wait_log("to=<v@far.test>, relay=127.0.0.1[127.0.0.1]")

    def test_relay_domains_from_outside(self):
        s = self.client("127.0.0.2")
        s.sendmail("a@example.org", ["u@relay.test"],
                   b"Subject: backup mx\r\n\r\nhello\r\n")
        s.quit()
        ternlib.wait_for(lambda: [m for m in self.sink.messages
                                  if m[1] == ["u@relay.test"]],
                         what="relay_domains message at the sink")

    def test_client_access_cidr(self):
        s = self.client("127.0.0.3")
        s.mail("a@example.org")
        code, msg = s.rcpt("alice@example.test")
        self.assertEqual(code, 554)
        self.assertEqual(msg, b"5.7.1 <localhost[127.0.0.3]>: Client host "
                              b"rejected: Access denied")
        s.quit()

    def test_access_tables_and_fqdn(self):
        s = self.client("127.0.0.1")
        s.mail("bad@example.org")
        code, msg = s.rcpt("alice@example.test")
        self.assertEqual((code, msg), (554, b"5.7.1 <bad@example.org>: "
                                            b"Sender address rejected: no "
                                            b"thanks"))
        s.rset()
        s.mail("a@example.org")
        code, msg = s.rcpt("bob@example.test")
        self.assertEqual((code, msg), (550, b"5.1.1 <bob@example.test>: "
                                            b"Recipient address rejected: "
                                            b"gone"))
        # access(5)'s order: user@domain without the extension, the
        # parent domains, "user@" for any domain.
        self.assertEqual(s.rcpt("bob+tag@example.test"),
                         (550, b"5.1.1 <bob+tag@example.test>: Recipient "
                               b"address rejected: gone"))
        self.assertEqual(s.rcpt("v@mx.blocked.test"),
                         (554, b"5.7.1 <v@mx.blocked.test>: Recipient "
                               b"address rejected: blocked domain"))
        self.assertEqual(s.rcpt("carol+x@far.test"),
                         (554, b"5.7.1 <carol+x@far.test>: Recipient "
                               b"address rejected: no carol"))
        # WARN logs and lets the recipient through.
        self.assertEqual(s.rcpt("alice+watch@example.test")[0], 250)
        self.t.wait_log("NOQUEUE: warn: RCPT from localhost[127.0.0.1]: "
                        "watched; from=<a@example.org> "
                        "to=<alice+watch@example.test> proto=ESMTP "
                        "helo=<client.example.org>")
        code, msg = s.rcpt("v@far")
        self.assertEqual((code, msg), (504, b"5.5.2 <v@far>: Recipient "
                                            b"address rejected: need "
                                            b"fully-qualified address"))
        s.rset()
        s.mail("a@nodot")
        code, msg = s.rcpt("alice@example.test")
        self.assertEqual((code, msg), (504, b"5.5.2 <a@nodot>: Sender "
                                            b"address rejected: need "
                                            b"fully-qualified address"))
        s.quit()

    def test_access_521_hangs_up(self):
        # access(5): 421 and 521 answer, then disconnect.
        s = self.client("127.0.0.1")
        s.mail("a@example.org")
        self.assertEqual(s.docmd("RCPT TO:<bot@example.test>"),
                         (521, b"5.7.1 <bot@example.test>: Recipient "
                               b"address rejected: go away"))
        s.sock.settimeout(10 * ternlib.SLOW)
        self.assertEqual(s.sock.recv(100), b"")
        s.close()
        self.t.wait_log("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: "
                        "521 5.7.1 <bot@example.test>: Recipient address "
                        "rejected: go away;")

    @unittest.skipUnless(os.path.exists(DNSMASQ), "dnsmasq not installed")
    def test_unknown_domains_and_null_mx(self):
        # far.test has an MX, aonly.test only an IPv4 address and
        # sixonly.test only an IPv6 one (implicit MX),
        # txtonly.test exists with neither, nullmx.test has RFC 7505's
        # null MX (preference 0, exchange "."); nowhere.test does not
        # exist, and dnsmasq refuses names outside .test (a DNS failure).
        dns, dport = start_dnsmasq(["--mx-host=far.test,mx.far.test,10",
                                    "--host-record=mx.far.test,127.0.0.9",
                                    "--host-record=aonly.test,127.0.0.9",
                                    "--host-record=sixonly.test,::1",
                                    "--txt-record=txtonly.test,x",
                                    "--dns-rr=nullmx.test,15,000000"])
        restrictions = ("reject_unknown_sender_domain, "
                        "reject_unknown_recipient_domain")
        t = ternlib.Instance(main={
            "dns_servers": "127.0.0.1:%d" % dport,
            "smtpd_recipient_restrictions": restrictions})
        t550 = ternlib.Instance(main={
            "dns_servers": "127.0.0.1:%d" % dport,
            "unknown_address_reject_code": "550",
            "smtpd_recipient_restrictions": restrictions})
        try:
            t.start()
            s = self.client_of(t, "127.0.0.1")
            s.mail("a@far.test")
            self.assertEqual(s.rcpt("v@far.test")[0], 250)
            self.assertEqual(s.rcpt("v@aonly.test")[0], 250)
            self.assertEqual(s.rcpt("v@sixonly.test")[0], 250)
            self.assertEqual(s.rcpt("alice@example.test")[0], 250)
            # Postfix's unknown_address_reject_code: 450 by default.
            for domain in ("nowhere.test", "txtonly.test"):
                self.assertEqual(
                    s.rcpt("v@" + domain),
                    (450, b"4.1.2 <v@%s>: Recipient address rejected: "
                          b"Domain not found" % domain.encode()))
            self.assertEqual(s.rcpt("v@nullmx.test"),
                             (556, b"5.1.10 <v@nullmx.test>: Recipient "
                                   b"address rejected: Domain nullmx.test "
                                   b"does not accept mail (nullMX)"))
            # A DNS failure is never a 5xx.
            self.assertEqual(s.rcpt("v@elsewhere.example"),
                             (450, b"4.1.2 <v@elsewhere.example>: Recipient "
                                   b"address rejected: Domain not found"))
            s.rset()
            # A sender whose domain DNS cannot tell about: deferred.
            s.mail("a@example.org")
            self.assertEqual(s.rcpt("alice@example.test"),
                             (450, b"4.1.8 <a@example.org>: Sender address "
                                   b"rejected: Domain not found"))
            s.rset()
            # RFC 7505 section 4.2: mail from a null MX domain.
            s.mail("a@nullmx.test")
            self.assertEqual(s.rcpt("alice@example.test"),
                             (550, b"5.7.27 <a@nullmx.test>: Sender address "
                                   b"rejected: Domain nullmx.test does not "
                                   b"accept mail (nullMX)"))
            s.rset()
            s.mail("a@nowhere.test")
            self.assertEqual(s.rcpt("alice@example.test"),
                             (450, b"4.1.8 <a@nowhere.test>: Sender address "
                                   b"rejected: Domain not found"))
            s.rset()
            s.mail("<>")
            self.assertEqual(s.rcpt("alice@example.test")[0], 250)
            s.rset()
            s.quit()
            t.wait_log("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: "
                       "556 5.1.10 <v@nullmx.test>: Recipient address "
                       "rejected: Domain nullmx.test does not accept mail "
                       "(nullMX); from=<a@far.test> to=<v@nullmx.test> "
                       "proto=ESMTP helo=<client.example.org>")
            self.assertEqual(t.queue_files(), [])
            # unknown_address_reject_code = 550: refused for good.
            t550.start()
            s = self.client_of(t550, "127.0.0.1")
            s.mail("a@far.test")
            self.assertEqual(s.rcpt("v@nowhere.test"),
                             (550, b"5.1.2 <v@nowhere.test>: Recipient "
                                   b"address rejected: Domain not found"))
            self.assertEqual(s.rcpt("v@elsewhere.example")[0], 450)
            s.rset()
            s.quit()
        finally:
            dns.terminate()
            dns.wait()
            t.cleanup()
            t550.cleanup()

    def test_bad_config_refused(self):
        t = ternlib.Instance(main={
            "smtpd_relay_restrictions": "permit_mynetworks",
            "smtpd_recipient_restrictions": "permit_auth_destination"})
        try:
            why = ("main.cf: smtpd_relay_restrictions and "
                   "smtpd_recipient_restrictions: neither holds "
                   "reject_unauth_destination")
            r = t.tool("tern", "check", check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(why, r.stdout + r.stderr)
            r = t.tool("tern", "start", check=False)
            self.assertNotEqual(r.returncode, 0)
            # smtpd itself refuses it too.
            os.makedirs(t.spool, exist_ok=True)
            r = t.tool("smtpd", "-S", check=False, input="QUIT\r\n")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(why, r.stderr + t.log())
        finally:
            t.cleanup()


if __name__ == "__main__":
    unittest.main()
