/* SPDX-License-Identifier: MIT */
/* mbox_test - mboxrd quoting at every split, separators, size limit, abort,
 * unsafe files, both locks, and concurrent writers. */
#include <errno.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/mbox.h"
#include "util/mem.h"

#define FROM0 "Thu Jan  1 00:00:00 1970\n" /* arrival 0, TZ=UTC */

static char top[64];
static char path[128];
static char lock[160];

static int
setup(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(top, sizeof(top), "/tmp/mbox_testXXXXXX");
	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/user", top);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* Each test starts with no mailbox. */
static int
clean(void **state)
{
	unlink(path);
	unlink(lock);
	return 0;
}

/* The whole file, NUL-terminated; its length in *n. */
static char *
slurp(const char *p, size_t *n)
{
	struct stat st;
	char *s;
	int fd = open(p, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	s = xmalloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, s, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return s;
}

static void
check_file(const char *want)
{
	size_t n;
	char *got = slurp(path, &n);

	assert_int_equal(n, strlen(want));
	assert_string_equal(got, want);
	xfree(got);
}

static int
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

/* Deliver msg in the given pieces (lens, summing to strlen(msg)). */
static int
deliver(const struct mbox_opts *o, const char *sender, const char *msg,
    const size_t *lens, size_t nlens, struct mbox_error *err)
{
	struct mbox *mb;
	size_t i, off = 0;

	if (mbox_open(path, o, &mb, err) < 0)
		return -1;
	if (mbox_write_from(mb, sender, 0, err) < 0) {
		mbox_abort(&mb);
		return -1;
	}
	for (i = 0; i < nlens; i++) {
		if (mbox_write(mb, msg + off, lens[i], err) < 0) {
			mbox_abort(&mb);
			assert_null(mb);
			return -1;
		}
		off += lens[i];
	}
	return mbox_commit(mb, err);
}

static int
deliver_whole(const struct mbox_opts *o, const char *sender, const char *msg,
    struct mbox_error *err)
{
	size_t len = strlen(msg);

	return deliver(o, sender, msg, &len, 1, err);
}

/* mboxrd: /^>*From / gets one more '>', whatever the pieces; a message
 * that stops inside a held prefix keeps it; nothing else changes. */
static void
test_quoting_every_split(void **state)
{
	static const char msg[] = "From a\n>From b\n>>From c\nFro d\nFrom\n"
				  ">Fromage\nX From y\r\n\nFrom \n>>>\n"
				  "From\tz\nfrom e\n>";
	static const char want[] =
	    "From s@x " FROM0 ">From a\n>>From b\n>>>From c\nFro d\nFrom\n"
	    ">Fromage\nX From y\r\n\n>From \n>>>\nFrom\tz\nfrom e\n>\n\n";
	size_t len = strlen(msg), lens[3], i, j;
	struct mbox_error err;

	for (i = 0; i <= len; i++) {
		for (j = i; j <= len; j += 3) {
			clean(state);
			lens[0] = i;
			lens[1] = j - i;
			lens[2] = len - j;
			assert_int_equal(deliver(NULL, "s@x", msg, lens, 3,
					     &err),
			    0);
			check_file(want);
		}
	}
	/* One byte at a time. */
	{
		size_t ones[sizeof(msg)];

		for (i = 0; i < len; i++)
			ones[i] = 1;
		clean(state);
		assert_int_equal(deliver(NULL, "s@x", msg, ones, len, &err), 0);
		check_file(want);
	}
}

/* The separator line, the final newline added once, the empty line, the
 * sender made one word, "" as MAILER-DAEMON, and a fresh file's mode. */
static void
test_separators(void **state)
{
	struct mbox_error err;
	struct stat st;

	clean(state);
	assert_int_equal(deliver_whole(NULL, "a@x", "S: 1\n\nbody\n", &err), 0);
	assert_int_equal(deliver_whole(NULL, "", "S: 2\n\nno newline", &err),
	    0);
	assert_int_equal(deliver_whole(NULL, "sp ace\n@x", "", &err), 0);
	assert_int_equal(deliver_whole(NULL, NULL, "\n", &err), 0);
	check_file("From a@x " FROM0 "S: 1\n\nbody\n\n"
		   "From MAILER-DAEMON " FROM0 "S: 2\n\nno newline\n\n"
		   "From sp_ace_@x " FROM0 "\n"
		   "From MAILER-DAEMON " FROM0 "\n\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(exists(lock));
}

/* Over the limit: permanent 5.2.2, and the file is as before, whether the
 * message, or only its final newlines, do not fit. */
static void
test_size_limit(void **state)
{
	static const char first[] = "From a@x " FROM0 "one\n\n";
	struct mbox_opts o = { 0 };
	struct mbox_error err;
	size_t n = strlen(first), i;
	char *big = xmalloc(200001);

	clean(state);
	assert_int_equal(deliver_whole(NULL, "a@x", "one\n", &err), 0);
	/* Flushed in part before the limit is met: truncated back. */
	memset(big, 'x', 200000);
	for (i = 79; i < 200000; i += 80)
		big[i] = '\n';
	o.size_limit = (long)n + 150000;
	assert_int_equal(deliver_whole(&o, "b@x", big, &err), -1);
	assert_int_equal(err.temporary, 0);
	assert_string_equal(err.dsn, "5.2.2");
	assert_non_null(strstr(err.text, "full"));
	check_file(first);
	/* "From b@x <date>\n" + "two" fits, the newline it needs does not. */
	o.size_limit = (long)n + 9 + 25 + 3 + 1;
	assert_int_equal(deliver_whole(&o, "b@x", "two", &err), -1);
	assert_string_equal(err.dsn, "5.2.2");
	check_file(first);
	/* Exactly at the limit is fine. */
	o.size_limit = (long)n + 9 + 25 + 3 + 2;
	assert_int_equal(deliver_whole(&o, "b@x", "two", &err), 0);
	assert_false(exists(lock));
	xfree(big);
}

/* Abort after data went to disk: the file is cut back. */
static void
test_abort_truncates(void **state)
{
	struct mbox_error err;
	struct mbox *mb;
	struct stat st;
	char *big = xcalloc(1, 300000);

	clean(state);
	assert_int_equal(deliver_whole(NULL, "a@x", "one\n", &err), 0);
	memset(big, 'y', 300000 - 1);
	assert_int_equal(mbox_open(path, NULL, &mb, &err), 0);
	assert_true(mbox_dotlocked(mb));
	assert_true(exists(lock));
	assert_int_equal(mbox_write_from(mb, "b@x", 0, &err), 0);
	assert_int_equal(mbox_write(mb, big, 300000 - 1, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 200000); /* flushed already */
	mbox_abort(&mb);
	assert_null(mb);
	mbox_abort(&mb); /* NULL is fine */
	check_file("From a@x " FROM0 "one\n\n");
	assert_false(exists(lock));
	xfree(big);
}

static void
expect_unsafe(const char *why)
{
	struct mbox_error err;
	struct mbox *mb = NULL;

	assert_int_equal(mbox_open(path, NULL, &mb, &err), -1);
	assert_null(mb);
	assert_int_equal(err.temporary, 1);
	assert_string_equal(err.dsn, "4.2.0");
	if (strstr(err.text, why) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.text, why);
	assert_false(exists(lock)); /* our dot-lock is gone */
}

/* A symbolic link (even to a good file), a FIFO, a second hard link,
 * another owner, a directory: refused, temporarily. */
static void
test_unsafe_files(void **state)
{
	char other[160];
	int fd;

	snprintf(other, sizeof(other), "%s/other", top);
	clean(state);
	unlink(other);
	assert_true((fd = open(other, O_WRONLY | O_CREAT, 0600)) >= 0);
	close(fd);
	assert_int_equal(symlink(other, path), 0);
	expect_unsafe("symbolic link");
	clean(state);
	assert_int_equal(symlink("/nonexistent/x", path), 0);
	expect_unsafe("symbolic link");
	assert_false(exists("/nonexistent/x"));
	clean(state);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_unsafe("not a regular file");
	clean(state);
	assert_int_equal(link(other, path), 0);
	expect_unsafe("2 hard links");
	clean(state);
	assert_int_equal(mkdir(path, 0700), 0);
	expect_unsafe("not a regular file");
	rmdir(path);
	if (geteuid() == 0) {
		clean(state);
		assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
		assert_int_equal(fchown(fd, 65534, 65534), 0);
		close(fd);
		expect_unsafe("owned by uid 65534");
	}
	unlink(other);
}

/* A dot-lock untouched for longer than MBOX_DOTLOCK_STALE is broken. */
static void
test_stale_dotlock(void **state)
{
	struct timespec ts[2];
	struct mbox_error err;
	int fd;

	clean(state);
	assert_true((fd = open(lock, O_WRONLY | O_CREAT, 0644)) >= 0);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - MBOX_DOTLOCK_STALE - 60;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
	assert_int_equal(deliver_whole(NULL, "a@x", "x\n", &err), 0);
	assert_false(exists(lock));
	check_file("From a@x " FROM0 "x\n\n");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
expect_busy(void)
{
	struct mbox_opts o = { .lock_timeout = 1 };
	struct mbox_error err;
	struct mbox *mb = NULL;
	double t0 = now(), dt;

	assert_int_equal(mbox_open(path, &o, &mb, &err), -1);
	dt = now() - t0;
	assert_null(mb);
	assert_int_equal(err.temporary, 1);
	assert_string_equal(err.dsn, "4.2.0");
	assert_non_null(strstr(err.text, "busy"));
	assert_true(dt >= 0.9 && dt < 5);
}

/* A fresh dot-lock held by someone else: a temporary error once the
 * timeout has passed, and their lock is left alone. */
static void
test_held_dotlock(void **state)
{
	int fd;

	clean(state);
	assert_true((fd = open(lock, O_WRONLY | O_CREAT, 0644)) >= 0);
	close(fd);
	expect_busy();
	assert_true(exists(lock));
	unlink(lock);
}

/* An fcntl lock held by another process (mutt without dot-locks): busy,
 * and our dot-lock is removed again. */
static void
test_held_fcntl(void **state)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int ready[2], go[2], fd, status;
	char c;
	pid_t pid;

	clean(state);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	close(fd);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		fd = open(path, O_WRONLY);
		if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	expect_busy();
	assert_false(exists(lock));
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* A directory we may not create the dot-lock in: fcntl only. As root,
 * the delivery runs in a child as nobody, owning the mailbox. */
static void
test_dotlock_fallback(void **state)
{
	char dir[160], box[200], box_lock[220];
	struct mbox_error err;
	struct mbox *mb;
	int fd, status, ok;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/spool", top);
	snprintf(box, sizeof(box), "%s/nobody", dir);
	snprintf(box_lock, sizeof(box_lock), "%s.lock", box);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_true((fd = open(box, O_WRONLY | O_CREAT, 0600)) >= 0);
	if (geteuid() == 0) {
		assert_int_equal(fchown(fd, 65534, 65534), 0);
		assert_int_equal(chmod(top, 0711), 0); /* nobody gets in */
	} else
		assert_int_equal(chmod(dir, 0555), 0);
	close(fd);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		ok = mbox_open(box, NULL, &mb, &err) == 0 &&
		    !mbox_dotlocked(mb) &&
		    mbox_write_from(mb, "a@x", 0, &err) == 0 &&
		    mbox_write(mb, "hi\n", 3, &err) == 0 &&
		    mbox_commit(mb, &err) == 0;
		if (!ok)
			fprintf(stderr, "fallback: %s\n", err.text);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_false(exists(box_lock));
	chmod(dir, 0755);
	chmod(top, 0700);
	{
		size_t n;
		char *got = slurp(box, &n);

		assert_string_equal(got, "From a@x " FROM0 "hi\n\n");
		xfree(got);
	}
}

/* Concurrent writers. Message i of writer p: an id line, lines that need
 * quoting, and every 7th one over 64 KiB (flushed in several writes); half
 * end without a newline. Written in pieces of varying size. */
#define WRITERS 8
#define MESSAGES 25

static char *
make_msg(int p, int i, int quoted, size_t *len)
{
	size_t cap = 200000, n = 0, k;
	char *s = xmalloc(cap);
	int lines = i % 7 == 3 ? 1200 : 5 + i % 4, l;

	n += (size_t)snprintf(s + n, cap - n, "X-Id: %d-%d\n\n", p, i);
	for (l = 0; l < lines; l++) {
		n += (size_t)snprintf(s + n, cap - n,
		    "%sFrom line %d of %d-%d %s\n", quoted ? ">" : "", l, p, i,
		    "padding padding padding padding padding");
		n += (size_t)snprintf(s + n, cap - n, "%s>From quoted\n",
		    quoted ? ">" : "");
	}
	k = (size_t)snprintf(s + n, cap - n, "end");
	n += k;
	if (i % 2 == 0 || quoted)
		s[n++] = '\n';
	s[n] = 0;
	*len = n;
	return s;
}

static int
writer(int p)
{
	struct mbox_error err;
	struct mbox *mb;
	size_t len, off, step;
	char *msg;
	int i;

	for (i = 0; i < MESSAGES; i++) {
		msg = make_msg(p, i, 0, &len);
		if (mbox_open(path, NULL, &mb, &err) < 0)
			goto bad;
		if (mbox_write_from(mb, "w@x", 0, &err) < 0)
			goto bad_open;
		for (off = 0; off < len; off += step) {
			step = (size_t)((p * 31 + i * 17 + off) % 97) + 1;
			if (step > len - off)
				step = len - off;
			if (mbox_write(mb, msg + off, step, &err) < 0)
				goto bad_open;
		}
		if (mbox_commit(mb, &err) < 0)
			goto bad;
		xfree(msg);
	}
	return 0;
bad_open:
	mbox_abort(&mb);
bad:
	fprintf(stderr, "writer %d: %s\n", p, err.text);
	return 1;
}

static void
test_concurrent_writers(void **state)
{
	static const char sep[] = "From w@x " FROM0;
	int seen[WRITERS][MESSAGES];
	pid_t pids[WRITERS];
	size_t n, pos, body, end, wlen;
	char *file, *want, *next;
	int p, i, status, count = 0;

	clean(state);
	memset(seen, 0, sizeof(seen));
	for (p = 0; p < WRITERS; p++) {
		assert_true((pids[p] = fork()) >= 0);
		if (pids[p] == 0)
			_exit(writer(p));
	}
	for (p = 0; p < WRITERS; p++) {
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_false(exists(lock));
	/* Parse: each message is a From line, its (quoted) text ending in
	 * "\n", then an empty line; a From line begins every message and
	 * nothing else (quoting guarantees it). */
	file = slurp(path, &n);
	for (pos = 0; pos < n; pos = end + 1) {
		assert_memory_equal(file + pos, sep, strlen(sep));
		body = pos + strlen(sep);
		next = strstr(file + body, "\n\nFrom ");
		end = next != NULL ? (size_t)(next - file) + 1 : n - 1;
		assert_true(end > body);
		assert_int_equal(file[end], '\n');
		assert_int_equal(file[end - 1], '\n');
		assert_int_equal(sscanf(file + body, "X-Id: %d-%d", &p, &i), 2);
		assert_true(p >= 0 && p < WRITERS && i >= 0 && i < MESSAGES);
		want = make_msg(p, i, 1, &wlen);
		assert_int_equal(end - body, wlen);
		assert_memory_equal(file + body, want, wlen);
		xfree(want);
		seen[p][i]++;
		count++;
	}
	assert_int_equal(count, WRITERS * MESSAGES);
	for (p = 0; p < WRITERS; p++)
		for (i = 0; i < MESSAGES; i++)
			assert_int_equal(seen[p][i], 1);
	xfree(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting_every_split),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_abort_truncates),
		cmocka_unit_test(test_unsafe_files),
		cmocka_unit_test(test_stale_dotlock),
		cmocka_unit_test(test_held_dotlock),
		cmocka_unit_test(test_held_fcntl),
		cmocka_unit_test(test_dotlock_fallback),
		cmocka_unit_test(test_concurrent_writers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
