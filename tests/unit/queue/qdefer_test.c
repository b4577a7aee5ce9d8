/* SPDX-License-Identifier: MIT */
/* qdefer_test - deferral reason files: round trip, cleaning and cutting,
 * atomic replacement, removal, and a reader that survives damage. */
#include <fcntl.h>
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

#include "queue/qdefer.h"

#define ID "0A1B2C3D"

static char qdir[200];

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");
	char path[256];

	(void)state;
	if (base == NULL || *base == 0 || strlen(base) > 100)
		base = "/tmp";
	snprintf(qdir, sizeof(qdir), "%s/qdefer.XXXXXX", base);
	if (mkdtemp(qdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/defer", qdir);
	return mkdir(path, 0700);
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", qdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_raw(const char *text, size_t n)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/defer/%s", qdir, ID);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static void
test_round_trip(void **state)
{
	const char *rcpt[] = { "a@x.test", "b@y.test" };
	const char *why[] = { "maildir delivery failed: Not a directory",
		"connect to y.test[127.0.0.1]:25: Connection refused" };
	struct qdefer *d;
	const char *err;
	char path[256];
	struct stat st;

	(void)state;
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 0);
	assert_null(d);
	assert_null(qdefer_reason(d, "a@x.test"));
	assert_int_equal(qdefer_write(qdir, ID, rcpt, why, 2, &err), 0);
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 1);
	assert_int_equal(d->n, 2);
	assert_string_equal(qdefer_reason(d, "a@x.test"), why[0]);
	assert_string_equal(qdefer_reason(d, "b@y.test"), why[1]);
	assert_null(qdefer_reason(d, "c@z.test"));
	qdefer_free(&d);
	assert_null(d);
	/* Replaced whole, and no temp file is left. */
	assert_int_equal(qdefer_write(qdir, ID, rcpt + 1, why + 1, 1, &err), 0);
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 1);
	assert_int_equal(d->n, 1);
	assert_null(qdefer_reason(d, "a@x.test"));
	qdefer_free(&d);
	snprintf(path, sizeof(path), "%s/defer/%s.tmp", qdir, ID);
	assert_int_equal(stat(path, &st), -1);
	/* Nothing deferred: no file. */
	assert_int_equal(qdefer_write(qdir, ID, rcpt, why, 0, &err), 0);
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 0);
	assert_int_equal(qdefer_write(qdir, ID, rcpt, why, 1, &err), 0);
	assert_int_equal(qdefer_remove(qdir, ID, &err), 0);
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 0);
	/* Removing what is not there is fine. */
	assert_int_equal(qdefer_remove(qdir, ID, &err), 0);
}

static void
test_clean_and_cut(void **state)
{
	const char *rcpt[3], *why[3];
	char longwhy[QDEFER_MAX_REASON * 2], longrcpt[QDEFER_MAX_RCPT + 10];
	char out[8];
	struct qdefer *d;
	const char *err;

	(void)state;
	memset(longwhy, 'w', sizeof(longwhy) - 1);
	longwhy[sizeof(longwhy) - 1] = 0;
	memset(longrcpt, 'r', sizeof(longrcpt) - 1);
	longrcpt[sizeof(longrcpt) - 1] = 0;
	/* A reason cannot add a line or a field. */
	rcpt[0] = "a\tb@x.test";
	why[0] = "line one\nb@x.test\tforged\r";
	rcpt[1] = "c@x.test";
	why[1] = longwhy;
	rcpt[2] = longrcpt; /* left out */
	why[2] = "x";
	assert_int_equal(qdefer_write(qdir, ID, rcpt, why, 3, &err), 0);
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 1);
	assert_int_equal(d->n, 2);
	assert_string_equal(qdefer_reason(d, "a b@x.test"),
	    "line one b@x.test forged ");
	assert_int_equal(strlen(qdefer_reason(d, "c@x.test")),
	    QDEFER_MAX_REASON);
	assert_null(qdefer_reason(d, "b@x.test"));
	qdefer_free(&d);
	qdefer_clean(out, sizeof(out),
	    "ab\x01\x7f"
	    "cdefgh");
	assert_string_equal(out, "ab  cde");
	/* NULL reason: empty. */
	why[0] = NULL;
	assert_int_equal(qdefer_write(qdir, ID, rcpt + 1, why, 1, &err), 0);
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 1);
	assert_string_equal(qdefer_reason(d, "c@x.test"), "");
	qdefer_free(&d);
}

static void
test_damage(void **state)
{
	static const char good[] = "a@x\tone\nb@x\ttwo\n";
	char *big;
	size_t n, bigsize = QDEFER_MAX_LINE * 3 + 100;
	struct qdefer *d;
	const char *err;

	(void)state;
	/* Cut at every byte: never fails, never invents an entry. */
	for (n = 0; n <= sizeof(good) - 1; n++) {
		write_raw(good, n);
		assert_int_equal(qdefer_read(qdir, ID, &d, &err), 1);
		assert_true(d->n <= 2);
		for (size_t i = 0; i < d->n; i++)
			assert_true(strcmp(d->entry[i].reason, "one") == 0 ||
			    strcmp(d->entry[i].reason, "two") == 0);
		qdefer_free(&d);
	}
	/* No tab, empty recipient, an overlong line: skipped; what follows
	 * the long line is read. */
	big = malloc(bigsize);
	assert_non_null(big);
	n = (size_t)snprintf(big, bigsize, "junk\n\tnorcpt\n");
	memset(big + n, 'z', QDEFER_MAX_LINE * 2);
	n += QDEFER_MAX_LINE * 2;
	n += (size_t)snprintf(big + n, bigsize - n, "\tx\nok@x\tfine\n");
	write_raw(big, n);
	free(big);
	assert_int_equal(qdefer_read(qdir, ID, &d, &err), 1);
	assert_int_equal(d->n, 1);
	assert_string_equal(qdefer_reason(d, "ok@x"), "fine");
	qdefer_free(&d);
	/* A bad queue ID never names a path. */
	assert_int_equal(qdefer_read(qdir, "../x", &d, &err), -1);
	assert_int_equal(qdefer_remove(qdir, "../x", &err), -1);
	assert_int_equal(qdefer_write(qdir, "x/y", NULL, NULL, 1, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_clean_and_cut),
		cmocka_unit_test(test_damage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
