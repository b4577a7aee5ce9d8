/* SPDX-License-Identifier: MIT */
/* maildir_test - exact bytes in new/, unique names, directories, cleanup. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/maildir.h"
#include "util/buf.h"
#include "util/mem.h"

static char top[64];
static char mdir[128];

static int
setup(void **state)
{
	snprintf(top, sizeof(top), "/tmp/maildir_testXXXXXX");
	if (mkdtemp(top) == NULL)
		return -1;
	/* Two missing parents and a trailing slash. */
	snprintf(mdir, sizeof(mdir), "%s/home/u/Maildir/", top);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* Entries in <mdir>/<sub>; the first name goes to first (if not NULL). */
static int
entries(const char *sub, char *first, size_t size)
{
	char path[256];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s%s", mdir, sub);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n++ == 0 && first != NULL)
			snprintf(first, size, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

static void
check_file(const char *path, const char *want, size_t n)
{
	char *got = xmalloc(n + 1);
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(read(fd, got, n + 1), (ssize_t)n);
	assert_memory_equal(got, want, n);
	close(fd);
	xfree(got);
}

static void
test_deliver_exact_bytes(void **state)
{
	static const size_t pieces[] = { 0, 1, 5, 70000, 65536, 3, 100 };
	struct maildir_msg *m;
	struct buf *final = buf_create(PATH_MAX);
	struct stat st;
	const char *err, *base;
	char name[256], want_suffix[32], *msg;
	size_t i, off = 0, total = 0;

	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
		total += pieces[i];
	msg = xmalloc(total);
	for (i = 0; i < total; i++)
		msg[i] = (char)(i % 251); /* NUL, CR, LF included */
	assert_int_equal(maildir_open(mdir, &m, &err), 0);
	/* The directories were created, mode 0700. */
	assert_int_equal(entries("tmp", NULL, 0), 1);
	assert_int_equal(entries("cur", NULL, 0), 0);
	snprintf(name, sizeof(name), "%snew", mdir);
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		assert_int_equal(maildir_write(m, msg + off, pieces[i], &err),
		    0);
		off += pieces[i];
	}
	assert_int_equal(maildir_commit(m, final, &err), 0);
	assert_int_equal(entries("tmp", NULL, 0), 0);
	assert_int_equal(entries("new", name, sizeof(name)), 1);
	check_file(buf_cstr(final), msg, total);
	/* <sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<vsize>: msg is runs
	 * of the bytes 0..250, whose LF (10) follows 9, so every LF is bare
	 * and counts two. */
	base = strrchr(buf_cstr(final), '/') + 1;
	assert_string_equal(base, name);
	assert_non_null(strstr(buf_cstr(final), "/home/u/Maildir/new/"));
	snprintf(want_suffix, sizeof(want_suffix), ",S=%zu,W=%zu", total,
	    total + (total - 11) / 251 + 1);
	assert_string_equal(name + strlen(name) - strlen(want_suffix),
	    want_suffix);
	assert_non_null(strstr(name, ".M"));
	snprintf(want_suffix, sizeof(want_suffix), "P%ldQ", (long)getpid());
	assert_non_null(strstr(name, want_suffix));
	assert_null(strchr(name, ':'));
	unlink(buf_cstr(final));
	buf_destroy(&final);
	xfree(msg);
}

/* The wire size: a bare LF counts two, CRLF two, whatever the pieces. */
static void
test_vsize(void **state)
{
	static const struct {
		const char *pieces[4];
		off_t vsize;
	} cases[] = {
		{ { "a\nb\n" }, 6 },
		{ { "a\r\nb\r\n" }, 6 },
		{ { "\n\n\r" }, 5 },
		{ { "a\r", "\nb" }, 4 },    /* CRLF cut between writes */
		{ { "a\r", "", "\n" }, 3 }, /* and an empty write between */
		{ { "a", "\n", "\r", "\r\n" }, 6 },
		{ { "\r\r", "\n\n" }, 5 },
		{ { "", "" }, 0 },
	};
	struct maildir_msg *m;
	struct buf *final = buf_create(PATH_MAX);
	const char *err, *w;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		off_t v = 0;
		int cr = 0;

		assert_int_equal(maildir_open(mdir, &m, &err), 0);
		for (j = 0; j < 4 && cases[i].pieces[j] != NULL; j++) {
			const char *p = cases[i].pieces[j];

			assert_int_equal(maildir_write(m, p, strlen(p), &err),
			    0);
			maildir_vsize_add(p, strlen(p), &cr, &v);
		}
		assert_int_equal(v, cases[i].vsize);
		assert_int_equal(maildir_commit(m, final, &err), 0);
		assert_non_null(w = strstr(buf_cstr(final), ",W="));
		assert_int_equal(strtoll(w + 3, NULL, 10), cases[i].vsize);
		unlink(buf_cstr(final));
	}
	buf_destroy(&final);
}

static void
test_unique_names(void **state)
{
	struct maildir_msg *m[5];
	struct buf *final = buf_create(PATH_MAX);
	char names[5][256];
	const char *err;
	size_t i, j;

	for (i = 0; i < 5; i++)
		assert_int_equal(maildir_open(mdir, &m[i], &err), 0);
	assert_int_equal(entries("tmp", NULL, 0), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(maildir_write(m[i], "x\n", 2, &err), 0);
		assert_int_equal(maildir_commit(m[i], final, &err), 0);
		snprintf(names[i], sizeof(names[i]), "%s", buf_cstr(final));
		for (j = 0; j < i; j++)
			assert_string_not_equal(names[i], names[j]);
	}
	assert_int_equal(entries("tmp", NULL, 0), 0);
	assert_int_equal(entries("new", NULL, 0), 5);
	for (i = 0; i < 5; i++)
		unlink(names[i]);
	buf_destroy(&final);
}

