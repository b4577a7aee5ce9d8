/* SPDX-License-Identifier: MIT */
/* passwd_edit_test - editing one user of a passwd-file table. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/passwd_edit.h"
#include "mail/passwd_file.h"
#include "mail/passwd_hash.h"
#include "mail/passwd_verify.h"
#include "util/buf.h"

#define S "{PLAIN}new"

static const struct {
	const char *in;
	enum passwd_edit_op op;
	const char *user;
	int rc;
	const char *out;
} cases[] = {
	/* add */
	{ "", PASSWD_EDIT_ADD, "bob", 0, "bob:" S "::::::\n" },
	{ "# users\n", PASSWD_EDIT_ADD, "bob", 0,
	    "# users\nbob:" S "::::::\n" },
	{ "a:x", PASSWD_EDIT_ADD, "bob", 0, "a:x\nbob:" S "::::::\n" },
	{ "bob:x\n", PASSWD_EDIT_ADD, "bob", PASSWD_EDIT_ERR_EXISTS, NULL },
	{ "  bob:x\n", PASSWD_EDIT_ADD, "bob", PASSWD_EDIT_ERR_EXISTS, NULL },
	{ "Bob:x\n", PASSWD_EDIT_ADD, "bob", 0, "Bob:x\nbob:" S "::::::\n" },
	{ "#bob:x\n", PASSWD_EDIT_ADD, "bob", 0, "#bob:x\nbob:" S "::::::\n" },
	{ "bobby:x\nbo:y\n", PASSWD_EDIT_ADD, "bob", 0,
	    "bobby:x\nbo:y\nbob:" S "::::::\n" },
	/* set: only the password field changes */
	{ "a:1\nbob:{SHA512-CRYPT}$6$x$y:10:20:G:/h:/s:userdb_mail=maildir:~\n"
	  "# c\n",
	    PASSWD_EDIT_SET, "bob", 0,
	    "a:1\nbob:" S ":10:20:G:/h:/s:userdb_mail=maildir:~\n# c\n" },
	{ "bob:old\r\nz:1\r\n", PASSWD_EDIT_SET, "bob", 0,
	    "bob:" S "\r\nz:1\r\n" },
	{ "bob", PASSWD_EDIT_SET, "bob", 0, "bob:" S },
	{ "bob:", PASSWD_EDIT_SET, "bob", 0, "bob:" S },
	{ "\tbob:old:1\n", PASSWD_EDIT_SET, "bob", 0, "\tbob:" S ":1\n" },
	{ "bob:1\nx\nbob:2:u\n", PASSWD_EDIT_SET, "bob", 0,
	    "bob:" S "\nx\nbob:" S ":u\n" },
	{ "a:1\n", PASSWD_EDIT_SET, "bob", PASSWD_EDIT_ERR_NOUSER, NULL },
	{ "#bob:1\n", PASSWD_EDIT_SET, "bob", PASSWD_EDIT_ERR_NOUSER, NULL },
	/* delete */
	{ "a:1\nbob:2\n# c\n\nz:3", PASSWD_EDIT_DEL, "bob", 0,
	    "a:1\n# c\n\nz:3" },
	{ "a:1\nbob:2", PASSWD_EDIT_DEL, "bob", 0, "a:1\n" },
	{ "bob:1\nbob:2\n", PASSWD_EDIT_DEL, "bob", 0, "" },
	{ "", PASSWD_EDIT_DEL, "bob", PASSWD_EDIT_ERR_NOUSER, NULL },
	/* bad names */
	{ "", PASSWD_EDIT_ADD, "", PASSWD_EDIT_ERR_USAGE, NULL },
	{ "", PASSWD_EDIT_ADD, "a:b", PASSWD_EDIT_ERR_USAGE, NULL },
	{ "", PASSWD_EDIT_ADD, "a b", PASSWD_EDIT_ERR_USAGE, NULL },
	{ "", PASSWD_EDIT_ADD, "a\tb", PASSWD_EDIT_ERR_USAGE, NULL },
	{ "", PASSWD_EDIT_ADD, "a\x01", PASSWD_EDIT_ERR_USAGE, NULL },
	{ "", PASSWD_EDIT_ADD, "a\x7f", PASSWD_EDIT_ERR_USAGE, NULL },
	{ "", PASSWD_EDIT_DEL, "#a", PASSWD_EDIT_ERR_USAGE, NULL },
};

static void
test_apply(void **state)
{
	struct buf out;
	const char *error;
	size_t i;
	int rc;

	buf_init(&out, 1 << 20);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		error = NULL;
		rc = passwd_edit_apply(cases[i].in, strlen(cases[i].in),
		    cases[i].op, cases[i].user, S, &out, &error);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, want %d (%s)", i, rc,
			    cases[i].rc, error ? error : "");
		if (rc == 0)
			assert_string_equal(buf_cstr(&out), cases[i].out);
		else
			assert_non_null(error);
	}
	buf_deinit(&out);
}

