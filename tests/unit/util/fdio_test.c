/* SPDX-License-Identifier: MIT */
/* fdio_test - fd_write_all writes everything, across the short writes a
 * full pipe makes, and says -1 with errno for a descriptor it cannot
 * write. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fdio.h"

static void
test_pipe(void **state)
{
	static char big[300 * 1024];
	int p[2], status;
	size_t i;
	pid_t pid;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char chunk[4096];
		size_t off = 0;
		ssize_t n;

		close(p[1]);
		while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
			for (i = 0; i < (size_t)n; i++, off++)
				if (chunk[i] != (char)(off % 251))
					_exit(2);
		_exit(off == sizeof(big) ? 0 : 3);
	}
	close(p[0]);
	/* More than the pipe holds: written in pieces as the child reads. */
	assert_int_equal(fd_write_all(p[1], big, sizeof(big)), 0);
	assert_int_equal(fd_write_all(p[1], big, 0), 0);
	close(p[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_bad_fd(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(fd_write_all(-1, "x", 1), -1);
	assert_int_equal(errno, EBADF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_bad_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
