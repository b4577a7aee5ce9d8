/* SPDX-License-Identifier: MIT */
/* maps_test - list parsing, search order, empty lists, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/maps.h"

static const struct {
	const char *list;
	const char *key, *value; /* value NULL: not found */
} find_cases[] = {
	{ "inline:{a=first} inline:{a=second, b=2}", "a", "first" },
	{ "inline:{a=first} inline:{a=second, b=2}", "B", "2" },
	{ "inline:{a=first},inline:{a=second, b=2}", "c", NULL },
	{ "inline:{ { a = x, y } }, static:fallback", "A", "x, y" },
	{ "inline:{ { a = x, y } }, static:fallback", "zzz", "fallback" },
	{ "inline:{ { a = x, y } }, static:fallback", "", NULL },
	{ "\t inline:{k=v}\n", "k", "v" },
};

static void
test_find_order(void **state)
{
	const char *value, *error;
	struct maps *m;
	size_t i;

	for (i = 0; i < sizeof(find_cases) / sizeof(find_cases[0]); i++) {
		assert_int_equal(maps_open(find_cases[i].list, NULL, &m,
				     &error),
		    0);
		assert_int_equal(maps_is_empty(m), 0);
		if (find_cases[i].value == NULL) {
			assert_int_equal(maps_find(m, find_cases[i].key, &value,
					     &error),
			    0);
		} else {
			assert_int_equal(maps_find(m, find_cases[i].key, &value,
					     &error),
			    1);
			assert_string_equal(value, find_cases[i].value);
		}
		maps_close(&m);
		assert_null(m);
	}
}

static void
test_empty(void **state)
{
	static const char *lists[] = { "", "  ", ",", " , \t,\n" };
	const char *value, *error;
	struct maps *m;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		assert_int_equal(maps_open(lists[i], "hash", &m, &error), 0);
		assert_int_equal(maps_is_empty(m), 1);
		assert_int_equal(maps_find(m, "x", &value, &error), 0);
		maps_close(&m);
	}
	maps_close(&m);
}

static const struct {
	const char *list, *error;
} bad_cases[] = {
	{ "inline:{a=b", "missing '}'" },
	{ "inline:{a=b}}", "unbalanced '}'" },
	{ "static:x nosuch:y", "unsupported dictionary type: nosuch" },
	{ "inline:{a=b} /no/such/file", "no type" },
	{ "texthash:/no/such/file", "/no/such/file: No such file" },
};

static void
test_errors(void **state)
{
	const char *error;
	struct maps *m;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		assert_int_equal(maps_open(bad_cases[i].list, NULL, &m, &error),
		    -1);
		assert_null(m);
		assert_non_null(strstr(error, bad_cases[i].error));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_order),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
