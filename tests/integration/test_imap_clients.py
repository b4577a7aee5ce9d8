# SPDX-License-Identifier: MIT
"""imapd as the common mail clients drive it: the command sequences that
Thunderbird, Apple Mail and Outlook send on a session (as their protocol
logs show them, with their own ID strings, HEADER.FIELDS lists, partial
fetches of MIME parts, pipelined commands, IDLE, MOVE, COPY with UID
EXPUNGE, APPEND to Sent), sent over implicit TLS (port 993's service;
Outlook's without TLS, on loopback, with commands pipelined behind its
login, which the login process hands on with the connection) by a raw
client that reads every response whole, literals included.
Each command must end in a tagged OK with the responses the RFCs give
(COPYUID, APPENDUID, untagged EXPUNGE after MOVE, EXISTS during IDLE),
and the octets a client asks for must be the message's."""
import base64
import os
import re
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

PLAIN = (
    "From: Carol <carol@example.org>\r\n"
    "To: alice@example.test\r\n"
    "Subject: lunch on friday\r\n"
    "Date: Tue, 01 Dec 2026 10:00:00 +0100\r\n"
    "Message-ID: <plain@example.org>\r\n"
    "X-Priority: 3\r\n"
    "\r\n"
    "See you at noon.\r\n")

MIXED = (
    "From: Dave <dave@example.org>\r\n"
    "To: alice@example.test\r\n"
    "Subject: the report\r\n"
    "Date: Wed, 02 Dec 2026 11:00:00 +0100\r\n"
    "Message-ID: <mixed@example.org>\r\n"
    "In-Reply-To: <plain@example.org>\r\n"
    "References: <plain@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "The numbers are attached.\r\n"
    "--b1\r\n"
    "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
    "\r\n"
    "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n"
    "--b1--\r\n")

RE_LITERAL = re.compile(rb"\{(\d+)\}\r\n$")


