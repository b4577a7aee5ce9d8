/* SPDX-License-Identifier: MIT */
/* local_clnt_test - the delivery client against a scripted fake agent,
 * driven by the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/local_clnt.h"
#include "proto/proto_local.h"
#include "util/attr.h"
#include "util/event.h"
#include "util/fdpass.h"
#include "util/stream.h"

static char tmpdir[200];
static char sockpath[256];

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	/* A write to an agent that went away must be an error. */
	signal(SIGPIPE, SIG_IGN);
	if (base == NULL || *base == 0 || strlen(base) > 60)
		base = "/tmp";
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/lclnt.XXXXXX", base) >=
		(int)sizeof(tmpdir) ||
	    mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/local", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(sockpath);
	rmdir(tmpdir);
	return 0;
}

/* What the fake agent does. */
enum agent {
	AGENT_GOOD, /* two requests answered, then EOF */
	AGENT_WRONG_PROTO,
	AGENT_WRONG_VERSION,
	AGENT_NO_VERSION,
	AGENT_SILENT_CLOSE,    /* closes without a greeting */
	AGENT_HALF_GREETING,   /* a cut greeting, then close */
	AGENT_MUTE,            /* connected, never speaks */
	AGENT_FEWER,           /* one result for two recipients */
	AGENT_MORE,            /* three results for two */
	AGENT_NO_STATUS,       /* texts only */
	AGENT_BAD_STATUS,      /* "3.0.0" */
	AGENT_BAD_STATUS2,     /* "2" */
	AGENT_EMPTY_STATUS,    /* "" */
	AGENT_CLOSE_AFTER_REQ, /* reads the request, closes */
	AGENT_HALF_REPLY,      /* a cut reply, then close */
	AGENT_LONG_TEXT,       /* texts longer than local_result.text */
	AGENT_CLOSE_AFTER_GREETING,
	AGENT_MUTE_AFTER_REQ, /* reads the request, never answers */
	AGENT_BIG,            /* slow to read a request of BIG_N recipients */
};

/* Enough recipients that the request does not fit the socket buffer: the
 * client must write it in pieces as the agent reads. */
#define BIG_N 4000
#define BIG_ADDR_LEN 200

#define QFILE_DATA "queue file contents\n"

static const char *const rcpt[] = { "a@example.com", "b@example.com" };
static const char *const orig[] = { "A@Example.COM", "b+list@example.com" };

/* Agent side: exit codes say what went wrong (0: all as expected). */
static int
agent_check_request(struct stream *s, int cfd, int round)
{
	static const char *const names[] = { ATTR_QUEUE_ID, ATTR_SENDER,
		ATTR_ARRIVAL, ATTR_ARRIVAL_USEC, ATTR_RCPT, ATTR_ORIG,
		ATTR_RCPT, ATTR_ORIG };
	const char *values[] = { round == 0 ? "4XyZab" : "5AbCde",
		round == 0 ? "" : "sender@example.org", "1700000000", "123456",
		rcpt[0], orig[0], rcpt[1], orig[1] };
	struct attr_list l = { 0 };
	const char *error;
	char data[64];
	ssize_t n;
	size_t i;
	int fd;

	if (stream_pending(s) != 0)
		return 10;
	if ((fd = fdpass_recv(cfd, 5, &error)) < 0)
		return 11;
	n = read(fd, data, sizeof(data));
	close(fd);
	if (n != (ssize_t)strlen(QFILE_DATA) ||
	    memcmp(data, QFILE_DATA, (size_t)n) != 0)
		return 12;
	if (attr_recv(s, &l, &error) != 1)
		return 13;
	if (l.n != sizeof(names) / sizeof(names[0]))
		return 14;
	for (i = 0; i < l.n; i++)
		if (strcmp(l.a[i].name, names[i]) != 0 ||
		    strcmp(l.a[i].value, values[i]) != 0)
			return 15;
	attr_list_clear(&l);
	return 0;
}

