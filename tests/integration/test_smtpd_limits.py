"""smtpd under abuse: 100,000 pipelined RCPTs, a 1 MiB command line and a
100 MiB DATA each get their documented reply, the session goes on (or ends
as documented), nothing is queued that was refused, and no smtpd grows past
64 MiB resident (VmHWM, its peak; not checked in sanitizer builds, whose
shadow memory is counted in the resident size)."""
import os
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

RSS_LIMIT_KB = 64 * 1024


class Replies:
    """Reads reply lines from a socket on a thread, so that a client can
    pipeline more than the socket buffers hold without a deadlock."""

    def __init__(self, sock):
        self.sock = sock
        self.lines = []
        self.cond = threading.Condition()
        self.done = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buf = b""
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                buf += data
                *complete, buf = buf.split(b"\r\n")
                with self.cond:
                    self.lines += [l.decode() for l in complete]
                    self.cond.notify_all()
        except OSError:
            pass
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait(self, n, timeout=60):
        """The first n final reply lines (continuation lines skipped)."""
        def finals():
            return [l for l in self.lines if l[3:4] != "-"]
        with self.cond:
            ok = self.cond.wait_for(
                lambda: len(finals()) >= n or self.done,
                timeout=timeout * ternlib.SLOW)
            got = finals()
        if not ok or len(got) < n:
            raise AssertionError("got %d of %d replies; last: %r"
                                 % (len(got), n, got[-3:]))
        return got[:n]


class SmtpdLimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Every over-limit RCPT is answered without ending the session.
        cls.t = ternlib.Instance(
            main={"smtpd_recipient_overshoot_limit": "100000"})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def session(self):
        s = socket.create_connection((self.t.host, self.t.port),
                                     timeout=120 * ternlib.SLOW)
        r = Replies(s)
        s.sendall(b"EHLO client.example.org\r\n")
        greet, ehlo = r.wait(2)
        self.assertTrue(greet.startswith("220 "), greet)
        self.assertTrue(ehlo.startswith("250 "), ehlo)
        return s, r

    def assert_small(self):
        if ternlib.SLOW > 1:
            return
        pids = self.t.pids("smtpd")
        self.assertTrue(pids, "no smtpd process to measure")
        for pid in pids:
            try:
                with open("/proc/%d/status" % pid) as f:
                    status = f.read()
            except OSError:
                continue
            hwm = [l for l in status.splitlines() if l.startswith("VmHWM:")]
            kb = int(hwm[0].split()[1])
            self.assertLess(kb, RSS_LIMIT_KB,
                            "smtpd %d peaked at %d kB" % (pid, kb))

    def test_pipelined_recipients(self):
        s, r = self.session()
        n = 100000
        s.sendall(b"MAIL FROM:<alice@example.test>\r\n")
        burst = b"".join(b"RCPT TO:<bob+%d@example.test>\r\n" % i
                         for i in range(n))
        s.sendall(burst + b"QUIT\r\n")
        replies = r.wait(3 + n + 1, timeout=120)
        self.assertTrue(replies[2].startswith("250 "), replies[2])
        rcpt = replies[3:3 + n]
        # smtpd_recipient_limit (1000) recipients, then 452 for the rest.
        self.assertEqual(sum(1 for l in rcpt if l.startswith("250 ")), 1000)
        self.assertTrue(all(l.startswith("452 4.5.3 ")
                            for l in rcpt[1000:]), rcpt[1000])
        self.assertTrue(replies[-1].startswith("221 "), replies[-1])
        s.close()
        self.assertEqual(self.t.queue_files(), [])
        self.assert_small()

    def test_long_command_line(self):
        s, r = self.session()
        s.sendall(b"NOOP " + b"x" * (1 << 20) + b"\r\nNOOP\r\nQUIT\r\n")
        replies = r.wait(5)
        self.assertEqual(replies[2], "500 5.5.2 Error: line too long")
        self.assertTrue(replies[3].startswith("250 "), replies[3])
        self.assertTrue(replies[4].startswith("221 "), replies[4])
        s.close()
        self.assert_small()

    def test_huge_data(self):
        s, r = self.session()
        s.sendall(b"MAIL FROM:<alice@example.test>\r\n"
                  b"RCPT TO:<bob@example.test>\r\nDATA\r\n")
        mail, rcpt, data = r.wait(5)[2:]
        self.assertTrue(data.startswith("354 "), data)
        line = b"y" * 998 + b"\r\n"
        chunk = b"Subject: big\r\n\r\n" + line * 1000
        total = 0
        while total < 100 << 20:
            s.sendall(chunk)
            total += len(chunk)
            chunk = line * 1000
        s.sendall(b".\r\nQUIT\r\n")
        end, bye = r.wait(7, timeout=180)[5:]
        # Over message_size_limit (10240000): refused after the dot.
        self.assertTrue(end.startswith("552 5.3.4 "), end)
        self.assertTrue(bye.startswith("221 "), bye)
        s.close()
        ternlib.wait_for(lambda: self.t.queue_files() == [],
                         what="nothing queued")
        self.assertEqual(os.listdir(os.path.join(self.t.spool, "incoming")),
                         [])
        self.assert_small()


class OvershootTest(unittest.TestCase):
    """smtpd_recipient_overshoot_limit: RCPTs over smtpd_recipient_limit
    get 452 without counting as errors up to that many; past it they
    count, and smtpd_hard_error_limit ends the session with 421."""

    def test_overshoot_then_too_many_errors(self):
        t = ternlib.Instance(main={"smtpd_recipient_limit": "2",
                                   "smtpd_recipient_overshoot_limit": "3",
                                   "smtpd_hard_error_limit": "2"})
        try:
            t.start()
            s = t.smtp()
            s.ehlo("client.example.org")
            s.mail("alice@example.test")
            codes = [s.rcpt("bob@example.test")[0] for _ in range(6)]
            # 2 accepted, 3 over the limit not counted, then the first
            # counted error.
            self.assertEqual(codes, [250, 250, 452, 452, 452, 452])
            code, msg = s.rcpt("bob@example.test")
            # The second counted error reaches the hard limit: 452, then
            # 421 and the end of the session.
            self.assertEqual(code, 452)
            code, msg = s.getreply()
            self.assertEqual(code, 421)
            self.assertIn(b"4.7.0", msg)
            self.assertIn(b"too many errors", msg)
            s.close()
            t.wait_log("too many errors after RCPT from localhost[127.0.0.1]")
        finally:
            t.cleanup()


if __name__ == "__main__":
    unittest.main()
