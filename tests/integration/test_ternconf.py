# SPDX-License-Identifier: MIT
"""ternconf: -d golden output, -n/-e, -h, -x, warnings, errors, check-params."""
import os
import subprocess
import tempfile
import unittest

BIN = os.environ.get("TERN_BIN", "build/bin")
SRC = os.environ.get("TERN_SOURCE", ".")
TERNCONF = os.path.join(BIN, "ternconf")


def build_paths():
    """The TERN_*_DIR of the build tree TERN_BIN is in (its
    CMakeCache.txt), the defaults of a default build when there is none."""
    prefix = "/usr/local"
    paths = {}
    cache = os.path.join(BIN, "..", "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            for line in f:
                name, _, value = line.rstrip("\n").partition("=")
                name = name.split(":")[0]
                if name.startswith("TERN_") and name.endswith("_DIR"):
                    paths[name] = value
    defaults = {
        "TERN_CONFIG_DIR": "/etc/tern",
        "TERN_QUEUE_DIR": "/var/spool/tern",
        "TERN_DAEMON_DIR": prefix + "/libexec/tern",
        "TERN_COMMAND_DIR": prefix + "/sbin",
        "TERN_MAN_DIR": prefix + "/share/man",
        "TERN_DATA_DIR": prefix + "/share/tern",
        "TERN_SAMPLE_DIR": prefix + "/share/tern/examples",
    }
    return {k: paths.get(k, v) for k, v in defaults.items()}


def run(*args, env_dir=None):
    env = dict(os.environ)
    env.pop("TERN_CONFIG_DIRECTORY", None)
    if env_dir is not None:
        env["TERN_CONFIG_DIRECTORY"] = env_dir
    return subprocess.run([TERNCONF, *args], capture_output=True, text=True,
                          env=env, timeout=60)


class TernconfTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ternconf-test.")
        self.dir = self.tmp.name
        self.main = os.path.join(self.dir, "main.cf")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, text):
        with open(self.main, "w") as f:
            f.write(text)

    def read(self):
        with open(self.main) as f:
            return f.read()

    def test_defaults_golden(self):
        r = run("-d")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        got = [l for l in lines
               if not l.startswith(("myhostname =", "mydomain ="))]
        golden = os.path.join(SRC, "tests", "integration", "golden",
                              "ternconf-d.txt")
        # The path defaults are the build's (CMake cache variables).
        with open(golden) as f:
            text = f.read()
        for name, value in build_paths().items():
            text = text.replace("@%s@" % name, value)
        self.assertEqual(got, text.splitlines())
        self.assertEqual(lines, sorted(lines))
        host = [l for l in lines if l.startswith("myhostname = ")]
        self.assertEqual(len(host), 1)
        self.assertIn(".", host[0])

    def test_defaults_ignore_main_cf(self):
        self.write("mail_owner = someone\nunknown_thing = 1\n")
        r = run("-c", self.dir, "-d", "mail_owner")
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, "mail_owner = tern\n", ""))

    def test_edit_then_n(self):
        self.write("# my comment\nmail_owner = old\n  continued\n")
        r = run("-c", self.dir, "-e", "mail_owner=postman",
                "message_size_limit = 20480000")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(), "# my comment\nmail_owner = postman\n"
                         "message_size_limit = 20480000\n")
        r = run("-c", self.dir, "-n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "mail_owner = postman\n"
                         "message_size_limit = 20480000\n")

    def test_value_only_and_expand(self):
        self.write("myorigin = $mydomain\nmydomain = example.org\n"
                   "smtpd_banner = ${mydomain?mx.$mydomain} ready\n")
        r = run("-c", self.dir, "-h", "myorigin", "mail_name")
        self.assertEqual((r.returncode, r.stdout), (0, "$mydomain\nTern\n"))
        r = run("-c", self.dir, "-x", "myorigin", "smtpd_banner")
        self.assertEqual(r.stdout, "myorigin = example.org\n"
                         "smtpd_banner = mx.example.org ready\n")
        r = run("-x", "-h", "myorigin", env_dir=self.dir)
        self.assertEqual(r.stdout, "example.org\n")

    def test_unknown_names(self):
        self.write("# c\nmail_owner = x\nfoo = bar\n")
        r = run("-c", self.dir, "mail_owner", "nosuch")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "mail_owner = x\n")
        self.assertIn("ternconf: warning: %s:3: unknown parameter: foo"
                      % self.main, r.stderr)
        self.assertIn("ternconf: warning: unknown parameter: nosuch",
                      r.stderr)
        # A name set in main.cf is shown even if the table lacks it.
        r = run("-c", self.dir, "foo")
        self.assertEqual((r.returncode, r.stdout), (0, "foo = bar\n"))
        r = run("-d", "nosuch")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown parameter: nosuch", r.stderr)

    def test_bad_main_cf(self):
        self.write("mail_owner = x\n\nmessage_size_limit = 10x\n")
        r = run("-c", self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn('%s:3: message_size_limit: bad size value "10x"'
                      % self.main, r.stderr)
        self.write("mail_owner = x\nno equals here\n")
        r = run("-c", self.dir, "-n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:2: missing '=' after parameter name" % self.main,
                      r.stderr)
        r = run("-c", os.path.join(self.dir, "nonexistent"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("main.cf: cannot read", r.stderr)

    def test_usage(self):
        self.assertEqual(run("-q").returncode, 2)
        self.assertEqual(run("-e").returncode, 2)
        self.assertEqual(run("-d", "-n").returncode, 2)

    def test_check_params(self):
        script = os.path.join(SRC, "scripts", "check-params")
        r = subprocess.run(["/usr/bin/python3", script, TERNCONF],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # A man page that lacks one parameter and has one extra fails.
        with open(os.path.join(SRC, "man", "man5", "ternconf.5")) as f:
            text = f.read()
        text = text.replace(".It Cm max_use ", ".It Cm max_uses ")
        fake = os.path.join(self.dir, "ternconf.5")
        with open(fake, "w") as f:
            f.write(text)
        r = subprocess.run(["/usr/bin/python3", script, TERNCONF, fake],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not documented in %s: max_use" % fake, r.stdout)
        self.assertIn("documented but not in the table: max_uses", r.stdout)


if __name__ == "__main__":
    unittest.main()
