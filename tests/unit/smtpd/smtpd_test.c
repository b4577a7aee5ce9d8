/* SPDX-License-Identifier: MIT */
/* smtpd_test - the command line parser: line ends, verbs, arguments,
 * bad bytes and smtpd_forbidden_commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "conf/params.h"
#include "util/buf.h"

#include "smtpd.h"

struct line_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum smtpd_line kind;
	const char *verb, *args; /* NULL: not checked / NULL */
};

static const struct line_case cases[] = {
	{ "MAIL FROM:<a@b>\r\n", 0, SMTPD_LINE_CMD, "MAIL", "FROM:<a@b>" },
	{ "mail   FROM:<a@b>  \n", 0, SMTPD_LINE_CMD, "mail", "FROM:<a@b>  " },
	{ "  NOOP", 0, SMTPD_LINE_CMD, "NOOP", "" },
	{ "QUIT\r", 0, SMTPD_LINE_CMD, "QUIT", "" },
	{ "XYZZY plugh\r\n", 0, SMTPD_LINE_UNKNOWN, "XYZZY", "plugh" },
	{ "\r\n", 0, SMTPD_LINE_BAD, NULL, NULL },
	{ "   \r\n", 0, SMTPD_LINE_BAD, NULL, NULL },
	{ "", 0, SMTPD_LINE_BAD, NULL, NULL },
	/* Only one CR LF is a line end: more CRs are bare. */
	{ "NOOP\r\r\n", 0, SMTPD_LINE_BAD, NULL, NULL },
	{ "RCPT TO:<a@b>\rDATA\r\n", 0, SMTPD_LINE_BAD, NULL, NULL },
	{ "NOOP\0x\r\n", 8, SMTPD_LINE_BAD, NULL, NULL },
	/* smtpd_forbidden_commands, Postfix's default. */
	{ "POST / HTTP/1.1\r\n", 0, SMTPD_LINE_FORBIDDEN, "POST / HTTP/1.1",
	    NULL },
	{ "get /\r\n", 0, SMTPD_LINE_FORBIDDEN, "get /", NULL },
	{ "CONNECT x:25 HTTP/1.0\r\n", 0, SMTPD_LINE_FORBIDDEN, NULL, NULL },
	{ "  {\"a\":1}\r\n", 0, SMTPD_LINE_FORBIDDEN, "{\"a\":1}", NULL },
	{ "\x16\x03\x01\r\n", 0, SMTPD_LINE_FORBIDDEN, NULL, NULL },
	{ "\rNOOP\r\n", 0, SMTPD_LINE_FORBIDDEN, NULL, NULL },
	{ "POSTMAN\r\n", 0, SMTPD_LINE_UNKNOWN, "POSTMAN", "" },
};

static void
test_parse_line(void **state)
{
	char *saved = var_smtpd_forbid_cmds;
	size_t i;

	var_smtpd_forbid_cmds = DEF_SMTPD_FORBID_CMDS;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct line_case *c = &cases[i];
		const struct smtpd_cmd *cmd;
		struct buf line;
		char *verb, *args;
		enum smtpd_line kind;

		buf_init(&line, 4096);
		buf_append(&line, c->in, c->len ? c->len : strlen(c->in));
		kind = smtpd_parse_line(&line, &verb, &args, &cmd);
		if (kind != c->kind)
			fail_msg("case %zu: kind %d, want %d", i, kind,
			    c->kind);
		if (c->verb != NULL)
			assert_string_equal(verb, c->verb);
		if (kind == SMTPD_LINE_BAD)
			assert_null(verb);
		if (c->args != NULL)
			assert_string_equal(args, c->args);
		if (kind == SMTPD_LINE_CMD)
			assert_int_equal(strcasecmp(cmd->name, verb), 0);
		assert_true((kind == SMTPD_LINE_CMD) == (cmd != NULL));
		buf_deinit(&line);
	}
	var_smtpd_forbid_cmds = saved;
}

/* The list replaces the default; names match in any case; table entries
 * other than Postfix's default one are ignored. */
static void
test_forbidden_list(void **state)
{
	char *saved = var_smtpd_forbid_cmds;

	var_smtpd_forbid_cmds = "XFOO, get";
	assert_int_equal(smtpd_forbidden("xfoo", 4), 1);
	assert_int_equal(smtpd_forbidden("GET", 3), 1);
	assert_int_equal(smtpd_forbidden("GETX", 4), 0);
	assert_int_equal(smtpd_forbidden("POST", 4), 0);
	assert_int_equal(smtpd_forbidden("{", 1), 0);
	var_smtpd_forbid_cmds = "pcre:{{/x/ y}} CONNECT";
	assert_int_equal(smtpd_forbidden("connect", 7), 1);
	assert_int_equal(smtpd_forbidden("1", 1), 0);
	var_smtpd_forbid_cmds = "";
	assert_int_equal(smtpd_forbidden("GET", 3), 0);
	var_smtpd_forbid_cmds = "a {";
	assert_int_equal(smtpd_forbidden("a", 1), 1);
	assert_int_equal(smtpd_forbidden("b", 1), 0);
	var_smtpd_forbid_cmds = saved;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_forbidden_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
