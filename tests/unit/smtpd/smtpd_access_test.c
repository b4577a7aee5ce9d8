/* SPDX-License-Identifier: MIT */
/* smtpd_access_test - the keys of access(5) lookups, in Postfix's order,
 * and the meaning of table values (tables themselves:
 * smtpd_check_test.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "smtpd_access.h"

/* The keys joined by " | ", for one comparison per case. */
static void
joined(const struct smtpd_access_keys *k, char *out, size_t size)
{
	size_t len = 0;

	out[0] = 0;
	for (size_t i = 0; i < k->n; i++) {
		snprintf(out + len, size - len, "%s%s", i ? " | " : "",
		    k->key[i]);
		len = strlen(out);
	}
}

static const struct {
	const char *name, *addr, *keys;
} client_cases[] = {
	{ "mx.example.com", "192.0.2.1",
	    "mx.example.com | example.com | com | 192.0.2.1 | 192.0.2 | "
	    "192.0 | 192" },
	{ "unknown", "192.0.2.1", "192.0.2.1 | 192.0.2 | 192.0 | 192" },
	{ "UNKNOWN", "10.1.2.3", "10.1.2.3 | 10.1.2 | 10.1 | 10" },
	{ NULL, "2001:db8::1", "2001:db8::1 | 2001:db8: | 2001:db8 | 2001" },
	{ "localhost", "::1", "localhost | ::1 | :" },
	{ "unknown", "unknown", "" },
	{ "host", NULL, "host" },
};

static void
test_client_keys(void **state)
{
	struct smtpd_access_keys k = { 0 };
	char out[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(client_cases) / sizeof(client_cases[0]);
	     i++) {
		smtpd_access_client_keys(client_cases[i].name,
		    client_cases[i].addr, &k);
		joined(&k, out, sizeof(out));
		if (strcmp(out, client_cases[i].keys) != 0)
			fail_msg("case %zu: %s", i, out);
	}
	smtpd_access_keys_free(&k);
	assert_int_equal(k.n, 0);
}

static const struct {
	const char *addr, *delim, *null_key, *keys;
} mail_cases[] = {
	/* access(5): user+foo@domain, user@domain, domain, user+foo@,
	 * user@; domain.tld also matches subdomains (parents looked up). */
	{ "user+ext@sub.far.org", "+", "<>",
	    "user+ext@sub.far.org | user@sub.far.org | sub.far.org | "
	    "far.org | org | user+ext@ | user@" },
	{ "user+ext@sub.far.org", "", "<>",
	    "user+ext@sub.far.org | sub.far.org | far.org | org | "
	    "user+ext@" },
	{ "user@far.org", "+", "<>", "user@far.org | far.org | org | user@" },
	/* The first delimiter character, after at least one other. */
	{ "a-b+c@d.org", "+-", "<>",
	    "a-b+c@d.org | a@d.org | d.org | org | a-b+c@ | a@" },
	{ "+x@d.org", "+", "<>", "+x@d.org | d.org | org | +x@" },
	/* Quoted local parts stay quoted, as tables hold them. */
	{ "\"a b+x\"@d.org", "+", "<>",
	    "\"a b+x\"@d.org | \"a b\"@d.org | d.org | org | \"a b+x\"@ | "
	    "\"a b\"@" },
	/* The null sender: smtpd_null_access_lookup_key alone. */
	{ "", "+", "<>", "<>" },
	{ "", "+", "", "" },
	{ "postmaster", "+", "<>", "postmaster" },
};

static void
test_mail_keys(void **state)
{
	struct smtpd_access_keys k = { 0 };
	char out[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(mail_cases) / sizeof(mail_cases[0]);
	     i++) {
		smtpd_access_mail_keys(mail_cases[i].addr, mail_cases[i].delim,
		    mail_cases[i].null_key, &k);
		joined(&k, out, sizeof(out));
		if (strcmp(out, mail_cases[i].keys) != 0)
			fail_msg("case %zu: %s", i, out);
	}
	smtpd_access_keys_free(&k);
}

static const struct {
	const char *value;
	enum smtpd_access_action action;
	int code;
	const char *dsn, *text;
} parse_cases[] = {
	{ "OK", ACCESS_OK, 0, "", "" },
	{ "ok whatever", ACCESS_OK, 0, "", "whatever" },
	{ "RELAY", ACCESS_OK, 0, "", "" },
	{ "1234", ACCESS_OK, 0, "", "" },
	{ "450", ACCESS_OK, 0, "", "" }, /* all-numerical */
	{ "DUNNO", ACCESS_DUNNO, 0, "", "" },
	{ "dunno text", ACCESS_DUNNO, 0, "", "text" },
	{ "REJECT", ACCESS_REFUSE, 554, "5.7.1", "" },
	{ "REJECT go away", ACCESS_REFUSE, 554, "5.7.1", "go away" },
	{ "reject 5.7.2 go away", ACCESS_REFUSE, 554, "5.7.2", "go away" },
	{ "REJECT 4.7.2 go", ACCESS_REFUSE, 554, "5.7.2", "go" },
	{ "REJECT 5.7.1x", ACCESS_REFUSE, 554, "5.7.1", "5.7.1x" },
	{ "DEFER", ACCESS_REFUSE, 450, "4.7.1", "" },
	{ "DEFER later", ACCESS_REFUSE, 450, "4.7.1", "later" },
	{ "550 5.1.1 gone", ACCESS_REFUSE, 550, "5.1.1", "gone" },
	{ "421 4.2.9 later", ACCESS_REFUSE, 421, "4.2.9", "later" },
	{ "450 text", ACCESS_REFUSE, 450, "4.7.1", "text" },
	{ "521 5.7.10 go", ACCESS_REFUSE, 521, "5.7.10", "go" },
	{ "550 4.1.1 x", ACCESS_REFUSE, 550, "5.1.1", "x" },
	{ "DEFER_IF_PERMIT", ACCESS_DEFER_IF_PERMIT, 450, "4.7.1", "" },
	{ "DEFER_IF_REJECT no", ACCESS_DEFER_IF_REJECT, 450, "4.7.1", "no" },
	{ "WARN odd", ACCESS_WARN, 0, "", "odd" },
	{ "info", ACCESS_INFO, 0, "", "" },
	{ "permit", ACCESS_RESTRICTIONS, 0, "", "" },
	{ "reject_unauth_destination, reject", ACCESS_RESTRICTIONS, 0, "",
	    "reject" },
	{ "1234 x", ACCESS_RESTRICTIONS, 0, "", "x" },
	{ "650 x", ACCESS_RESTRICTIONS, 0, "", "x" },
};

static void
test_parse(void **state)
{
	struct smtpd_access_result res;

	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	     i++) {
		smtpd_access_parse(parse_cases[i].value, &res);
		if (res.action != parse_cases[i].action ||
		    res.code != parse_cases[i].code ||
		    strcmp(res.dsn, parse_cases[i].dsn) != 0 ||
		    strcmp(res.text, parse_cases[i].text) != 0)
			fail_msg("case %zu (%s): %d %d %s \"%s\"", i,
			    parse_cases[i].value, (int)res.action, res.code,
			    res.dsn, res.text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_keys),
		cmocka_unit_test(test_mail_keys),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
