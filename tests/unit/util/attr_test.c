/* SPDX-License-Identifier: MIT */
/* attr_test - attribute codec: round trips, truncation, caps, numbers. */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/attr.h"
#include "util/buf.h"
#include "util/stream.h"

#define WIRE_MAX (16 * 1024 * 1024)

/* Append one length-prefixed string to a hand-made wire message. */
static void
wire_str(struct buf *w, const char *p, size_t n)
{
	unsigned char len[4] = { (unsigned char)(n >> 24),
		(unsigned char)(n >> 16), (unsigned char)(n >> 8),
		(unsigned char)n };

	assert_int_equal(buf_append(w, len, 4), 0);
	assert_int_equal(buf_append(w, p, n), 0);
}

static void
wire_attr(struct buf *w, const char *name, const char *value, size_t vlen)
{
	wire_str(w, name, strlen(name));
	wire_str(w, value, vlen);
}

static void
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

/*
 * A stream that reads the first n bytes of data and then EOF. Small inputs
 * go through a pipe directly; larger ones are written by a child process.
 */
struct feed {
	struct stream *s;
	pid_t pid;
};

static void
feed_open(struct feed *f, const void *data, size_t n)
{
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	f->pid = -1;
	if (n <= 4096) {
		write_all(p[1], data, n);
	} else {
		fflush(NULL);
		f->pid = fork();
		assert_true(f->pid >= 0);
		if (f->pid == 0) {
			close(p[0]);
			write_all(p[1], data, n);
			_exit(0);
		}
	}
	close(p[1]);
	f->s = stream_create(p[0], 0);
	stream_set_timeout(f->s, 10);
}

static void
feed_close(struct feed *f)
{
	stream_destroy(&f->s);
	if (f->pid > 0) {
		int status;

		assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
	}
}

static void
test_round_trip_put(void **state)
{
	static const struct {
		const char *name, *value;
	} attrs[] = {
		{ "queue_id", "4Xb2C1a" },
		{ "empty", "" },
		{ "crlf", "line1\r\nline2\r\n" },
		{ "lf", "\n" },
		{ "cr", "\r" },
		{ "8bit", "caf\xc3\xa9 \xff" },
		{ "spaces", "  a  b  " },
		{ "rcpt", "a@example.com" },
		{ "rcpt", "b@example.com" },
	};
	struct attr_list l = { 0 };
	struct stream *w, *r;
	const char *error = NULL;
	size_t i;
	long v;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
	w = stream_create(sv[0], 0);
	r = stream_create(sv[1], 0);
	stream_set_timeout(r, 5);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		assert_int_equal(attr_put(w, attrs[i].name, attrs[i].value), 0);
	assert_int_equal(attr_put_long(w, "max", LONG_MAX), 0);
	assert_int_equal(attr_put_long(w, "min", LONG_MIN), 0);
	assert_int_equal(attr_put_long(w, "zero", 0), 0);
	assert_int_equal(attr_put_end(w), 0);
	/* A second message right behind the first. */
	assert_int_equal(attr_put(w, "second", "yes"), 0);
	assert_int_equal(attr_put_end(w), 0);
	/* An empty message. */
	assert_int_equal(attr_put_end(w), 0);
	assert_int_equal(stream_flush(w, &error), 0);
	stream_destroy(&w);

	assert_int_equal(attr_recv(r, &l, &error), 1);
	assert_int_equal(l.n, sizeof(attrs) / sizeof(attrs[0]) + 3);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		assert_string_equal(l.a[i].name, attrs[i].name);
		assert_int_equal(l.a[i].vlen, strlen(attrs[i].value));
		assert_memory_equal(l.a[i].value, attrs[i].value,
		    l.a[i].vlen + 1);
	}
	/* attr_get finds the first of repeated names. */
	assert_string_equal(attr_get(&l, "rcpt"), "a@example.com");
	assert_string_equal(attr_get(&l, "empty"), "");
	assert_null(attr_get(&l, "missing"));
	assert_null(attr_get(&l, ""));
	assert_int_equal(attr_get_long(&l, "max", &v), 0);
	assert_true(v == LONG_MAX);
	assert_int_equal(attr_get_long(&l, "min", &v), 0);
	assert_true(v == LONG_MIN);
	assert_int_equal(attr_get_long(&l, "zero", &v), 0);
	assert_int_equal(v, 0);

	/* The list is cleared before the next message. */
	assert_int_equal(attr_recv(r, &l, &error), 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(attr_get(&l, "second"), "yes");
	assert_int_equal(attr_recv(r, &l, &error), 1);
	assert_int_equal(l.n, 0);
	/* EOF before the first byte of a message. */
	assert_int_equal(attr_recv(r, &l, &error), 0);
	assert_int_equal(l.n, 0);
	attr_list_clear(&l);
	attr_list_clear(&l);
	stream_destroy(&r);
}

