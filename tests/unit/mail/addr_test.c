/* SPDX-License-Identifier: MIT */
/* addr_test - RFC 5321 paths, canonical form, limits, map lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/addr.h"
#include "util/buf.h"
#include "util/maps.h"
#include "util/mem.h"

#define N ADDR_ALLOW_NULL
#define B ADDR_ALLOW_BARE
#define L ADDR_ALLOW_LOCAL

static const struct {
	const char *in;
	int flags;
	const char *canon; /* NULL: error expected */
	const char *rest;  /* what *end_r points at, or error text */
} path_cases[] = {
	{ "<user@example.com>", 0, "user@example.com", "" },
	{ "<User.Name+tag@Example.COM> SIZE=100", 0,
	    "User.Name+tag@Example.COM", " SIZE=100" },
	{ "<>", N, "", "" },
	{ "<> BODY=8BITMIME", N, "", " BODY=8BITMIME" },
	{ "<>", 0, NULL, "Null address not allowed" },
	{ "<\"john doe\"@example.com>", 0, "\"john doe\"@example.com", "" },
	{ "<\"a\\\"b\"@x>", 0, "\"a\\\"b\"@x", "" },
	{ "<\"a\\\\b\"@x>", 0, "\"a\\\\b\"@x", "" },
	{ "<\"plain\"@x>", 0, "plain@x", "" },
	{ "<\"\\p\\l\\a\\i\\n\"@x>", 0, "plain@x", "" },
	{ "<\"a.b\"@x>", 0, "a.b@x", "" },
	{ "<\"a..b\"@x>", 0, "\"a..b\"@x", "" },
	{ "<\".a\"@x>", 0, "\".a\"@x", "" },
	{ "<\"\"@x>", 0, "\"\"@x", "" },
	{ "<\"a@b\"@x>", 0, "\"a@b\"@x", "" },
	{ "<@relay.example:user@example.com>", 0, "user@example.com", "" },
	{ "<@a.example,@b.example:u@c.example>", 0, "u@c.example", "" },
	{ "<@a.example,b.example:u@c>", 0, NULL, "Bad source route syntax" },
	{ "<@a.example u@c>", 0, NULL, "Bad source route syntax" },
	{ "<@:u@c>", 0, NULL, "Bad domain syntax" },
	{ "<user@[192.0.2.1]>", 0, "user@[192.0.2.1]", "" },
	{ "<user@[IPv6:::1]>", 0, "user@[IPv6:::1]", "" },
	{ "<user@[ipv6:2001:db8::1]>", 0, "user@[ipv6:2001:db8::1]", "" },
	{ "<user@[192.0.2.256]>", 0, NULL, "Bad IPv4 address literal" },
	{ "<user@[IPv6:::g]>", 0, NULL, "Bad IPv6 address literal" },
	{ "<user@[x-tag:abc]>", 0, NULL, "Unsupported address literal" },
	{ "<user@[192.0.2.1>", 0, NULL, "Bad address literal" },
	{ "<postmaster>", L, "postmaster", "" },
	{ "<postmaster>", 0, NULL, "Domain missing" },
	{ "<\"post master\">", L, "\"post master\"", "" },
	{ "user@example.com", 0, NULL, "Missing '<' before address" },
	{ "user@example.com SIZE=1", B, "user@example.com", " SIZE=1" },
	{ "user@example.com", B, "user@example.com", "" },
	{ "postmaster", B | L, "postmaster", "" },
	{ "", B, NULL, "Empty address" },
	{ "", 0, NULL, "Missing '<' before address" },
	{ "<user@example.com", 0, NULL, "Missing '>' after address" },
	{ "<user@example.com x>", 0, NULL, "Missing '>' after address" },
	{ "<user>", 0, NULL, "Domain missing" },
	{ "<user@>", 0, NULL, "Bad domain syntax" },
	{ "<@example.com>", 0, NULL, "Bad source route syntax" },
	{ "<user@-a.example>", 0, NULL, "Bad domain syntax" },
	{ "<user@a-.example>", 0, NULL, "Bad domain syntax" },
	{ "<user@a..example>", 0, NULL, "Bad domain syntax" },
	{ "<user@example.com.>", 0, NULL, "Bad domain syntax" },
	{ "<user@exa_mple.com>", 0, NULL, "Missing '>' after address" },
	{ "<a-b.c-d@1x.example>", 0, "a-b.c-d@1x.example", "" },
	{ "<.user@x>", 0, NULL, "Bad local part syntax" },
	{ "<user.@x>", 0, NULL, "Bad local part syntax" },
	{ "<us..er@x>", 0, NULL, "Bad local part syntax" },
	{ "<john doe@x>", 0, NULL, "Bad local part syntax" },
	{ "<\"unterminated@x>", 0, NULL, "Unterminated quoted local part" },
	{ "<us\001er@x>", 0, NULL, "8-bit or control character in address" },
	{ "<\"us\ter\"@x>", 0, NULL, "8-bit or control character in address" },
	{ "<\"us\\\ter\"@x>", 0, NULL,
	    "8-bit or control character in address" },
	{ "<j\xc3\xb6rg@x>", 0, NULL, "8-bit or control character in address" },
	{ "<jorg@\xc3\xb6.x>", 0, NULL,
	    "8-bit or control character in address" },
	{ "<jorg@x\x7f>", 0, NULL, "8-bit or control character in address" },
	{ "<!#$%&'*+-/=?^_`{|}~@x>", 0, "!#$%&'*+-/=?^_`{|}~@x", "" },
};

