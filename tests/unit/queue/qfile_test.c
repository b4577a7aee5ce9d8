/* SPDX-License-Identifier: MIT */
/* qfile_test - queue file round trips, validation, mark done, directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "queue/qfile.h"
#include "queue/rec.h"
#include "util/buf.h"
#include "util/mem.h"

static char qdir[64];

static int
setup(void **state)
{
	const char *err;

	snprintf(qdir, sizeof(qdir), "/tmp/qfile_testXXXXXX");
	if (mkdtemp(qdir) == NULL)
		return -1;
	/* Below the temp dir, so mkdir -p has a parent to make. */
	if (strlen(qdir) + 6 >= sizeof(qdir))
		return -1;
	memcpy(qdir + strlen(qdir), "/q/sp", 6);
	return qfile_dirs_create(qdir, &err);
}

static void
rm_rf(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fail_msg("cannot remove %s", path);
}

static int
teardown(void **state)
{
	char top[64];

	snprintf(top, sizeof(top), "%s", qdir);
	*strstr(top, "/q/sp") = 0;
	rm_rf(top);
	return 0;
}

/* Number of entries in <qdir>/<sub>. */
static int
count_entries(const char *sub)
{
	char path[128];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", qdir, sub);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
qpath(char *out, size_t size, const char *sub, const char *id)
{
	int n = snprintf(out, size, "%s/%s/%s", qdir, sub, id);

	assert_true(n > 0 && (size_t)n < size);
}

/* Content that exercises the chunking and byte-exactness. */
static char *
make_content(size_t *n_r)
{
	struct buf b;
	size_t i;
	char *s;

	buf_init(&b, 1024 * 1024);
	buf_puts(&b, "Subject: test\n\n.\n..\nline with CR\r\nnul:");
	buf_append(&b, "\0\0x\n", 4);
	for (i = 0; i < 150000; i++)
		buf_putc(&b, 'a' + (int)(i % 26));
	buf_puts(&b, "\n.\nE\x01R\x02\n");
	*n_r = b.len;
	s = buf_steal(&b);
	buf_deinit(&b);
	return s;
}

static struct qfile_writer *
write_basic(const char *sender, const char *content, size_t n, int commit)
{
	struct qfile_writer *w;
	struct timeval tv = { .tv_sec = 1700000000, .tv_usec = 123456 };
	const char *err;
	size_t off;

	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(qfile_put_time(w, tv), 0);
	assert_int_equal(qfile_put_sender(w, sender), 0);
	assert_int_equal(qfile_put_attr(w, "client_name", "client.example"), 0);
	assert_int_equal(qfile_put_attr(w, "client_addr", "192.0.2.1"), 0);
	assert_int_equal(qfile_put_rcpt(w, "b@example.net", "B@example.net"),
	    0);
	assert_int_equal(qfile_put_rcpt(w, "c@example.net", NULL), 0);
	/* Odd piece sizes, so records and pieces do not line up. */
	for (off = 0; off < n; off += 7777)
		assert_int_equal(qfile_put_content(w, content + off,
				     n - off < 7777 ? n - off : 7777),
		    0);
	assert_int_equal(qfile_writer_size(w), (off_t)n);
	assert_null(qfile_writer_error(w));
	if (commit) {
		assert_int_equal(qfile_commit(w, &err), 0);
	}
	return w;
}

static void
check_content_fd(int fd, const char *content, size_t n)
{
	struct qfile_content *c;
	const char *err, *p;
	size_t got = 0, len;
	int ret;

	assert_int_equal(qfile_content_open(fd, &c, &err), 0);
	while ((ret = qfile_content_read(c, &p, &len, &err)) == 1) {
		assert_true(got + len <= n);
		assert_memory_equal(p, content + got, len);
		got += len;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(got, n);
	assert_int_equal(qfile_content_read(c, &p, &len, &err), 0);
	qfile_content_close(&c);
	assert_null(c);
}

static void
test_dirs(void **state)
{
	static const struct {
		const char *name;
		mode_t mode;
	} want[] = {
		{ "incoming", 0700 },
		{ "active", 0700 },
		{ "deferred", 0700 },
		{ "hold", 0700 },
		{ "corrupt", 0700 },
		{ "maildrop", 01730 },
		{ "private", 0700 },
		{ "public", 0710 },
		{ "pid", 0700 },
		{ "defer", 0700 },
	};
	char path[128];
	struct stat st;
	const char *err;
	size_t i;
	mode_t old = umask(077);

	/* Idempotent. */
	assert_int_equal(qfile_dirs_create(qdir, &err), 0);
	umask(old);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", qdir, want[i].name);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 07777, want[i].mode);
	}
	/* A file in the way is an error. */
	snprintf(path, sizeof(path), "%s/x", qdir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(qfile_dirs_create(path, &err), -1);
	unlink(path);
}

static void
test_round_trip(void **state)
{
	struct qfile_writer *w;
	struct qfile *q;
	char path[128];
	const char *err;
	size_t n;
	char *content = make_content(&n);

	w = write_basic("a@example.org", content, n, 1);
	assert_int_equal(qfile_is_id(qfile_writer_id(w)), 1);
	assert_int_equal(count_entries("incoming"), 1);
	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	assert_int_equal(qfile_open(path, 0, &q, &err), 0);
	assert_string_equal(q->id, qfile_writer_id(w));
	assert_int_equal(q->arrival.tv_sec, 1700000000);
	assert_int_equal(q->arrival.tv_usec, 123456);
	assert_string_equal(q->sender, "a@example.org");
	assert_string_equal(qfile_attr(q, "client_name"), "client.example");
	assert_string_equal(qfile_attr(q, "client_addr"), "192.0.2.1");
	assert_null(qfile_attr(q, "helo"));
	assert_int_equal(q->nrcpt, 2);
	assert_string_equal(q->rcpt[0].addr, "b@example.net");
	assert_string_equal(q->rcpt[0].orig, "B@example.net");
	assert_string_equal(q->rcpt[1].addr, "c@example.net");
	assert_string_equal(q->rcpt[1].orig, "");
	assert_int_equal(q->rcpt[0].done, 0);
	assert_int_equal(q->content_size, (off_t)n);
	/* The iterator ignores the caller's file offset. */
	lseek(q->fd, 17, SEEK_SET);
	check_content_fd(q->fd, content, n);
	assert_int_equal(lseek(q->fd, 0, SEEK_CUR), 17);
	qfile_close(&q);
	assert_null(q);
	qfile_writer_destroy(&w);
	/* After commit, destroying the writer keeps the file. */
	assert_int_equal(count_entries("incoming"), 1);
	unlink(path);
	xfree(content);
}

static void
test_null_sender_empty_content(void **state)
{
	struct qfile_writer *w = write_basic("", "", 0, 1);
	struct qfile *q;
	char path[128];
	const char *err;

	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	assert_int_equal(qfile_open(path, 0, &q, &err), 0);
	assert_string_equal(q->sender, "");
	assert_int_equal(q->content_size, 0);
	check_content_fd(q->fd, "", 0);
	qfile_close(&q);
	qfile_writer_destroy(&w);
	unlink(path);
}

static void
test_mark_done(void **state)
{
	struct qfile_writer *w = write_basic("a@x", "hi\n", 3, 1);
	struct qfile *q;
	char path[128];
	const char *err;

	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	qfile_writer_destroy(&w);
	assert_int_equal(qfile_open(path, 0, &q, &err), 0);
	assert_int_equal(qfile_mark_done(q, 0, &err), -1); /* read-only */
	qfile_close(&q);
	assert_int_equal(qfile_open(path, 1, &q, &err), 0);
	assert_int_equal(qfile_mark_done(q, 2, &err), -1); /* range */
	assert_int_equal(qfile_mark_done(q, 1, &err), 0);
	assert_int_equal(qfile_mark_done(q, 1, &err), 0); /* again */
	qfile_close(&q);
	assert_int_equal(qfile_open(path, 1, &q, &err), 0);
	assert_int_equal(q->rcpt[0].done, 0);
	assert_int_equal(q->rcpt[1].done, 1);
	assert_string_equal(q->rcpt[1].addr, "c@example.net");
	check_content_fd(q->fd, "hi\n", 3);
	qfile_close(&q);
	unlink(path);
}

static void
test_mark_done_lazy_then_sync(void **state)
{
	struct qfile_writer *w = write_basic("a@x", "hi\n", 3, 1);
	struct qfile *q;
	char path[128];
	const char *err;

	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	qfile_writer_destroy(&w);
	assert_int_equal(qfile_open(path, 0, &q, &err), 0);
	assert_int_equal(qfile_mark_done_lazy(q, 0, &err), -1); /* read-only */
	qfile_close(&q);
	assert_int_equal(qfile_open(path, 1, &q, &err), 0);
	assert_int_equal(qfile_mark_done_lazy(q, 5, &err), -1); /* range */
	assert_int_equal(qfile_mark_done_lazy(q, 0, &err), 0);
	assert_int_equal(q->rcpt[0].done, 1);
	assert_int_equal(qfile_sync(q, &err), 0);
	qfile_close(&q);
	assert_int_equal(qfile_open(path, 1, &q, &err), 0);
	assert_int_equal(q->rcpt[0].done, 1);
	assert_int_equal(q->rcpt[1].done, 0);
	qfile_close(&q);
	unlink(path);
}

/* DSN parameters per recipient and the delay warning flag, written by
 * smtpd and read back by qmgr; the flag is set in place. */
static void
test_dsn_and_warn(void **state)
{
	struct qfile_writer *w;
	struct qfile *q;
	struct timeval tv = { .tv_sec = 1700000000, .tv_usec = 0 };
	char path[128];
	const char *err;

	(void)state;
	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(qfile_put_time(w, tv), 0);
	assert_int_equal(qfile_put_sender(w, "a@x"), 0);
	assert_int_equal(qfile_put_warn(w), 0);
	assert_int_equal(qfile_put_rcpt_dsn(w, "b@example.net", "list@x", 5,
			     "rfc822;list@x"),
	    0);
	assert_int_equal(qfile_put_rcpt_dsn(w, "c@example.net", NULL, 0, NULL),
	    0);
	assert_int_equal(qfile_put_rcpt_dsn(w, "d@example.net", NULL, 8, ""),
	    0);
	assert_int_equal(qfile_put_content(w, "hi\n", 3), 0);
	assert_int_equal(qfile_commit(w, &err), 0);
	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	qfile_writer_destroy(&w);

	assert_int_equal(qfile_open(path, 0, &q, &err), 0);
	assert_int_equal(q->nrcpt, 3);
	assert_int_equal(q->rcpt[0].notify, 5);
	assert_string_equal(q->rcpt[0].orcpt, "rfc822;list@x");
	assert_int_equal(q->rcpt[1].notify, 0);
	assert_string_equal(q->rcpt[1].orcpt, "");
	assert_int_equal(q->rcpt[2].notify, 8);
	assert_int_equal(q->warned, 0);
	assert_true(q->warn_offset > 0);
	assert_int_equal(qfile_mark_warned(q, &err), -1); /* read-only */
	qfile_close(&q);
	assert_int_equal(qfile_open(path, 1, &q, &err), 0);
	assert_int_equal(qfile_mark_done(q, 0, &err), 0);
	assert_int_equal(qfile_mark_warned(q, &err), 0);
	assert_int_equal(qfile_mark_warned(q, &err), 0); /* again */
	qfile_close(&q);
	assert_int_equal(qfile_open(path, 0, &q, &err), 0);
	assert_int_equal(q->warned, 1);
	assert_int_equal(q->rcpt[0].done, 1);
	assert_int_equal(q->rcpt[0].notify, 5);
	check_content_fd(q->fd, "hi\n", 3);
	qfile_close(&q);
	unlink(path);

	/* A file without the record (written before it existed). */
	w = write_basic("a@x", "hi\n", 3, 1);
	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	qfile_writer_destroy(&w);
	assert_int_equal(qfile_open(path, 1, &q, &err), 0);
	assert_int_equal(q->warn_offset, -1);
	assert_int_equal(qfile_mark_warned(q, &err), -1);
	qfile_close(&q);
	unlink(path);
}

static void
test_abort_leaves_nothing(void **state)
{
	struct qfile_writer *w;
	const char *err;

	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(count_entries("incoming"), 1);
	qfile_abort(&w);
	assert_null(w);
	assert_int_equal(count_entries("incoming"), 0);

	w = write_basic("a@x", "data\n", 5, 0);
	qfile_abort(&w);
	assert_int_equal(count_entries("incoming"), 0);
	qfile_abort(&w); /* NULL is fine */
}

static void
test_writer_errors(void **state)
{
	struct qfile_writer *w;
	struct timeval tv = { 1, 0 }, bad = { 1, 1000000 };
	const char *err;

	/* Envelope after content; the error is sticky. */
	w = write_basic("a@x", "data\n", 5, 0);
	assert_int_equal(qfile_put_rcpt(w, "late@x", NULL), -1);
	assert_non_null(qfile_writer_error(w));
	assert_int_equal(qfile_put_content(w, "x", 1), -1);
	assert_int_equal(qfile_commit(w, &err), -1);
	qfile_abort(&w);

	/* Missing recipients, twice-given fields, bad names. */
	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(qfile_put_time(w, bad), -1);
	qfile_abort(&w);
	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(qfile_put_time(w, tv), 0);
	assert_int_equal(qfile_put_time(w, tv), -1);
	qfile_abort(&w);
	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(qfile_put_attr(w, "a=b", "c"), -1);
	qfile_abort(&w);
	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(qfile_put_time(w, tv), 0);
	assert_int_equal(qfile_put_sender(w, "s@x"), 0);
	assert_int_equal(qfile_commit(w, &err), -1);
	assert_non_null(strstr(err, "recipients"));
	qfile_abort(&w);
	assert_int_equal(count_entries("incoming"), 0);

	/* A committed writer refuses more. */
	w = write_basic("a@x", "", 0, 1);
	assert_int_equal(qfile_put_content(w, "x", 1), -1);
	qfile_writer_destroy(&w);
	assert_int_equal(count_entries("incoming"), 1);
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -f %s/incoming/*", qdir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(qfile_create("/nonexistent/q", &w, &err), -1);
	assert_non_null(err);
}

struct rec_spec {
	int type;
	const char *data;
	size_t len;
};

#define R(t, s)                     \
	{                           \
		t, s, sizeof(s) - 1 \
	}
#define TIME_REC R(REC_TYPE_TIME, "\0\0\0\0\x65\x53\xf1\x00\0\0\0\x01")
#define VER_REC R(REC_TYPE_VERSION, "tern-queue 1.0")
#define FROM_REC R(REC_TYPE_FROM, "a@x")
#define RCPT_REC         \
	R(REC_TYPE_RCPT, \
	    "\x03"       \
	    "b@xB@X")
#define CONT_REC R(REC_TYPE_CONT, "hello\n")
#define END_REC R(REC_TYPE_END, "")

static void
craft(const char *path, const struct rec_spec *recs)
{
	struct rec_writer *w;
	const char *err;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	w = rec_writer_create(fd, 0);
	for (; recs->type != 0; recs++)
		assert_int_equal(rec_put(w, recs->type, recs->data, recs->len,
				     &err),
		    0);
	assert_int_equal(rec_flush(w, &err), 0);
	rec_writer_destroy(&w);
	close(fd);
}

/* Only what the file holds makes it corrupt: a failure to open or read
 * it (out of descriptors, gone, an I/O error) is temporary, so that qmgr
 * leaves an accepted message alone instead of setting it aside. */
static void
test_open_failure_kinds(void **state)
{
	struct qfile_writer *w = write_basic("a@b", "x\n", 2, 1);
	struct rlimit rl, low;
	struct qfile *q;
	char path[128], other[128];
	const char *err;
	int fd, ret;

	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	qpath(other, sizeof(other), "active", "NOSUCH1");
	assert_int_equal(qfile_open(other, 1, &q, &err), QFILE_TEMPFAIL);
	assert_non_null(strstr(err, "No such file"));
	/* A symbolic link or a directory never came from a writer. */
	assert_int_equal(symlink(path, other), 0);
	assert_int_equal(qfile_open(other, 1, &q, &err), QFILE_CORRUPT);
	unlink(other);
	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(qfile_open(other, 1, &q, &err), QFILE_CORRUPT);
	assert_int_equal(qfile_open(other, 0, &q, &err), QFILE_CORRUPT);
	rmdir(other);
	/* No descriptor left: EMFILE, temporary. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	fd = dup(0);
	assert_true(fd >= 0);
	close(fd);
	low = rl;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	ret = qfile_open(path, 1, &q, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(ret, QFILE_TEMPFAIL);
	assert_non_null(strstr(err, strerror(EMFILE)));
	/* The same file opens fine once descriptors are back. */
	assert_int_equal(qfile_open(path, 1, &q, &err), 0);
	qfile_close(&q);
	qfile_writer_destroy(&w);
	unlink(path);
}

static void
test_validation(void **state)
{
	static const struct {
		struct rec_spec recs[10];
		int ok;
		const char *why;
	} cases[] = {
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC, CONT_REC, END_REC },
		    1, "good" },
		{ { R(REC_TYPE_VERSION, "tern-queue 1.9"), TIME_REC, FROM_REC,
		      RCPT_REC, END_REC },
		    1, "newer minor" },
		{ { VER_REC, R('x', "ext"), TIME_REC, FROM_REC, RCPT_REC,
		      CONT_REC, R('y', ""), CONT_REC, END_REC },
		    1, "extension" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC, CONT_REC }, 0,
		    "no end record" },
		{ { R(REC_TYPE_VERSION, "tern-queue 2.0"), TIME_REC, FROM_REC,
		      RCPT_REC, END_REC },
		    0, "major 2" },
		{ { R(REC_TYPE_VERSION, "tern-queue 1"), TIME_REC, FROM_REC,
		      RCPT_REC, END_REC },
		    0, "bad version" },
		{ { R(REC_TYPE_VERSION, "postfix 1.0"), TIME_REC, FROM_REC,
		      RCPT_REC, END_REC },
		    0, "bad magic" },
		{ { TIME_REC, VER_REC, FROM_REC, RCPT_REC, END_REC }, 0,
		    "version not first" },
		{ { VER_REC, FROM_REC, RCPT_REC, END_REC }, 0, "no time" },
		{ { VER_REC, TIME_REC, RCPT_REC, END_REC }, 0, "no sender" },
		{ { VER_REC, TIME_REC, FROM_REC, END_REC }, 0, "no rcpt" },
		{ { VER_REC, TIME_REC, FROM_REC, FROM_REC, RCPT_REC, END_REC },
		    0, "two senders" },
		{ { VER_REC, TIME_REC, FROM_REC, CONT_REC, RCPT_REC, END_REC },
		    0, "rcpt after content" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC, END_REC, CONT_REC },
		    0, "data after end" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC, R('Q', ""),
		      END_REC },
		    0, "unknown type" },
		{ { VER_REC, TIME_REC, R(REC_TYPE_FROM, "a\0b"), RCPT_REC,
		      END_REC },
		    0, "NUL in sender" },
		{ { VER_REC, TIME_REC, FROM_REC,
		      R(REC_TYPE_RCPT,
			  "\x09"
			  "ab"),
		      END_REC },
		    0, "rcpt field too long" },
		{ { VER_REC, TIME_REC, FROM_REC, R(REC_TYPE_RCPT, ""),
		      END_REC },
		    0, "empty rcpt record" },
		{ { VER_REC, R(REC_TYPE_TIME, "\0\0\0\0\0\0\0\0\0\x0f\x42\x40"),
		      FROM_REC, RCPT_REC, END_REC },
		    0, "usec too big" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC,
		      R(REC_TYPE_ATTR,
			  "\x00"
			  "v"),
		      END_REC },
		    0, "empty name" },
		{ { VER_REC, TIME_REC, FROM_REC,
		      R(REC_TYPE_DSN,
			  "\x01"
			  "3rfc822;a@b"),
		      RCPT_REC, R(REC_TYPE_WARN, "0"), END_REC },
		    1, "dsn and warn records" },
		{ { VER_REC, TIME_REC, FROM_REC,
		      R(REC_TYPE_DSN,
			  "\x01"
			  "3"),
		      FROM_REC, RCPT_REC, END_REC },
		    0, "dsn record not before a recipient" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC,
		      R(REC_TYPE_DSN,
			  "\x01"
			  "3"),
		      END_REC },
		    0, "dsn record last" },
		{ { VER_REC, TIME_REC, FROM_REC,
		      R(REC_TYPE_DSN,
			  "\x02"
			  "12"),
		      RCPT_REC, END_REC },
		    0, "NEVER with another bit" },
		{ { VER_REC, TIME_REC, FROM_REC,
		      R(REC_TYPE_DSN,
			  "\x01"
			  "1nosemicolon"),
		      RCPT_REC, END_REC },
		    0, "orcpt without a type" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC,
		      R(REC_TYPE_WARN, "0"), R(REC_TYPE_WARN, "1"), END_REC },
		    0, "two warn records" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC,
		      R(REC_TYPE_WARN, "2"), END_REC },
		    0, "bad warn value" },
		{ { VER_REC, TIME_REC, FROM_REC, RCPT_REC, CONT_REC,
		      R(REC_TYPE_WARN, "0"), END_REC },
		    0, "warn in the content" },
	};
	char path[128];
	struct qfile *q;
	const char *err;
	size_t i;
	int ret;

	qpath(path, sizeof(path), "active", "ABCDE1");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		craft(path, cases[i].recs);
		ret = qfile_open(path, 0, &q, &err);
		if (ret != (cases[i].ok ? 0 : -1))
			fail_msg("case %zu (%s): %d %s", i, cases[i].why, ret,
			    ret < 0 ? err : "");
		if (ret == 0)
			qfile_close(&q);
	}
	/* The content iterator also wants the end record. */
	{
		static const struct rec_spec noend[] = {
			VER_REC,
			TIME_REC,
			FROM_REC,
			RCPT_REC,
			CONT_REC,
			{ 0 },
		};
		struct qfile_content *c;
		const char *p;
		size_t n;
		int fd;

		craft(path, noend);
		fd = open(path, O_RDONLY);
		assert_int_equal(qfile_content_open(fd, &c, &err), 0);
		close(fd); /* the iterator has its own dup */
		assert_int_equal(qfile_content_read(c, &p, &n, &err), 1);
		assert_memory_equal(p, "hello\n", 6);
		assert_int_equal(qfile_content_read(c, &p, &n, &err), -1);
		qfile_content_close(&c);
	}
	unlink(path);
}

