#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pop3-bench.py - POP3 benchmark: Tern's pop3d, and Dovecot's POP3 on a
copy of the same Maildir in the same run (bench/run -p starts this).

    bench/pop3-bench.py --src DIR --bin DIR [-n N] [--seed S] [--window W]
        [--timeout S] [--sizes] [--no-dovecot] [--no-drop-caches]
        [--dovecot-first] [--repeat R]

Writes a Maildir of N messages (maildir-gen.py) into a throw-away Tern
instance's mailbox of user "bench" and, before any session, copies it for
a throw-away Dovecot. Then: a cold session with Tern, a cold one with
Dovecot (each after dropping the page cache, as root), a warm one with
each (--dovecot-first: Dovecot's before Tern's each time), R times
(default 3; the table has the median of each figure). A session is
pop3-load.py's: login, STAT, UIDL, LIST, then every message RETR'd,
pipelined, QUIT without DELE. Compares counts, octets and message
contents, and the UIDLs both ways: Dovecot on a copy of the Maildir that
Tern served (with Tern's dovecot-uidlist), Tern on a copy of the one that
Dovecot served (with Dovecot's). Everything is stopped and removed at
the end, also on errors, ^C or SIGTERM.
"""
import argparse
import importlib.util
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DOVECOT = "/usr/sbin/dovecot"
DOVECOT_POP3 = "/usr/lib/dovecot/pop3"
PASSWORD = "bench-pop3-secret"


def load_module(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE,
                                                                     file))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


gen = load_module("maildir_gen", "maildir-gen.py")
load = load_module("pop3_load", "pop3-load.py")


def proc_table():
    """pid -> (ppid, comm, cpu ticks incl. waited-for children)."""
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        st = s.rsplit(")", 1)[1].split()
        out[int(p)] = (int(st[1]), comm, sum(int(x) for x in st[11:15]))
    return out


def tree(root, table):
    kids = {}
    for pid, (ppid, _, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    todo, out = [root], []
    while todo:
        p = todo.pop()
        if p in table:
            out.append(p)
        todo += kids.get(p, [])
    return out


def cpu_ms(root):
    t = proc_table()
    return sum(t[p][2] for p in tree(root, t)) * 1000 / \
        os.sysconf("SC_CLK_TCK")


def named(root, names):
    t = proc_table()
    return set(p for p in tree(root, t) if t[p][1] in names)


def wait_gone(root, names, before, timeout=30):
    """Wait until the tree under root has no process named in names but
    those in before (the session's processes have exited and have been
    reaped). Returns those left."""
    deadline = time.monotonic() + timeout
    while True:
        left = named(root, names) - before
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def drop_caches(enabled):
    if not enabled:
        return False
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def copy_maildir(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    subprocess.run(["cp", "-a", src, dst], check=True, timeout=600)


def complaints(label, path, words=("warning", "error", "fatal", "panic")):
    try:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return
    bad = [x for x in lines
           if any((": %s: " % w) in x.lower() or ("%s: " % w) in x.lower()
                  for w in words)]
    print("%s: %d warning/error lines in the log" % (label, len(bad)))
    for x in bad[:5]:
        print("    " + x[:300])


def user_hashes(t):
    """{name: password hash} from the Tern instance's auth_user_file."""
    hashes = {}
    with open(os.path.join(t.etc, "users")) as f:
        for line in f:
            parts = line.rstrip("\n").split(":")
            if len(parts) >= 2:
                hashes[parts[0]] = parts[1]
    return hashes


def dovecot_why_not(no_dovecot, server):
    """Why a private Dovecot with server (its imap or pop3 program)
    cannot run, or None."""
    if no_dovecot:
        return "-P"
    if not (os.path.exists(DOVECOT) and os.path.exists(server)):
        return "%s or %s not found" % (DOVECOT, server)
    if os.geteuid() != 0:
        return "a private Dovecot needs root"
    return None


def machine(args, root):
    print("Machine: %d CPUs, load average %s" % (
        os.cpu_count(), " ".join(open("/proc/loadavg").read().split()[:3])))
    if not root or args.no_drop_caches:
        print("Page cache: not dropped before the cold sessions")


def stop_all(t, dc, program, who):
    """Stop and remove Dovecot and the Tern instance, killing the
    sessions (processes named program) that outlive "tern stop".
    Returns False when the instance's log shows a crash."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if dc:
        dc.cleanup()
    if not t:
        return True
    # A session that hangs outlives "tern stop" (seen with a deep
    # pipeline): its processes are this instance's to end.
    t.stop()
    for pid in t.pids(program):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        t.cleanup()
    except AssertionError as e:
        print("%s: %s" % (who, e), file=sys.stderr)
        return False
    return True


class Dovecot:
    def __init__(self, uid, gid, users, port, protocol="pop3"):
        """A private Dovecot serving protocol ("pop3" or "imap") on
        127.0.0.1:port to users [(name, hash)], Maildirs owned by
        uid:gid."""
        self.dir = tempfile.mkdtemp(prefix="tern-bench-dovecot.")
        os.chmod(self.dir, 0o755)
        self.port = port
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.log = os.path.join(self.dir, "dovecot.log")
        self.started = False
        for d in ("run", "state", "home"):
            os.mkdir(os.path.join(self.dir, d))
        os.chown(os.path.join(self.dir, "home"), uid, gid)
        with open(os.path.join(self.dir, "users"), "w") as f:
            for name, pwhash in users:
                f.write("%s:%s:%d:%d::%s::\n"
                        % (name, pwhash, uid, gid, self.home(name)))
        os.chown(os.path.join(self.dir, "users"), 0,
                 pwd.getpwnam("dovecot").pw_gid)
        os.chmod(os.path.join(self.dir, "users"), 0o640)
        # POP3 UIDLs as Tern's pop3d makes them.
        extra = "pop3_uidl_format = %08Xu%08Xv\n" if protocol == "pop3" \
            else ""
        with open(self.conf, "w") as f:
            f.write("""# written by bench/{script}
protocols = {proto}
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:~/Maildir
{extra}passdb {{
  driver = passwd-file
  args = {d}/users
}}
userdb {{
  driver = passwd-file
  args = {d}/users
}}
service {proto}-login {{
  inet_listener {proto} {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener {proto}s {{
    port = 0
  }}
}}
""".format(d=self.dir, port=port, proto=protocol, extra=extra,
                    script=os.path.basename(sys.argv[0])))

    def home(self, name):
        return os.path.join(self.dir, "home", name)

    def maildir(self, name):
        return os.path.join(self.home(name), "Maildir")

    def start(self):
        # The daemon keeps the descriptors it is given: no pipes here.
        out = os.path.join(self.dir, "start.out")
        self.started = True
        with open(out, "w") as f:
            r = subprocess.run([DOVECOT, "-c", self.conf],
                               stdin=subprocess.DEVNULL, stdout=f,
                               stderr=subprocess.STDOUT, timeout=60)
        if r.returncode != 0:
            with open(out) as f:
                raise RuntimeError("dovecot did not start: %s" % f.read())
        if not wait_port(self.port):
            raise RuntimeError("dovecot: port %d never opened" % self.port)

    def master(self):
        # The port can open before the pid file is written.
        pidfile = os.path.join(self.dir, "run", "master.pid")
        deadline = time.monotonic() + 20
        while not os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.1)
        with open(pidfile) as f:
            return int(f.read().split()[0])

    def version(self):
        r = subprocess.run([DOVECOT, "--version"], capture_output=True,
                           text=True, timeout=30)
        return r.stdout.strip()

    def stop(self):
        if self.started:
            subprocess.run([DOVECOT, "-c", self.conf, "stop"],
                           stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
            pidfile = os.path.join(self.dir, "run", "master.pid")
            deadline = time.monotonic() + 20
            while os.path.exists(pidfile) and time.monotonic() < deadline:
                time.sleep(0.1)
            self.started = False

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def timed(label, port, user, root, names, cold, args, retr=True):
    dropped = drop_caches(cold and not args.no_drop_caches)
    before = named(root, names)
    c0 = cpu_ms(root)
    r = load.session("127.0.0.1", port, user, PASSWORD, args.window, retr,
                     args.timeout)
    left = wait_gone(root, names, before)
    if left:
        print("%s: the session's processes did not end: %s"
              % (label, " ".join(str(x) for x in sorted(left))))
    c1 = cpu_ms(root)
    r["server_cpu_ms"] = c1 - c0
    r["dropped_caches"] = dropped
    load.report(label, r)
    if r.get("count"):
        print("%s: server CPU %.1f ms, %.3f ms per message%s"
              % (label, c1 - c0, (c1 - c0) / r["count"],
                 " (page cache dropped before)" if dropped else ""))
    return r


def median_of(runs):
    """One result from repeated sessions: the median of each figure."""
    out = dict(runs[-1])
    out["ok"] = all(r["ok"] for r in runs)
    for key in ("index_s", "login_s", "stat_s", "uidl_s", "list_s", "retr_s",
                "retr_msgs_per_s", "retr_mb_per_s", "server_cpu_ms",
                "client_cpu_s"):
        v = sorted(r[key] for r in runs if key in r)
        if v:
            out[key] = v[len(v) // 2] if len(v) % 2 else \
                (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
    return out


def uidl_verdict(got, want, whose):
    """How the UIDL list got compares with want (the other server's)."""
    if got is None:
        return "none (the session failed)"
    if got == want:
        return "equal to %s" % whose
    if [x.lower() for x in got] == [x.lower() for x in want]:
        return ("DIFFER in letter case only (%s vs %s %s): the same UID "
                "and UIDVALIDITY, but a client compares UIDLs as strings"
                % (got[0], whose, want[0]))
    return "DIFFER (%d vs %d IDs; first %s vs %s)" % (
        len(got), len(want), got[:1], want[:1])


def ratio(a, b):
    return "%.2f" % (a / b) if a and b else "n/a"


def compare(res):
    print()
    print("%-22s %12s %12s %8s" % ("", "Tern", "Dovecot", "ratio"))
    for phase in ("cold", "warm"):
        t, d = res["tern", phase], res["dovecot", phase]
        print("%-22s %12.3f %12.3f %8s" % (
            phase + " index s", t.get("index_s", 0), d.get("index_s", 0),
            ratio(d.get("index_s"), t.get("index_s"))))
        print("%-22s %12.0f %12.0f %8s" % (
            phase + " RETR msgs/s", t.get("retr_msgs_per_s", 0),
            d.get("retr_msgs_per_s", 0),
            ratio(t.get("retr_msgs_per_s"), d.get("retr_msgs_per_s"))))
        print("%-22s %12.1f %12.1f %8s" % (
            phase + " RETR MB/s", t.get("retr_mb_per_s", 0),
            d.get("retr_mb_per_s", 0),
            ratio(t.get("retr_mb_per_s"), d.get("retr_mb_per_s"))))
        tc = t["server_cpu_ms"] / t["count"] if t.get("count") else 0
        dc = d["server_cpu_ms"] / d["count"] if d.get("count") else 0
        print("%-22s %12.3f %12.3f %8s" % (
            phase + " CPU ms/msg", tc, dc, ratio(dc, tc)))
    print("(ratio: how many times faster or cheaper Tern is: Dovecot's "
          "time or CPU / Tern's, Tern's rate / Dovecot's; warm: medians)")


def prepare(args):
    """The environment and signals of a run; ternlib."""
    os.environ["TERN_BIN"] = args.bin
    os.environ["TERN_SOURCE"] = args.src
    sys.path.insert(0, os.path.join(args.src, "tests", "integration"))
    import ternlib

    def on_signal(signo, frame):
        raise KeyboardInterrupt("signal %d" % signo)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    return ternlib


def start_tern(ternlib, users, program, args):
    """A started Tern instance with program (pop3d, imapd) on
    127.0.0.1 and a free port, and users [(name, password)]: (instance,
    port, master's pid). The caller stops it with stop_all()."""
    port = ternlib.free_port()
    t = ternlib.Instance(
        users=[u for u, _ in users],
        master_extra="127.0.0.1:%d inet n - n - - %s\n" % (port, program))
    try:
        for u, password in users:
            t.add_user(u, password)
        t.start()
        if not wait_port(port):
            raise RuntimeError("Tern: %s port %d never opened"
                               % (program, port))
    except BaseException:
        stop_all(t, None, program, program)
        raise
    print("Tern: instance %s, %s on 127.0.0.1:%d, binaries %s"
          % (t.dir, program, port, args.bin))
    dom = os.path.join(t.mail, t.domain)
    os.makedirs(dom, exist_ok=True)
    os.chown(dom, t.uid, t.gid)
    return t, port, (t.pids("master") or [0])[0]


def arguments(description):
    """The options pop3-bench.py and imap-bench.py share."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--src", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--sizes", action="store_true")
    ap.add_argument("--no-dovecot", action="store_true")
    ap.add_argument("--no-drop-caches", action="store_true")
    ap.add_argument("--dovecot-first", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    return ap


def main():
    ap = arguments("POP3 benchmark")
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--json")
    args = ap.parse_args()

    ternlib = prepare(args)
    root = os.geteuid() == 0
    why = dovecot_why_not(args.no_dovecot, DOVECOT_POP3)
    dovecot_ok = why is None

    t = dc = None
    ok = True
    try:
        t, port, tern_root = start_tern(
            ternlib, (("bench", PASSWORD), ("interop", PASSWORD)), "pop3d",
            args)
        t0 = time.monotonic()
        info = gen.generate(t.maildir("bench"), args.n, args.seed,
                            sizes=args.sizes, owner=(t.uid, t.gid))
        print("Maildir: %d messages, %d bytes (%d octets on the wire), "
              "seed %d, %s; written in %.1f s"
              % (info["messages"], info["bytes"], info["octets"], args.seed,
                 "names with S= and W=" if args.sizes else
                 "names without sizes", time.monotonic() - t0))

        if dovecot_ok:
            hashes = user_hashes(t)
            dc = Dovecot(t.uid, t.gid,
                         [(u, hashes[u]) for u in ("bench", "interop")],
                         ternlib.free_port())
            os.mkdir(dc.home("bench"))
            os.chown(dc.home("bench"), t.uid, t.gid)
            copy_maildir(t.maildir("bench"), dc.maildir("bench"))
            dc.start()
            dc_root = dc.master()
            print("Dovecot: %s, instance %s, POP3 on 127.0.0.1:%d"
                  % (dc.version(), dc.dir, dc.port))
        else:
            print("Dovecot: not run (%s); Tern figures only" % why)
        machine(args, root)

        tern_names = ("pop3d",)
        dc_names = ("pop3", "pop3-login")
        res = {}
        servers = [("tern", port, tern_root, tern_names)]
        if dc:
            servers.append(("dovecot", dc.port, dc_root, dc_names))
            if args.dovecot_first:
                servers.reverse()
        for name, p, pid, names in servers:
            res[name, "cold"] = timed("%s cold" % name, p, "bench", pid,
                                      names, True, args)
        warm = dict((x[0], []) for x in servers)
        for k in range(max(args.repeat, 1)):
            for name, p, pid, names in servers:
                warm[name].append(timed("%s warm%s" % (
                    name, " #%d" % (k + 1) if args.repeat > 1 else ""),
                    p, "bench", pid, names, False, args))
        for name, runs in warm.items():
            res[name, "warm"] = median_of(runs)
        for k, r in res.items():
            if not r["ok"]:
                ok = False
        if dc and all(r["ok"] for r in res.values()):
            compare(res)
            tc, dcold = res["tern", "cold"], res["dovecot", "cold"]
            same = (tc["count"] == dcold["count"] and
                    tc["octets"] == dcold["octets"])
            print("check: both %d messages, %d octets: %s"
                  % (tc["count"], tc["octets"], "yes" if same else
                     "NO (Dovecot: %d messages, %d octets)"
                     % (dcold["count"], dcold["octets"])))
            bodies = sorted(zip(tc["sizes"], tc["crc"])) == \
                sorted(zip(dcold["sizes"], dcold["crc"]))
            print("check: the same message texts (size and CRC-32 of "
                  "each RETR): %s" % ("yes" if bodies else "NO"))
            ok = ok and same and bodies
            tu, du = tc["uidl"], dcold["uidl"]
            if tu == du:
                print("check: UIDLs of the two cold sessions: equal")
            else:
                by_text = dict(zip(zip(tc["sizes"], tc["crc"]),
                                   [a[:8].lower() for a in tu])) == \
                    dict(zip(zip(dcold["sizes"], dcold["crc"]),
                             [b[:8].lower() for b in du]))
                print("check: UIDLs of the two cold sessions (each built "
                      "its own dovecot-uidlist): differ; UIDVALIDITY %s "
                      "vs %s; the same UID for the same message: %s"
                      % (tu[0][8:] if tu else "-", du[0][8:] if du else "-",
                         "yes" if by_text else "no"))
            # Interop: each server on a copy of the other's Maildir, with
            # the other's dovecot-uidlist (and, from Dovecot, its index).
            os.makedirs(dc.home("interop"))
            os.chown(dc.home("interop"), t.uid, t.gid)
            copy_maildir(t.maildir("bench"), dc.maildir("interop"))
            r = load.session("127.0.0.1", dc.port, "interop", PASSWORD,
                             args.window, False, args.timeout)
            eq = r.get("uidl") == res["tern", "warm"]["uidl"]
            print("interop: Dovecot on a copy of Tern's Maildir (Tern's "
                  "dovecot-uidlist): UIDLs %s" % uidl_verdict(
                      r.get("uidl"), res["tern", "warm"]["uidl"], "Tern's"))
            ok = ok and eq
            shutil.rmtree(t.maildir("interop"), ignore_errors=True)
            copy_maildir(dc.maildir("bench"), t.maildir("interop"))
            r = load.session("127.0.0.1", port, "interop", PASSWORD,
                             args.window, False, args.timeout)
            eq = r.get("uidl") == res["dovecot", "warm"]["uidl"]
            print("interop: Tern on a copy of Dovecot's Maildir (Dovecot's "
                  "dovecot-uidlist and index): UIDLs %s" % uidl_verdict(
                      r.get("uidl"), res["dovecot", "warm"]["uidl"],
                      "Dovecot's"))
            ok = ok and eq
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"%s_%s" % k: dict((x, y) for x, y in v.items()
                                             if x not in ("uidl", "sizes",
                                                          "crc"))
                           for k, v in res.items()}, f)
        time.sleep(0.5)
        complaints("tern", t.maillog)
        if dc:
            complaints("dovecot", dc.log)
    except KeyboardInterrupt as e:
        print("pop3-bench: interrupted (%s)" % e, file=sys.stderr)
        ok = False
    except (RuntimeError, OSError, AssertionError,
            subprocess.SubprocessError) as e:
        print("pop3-bench: %s" % e, file=sys.stderr)
        ok = False
    finally:
        ok = stop_all(t, dc, "pop3d", "pop3-bench") and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
