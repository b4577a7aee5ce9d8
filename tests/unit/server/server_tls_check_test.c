/* SPDX-License-Identifier: MIT */
/* server_tls_check_test - what tern check says of TLS settings: an unknown
 * smtp level is an error naming main.cf and the parameter; a CA file,
 * policy entry and SNI entry that cannot be used are warnings naming the
 * parameter, table and key; a service that requires TLS without a
 * certificate is an error naming its master.cf line, one at "may" a
 * warning; so for smtpd, pop3d and imapd, each named by its own
 * parameters. */
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
#include "conf/mastercf.h"
#include "server/server_tls.h"
#include "util/buf.h"

static char dir[] = "/tmp/server_tls_check_test.XXXXXX";
static struct buf said;

static void
collect(void *ctx, int error, const char *text)
{
	(void)ctx;
	buf_printf(&said, "%s %s\n", error ? "E" : "W", text);
}

static void
put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_findings(void **state)
{
	char main_cf[2048], master[1024];
	struct mastercf *cf = NULL;
	const char *error;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put("policy", "example.net encrypt\nexample.org always\n");
	put("sni", "mail.example.org /nonexistent/x.pem\n");
	snprintf(main_cf, sizeof(main_cf),
	    "smtp_tls_security_level = dane\n"
	    "smtp_tls_CAfile = /nonexistent/ca.pem\n"
	    "smtp_tls_policy_maps = texthash:%s/policy\n"
	    "tls_server_sni_maps = texthash:%s/sni\n",
	    dir, dir);
	put("main.cf", main_cf);
	if (config_load(dir, &error) < 0)
		fail_msg("%s", error);
	snprintf(master, sizeof(master),
	    "smtp inet n - n - - smtpd -o smtpd_tls_security_level=may\n"
	    "pop3s inet n - n - - pop3d -o pop3d_tls_wrappermode=yes\n"
	    "pop3 inet n - n - - pop3d -o pop3d_tls_security_level=never\n"
	    "imaps inet n - n - - imapd -o imapd_tls_wrappermode=yes\n"
	    "imap inet n - n - - imapd -o imapd_tls_security_level=may\n"
	    "10143 inet n - n - - imapd -o imapd_tls_security_level=some\n"
	    "10144 inet n - n - - imapd\n");
	assert_int_equal(mastercf_parse("master.cf", master, strlen(master),
			     &cf, &error),
	    0);
	buf_init(&said, 65536);
	server_tls_check(cf, dir, collect, NULL);
	mastercf_destroy(&cf);
	assert_non_null(strstr(said.data,
	    "W master.cf:1: smtp: STARTTLS is not offered: "
	    "smtpd_tls_cert_file is empty\n"));
	assert_non_null(strstr(said.data,
	    "E master.cf:2: pop3s: TLS is required but pop3d_tls_cert_file "
	    "is empty\n"));
	assert_non_null(strstr(said.data,
	    "E master.cf:3: pop3: -o pop3d_tls_security_level = never: "
	    "unknown security level (none, may or encrypt)\n"));
	assert_non_null(strstr(said.data,
	    "E master.cf:4: imaps: TLS is required but imapd_tls_cert_file "
	    "is empty\n"));
	assert_non_null(strstr(said.data,
	    "W master.cf:5: imap: STARTTLS is not offered: "
	    "imapd_tls_cert_file is empty\n"));
	assert_non_null(strstr(said.data,
	    "E master.cf:6: 10143: -o imapd_tls_security_level = some: "
	    "unknown security level (none, may or encrypt)\n"));
	/* Level none by default: nothing to check. */
	assert_null(strstr(said.data, "10144"));
	assert_non_null(strstr(said.data,
	    "/main.cf: smtp_tls_security_level = dane: unknown security "
	    "level"));
	assert_non_null(strstr(said.data,
	    "W smtp_tls_CAfile: cannot load CA file /nonexistent/ca.pem"));
	assert_non_null(strstr(said.data, "W smtp_tls_policy_maps: texthash:"));
	assert_non_null(strstr(said.data, ": example.org: \"always\": "));
	assert_null(strstr(said.data, "example.net"));
	assert_non_null(strstr(said.data, "W tls_server_sni_maps: texthash:"));
	assert_non_null(strstr(said.data,
	    ": mail.example.org: cannot load "
	    "certificate chain /nonexistent/x.pem"));
	buf_deinit(&said);
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