/* A committed file cut at every byte is always refused. */
static void
test_truncated_every_split(void **state)
{
	struct qfile_writer *w = write_basic("a@x", "x\n.\ny\n", 6, 1);
	char path[128], cut_path[128], *all;
	struct qfile *q;
	struct stat st;
	const char *err;
	off_t cut;
	int fd;

	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	qpath(cut_path, sizeof(cut_path), "corrupt", "ABCDE2");
	qfile_writer_destroy(&w);
	assert_int_equal(stat(path, &st), 0);
	all = xmalloc((size_t)st.st_size);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, all, (size_t)st.st_size), st.st_size);
	close(fd);
	for (cut = 0; cut <= st.st_size; cut++) {
		fd = open(cut_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_int_equal(write(fd, all, (size_t)cut), cut);
		close(fd);
		if (qfile_open(cut_path, 0, &q, &err) == 0) {
			assert_int_equal(cut, st.st_size);
			qfile_close(&q);
		} else {
			assert_true(cut < st.st_size);
		}
	}
	unlink(cut_path);
	unlink(path);
	xfree(all);
}

/* Values full of bytes that look like records cannot forge records. */
static void
test_forgery(void **state)
{
	static const char evil_sender[] = "a@x\nR\x05"
					  "e@vilE\x01";
	static const char evil_value[] = "\x01R\x0d"
					 "\x05"
					 "evil@x"
					 "\nE";
	struct timeval tv = { 5, 6 };
	struct qfile_writer *w;
	struct qfile *q;
	char path[128];
	const char *err;

	assert_int_equal(qfile_create(qdir, &w, &err), 0);
	assert_int_equal(qfile_put_time(w, tv), 0);
	assert_int_equal(qfile_put_sender(w, evil_sender), 0);
	assert_int_equal(qfile_put_attr(w, "helo", evil_value), 0);
	assert_int_equal(qfile_put_attr(w, "x\nR", evil_value), 0);
	assert_int_equal(qfile_put_rcpt(w, evil_value, evil_sender), 0);
	assert_int_equal(qfile_put_content(w, "E\0", 2), 0);
	assert_int_equal(qfile_commit(w, &err), 0);
	qpath(path, sizeof(path), "incoming", qfile_writer_id(w));
	qfile_writer_destroy(&w);
	assert_int_equal(qfile_open(path, 0, &q, &err), 0);
	assert_string_equal(q->sender, evil_sender);
	assert_int_equal(q->nattr, 2);
	assert_string_equal(qfile_attr(q, "helo"), evil_value);
	assert_string_equal(qfile_attr(q, "x\nR"), evil_value);
	assert_int_equal(q->nrcpt, 1);
	assert_string_equal(q->rcpt[0].addr, evil_value);
	assert_string_equal(q->rcpt[0].orig, evil_sender);
	assert_int_equal(q->content_size, 2);
	check_content_fd(q->fd, "E\0", 2);
	qfile_close(&q);
	unlink(path);
}

