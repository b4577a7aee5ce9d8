/* SPDX-License-Identifier: MIT */
/* sasl_scram_test - SCRAM client-first-message (RFC 5802 7, 7677). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/sasl_scram.h"
#include "util/buf.h"

static const struct {
	const char *msg;
	int rc;
	char cbind;
	const char *authzid, *user, *nonce, *bare;
} cases[] = {
	/* RFC 7677 3's example. */
	{ "n,,n=user,r=rOprNGfwEbeRWgbNEkqO", 0, 'n', "", "user",
	    "rOprNGfwEbeRWgbNEkqO", "n=user,r=rOprNGfwEbeRWgbNEkqO" },
	{ "y,a=adm=3Din,n=a=2Cb,r=xyz,e=ext", 0, 'y', "adm=in", "a,b", "xyz",
	    "n=a=2Cb,r=xyz,e=ext" },
	{ "p=tls-unique,,n=user,r=abc", -1, 0, NULL, NULL, NULL, NULL },
	{ "n,,m=x,n=user,r=abc", -1, 0, NULL, NULL, NULL, NULL },
	{ "n,,n=us=2Xer,r=abc", -1, 0, NULL, NULL, NULL, NULL },
	{ "n,,n=,r=abc", -1, 0, NULL, NULL, NULL, NULL },
	{ "n,,n=user,r=", -1, 0, NULL, NULL, NULL, NULL },
	{ "n,,n=user", -1, 0, NULL, NULL, NULL, NULL },
	{ "n,b=x,n=user,r=abc", -1, 0, NULL, NULL, NULL, NULL },
	{ "x,,n=user,r=abc", -1, 0, NULL, NULL, NULL, NULL },
	{ "n,,n=user,r=a b", -1, 0, NULL, NULL, NULL, NULL },
	{ "", -1, 0, NULL, NULL, NULL, NULL },
};

static void
test_first(void **state)
{
	struct sasl_scram_first r;
	struct buf az, user;
	const char *error;
	size_t i, n;

	(void)state;
	buf_init(&az, 256);
	buf_init(&user, 256);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		error = NULL;
		assert_int_equal(sasl_scram_client_first(cases[i].msg,
				     strlen(cases[i].msg), &r, &az, &user,
				     &error),
		    cases[i].rc);
		if (cases[i].rc < 0) {
			assert_non_null(error);
			continue;
		}
		assert_int_equal(r.cbind, cases[i].cbind);
		assert_string_equal(buf_cstr(&az), cases[i].authzid);
		assert_string_equal(buf_cstr(&user), cases[i].user);
		assert_int_equal(r.nonce_len, strlen(cases[i].nonce));
		assert_memory_equal(r.nonce, cases[i].nonce, r.nonce_len);
		assert_string_equal(cases[i].msg + r.bare_off, cases[i].bare);
	}
	/* Every prefix: parses only once the nonce has a character. */
	for (n = 0; n <= strlen(cases[0].msg); n++)
		assert_int_equal(sasl_scram_client_first(cases[0].msg, n, &r,
				     &az, &user, &error),
		    n >= 13 ? 0 : -1);
	buf_deinit(&az);
	buf_deinit(&user);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
