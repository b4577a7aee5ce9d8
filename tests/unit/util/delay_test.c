/* SPDX-License-Identifier: MIT */
/* delay_test - Postfix's delay shapes: resolution by size, rounding,
 * no exponent notation, negative differences, the whole field text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/delay.h"

static void
test_format(void **state)
{
	static const struct {
		long sec, usec;
		const char *want;
	} cases[] = {
		{ 0, 0, "0" },
		{ 0, 4999, "0" },
		{ 0, 5000, "0.01" },
		{ 0, 12000, "0.01" },
		{ 0, 50000, "0.05" },
		{ 0, 123456, "0.12" },
		{ 0, 500000, "0.5" },
		{ 0, 994999, "0.99" },
		{ 0, 996000, "1" },
		{ 1, 0, "1" },
		{ 1, 234567, "1.2" },
		{ 1, 250000, "1.3" },
		{ 9, 940000, "9.9" },
		{ 9, 960000, "10" },
		{ 10, 0, "10" },
		{ 10, 499999, "10" },
		{ 10, 500000, "11" },
		{ 99, 600000, "100" },
		{ 120, 0, "120" },
		{ 123, 456789, "123" },
		{ 86400 * 5, 1, "432000" },
		{ -3, 0, "0" },
		{ 1, -5, "0" },
		{ 1, 1000000, "0" },
	};
	char out[DELAY_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timeval d = { cases[i].sec, cases[i].usec };

		assert_string_equal(delay_format(out, d), cases[i].want);
		assert_null(strchr(out, 'e'));
	}
}

static void
test_between(void **state)
{
	struct timeval a = { 100, 900000 }, b = { 102, 100000 }, d;

	(void)state;
	d = delay_between(&a, &b);
	assert_int_equal(d.tv_sec, 1);
	assert_int_equal(d.tv_usec, 200000);
	/* A clock that went back is no delay, not a negative one. */
	d = delay_between(&b, &a);
	assert_int_equal(d.tv_sec, 0);
	assert_int_equal(d.tv_usec, 0);
}

static void
test_fields(void **state)
{
	struct timeval total = { 150, 20000 };
	struct timeval stage[DELAY_STAGES] = { { 150, 0 }, { 0, 10000 },
		{ 0, 0 }, { 1, 50000 } };
	char out[DELAY_FIELDS_MAX];

	(void)state;
	assert_string_equal(delay_fields(out, total, stage),
	    "delay=150, delays=150/0.01/0/1.1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
