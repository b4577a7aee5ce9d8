/* SPDX-License-Identifier: MIT */
/* tls_level_test - the level names (a server's and a client's) and the
 * policy table's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tls/tls_level.h"
#include "util/buf.h"

static void
test_levels(void **state)
{
	enum tls_level l;

	(void)state;
	assert_int_equal(tls_level_parse("none", 4, &l), 0);
	assert_int_equal(l, TLS_LEVEL_NONE);
	assert_int_equal(tls_level_parse("MAY", 3, &l), 0);
	assert_int_equal(l, TLS_LEVEL_MAY);
	assert_int_equal(tls_level_parse("encrypt", 7, &l), 0);
	assert_int_equal(l, TLS_LEVEL_ENCRYPT);
	assert_int_equal(tls_level_parse("verify", 6, &l), 0);
	assert_int_equal(l, TLS_LEVEL_VERIFY);
	assert_int_equal(tls_level_parse("secure", 6, &l), 0);
	assert_int_equal(l, TLS_LEVEL_SECURE);
	/* A prefix or a longer word is not a level. */
	assert_int_equal(tls_level_parse("ma", 2, &l), -1);
	assert_int_equal(tls_level_parse("mayx", 4, &l), -1);
	assert_int_equal(tls_level_parse("", 0, &l), -1);
	assert_int_equal(tls_level_parse("dane", 4, &l), -1);
	assert_string_equal(tls_level_name(TLS_LEVEL_VERIFY), "verify");
}

static void
test_server_levels(void **state)
{
	enum tls_level l;
	const char *error;

	(void)state;
	assert_int_equal(tls_server_level_parse("", &l, &error), 0);
	assert_int_equal(l, TLS_LEVEL_NONE);
	assert_int_equal(tls_server_level_parse("Encrypt", &l, &error), 0);
	assert_int_equal(l, TLS_LEVEL_ENCRYPT);
	/* Client levels mean nothing to a server. */
	assert_int_equal(tls_server_level_parse("verify", &l, &error), -1);
	assert_string_equal(error,
	    "unknown security level (none, may or encrypt)");
	assert_int_equal(tls_server_level_parse("yes", &l, &error), -1);
}

static void
test_values(void **state)
{
	enum tls_level l;
	struct buf match;
	const char *error;

	(void)state;
	buf_init(&match, 300);
	assert_int_equal(tls_policy_parse("encrypt", &l, &match, &error), 0);
	assert_int_equal(l, TLS_LEVEL_ENCRYPT);
	assert_int_equal(match.len, 0);
	assert_int_equal(tls_policy_parse(" secure ,match=mx.example.net", &l,
			     &match, &error),
	    0);
	assert_int_equal(l, TLS_LEVEL_SECURE);
	assert_string_equal(match.data, "mx.example.net");
	assert_int_equal(tls_policy_parse("", &l, &match, &error), -1);
	assert_string_equal(error, "no security level");
	assert_int_equal(tls_policy_parse("always", &l, &match, &error), -1);
	assert_int_equal(tls_policy_parse("verify match=a:b", &l, &match,
			     &error),
	    -1);
	assert_int_equal(tls_policy_parse("verify ciphers=high", &l, &match,
			     &error),
	    -1);
	assert_int_equal(tls_policy_parse("verify match=", &l, &match, &error),
	    -1);
	buf_deinit(&match);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_server_levels),
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
