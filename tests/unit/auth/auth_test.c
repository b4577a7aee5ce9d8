/* SPDX-License-Identifier: MIT */
/* auth_test - auth(8)'s penalties (growth, cap, expiry, bounds) on an
 * injected clock, and its user table (load, reload on change, refusal of
 * a missing or exposed file, mechanisms, lookups through sasl_server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/sasl_server.h"
#include "util/buf.h"

#include "auth.h"

static void
test_penalty_steps(void **state)
{
	static const long want[] = { 0, 2000, 4000, 8000, 15000, 15000 };

	(void)state;
	for (long n = 0; n < 6; n++)
		assert_int_equal(auth_penalty_ms(n), want[n]);
	assert_int_equal(auth_penalty_ms(1000), AUTH_PENALTY_CAP_MS);
	assert_int_equal(auth_penalty_ms(-1), 0);
}

static void
test_penalty_growth_and_expiry(void **state)
{
	struct auth *a = auth_create("/nonexistent");
	int64_t t = 1000;

	(void)state;
	assert_int_equal(auth_delay(a, "192.0.2.1", "alice", t), 0);
	auth_failed(a, "192.0.2.1", "alice", t);
	assert_int_equal(auth_delay(a, "192.0.2.1", "alice", t), 2000);
	/* Per address: another user from there waits too. */
	assert_int_equal(auth_delay(a, "192.0.2.1", "bob", t), 2000);
	/* Per user: the same user from elsewhere waits too. */
	assert_int_equal(auth_delay(a, "192.0.2.9", "alice", t), 2000);
	/* Neither: no delay. */
	assert_int_equal(auth_delay(a, "192.0.2.9", "bob", t), 0);
	for (int i = 0; i < 10; i++)
		auth_failed(a, "192.0.2.1", "alice", t += 100);
	assert_int_equal(auth_delay(a, "192.0.2.1", NULL, t), 15000);
	/* The larger count wins. */
	auth_failed(a, "192.0.2.2", "carol", t);
	auth_failed(a, "192.0.2.2", "dave", t);
	assert_int_equal(auth_delay(a, "192.0.2.2", "carol", t), 4000);
	/* Success forgets the user, not the address. */
	auth_succeeded(a, "alice");
	assert_int_equal(auth_delay(a, "192.0.2.9", "alice", t), 0);
	assert_int_equal(auth_delay(a, "192.0.2.1", "alice", t), 15000);
	/* Just before the forget time still counted, at it forgotten. */
	assert_int_equal(auth_delay(a, "192.0.2.1", "",
			     t + AUTH_PENALTY_FORGET_MS - 1),
	    15000);
	assert_int_equal(auth_delay(a, "192.0.2.1", "",
			     t + AUTH_PENALTY_FORGET_MS),
	    0);
	/* A failure after the forget time starts again from one. */
	auth_failed(a, "192.0.2.1", NULL, t + AUTH_PENALTY_FORGET_MS);
	assert_int_equal(auth_delay(a, "192.0.2.1", NULL,
			     t + AUTH_PENALTY_FORGET_MS),
	    2000);
	assert_int_not_equal(auth_penalty_count(a), 0);
	auth_expire(a, t + 2 * AUTH_PENALTY_FORGET_MS);
	assert_int_equal(auth_penalty_count(a), 0);
	auth_destroy(&a);
	assert_null(a);
}

static void
test_penalty_bounded(void **state)
{
	struct auth *a = auth_create("/nonexistent");
	char name[32];

	(void)state;
	for (int i = 0; i < AUTH_PENALTY_MAX + 50; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		auth_failed(a, NULL, name, 0);
	}
	assert_int_equal(auth_penalty_count(a), AUTH_PENALTY_MAX);
	/* Full of live entries: a new name is not counted. */
	assert_int_equal(auth_delay(a, NULL, name, 1), 0);
	/* Once they expire, room is made again. */
	auth_failed(a, NULL, "late", AUTH_PENALTY_FORGET_MS);
	assert_int_equal(auth_delay(a, NULL, "late", AUTH_PENALTY_FORGET_MS),
	    2000);
	assert_int_equal(auth_penalty_count(a), 1);
	auth_destroy(&a);
}

static char dir[64];
static char path[128];

