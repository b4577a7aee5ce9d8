/* SPDX-License-Identifier: MIT */
/* die_test - a tool's fatal error: the cleanup first (once), then
 * "<program>: fatal: <text>" on stderr, %m as errno was, and the exit
 * status asked for. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/die.h"

static void
cleanup(void)
{
	fputs("cleaned;", stderr);
}

/* Run fn in a child with stderr on a pipe: its output into out, its exit
 * status returned. */
static int
in_child(void (*fn)(void), char *out, size_t size)
{
	int p[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		fn();
		_exit(99);
	}
	close(p[1]);
	while ((n = read(p[0], out + got, size - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
dies_with_cleanup(void)
{
	die_init("ternpostdrop", cleanup);
	errno = ENOENT;
	die(75, "open %s: %m", "maildrop/x");
}

static void
dies_plain(void)
{
	die(1, "no %d", 42);
}

static void
test_die(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(in_child(dies_with_cleanup, out, sizeof(out)), 75);
	assert_string_equal(out,
	    "cleaned;ternpostdrop: fatal: open "
	    "maildrop/x: No such file or directory\n");
	/* Before die_init: the name is "tern", no cleanup. */
	assert_int_equal(in_child(dies_plain, out, sizeof(out)), 1);
	assert_string_equal(out, "tern: fatal: no 42\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_die),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
