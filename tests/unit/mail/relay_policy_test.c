/* SPDX-License-Identifier: MIT */
/* relay_policy_test - parsing mynetworks, relay_domains and the
 * restriction lists: every configuration error names its parameter, and
 * lists that cannot refuse anything are an open relay, refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/relay_policy.h"

#define DEF_RELAY "permit_mynetworks, reject_unauth_destination"

/* The strings are the test's own; the loader's stay reachable. */
static char *loader_values[4];

static void
configure(const char *relay, const char *rcpt, const char *mynetworks,
    const char *relay_domains)
{
	var_relay_checks = (char *)relay;
	var_rcpt_checks = (char *)rcpt;
	var_mynetworks = (char *)mynetworks;
	var_relay_domains = (char *)relay_domains;
}

static const struct {
	const char *relay, *rcpt, *mynetworks, *error;
} config_cases[] = {
	{ "permit_mynetworks, bogus", "", DEF_MYNETWORKS,
	    "smtpd_relay_restrictions: unknown restriction \"bogus\"" },
	{ DEF_RELAY, "check_client_access", DEF_MYNETWORKS,
	    "smtpd_recipient_restrictions: check_client_access needs a "
	    "type:table argument" },
	{ DEF_RELAY, "check_sender_access permit", DEF_MYNETWORKS,
	    "smtpd_recipient_restrictions: check_sender_access needs a "
	    "type:table argument" },
	{ "permit_mynetworks", "permit_auth_destination", DEF_MYNETWORKS,
	    "smtpd_relay_restrictions and smtpd_recipient_restrictions: "
	    "neither holds reject_unauth_destination, "
	    "defer_unauth_destination, reject or defer: refusing to run an "
	    "open relay" },
	{ "", "", DEF_MYNETWORKS,
	    "smtpd_relay_restrictions and smtpd_recipient_restrictions: "
	    "neither holds reject_unauth_destination, "
	    "defer_unauth_destination, reject or defer: refusing to run an "
	    "open relay" },
	{ DEF_RELAY, "", "192.0.2.1/24", "mynetworks: \"192.0.2.1/24\": " },
	{ DEF_RELAY, "", "nonsense", "mynetworks: \"nonsense\": " },
};

static void
test_config_errors(void **state)
{
	struct relay_policy *p = NULL;
	const char *error;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++) {
		configure(config_cases[i].relay, config_cases[i].rcpt,
		    config_cases[i].mynetworks, "");
		assert_int_equal(relay_policy_create(&p, &error), -1);
		assert_null(p);
		if (strncmp(error, config_cases[i].error,
			strlen(config_cases[i].error)) != 0)
			fail_msg("case %zu: %s", i, error);
	}
	/* Either list may carry the protection. */
	configure("permit_mynetworks", "reject_unauth_destination",
	    DEF_MYNETWORKS, "");
	assert_int_equal(relay_policy_create(&p, &error), 0);
	assert_int_equal(relay_policy_uses(p, R_REJECT_UNAUTH_DEST), 1);
	assert_int_equal(relay_policy_uses(p, R_PERMIT), 0);
	relay_policy_destroy(&p);
	assert_null(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_errors),
	};

	config_load_defaults();
	loader_values[0] = var_relay_checks;
	loader_values[1] = var_rcpt_checks;
	loader_values[2] = var_mynetworks;
	loader_values[3] = var_relay_domains;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
