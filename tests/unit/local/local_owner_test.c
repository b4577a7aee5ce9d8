/* SPDX-License-Identifier: MIT */
/* local_owner_test - what a mailbox owner's process gets: the queue file
 * as a fresh read-only descriptor of the very file qmgr passed (never the
 * read-write one), refused for a bad ID or a swapped file; and, as root,
 * a whole delivery as an unprivileged owner. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "queue/qfile.h"
#include "util/log.h"

#include "local.h"
#include "local_fixture.h"

static struct local_fixture fx;

/* A queue directory holding one committed message in active/. */
static int
setup(void **state)
{
	(void)state;
	log_init("local_owner_test");
	config_load_defaults();
	return local_fixture_setup(&fx, "local_owner_test",
	    "Subject: owner test\n\nhello\n");
}

static int
teardown(void **state)
{
	(void)state;
	return local_fixture_teardown(&fx);
}

static void
test_fd_is_read_only(void **state)
{
	struct local_msg m;
	struct stat a, b;
	const char *error = NULL;
	int fd;

	(void)state;
	local_fixture_msg(&fx, &m);
	fd = local_owner_fd(&m, &error);
	assert_true(fd >= 0);
	assert_true(fd != m.fd);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	errno = 0;
	assert_int_equal(write(fd, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(m.fd, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	close(m.fd);
}

static void
test_fd_refusals(void **state)
{
	static const char *bad_ids[] = { "../active", "", "a/b", "..",
		"3F2A1C0B7/../x" };
	struct local_msg m;
	const char *error = NULL;
	char path[64], saved[64];
	size_t i;

	(void)state;
	local_fixture_msg(&fx, &m);
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		m.queue_id = bad_ids[i];
		assert_int_equal(local_owner_fd(&m, &error), -1);
		assert_string_equal(error, "bad queue ID");
	}
	m.queue_id = fx.qid;
	/* Another file under the name: not the one qmgr passed. */
	snprintf(path, sizeof(path), "active/%s", fx.qid);
	snprintf(saved, sizeof(saved), "deferred/%s", fx.qid);
	assert_int_equal(rename(path, saved), 0);
	assert_int_equal(local_owner_fd(&m, &error), -1);
	assert_non_null(strstr(error, "read-only"));
	assert_int_equal(close(open(path, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(local_owner_fd(&m, &error), -1);
	assert_non_null(strstr(error,
	    "is not the queue file that qmgr "
	    "passed"));
	assert_int_equal(rename(saved, path), 0);
	close(m.fd);
}

/* As root: the delivery runs in a child as the owner (nobody), and the
 * message arrives in the Maildir owned by that user. */
static void
test_deliver_as_owner(void **state)
{
	const uid_t uid = 65534;
	const gid_t gid = 65534;
	struct local_msg m;
	char errbuf[400], path[400], newdir[450];
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	local_fixture_msg(&fx, &m);
	snprintf(path, sizeof(path), "%s/mail", fx.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chown(path, uid, gid), 0);
	snprintf(path, sizeof(path), "%s/mail/alice/", fx.dir);
	if (local_as_user(&m, "alice@example.test", path, uid, gid, errbuf,
		sizeof(errbuf)) < 0)
		fail_msg("delivery failed: %s", errbuf);
	snprintf(newdir, sizeof(newdir), "%snew", path);
	assert_int_equal(stat(newdir, &st), 0);
	assert_int_equal(st.st_uid, uid);
	close(m.fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_is_read_only),
		cmocka_unit_test(test_fd_refusals),
		cmocka_unit_test(test_deliver_as_owner),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
