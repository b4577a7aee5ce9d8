/* SPDX-License-Identifier: MIT */
/* maildrop_test - the maildrop file: round trip, every cut, forgery, limits,
 * names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "queue/maildrop.h"
#include "queue/rec.h"
#include "util/buf.h"
#include "util/mem.h"

static const struct maildrop_limits limits = { 100, 1024 * 1024 };

static int
mem_fd(void)
{
	int fd = memfd_create("maildrop_test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* A good file on a new fd; its size in *size_r. */
static int
good_file(off_t *size_r, const char *content)
{
	int fd = mem_fd();
	struct maildrop_writer *w = maildrop_writer_create(fd);
	const char *error;

	assert_int_equal(maildrop_put_sender(w, "alice", &error), 0);
	assert_int_equal(maildrop_put_attr(w, "fullname", "Alice A", &error),
	    0);
	assert_int_equal(maildrop_put_attr(w, "dsn_notify", "6", &error), 0);
	assert_int_equal(maildrop_put_attr(w, "dsn_ret", "hdrs", &error), 0);
	assert_int_equal(maildrop_put_attr(w, "dsn_envid", "E1", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "bob@example.test", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "carol", &error), 0);
	assert_int_equal(maildrop_put_content(w, content, strlen(content),
			     &error),
	    0);
	assert_int_equal(maildrop_finish(w, &error), 0);
	maildrop_writer_destroy(&w);
	*size_r = lseek(fd, 0, SEEK_END);
	return fd;
}

static off_t
file_size(int fd)
{
	char b[4096];
	off_t n = 0;
	ssize_t r;

	while ((r = pread(fd, b, sizeof(b), n)) > 0)
		n += r;
	return n;
}

static void
test_round_trip(void **state)
{
	const char *content = "Subject: hi\n\nbody\n";
	struct maildrop_content *c = NULL;
	struct maildrop *md;
	const char *error, *p;
	struct buf all;
	size_t n;
	off_t size;
	int fd;

	(void)state;
	fd = good_file(&size, content);
	assert_int_equal(maildrop_open(fd, &limits, &md, &error), 0);
	assert_string_equal(md->sender, "alice");
	assert_string_equal(md->fullname, "Alice A");
	assert_int_equal(md->notify, 6);
	assert_int_equal(md->ret, 2);
	assert_string_equal(md->envid, "E1");
	assert_int_equal(md->nrcpt, 2);
	assert_string_equal(md->rcpt[0], "bob@example.test");
	assert_string_equal(md->rcpt[1], "carol");
	assert_int_equal(md->content_size, (off_t)strlen(content));
	buf_init(&all, 1024);
	while (maildrop_content_read(md, &c, &p, &n, &error) == 1)
		buf_append(&all, p, n);
	assert_string_equal(all.data, content);
	maildrop_content_end(&c);
	buf_deinit(&all);
	maildrop_close(&md);
	close(fd);
}

/* A file cut at any byte is refused as corrupt, never read past. */
static void
test_every_cut(void **state)
{
	struct maildrop *md;
	const char *error;
	off_t size, cut;
	int fd;

	(void)state;
	fd = good_file(&size, "Subject: x\n\ny\n");
	size = file_size(fd);
	for (cut = 0; cut < size; cut++) {
		assert_int_equal(ftruncate(fd, cut), 0);
		assert_int_equal(maildrop_open(fd, &limits, &md, &error),
		    MAILDROP_CORRUPT);
		close(fd);
		fd = good_file(&size, "Subject: x\n\ny\n");
	}
	close(fd);
}

/* Raw records: what a hostile user could write with their own program. */
static int
raw_file(const int *types, const char *const *data, size_t n)
{
	int fd = mem_fd();
	struct rec_writer *w = rec_writer_create(fd, 0);
	const char *error;
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(rec_put(w, types[i], data[i], strlen(data[i]),
				     &error),
		    0);
	assert_int_equal(rec_flush(w, &error), 0);
	rec_writer_destroy(&w);
	return fd;
}

static void
expect_corrupt(const int *types, const char *const *data, size_t n,
    const char *why)
{
	struct maildrop *md = NULL;
	const char *error;
	int fd = raw_file(types, data, n);

	assert_int_equal(maildrop_open(fd, &limits, &md, &error),
	    MAILDROP_CORRUPT);
	assert_non_null(strstr(error, why));
	assert_null(md);
	close(fd);
}

#define V REC_TYPE_VERSION
#define S REC_TYPE_FROM
#define R REC_TYPE_RCPT
#define C REC_TYPE_CONT
#define E REC_TYPE_END
#define A REC_TYPE_ATTR

