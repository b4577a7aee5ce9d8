/* SPDX-License-Identifier: MIT */
/* mutf7_test - modified UTF-7 (RFC 3501 5.1.3) both ways: the RFC's and
 * Dovecot's spellings, every refusal of the strict decoder and of the
 * UTF-8 reader, the bound on the result, and round trips of every code
 * point and of every cut of an encoded name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/mutf7.h"

static const struct {
	const char *utf8, *mutf7;
} vectors[] = {
	{ "", "" },
	{ "INBOX", "INBOX" },
	{ "Entw\xc3\xbcrfe", "Entw&APw-rfe" },
	{ "\xe5\x8f\xb0\xe5\x8c\x97", "&U,BTFw-" },
	{ "&", "&-" },
	{ "a&b&&", "a&-b&-&-" },
	{ "\xc3\xbc&", "&APw-&-" },
	{ "&\xc3\xbc", "&-&APw-" },
	/* RFC 3501 5.1.3 */
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac"
	  "\xe8\xaa\x9e",
	    "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	/* a surrogate pair: U+1F600 */
	{ "\xf0\x9f\x98\x80", "&2D3eAA-" },
	/* control characters are encoded (names refuse them elsewhere) */
	{ "a\tb", "a&AAk-b" },
	{ "\x7f", "&AH8-" },
	/* three units: a whole number of base64 characters */
	{ "\xc3\xa4\xc3\xb6\xc3\xbc", "&AOQA9gD8-" },
};

static void
test_vectors(void **state)
{
	const char *error = NULL;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 1024);
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		buf_reset(&b);
		assert_int_equal(mutf7_from_utf8(vectors[i].utf8,
				     strlen(vectors[i].utf8), &b, &error),
		    0);
		assert_string_equal(b.data, vectors[i].mutf7);
		buf_reset(&b);
		assert_int_equal(mutf7_to_utf8(vectors[i].mutf7,
				     strlen(vectors[i].mutf7), &b, &error),
		    0);
		assert_string_equal(b.data, vectors[i].utf8);
	}
	buf_deinit(&b);
}

typedef int convert_fn(const char *, size_t, struct buf *, const char **);

/* Each of the n texts in bad, and one with a NUL byte inside, is refused
 * with an error, and the buffer keeps what it held. */
static void
refused(convert_fn *convert, const char *const *bad, size_t n)
{
	const char *error;
	struct buf b;
	size_t i;

	buf_init(&b, 1024);
	for (i = 0; i < n; i++) {
		buf_set(&b, "kept");
		error = NULL;
		if (convert(bad[i], strlen(bad[i]), &b, &error) != -1)
			fail_msg("accepted vector %zu", i);
		assert_non_null(error);
		assert_string_equal(b.data, "kept");
	}
	assert_int_equal(convert("a\0b", 3, &b, &error), -1);
	assert_string_equal(b.data, "kept");
	buf_deinit(&b);
}

static void
test_refused_mutf7(void **state)
{
	static const char *const bad[] = {
		"&",          /* "&" at the end */
		"a&",         /* likewise */
		"&A",         /* not ended */
		"&APw",       /* not ended */
		"&APw-&",     /* a second one not ended */
		"&APw.x-",    /* a character that is not base64 */
		"&U/BTFw-",   /* "/" is not in the modified alphabet */
		"&AGE-",      /* encodes "a" */
		"&ACY-",      /* encodes "&" (must be "&-") */
		"&ACA-",      /* encodes " " */
		"&AAA-",      /* U+0000 */
		"&APw-&APw-", /* two sequences in a row */
		"&APx-",      /* bits left over that are not zero */
		"&AP-",       /* 12 bits: no whole unit */
		"&APwA-",     /* a whole character left over */
		"&2D0-",      /* high surrogate alone */
		"&2D0AYQ-",   /* high surrogate, then not a low one */
		"&3gA-",      /* low surrogate alone */
		"\x80",       /* not US-ASCII */
		"a\tb",       /* a control character, not encoded */
		"\x7f",       /* DEL, not encoded */
	};

	(void)state;
	refused(mutf7_to_utf8, bad, sizeof(bad) / sizeof(bad[0]));
}

