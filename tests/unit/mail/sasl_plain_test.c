/* SPDX-License-Identifier: MIT */
/* sasl_plain_test - RFC 4616 messages, cut at every split point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/sasl_plain.h"

#define M(s) s, sizeof(s) - 1

static const struct {
	const char *msg;
	size_t len;
	int rc;
	const char *authzid, *authcid, *passwd;
} cases[] = {
	{ M("\0tim\0tanstaaftanstaaf"), 0, "", "tim", "tanstaaftanstaaf" },
	{ M("Ursel\0Kurt\0xipj3plmq"), 0, "Ursel", "Kurt", "xipj3plmq" },
	{ M("\0\0pw"), -1, NULL, NULL, NULL },
	{ M("\0u\0"), -1, NULL, NULL, NULL },
	{ M("u\0pw"), -1, NULL, NULL, NULL },
	{ M("a\0u\0p\0w"), -1, NULL, NULL, NULL },
	{ M(""), -1, NULL, NULL, NULL },
};

static void
test_cases(void **state)
{
	struct sasl_plain r;
	const char *error;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		error = NULL;
		assert_int_equal(sasl_plain_decode(cases[i].msg, cases[i].len,
				     &r, &error),
		    cases[i].rc);
		if (cases[i].rc < 0) {
			assert_non_null(error);
			continue;
		}
		assert_int_equal(r.authzid_len, strlen(cases[i].authzid));
		assert_memory_equal(r.authzid, cases[i].authzid, r.authzid_len);
		assert_int_equal(r.authcid_len, strlen(cases[i].authcid));
		assert_memory_equal(r.authcid, cases[i].authcid, r.authcid_len);
		assert_int_equal(r.passwd_len, strlen(cases[i].passwd));
		assert_memory_equal(r.passwd, cases[i].passwd, r.passwd_len);
	}
}

/* Every prefix of a good message decodes only when the password part is
 * non-empty, and never reads past its end. */
static void
test_cuts(void **state)
{
	static const char full[] = "z\0user\0secret";
	struct sasl_plain r;
	const char *error;
	size_t n;

	(void)state;
	for (n = 0; n <= sizeof(full) - 1; n++)
		assert_int_equal(sasl_plain_decode(full, n, &r, &error),
		    n >= 8 ? 0 : -1);
}

static void
test_limit(void **state)
{
	static char big[SASL_PLAIN_FIELD_MAX + 8];
	struct sasl_plain r;
	const char *error;

	(void)state;
	memset(big, 'p', sizeof(big));
	big[0] = '\0';
	big[2] = '\0';
	big[1] = 'u';
	assert_int_equal(sasl_plain_decode(big, sizeof(big), &r, &error), -1);
	assert_int_equal(sasl_plain_decode(big, SASL_PLAIN_FIELD_MAX + 3, &r,
			     &error),
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
