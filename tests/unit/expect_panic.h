/* expect_panic - run code that must panic in a child process.
 *
 * expect_panic(fn, arg) forks; the child sends stderr to /dev/null (the
 * expected panic line stays out of the test output), calls fn(arg) and
 * exits 0 if it returns; the parent asserts, with cmocka, that the child
 * died of SIGABRT, which is how log_panic ends. For unit tests only:
 * include after <cmocka.h>. */
#ifndef TERN_TESTS_EXPECT_PANIC_H
#define TERN_TESTS_EXPECT_PANIC_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void
expect_panic(void (*fn)(void *arg), void *arg)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 2);
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

#endif
