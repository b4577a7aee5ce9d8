/* SPDX-License-Identifier: MIT */
/* mastercf_test - master.cf columns, defaults, -o forms and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/mastercf.h"
#include "util/mem.h"

#define P "/etc/tern/master.cf"

static struct mastercf *
parse_ok(const char *text)
{
	struct mastercf *cf = NULL;
	const char *error = NULL;

	if (mastercf_parse(P, text, strlen(text), &cf, &error) < 0)
		fail_msg("unexpected error: %s", error);
	assert_non_null(cf);
	return cf;
}

static void
test_defaults(void **state)
{
	struct mastercf *cf = parse_ok(
	    "# service type private unpriv chroot wakeup maxproc command\n"
	    "smtp      inet  -       -       -       -       -       smtpd\n"
	    "qmgr      unix  n       -       n       300     1       qmgr\n"
	    "local     unix  -       n       n       -       -       local\n"
	    "pickup    unix  n       -       y       60?     1       pickup\n");
	const struct mastercf_service *s;

	assert_string_equal(cf->path, P);
	assert_int_equal(cf->nsvc, 4);
	s = &cf->svc[0];
	assert_string_equal(s->name, "smtp");
	assert_string_equal(s->port, "25");
	assert_int_equal(s->type, MASTERCF_INET);
	assert_null(s->host);
	assert_string_equal(s->port, "25");
	assert_int_equal(s->private_svc, 0);
	assert_int_equal(s->unpriv, 1);
	assert_int_equal(s->chroot, 0);
	assert_int_equal(s->wakeup, 0);
	assert_int_equal(s->wakeup_conditional, 0);
	assert_int_equal(s->maxproc, -1);
	assert_string_equal(s->command, "smtpd");
	assert_int_equal(s->argc, 0);
	assert_null(s->argv[0]);
	assert_int_equal(s->noverrides, 0);
	assert_int_equal(s->line, 2);
	s = &cf->svc[1];
	assert_int_equal(s->type, MASTERCF_UNIX);
	assert_null(s->host);
	assert_null(s->port);
	assert_int_equal(s->private_svc, 0);
	assert_int_equal(s->wakeup, 300);
	assert_int_equal(s->maxproc, 1);
	s = &cf->svc[2];
	assert_int_equal(s->private_svc, 1);
	assert_int_equal(s->unpriv, 0);
	assert_int_equal(s->line, 4);
	s = &cf->svc[3];
	assert_int_equal(s->chroot, 1);
	assert_int_equal(s->wakeup, 60);
	assert_int_equal(s->wakeup_conditional, 1);
	mastercf_destroy(&cf);
	assert_null(cf);
	mastercf_destroy(&cf);
}

static void
test_inet_names(void **state)
{
	static const struct {
		const char *name, *host, *port;
	} cases[] = {
		{ "25", NULL, "25" },
		{ "smtp", NULL, "25" },
		{ "submission", NULL, "587" },
		{ "submissions", NULL, "465" },
		{ "127.0.0.1:imaps", "127.0.0.1", "993" },
		{ "127.0.0.1:2525", "127.0.0.1", "2525" },
		{ "localhost:587", "localhost", "587" },
		{ ":465", NULL, "465" },
		{ "[::1]:25", "::1", "25" },
		{ "[2001:db8::1]:65535", "2001:db8::1", "65535" },
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mastercf *cf;

		snprintf(text, sizeof(text), "%s inet - - - - - smtpd\n",
		    cases[i].name);
		cf = parse_ok(text);
		if (cases[i].host == NULL)
			assert_null(cf->svc[0].host);
		else
			assert_string_equal(cf->svc[0].host, cases[i].host);
		assert_string_equal(cf->svc[0].port, cases[i].port);
		assert_string_equal(cf->svc[0].name, cases[i].name);
		mastercf_destroy(&cf);
	}
}

static void
test_args_and_overrides(void **state)
{
	struct mastercf *cf =
	    parse_ok("submission inet n - n - 10 smtpd -v\n"
		     "  -o smtpd_helo_required=yes\n"
		     "# a comment inside the entry\n"
		     "\t-o syslog_name=tern/submission -ofoo=bar\n"
		     "  -o empty= extra arg\n"
		     "smtp inet - - - - - smtpd\n");
	const struct mastercf_service *s = &cf->svc[0];

	assert_int_equal(cf->nsvc, 2);
	assert_int_equal(s->maxproc, 10);
	assert_int_equal(s->argc, 3);
	assert_string_equal(s->argv[0], "-v");
	assert_string_equal(s->argv[1], "extra");
	assert_string_equal(s->argv[2], "arg");
	assert_null(s->argv[3]);
	assert_int_equal(s->noverrides, 4);
	assert_string_equal(s->overrides[0].name, "smtpd_helo_required");
	assert_string_equal(s->overrides[0].value, "yes");
	assert_string_equal(s->overrides[1].name, "syslog_name");
	assert_string_equal(s->overrides[1].value, "tern/submission");
	assert_string_equal(s->overrides[2].name, "foo");
	assert_string_equal(s->overrides[2].value, "bar");
	assert_string_equal(s->overrides[3].name, "empty");
	assert_string_equal(s->overrides[3].value, "");
	assert_int_equal(cf->svc[1].line, 6);
	mastercf_destroy(&cf);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "smtp inet - - - - x smtpd\n",
		    P ":1: smtp: bad maxproc value \"x\"" },
		{ "\n\nsmtp inet - - - - -1 smtpd\n",
		    P ":3: smtp: bad maxproc value \"-1\"" },
		{ "smtp fifo - - - - - smtpd\n",
		    P ":1: smtp: unsupported service type \"fifo\"" },
		{ "smtp inet - - - - -\n",
		    P ":1: smtp: expected at least 8 fields, found 7" },
		{ "smtp inet yes - - - - smtpd\n",
		    P ":1: smtp: bad private value \"yes\"" },
		{ "smtp inet - Y - - - smtpd\n",
		    P ":1: smtp: bad unpriv value \"Y\"" },
		{ "smtp inet - - 1 - - smtpd\n",
		    P ":1: smtp: bad chroot value \"1\"" },
		{ "smtp inet - - - 5m - smtpd\n",
		    P ":1: smtp: bad wakeup value \"5m\"" },
		{ "smtp inet - - - ? - smtpd\n",
		    P ":1: smtp: bad wakeup value \"?\"" },
		{ "smtp inet - - - -1 - smtpd\n",
		    P ":1: smtp: bad wakeup value \"-1\"" },
		{ "smtp inet - - - - - smtpd -o\n",
		    P ":1: smtp: -o without name=value" },
		{ "smtp inet - - - - - smtpd -o novalue\n",
		    P
		    ":1: smtp: bad -o value \"novalue\" (expected name=value)" },
		{ "smtp inet - - - - - smtpd -o =v\n",
		    P ":1: smtp: bad -o value \"=v\" (expected name=value)" },
		{ "smtpx inet - - - - - smtpd\n",
		    P
		    ":1: smtpx: bad port (must be 1-65535 or a mail service name)" },
		{ "0 inet - - - - - smtpd\n",
		    P
		    ":1: 0: bad port (must be 1-65535 or a mail service name)" },
		{ "65536 inet - - - - - smtpd\n",
		    P
		    ":1: 65536: bad port (must be 1-65535 or a mail service name)" },
		{ "host: inet - - - - - smtpd\n",
		    P
		    ":1: host:: bad port (must be 1-65535 or a mail service name)" },
		{ "::1:25 inet - - - - - smtpd\n",
		    P ":1: ::1:25: an IPv6 address needs [brackets]" },
		{ "[::1 inet - - - - - smtpd\n",
		    P ":1: [::1: bad [address]:port" },
		{ "[]:25 inet - - - - - smtpd\n",
		    P ":1: []:25: bad [address]:port" },
		{ "[::1]25 inet - - - - - smtpd\n",
		    P ":1: [::1]25: bad [address]:port" },
		{ "a/b unix - - - - - x\n",
		    P ":1: a/b: bad unix service name" },
		{ ".. unix - - - - - x\n", P ":1: ..: bad unix service name" },
		{ "  smtp inet - - - - - smtpd\n",
		    P ":1: continuation line without a preceding service" },
		{ "# c\nqmgr unix - - - - 1 qmgr\nsmtp inet - - - - - smtpd\n"
		  "qmgr unix - - - - 1 other\n",
		    P ":4: qmgr: duplicate service (first defined at line 2)" },
		{ "smtp inet - - - - - smtpd\n  -o a=b\n"
		  "bad inet - - - - - smtpd\n",
		    P
		    ":3: bad: bad port (must be 1-65535 or a mail service name)" },
		{ "smtp\x01 unix - - - - - smtpd x\n",
		    P ":1: smtp\\001: bad unix service name" },
		{ "# c\nsmtp inet n n n - - smtpd\n",
		    P ":2: smtp: smtpd parses network input and must not keep "
		      "privileges: set the unpriv column to \"-\" (or \"y\")" },
		{ "110 inet - n - - - /usr/libexec/tern/pop3d\n",
		    P
		    ":1: 110: /usr/libexec/tern/pop3d parses network input and "
		    "must not keep privileges: set the unpriv column to \"-\" "
		    "(or \"y\")" },
		{ "imap inet - n - - - imapd\n",
		    P ":1: imap: imapd parses network input and must not keep "
		      "privileges: set the unpriv column to \"-\" (or \"y\")" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mastercf *cf = NULL;
		const char *error = NULL;
		int ret;

		ret = mastercf_parse(P, cases[i].text, strlen(cases[i].text),
		    &cf, &error);
		if (ret != -1)
			fail_msg("case %zu parsed: %s", i, cases[i].text);
		assert_null(cf);
		assert_string_equal(error, cases[i].error);
	}
}

/* unpriv = n is refused only where it matters: an inet service running a
 * program that parses network input. */
