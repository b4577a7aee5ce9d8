/* SPDX-License-Identifier: MIT */
/* smtp_tls_policy_test - the levels and the policy table's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "smtp.h"
#include "util/buf.h"

static void
test_levels(void **state)
{
	enum smtp_tls_level l;

	(void)state;
	assert_int_equal(smtp_tls_level_parse("none", 4, &l), 0);
	assert_int_equal(l, SMTP_TLS_NONE);
	assert_int_equal(smtp_tls_level_parse("MAY", 3, &l), 0);
	assert_int_equal(l, SMTP_TLS_MAY);
	assert_int_equal(smtp_tls_level_parse("encrypt", 7, &l), 0);
	assert_int_equal(l, SMTP_TLS_ENCRYPT);
	assert_int_equal(smtp_tls_level_parse("verify", 6, &l), 0);
	assert_int_equal(l, SMTP_TLS_VERIFY);
	assert_int_equal(smtp_tls_level_parse("secure", 6, &l), 0);
	assert_int_equal(l, SMTP_TLS_SECURE);
	/* A prefix or a longer word is not a level. */
	assert_int_equal(smtp_tls_level_parse("ma", 2, &l), -1);
	assert_int_equal(smtp_tls_level_parse("mayx", 4, &l), -1);
	assert_int_equal(smtp_tls_level_parse("", 0, &l), -1);
	assert_int_equal(smtp_tls_level_parse("dane", 4, &l), -1);
}

static void
test_values(void **state)
{
	enum smtp_tls_level l;
	struct buf match;
	const char *error;

	(void)state;
	buf_init(&match, 300);
	assert_int_equal(smtp_tls_policy_parse("encrypt", &l, &match, &error),
	    0);
	assert_int_equal(l, SMTP_TLS_ENCRYPT);
	assert_int_equal(match.len, 0);
	assert_int_equal(smtp_tls_policy_parse(" secure ,match=mx.example.net",
			     &l, &match, &error),
	    0);
	assert_int_equal(l, SMTP_TLS_SECURE);
	assert_string_equal(match.data, "mx.example.net");
	assert_int_equal(smtp_tls_policy_parse("", &l, &match, &error), -1);
	assert_string_equal(error, "no security level");
	assert_int_equal(smtp_tls_policy_parse("always", &l, &match, &error),
	    -1);
	assert_int_equal(smtp_tls_policy_parse("verify match=a:b", &l, &match,
			     &error),
	    -1);
	assert_int_equal(smtp_tls_policy_parse("verify ciphers=high", &l,
			     &match, &error),
	    -1);
	assert_int_equal(smtp_tls_policy_parse("verify match=", &l, &match,
			     &error),
	    -1);
	buf_deinit(&match);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
