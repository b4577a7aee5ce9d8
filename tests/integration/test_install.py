# SPDX-License-Identifier: MIT
"""Install and packaging. Always: `cmake --install` of TERN_BIN's build
tree with DESTDIR lays out daemons, commands, man pages, conf/ as the
defaults and as samples, the permissions manifest and the systemd files
where the TERN_*_DIR cache variables say; the installed ternconf -d reports
those paths; tern set-permissions makes the tree match the manifest and
tern check reports what differs; the binaries hold no build path. As root
with cpack and dpkg-deb: the .deb (metadata, Provides/Conflicts/Replaces,
conffiles, maintainer scripts), built twice to the same bytes. With
debootstrap too and a Debian 12 root (cached in TERN_DEBIAN12_ROOT, default
/var/cache/tern-test/bookworm, else made once when the mirror answers):
the .deb installs into a copy of it, creates the users and starts Tern,
tern check passes, a message is delivered, and purge leaves nothing."""
import grp
import hashlib
import os
import pwd
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import ternlib  # noqa: E402

BIN = os.path.abspath(ternlib.BIN)
BUILD = os.path.dirname(BIN)
SOURCE = os.path.abspath(ternlib.SOURCE)
DAEMONS = ("master", "smtpd", "qmgr", "local", "smtp", "anvil", "auth",
           "pop3d", "imapd")
COMMANDS = ("tern", "ternconf", "ternmap", "ternqueue", "ternalias")
DEBIAN_ROOT = os.environ.get("TERN_DEBIAN12_ROOT",
                             "/var/cache/tern-test/bookworm")
