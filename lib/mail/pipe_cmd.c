/* SPDX-License-Identifier: MIT */
/* pipe_cmd - run a delivery command with the message on its stdin. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "mail/pipe_cmd.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/log.h"

/* How long the collector may take to pass on the last output. */
#define OUTPUT_GRACE_MS 1000
/* How often the wait loop looks at the child while output is quiet. */
#define POLL_MS 50

/* Postfix's sys_exits table (facts: status, DSN, text). A DSN starting
 * with '4' is temporary. */
static const struct {
	int status;
	const char *dsn;
	const char *text;
} sys_exits[] = {
	{ EX_USAGE, "5.3.0", "command line usage error" },
	{ EX_DATAERR, "5.6.0", "data format error" },
	{ EX_NOINPUT, "5.3.0", "cannot open input" },
	{ EX_NOUSER, "5.1.1", "user unknown" },
	{ EX_NOHOST, "5.1.2", "host name unknown" },
	{ EX_UNAVAILABLE, "5.3.0", "service unavailable" },
	{ EX_SOFTWARE, "5.3.0", "internal software error" },
	{ EX_OSERR, "4.3.0", "system resource problem" },
	{ EX_OSFILE, "5.3.0", "critical OS file missing" },
	{ EX_CANTCREAT, "5.2.0", "can't create user output file" },
	{ EX_IOERR, "5.3.0", "input/output error" },
	{ EX_TEMPFAIL, "4.3.0", "temporary failure" },
	{ EX_PROTOCOL, "5.5.0", "remote error in protocol" },
	{ EX_NOPERM, "5.7.0", "permission denied" },
	{ EX_CONFIG, "5.3.5", "local configuration error" },
};

static int
result(struct pipe_result *res, int ok, int temporary, const char *dsn,
    const char *what, const char *detail)
{
	res->ok = ok;
	res->temporary = temporary;
	snprintf(res->dsn, sizeof(res->dsn), "%s", dsn);
	if (detail != NULL && *detail != 0)
		snprintf(res->text, sizeof(res->text), "%s: %s", what, detail);
	else
		snprintf(res->text, sizeof(res->text), "%s", what);
	return ok ? 0 : -1;
}

/* The first line of the output, as printable ASCII, into line. */
static void
first_line(const struct buf *out, char *line, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < out->len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)out->data[i];

		if (c == '\n')
			break;
		if (c == '\r' &&
		    (i + 1 == out->len || out->data[i + 1] == '\n'))
			continue;
		line[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	line[n] = 0;
}

/* After fork: every signal default and unblocked (no handler of the
 * caller's may run in a child of ours). */
static void
signals_default(void)
{
	struct sigaction sa;
	sigset_t none;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL); /* SIGKILL/SIGSTOP refuse */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* After fork: fds a and b become 0 and 1 (and 2 as well when b2), every
 * other fd is closed. Returns -1 on failure. */
static int
fds_only(int a, int b, int b2)
{
	long fd, max;
	int low = b2 ? 3 : 2;

	/* Above 2 first, so that no dup2 below overwrites the other. */
	if ((a = fcntl(a, F_DUPFD, 3)) < 0 || (b = fcntl(b, F_DUPFD, 3)) < 0)
		return -1;
	if (dup2(a, 0) < 0 || dup2(b, 1) < 0 || (b2 && dup2(b, 2) < 0))
		return -1;
	if (close_range((unsigned)low, ~0U, 0) < 0) {
		max = sysconf(_SC_OPEN_MAX);
		for (fd = low; fd < (max > 0 ? max : 1024); fd++)
			(void)close((int)fd);
	}
	return 0;
}

/* The collector, a forked helper: reads the command's output (fd 0) all
 * along, so that the command never blocks on it while feed runs; passes
 * the first keep bytes on to us (fd 1) and drops the rest; exits at end
 * of file. */
