/* SPDX-License-Identifier: MIT */
/* auth_clnt_test - the auth client against a scripted fake auth(8):
 * requests as sent, replies as read, and every failure a TEMPFAIL. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/auth_clnt.h"
#include "proto/proto_auth.h"
#include "util/attr.h"
#include "util/stream.h"

static char tmpdir[200];
static char olddir[1024];

static int
setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/aclnt.XXXXXX");
	if (mkdtemp(tmpdir) == NULL || getcwd(olddir, sizeof(olddir)) == NULL ||
	    chdir(tmpdir) < 0 || mkdir("private", 0700) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(AUTH_SERVICE);
	rmdir("private");
	if (chdir(olddir) < 0)
		return -1;
	rmdir(tmpdir);
	return 0;
}

/* The fake server's script: for each request, the request name it must
 * see and the reply (status, then name/value pairs, NULL-ended). */
struct step {
	const char *request;
	const char *check_name, *check_value; /* an attribute it must carry */
	const char *reply[7];
};

/* Serve one connection by the script; exit 0 when all went as said. */
static void
serve(int lfd, const struct step *steps, size_t n)
{
	struct attr_list req = { 0 };
	const char *error;
	struct stream *s;
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		_exit(2);
	s = stream_create(fd, 0);
	stream_set_timeout(s, 10);
	for (size_t i = 0; i < n; i++) {
		const char *v;

		if (attr_recv(s, &req, &error) != 1)
			_exit(3);
		if ((v = attr_get(&req, ATTR_AUTH_REQUEST)) == NULL ||
		    strcmp(v, steps[i].request) != 0)
			_exit(4);
		if (steps[i].check_name != NULL &&
		    ((v = attr_get(&req, steps[i].check_name)) == NULL ||
			strcmp(v, steps[i].check_value) != 0))
			_exit(5);
		for (size_t j = 0; steps[i].reply[j] != NULL; j += 2)
			attr_put(s, steps[i].reply[j], steps[i].reply[j + 1]);
		attr_put_end(s);
		if (stream_flush(s, &error) < 0)
			_exit(6);
	}
	attr_list_clear(&req);
	stream_destroy(&s);
	_exit(0);
}

static pid_t
start_server(const struct step *steps, size_t n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	assert_true(lfd >= 0);
	unlink(AUTH_SERVICE);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", AUTH_SERVICE);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	if ((pid = fork()) == 0)
		serve(lfd, steps, n);
	close(lfd);
	return pid;
}

static void
wait_server(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_exchange(void **state)
{
	static const struct step steps[] = {
		{ AUTH_REQ_MECHS, NULL, NULL,
		    { ATTR_AUTH_STATUS, AUTH_STAT_OK, ATTR_AUTH_MECHS,
			"PLAIN LOGIN", NULL } },
		{ AUTH_REQ_AUTH, ATTR_AUTH_CLIENT, "host[192.0.2.1]",
		    { ATTR_AUTH_STATUS, AUTH_STAT_CONTINUE, ATTR_AUTH_DATA,
			"VXNlcm5hbWU6", NULL } },
		{ AUTH_REQ_CONTINUE, ATTR_AUTH_RESPONSE, "Ym9i",
		    { ATTR_AUTH_STATUS, AUTH_STAT_OK, ATTR_AUTH_USER, "bob",
			NULL } },
		{ AUTH_REQ_AUTH, ATTR_AUTH_RESPONSE, "=",
		    { ATTR_AUTH_STATUS, AUTH_STAT_FAIL, ATTR_AUTH_REASON,
			"authentication failure", NULL } },
		{ AUTH_REQ_AUTH, ATTR_AUTH_MECH, "X",
		    { ATTR_AUTH_STATUS, AUTH_STAT_NOMECH, NULL } },
		/* ok without a user: not to be believed */
		{ AUTH_REQ_AUTH, NULL, NULL,
		    { ATTR_AUTH_STATUS, AUTH_STAT_OK, NULL } },
	};
	struct auth_clnt_reply r;
	const char *mechs;
	pid_t pid;

	(void)state;
	/* Nobody listening: a temporary failure. */
	assert_int_equal(auth_clnt_start("PLAIN", "smtpd", "h[192.0.2.1]", NULL,
			     &r),
	    AUTH_CLNT_TEMPFAIL);
	assert_int_equal(auth_clnt_continue("x", &r), AUTH_CLNT_TEMPFAIL);
	assert_int_equal(auth_clnt_mechs(&mechs), -1);

	pid = start_server(steps, sizeof(steps) / sizeof(steps[0]));
	assert_int_equal(auth_clnt_mechs(&mechs), 0);
	assert_string_equal(mechs, "PLAIN LOGIN");
	assert_int_equal(auth_clnt_start("LOGIN", "smtpd", "host[192.0.2.1]",
			     NULL, &r),
	    AUTH_CLNT_CONTINUE);
	assert_string_equal(r.text, "VXNlcm5hbWU6");
	assert_string_equal(r.user, "");
	assert_int_equal(auth_clnt_continue("Ym9i", &r), AUTH_CLNT_OK);
	assert_string_equal(r.user, "bob");
	assert_string_equal(r.text, "");
	assert_int_equal(auth_clnt_start("PLAIN", "smtpd", "host[192.0.2.1]",
			     "=", &r),
	    AUTH_CLNT_FAIL);
	assert_string_equal(r.text, "authentication failure");
	assert_int_equal(auth_clnt_start("X", "smtpd", "192.0.2.1", NULL, &r),
	    AUTH_CLNT_NOMECH);
	assert_int_equal(auth_clnt_start("PLAIN", "smtpd", "192.0.2.1", NULL,
			     &r),
	    AUTH_CLNT_TEMPFAIL);
	/* The server has finished its script and closed: tempfail, and
	 * the connection is dropped. */
	assert_int_equal(auth_clnt_start("PLAIN", "smtpd", "192.0.2.1", NULL,
			     &r),
	    AUTH_CLNT_TEMPFAIL);
	wait_server(pid);
	unlink(AUTH_SERVICE);
	assert_int_equal(auth_clnt_continue("x", &r), AUTH_CLNT_TEMPFAIL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exchange, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
