/* SPDX-License-Identifier: MIT */
/* msg_header_test - field names and the RFC 5322 date. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mail/msg_header.h"

static void
test_name(void **state)
{
	static const struct {
		const char *p;
		int want;
	} cases[] = {
		{ "Subject: x", MSG_HEADER_FIELD },
		{ "X-A:", MSG_HEADER_FIELD },
		{ ": x", MSG_HEADER_NOT_FIELD },
		{ "Sub ject: x", MSG_HEADER_NOT_FIELD },
		{ "Subj", MSG_HEADER_MAYBE },
		{ "", MSG_HEADER_MAYBE },
		{ "\xc3\xa9: x", MSG_HEADER_NOT_FIELD },
		{ "a\tb: x", MSG_HEADER_NOT_FIELD },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(msg_header_name(cases[i].p,
				     strlen(cases[i].p)),
		    cases[i].want);
}

static void
test_date(void **state)
{
	char out[64], tiny[4];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	msg_header_date(out, sizeof(out), 1795521600);
	assert_string_equal(out, "Tue, 24 Nov 2026 12:00:00 +0000");
	msg_header_date(tiny, sizeof(tiny), 0);
	assert_string_equal(tiny, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
