/* SPDX-License-Identifier: MIT */
/* alias_test - alias values, aliases(5) sources, safe .forward reads. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/alias.h"
#include "util/buf.h"
#include "util/dict.h"
#include "util/maps.h"
#include "util/mem.h"

/* Items rendered as "A:addr N:noexpand-user F:file P:command I:include",
 * separated by " | ". */
static void
render(const struct alias_items *items, size_t from, struct buf *out)
{
	static const char kinds[] = { 'A', 'F', 'P', 'I' };
	size_t i;

	buf_reset(out);
	for (i = from; i < items->n; i++) {
		const struct alias_item *it = &items->v[i];

		assert_int_equal(buf_printf(out, "%s%c:%s",
				     i > from ? " | " : "",
				     it->noexpand ? 'N' : kinds[it->kind],
				     it->text),
		    0);
	}
}

static const struct {
	const char *value;
	int rc;
	const char *want; /* rendered items, or a piece of the error */
} cases[] = {
	{ "bob", 1, "A:bob" },
	{ "bob, carol@example.com", 2, "A:bob | A:carol@example.com" },
	{ "bob carol\tdave,,erin", 4, "A:bob | A:carol | A:dave | A:erin" },
	{ "  \t ", 0, "" },
	{ "", 0, "" },
	{ "<bob@example.com>, < carol >", 2, "A:bob@example.com | A:carol" },
	{ "\\joe, joe-archive", 2, "N:joe | A:joe-archive" },
	{ "\"\\\\joe\"", 1, "N:joe" },
	{ "|/usr/bin/procmail", 1, "P:/usr/bin/procmail" },
	{ "\"|/usr/bin/foo -x a,b\", bob", 2, "P:/usr/bin/foo -x a,b | A:bob" },
	{ "|/usr/bin/vacation joe, bob", 2, "P:/usr/bin/vacation joe | A:bob" },
	{ "|/bin/sh -c \"echo a, b\" , bob", 2,
	    "P:/bin/sh -c \"echo a, b\" | A:bob" },
	{ "\"| /usr/bin/x \\\"q\\\"\"", 1, "P:/usr/bin/x \"q\"" },
	{ "/var/mail/archive, /home/joe/Maildir/", 2,
	    "F:/var/mail/archive | F:/home/joe/Maildir/" },
	{ "\"/tmp/with space\"", 1, "F:/tmp/with space" },
	{ ":include:/etc/tern/list", 1, "I:/etc/tern/list" },
	{ ":INCLUDE: /etc/tern/list", 1, "I:/etc/tern/list" },
	{ "\":include:/etc/a b\"", 1, "I:/etc/a b" },
	{ "\"joe smith\"@example.com", 1, "A:\"joe smith\"@example.com" },
	{ "# a comment, not an address\nbob\n  # another\n|/bin/x y\ncarol", 3,
	    "A:bob | P:/bin/x y | A:carol" },
	{ "bob # not a comment", 5, "A:bob | A:# | A:not | A:a | A:comment" },
	{ "\r\nbob\r\n", 1, "A:bob" },
	/* Errors. */
	{ "\"bob", -1, "unterminated quoted string" },
	{ "|/bin/x \"a", -1, "unterminated quoted string" },
	{ "\"a\nb\"", -1, "unterminated quoted string" },
	{ "|", -1, "empty command" },
	{ "\"| \"", -1, "empty command" },
	{ "\"\"", -1, "empty element" },
	{ ":include:", -1, ":include: needs an absolute path" },
	{ ":include:etc/list", -1, ":include: needs an absolute path" },
	{ ":file:/x", -1, "unknown element" },
	{ "\\", -1, "must be followed by a user name" },
	{ "\\|cmd", -1, "must be followed by a user name" },
	{ "<>", -1, "bad angle brackets" },
	{ "<bob", -1, "bad angle brackets" },
	{ "bob>", -1, "bad angle brackets" },
	{ "<a<b>", -1, "bad angle brackets" },
	{ "bob\001x", -1, "control character in address" },
	{ "\"|/bin/x\001\"", -1, "control character in command" },
};

