"""Issue 10 item 13 (smtpd): a lookup table that cannot be opened does not
stop smtpd. It logs "<table> is unavailable. <why>" and answers RCPT with
451 4.3.0 "<addr>: Temporary lookup failure" (Postfix's shapes), and the
client is served, never left hanging."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402
from test_smtp_errors import Raw  # noqa: E402


class UnavailableTableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Two more listeners whose smtpd sees a missing table; `tern
        # start` checks main.cf's tables, not these -o overrides.
        cls.alias_port = ternlib.free_port()
        cls.domains_port = ternlib.free_port()
        cls.t = ternlib.Instance()
        missing = "hash:%s/missing" % cls.t.etc
        with open(os.path.join(cls.t.etc, "master.cf"), "a") as f:
            f.write("127.0.0.1:%d inet n - n - 2 smtpd -o virtual_alias_maps=%s\n"
                    % (cls.alias_port, missing))
            f.write("127.0.0.1:%d inet n - n - 2 smtpd -o "
                    "virtual_mailbox_domains=example.org,%s\n" % (cls.domains_port, missing))
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.cleanup()

    def rcpt(self, port, addr):
        r = Raw(port)
        self.assertEqual(r.banner[0], 220)
        self.assertEqual(r.cmd("EHLO c.example.org")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.org>")[0], 250)
        code, lines = r.cmd("RCPT TO:<%s>" % addr)
        self.assertEqual(r.cmd("QUIT")[0], 221)
        r.close()
        return lines

    def test_alias_table_missing(self):
        lines = self.rcpt(self.alias_port, "alice@example.test")
        self.assertEqual(lines, ["451 4.3.0 <alice@example.test>: Temporary lookup failure"])
        etc = re.escape(self.t.etc)
        shape = (r"tern/smtpd\[\d+\]: warning: hash:%s/missing is unavailable\. "
                 r"open database %s/missing\.db: No such file or directory$" % (etc, etc))
        ternlib.wait_for(lambda: re.search(shape, self.t.log(), re.M), what=shape)
        self.t.wait_log("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 451 4.3.0 "
                        "<alice@example.test>: Temporary lookup failure; "
                        "from=<a@example.org> to=<alice@example.test> proto=ESMTP "
                        "helo=<c.example.org>")
        # The server goes on: the next session is served the same way.
        self.assertEqual(self.rcpt(self.alias_port, "bob@example.test")[0][:9], "451 4.3.0")

    def test_domain_table_missing(self):
        lines = self.rcpt(self.domains_port, "bob@example.test")
        self.assertEqual(lines, ["451 4.3.0 <bob@example.test>: Temporary lookup failure"])
        self.t.wait_log("warning: hash:%s/missing is unavailable." % self.t.etc)

    def test_tables_in_order_elsewhere(self):
        self.assertEqual(self.rcpt(self.t.port, "alice@example.test"), ["250 2.1.5 Ok"])
        self.assertNotIn(": fatal: ", self.t.log())


if __name__ == "__main__":
    unittest.main()