static void
test_names_and_secrets(void **state)
{
	char name[PASSWD_EDIT_NAME_MAX + 2];
	const char *error;
	struct buf out;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(passwd_edit_name_ok(name, &error), -1);
	name[sizeof(name) - 2] = '\0';
	assert_int_equal(passwd_edit_name_ok(name, &error), 0);
	assert_int_equal(passwd_edit_name_ok("Anna.Berg@example.org", &error),
	    0);
	assert_int_equal(passwd_edit_secret_ok("{PLAIN}a:b", 10, &error), -1);
	assert_int_equal(passwd_edit_secret_ok("{PLAIN}a\nb", 10, &error), -1);
	assert_int_equal(passwd_edit_secret_ok("{PLAIN}a\0b", 10, &error), -1);
	assert_int_equal(passwd_edit_secret_ok("{PLAIN}a b", 10, &error), 0);
	buf_init(&out, 1024);
	assert_int_equal(passwd_edit_apply("", 0, PASSWD_EDIT_ADD, "bob",
			     "{PLAIN}a:b", &out, &error),
	    PASSWD_EDIT_ERR_USAGE);
	/* A bounded output buffer is an error, not a truncated table. */
	buf_deinit(&out);
	buf_init(&out, 8);
	assert_int_equal(passwd_edit_apply("aaaaaaaaaa:1\n", 13,
			     PASSWD_EDIT_ADD, "bob", S, &out, &error),
	    PASSWD_EDIT_ERR_SYSTEM);
	buf_deinit(&out);
}

/* What add and passwd write is what auth reads and verifies, for every
 * scheme passwd_hash makes. */
static void
test_round_trip(void **state)
{
	static const char *schemes[] = { "SHA512-CRYPT", "SCRAM-SHA-256",
		"PLAIN" };
	struct passwd_entry ent;
	struct buf secret, out, again;
	const char *error;
	char *line;
	size_t i;

	buf_init(&secret, 4096);
	buf_init(&out, 1 << 16);
	buf_init(&again, 1 << 16);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		assert_int_equal(passwd_hash(schemes[i], "pass word", &secret,
				     &error),
		    0);
		assert_int_equal(passwd_edit_apply("# t\n", 4, PASSWD_EDIT_ADD,
				     "bob", buf_cstr(&secret), &out, &error),
		    0);
		assert_int_equal(passwd_hash(schemes[i], "other", &secret,
				     &error),
		    0);
		assert_int_equal(passwd_edit_apply(buf_cstr(&out),
				     buf_len(&out), PASSWD_EDIT_SET, "bob",
				     buf_cstr(&secret), &again, &error),
		    0);
		line = strchr(again.data, '\n') + 1;
		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(passwd_file_parse_line(line, &ent, &error), 1);
		assert_string_equal(ent.user, "bob");
		assert_string_equal(ent.scheme, schemes[i]);
		assert_string_equal(ent.extra, "");
		assert_int_equal(passwd_verify(ent.scheme, ent.password,
				     "other", &error),
		    1);
		assert_int_equal(passwd_verify(ent.scheme, ent.password,
				     "pass word", &error),
		    0);
	}
	buf_deinit(&secret);
	buf_deinit(&out);
	buf_deinit(&again);
}

static char dir[64], path[128];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/passwd_edit_test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/users", dir);
	return 0;
}

static int
teardown(void **state)
{
	char lock[160];

	snprintf(lock, sizeof(lock), "%s.lock", path);
	unlink(lock);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
read_all(char *text, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(text, 1, size - 1, fp);
	text[n] = '\0';
	fclose(fp);
}

static void
test_file(void **state)
{
	char text[1024], lock[160];
	struct buf err;
	struct stat st;
	struct passwd_entry ent;
	const char *error;
	FILE *fp;
	pid_t pid;
	int fd, status;

	buf_init(&err, 1024);
	assert_int_equal(passwd_edit_file(path, PASSWD_EDIT_DEL, "bob", NULL,
			     &err),
	    PASSWD_EDIT_ERR_NOUSER);
	assert_non_null(strstr(buf_cstr(&err), "no such user"));
	buf_reset(&err);
	/* A new table: 0640 whatever the umask. */
	umask(077);
	assert_int_equal(passwd_edit_file(path, PASSWD_EDIT_ADD, "bob",
			     "{PLAIN}old", &err),
	    0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, PASSWD_EDIT_NEW_MODE);
	read_all(text, sizeof(text));
	assert_string_equal(text, "bob:{PLAIN}old::::::\n");
	/* An existing table keeps its mode and every other byte. */
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs("# keep me\nodd line without colon\n", fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(passwd_edit_file(path, PASSWD_EDIT_SET, "bob", S,
			     &err),
	    0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	read_all(text, sizeof(text));
	assert_string_equal(text,
	    "bob:" S "::::::\n# keep me\nodd line without colon\n");
	assert_int_equal(passwd_edit_file(path, PASSWD_EDIT_ADD, "bob", S,
			     &err),
	    PASSWD_EDIT_ERR_EXISTS);
	buf_reset(&err);
	/* A held lock makes the edit wait for it. */
	snprintf(lock, sizeof(lock), "%s.lock", path);
	fd = open(lock, O_RDWR);
	assert_true(fd >= 0);
	if ((pid = fork()) == 0) {
		flock(fd, LOCK_EX);
		usleep(500000);
		_exit(0);
	}
	close(fd);
	fd = open(lock, O_RDWR);
	while (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		usleep(10000);
	}
	close(fd);
	assert_int_equal(passwd_edit_file(path, PASSWD_EDIT_ADD, "ann",
			     "{PLAIN}a", &err),
	    0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	read_all(text, sizeof(text));
	assert_string_equal(text,
	    "bob:" S "::::::\n# keep me\nodd line without colon\n"
	    "ann:{PLAIN}a::::::\n");
	/* The changed line parses with the new secret. */
	*strchr(text, '\n') = '\0';
	assert_int_equal(passwd_file_parse_line(text, &ent, &error), 1);
	assert_string_equal(ent.user, "bob");
	assert_string_equal(ent.scheme, "PLAIN");
	assert_string_equal(ent.password, "new");
	buf_deinit(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_names_and_secrets),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
