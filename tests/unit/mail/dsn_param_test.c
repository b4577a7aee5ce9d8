/* SPDX-License-Identifier: MIT */
/* dsn_param_test - NOTIFY, RET, ENVID, ORCPT and xtext (RFC 3461). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/dsn_param.h"
#include "util/buf.h"

static void
test_notify(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(dsn_notify_parse("SUCCESS"), DSN_NOTIFY_SUCCESS);
	assert_int_equal(dsn_notify_parse("failure,Delay"),
	    DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY);
	assert_int_equal(dsn_notify_parse("NEVER"), DSN_NOTIFY_NEVER);
	/* NEVER alone; no repeats, no empty elements, no unknown words. */
	assert_int_equal(dsn_notify_parse("NEVER,SUCCESS"), -1);
	assert_int_equal(dsn_notify_parse("SUCCESS,NEVER"), -1);
	assert_int_equal(dsn_notify_parse("DELAY,DELAY"), -1);
	assert_int_equal(dsn_notify_parse(""), -1);
	assert_int_equal(dsn_notify_parse("SUCCESS,"), -1);
	assert_int_equal(dsn_notify_parse(",SUCCESS"), -1);
	assert_int_equal(dsn_notify_parse("SUCCESSFUL"), -1);
	assert_int_equal(dsn_notify_parse("SUCCESS FAILURE"), -1);
	assert_int_equal(dsn_notify_format(DSN_NOTIFY_DELAY |
				 DSN_NOTIFY_SUCCESS,
			     &b),
	    0);
	assert_string_equal(b.data, "SUCCESS,DELAY");
	assert_int_equal(dsn_notify_format(DSN_NOTIFY_NEVER, &b), 0);
	assert_string_equal(b.data, "NEVER");
	/* No NOTIFY: failures and delays are reported, success is not. */
	assert_true(dsn_notify_wants(0, DSN_NOTIFY_FAILURE));
	assert_true(dsn_notify_wants(0, DSN_NOTIFY_DELAY));
	assert_false(dsn_notify_wants(0, DSN_NOTIFY_SUCCESS));
	assert_false(dsn_notify_wants(DSN_NOTIFY_NEVER, DSN_NOTIFY_FAILURE));
	assert_true(dsn_notify_wants(DSN_NOTIFY_SUCCESS, DSN_NOTIFY_SUCCESS));
	assert_false(dsn_notify_wants(DSN_NOTIFY_SUCCESS, DSN_NOTIFY_DELAY));
	buf_deinit(&b);
}

static void
test_ret(void **state)
{
	(void)state;
	assert_int_equal(dsn_ret_parse("FULL"), DSN_RET_FULL);
	assert_int_equal(dsn_ret_parse("hdrs"), DSN_RET_HDRS);
	assert_int_equal(dsn_ret_parse("HEADERS"), -1);
	assert_int_equal(dsn_ret_parse(""), -1);
	assert_string_equal(dsn_ret_name(DSN_RET_HDRS), "HDRS");
	assert_null(dsn_ret_name(0));
}

static void
test_xtext(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(dsn_xtext_decode("a+2Bb+3Dc", &b), 0);
	assert_string_equal(b.data, "a+b=c");
	assert_int_equal(dsn_xtext_decode("", &b), 0);
	assert_string_equal(b.data, "");
	/* Lower-case hex, a short "+", "=", a space, 8-bit, a control. */
	assert_int_equal(dsn_xtext_decode("a+2b", &b), -1);
	assert_int_equal(dsn_xtext_decode("a+2", &b), -1);
	assert_int_equal(dsn_xtext_decode("a=b", &b), -1);
	assert_int_equal(dsn_xtext_decode("a b", &b), -1);
	assert_int_equal(dsn_xtext_decode("caf\xc3\xa9", &b), -1);
	assert_int_equal(dsn_xtext_decode("a+0Db", &b), -1);
	assert_int_equal(dsn_xtext_decode("a+00", &b), -1);
	buf_reset(&b);
	assert_int_equal(dsn_xtext_encode("a+b=c d\xc3", &b), 0);
	assert_string_equal(b.data, "a+2Bb+3Dc+20d+C3");
	buf_deinit(&b);
}

static void
test_envid_orcpt(void **state)
{
	struct buf b;
	char longer[DSN_ENVID_MAX + 2];

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(dsn_envid_parse("QQ+2B314", &b), 0);
	assert_string_equal(b.data, "QQ+314");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	assert_int_equal(dsn_envid_parse(longer, &b), -1);
	longer[DSN_ENVID_MAX] = 0;
	assert_int_equal(dsn_envid_parse(longer, &b), 0);
	/* Decoded, it must still be printable ASCII. */
	assert_int_equal(dsn_envid_parse("a+C3", &b), -1);

	assert_int_equal(dsn_orcpt_parse("RFC822;Bob+2Bx@example.com", &b), 0);
	assert_string_equal(b.data, "rfc822;Bob+x@example.com");
	assert_int_equal(dsn_orcpt_parse("rfc822", &b), -1);
	assert_int_equal(dsn_orcpt_parse(";a@b", &b), -1);
	assert_int_equal(dsn_orcpt_parse("rfc822;", &b), -1);
	assert_int_equal(dsn_orcpt_parse("rfc 822;a@b", &b), -1);
	assert_int_equal(dsn_orcpt_parse("rfc822;a+zz", &b), -1);
	assert_int_equal(dsn_orcpt_format("rfc822;Bob+x@example.com", &b), 0);
	assert_string_equal(b.data, "rfc822;Bob+2Bx@example.com");
	assert_int_equal(dsn_orcpt_format("no-type", &b), -1);
	buf_deinit(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_ret),
		cmocka_unit_test(test_xtext),
		cmocka_unit_test(test_envid_orcpt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