static void
test_refused_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc0\xaf",         /* overlong "/" */
		"\xe0\x80\xaf",     /* overlong */
		"\xf0\x80\x80\xaf", /* overlong */
		"\xed\xa0\x80",     /* a surrogate */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xf5\x80\x80\x80", /* likewise */
		"\xe4\xb8",         /* cut short */
		"\x80",             /* a continuation byte alone */
		"a\xc3",            /* cut short at the end */
		"\xc3\x28",         /* not a continuation byte */
		"\xff",
	};

	(void)state;
	refused(mutf7_from_utf8, bad, sizeof(bad) / sizeof(bad[0]));
}

/* A result past the buffer's maximum is refused at every size, and the
 * buffer is left as it was. */
static void
test_limits(void **state)
{
	static const char utf8[] = "Entw\xc3\xbcrfe \xe5\x8f\xb0\xe5\x8c\x97";
	static const char mutf7[] = "Entw&APw-rfe &U,BTFw-";
	const char *error;
	struct buf *b;
	size_t max;

	(void)state;
	for (max = 1; max < sizeof(mutf7) - 1; max++) {
		b = buf_create(max);
		assert_int_equal(mutf7_from_utf8(utf8, strlen(utf8), b, &error),
		    -1);
		assert_int_equal(b->len, 0);
		buf_destroy(&b);
	}
	for (max = 1; max < sizeof(utf8) - 1; max++) {
		b = buf_create(max);
		assert_int_equal(mutf7_to_utf8(mutf7, strlen(mutf7), b, &error),
		    -1);
		assert_int_equal(b->len, 0);
		buf_destroy(&b);
	}
}

/* Append cp as UTF-8 (the test's own writer). */
static void
put_cp(struct buf *b, uint32_t cp)
{
	if (cp < 0x80)
		buf_putc(b, (int)cp);
	else if (cp < 0x800)
		buf_printf(b, "%c%c", 0xc0 | cp >> 6, 0x80 | (cp & 0x3f));
	else if (cp < 0x10000)
		buf_printf(b, "%c%c%c", 0xe0 | cp >> 12,
		    0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
	else
		buf_printf(b, "%c%c%c%c", 0xf0 | cp >> 18,
		    0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f),
		    0x80 | (cp & 0x3f));
}

/* Every code point, alone and between others, survives the round trip;
 * the encoding of a printable character is itself. */
static void
test_round_trip(void **state)
{
	struct buf u, m, back;
	const char *error;
	uint32_t cp;

	(void)state;
	buf_init(&u, 64);
	buf_init(&m, 64);
	buf_init(&back, 64);
	for (cp = 1; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		buf_reset(&u);
		buf_reset(&m);
		buf_reset(&back);
		buf_puts(&u, "x");
		put_cp(&u, cp);
		put_cp(&u, 0xfc);
		put_cp(&u, cp);
		assert_int_equal(mutf7_from_utf8(u.data, u.len, &m, &error), 0);
		assert_int_equal(mutf7_to_utf8(m.data, m.len, &back, &error),
		    0);
		assert_int_equal(back.len, u.len);
		assert_memory_equal(back.data, u.data, u.len);
	}
	buf_deinit(&u);
	buf_deinit(&m);
	buf_deinit(&back);
}

/* Every cut of an encoded name is either refused or decodes to a
 * prefix that encodes back to the cut. */
static void
test_cuts(void **state)
{
	static const char mutf7[] = "a&-&U,BTFw-/&2D3eAA-&-Entw&APw-rfe";
	const char *error;
	struct buf d, e;
	size_t cut;

	(void)state;
	buf_init(&d, 1024);
	buf_init(&e, 1024);
	for (cut = 0; cut <= strlen(mutf7); cut++) {
		buf_reset(&d);
		buf_reset(&e);
		if (mutf7_to_utf8(mutf7, cut, &d, &error) < 0)
			continue;
		assert_int_equal(mutf7_from_utf8(d.data, d.len, &e, &error), 0);
		assert_int_equal(e.len, cut);
		assert_memory_equal(e.data, mutf7, cut);
	}
	buf_deinit(&d);
	buf_deinit(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_refused_mutf7),
		cmocka_unit_test(test_refused_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_cuts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
