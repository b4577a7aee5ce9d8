"""Delivery status notifications as RFC 3461 asks for them: smtpd offers
DSN and takes NOTIFY, ORCPT, RET and ENVID; they travel in the queue file
to qmgr, which sends RFC 3464 reports that carry them (a success report
for NOTIFY=SUCCESS, none for NOTIFY=NEVER, the whole message or only its
headers as RET says), to smtp(8), which passes them to a next hop that
offers DSN and otherwise makes the report "relayed"; and to the delay
warning of delay_warning_time."""
import email
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import smtpsink  # noqa: E402
import ternlib  # noqa: E402

ALIASES = {
    "fwd@example.test": "ok@far.test",
    "nogood@example.test": "bad@far.test",
}
BODY = (b"From: alice@example.test\r\nSubject: dsn test\r\n"
        b"Message-ID: <dsn-1@example.test>\r\n\r\nthe body line\r\n")


def unfold(text):
    return re.sub(r"\r?\n[ \t]+", " ", text)


class DsnTest(unittest.TestCase):
    def setUp(self):
        self.t = None
        self.sinks = []

    def tearDown(self):
        for s in self.sinks:
            s.close()
        if self.t is not None:
            self.t.cleanup()

    def instance(self, dsn_sink=False, **main):
        sink = smtpsink.Sink(dsn=dsn_sink)
        self.sinks.append(sink)
        main.setdefault("relayhost", "[127.0.0.1]:%d" % sink.port)
        self.t = ternlib.Instance(aliases=ALIASES, main=main)
        self.t.start()
        return self.t, sink

    def send(self, to, rcpt_options=(), mail_options=(), body=BODY):
        with self.t.smtp() as s:
            s.ehlo("client.example.org")
            self.assertTrue(s.has_extn("dsn"))
            s.sendmail("alice@example.test", [to], body,
                       mail_options=list(mail_options),
                       rcpt_options=list(rcpt_options))

    def report(self, user="alice", n=1):
        files = self.t.wait_messages(user, n, timeout=30)
        with open(files[n - 1], "rb") as f:
            raw = f.read()
        m = email.message_from_bytes(raw)
        self.assertEqual(m.get_content_type(), "multipart/report")
        self.assertEqual(m.get_param("report-type"), "delivery-status")
        return m, unfold(raw.decode("utf-8", "replace"))

    def test_success_report_for_local_delivery(self):
        t, _ = self.instance()
        self.send("bob@example.test",
                  mail_options=["ENVID=QQ+2B314", "RET=HDRS"],
                  rcpt_options=["NOTIFY=SUCCESS,FAILURE",
                                "ORCPT=rfc822;Bob+2Bx@example.test"])
        t.wait_messages("bob", 1)
        m, text = self.report()
        self.assertEqual(m["Subject"], "Successful Mail Delivery Report")
        self.assertEqual(m["To"], "<alice@example.test>")
        self.assertIn("Original-Envelope-Id: QQ+314", text)
        self.assertIn("Final-Recipient: rfc822; bob@example.test", text)
        self.assertIn("Original-Recipient: rfc822; Bob+x@example.test", text)
        self.assertIn("Action: delivered", text)
        self.assertIn("Status: 2.0.0", text)
        parts = m.get_payload()
        self.assertEqual(parts[2].get_content_type(), "text/rfc822-headers")
        self.assertNotIn("the body line", text)
        self.assertIn("sender delivery status notification", t.log())

    def test_bounce_carries_envid_orcpt_and_whole_message(self):
        t, sink = self.instance()
        self.send("nogood@example.test",
                  mail_options=["ENVID=env-77", "RET=FULL"],
                  rcpt_options=["NOTIFY=FAILURE",
                                "ORCPT=rfc822;nogood@example.test"])
        m, text = self.report()
        self.assertEqual(m["Subject"], "Undelivered Mail Returned to Sender")
        self.assertIn("Original-Envelope-Id: env-77", text)
        self.assertIn("Final-Recipient: rfc822; bad@far.test", text)
        self.assertIn("Original-Recipient: rfc822; nogood@example.test", text)
        self.assertIn("Action: failed", text)
        self.assertIn("Status: 5.1.1", text)
        # RFC 3464 2.3.5-6: who said it, and what it said.
        self.assertIn("Remote-MTA: dns; 127.0.0.1\n", text)
        self.assertIn("Diagnostic-Code: smtp; 550 5.1.1 <bad@far.test>: "
                      "no such user\n", text)
        parts = m.get_payload()
        self.assertEqual(parts[2].get_content_type(), "message/rfc822")
        self.assertIn("the body line", text)

    def test_ret_hdrs_returns_headers_only(self):
        t, _ = self.instance()
        self.send("nogood@example.test", mail_options=["RET=HDRS"])
        m, text = self.report()
        self.assertEqual(m.get_payload()[2].get_content_type(),
                         "text/rfc822-headers")
        self.assertIn("Subject: dsn test", text)
        self.assertNotIn("the body line", text)

    def test_bounce_size_limit_returns_headers_only(self):
        t, _ = self.instance(bounce_size_limit="60")
        self.send("nogood@example.test")
        m, text = self.report()
        self.assertEqual(m.get_payload()[2].get_content_type(),
                         "text/rfc822-headers")
        self.assertIn("Subject: dsn test", text)
        self.assertNotIn("the body line", text)

    def test_notify_never_sends_nothing(self):
        t, _ = self.instance()
        self.send("nogood@example.test", rcpt_options=["NOTIFY=NEVER"])
        t.wait_log("status=bounced")
        t.wait_log(": removed")
        # The bounce would have been queued before the original went.
        self.assertNotIn("notification", t.log())
        self.assertEqual(t.messages("alice"), [])

    def test_relayed_report_when_next_hop_lacks_dsn(self):
        t, sink = self.instance()
        self.send("fwd@example.test", rcpt_options=["NOTIFY=SUCCESS"])
        m, text = self.report()
        self.assertIn("Final-Recipient: rfc822; ok@far.test", text)
        self.assertIn("Original-Recipient: rfc822; fwd@example.test", text)
        self.assertIn("Action: relayed", text)
        self.assertEqual(len(sink.messages), 1)
        self.assertNotIn("NOTIFY", sink.rcpt_commands[0])

    def test_parameters_passed_to_a_dsn_next_hop(self):
        t, sink = self.instance(dsn_sink=True)
        self.send("fwd@example.test",
                  mail_options=["RET=HDRS", "ENVID=a+2Bb"],
                  rcpt_options=["NOTIFY=SUCCESS,DELAY",
                                "ORCPT=rfc822;fwd@example.test"])
        ternlib.wait_for(lambda: sink.messages, what="message at the sink")
        t.wait_log(": removed")
        self.assertRegex(sink.mail_commands[0],
                         r"^MAIL FROM:<alice@example\.test> SIZE=\d+ "
                         r"RET=HDRS ENVID=a\+2Bb$")
        self.assertEqual(sink.rcpt_commands[0],
                         "RCPT TO:<ok@far.test> NOTIFY=SUCCESS,DELAY "
                         "ORCPT=rfc822;fwd@example.test")
        # The next hop reports success now; nothing from us.
        self.assertNotIn("notification", t.log())
        self.assertEqual(t.messages("alice"), [])

    def test_delay_warning_once(self):
        t, _ = self.instance(delay_warning_time="2s")
        t.block_mailbox("bob")
        self.send("bob@example.test", mail_options=["ENVID=slow-1"],
                  rcpt_options=["NOTIFY=DELAY,FAILURE",
                                "ORCPT=rfc822;bob@example.test"])
        m, text = self.report()
        self.assertEqual(m["Subject"], "Delayed Mail (still being retried)")
        self.assertIn("Action: delayed", text)
        self.assertIn("Status: 4.", text)
        self.assertIn("Original-Envelope-Id: slow-1", text)
        self.assertIn("Final-Recipient: rfc822; bob@example.test", text)
        # Later deferrals send no second warning.
        n = t.log().count("status=deferred")
        ternlib.wait_for(lambda: t.log().count("status=deferred") >= n + 2,
                         timeout=30, what="two more deferrals")
        self.assertEqual(t.log().count("sender delay notification"), 1)
        self.assertEqual(len(t.messages("alice")), 1)
        # The queue file shows what was asked and that the warning went.
        qid = ternlib.wait_for(lambda: t.queue_files("deferred"),
                               what="the message in deferred/")[0]
        out = t.tool("ternqueue", "-p", qid).stdout
        self.assertIn("delay_warning_sent: yes\n", out)
        self.assertIn("dsn_notify: FAILURE,DELAY\n", out)
        self.assertIn("dsn_orig_rcpt: rfc822;bob@example.test\n", out)
        self.assertIn("named_attribute: dsn_envid=slow-1\n", out)

    def test_no_delay_warning_for_notify_never_or_failure(self):
        t, _ = self.instance(delay_warning_time="1s")
        t.block_mailbox("bob")
        self.send("bob@example.test", rcpt_options=["NOTIFY=FAILURE"])
        ternlib.wait_for(lambda: t.log().count("status=deferred") >= 3,
                         timeout=30, what="three deferrals")
        self.assertNotIn("notification", t.log())

    def test_parameter_syntax(self):
        t, _ = self.instance()
        with t.smtp() as s:
            s.ehlo("client.example.org")
            for bad in ("RET=SOME", "RET=FULL RET=HDRS", "ENVID=a=b",
                        "ENVID=" + "x" * 101, "ENVID=a+0A"):
                code, _ = s.docmd("MAIL FROM:<alice@example.test> " + bad)
                self.assertEqual(code, 501, bad)
            code, _ = s.docmd("MAIL FROM:<alice@example.test> RET=full "
                              "ENVID=ok")
            self.assertEqual(code, 250)
            for bad in ("NOTIFY=NEVER,DELAY", "NOTIFY=", "NOTIFY=SUCCESS,,",
                        "ORCPT=;x", "ORCPT=rfc822;", "ORCPT=rfc822;a+zz",
                        "NOTIFY=DELAY NOTIFY=DELAY"):
                code, _ = s.docmd("RCPT TO:<bob@example.test> " + bad)
                self.assertEqual(code, 501, bad)
            code, _ = s.docmd("RCPT TO:<bob@example.test> notify=delay "
                              "orcpt=RFC822;bob@example.test")
            self.assertEqual(code, 250)
        # HELO, not EHLO: no parameters at all (RFC 1869).
        with t.smtp() as s:
            s.helo("client.example.org")
            code, _ = s.docmd("MAIL FROM:<alice@example.test> RET=FULL")
            self.assertEqual(code, 555)


if __name__ == "__main__":
    unittest.main()
