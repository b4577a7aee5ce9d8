/* SPDX-License-Identifier: MIT */
/* auth_cookie_test - a cookie names its user once, for its own service,
 * within its lifetime; cookies differ; a full table issues no more until
 * some expire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/mem.h"

#include "auth_cookie.h"

static void
test_once_and_service(void **state)
{
	struct auth_cookies *t = auth_cookies_create();
	char a[AUTH_COOKIE_LEN + 1], b[AUTH_COOKIE_LEN + 1];
	char *user = NULL;

	(void)state;
	assert_int_equal(auth_cookie_issue(t, "alice", "pop3d", 1000, a), 0);
	assert_int_equal(strlen(a), AUTH_COOKIE_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), AUTH_COOKIE_LEN);
	assert_int_equal(auth_cookie_issue(t, "bob", "imapd", 1000, b), 0);
	assert_string_not_equal(a, b);
	/* Another service's cookie is no proof here, and is not used up. */
	assert_int_equal(auth_cookie_redeem(t, a, "imapd", 1001, &user), 0);
	assert_int_equal(auth_cookie_redeem(t, a, "pop3d", 1001, &user), 1);
	assert_string_equal(user, "alice");
	xfree(user);
	/* Once only. */
	assert_int_equal(auth_cookie_redeem(t, a, "pop3d", 1002, &user), 0);
	assert_int_equal(auth_cookie_redeem(t, "nonsense", "pop3d", 1002,
			     &user),
	    0);
	/* Expired. */
	assert_int_equal(auth_cookie_redeem(t, b, "imapd",
			     1000 + AUTH_COOKIE_TTL_MS, &user),
	    0);
	auth_cookies_destroy(&t);
	assert_null(t);
}

static void
test_full_table(void **state)
{
	struct auth_cookies *t = auth_cookies_create();
	char c[AUTH_COOKIE_LEN + 1];

	(void)state;
	for (int i = 0; i < AUTH_COOKIE_MAX; i++)
		assert_int_equal(auth_cookie_issue(t, "u", "pop3d", 0, c), 0);
	assert_int_equal(auth_cookie_issue(t, "u", "pop3d", 1, c), -1);
	/* Once they expire, there is room again. */
	assert_int_equal(auth_cookie_issue(t, "u", "pop3d", AUTH_COOKIE_TTL_MS,
			     c),
	    0);
	auth_cookies_destroy(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once_and_service),
		cmocka_unit_test(test_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
