/* SPDX-License-Identifier: MIT */
/* tls_ticket_test - the shared ticket key file: made on first load with
 * mode 0600, the same keys for every later load within the lifetime, a
 * rotation after it (the old key kept as the previous one), new keys for
 * a damaged file or a clock set back, and a file others may read is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tls/tls_ticket.h"
#include "util/buf.h"

static char dir[] = "/tmp/tls_ticket_test.XXXXXX";
static char file[512];

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/ticket_keys", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(file);
	rmdir(dir);
	return 0;
}

static int
same_key(const struct tls_ticket_key *a, const struct tls_ticket_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void
load_ok(time_t now, struct tls_ticket_keys *k)
{
	struct buf err;

	buf_init(&err, 256);
	if (tls_ticket_keys_load(file, 3600, now, k, &err) < 0)
		fail_msg("%s", err.data);
	buf_deinit(&err);
}

static void
test_make_share_rotate(void **state)
{
	struct tls_ticket_keys a, b, c, d;
	struct stat st;

	(void)state;
	unlink(file);
	load_ok(1000000, &a);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(a.have_previous);
	assert_int_equal(a.created, 1000000);

	/* Another process within the lifetime: the same keys. */
	load_ok(1000000 + 3599, &b);
	assert_true(same_key(&a.current, &b.current));
	assert_int_equal(b.created, 1000000);

	/* Worn out: a new current key, the old one kept. */
	load_ok(1000000 + 3600, &c);
	assert_false(same_key(&a.current, &c.current));
	assert_true(c.have_previous);
	assert_true(same_key(&a.current, &c.previous));
	assert_int_equal(c.created, 1000000 + 3600);
	load_ok(1000000 + 3700, &d);
	assert_true(same_key(&c.current, &d.current));
	assert_true(same_key(&c.previous, &d.previous));

	/* A clock set back: keys from the future are replaced. */
	load_ok(500000, &d);
	assert_false(same_key(&c.current, &d.current));
	assert_int_equal(d.created, 500000);
}

static void
test_damaged_file(void **state)
{
	struct tls_ticket_keys a, b;
	FILE *fp;

	(void)state;
	unlink(file);
	load_ok(1000, &a);
	/* A crash mid-write: short. */
	assert_int_equal(truncate(file, 40), 0);
	load_ok(1001, &b);
	assert_false(b.have_previous);
	assert_false(same_key(&a.current, &b.current));
	/* Not ours at all: too long. */
	fp = fopen(file, "a");
	assert_non_null(fp);
	fputs("trailing garbage", fp);
	fclose(fp);
	load_ok(1002, &a);
	assert_false(same_key(&a.current, &b.current));
	assert_int_equal(a.created, 1002);
}

static void
test_refused(void **state)
{
	struct tls_ticket_keys k;
	struct buf err;
	char path[600];

	(void)state;
	buf_init(&err, 256);
	unlink(file);
	load_ok(1000, &k);
	assert_int_equal(chmod(file, 0640), 0);
	assert_int_equal(tls_ticket_keys_load(file, 3600, 1000, &k, &err), -1);
	assert_non_null(strstr(err.data, file));
	assert_non_null(strstr(err.data, "0600"));
	snprintf(path, sizeof(path), "%s/missing/ticket_keys", dir);
	assert_int_equal(tls_ticket_keys_load(path, 3600, 1000, &k, &err), -1);
	assert_non_null(strstr(err.data, "cannot open"));
	assert_non_null(strstr(err.data, path));
	buf_deinit(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_share_rotate),
		cmocka_unit_test(test_damaged_file),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
