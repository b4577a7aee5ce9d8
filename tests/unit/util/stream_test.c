/* SPDX-License-Identifier: MIT */
/* stream_test - lines, limits, EOF, exact reads, timeouts, write buffering. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/event.h"
#include "util/stream.h"

static int
setup(void **state)
{
	(void)state;
	/* A write to a closed peer must come back as an error. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
}

static void
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		assert_true(w > 0);
		c += w;
		n -= (size_t)w;
	}
}

/* 1 when fd has input within ms milliseconds. */
static int
readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/*
 * Scripted input: a read op that hands out the input in the pieces given by
 * cut (first call: bytes [0, cut), then the rest), so that every split point
 * of a line can be tried. The descriptor under the stream is a pipe holding
 * one unread byte, so poll() always finds it readable.
 */
struct script {
	const char *data;
	size_t len, pos, cut;
	int fail_errno;   /* read fails with this once data is gone */
	int eagain_once;  /* the first read says EAGAIN */
	size_t write_max; /* write op: at most this many bytes per call */
	struct buf *written;
	int closed;
};

static ssize_t
script_read(void *ctx, void *p, size_t n)
{
	struct script *sc = ctx;
	size_t end;

	if (sc->eagain_once) {
		sc->eagain_once = 0;
		errno = EAGAIN;
		return -1;
	}
	if (sc->pos == sc->len) {
		if (sc->fail_errno) {
			errno = sc->fail_errno;
			return -1;
		}
		return 0;
	}
	end = sc->pos < sc->cut ? sc->cut : sc->len;
	if (end - sc->pos < n)
		n = end - sc->pos;
	memcpy(p, sc->data + sc->pos, n);
	sc->pos += n;
	return (ssize_t)n;
}

static ssize_t
script_write(void *ctx, const void *p, size_t n)
{
	struct script *sc = ctx;

	if (sc->write_max == 0)
		return 0;
	if (n > sc->write_max)
		n = sc->write_max;
	assert_int_equal(buf_append(sc->written, p, n), 0);
	return (ssize_t)n;
}

static void
script_close(void *ctx)
{
	((struct script *)ctx)->closed++;
}

static const struct stream_ops script_ops = {
	.read = script_read,
	.write = script_write,
	.close = script_close,
};

/* A pipe whose read end always polls readable; returns the read end. */
static int
ready_pipe(int *wfd_r)
{
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	write_all(p[1], "!", 1);
	*wfd_r = p[1];
	return p[0];
}

struct expect {
	int status;
	const char *text; /* NULL ends the list */
	size_t len;
};

#define X(st, s)                     \
	{                            \
		st, s, sizeof(s) - 1 \
	}
#define XEND               \
	{                  \
		0, NULL, 0 \
	}