static void
agent_reply(struct stream *s, const char *const *status, size_t n,
    const char *text)
{
	const char *error;
	size_t i;

	for (i = 0; i < n; i++) {
		attr_put(s, ATTR_STATUS, status[i]);
		if (text != NULL)
			attr_put(s, ATTR_TEXT, text);
	}
	attr_put_end(s);
	stream_flush(s, &error);
}

static int
agent_run(int lfd, enum agent what)
{
	static const char *const ok2[] = { "2.0.0", "5.1.1", "4.2.2" };
	static const char *const bad3[] = { "3.0.0", "2.0.0" };
	static const char *const bad2[] = { "2.0.0", "2" };
	static const char *const empty[] = { "2.0.0", "" };
	char longtext[700];
	struct stream *s;
	const char *error;
	int cfd, ret = 0, round;

	cfd = accept(lfd, NULL, NULL);
	close(lfd);
	if (cfd < 0)
		return 2;
	s = stream_create(cfd, 0);
	stream_set_timeout(s, 10);
	switch (what) {
	case AGENT_SILENT_CLOSE:
		stream_destroy(&s);
		return 0;
	case AGENT_MUTE: {
		char c;

		/* Wait for the client to give up and close. */
		return read(cfd, &c, 1) == 0 ? 0 : 3;
	}
	case AGENT_HALF_GREETING:
		stream_write(s, "\0\0\0\x08prot", 8);
		stream_flush(s, &error);
		stream_destroy(&s);
		return 0;
	case AGENT_WRONG_PROTO:
		attr_put(s, ATTR_PROTO, "qmgr");
		attr_put(s, ATTR_VERSION, PROTO_LOCAL_VERSION);
		break;
	case AGENT_WRONG_VERSION:
		attr_put(s, ATTR_PROTO, PROTO_LOCAL);
		attr_put(s, ATTR_VERSION, "2");
		break;
	case AGENT_NO_VERSION:
		attr_put(s, ATTR_PROTO, PROTO_LOCAL);
		break;
	default:
		/* Unknown attributes in a greeting are ignored. */
		attr_put(s, "feature", "x");
		attr_put(s, ATTR_PROTO, PROTO_LOCAL);
		attr_put(s, ATTR_VERSION, PROTO_LOCAL_VERSION);
		break;
	}
	attr_put_end(s);
	if (stream_flush(s, &error) < 0)
		return 4;
	switch (what) {
	case AGENT_WRONG_PROTO:
	case AGENT_WRONG_VERSION:
	case AGENT_NO_VERSION:
	case AGENT_CLOSE_AFTER_GREETING:
		stream_destroy(&s);
		return 0;
	default:
		break;
	}
	if (what == AGENT_BIG) {
		struct attr_list l = { 0 };
		size_t i, n = 0;
		int qfd;

		usleep(200000);
		if ((qfd = fdpass_recv(cfd, 5, &error)) < 0)
			return 20;
		close(qfd);
		if (attr_recv(s, &l, &error) != 1)
			return 21;
		for (i = 0; i < l.n; i++)
			if (strcmp(l.a[i].name, ATTR_RCPT) == 0 &&
			    strlen(l.a[i].value) == BIG_ADDR_LEN)
				n++;
		attr_list_clear(&l);
		if (n != BIG_N)
			return 22;
		for (i = 0; i < BIG_N; i++)
			attr_put(s, ATTR_STATUS, i % 2 ? "2.0.0" : "4.2.2");
		attr_put_end(s);
		if (stream_flush(s, &error) < 0)
			return 23;
		stream_destroy(&s);
		return 0;
	}
	for (round = 0; round < (what == AGENT_GOOD ? 2 : 1); round++) {
		if ((ret = agent_check_request(s, cfd, round)) != 0)
			break;
		switch (what) {
		case AGENT_GOOD:
			if (round == 0) {
				/* A text before any status is ignored. */
				attr_put(s, ATTR_TEXT, "stray");
				agent_reply(s, ok2, 2, "done");
			} else {
				agent_reply(s, ok2 + 1, 2, NULL);
			}
			break;
		case AGENT_FEWER:
			agent_reply(s, ok2, 1, "one");
			break;
		case AGENT_MORE:
			agent_reply(s, ok2, 3, "three");
			break;
		case AGENT_NO_STATUS:
			attr_put(s, ATTR_TEXT, "a");
			attr_put(s, ATTR_TEXT, "b");
			agent_reply(s, ok2, 0, NULL);
			break;
		case AGENT_BAD_STATUS:
			agent_reply(s, bad3, 2, "x");
			break;
		case AGENT_BAD_STATUS2:
			agent_reply(s, bad2, 2, "x");
			break;
		case AGENT_EMPTY_STATUS:
			agent_reply(s, empty, 2, "x");
			break;
		case AGENT_HALF_REPLY:
			stream_write(s, "\0\0\0\x06status\0\0", 12);
			stream_flush(s, &error);
			break;
		case AGENT_MUTE_AFTER_REQ: {
			char c;

			/* Wait for the client to give up and close. */
			if (read(cfd, &c, 1) != 0)
				ret = 7;
			break;
		}
		case AGENT_LONG_TEXT:
			memset(longtext, 't', sizeof(longtext) - 1);
			longtext[sizeof(longtext) - 1] = 0;
			agent_reply(s, ok2, 2, longtext);
			break;
		default:
			break;
		}
	}
	if (ret == 0 && what == AGENT_GOOD) {
		/* The client closes to finish. */
		if (fdpass_recv(cfd, 5, &error) >= 0)
			ret = 5;
		else if (strcmp(error, "unexpected end of input") != 0)
			ret = 6;
	}
	stream_destroy(&s);
	return ret;
}

