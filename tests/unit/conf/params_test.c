/* SPDX-License-Identifier: MIT */
/* params_test - the table's shape and the type converters. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf/params.h"
#include "util/mem.h"

struct conv_case {
	const char *text;
	int ok;
	long value;
};

static void
test_parse_int(void **state)
{
	static const struct conv_case cases[] = {
		{ "0", 1, 0 },
		{ "42", 1, 42 },
		{ "-7", 1, -7 },
		{ "9223372036854775807", 1, LONG_MAX },
		{ "9223372036854775808", 0, 0 },
		{ "", 0, 0 },
		{ "-", 0, 0 },
		{ " 1", 0, 0 },
		{ "1 ", 0, 0 },
		{ "1x", 0, 0 },
		{ "x", 0, 0 },
		{ "+1", 0, 0 },
		{ "1.5", 0, 0 },
		{ "0x10", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;
		long v = -12345;
		int ret = param_parse_int(cases[i].text, &v, &error);

		if (cases[i].ok) {
			assert_int_equal(ret, 0);
			assert_int_equal(v, cases[i].value);
		} else {
			assert_int_equal(ret, -1);
			assert_string_equal(error, "bad integer value");
			assert_int_equal(v, -12345);
		}
	}
}

static void
test_parse_size(void **state)
{
	static const struct conv_case cases[] = {
		{ "0", 1, 0 },
		{ "10240000", 1, 10240000 },
		{ "-1", 0, 0 },
		{ "10x", 0, 0 },
		{ "10k", 0, 0 },
		{ "", 0, 0 },
		{ "99999999999999999999", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;
		long v = 0;
		int ret = param_parse_size(cases[i].text, &v, &error);

		assert_int_equal(ret, cases[i].ok ? 0 : -1);
		if (cases[i].ok)
			assert_int_equal(v, cases[i].value);
		else
			assert_string_equal(error, "bad size value");
	}
}

static void
test_parse_time(void **state)
{
	static const struct conv_case cases[] = {
		{ "0", 1, 0 },
		{ "300", 1, 300 },
		{ "300s", 1, 300 },
		{ "5m", 1, 300 },
		{ "2h", 1, 7200 },
		{ "5d", 1, 432000 },
		{ "1w", 1, 604800 },
		{ "1x", 0, 0 },
		{ "1ms", 0, 0 },
		{ "s", 0, 0 },
		{ "", 0, 0 },
		{ "-1s", 0, 0 },
		{ "1 s", 0, 0 },
		{ "1S", 0, 0 },
		{ "9223372036854775807w", 0, 0 },
		{ "9223372036854775807s", 1, LONG_MAX },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;
		long v = 0;
		int ret = param_parse_time(cases[i].text, &v, &error);

		assert_int_equal(ret, cases[i].ok ? 0 : -1);
		if (cases[i].ok)
			assert_int_equal(v, cases[i].value);
		else
			assert_string_equal(error, "bad time value");
	}
}

static void
test_parse_bool(void **state)
{
	static const struct conv_case cases[] = {
		{ "yes", 1, 1 },
		{ "YES", 1, 1 },
		{ "True", 1, 1 },
		{ "1", 1, 1 },
		{ "no", 1, 0 },
		{ "No", 1, 0 },
		{ "FALSE", 1, 0 },
		{ "0", 1, 0 },
		{ "y", 0, 0 },
		{ "", 0, 0 },
		{ "2", 0, 0 },
		{ "yes ", 0, 0 },
		{ "on", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;
		int v = -1;
		int ret = param_parse_bool(cases[i].text, &v, &error);

		assert_int_equal(ret, cases[i].ok ? 0 : -1);
		if (cases[i].ok)
			assert_int_equal(v, cases[i].value);
		else
			assert_string_equal(error, "bad boolean value");
	}
}

static void
test_table_shape(void **state)
{
	size_t i, j;

	assert_int_equal(param_table_count, 146);
	for (i = 0; i < param_table_count; i++) {
		const struct param_def *p = &param_table[i];

		assert_non_null(p->var);
		assert_non_null(p->doc);
		assert_true(p->min <= p->max);
		assert_ptr_equal(param_find(p->name), p);
		assert_non_null(param_default(p));
		for (j = i + 1; j < param_table_count; j++)
			assert_string_not_equal(p->name, param_table[j].name);
	}
	/* A reply code is a reply code. */
	assert_int_equal(param_find(VAR_UNK_ADDR_CODE)->min, 400);
	assert_int_equal(param_find(VAR_UNK_ADDR_CODE)->max, 599);
	assert_string_equal(param_find(VAR_SMTPD_NULL_KEY)->def, "<>");
	assert_null(param_find("no_such_parameter"));
	assert_null(param_find(""));
}