static void
test_forgery(void **state)
{
	const char *ver = MAILDROP_VERSION;
	(void)state;
	{
		int t[] = { V, S, R, C, E };
		const char *d[] = { "tern-queue 1.0", "a", "b", "x\n", "" };
		expect_corrupt(t, d, 5, "version");
	}
	{
		int t[] = { V, S, S, R, E };
		const char *d[] = { ver, "a", "b", "c", "" };
		expect_corrupt(t, d, 5, "repeated sender");
	}
	{
		int t[] = { V, S, E };
		const char *d[] = { ver, "a", "" };
		expect_corrupt(t, d, 3, "no recipients");
	}
	{
		int t[] = { V, R, E };
		const char *d[] = { ver, "b", "" };
		expect_corrupt(t, d, 3, "no sender");
	}
	{
		int t[] = { V, S, R, C, R, E };
		const char *d[] = { ver, "a", "b", "x", "c", "" };
		expect_corrupt(t, d, 6, "after content");
	}
	{
		int t[] = { V, S, R, E, C };
		const char *d[] = { ver, "a", "b", "", "x" };
		expect_corrupt(t, d, 5, "after the end");
	}
	{
		int t[] = { V, S, R, E };
		const char *d[] = { ver, "a\nX-Evil: 1", "b", "" };
		expect_corrupt(t, d, 4, "malformed sender");
	}
	{
		int t[] = { V, S, R, E };
		const char *d[] = { ver, "a", "b\r", "" };
		expect_corrupt(t, d, 4, "malformed recipient");
	}
	{
		int t[] = { V, S, R, REC_TYPE_DSN, E };
		const char *d[] = { ver, "a", "b", "x", "" };
		expect_corrupt(t, d, 5, "unexpected record");
	}
	{
		/* An attribute we do not know: "\x05" "uid=0" names "uid=0". */
		int t[] = { V, S, A, R, E };
		const char *d[] = { ver, "a", "\x03uid0", "b", "" };
		expect_corrupt(t, d, 5, "unknown attribute");
	}
	{
		int t[] = { V, S, A, R, E };
		const char *d[] = { ver, "a",
			"\x0a"
			"dsn_notify9",
			"b", "" };
		expect_corrupt(t, d, 5, "dsn_notify");
	}
	{
		int t[] = { V, S, A, A, R, E };
		const char *d[] = { ver, "a",
			"\x08"
			"fullnameX",
			"\x08"
			"fullnameY",
			"b", "" };
		expect_corrupt(t, d, 6, "repeated attribute");
	}
	{
		int t[] = { V, S, A, R, E };
		const char *d[] = { ver, "a",
			"\x07"
			"dsn_retsome",
			"b", "" };
		expect_corrupt(t, d, 5, "dsn_ret");
	}
}

static void
test_limits(void **state)
{
	struct maildrop_limits small = { 2, 10 };
	struct maildrop_writer *w;
	struct maildrop *md;
	const char *error;
	char big[MAILDROP_MAX_FIELD + 2];
	int fd;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	fd = mem_fd();
	w = maildrop_writer_create(fd);
	assert_int_equal(maildrop_put_sender(w, big, &error), -1);
	maildrop_writer_destroy(&w);
	close(fd);

	fd = mem_fd();
	w = maildrop_writer_create(fd);
	assert_int_equal(maildrop_put_sender(w, "", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "a", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "b", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "c", &error), 0);
	assert_int_equal(maildrop_put_content(w, "0123456789ab", 12, &error),
	    0);
	assert_int_equal(maildrop_put_rcpt(w, "d", &error), -1);
	maildrop_writer_destroy(&w);
	close(fd);

	fd = mem_fd();
	w = maildrop_writer_create(fd);
	assert_int_equal(maildrop_put_sender(w, "", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "a", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "b", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "c", &error), 0);
	assert_int_equal(maildrop_finish(w, &error), 0);
	maildrop_writer_destroy(&w);
	assert_int_equal(maildrop_open(fd, &small, &md, &error),
	    MAILDROP_CORRUPT);
	assert_non_null(strstr(error, "too many recipients"));
	close(fd);

	fd = mem_fd();
	w = maildrop_writer_create(fd);
	assert_int_equal(maildrop_put_sender(w, "", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "a", &error), 0);
	assert_int_equal(maildrop_put_content(w, "0123456789ab", 12, &error),
	    0);
	assert_int_equal(maildrop_finish(w, &error), 0);
	maildrop_writer_destroy(&w);
	assert_int_equal(maildrop_open(fd, &small, &md, &error),
	    MAILDROP_CORRUPT);
	assert_non_null(strstr(error, "too large"));
	close(fd);
}

/* Content larger than one record comes back whole. */
static void
test_big_content(void **state)
{
	size_t total = 3 * MAILDROP_MAX_CONT_REC + 17, got = 0, n;
	struct maildrop_content *c = NULL;
	struct maildrop_writer *w;
	struct maildrop *md;
	const char *error, *p;
	char *text = xmalloc(total);
	int fd = mem_fd();

	(void)state;
	memset(text, 'a', total);
	w = maildrop_writer_create(fd);
	assert_int_equal(maildrop_put_sender(w, "u", &error), 0);
	assert_int_equal(maildrop_put_rcpt(w, "a", &error), 0);
	assert_int_equal(maildrop_put_content(w, text, 100, &error), 0);
	assert_int_equal(maildrop_put_content(w, text + 100, total - 100,
			     &error),
	    0);
	assert_int_equal(maildrop_finish(w, &error), 0);
	maildrop_writer_destroy(&w);
	assert_int_equal(maildrop_open(fd, &limits, &md, &error), 0);
	assert_int_equal(md->content_size, (off_t)total);
	while (maildrop_content_read(md, &c, &p, &n, &error) == 1)
		got += n;
	assert_int_equal(got, total);
	maildrop_content_end(&c);
	maildrop_close(&md);
	xfree(text);
	close(fd);
}

static void
test_names(void **state)
{
	char a[MAILDROP_NAME_MAX], b[MAILDROP_NAME_MAX];

	(void)state;
	maildrop_name(a, sizeof(a), 0);
	maildrop_name(b, sizeof(b), 1);
	assert_true(maildrop_is_name(a));
	assert_false(maildrop_is_temp(a));
	assert_true(maildrop_is_temp(b));
	assert_false(maildrop_is_name(b));
	assert_false(maildrop_is_name("."));
	assert_false(maildrop_is_name(".."));
	assert_false(maildrop_is_temp(".."));
	assert_false(maildrop_is_name("../x"));
	assert_false(maildrop_is_name("ABC"));
	assert_false(maildrop_is_name(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_forgery),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_big_content),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
