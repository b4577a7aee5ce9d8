/* SPDX-License-Identifier: MIT */
/* passwd_file_test - Dovecot passwd-file lines and files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/passwd_file.h"
#include "util/buf.h"

static const struct {
	const char *line;
	int rc;
	const char *user, *scheme, *password, *uid, *home, *extra;
} cases[] = {
	{ "alice:{SHA512-CRYPT}$6$salt$hash:1000:1000::/home/alice::"
	  "userdb_mail=maildir:~/Maildir quota=1G",
	    1, "alice", "SHA512-CRYPT", "$6$salt$hash", "1000", "/home/alice",
	    "userdb_mail=maildir:~/Maildir quota=1G" },
	{ "bob:$2y$05$abc", 1, "bob", NULL, "$2y$05$abc", "", "", "" },
	{ "carol:{PLAIN}secret:::", 1, "carol", "PLAIN", "secret", "", "", "" },
	{ "dave@example.org:{CRYPT}$y$j9T$x$y:::::", 1, "dave@example.org",
	    "CRYPT", "$y$j9T$x$y", "", "", "" },
	{ "erin::", 1, "erin", NULL, "", "", "", "" },
	{ "", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "   ", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "# comment:x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ ":{PLAIN}x", -1, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "frank", -1, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "fr ank:x", -1, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "gina:{SHA512-CRYPT$6$x", -1, NULL, NULL, NULL, NULL, NULL, NULL },
};

static void
test_lines(void **state)
{
	struct passwd_entry ent;
	const char *error;
	char line[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "%s", cases[i].line);
		error = NULL;
		assert_int_equal(passwd_file_parse_line(line, &ent, &error),
		    cases[i].rc);
		if (cases[i].rc < 0) {
			assert_non_null(error);
			continue;
		}
		if (cases[i].rc == 0)
			continue;
		assert_string_equal(ent.user, cases[i].user);
		if (cases[i].scheme == NULL)
			assert_null(ent.scheme);
		else
			assert_string_equal(ent.scheme, cases[i].scheme);
		assert_string_equal(ent.password, cases[i].password);
		assert_string_equal(ent.uid, cases[i].uid);
		assert_string_equal(ent.home, cases[i].home);
		assert_string_equal(ent.extra, cases[i].extra);
	}
}

/* Every prefix of a valid line parses or fails cleanly, never crashes. */
static void
test_cuts(void **state)
{
	const char *full = "alice:{SHA512-CRYPT}$6$s$h:1:2:g:/h:/sh:a=b c=d";
	struct passwd_entry ent;
	const char *error;
	char line[128];
	size_t n;

	(void)state;
	for (n = 0; n <= strlen(full); n++) {
		snprintf(line, sizeof(line), "%.*s", (int)n, full);
		(void)passwd_file_parse_line(line, &ent, &error);
	}
}

struct collect {
	int n;
	char users[8][32];
};

static int
collect(const struct passwd_entry *ent, void *ctx)
{
	struct collect *c = ctx;

	if (c->n < 8)
		snprintf(c->users[c->n], sizeof(c->users[0]), "%s", ent->user);
	c->n++;
	return 0;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
test_read(void **state)
{
	char path[] = "/tmp/passwd_file_testXXXXXX";
	static const char good[] = "# users\n\nalice:{PLAIN}a\r\n"
				   "bob:$6$x$y:::::\nlast:{PLAIN}z";
	static const char bad[] = "alice:{PLAIN}a\n\nbroken\n";
	static const char nul[] = "alice:{PLAIN}a\0b\n";
	struct collect c;
	struct buf err;
	int fd;

	(void)state;
	buf_init(&err, 512);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);

	memset(&c, 0, sizeof(c));
	write_file(path, good, sizeof(good) - 1);
	assert_int_equal(passwd_file_read(path, collect, &c, &err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.users[0], "alice");
	assert_string_equal(c.users[1], "bob");
	assert_string_equal(c.users[2], "last");

	memset(&c, 0, sizeof(c));
	write_file(path, bad, sizeof(bad) - 1);
	assert_int_equal(passwd_file_read(path, collect, &c, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), ":3: missing password"));

	buf_reset(&err);
	write_file(path, nul, sizeof(nul) - 1);
	assert_int_equal(passwd_file_read(path, collect, &c, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), ":1: NUL"));

	unlink(path);
	buf_reset(&err);
	assert_int_equal(passwd_file_read(path, collect, &c, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "open "));
	buf_deinit(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
