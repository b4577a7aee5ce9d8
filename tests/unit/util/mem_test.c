/* SPDX-License-Identifier: MIT */
/* mem_test - zeroed allocation, xstrndup, overflow checks that panic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/mem.h"

#include "../expect_panic.h"

/* 1 when all n bytes at p are zero. */
static int
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

static void
test_xmalloc_zeroes(void **state)
{
	static const size_t sizes[] = { 0, 1, 7, 64, 4096, 1 << 20 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p;
		int round;

		/* Dirty memory of this size first, so that a reused block
		 * would show up as non-zero. */
		for (round = 0; round < 3; round++) {
			p = xmalloc(sizes[i]);
			assert_non_null(p);
			assert_true(all_zero(p, sizes[i]));
			memset(p, 0xa5, sizes[i]);
			xfree(p);
		}
	}
}

static void
test_xcalloc(void **state)
{
	static const struct {
		size_t count, size;
	} cases[] = {
		{ 0, 0 },
		{ 0, 8 },
		{ 8, 0 },
		{ 1, 1 },
		{ 3, 17 },
		{ 1000, 8 },
		{ 17, 4099 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cases[i].count * cases[i].size;
		unsigned char *p = xcalloc(cases[i].count, cases[i].size);

		assert_non_null(p);
		assert_true(all_zero(p, n));
		memset(p, 0x5a, n);
		xfree(p);
		p = xcalloc(cases[i].count, cases[i].size);
		assert_true(all_zero(p, n));
		xfree(p);
	}
}

static void
test_xrealloc_keeps_prefix(void **state)
{
	char *p = xmalloc(4);
	size_t n;

	(void)state;
	memcpy(p, "abcd", 4);
	for (n = 8; n <= 65536; n *= 2) {
		p = xrealloc(p, n);
		assert_memory_equal(p, "abcd", 4);
	}
	p = xrealloc(p, 2);
	assert_memory_equal(p, "ab", 2);
	p = xrealloc(p, 0);
	assert_non_null(p);
	xfree(p);
	p = xrealloc(NULL, 10);
	assert_non_null(p);
	xfree(p);
}

static void
test_xstrndup(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
		size_t outlen; /* bytes compared, NUL included */
	} cases[] = {
		{ "abcdef", 6, "abcdef", 7 },
		{ "abcdef", 3, "abc", 4 },
		{ "abcdef", 0, "", 1 },
		{ "", 0, "", 1 },
		/* Bytes are copied as they are, NULs included. */
		{ "a\0b", 3, "a\0b", 4 },
		{ "\xff\x01", 2, "\xff\x01", 3 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = xstrndup(cases[i].in, cases[i].n);

		assert_memory_equal(s, cases[i].out, cases[i].outlen);
		xfree(s);
	}
}

static void
test_xstrndup_unterminated(void **state)
{
	/* The source need not be NUL-terminated: only n bytes are read. */
	char src[5] = { 'h', 'e', 'l', 'l', 'o' };
	char *s;

	(void)state;
	s = xstrndup(src, sizeof(src));
	assert_string_equal(s, "hello");
	xfree(s);
	s = xstrndup(src + 1, 3);
	assert_string_equal(s, "ell");
	xfree(s);
}

static void
test_xstrdup(void **state)
{
	static const char *const cases[] = { "", "x", "hello world",
		"tab\there", "\x7f\x80" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = xstrdup(cases[i]);

		assert_ptr_not_equal(s, cases[i]);
		assert_string_equal(s, cases[i]);
		xfree(s);
	}
	xfree(NULL);
}

enum misuse {
	MISUSE_CALLOC_OVERFLOW,
	MISUSE_CALLOC_OVERFLOW2,
	MISUSE_STRNDUP_MAX,
};

/* One misuse: it must die by abort() (log_panic). */
static void
misuse(void *arg)
{
	switch (*(const enum misuse *)arg) {
	case MISUSE_CALLOC_OVERFLOW:
		(void)xcalloc(SIZE_MAX / 2 + 1, 2);
		break;
	case MISUSE_CALLOC_OVERFLOW2:
		(void)xcalloc(2, SIZE_MAX);
		break;
	case MISUSE_STRNDUP_MAX:
		(void)xstrndup("x", SIZE_MAX);
		break;
	}
}

static void
test_overflow_panics(void **state)
{
	(void)state;
	static const enum misuse all[] = { MISUSE_CALLOC_OVERFLOW,
		MISUSE_CALLOC_OVERFLOW2, MISUSE_STRNDUP_MAX };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		expect_panic(misuse, (void *)&all[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmalloc_zeroes),
		cmocka_unit_test(test_xcalloc),
		cmocka_unit_test(test_xrealloc_keeps_prefix),
		cmocka_unit_test(test_xstrndup),
		cmocka_unit_test(test_xstrndup_unterminated),
		cmocka_unit_test(test_xstrdup),
		cmocka_unit_test(test_overflow_panics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
