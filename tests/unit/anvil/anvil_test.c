/* SPDX-License-Identifier: MIT */
/* anvil_test - open counts, rate windows, and expiry of idle clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "anvil.h"

static void
test_counts_and_rates(void **state)
{
	struct anvil *a = anvil_create(60000);
	long count, rate;

	(void)state;
	anvil_connect(a, "smtp:192.0.2.1", 0, &count, &rate);
	assert_int_equal(count, 1);
	assert_int_equal(rate, 1);
	anvil_connect(a, "smtp:192.0.2.1", 10, &count, &rate);
	assert_int_equal(count, 2);
	assert_int_equal(rate, 2);
	/* Another client, another count. */
	anvil_connect(a, "smtp:192.0.2.2", 10, &count, &rate);
	assert_int_equal(count, 1);
	anvil_disconnect(a, "smtp:192.0.2.1", 20);
	anvil_connect(a, "smtp:192.0.2.1", 30, &count, &rate);
	assert_int_equal(count, 2);
	assert_int_equal(rate, 3);
	/* Events count per kind. */
	assert_int_equal(anvil_event(a, "smtp:192.0.2.1", ANVIL_MAIL, 40), 1);
	assert_int_equal(anvil_event(a, "smtp:192.0.2.1", ANVIL_MAIL, 41), 2);
	assert_int_equal(anvil_event(a, "smtp:192.0.2.1", ANVIL_RCPT, 42), 1);
	/* A new window starts the rates again, not the open count. */
	assert_int_equal(anvil_event(a, "smtp:192.0.2.1", ANVIL_MAIL, 60000),
	    1);
	anvil_connect(a, "smtp:192.0.2.1", 60001, &count, &rate);
	assert_int_equal(count, 3);
	assert_int_equal(rate, 1);
	/* Disconnects never go below zero. */
	for (int i = 0; i < 5; i++)
		anvil_disconnect(a, "smtp:192.0.2.2", 60002);
	anvil_disconnect(a, "smtp:unknown-client", 60002);
	anvil_connect(a, "smtp:192.0.2.2", 60003, &count, &rate);
	assert_int_equal(count, 1);
	anvil_destroy(&a);
	assert_null(a);
}

static void
test_expiry(void **state)
{
	struct anvil *a = anvil_create(1000);
	long count, rate;

	(void)state;
	anvil_connect(a, "smtp:192.0.2.1", 0, &count, &rate);
	anvil_connect(a, "smtp:192.0.2.2", 0, &count, &rate);
	anvil_event(a, "smtp:192.0.2.3", ANVIL_RCPT, 500);
	assert_int_equal(anvil_size(a), 3);
	anvil_disconnect(a, "smtp:192.0.2.2", 100);
	/* Within the window nothing goes. */
	anvil_expire(a, 999);
	assert_int_equal(anvil_size(a), 3);
	/* .2 has nothing open and its window has passed; .1 has one open;
	 * .3's window is not over. */
	anvil_expire(a, 1000);
	assert_int_equal(anvil_size(a), 2);
	anvil_expire(a, 1500);
	assert_int_equal(anvil_size(a), 1);
	/* A client forgotten starts afresh. */
	assert_int_equal(anvil_event(a, "smtp:192.0.2.3", ANVIL_RCPT, 1600), 1);
	anvil_destroy(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_rates),
		cmocka_unit_test(test_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
