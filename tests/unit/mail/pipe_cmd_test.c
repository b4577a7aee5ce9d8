/* SPDX-License-Identifier: MIT */
/* pipe_cmd_test - exit statuses, the exact environment, no evaluation of
 * environment values, early exits, the time limit and the process group,
 * bounded output, the child's surroundings. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/pipe_cmd.h"
#include "util/buf.h"
#include "util/mem.h"

static char top[64];
static char outfile[128];
static char out_env[160];
static const char *env[] = { "PATH=/usr/bin:/bin", out_env, NULL };

struct msg {
	const char *data;
	size_t len;
	int fail_after; /* >0: write that many bytes, then fail */
};

static int
feed(void *ctx, int fd, const char **error_r)
{
	struct msg *m = ctx;
	size_t off = 0, len = m->len;
	ssize_t n;

	if (m->fail_after > 0)
		len = (size_t)m->fail_after;
	while (off < len) {
		n = write(fd, m->data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error_r = strerror(errno);
			return -1;
		}
		off += (size_t)n;
	}
	if (m->fail_after > 0) {
		*error_r = "queue file read error";
		return -1;
	}
	return 0;
}

static int
setup(void **state)
{
	snprintf(top, sizeof(top), "/tmp/pipe_cmd_testXXXXXX");
	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(outfile, sizeof(outfile), "%s/out", top);
	snprintf(out_env, sizeof(out_env), "OUT=%s", outfile);
	/* Must not reach the command. */
	setenv("HOME", "/nonexistent-home", 1);
	setenv("TERN_TEST_SECRET", "leak", 1);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static int
run(const char *command, const char *const *e, const char *data, long timeout,
    struct pipe_result *res)
{
	struct pipe_cmd pc = { .command = command,
		.env = e,
		.cwd = top,
		.timeout = timeout > 0 ? timeout : 20,
		.output_max = 1024,
		.allow_root = 1 };
	struct msg m = { data, strlen(data), 0 };

	unlink(outfile);
	return pipe_cmd_run(&pc, feed, &m, res);
}

/* The file the command wrote, NUL-terminated (at most 4 KiB). */
static char *
out_text(void)
{
	static char text[4096];
	ssize_t n;
	int fd = open(outfile, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	assert_true(n >= 0);
	text[n] = 0;
	close(fd);
	return text;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Exit statuses, as Postfix's sys_exits table maps them. */
static void
test_exit_statuses(void **state)
{
	static const struct {
		const char *cmd;
		int ok, temporary;
		const char *dsn, *text;
	} cases[] = {
		{ "exit 0", 1, 0, "2.0.0", "delivered to command" },
		{ "cat >/dev/null", 1, 0, "2.0.0", "delivered to command" },
		{ "exit 75", 0, 1, "4.3.0",
		    "Command died with status 75: temporary failure" },
		{ "exit 71", 0, 1, "4.3.0", "status 71: system resource" },
		{ "exit 64", 0, 0, "5.3.0", "status 64: command line usage" },
		{ "exit 65", 0, 0, "5.6.0", "status 65: data format error" },
		{ "exit 67", 0, 0, "5.1.1", "status 67: user unknown" },
		{ "exit 68", 0, 0, "5.1.2", "status 68: host name unknown" },
		{ "exit 69", 0, 0, "5.3.0", "status 69: service unavailable" },
		{ "exit 70", 0, 0, "5.3.0", "status 70: internal software" },
		{ "exit 72", 0, 0, "5.3.0", "status 72: critical OS file" },
		{ "exit 73", 0, 0, "5.2.0", "status 73: can't create user" },
		{ "exit 74", 0, 0, "5.3.0", "status 74: input/output error" },
		{ "exit 76", 0, 0, "5.5.0", "status 76: remote error" },
		{ "exit 77", 0, 0, "5.7.0", "status 77: permission denied" },
		{ "exit 78", 0, 0, "5.3.5", "status 78: local configuration" },
		{ "exit 1", 0, 0, "5.3.0", "Command died with status 1" },
		{ "echo 'mailbox full' >&2; exit 75", 0, 1, "4.3.0",
		    "Command died with status 75: mailbox full" },
		{ "printf 'a\\tb\\r\\nsecond\\n'; exit 2", 0, 0, "5.3.0",
		    "Command died with status 2: a?b" },
		{ "/nonexistent/command", 0, 0, "5.3.0",
		    "Command died with status 127: " },
		{ "kill -9 $$", 0, 1, "4.3.0", "Command killed by signal 9" },
	};
	struct pipe_result res;
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = run(cases[i].cmd, env, "Subject: x\n\nbody\n", 0, &res);
		assert_int_equal(r, cases[i].ok ? 0 : -1);
		assert_int_equal(res.ok, cases[i].ok);
		assert_int_equal(res.temporary, cases[i].temporary);
		assert_string_equal(res.dsn, cases[i].dsn);
		if (strstr(res.text, cases[i].text) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].cmd,
			    res.text, cases[i].text);
	}
	/* The control characters are gone; only the first line is used. */
	run("printf 'a\\tb\\r\\nsecond\\n'; exit 2", env, "", 0, &res);
	assert_string_equal(res.text, "Command died with status 2: a?b");
}

/* The message arrives whole on stdin; the command runs in cwd, umask 077;
 * a cwd that does not exist gives "/". */
static void
test_stdin_cwd_umask(void **state)
{
	char want[256];
	struct pipe_cmd pc = { .command = "pwd > \"$OUT\"",
		.env = env,
		.cwd = "/nonexistent/dir",
		.timeout = 20,
		.allow_root = 1 };
	struct msg m = { "", 0, 0 };
	struct pipe_result res;

	assert_int_equal(run("cat > \"$OUT\"", env, "From: a\n\nline\n", 0,
			     &res),
	    0);
	assert_string_equal(out_text(), "From: a\n\nline\n");
	assert_int_equal(run("{ pwd; umask; } > \"$OUT\"", env, "", 0, &res),
	    0);
	snprintf(want, sizeof(want), "%s\n0077\n", top);
	assert_string_equal(out_text(), want);
	unlink(outfile);
	assert_int_equal(pipe_cmd_run(&pc, feed, &m, &res), 0);
	assert_string_equal(out_text(), "/\n");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* text's lines, sorted (dash passes its variables in hash order). */
static void
sorted_lines(const char *text, char *out, size_t size)
{
	char copy[1024], *lines[64], *p, *nl;
	size_t n = 0, i, len = 0;

	snprintf(copy, sizeof(copy), "%s", text);
	for (p = copy; *p != 0 && n < 64; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = 0;
		lines[n++] = p;
	}
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	out[0] = 0;
	for (i = 0; i < n; i++)
		len +=
		    (size_t)snprintf(out + len, size - len, "%s\n", lines[i]);
}

/* The environment is exactly the one given (plus the PWD that dash
 * exports itself): neither HOME nor anything else of ours leaks. */
static void
test_exact_environment(void **state)
{
	static const char *e[] = { "PATH=/usr/bin:/bin", out_env,
		"SENDER=a@example.com", "RECIPIENT=u@example.org", "USER=u",
		"HOME=/home/u", NULL };
	struct pipe_result res;
	char want[1024], got[1024];

	assert_int_equal(run("exec env > \"$OUT\"", e, "", 0, &res), 0);
	sorted_lines(out_text(), got, sizeof(got));
	snprintf(want, sizeof(want),
	    "HOME=/home/u\n%s\nPATH=/usr/bin:/bin\nPWD=%s\n"
	    "RECIPIENT=u@example.org\nSENDER=a@example.com\nUSER=u\n",
	    out_env, top);
	assert_string_equal(got, want);
	assert_null(strstr(got, "TERN_TEST_SECRET"));
	/* No environment at all: only what dash makes. */
	{
		static const char *none[] = { NULL };
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "exec /usr/bin/env > %s", outfile);
		assert_int_equal(run(cmd, none, "", 0, &res), 0);
		snprintf(want, sizeof(want), "PWD=%s\n", top);
		assert_string_equal(out_text(), want);
		assert_int_equal(run(cmd, NULL, "", 0, &res), 0);
		assert_string_equal(out_text(), want);
	}
}

/* Shell syntax in an environment value is data, never run. */
static void
test_metachars_not_evaluated(void **state)
{
	char marker[128], value[700], recip[720], want[1500];
	const char *e[] = { "PATH=/usr/bin:/bin", out_env, recip, NULL };
	struct pipe_result res;

	snprintf(marker, sizeof(marker), "%s/marker", top);
	snprintf(value, sizeof(value),
	    "$(touch %s); `touch %s`; touch %s & \"; touch %s; '", marker,
	    marker, marker, marker);
	snprintf(recip, sizeof(recip), "RECIPIENT=%s", value);
	assert_int_equal(run("printf '%s\\n' \"$RECIPIENT\" > \"$OUT\"; "
			     "echo $RECIPIENT >> \"$OUT\"",
			     e, "", 0, &res),
	    0);
	assert_int_equal(access(marker, F_OK), -1);
	snprintf(want, sizeof(want), "%s\n%s\n", value, value);
	assert_string_equal(out_text(), want);
}

/* A command that exits without reading a large message: no hang, no
 * SIGPIPE for us, and its status decides. */
static void
test_early_exit_large_message(void **state)
{
	size_t len = 8 * 1024 * 1024;
	char *big = xmalloc(len + 1);
	struct pipe_result res;
	double t0 = now();

	memset(big, 'x', len);
	assert_int_equal(run("exit 0", env, big, 0, &res), 0);
	assert_int_equal(run("head -c 10 > /dev/null; exit 0", env, big, 0,
			     &res),
	    0);
	/* A command that copies its whole input to its output while feed
	 * runs does not stall (the collector reads it all along). */
	assert_int_equal(run("cat; exit 0", env, big, 0, &res), 0);
	assert_int_equal(run("tee /dev/null; exit 4", env, big, 0, &res), -1);
	/* The first line only, cut. */
	assert_int_equal(strncmp(res.text, "Command died with status 4: xxx",
			     31),
	    0);
	assert_true(strlen(res.text) < 400);
	assert_int_equal(run("exit 3", env, big, 0, &res), -1);
	assert_int_equal(res.temporary, 0);
	assert_string_equal(res.text, "Command died with status 3");
	assert_int_equal(run("exec 0<&-; sleep 0.2; exit 75", env, big, 0,
			     &res),
	    -1);
	assert_string_equal(res.dsn, "4.3.0");
	assert_true(now() - t0 < 10);
	/* Our SIGPIPE disposition is back to what it was. */
	{
		struct sigaction sa;

		assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
		assert_true(sa.sa_handler == SIG_DFL);
	}
	xfree(big);
}

/* Gone or a zombie (no init reaps in some containers). */
static int
dead(pid_t pid)
{
	char path[64], stat[256], *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return 1;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	stat[n] = 0;
	p = strrchr(stat, ')');
	return p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static void
expect_timeout(const char *cmd, const char *data, double most)
{
	struct pipe_result res;
	double t0 = now(), dt, t;
	long bg = 0;

	assert_int_equal(run(cmd, env, data, 1, &res), -1);
	dt = now() - t0;
	assert_int_equal(res.temporary, 1);
	assert_string_equal(res.dsn, "4.3.0");
	if (strstr(res.text, "Command time limit exceeded") == NULL)
		fail_msg("%s: %s", cmd, res.text);
	if (dt < 0.9 || dt > most)
		fail_msg("%s: %.2f s", cmd, dt);
	/* The child it left in the background is gone too. */
	if (access(outfile, F_OK) == 0) {
		assert_int_equal(sscanf(out_text(), "%ld", &bg), 1);
		for (t = now(); !dead((pid_t)bg) && now() - t < 3;)
			usleep(10000);
		assert_true(dead((pid_t)bg));
	}
}

/* The time limit kills the whole process group, and a command that
 * ignores SIGTERM gets SIGKILL; a command that never reads a large
 * message cannot hold feed past it either. */
static void
test_timeout_kills_group(void **state)
{
	size_t len = 8 * 1024 * 1024;
	char *big = xmalloc(len + 1);

	memset(big, 'y', len);
	expect_timeout("sleep 100 & echo $! > \"$OUT\"; sleep 100", "", 2.5);
	expect_timeout("sleep 100 & echo $! > \"$OUT\"; sleep 100", big, 2.5);
	expect_timeout("trap '' TERM; sleep 100 & echo $! > \"$OUT\"; "
		       "sleep 100",
	    "", 1 + PIPE_CMD_KILL_GRACE + 1.5);
	xfree(big);
}

/* Output beyond output_max is read and dropped. */
static void
test_output_bounded(void **state)
{
	struct buf *out = buf_create(1 << 20);
	struct pipe_cmd pc = { .command = "yes 0123456789 | head -c 300000; "
					  "exit 1",
		.env = env,
		.cwd = top,
		.timeout = 20,
		.output_max = 1000,
		.output = out,
		.allow_root = 1 };
	struct msg m = { "", 0, 0 };
	struct pipe_result res;

	assert_int_equal(pipe_cmd_run(&pc, feed, &m, &res), -1);
	assert_int_equal(buf_len(out), 1000);
	assert_memory_equal(buf_cstr(out), "0123456789\n0123456789\n", 22);
	assert_string_equal(res.text, "Command died with status 1: 0123456789");
	/* A process left behind holding the output open: what the command
	 * wrote is kept, and we do not wait for the straggler. */
	{
		double t0 = now();

		buf_reset(out);
		pc.command = "sleep 5 & echo started; exit 0";
		assert_int_equal(pipe_cmd_run(&pc, feed, &m, &res), 0);
		assert_string_equal(buf_cstr(out), "started\n");
		assert_true(now() - t0 < 3);
	}
	/* None kept. */
	buf_reset(out);
	pc.output_max = 0;
	pc.command = "echo hello; exit 1";
	assert_int_equal(pipe_cmd_run(&pc, feed, &m, &res), -1);
	assert_int_equal(buf_len(out), 0);
	assert_string_equal(res.text, "Command died with status 1");
	buf_destroy(&out);
}

/* Our fds do not reach the command (only 0, 1, 2). */
static void
test_fds_closed(void **state)
{
	struct pipe_result res;
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */

	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 50), 50);
	assert_int_equal(run("ls /proc/$$/fd > \"$OUT\"", env, "", 0, &res), 0);
	/* ls itself opens one for the directory: 0 1 2 and that, and the
	 * redirection replaced 1. */
	assert_null(strstr(out_text(), "50"));
	assert_int_equal(run("test -e /proc/$$/fd/50 && exit 1; exit 0", env,
			     "", 0, &res),
	    0);
	close(50);
	close(fd);
}