static void
write_table(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/auth_test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/users", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

/* One PLAIN attempt with message m (len bytes). */
static int
plain(struct auth *a, const char *m, size_t len)
{
	struct sasl_server *s =
	    sasl_server_create("PLAIN", "mail.example", auth_lookup, a);
	struct buf out;
	int rc;

	buf_init(&out, SASL_SERVER_INPUT_MAX);
	rc = sasl_server_step(s, (const unsigned char *)m, len, 1, &out);
	buf_deinit(&out);
	sasl_server_destroy(&s);
	return rc;
}

#define PLAIN(a, lit) plain((a), (lit), sizeof(lit) - 1)

static void
test_table_load_and_reload(void **state)
{
	struct auth *a;
	struct sasl_secret sec;
	const char *error = NULL;

	(void)state;
	write_table("# users\nalice:{PLAIN}secret::::::\n"
		    "bob:{PLAIN}pw2\nalice:{PLAIN}second\n",
	    0600);
	a = auth_create(path);
	/* Before any load: no table. */
	assert_int_equal(auth_lookup(a, "alice", &sec), -1);
	assert_int_equal(auth_refresh(a, 0, 0, &error), 0);
	assert_int_equal(auth_user_count(a), 2);
	assert_int_equal(auth_lookup(a, "alice", &sec), 1);
	assert_string_equal(sec.scheme, "PLAIN");
	assert_string_equal(sec.stored, "secret"); /* the first line wins */
	assert_int_equal(auth_lookup(a, "carol", &sec), 0);
	assert_string_equal(auth_mechs(a),
	    "SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN");
	assert_true(auth_mech_offered(a, "cram-md5"));
	assert_false(auth_mech_offered(a, "CRAM"));

	/* Lookups through sasl_server: right, wrong, unknown, authzid. */
	assert_int_equal(PLAIN(a, "\0alice\0secret"), SASL_OK);
	assert_int_equal(PLAIN(a, "\0alice\0wrong"), SASL_FAIL);
	assert_int_equal(PLAIN(a, "\0carol\0secret"), SASL_FAIL);
	assert_int_equal(PLAIN(a, "bob\0alice\0secret"), SASL_FAIL);
	assert_int_equal(PLAIN(a, "alice\0alice\0secret"), SASL_OK);

	/* A change is seen at the next check, not before AUTH_CHECK_MS. */
	write_table("alice:{PLAIN}new-secret-longer\n"
		    "carol:{SCRAM-SHA-256}x\n",
	    0600);
	assert_int_equal(auth_refresh(a, AUTH_CHECK_MS - 1, 0, &error), 0);
	assert_int_equal(auth_lookup(a, "carol", &sec), 0);
	assert_int_equal(auth_refresh(a, AUTH_CHECK_MS, 0, &error), 0);
	assert_int_equal(auth_lookup(a, "carol", &sec), 1);
	assert_int_equal(auth_lookup(a, "bob", &sec), 0);
	assert_int_equal(auth_user_count(a), 2);
	assert_string_equal(auth_mechs(a), "SCRAM-SHA-256 PLAIN LOGIN");
	assert_int_equal(PLAIN(a, "\0alice\0new-secret-longer"), SASL_OK);

	/* A crypt(3) user: only PLAIN and LOGIN. */
	write_table("dave:$6$salt$hash\n", 0640);
	assert_int_equal(auth_refresh(a, 0, 1, &error), 0);
	assert_string_equal(auth_mechs(a), "PLAIN LOGIN");
	assert_false(auth_mech_offered(a, "SCRAM-SHA-256"));

	/* Exposed to others: refused, a temporary failure. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(auth_refresh(a, 0, 1, &error), -1);
	assert_non_null(strstr(error, path));
	assert_int_equal(auth_lookup(a, "dave", &sec), -1);
	assert_int_equal(PLAIN(a, "\0dave\0x"), SASL_TEMPFAIL);
	/* Until the next check it stays so, without a new stat. */
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(auth_refresh(a, 1, 0, &error), -1);
	assert_int_equal(auth_refresh(a, AUTH_CHECK_MS, 0, &error), 0);
	assert_int_equal(auth_lookup(a, "dave", &sec), 1);

	/* Missing: a temporary failure naming the file. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(auth_refresh(a, 2 * AUTH_CHECK_MS, 0, &error), -1);
	assert_non_null(strstr(error, path));
	assert_int_equal(auth_user_count(a), 0);
	assert_int_equal(auth_lookup(a, "dave", &sec), -1);

	/* A malformed line: no table, the error names file and line. */
	write_table("ok:{PLAIN}x\n:nouser\n", 0600);
	assert_int_equal(auth_refresh(a, 3 * AUTH_CHECK_MS, 0, &error), -1);
	assert_non_null(strstr(error, ":2:"));
	auth_destroy(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_penalty_steps),
		cmocka_unit_test(test_penalty_growth_and_expiry),
		cmocka_unit_test(test_penalty_bounded),
		cmocka_unit_test_setup_teardown(test_table_load_and_reload,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
