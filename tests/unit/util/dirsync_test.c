/* SPDX-License-Identifier: MIT */
/* dirsync_test - the group-commit counters, the shortcut, the fallback,
 * and many processes syncing one directory at once. */
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
	uint64_t v[2] = {0, 0};
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
	uint64_t v[2] = {7, 7}, s, c;
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
	assert_int_equal(mkdir(path, 0700), 0);	/* unusable state file */
	assert_int_equal(dirsync(dirfd_, &error), 0);
	assert_int_equal(rmdir(path), 0);
}

static void
test_many_processes(void **state)
{
	enum { PROCS = 6, EACH = 20 };
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_each_sync),
		cmocka_unit_test(test_covered_by_a_later_sync),
		cmocka_unit_test(test_fallback_without_state_file),
		cmocka_unit_test(test_many_processes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
