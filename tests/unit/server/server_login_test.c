/* SPDX-License-Identifier: MIT */
/* server_login_test - the connection after a login: a plain one is handed
 * to the session with its socket, the first bytes and what the client
 * pipelined behind its login (the session then talks to the client
 * itself); one that is not plain (TLS: here a stream with two
 * descriptors) stays with the login process, which relays it: the
 * session reads the first bytes, then the client's, on the socket pair,
 * and its output reaches the client. A login process that ends first
 * leaves the session nothing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/server_login.h"
#include "util/buf.h"
#include "util/fdio.h"
#include "util/stream.h"

/* What a session takes with the login. */
#define FIRST_MAX (64 * 1024)

/* Read exactly n bytes from fd into out (NUL-terminated). */
static void
read_exact(int fd, char *out, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, out + got, n - got);

		assert_true(r > 0);
		got += (size_t)r;
	}
	out[n] = 0;
}

/* A login stream on a socket pair: the client sent its login line and
 * two commands behind it; the login read the line only. */
static struct stream *
logged_in(int cl[2])
{
	static const char sent[] = "L LOGIN a b\r\nP1 NOOP\r\nP2 NOOP\r\n";
	struct stream *s;
	const char *error;
	struct buf line;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, cl), 0);
	assert_int_equal(fd_write_all(cl[0], sent, strlen(sent)), 0);
	s = stream_create(cl[1], 0);
	stream_set_timeout(s, 10);
	buf_init(&line, 1024);
	assert_int_equal(stream_get_line(s, &line, 1024, &error), STREAM_LINE);
	assert_string_equal(line.data, "L LOGIN a b\r\n");
	buf_deinit(&line);
	return s;
}

static void
test_plain_handed_over(void **state)
{
	struct stream *s;
	struct buf first;
	char got[64];
	int cl[2], sp[2], fd;

	(void)state;
	s = logged_in(cl);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_true(stream_is_plain(s));
	server_login_hand_over(s, sp[0], "L\r\n", 3, 10);
	close(sp[0]); /* the login process is done */
	stream_destroy(&s);

	buf_init(&first, FIRST_MAX);
	fd = server_login_accept(sp[1], &first);
	assert_true(fd >= 0);
	assert_int_not_equal(fd, sp[1]);
	assert_string_equal(first.data, "L\r\nP1 NOOP\r\nP2 NOOP\r\n");
	buf_deinit(&first);
	/* The session talks to the client itself. */
	assert_int_equal(fd_write_all(fd, "L OK\r\n", 6), 0);
	read_exact(cl[0], got, 6);
	assert_string_equal(got, "L OK\r\n");
	assert_int_equal(fd_write_all(cl[0], "P3\r\n", 4), 0);
	read_exact(fd, got, 4);
	assert_string_equal(got, "P3\r\n");
	close(fd);
	close(cl[0]);
}

static void
test_not_plain_relayed(void **state)
{
	struct stream *s;
	struct buf first;
	char got[64];
	int cl[2], sp[2], fd, status, wfd;
	pid_t pid;

	(void)state;
	s = logged_in(cl);
	/* Two descriptors (as inetd's): not one socket to pass. */
	assert_true((wfd = dup(cl[1])) >= 0);
	stream_set_write_fd(s, wfd);
	assert_false(stream_is_plain(s));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sp[1]);
		close(cl[0]);
		server_login_hand_over(s, sp[0], "L\r\n", 3, 10);
		_exit(0);
	}
	close(sp[0]);
	stream_destroy(&s);
	close(wfd);

	buf_init(&first, FIRST_MAX);
	fd = server_login_accept(sp[1], &first);
	assert_int_equal(fd, sp[1]);
	assert_int_equal(first.len, 0);
	buf_deinit(&first);
	/* The first bytes, then the client's pipelined ones, on the pair. */
	read_exact(fd, got, 3 + 9 + 9);
	assert_string_equal(got, "L\r\nP1 NOOP\r\nP2 NOOP\r\n");
	assert_int_equal(fd_write_all(fd, "L OK\r\n", 6), 0);
	read_exact(cl[0], got, 6);
	assert_string_equal(got, "L OK\r\n");
	/* The client leaves: the relay ends, the session reads the end. */
	close(cl[0]);
	assert_int_equal(read(fd, got, sizeof(got)), 0);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
}

/* More than the session takes: nothing, and the client's connection is
 * not kept. */
static void
test_too_much(void **state)
{
	struct stream *s;
	struct buf first;
	char c;
	int cl[2], sp[2];

	(void)state;
	s = logged_in(cl);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	server_login_hand_over(s, sp[0], "L\r\n", 3, 10);
	close(sp[0]);
	stream_destroy(&s);
	buf_init(&first, 8);
	assert_int_equal(server_login_accept(sp[1], &first), -1);
	buf_deinit(&first);
	close(sp[1]);
	/* No process holds the client's socket any more: it reads the end. */
	assert_int_equal(read(cl[0], &c, 1), 0);
	close(cl[0]);
}

static void
test_login_gone(void **state)
{
	struct buf first;
	int sp[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	close(sp[0]);
	buf_init(&first, FIRST_MAX);
	assert_int_equal(server_login_accept(sp[1], &first), -1);
	buf_deinit(&first);
	close(sp[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_handed_over),
		cmocka_unit_test(test_not_plain_relayed),
		cmocka_unit_test(test_too_much),
		cmocka_unit_test(test_login_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
