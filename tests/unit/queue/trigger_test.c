/* SPDX-License-Identifier: MIT */
/* trigger_test - one byte to a listening UNIX socket; failures. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

#include "queue/trigger.h"
#include "util/event.h"

static char tmpdir[200];
static char sockpath[256];

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	/* Keep the path short: sun_path holds 108 bytes. */
	if (base == NULL || *base == 0 || strlen(base) > 60)
		base = "/tmp";
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/trig.XXXXXX", base) >=
		(int)sizeof(tmpdir) ||
	    mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/qmgr", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(sockpath);
	rmdir(tmpdir);
	return 0;
}

static int
listen_at(const char *path, int backlog)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

/* Accept one connection and return the bytes it carried until EOF. */
static size_t
accept_read(int lfd, char *got, size_t size)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	size_t n = 0;
	ssize_t r;
	int fd;

	assert_int_equal(poll(&pfd, 1, 2000), 1);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	while (n < size && (r = read(fd, got + n, size - n)) > 0)
		n += (size_t)r;
	close(fd);
	return n;
}

static void
test_send(void **state)
{
	static const char reqs[] = { TRIGGER_REQ_WAKEUP, TRIGGER_REQ_SCAN, 'W',
		0 };
	size_t i;
	int lfd;

	(void)state;
	lfd = listen_at(sockpath, 16);
	for (i = 0; i < sizeof(reqs); i++) {
		const char *error = NULL;
		char got[8];

		assert_int_equal(trigger_send(sockpath, reqs[i], &error), 0);
		/* Exactly one byte, then the client has closed. */
		assert_int_equal(accept_read(lfd, got, sizeof(got)), 1);
		assert_int_equal(got[0], reqs[i]);
	}
	close(lfd);
}

static void
test_failures(void **state)
{
	char path[300], longpath[200];
	const char *error = NULL;
	int fd;

	(void)state;
	/* No socket at all. */
	unlink(sockpath);
	assert_int_equal(trigger_send(sockpath, 'W', &error), -1);
	assert_string_equal(error, strerror(ENOENT));
	/* No directory. */
	snprintf(path, sizeof(path), "%s/none/qmgr", tmpdir);
	error = NULL;
	assert_int_equal(trigger_send(path, 'W', &error), -1);
	assert_string_equal(error, strerror(ENOENT));
	/* A socket nobody listens on any more. */
	fd = listen_at(sockpath, 1);
	close(fd);
	error = NULL;
	assert_int_equal(trigger_send(sockpath, 'W', &error), -1);
	assert_string_equal(error, strerror(ECONNREFUSED));
	unlink(sockpath);
	/* A regular file in its place. */
	fd = open(sockpath, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	error = NULL;
	assert_int_equal(trigger_send(sockpath, 'W', &error), -1);
	assert_string_equal(error, strerror(ECONNREFUSED));
	unlink(sockpath);
	/* Too long for sun_path (108 bytes with the NUL). */
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	error = NULL;
	assert_int_equal(trigger_send(longpath, 'W', &error), -1);
	assert_string_equal(error, "socket path too long");
	longpath[108] = 0;
	assert_int_equal(trigger_send(longpath, 'W', &error), -1);
	assert_string_equal(error, "socket path too long");
}

static void
test_busy_server_does_not_block(void **state)
{
	int64_t start;
	int lfd, i, failed = 0;

	(void)state;
	/* A server that never accepts: once its backlog is full, the
	 * trigger fails at once instead of waiting. */
	lfd = listen_at(sockpath, 0);
	start = event_now_ms();
	for (i = 0; i < 20; i++) {
		const char *error = NULL;

		if (trigger_send(sockpath, 'W', &error) < 0) {
			assert_string_equal(error, strerror(EAGAIN));
			failed++;
		}
	}
	assert_true(failed > 0);
	assert_true(event_now_ms() - start < 1000);
	close(lfd);
	unlink(sockpath);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_busy_server_does_not_block),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