class Raw:
    """One IMAP connection over TLS: commands go out as given, responses
    are read whole (a line with a literal goes on after its octets)."""

    def __init__(self, port, tls=True):
        sock = socket.create_connection(("127.0.0.1", port),
                                        timeout=30 * ternlib.SLOW)
        self.s = sock if not tls else ternlib.tls_context().wrap_socket(
            sock, server_hostname="localhost")
        self.f = self.s.makefile("rb")
        self.n = 0
        self.greeting = self.response()

    def response(self):
        """One response: its text with every literal inline."""
        out = b""
        while True:
            line = self.f.readline(1 << 20)
            if not line:
                raise EOFError("connection closed after %r" % out[-200:])
            out += line
            m = RE_LITERAL.search(line)
            if not m:
                return out
            out += self.f.read(int(m.group(1)))

    def send(self, text):
        self.s.sendall(text if isinstance(text, bytes) else text.encode())

    def tag(self):
        self.n += 1
        return "c%d" % self.n

    def until(self, tag):
        """The untagged responses and the tagged one of tag."""
        got = []
        while True:
            r = self.response()
            got.append(r)
            if r.startswith(tag.encode() + b" "):
                return got[:-1], r

    def cmd(self, text):
        t = self.tag()
        self.send("%s %s\r\n" % (t, text))
        return self.until(t)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class ImapClientsTest(ternlib.AccessTest):
    def setUp(self):
        super().setUp()
        self.start_service("imapd", cn="localhost")
        s = self.t.smtp()
        s.sendmail("carol@example.org", ["alice@example.test"], PLAIN)
        s.sendmail("dave@example.org", ["alice@example.test"], MIXED)
        s.quit()
        ternlib.wait_for(
            lambda: len(self.t.messages("alice")) +
            len(self.t.messages("alice", "cur")) >= 2, what="delivery")

    def ok(self, result, *want):
        untagged, tagged = result
        self.assertRegex(tagged, rb"^c\d+ OK", (untagged, tagged))
        text = b"".join(untagged) + tagged
        for w in want:
            self.assertRegex(text, w)
        return text

    def connect(self, tls=True):
        c = Raw(self.tls_port if tls else self.port, tls)
        self.addCleanup(c.close)
        self.assertTrue(c.greeting.startswith(b"* OK"), c.greeting)
        return c

    def uid_of(self, c, message_id):
        found = self.ok(c.cmd("UID SEARCH HEADER Message-ID %s" % message_id))
        return int(re.search(rb"\* SEARCH (\d+)\r\n", found).group(1))

    def deliver(self, text):
        s = self.t.smtp()
        s.sendmail("erin@example.org", ["alice@example.test"], text)
        s.quit()

    def test_thunderbird(self):
        c = self.connect()
        caps = self.ok(c.cmd("capability"), rb"IMAP4rev1", rb"IDLE")
        self.assertIn(b"AUTH=PLAIN", caps)
        self.ok(c.cmd('login "alice" "alice pw"'))
        self.ok(c.cmd('ID ("name" "Thunderbird" "version" "128.5.0")'),
                rb'\* ID \(')
        self.ok(c.cmd("namespace"), rb'\* NAMESPACE \(\("" "[./]"\)\)')
        lst = self.ok(c.cmd('list (subscribed) "" "*" return (special-use)'))
        for folder in (b"Sent", b"Trash", b"Drafts"):
            self.assertIn(folder, lst)
        self.assertIn(b"\\Sent", lst)
        self.ok(c.cmd('list "" "INBOX"'), rb'\* LIST \([^)]*\) "[./]" '
                rb'"?INBOX"?')
        sel = self.ok(c.cmd('select "INBOX"'), rb"\* 2 EXISTS",
                      rb"UIDVALIDITY \d+", rb"UIDNEXT \d+",
                      rb"PERMANENTFLAGS")
        self.assertIn(b"[READ-WRITE]", sel)
        self.ok(c.cmd("UID fetch 1:* (FLAGS)"), rb"\* 1 FETCH \(",
                rb"\* 2 FETCH \(")
        hdr = self.ok(c.cmd(
            "UID fetch 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS "
            "(From To Cc Bcc Subject Date Message-ID Priority X-Priority "
            "References Newsgroups In-Reply-To Content-Type Reply-To)])"))
        self.assertIn(b"Subject: lunch on friday\r\n", hdr)
        self.assertIn(b"X-Priority: 3\r\n", hdr)
        self.assertIn(b"Content-Type: multipart/mixed;", hdr)
        self.assertNotIn(b"MIME-Version", hdr)
        uids = [int(u) for u in re.findall(rb"UID (\d+)", hdr)]
        self.assertEqual(len(uids), 2)
        # The message of that subject: its UID from its own response.
        lunch = int(re.search(rb"UID (\d+)[^{]*\{\d+\}\r\n[^)]*"
                              rb"Subject: lunch", hdr).group(1))
        uids.remove(lunch)
        uids.insert(0, lunch)
        body = self.ok(c.cmd("UID fetch %d (UID RFC822.SIZE BODY.PEEK[])"
                             % lunch))
        size = int(re.search(rb"RFC822\.SIZE (\d+)", body).group(1))
        literal = re.search(rb"BODY\[\] \{(\d+)\}\r\n", body)
        self.assertEqual(size, int(literal.group(1)))
        self.assertTrue(body[literal.end():literal.end() + size]
                        .endswith(PLAIN.encode()))
        self.ok(c.cmd("uid store %d +Flags (\\Seen)" % uids[0]),
                rb"FLAGS \([^)]*\\Seen")
        # IDLE: a delivery meanwhile is told at once (RFC 2177).
        t = c.tag()
        c.send("%s IDLE\r\n" % t)
        self.assertTrue(c.response().startswith(b"+"))
        self.deliver(PLAIN.replace("<plain@", "<third@"))
        while True:
            r = c.response()
            if re.match(rb"\* 3 EXISTS", r):
                break
        c.send("DONE\r\n")
        _, tagged = c.until(t)
        self.assertRegex(tagged, rb"OK")
        # MOVE to Trash (RFC 6851): COPYUID, then EXPUNGE.
        mv = self.ok(c.cmd('UID move %d "Trash"' % uids[0]),
                     rb"COPYUID \d+ %d 1\]" % uids[0], rb"\* [12] EXPUNGE")
        self.assertEqual(mv.count(b"EXPUNGE"), 1)
        # The sent copy, with a synchronizing literal.
        sent = ("From: alice@example.test\r\nTo: carol@example.org\r\n"
                "Subject: re: lunch\r\n\r\nYes.\r\n")
        t = c.tag()
        c.send('%s append "Sent" (\\Seen) "04-Dec-2026 12:00:00 +0100" '
               '{%d}\r\n' % (t, len(sent)))
        self.assertTrue(c.response().startswith(b"+"))
        c.send(sent + "\r\n")
        _, tagged = c.until(t)
        self.assertRegex(tagged, rb"OK \[APPENDUID \d+ 1\]")
        self.ok(c.cmd("noop"))
        self.ok(c.cmd("logout"), rb"\* BYE")

    def test_apple_mail(self):
        c = self.connect()
        self.ok(c.cmd('ID ("name" "Mac OS X Mail" "version" "16.0 (3774)" '
                      '"os" "Mac OS X" "os-version" "14.0 (23A344)" '
                      '"vendor" "Apple Inc.")'), rb"\* ID ")
        self.ok(c.cmd('LOGIN "alice" "alice pw"'))
        self.ok(c.cmd("CAPABILITY"), rb"\* CAPABILITY ")
        self.ok(c.cmd('LIST "" ""'), rb'\* LIST \(\\Noselect\) "[./]" ""')
        self.ok(c.cmd('LSUB "" "*"'), rb"\* LSUB ")
        self.ok(c.cmd('STATUS "INBOX" (MESSAGES UNSEEN UIDNEXT '
                      'UIDVALIDITY)'), rb"\* STATUS \"?INBOX\"? \(MESSAGES 2")
        self.ok(c.cmd("SELECT INBOX"), rb"\* 2 EXISTS")
        # Pipelined, as Apple Mail sends them.
        t1, t2 = c.tag(), c.tag()
        c.send("%s UID SEARCH 1:* NOT DELETED\r\n"
               "%s UID FETCH 1:* (FLAGS UID)\r\n" % (t1, t2))
        u1, r1 = c.until(t1)
        self.assertRegex(r1, rb"OK")
        self.assertRegex(b"".join(u1), rb"\* SEARCH \d+ \d+")
        u2, r2 = c.until(t2)
        self.assertRegex(r2, rb"OK")
        self.assertEqual(len(re.findall(rb"UID (\d+)", b"".join(u2))), 2)
        mixed = self.uid_of(c, "<mixed@example.org>")
        head = self.ok(c.cmd(
            "UID FETCH %d (INTERNALDATE UID RFC822.SIZE FLAGS "
            "BODY.PEEK[HEADER.FIELDS (date subject from to cc message-id "
            "in-reply-to references content-type x-priority "
            "x-uniform-type-identifier x-universally-unique-identifier "
            "list-id list-unsubscribe)])" % mixed))
        self.assertIn(b"In-Reply-To: <plain@example.org>\r\n", head)
        self.assertIn(b'INTERNALDATE "', head)
        bs = self.ok(c.cmd("UID FETCH %d (BODYSTRUCTURE)" % mixed))
        self.assertRegex(bs, rb'\(\("TEXT" "PLAIN" \("CHARSET" "utf-8"\)'
                         rb' NIL NIL "8BIT" \d+ \d+')
        self.assertIn(b'"APPLICATION" "PDF"', bs)
        self.assertIn(b'"MIXED" ("BOUNDARY" "b1")', bs)
        # A part's MIME header and its first octets.
        part = self.ok(c.cmd("UID FETCH %d (BODY.PEEK[1.MIME] "
                             "BODY.PEEK[1]<0.10>)" % mixed))
        self.assertIn(b"BODY[1.MIME] {", part)
        self.assertIn(b"Content-Type: text/plain; charset=utf-8\r\n"
                      b"Content-Transfer-Encoding: 8bit\r\n\r\n", part)
        self.assertIn(b'BODY[1]<0> {10}\r\nThe number', part)
        self.ok(c.cmd("UID STORE %d +FLAGS.SILENT (\\Seen)" % mixed))
        # Archive: COPY, \Deleted, UID EXPUNGE of that one (UIDPLUS).
        self.ok(c.cmd('UID COPY %d "Archive"' % mixed),
                rb"COPYUID \d+ %d 1" % mixed)
        self.ok(c.cmd("UID STORE %d +FLAGS.SILENT (\\Deleted)" % mixed))
        self.ok(c.cmd("UID EXPUNGE %d" % mixed), rb"\* [12] EXPUNGE")
        self.ok(c.cmd('STATUS "Archive" (MESSAGES)'),
                rb"\(MESSAGES 1\)")
        self.ok(c.cmd("LOGOUT"))

    def test_pipelined_behind_login(self):
        # 2,000 commands in the same write as LOGIN, without TLS: more
        # than the login process buffers; the session answers each.
        c = self.connect(tls=False)
        c.send(b'L LOGIN alice "alice pw"\r\n' + b"".join(
            b"n%d NOOP\r\n" % i for i in range(2000)))
        _, tagged = c.until("L")
        self.assertRegex(tagged, rb"^L OK")
        for i in range(2000):
            _, tagged = c.until("n%d" % i)
            self.assertRegex(tagged, rb"^n%d OK" % i)
        self.ok(c.cmd("LOGOUT"))

    def test_outlook(self):
        # Without TLS (loopback): the login process hands the connection
        # itself to the session, with the bytes pipelined behind the login.
        c = self.connect(tls=False)
        self.ok(c.cmd("CAPABILITY"))
        # AUTHENTICATE PLAIN with the response on its own line.
        t = c.tag()
        c.send("%s AUTHENTICATE PLAIN\r\n" % t)
        self.assertTrue(c.response().startswith(b"+"))
        # The response, and two commands in the same write.
        c.send(base64.b64encode(b"\0alice\0alice pw") + b"\r\n"
               b"p1 NOOP\r\np2 LIST \"\" INBOX\r\n")
        _, tagged = c.until(t)
        self.assertRegex(tagged, rb"OK")
        self.assertRegex(c.until("p1")[1], rb"^p1 OK")
        self.assertRegex(b"".join(c.until("p2")[0]), rb"INBOX")
        lst = self.ok(c.cmd('LIST "" "*"'))
        self.assertIn(b"INBOX", lst)
        self.ok(c.cmd('SELECT "INBOX"'), rb"\* 2 EXISTS")
        all_ = self.ok(c.cmd("UID FETCH 1:* (UID FLAGS)"))
        uids = [int(x) for x in re.findall(rb"UID (\d+)", all_)]
        mixed = self.uid_of(c, "<mixed@example.org>")
        plain = self.uid_of(c, "<plain@example.org>")
        self.assertEqual(sorted(uids), sorted([mixed, plain]))
        env = self.ok(c.cmd("UID FETCH %d:%d (UID RFC822.SIZE FLAGS "
                            "INTERNALDATE BODY.PEEK[HEADER])"
                            % (min(uids), max(uids))))
        self.assertIn(b"Message-ID: <plain@example.org>\r\n", env)
        self.assertEqual(env.count(b"BODY[HEADER] {"), 2)
        body = self.ok(c.cmd("UID FETCH %d (UID RFC822.SIZE BODY.PEEK[])"
                             % mixed))
        self.assertIn(MIXED.encode(), body)
        self.ok(c.cmd("UID STORE %d +FLAGS (\\Seen \\Answered)" % plain),
                rb"\\Answered")
        self.ok(c.cmd("UID SEARCH UNDELETED UNSEEN"),
                rb"\* SEARCH %d\r\n" % mixed)
        self.ok(c.cmd("UID STORE %d +FLAGS (\\Deleted)" % mixed))
        self.ok(c.cmd("EXPUNGE"), rb"\* \d EXPUNGE")
        self.ok(c.cmd('STATUS "Sent" (MESSAGES UIDNEXT UNSEEN)'),
                rb"MESSAGES 0")
        self.ok(c.cmd("CHECK"))
        self.ok(c.cmd("LOGOUT"))


if __name__ == "__main__":
    unittest.main()