/* feed's own failure: temporary, and the command is killed before it can
 * see end of file (a partial message never counts as delivered). */
static void
test_feed_failure(void **state)
{
	struct pipe_cmd pc = { .command = "cat > /dev/null; echo done > "
					  "\"$OUT\"",
		.env = env,
		.cwd = top,
		.timeout = 20,
		.allow_root = 1 };
	struct msg m = { "Subject: x\n\npartial", 19, 5 };
	struct pipe_result res;

	unlink(outfile);
	assert_int_equal(pipe_cmd_run(&pc, feed, &m, &res), -1);
	assert_int_equal(res.temporary, 1);
	assert_string_equal(res.dsn, "4.3.0");
	assert_string_equal(res.text,
	    "cannot write message to command: queue file read error");
	assert_int_equal(access(outfile, F_OK), -1);
}

/* As root without allow_root: a panic (SIGABRT), nothing run. */
static void
test_root_refused(void **state)
{
	struct pipe_cmd pc = { .command = "exit 0",
		.env = env,
		.cwd = top,
		.timeout = 5 };
	struct msg m = { "", 0, 0 };
	struct pipe_result res;
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2); /* the panic's line */
		signal(SIGABRT, SIG_DFL);
		pipe_cmd_run(&pc, feed, &m, &res);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_statuses),
		cmocka_unit_test(test_stdin_cwd_umask),
		cmocka_unit_test(test_exact_environment),
		cmocka_unit_test(test_metachars_not_evaluated),
		cmocka_unit_test(test_early_exit_large_message),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_output_bounded),
		cmocka_unit_test(test_fds_closed),
		cmocka_unit_test(test_feed_failure),
		cmocka_unit_test(test_root_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
