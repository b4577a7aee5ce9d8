/* SPDX-License-Identifier: MIT */
/* passwd_hash_test - new secrets verify, with fresh salts each time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/passwd_file.h"
#include "mail/passwd_hash.h"
#include "mail/passwd_verify.h"
#include "util/buf.h"

/* Hash, read back as a passwd-file line, verify right and wrong. */
static void
round_trip(const char *scheme, const char *prefix)
{
	struct buf a, b, line;
	struct passwd_entry ent;
	const char *error = NULL;

	buf_init(&a, 512);
	buf_init(&b, 512);
	buf_init(&line, 1024);
	assert_int_equal(passwd_hash(scheme, "pa:ss w0rd", &a, &error), 0);
	assert_int_equal(strncmp(a.data, prefix, strlen(prefix)), 0);
	assert_int_equal(passwd_hash(scheme, "pa:ss w0rd", &b, &error), 0);
	if (strcmp(scheme, "PLAIN") != 0)
		assert_string_not_equal(a.data, b.data);
	assert_int_equal(buf_printf(&line, "u:%s:::", a.data), 0);
	assert_int_equal(passwd_file_parse_line(line.data, &ent, &error), 1);
	assert_int_equal(passwd_verify(ent.scheme, ent.password, "pa:ss w0rd",
			     &error),
	    1);
	assert_int_equal(passwd_verify(ent.scheme, ent.password, "pa:ss w0rD",
			     &error),
	    0);
	buf_deinit(&a);
	buf_deinit(&b);
	buf_deinit(&line);
}

static void
test_schemes(void **state)
{
	struct buf a;
	const char *error = NULL;

	(void)state;
	round_trip("SHA512-CRYPT", "{SHA512-CRYPT}$6$");
	round_trip("sha512-crypt", "{SHA512-CRYPT}$6$");
	round_trip("SCRAM-SHA-256", "{SCRAM-SHA-256}4096,");
	round_trip("YESCRYPT", "{CRYPT}$y$");
	buf_init(&a, 64);
	assert_int_equal(passwd_hash("MD4", "x", &a, &error), -1);
	assert_non_null(error);
	buf_deinit(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