static void
test_move_and_names(void **state)
{
	struct qfile_writer *w = write_basic("a@x", "m\n", 2, 1);
	char id[64], path[128];
	struct stat st;
	const char *err;

	snprintf(id, sizeof(id), "%s", qfile_writer_id(w));
	qfile_writer_destroy(&w);
	assert_int_equal(qfile_move(qdir, id, "incoming", "active", &err), 0);
	qpath(path, sizeof(path), "active", id);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(qfile_move(qdir, id, "incoming", "active", &err), -1);
	assert_int_equal(qfile_move(qdir, "../x", "active", "hold", &err), -1);
	assert_int_equal(qfile_move(qdir, id, "active", "..", &err), -1);
	assert_int_equal(qfile_move(qdir, id, "active", "deferred", &err), 0);
	assert_int_equal(count_entries("active"), 0);
	assert_int_equal(count_entries("deferred"), 1);
	qpath(path, sizeof(path), "deferred", id);
	unlink(path);

	assert_int_equal(qfile_is_id("3F2A1C0B7"), 1);
	assert_int_equal(qfile_is_id("t123.1700000000.000001.0"), 0);
	assert_int_equal(qfile_is_temp("t123.1700000000.000001.0"), 1);
	assert_int_equal(qfile_is_temp("3F2A1C0B7"), 0);
	assert_int_equal(qfile_is_temp("t"), 0);
	assert_int_equal(qfile_is_temp("t1/x"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirs),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_null_sender_empty_content),
		cmocka_unit_test(test_mark_done),
		cmocka_unit_test(test_mark_done_lazy_then_sync),
		cmocka_unit_test(test_dsn_and_warn),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_open_failure_kinds),
		cmocka_unit_test(test_truncated_every_split),
		cmocka_unit_test(test_forgery),
		cmocka_unit_test(test_move_and_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