static void
test_paths(void **state)
{
	struct buf *addr = buf_create(1024);
	const char *end, *error;
	size_t i;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		int ret = addr_parse_path(path_cases[i].in, path_cases[i].flags,
		    addr, &end, &error);

		if (path_cases[i].canon == NULL) {
			if (ret != -1)
				fail_msg("case %zu %s: accepted", i,
				    path_cases[i].in);
			assert_string_equal(error, path_cases[i].rest);
		} else {
			if (ret != 0)
				fail_msg("case %zu %s: %s", i, path_cases[i].in,
				    error);
			assert_string_equal(buf_cstr(addr),
			    path_cases[i].canon);
			assert_string_equal(end, path_cases[i].rest);
		}
	}
	buf_destroy(&addr);
}

/* Build "<" local "@" domain ">" with given part sizes. */
static void
make_path(struct buf *b, size_t local, size_t label, size_t labels)
{
	size_t i, j;

	buf_reset(b);
	buf_putc(b, '<');
	for (i = 0; i < local; i++)
		buf_putc(b, 'l');
	buf_putc(b, '@');
	for (j = 0; j < labels; j++) {
		if (j > 0)
			buf_putc(b, '.');
		for (i = 0; i < label; i++)
			buf_putc(b, 'd');
	}
	buf_putc(b, '>');
}

static void
test_limits(void **state)
{
	static const struct {
		size_t local, label, labels;
		const char *error; /* NULL: accepted */
	} cases[] = {
		{ 64, 10, 1, NULL }, { 65, 10, 1, "Local part too long" },
		{ 10, 63, 1, NULL }, { 10, 64, 1, "Domain label too long" },
		{ 10, 63, 3, NULL }, /* 191 */
		{ 10, 63, 4, NULL }, /* domain 255 ok, path 268 too long */
		{ 60, 63, 3, NULL }, /* path 254 */
		{ 62, 63, 3, NULL }, /* path 256 */
		{ 63, 63, 3, NULL }, /* path 257 too long */
		{ 1, 50, 5, NULL },  /* domain 254 */
		{ 1, 51, 5, "Domain too long" }, /* domain 259 */
	};
	struct buf *b = buf_create(4096), *out = buf_create(4096);
	const char *end, *error;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t path_len;
		const char *want = cases[i].error;
		int ret;

		make_path(b, cases[i].local, cases[i].label, cases[i].labels);
		path_len = buf_len(b);
		if (want == NULL && path_len > ADDR_PATH_MAX)
			want = "Path too long";
		ret = addr_parse_path(buf_cstr(b), 0, out, &end, &error);
		if (want == NULL) {
			assert_int_equal(ret, 0);
		} else {
			assert_int_equal(ret, -1);
			assert_string_equal(error, want);
		}
	}
	/* Quoted local part: 64 octets as sent, quotes included. */
	buf_set(b, "<\"");
	for (i = 0; i < 62; i++)
		buf_putc(b, ' ');
	buf_puts(b, "\"@x>");
	assert_int_equal(addr_parse_path(buf_cstr(b), 0, out, &end, &error), 0);
	buf_set(b, "<\"");
	for (i = 0; i < 63; i++)
		buf_putc(b, ' ');
	buf_puts(b, "\"@x>");
	assert_int_equal(addr_parse_path(buf_cstr(b), 0, out, &end, &error),
	    -1);
	assert_string_equal(error, "Local part too long");
	buf_destroy(&b);
	buf_destroy(&out);
}