static const struct line_case {
	const char *in;
	size_t inlen;
	size_t max;
	struct expect out[8];
} line_cases[] = {
#define IN(s) s, sizeof(s) - 1
	{ IN(""), 100, { X(STREAM_EOF, ""), XEND } },
	{ IN("a\n"), 100, { X(STREAM_LINE, "a\n"), X(STREAM_EOF, ""), XEND } },
	{ IN("a\nbb\r\nccc\n"), 100,
	    { X(STREAM_LINE, "a\n"), X(STREAM_LINE, "bb\r\n"),
		X(STREAM_LINE, "ccc\n"), X(STREAM_EOF, ""), XEND } },
	{ IN("\n\n"), 100,
	    { X(STREAM_LINE, "\n"), X(STREAM_LINE, "\n"), X(STREAM_EOF, ""),
		XEND } },
	/* An unterminated tail comes back as a line without "\n". */
	{ IN("one\r\ntail"), 100,
	    { X(STREAM_LINE, "one\r\n"), X(STREAM_LINE, "tail"),
		X(STREAM_EOF, ""), XEND } },
	{ IN("tail\r"), 100,
	    { X(STREAM_LINE, "tail\r"), X(STREAM_EOF, ""), XEND } },
	/* Binary bytes pass unchanged. */
	{ IN("a\0b\xff\n"), 100,
	    { X(STREAM_LINE, "a\0b\xff\n"), X(STREAM_EOF, ""), XEND } },
	/* Over the limit: pieces of max bytes, then the rest. */
	{ IN("abcdefghij\n"), 4,
	    { X(STREAM_PARTIAL, "abcd"), X(STREAM_PARTIAL, "efgh"),
		X(STREAM_LINE, "ij\n"), X(STREAM_EOF, ""), XEND } },
	{ IN("abcd\nxy\n"), 4,
	    { X(STREAM_PARTIAL, "abcd"), X(STREAM_LINE, "\n"),
		X(STREAM_LINE, "xy\n"), X(STREAM_EOF, ""), XEND } },
	{ IN("abc\n"), 4,
	    { X(STREAM_LINE, "abc\n"), X(STREAM_EOF, ""), XEND } },
	{ IN("abcdefgh"), 4,
	    { X(STREAM_PARTIAL, "abcd"), X(STREAM_PARTIAL, "efgh"),
		X(STREAM_EOF, ""), XEND } },
	{ IN("abcdefghi"), 4,
	    { X(STREAM_PARTIAL, "abcd"), X(STREAM_PARTIAL, "efgh"),
		X(STREAM_LINE, "i"), X(STREAM_EOF, ""), XEND } },
	{ IN("x\n"), 1,
	    { X(STREAM_PARTIAL, "x"), X(STREAM_LINE, "\n"), X(STREAM_EOF, ""),
		XEND } },
#undef IN
};

/* Read lines from s and compare them with want. */
static void
check_lines(struct stream *s, const struct expect *want, const char *what,
    size_t cut, size_t max)
{
	struct buf line;
	size_t i;

	buf_init(&line, 4096);
	for (i = 0; want[i].text != NULL; i++) {
		const char *error = NULL;
		int ret;

		buf_reset(&line);
		ret = stream_get_line(s, &line, max, &error);
		if (ret != want[i].status || buf_len(&line) != want[i].len ||
		    memcmp(line.data, want[i].text, want[i].len) != 0)
			fail_msg("input \"%s\" cut at %zu: result %zu: got %d "
				 "\"%s\", want %d \"%s\"",
			    what, cut, i, ret, buf_cstr(&line), want[i].status,
			    want[i].text);
	}
	buf_deinit(&line);
}

static void
test_lines_every_split(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		size_t cut;

		for (cut = 0; cut <= c->inlen; cut++) {
			struct script sc = { .data = c->in,
				.len = c->inlen,
				.cut = cut };
			struct stream *s;
			int wfd, rfd = ready_pipe(&wfd);

			s = stream_create(rfd, 0);
			stream_set_ops(s, &script_ops, &sc);
			check_lines(s, c->out, c->in, cut, c->max);
			stream_destroy(&s);
			assert_null(s);
			assert_int_equal(sc.closed, 1);
			close(wfd);
		}
	}
}

static void
test_lines_socketpair(void **state)
{
	static const struct expect want[] = {
		X(STREAM_LINE, "EHLO client\r\n"),
		X(STREAM_LINE, "MAIL\r\n"),
		X(STREAM_PARTIAL, "0123456789"),
		X(STREAM_PARTIAL, "abcdefghij"),
		X(STREAM_LINE, "end\r\n"),
		X(STREAM_LINE, "rest"),
		X(STREAM_EOF, ""),
		XEND,
	};
	struct stream *s;
	struct buf line;
	const char *error = NULL;
	int sv[2];

	(void)state;
	make_pair(sv);
	s = stream_create(sv[0], 0);
	assert_int_equal(stream_fd(s), sv[0]);
	stream_set_timeout(s, 5);
	write_all(sv[1], "EHLO client\r\nMAIL\r\n", 19);
	buf_init(&line, 100);
	/* One read took both lines: the second is pending. */
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_LINE);
	assert_int_equal(stream_pending(s), 6);
	buf_deinit(&line);
	write_all(sv[1], "0123456789abcdefghijend\r\nrest", 29);
	close(sv[1]);
	check_lines(s, want + 1, "socketpair", 0, 10);
	assert_int_equal(stream_pending(s), 0);
	stream_destroy(&s);
}

