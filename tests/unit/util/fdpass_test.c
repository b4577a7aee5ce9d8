/* SPDX-License-Identifier: MIT */
/* fdpass_test - descriptors over a socketpair, timeouts, missing fds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/event.h"
#include "util/fdpass.h"

static void
make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	    0);
}

static void
test_pass_pipe(void **state)
{
	const char *error = NULL;
	char got[16];
	int sv[2], p[2], i;

	(void)state;
	make_pair(sv);
	/* Several descriptors in lockstep, each usable on arrival. */
	for (i = 0; i < 3; i++) {
		int fd;

		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		assert_int_equal(fdpass_send(sv[0], p[1], &error), 0);
		/* The sender's copy can go: the receiver holds its own. */
		close(p[1]);
		fd = fdpass_recv(sv[1], 5, &error);
		assert_true(fd >= 0);
		assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
		assert_int_equal(write(fd, "through", 7), 7);
		close(fd);
		assert_int_equal(read(p[0], got, sizeof(got)), 7);
		assert_memory_equal(got, "through", 7);
		/* All write ends are closed now. */
		assert_int_equal(read(p[0], got, sizeof(got)), 0);
		close(p[0]);
	}
	close(sv[0]);
	close(sv[1]);
}

static void
test_pass_then_data(void **state)
{
	const char *error = NULL;
	char got[8];
	int sv[2], fd;

	(void)state;
	make_pair(sv);
	/* The carrier byte is consumed; data after it stays for read(). */
	assert_int_equal(fdpass_send(sv[0], sv[0], &error), 0);
	assert_int_equal(write(sv[0], "next", 4), 4);
	fd = fdpass_recv(sv[1], 5, &error);
	assert_true(fd >= 0);
	assert_int_equal(read(sv[1], got, sizeof(got)), 4);
	assert_memory_equal(got, "next", 4);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

static void
test_recv_timeout(void **state)
{
	const char *error = NULL;
	int64_t start, took;
	int sv[2];

	(void)state;
	make_pair(sv);
	start = event_now_ms();
	assert_int_equal(fdpass_recv(sv[1], 1, &error), -1);
	took = event_now_ms() - start;
	assert_string_equal(error, "timeout");
	assert_true(took >= 900 && took < 3000);
	close(sv[0]);
	close(sv[1]);
}

static void
test_recv_without_fd(void **state)
{
	const char *error = NULL;
	int sv[2];

	(void)state;
	make_pair(sv);
	/* Plain data where a descriptor was expected. */
	assert_int_equal(write(sv[0], "F", 1), 1);
	assert_int_equal(fdpass_recv(sv[1], 5, &error), -1);
	assert_string_equal(error, "no descriptor received");
	/* Then the peer goes away. */
	close(sv[0]);
	error = NULL;
	assert_int_equal(fdpass_recv(sv[1], 5, &error), -1);
	assert_string_equal(error, "unexpected end of input");
	close(sv[1]);
}

/* Open descriptors of this process. */
static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory itself */
}

/* Send n copies of fd in one SCM_RIGHTS message on one byte. */
static void
send_many(int sock, int fd, size_t n)
{
	char space[CMSG_SPACE(sizeof(int) * 64)], byte = 'F';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	size_t i;

	assert_true(n <= 64);
	memset(&msg, 0, sizeof(msg));
	memset(space, 0, sizeof(space));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = space;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
	for (i = 0; i < n; i++)
		memcpy(CMSG_DATA(cmsg) + i * sizeof(int), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &msg, 0), 1);
}

/* A peer that sends more than one descriptor gets an error, and none of
 * them stays open here: a few (all received, then closed) and many
 * (MSG_CTRUNC: the kernel drops what does not fit, we close the rest). */
static void
test_recv_extra_fds(void **state)
{
	static const size_t counts[] = { 2, 3, 16, 17, 64 };
	size_t i;
	int sv[2], p[2], before;

	(void)state;
	make_pair(sv);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	before = count_fds();
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		const char *error = NULL;

		send_many(sv[0], p[0], counts[i]);
		assert_int_equal(fdpass_recv(sv[1], 5, &error), -1);
		assert_non_null(error);
		assert_string_equal(error,
		    counts[i] > 16 ? "descriptors truncated (MSG_CTRUNC)"
				   : "not exactly one descriptor");
		assert_int_equal(count_fds(), before);
	}
	/* One is still fine afterwards. */
	{
		const char *error = NULL;
		int fd;

		send_many(sv[0], p[0], 1);
		fd = fdpass_recv(sv[1], 5, &error);
		assert_true(fd >= 0);
		close(fd);
	}
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_send_errors(void **state)
{
	const char *error = NULL;
	int sv[2], p[2];

	(void)state;
	make_pair(sv);
	/* Not a descriptor. */
	assert_int_equal(fdpass_send(sv[0], -1, &error), -1);
	assert_string_equal(error, strerror(EBADF));
	/* Not a socket. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	error = NULL;
	assert_int_equal(fdpass_send(p[1], p[0], &error), -1);
	assert_string_equal(error, strerror(ENOTSOCK));
	/* The peer is gone: an error, not SIGPIPE (which is not ignored
	 * in this test). */
	close(sv[1]);
	error = NULL;
	assert_int_equal(fdpass_send(sv[0], p[0], &error), -1);
	assert_string_equal(error, strerror(EPIPE));
	/* Receiving on a descriptor that is not a socket. */
	error = NULL;
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(fdpass_recv(p[0], 1, &error), -1);
	assert_string_equal(error, strerror(ENOTSOCK));
	close(p[0]);
	close(p[1]);
	close(sv[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_pipe),
		cmocka_unit_test(test_pass_then_data),
		cmocka_unit_test(test_recv_timeout),
		cmocka_unit_test(test_recv_without_fd),
		cmocka_unit_test(test_send_errors),
		cmocka_unit_test(test_recv_extra_fds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
