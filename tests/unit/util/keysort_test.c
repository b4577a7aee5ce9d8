/* SPDX-License-Identifier: MIT */
/* keysort_test - keysort puts keys in order, keeps equal keys in their
 * order (stable), and does so for every size: none, few (insertion),
 * many (radix), keys alike in their high bits (skipped passes) and keys
 * that differ in every bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/keysort.h"
#include "util/mem.h"

/* A small, fixed generator: the test is the same at every run. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Sort n keys made by make(i) and check order and stability (p holds
 * each item's first position). */
static void
check(size_t n, uint64_t (*make)(size_t i, uint64_t *s))
{
	struct keysort_item *v = xcalloc(n + 1, sizeof(*v));
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].key = make(i, &seed);
		v[i].p = (void *)(uintptr_t)i;
	}
	keysort(v, n);
	for (i = 1; i < n; i++) {
		assert_true(v[i - 1].key <= v[i].key);
		if (v[i - 1].key == v[i].key)
			assert_true((uintptr_t)v[i - 1].p < (uintptr_t)v[i].p);
	}
	/* Nothing lost or doubled: every position once. */
	{
		unsigned char *seen = xcalloc(n + 1, 1);

		for (i = 0; i < n; i++) {
			assert_false(seen[(uintptr_t)v[i].p]);
			seen[(uintptr_t)v[i].p] = 1;
		}
		xfree(seen);
	}
	xfree(v);
}

static uint64_t
any(size_t i, uint64_t *s)
{
	(void)i;
	return next(s);
}

/* Delivery times: seconds * 10^6 + microseconds within a day. */
static uint64_t
delivery(size_t i, uint64_t *s)
{
	(void)i;
	return (1760000000ULL + next(s) % 86400) * 1000000 + next(s) % 1000000;
}

/* Many equal keys: stability shows. */
static uint64_t
few_values(size_t i, uint64_t *s)
{
	(void)i;
	return next(s) % 7;
}

static uint64_t
descending(size_t i, uint64_t *s)
{
	(void)s;
	return UINT64_MAX - i;
}

static uint64_t
same(size_t i, uint64_t *s)
{
	(void)i;
	(void)s;
	return 42;
}

static void
test_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 31, 32, 33, 1000, 20000 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check(sizes[i], any);
		check(sizes[i], delivery);
		check(sizes[i], few_values);
		check(sizes[i], descending);
		check(sizes[i], same);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