static void
test_line_buffer_full(void **state)
{
	struct script sc = { .data = "abcdefgh\n", .len = 9, .cut = 9 };
	struct stream *s;
	struct buf line;
	const char *error = NULL;
	int wfd, rfd = ready_pipe(&wfd);

	(void)state;
	s = stream_create(rfd, 0);
	stream_set_ops(s, &script_ops, &sc);
	/* The caller's buffer is smaller than the limit it passes. */
	buf_init(&line, 4);
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_ERROR);
	assert_string_equal(error, "line buffer full");
	buf_deinit(&line);
	stream_destroy(&s);
	close(wfd);
}

static void
test_read_errors(void **state)
{
	struct script sc = { .data = "ab",
		.len = 2,
		.cut = 1,
		.fail_errno = EIO,
		.eagain_once = 1 };
	struct stream *s;
	struct buf line;
	const char *error = NULL;
	char c[4];
	int wfd, rfd = ready_pipe(&wfd);

	(void)state;
	s = stream_create(rfd, 0);
	stream_set_ops(s, &script_ops, &sc);
	buf_init(&line, 100);
	/* EAGAIN is retried; the data before the error is not lost. */
	assert_int_equal(stream_read_exact(s, c, 1, &error), 1);
	assert_int_equal(c[0], 'a');
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_ERROR);
	assert_string_equal(error, strerror(EIO));
	assert_string_equal(buf_cstr(&line), "b");
	buf_reset(&line);
	assert_int_equal(stream_read_exact(s, c, 1, &error), STREAM_ERROR);
	buf_deinit(&line);
	stream_destroy(&s);
	close(wfd);
}

static void
test_read_exact(void **state)
{
	static char big[3 * STREAM_BUFSIZE + 17];
	static char got[sizeof(big)];
	struct stream *s;
	const char *error = NULL;
	char small[16];
	size_t i;
	pid_t pid;
	int sv[2], status;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 251);
	make_pair(sv);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		write_all(sv[1], "hello world", 11);
		write_all(sv[1], big, sizeof(big));
		write_all(sv[1], "abc", 3);
		_exit(0);
	}
	close(sv[1]);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 10);
	assert_int_equal(stream_read_exact(s, small, 5, &error), 1);
	assert_memory_equal(small, "hello", 5);
	assert_int_equal(stream_read_exact(s, small, 6, &error), 1);
	assert_memory_equal(small, " world", 6);
	assert_int_equal(stream_read_exact(s, small, 0, &error), 1);
	/* More than the stream's buffer, in one call. */
	assert_int_equal(stream_read_exact(s, got, sizeof(got), &error), 1);
	assert_memory_equal(got, big, sizeof(big));
	/* Short: the peer is gone after three bytes. */
	assert_int_equal(stream_read_exact(s, small, 5, &error), STREAM_EOF);
	assert_int_equal(stream_read_exact(s, small, 1, &error), STREAM_EOF);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	stream_destroy(&s);
}

static void
test_timeout(void **state)
{
	struct stream *s;
	struct buf line;
	const char *error = NULL;
	int64_t start, took;
	char c;
	int sv[2];

	(void)state;
	make_pair(sv);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 1);
	buf_init(&line, 100);
	start = event_now_ms();
	assert_int_equal(stream_get_line(s, &line, 100, &error),
	    STREAM_TIMEOUT);
	took = event_now_ms() - start;
	assert_string_equal(error, "timeout");
	assert_true(took >= 900 && took < 3000);
	/* The stream stays usable after a timeout. */
	write_all(sv[1], "x", 1);
	assert_int_equal(stream_read_exact(s, &c, 1, &error), 1);
	assert_int_equal(c, 'x');
	buf_deinit(&line);
	stream_destroy(&s);
	close(sv[1]);
}

