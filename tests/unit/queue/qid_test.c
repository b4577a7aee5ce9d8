/* SPDX-License-Identifier: MIT */
/* qid_test - ID format, validation, uniqueness for two live files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "queue/qid.h"

static void
test_format(void **state)
{
	static const struct {
		long usec;
		unsigned long long ino;
		const char *want;
	} cases[] = {
		{ 0, 0, "000000" }, { 1, 0x1C0B7, "000011C0B7" },
		{ 258604, 0x1C0B7, "3F22C1C0B7" },
		{ 999999, 0xFFFFFFFFFFFFFFFFULL, "F423FFFFFFFFFFFFFFFFF" },
		{ 1000001, 1, "000011" }, /* taken modulo 1000000 */
	};
	char out[QID_SIZE];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timeval tv = { .tv_sec = 1700000000,
			.tv_usec = cases[i].usec };

		qid_make(tv, (ino_t)cases[i].ino, out);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(qid_valid(out), 1);
	}
}

static void
test_valid(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "3F2A1C0B7", 1 },
		{ "000000", 1 },
		{ "F423FFFFFFFFFFFFFFFFF", 1 },
		{ "", 0 },
		{ "3F2A1", 0 },     /* no inode digits */
		{ "3f2a1c0b7", 0 }, /* lower case */
		{ "F4240A", 0 },    /* usec >= 1000000 */
		{ "3F2A1C0B7G", 0 },
		{ "3F2A1 C0B7", 0 },
		{ "F423FFFFFFFFFFFFFFFFFF", 0 }, /* too long */
		{ "t123.456", 0 },
		{ "../etc", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(qid_valid(cases[i].s), cases[i].ok);
}

/* Two live files created in the same microsecond still differ. */
static void
test_unique_live_files(void **state)
{
	char dir[] = "/tmp/qid_testXXXXXX", p1[64], p2[64];
	char id1[QID_SIZE], id2[QID_SIZE];
	struct timeval tv;
	struct stat s1, s2;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(p1, sizeof(p1), "%s/a", dir);
	snprintf(p2, sizeof(p2), "%s/b", dir);
	assert_non_null(f = fopen(p1, "w"));
	fclose(f);
	assert_non_null(f = fopen(p2, "w"));
	fclose(f);
	assert_int_equal(stat(p1, &s1), 0);
	assert_int_equal(stat(p2, &s2), 0);
	gettimeofday(&tv, NULL);
	qid_make(tv, s1.st_ino, id1);
	qid_make(tv, s2.st_ino, id2);
	assert_string_not_equal(id1, id2);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_unique_live_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
