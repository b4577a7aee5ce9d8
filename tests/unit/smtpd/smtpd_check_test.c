/* SPDX-License-Identifier: MIT */
/* smtpd_check_test - relay control: mynetworks, relay_domains, the order
 * of the restriction lists, access tables (the parsing and its errors:
 * tests/unit/mail/relay_policy_test.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "dns/dns.h"
#include "mail/resolve.h"

#include "smtpd_check.h"

/* main.cf for one case: our domain example.com, an outside world. The
 * strings are the test's own (config_load_defaults ran once, in main). */
static void
configure(const char *relay, const char *rcpt, const char *mynetworks,
    const char *relay_domains)
{
	const char *error;

	var_virt_mailbox_domains = (char *)"example.com";
	var_virt_mailbox_maps = (char *)"inline:{alice@example.com=alice/}";
	resolve_close();
	assert_int_equal(resolve_open(&error), 0);
	var_relay_checks = (char *)relay;
	var_rcpt_checks = (char *)rcpt;
	var_mynetworks =
	    (char *)(mynetworks != NULL ? mynetworks : DEF_MYNETWORKS);
	var_relay_domains = (char *)relay_domains;
}

static int mx_answer;

static int
fake_mx(const char *domain)
{
	(void)domain;
	return mx_answer;
}

#define DEF_RELAY "permit_mynetworks, reject_unauth_destination"

struct rcpt_case {
	const char *relay, *rcpt_list, *relay_domains;
	const char *client, *helo, *sender, *rcpt;
	int mx; /* what the fake DNS answers */
	int code;
	const char *reply; /* dsn and text; NULL when permitted */
};