static void
test_deadline(void **state)
{
	struct stream *s;
	struct buf line;
	const char *error = NULL;
	int64_t start;
	char c;
	int sv[2];

	(void)state;
	make_pair(sv);
	s = stream_create(sv[0], 0);
	buf_init(&line, 100);
	/* A deadline in the past: no waiting at all, even with input. */
	write_all(sv[1], "data\n", 5);
	stream_set_deadline(s, time(NULL) - 1);
	start = event_now_ms();
	assert_int_equal(stream_get_line(s, &line, 100, &error),
	    STREAM_TIMEOUT);
	assert_string_equal(error, "timeout");
	assert_int_equal(stream_read_exact(s, &c, 1, &error), STREAM_TIMEOUT);
	assert_int_equal(stream_puts(s, "x"), 0);
	assert_int_equal(stream_flush(s, &error), STREAM_TIMEOUT);
	assert_string_equal(stream_error(s), "timeout");
	assert_true(event_now_ms() - start < 500);
	/* A deadline far away, without a per-operation timeout. */
	stream_set_deadline(s, time(NULL) + 400 * 86400);
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_LINE);
	assert_string_equal(buf_cstr(&line), "data\n");
	assert_int_equal(stream_flush(s, &error), 0);
	assert_true(readable(sv[1], 1000));
	assert_int_equal(read(sv[1], &c, 1), 1);
	assert_int_equal(c, 'x');
	/* The longest per-operation timeout, with and without a deadline. */
	write_all(sv[1], "more\n", 5);
	stream_set_timeout(s, INT_MAX);
	buf_reset(&line);
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_LINE);
	write_all(sv[1], "more\n", 5);
	stream_set_deadline(s, 0);
	buf_reset(&line);
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_LINE);
	assert_string_equal(buf_cstr(&line), "more\n");
	/* A near deadline cuts a longer per-operation timeout short. */
	stream_set_timeout(s, 30);
	stream_set_deadline(s, time(NULL) + 1);
	start = event_now_ms();
	buf_reset(&line);
	assert_int_equal(stream_get_line(s, &line, 100, &error),
	    STREAM_TIMEOUT);
	assert_true(event_now_ms() - start < 2500);
	buf_deinit(&line);
	stream_destroy(&s);
	close(sv[1]);
}

static void
test_write_buffering(void **state)
{
	struct stream *s;
	const char *error = NULL;
	char got[64];
	int sv[2];

	(void)state;
	make_pair(sv);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 5);
	assert_int_equal(stream_puts(s, "220 "), 0);
	assert_int_equal(stream_printf(s, "%s %d\r\n", "ready", 7), 0);
	assert_int_equal(stream_write(s, "", 0), 0);
	/* Nothing leaves before the flush. */
	assert_false(readable(sv[1], 50));
	assert_null(stream_error(s));
	assert_int_equal(stream_flush(s, &error), 0);
	assert_int_equal(read(sv[1], got, sizeof(got)), 13);
	assert_memory_equal(got, "220 ready 7\r\n", 13);
	/* An empty flush is fine. */
	assert_int_equal(stream_flush(s, &error), 0);
	stream_destroy(&s);
	close(sv[1]);
}

/* In a child: read everything from fd and check it against two copies of
 * the pattern written by test_big_write (n bytes in all). Exit 0 when it
 * matches. */
static void
drain_and_check(int fd, size_t n)
{
	char chunk[8192];
	size_t off = 0;
	ssize_t r;

	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		ssize_t i;

		for (i = 0; i < r; i++, off++)
			if (off >= n || chunk[i] != (char)(off % (n / 2) % 253))
				_exit(2);
	}
	_exit(r == 0 && off == n ? 0 : 3);
}