/* Each numeric default converts to its DEF_ macro and lies in range. */
static void
test_defaults_convert(void **state)
{
	static const struct {
		const char *name;
		long value;
	} cases[] = {
		{ VAR_MESSAGE_SIZE_LIMIT, DEF_MESSAGE_SIZE_LIMIT },
		{ VAR_HEADER_SIZE_LIMIT, DEF_HEADER_SIZE_LIMIT },
		{ VAR_LINE_LENGTH_LIMIT, DEF_LINE_LENGTH_LIMIT },
		{ VAR_SMTPD_RCPT_LIMIT, DEF_SMTPD_RCPT_LIMIT },
		{ VAR_SMTPD_TIMEOUT, 300 },
		{ VAR_SMTPD_HELO_REQUIRED, DEF_SMTPD_HELO_REQUIRED },
		{ VAR_DISABLE_VRFY_CMD, DEF_DISABLE_VRFY_CMD },
		{ VAR_STRICT_RFC821_ENV, DEF_STRICT_RFC821_ENV },
		{ VAR_MAX_QUEUE_TIME, 5 * 86400 },
		{ VAR_DAEMON_TIMEOUT, 18000 },
		{ VAR_PROC_LIMIT, DEF_PROC_LIMIT },
		{ VAR_UNK_ADDR_CODE, DEF_UNK_ADDR_CODE },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct param_def *p = param_find(cases[i].name);
		const char *error;
		long l = -1;
		int b = -1;

		assert_non_null(p);
		switch (p->type) {
		case PARAM_INT:
			assert_int_equal(param_parse_int(p->def, &l, &error),
			    0);
			break;
		case PARAM_SIZE:
			assert_int_equal(param_parse_size(p->def, &l, &error),
			    0);
			break;
		case PARAM_TIME:
			assert_int_equal(param_parse_time(p->def, &l, &error),
			    0);
			break;
		case PARAM_BOOL:
			assert_int_equal(param_parse_bool(p->def, &b, &error),
			    0);
			l = b;
			break;
		default:
			fail();
		}
		assert_int_equal(l, cases[i].value);
		assert_true(l >= p->min && l <= p->max);
	}
}

static void
test_computed_defaults(void **state)
{
	static const struct {
		const char *host, *myhostname, *mydomain;
	} cases[] = {
		{ "mail", "mail.localdomain", "localdomain" },
		{ "mx.example.org", "mx.example.org", "example.org" },
		{ "a.b", "a.b", "b" },
		{ "", "localhost.localdomain", "localdomain" },
		{ "odd.", "odd.", "localdomain" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *h = param_hostname_default(cases[i].host);
		char *d = param_domain_default(h);

		assert_string_equal(h, cases[i].myhostname);
		assert_string_equal(d, cases[i].mydomain);
		xfree(h);
		xfree(d);
	}
	assert_non_null(strchr(param_default(param_find(VAR_MYHOSTNAME)), '.'));
	assert_true(strlen(param_default(param_find(VAR_MYDOMAIN))) > 0);
}

static void
test_type_names(void **state)
{
	assert_string_equal(param_type_name(PARAM_STR), "string");
	assert_string_equal(param_type_name(PARAM_INT), "integer");
	assert_string_equal(param_type_name(PARAM_BOOL), "boolean");
	assert_string_equal(param_type_name(PARAM_TIME), "time");
	assert_string_equal(param_type_name(PARAM_SIZE), "size");
}

static void
test_suggest(void **state)
{
	assert_string_equal(param_suggest("mesage_size_limit"),
	    "message_size_limit");
	assert_string_equal(param_suggest("smptd_banner"), "smtpd_banner");
	assert_string_equal(param_suggest("queue_directroy"),
	    "queue_directory");
	assert_string_equal(param_suggest("myhostnam"), "myhostname");
	assert_null(param_suggest("xyzzy"));
	assert_null(param_suggest("completely_unrelated_words"));
	assert_null(param_suggest(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_defaults_convert),
		cmocka_unit_test(test_computed_defaults),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