/* A NUL in a value would cut it short where callers read it as a C
 * string: the whole message is refused, wherever the NUL is. */
static void
test_values_with_nul(void **state)
{
	static const struct {
		const char *value;
		size_t len;
	} cases[] = {
		{ "a\0b", 3 },
		{ "\0", 1 },
		{ "ab\0", 3 },
		{ "\r\n\0\r\n", 5 },
		/* A number with a hidden tail: "12" to a C-string reader. */
		{ "12\0x", 4 },
	};
	struct attr_list l = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf w;
		struct feed f;
		const char *error = NULL;

		buf_init(&w, WIRE_MAX);
		wire_attr(&w, "ok", "fine", 4);
		wire_attr(&w, "rcpt", cases[i].value, cases[i].len);
		wire_str(&w, "", 0);
		feed_open(&f, w.data, w.len);
		assert_int_equal(attr_recv(f.s, &l, &error), -1);
		assert_string_equal(error, "NUL in attribute value");
		assert_int_equal(l.n, 0);
		feed_close(&f);
		buf_deinit(&w);
	}
}

/* Build a message with some awkward values, then feed every prefix. */
static void
test_truncation_every_byte(void **state)
{
	struct attr_list l = { 0 };
	struct buf w;
	size_t cut;

	(void)state;
	buf_init(&w, WIRE_MAX);
	wire_attr(&w, "protocol", "local", 5);
	wire_attr(&w, "e", "", 0);
	wire_attr(&w, "text", "a\r\n\tz", 5);
	wire_str(&w, "", 0);
	for (cut = 0; cut <= w.len; cut++) {
		struct feed f;
		const char *error = NULL;
		int ret;

		feed_open(&f, w.data, cut);
		ret = attr_recv(f.s, &l, &error);
		if (cut == 0) {
			assert_int_equal(ret, 0);
		} else if (cut < w.len) {
			if (ret != -1)
				fail_msg("cut at %zu of %zu: got %d", cut,
				    w.len, ret);
			assert_string_equal(error, "unexpected end of input");
			assert_int_equal(l.n, 0);
		} else {
			assert_int_equal(ret, 1);
			assert_int_equal(l.n, 3);
			assert_string_equal(attr_get(&l, "protocol"), "local");
		}
		feed_close(&f);
	}
	attr_list_clear(&l);
	buf_deinit(&w);
}

static void
test_bad_messages(void **state)
{
	static const struct {
		const char *wire;
		size_t len;
		const char *error;
	} cases[] = {
#define W(s) s, sizeof(s) - 1
		/* Over the length cap, in the name and in the value. */
		{ W("\x00\x10\x00\x01"), "attribute too long" },
		{ W("\xff\xff\xff\xff"), "attribute too long" },
		{ W("\x00\x00\x00\x01n\x00\x10\x00\x01"),
		    "attribute too long" },
		{ W("\x00\x00\x00\x01n\x80\x00\x00\x00"),
		    "attribute too long" },
		/* A NUL inside a name. */
		{ W("\x00\x00\x00\x03"
		    "a\0b"
		    "\x00\x00\x00\x00\x00\x00\x00\x00"),
		    "NUL in attribute name" },
		/* A name without its value. */
		{ W("\x00\x00\x00\x01n\x00\x00\x00\x00\x00\x00"),
		    "unexpected end of input" },
		/* A length larger than what follows. */
		{ W("\x00\x00\x00\x09short"), "unexpected end of input" },
#undef W
	};
	struct attr_list l = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct feed f;
		const char *error = NULL;

		feed_open(&f, cases[i].wire, cases[i].len);
		assert_int_equal(attr_recv(f.s, &l, &error), -1);
		assert_string_equal(error, cases[i].error);
		assert_int_equal(l.n, 0);
		feed_close(&f);
	}
	attr_list_clear(&l);
}