static void
test_parse(void **state)
{
	struct alias_items items = { NULL, 0, 0 };
	struct buf got;
	char err[256];
	size_t i;
	int rc;

	(void)state;
	buf_init(&got, 65536);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		rc = alias_parse(cases[i].value, &items, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d (%s), want %d", i,
			    cases[i].value, rc, err, cases[i].rc);
		if (rc < 0) {
			if (strstr(err, cases[i].want) == NULL)
				fail_msg("case %zu: error \"%s\", want \"%s\"",
				    i, err, cases[i].want);
			assert_int_equal(items.n, 0);
			continue;
		}
		render(&items, 0, &got);
		if (strcmp(buf_cstr(&got), cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i,
			    buf_cstr(&got), cases[i].want);
		alias_items_free(&items);
	}
	buf_deinit(&got);
}

/* alias_parse appends, and a failure leaves what was there. */
static void
test_append_and_rollback(void **state)
{
	struct alias_items items = { NULL, 0, 0 };
	struct buf got;
	char err[256];

	(void)state;
	buf_init(&got, 4096);
	assert_int_equal(alias_parse("a, b", &items, err, sizeof(err)), 2);
	assert_int_equal(alias_parse("c", &items, err, sizeof(err)), 1);
	assert_int_equal(alias_parse("d, e, \"f", &items, err, sizeof(err)),
	    -1);
	render(&items, 0, &got);
	assert_string_equal(buf_cstr(&got), "A:a | A:b | A:c");
	assert_string_equal(alias_kind_name(ALIAS_PIPE), "command");
	alias_items_free(&items);
	assert_int_equal(items.n, 0);
	assert_null(items.v);
	buf_deinit(&got);
}

static void
test_limits(void **state)
{
	struct alias_items items = { NULL, 0, 0 };
	struct buf value;
	char err[256];
	int i;

	(void)state;
	buf_init(&value, 1024 * 1024);
	for (i = 0; i < ALIAS_ITEMS_MAX; i++)
		assert_int_equal(buf_printf(&value, "u%d,", i), 0);
	assert_int_equal(alias_parse(buf_cstr(&value), &items, err,
			     sizeof(err)),
	    ALIAS_ITEMS_MAX);
	alias_items_free(&items);
	assert_int_equal(buf_puts(&value, "one-too-many"), 0);
	assert_int_equal(alias_parse(buf_cstr(&value), &items, err,
			     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "more than 1000 items"));
	assert_int_equal(items.n, 0);

	buf_reset(&value);
	for (i = 0; i < ALIAS_ITEM_MAX; i++)
		assert_int_equal(buf_putc(&value, 'x'), 0);
	assert_int_equal(alias_parse(buf_cstr(&value), &items, err,
			     sizeof(err)),
	    1);
	alias_items_free(&items);
	assert_int_equal(buf_putc(&value, 'x'), 0);
	assert_int_equal(alias_parse(buf_cstr(&value), &items, err,
			     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "longer than 4096"));
	/* A quoted one too. */
	buf_reset(&value);
	assert_int_equal(buf_putc(&value, '"'), 0);
	for (i = 0; i < ALIAS_ITEM_MAX + 10; i++)
		assert_int_equal(buf_putc(&value, 'y'), 0);
	assert_int_equal(buf_putc(&value, '"'), 0);
	assert_int_equal(alias_parse(buf_cstr(&value), &items, err,
			     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "longer than 4096"));
	/* A tiny error buffer is cut, not overrun. */
	assert_int_equal(alias_parse("\"x", &items, err, 4), -1);
	assert_int_equal(strlen(err), 3);
	buf_deinit(&value);
}

/* Every cut of a value parses or fails cleanly. */
static void
test_cuts(void **state)
{
	static const char value[] =
	    "# c\n\\joe, \"|/bin/x a,b\" <bob@x> :include:/l, /m/ |y \"q\"z";
	struct alias_items items = { NULL, 0, 0 };
	char err[256], cut[sizeof(value)];
	size_t i;

	(void)state;
	for (i = 0; i <= sizeof(value) - 1; i++) {
		memcpy(cut, value, i);
		cut[i] = 0;
		if (alias_parse(cut, &items, err, sizeof(err)) < 0)
			assert_true(err[0] != 0);
		alias_items_free(&items);
	}
	assert_int_equal(alias_parse(value, &items, err, sizeof(err)), 6);
	alias_items_free(&items);
}

