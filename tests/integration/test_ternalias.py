# SPDX-License-Identifier: MIT
"""ternalias and newaliases: build aliases(5) tables, query them, errors."""
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("TERN_BIN", "build/bin")
TERNALIAS = os.path.join(BIN, "ternalias")
NEWALIASES = os.path.join(BIN, "newaliases")

SOURCE = """# system aliases
Postmaster: root
root:   joe,
    # a comment between continuation lines
    "|/usr/bin/foo -x a,b"
list:   :include:/etc/tern/list.members
owner-list: joe
archive: \\joe, /var/mail/joe-archive
"""


def run(prog, args):
    return subprocess.run([prog] + args, capture_output=True, text=True,
                          timeout=60)


class TernaliasTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ternalias-")
        self.src = os.path.join(self.dir, "aliases")
        with open(self.src, "w") as f:
            f.write(SOURCE)
        with open(os.path.join(self.dir, "main.cf"), "w") as f:
            f.write("config_directory = %s\n"
                    "alias_database = hash:$config_directory/aliases\n"
                    "alias_maps = $alias_database\n" % self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_newaliases_builds_alias_database(self):
        r = run(NEWALIASES, ["-c", self.dir])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(self.src + ".db"))
        self.assertEqual([n for n in os.listdir(self.dir) if ".tmp" in n],
                         [])
        r = run(TERNALIAS, ["-c", self.dir, "-q", "POSTMASTER"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "root\n")
        r = run(TERNALIAS, ["-c", self.dir, "-q", "root"])
        self.assertEqual(r.stdout,
                         'joe,    "|/usr/bin/foo -x a,b"\n')
        r = run(TERNALIAS, ["-c", self.dir, "-q", "nobody"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        # newaliases takes no table and no -q.
        self.assertEqual(run(NEWALIASES, ["-c", self.dir, "x"]).returncode,
                         2)
        self.assertEqual(
            run(NEWALIASES, ["-c", self.dir, "-q", "x"]).returncode, 2)

    def test_build_and_query_named_tables(self):
        for prefix in ("", "hash:", "btree:"):
            with self.subTest(type=prefix or "default"):
                r = run(TERNALIAS, [prefix + self.src])
                self.assertEqual(r.returncode, 0, r.stderr)
                r = run(TERNALIAS, ["-q", "list", prefix + self.src])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout,
                                 ":include:/etc/tern/list.members\n")
                r = run(TERNALIAS, ["-q", "Archive", prefix + self.src])
                self.assertEqual(r.stdout,
                                 "\\joe, /var/mail/joe-archive\n")
        # texthash: reads the aliases file itself, colons and all.
        r = run(TERNALIAS, ["-q", "owner-list", "texthash:" + self.src])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "joe\n")
        r = run(TERNALIAS, ["texthash:" + self.src])
        self.assertEqual(r.returncode, 0, r.stderr)
        # The first table that has the name wins.
        r = run(TERNALIAS, ["-q", "root", "inline:{ root=first }",
                            "texthash:" + self.src])
        self.assertEqual(r.stdout, "first\n")

    def test_syntax_errors_name_file_and_line(self):
        self.assertEqual(run(NEWALIASES, ["-c", self.dir]).returncode, 0)
        cases = [
            ("a: b\n# c\nnocolon here\n", ":3: missing ':'"),
            ("a: b\n: c\n", ":2: empty alias name"),
            ("a: b\nc:\n", ":2: alias \"c\" has no value"),
            ("a: \"|/bin/x\n", ":1: alias \"a\": unterminated"),
            ("a: :include:relative\n", ":1: alias \"a\": :include:"),
            ("  a: b\n", ":1: continuation line"),
        ]
        for text, error in cases:
            with self.subTest(error=error):
                with open(self.src, "w") as f:
                    f.write(text)
                r = run(NEWALIASES, ["-c", self.dir])
                self.assertEqual(r.returncode, 1)
                self.assertIn("newaliases: fatal: %s%s" % (self.src, error),
                              r.stderr)
                r = run(TERNALIAS, [self.src])
                self.assertIn("ternalias: fatal: %s%s" % (self.src, error),
                              r.stderr)
        # The database of the last good build is still there.
        r = run(TERNALIAS, ["-c", self.dir, "-q", "postmaster"])
        self.assertEqual(r.stdout, "root\n")

    def test_duplicate_warns(self):
        with open(self.src, "a") as f:
            f.write("postmaster: someone-else\n")
        r = run(TERNALIAS, [self.src])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("%s:9: duplicate alias name" % self.src, r.stderr)
        r = run(TERNALIAS, ["-q", "postmaster", self.src])
        self.assertEqual(r.stdout, "root\n")

    def test_other_errors(self):
        r = run(TERNALIAS, [os.path.join(self.dir, "missing")])
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing", r.stderr)
        r = run(TERNALIAS, ["-q", "x", os.path.join(self.dir, "missing")])
        self.assertEqual(r.returncode, 2)
        r = run(NEWALIASES, ["-c", os.path.join(self.dir, "nodir")])
        self.assertEqual(r.returncode, 1)
        self.assertIn("main.cf", r.stderr)
        r = run(TERNALIAS, ["inline:{a=b}"])
        self.assertEqual(r.returncode, 1)
        # An empty alias_database builds nothing.
        with open(os.path.join(self.dir, "main.cf"), "a") as f:
            f.write("alias_database =\n")
        r = run(NEWALIASES, ["-c", self.dir])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.src + ".db"))


if __name__ == "__main__":
    unittest.main()