static void
test_unpriv_network_programs(void **state)
{
	struct mastercf *cf;

	cf = parse_ok("smtp inet n - n - - smtpd\n"
		      "2525 inet n y n - - /opt/tern/smtpd\n"
		      "smtpd unix - n n - - smtpd\n"
		      "local unix - n n - - local\n"
		      "2526 inet - n - - - some-proxy\n");
	assert_int_equal(cf->nsvc, 5);
	mastercf_destroy(&cf);
	assert_int_equal(mastercf_parses_network_input("smtpd"), 1);
	assert_int_equal(mastercf_parses_network_input("/x/y/imapd"), 1);
	assert_int_equal(mastercf_parses_network_input("pop3d"), 1);
	assert_int_equal(mastercf_parses_network_input("local"), 0);
	assert_int_equal(mastercf_parses_network_input("smtpd/"), 0);
	assert_int_equal(mastercf_parses_network_input("xsmtpd"), 0);
}

static void
test_same_name_other_type(void **state)
{
	struct mastercf *cf = parse_ok("25 inet - - - - - smtpd\n"
				       "25 unix - - - - - smtpd\n");

	assert_int_equal(cf->nsvc, 2);
	mastercf_destroy(&cf);
}

static void
test_nul_and_empty(void **state)
{
	static const char text[] = "smtp inet - - - - - smtpd\0x\n";
	struct mastercf *cf = NULL;
	const char *error;

	assert_int_equal(mastercf_parse(P, text, sizeof(text) - 1, &cf, &error),
	    -1);
	assert_string_equal(error, P ":1: NUL byte in line");
	cf = parse_ok("# only comments\n\n   \n");
	assert_int_equal(cf->nsvc, 0);
	mastercf_destroy(&cf);
	cf = parse_ok("");
	assert_int_equal(cf->nsvc, 0);
	mastercf_destroy(&cf);
}

