/* SPDX-License-Identifier: MIT */
/* buf_test - growth, the hard maximum, binary safety, printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/mem.h"

static void
test_append_grows_and_terminates(void **state)
{
	struct buf *b = buf_create(1000);
	int i;

	for (i = 0; i < 100; i++)
		assert_int_equal(buf_append(b, "0123456789", 10), 0);
	assert_int_equal(buf_len(b), 1000);
	assert_int_equal(buf_cstr(b)[1000], 0);
	assert_int_equal(buf_putc(b, 'x'), -1);
	assert_int_equal(buf_len(b), 1000);
	buf_destroy(&b);
	assert_null(b);
}

static void
test_binary_safe(void **state)
{
	struct buf b;

	buf_init(&b, 16);
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(buf_len(&b), 3);
	assert_memory_equal(b.data, "a\0b", 3);
	buf_deinit(&b);
}

static void
test_printf_limit(void **state)
{
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_printf(&b, "%d", 12345), 0);
	assert_int_equal(buf_printf(&b, "%s", "abcdef"), -1);
	assert_string_equal(buf_cstr(&b), "12345");
	assert_int_equal(buf_printf(&b, "%s", "abcde"), 0);
	assert_string_equal(buf_cstr(&b), "12345abcde");
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%s", "a long string past ten"), -1);
	assert_int_equal(buf_len(&b), 0);
	buf_deinit(&b);
}

static void
test_consume_truncate_steal(void **state)
{
	struct buf b;
	char *s;

	buf_init(&b, 100);
	buf_puts(&b, "hello world");
	buf_consume(&b, 6);
	assert_string_equal(buf_cstr(&b), "world");
	buf_truncate(&b, 3);
	assert_string_equal(buf_cstr(&b), "wor");
	assert_int_equal(buf_set(&b, "xyz"), 0);
	s = buf_steal(&b);
	assert_string_equal(s, "xyz");
	assert_int_equal(buf_len(&b), 0);
	xfree(s);
	buf_deinit(&b);
}

static void
test_printf_growth(void **state)
{
	struct buf b;
	char big[300];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	buf_init(&b, 1000);
	assert_int_equal(buf_printf(&b, "<%s>", big), 0);
	assert_int_equal(buf_len(&b), 301);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[300], '>');
	buf_deinit(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_grows_and_terminates),
		cmocka_unit_test(test_binary_safe),
		cmocka_unit_test(test_printf_limit),
		cmocka_unit_test(test_consume_truncate_steal),
		cmocka_unit_test(test_printf_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
