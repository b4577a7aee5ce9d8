"""Mail from SMTP into a Maildir: content, headers, log lines, pflogsumm,
aliases, extensions, parallel load."""
import os
import re
import shutil
import smtplib
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

BODY = (b"Subject: byte check\r\nMessage-ID: <t1@example.org>\r\n\r\n"
        b"line one\r\n.starts with a dot\r\n..two dots\r\n.\tdot tab\r\n"
        b"trailing spaces   \r\n\r\n8bit: \xc3\xa9t\xc3\xa9\r\nlast line\r\n")


class DeliveryTest(unittest.TestCase):
    def setUp(self):
        self.t = ternlib.Instance(aliases={
            "team@example.test": "alice@example.test, bob@example.test",
            "chain@example.test": "team@example.test",
        })
        self.t.start()

    def tearDown(self):
        self.t.cleanup()

    def test_message_arrives_byte_identical(self):
        with self.t.smtp() as s:
            s.ehlo("client.example.org")
            code, msg = s.mail("sender@example.org")
            self.assertEqual(code, 250)
            s.rcpt("alice@example.test")
            # smtplib dot-stuffs; the server must undo exactly that.
            code, msg = s.data(BODY)
            self.assertEqual(code, 250)
            m = re.match(rb"2\.0\.0 Ok: queued as ([0-9A-F]+)$", msg)
            self.assertTrue(m, msg)
            qid = m.group(1).decode()
        files = self.t.wait_messages("alice", 1)
        self.assertEqual(len(files), 1)
        with open(files[0], "rb") as f:
            data = f.read()
        head, _, body = data.partition(b"\n\n")
        lines = head.split(b"\n")
        self.assertEqual(lines[0], b"Return-Path: <sender@example.org>")
        self.assertEqual(lines[1], b"Delivered-To: alice@example.test")
        self.assertTrue(lines[2].startswith(b"Received: from client.example.org "
                                            b"(localhost [127.0.0.1])"), lines[2])
        self.assertIn(b"with ESMTP id " + qid.encode(), head)
        self.assertIn(b"for <alice@example.test>;", head)
        expected_body = BODY.split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n")
        self.assertEqual(body, expected_body)
        self.assertIn(b"\nSubject: byte check\n", head + b"\n")
        # Maildir name carries the size (",S=") and the size on the wire
        # (",W=": each LF counted as CRLF; local stores bare LFs), and the
        # file is complete.
        vsize = len(data) + data.count(b"\n") - data.count(b"\r\n")
        self.assertTrue(files[0].endswith(",S=%d,W=%d" % (len(data), vsize)),
                        files[0])
        # The tmp/ name goes after the new/ link is durable (Maildir
        # commit): it must go, a moment after the file shows in new/.
        tmp = os.path.join(self.t.maildir("alice"), "tmp")
        ternlib.wait_for(lambda: os.listdir(tmp) == [], timeout=10,
                         what="alice's tmp/ empty")
        self.t.wait_log("%s: removed" % qid)
        log = self.t.log()
        for pat in [r"tern/smtpd\[\d+\]: connect from localhost\[127\.0\.0\.1\]",
                    r"tern/smtpd\[\d+\]: %s: client=localhost\[127\.0\.0\.1\]" % qid,
                    r"tern/qmgr\[\d+\]: %s: from=<sender@example\.org>, size=\d+, "
                    r"nrcpt=1 \(queue active\)" % qid,
                    r"tern/local\[\d+\]: %s: to=<alice@example\.test>, relay=local, "
                    r"%s, dsn=2\.0\.0, status=sent "
                    r"\(delivered to maildir\)" % (qid, ternlib.DELAY_FIELDS_RE),
                    r"tern/qmgr\[\d+\]: %s: removed" % qid,
                    r"tern/smtpd\[\d+\]: disconnect from localhost\[127\.0\.0\.1\] "
                    r"ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5\n"]:
            self.assertRegex(log, pat)
        self.assertEqual(self.t.queue_files(), [])

    def test_pflogsumm_counts(self):
        pflogsumm = shutil.which("pflogsumm")
        if not pflogsumm:
            self.skipTest("pflogsumm not installed")
        with self.t.smtp() as s:
            s.sendmail("sender@example.org", ["bob@example.test"],
                       b"Subject: count me\r\n\r\nbody\r\n")
        self.t.wait_messages("bob", 1)
        self.t.wait_log(": removed")
        out = subprocess.run([pflogsumm, "--syslog-name=tern", self.t.maillog],
                             capture_output=True, text=True, timeout=60).stdout
        self.assertRegex(out, r"\n\s+1\s+received\n")
        self.assertRegex(out, r"\n\s+1\s+delivered\n")

    def test_aliases_and_extension(self):
        with self.t.smtp() as s:
            s.sendmail("sender@example.org", ["chain@example.test"],
                       b"Subject: to the team\r\n\r\nhi all\r\n")
            s.sendmail("sender@example.org", ["bob+lists@example.test"],
                       b"Subject: tagged\r\n\r\nhi bob\r\n")
        a = self.t.wait_messages("alice", 1)
        b = self.t.wait_messages("bob", 2)
        with open(a[0], "rb") as f:
            self.assertIn(b"Delivered-To: alice@example.test\n", f.read())
        delivered = []
        for p in b:
            with open(p, "rb") as f:
                delivered.append(f.read().split(b"\n")[1])
        self.assertIn(b"Delivered-To: bob+lists@example.test", delivered)
        self.assertIn(b"Delivered-To: bob@example.test", delivered)
        self.t.wait_log("orig_to=<chain@example.test>")

    def test_postmaster_always_accepted(self):
        with self.t.smtp() as s:
            s.ehlo("c.example.org")
            s.mail("")
            self.assertEqual(s.rcpt("<postmaster>")[0], 250)
            self.assertEqual(s.rcpt("postmaster@example.test")[0], 250)
            self.assertEqual(s.rcpt("PostMaster@mail.example.test")[0], 250)
            s.rset()

    def test_helo_cannot_forge_headers_or_logs(self):
        with self.t.smtp() as s:
            s.ehlo("evil\x1b[2Jhost\x07")
            s.sendmail("a@example.org", ["bob@example.test"], b"Subject: h\r\n\r\nx\r\n")
        files = self.t.wait_messages("bob", 1)
        with open(files[0], "rb") as f:
            data = f.read()
        self.assertIn(b"Received: from evil?[2Jhost? ", data)
        self.assertNotIn(b"\x1b", data)
        self.assertNotIn("\x1b", self.t.log())

    def test_stand_alone_session(self):
        """smtpd -S serves one session on stdin/stdout (tests, debugging)."""
        dialogue = (b"EHLO x\r\nMAIL FROM:<sa@example.org>\r\nRCPT TO:<bob@example.test>\r\n"
                    b"DATA\r\nSubject: stand-alone\r\n\r\nhi\r\n.\r\nQUIT\r\n")
        r = subprocess.run([os.path.join(ternlib.BIN, "smtpd"), "-S", "-c", self.t.etc],
                           input=dialogue, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rb"\r\n250 2\.0\.0 Ok: queued as [0-9A-F]+\r\n221 ")
        files = self.t.wait_messages("bob", 1)
        with open(files[0], "rb") as f:
            self.assertIn(b"Subject: stand-alone", f.read())

    def test_parallel_load_200(self):
        n_conn, per_conn = 10, 20
        errors = []

        def worker(k):
            try:
                with self.t.smtp() as s:
                    for j in range(per_conn):
                        s.sendmail("load@example.org", ["alice@example.test"],
                                   ("Subject: load %d-%d\r\nX-Seq: %d-%d\r\n\r\n"
                                    "payload\r\n" % (k, j, k, j)).encode())
            except Exception as e:  # reported below
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_conn)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        self.assertEqual(errors, [])
        files = self.t.wait_messages("alice", 200, timeout=120)
        seqs = []
        for p in files:
            with open(p, "rb") as f:
                seqs.append(re.search(rb"\nX-Seq: (\d+-\d+)\n", f.read()).group(1))
        self.assertEqual(len(seqs), 200)
        self.assertEqual(len(set(seqs)), 200, "duplicates delivered")
        ternlib.wait_for(lambda: self.t.queue_files() == [], what="empty queue")


if __name__ == "__main__":
    unittest.main()