/* Every prefix of a valid file parses or fails with a file:line error. */
static void
test_cut_at_every_point(void **state)
{
	static const char text[] = "# master.cf\n"
				   "smtp inet n - n - - smtpd\n"
				   "  -o smtpd_helo_required=yes\n"
				   "[::1]:2525 inet - - - 10? 5 smtpd -v\n"
				   "qmgr unix n - n 300 1 qmgr\n";
	size_t i;

	for (i = 0; i <= sizeof(text) - 1; i++) {
		struct mastercf *cf = NULL;
		const char *error = NULL;

		if (mastercf_parse(P, text, i, &cf, &error) == 0) {
			assert_non_null(cf);
			mastercf_destroy(&cf);
		} else {
			assert_null(cf);
			assert_true(strncmp(error, P ":", strlen(P) + 1) == 0);
		}
	}
}

static void
test_load_file(void **state)
{
	char path[] = "/tmp/mastercf_test.XXXXXX";
	struct mastercf *cf = NULL;
	const char *error;
	int fd = mkstemp(path);
	static const char text[] = "qmgr unix n - n 300 1 qmgr\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
	    (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(mastercf_load(path, &cf, &error), 0);
	assert_int_equal(cf->nsvc, 1);
	assert_string_equal(cf->path, path);
	mastercf_destroy(&cf);
	unlink(path);
	assert_int_equal(mastercf_load(path, &cf, &error), -1);
	assert_null(cf);
	assert_non_null(strstr(error, ": cannot open: No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_inet_names),
		cmocka_unit_test(test_args_and_overrides),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unpriv_network_programs),
		cmocka_unit_test(test_same_name_other_type),
		cmocka_unit_test(test_nul_and_empty),
		cmocka_unit_test(test_cut_at_every_point),
		cmocka_unit_test(test_load_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
