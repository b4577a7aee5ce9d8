# SPDX-License-Identifier: MIT
"""imapd after the login, as IMAP clients see it: Python's imaplib reads,
searches, flags, copies, moves, appends and expunges mail that smtpd
delivered; FETCH gives ENVELOPE, BODYSTRUCTURE of nested MIME, sections,
partial octets and decoded BINARY; a new user finds Sent, Drafts, Trash,
Junk and Archive with their SPECIAL-USE attributes; folders are created,
renamed, deleted and subscribed; two sessions on one mailbox see each
other's flags and expunges and new deliveries, at the next command and
during IDLE; mbsync syncs both ways and a second run changes nothing; mutt
reads, flags and moves mail in batch mode; a Maildir Dovecot 2.3 made
shows Tern the same UIDs, UIDVALIDITY and keywords, and the reverse; the
logout line is Dovecot's; SEARCH finds text in KOI8-R and ISO-8859-15
through iconv, with CHARSET strings in other charsets than UTF-8."""
import imaplib
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

ctx = ternlib.tls_context
DOVECOT_IMAP = "/usr/lib/dovecot/imap"

MIXED = (
    "From: Carol <carol@example.org>\r\n"
    "To: alice@example.test\r\n"
    "Subject: =?utf-8?q?caf=C3=A9?= report\r\n"
    "Date: Tue, 01 Dec 2026 10:00:00 +0100\r\n"
    "Message-ID: <mixed@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
    "\r\n"
    "--alt\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "plain words\r\n"
    "--alt\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>html words</p>\r\n"
    "--alt--\r\n"
    "--outer\r\n"
    "Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
    "\r\n"
    "AAECAwRoZWxsbw==\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: dave@example.org\r\n"
    "Subject: inner\r\n"
    "\r\n"
    "inner body\r\n"
    "--outer--\r\n")


