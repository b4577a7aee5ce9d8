/* SPDX-License-Identifier: MIT */
/* server_test - user lookups and the privilege drop (root only). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/server.h"

#define NOBODY 65534

static void
test_user_ids(void **state)
{
	static const struct {
		const char *user;
		int ret;
		const char *error; /* a substring of the error */
	} cases[] = {
		{ "root", -1, "has uid 0" },
		{ "no-such-user-tern-test", -1, "unknown user" },
		{ "", -1, "unknown user" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;
		uid_t uid = 4242;
		gid_t gid = 4242;

		assert_int_equal(server_user_ids(cases[i].user, &uid, &gid,
				     &error),
		    cases[i].ret);
		assert_non_null(error);
		if (strstr(error, cases[i].error) == NULL)
			fail_msg("%s: \"%s\"", cases[i].user, error);
		assert_non_null(strstr(error, cases[i].user));
		/* Nothing is written on failure. */
		assert_int_equal(uid, 4242);
		assert_int_equal(gid, 4242);
	}
}

static void
test_user_ids_nobody(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	const char *error = NULL;
	uid_t uid;
	gid_t gid;

	(void)state;
	if (pw == NULL) {
		print_message("skipped: no user \"nobody\" here\n");
		skip();
	}
	assert_int_equal(server_user_ids("nobody", &uid, &gid, &error), 0);
	assert_int_equal(uid, pw->pw_uid);
	assert_int_equal(gid, pw->pw_gid);
}

static void
test_is_root(void **state)
{
	(void)state;
	assert_int_equal(server_is_root() != 0, geteuid() == 0);
}

/* Run fn in a child and return its exit code (or 100 + signal). */
static int
in_child(int (*fn)(const char *), const char *arg)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* In a child: drop to nobody (optionally into dir), then check. */
static int
drop_and_check(const char *dir)
{
	const char *error = NULL;
	gid_t groups[8];
	uid_t r, e, s;
	gid_t rg, eg, sg;
	int n;

	if (server_drop_privileges(NOBODY, NOBODY, dir, &error) < 0) {
		fprintf(stderr, "drop: %s\n", error);
		return 1;
	}
	if (getresuid(&r, &e, &s) < 0 || r != NOBODY || e != NOBODY ||
	    s != NOBODY)
		return 2;
	if (getresgid(&rg, &eg, &sg) < 0 || rg != NOBODY || eg != NOBODY ||
	    sg != NOBODY)
		return 3;
	n = getgroups(8, groups);
	if (n != 1 || groups[0] != NOBODY)
		return 4;
	/* Root cannot be regained. */
	if (setuid(0) == 0 || errno != EPERM)
		return 5;
	if (seteuid(0) == 0 || setgid(0) == 0)
		return 6;
	if (dir != NULL) {
		char cwd[PATH_MAX];

		/* Inside the jail, the marker is at the root. */
		if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, "/") != 0)
			return 7;
		if (access("/marker", F_OK) != 0)
			return 8;
	}
	/* A second drop (to root) fails now. */
	if (server_drop_privileges(0, 0, NULL, &error) == 0)
		return 9;
	if (strcmp(error, strerror(EPERM)) != 0)
		return 10;
	return 0;
}

static int
drop_into_missing(const char *dir)
{
	const char *error = NULL;

	if (server_drop_privileges(NOBODY, NOBODY, dir, &error) == 0)
		return 1;
	if (strcmp(error, strerror(ENOENT)) != 0)
		return 2;
	/* Nothing changed. */
	return getuid() == 0 ? 0 : 3;
}

static int
drop_unprivileged(const char *dir)
{
	const char *error = NULL;

	(void)dir;
	/* Without root, setgroups() is refused. */
	if (server_drop_privileges(getuid(), getgid(), NULL, &error) == 0)
		return 1;
	return strcmp(error, strerror(EPERM)) == 0 ? 0 : 2;
}

static void
test_drop_privileges(void **state)
{
	char dir[256], marker[300];
	const char *base = getenv("TMPDIR");
	int fd;

	(void)state;
	if (geteuid() != 0) {
		assert_int_equal(in_child(drop_unprivileged, NULL), 0);
		print_message("skipped: privilege drop needs root\n");
		skip();
	}
	assert_int_equal(in_child(drop_and_check, NULL), 0);

	if (base == NULL || *base == 0)
		base = "/tmp";
	snprintf(dir, sizeof(dir), "%s/server_test.XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	/* nobody must be able to look inside its jail. */
	assert_int_equal(chmod(dir, 0711), 0);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(in_child(drop_and_check, dir), 0);
	unlink(marker);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(in_child(drop_into_missing, dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_ids),
		cmocka_unit_test(test_user_ids_nobody),
		cmocka_unit_test(test_is_root),
		cmocka_unit_test(test_drop_privileges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