MIRROR = os.environ.get("TERN_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# The .deb's dependencies and what its postinst uses, in the chroot.
DEBOOTSTRAP_INCLUDE = "libssl3,libc-ares2,libdb5.3,libcrypt1,adduser,passwd"
# The bound on making the Debian 12 root (once; about 150 s here).
DEBOOTSTRAP_SECONDS = 240
# A fixed time for the archive members: the same tree, the same bytes.
EPOCH = "1700000000"


def cache():
    """The build tree's CMake cache: name -> value."""
    out = {}
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(("#", "//")) or "=" not in line:
                continue
            key, _, value = line.rstrip("\n").partition("=")
            out[key.split(":")[0]] = value
    return out


def run(args, **kw):
    kw.setdefault("timeout", 300)
    return subprocess.run(args, capture_output=True, text=True, **kw)


class Installed:
    """One `cmake --install` of the build tree into a temporary DESTDIR,
    shared by the tests (the install takes a few seconds)."""
    _it = None

    @classmethod
    def get(cls):
        if cls._it is None:
            cls._it = cls()
        return cls._it

    def __init__(self):
        self.c = cache()
        self.tmp = tempfile.mkdtemp(prefix="tern-install-")
        os.chmod(self.tmp, 0o755)
        self.dest = os.path.join(self.tmp, "root")
        r = run(["cmake", "--install", BUILD, "--prefix",
                 self.c["CMAKE_INSTALL_PREFIX"]],
                env=dict(os.environ, DESTDIR=self.dest))
        if r.returncode != 0:
            raise AssertionError("cmake --install: %s%s" % (r.stdout, r.stderr))
        self.output = r.stdout + r.stderr

    def path(self, name, *rest):
        """DESTDIR + the cache variable name (TERN_DAEMON_DIR) + rest."""
        return os.path.join(self.dest + self.c[name], *rest)


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.i = Installed.get()

    def test_layout(self):
        i = self.i
        self.assertNotIn("CMake Warning", i.output)
        for d in DAEMONS:
            p = i.path("TERN_DAEMON_DIR", d)
            self.assertTrue(os.access(p, os.X_OK), p)
        for c in COMMANDS:
            p = i.path("TERN_COMMAND_DIR", c)
            self.assertTrue(os.access(p, os.X_OK), p)
        # No daemon among the commands, no command among the daemons.
        self.assertFalse(os.path.exists(i.path("TERN_COMMAND_DIR", "smtpd")))
        self.assertFalse(os.path.exists(i.path("TERN_DAEMON_DIR", "tern")))
        for page in ("man1/tern.1", "man1/mailq.1", "man5/ternconf.5",
                     "man5/master.5", "man8/smtpd.8", "man8/master.8"):
            self.assertTrue(os.path.isfile(i.path("TERN_MAN_DIR", page)), page)
        for f in ("main.cf", "master.cf"):
            with open(os.path.join(SOURCE, "conf", f)) as src:
                text = src.read()
            for where in ("TERN_CONFIG_DIR", "TERN_SAMPLE_DIR"):
                with open(i.path(where, f)) as got:
                    self.assertEqual(got.read(), text, (where, f))
        with open(os.path.join(SOURCE, "packaging", "permissions")) as src, \
                open(i.path("TERN_DATA_DIR", "permissions")) as got:
            self.assertEqual(got.read(), src.read())
        # mailq and newaliases: in bindir, relative links to sendmail
        # (which acts by the name it is called).
        bindir = os.path.join(i.c["CMAKE_INSTALL_PREFIX"], "bin")
        for link, target in (("mailq", "sendmail"),
                             ("newaliases", "sendmail")):
            p = i.dest + bindir + "/" + link
            self.assertTrue(os.path.islink(p), link)
            self.assertFalse(os.readlink(p).startswith("/"))
            self.assertEqual(os.path.realpath(p), os.path.realpath(
                i.path("TERN_COMMAND_DIR", target)))

    def test_systemd_files(self):
        i = self.i
        with open(i.path("TERN_SYSTEMD_UNIT_DIR", "tern.service")) as f:
            unit = f.read()
        self.assertIn("Type=forking\n", unit)
        self.assertIn("PIDFile=%s/pid/master.pid\n" % i.c["TERN_QUEUE_DIR"],
                      unit)
        for verb, what in (("Start", "start"), ("Reload", "reload"),
                           ("Stop", "stop")):
            self.assertIn("Exec%s=%s/tern %s\n"
                          % (verb, i.c["TERN_COMMAND_DIR"], what), unit)
        # systemd's own parser, where there is one: every key known. (The
        # commands are not installed on this host, and a container may
        # lack systemd's targets: neither is checked.)
        if shutil.which("systemd-analyze"):
            r = run(["systemd-analyze", "verify", "--man=no",
                     i.path("TERN_SYSTEMD_UNIT_DIR", "tern.service")],
                    timeout=60)
            bad = [l for l in (r.stdout + r.stderr).splitlines()
                   if ".service:" in l and "is not executable" not in l
                   and "Failed to create" not in l]
            self.assertEqual(bad, [])
        # The accounts main.cf's defaults name.
        d = run([os.path.join(BIN, "ternconf"), "-d", "mail_owner",
                 "auth_owner"]).stdout
        owners = re.findall(r"= (\S+)", d)
        self.assertEqual(len(owners), 2, d)
        with open(i.path("TERN_SYSUSERS_DIR", "tern.conf")) as f:
            lines = [l.split() for l in f
                     if l.strip() and not l.startswith("#")]
        self.assertEqual(sorted(l[1] for l in lines if l[0] == "u"),
                         sorted(owners))
        # ...and the group ternpostdrop is set-group-id to.
        d = run([os.path.join(BIN, "ternconf"), "-d", "setgid_group"]).stdout
        self.assertIn(["g", d.split("= ")[1].strip(), "-"], lines)
        with open(i.path("TERN_TMPFILES_DIR", "tern.conf")) as f:
            self.assertIn("d %s 0755 root root" % i.c["TERN_QUEUE_DIR"],
                          f.read())

    def test_ternconf_reports_the_paths(self):
        i = self.i
        r = run([i.path("TERN_COMMAND_DIR", "ternconf"), "-d"],
                env=dict(os.environ, TERN_CONFIG_DIRECTORY="/nonexistent"))
        self.assertEqual(r.returncode, 0, r.stderr)
        for param, var in (("config_directory", "TERN_CONFIG_DIR"),
                           ("queue_directory", "TERN_QUEUE_DIR"),
                           ("daemon_directory", "TERN_DAEMON_DIR"),
                           ("command_directory", "TERN_COMMAND_DIR"),
                           ("manpage_directory", "TERN_MAN_DIR"),
                           ("meta_directory", "TERN_DATA_DIR"),
                           ("sample_directory", "TERN_SAMPLE_DIR")):
            self.assertIn("\n%s = %s\n" % (param, i.c[var]), "\n" + r.stdout)

    def test_reinstall_keeps_main_cf(self):
        i = self.i
        main = i.path("TERN_CONFIG_DIR", "main.cf")
        with open(main) as f:
            shipped = f.read()
        try:
            with open(main, "a") as f:
                f.write("myorigin = edited.example\n")
            r = run(["cmake", "--install", BUILD],
                    env=dict(os.environ, DESTDIR=i.dest))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Keeping: %s" % main, r.stdout)
            with open(main) as f:
                self.assertIn("myorigin = edited.example", f.read())
        finally:
            with open(main, "w") as f:
                f.write(shipped)

    def test_set_permissions_and_check(self):
        """A main.cf that points every path into DESTDIR: tern
        set-permissions makes the queue, tern check then passes; a
        deviation is reported (an error as root), set-permissions fixes it,
        and a symbolic link in the queue is refused."""
        i = self.i
        etc = tempfile.mkdtemp(prefix="etc-", dir=i.tmp)
        os.chmod(etc, 0o755)
        queue = os.path.join(i.tmp, "spool", "tern")
        owner = "tern" if ternlib.IS_ROOT else pwd.getpwuid(os.getuid()).pw_name
        shutil.copy(i.path("TERN_CONFIG_DIR", "master.cf"), etc)
        with open(os.path.join(etc, "main.cf"), "w") as f:
            f.write("queue_directory = %s\n" % queue)
            for param, var in (("daemon_directory", "TERN_DAEMON_DIR"),
                               ("command_directory", "TERN_COMMAND_DIR"),
                               ("meta_directory", "TERN_DATA_DIR"),
                               ("sample_directory", "TERN_SAMPLE_DIR")):
                f.write("%s = %s\n" % (param, i.path(var)))
            f.write("mail_owner = %s\nauth_owner = %s\n" % (
                owner, "ternauth" if ternlib.IS_ROOT else owner))
            f.write("myhostname = mail.example.test\n")
            # Not this host's /etc/aliases.
            f.write("alias_maps =\nalias_database =\n")
        os.chmod(os.path.join(etc, "main.cf"), 0o644)
        tern = i.path("TERN_COMMAND_DIR", "tern")

        def tool(*args):
            return run([tern, "-c", etc] + list(args), timeout=60)

        r = tool("set-permissions")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("%s/incoming: created" % queue, r.stderr)
        self.assertEqual(os.stat(queue + "/maildrop").st_mode & 0o7777, 0o1730)
        self.assertEqual(os.stat(queue + "/public").st_mode & 0o7777, 0o710)
        if ternlib.IS_ROOT:
            self.assertEqual(os.stat(queue + "/incoming").st_uid,
                             pwd.getpwnam("tern").pw_uid)
            self.assertEqual(os.stat(queue + "/pid").st_uid, 0)
        r = tool("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("set-permissions", r.stderr)
        # Twice: nothing left to change.
        r = tool("set-permissions")
        self.assertEqual((r.returncode, r.stderr), (0, ""))

        os.chmod(queue + "/hold", 0o755)
        r = tool("check")
        want = "%s/hold: mode 0755, not 0700; fix with: tern set-permissions" % queue
        if ternlib.IS_ROOT:
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("tern: error: " + want, r.stderr)
        else:
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("tern: warning: " + want, r.stderr)
        r = tool("set-permissions")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("%s/hold: mode 0755 -> 0700" % queue, r.stderr)
        self.assertEqual(tool("check").returncode, 0)

        os.rmdir(queue + "/corrupt")
        os.symlink(i.tmp, queue + "/corrupt")
        mode = os.stat(i.tmp).st_mode
        for cmd in ("check", "set-permissions"):
            r = tool(cmd)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("%s/corrupt: a symbolic link where a directory "
                          "belongs; refused" % queue, r.stderr)
        self.assertEqual(os.stat(i.tmp).st_mode, mode)
        os.unlink(queue + "/corrupt")
        self.assertEqual(tool("set-permissions").returncode, 0)

    def test_manifest_matches_master(self):
        """The queue master makes is the queue the manifest describes:
        after a start and stop, tern check finds nothing to fix in it."""
        # The commands as the manifest has them (the build tree's
        # ternpostdrop is not set-group-id): copies in a directory of
        # their own.
        cmds = tempfile.mkdtemp(prefix="tern-it-cmd-")
        os.chmod(cmds, 0o755)
        for n in ("tern", "ternconf", "ternmap", "ternqueue", "ternalias",
                  "sendmail", "ternpostdrop"):
            shutil.copy(os.path.join(BIN, n), cmds)
        if os.geteuid() == 0:
            os.chown(os.path.join(cmds, "ternpostdrop"), 0,
                     grp.getgrnam("terndrop").gr_gid)
            os.chmod(os.path.join(cmds, "ternpostdrop"), 0o2755)
        t = ternlib.Instance(main={
            "meta_directory": self.i.path("TERN_DATA_DIR"),
            "command_directory": cmds})
        try:
            t.start()
            t.stop()
            self.assertTrue(os.path.isdir(os.path.join(t.spool, "maildrop")))
            r = t.tool("tern", "check", check=False)
            queue = [l for l in r.stderr.splitlines() if t.spool in l]
            self.assertEqual(queue, [])
        finally:
            t.cleanup()
            shutil.rmtree(cmds, ignore_errors=True)

    def test_no_build_path_or_time_in_binaries(self):
        """Reproducible builds: no __DATE__ or __TIME__ in the sources,
        and neither the source nor the build directory in a binary."""
        r = run(["grep", "-rlE", "__DATE__|__TIME__|__TIMESTAMP__",
                 "--include=*.c", "--include=*.h"] +
                [os.path.join(SOURCE, d) for d in os.listdir(SOURCE)
                 if d not in ("build", "tests", ".git")])
        self.assertEqual(r.stdout, "")
        if cache().get("TERN_SANITIZE", "OFF").upper() in ("ON", "1",
                                                            "TRUE"):
            # GCC's sanitizers keep the full path in their source
            # locations; such a build is never shipped.
            return
        needles = {os.path.realpath(SOURCE).encode(),
                   os.path.realpath(BUILD).encode()}
        for name in DAEMONS + COMMANDS:
            with open(os.path.join(BIN, name), "rb") as f:
                data = f.read()
            for n in needles:
                self.assertFalse(n in data, "%s holds %s" % (name, n))


def have(*tools):
    return all(shutil.which(t) for t in tools)


class Deb:
    """The .deb of the build tree (cpack -G DEB), made once."""
    _it = None

    @classmethod
    def get(cls):
        if cls._it is None:
            cls._it = cls()
        return cls._it

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="tern-deb-")
        self.deb = self.make("a")

    def make(self, sub):
        out = os.path.join(self.tmp, sub)
        r = run(["cpack", "-G", "DEB", "-B", out], cwd=BUILD,
                env=dict(os.environ, SOURCE_DATE_EPOCH=EPOCH))
        if r.returncode != 0:
            raise AssertionError("cpack: %s%s" % (r.stdout, r.stderr))
        debs = [n for n in os.listdir(out) if n.endswith(".deb")]
        if len(debs) != 1:
            raise AssertionError("cpack made %r" % debs)
        return os.path.join(out, debs[0])


@unittest.skipUnless(ternlib.IS_ROOT and have("cpack", "dpkg-deb"),
                     "the .deb is built and inspected as root with cpack "
                     "and dpkg-deb")
class DebTest(unittest.TestCase):
    def setUp(self):
        self.d = Deb.get()
        self.c = cache()

    def test_control(self):
        r = run(["dpkg-deb", "-f", self.d.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        f = dict(re.findall(r"^(\S+): (.*)$", r.stdout, re.M))
        self.assertEqual(f["Package"], "tern")
        for field in ("Provides", "Conflicts", "Replaces"):
            self.assertEqual(f[field], "mail-transport-agent", field)
        for lib in ("libssl3", "libc-ares2", "libdb5.3", "libc6"):
            self.assertIn(lib, f["Depends"])
        self.assertEqual(f["Section"], "mail")

    def test_files(self):
        r = run(["dpkg-deb", "-c", self.d.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        names = {l.split()[5].lstrip(".") for l in r.stdout.splitlines()}
        c = self.c
        want = ["%s/%s" % (c["TERN_DAEMON_DIR"], d) for d in DAEMONS]
        want += ["%s/%s" % (c["TERN_COMMAND_DIR"], t) for t in COMMANDS]
        want += [c["TERN_CONFIG_DIR"] + "/main.cf",
                 c["TERN_CONFIG_DIR"] + "/master.cf",
                 c["TERN_DATA_DIR"] + "/permissions",
                 c["TERN_SYSTEMD_UNIT_DIR"] + "/tern.service",
                 c["TERN_SYSUSERS_DIR"] + "/tern.conf",
                 c["TERN_TMPFILES_DIR"] + "/tern.conf",
                 c["TERN_MAN_DIR"] + "/man1/tern.1",
                 c["CMAKE_INSTALL_PREFIX"] + "/bin/mailq"]
        for w in want:
            self.assertIn(w, names)
        # The queue is made at install time, never shipped.
        self.assertFalse([n for n in names
                          if n.startswith(c["TERN_QUEUE_DIR"])])

    def test_control_files(self):
        ctl = os.path.join(self.d.tmp, "control")
        shutil.rmtree(ctl, ignore_errors=True)
        r = run(["dpkg-deb", "-e", self.d.deb, ctl])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(ctl, "conffiles")) as f:
            self.assertEqual(f.read().split(),
                             [self.c["TERN_CONFIG_DIR"] + "/main.cf",
                              self.c["TERN_CONFIG_DIR"] + "/master.cf"])
        for script in ("postinst", "prerm", "postrm"):
            p = os.path.join(ctl, script)
            self.assertTrue(os.access(p, os.X_OK), script)
            self.assertEqual(run(["sh", "-n", p]).returncode, 0, script)
        with open(os.path.join(ctl, "postinst")) as f:
            text = f.read()
        self.assertIn("tern=%s/tern\n" % self.c["TERN_COMMAND_DIR"], text)
        self.assertIn("$tern set-permissions\n", text)
        self.assertIn("systemd-sysusers", text)
        self.assertNotIn("update-alternatives", text)
        with open(os.path.join(ctl, "postrm")) as f:
            self.assertIn("rm -rf %s" % self.c["TERN_QUEUE_DIR"], f.read())

    def test_reproducible(self):
        again = self.d.make("b")
        with open(self.d.deb, "rb") as a, open(again, "rb") as b:
            self.assertEqual(hashlib.sha256(a.read()).hexdigest(),
                             hashlib.sha256(b.read()).hexdigest())


def debian_root():
    """A Debian 12 root to copy: the cache, or one made there now by
    debootstrap (bounded) when the mirror answers. (path, None) or (None,
    why not)."""
    if os.path.isfile(os.path.join(DEBIAN_ROOT, "etc", "debian_version")):
        return DEBIAN_ROOT, None
    try:
        urllib.request.urlopen(MIRROR + "/dists/bookworm/Release",
                               timeout=5).close()
    except OSError as e:
        return None, "no Debian 12 root in %s and %s unreachable (%s)" % (
            DEBIAN_ROOT, MIRROR, e)
    tmp = DEBIAN_ROOT + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.dirname(DEBIAN_ROOT), exist_ok=True)
    try:
        r = run(["debootstrap", "--variant=minbase",
                 "--include=" + DEBOOTSTRAP_INCLUDE, "bookworm", tmp, MIRROR],
                timeout=DEBOOTSTRAP_SECONDS)
    except subprocess.TimeoutExpired:
        shutil.rmtree(tmp, ignore_errors=True)
        return None, "debootstrap took longer than %d s" % DEBOOTSTRAP_SECONDS
    if r.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        return None, "debootstrap failed: %s" % r.stderr[-500:]
    os.rename(tmp, DEBIAN_ROOT)
    return DEBIAN_ROOT, None


# What the chroot comparison leaves out: the package system's own records
# and logs, the kernel's file systems, and the test's own mailbox.
SNAPSHOT_SKIP = ("/proc", "/sys", "/dev", "/run", "/tmp", "/var/lib/dpkg",
                 "/var/log", "/var/cache", "/var/mail/vhosts", "/root")


def snapshot(root):
    """Every path below root (as seen inside it) with its kind and owner,
    and the account databases' contents."""
    out = {}
    for d, dirs, files in os.walk(root):
        rel = d[len(root):] or "/"
        if rel.startswith(SNAPSHOT_SKIP):
            dirs[:] = []
            continue
        for n in dirs + files:
            p = os.path.join(d, n)
            relp = p[len(root):]
            if relp.startswith(SNAPSHOT_SKIP) or n.endswith("-"):
                continue
            st = os.lstat(p)
            out[relp] = (st.st_mode, st.st_uid, st.st_gid)
    for db in ("passwd", "group", "shadow", "gshadow"):
        p = os.path.join(root, "etc", db)
        if os.path.exists(p):
            with open(p) as f:
                out["content:" + db] = f.read()
    return out


@unittest.skipUnless(ternlib.IS_ROOT and have("cpack", "dpkg-deb"),
                     "the Debian 12 test needs root, cpack and dpkg-deb")
class DebianChrootTest(unittest.TestCase):
    def setUp(self):
        self.tmp = None
        self.c = cache()
        local = [v for k, v in sorted(self.c.items())
                 if re.fullmatch(r"TERN_\w+_DIR", k)
                 and v.startswith("/usr/local/")]
        if self.c["CMAKE_INSTALL_PREFIX"] != "/usr" or local:
            # dpkg would take /usr/local/bin and the like for its own and
            # remove them with the package: not a Debian package.
            self.skipTest("the build tree installs into /usr/local: "
                          "configure it with -DCMAKE_INSTALL_PREFIX=/usr "
                          "for a Debian package")
        if not have("debootstrap"):
            self.skipTest("debootstrap is not installed: the .deb is not "
                          "installed into a Debian 12 root")
        src, why = debian_root()
        if src is None:
            self.skipTest(why)
        self.tmp = tempfile.mkdtemp(prefix="tern-chroot-")
        self.root = os.path.join(self.tmp, "root")
        r = run(["cp", "-a", src, self.root], timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.deb = Deb.get().deb

    def tearDown(self):
        if self.tmp is not None:
            self.kill_leftovers()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def processes(self):
        """PIDs of the processes whose root is the chroot."""
        out = []
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    if os.readlink("/proc/%s/root" % p) == self.root:
                        out.append(int(p))
                except OSError:
                    pass
        return out

    def kill_leftovers(self):
        for pid in self.processes():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass

    def chroot(self, *cmd, timeout=120):
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                       "/sbin:/bin", "LANG": "C", "HOME": "/root",
               "DEBIAN_FRONTEND": "noninteractive"}
        return run(["chroot", self.root] + list(cmd), env=env, timeout=timeout)

    def test_install_deliver_purge(self):
        c = self.c
        port = ternlib.free_port()
        # The mailbox owner and base are the test's, made before the
        # snapshot: only what the package makes must go again.
        r = self.chroot("useradd", "--system", "-M", "-d", "/nonexistent",
                        "-s", "/usr/sbin/nologin", "vmail")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.root + "/etc/passwd") as f:
            vmail = [l.split(":") for l in f if l.startswith("vmail:")][0]
        os.makedirs(self.root + "/var/mail/vhosts", exist_ok=True)
        os.chown(self.root + "/var/mail/vhosts", int(vmail[2]), int(vmail[3]))
        before = snapshot(self.root)

        # The configuration the package will find (kept: --force-confold):
        # smtpd on a free loopback port, one virtual domain.
        etc = self.root + c["TERN_CONFIG_DIR"]
        os.makedirs(etc)
        with open(os.path.join(SOURCE, "conf", "master.cf")) as f:
            master = re.sub(r"^smtp(\s+inet)", "127.0.0.1:%d\\1" % port,
                            f.read(), count=1, flags=re.M)
        with open(etc + "/master.cf", "w") as f:
            f.write(master)
        with open(os.path.join(SOURCE, "conf", "main.cf")) as f:
            main = f.read()
        main += ("myhostname = mail.example.test\nmyorigin = example.test\n"
                 "smtpd_peername_lookup = no\n"
                 "virtual_mailbox_domains = example.test\n"
                 "virtual_mailbox_base = /var/mail/vhosts\n"
                 "virtual_mailbox_maps = texthash:%s/vmailbox\n"
                 "virtual_alias_maps = texthash:%s/virtual\n"
                 "virtual_uid_maps = static:%s\nvirtual_gid_maps = static:%s\n"
                 % (c["TERN_CONFIG_DIR"], c["TERN_CONFIG_DIR"], vmail[2],
                    vmail[3]))
        with open(etc + "/main.cf", "w") as f:
            f.write(main)
        with open(etc + "/vmailbox", "w") as f:
            f.write("alice@example.test example.test/alice/\n")
        with open(etc + "/virtual", "w") as f:
            f.write("postmaster@example.test alice@example.test\n")
        for n in os.listdir(etc):
            os.chmod(os.path.join(etc, n), 0o644)

        shutil.copy(self.deb, self.root + "/tmp/tern.deb")
        r = self.chroot("dpkg", "-i", "--force-confold", "/tmp/tern.deb")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The users exist and Tern runs (postinst started it).
        for u in ("tern", "ternauth"):
            self.assertEqual(self.chroot("getent", "passwd", u).returncode, 0, u)
        tern = c["TERN_COMMAND_DIR"] + "/tern"
        try:
            ternlib.wait_for(
                lambda: self.chroot(tern, "status").returncode == 0,
                timeout=30, what="tern status after install")
        except AssertionError:
            raise AssertionError("not running after dpkg -i: %s%s; tern "
                                 "check: %s" % (r.stdout, r.stderr,
                                                self.chroot(tern, "check")
                                                .stderr))
        r = self.chroot(tern, "check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("error", r.stderr)

        s = smtplib.SMTP("127.0.0.1", port, timeout=30)
        s.sendmail("bob@example.org", ["alice@example.test"],
                   "Subject: packaged\r\n\r\nDelivered by the .deb.\r\n")
        s.quit()
        new = self.root + "/var/mail/vhosts/example.test/alice/new"
        ternlib.wait_for(lambda: os.path.isdir(new) and os.listdir(new),
                         timeout=30, what="the message in alice's Maildir")

        # The same package again (an upgrade): Tern is restarted, and
        # the configuration is the administrator's still.
        pid = self.chroot(tern, "status").stderr
        r = self.chroot("dpkg", "-i", "--force-confold", "/tmp/tern.deb")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.chroot(tern, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(r.stderr, pid)
        with open(etc + "/main.cf") as f:
            self.assertEqual(f.read(), main)

        r = self.chroot("dpkg", "--purge", "tern")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.processes(), [])
        after = snapshot(self.root)
        added = sorted(set(after) - set(before))
        gone = sorted(set(before) - set(after))
        changed = sorted(k for k in before if k in after
                         and before[k] != after[k])
        self.assertEqual((added, gone, changed), ([], [], []))


def tearDownModule():
    for made in (Installed._it, Deb._it):
        if made is not None:
            shutil.rmtree(made.tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