static int
listen_at(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static pid_t
agent_start(enum agent what)
{
	int lfd = listen_at(sockpath);
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(agent_run(lfd, what));
	close(lfd);
	return pid;
}

static void
agent_wait(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("fake agent failed with code %d", WEXITSTATUS(status));
	unlink(sockpath);
}

/* The outcome of one step, as the callback saw it. */
struct outcome {
	int done;
	int status;
	char error[256];
};

static void
on_done(struct local_clnt *c, int status, const char *error, void *ctx)
{
	struct outcome *o = ctx;

	o->done++;
	o->status = status;
	snprintf(o->error, sizeof(o->error), "%s", error ? error : "");
}

/* Run the event loop until o is done (bounded). */
static void
run_until(struct outcome *o)
{
	int64_t deadline = event_now_ms() + 10000;

	while (!o->done && event_now_ms() < deadline)
		event_run_once(100);
	assert_int_equal(o->done, 1);
}

static char sync_error[256];

/* Connect and wait for the greeting check. */
static int
connect_sync(const char *path, int timeout, struct local_clnt **c_r,
    const char **error_r)
{
	struct outcome o = { 0 };

	*c_r = NULL;
	if (local_clnt_open(path, PROTO_LOCAL, timeout * 1000L, on_done, &o,
		c_r, error_r) < 0) {
		assert_null(*c_r);
		return -1;
	}
	/* Never called back from inside the call. */
	assert_int_equal(o.done, 0);
	run_until(&o);
	if (o.status < 0) {
		snprintf(sync_error, sizeof(sync_error), "%s", o.error);
		*error_r = sync_error;
		local_clnt_close(c_r);
		return -1;
	}
	return 0;
}

/* Send request number round (see agent_check_request) and wait for its
 * results. */
static int
send_request(struct local_clnt *c, int round, struct local_result *res,
    const char **error_r)
{
	struct local_request req = {
		.queue_id = round == 0 ? "4XyZab" : "5AbCde",
		.sender = round == 0 ? "" : "sender@example.org",
		.arrival = { 1700000000, 123456 },
		.rcpt = rcpt,
		.orig = orig,
		.nrcpt = 2,
	};
	struct outcome o = { 0 };
	int p[2], ret;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write(p[1], QFILE_DATA, strlen(QFILE_DATA)),
	    (ssize_t)strlen(QFILE_DATA));
	close(p[1]);
	req.fd = p[0];
	ret = local_clnt_request(c, &req, res, 2000, on_done, &o, error_r);
	/* The descriptor was passed at once: ours may go. */
	close(p[0]);
	if (ret < 0)
		return -1;
	assert_int_equal(o.done, 0);
	run_until(&o);
	if (o.status < 0) {
		snprintf(sync_error, sizeof(sync_error), "%s", o.error);
		*error_r = sync_error;
		return -1;
	}
	return 0;
}

