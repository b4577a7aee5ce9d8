"""CHUNKING (RFC 3030) on receipt: smtpd offers it (not BINARYMIME) and
takes BDAT <size> [LAST]. Chunks are counted octets, read whatever the
answer (so the session stays in step), and stored exactly as DATA stores
the same message: CRLF as LF, also when a CRLF is cut between two chunks,
and a "." line is content. The size limit, the 503s of a bad sequence,
RSET and a malformed size (521 and hang up, as Postfix) are checked over a
raw socket: smtplib has no BDAT."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402
from test_smtp_errors import Raw  # noqa: E402
from test_smtpd_deadline import TIMEOUT_REPLY, trickle  # noqa: E402

LIMIT = 2000


def bdat(data, last=False):
    """One BDAT command with its chunk, as bytes on the wire."""
    return b"BDAT %d%s\r\n" % (len(data), b" LAST" if last else b"") + data


class BdatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = ternlib.Instance(users=("alice", "bob", "carol", "dave", "erin"),
                                 main={"message_size_limit": str(LIMIT)})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def session(self):
        r = Raw(self.t.port)
        code, lines = r.cmd("EHLO c.example.org")
        self.assertEqual(code, 250)
        return r, lines

    def replies(self, r, n):
        return [r.reply() for _ in range(n)]

    def stored(self, user, n=1):
        files = self.t.wait_messages(user, n)
        with open(files[-1], "rb") as f:
            return f.read()

    def test_ehlo_offers_chunking_not_binarymime(self):
        r, lines = self.session()
        self.assertIn("250-CHUNKING", lines)
        self.assertFalse([l for l in lines if "BINARYMIME" in l], lines)
        code, lines = r.cmd("MAIL FROM:<a@example.org> BODY=BINARYMIME")
        self.assertEqual(code, 501, lines)
        r.close()

    def test_pipelined_chunks_stored_as_data(self):
        # The message cut in awkward places: a CRLF between two chunks,
        # "Message-ID:" cut in two, a line of a single "." and one that
        # starts with "..", a bare CR and a bare LF, no line end at the
        # very end, and an empty BDAT 0 LAST.
        chunks = [b"Subject: chunks\r\nMessage-", b"ID: <split@c.example.org>\r",
                  b"\n\r\nline one\r\n.\r\n..two\r\nbare\rcr bare\nlf\r",
                  b"\n.\r\nlast line without end"]
        content = b"".join(chunks)
        wire = b"MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.test>\r\n"
        wire += b"".join(bdat(c) for c in chunks) + bdat(b"", last=True)
        r, _ = self.session()
        r.sock.sendall(wire)
        got = self.replies(r, 2 + len(chunks) + 1)
        self.assertEqual([c for c, _ in got[:2]], [250, 250], got)
        for (code, lines), chunk in zip(got[2:-1], chunks):
            self.assertEqual(lines, ["250 2.0.0 Ok: %d bytes" % len(chunk)])
        m = re.match(r"250 2\.0\.0 Ok: queued as ([0-9A-Z]+)$", got[-1][1][0])
        self.assertTrue(m, got[-1])
        qid = m.group(1)
        self.assertEqual(r.cmd("QUIT")[0], 221)
        r.close()
        data = self.stored("alice")
        # Stored as DATA would: CRLF as LF, a bare CR or LF as it came,
        # the dots untouched (BDAT has no transparency).
        want = content.replace(b"\r\n", b"\n")
        self.assertTrue(data.endswith(b"\n" + want), data)
        self.assertIn(b"\n.\n..two\nbare\rcr bare\nlf\n.\nlast line", data)
        self.assertIn(b"with ESMTP id %s" % qid.encode(), data)
        # The same log lines as DATA: the split Message-ID was seen,
        # and qmgr counts the size of what was received.
        self.t.wait_log("%s: message-id=<split@c.example.org>" % qid)
        self.t.wait_log("%s: from=<a@example.org>, size=" % qid)
        ternlib.wait_for(lambda: re.search(
            r"disconnect from localhost\[127\.0\.0\.1\] ehlo=1 mail=1 rcpt=1 "
            r"bdat=5 quit=1 commands=9$", self.t.log(), re.M), what="disconnect line")

    def test_same_message_by_data_and_by_bdat(self):
        body = (b"Subject: twins\r\n\r\n.leading dot\r\nplain\r\n"
                + b"x" * 300 + b"\r\n")
        r, _ = self.session()
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<bob@example.test>")[0], 250)
        self.assertEqual(r.cmd("DATA")[0], 354)
        stuffed = b"\r\n".join(b"." + l if l.startswith(b".") else l
                               for l in body.split(b"\r\n"))
        self.assertEqual(r.cmd(stuffed + b".\r\n")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<bob@example.test>")[0], 250)
        # Every chunk one octet: each CRLF is cut.
        r.sock.sendall(b"".join(bdat(body[i:i + 1]) for i in range(len(body) - 1))
                       + bdat(body[-1:], last=True))
        got = self.replies(r, len(body))
        self.assertTrue(all(c == 250 for c, _ in got), got[-3:])
        self.assertIn("queued as", got[-1][1][0])
        r.close()
        files = self.t.wait_messages("bob", 2)
        contents = []
        for name in files:
            with open(name, "rb") as f:
                contents.append(f.read().split(b"\n\n", 1)[1])
        self.assertEqual(contents[0], contents[1])
        self.assertEqual(contents[0], b".leading dot\nplain\n" + b"x" * 300 + b"\n")

    def test_hops_counted_across_chunks(self):
        # hopcount_limit (50) Received: headers, each cut in two between
        # chunks: they are counted all the same.
        chunks = []
        for i in range(50):
            chunks += [b"Rec", b"eived: from hop%d\r\n" % i]
        chunks.append(b"Subject: loop\r\n\r\nbody\r\n")
        r, _ = self.session()
        self.assertEqual(r.cmd("MAIL FROM:<loop@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<carol@example.test>")[0], 250)
        r.sock.sendall(b"".join(bdat(c) for c in chunks) + bdat(b"", last=True))
        got = [c for c, _ in self.replies(r, len(chunks) + 1)]
        # Refused at the chunk that completed the 50th; the chunks after
        # it are read and refused, the transaction being over.
        self.assertEqual(got, [250] * 99 + [554] + [503] * 2, got)
        self.assertEqual(r.cmd("NOOP")[0], 250)
        r.close()
        self.t.wait_log("reject: BDAT from localhost[127.0.0.1]: 554 5.4.6 Too many hops")

    def test_single_last_chunk_and_8bit_utf8(self):
        # BODY=8BITMIME and SMTPUTF8 work with BDAT as with DATA.
        text = "Subject: gr\u00fc\u00dfe\r\n\r\nhej d\u00e5\r\n".encode()
        r, _ = self.session()
        self.assertEqual(r.cmd("MAIL FROM:<\u00e5sa@example.org> BODY=8BITMIME SMTPUTF8")[0],
                         250)
        self.assertEqual(r.cmd("RCPT TO:<nobody@example.test>")[0], 550)
        self.assertEqual(r.cmd("RCPT TO:<carol+x@example.test>")[0], 250)
        code, lines = r.cmd(bdat(text, last=True))
        self.assertEqual(code, 250, lines)
        self.assertIn("queued as", lines[0])
        r.close()
        data = self.stored("carol")
        self.assertTrue(data.endswith(text.replace(b"\r\n", b"\n")), data)

    def test_over_the_limit(self):
        before = set(self.t.messages("dave"))
        r, _ = self.session()
        # Within the limit per chunk, over it together: 552 after the
        # chunk that went over, and the session goes on.
        self.assertEqual(r.cmd("MAIL FROM:<big@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<dave@example.test>")[0], 250)
        self.assertEqual(r.cmd(bdat(b"Subject: big\r\n\r\n" + b"y" * 1480))[0], 250)
        code, lines = r.cmd(bdat(b"z" * 600, last=True))
        self.assertEqual(lines, ["552 5.3.4 Message size exceeds fixed limit"])
        self.assertEqual(r.cmd("NOOP")[0], 250)
        # One chunk far over the limit, holding command lines that must
        # not run: all of it is read first, then 552.
        self.assertEqual(r.cmd("MAIL FROM:<big@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<dave@example.test>")[0], 250)
        chunk = b"RSET\r\nQUIT\r\n" + b"w" * (3 * LIMIT)
        code, lines = r.cmd(bdat(chunk))
        self.assertEqual(lines, ["552 5.3.4 Message size exceeds fixed limit"])
        # The transaction is over: a further chunk needs a new MAIL,
        # and is read all the same.
        code, lines = r.cmd(bdat(b"NOOP\r\n", last=True))
        self.assertEqual(lines, ["503 5.5.1 Error: need MAIL command"])
        self.assertEqual(r.cmd("NOOP")[0], 250)
        # Exactly the limit (CRLF counts two) is accepted.
        msg = b"Subject: fits\r\n\r\n"
        msg += b"f" * (LIMIT - len(msg) - 2) + b"\r\n"
        self.assertEqual(r.cmd("MAIL FROM:<big@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<dave@example.test>")[0], 250)
        code, lines = r.cmd(bdat(msg[:1000]) + bdat(msg[1000:], last=True))
        self.assertEqual(code, 250, lines)
        code, lines = r.reply()
        self.assertIn("queued as", lines[0])
        r.close()
        self.t.wait_log("reject: BDAT from localhost[127.0.0.1]: 552 5.3.4 Message size "
                        "exceeds fixed limit; from=<big@example.org> proto=ESMTP "
                        "helo=<c.example.org>")
        ternlib.wait_for(lambda: len(set(self.t.messages("dave")) - before) == 1,
                         what="one new message for dave")
        new = (set(self.t.messages("dave")) - before).pop()
        with open(new, "rb") as f:
            self.assertIn(b"Subject: fits", f.read())

    def test_sequence_errors(self):
        r, _ = self.session()
        # Without MAIL, without RCPT: 503 after the chunk is read (the
        # chunk holds commands, which must not run).
        code, lines = r.cmd(bdat(b"MAIL FROM:<x@example.org>\r\n"))
        self.assertEqual(lines, ["503 5.5.1 Error: need MAIL command"])
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        code, lines = r.cmd(bdat(b"RCPT TO:<erin@example.test>\r\n", last=True))
        self.assertEqual(lines, ["503 5.5.1 Error: need RCPT command"])
        self.assertEqual(r.cmd("NOOP")[0], 250)
        # DATA or RCPT after BDAT: 503, and the message stays as it was.
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<bob@example.test>")[0], 250)
        self.assertEqual(r.cmd(bdat(b"Subject: x\r\n"))[0], 250)
        self.assertEqual(r.cmd("DATA")[1], ["503 5.5.1 Error: DATA after BDAT"])
        self.assertEqual(r.cmd("RCPT TO:<erin@example.test>")[1],
                         ["503 5.5.1 Error: RCPT after BDAT"])
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 503)
        # RSET drops the chunks (and the temporary queue file); a new
        # message is then delivered once, without the dropped chunk.
        temp = [n for n in self.t.queue_files("incoming") if n.startswith("t")]
        self.assertEqual(len(temp), 1, temp)
        self.assertEqual(r.cmd("RSET")[0], 250)
        self.assertFalse(os.path.exists(os.path.join(self.t.spool, "incoming", temp[0])))
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<erin@example.test>")[0], 250)
        before = len(self.t.messages("erin"))
        code, lines = r.cmd(bdat(b"Subject: after rset\r\n\r\nonce\r\n", last=True))
        self.assertIn("queued as", lines[0])
        # After LAST the transaction is over.
        code, lines = r.cmd(bdat(b"more", last=True))
        self.assertEqual(lines, ["503 5.5.1 Error: need MAIL command"])
        self.assertEqual(r.cmd("QUIT")[0], 221)
        r.close()
        files = self.t.wait_messages("erin", before + 1)
        with open(files[-1], "rb") as f:
            data = f.read()
        self.assertTrue(data.endswith(b"Subject: after rset\n\nonce\n"), data)
        self.assertNotIn(b"Subject: x", data)
        self.assertEqual(len(self.t.messages("erin")), before + 1)
        ternlib.wait_for(lambda: re.search(
            r"disconnect from localhost\[127\.0\.0\.1\] ehlo=1 mail=3/4 rcpt=2/3 "
            r"data=0/1 bdat=2/5 rset=1 noop=1 quit=1 commands=11/17$",
            self.t.log(), re.M), what="disconnect line")

    def test_malformed_size_hangs_up(self):
        for args in ("", "x", "-1", "+1", "1x", "0x10", "99999999999999999999",
                     "10 LAST more", "10 FIRST", " "):
            r, _ = self.session()
            self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
            code, lines = r.cmd("BDAT " + args if args.strip() else "BDAT")
            self.assertEqual(lines, ["521 5.5.4 Syntax: BDAT count [LAST]"], args)
            self.assertEqual(r.reply(), (None, []), args)
            r.close()
        self.t.wait_log("warning: malformed BDAT command syntax from "
                        "localhost[127.0.0.1]: 99999999999999999999")


class BdatDeadlineTest(unittest.TestCase):
    """A chunk has DATA's deadline: smtpd_timeout plus one second per
    smtpd_min_data_rate octets, however the octets are paced. The default
    message_size_limit here: chunks larger than smtpd's read buffer."""

    @classmethod
    def setUpClass(cls):
        cls.t = ternlib.Instance(main={"smtpd_timeout": "2s",
                                       "smtpd_min_data_rate": "1000"})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def test_large_chunks(self):
        # Chunks of several read buffers (16 KiB), pipelined, the first
        # ending in CR and the next starting with LF, then a command.
        line = b"0123456789" * 7 + b"\r\n"
        body = b"Subject: large\r\n\r\n" + line * 1500
        first = body.index(b"\r\n", 40000) + 1
        cuts = [0, first, 80000, len(body)]
        wire = b"EHLO c.example.org\r\nMAIL FROM:<a@example.org>\r\n"
        wire += b"RCPT TO:<alice@example.test>\r\n"
        for i in range(3):
            wire += bdat(body[cuts[i]:cuts[i + 1]], last=i == 2)
        r = Raw(self.t.port)
        r.sock.sendall(wire + b"NOOP\r\n")
        got = [r.reply() for _ in range(7)]
        self.assertEqual([c for c, _ in got], [250] * 7, got)
        self.assertEqual(got[3][1], ["250 2.0.0 Ok: %d bytes" % first])
        self.assertIn("queued as", got[5][1][0])
        r.close()
        files = self.t.wait_messages("alice", 1)
        with open(files[0], "rb") as f:
            self.assertTrue(f.read().endswith(b"\n" + body.replace(b"\r\n", b"\n")))

    def test_chunk_trickle_cut_off(self):
        r = Raw(self.t.port)
        self.assertEqual(r.cmd("EHLO c.example.org")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<bob@example.test>")[0], 250)
        self.assertEqual(r.cmd(bdat(b"Subject: slow\r\n"))[0], 250)
        # 2000 octets at once earn 2 s on top of the 2 s; then a byte a
        # second, which smtpd_timeout alone would never stop.
        r.sock.sendall(b"BDAT 100000 LAST\r\n" + b"x" * 2000)
        took, said = trickle(r.sock, r.f, [b"y"])
        r.close()
        self.assertEqual(said, TIMEOUT_REPLY)
        self.assertGreater(took, 3.0)
        self.assertLess(took, 8 * ternlib.SLOW)
        ternlib.wait_for(lambda: re.search(
            r"timeout after BDAT \(20\d\d bytes\) from localhost\[127\.0\.0\.1\]",
            self.t.log()), what="timeout line")
        # The temporary queue file went with the session.
        ternlib.wait_for(lambda: self.t.queue_files() == [], what="empty queue")


if __name__ == "__main__":
    unittest.main()