static void
test_owner_name(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(alias_owner_name("list", buf, sizeof(buf)),
	    "owner-list");
	assert_null(alias_owner_name("", buf, sizeof(buf)));
	assert_null(alias_owner_name("owner-list", buf, sizeof(buf)));
	assert_null(alias_owner_name("Owner-List", buf, sizeof(buf)));
	assert_null(alias_owner_name("a-very-long-name", buf, sizeof(buf)));
	assert_null(alias_owner_name("list-request", buf, sizeof(buf)));
	assert_string_equal(alias_owner_name("list-req", buf, sizeof(buf)),
	    "owner-list-req");
}

/* Temporary files. */
static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/alias_test.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	(void)chmod(tmpdir, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_in(char *out, size_t size, const char *name)
{
	assert_true((size_t)snprintf(out, size, "%s/%s", tmpdir, name) < size);
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

struct collect {
	struct buf out;
	int dup_after; /* report names after this many as duplicates */
	int count;
	int fail_at; /* fail on this entry (1-based), 0: never */
};

static int
collect(void *ctx, const char *name, const char *value, const char *file,
    unsigned long lineno, char *err, size_t errlen)
{
	struct collect *c = ctx;

	(void)file;
	c->count++;
	if (c->fail_at == c->count) {
		snprintf(err, errlen, "stop here");
		return -1;
	}
	(void)buf_printf(&c->out, "%s=%s@%lu;", name, value, lineno);
	return c->dup_after > 0 && c->count > c->dup_after ? 1 : 0;
}

static const char source[] = "# the system aliases\n"
			     "\n"
			     "Postmaster: root\n"
			     "root:\tjoe,\n"
			     "  # a comment inside\n"
			     "\n"
			     "\tbob\n"
			     "list : :include:/etc/tern/list\n"
			     "owner-list: joe\n"
			     "\"a b\": \"|/bin/x a,b\"\n";

static void
test_file_read(void **state)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "a: b\nnocolon\n", ":2: missing ':'" },
		{ "a: b\n: c\n", ":2: empty alias name" },
		{ "a: b\n\"\" : c\n", ":2: empty alias name" },
		{ "a:\n", ":1: alias \"a\" has no value" },
		{ "a: # c\n", ":1: alias \"a\" has no value" },
		{ " a: b\n", ":1: continuation line" },
		{ "a: b\nc: \"d\n", ":2: alias \"c\": unterminated" },
		{ "a: b\nx y: z\n", ":2: white space or '\"' in alias name" },
		{ "\"a: b\n", ":1: unterminated quoted alias name" },
		{ "\"a\" b: c\n", ":1: missing ':'" },
		{ "a: b\nc: :include:rel\n", ":2: alias \"c\": :include:" },
		{ "a: b\nc: d\0e\n", ":2: NUL byte" },
	};
	struct collect c;
	char path[128], err[512];
	size_t i;

	(void)state;
	path_in(path, sizeof(path), "aliases");
	write_file(path, source, sizeof(source) - 1);
	memset(&c, 0, sizeof(c));
	buf_init(&c.out, 65536);
	assert_int_equal(alias_file_read(path, collect, &c, err, sizeof(err)),
	    0);
	assert_string_equal(buf_cstr(&c.out),
	    "postmaster=root@3;root=joe,\tbob@4;list=:include:/etc/tern/list@8;"
	    "owner-list=joe@9;a b=\"|/bin/x a,b\"@10;");

	/* A duplicate is a warning, an error from fn stops at its line. */
	buf_reset(&c.out);
	c.count = 0;
	c.dup_after = 1;
	assert_int_equal(alias_file_read(path, collect, &c, err, sizeof(err)),
	    0);
	c.count = 0;
	c.dup_after = 0;
	c.fail_at = 3;
	assert_int_equal(alias_file_read(path, collect, &c, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "aliases:8: stop here"));
	buf_deinit(&c.out);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].text);

		if (strstr(bad[i].error, "NUL") != NULL)
			len = 12;
		write_file(path, bad[i].text, len);
		buf_init(&c.out, 4096);
		c.count = 0;
		c.fail_at = 0;
		err[0] = 0;
		assert_int_equal(alias_file_read(path, collect, &c, err,
				     sizeof(err)),
		    -1);
		if (strstr(err, bad[i].error) == NULL ||
		    strncmp(err, path, strlen(path)) != 0)
			fail_msg("bad %zu: error \"%s\", want \"%s\"", i, err,
			    bad[i].error);
		buf_deinit(&c.out);
	}
	assert_int_equal(unlink(path), 0);
	assert_int_equal(alias_file_read(path, collect, &c, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "No such file"));
}

