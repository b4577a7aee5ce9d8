/* SPDX-License-Identifier: MIT */
/* domain_list_test - names, tables, files, case, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/domain_list.h"
#include "util/buf.h"

static char tmpdir[256];
static char file_path[512];

static int
setup(void **state)
{
	const char *t = getenv("TMPDIR");
	FILE *fp;

	snprintf(tmpdir, sizeof(tmpdir), "%s/domain_list_test.XXXXXX",
	    t != NULL && *t != 0 ? t : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(file_path, sizeof(file_path), "%s/domains", tmpdir);
	fp = fopen(file_path, "w");
	assert_non_null(fp);
	fputs("# virtual domains\n"
	      "file1.example\n"
	      "  File2.Example, file3.example\n"
	      "\n"
	      "   # indented comment file9.example\n",
	    fp);
	fclose(fp);
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

static void
test_match(void **state)
{
	static const struct {
		const char *domain;
		int match;
	} cases[] = {
		{ "plain.example", 1 },
		{ "PLAIN.Example", 1 },
		{ "other.example", 1 },
		{ "sub.plain.example", 0 },
		{ "table.example", 1 },
		{ "TABLE.EXAMPLE", 1 },
		{ "braced.example", 1 },
		{ "file1.example", 1 },
		{ "file2.example", 1 },
		{ "FILE3.EXAMPLE", 1 },
		{ "file9.example", 0 },
		{ "example", 0 },
		{ "", 0 },
		{ "virtual", 0 },
	};
	struct buf spec;
	struct domain_list *dl;
	const char *error;
	size_t i;

	buf_init(&spec, 4096);
	buf_printf(&spec,
	    "plain.example, Other.Example "
	    "inline:{ table.example=x, { braced.example = a, b } },%s",
	    file_path);
	assert_int_equal(domain_list_create(buf_cstr(&spec), "hash", &dl,
			     &error),
	    0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (domain_list_match(dl, cases[i].domain, &error) !=
		    cases[i].match)
			fail_msg("case %zu: %s", i, cases[i].domain);
	}
	domain_list_destroy(&dl);
	assert_null(dl);
	buf_deinit(&spec);
}

static void
test_empty(void **state)
{
	struct domain_list *dl;
	const char *error;

	assert_int_equal(domain_list_create(" , ", NULL, &dl, &error), 0);
	assert_int_equal(domain_list_match(dl, "x.example", &error), 0);
	domain_list_destroy(&dl);
	domain_list_destroy(&dl);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *spec, *error;
	} cases[] = {
		{ "a.example inline:{x=y", "missing '}'" },
		{ "nosuch:foo", "unsupported dictionary type: nosuch" },
		{ "/no/such/file", "open /no/such/file: No such file" },
		{ "!neg.example", "is not a domain name" },
		{ "hash:/no/such/table", "/no/such/table.db" },
	};
	struct domain_list *dl;
	const char *error;
	char path[600];
	FILE *fp;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(domain_list_create(cases[i].spec, NULL, &dl,
				     &error),
		    -1);
		assert_null(dl);
		assert_non_null(strstr(error, cases[i].error));
	}
	snprintf(path, sizeof(path), "%s/badfile", tmpdir);
	fp = fopen(path, "w");
	fputs("ok.example\n\nhash:/x\n", fp);
	fclose(fp);
	assert_int_equal(domain_list_create(path, NULL, &dl, &error), -1);
	assert_non_null(strstr(error, "badfile:3: \"hash:/x\" is not"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
