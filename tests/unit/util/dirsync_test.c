/* SPDX-License-Identifier: MIT */
/* dirsync_test - the group-commit counters, the shortcut, the fallback,
 * and many processes syncing one directory at once. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/dirsync.h"

static char dir[256];
static int dirfd_;

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/dirsync_test.XXXXXX",
	    tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	return dirfd_ < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	char path[300];

	close(dirfd_);
	snprintf(path, sizeof(path), "%s/%s", dir, DIRSYNC_STATE);
	unlink(path);
	rmdir(path);
	rmdir(dir);
	return 0;
}

static void
counters(uint64_t *started, uint64_t *completed)
{
	uint64_t v[2] = { 0, 0 };
	int fd = openat(dirfd_, DIRSYNC_STATE, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, v, sizeof(v), 0), sizeof(v));
	close(fd);
	*started = v[0];
	*completed = v[1];
}

static void
test_counts_each_sync(void **state)
{
	const char *error;
	uint64_t s, c;

	assert_int_equal(dirsync(dirfd_, &error), 0);
	counters(&s, &c);
	assert_int_equal(s, 1);
	assert_int_equal(c, 1);
	assert_int_equal(dirsync(dirfd_, &error), 0);
	counters(&s, &c);
	assert_int_equal(s, 2);
	assert_int_equal(c, 2);
}

static void
test_covered_by_a_later_sync(void **state)
{
	uint64_t v[2] = { 7, 7 }, s, c;
	const char *error;
	int fd = openat(dirfd_, DIRSYNC_STATE, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, v, sizeof(v), 0), sizeof(v));
	close(fd);
	/* Nothing covers a change made now: it runs sync 8 itself. */
	assert_int_equal(dirsync(dirfd_, &error), 0);
	counters(&s, &c);
	assert_int_equal(c, 8);
}

static void
test_fallback_without_state_file(void **state)
{
	char path[300];
	const char *error;

	snprintf(path, sizeof(path), "%s/%s", dir, DIRSYNC_STATE);
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0); /* unusable state file */
	assert_int_equal(dirsync(dirfd_, &error), 0);
	assert_int_equal(rmdir(path), 0);
}

static void
test_many_processes(void **state)
{
	enum {
		PROCS = 6,
		EACH = 20
	};
	uint64_t s, c;
	int i, status, ok = 1;

	for (i = 0; i < PROCS; i++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			const char *error;
			int j;

			for (j = 0; j < EACH; j++)
				if (dirsync(dirfd_, &error) < 0)
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		assert_true(wait(&status) > 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			ok = 0;
	}
	assert_true(ok);
	counters(&s, &c);
	assert_int_equal(s, c);
	assert_true(c >= 1);
	/* Never more syncs than callers (fewer when they were shared). */
	assert_true(c <= 2 + 8 + PROCS * EACH);
}

/* The event log of test_group_commit: one line per event, each written
 * with one O_APPEND write, so the file's order is the global order of
 * the events across processes. */
static int events_fd = -1;

static void
event(const char *kind, long id)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s %ld %ld\n", kind,
	    (long)getpid(), id);

	assert_int_equal(write(events_fd, line, (size_t)n), n);
}

/* A directory fsync that logs when it starts and ends, and takes a few
 * milliseconds as on a real disk, so that commits overlap. */
static int
logged_fsync(int fd)
{
	static long seq;
	long id = ++seq;
	int ret;

	event("S", id);
	ret = fsync(fd);
	usleep(3000);
	event("E", id);
	return ret;
}

struct ev {
	char kind;
	long pid, id;
};

/* Index of the first event (kind, pid, id) at or after from, or -1. */
static long
find_event(const struct ev *ev, long n, char kind, long pid, long id)
{
	long i;

	for (i = 0; i < n; i++)
		if (ev[i].kind == kind && ev[i].pid == pid && ev[i].id == id)
			return i;
	return -1;
}

/* Several processes commit at once. Each commit must be covered by a
 * directory fsync that started after the commit's change and ended before
 * the commit returned; and there must be fewer fsyncs than commits (they
 * were shared). Without group commit, the second check fails. */
