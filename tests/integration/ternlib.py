"""ternlib - start a real Tern instance for integration tests.

An Instance lives in a fresh temporary directory: etc/ (main.cf,
master.cf, tables), spool/ (the queue), mail/ (Maildirs), log/maillog.
It listens on 127.0.0.1 (or ::1: listen="::1") on a free high port. Run as root, it uses real
privilege separation (mail_owner "tern", mailboxes owned by "vmail",
both made by scripts/setup); otherwise everything runs as the caller.
Every wait is bounded: wait_for() polls a condition until a deadline.
"""
import base64
import hashlib
import hmac
import os
import pwd
import random
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("TERN_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "dev", "bin")
SOURCE = os.environ.get("TERN_SOURCE") or os.path.join(
    os.path.dirname(__file__), "..", "..")
IS_ROOT = os.geteuid() == 0
# Sanitizer builds are slower: give every wait more room.
# A sanitizer build (scripts/test's second pass): slower, and its
# programs cannot run set-user-id or set-group-id (LeakSanitizer refuses
# a process it may not trace).
SANITIZE = os.environ.get("TERN_SANITIZE", "").upper() in ("1", "ON", "TRUE")
SLOW = 3 if SANITIZE else 1
# One time in a delay= or delays= field, in Postfix's shape: below 1 s at
# most two decimals, below 10 s at most one, else whole seconds; no
# trailing zeros, never exponent notation.
DELAY_RE = r"(?:0(?:\.\d?[1-9])?|[1-9](?:\.[1-9])?|[1-9]\d+)"
DELAY_FIELDS_RE = r"delay=%s, delays=%s/%s/%s/%s" % ((DELAY_RE,) * 5)


_ports_given = set()


def _below_ephemeral():
    """The first port of the kernel's ephemeral range (ports it hands to
    outgoing connections)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_base(offsets, host="127.0.0.1", kind=socket.SOCK_STREAM):
    """A base port such that base + o is free for every o in offsets and
    none of them was given to this process before. They are taken below
    the kernel's ephemeral range: a port in it can go to an outgoing
    connection (of this test, or of a program it runs) between the moment
    it is found free and the moment the instance binds it (CI once lost
    the demo's IMAP port so)."""
    top = min(_below_ephemeral(), 65536) - max(offsets) - 1
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(10000 - min(offsets), top)
        ports = [base + o for o in offsets]
        if any(p in _ports_given for p in ports):
            continue
        held = []
        try:
            for p in ports:
                s = socket.socket(family, kind)
                held.append(s)
                s.bind((host, p))
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
        _ports_given.update(ports)
        return base
    raise RuntimeError("no free base port for offsets %r" % (offsets,))


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port free now, below the ephemeral range, that this process has
    not been given before (two calls in a row would otherwise give an
    instance two services on one port)."""
    return free_port_base((0,), host=host, kind=kind)


DNSMASQ = "/usr/sbin/dnsmasq"


def start_dnsmasq(records):
    """Start dnsmasq on a free loopback port answering only from records
    (dnsmasq options; unknown names under .test are NXDOMAIN) and wait
    until it answers. Returns the process and the port."""
    port = free_port(socket.SOCK_DGRAM)
    p = subprocess.Popen([DNSMASQ, "--keep-in-foreground", "--no-resolv",
                          "--no-hosts", "--no-poll", "--bind-interfaces",
                          "--listen-address=127.0.0.1", "--port=%d" % port,
                          "--log-facility=/dev/null", "--local=/test/"]
                         + records)
    query = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
             b"\x05ready\x04test\x00\x00\x01\x00\x01")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.1)
    for _ in range(100):
        s.sendto(query, ("127.0.0.1", port))
        try:
            s.recv(512)
            break
        except socket.timeout:
            continue
    s.close()
    return p, port


def tls_context():
    """A TLS client context that does not verify the server (the test
    instances' certificates are self-signed)."""
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


class ScramClient:
    """The client side of SCRAM-SHA-256 (RFC 5802 3, RFC 7677), base64 in
    and out as SMTP, POP3 and IMAP carry it: first() is the initial
    response, final(challenge) the answer to the server's first message,
    and server_ok(data) checks the server's signature."""

    def __init__(self, user, password):
        self.user, self.password = user, password

    def first(self):
        self.cnonce = base64.b64encode(os.urandom(18)).decode()
        self.bare = "n=%s,r=%s" % (self.user, self.cnonce)
        return base64.b64encode(("n,," + self.bare).encode()).decode()

    def final(self, challenge):
        server_first = base64.b64decode(challenge).decode()
        f = dict(kv.split("=", 1) for kv in server_first.split(","))
        if not f["r"].startswith(self.cnonce):
            raise AssertionError("server nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(),
                                     base64.b64decode(f["s"]), int(f["i"]))
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored = hashlib.sha256(client_key).digest()
        final_bare = "c=biws,r=" + f["r"]
        self.auth_msg = ",".join((self.bare, server_first,
                                  final_bare)).encode()
        sig = hmac.digest(stored, self.auth_msg, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        self.server_key = hmac.digest(salted, b"Server Key", "sha256")
        return base64.b64encode((final_bare + ",p=" + base64.b64encode(
            proof).decode()).encode()).decode()

    def server_ok(self, data):
        expect = "v=" + base64.b64encode(hmac.digest(
            self.server_key, self.auth_msg, "sha256")).decode()
        return base64.b64decode(data).decode() == expect


def make_cert(directory, name="server", cn="mail.example.test", kind="ec"):
    """A self-signed certificate and its key (ECDSA P-256, or RSA 2048
    with kind="rsa") as directory/name.pem and directory/name.key, made
    with the openssl command; returns the two paths."""
    cert = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + ".key")
    newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else [
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "2",
                    "-subj", "/CN=" + cn, "-addext",
                    "subjectAltName=DNS:" + cn] + newkey +
                   ["-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return cert, key


def wait_for(cond, timeout=20, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout * SLOW
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s" % what)


class Instance:
    domain = "example.test"

    def __init__(self, users=("alice", "bob"), aliases=None, main=None,
                 system_aliases=None,
                 master_extra="", qmgr_wakeup=60, maxproc=None,
                 listen="127.0.0.1"):
        self.dir = tempfile.mkdtemp(prefix="tern-it-")
        os.chmod(self.dir, 0o755)
        self.etc = os.path.join(self.dir, "etc")
        self.spool = os.path.join(self.dir, "spool")
        self.mail = os.path.join(self.dir, "mail")
        self.logdir = os.path.join(self.dir, "log")
        self.maillog = os.path.join(self.logdir, "maillog")
        for d in (self.etc, self.mail, self.logdir):
            os.makedirs(d)
            os.chmod(d, 0o755)
        # smtpd's address: 127.0.0.1, or "::1" for an IPv6 instance.
        self.host = listen
        self.port = free_port(host=listen)
        if IS_ROOT:
            self.owner = "tern"
            self.auth_owner = "ternauth"
            vm = pwd.getpwnam("vmail")
            self.uid, self.gid = vm.pw_uid, vm.pw_gid
            os.chown(self.mail, self.uid, self.gid)
        else:
            self.owner = pwd.getpwuid(os.getuid()).pw_name
            self.auth_owner = self.owner
            self.uid, self.gid = os.getuid(), os.getgid()
        self.users = list(users)
        with open(os.path.join(self.etc, "vmailbox"), "w") as f:
            for u in users:
                f.write("%s@%s %s/%s/\n" % (u, self.domain, self.domain, u))
        al = {"postmaster@%s" % self.domain: "alice@%s" % self.domain}
        al.update(aliases or {})
        with open(os.path.join(self.etc, "virtual"), "w") as f:
            for k, v in al.items():
                f.write("%s %s\n" % (k, v))
        # aliases(5) for the users of the system (mydestination).
        with open(os.path.join(self.etc, "aliases"), "w") as f:
            f.write("# written by ternlib.py\n")
            # Mail for root goes to alice, as an administrator would
            # have it (local never delivers as root).
            if system_aliases is None:
                system_aliases = {"root": "alice@%s" % self.domain}
            for k, v in system_aliases.items():
                f.write("%s: %s\n" % (k, v))
        params = {
            "alias_maps": "texthash:%s/aliases" % self.etc,
            "alias_database": "hash:%s/aliases" % self.etc,
            "queue_directory": self.spool,
            "daemon_directory": BIN,
            "command_directory": BIN,
            "maillog_file": self.maillog,
            "mail_owner": self.owner,
            "auth_owner": self.auth_owner,
            "myhostname": "mail.example.test",
            "myorigin": self.domain,
            "virtual_mailbox_domains": self.domain,
            "virtual_mailbox_base": self.mail,
            "virtual_mailbox_maps": "texthash:%s/vmailbox" % self.etc,
            "virtual_alias_maps": "texthash:%s/virtual" % self.etc,
            "virtual_uid_maps": "static:%d" % self.uid,
            "virtual_gid_maps": "static:%d" % self.gid,
            "virtual_minimum_uid": "1",
            "recipient_delimiter": "+",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "4s",
            "smtpd_error_sleep_time": "0s",
            # No DNS for client names: the tests must not wait on the
            # host's resolver (loopback clients are "localhost" then).
            # test_smtpd_peername.py turns it on with its own server.
            "smtpd_peername_lookup": "no",
        }
        params.update(main or {})
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write("# written by ternlib.py\n")
            for k, v in params.items():
                f.write("%s = %s\n" % (k, v))
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write("# service type private unpriv chroot wakeup maxproc command\n")
            f.write("%s:%d inet n - n - 20 smtpd\n"
                    % ("[%s]" % listen if ":" in listen else listen,
                       self.port))
            f.write("qmgr unix n - n %d 1 qmgr\n" % qmgr_wakeup)
            f.write("pickup unix n - n 60 1 pickup\n")
            f.write("showq unix n - n - - showq\n")
            # maxproc: {"smtp": "2"} sets a delivery service's column.
            mp = maxproc or {}
            f.write("local unix - n n - %s local\n" % mp.get("local", "-"))
            f.write("smtp unix - - n - %s smtp\n" % mp.get("smtp", "-"))
            f.write("anvil unix - - n - 1 anvil\n")
            f.write("auth unix - - n - 1 auth\n")
            f.write(master_extra)
        self.system_users = []
        self.started = False
        self.keep = False
        self.allow_crashes = False

    def add_system_user(self, prefix="tt"):
        """As root: a new user of the system (useradd) whose home is in
        the instance directory, removed again by cleanup(). Returns its
        passwd entry. A name is at most 32 bytes and unique per run."""
        name = "%s%d%s" % (prefix, os.getpid() % 100000,
                           "".join(random.choice("abcdefghij")
                                   for _ in range(4)))
        home = os.path.join(self.dir, "home", name)
        os.makedirs(os.path.dirname(home), exist_ok=True)
        os.chmod(os.path.dirname(home), 0o755)
        subprocess.run(["useradd", "-M", "-N", "-d", home, "-s", "/bin/sh",
                        name], check=True, capture_output=True)
        self.system_users.append(name)
        pw = pwd.getpwnam(name)
        os.mkdir(home, 0o700)
        os.chown(home, pw.pw_uid, pw.pw_gid)
        return pw

    def add_user(self, name, password, scheme=None):
        """Add name to auth_user_file with tern user add (password on
        stdin). As root, tern user add gives a new table to the group of
        auth_owner, the user auth(8) runs as."""
        args = ["user", "add", name] + (["-s", scheme] if scheme else [])
        r = self.tool("tern", *args, input=password + "\n", check=False)
        if r.returncode != 0:
            raise AssertionError("tern user add: %s" % r.stderr)

    def add_server_cert(self, cn="mail.example.test"):
        """A certificate for cn (make_cert) as main.cf's
        smtpd_tls_cert_file and smtpd_tls_key_file, which pop3d and
        imapd fall back on; returns the two paths."""
        cert, key = make_cert(self.etc, "server", cn=cn)
        with open(os.path.join(self.etc, "main.cf"), "a") as f:
            f.write("smtpd_tls_cert_file = %s\nsmtpd_tls_key_file = %s\n"
                    % (cert, key))
        return cert, key

    def copy_maildir(self, src, dst):
        """src as another server's Maildir at dst: the same files and
        list, owned by the mailbox owner."""
        shutil.copytree(src, dst)
        for root, dirs, names in os.walk(dst):
            for n in dirs + names:
                os.chown(os.path.join(root, n), self.uid, self.gid)
        os.chown(dst, self.uid, self.gid)

    def dovecot(self, program, maildir, commands):
        """Dovecot 2.3's program (Debian's /usr/lib/dovecot/pop3 or imap)
        run pre-authenticated on stdin and stdout over maildir as the
        mailbox owner, with commands (bytes) as its input: the
        subprocess.CompletedProcess, output as bytes."""
        d = os.path.join(self.dir, "dovecot")
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("base_dir = %s/run\nstate_dir = %s/state\n"
                    "log_path = %s/log\nprotocols =\nssl = no\n"
                    "mail_location = maildir:%s\nmail_uid = %d\n"
                    "mail_gid = %d\nfirst_valid_uid = 1\n"
                    "first_valid_gid = 1\n"
                    % (d, d, d, maildir, self.uid, self.gid))
        return subprocess.run(
            [program, "-c", conf], input=commands, capture_output=True,
            timeout=60, env=dict(os.environ, USER="alice", HOME=d))

    def tool(self, name, *args, check=True, **kw):
        return subprocess.run([os.path.join(BIN, name), "-c", self.etc] + list(args),
                              capture_output=True, text=True, check=check,
                              timeout=60 * SLOW, **kw)

    def start(self):
        r = self.tool("tern", "start", check=False)
        if r.returncode != 0:
            raise AssertionError("tern start failed: %s%s" % (r.stdout, r.stderr))
        self.started = True
        wait_for(self.port_open, what="smtpd port")

    def port_open(self):
        try:
            socket.create_connection((self.host, self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.started:
            self.tool("tern", "stop", check=False)
            self.started = False

    def cleanup(self):
        self.stop()
        for name in self.system_users:
            subprocess.run(["userdel", name], capture_output=True)
        self.system_users = []
        # A daemon that panicked or crashed on its own is a failure even
        # when the mail got through after a restart.
        bad = [l for l in self.log().splitlines()
               if ": panic: " in l or re.search(r"killed by signal (6|7|8|11)\b", l)]
        if bad and not self.allow_crashes:
            self.keep = True
            raise AssertionError("daemon failures in %s:\n%s" % (self.maillog, "\n".join(bad)))
        if os.environ.get("TERN_KEEP") or self.keep:
            print("keeping", self.dir)
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def smtp(self):
        return smtplib.SMTP(self.host, self.port, timeout=30 * SLOW)

    def client(self, source, helo="client.example.org"):
        """An SMTP session to smtpd from the local address source (of
        smtpd's family), after EHLO helo."""
        s = smtplib.SMTP(timeout=30 * SLOW, source_address=(source, 0))
        s.connect(self.host, self.port)
        s.ehlo(helo)
        return s

    def maildir(self, user):
        return os.path.join(self.mail, self.domain, user)

    def messages(self, user, sub="new"):
        d = os.path.join(self.maildir(user), sub)
        if not os.path.isdir(d):
            return []
        return sorted(os.path.join(d, n) for n in os.listdir(d))

    def wait_messages(self, user, n, timeout=30):
        return wait_for(lambda: len(self.messages(user)) >= n and self.messages(user),
                        timeout=timeout, what="%d messages for %s" % (n, user))

    def block_mailbox(self, user):
        """Put a plain file where user's Maildir should be: delivery fails
        with a temporary error until the file is removed."""
        d = os.path.join(self.mail, self.domain)
        os.makedirs(d, exist_ok=True)
        os.chown(d, self.uid, self.gid)
        with open(self.maildir(user), "w") as f:
            f.write("not a maildir\n")

    def log(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, text, timeout=20):
        return wait_for(lambda: text in self.log(), timeout=timeout,
                        what="log line containing %r" % text)

    def queue_files(self, *queues):
        out = []
        for q in queues or ("incoming", "active", "deferred"):
            d = os.path.join(self.spool, q)
            if os.path.isdir(d):
                out += [n for n in os.listdir(d) if not n.startswith(".")]
        return out

    def pids(self, program, children_of_master=False):
        """PIDs of running processes of this instance named program (only
        those master forked itself, when children_of_master)."""
        masters = self.pids("master") if children_of_master else []
        out = []
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if len(argv) > 2 and os.path.basename(argv[0].decode(errors="replace")) == program \
                    and self.etc.encode() in argv:
                if children_of_master:
                    try:
                        with open("/proc/%s/stat" % p) as f:
                            ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                    except (OSError, ValueError, IndexError):
                        continue
                    if ppid not in masters:
                        continue
                out.append(int(p))
        return out

    def kill(self, program, sig=signal.SIGKILL):
        for pid in self.pids(program):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


class AccessTest(unittest.TestCase):
    """A test case of a mail access service (pop3d, imapd): self.t, the
    Instance it starts, is cleaned up after each test."""

    def setUp(self):
        self.t = None

    def tearDown(self):
        if self.t is not None:
            self.t.cleanup()

    def start_service(self, daemon, level="may", scheme=None,
                      cn="mail.example.test", **main):
        """Start an Instance with main's settings, users alice and bob
        ("alice pw", "bob pw", with scheme), the certificate for cn
        (add_server_cert) and two daemon services on 127.0.0.1: STARTTLS
        at level on self.port, TLS from the first byte on
        self.tls_port."""
        self.port = free_port()
        self.tls_port = free_port()
        t = self.t = Instance(
            main=main,
            master_extra="127.0.0.1:%d inet n - n - - %s "
            "-o %s_tls_security_level=%s\n"
            "127.0.0.1:%d inet n - n - - %s -o %s_tls_wrappermode=yes\n"
            % (self.port, daemon, daemon, level, self.tls_port, daemon,
               daemon))
        t.add_server_cert(cn)
        t.add_user("alice", "alice pw", scheme)
        t.add_user("bob", "bob pw", scheme)
        t.start()
        return t


class SourcedClient:
    """A mix-in for poplib.POP3 and imaplib.IMAP4 (listed first): the
    connection comes from the local address source."""

    def __init__(self, host, port, source, timeout=30):
        self.source = source
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.source, 0))


def run_in_netns(script, test):
    """Run test (a unittest name) of script in a network namespace of its
    own where 192.0.2.1 and 192.0.2.2 are local addresses that are not
    loopback ones (127.0.0.0/8, ::1), on the namespace's own lo: nothing
    leaves it. Needs root, unshare and ip. TERN_TEST_NETNS=1 tells the
    test it is inside. Returns the subprocess.CompletedProcess (text)."""
    setup = ("ip link set lo up && "
             "ip addr add 192.0.2.1/32 dev lo && "
             "ip addr add 192.0.2.2/32 dev lo")
    return subprocess.run(
        ["unshare", "--net", "--", "sh", "-c",
         setup + " && exec \"$0\" \"$1\" -v " + test,
         sys.executable, os.path.abspath(script)],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, TERN_TEST_NETNS="1"))


def imap_until(f, tag):
    """The lines read from f up to and including the one tagged tag (or,
    with tag b"+", a continuation request)."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise AssertionError("closed before %r: %r" % (tag, lines))
        lines.append(line)
        if line.startswith(tag + b" ") or (tag == b"+" and
                                           line.startswith(b"+")):
            return lines
