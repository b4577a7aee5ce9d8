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
	var_alias_maps = (char *)"";
	resolve_close();
	assert_int_equal(resolve_open(&error), 0);
	var_relay_checks = (char *)relay;
	var_rcpt_checks = (char *)rcpt;
	var_mynetworks =
	    (char *)(mynetworks != NULL ? mynetworks : DEF_MYNETWORKS);
	var_relay_domains = (char *)relay_domains;
}

static enum smtpd_check_mailhost mx_answer;

static enum smtpd_check_mailhost
fake_mx(const char *domain)
{
	(void)domain;
	return mx_answer;
}

/* The fake DNS's answers. */
#define DNS_OK SMTPD_MAILHOST_OK
#define DNS_NOTFOUND SMTPD_MAILHOST_NOTFOUND
#define DNS_NULLMX SMTPD_MAILHOST_NULLMX
#define DNS_RETRY SMTPD_MAILHOST_RETRY

#define DEF_RELAY "permit_mynetworks, reject_unauth_destination"

struct rcpt_case {
	const char *relay, *rcpt_list, *relay_domains;
	const char *client, *helo, *sender, *rcpt;
	enum smtpd_check_mailhost mx; /* what the fake DNS answers */
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
	/* Unknown recipient domains, by the fake DNS: Postfix's
	 * unknown_address_reject_code is 450 by default. */
	{ DEF_RELAY, "reject_unknown_recipient_domain", "", "127.0.0.1", "h",
	    "a@x.org", "v@none.org", DNS_NOTFOUND, 450,
	    "4.1.2 <v@none.org>: Recipient address rejected: Domain not "
	    "found" },
	/* RFC 7505: a null MX is final, whatever the code for unknowns. */
	{ DEF_RELAY, "reject_unknown_recipient_domain", "", "127.0.0.1", "h",
	    "a@x.org", "v@nomail.org", DNS_NULLMX, 556,
	    "5.1.10 <v@nomail.org>: Recipient address rejected: Domain "
	    "nomail.org does not accept mail (nullMX)" },
	{ DEF_RELAY, "reject_unknown_recipient_domain", "", "127.0.0.1", "h",
	    "a@x.org", "v@far.org", DNS_OK, 0, NULL },
	/* A DNS failure defers only what nothing else rejects. */
	{ DEF_RELAY, "reject_unknown_recipient_domain, permit", "", "127.0.0.1",
	    "h", "a@x.org", "v@none.org", DNS_RETRY, 450,
	    "4.1.2 <v@none.org>: Recipient address rejected: Domain not "
	    "found" },
	{ DEF_RELAY, "reject_unknown_recipient_domain, reject", "", "127.0.0.1",
	    "h", "a@x.org", "v@none.org", DNS_RETRY, 554,
	    "5.7.1 <v@none.org>: Recipient address rejected: Access denied" },
	{ "reject_unknown_recipient_domain, " DEF_RELAY, "", "", "192.0.2.1",
	    "h", "a@x.org", "v@none.org", DNS_RETRY, 554,
	    "5.7.1 <v@none.org>: Relay access denied" },
	/* Unknown sender domains. */
	{ DEF_RELAY, "reject_unknown_sender_domain", "", "127.0.0.1", "h",
	    "a@none.org", "alice@example.com", DNS_NOTFOUND, 450,
	    "4.1.8 <a@none.org>: Sender address rejected: Domain not "
	    "found" },
	{ DEF_RELAY, "reject_unknown_sender_domain", "", "127.0.0.1", "h",
	    "a@nomail.org", "alice@example.com", DNS_NULLMX, 550,
	    "5.7.27 <a@nomail.org>: Sender address rejected: Domain "
	    "nomail.org does not accept mail (nullMX)" },
	{ DEF_RELAY, "reject_unknown_sender_domain", "", "127.0.0.1", "h",
	    "a@none.org", "alice@example.com", DNS_RETRY, 450,
	    "4.1.8 <a@none.org>: Sender address rejected: Domain not "
	    "found" },
	{ DEF_RELAY, "reject_unknown_sender_domain", "", "127.0.0.1", "h", "",
	    "alice@example.com", DNS_NOTFOUND, 0, NULL },
	{ DEF_RELAY, "reject_unknown_sender_domain", "", "127.0.0.1", "h",
	    "bob@example.com", "v@far.org", DNS_NOTFOUND, 0, NULL },
	{ DEF_RELAY, "reject_unknown_sender_domain", "", "127.0.0.1", "h",
	    "a@[192.0.2.1]", "v@far.org", DNS_NOTFOUND, 0, NULL },
	{ DEF_RELAY, "reject_unknown_sender_domain", "", "127.0.0.1", "h",
	    "a@x.org", "v@far.org", DNS_OK, 0, NULL },
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
	smtpd_check_set_mailhost(fake_mx);
	memset(&c, 0, sizeof(c));
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

/* unknown_address_reject_code = 550: permanent refusals of domains that
 * do not exist; a DNS failure stays 450. */
static void
test_unknown_address_code(void **state)
{
	struct smtpd_check_client c = { "127.0.0.1", "unknown", "h", "a@x.org",
		NULL, NULL, NULL };
	struct smtpd_check_reply r;
	const char *error;

	(void)state;
	smtpd_check_set_mailhost(fake_mx);
	configure(DEF_RELAY, "reject_unknown_recipient_domain", NULL, "");
	assert_int_equal(smtpd_check_init(&error), 0);
	var_unk_addr_code = 550;
	mx_answer = SMTPD_MAILHOST_NOTFOUND;
	assert_int_equal(smtpd_check_rcpt(&c, "v@none.org", &r), -1);
	assert_int_equal(r.code, 550);
	assert_string_equal(r.dsn, "5.1.2");
	assert_string_equal(r.text,
	    "<v@none.org>: Recipient address rejected: Domain not found");
	mx_answer = SMTPD_MAILHOST_RETRY;
	assert_int_equal(smtpd_check_rcpt(&c, "v@none.org", &r), -1);
	assert_int_equal(r.code, 450);
	assert_string_equal(r.dsn, "4.1.2");
	var_unk_addr_code = DEF_UNK_ADDR_CODE;
	smtpd_check_deinit();
}

/* Which access table key answers: Postfix's order (smtpd_access.h), seen
 * through the reply text of the entry that matched. */
struct access_case {
	const char *relay, *rcpt_list;
	const char *name, *addr, *sender, *rcpt;
	int code;
	const char *reply; /* NULL: permitted */
};

#define RA "check_recipient_access "
#define SA "check_sender_access "
#define CA "check_client_access "
#define RCPT_EXT "user+ext@sub.far.org"

static const struct access_case access_cases[] = {
	/* user+ext@domain, user@domain, domain, parents, user+ext@, user@ */
	{ DEF_RELAY,
	    RA "inline:{{" RCPT_EXT "=REJECT k1}, {user@sub.far.org=REJECT "
	       "k2}, {sub.far.org=REJECT k3}, {user+ext@=REJECT k6}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 554,
	    "5.7.1 <" RCPT_EXT ">: Recipient address rejected: k1" },
	{ DEF_RELAY,
	    RA "inline:{{user@sub.far.org=REJECT k2}, {sub.far.org=REJECT "
	       "k3}, {user+ext@=REJECT k6}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 554,
	    "5.7.1 <" RCPT_EXT ">: Recipient address rejected: k2" },
	{ DEF_RELAY,
	    RA "inline:{{sub.far.org=REJECT k3}, {far.org=REJECT k4}, "
	       "{user+ext@=REJECT k6}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 554,
	    "5.7.1 <" RCPT_EXT ">: Recipient address rejected: k3" },
	{ DEF_RELAY,
	    RA "inline:{{far.org=REJECT k4}, {org=REJECT k5}, "
	       "{user+ext@=REJECT k6}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 554,
	    "5.7.1 <" RCPT_EXT ">: Recipient address rejected: k4" },
	{ DEF_RELAY,
	    RA "inline:{{org=REJECT k5}, {user+ext@=REJECT k6}, "
	       "{user@=REJECT k7}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 554,
	    "5.7.1 <" RCPT_EXT ">: Recipient address rejected: k5" },
	{ DEF_RELAY,
	    RA "inline:{{user+ext@=REJECT k6}, {user@=REJECT k7}, "
	       "{.far.org=REJECT dot}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 554,
	    "5.7.1 <" RCPT_EXT ">: Recipient address rejected: k6" },
	{ DEF_RELAY, RA "inline:{{user@=REJECT k7}, {.far.org=REJECT dot}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 554,
	    "5.7.1 <" RCPT_EXT ">: Recipient address rejected: k7" },
	/* ".domain" keys are not asked for (parent_domain_matches_subdomains
	 * lists smtpd_access_maps by default), nor "@domain". */
	{ DEF_RELAY,
	    RA "inline:{{.far.org=REJECT dot}, {@sub.far.org=REJECT "
	       "at}}",
	    "unknown", "127.0.0.1", "a@x.org", RCPT_EXT, 0, NULL },
	/* The same for the sender, and the null sender's key. */
	{ DEF_RELAY, SA "inline:{{user@=REJECT s7}, {far.org=REJECT s4}}",
	    "unknown", "127.0.0.1", RCPT_EXT, "alice@example.com", 554,
	    "5.7.1 <" RCPT_EXT ">: Sender address rejected: s4" },
	{ DEF_RELAY, SA "inline:{{user@=REJECT s7}, {<>=DUNNO}}", "unknown",
	    "127.0.0.1", RCPT_EXT, "alice@example.com", 554,
	    "5.7.1 <" RCPT_EXT ">: Sender address rejected: s7" },
	{ DEF_RELAY, SA "inline:{{<null>=REJECT nobody}}", "unknown",
	    "127.0.0.1", "", "alice@example.com", 554,
	    "5.7.1 <>: Sender address rejected: nobody" },
	/* Client: the name and its parents, then the address and its
	 * networks. */
	{ CA
	    "inline:{{mx.far.org=REJECT n1}, {192.0.2.1=REJECT a1}}, " DEF_RELAY,
	    "", "mx.far.org", "192.0.2.1", "a@x.org", "alice@example.com", 554,
	    "5.7.1 <mx.far.org[192.0.2.1]>: Client host rejected: n1" },
	{ CA "inline:{{org=REJECT n3}, {192.0.2.1=REJECT a1}}, " DEF_RELAY, "",
	    "mx.far.org", "192.0.2.1", "a@x.org", "alice@example.com", 554,
	    "5.7.1 <mx.far.org[192.0.2.1]>: Client host rejected: n3" },
	{ CA "inline:{{192.0.2.1=REJECT a1}, {192.0.2=REJECT a2}}, " DEF_RELAY,
	    "", "mx.far.org", "192.0.2.1", "a@x.org", "alice@example.com", 554,
	    "5.7.1 <mx.far.org[192.0.2.1]>: Client host rejected: a1" },
	{ CA "inline:{{192.0=REJECT a3}, {192=REJECT a4}}, " DEF_RELAY, "",
	    "unknown", "192.0.2.1", "a@x.org", "alice@example.com", 554,
	    "5.7.1 <unknown[192.0.2.1]>: Client host rejected: a3" },
	{ CA "inline:{{192=REJECT a4}}, " DEF_RELAY, "", "unknown", "192.0.2.1",
	    "a@x.org", "alice@example.com", 554,
	    "5.7.1 <unknown[192.0.2.1]>: Client host rejected: a4" },
	{ CA "inline:{{2001:db8:=REJECT v6}, {2001=REJECT v6b}}, " DEF_RELAY,
	    "", "unknown", "2001:db8::1", "a@x.org", "alice@example.com", 554,
	    "5.7.1 <unknown[2001:db8::1]>: Client host rejected: v6" },
	/* "unknown" is no name to look up. */
	{ CA "inline:{{unknown=REJECT u}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "alice@example.com", 0, NULL },
	/* An OK for a recipient that asks for more routing counts as DUNNO:
	 * no relaying through "v%far"@ours. */
	{ RA "inline:{{example.com=OK}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "v%far.org@example.com", 554,
	    "5.7.1 <v%far.org@example.com>: Relay access denied" },
	{ RA "inline:{{far.org=OK}}, " DEF_RELAY, "", "unknown", "192.0.2.1",
	    "a@x.org", "v@far.org", 0, NULL },
	{ SA "inline:{{x.org=OK}}, " DEF_RELAY, "", "unknown", "192.0.2.1",
	    "v%far.org@x.org", "v@far.org", 0, NULL },
	/* Actions: RELAY, restriction names, enhanced codes in the text. */
	{ CA "inline:{{192.0.2.1=RELAY}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "v@far.org", 0, NULL },
	{ CA "inline:{{192.0.2=permit}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "v@far.org", 0, NULL },
	{ CA "inline:{{192.0.2=reject}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "alice@example.com", 554,
	    "5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access "
	    "denied" },
	{ CA "inline:{{192.0.2=reject_non_fqdn_sender, permit}}, " DEF_RELAY,
	    "", "unknown", "192.0.2.1", "a@x", "v@far.org", 504,
	    "5.5.2 <a@x>: Sender address rejected: need fully-qualified "
	    "address" },
	{ CA "inline:{{192.0.2=reject_non_fqdn_sender, permit}}, " DEF_RELAY,
	    "", "unknown", "192.0.2.1", "a@x.org", "v@far.org", 0, NULL },
	{ CA
	    "inline:{{192.0.2=check_sender_access texthash:/etc/x}}, " DEF_RELAY,
	    "", "unknown", "192.0.2.1", "a@x.org", "v@far.org", 451,
	    "4.3.5 <unknown[192.0.2.1]>: Client host rejected: Server "
	    "configuration error" },
	{ DEF_RELAY, SA "inline:{{x.org=REJECT 5.7.2 go away}}", "unknown",
	    "127.0.0.1", "a@x.org", "alice@example.com", 554,
	    "5.7.2 <a@x.org>: Sender address rejected: go away" },
	{ DEF_RELAY, SA "inline:{{x.org=DEFER 5.7.2 later}}", "unknown",
	    "127.0.0.1", "a@x.org", "alice@example.com", 450,
	    "4.7.2 <a@x.org>: Sender address rejected: later" },
	{ DEF_RELAY, SA "inline:{{x.org=1234 x}}", "unknown", "127.0.0.1",
	    "a@x.org", "alice@example.com", 451,
	    "4.3.5 <a@x.org>: Sender address rejected: Server configuration "
	    "error" },
	/* DEFER_IF_PERMIT: a later permit defers, a later reject rejects. */
	{ CA "inline:{{192.0.2.1=DEFER_IF_PERMIT}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "alice@example.com", 450,
	    "4.7.1 <unknown[192.0.2.1]>: Client host rejected: Service "
	    "unavailable" },
	{ CA "inline:{{192.0.2.1=DEFER_IF_PERMIT}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "v@far.org", 554,
	    "5.7.1 <v@far.org>: Relay access denied" },
	/* DEFER_IF_REJECT: a later 5xx defers, a permit permits. */
	{ CA "inline:{{192.0.2.1=DEFER_IF_REJECT try later}}, " DEF_RELAY, "",
	    "unknown", "192.0.2.1", "a@x.org", "v@far.org", 450,
	    "4.7.1 <unknown[192.0.2.1]>: Client host rejected: try later" },
	{ CA "inline:{{192.0.2.1=DEFER_IF_REJECT}}, " DEF_RELAY, "", "unknown",
	    "192.0.2.1", "a@x.org", "alice@example.com", 0, NULL },
};

static void
test_access_order(void **state)
{
	struct smtpd_check_client c;
	struct smtpd_check_reply r;
	const struct access_case *t;
	const char *error;
	char text[700];
	size_t i;
	int rc;

	(void)state;
	var_rcpt_delim = (char *)"+";
	var_smtpd_null_key = (char *)"<null>";
	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(access_cases) / sizeof(access_cases[0]); i++) {
		t = &access_cases[i];
		configure(t->relay, t->rcpt_list, NULL, "");
		if (smtpd_check_init(&error) < 0)
			fail_msg("case %zu: %s", i, error);
		c.addr = t->addr;
		c.name = t->name;
		c.helo = "h.example";
		c.sender = t->sender;
		memset(&r, 0, sizeof(r));
		rc = smtpd_check_rcpt(&c, t->rcpt, &r);
		snprintf(text, sizeof(text), "%s %s", r.dsn, r.text);
		if (t->reply == NULL) {
			if (rc != 0)
				fail_msg("case %zu: %d %s", i, r.code, text);
			continue;
		}
		if (rc != -1)
			fail_msg("case %zu: permitted", i);
		if (r.code != t->code || strcmp(text, t->reply) != 0)
			fail_msg("case %zu: got %d %s", i, r.code, text);
	}
	var_rcpt_delim = (char *)"";
	var_smtpd_null_key = (char *)DEF_SMTPD_NULL_KEY;
	smtpd_check_deinit();
}

static char logged[600];

static void
log_note(void *ctx, const char *whatsup, const char *text)
{
	size_t len = strlen(logged);

	(void)ctx;
	snprintf(logged + len, sizeof(logged) - len, "%s: %s|", whatsup, text);
}

/* WARN and INFO log their text through the caller and go on. */
static void
test_access_warn(void **state)
{
	struct smtpd_check_client c = { "192.0.2.1", "unknown", "h", "a@x.org",
		NULL, log_note, NULL };
	struct smtpd_check_reply r;
	const char *error;

	(void)state;
	configure(
	    "check_client_access inline:{{192.0.2.1=WARN odd client}}, "
	    "check_sender_access inline:{{x.org=INFO from x}}, " DEF_RELAY,
	    "", NULL, "");
	assert_int_equal(smtpd_check_init(&error), 0);
	logged[0] = 0;
	assert_int_equal(smtpd_check_rcpt(&c, "alice@example.com", &r), 0);
	assert_string_equal(logged, "warn: odd client|info: from x|");
	logged[0] = 0;
	assert_int_equal(smtpd_check_rcpt(&c, "v@far.org", &r), -1);
	assert_int_equal(r.code, 554);
	assert_string_equal(logged, "warn: odd client|info: from x|");
	/* No logger: nothing to call. */
	c.log_fn = NULL;
	assert_int_equal(smtpd_check_rcpt(&c, "alice@example.com", &r), 0);
	smtpd_check_deinit();
}

static char *loader_values[8];

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcpt),
		cmocka_unit_test(test_mynetworks),
		cmocka_unit_test(test_unknown_address_code),
		cmocka_unit_test(test_access_order),
		cmocka_unit_test(test_access_warn),
	};

	config_load_defaults();
	/* Kept reachable: configure() points these at the test's strings. */
	loader_values[0] = var_virt_mailbox_domains;
	loader_values[1] = var_virt_mailbox_maps;
	loader_values[2] = var_relay_checks;
	loader_values[3] = var_rcpt_checks;
	loader_values[4] = var_mynetworks;
	loader_values[5] = var_relay_domains;
	loader_values[6] = var_rcpt_delim;
	loader_values[7] = var_smtpd_null_key;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
