/* SPDX-License-Identifier: MIT */
/* htable_test - enter, find, replace, delete, growth past many doublings,
 * and a walk that deletes as it goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/htable.h"
#include "util/mem.h"

static void
test_enter_find_delete(void **state)
{
	struct htable *t = htable_create();
	int a = 1, b = 2;

	(void)state;
	assert_null(htable_find(t, "x"));
	assert_null(htable_enter(t, "x", &a));
	assert_ptr_equal(htable_find(t, "x"), &a);
	/* Exact keys: case matters. */
	assert_null(htable_find(t, "X"));
	assert_ptr_equal(htable_enter(t, "x", &b), &a);
	assert_ptr_equal(htable_find(t, "x"), &b);
	assert_int_equal(htable_count(t), 1);
	assert_ptr_equal(htable_delete(t, "x"), &b);
	assert_null(htable_delete(t, "x"));
	assert_int_equal(htable_count(t), 0);
	htable_destroy(&t, NULL);
	assert_null(t);
}

static void
test_growth(void **state)
{
	struct htable *t = htable_create();
	char key[32];
	long i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		assert_null(htable_enter(t, key, (void *)(intptr_t)(i + 1)));
	}
	assert_int_equal(htable_count(t), 10000);
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		assert_int_equal((intptr_t)htable_find(t, key), i + 1);
	}
	for (i = 0; i < 10000; i += 2) {
		snprintf(key, sizeof(key), "k%ld", i);
		assert_non_null(htable_delete(t, key));
	}
	assert_int_equal(htable_count(t), 5000);
	assert_null(htable_find(t, "k0"));
	assert_int_equal((intptr_t)htable_find(t, "k1"), 2);
	htable_destroy(&t, NULL);
}

/* Keys of every length around the hash's eight-byte steps, and keys
 * that differ only in their last byte or in their length (a NUL-padded
 * tail must not make "a" and "a\0" one key), are distinct. */
static void
test_key_lengths(void **state)
{
	struct htable *t = htable_create();
	char key[64];
	size_t len;
	int c;

	(void)state;
	assert_null(htable_enter(t, "", (void *)1));
	for (len = 1; len < 40; len++)
		for (c = 0; c < 3; c++) {
			memset(key, 'x', len);
			key[len - 1] = (char)('a' + c);
			key[len] = 0;
			assert_null(htable_enter(t, key,
			    (void *)(intptr_t)(len * 3 + (size_t)c + 2)));
		}
	assert_int_equal(htable_count(t), 1 + 39 * 3);
	assert_int_equal((intptr_t)htable_find(t, ""), 1);
	for (len = 1; len < 40; len++)
		for (c = 0; c < 3; c++) {
			memset(key, 'x', len);
			key[len - 1] = (char)('a' + c);
			key[len] = 0;
			assert_int_equal((intptr_t)htable_find(t, key),
			    (intptr_t)(len * 3 + (size_t)c + 2));
		}
	assert_null(htable_find(t, "xxxxxxxxd"));
	htable_destroy(&t, NULL);
}

struct walk {
	struct htable *t;
	long seen;
};

static void
delete_odd(const char *key, void *value, void *ctx)
{
	struct walk *w = ctx;

	w->seen++;
	if ((intptr_t)value % 2 == 1)
		htable_delete(w->t, key);
}

static void
test_walk_deletes(void **state)
{
	struct walk w = { htable_create(), 0 };
	char key[32];

	(void)state;
	for (long i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "%ld", i);
		htable_enter(w.t, key, (void *)(intptr_t)i);
	}
	htable_walk(w.t, delete_odd, &w);
	assert_int_equal(w.seen, 100);
	assert_int_equal(htable_count(w.t), 50);
	assert_null(htable_find(w.t, "7"));
	assert_non_null(htable_find(w.t, "8"));
	htable_destroy(&w.t, NULL);
}

static void
test_destroy_frees_values(void **state)
{
	struct htable *t = htable_create();

	(void)state;
	htable_enter(t, "a", xstrdup("one"));
	htable_enter(t, "b", xstrdup("two"));
	/* ASan reports a leak if the values are not freed. */
	htable_destroy(&t, xfree);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enter_find_delete),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_key_lengths),
		cmocka_unit_test(test_walk_deletes),
		cmocka_unit_test(test_destroy_frees_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
