/* SPDX-License-Identifier: MIT */
/* smtpd_dup_test - the duplicate filter: case, the bound, growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "smtpd_dup.h"

static void
test_case_insensitive(void **state)
{
	struct smtpd_dup *d = smtpd_dup_create(1000);
	static const struct {
		const char *addr;
		int seen;
	} steps[] = {
		{ "alice@example.test", 0 },
		{ "alice@example.test", 1 },
		{ "ALICE@EXAMPLE.TEST", 1 },
		{ "Alice@Example.Test", 1 },
		{ "bob@example.test", 0 },
		{ "alice+x@example.test", 0 },
		{ "alice@example.org", 0 },
		{ "BOB@example.test", 1 },
		{ "", 0 },
		{ "", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		assert_int_equal(smtpd_dup_seen(d, steps[i].addr),
		    steps[i].seen);
	smtpd_dup_destroy(&d);
	assert_null(d);
	smtpd_dup_destroy(&d);
}

/* Past the limit nothing new is remembered: a later duplicate of it
 * passes (delivered twice, never lost); what was remembered still is. */
static void
test_limit(void **state)
{
	struct smtpd_dup *d = smtpd_dup_create(2);

	assert_int_equal(smtpd_dup_seen(d, "a@x"), 0);
	assert_int_equal(smtpd_dup_seen(d, "b@x"), 0);
	assert_int_equal(smtpd_dup_seen(d, "c@x"), 0);
	assert_int_equal(smtpd_dup_seen(d, "c@x"), 0);
	assert_int_equal(smtpd_dup_seen(d, "A@X"), 1);
	assert_int_equal(smtpd_dup_seen(d, "b@x"), 1);
	smtpd_dup_destroy(&d);
}

/* Many addresses: the table grows and keeps them all (limit 0), or the
 * first 1000 (the default limit). */
static void
test_growth(void **state)
{
	static const long limits[] = { 0, 1000 };
	char addr[64];
	size_t k;
	int i;

	for (k = 0; k < 2; k++) {
		struct smtpd_dup *d = smtpd_dup_create(limits[k]);

		for (i = 0; i < 5000; i++) {
			snprintf(addr, sizeof(addr), "user%d@example.test", i);
			assert_int_equal(smtpd_dup_seen(d, addr), 0);
		}
		for (i = 0; i < 5000; i++) {
			snprintf(addr, sizeof(addr), "USER%d@example.test", i);
			assert_int_equal(smtpd_dup_seen(d, addr),
			    limits[k] == 0 || i < limits[k]);
		}
		smtpd_dup_destroy(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
