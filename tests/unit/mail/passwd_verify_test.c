/* SPDX-License-Identifier: MIT */
/* passwd_verify_test - crypt(3) schemes, {PLAIN} and SCRAM-SHA-256 keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mail/passwd_verify.h"

/* Made with Python's crypt and hashlib for the password "secret". */
#define SHA512 \
	"$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"
#define SHA256 "$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA"
#define BLF "$2b$04$walief96oF2CIuUKWU.bDOJjOpyc0xN.z5Fr5VyTl0ksHt3QDAW0q"
#define SCRAM                                           \
	"4096,MDEyMzQ1Njc4OWFiY2RlZg==,"                \
	"bpSY5Ze9NUH+I35LC3gVq+DpBfK46iXBxvhAKqVu9pE=," \
	"VpYlBuxyzeCI1KnctrefdljpB1mk3Gp7sBI/t11+NkQ="

static const struct {
	const char *scheme, *stored, *password;
	int rc;
} cases[] = {
	{ NULL, SHA512, "secret", 1 },
	{ NULL, SHA512, "secreT", 0 },
	{ "SHA512-CRYPT", SHA512, "secret", 1 },
	{ "CRYPT", SHA512, "", 0 },
	{ "SHA256-CRYPT", SHA256, "secret", 1 },
	{ "SHA256-CRYPT", SHA256, "wrong", 0 },
	{ "BLF-CRYPT", BLF, "secret", 1 },
	{ "BLF-CRYPT", BLF, "secrets", 0 },
	{ NULL, "", "", 0 },
	{ NULL, "!" SHA512, "secret", 0 },
	{ NULL, "$9$unknown", "secret", -1 },
	{ "PLAIN", "secret", "secret", 1 },
	{ "plain", "secret", "secre", 0 },
	{ "PLAIN", "", "", 1 },
	{ "SCRAM-SHA-256", SCRAM, "secret", 1 },
	{ "SCRAM-SHA-256", SCRAM, "Secret", 0 },
	{ "SCRAM-SHA-256", "4096,MDEy,abc,def", "secret", -1 },
	{ "SCRAM-SHA-256", "0," SCRAM, "secret", -1 },
	{ "SCRAM-SHA-256", "", "secret", -1 },
	{ "SCRAM-SHA-256", "4096,,,", "secret", -1 },
	{ "MD4", "x", "x", -1 },
};

static void
test_verify(void **state)
{
	const char *error;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		error = NULL;
		assert_int_equal(passwd_verify(cases[i].scheme, cases[i].stored,
				     cases[i].password, &error),
		    cases[i].rc);
		if (cases[i].rc < 0)
			assert_non_null(error);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