static void
test_group_commit(void **state)
{
	enum {
		PROCS = 6,
		EACH = 15,
		MAX_EV = PROCS * EACH * 4 + 16
	};
	char path[300], line[64];
	struct ev *ev = calloc(MAX_EV, sizeof(*ev));
	long n = 0, i, syncs = 0, commits = 0;
	FILE *fp;
	int p, status;

	assert_non_null(ev);
	snprintf(path, sizeof(path), "%s/events", dir);
	events_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	assert_true(events_fd >= 0);
	dirsync_set_fsync(logged_fsync);
	for (p = 0; p < PROCS; p++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			const char *error;
			long j;

			for (j = 1; j <= EACH; j++) {
				event("C", j); /* the change is made */
				if (dirsync(dirfd_, &error) < 0)
					_exit(1);
				event("D", j); /* the commit returns */
			}
			_exit(0);
		}
	}
	for (p = 0; p < PROCS; p++) {
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	dirsync_set_fsync(NULL);
	close(events_fd);

	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		assert_true(n < MAX_EV);
		assert_int_equal(sscanf(line, "%c %ld %ld", &ev[n].kind,
				     &ev[n].pid, &ev[n].id),
		    3);
		n++;
	}
	fclose(fp);
	unlink(path);
	for (i = 0; i < n; i++) {
		long c, d, k;
		int covered = 0;

		if (ev[i].kind == 'S')
			syncs++;
		if (ev[i].kind != 'C')
			continue;
		commits++;
		c = i;
		d = find_event(ev, n, 'D', ev[i].pid, ev[i].id);
		assert_true(d > c);
		for (k = c + 1; k < d && !covered; k++) {
			long e;

			if (ev[k].kind != 'S')
				continue;
			e = find_event(ev, n, 'E', ev[k].pid, ev[k].id);
			covered = e > k && e < d;
		}
		if (!covered)
			fail_msg(
			    "commit %ld of pid %ld: no fsync started "
			    "after its change and ended before it returned",
			    ev[i].id, ev[i].pid);
	}
	assert_int_equal(commits, PROCS * EACH);
	if (getenv("DIRSYNC_TEST_VERBOSE") != NULL)
		fprintf(stderr, "%ld fsyncs for %ld commits\n", syncs, commits);
	if (syncs >= commits)
		fail_msg("%ld directory fsyncs for %ld commits: none shared",
		    syncs, commits);
	free(ev);
}

/* dir_fsync and dir_fsync_parent sync the directory named (the hook
 * sees one sync each, of a descriptor of that directory) and say -1 with
 * errno for one that is not there. */
static int synced;
static ino_t synced_ino;

static int
counting_fsync(int fd)
{
	struct stat st;

	synced++;
	synced_ino = fstat(fd, &st) == 0 ? st.st_ino : 0;
	return fsync(fd);
}

static void
test_plain_dir_fsync(void **state)
{
	char path[300];
	struct stat st;

	(void)state;
	assert_int_equal(stat(dir, &st), 0);
	dirsync_set_fsync(counting_fsync);
	synced = 0;
	assert_int_equal(dir_fsync(dir), 0);
	assert_int_equal(synced, 1);
	assert_int_equal(synced_ino, st.st_ino);
	snprintf(path, sizeof(path), "%s/some-file", dir);
	assert_int_equal(dir_fsync_parent(path), 0);
	assert_int_equal(synced, 2);
	assert_int_equal(synced_ino, st.st_ino);
	snprintf(path, sizeof(path), "%s/missing", dir);
	errno = 0;
	assert_int_equal(dir_fsync(path), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(synced, 2);
	/* A bare name: the current directory; one at the root: "/". */
	assert_int_equal(dir_fsync_parent("no-slash"), 0);
	assert_int_equal(dir_fsync_parent("/etc"), 0);
	assert_int_equal(synced, 4);
	dirsync_set_fsync(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_each_sync),
		cmocka_unit_test(test_covered_by_a_later_sync),
		cmocka_unit_test(test_fallback_without_state_file),
		cmocka_unit_test(test_many_processes),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_plain_dir_fsync),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
