"""Issue 10 item 4: every session has a deadline. A client that trickles a
byte a second (never idle for smtpd_timeout) is cut off in bounded time:
within smtpd_timeout per command and per DATA (plus the credit of
smtpd_min_data_rate), and within smtpd_session_deadline in all."""
import os
import select
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

TIMEOUT_REPLY = b"421 4.4.2 mail.example.test Error: timeout exceeded"


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30 * ternlib.SLOW)
    f = s.makefile("rb")
    return s, f


def reply(f):
    """The last line of one (multi-line) reply."""
    while True:
        line = f.readline()
        if not line or line[3:4] != b"-":
            return line.rstrip(b"\r\n")


def trickle(s, f, chunks, limit=20):
    """Send one chunk a second until the server says something or closes;
    returns (seconds taken, what it said)."""
    start = time.monotonic()
    deadline = start + limit * ternlib.SLOW
    i = 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([s], [], [], 1.0)
        if ready:
            return time.monotonic() - start, reply(f)
        try:
            s.sendall(chunks[i % len(chunks)])
        except OSError:
            return time.monotonic() - start, b""
        i += 1
    raise AssertionError("not cut off within %ds" % limit)


def open_data(port):
    s, f = connect(port)
    assert reply(f).startswith(b"220")
    for cmd in (b"EHLO c", b"MAIL FROM:<a@example.org>", b"RCPT TO:<bob@example.test>"):
        s.sendall(cmd + b"\r\n")
        assert reply(f).startswith(b"250"), cmd
    s.sendall(b"DATA\r\n")
    assert reply(f).startswith(b"354")
    return s, f


class RequestDeadlineTest(unittest.TestCase):
    """smtpd_per_request_deadline = yes (the default)."""

    @classmethod
    def setUpClass(cls):
        cls.t = ternlib.Instance(main={"smtpd_timeout": "2s",
                                       "smtpd_min_data_rate": "1000",
                                       "smtpd_session_deadline": "30s"})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def test_command_trickle_cut_off(self):
        s, f = connect(self.t.port)
        self.assertTrue(reply(f).startswith(b"220"))
        took, said = trickle(s, f, [b"N", b"O", b"O", b"P", b" "])
        s.close()
        self.assertEqual(said, TIMEOUT_REPLY)
        self.assertLess(took, 4.5 * ternlib.SLOW)
        self.t.wait_log("timeout after CONNECT from localhost[127.0.0.1]")

    def test_data_trickle_gets_rate_credit(self):
        s, f = open_data(self.t.port)
        # 4000 bytes at once earn 4 s at 1000 bytes/s on top of the 2 s.
        s.sendall(b"Subject: slow\r\n\r\n" + b"x" * 3981 + b"\r\n")
        took, said = trickle(s, f, [b"y"])
        s.close()
        self.assertEqual(said, TIMEOUT_REPLY)
        self.assertGreater(took, 3.5)
        self.assertLess(took, 8 * ternlib.SLOW)
        self.t.wait_log("timeout after DATA (4000 bytes) from localhost[127.0.0.1]")
        self.assertEqual(self.t.queue_files(), [])


class SessionDeadlineTest(unittest.TestCase):
    """smtpd_session_deadline, with smtpd_per_request_deadline = no (so
    smtpd_timeout bounds only each read)."""

    @classmethod
    def setUpClass(cls):
        cls.t = ternlib.Instance(main={"smtpd_timeout": "2s",
                                       "smtpd_per_request_deadline": "no",
                                       "smtpd_session_deadline": "5s"})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def busy(self, out):
        """Whole NOOPs, one every half second, until the reply changes."""
        s, f = connect(self.t.port)
        assert reply(f).startswith(b"220")
        start = time.monotonic()
        while time.monotonic() < start + 20 * ternlib.SLOW:
            try:
                s.sendall(b"NOOP\r\n")
            except OSError:
                break
            line = reply(f)
            if line != b"250 2.0.0 Ok":
                out["busy"] = (time.monotonic() - start, line)
                break
            select.select([s], [], [], 0.5)
        s.close()

    def slow(self, out):
        s, f = connect(self.t.port)
        assert reply(f).startswith(b"220")
        out["slow"] = trickle(s, f, [b"X"])
        s.close()

    def test_busy_and_trickling_clients_cut_off(self):
        # Two at once: one sends whole NOOPs, one a byte a second (which
        # smtpd_timeout alone would never stop without per-request
        # deadlines). Both end at the session deadline.
        out = {}
        threads = [threading.Thread(target=self.busy, args=(out,)),
                   threading.Thread(target=self.slow, args=(out,))]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30 * ternlib.SLOW)
        for who in ("busy", "slow"):
            took, said = out[who]
            self.assertEqual(said, TIMEOUT_REPLY, who)
            self.assertGreater(took, 3.5, who)
            self.assertLess(took, 9 * ternlib.SLOW, who)
        self.t.wait_log("timeout after NOOP from localhost[127.0.0.1]")
        self.t.wait_log("timeout after CONNECT from localhost[127.0.0.1]")


if __name__ == "__main__":
    unittest.main()
