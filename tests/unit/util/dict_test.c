/* SPDX-License-Identifier: MIT */
/* dict_test - text parser, every table type, case folding, build. */
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

#include "util/buf.h"
#include "util/dict.h"
#include "util/log.h"
#include "util/mem.h"

static char tmpdir[256];

static int
setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/dict_test.XXXXXX",
	    t != NULL && *t != 0 ? t : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Write text to tmpdir/name; return the path (static). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static char *
spec_of(const char *type, const char *path)
{
	struct buf b;
	char *s;

	buf_init(&b, 1024);
	assert_int_equal(buf_printf(&b, "%s:%s", type, path), 0);
	s = buf_steal(&b);
	buf_deinit(&b);
	return s;
}

static const char good_source[] = "# a comment\n"
				  "Alice@Example.COM   alice-box\n"
				  "\n"
				  "   # indented comment\n"
				  "bob value with  spaces   \n"
				  "carol first\n"
				  "    second\n"
				  "\tthird\n"
				  "dup one\n"
				  "DUP two\n"
				  "key#hash not#a#comment\r\n"
				  "last\tno-newline";

static const struct {
	const char *key, *value; /* value NULL: not found */
} good_lookups[] = {
	{ "alice@example.com", "alice-box" },
	{ "ALICE@EXAMPLE.COM", "alice-box" },
	{ "bob", "value with  spaces" },
	{ "carol", "first    second\tthird" },
	{ "dup", "one" },
	{ "Dup", "one" },
	{ "key#hash", "not#a#comment" },
	{ "last", "no-newline" },
	{ "second", NULL },
	{ "#", NULL },
	{ "", NULL },
	{ "a-comment", NULL },
};

static void
check_good(struct dict *d)
{
	size_t i;
	const char *value, *error;

	for (i = 0; i < sizeof(good_lookups) / sizeof(good_lookups[0]); i++) {
		int ret = dict_lookup(d, good_lookups[i].key, &value, &error);

		if (good_lookups[i].value == NULL) {
			assert_int_equal(ret, 0);
		} else {
			assert_int_equal(ret, 1);
			assert_string_equal(value, good_lookups[i].value);
		}
	}
}

struct walk_seen {
	struct dict *d;
	size_t n;
	int stop_at;
	int every_key;
};

/* Every entry walked is what a lookup of its key gives. */
static int
walk_check(void *ctx, const char *key, const char *value)
{
	struct walk_seen *w = ctx;
	const char *found, *error;

	if (key == NULL) {
		w->every_key++;
		assert_int_equal(dict_lookup(w->d, "anything", &found, &error),
		    1);
	} else {
		char *copy = xstrdup(value);

		assert_int_equal(dict_lookup(w->d, key, &found, &error), 1);
		assert_string_equal(found, copy);
		xfree(copy);
	}
	w->n++;
	return w->stop_at > 0 && w->n == (size_t)w->stop_at ? 42 : 0;
}

/* Walk d: every entry once (n of them), and a callback can stop it. */
static void
check_walk(struct dict *d, size_t n)
{
	struct walk_seen w;
	const char *error;

	memset(&w, 0, sizeof(w));
	w.d = d;
	assert_int_equal(dict_walk(d, walk_check, &w, &error), 0);
	assert_int_equal(w.n, n);
	memset(&w, 0, sizeof(w));
	w.d = d;
	w.stop_at = 2;
	assert_int_equal(dict_walk(d, walk_check, &w, &error), 42);
	assert_int_equal(w.n, 2);
}

static void
test_text_types(void **state)
{
	static const char *types[] = { "texthash", "hash", "btree" };
	const char *path = write_file("good", good_source), *error;
	struct dict *d;
	size_t i;

	for (i = 0; i < 3; i++) {
		char *spec = spec_of(types[i], path);

		if (i > 0)
			assert_int_equal(dict_build(spec, NULL, &error), 0);
		assert_int_equal(dict_open(spec, NULL, &d, &error), 0);
		assert_string_equal(dict_spec(d), spec);
		check_good(d);
		/* alice, bob, carol, dup, key#hash, last. */
		check_walk(d, 6);
		dict_close(&d);
		assert_null(d);
		xfree(spec);
	}
}