static void __attribute__((noreturn)) collector(int out, int fwd, size_t keep)
{
	char chunk[4096];
	size_t sent = 0, k, off;
	ssize_t n;

	signals_default();
	(void)signal(SIGPIPE, SIG_IGN); /* we may stop reading: EPIPE */
	if (fds_only(out, fwd, 0) < 0)
		_exit(EX_OSERR);
	for (;;) {
		n = read(0, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		k = (size_t)n < keep - sent ? (size_t)n : keep - sent;
		for (off = 0; off < k;) {
			n = write(1, chunk + off, k - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				keep = sent; /* we are gone: just drain */
				break;
			}
			off += (size_t)n;
			sent += (size_t)n;
		}
	}
	_exit(0);
}

/* In the child, after fork: set up and exec, or report and exit. Only
 * async-signal-safe calls (we may have been forked from anything). */
static void __attribute__((noreturn))
child(const struct pipe_cmd *pc, int in, int out)
{
	static const char *const empty_env[] = { NULL };
	const char *argv[] = { "sh", "-c", pc->command, NULL };
	const char *const *env = pc->env != NULL ? pc->env : empty_env;

	signals_default();
	if (setsid() < 0 || fds_only(in, out, 1) < 0)
		_exit(EX_OSERR);
	umask(077);
	if (pc->cwd == NULL || chdir(pc->cwd) < 0) {
		if (chdir("/") < 0)
			_exit(EX_OSERR);
	}
	execve("/bin/sh", (char *const *)argv, (char *const *)env);
	{
		static const char msg[] = "cannot execute /bin/sh\n";

		(void)!write(2, msg, sizeof(msg) - 1);
	}
	_exit(EX_OSERR);
}

/* One running command: its process group leader and its output. */
struct run {
	pid_t pid;
	pid_t coll;   /* the collector, or 0 */
	int out;      /* what the collector passes on */
	int out_open; /* no end of file seen yet */
	struct buf kept;
	size_t keep; /* bytes of output to keep at most */
	int status;  /* from waitpid */
};

/* Read what the output pipe has now: keep up to r->keep bytes, drop the
 * rest. Sets r->out_open to 0 at end of file (or on a read error). */
static void
read_output(struct run *r)
{
	char chunk[4096];
	size_t room;
	ssize_t n;

	for (;;) {
		n = read(r->out, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n <= 0) {
			r->out_open = 0;
			return;
		}
		room = r->keep - r->kept.len;
		(void)buf_append(&r->kept, chunk,
		    (size_t)n < room ? (size_t)n : room);
	}
}

/* Wait for the command until deadline, reading its output meanwhile.
 * Returns 1 once reaped (r->status set), or 0 at the deadline. */
static int
wait_child(struct run *r, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int ms;
	pid_t w;

	for (;;) {
		w = waitpid(r->pid, &r->status, WNOHANG);
		if (w == r->pid || (w < 0 && errno != EINTR))
			break;
		left = deadline - event_now_ms();
		if (left <= 0)
			return 0;
		ms = left < POLL_MS ? (int)left : POLL_MS;
		if (r->out_open) {
			pfd.fd = r->out;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, ms) > 0)
				read_output(r);
		} else {
			struct timespec ts = { 0, (long)ms * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	if (w < 0) /* ECHILD: reaped elsewhere, the status is lost */
		r->status = EX_OSERR << 8;
	/* What it wrote before it exited; not what a child it left behind
	 * may still write: we do not wait for those. */
	if (r->out_open)
		read_output(r);
	return 1;
}

/* Signal the command's group; before its setsid() there is no group yet,
 * only the process (which then has no children). */
static void
signal_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0 && errno == ESRCH)
		(void)kill(pid, sig);
}

/* SIGTERM the group, SIGKILL it after the grace time, reap. */
static void
kill_group(struct run *r)
{
	signal_group(r->pid, SIGTERM);
	if (!wait_child(r, event_now_ms() + PIPE_CMD_KILL_GRACE * 1000)) {
		signal_group(r->pid, SIGKILL);
		while (waitpid(r->pid, &r->status, 0) < 0 && errno == EINTR)
			;
	}
	/* Members that outlived the leader, if any. */
	(void)kill(-r->pid, SIGKILL);
}

static int
map_status(int status, const struct buf *kept, struct pipe_result *res)
{
	char line[300], what[96];
	const char *detail = NULL;
	size_t i;
	int code;

	first_line(kept, line, sizeof(line));
	if (WIFSIGNALED(status)) {
		snprintf(what, sizeof(what), "Command killed by signal %d",
		    WTERMSIG(status));
		return result(res, 0, 1, "4.3.0", what, line);
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : EX_OSERR;
	if (code == 0)
		return result(res, 1, 0, "2.0.0", "delivered to command", NULL);
	snprintf(what, sizeof(what), "Command died with status %d", code);
	for (i = 0; i < sizeof(sys_exits) / sizeof(sys_exits[0]); i++) {
		if (sys_exits[i].status != code)
			continue;
		detail = line[0] != 0 ? line : sys_exits[i].text;
		return result(res, 0, sys_exits[i].dsn[0] == '4',
		    sys_exits[i].dsn, what, detail);
	}
	return result(res, 0, 0, "5.3.0", what, line);
}

/* The output the collector still has (it exits at the end of the
 * command's output; a process the command left behind may hold that open:
 * we wait OUTPUT_GRACE_MS at most), then the collector is reaped. */
static void
finish_output(struct run *r)
{
	struct pollfd pfd = { .fd = r->out, .events = POLLIN };
	int64_t until = event_now_ms() + OUTPUT_GRACE_MS, left;

	while (r->out_open && (left = until - event_now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) > 0)
			read_output(r);
	}
	if (r->coll > 0) {
		(void)kill(r->coll, SIGKILL);
		while (waitpid(r->coll, NULL, 0) < 0 && errno == EINTR)
			;
		r->coll = 0;
	}
}