static void
test_good_session(void **state)
{
	struct local_result res[2];
	struct local_clnt *c = NULL;
	const char *error = NULL;
	pid_t pid;

	(void)state;
	pid = agent_start(AGENT_GOOD);
	assert_int_equal(connect_sync(sockpath, 5, &c, &error), 0);
	assert_non_null(c);
	assert_true(local_clnt_fd(c) >= 0);

	assert_int_equal(send_request(c, 0, res, &error), 0);
	assert_string_equal(res[0].status, "2.0.0");
	assert_string_equal(res[0].text, "done");
	assert_string_equal(res[1].status, "5.1.1");
	assert_string_equal(res[1].text, "done");

	/* A second request on the same connection; no texts this time. */
	assert_int_equal(send_request(c, 1, res, &error), 0);
	assert_string_equal(res[0].status, "5.1.1");
	assert_string_equal(res[0].text, "");
	assert_string_equal(res[1].status, "4.2.2");
	assert_string_equal(res[1].text, "");
	local_clnt_close(&c);
	assert_null(c);
	local_clnt_close(&c);
	agent_wait(pid);
}

static void
test_greeting_refused(void **state)
{
	static const struct {
		enum agent what;
		int timeout;
		const char *error;
	} cases[] = {
		{ AGENT_WRONG_PROTO, 5,
		    "wrong protocol from the delivery agent" },
		{ AGENT_WRONG_VERSION, 5, "unsupported protocol version" },
		{ AGENT_NO_VERSION, 5, "unsupported protocol version" },
		{ AGENT_SILENT_CLOSE, 5,
		    "no greeting from the delivery agent" },
		{ AGENT_HALF_GREETING, 5,
		    "no greeting from the delivery agent" },
		{ AGENT_MUTE, 1, "timeout" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct local_clnt *c = NULL;
		const char *error = NULL;
		pid_t pid = agent_start(cases[i].what);

		assert_int_equal(connect_sync(sockpath, cases[i].timeout, &c,
				     &error),
		    -1);
		assert_null(c);
		assert_string_equal(error, cases[i].error);
		agent_wait(pid);
	}
}

static void
test_bad_replies(void **state)
{
	static const struct {
		enum agent what;
		const char *error;
	} cases[] = {
		{ AGENT_FEWER,
		    "wrong number of results from the delivery agent" },
		{ AGENT_MORE,
		    "wrong number of results from the delivery agent" },
		{ AGENT_NO_STATUS,
		    "wrong number of results from the delivery agent" },
		{ AGENT_BAD_STATUS, "bad status from the delivery agent" },
		{ AGENT_BAD_STATUS2, "bad status from the delivery agent" },
		{ AGENT_EMPTY_STATUS, "bad status from the delivery agent" },
		{ AGENT_CLOSE_AFTER_REQ,
		    "delivery agent closed the connection" },
		{ AGENT_HALF_REPLY, "reply cut short by the delivery agent" },
		{ AGENT_MUTE_AFTER_REQ, "timeout" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct local_result res[2];
		struct local_clnt *c = NULL;
		const char *error = NULL;
		pid_t pid = agent_start(cases[i].what);

		assert_int_equal(connect_sync(sockpath, 5, &c, &error), 0);
		assert_int_equal(send_request(c, 0, res, &error), -1);
		if (strcmp(error, cases[i].error) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, error,
			    cases[i].error);
		local_clnt_close(&c);
		agent_wait(pid);
	}
}

static void
test_long_text_cut(void **state)
{
	struct local_result res[2];
	struct local_clnt *c = NULL;
	const char *error = NULL;
	pid_t pid = agent_start(AGENT_LONG_TEXT);

	(void)state;
	assert_int_equal(connect_sync(sockpath, 5, &c, &error), 0);
	assert_int_equal(send_request(c, 0, res, &error), 0);
	assert_int_equal(strlen(res[0].text), sizeof(res[0].text) - 1);
	assert_int_equal(res[1].text[0], 't');
	local_clnt_close(&c);
	agent_wait(pid);
}

static void
test_agent_gone(void **state)
{
	struct local_result res[2];
	struct local_clnt *c = NULL;
	const char *error = NULL;
	pid_t pid = agent_start(AGENT_CLOSE_AFTER_GREETING);
	int ret;

	(void)state;
	assert_int_equal(connect_sync(sockpath, 5, &c, &error), 0);
	agent_wait(pid);
	/* The agent has exited: sending may still be buffered by the
	 * kernel or fail, but the request can never succeed. */
	ret = send_request(c, 0, res, &error);
	assert_int_equal(ret, -1);
	assert_non_null(error);
	local_clnt_close(&c);
}

/* A request larger than the socket buffer goes out in pieces from the
 * event loop while the agent reads; the reply is as large. */
static void
test_big_request(void **state)
{
	static char addr[BIG_ADDR_LEN + 1];
	const char **rc = calloc(BIG_N, sizeof(*rc));
	struct local_result *res = calloc(BIG_N, sizeof(*res));
	struct local_request req = {
		.queue_id = "4XyZab",
		.sender = "s@example.org",
		.arrival = { 1700000000, 0 },
		.nrcpt = BIG_N,
	};
	struct local_clnt *c = NULL;
	struct outcome o = { 0 };
	const char *error = NULL;
	pid_t pid = agent_start(AGENT_BIG);
	size_t i;
	int p[2];

	(void)state;
	assert_non_null(rc);
	assert_non_null(res);
	memset(addr, 'a', BIG_ADDR_LEN);
	for (i = 0; i < BIG_N; i++)
		rc[i] = addr;
	req.rcpt = rc;
	req.orig = rc;
	assert_int_equal(connect_sync(sockpath, 5, &c, &error), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	req.fd = p[0];
	assert_int_equal(local_clnt_request(c, &req, res, 5000, on_done, &o,
			     &error),
	    0);
	close(p[0]);
	close(p[1]);
	run_until(&o);
	assert_int_equal(o.status, 0);
	assert_string_equal(res[0].status, "4.2.2");
	assert_string_equal(res[BIG_N - 1].status, "2.0.0");
	local_clnt_close(&c);
	agent_wait(pid);
	free(rc);
	free(res);
}

static void
tick(void *ctx)
{
	(*(int *)ctx)++;
}

/* A mute agent holds up nothing: open returns at once, other timers keep
 * firing while the greeting is awaited, and the step fails after its
 * deadline. */
static void
test_never_blocks(void **state)
{
	struct local_clnt *c = NULL;
	struct outcome o = { 0 };
	const char *error = NULL;
	int64_t t0 = event_now_ms();
	int ticks = 0;
	pid_t pid = agent_start(AGENT_MUTE);

	(void)state;
	assert_int_equal(local_clnt_open(sockpath, PROTO_LOCAL, 600, on_done,
			     &o, &c, &error),
	    0);
	assert_true(event_now_ms() - t0 < 300);
	event_timer(20, tick, &ticks);
	event_timer(40, tick, &ticks);
	run_until(&o);
	assert_int_equal(ticks, 2);
	assert_int_equal(o.status, -1);
	assert_string_equal(o.error, "timeout");
	assert_true(event_now_ms() - t0 >= 600);
	local_clnt_close(&c);
	agent_wait(pid);
}

static void
test_connect_failures(void **state)
{
	struct local_clnt *c = NULL;
	const char *error = NULL;
	char longpath[200];

	(void)state;
	unlink(sockpath);
	assert_int_equal(connect_sync(sockpath, 1, &c, &error), -1);
	assert_string_equal(error, strerror(ENOENT));
	assert_null(c);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	assert_int_equal(connect_sync(longpath, 1, &c, &error), -1);
	assert_string_equal(error, "socket path too long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_session),
		cmocka_unit_test(test_greeting_refused),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_long_text_cut),
		cmocka_unit_test(test_agent_gone),
		cmocka_unit_test(test_connect_failures),
		cmocka_unit_test(test_never_blocks),
		cmocka_unit_test(test_big_request),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
