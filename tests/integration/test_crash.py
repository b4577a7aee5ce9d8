"""kill -9 of qmgr and local while mail is in flight: master restarts
them and every accepted message is delivered. Duplicates are allowed by
the durability contract (a crash between delivery and bookkeeping) and are
counted and reported; a loss fails the test."""
import os
import re
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class CrashTest(unittest.TestCase):
    def test_kill_qmgr_and_local_in_flight(self):
        t = ternlib.Instance()
        try:
            t.start()
            accepted, errors = [], []
            lock = threading.Lock()

            def worker(k):
                try:
                    with t.smtp() as s:
                        for j in range(20):
                            seq = "%d-%d" % (k, j)
                            s.sendmail("crash@example.org", ["alice@example.test"],
                                       ("Subject: crash %s\r\nX-Seq: %s\r\n\r\n%s\r\n"
                                        % (seq, seq, "x" * 2000)).encode())
                            with lock:
                                accepted.append(seq)
                except Exception as e:
                    errors.append(e)

            threads = [threading.Thread(target=worker, args=(k,)) for k in range(10)]
            for th in threads:
                th.start()
            kills = {"qmgr": 0, "local": 0}
            deadline = time.monotonic() + 60 * ternlib.SLOW
            # Kill while the load runs, a bounded number of times.
            for round_ in range(4):
                ternlib.wait_for(lambda: len(accepted) >= 20 + 40 * round_ or
                                 not any(th.is_alive() for th in threads),
                                 timeout=60, interval=0.01, what="progress")
                for prog in (("qmgr", "local") if round_ % 2 == 0 else ("local", "qmgr")):
                    pids = t.pids(prog)
                    if pids:
                        t.kill(prog, signal.SIGKILL)
                        kills[prog] += 1
                if time.monotonic() > deadline:
                    break
            for th in threads:
                th.join(120)
            self.assertEqual(errors, [])
            self.assertEqual(len(accepted), 200)
            self.assertGreater(kills["qmgr"], 0)
            self.assertGreater(kills["local"], 0)

            def delivered():
                seqs = []
                for p in t.messages("alice"):
                    with open(p, "rb") as f:
                        m = re.search(rb"\nX-Seq: (\d+-\d+)\n", f.read())
                    if m:
                        seqs.append(m.group(1).decode())
                return seqs

            ternlib.wait_for(lambda: set(delivered()) >= set(accepted), timeout=120,
                             interval=0.2, what="all 200 messages delivered")
            seqs = delivered()
            dups = len(seqs) - len(set(seqs))
            print("crash test: kills=%s delivered=%d unique=%d duplicates=%d"
                  % (kills, len(seqs), len(set(seqs)), dups))
            self.assertEqual(set(seqs), set(accepted))
            ternlib.wait_for(lambda: t.queue_files() == [], timeout=60, what="empty queue")
            self.assertRegex(t.log(), r"process \S+/qmgr pid \d+ killed by signal 9")
            self.assertRegex(t.log(), r"process \S+/local pid \d+ killed by signal 9")
        finally:
            t.cleanup()


if __name__ == "__main__":
    unittest.main()