static const struct rcpt_case rcpt_cases[] = {
	/* The default: loopback relays, the world does not. */
	{ DEF_RELAY, "", "", "127.0.0.1", "h.example", "a@x.org", "v@far.org",
	    DNS_OK, 0, NULL },
	{ DEF_RELAY, "", "", "::1", "h.example", "a@x.org", "v@far.org", DNS_OK,
	    0, NULL },
	{ DEF_RELAY, "", "", "::ffff:127.0.0.5", "h", "a@x.org", "v@far.org",
	    DNS_OK, 0, NULL },
	{ DEF_RELAY, "", "", "192.0.2.1", "h", "a@x.org", "v@far.org", DNS_OK,
	    554, "5.7.1 <v@far.org>: Relay access denied" },
	{ DEF_RELAY, "", "", "192.0.2.1", "h", "a@x.org", "alice@example.com",
	    DNS_OK, 0, NULL },
	{ DEF_RELAY, "", "", "unknown", "h", "a@x.org", "v@far.org", DNS_OK,
	    554, "5.7.1 <v@far.org>: Relay access denied" },
	/* Sender routing into our domain from outside is a relay attempt. */
	{ DEF_RELAY, "", "", "192.0.2.1", "h", "a@x.org",
	    "\"v@far.org\"@example.com", DNS_OK, 554,
	    "5.7.1 <\"v@far.org\"@example.com>: Relay access denied" },
	{ DEF_RELAY, "", "", "192.0.2.1", "h", "a@x.org",
	    "v%far.org@example.com", DNS_OK, 554,
	    "5.7.1 <v%far.org@example.com>: Relay access denied" },
	{ DEF_RELAY, "", "", "192.0.2.1", "h", "a@x.org",
	    "far.org!v@example.com", DNS_OK, 554,
	    "5.7.1 <far.org!v@example.com>: Relay access denied" },
	/* relay_domains: permitted, but not with routing in it. */
	{ DEF_RELAY, "", "relay.org", "192.0.2.1", "h", "a@x.org",
	    "v@RELAY.org", DNS_OK, 0, NULL },
	{ DEF_RELAY, "", "relay.org", "192.0.2.1", "h", "a@x.org",
	    "v%far.org@relay.org", DNS_OK, 554,
	    "5.7.1 <v%far.org@relay.org>: Relay access denied" },
	{ "permit_mynetworks, defer_unauth_destination", "", "", "192.0.2.1",
	    "h", "a@x.org", "v@far.org", DNS_OK, 454,
	    "4.7.1 <v@far.org>: Relay access denied" },
	/* A permit ends only its list; the recipient list still runs. */
	{ "permit_auth_destination, reject", "reject_non_fqdn_sender", "",
	    "192.0.2.1", "h", "a@x", "alice@example.com", DNS_OK, 504,
	    "5.5.2 <a@x>: Sender address rejected: need fully-qualified "
	    "address" },
	{ "permit_auth_destination, reject", "", "", "192.0.2.1", "h",
	    "a@x.org", "v@far.org", DNS_OK, 554,
	    "5.7.1 <v@far.org>: Recipient address rejected: Access denied" },
	{ DEF_RELAY, "reject_non_fqdn_recipient", "", "127.0.0.1", "h",
	    "a@x.org", "v@far", DNS_OK, 504,
	    "5.5.2 <v@far>: Recipient address rejected: need fully-qualified "
	    "address" },
	{ DEF_RELAY, "reject_non_fqdn_helo_hostname", "", "127.0.0.1", "box",
	    "a@x.org", "alice@example.com", DNS_OK, 504,
	    "5.5.2 <box>: Helo command rejected: need fully-qualified "
	    "hostname" },
	{ DEF_RELAY, "reject_non_fqdn_helo_hostname", "", "127.0.0.1",
	    "[192.0.2.9]", "a@x.org", "alice@example.com", DNS_OK, 0, NULL },
	{ DEF_RELAY, "reject_non_fqdn_sender", "", "127.0.0.1", "h", "",
	    "alice@example.com", DNS_OK, 0, NULL },
	/* Unknown recipient domains, by the fake DNS. */
	{ DEF_RELAY, "reject_unknown_recipient_domain", "", "127.0.0.1", "h",
	    "a@x.org", "v@none.org", DNS_NOTFOUND, 550,
	    "5.1.2 <v@none.org>: Recipient address rejected: Domain not "
	    "found" },
	{ DEF_RELAY, "reject_unknown_recipient_domain", "", "127.0.0.1", "h",
	    "a@x.org", "v@none.org", DNS_RETRY, 450,
	    "4.1.2 <v@none.org>: Recipient address rejected: Domain not "
	    "found" },
	{ DEF_RELAY, "reject_unknown_recipient_domain", "", "127.0.0.1", "h",
	    "a@x.org", "alice@example.com", DNS_NOTFOUND, 0, NULL },
	/* Access tables. */
	{ "check_client_access inline:{192.0.2.1=REJECT}, " DEF_RELAY, "", "",
	    "192.0.2.1", "h", "a@x.org", "alice@example.com", DNS_OK, 554,
	    "5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access "
	    "denied" },
	{ "check_client_access inline:{192.0.2.1=OK}, " DEF_RELAY, "", "",
	    "192.0.2.1", "h", "a@x.org", "v@far.org", DNS_OK, 0, NULL },
	{ "check_client_access inline:{192.0.2.1=DUNNO}, permit, "
	  "reject_unauth_destination",
	    "", "", "192.0.2.1", "h", "a@x.org", "v@far.org", DNS_OK, 0, NULL },
	{ DEF_RELAY, "check_sender_access inline:{{x.org=REJECT go away}}", "",
	    "127.0.0.1", "h", "a@x.org", "alice@example.com", DNS_OK, 554,
	    "5.7.1 <a@x.org>: Sender address rejected: go away" },
	{ DEF_RELAY, "check_sender_access inline:{a@=DEFER}", "", "127.0.0.1",
	    "h", "a@x.org", "alice@example.com", DNS_OK, 450,
	    "4.7.1 <a@x.org>: Sender address rejected: Access denied" },
	{ DEF_RELAY, "check_sender_access inline:{{<>=550 no bounces}}", "",
	    "127.0.0.1", "h", "", "alice@example.com", DNS_OK, 550,
	    "5.7.1 <>: Sender address rejected: no bounces" },
	{ DEF_RELAY,
	    "check_recipient_access inline:{{alice@example.com=421 4.2.9 "
	    "later}}",
	    "", "127.0.0.1", "h", "a@x.org", "alice@example.com", DNS_OK, 421,
	    "4.2.9 <alice@example.com>: Recipient address rejected: later" },
	{ "check_recipient_access inline:{far.org=1234}, " DEF_RELAY, "", "",
	    "192.0.2.1", "h", "a@x.org", "v@far.org", DNS_OK, 0, NULL },
	{ "check_recipient_access inline:{far.org=BOGUS}, " DEF_RELAY, "", "",
	    "192.0.2.1", "h", "a@x.org", "v@far.org", DNS_OK, 451,
	    "4.3.5 <v@far.org>: Recipient address rejected: Server "
	    "configuration error" },
};