static void
test_default_type(void **state)
{
	const char *path = write_file("plain", "k v\n"), *error, *value;
	struct dict *d;
	char *spec = spec_of("hash", path);

	assert_int_equal(dict_build(path, "hash", &error), 0);
	assert_int_equal(dict_open(path, "hash", &d, &error), 0);
	assert_string_equal(dict_spec(d), spec);
	assert_int_equal(dict_lookup(d, "K", &value, &error), 1);
	assert_string_equal(value, "v");
	dict_close(&d);
	assert_int_equal(dict_open(path, NULL, &d, &error), -1);
	assert_non_null(strstr(error, "no type"));
	assert_null(d);
	xfree(spec);
}

static void
test_duplicate_warning(void **state)
{
	const char *path = write_file("dups", "a 1\nb 2\nA 3\n"), *error;
	char logpath[512], text[1024], expect[600];
	struct dict *d;
	FILE *fp;
	size_t n;

	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	assert_int_equal(log_open_file(logpath, &error), 0);
	assert_int_equal(dict_open(path, "texthash", &d, &error), 0);
	assert_int_equal(log_open_file("-", &error), 0);
	dict_close(&d);
	fp = fopen(logpath, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = 0;
	fclose(fp);
	snprintf(expect, sizeof(expect), "%s:3: duplicate entry", path);
	assert_non_null(strstr(text, expect));
}

static const struct {
	const char *source;
	const char *error; /* expected substring, after "path" */
} bad_sources[] = {
	{ "a 1\nnovalue\n", ":2: expected format" },
	{ "a 1\nnovalue   \n  \n", ":2: expected format" },
	{ "# c\n\n  leading 1\n", ":3: continuation line" },
	{ "a 1\nb\n  \n# x\n", ":2: expected format" },
	{ "a 1\nb 2\nc\0d 3\n", ":3: NUL byte" },
};

static void
test_bad_sources(void **state)
{
	static const char *types[] = { "texthash", "hash", "btree" };
	char name[32], expect[600];
	size_t i, t;

	for (i = 0; i < sizeof(bad_sources) / sizeof(bad_sources[0]); i++) {
		const char *path, *error;
		struct dict *d;
		FILE *fp;
		size_t len = strlen(bad_sources[i].source);
		char *spec;

		/* The NUL case needs the bytes after the NUL too. */
		if (strstr(bad_sources[i].error, "NUL"))
			len = 13;
		snprintf(name, sizeof(name), "bad%zu", i);
		path = write_file(name, "");
		fp = fopen(path, "w");
		assert_int_equal(fwrite(bad_sources[i].source, 1, len, fp),
		    len);
		fclose(fp);
		snprintf(expect, sizeof(expect), "%s%s", path,
		    bad_sources[i].error);
		for (t = 0; t < 3; t++) {
			spec = spec_of(types[t], path);
			if (t == 0)
				assert_int_equal(dict_open(spec, NULL, &d,
						     &error),
				    -1);
			else
				assert_int_equal(dict_build(spec, NULL, &error),
				    -1);
			assert_non_null(strstr(error, expect));
			xfree(spec);
		}
		/* A failed build leaves no database or temporary file. */
		snprintf(expect, sizeof(expect), "%s.db", path);
		assert_int_equal(access(expect, F_OK), -1);
	}
}

static void
test_long_key(void **state)
{
	struct buf b;
	const char *path, *error;
	struct dict *d;

	buf_init(&b, 3 * DICT_KEY_MAX);
	while (buf_len(&b) <= DICT_KEY_MAX)
		buf_putc(&b, 'k');
	buf_puts(&b, " v\n");
	path = write_file("longkey", buf_cstr(&b));
	assert_int_equal(dict_open(path, "texthash", &d, &error), -1);
	assert_non_null(strstr(error, ":1: key longer than"));
	path = write_file("ok", "k v\n");
	assert_int_equal(dict_open(path, "texthash", &d, &error), 0);
	/* An over-long lookup key is simply not found. */
	assert_int_equal(dict_lookup(d, buf_cstr(&b), &error, &error), 0);
	dict_close(&d);
	buf_deinit(&b);
}

static void
test_open_errors(void **state)
{
	const char *error;
	struct dict *d;
	char path[512];

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(dict_open("nosuch:/x", NULL, &d, &error), -1);
	assert_string_equal(error, "unsupported dictionary type: nosuch");
	assert_int_equal(dict_open("/x", "nosuch", &d, &error), -1);
	assert_string_equal(error, "unsupported dictionary type: nosuch");
	assert_int_equal(dict_open("texthash:", NULL, &d, &error), -1);
	assert_int_equal(dict_open(path, "texthash", &d, &error), -1);
	assert_non_null(strstr(error, "missing: No such file or directory"));
	assert_int_equal(dict_open(path, "hash", &d, &error), -1);
	assert_non_null(strstr(error, "missing.db: No such file"));
	assert_int_equal(dict_build(path, "btree", &error), -1);
	assert_non_null(strstr(error, "missing: No such file"));
	assert_int_equal(dict_build("inline:{a=b}", NULL, &error), -1);
	assert_non_null(strstr(error, "no compiled form"));
	assert_int_equal(dict_build("texthash:/x", NULL, &error), -1);
	assert_int_equal(dict_build("static:x", NULL, &error), -1);
}

static const struct {
	const char *spec;
	const char *key, *value; /* value NULL: not found */
} inline_cases[] = {
	{ "inline:{ key1=value1, { key2 = value with, commas } }", "key1",
	    "value1" },
	{ "inline:{ key1=value1, { key2 = value with, commas } }", "KEY2",
	    "value with, commas" },
	{ "inline:{ key1=value1, { key2 = value with, commas } }", "value1",
	    NULL },
	{ "inline:{A=B C=D,,E=F}", "c", "D" },
	{ "inline:{A=B C=D,,E=F}", "e", "F" },
	{ "inline:{ a=1, A=2 }", "a", "1" },
	{ "inline:{ a= }", "a", "" },
	{ "inline:{ {a={x}} }", "a", "{x}" },
	{ "inline:{}", "a", NULL },
	{ "static:fixed", "anything", "fixed" },
	{ "static:fixed", "", "fixed" },
	{ "static:{ with space }", "x", "with space" },
	{ "STATIC:Keep Case", "x", "Keep Case" },
};

static void
test_inline_static(void **state)
{
	const char *value, *error;
	struct dict *d;
	size_t i;

	for (i = 0; i < sizeof(inline_cases) / sizeof(inline_cases[0]); i++) {
		assert_int_equal(dict_open(inline_cases[i].spec, NULL, &d,
				     &error),
		    0);
		if (inline_cases[i].value == NULL) {
			assert_int_equal(dict_lookup(d, inline_cases[i].key,
					     &value, &error),
			    0);
		} else {
			assert_int_equal(dict_lookup(d, inline_cases[i].key,
					     &value, &error),
			    1);
			assert_string_equal(value, inline_cases[i].value);
		}
		dict_close(&d);
	}
}

static const struct {
	const char *spec, *error;
} inline_bad[] = {
	{ "inline:a=b", "expected inline:{" },
	{ "inline:{a=b", "expected inline:{" },
	{ "inline:{a=b}}", "expected inline:{" },
	{ "inline:{ a }", "missing '='" },
	{ "inline:{ =b }", "empty key" },
	{ "inline:{ {a=b }", "expected inline:{" },
	{ "inline:{ a=b }x", "expected inline:{" },
};

static void
test_inline_errors(void **state)
{
	const char *error;
	struct dict *d;
	size_t i;

	for (i = 0; i < sizeof(inline_bad) / sizeof(inline_bad[0]); i++) {
		assert_int_equal(dict_open(inline_bad[i].spec, NULL, &d,
				     &error),
		    -1);
		assert_non_null(strstr(error, inline_bad[i].error));
		assert_null(d);
	}
}

/* Every prefix of a valid inline spec either opens or fails cleanly. */
static void
test_inline_split_points(void **state)
{
	static const char spec[] = "inline:{ a=1, { b = 2, 3 } c=4 }";
	const char *error, *value;
	struct dict *d;
	size_t n;

	for (n = 0; n <= sizeof(spec) - 1; n++) {
		char *cut = xstrndup(spec, n);

		if (dict_open(cut, NULL, &d, &error) == 0) {
			assert_int_equal(n, sizeof(spec) - 1);
			assert_int_equal(dict_lookup(d, "b", &value, &error),
			    1);
			assert_string_equal(value, "2, 3");
			dict_close(&d);
		}
		xfree(cut);
	}
}

static const struct {
	const char *list;
	const char *items[5];
	int error;
} list_cases[] = {
	{ "", { NULL }, 0 },
	{ " ,, ", { NULL }, 0 },
	{ "a,b c", { "a", "b", "c", NULL }, 0 },
	{ "inline:{ a=b, c=d } static:x",
	    { "inline:{ a=b, c=d }", "static:x", NULL }, 0 },
	{ "x{ {y z} },w", { "x{ {y z} }", "w", NULL }, 0 },
	{ "a{", { NULL }, 1 },
	{ "a}", { NULL }, 1 },
};

static void
test_list_next(void **state)
{
	const char *cursor, *item, *error;
	size_t i, j, len;
	int ret;

	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		cursor = list_cases[i].list;
		for (j = 0;
		     (ret = dict_list_next(&cursor, &item, &len, &error)) > 0;
		     j++) {
			assert_non_null(list_cases[i].items[j]);
			assert_int_equal(len, strlen(list_cases[i].items[j]));
			assert_memory_equal(item, list_cases[i].items[j], len);
		}
		assert_int_equal(ret, list_cases[i].error ? -1 : 0);
		if (!list_cases[i].error)
			assert_null(list_cases[i].items[j]);
	}
}

