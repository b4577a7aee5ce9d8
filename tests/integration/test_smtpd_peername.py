"""smtpd names its clients as Postfix does (smtpd_peername_lookup): the
PTR name of the client's address when a lookup of that name gives the
address back, else "unknown" with Postfix's warning; the name shows in the
log and in the Received: header. A silent DNS server costs at most
smtpd_peername_lookup_timeout, and a resolver that cannot start costs the
name, never the client. dnsmasq on loopback serves the records; the
clients connect from 127.0.0.x."""
import os
import smtplib
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

RECORDS = [
    # PTR and A: a verified name.
    "--host-record=client.test,127.0.0.1",
    # A name whose address is another one.
    "--ptr-record=2.0.0.127.in-addr.arpa,liar.test",
    "--host-record=liar.test,127.0.0.99",
    # A name that does not exist.
    "--ptr-record=3.0.0.127.in-addr.arpa,gone.test",
    # An address posing as a name.
    "--ptr-record=5.0.0.127.in-addr.arpa,10.0.0.5",
    # No PTR record at all for the rest of 127/8: NXDOMAIN.
    "--local=/127.in-addr.arpa/",
]


class PeernameTest(unittest.TestCase):
    def setUp(self):
        self.t = None
        self.dns = None

    def tearDown(self):
        if self.dns is not None:
            self.dns.terminate()
            self.dns.wait()
        if self.t is not None:
            self.t.cleanup()

    def start(self, **main):
        main.setdefault("smtpd_peername_lookup", "yes")
        self.t = ternlib.Instance(main=main)
        self.t.start()

    def connect(self, source):
        return smtplib.SMTP("127.0.0.1", self.t.port, timeout=30 * ternlib.SLOW,
                            source_address=(source, 0))

    @unittest.skipUnless(os.path.exists(ternlib.DNSMASQ), "dnsmasq not installed")
    def test_names(self):
        self.dns, port = ternlib.start_dnsmasq(RECORDS)
        self.start(dns_servers="127.0.0.1:%d" % port)
        with self.connect("127.0.0.1") as s:
            s.ehlo("helo.example.org")
            s.sendmail("sender@example.org", ["alice@example.test"],
                       b"Subject: peer\r\n\r\nhello\r\n")
        self.t.wait_log("connect from client.test[127.0.0.1]")
        self.t.wait_log("client=client.test[127.0.0.1]")
        files = self.t.wait_messages("alice", 1)
        with open(files[0], "rb") as f:
            head = f.read().partition(b"\n\n")[0]
        self.assertIn(b"Received: from helo.example.org "
                      b"(client.test [127.0.0.1])", head)

        for src in ("127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.4"):
            with self.connect(src) as s:
                self.assertEqual(s.noop()[0], 250)
        self.t.wait_log("disconnect from unknown[127.0.0.4]")
        log = self.t.log()
        self.assertIn("warning: hostname liar.test does not resolve to "
                      "address 127.0.0.2\n", log)
        self.assertIn("connect from unknown[127.0.0.2]\n", log)
        self.assertIn("warning: hostname gone.test does not resolve to "
                      "address 127.0.0.3: Host not found\n", log)
        self.assertIn("connect from unknown[127.0.0.3]\n", log)
        self.assertIn("warning: numeric hostname: 10.0.0.5\n", log)
        self.assertIn("connect from unknown[127.0.0.5]\n", log)
        self.assertIn("connect from unknown[127.0.0.4]\n", log)
        self.assertNotIn("address 127.0.0.4", log)

    def test_silent_server(self):
        # A UDP socket that nobody reads: every query times out.
        silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        silent.bind(("127.0.0.1", 0))
        try:
            self.start(dns_servers="127.0.0.1:%d" % silent.getsockname()[1],
                       smtpd_peername_lookup_timeout="1s")
            t0 = time.monotonic()
            with self.connect("127.0.0.1") as s:
                took = time.monotonic() - t0
                self.assertEqual(s.noop()[0], 250)
            self.assertGreaterEqual(took, 0.9)
            self.assertLess(took, 3 * ternlib.SLOW)
            self.t.wait_log("connect from unknown[127.0.0.1]")
        finally:
            silent.close()

    def test_resolver_cannot_start(self):
        self.start(dns_servers="not an address")
        with self.connect("127.0.0.1") as s:
            self.assertEqual(s.noop()[0], 250)
        self.t.wait_log("connect from unknown[127.0.0.1]")
        self.assertIn("warning: dns_servers = not an address: bad DNS server "
                      "list; client names will be unknown", self.t.log())

    def test_lookup_off(self):
        # ternlib's default: no DNS, loopback is "localhost".
        self.t = ternlib.Instance()
        self.t.start()
        with self.connect("127.0.0.2") as s:
            self.assertEqual(s.noop()[0], 250)
        self.t.wait_log("connect from localhost[127.0.0.2]")


if __name__ == "__main__":
    unittest.main()