/* Every cut of a valid path fails cleanly (or succeeds only whole). */
static void
test_split_points(void **state)
{
	static const char *paths[] = {
		"<@r.example,@s.example:\"a\\\"b c\"@[IPv6:2001:db8::1]>",
		"<user@example.com>",
		"<\"x\"@[192.0.2.1]>",
	};
	struct buf *out = buf_create(1024);
	const char *end, *error;
	size_t i, n;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		size_t len = strlen(paths[i]);

		for (n = 0; n < len; n++) {
			char *cut = xstrndup(paths[i], n);

			assert_int_equal(addr_parse_path(cut, N, out, &end,
					     &error),
			    -1);
			assert_non_null(error);
			xfree(cut);
		}
		assert_int_equal(addr_parse_path(paths[i], 0, out, &end,
				     &error),
		    0);
	}
	buf_destroy(&out);
}

static void
test_addr_spec(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *canon; /* NULL: error */
	} cases[] = {
		{ "user@example.com", 0, "user@example.com" },
		{ "\"john doe\"@example.com", 0, "\"john doe\"@example.com" },
		{ "\"john\"@example.com", 0, "john@example.com" },
		{ "user@[192.0.2.1]", 0, "user@[192.0.2.1]" },
		{ "user@example.com trailing", 16, "user@example.com" },
		{ "user", 0, NULL },
		{ "<user@example.com>", 0, NULL },
		{ "user@example.com ", 0, NULL },
		{ "user@ex\0ample.com", 17, NULL },
		{ "", 0, NULL },
	};
	struct buf *out = buf_create(1024);
	const char *error;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		int ret = addr_parse_addr_spec(cases[i].in, len, out, &error);

		if (cases[i].canon == NULL) {
			assert_int_equal(ret, -1);
		} else {
			assert_int_equal(ret, 0);
			assert_string_equal(buf_cstr(out), cases[i].canon);
		}
	}
	buf_destroy(&out);
}

static void
test_parts(void **state)
{
	static const struct {
		const char *addr, *domain, *local;
		int postmaster;
	} cases[] = {
		{ "user@example.com", "example.com", "user", 0 },
		{ "\"a@b\"@x", "x", "a@b", 0 },
		{ "\"a\\\"b\"@x", "x", "a\"b", 0 },
		{ "\"a\\\\\"@x", "x", "a\\", 0 },
		{ "PostMaster", "", "PostMaster", 1 },
		{ "postmaster@example.com", "example.com", "postmaster", 1 },
		{ "\"postmaster\"@x", "x", "postmaster", 1 },
		{ "postmaster2@x", "x", "postmaster2", 0 },
		{ "", "", "", 0 },
	};
	struct buf *out = buf_create(1024), *q = buf_create(1024);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *d = addr_domain(cases[i].addr);

		assert_string_equal(d, cases[i].domain);
		assert_int_equal(addr_local_part(cases[i].addr, out), 0);
		assert_string_equal(buf_cstr(out), cases[i].local);
		assert_int_equal(addr_is_postmaster(cases[i].addr),
		    cases[i].postmaster);
		/* Quoting the parts gives the canonical address back. */
		if (*cases[i].addr != 0 && !strstr(cases[i].addr, "\"post")) {
			assert_int_equal(addr_quote(buf_cstr(out), d, q), 0);
			assert_string_equal(buf_cstr(q), cases[i].addr);
		}
	}
	assert_int_equal(addr_quote("a b", NULL, q), 0);
	assert_string_equal(buf_cstr(q), "\"a b\"");
	assert_int_equal(addr_quote("a\tb", "x", q), -1);
	assert_int_equal(addr_quote("a\xe9", "x", q), -1);
	buf_destroy(&out);
	buf_destroy(&q);
}

static const struct {
	const char *addr, *delim;
	int flags;
	const char *value, *ext; /* value NULL: not found */
} lookup_cases[] = {
	{ "user+ext@example.com", "+", 0, "full", "" },
	{ "User+Ext@Example.COM", "+", 0, "full", "" },
	{ "user+other@example.com", "+", 0, "bare", "other" },
	{ "user+other@example.com", "", 0, NULL, "" },
	{ "user+other@example.com", NULL, 0, NULL, "" },
	{ "user-a-b@example.com", "+-", 0, "bare", "a-b" },
	{ "user+a-b@example.com", "-+", 0, "bare", "a-b" },
	{ "user-x@example.com", "+", 0, NULL, "" },
	{ "user-x@example.com", "+", ADDR_LOOKUP_CATCHALL, "catchall", "" },
	{ "nobody@example.com", "+", ADDR_LOOKUP_CATCHALL, "catchall", "" },
	{ "nobody@example.com", "+", 0, NULL, "" },
	{ "nobody@other.example", "+", ADDR_LOOKUP_CATCHALL, NULL, "" },
	{ "+user@example.com", "+", 0, NULL, "" },
	{ "\"a b+c\"@example.com", "+", 0, "quoted", "c" },
	{ "user", "+", ADDR_LOOKUP_CATCHALL, "local", "" },
	{ "user+z", "+", ADDR_LOOKUP_CATCHALL, "local", "z" },
};

