"""A scripted SMTP receiver for tests of outbound delivery: it listens on a
loopback address (IPv4, or IPv6 such as "::1"), speaks enough ESMTP for a client (EHLO with PIPELINING,
SIZE and 8BITMIME, MAIL, RCPT, DATA, RSET, NOOP, QUIT), answers each
recipient by its local part, and keeps what it received byte for byte.

Recipient local parts choose the answer:
    ok...      250
    bad...     550 5.1.1 no such user
    later...   450 4.2.0 greylisted the first time, 250 after that
anything else is 250. A receiver made with greeting=... greets with that
line instead (a 4xx or 5xx greeting refuses the client); one made with
delay=seconds waits that long before it accepts each message; one made
with dsn=True offers DSN (RFC 3461) in its EHLO reply. Every MAIL and RCPT
line is kept as received."""
import socket
import threading
import time


class Group:
    """Sessions counted over several sinks."""

    def __init__(self):
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0

    def count(self, n):
        with self.lock:
            self.active += n
            self.max_active = max(self.max_active, self.active)


class Sink:
    def __init__(self, host="127.0.0.1", port=0, greeting=None, delay=0,
                 dsn=False, group=None):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.greeting = greeting or "220 sink.test ESMTP"
        self.delay = delay
        self.dsn = dsn
        # Sinks made with the same Group also count their sessions
        # together (group.max_active: the most at once over all).
        self.group = group
        self.rcpt_commands = []  # every RCPT TO line, as received
        self.lock = threading.Lock()
        self.messages = []      # (mail_from, [rcpt], raw DATA bytes)
        self.mail_commands = []  # every MAIL FROM line, as received
        self.connections = 0
        self.active = 0
        self.max_active = 0
        self.seen_later = set()
        self.closed = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _serve(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,),
                             daemon=True).start()

    def _count(self, n):
        with self.lock:
            self.active += n
            self.max_active = max(self.max_active, self.active)
        if self.group is not None:
            self.group.count(n)

    def _session(self, conn):
        with self.lock:
            self.connections += 1
        self._count(1)
        ended = []
        try:
            self._talk(conn, ended)
        except OSError:
            pass
        finally:
            # A session ends at QUIT, before the reply that lets the
            # client go on to its next one (_talk counts it then).
            if not ended:
                self._count(-1)
            conn.close()

    def _talk(self, conn, ended):
        f = conn.makefile("rb")
        send = lambda line: conn.sendall(line.encode() + b"\r\n")
        send(self.greeting)
        if not self.greeting.startswith("2"):
            return
        sender, rcpts = None, []
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.rstrip(b"\r\n").decode(errors="replace")
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                send("250-sink.test\r\n250-PIPELINING\r\n250-SIZE 10000000"
                     + ("\r\n250-DSN" if self.dsn else "")
                     + "\r\n250 8BITMIME")
            elif verb == "HELO":
                send("250 sink.test")
            elif verb == "MAIL":
                with self.lock:
                    self.mail_commands.append(cmd)
                sender, rcpts = cmd[10:].split(">")[0].lstrip("<"), []
                send("250 2.1.0 Ok")
            elif verb == "RCPT":
                with self.lock:
                    self.rcpt_commands.append(cmd)
                addr = cmd[8:].split(">")[0].lstrip("<")
                local = addr.split("@")[0]
                if local.startswith("bad"):
                    send("550 5.1.1 <%s>: no such user" % addr)
                elif local.startswith("later") and addr not in self.seen_later:
                    self.seen_later.add(addr)
                    send("450 4.2.0 <%s>: greylisted, try again" % addr)
                else:
                    rcpts.append(addr)
                    send("250 2.1.5 Ok")
            elif verb == "DATA":
                if not rcpts:
                    send("554 5.5.1 Error: no valid recipients")
                    continue
                send("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while True:
                    chunk = f.readline()
                    if not chunk:
                        return
                    if chunk == b".\r\n":
                        break
                    data += chunk
                if self.delay:
                    time.sleep(self.delay)
                with self.lock:
                    self.messages.append((sender, list(rcpts), data))
                send("250 2.0.0 Ok: queued as S%d" % len(self.messages))
            elif verb == "RSET":
                sender, rcpts = None, []
                send("250 2.0.0 Ok")
            elif verb == "NOOP":
                send("250 2.0.0 Ok")
            elif verb == "QUIT":
                self._count(-1)
                ended.append(True)
                send("221 2.0.0 Bye")
                return
            else:
                send("502 5.5.2 Error: command not recognized")