static void
test_length_limit(void **state)
{
	static char value[ATTR_MAX_LEN + 1];
	struct attr_list l = { 0 };
	struct buf w;
	struct feed f;
	const char *error = NULL;

	(void)state;
	memset(value, 'v', sizeof(value));
	buf_init(&w, WIRE_MAX);
	/* Exactly at the cap: accepted. */
	wire_attr(&w, "big", value, ATTR_MAX_LEN);
	wire_str(&w, "", 0);
	feed_open(&f, w.data, w.len);
	assert_int_equal(attr_recv(f.s, &l, &error), 1);
	assert_int_equal(l.a[0].vlen, ATTR_MAX_LEN);
	assert_int_equal(l.a[0].value[ATTR_MAX_LEN], 0);
	feed_close(&f);
	/* One byte over: refused. */
	buf_reset(&w);
	wire_attr(&w, "big", value, ATTR_MAX_LEN + 1);
	wire_str(&w, "", 0);
	feed_open(&f, w.data, w.len);
	assert_int_equal(attr_recv(f.s, &l, &error), -1);
	assert_string_equal(error, "attribute too long");
	assert_int_equal(l.n, 0);
	feed_close(&f);
	attr_list_clear(&l);
	buf_deinit(&w);
}

static void
test_count_limit(void **state)
{
	struct attr_list l = { 0 };
	struct buf w;
	size_t n;

	(void)state;
	buf_init(&w, WIRE_MAX);
	for (n = ATTR_MAX_COUNT; n <= ATTR_MAX_COUNT + 1; n++) {
		struct feed f;
		const char *error = NULL;
		size_t i;

		buf_reset(&w);
		for (i = 0; i < n; i++)
			wire_attr(&w, "r", "x", 1);
		wire_str(&w, "", 0);
		feed_open(&f, w.data, w.len);
		if (n == ATTR_MAX_COUNT) {
			assert_int_equal(attr_recv(f.s, &l, &error), 1);
			assert_int_equal(l.n, ATTR_MAX_COUNT);
		} else {
			assert_int_equal(attr_recv(f.s, &l, &error), -1);
			assert_string_equal(error, "too many attributes");
			assert_int_equal(l.n, 0);
		}
		feed_close(&f);
	}
	attr_list_clear(&l);
	buf_deinit(&w);
}

static void
test_timeout(void **state)
{
	struct attr_list l = { 0 };
	struct feed f;
	const char *error = NULL;
	int sv[2];

	(void)state;
	/* A peer that stays connected but sends only half a message. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
	write_all(sv[1], "\x00\x00\x00\x01n", 5);
	f.s = stream_create(sv[0], 0);
	f.pid = -1;
	stream_set_deadline(f.s, time(NULL) - 1);
	assert_int_equal(attr_recv(f.s, &l, &error), -1);
	assert_string_equal(error, "timeout");
	feed_close(&f);
	close(sv[1]);
	attr_list_clear(&l);
}

static void
test_get_long(void **state)
{
	static const struct {
		const char *value;
		size_t vlen;
		int ret;
		long v;
	} cases[] = {
#define V(s) s, sizeof(s) - 1
		{ V("0"), 0, 0 },
		{ V("42"), 0, 42 },
		{ V("-7"), 0, -7 },
		{ V("1700000000"), 0, 1700000000L },
		{ V("9223372036854775807"), 0, LONG_MAX },
		{ V("-9223372036854775808"), 0, LONG_MIN },
		{ V("9223372036854775808"), -1, 0 },
		{ V("-9223372036854775809"), -1, 0 },
		{ V(""), -1, 0 },
		{ V("abc"), -1, 0 },
		{ V("12x"), -1, 0 },
		{ V("0x10"), -1, 0 },
		{ V("1.5"), -1, 0 },
		{ V("-"), -1, 0 },
		{ V(" 1"), -1, 0 },
		{ V("\t1"), -1, 0 },
		{ V("+1"), -1, 0 },
		{ V("1 "), -1, 0 },
		{ V("1\n"), -1, 0 },
#undef V
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct attr_list l = { 0 };
		struct buf w;
		struct feed f;
		const char *error = NULL;
		long v = 12345;
		int ret;

		buf_init(&w, 1024);
		wire_attr(&w, "n", cases[i].value, cases[i].vlen);
		wire_str(&w, "", 0);
		feed_open(&f, w.data, w.len);
		assert_int_equal(attr_recv(f.s, &l, &error), 1);
		ret = attr_get_long(&l, "n", &v);
		if (ret != cases[i].ret)
			fail_msg("\"%s\": got %d, want %d", cases[i].value, ret,
			    cases[i].ret);
		if (ret == 0)
			assert_true(v == cases[i].v);
		else
			assert_int_equal(v, 12345);
		assert_int_equal(attr_get_long(&l, "missing", &v), -1);
		attr_list_clear(&l);
		feed_close(&f);
		buf_deinit(&w);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_put),
		cmocka_unit_test(test_values_with_nul),
		cmocka_unit_test(test_truncation_every_byte),
		cmocka_unit_test(test_bad_messages),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_count_limit),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_get_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
