/* SPDX-License-Identifier: MIT */
/* mcache_test - the folder cache: values kept across opens, seen by
 * another session after a refresh, a torn tail and a damaged file thrown
 * away rather than read, dead records compacted away with a reader that
 * still has the old file, limits. */
#include <fcntl.h>
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

#include "store/mcache.h"
#include "util/buf.h"
#include "util/checksum.h"

#include "maildir_fixture.h"

static int
setup(void **state)
{
	(void)state;
	if (fixture_setup("mcache_test") < 0)
		return -1;
	return mkdir(mdir, 0700);
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_teardown();
}

static void
flush_ok(struct mcache *c)
{
	if (mcache_flush(c, NULL, NULL, err) != 0)
		fail_msg("mcache_flush: %s", buf_cstr(err));
}

static void
assert_value(struct mcache *c, const char *base, char field, const char *want)
{
	size_t n = 0;
	const char *v = mcache_get(c, base, field, &n);

	if (want == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(v, want, n);
}

static void
test_put_get_reopen(void **state)
{
	struct mcache *c = mcache_open(mdir), *d;
	const char env[] = "(\"date\" {3}\r\nx\r\n NIL)";

	(void)state;
	assert_value(c, "1.M1P1.h", MCACHE_ENVELOPE, NULL);
	mcache_put(c, "1.M1P1.h", MCACHE_ENVELOPE, env, strlen(env));
	mcache_put(c, "1.M1P1.h", MCACHE_DATE, "1000000000", 10);
	/* Not yet written: not seen, not there for a second put either. */
	mcache_put(c, "1.M1P1.h", MCACHE_DATE, "7", 1);
	flush_ok(c);
	assert_value(c, "1.M1P1.h", MCACHE_ENVELOPE, env);
	assert_value(c, "1.M1P1.h", MCACHE_DATE, "1000000000");
	assert_value(c, "1.M1P1.h", MCACHE_BODY, NULL);
	assert_value(c, "2.M1P1.h", MCACHE_DATE, NULL);
	/* Another session: the file as written, then what c adds. */
	d = mcache_open(mdir);
	assert_value(d, "1.M1P1.h", MCACHE_ENVELOPE, env);
	mcache_put(c, "2.M2P2.h", MCACHE_BODYSTRUCTURE, "(\"TEXT\")", 8);
	flush_ok(c);
	assert_value(d, "2.M2P2.h", MCACHE_BODYSTRUCTURE, NULL);
	mcache_refresh(d);
	assert_value(d, "2.M2P2.h", MCACHE_BODYSTRUCTURE, "(\"TEXT\")");
	assert_int_equal(mcache_records(d), 3);
	mcache_close(&c);
	mcache_close(&d);
	assert_null(d);
	mcache_close(&d);
}

static void
append_raw(const char *text, size_t n)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", mdir, MCACHE_FILE);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

static void
test_torn_and_damaged(void **state)
{
	struct mcache *c = mcache_open(mdir), *d;
	char path[256], rec[32];
	struct stat st;

	(void)state;
	mcache_put(c, "a", MCACHE_DATE, "1", 1);
	flush_ok(c);
	/* A crash in the middle of a record: the reader stops before it. */
	append_raw("00000010 00000000 Db\t12", 23);
	d = mcache_open(mdir);
	assert_int_equal(mcache_records(d), 1);
	assert_value(d, "b", MCACHE_DATE, NULL);
	/* The next writer cuts it off before appending. */
	mcache_put(d, "c", MCACHE_DATE, "3", 1);
	flush_ok(d);
	mcache_close(&c);
	c = mcache_open(mdir);
	assert_int_equal(mcache_records(c), 2);
	assert_value(c, "c", MCACHE_DATE, "3");
	/* A whole record with a wrong sum is damage: never given out (its
	 * value is made again by the caller), the others still are. */
	append_raw("00000005 deadbeef Dd\t4\n", 23);
	snprintf(rec, sizeof(rec), "00000005 %08x Df\t6\n",
	    (unsigned)checksum32("Df\t6\n", 5));
	append_raw(rec, 23);
	mcache_close(&d);
	d = mcache_open(mdir);
	assert_int_equal(mcache_records(d), 4);
	assert_value(d, "d", MCACHE_DATE, NULL);
	assert_value(d, "f", MCACHE_DATE, "6");
	assert_value(d, "c", MCACHE_DATE, "3");
	/* Not our file at all: started again. */
	snprintf(path, sizeof(path), "%s/%s", mdir, MCACHE_FILE);
	assert_int_equal(truncate(path, 0), 0);
	append_raw("junk\n", 5);
	mcache_close(&d);
	d = mcache_open(mdir);
	assert_int_equal(mcache_records(d), 0);
	mcache_put(d, "e", MCACHE_DATE, "5", 1);
	flush_ok(d);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(mcache_records(d), 1);
	mcache_close(&c);
	mcache_close(&d);
}

/* is_live: bases that start with "live". */
static int
live(void *ctx, const char *base)
{
	(void)ctx;
	return strncmp(base, "live", 4) == 0;
}

static void
test_compaction(void **state)
{
	struct mcache *c = mcache_open(mdir), *old;
	static char value[4001]; /* 4000 bytes and a NUL */
	char base[64], path[256];
	struct stat st;
	int i;

	(void)state;
	memset(value, 'v', sizeof(value) - 1);
	for (i = 0; i < 400; i++) {
		snprintf(base, sizeof(base), "%s%d", i < 20 ? "live" : "dead",
		    i);
		mcache_put(c, base, MCACHE_BODYSTRUCTURE, value,
		    sizeof(value) - 1);
	}
	flush_ok(c);
	old = mcache_open(mdir);
	assert_int_equal(mcache_records(old), 400);
	mcache_put(c, "live-new", MCACHE_DATE, "9", 1);
	assert_int_equal(mcache_flush(c, live, NULL, err), 0);
	snprintf(path, sizeof(path), "%s/%s", mdir, MCACHE_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size < 100 * 1000);
	assert_int_equal(mcache_records(c), 21);
	assert_value(c, "live3", MCACHE_BODYSTRUCTURE, value);
	assert_value(c, "dead30", MCACHE_BODYSTRUCTURE, NULL);
	/* The reader that had the old file still reads it, then the new. */
	assert_value(old, "dead30", MCACHE_BODYSTRUCTURE, value);
	mcache_refresh(old);
	assert_int_equal(mcache_records(old), 21);
	assert_value(old, "live-new", MCACHE_DATE, "9");
	mcache_close(&c);
	mcache_close(&old);
}

static void
test_limits(void **state)
{
	struct mcache *c = mcache_open(mdir);
	static char big[MCACHE_VALUE_MAX + 1];
	char base[300];

	(void)state;
	mcache_put(c, "big", MCACHE_BODYSTRUCTURE, big, sizeof(big));
	memset(base, 'b', sizeof(base) - 1);
	base[sizeof(base) - 1] = '\0';
	mcache_put(c, base, MCACHE_DATE, "1", 1);
	mcache_put(c, "tab\there", MCACHE_DATE, "1", 1);
	flush_ok(c);
	assert_int_equal(mcache_records(c), 0);
	/* A directory that cannot hold the file: an error, nothing fatal. */
	mcache_close(&c);
	c = mcache_open("/nonexistent/dir");
	mcache_put(c, "x", MCACHE_DATE, "1", 1);
	assert_int_equal(mcache_flush(c, NULL, NULL, err), -1);
	assert_value(c, "x", MCACHE_DATE, NULL);
	mcache_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get_reopen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_torn_and_damaged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