static void
test_abort_and_failures(void **state)
{
	struct maildir_msg *m;
	struct buf *tiny = buf_create(8);
	char path[256];
	const char *err;
	int fd;

	assert_int_equal(maildir_open(mdir, &m, &err), 0);
	assert_int_equal(maildir_write(m, "abc", 3, &err), 0);
	maildir_abort(&m);
	assert_null(m);
	maildir_abort(&m);
	assert_int_equal(entries("tmp", NULL, 0), 0);
	assert_int_equal(entries("new", NULL, 0), 0);

	/* A final path that does not fit is found before linking. */
	assert_int_equal(maildir_open(mdir, &m, &err), 0);
	assert_int_equal(maildir_commit(m, tiny, &err), -1);
	assert_non_null(err);
	assert_int_equal(entries("tmp", NULL, 0), 0);
	assert_int_equal(entries("new", NULL, 0), 0);
	buf_destroy(&tiny);

	/* A file where a directory should be. */
	snprintf(path, sizeof(path), "%s/file", top);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(maildir_open(path, &m, &err), -1);
	assert_non_null(strstr(err, "not a directory"));
	snprintf(path, sizeof(path), "%s/file/Maildir", top);
	assert_int_equal(maildir_open(path, &m, &err), -1);
	assert_int_equal(maildir_open("", &m, &err), -1);
}

static void
test_host_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "mx.example.org", "mx.example.org" },
		{ "a/b:c", "a\\057b\\072c" },
		{ "::", "\\072\\072" },
		{ "", "" },
	};
	struct buf *b = buf_create(64), *small = buf_create(5);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(b);
		maildir_host_escape(cases[i].in, b);
		assert_string_equal(buf_cstr(b), cases[i].out);
	}
	maildir_host_escape("ab/cd", small); /* cut at the maximum */
	assert_string_equal(buf_cstr(small), "ab");
	buf_destroy(&b);
	buf_destroy(&small);
}

/* A new folder gets cur/, new/, tmp/ and its marker; a second call finds
 * it made and changes nothing; a folder whose parent is missing is an
 * error naming the path. */
static void
test_make_folder(void **state)
{
	char folder[256], path[300];
	const char *error = NULL;
	struct stat st;

	(void)state;
	snprintf(folder, sizeof(folder), "%s/folders", top);
	assert_int_equal(mkdir(folder, 0700), 0);
	snprintf(folder, sizeof(folder), "%s/folders/.Sent", top);
	assert_int_equal(maildir_make_folder(folder, "maildirfolder",
			     MAILDIR_SYNC_FOLDER | MAILDIR_SYNC_PARENT, &error),
	    1);
	snprintf(path, sizeof(path), "%s/cur", folder);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/tmp", folder);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/maildirfolder", folder);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(maildir_make_folder(folder, "maildirfolder",
			     MAILDIR_SYNC_FOLDER, &error),
	    0);
	assert_int_equal(stat(path, &st), -1);
	/* Without a marker, and nothing synced: still whole. */
	snprintf(folder, sizeof(folder), "%s/folders/.Drafts", top);
	assert_int_equal(maildir_make_folder(folder, NULL, 0, &error), 1);
	snprintf(path, sizeof(path), "%s/new", folder);
	assert_int_equal(stat(path, &st), 0);
	snprintf(folder, sizeof(folder), "%s/missing/.Trash", top);
	assert_int_equal(maildir_make_folder(folder, "maildirfolder",
			     MAILDIR_SYNC_FOLDER, &error),
	    -1);
	assert_non_null(strstr(error, "missing/.Trash"));
}

/* tmp/ sweeping: a file is removed only when both its mtime and its
 * ctime are before the bound (an old mtime set on purpose, as APPEND's
 * internal date, does not make a file being written stale); directories
 * and symbolic links stay. */
static void
test_sweep_tmp(void **state)
{
	char dir[256], path[300];
	const struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	const char *error = NULL;
	struct stat st;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sweep", top);
	assert_int_equal(maildir_make(dir, &error), 0);
	snprintf(path, sizeof(path), "%s/tmp/dated", dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	assert_int_equal(futimens(fd, old), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/tmp/fresh", dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/tmp/subdir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/tmp/link", dir);
	assert_int_equal(symlink("/nonexistent", path), 0);
	/* 36 hours ago: nothing is that old by its ctime. */
	assert_int_equal(maildir_sweep_tmp(dir, time(NULL) - MAILDIR_TMP_STALE),
	    0);
	snprintf(path, sizeof(path), "%s/tmp/dated", dir);
	assert_int_equal(stat(path, &st), 0);
	/* A bound past now: both files go, the rest stays. */
	assert_int_equal(maildir_sweep_tmp(dir, time(NULL) + 10), 2);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/tmp/fresh", dir);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/tmp/subdir", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/tmp/link", dir);
	assert_int_equal(lstat(path, &st), 0);
	/* No tmp/ at all: nothing to do. */
	snprintf(path, sizeof(path), "%s/none", top);
	assert_int_equal(maildir_sweep_tmp(path, time(NULL) + 10), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver_exact_bytes),
		cmocka_unit_test(test_vsize),
		cmocka_unit_test(test_unique_names),
		cmocka_unit_test(test_abort_and_failures),
		cmocka_unit_test(test_host_escape),
		cmocka_unit_test(test_make_folder),
		cmocka_unit_test(test_sweep_tmp),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
