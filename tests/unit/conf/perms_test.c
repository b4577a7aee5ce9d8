/* SPDX-License-Identifier: MIT */
/* perms_test - the permissions manifest: every parse error with its
 * line, $name expansion, what perms_check reports and perms_apply
 * changes in a temporary tree, and a symbolic link refused by both. */
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

#include "conf/config.h"
#include "conf/perms.h"
#include "util/buf.h"

static char dir[64], manifest[128];
static char reports[8192];
static int nreports;

static void
record(void *ctx, int error, const char *text)
{
	size_t n = strlen(reports);
	size_t dl = strlen(dir);
	const char *p;

	/* The temporary directory reads as "DIR": stable expectations. */
	snprintf(reports + n, sizeof(reports) - n, "%s ", error ? "E" : "W");
	n = strlen(reports);
	for (p = text; *p != 0 && n + 4 < sizeof(reports);) {
		if (strncmp(p, dir, dl) == 0) {
			memcpy(reports + n, "DIR", 3);
			n += 3;
			p += dl;
		} else
			reports[n++] = *p++;
	}
	reports[n++] = '\n';
	reports[n] = 0;
	nreports++;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
write_manifest(const char *text)
{
	write_file(manifest, text);
}

static int
setup(void **state)
{
	char main_cf[128];
	const char *error;

	snprintf(dir, sizeof(dir), "/tmp/perms_test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(manifest, sizeof(manifest), "%s/permissions", dir);
	snprintf(main_cf, sizeof(main_cf), "%s/main.cf", dir);
	{
		char text[256];

		snprintf(text, sizeof(text), "queue_directory = %s/q\n", dir);
		write_file(main_cf, text);
	}
	if (config_load(dir, &error) < 0)
		return -1;
	reports[0] = 0;
	nreports = 0;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	config_reset();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "/x d root -\n", "expected: path type owner group mode" },
		{ "# c\n\n/x q root - 0755\n", ":3: type must be d, f or l" },
		{ "/x d root - 0789\n", "bad mode (octal, at most 07777)" },
		{ "/x d root - 17777\n", "bad mode (octal, at most 07777)" },
		{ "/x l root - -\n", "a link has owner, group and mode" },
		{ "/x d root - 0755 sometimes\n", "unknown flag" },
		{ "/x f root - 0755 create\n", "unknown flag" },
		{ "x d root - 0755\n", "path is not absolute" },
		{ "$no_such_parameter d root - 0755\n", "expands to nothing" },
		{ "/x d root - 0755 optional optional optional\n",
		    "too many fields" },
	};
	struct buf err;
	size_t i;

	buf_init(&err, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&err);
		write_manifest(cases[i].text);
		assert_int_equal(perms_check(manifest, 0, record, NULL, &err),
		    -1);
		assert_non_null(strstr(buf_cstr(&err), cases[i].error));
		assert_int_equal(strncmp(buf_cstr(&err), manifest,
				     strlen(manifest)),
		    0);
		assert_int_equal(perms_apply(manifest, record, NULL, &err), -1);
	}
	assert_int_equal(nreports, 0);
	buf_deinit(&err);
}

static void
test_check_and_apply(void **state)
{
	char path[192];
	struct stat st;
	struct buf err;

	buf_init(&err, 4096);
	write_manifest("# the queue\n"
		       "$queue_directory d - - 0755 create\n"
		       "${queue_directory}/sub d - - 1730 create\n"
		       "$queue_directory/file f - - 0640\n"
		       "$queue_directory/opt f - - 0600 optional\n"
		       "$queue_directory/must f - - 0600\n");
	/* Nothing there yet: only the required file is missing. */
	assert_int_equal(perms_check(manifest, 0, record, NULL, &err), 0);
	assert_string_equal(reports,
	    "W DIR/q/file: missing (DIR/permissions:4)\n"
	    "W DIR/q/must: missing (DIR/permissions:6)\n");
	reports[0] = 0;
	assert_int_equal(perms_apply(manifest, record, NULL, &err), 0);
	assert_non_null(strstr(reports, "W DIR/q: created\n"));
	assert_non_null(strstr(reports, "W DIR/q/sub: mode 0700 -> 1730\n"));
	snprintf(path, sizeof(path), "%s/q/sub", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 01730);

	/* A wrong mode: a warning for a user, an error for root. */
	snprintf(path, sizeof(path), "%s/q/file", dir);
	write_file(path, "x");
	assert_int_equal(chmod(path, 0666), 0);
	reports[0] = 0;
	assert_int_equal(perms_check(manifest, 0, record, NULL, &err), 0);
	assert_string_equal(reports,
	    "W DIR/q/file: mode 0666, not 0640; fix with: tern "
	    "set-permissions\n"
	    "W DIR/q/must: missing (DIR/permissions:6)\n");
	reports[0] = 0;
	assert_int_equal(perms_check(manifest, 1, record, NULL, &err), 1);
	reports[0] = 0;
	assert_int_equal(perms_apply(manifest, record, NULL, &err), 0);
	assert_non_null(strstr(reports, "W DIR/q/file: mode 0666 -> 0640\n"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* Stricter than the manifest: a warning even for root. */
	assert_int_equal(chmod(path, 0600), 0);
	reports[0] = 0;
	assert_int_equal(perms_check(manifest, 1, record, NULL, &err), 0);
	assert_non_null(strstr(reports, "W DIR/q/file: mode 0600, not 0640"));
	buf_deinit(&err);
}

static void
test_symlink_refused(void **state)
{
	char path[192], target[192];
	struct stat st;
	struct buf err;

	buf_init(&err, 4096);
	snprintf(path, sizeof(path), "%s/q", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	write_file(target, "x");
	assert_int_equal(chmod(target, 0644), 0);
	snprintf(path, sizeof(path), "%s/q/file", dir);
	assert_int_equal(symlink(target, path), 0);
	write_manifest("$queue_directory/file f - - 0600\n"
		       "$queue_directory/link l - - -\n");
	snprintf(path, sizeof(path), "%s/q/link", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(perms_check(manifest, 0, record, NULL, &err), 1);
	assert_string_equal(reports,
	    "E DIR/q/file: a symbolic link where a regular file belongs; "
	    "refused (remove it, then run tern set-permissions)\n");
	reports[0] = 0;
	assert_int_equal(perms_apply(manifest, record, NULL, &err), 1);
	/* The link's target is untouched. */
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* A link where the manifest has a directory is refused too. */
	write_manifest("$queue_directory/link d - - 0700 create\n");
	reports[0] = 0;
	assert_int_equal(perms_apply(manifest, record, NULL, &err), 1);
	assert_non_null(strstr(reports, "a symbolic link where a directory"));
	buf_deinit(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_and_apply, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