static void
test_rebuild_replaces(void **state)
{
	const char *path = write_file("rebuild", "k old\n"), *error, *value;
	char dbpath[512];
	struct dict *d;
	struct stat st;

	assert_int_equal(dict_build(path, "hash", &error), 0);
	path = write_file("rebuild", "k new\nk2 v2\n");
	assert_int_equal(dict_build(path, "hash", &error), 0);
	assert_int_equal(dict_open(path, "hash", &d, &error), 0);
	assert_int_equal(dict_lookup(d, "k", &value, &error), 1);
	assert_string_equal(value, "new");
	dict_close(&d);
	snprintf(dbpath, sizeof(dbpath), "%s.db", path);
	assert_int_equal(stat(dbpath, &st), 0);
	/* A failed rebuild keeps the old database. */
	path = write_file("rebuild", "k newer\nbroken\n");
	assert_int_equal(dict_build(path, "hash", &error), -1);
	assert_int_equal(dict_open(path, "hash", &d, &error), 0);
	assert_int_equal(dict_lookup(d, "k", &value, &error), 1);
	assert_string_equal(value, "new");
	dict_close(&d);
}

/* cidr: first matching pattern in file order; bad patterns name the
 * line. */
static void
test_cidr_table(void **state)
{
	const char *path, *value, *error;
	char *spec;
	struct dict *d;

	path = write_file("clients",
	    "# access by network\n"
	    "192.0.2.7 REJECT one host\n"
	    "192.0.2.0/24 OK\n"
	    "[2001:db8::]/32 OK six\n"
	    "0.0.0.0/0 DUNNO\n");
	spec = spec_of("cidr", path);
	assert_int_equal(dict_open(spec, NULL, &d, &error), 0);
	assert_int_equal(dict_lookup(d, "192.0.2.7", &value, &error), 1);
	assert_string_equal(value, "REJECT one host");
	assert_int_equal(dict_lookup(d, "192.0.2.8", &value, &error), 1);
	assert_string_equal(value, "OK");
	assert_int_equal(dict_lookup(d, "::FFFF:192.0.2.9", &value, &error), 1);
	assert_string_equal(value, "OK");
	assert_int_equal(dict_lookup(d, "2001:DB8:1::5", &value, &error), 1);
	assert_string_equal(value, "OK six");
	assert_int_equal(dict_lookup(d, "10.1.2.3", &value, &error), 1);
	assert_string_equal(value, "DUNNO");
	assert_int_equal(dict_lookup(d, "2001:db9::1", &value, &error), 0);
	assert_int_equal(dict_lookup(d, "not-an-address", &value, &error), 0);
	dict_close(&d);
	xfree(spec);

	path = write_file("bad", "10.0.0.0/8 OK\n192.0.2.1/24 OK\n");
	spec = spec_of("cidr", path);
	assert_int_equal(dict_open(spec, NULL, &d, &error), -1);
	assert_non_null(strstr(error,
	    "bad:2: bad network pattern "
	    "\"192.0.2.1/24\": address has bits set beyond the prefix "
	    "length"));
	xfree(spec);
}

