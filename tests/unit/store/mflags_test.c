/* SPDX-License-Identifier: MIT */
/* mflags_test - flags in Maildir file names (parse, rewrite in ASCII order,
 * unknown letters kept) and Dovecot's dovecot-keywords file (read with its
 * rules, case-insensitive names, write under its lock, mtime growing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <cmocka.h>

#include "store/mflags.h"
#include "util/buf.h"

static char dir[] = "/tmp/mflags_test.XXXXXX";

static void
put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_names(void **state)
{
	struct mflags f;
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	mflags_parse("1700000000.M1P2.host,S=10,W=12:2,FRS", &f);
	assert_int_equal(f.flags, MFLAG_FLAGGED | MFLAG_REPLIED | MFLAG_SEEN);
	assert_int_equal(f.keywords, 0);
	mflags_parse("b:2,Sca", &f);
	assert_int_equal(f.flags, MFLAG_SEEN);
	assert_int_equal(f.keywords, 0x5);
	mflags_parse("b", &f);
	assert_int_equal(f.flags, 0);
	mflags_parse("b:2,", &f);
	assert_int_equal(f.flags, 0);
	/* Rewritten in ASCII order; a letter we do not know is kept. */
	mflags_parse("b:2,aXTD", &f);
	assert_string_equal(f.other, "X");
	f.flags |= MFLAG_SEEN;
	f.keywords |= 1u << 25;
	assert_int_equal(mflags_name("b", &f, &out), 0);
	assert_string_equal(out.data, "b:2,DSTXaz");
	f.flags = 0;
	f.keywords = 0;
	f.other[0] = '\0';
	assert_int_equal(mflags_name("b,S=1", &f, &out), 0);
	assert_string_equal(out.data, "b,S=1:2,");
	buf_deinit(&out);
}

static void
test_keywords_file(void **state)
{
	struct mkeywords k, again;
	struct buf err;
	struct stat st;
	struct utimbuf old = { 1000000, 1000000 };
	char path[512];

	(void)state;
	buf_init(&err, 1024);
	/* Missing: empty. */
	assert_int_equal(mkeywords_read(dir, &k, &err), 0);
	assert_int_equal(mkeywords_find(&k, "Junk"), -1);
	/* As Dovecot writes it; lines it would skip are skipped. */
	put("dovecot-keywords",
	    "0 $Forwarded\n1 Junk\nnonsense\n30 big\n"
	    "2\n3 NonJunk\n4 junk\n");
	assert_int_equal(mkeywords_read(dir, &k, &err), 0);
	assert_string_equal(k.names[0], "$Forwarded");
	assert_int_equal(mkeywords_find(&k, "junk"), 1);
	assert_int_equal(mkeywords_find(&k, "NONJUNK"), 3);
	assert_null(k.names[2]);
	assert_null(k.names[4]);
	/* A new name takes the first free index. */
	assert_int_equal(mkeywords_add(&k, "$Label1"), 2);
	assert_int_equal(mkeywords_add(&k, "junk"), 1);
	snprintf(path, sizeof(path), "%s/dovecot-keywords", dir);
	assert_int_equal(utime(path, &old), 0);
	assert_int_equal(mkeywords_write(dir, &k, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_mtime > 1000000);
	assert_int_equal(mkeywords_read(dir, &again, &err), 0);
	for (int i = 0; i < MFLAG_KEYWORDS_MAX; i++)
		if (k.names[i] == NULL)
			assert_null(again.names[i]);
		else
			assert_string_equal(k.names[i], again.names[i]);
	mkeywords_free(&again);
	/* Full. */
	for (int i = 0; i < MFLAG_KEYWORDS_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "k%d", i);
		(void)mkeywords_add(&k, name);
	}
	assert_int_equal(mkeywords_add(&k, "one too many"), -1);
	/* Dovecot's lock: a fresh one is respected, a stale one taken. */
	put("dovecot-keywords.lock", "");
	assert_int_equal(mkeywords_write(dir, &k, &err), -1);
	assert_non_null(strstr(err.data, "locked"));
	snprintf(path, sizeof(path), "%s/dovecot-keywords.lock", dir);
	assert_int_equal(utime(path, &old), 0);
	assert_int_equal(mkeywords_write(dir, &k, &err), 0);
	assert_int_equal(access(path, F_OK), -1);
	mkeywords_free(&k);
	buf_deinit(&err);
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_keywords_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
