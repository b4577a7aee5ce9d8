/* SPDX-License-Identifier: MIT */
/* sock_test - UNIX-domain connects: success, flags, and each error. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/sock.h"

static char dir[256];
static char path[300];

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/sock_test.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/s", dir);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static int
listen_at(const char *p)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, p, strlen(p));
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void
test_connect_and_flags(void **state)
{
	const char *error = NULL;
	int l = listen_at(path), c, a;
	char b = 0;

	c = sock_unix_connect(path, 0, &error);
	assert_true(c >= 0);
	assert_true(fcntl(c, F_GETFD) & FD_CLOEXEC);
	assert_false(fcntl(c, F_GETFL) & O_NONBLOCK);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	assert_int_equal(write(c, "x", 1), 1);
	assert_int_equal(read(a, &b, 1), 1);
	assert_int_equal(b, 'x');
	close(a);
	close(c);
	c = sock_unix_connect(path, SOCK_FLAG_NONBLOCK, &error);
	assert_true(c >= 0);
	assert_true(fcntl(c, F_GETFL) & O_NONBLOCK);
	close(c);
	close(l);
	unlink(path);
}

static void
test_errors(void **state)
{
	char longpath[200];
	const char *error = NULL;

	assert_int_equal(sock_unix_connect(path, 0, &error), -1);
	assert_non_null(error);
	assert_non_null(strstr(error, "No such file"));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	error = NULL;
	assert_int_equal(sock_unix_connect(longpath, 0, &error), -1);
	assert_string_equal(error, "socket path too long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_and_flags),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
