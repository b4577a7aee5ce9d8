/* SPDX-License-Identifier: MIT */
/* smtpd_bdat_test - BDAT's arguments: "<chunk-size> [LAST]" and
 * everything that is not (RFC 3030 section 2). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "smtpd.h"

struct bdat_case {
	const char *args; /* as smtpd_parse_line leaves them */
	int ret;
	long long size;
	int last;
};

static const struct bdat_case cases[] = {
	{ "0 LAST", 0, 0, 1 },
	{ "0", 0, 0, 0 },
	{ "10", 0, 10, 0 },
	{ "10 last", 0, 10, 1 },
	{ "10 Last  ", 0, 10, 1 },
	{ "10  LAST", 0, 10, 1 },
	{ "10 ", 0, 10, 0 },
	{ "007", 0, 7, 0 },
	{ "9223372036854775807", 0, LLONG_MAX, 0 },
	{ "9223372036854775808", -1, 0, 0 },
	{ "99999999999999999999999", -1, 0, 0 },
	{ "", -1, 0, 0 },
	{ "LAST", -1, 0, 0 },
	{ "x", -1, 0, 0 },
	{ "-1", -1, 0, 0 },
	{ "+1", -1, 0, 0 },
	{ "1x", -1, 0, 0 },
	{ "0x10", -1, 0, 0 },
	{ "1.5", -1, 0, 0 },
	{ "10 LASTX", -1, 0, 0 },
	{ "10 LAS", -1, 0, 0 },
	{ "10 LAST more", -1, 0, 0 },
	{ "10 FIRST", -1, 0, 0 },
	{ "10 20", -1, 0, 0 },
	{ "10\tLAST", -1, 0, 0 },
};

static void
test_parse(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bdat_case *c = &cases[i];
		long long size = -2;
		int last = -2, ret;

		ret = smtpd_bdat_parse(c->args, &size, &last);
		if (ret != c->ret)
			fail_msg("\"%s\": %d, want %d", c->args, ret, c->ret);
		if (ret < 0)
			continue;
		if (size != c->size || last != c->last)
			fail_msg("\"%s\": size %lld last %d", c->args, size,
			    last);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