static void
test_map_lookup(void **state)
{
	const char *value, *error;
	struct buf *ext = buf_create(1024);
	struct maps *m;
	size_t i;

	assert_int_equal(
	    maps_open("inline:{ user+ext@example.com=full, "
		      "user@example.com=bare, @example.com=catchall, "
		      "{ \"a b\"@example.com = quoted }, user=local }",
		NULL, &m, &error),
	    0);
	for (i = 0; i < sizeof(lookup_cases) / sizeof(lookup_cases[0]); i++) {
		int ret = addr_map_lookup(m, lookup_cases[i].addr,
		    lookup_cases[i].delim, lookup_cases[i].flags, &value, ext,
		    &error);

		if (lookup_cases[i].value == NULL) {
			if (ret != 0)
				fail_msg("case %zu: found %s", i, value);
		} else {
			if (ret != 1)
				fail_msg("case %zu: not found", i);
			assert_string_equal(value, lookup_cases[i].value);
		}
		assert_string_equal(buf_cstr(ext), lookup_cases[i].ext);
	}
	assert_int_equal(addr_map_lookup(m, "user+q@example.com", "+", 0,
			     &value, NULL, &error),
	    1);
	maps_close(&m);
	buf_destroy(&ext);
}

/* SMTPUTF8 (RFC 6531): UTF-8 in the local part and domain only when the
 * caller allows it, and only well formed. */
static void
test_utf8(void **state)
{
	struct buf *out = buf_create(1024);
	const char *end, *error;

	(void)state;
	assert_int_equal(addr_parse_path("<j\xc3\xb6ran@b\xc3\xbc"
					 "cher.example>",
			     ADDR_ALLOW_UTF8, out, &end, &error),
	    0);
	assert_string_equal(buf_cstr(out),
	    "j\xc3\xb6ran@b\xc3\xbc"
	    "cher.example");
	assert_int_equal(addr_parse_path("<\"\xe2\x82\xac x\"@ex.test>",
			     ADDR_ALLOW_UTF8, out, &end, &error),
	    0);
	assert_int_equal(addr_parse_path("<j\xc3\xb6ran@example.com>", 0, out,
			     &end, &error),
	    -1);
	assert_string_equal(error, "8-bit or control character in address");
	assert_int_equal(addr_parse_path("<a\xc3@example.com>", ADDR_ALLOW_UTF8,
			     out, &end, &error),
	    -1);
	assert_string_equal(error, "Malformed UTF-8 in address");
	assert_int_equal(addr_parse_path("<a\xc0\xaf@example.com>",
			     ADDR_ALLOW_UTF8, out, &end, &error),
	    -1);
	assert_int_equal(addr_parse_path("<a\xed\xa0\x80@example.com>",
			     ADDR_ALLOW_UTF8, out, &end, &error),
	    -1);
	buf_destroy(&out);
}

/* A whole address from a command line or a maildrop file. */
static void
test_whole(void **state)
{
	static const struct {
		const char *in;
		int flags;
		int ret;
		const char *out;
	} cases[] = {
		{ "alice@example.org", 0, 0, "alice@example.org" },
		{ "<alice@example.org>", 0, 0, "alice@example.org" },
		{ "alice", ADDR_ALLOW_LOCAL, 0, "alice" },
		{ "alice", 0, -1, "" },
		{ "", ADDR_ALLOW_NULL, 0, "" },
		{ "<>", ADDR_ALLOW_NULL, 0, "" },
		{ "", 0, -1, "" },
		{ "a@b SIZE=1", 0, -1, "" },
		{ "<a@b> x", 0, -1, "" },
		{ "a b@c", 0, -1, "" },
	};
	struct buf b;
	const char *error;
	size_t i;

	(void)state;
	buf_init(&b, 512);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret =
		    addr_parse_whole(cases[i].in, cases[i].flags, &b, &error);

		assert_int_equal(ret, cases[i].ret);
		if (ret == 0)
			assert_string_equal(b.data, cases[i].out);
	}
	buf_deinit(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_split_points),
		cmocka_unit_test(test_addr_spec),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_map_lookup),
		cmocka_unit_test(test_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