/* Give feed at most the time left for each write it makes. */
static void
set_send_timeout(int fd, int64_t deadline)
{
	int64_t left = deadline - event_now_ms();
	struct timeval tv;

	if (left < 1)
		left = 1; /* 0 would mean no timeout at all */
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Whether the command has closed its end of the socket (exited, or
 * stopped reading for good). */
static int
peer_closed(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR));
}

int
pipe_cmd_run(const struct pipe_cmd *pc, pipe_cmd_feed_fn *feed, void *ctx,
    struct pipe_result *res)
{
	struct sigaction ign, old_pipe, dfl, old_chld;
	struct run r;
	const char *ferr = NULL;
	char line[300];
	int in[2], out[2], fwd[2], fed, timed_out, e;
	int64_t deadline;

	if (pc->command == NULL)
		log_panic("pipe_cmd_run: no command");
	if (geteuid() == 0 && !pc->allow_root)
		log_panic("pipe_cmd_run: refusing to run a command as root");
	memset(res, 0, sizeof(*res));
	deadline = event_now_ms() +
	    (int64_t)(pc->timeout > 0 ? pc->timeout : PIPE_CMD_TIMEOUT) * 1000;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return result(res, 0, 1, "4.3.0", "cannot create socket pair",
		    strerror(errno));
	if (pipe2(out, O_CLOEXEC) < 0) {
		e = errno;
		close(in[0]);
		close(in[1]);
		return result(res, 0, 1, "4.3.0", "cannot create pipe",
		    strerror(e));
	}
	memset(&r, 0, sizeof(r));
	r.out = -1;
	r.keep = pc->output_max;
	buf_init(&r.kept, pc->output_max > 0 ? pc->output_max : 1);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	dfl = ign;
	dfl.sa_handler = SIG_DFL;
	(void)sigaction(SIGPIPE, &ign, &old_pipe);
	(void)sigaction(SIGCHLD, &dfl, &old_chld);
	if (pipe2(fwd, O_CLOEXEC) < 0) {
		result(res, 0, 1, "4.3.0", "cannot create pipe",
		    strerror(errno));
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		goto done;
	}
	r.out = fwd[0];
	r.out_open = 1;
	(void)fcntl(r.out, F_SETFL, O_NONBLOCK);
	/* Room for all we keep, so the collector never waits for us while
	 * feed runs (best effort: pipe-max-size may refuse). */
	if (pc->output_max > 65536 && pc->output_max <= INT_MAX)
		(void)fcntl(r.out, F_SETPIPE_SZ, (int)pc->output_max);
	if ((r.coll = fork()) == 0)
		collector(out[0], fwd[1], pc->output_max);
	e = errno;
	close(out[0]);
	close(fwd[1]);
	if (r.coll < 0 || (r.pid = fork()) < 0) {
		e = r.coll < 0 ? e : errno;
		close(in[0]);
		close(in[1]);
		close(out[1]);
		result(res, 0, 1, "4.3.0", "cannot fork", strerror(e));
		goto done;
	}
	if (r.pid == 0)
		child(pc, in[1], out[1]);
	close(in[1]);
	close(out[1]);

	set_send_timeout(in[0], deadline);
	fed = feed(ctx, in[0], &ferr) == 0;
	/* Unless the command closed its stdin (its status decides), a
	 * failed feed leaves a partial message: kill the command before it
	 * can see end of file and take that for a whole one. The send
	 * timeout never fires before the deadline (Linux rounds it up). */
	if (!fed && !peer_closed(in[0])) {
		timed_out = event_now_ms() >= deadline - 10;
		if (!timed_out)
			signal_group(r.pid, SIGKILL);
		kill_group(&r);
		close(in[0]);
		if (timed_out)
			goto timeout;
		finish_output(&r);
		result(res, 0, 1, "4.3.0", "cannot write message to command",
		    ferr);
		goto done;
	}
	close(in[0]); /* end of message */
	if (!wait_child(&r, deadline)) {
		kill_group(&r);
		goto timeout;
	}
	finish_output(&r);
	map_status(r.status, &r.kept, res);
	goto done;
timeout:
	finish_output(&r);
	first_line(&r.kept, line, sizeof(line));
	result(res, 0, 1, "4.3.0", "Command time limit exceeded", line);
done:
	if (r.coll > 0)
		finish_output(&r); /* the command did not start */
	if (r.out >= 0)
		close(r.out);
	if (pc->output != NULL)
		(void)buf_append(pc->output, r.kept.data, r.kept.len);
	buf_deinit(&r.kept);
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	(void)sigaction(SIGCHLD, &old_chld, NULL);
	return res->ok ? 0 : -1;
}
