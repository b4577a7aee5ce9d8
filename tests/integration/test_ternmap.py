# SPDX-License-Identifier: MIT
"""ternmap: build hash:/btree: tables, query them, exit codes, errors."""
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("TERN_BIN", "build/bin")
TERNMAP = os.path.join(BIN, "ternmap")

SOURCE = """# virtual aliases
Info@Example.COM   alice@example.com
sales@example.com  bob@example.com,
    carol@example.com
@example.com       catchall@example.com
"""


def run(args, stdin=None):
    return subprocess.run([TERNMAP] + args, input=stdin, capture_output=True,
                          text=True, timeout=60)


class TernmapTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ternmap-")
        self.src = os.path.join(self.dir, "virtual")
        with open(self.src, "w") as f:
            f.write(SOURCE)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_build_and_query(self):
        for prefix in ("", "hash:", "btree:"):
            with self.subTest(type=prefix or "default"):
                r = run([prefix + self.src])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(os.path.exists(self.src + ".db"))
                self.assertEqual(
                    [n for n in os.listdir(self.dir) if ".tmp" in n], [])
                r = run(["-q", "INFO@example.com", prefix + self.src])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout, "alice@example.com\n")
                r = run(["-q", "sales@example.com", prefix + self.src])
                self.assertEqual(r.stdout,
                                 "bob@example.com,    carol@example.com\n")
                r = run(["-q", "nobody@example.com", prefix + self.src])
                self.assertEqual(r.returncode, 1)
                self.assertEqual(r.stdout, "")

    def test_query_stdin(self):
        self.assertEqual(run(["btree:" + self.src]).returncode, 0)
        keys = "info@example.com\nnobody@example.com\n@EXAMPLE.com\n"
        r = run(["-q", "-", "btree:" + self.src], stdin=keys)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout,
                         "info@example.com\talice@example.com\n"
                         "@EXAMPLE.com\tcatchall@example.com\n")
        r = run(["-q", "-", "btree:" + self.src], stdin="x\ny\n")
        self.assertEqual(r.returncode, 1)

    def test_several_tables_and_inline(self):
        self.assertEqual(run([self.src]).returncode, 0)
        r = run(["-q", "info@example.com",
                 "inline:{ info@example.com=first }", self.src])
        self.assertEqual(r.stdout, "first\n")
        r = run(["-q", "x", self.src, "static:fallback"])
        self.assertEqual(r.stdout, "fallback\n")
        r = run(["-q", "info@example.com", "texthash:" + self.src])
        self.assertEqual(r.stdout, "alice@example.com\n")

    def test_errors(self):
        bad = os.path.join(self.dir, "bad")
        with open(bad, "w") as f:
            f.write("good value\n# comment\nnovalue\n")
        r = run([bad])
        self.assertEqual(r.returncode, 1)
        self.assertIn("ternmap: fatal: %s:3: " % bad, r.stderr)
        self.assertFalse(os.path.exists(bad + ".db"))
        r = run(["-q", "x", os.path.join(self.dir, "missing")])
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.db", r.stderr)
        r = run(["-q", "x", "nosuch:" + self.src])
        self.assertEqual(r.returncode, 2)
        self.assertIn("nosuch", r.stderr)
        r = run(["inline:{a=b}"])
        self.assertEqual(r.returncode, 1)
        r = run(["-c", os.path.join(self.dir, "nodir"), self.src])
        self.assertEqual(r.returncode, 1)
        r = run(["-c", self.dir, self.src])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(run([]).returncode, 2)

    def test_duplicate_warns(self):
        with open(self.src, "a") as f:
            f.write("info@example.com second\n")
        r = run([self.src])
        self.assertEqual(r.returncode, 0)
        self.assertIn("%s:6: duplicate" % self.src, r.stderr)
        r = run(["-q", "info@example.com", self.src])
        self.assertEqual(r.stdout, "alice@example.com\n")


if __name__ == "__main__":
    unittest.main()