class ImapdTest(ternlib.AccessTest):
    def start(self, **main):
        # mbsync checks the name it connects to: "localhost".
        t = self.start_service("imapd", cn="localhost", **main)
        self.imap = self.port
        return t

    def deliver(self, *texts, to="alice"):
        before = len(self.t.messages(to)) + len(self.t.messages(to, "cur"))
        s = self.t.smtp()
        for text in texts:
            s.sendmail("carol@example.org", ["%s@example.test" % to], text)
        s.quit()
        ternlib.wait_for(
            lambda: len(self.t.messages(to)) + len(self.t.messages(to, "cur"))
            >= before + len(texts), what="delivery")

    def login(self, user="alice", password="alice pw"):
        m = imaplib.IMAP4("127.0.0.1", self.imap, timeout=30 * ternlib.SLOW)
        m.starttls(ssl_context=ctx())
        m.login(user, password)
        return m

    def ok(self, r):
        typ, data = r
        self.assertEqual(typ, "OK", data)
        return data

    def test_read_flag_search_copy_move(self):
        t = self.start()
        self.deliver(MIXED)
        self.deliver("Subject: second\r\n\r\nsecond body\r\n")
        self.deliver("Subject: third\r\nX-Tag: blue\r\n\r\nthird\r\n")
        m = self.login()
        # A new user's folders, with SPECIAL-USE (RFC 6154).
        lst = b"\n".join(self.ok(m.list()))
        for name, use in (("Sent", "Sent"), ("Drafts", "Drafts"),
                          ("Trash", "Trash"), ("Junk", "Junk"),
                          ("Archive", "Archive")):
            self.assertRegex(lst, rb'\(.*\\%s.*\) "/" "?%s"?'
                             % (use.encode(), name.encode()))
        self.assertIn(b'"/" "INBOX"', lst)
        # STATUS only looks: the new messages stay \Recent for the
        # session that selects the folder (RFC 3501 2.3.1.2), and stay
        # in new/.
        typ, data = m.status("INBOX", "(MESSAGES RECENT UNSEEN SIZE)")
        self.assertRegex(data[0], rb"\(MESSAGES 3 RECENT 3 UNSEEN 3 SIZE "
                         rb"[1-9][0-9]*\)")
        self.assertEqual(len(t.messages("alice")), 3)
        typ, data = m.select("INBOX")
        self.assertEqual(data, [b"3"])
        self.assertEqual(m.untagged_responses.get("RECENT"), [b"3"])
        # Now that the folder has a UID list, local gives the next
        # delivery its UID at once (as Dovecot's LDA does).
        self.deliver("Subject: fourth\r\n\r\nfour\r\n")
        new = os.path.basename(t.messages("alice")[0])
        uidlist = os.path.join(t.maildir("alice"), "dovecot-uidlist")

        def numbered():
            with open(uidlist) as f:
                return ("\n4 :%s\n" % new) in f.read()
        ternlib.wait_for(numbered, what="UID 4 in dovecot-uidlist")
        self.ok(m.noop())
        self.assertEqual(m.untagged_responses.get("EXISTS")[-1], b"4")
        # FETCH: envelope, structure, sections, partial, BINARY.
        d = self.ok(m.fetch("1", "(FLAGS RFC822.SIZE INTERNALDATE "
                                 "ENVELOPE)"))
        whole = self.ok(m.fetch("1", "(BODY.PEEK[])"))[0][1]
        self.assertTrue(whole.endswith(MIXED.encode()), whole)
        self.assertIn(b"RFC822.SIZE %d " % len(whole), d[0])
        self.assertIn(b'ENVELOPE ("Tue, 01 Dec 2026 10:00:00 +0100" '
                      b'"=?utf-8?q?caf=C3=A9?= report" (("Carol" NIL '
                      b'"carol" "example.org"))', d[0])
        self.assertIn(b'"<mixed@example.org>")', d[0])
        d = self.ok(m.fetch("1", "(BODYSTRUCTURE)"))
        bs = d[0].upper()
        self.assertRegex(bs, rb'\(\(\("TEXT" "PLAIN" \("CHARSET" "UTF-8"\)'
                         rb' NIL NIL "7BIT" 11 0 .*\)\("TEXT" "HTML" .*'
                         rb'"ALTERNATIVE" .*\)\("APPLICATION" '
                         rb'"OCTET-STREAM" \("NAME" "DATA.BIN"\) NIL NIL '
                         rb'"BASE64" 16 .*\)\("MESSAGE" "RFC822" NIL NIL NIL'
                         rb' "7BIT" \d+ \(NIL "INNER" .*"MIXED"')
        d = self.ok(m.fetch("1", "(BODY.PEEK[1.1] BODY.PEEK[3.HEADER.FIELDS "
                                 "(SUBJECT)] BODY.PEEK[1.2]<3.4>)"))
        self.assertEqual(d[0][1], b"plain words")
        self.assertEqual(d[1][1], b"Subject: inner\r\n\r\n")
        self.assertEqual(d[2][1], b"html")
        d = self.ok(m.fetch("1", "(BINARY.PEEK[2] BINARY.SIZE[2])"))
        self.assertEqual(d[0][1], b"\x00\x01\x02\x03\x04hello")
        self.assertIn(b"BINARY.SIZE[2] 10", d[0][0] + d[1])
        # Peeking left \Seen alone; BODY[] sets it.
        self.assertNotIn(b"\\Seen", self.ok(m.fetch("1", "FLAGS"))[0])
        d = self.ok(m.fetch("2", "(BODY[TEXT])"))
        self.assertEqual(d[0][1], b"second body\r\n")
        self.assertIn(b"\\Seen", self.ok(m.fetch("2", "FLAGS"))[0])
        # SEARCH: decoded headers, bodies, flags, ESEARCH.
        m.literal = "CAFÉ".encode()
        self.assertEqual(self.ok(m.search("UTF-8", "SUBJECT")), [b"1"])
        self.assertEqual(self.ok(m.search(None, "SUBJECT", "report")), [b"1"])
        self.assertEqual(self.ok(m.search(None, "UNSEEN")), [b"1 3 4"])
        self.assertEqual(self.ok(m.search(None, "HEADER", "X-Tag", "blue")),
                         [b"3"])
        self.assertEqual(self.ok(m.search(None, "BODY", '"HTML WORDS"')), [b"1"])
        typ, d = m.uid("SEARCH", "RETURN", "(MIN MAX COUNT)", "ALL")
        self.assertEqual(typ, "OK")
        self.assertRegex(m.untagged_responses.get("ESEARCH", [b""])[0],
                         rb'\(TAG "\w+"\) UID MIN 1 MAX 4 COUNT 4')
        # STORE with a keyword; COPY and MOVE with UIDPLUS.
        d = self.ok(m.store("3", "+FLAGS", "(\\Flagged $Important)"))
        self.assertIn(b"\\Flagged $Important", d[0])
        typ, d = m.copy("3", "Archive")
        self.assertEqual(typ, "OK")
        self.assertRegex(d[0], rb"\[COPYUID \d+ 3 1\]")
        typ, d = m._simple_command("MOVE", "2", "Trash")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.get("EXPUNGE"), [b"2"])
        self.ok(m.select("Archive"))
        d = self.ok(m.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (X-TAG)])"))
        self.assertIn(b"$Important", d[0][0])
        self.assertEqual(d[0][1], b"X-Tag: blue\r\n\r\n")
        # APPEND with flags and a date; APPENDUID.
        typ, d = m.append("Drafts", "(\\Draft)",
                          imaplib.Time2Internaldate(1700000000),
                          b"Subject: draft\r\n\r\nunfinished\r\n")
        self.assertEqual(typ, "OK")
        self.assertRegex(d[0], rb"\[APPENDUID \d+ 1\]")
        typ, d = m.status("Drafts", "(MESSAGES UIDNEXT UNSEEN)")
        self.assertIn(b"MESSAGES 1 UIDNEXT 2 UNSEEN 1", d[0])
        # EXPUNGE of \Deleted; CLOSE; the INBOX keeps one message.
        self.ok(m.select("INBOX"))
        self.ok(m.store("1", "+FLAGS.SILENT", "(\\Deleted)"))
        self.ok(m.expunge())
        self.assertEqual(self.ok(m.search(None, "ALL")), [b"1 2"])
        m.logout()
        self.assertEqual(len(t.messages("alice", "cur")), 2)
        t.wait_log("imap(alice): Disconnected: Logged out in=")

    def test_sizes_counted_from_one_read(self):
        """A message another delivery agent left without sizes in its
        name (procmail, a migration), with bare LF line ends: FETCH of
        RFC822.SIZE and ENVELOPE gives its size on the wire (each LF as
        CRLF), BODYSTRUCTURE then matches its MIME structure, and after
        the session dovecot-uidlist holds the size (W) for the next
        reader, Dovecot's or Tern's POP3."""
        t = self.start()
        self.deliver("Subject: first\r\n\r\none\r\n")
        cur = os.path.join(t.maildir("alice"), "cur")
        base = "1765000000.M1P1.other.example"
        path = os.path.join(cur, base + ":2,")
        with open(path, "w") as f:
            f.write(MIXED.replace("\r\n", "\n"))
        os.chown(path, t.uid, t.gid)
        # One too big to be held for that (over 4 MiB): counted as it
        # streams by, the same size on the wire.
        big = ("Subject: big\r\nMessage-ID: <big@example.org>\r\n\r\n"
               + ("x" * 76 + "\r\n") * 60000)
        path2 = os.path.join(cur, "1765000001.M1P1.other.example:2,")
        with open(path2, "w") as f:
            f.write(big.replace("\r\n", "\n"))
        os.chown(path2, t.uid, t.gid)
        m = self.login()
        self.ok(m.select("INBOX"))
        d = self.ok(m.fetch("1:*", "(RFC822.SIZE ENVELOPE)"))
        # Older by its name than the delivery: message 1, UID 1.
        self.assertIn(b"<mixed@example.org>", d[0])
        self.assertTrue(d[0].startswith(b"1 (RFC822.SIZE %d "
                                        % len(MIXED.encode())), d)
        self.assertIn(b"<big@example.org>", d[1])
        self.assertTrue(d[1].startswith(b"2 (RFC822.SIZE %d "
                                        % len(big.encode())), d[1][:80])
        d = self.ok(m.fetch("1", "(BODYSTRUCTURE)"))
        self.assertRegex(d[0].upper(), rb'\(\(\("TEXT" "PLAIN" .*"ALTERNATIVE"'
                         rb' .*\("APPLICATION" "OCTET-STREAM" .*'
                         rb'\("MESSAGE" "RFC822" .*"MIXED"')
        m.logout()
        uidlist = os.path.join(t.maildir("alice"), "dovecot-uidlist")

        def sized():
            with open(uidlist) as f:
                return ("1 W%d :%s\n" % (len(MIXED.encode()), base)
                        in f.read())
        ternlib.wait_for(sized, what="the size in dovecot-uidlist")

    def test_folders(self):
        self.start()
        m = self.login()
        self.ok(m.create("Work/2026"))
        self.ok(m.create("Entwürfe".encode("utf-7").replace(b"+", b"&")
                         .decode()))
        lst = b"\n".join(self.ok(m.list(pattern="Work*")))
        self.assertIn(b'(\\HasChildren) "/" "Work"', lst.replace(
            b"\\Noselect ", b"").replace(b"\\NonExistent ", b""))
        self.assertIn(b'(\\HasNoChildren) "/" "Work/2026"', lst)
        typ, d = m.create("Work/2026")
        self.assertEqual(typ, "NO")
        self.assertIn(b"ALREADYEXISTS", d[0])
        self.ok(m.rename("Work", "Jobs"))
        lst = b"\n".join(self.ok(m.list()))
        self.assertIn(b'"Jobs/2026"', lst)
        self.assertNotIn(b'"Work', lst)
        self.ok(m.subscribe("Jobs/2026"))
        self.assertIn(b'"Jobs/2026"', b"\n".join(self.ok(m.lsub())))
        typ, d = m.select("Nowhere")
        self.assertEqual(typ, "NO")
        self.assertIn(b"NONEXISTENT", d[0])
        typ, d = m.delete("INBOX")
        self.assertEqual(typ, "NO")
        self.ok(m.delete("Jobs/2026"))
        typ, d = m._simple_command("NAMESPACE")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.get("NAMESPACE"),
                         [b'(("" "/")) NIL NIL'])
        typ, d = m._simple_command("LIST", '""', '"*"', "RETURN",
                                   "(STATUS (MESSAGES))")
        self.assertEqual(typ, "OK")
        self.assertIn(b'"INBOX" (MESSAGES 0)',
                      b" ".join(m.untagged_responses.get("STATUS", [])))
        m.logout()

    def raw(self, user="alice", password="alice pw"):
        s = socket.create_connection(("127.0.0.1", self.imap),
                                     timeout=30 * ternlib.SLOW)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"l LOGIN %s \"%s\"\r\n" % (user.encode(),
                                             password.encode()))
        self.until(f, b"l")
        return s, f

    until = staticmethod(ternlib.imap_until)

    def test_two_sessions_and_idle(self):
        self.start()
        self.deliver("Subject: a\r\n\r\na\r\n", "Subject: b\r\n\r\nb\r\n")
        a, fa = self.raw()
        b, fb = self.raw()
        a.sendall(b"a1 SELECT INBOX\r\n")
        self.assertIn(b"* 2 EXISTS\r\n", self.until(fa, b"a1"))
        b.sendall(b"b1 SELECT INBOX\r\n")
        self.until(fb, b"b1")
        b.sendall(b"b2 STORE 2 +FLAGS (\\Answered)\r\nb3 STORE 1 +FLAGS "
                  b"(\\Deleted)\r\nb4 EXPUNGE\r\n")
        self.assertIn(b"* 1 EXPUNGE\r\n", self.until(fb, b"b4"))
        a.sendall(b"a2 FETCH 1:* (FLAGS)\r\n")
        lines = self.until(fa, b"a2")
        # The flag, yes; the expunge not during FETCH (RFC 9051 7.5.1).
        self.assertFalse([x for x in lines if b"EXPUNGE" in x], lines)
        self.assertIn(b"* 2 FETCH (UID 2 FLAGS (\\Answered \\Recent))\r\n",
                      lines)
        a.sendall(b"a3 NOOP\r\n")
        self.assertEqual(self.until(fa, b"a3"),
                         [b"* 1 EXPUNGE\r\n", b"a3 OK NOOP completed.\r\n"])
        # IDLE: a delivery arrives while a waits.
        a.sendall(b"a4 IDLE\r\n")
        self.until(fa, b"+")
        self.deliver("Subject: c\r\n\r\nc\r\n")
        line = fa.readline()
        self.assertEqual(line, b"* 2 EXISTS\r\n")
        a.sendall(b"DONE\r\n")
        self.assertEqual(self.until(fa, b"a4")[-1], b"a4 OK Idle completed.\r\n")
        for s, f, tag in ((a, fa, b"a5"), (b, fb, b"b5")):
            s.sendall(tag + b" LOGOUT\r\n")
            self.until(f, tag)
            s.close()

    def test_utf8_accept(self):
        """RFC 9755: after ENABLE UTF8=ACCEPT, mailbox names in UTF-8
        both ways, APPEND's UTF8 (literal8) with UTF-8 headers kept as
        they are, and SEARCH without a charset label."""
        self.start()
        s, f = self.raw()
        s.sendall(b"c CAPABILITY\r\n")
        self.assertIn(b" UTF8=ACCEPT", self.until(f, b"c")[0])
        # Not before ENABLE.
        s.sendall(b"u1 APPEND INBOX UTF8 (~{5+}\r\nhello)\r\n")
        self.assertTrue(self.until(f, b"u1")[-1].startswith(b"u1 BAD"))
        s.sendall(b"e ENABLE UTF8=ACCEPT\r\n")
        self.assertEqual(self.until(f, b"e"),
                         [b"* ENABLED UTF8=ACCEPT\r\n",
                          b"e OK ENABLE completed.\r\n"])
        name = "Entw\u00fcrfe".encode()
        s.sendall(b'c1 CREATE "%s"\r\n' % name)
        self.assertTrue(self.until(f, b"c1")[-1].startswith(b"c1 OK"))
        s.sendall(b'l1 LIST "" "Entw*"\r\n')
        # In UTF-8 (a quoted string or a literal), not modified UTF-7.
        lst = b"".join(self.until(f, b"l1"))
        self.assertIn(name, lst)
        self.assertNotIn(b"&AP", lst)
        msg = ("Subject: Gr\u00fc\u00dfe\r\nFrom: J\u00f6rg "
               "<j\u00f6rg@example.test>\r\n\r\nHallo\r\n").encode()
        s.sendall(b"a1 APPEND \"%s\" UTF8 (~{%d}\r\n" % (name, len(msg)))
        self.until(f, b"+")
        s.sendall(msg + b")\r\n")
        self.assertRegex(self.until(f, b"a1")[-1],
                         rb"^a1 OK \[APPENDUID \d+ 1\]")
        s.sendall(b'x1 SELECT "%s"\r\n' % name)
        self.until(f, b"x1")
        s.sendall(b"f1 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n")
        self.assertIn("Subject: Gr\u00fc\u00dfe".encode(),
                      b"".join(self.until(f, b"f1")))
        s.sendall("s1 SEARCH SUBJECT \"gr\u00fc\"\r\n".encode())
        self.assertIn(b"* SEARCH 1\r\n", self.until(f, b"s1"))
        s.sendall(b"s2 SEARCH CHARSET UTF-8 ALL\r\n")
        self.assertTrue(self.until(f, b"s2")[-1].startswith(b"s2 BAD"))
        s.sendall(b"s3 SEARCH RETURN (COUNT) CHARSET UTF-8 ALL\r\n")
        self.assertTrue(self.until(f, b"s3")[-1].startswith(b"s3 BAD"))
        s.sendall(b"z LOGOUT\r\n")
        self.until(f, b"z")
        s.close()

    def literal(self, s, f, tag, head, data):
        """Send "<tag> <head> {n}", wait for the continuation, send data;
        the tagged response lines."""
        s.sendall(b"%s %s {%d}\r\n" % (tag, head, len(data)))
        self.until(f, b"+")
        s.sendall(data + b"\r\n")
        return self.until(f, tag)

    def test_search_charsets(self):
        """SEARCH converts bodies and RFC 2047 words from their charsets
        (KOI8-R, ISO-8859-15 through iconv) to match UTF-8 strings, takes
        CHARSET ISO-8859-1 and KOI8-R strings, and answers an unknown
        charset with NO [BADCHARSET]."""
        self.start()
        s, f = self.raw()
        koi = (b"Subject: =?koi8-r?B?9MXT1A==?= one\r\n"
               b"Content-Type: text/plain; charset=koi8-r\r\n"
               b"Content-Transfer-Encoding: 8bit\r\n\r\n"
               + "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440"
               .encode("koi8_r") + b"\r\n")
        l15 = (b"Subject: two\r\n"
               b"Content-Type: text/plain; charset=ISO-8859-15\r\n"
               b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
               b"Prix: 5 =A4, caf=E9\r\n")
        for i, msg in enumerate((koi, l15)):
            tag = b"a%d" % i
            self.assertRegex(
                self.literal(s, f, tag, b"APPEND INBOX", msg)[-1],
                rb"OK \[APPENDUID")
        s.sendall(b"x SELECT INBOX\r\n")
        self.until(f, b"x")

        def search(tag, head, data=None):
            if data is None:
                s.sendall(b"%s SEARCH %s\r\n" % (tag, head))
                lines = self.until(f, tag)
            else:
                lines = self.literal(s, f, tag, b"SEARCH " + head, data)
            self.assertTrue(lines[-1].startswith(tag + b" "), lines)
            return lines

        utf8 = "\u043c\u0438\u0440".encode()  # "мир"
        self.assertIn(b"* SEARCH 1\r\n",
                      search(b"s1", b"CHARSET UTF-8 BODY", utf8))
        self.assertIn(b"* SEARCH 1\r\n",
                      search(b"s2", b"BODY", "\u041f\u0420\u0418".encode()))
        self.assertIn(b"* SEARCH 1\r\n",
                      search(b"s3", b"SUBJECT", "\u0442\u0435\u0441\u0442"
                             .encode()))
        self.assertIn(b"* SEARCH 2\r\n",
                      search(b"s4", b"CHARSET UTF-8 BODY", "5 \u20ac".encode()))
        self.assertIn(b"* SEARCH 2\r\n",
                      search(b"s5", b"CHARSET ISO-8859-1 BODY", b"CAF\xc9"))
        self.assertIn(b"* SEARCH 1\r\n",
                      search(b"s6", b"CHARSET KOI8-R TEXT", b"\xcd\xc9\xd2"))
        lines = search(b"s7", b"CHARSET X-NONSUCH ALL")
        self.assertTrue(lines[-1].startswith(
            b"s7 NO [BADCHARSET (US-ASCII UTF-8)]"), lines)
        s.sendall(b"z LOGOUT\r\n")
        self.until(f, b"z")
        s.close()

    @unittest.skipUnless(shutil.which("mbsync"), "isync (mbsync) is missing")
    def test_mbsync_both_ways(self):
        t = self.start()
        self.deliver("Subject: one\r\n\r\n1\r\n", "Subject: two\r\n\r\n2\r\n")
        local = os.path.join(t.dir, "local")
        os.makedirs(local)
        rc = os.path.join(t.dir, "mbsyncrc")
        with open(rc, "w") as f:
            f.write("IMAPAccount tern\nHost localhost\nPort %d\nUser alice\n"
                    "Pass \"alice pw\"\nSSLType STARTTLS\n"
                    "CertificateFile %s\n\n"
                    "IMAPStore remote\nAccount tern\n\n"
                    "MaildirStore local\nPath %s/\nInbox %s/INBOX\n"
                    "SubFolders Verbatim\n\n"
                    "Channel c\nFar :remote:\nNear :local:\nPatterns *\n"
                    "Create Both\nExpunge Both\nSyncState *\n"
                    % (self.imap, os.path.join(t.etc, "server.pem"), local,
                       local))
        run = lambda: subprocess.run(  # noqa: E731
            ["mbsync", "-c", rc, "-a", "-V"], capture_output=True, text=True,
            timeout=120 * ternlib.SLOW)
        r = run()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        inbox = os.path.join(local, "INBOX")
        got = sorted(os.listdir(os.path.join(inbox, "cur")) +
                     os.listdir(os.path.join(inbox, "new")))
        self.assertEqual(len(got), 2, got)
        self.assertTrue(os.path.isdir(os.path.join(local, "Archive")))
        # A local change goes up: a new message in Sent, a flag.
        with open(os.path.join(local, "Sent", "new", "1.M1P1.here"), "w") as f:
            f.write("Subject: sent\n\nfrom the laptop\n")
        r = run()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        m = self.login()
        typ, d = m.select("Sent")
        self.assertEqual(d, [b"1"])
        m.logout()
        # A second run: nothing left to do either way.
        r = run()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for line in r.stdout.splitlines():
            self.assertNotRegex(line, r"^(Near|Far): \+[1-9]", r.stdout)

    @unittest.skipUnless(shutil.which("mutt"), "mutt is missing")
    def test_mutt_batch(self):
        t = self.start()
        self.deliver("From: carol@example.org\r\nSubject: for mutt\r\n\r\n"
                     "mutt body\r\n")
        home = os.path.join(t.dir, "mutthome")
        os.makedirs(home)
        rc = os.path.join(home, ".muttrc")
        with open(rc, "w") as f:
            f.write('set folder="imap://alice@127.0.0.1:%d/"\n'
                    'set imap_pass="alice pw"\nset spoolfile="+INBOX"\n'
                    'set ssl_starttls=yes\nset ssl_force_tls=no\n'
                    'set certificate_file="%s/certs"\n'
                    'set ssl_verify_host=no\nset mail_check=0\n'
                    'set move=no\nset confirmappend=no\n'
                    'set delete=yes\nset header_cache=""\n'
                    % (self.imap, home))
        cert = os.path.join(t.etc, "server.pem")
        shutil.copy(cert, os.path.join(home, "certs"))
        # In a terminal of its own: flag message 1, save it (a move) to
        # Archive, quit (delete=yes expunges it from INBOX).
        screen = self.tty(["mutt", "-n", "-F", rc],
                          dict(os.environ, HOME=home, TERM="vt100"),
                          [("for mutt", "F"), ("Flag:1", "s"),
                           ("Save to mailbox", "=Archive\r"),
                           (None, "q")])
        m = self.login()
        typ, d = m.select("Archive")
        self.assertEqual(d, [b"1"], screen)
        self.assertIn(b"\\Flagged", self.ok(m.fetch("1", "FLAGS"))[0])
        typ, d = m.select("INBOX")
        self.assertEqual(d, [b"0"])
        m.logout()

    @staticmethod
    def tty(argv, env, steps, timeout=60):
        """Run argv in a pseudo-terminal: for each step, wait until its
        text (None: nothing) has been shown since the last step, then
        type its keys; then wait for the program to end. Returns what it
        showed."""
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        shown, seen = b"", 0
        end = time.monotonic() + timeout * ternlib.SLOW
        reaped = False
        try:
            for want, keys in steps + [(None, None)]:
                while want is not None and want.encode() not in shown[seen:]:
                    left = end - time.monotonic()
                    if left <= 0:
                        raise AssertionError("no %r on screen: %r"
                                             % (want, shown[-2000:]))
                    r, _, _ = select.select([fd], [], [], left)
                    try:
                        chunk = os.read(fd, 65536) if r else b""
                    except OSError:
                        chunk = b""
                    if r and not chunk:
                        raise AssertionError("ended before %r: %r"
                                             % (want, shown[-2000:]))
                    shown += chunk
                seen = len(shown)
                if keys is not None:
                    os.write(fd, keys.encode())
            reaped = False
            while time.monotonic() < end and not reaped:
                r, _, _ = select.select([fd], [], [], 0.5)
                try:
                    chunk = os.read(fd, 65536) if r else b""
                except OSError:
                    chunk = b""
                shown += chunk
                if r and not chunk:
                    break
                reaped = os.waitpid(pid, os.WNOHANG)[0] == pid
        finally:
            if not reaped:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
                os.waitpid(pid, 0)
            os.close(fd)
        return shown.decode(errors="replace")

    def dovecot_imap(self, maildir, commands):
        """Dovecot 2.3's IMAP server (Debian's dovecot-imapd), run
        pre-authenticated on stdin and stdout over maildir as its owner:
        its output."""
        r = self.t.dovecot(DOVECOT_IMAP, maildir, commands.encode())
        return r.stdout.decode(errors="replace") + r.stderr.decode(
            errors="replace")

    @staticmethod
    def as_lines(data):
        """imaplib's FETCH data as the server's untagged lines."""
        return "\n".join(re.sub(r"^(\d+) ", r"* \1 FETCH ", x.decode())
                         for x in data)

    @staticmethod
    def uid_flags(text):
        """{uid: set of flags} from FETCH (UID FLAGS) lines, and the
        UIDVALIDITY."""
        out = {}
        for m in re.finditer(r"\* \d+ FETCH \((?=.*UID (\d+))"
                             r"(?=.*FLAGS \(([^)]*)\)).*\)", text):
            out[int(m.group(1))] = set(m.group(2).split()) - {"\\Recent"}
        v = re.search(r"UIDVALIDITY (\d+)", text)
        return out, v and int(v.group(1))

    @unittest.skipUnless(os.path.exists(DOVECOT_IMAP),
                         "Debian's dovecot-imapd (scripts/setup) is missing")
    def test_dovecot_maildir_both_ways(self):
        t = self.start()
        # Dovecot makes a Maildir: three messages, keywords, an expunge.
        side = os.path.join(t.dir, "dovecot-side")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(side, sub))
        t.copy_maildir(side, os.path.join(t.dir, "d2"))
        side = os.path.join(t.dir, "d2")
        cmds = "".join("a%d APPEND INBOX {%d}\r\n%s\r\n" % (i, len(x), x)
                       for i, x in enumerate(
                           ["Subject: d0\r\n\r\nzero\r\n",
                            "Subject: d1\r\n\r\none\r\n",
                            "Subject: d2\r\n\r\ntwo\r\n"]))
        cmds += ("s SELECT INBOX\r\nk STORE 2 +FLAGS (\\Seen $Work)\r\n"
                 "k2 STORE 3 +FLAGS ($Later)\r\n"
                 "x STORE 1 +FLAGS (\\Deleted)\r\nq LOGOUT\r\n")
        self.dovecot_imap(side, cmds)
        # Dovecot runs pipelined commands alongside each other: EXPUNGE
        # and FETCH each on their own.
        self.dovecot_imap(side, "s SELECT INBOX\r\ne EXPUNGE\r\n"
                          "q LOGOUT\r\n")
        out = self.dovecot_imap(side, "s SELECT INBOX\r\n"
                                "f FETCH 1:* (UID FLAGS)\r\nq LOGOUT\r\n")
        dove, dv = self.uid_flags(out)
        self.assertEqual(len(dove), 2, out)
        bob = t.maildir("bob")
        t.copy_maildir(side, bob)
        m = self.login("bob", "bob pw")
        typ, d = m.select("INBOX")
        v = int(m.untagged_responses["UIDVALIDITY"][0])
        data = self.ok(m.fetch("1:*", "(UID FLAGS)"))
        tern, _ = self.uid_flags(self.as_lines(data))
        self.assertEqual((tern, v), (dove, dv), out)
        # Tern delivers, flags and expunges; Dovecot sees the same.
        m.logout()
        self.deliver("Subject: t3\r\n\r\nthree\r\n", to="bob")
        m = self.login("bob", "bob pw")
        m.select("INBOX")
        self.ok(m.store("1", "+FLAGS", "(\\Deleted)"))
        self.ok(m.store("2", "+FLAGS", "($Work \\Flagged)"))
        self.ok(m.expunge())
        data = self.ok(m.fetch("1:*", "(UID FLAGS)"))
        tern, _ = self.uid_flags(self.as_lines(data))
        m.logout()
        self.assertEqual(sorted(tern), [3, 4])
        back = os.path.join(t.dir, "back")
        t.copy_maildir(bob, back)
        out = self.dovecot_imap(back, "s SELECT INBOX\r\n"
                                "f FETCH 1:* (UID FLAGS)\r\nq LOGOUT\r\n")
        self.assertEqual(self.uid_flags(out), (tern, dv), out)


if __name__ == "__main__":
    unittest.main()
