/* SPDX-License-Identifier: MIT */
/* config_test - main.cf parsing, expansion, conversion, overrides, edit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "conf/tern_paths.h"
#include "util/buf.h"
#include "util/mem.h"

static char dir[64];
static char path[128];

static void
write_main(const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static char *
read_main(void)
{
	static char text[8192];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = 0;
	fclose(fp);
	return text;
}

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/config_test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	return 0;
}

static int
teardown(void **state)
{
	config_reset();
	unlink(path);
	rmdir(dir);
	return 0;
}

/* Load text; on failure return the error with the directory replaced by
 * "DIR", so expectations are stable. */
static const char *
load(const char *text, int *ret_r)
{
	static char msg[1024];
	const char *error = NULL;
	size_t dl = strlen(dir);

	write_main(text);
	*ret_r = config_load(dir, &error);
	if (*ret_r == 0)
		return NULL;
	assert_non_null(error);
	if (strncmp(error, dir, dl) == 0)
		snprintf(msg, sizeof(msg), "DIR%s", error + dl);
	else
		snprintf(msg, sizeof(msg), "%s", error);
	return msg;
}

static void
test_load_basic(void **state)
{
	int ret;

	load("# comment\n\nmail_owner = postman\nmessage_size_limit=0\n"
	     "smtpd_timeout = 2m\nsmtpd_helo_required = YES\n"
	     "maximal_queue_lifetime = 1w\n",
	    &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(var_mail_owner, "postman");
	assert_int_equal(var_message_size_limit, 0);
	assert_int_equal(var_smtpd_timeout, 120);
	assert_int_equal(var_smtpd_helo_required, 1);
	assert_int_equal(var_max_queue_time, 7 * 86400);
	assert_int_equal(var_disable_vrfy_cmd, 1);
	assert_int_equal(var_max_backoff_time, 4000);
	assert_string_equal(var_config_dir, dir);
	assert_string_equal(var_queue_dir, TERN_QUEUE_DIR);
	assert_string_equal(var_rcpt_delim, "");
	assert_non_null(strchr(var_myhostname, '.'));
	assert_string_equal(var_myorigin, var_myhostname);
	assert_string_equal(config_raw("mail_owner"), "postman");
	assert_null(config_raw("queue_directory"));
}

/* $config_directory is the directory loaded, even when main.cf sets it:
 * a default such as auth_user_file must name a file beside main.cf. */
static void
test_config_directory_expansion(void **state)
{
	char want[160];
	struct buf out;
	const char *error;
	int ret;

	snprintf(want, sizeof(want), "%s/users", dir);
	load("mail_owner = postman\n", &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(var_auth_user_file, want);
	load("config_directory = /nowhere\n", &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(var_config_dir, dir);
	assert_string_equal(var_auth_user_file, want);
	buf_init(&out, 1024);
	assert_int_equal(config_expand("$config_directory/x", &out, &error), 0);
	snprintf(want, sizeof(want), "%s/x", dir);
	assert_string_equal(buf_cstr(&out), want);
	buf_deinit(&out);
}

static void
test_load_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "a = 1\n\nmessage_size_limit = 10x\n",
		    "DIR/main.cf:3: message_size_limit: bad size value \"10x\"" },
		{ "# x\nmail_owner = a\n\n\n\n\nnovalue\n",
		    "DIR/main.cf:7: missing '=' after parameter name" },
		{ "= 3\n", "DIR/main.cf:1: bad parameter name" },
		{ "bad-name = 3\n", "DIR/main.cf:1: bad parameter name" },
		{ "  indented = 1\n",
		    "DIR/main.cf:1: continuation line without a preceding "
		    "parameter" },
		{ "smtpd_timeout = 0\n",
		    "DIR/main.cf:1: smtpd_timeout: time "
		    "value \"0\" is below the minimum 1" },
		{ "smtpd_timeout = 4000w\n",
		    "DIR/main.cf:1: smtpd_timeout: "
		    "time value \"4000w\" is above the maximum 2147483647" },
		{ "smtpd_timeout = 5x\n",
		    "DIR/main.cf:1: smtpd_timeout: bad time value \"5x\"" },
		{ "header_size_limit = 1023\n",
		    "DIR/main.cf:1: "
		    "header_size_limit: size value \"1023\" is below the minimum "
		    "1024" },
		{ "line_length_limit = 511\n",
		    "DIR/main.cf:1: "
		    "line_length_limit: integer value \"511\" is below the "
		    "minimum 512" },
		{ "max_use = 3000000000\n",
		    "DIR/main.cf:1: max_use: integer "
		    "value \"3000000000\" is above the maximum 2147483647" },
		{ "max_use = -1\n",
		    "DIR/main.cf:1: max_use: integer value "
		    "\"-1\" is below the minimum 1" },
		{ "max_use = 1.5\n",
		    "DIR/main.cf:1: max_use: bad integer value \"1.5\"" },
		{ "smtpd_helo_required = maybe\n",
		    "DIR/main.cf:1: "
		    "smtpd_helo_required: bad boolean value \"maybe\"" },
		{ "x = 1\nmax_use =\n",
		    "DIR/main.cf:2: max_use: bad integer value \"\"" },
		{ "myorigin = $myorigin\n",
		    "DIR/main.cf:1: myorigin: "
		    "expansion loop through $myorigin" },
		{ "a = $b\nb = $a\nmyorigin = x$a\n",
		    "DIR/main.cf:3: "
		    "myorigin: expansion loop through $a" },
		{ "n = 5x\nmax_use = $n\n",
		    "DIR/main.cf:2: max_use: bad integer value \"5x\"" },
		{ "mail_name = a $ b\n",
		    "DIR/main.cf:1: mail_name: '$' not "
		    "followed by a parameter name" },
		{ "mail_name = ${x\n",
		    "DIR/main.cf:1: mail_name: bad ${name} syntax" },
		{ "mail_name = ${x?abc\n",
		    "DIR/main.cf:1: mail_name: missing '}' in ${name?text}" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *msg;
		int ret;

		config_reset();
		msg = load(cases[i].text, &ret);
		if (ret != -1)
			fail_msg("case %zu loaded: %s", i, cases[i].text);
		assert_string_equal(msg, cases[i].error);
	}
}

static void
test_nul_byte(void **state)
{
	FILE *fp = fopen(path, "w");
	const char *error;

	assert_non_null(fp);
	assert_int_equal(fwrite("a = 1\nb\0c = 2\n", 1, 14, fp), 14);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(config_load(dir, &error), -1);
	assert_non_null(strstr(error, "main.cf:2: NUL byte in line"));
}

static void
test_missing_file(void **state)
{
	const char *error;

	unlink(path);
	assert_int_equal(config_load(dir, &error), -1);
	assert_non_null(strstr(error, "main.cf: cannot read: No such file"));
}

static void
test_failed_load_keeps_old(void **state)
{
	const char *msg;
	int ret;

	load("mail_owner = first\nmax_use = 7\n", &ret);
	assert_int_equal(ret, 0);
	msg = load("mail_owner = second\nmax_use = 0\n", &ret);
	assert_int_equal(ret, -1);
	assert_string_equal(msg,
	    "DIR/main.cf:2: max_use: integer value "
	    "\"0\" is below the minimum 1");
	assert_string_equal(var_mail_owner, "first");
	assert_int_equal(var_use_limit, 7);
	assert_string_equal(config_raw("mail_owner"), "first");
}

static void
test_continuation(void **state)
{
	int ret;

	load("smtpd_banner = a\n  b\n\tc   \n# comment\n\n   d\n"
	     "mail_name=\n    X\n",
	    &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(config_raw("smtpd_banner"), "a b c d");
	assert_string_equal(var_smtpd_banner, "a b c d");
	assert_string_equal(var_mail_name, "X");
}

static void
test_expansion(void **state)
{
	static const struct {
		const char *text, *out; /* out NULL: error */
	} cases[] = {
		{ "plain", "plain" },
		{ "$a", "A" },
		{ "x${a}y", "xAy" },
		{ "$a$b", "AB" },
		{ "$a-$b", "A-B" },
		{ "$$a", "$a" },
		{ "$$", "$" },
		{ "${a?set}", "set" },
		{ "${a:unset}", "" },
		{ "${empty?set}", "" },
		{ "${empty:unset}", "unset" },
		{ "${nope:unset}", "unset" },
		{ "${a?<${b}>}", "<B>" },
		{ "${a?{x}}", "{x}" },
		{ "$nope", "" },
		{ "$ref", "A+B" },
		{ "$refempty", "" },
		{ "$mail_name", "Tern" },
		{ "$", NULL },
		{ "a$", NULL },
		{ "$-", NULL },
		{ "${", NULL },
		{ "${}", NULL },
		{ "${a", NULL },
		{ "${a?x", NULL },
		{ "${a!x}", NULL },
		{ "$loop1", NULL },
		{ "${a?$loop1}", NULL },
		{ "${empty?$loop1}", "" },
	};
	struct buf out;
	size_t i;
	int ret;

	load("a = A\nb = B\nempty =\nref = $a+${b}\nrefempty = $empty\n"
	     "loop1 = $loop2\nloop2 = x$loop1\n",
	    &ret);
	assert_int_equal(ret, 0);
	buf_init(&out, 1024);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;

		buf_reset(&out);
		ret = config_expand(cases[i].text, &out, &error);
		if (cases[i].out == NULL) {
			assert_int_equal(ret, -1);
			assert_non_null(error);
		} else {
			assert_int_equal(ret, 0);
			assert_string_equal(buf_cstr(&out), cases[i].out);
		}
	}
	buf_deinit(&out);
}

static void
test_expansion_limits(void **state)
{
	struct buf out, text;
	const char *error;
	int ret, i;

	/* A chain deeper than the limit: p0 = $p1, p1 = $p2, ... */
	buf_init(&text, 1 << 20);
	for (i = 0; i <= CONFIG_EXPAND_DEPTH + 5; i++)
		buf_printf(&text, "p%d = $p%d\n", i, i + 1);
	load(buf_cstr(&text), &ret);
	assert_int_equal(ret, 0);
	buf_init(&out, 64);
	assert_int_equal(config_expand("$p0", &out, &error), -1);
	assert_string_equal(error, "parameter expansion nested too deeply");
	assert_int_equal(config_expand("$p50", &out, &error), 0);

	/* An expansion bigger than the output buffer. */
	config_reset();
	load("a = 0123456789\nb = $a$a$a$a$a$a$a$a$a$a\n", &ret);
	assert_int_equal(ret, 0);
	buf_reset(&out);
	assert_int_equal(config_expand("$b", &out, &error), -1);
	assert_string_equal(error, "expanded value too long");
	buf_deinit(&out);
	buf_deinit(&text);
}

static void
test_overrides(void **state)
{
	const char *error, *msg;
	int ret;

	assert_int_equal(config_override("message_size_limit=5", &error), 0);
	assert_int_equal(config_override(" mail_name = Over ", &error), 0);
	assert_int_equal(config_override("mail_name=Again", &error), 0);
	assert_int_equal(config_override("custom=1", &error), 0);
	assert_int_equal(config_override("noequals", &error), -1);
	assert_string_equal(error,
	    "-o noequals: missing '=' after parameter name");
	assert_int_equal(config_override("bad name=1", &error), -1);
	load("message_size_limit = 100\nmail_name = File\n", &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(var_message_size_limit, 5);
	assert_string_equal(var_mail_name, "Again");
	assert_string_equal(config_raw("message_size_limit"), "5");
	assert_string_equal(config_raw("custom"), "1");

	assert_int_equal(config_override("max_use=0", &error), 0);
	msg = load("max_use = 10\n", &ret);
	assert_int_equal(ret, -1);
	assert_string_equal(msg,
	    "-o max_use: integer value \"0\" is below "
	    "the minimum 1");
}

static void
collect(const char *a, const char *b, void *ctx)
{
	struct buf *out = ctx;

	buf_printf(out, "%s=%s|", a, b ? b : "");
}

static void
collect_warning(const char *msg, void *ctx)
{
	collect(msg, NULL, ctx);
}

static void
test_foreach_and_warnings(void **state)
{
	struct buf out;
	char expect[2048];
	const char *error;
	int ret;

	assert_int_equal(config_override("ovr_unknown=1", &error), 0);
	load("zeta = 1\nmail_owner = x\nalpha = 2\nzeta = 3\n", &ret);
	assert_int_equal(ret, 0);
	buf_init(&out, 4096);
	config_foreach_set(collect, &out);
	assert_string_equal(buf_cstr(&out), "zeta=3|mail_owner=x|alpha=2|");
	buf_reset(&out);
	config_foreach_warning(collect_warning, &out);
	snprintf(expect, sizeof(expect),
	    "%s:1: unknown parameter: zeta=|%s:3: unknown parameter: alpha=|"
	    "%s:4: zeta: overriding earlier entry at line 1=|"
	    "-o ovr_unknown: unknown parameter: ovr_unknown=|",
	    path, path, path);
	assert_string_equal(buf_cstr(&out), expect);
	buf_deinit(&out);
}

static void
test_load_defaults(void **state)
{
	assert_int_equal(config_load_defaults(), 0);
	assert_string_equal(var_mail_owner, DEF_MAIL_OWNER);
	assert_string_equal(var_config_dir, DEF_CONFIG_DIR);
	assert_int_equal(var_message_size_limit, DEF_MESSAGE_SIZE_LIMIT);
	assert_int_equal(var_smtpd_timeout, 300);
	assert_int_equal(var_disable_vrfy_cmd, 1);
	assert_int_equal(var_proc_limit, DEF_PROC_LIMIT);
	assert_non_null(strstr(var_smtpd_banner, " ESMTP Tern"));
	config_reset();
	assert_null(var_mail_owner);
}

/* Every prefix of a valid main.cf either loads or fails with a message
 * that names the file; never crashes. */
static void
test_cut_at_every_point(void **state)
{
	static const char text[] = "# head\nmyorigin = ${mydomain?$mydomain}\n"
				   "smtpd_banner = $myhostname\n  ESMTP\n"
				   "max_use = 25\nsmtpd_timeout = 10m\n";
	char cut[sizeof(text)];
	size_t i;

	for (i = 0; i < sizeof(text); i++) {
		const char *msg;
		int ret;

		memcpy(cut, text, i);
		cut[i] = 0;
		config_reset();
		msg = load(cut, &ret);
		if (ret < 0)
			assert_non_null(strstr(msg, "main.cf:"));
	}
	assert_int_equal(var_use_limit, 25);
	assert_int_equal(var_smtpd_timeout, 600);
}

static void
test_edit(void **state)
{
	static const char *const edits[] = {
		"mail_owner=newowner",
		"smtpd_banner = $myhostname hi",
		"brand_new=1",
		"brand_new=2",
	};
	const char *error;
	int ret;

	write_main("# Top comment\n"
		   "mail_owner = old\n"
		   "# inner comment\n"
		   "smtpd_banner = a\n"
		   "    continued\n"
		   "# between\n"
		   "\tmore\n"
		   "max_use = 5\n"
		   "mail_owner = again\n"
		   "  cont\n"
		   "# tail");
	assert_int_equal(config_edit(dir, edits, 4, &error), 0);
	assert_string_equal(read_main(),
	    "# Top comment\n"
	    "mail_owner = newowner\n"
	    "# inner comment\n"
	    "smtpd_banner = $myhostname hi\n"
	    "# between\n"
	    "max_use = 5\n"
	    "# tail\n"
	    "brand_new = 2\n");
	load(read_main(), &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(var_mail_owner, "newowner");
	assert_string_equal(config_raw("brand_new"), "2");

	/* Bad arguments change nothing. */
	{
		static const char *const bad1[] = { "novalue" };
		static const char *const bad2[] = { "a=b\nc=d" };
		static const char *const bad3[] = { "bad name=1" };

		assert_int_equal(config_edit(dir, bad1, 1, &error), -1);
		assert_int_equal(config_edit(dir, bad2, 1, &error), -1);
		assert_int_equal(config_edit(dir, bad3, 1, &error), -1);
		assert_non_null(strstr(read_main(), "brand_new = 2\n"));
	}

	/* A missing main.cf is created. */
	unlink(path);
	{
		static const char *const one[] = { "max_use=3" };

		assert_int_equal(config_edit(dir, one, 1, &error), 0);
		assert_string_equal(read_main(), "max_use = 3\n");
	}
}

/* ternconf -e: names and values are checked before anything is written. */
static void
test_check_assign(void **state)
{
	const char *error;
	int ret;

	(void)load("queue_directory = /q\nbig = 30000\n", &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(config_check_assign("message_size_limit=10240000",
			     &error),
	    0);
	assert_int_equal(config_check_assign(" message_size_limit = $big ",
			     &error),
	    0);
	assert_int_equal(config_check_assign("smtpd_timeout=5m", &error), 0);
	assert_int_equal(config_check_assign("smtpd_banner=$myhostname x",
			     &error),
	    0);
	assert_int_equal(config_check_assign("mesage_size_limit=10", &error),
	    -1);
	assert_string_equal(error,
	    "unknown parameter 'mesage_size_limit'; "
	    "did you mean 'message_size_limit'?");
	assert_int_equal(config_check_assign("xyzzy=1", &error), -1);
	assert_string_equal(error, "unknown parameter 'xyzzy'");
	assert_int_equal(config_check_assign("message_size_limit=10x", &error),
	    -1);
	assert_string_equal(error,
	    "message_size_limit: bad size value "
	    "\"10x\"");
	assert_int_equal(config_check_assign("smtpd_timeout=30x", &error), -1);
	assert_string_equal(error, "smtpd_timeout: bad time value \"30x\"");
	assert_int_equal(config_check_assign("smtpd_helo_required=maybe",
			     &error),
	    -1);
	assert_int_equal(config_check_assign("smtpd_recipient_limit=-5",
			     &error),
	    -1);
	assert_non_null(strstr(error, "below the minimum"));
	assert_int_equal(config_check_assign("noequals", &error), -1);
	assert_non_null(strstr(error, "expected name=value"));
	assert_int_equal(config_check_assign("bad name=1", &error), -1);
}

/* tern status/stop: the queue directory of a main.cf that does not load. */
static void
test_peek(void **state)
{
	struct buf v;
	int ret;

	buf_init(&v, 4096);
	(void)load("queue_directory = /old\nsmtpd_timeout = 30x\n"
		   "  # comment\nqueue_directory = /q/spool \n",
	    &ret);
	assert_int_equal(ret, -1);
	assert_int_equal(config_peek(dir, "queue_directory", &v), 0);
	assert_string_equal(buf_cstr(&v), "/q/spool");
	assert_int_equal(config_peek(dir, "mail_owner", &v), 1);
	write_main("queue_directory = $base/spool\n");
	assert_int_equal(config_peek(dir, "queue_directory", &v), 1);
	assert_int_equal(config_peek("/nonexistent/dir", "queue_directory", &v),
	    -1);
	buf_deinit(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_basic, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_directory_expansion,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_load_keeps_old,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_continuation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expansion, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expansion_limits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overrides, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_foreach_and_warnings,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_defaults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cut_at_every_point, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_assign, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peek, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
