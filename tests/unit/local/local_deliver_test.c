/* SPDX-License-Identifier: MIT */
/* local_deliver_test - local's delivery of one recipient, end to end on
 * a real queue file and Maildir: the status and text for each outcome
 * (delivered, unknown user, relay, postmaster without a mailbox, a loop,
 * an mbox path, a Maildir that cannot be written), the headers local
 * adds, the Delivered-To: scan, and the log line's Postfix shape. As
 * root the delivery runs as the mailbox owner (nobody here), as it does
 * in the daemon; root itself is never a mailbox owner. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/resolve.h"
#include "proto/local_clnt.h"
#include "queue/qfile.h"
#include "util/buf.h"
#include "util/log.h"

#include "local.h"
#include "local_fixture.h"

#define OWNER 65534 /* nobody: the mailbox owner when run as root */

static struct local_fixture fx;
static char base[300], maillog[300], uid_map[32], gid_map[32];

static const char content[] = "Delivered-To: looped@example.test\n"
			      "Subject: local test\n"
			      "\n"
			      "hello\n";

static int
setup(void **state)
{
	const char *error;
	uid_t uid = geteuid() == 0 ? OWNER : geteuid();
	gid_t gid = geteuid() == 0 ? OWNER : getegid();

	(void)state;
	log_init("local");
	config_load_defaults();
	if (local_fixture_setup(&fx, "local_deliver_test", content) < 0)
		return -1;
	snprintf(base, sizeof(base), "%s/mail", fx.dir);
	snprintf(maillog, sizeof(maillog), "%s/maillog", fx.dir);
	if (mkdir(base, 0755) < 0 || chown(base, uid, gid) < 0 ||
	    log_open_file(maillog, &error) < 0)
		return -1;
	snprintf(uid_map, sizeof(uid_map), "static:%ld", (long)uid);
	snprintf(gid_map, sizeof(gid_map), "static:%ld", (long)gid);
	var_myhostname = "mail.example.test";
	var_mydomain = "example.test";
	var_myorigin = "example.test";
	var_rcpt_delim = "+";
	var_virt_mailbox_domains = "example.test";
	var_virt_mailbox_base = base;
	var_alias_maps = (char *)"";
	var_virt_mailbox_maps =
	    "inline:{ alice@example.test=alice/,"
	    " looped@example.test=looped/, mbox@example.test=mbox,"
	    " blocked@example.test=blocked/, content@example.test=content/ }";
	var_virt_alias_maps = "";
	var_virt_uid_maps = uid_map;
	var_virt_gid_maps = gid_map;
	var_virt_minimum_uid = 1;
	return resolve_open(&error);
}

static int
teardown(void **state)
{
	(void)state;
	resolve_close();
	return local_fixture_teardown(&fx);
}

/* The whole maillog so far (static, NUL-terminated). */
static const char *
log_text(void)
{
	static char text[65536];
	ssize_t n;
	int fd = open(maillog, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	assert_true(n >= 0);
	text[n] = 0;
	close(fd);
	return text;
}

static void
test_outcomes(void **state)
{
	static const struct {
		const char *rcpt, *status, *text;
	} cases[] = {
		{ "alice@example.test", "2.0.0", "delivered to maildir" },
		{ "alice+ext@example.test", "2.0.0", "delivered to maildir" },
		{ "carol@example.test", "5.1.1", "User unknown" },
		{ "x@elsewhere.example", "5.7.1", "Relay access denied" },
		{ "postmaster@example.test", "5.1.1",
		    "no mailbox for "
		    "<postmaster@example.test>" },
		{ "looped@example.test", "5.4.6",
		    "mail forwarding loop for "
		    "looped@example.test" },
		{ "mbox@example.test", "5.3.5",
		    "mbox delivery is not "
		    "supported: the mailbox of <mbox@example.test> is not a "
		    "Maildir" },
		{ "blocked@example.test", "4.2.0", "maildir delivery failed" },
	};
	struct local_msg m;
	char path[400];
	size_t i;
	int fd;

	(void)state;
	/* A plain file where blocked's Maildir would be. */
	snprintf(path, sizeof(path), "%s/blocked", base);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	local_fixture_msg(&fx, &m);
	assert_int_equal(local_msg_scan(&m, &(const char *){ NULL }), 0);
	assert_int_equal(m.ndelivered_to, 1);
	assert_string_equal(m.delivered_to[0], "looped@example.test");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct local_result res;

		memset(&res, 0, sizeof(res));
		local_deliver(&m, cases[i].rcpt, cases[i].rcpt, &res);
		if (strcmp(res.status, cases[i].status) != 0 ||
		    strstr(res.text, cases[i].text) == NULL)
			fail_msg("%s: got %s (%s), want %s (%s...)",
			    cases[i].rcpt, res.status, res.text,
			    cases[i].status, cases[i].text);
	}
	local_msg_free(&m);
	close(m.fd);
}