static void
test_big_write(void **state)
{
	enum {
		BIG = 5 * STREAM_BUFSIZE + 123
	};
	static char big[BIG];
	static char fmt_arg[3000];
	struct stream *s;
	const char *error = NULL;
	size_t i;
	pid_t pid;
	int sv[2], status;

	(void)state;
	for (i = 0; i < BIG; i++)
		big[i] = (char)(i % 253);
	make_pair(sv);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		drain_and_check(sv[1], 2 * BIG);
	}
	close(sv[1]);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 10);
	/* One large write, then the same bytes in odd-sized pieces. */
	assert_int_equal(stream_write(s, big, BIG), 0);
	for (i = 0; i < BIG; i += 1000)
		assert_int_equal(stream_write(s, big + i,
				     BIG - i < 1000 ? BIG - i : 1000),
		    0);
	assert_int_equal(stream_flush(s, &error), 0);
	stream_destroy(&s);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* stream_printf output longer than its small scratch buffer. */
	memset(fmt_arg, 'p', sizeof(fmt_arg) - 1);
	make_pair(sv);
	s = stream_create(sv[0], 0);
	assert_int_equal(stream_printf(s, "<%s>", fmt_arg), 0);
	assert_int_equal(stream_flush(s, &error), 0);
	{
		static char got[sizeof(fmt_arg) + 8];
		const char *err2 = NULL;
		struct stream *r = stream_create(sv[1], 0);

		stream_set_timeout(r, 5);
		assert_int_equal(stream_read_exact(r, got, sizeof(fmt_arg) + 1,
				     &err2),
		    1);
		assert_int_equal(got[0], '<');
		assert_memory_equal(got + 1, fmt_arg, sizeof(fmt_arg) - 1);
		assert_int_equal(got[sizeof(fmt_arg)], '>');
		stream_destroy(&r);
	}
	stream_destroy(&s);
}

/* A pipe is not a socket: written with write(2) after a wait for room,
 * a large write included (more than the pipe holds). */
static void
test_big_write_pipe(void **state)
{
	enum {
		BIG = 5 * STREAM_BUFSIZE + 123
	};
	static char big[BIG];
	struct stream *s;
	const char *error = NULL;
	size_t i;
	pid_t pid;
	int p[2], status;

	(void)state;
	for (i = 0; i < BIG; i++)
		big[i] = (char)(i % 253);
	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		drain_and_check(p[0], 2 * BIG);
	}
	close(p[0]);
	s = stream_create(p[1], 0);
	stream_set_timeout(s, 10);
	assert_int_equal(stream_write(s, big, 3), 0);
	assert_int_equal(stream_write(s, big + 3, BIG - 3), 0);
	assert_int_equal(stream_write(s, big, BIG), 0);
	assert_int_equal(stream_flush(s, &error), 0);
	stream_destroy(&s);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_write_timeout(void **state)
{
	static char chunk[STREAM_BUFSIZE];
	struct stream *s;
	const char *error = NULL;
	int64_t start;
	int sv[2], i, ret = 0;

	(void)state;
	make_pair(sv);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 1);
	start = event_now_ms();
	/* The peer never reads: the socket buffer fills and stays full. */
	for (i = 0; i < 1000 && ret == 0; i++)
		ret = stream_write(s, chunk, sizeof(chunk));
	assert_int_equal(ret, STREAM_TIMEOUT);
	assert_string_equal(stream_error(s), "timeout");
	assert_int_equal(stream_flush(s, &error), STREAM_TIMEOUT);
	assert_string_equal(error, "timeout");
	assert_true(event_now_ms() - start < 5000);
	stream_destroy(&s);
	close(sv[1]);
}

static void
test_write_closed_peer(void **state)
{
	struct stream *s;
	const char *error = NULL;
	int sv[2];

	(void)state;
	make_pair(sv);
	close(sv[1]);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 5);
	assert_int_equal(stream_puts(s, "hello\r\n"), 0);
	assert_int_equal(stream_flush(s, &error), STREAM_ERROR);
	assert_string_equal(error, strerror(EPIPE));
	assert_string_equal(stream_error(s), strerror(EPIPE));
	stream_destroy(&s);
}