static void
test_rcpt(void **state)
{
	struct smtpd_check_client c;
	struct smtpd_check_reply r;
	const struct rcpt_case *t;
	const char *error;
	char text[700];
	size_t i;
	int rc;

	(void)state;
	smtpd_check_set_mx(fake_mx);
	for (i = 0; i < sizeof(rcpt_cases) / sizeof(rcpt_cases[0]); i++) {
		t = &rcpt_cases[i];
		configure(t->relay, t->rcpt_list, NULL, t->relay_domains);
		if (smtpd_check_init(&error) < 0)
			fail_msg("case %zu: %s", i, error);
		mx_answer = t->mx;
		c.addr = t->client;
		c.name = "unknown";
		c.helo = t->helo;
		c.sender = t->sender;
		memset(&r, 0, sizeof(r));
		rc = smtpd_check_rcpt(&c, t->rcpt, &r);
		if (t->reply == NULL) {
			if (rc != 0)
				fail_msg("case %zu (%s): %d %s %s", i, t->rcpt,
				    r.code, r.dsn, r.text);
			continue;
		}
		if (rc != -1)
			fail_msg("case %zu (%s %s %s): permitted", i, t->relay,
			    t->rcpt_list, t->rcpt);
		snprintf(text, sizeof(text), "%s %s", r.dsn, r.text);
		if (r.code != t->code || strcmp(text, t->reply) != 0)
			fail_msg("case %zu: got %d %s", i, r.code, text);
	}
	smtpd_check_deinit();
}

static void
test_mynetworks(void **state)
{
	const char *error;

	(void)state;
	configure(DEF_RELAY, "",
	    "192.0.2.0/24, [2001:db8::]/32 inline:{"
	    "198.51.100.7=x}",
	    "");
	assert_int_equal(smtpd_check_init(&error), 0);
	assert_int_equal(smtpd_check_mynetworks("192.0.2.200"), 1);
	assert_int_equal(smtpd_check_mynetworks("192.0.3.1"), 0);
	assert_int_equal(smtpd_check_mynetworks("2001:db8::5"), 1);
	assert_int_equal(smtpd_check_mynetworks("198.51.100.7"), 1);
	assert_int_equal(smtpd_check_mynetworks("127.0.0.1"), 0);
	assert_int_equal(smtpd_check_mynetworks("unknown"), 0);
	/* The default: loopback only, IPv4-mapped included. */
	configure(DEF_RELAY, "", DEF_MYNETWORKS, "");
	assert_int_equal(smtpd_check_init(&error), 0);
	assert_int_equal(smtpd_check_mynetworks("127.1.2.3"), 1);
	assert_int_equal(smtpd_check_mynetworks("::1"), 1);
	assert_int_equal(smtpd_check_mynetworks("::ffff:127.0.0.1"), 1);
	assert_int_equal(smtpd_check_mynetworks("10.0.0.1"), 0);
	smtpd_check_deinit();
}

static char *loader_values[6];

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcpt),
		cmocka_unit_test(test_mynetworks),
	};

	config_load_defaults();
	/* Kept reachable: configure() points these at the test's strings. */
	loader_values[0] = var_virt_mailbox_domains;
	loader_values[1] = var_virt_mailbox_maps;
	loader_values[2] = var_relay_checks;
	loader_values[3] = var_rcpt_checks;
	loader_values[4] = var_mynetworks;
	loader_values[5] = var_relay_domains;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