/* What lands in the Maildir: Return-Path: and Delivered-To: first, then
 * the message as queued, in new/, owned by the mailbox owner. */
static void
test_maildir_content(void **state)
{
	struct local_msg m;
	struct local_result res;
	char dir[400], file[700], text[4096];
	struct stat st;
	ssize_t n;
	int fd, found = 0;
	struct dirent *e;
	DIR *d;

	(void)state;
	local_fixture_msg(&fx, &m);
	local_deliver(&m, "content@example.test", "Content@Example.test", &res);
	assert_string_equal(res.status, "2.0.0");
	snprintf(dir, sizeof(dir), "%s/content/new", base);
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		assert_true((size_t)snprintf(file, sizeof(file), "%s/%s", dir,
				e->d_name) < sizeof(file));
		found++;
	}
	closedir(d);
	assert_int_equal(found, 1);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_uid, geteuid() == 0 ? OWNER : geteuid());
	assert_true((fd = open(file, O_RDONLY)) >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n > 0);
	text[n] = 0;
	assert_string_equal(text,
	    "Return-Path: <sender@example.org>\n"
	    "Delivered-To: content@example.test\n"
	    "Delivered-To: looped@example.test\n"
	    "Subject: local test\n\nhello\n");
	close(m.fd);
}

/* One log line per recipient, in Postfix's shape: orig_to when the
 * original differs (not only in case), the delay fields, dsn, status. */
static void
test_log_lines(void **state)
{
	static const char *patterns[] = {
		"local\\[[0-9]+\\]: [0-9A-F]+: to=<alice@example\\.test>, "
		"relay=local, delay=[0-9.]+, delays=[0-9.]+/0/0/[0-9.]+, "
		"dsn=2\\.0\\.0, status=sent \\(delivered to maildir\\)\n",
		"to=<alice@example\\.test>, orig_to=<team@example\\.test>, "
		"relay=local, delay=[0-9.]+, delays=[^,]+, dsn=2\\.0\\.0, "
		"status=sent",
		"to=<carol@example\\.test>, relay=local, delay=[0-9.]+, "
		"delays=[^,]+, dsn=5\\.1\\.1, status=bounced \\(",
	};
	struct local_msg m;
	struct local_result res;
	size_t i;

	(void)state;
	local_fixture_msg(&fx, &m);
	local_deliver(&m, "alice@example.test", "ALICE@example.test", &res);
	local_deliver(&m, "alice@example.test", "team@example.test", &res);
	local_deliver(&m, "carol@example.test", "carol@example.test", &res);
	close(m.fd);
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		regex_t re;

		assert_int_equal(regcomp(&re, patterns[i], REG_EXTENDED), 0);
		if (regexec(&re, log_text(), 0, NULL, 0) != 0)
			fail_msg("no log line matches %s in:\n%s", patterns[i],
			    log_text());
		regfree(&re);
	}
	/* Never exponent notation, never an orig_to for a case change. */
	{
		regex_t re;

		assert_int_equal(regcomp(&re, "delays?=[^,]*e", REG_EXTENDED),
		    0);
		assert_int_equal(regexec(&re, log_text(), 0, NULL, 0),
		    REG_NOMATCH);
		regfree(&re);
	}
	assert_null(strstr(log_text(), "orig_to=<ALICE@"));
}

/* As root, an owner of uid 0 is refused: nothing runs as root. */
static void
test_root_owner_refused(void **state)
{
	struct local_msg m;
	struct local_result res;
	const char *error;

	(void)state;
	if (geteuid() != 0)
		skip();
	var_virt_uid_maps = "static:0";
	assert_int_equal(resolve_open(&error), 0);
	local_fixture_msg(&fx, &m);
	local_deliver(&m, "alice@example.test", "alice@example.test", &res);
	assert_string_equal(res.status, "4.3.5");
	close(m.fd);
	var_virt_uid_maps = uid_map;
	assert_int_equal(resolve_open(&error), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_maildir_content),
		cmocka_unit_test(test_log_lines),
		cmocka_unit_test(test_root_owner_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
