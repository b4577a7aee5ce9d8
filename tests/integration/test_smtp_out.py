"""Outbound delivery through smtp(8): mail for other domains (here through
virtual aliases that forward, and bounces) leaves by SMTP, found through
relayhost or by MX lookup against a real DNS server (dnsmasq) on
loopback, and reaches a scripted receiver with CRLF line ends and dot
stuffing. A 5xx bounces to the sender with the far side's text, a 4xx is
retried, a dead first MX falls back to the second, a null MX bounces at
once."""
import email
import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402

DNSMASQ = ternlib.DNSMASQ
start_dnsmasq = ternlib.start_dnsmasq


ALIASES = {
    "fwd@example.test": "ok@far.test",
    "nogood@example.test": "bad@far.test",
    "grey@example.test": "later@far.test",
    "nullmx@example.test": "x@nomail.test",
}


class SmtpOutTest(unittest.TestCase):
    def setUp(self):
        self.t = None
        self.sinks = []
        self.dns = None

    def tearDown(self):
        for s in self.sinks:
            s.close()
        if self.dns is not None:
            self.dns.terminate()
            self.dns.wait()
        if self.t is not None:
            self.t.cleanup()

    def sink(self, host="127.0.0.1", port=0):
        s = smtpsink.Sink(host, port)
        self.sinks.append(s)
        return s

    def instance(self, **main):
        self.t = ternlib.Instance(aliases=ALIASES, main=main)
        self.t.start()
        return self.t

    def send(self, to, body=b"Subject: out\r\n\r\nhello\r\n"):
        with self.t.smtp() as s:
            s.sendmail("alice@example.test", [to], body)

    def test_relayhost_wire_format(self):
        sink = self.sink()
        t = self.instance(relayhost="[127.0.0.1]:%d" % sink.port)
        # A line of one dot, one that starts with a dot, and a bare CR.
        self.send("fwd@example.test",
                  b"Subject: dots\r\n\r\n.\r\n..x\r\nbare\rcr\r\nend\r\n")
        ternlib.wait_for(lambda: sink.messages, what="message at the sink")
        sender, rcpts, data = sink.messages[0]
        self.assertEqual((sender, rcpts), ("alice@example.test", ["ok@far.test"]))
        body = data.split(b"\r\n\r\n", 1)[1]
        self.assertEqual(body, b"..\r\n...x\r\nbare\r\ncr\r\nend\r\n")
        self.assertNotIn(b"\n", data.replace(b"\r\n", b""))
        self.assertNotIn(b"\r", data.replace(b"\r\n", b""))
        t.wait_log("to=<ok@far.test>")
        log = t.log()
        self.assertRegex(log, r"to=<ok@far\.test>, orig_to=<fwd@example\.test>, "
                         r"relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, delay=[0-9.]+, "
                         r"delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+, dsn=2\.0\.0, "
                         r"status=sent \(250 2\.0\.0 Ok: queued as S1\)" % sink.port)
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")

    def test_8bitmime_passed_on(self):
        sink = self.sink()
        t = self.instance(relayhost="[127.0.0.1]:%d" % sink.port)
        with t.smtp() as s:
            s.sendmail("alice@example.test", ["fwd@example.test"],
                       "Subject: caf\u00e9\r\n\r\nd\u00e9j\u00e0 vu\r\n"
                       .encode("utf-8"), mail_options=["BODY=8BITMIME"])
            ternlib.wait_for(lambda: len(sink.messages) == 1,
                             what="the 8-bit message at the sink")
            s.sendmail("alice@example.test", ["fwd@example.test"],
                       b"Subject: plain\r\n\r\nascii\r\n")
        ternlib.wait_for(lambda: len(sink.messages) == 2,
                         what="two messages at the sink")
        self.assertRegex(sink.mail_commands[0],
                         r"^MAIL FROM:<alice@example\.test> SIZE=\d+ "
                         r"BODY=8BITMIME$")
        self.assertRegex(sink.mail_commands[1],
                         r"^MAIL FROM:<alice@example\.test> SIZE=\d+$")
        self.assertIn("déjà vu".encode("utf-8"), sink.messages[0][2])

    def test_bounce_with_far_text(self):
        sink = self.sink()
        t = self.instance(relayhost="[127.0.0.1]:%d" % sink.port)
        self.send("nogood@example.test")
        files = t.wait_messages("alice", 1, timeout=30)
        with open(files[0], "rb") as f:
            m = email.message_from_binary_file(f)
        self.assertEqual(m.get_content_type(), "multipart/report")
        text = m.as_string()
        self.assertIn("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 "
                      "<bad@far.test>: no such user (in reply to RCPT TO "
                      "command)", text.replace("\n ", " ").replace("\n\t", " "))
        self.assertIn("status=bounced", t.log())
        self.assertEqual(sink.messages, [])

    def test_greylist_retried(self):
        sink = self.sink()
        t = self.instance(relayhost="[127.0.0.1]:%d" % sink.port,
                          minimal_backoff_time="1s",
                          maximal_backoff_time="1s", queue_run_delay="1s")
        self.send("grey@example.test")
        t.wait_log("status=deferred (host 127.0.0.1[127.0.0.1] said: 450 "
                   "4.2.0 <later@far.test>: greylisted, try again (in reply "
                   "to RCPT TO command))")
        ternlib.wait_for(lambda: sink.messages, timeout=30,
                         what="delivery on retry")
        self.assertEqual(sink.messages[0][1], ["later@far.test"])

    @unittest.skipUnless(os.path.exists(DNSMASQ), "dnsmasq not installed")
    def test_mx_lookup(self):
        # Both exchangers use the same port; only the second listens.
        sink = self.sink("127.0.0.3")
        self.dns, dport = start_dnsmasq([
            "--mx-host=far.test,mx1.far.test,10",
            "--mx-host=far.test,mx2.far.test,20",
            "--host-record=mx1.far.test,127.0.0.2",
            "--host-record=mx2.far.test,127.0.0.3",
            "--dns-rr=nomail.test,15,000000",
        ])
        t = self.instance(dns_servers="127.0.0.1:%d" % dport,
                          smtp_tcp_port=str(sink.port),
                          inet_protocols="ipv4")
        self.send("fwd@example.test")
        ternlib.wait_for(lambda: sink.messages, what="message via mx2")
        t.wait_log("relay=mx2.far.test[127.0.0.3]:%d" % sink.port)
        # A null MX bounces at once, without a retry.
        self.send("nullmx@example.test")
        t.wait_log("dsn=5.1.10, status=bounced (Domain nomail.test does not "
                   "accept mail (nullMX))")
        t.wait_messages("alice", 1, timeout=30)
        lines = [l for l in t.log().splitlines() if "to=<x@nomail.test>" in l]
        self.assertFalse([l for l in lines if "status=deferred" in l], lines)

    def test_bounce_to_sender_that_takes_no_mail(self):
        # The sender's domain has a null MX: its bounce cannot be
        # delivered, and that failure (a bounce of a bounce) goes to the
        # postmaster (2bounce_notice_recipient, alice here) and ends.
        sink = self.sink("127.0.0.3")
        self.dns, dport = start_dnsmasq([
            "--mx-host=far.test,mx.far.test,10",
            "--host-record=mx.far.test,127.0.0.3",
            "--dns-rr=nomail.test,15,000000",
        ])
        t = self.instance(dns_servers="127.0.0.1:%d" % dport,
                          smtp_tcp_port=str(sink.port),
                          inet_protocols="ipv4")
        with t.smtp() as s:
            s.sendmail("someone@nomail.test", ["nogood@example.test"],
                       b"Subject: doomed\r\n\r\nx\r\n")
        files = t.wait_messages("alice", 1, timeout=30)
        with open(files[0], "rb") as f:
            m = email.message_from_binary_file(f)
        self.assertIn("double-bounce@example.test", m["Return-Path"])
        report = m.get_payload()[1].as_string()
        self.assertIn("Final-Recipient: rfc822; someone@nomail.test", report)
        self.assertIn("Status: 5.1.10", report)
        ternlib.wait_for(lambda: t.queue_files() == [], what="empty queue")
        # One bounce, one double bounce, and nothing after them.
        log = t.log()
        self.assertEqual(log.count("sender non-delivery notification"), 2)
        self.assertEqual(len(t.messages("alice")), 1)


if __name__ == "__main__":
    unittest.main()
