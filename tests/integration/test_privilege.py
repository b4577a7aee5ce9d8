"""Least privilege: no delivery runs as root. virtual_minimum_uid has a
floor of 1 (0 is refused with file, line and parameter), and `tern check`
names every table entry that would give a mailbox to uid 0 or gid 0.
The read-only queue file for the mailbox owner, the attribute, fdpass and
dirsync checks are unit tests (tests/unit/local, tests/unit/util)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402


class PrivilegeTest(unittest.TestCase):
    def setUp(self):
        self.t = None

    def tearDown(self):
        if self.t:
            self.t.cleanup()

    def check(self, **main):
        self.t = ternlib.Instance(main=main)
        return self.t.tool("tern", "check", check=False)

    def main_cf_line(self, name):
        with open(os.path.join(self.t.etc, "main.cf")) as f:
            for n, line in enumerate(f, 1):
                if line.startswith(name + " "):
                    return n
        raise AssertionError("%s not in main.cf" % name)

    def test_minimum_uid_zero_refused(self):
        r = self.check(virtual_minimum_uid="0")
        self.assertNotEqual(r.returncode, 0)
        line = self.main_cf_line("virtual_minimum_uid")
        self.assertIn("%s/main.cf:%d: virtual_minimum_uid: " % (self.t.etc, line),
                      r.stderr)
        self.assertIn("below the minimum 1", r.stderr)
        # And the system does not start with it.
        r = self.t.tool("tern", "start", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(self.t.pids("master"))

    def test_minimum_uid_one_accepted(self):
        r = self.check(virtual_minimum_uid="1")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_root_owner_in_maps_refused(self):
        r = self.check(virtual_uid_maps="static:0")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("tern: error: virtual_uid_maps static:0: every key: "
                      "uid 0 (root) is refused: a delivery never runs as root",
                      r.stderr)
        gids = os.path.join(self.t.etc, "gids")
        with open(gids, "w") as f:
            f.write("alice@example.test 0\nbob@example.test %d\n" % self.t.gid)
        with open(os.path.join(self.t.etc, "main.cf"), "a") as f:
            f.write("virtual_uid_maps = static:%d\n" % self.t.uid)
            f.write("virtual_gid_maps = texthash:%s\n" % gids)
        r = self.t.tool("tern", "check", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("virtual_gid_maps texthash:%s: key \"alice@example.test\": "
                      "gid 0 (root's group) is refused" % gids, r.stderr)
        self.assertNotIn("bob@example.test", r.stderr)


if __name__ == "__main__":
    unittest.main()