static void
test_short_writes(void **state)
{
	struct buf written;
	struct script sc = { .write_max = 3 };
	struct stream *s;
	const char *error = NULL;
	int wfd, rfd = ready_pipe(&wfd);

	(void)state;
	buf_init(&written, 1024);
	sc.written = &written;
	s = stream_create(rfd, 0);
	stream_set_write_fd(s, wfd);
	stream_set_ops(s, &script_ops, &sc);
	assert_int_equal(stream_puts(s, "250 2.0.0 Ok\r\n"), 0);
	assert_int_equal(stream_flush(s, &error), 0);
	assert_string_equal(buf_cstr(&written), "250 2.0.0 Ok\r\n");
	/* A write op that moves nothing is an error, and the unwritten
	 * bytes stay queued. */
	sc.write_max = 0;
	assert_int_equal(stream_puts(s, "abc"), 0);
	assert_int_equal(stream_flush(s, &error), STREAM_ERROR);
	assert_string_equal(error, "short write");
	sc.write_max = 100;
	assert_int_equal(stream_flush(s, &error), 0);
	assert_string_equal(buf_cstr(&written), "250 2.0.0 Ok\r\nabc");
	stream_destroy(&s);
	buf_deinit(&written);
	close(wfd);
}

static void
test_set_write_fd(void **state)
{
	struct stream *s;
	struct buf line;
	const char *error = NULL;
	char got[32];
	int sv[2], p[2];

	(void)state;
	make_pair(sv);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	s = stream_create(sv[0], 0);
	stream_set_write_fd(s, p[1]);
	stream_set_timeout(s, 5);
	write_all(sv[1], "QUIT\r\n", 6);
	buf_init(&line, 100);
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_LINE);
	assert_string_equal(buf_cstr(&line), "QUIT\r\n");
	assert_int_equal(stream_puts(s, "221 Bye\r\n"), 0);
	assert_int_equal(stream_flush(s, &error), 0);
	/* Output went to the pipe, not back over the socket. */
	assert_int_equal(read(p[0], got, sizeof(got)), 9);
	assert_memory_equal(got, "221 Bye\r\n", 9);
	assert_false(readable(sv[1], 0));
	stream_destroy(&s);
	/* The read fd is closed, the write fd is not the stream's. */
	assert_int_equal(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	assert_true(readable(sv[1], 1000));
	assert_int_equal(read(sv[1], got, 1), 0);
	buf_deinit(&line);
	close(p[0]);
	close(p[1]);
	close(sv[1]);
}

static void
test_noclose(void **state)
{
	struct stream *s;
	int sv[2];

	(void)state;
	make_pair(sv);
	s = stream_create(sv[0], STREAM_FLAG_NOCLOSE);
	stream_destroy(&s);
	assert_null(s);
	assert_true(fcntl(sv[0], F_GETFD) >= 0);
	stream_destroy(&s); /* NULL is fine */
	close(sv[0]);
	close(sv[1]);
}

/* STARTTLS: what the peer pipelined behind the command is dropped. */
static void
test_discard_input(void **state)
{
	struct buf line;
	struct stream *s;
	const char *error;
	int sv[2];

	(void)state;
	make_pair(sv);
	buf_init(&line, 1024);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 5);
	write_all(sv[1], "STARTTLS\r\nRSET\r\n", 16);
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_LINE);
	assert_string_equal(line.data, "STARTTLS\r\n");
	assert_int_equal(stream_pending(s), 6);
	stream_discard_input(s);
	assert_int_equal(stream_pending(s), 0);
	write_all(sv[1], "EHLO x\r\n", 8);
	buf_reset(&line);
	assert_int_equal(stream_get_line(s, &line, 100, &error), STREAM_LINE);
	assert_string_equal(line.data, "EHLO x\r\n");
	stream_destroy(&s);
	close(sv[1]);
	buf_deinit(&line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_every_split),
		cmocka_unit_test(test_lines_socketpair),
		cmocka_unit_test(test_discard_input),
		cmocka_unit_test(test_line_buffer_full),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_exact),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_write_buffering),
		cmocka_unit_test(test_big_write),
		cmocka_unit_test(test_big_write_pipe),
		cmocka_unit_test(test_write_timeout),
		cmocka_unit_test(test_write_closed_peer),
		cmocka_unit_test(test_short_writes),
		cmocka_unit_test(test_set_write_fd),
		cmocka_unit_test(test_noclose),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