/* inline: and static: (every key: one entry with a NULL key). */
static void
test_walk(void **state)
{
	struct walk_seen w;
	const char *error;
	struct dict *d;

	assert_int_equal(dict_open("inline:{ a=1, b=2, { c = 3 } }", NULL, &d,
			     &error),
	    0);
	check_walk(d, 3);
	dict_close(&d);
	assert_int_equal(dict_open("static:0", NULL, &d, &error), 0);
	memset(&w, 0, sizeof(w));
	w.d = d;
	assert_int_equal(dict_walk(d, walk_check, &w, &error), 0);
	assert_int_equal(w.every_key, 1);
	dict_close(&d);
}

/* A table file replaced (ternmap renames a new .db into place) or edited
 * in place shows as a change of that table until it is closed; a failed
 * rebuild and tables without a file change nothing. */
static void
test_changed(void **state)
{
	const char *path = write_file("changing", "k old\n"), *error, *spec;
	char text[512], *hspec, *tspec;
	struct dict *h, *t, *inl;
	FILE *fp;

	snprintf(text, sizeof(text), "%s", path);
	hspec = spec_of("hash", text);
	tspec = spec_of("texthash", text);
	assert_int_equal(dict_build(text, "hash", &error), 0);
	assert_int_equal(dict_open(hspec, NULL, &h, &error), 0);
	assert_int_equal(dict_open(tspec, NULL, &t, &error), 0);
	assert_int_equal(dict_open("inline:{k=v}", NULL, &inl, &error), 0);
	assert_int_equal(dict_changed(&spec), 0);
	/* A rebuild that fails leaves the .db alone. */
	write_file("changing", "k new\nbroken\n");
	assert_int_equal(dict_build(text, "hash", &error), -1);
	/* ... but the text source itself was rewritten in place. */
	assert_int_equal(dict_changed(&spec), 1);
	assert_string_equal(spec, tspec);
	dict_close(&t);
	assert_int_equal(dict_changed(&spec), 0);
	write_file("changing", "k new\nk2 v2\n");
	assert_int_equal(dict_build(text, "hash", &error), 0);
	assert_int_equal(dict_changed(&spec), 1);
	assert_string_equal(spec, hspec);
	dict_close(&h);
	assert_int_equal(dict_changed(&spec), 0);
	/* Opened again: the new version is the one watched. */
	assert_int_equal(dict_open(hspec, NULL, &h, &error), 0);
	assert_int_equal(dict_changed(&spec), 0);
	fp = fopen(text, "a");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(dict_changed(&spec), 0);
	dict_close(&h);
	dict_close(&inl);
	xfree(hspec);
	xfree(tspec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_types),
		cmocka_unit_test(test_default_type),
		cmocka_unit_test(test_duplicate_warning),
		cmocka_unit_test(test_bad_sources),
		cmocka_unit_test(test_long_key),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_inline_static),
		cmocka_unit_test(test_inline_errors),
		cmocka_unit_test(test_inline_split_points),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test(test_rebuild_replaces),
		cmocka_unit_test(test_cidr_table),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_changed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
