/* SPDX-License-Identifier: MIT */
/* passwd_scram_test - the RFC 7677 keys for "pencil", the stored form
 * parsed and written back, and malformed stored forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/passwd_scram.h"
#include "util/buf.h"

/* RFC 7677 3's salt and iterations; keys computed with Python's hashlib. */
#define PENCIL                                          \
	"4096,W22ZaJ0SNY7soEsUEjb6gQ==,"                \
	"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=," \
	"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="

static void
test_derive(void **state)
{
	struct passwd_scram have, want;
	const char *error = NULL;
	struct buf b;

	(void)state;
	assert_int_equal(passwd_scram_parse(PENCIL, &have, &error), 0);
	assert_int_equal(have.iter, 4096);
	assert_int_equal(have.salt_len, 16);
	memset(&want, 0, sizeof(want));
	want.iter = have.iter;
	want.salt_len = have.salt_len;
	memcpy(want.salt, have.salt, have.salt_len);
	assert_int_equal(passwd_scram_derive("pencil", 6, &want, &error), 0);
	assert_memory_equal(want.stored_key, have.stored_key, 32);
	assert_memory_equal(want.server_key, have.server_key, 32);
	buf_init(&b, 1024);
	assert_int_equal(passwd_scram_format(&want, &b), 0);
	assert_string_equal(buf_cstr(&b), PENCIL);
	buf_deinit(&b);
	buf_init(&b, 20);
	assert_int_equal(passwd_scram_format(&want, &b), -1);
	assert_int_equal(buf_len(&b), 0);
	buf_deinit(&b);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"0,W22ZaJ0SNY7soEsUEjb6gQ==,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
		"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
		"-1,W22ZaJ0SNY7soEsUEjb6gQ==,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
		"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
		"1000001,W22ZaJ0SNY7soEsUEjb6gQ==,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
		"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
		"4096,,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
		"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
		"4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4q=,"
		"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
		"4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
		"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=,",
		"4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
		"4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
		"WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
		"wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU= ",
	};
	struct passwd_scram k;
	const char *error;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = NULL;
		assert_int_equal(passwd_scram_parse(bad[i], &k, &error), -1);
		assert_non_null(error);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
