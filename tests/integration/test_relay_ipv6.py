"""Relay control over IPv6: smtpd listens on [::1] and the client connects
from ::1. With mynetworks = [::1]/128 the client relays: the recipient's
domain far.test has an MX whose only address is an AAAA record for ::1
(served by dnsmasq), where a receiver waits, so the mail also leaves over
IPv6. With mynetworks = 127.0.0.0/8 only, the same RCPT gets 554 5.7.1
and nothing is queued. The log names the client localhost[::1], as
Postfix does for IPv6 clients."""
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402


def ipv6_loopback():
    """Whether ::1 can be bound here (a container may lack IPv6)."""
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        s.bind(("::1", 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


@unittest.skipUnless(ipv6_loopback(), "no IPv6 loopback (::1) on this host")
@unittest.skipUnless(os.path.exists(ternlib.DNSMASQ), "dnsmasq not installed")
class RelayIPv6Test(unittest.TestCase):
    def setUp(self):
        self.sink = smtpsink.Sink(host="::1")
        self.dns, self.dport = ternlib.start_dnsmasq([
            "--mx-host=far.test,mx.far.test,10",
            "--host-record=mx.far.test,::1"])
        self.t = None

    def tearDown(self):
        self.sink.close()
        self.dns.terminate()
        self.dns.wait()
        if self.t is not None:
            self.t.cleanup()

    def start(self, mynetworks):
        self.t = ternlib.Instance(listen="::1", main={
            "mynetworks": mynetworks,
            "dns_servers": "127.0.0.1:%d" % self.dport,
            "smtp_tcp_port": str(self.sink.port),
        })
        self.t.start()
        return self.t

    def client(self):
        return self.t.client("::1")

    def test_trusted_ipv6_client_relays(self):
        t = self.start("[::1]/128")
        s = self.client()
        s.sendmail("a@example.org", ["v@far.test"],
                   b"Subject: over IPv6\r\n\r\nhello\r\n")
        s.quit()
        ternlib.wait_for(lambda: [m for m in self.sink.messages
                                  if m[1] == ["v@far.test"]],
                         what="relayed message at the IPv6 receiver")
        t.wait_log("connect from localhost[::1]")
        t.wait_log(": client=localhost[::1]")
        t.wait_log("to=<v@far.test>, relay=mx.far.test[::1]:%d"
                   % self.sink.port)
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")

    def test_untrusted_ipv6_client_refused(self):
        # The same client, now outside mynetworks: loopback IPv4 is not
        # loopback IPv6.
        t = self.start("127.0.0.0/8")
        s = self.client()
        self.assertEqual(s.mail("a@example.org")[0], 250)
        self.assertEqual(s.rcpt("v@far.test"),
                         (554, b"5.7.1 <v@far.test>: Relay access denied"))
        # No address trick gets around it either (sent raw: smtplib
        # would drop the source route).
        for rcpt in ('"v@far.test"@example.test', "v%far.test@example.test",
                     "far.test!v@example.test", "@example.test:v@far.test"):
            shown = rcpt.replace("@example.test:", "").encode()
            self.assertEqual(s.docmd("RCPT TO:<%s>" % rcpt),
                             (554, b"5.7.1 <%s>: Relay access denied" % shown))
        code, _ = s.docmd("DATA")
        self.assertEqual(code, 554)
        s.quit()
        t.wait_log("NOQUEUE: reject: RCPT from localhost[::1]: 554 5.7.1 "
                   "<v@far.test>: Relay access denied; from=<a@example.org> "
                   "to=<v@far.test> proto=ESMTP helo=<client.example.org>")
        self.assertEqual(t.queue_files(), [])
        self.assertEqual(self.sink.messages, [])
        # Our own domain still takes its mail from the IPv6 client.
        s = self.client()
        s.sendmail("a@example.org", ["alice@example.test"],
                   b"Subject: in\r\n\r\nx\r\n")
        s.quit()
        t.wait_messages("alice", 1)
        self.assertEqual(self.sink.messages, [])


if __name__ == "__main__":
    unittest.main()