/* hash: built from an aliases file, texthash: reading one directly. */
static void
test_tables(void **state)
{
	struct dict *d;
	struct maps *m;
	const char *error, *value;
	char path[128], spec[160];

	(void)state;
	path_in(path, sizeof(path), "aliases");
	write_file(path, source, sizeof(source) - 1);
	snprintf(spec, sizeof(spec), "hash:%s", path);
	assert_int_equal(dict_build_source(spec, NULL, &alias_dict_source,
			     &error),
	    0);
	assert_int_equal(dict_open(spec, NULL, &d, &error), 0);
	assert_int_equal(dict_lookup(d, "POSTMASTER", &value, &error), 1);
	assert_string_equal(value, "root");
	assert_int_equal(dict_lookup(d, "a b", &value, &error), 1);
	assert_string_equal(value, "\"|/bin/x a,b\"");
	assert_int_equal(dict_lookup(d, "postmaster:", &value, &error), 0);
	dict_close(&d);

	snprintf(spec, sizeof(spec), "texthash:%s", path);
	assert_int_equal(maps_open_source(spec, NULL, &alias_dict_source, &m,
			     &error),
	    0);
	assert_int_equal(maps_find(m, "root", &value, &error), 1);
	assert_string_equal(value, "joe,\tbob");
	maps_close(&m);

	/* A syntax error names the file and line; the old .db stays. */
	write_file(path, "a: b\nbroken\n", 12);
	snprintf(spec, sizeof(spec), "hash:%s", path);
	assert_int_equal(dict_build_source(spec, NULL, &alias_dict_source,
			     &error),
	    -1);
	assert_non_null(strstr(error, "aliases:2: missing ':'"));
	assert_int_equal(dict_open(spec, NULL, &d, &error), 0);
	assert_int_equal(dict_lookup(d, "root", &value, &error), 1);
	dict_close(&d);
}

/* .forward safety. */
static enum alias_load
load(const char *path, uid_t owner, int flags, char *why, size_t whylen)
{
	char *content = NULL;
	size_t len = 0;
	enum alias_load ret;

	why[0] = 0;
	ret = alias_file_load(path, owner, flags, &content, &len, why, whylen);
	if (ret == ALIAS_LOAD_OK) {
		assert_non_null(content);
		assert_int_equal(strlen(content), len);
	} else {
		assert_null(content);
	}
	xfree(content);
	return ret;
}

