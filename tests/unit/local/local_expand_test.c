/* SPDX-License-Identifier: MIT */
/* local_expand_test - the job "expand" on its own, in-process as the
 * test's identity: what an alias value and a .forward file answer (self,
 * to, sent, fail, missing, unsafe), a /file item in mbox format, a
 * /dir/ item as a Maildir, :include: files, and the allow_mail_to_*
 * restrictions (a refused command is never run). Commands themselves
 * are tested in pipe_cmd_test and test_local_user.py (they never run as
 * root, which this test may be). */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/resolve.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/log.h"

#include "local.h"
#include "local_fixture.h"

static struct local_fixture fx;
static char home[300];

static int
setup(void **state)
{
	const char *error;

	(void)state;
	log_init("local");
	config_load_defaults();
	if (local_fixture_setup(&fx, "local_expand_test",
		"Subject: x\n\nFrom the body\n") < 0)
		return -1;
	snprintf(home, sizeof(home), "%s/home", fx.dir);
	if (mkdir(home, 0755) < 0)
		return -1;
	var_myorigin = "example.test";
	var_mydestination = "localhost";
	var_local_rcpt_maps = "";
	var_alias_maps = "";
	var_virt_mailbox_domains = "";
	var_virt_alias_maps = "";
	var_rcpt_delim = "+";
	if (resolve_open(&error) < 0) {
		fprintf(stderr, "%s\n", error);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	resolve_close();
	config_reset();
	return local_fixture_teardown(&fx);
}

/* Run job "expand" and return its answer (static). */
static const char *
expand(const char *source, const char *value)
{
	static struct buf out;
	struct attr_list req = { 0 };
	struct local_msg m;
	int ret;

	local_fixture_msg(&fx, &m);
	attr_list_add(&req, "kind", "expand");
	attr_list_add(&req, "source", source);
	if (value != NULL)
		attr_list_add(&req, "value", value);
	attr_list_add(&req, "rcpt", "joe+x@localhost");
	attr_list_add(&req, "user", "joe");
	attr_list_add(&req, "home", home);
	attr_list_add(&req, "shell", "/bin/sh");
	attr_list_add(&req, "ext", "x");
	attr_list_add(&req, "sender", m.sender);
	attr_list_add(&req, "queue_id", m.queue_id);
	buf_deinit(&out);
	buf_init(&out, 65536);
	ret = local_job_expand(&m, &req, &out);
	assert_int_equal(ret, 0);
	attr_list_clear(&req);
	close(m.fd);
	return buf_cstr(&out);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_addresses(void **state)
{
	(void)state;
	/* Others are forwarded (bare names get @myorigin); "\joe", and joe
	 * of a local domain with any extension, are joe's own mailbox. */
	assert_string_equal(expand("alias",
				"bob@example.org, <Carol@Example.org>, dave, "
				"\\joe, JOE+other@localhost"),
	    "to bob@example.org\nto Carol@Example.org\nto dave@example.test\n"
	    "self\nself\n");
	assert_string_equal(expand("alias", "bad@@address"),
	    "fail 5.1.3 bad address \"bad@@address\": Bad domain syntax\n");
}

static void
test_files(void **state)
{
	char mbox[PATH_MAX], md[PATH_MAX], line[400];
	struct buf b, want;
	FILE *f;

	(void)state;
	snprintf(mbox, sizeof(mbox), "%s/saved", home);
	snprintf(md, sizeof(md), "%s/md/", home);
	buf_init(&b, 4096);
	buf_init(&want, 4096);
	buf_printf(&want,
	    "sent delivered to file: %s\nsent delivered to maildir\n", mbox);
	buf_printf(&b, "%s, %s", mbox, md);
	assert_string_equal(expand("alias", b.data), want.data);
	buf_deinit(&want);
	f = fopen(mbox, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_memory_equal(line, "From sender@example.org ", 24);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "Return-Path: <sender@example.org>\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "Delivered-To: joe+x@localhost\n");
	while (fgets(line, sizeof(line), f) != NULL && strcmp(line, "\n") != 0)
		;
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, ">From the body\n");
	fclose(f);
	buf_deinit(&b);
}

static void
test_include_and_restrictions(void **state)
{
	char inc[PATH_MAX], inner[PATH_MAX], marker[PATH_MAX],
	    value[PATH_MAX + 20];
	struct buf want;

	(void)state;
	snprintf(inner, sizeof(inner), "%s/inner", home);
	snprintf(inc, sizeof(inc), "%s/list", home);
	snprintf(marker, sizeof(marker), "%s/ran", home);
	write_file(inner, "# inner\nann@example.org\n", 0644);
	buf_init(&want, 4096);
	buf_printf(&want, "a@example.org\n:include:%s\n|touch %s\n%s/f\n",
	    inner, marker, home);
	write_file(inc, want.data, 0644);
	snprintf(value, sizeof(value), ":include:%s", inc);
	/* An :include: file is "include": neither commands nor files are
	 * allowed there by default. */
	buf_reset(&want);
	buf_printf(&want,
	    "to a@example.org\nto ann@example.org\n"
	    "fail 5.7.1 mail to command is restricted "
	    "(allow_mail_to_commands does not allow include)\n"
	    "fail 5.7.1 mail to file is restricted "
	    "(allow_mail_to_files does not allow include)\n");
	assert_string_equal(expand("alias", value), want.data);
	assert_int_equal(access(marker, F_OK), -1);

	/* Unsafe include files are refused; missing ones are errors. */
	chmod(inc, 0666);
	assert_memory_equal(expand("alias", value),
	    "fail 4.3.0 :include: "
	    "refused: ",
	    28);
	snprintf(value, sizeof(value), ":include:%s/none", home);
	buf_reset(&want);
	buf_printf(&want, "fail 5.3.0 :include: %s/none: no such file\n", home);
	assert_string_equal(expand("alias", value), want.data);

	/* Commands from aliases, restricted by the parameter. */
	var_allow_commands = "forward";
	buf_reset(&want);
	buf_printf(&want, "|touch %s", marker);
	assert_string_equal(expand("alias", want.data),
	    "fail 5.7.1 mail to command is restricted "
	    "(allow_mail_to_commands does not allow alias)\n");
	assert_int_equal(access(marker, F_OK), -1);
	buf_deinit(&want);
}

/* An answer that does not fit is one temporary failure, never a list
 * with recipients left out. */
static void
test_answer_too_long(void **state)
{
	struct attr_list req = { 0 };
	struct local_msg m;
	struct buf out;

	(void)state;
	local_fixture_msg(&fx, &m);
	attr_list_add(&req, "kind", "expand");
	attr_list_add(&req, "source", "alias");
	attr_list_add(&req, "value",
	    "a1@example.org a2@example.org a3@example.org a4@example.org");
	attr_list_add(&req, "rcpt", "list@localhost");
	attr_list_add(&req, "user", "list");
	attr_list_add(&req, "home", home);
	attr_list_add(&req, "shell", "/bin/sh");
	attr_list_add(&req, "ext", "");
	buf_init(&out, 60); /* the four lines need 72 bytes */
	assert_int_equal(local_job_expand(&m, &req, &out), 0);
	assert_string_equal(buf_cstr(&out),
	    "fail 4.3.0 the expansion does not fit in an answer\n");
	buf_deinit(&out);
	attr_list_clear(&req);
	close(m.fd);
}

static void
test_forward_file(void **state)
{
	char path[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/.forward", home);
	assert_string_equal(expand("forward", NULL), "missing\n");
	write_file(path, "# only a comment\n", 0644);
	assert_string_equal(expand("forward", NULL), "missing\n");
	write_file(path, "bob@example.org\n", 0644);
	assert_string_equal(expand("forward", NULL), "to bob@example.org\n");
	chmod(path, 0666);
	assert_memory_equal(expand("forward", NULL), "unsafe ", 7);
	assert_non_null(strstr(expand("forward", NULL), path));
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_include_and_restrictions),
		cmocka_unit_test(test_forward_file),
		cmocka_unit_test(test_answer_too_long),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