static void
test_file_load(void **state)
{
	char path[128], other[128], sub[128], why[512], *content;
	static const char text[] = "# forward\n\\joe, |/usr/bin/vacation joe\n";
	struct alias_items items = { NULL, 0, 0 };
	uid_t me = getuid();
	size_t len;

	(void)state;
	path_in(path, sizeof(path), ".forward");
	assert_int_equal(load(path, me, ALIAS_LOAD_CHECK_DIR, why, sizeof(why)),
	    ALIAS_LOAD_MISSING);
	path_in(other, sizeof(other), "nodir/.forward");
	assert_int_equal(load(other, me, ALIAS_LOAD_CHECK_DIR, why,
			     sizeof(why)),
	    ALIAS_LOAD_MISSING);

	write_file(path, text, sizeof(text) - 1);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(alias_file_load(path, me, ALIAS_LOAD_CHECK_DIR,
			     &content, &len, why, sizeof(why)),
	    ALIAS_LOAD_OK);
	assert_int_equal(len, sizeof(text) - 1);
	assert_int_equal(alias_parse(content, &items, why, sizeof(why)), 2);
	assert_int_equal(items.v[0].noexpand, 1);
	assert_int_equal(items.v[1].kind, ALIAS_PIPE);
	alias_items_free(&items);
	xfree(content);

	/* Writable by others or group. */
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(load(path, me, 0, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);
	assert_non_null(strstr(why, "writable by group or others"));
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(load(path, me, 0, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);
	assert_int_equal(chmod(path, 0600), 0);

	/* The directory: group-writable is refused, sticky is fine. */
	assert_int_equal(chmod(tmpdir, 0770), 0);
	assert_int_equal(load(path, me, ALIAS_LOAD_CHECK_DIR, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);
	assert_non_null(strstr(why, "directory writable by group or others"));
	assert_int_equal(load(path, me, 0, why, sizeof(why)), ALIAS_LOAD_OK);
	assert_int_equal(chmod(tmpdir, 01777), 0);
	assert_int_equal(load(path, me, ALIAS_LOAD_CHECK_DIR, why, sizeof(why)),
	    ALIAS_LOAD_OK);
	assert_int_equal(chmod(tmpdir, 0700), 0);

	/* Someone else's file (as root: a file given away to another uid). */
	if (me == 0) {
		assert_int_equal(chown(path, 12345, (gid_t)-1), 0);
		assert_int_equal(load(path, 0, 0, why, sizeof(why)),
		    ALIAS_LOAD_UNSAFE);
		assert_int_equal(chown(path, 0, (gid_t)-1), 0);
	} else {
		assert_int_equal(load(path, me + 1, 0, why, sizeof(why)),
		    ALIAS_LOAD_UNSAFE);
		assert_non_null(strstr(why, "or root"));
		assert_int_equal(load(path, me + 1, ALIAS_LOAD_CHECK_DIR, why,
				     sizeof(why)),
		    ALIAS_LOAD_UNSAFE);
		assert_non_null(strstr(why, "directory owned by uid"));
	}

	/* A symbolic link, even to a good file. */
	path_in(other, sizeof(other), "link");
	assert_int_equal(symlink(path, other), 0);
	assert_int_equal(load(other, me, 0, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);
	assert_non_null(strstr(why, "is a symbolic link"));
	assert_int_equal(unlink(other), 0);

	/* A FIFO (no writer: opening it must not block) and a directory. */
	path_in(other, sizeof(other), "fifo");
	assert_int_equal(mkfifo(other, 0600), 0);
	assert_int_equal(load(other, me, 0, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);
	assert_non_null(strstr(why, "not a regular file (a FIFO)"));
	assert_int_equal(unlink(other), 0);
	path_in(sub, sizeof(sub), "sub");
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(load(sub, me, 0, why, sizeof(why)), ALIAS_LOAD_UNSAFE);
	assert_non_null(strstr(why, "a directory"));

	/* A file whose directory part is a file. */
	path_in(other, sizeof(other), ".forward/x");
	assert_int_equal(load(other, me, 0, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);
	assert_int_equal(load("relative/.forward", me, 0, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);

	/* Hard links to one's own file are fine. */
	path_in(other, sizeof(other), "hardlink");
	assert_int_equal(link(path, other), 0);
	assert_int_equal(load(other, me, 0, why, sizeof(why)), ALIAS_LOAD_OK);
	assert_int_equal(unlink(other), 0);

	/* Too big, a NUL byte. */
	{
		char *big = xmalloc(ALIAS_FILE_MAX + 1);

		memset(big, 'a', ALIAS_FILE_MAX + 1);
		write_file(path, big, ALIAS_FILE_MAX);
		assert_int_equal(load(path, me, 0, why, sizeof(why)),
		    ALIAS_LOAD_OK);
		write_file(path, big, ALIAS_FILE_MAX + 1);
		assert_int_equal(load(path, me, 0, why, sizeof(why)),
		    ALIAS_LOAD_UNSAFE);
		assert_non_null(strstr(why, "larger than"));
		xfree(big);
	}
	write_file(path, "a\0b", 3);
	assert_int_equal(load(path, me, 0, why, sizeof(why)),
	    ALIAS_LOAD_UNSAFE);
	assert_non_null(strstr(why, "NUL"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_append_and_rollback),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_owner_name),
		cmocka_unit_test_setup_teardown(test_file_read, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_tables, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_file_load, setup_dir,
		    teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
