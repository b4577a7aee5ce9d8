/* smtpd_check - relay control: mynetworks, relay_domains and the
 * restriction lists smtpd_relay_restrictions and
 * smtpd_recipient_restrictions, in Postfix's syntax and order semantics.
 * For each RCPT the relay list is evaluated first, then the recipient
 * list: a permit ends that list, a reject (or defer) ends the command,
 * the end of a list permits. Restrictions: permit_mynetworks,
 * reject_unauth_destination, defer_unauth_destination,
 * permit_auth_destination, reject_non_fqdn_recipient,
 * reject_non_fqdn_sender, reject_non_fqdn_helo_hostname,
 * reject_unknown_recipient_domain, check_client_access,
 * check_sender_access and check_recipient_access (each with a type:table
 * argument, answered as Postfix's access(5)), permit, reject and defer.
 * An "authorized destination" is a recipient in one of our own domains
 * (resolve_class not RESOLVE_RELAY) or in relay_domains, whose local part
 * holds no routing character ('%', '!', '@'): such an address asks us to
 * relay (allow_untrusted_routing = no).
 * The configuration is parsed by lib/mail/relay_policy (shared with
 * "tern check"); this module evaluates it.
 * Errors: smtpd_check_init returns -1 with a message that names the
 * parameter (unknown restriction, missing table, a table that cannot be
 * opened, a configuration with no relay protection): the caller makes it
 * fatal at start. Table and DNS failures at RCPT time are temporary
 * replies (4xx), never fatal. Not thread-safe: module state. */
#ifndef TERN_SMTPD_CHECK_H
#define TERN_SMTPD_CHECK_H

/* What the restrictions see of the session. */
struct smtpd_check_client {
	const char *addr;   /* client address, "unknown" when none */
	const char *name;   /* client host name, "unknown" when none */
	const char *helo;   /* NULL: no HELO/EHLO yet */
	const char *sender; /* "" for the null sender */
};

/* A refusal, ready for the SMTP reply and the NOQUEUE log line. */
struct smtpd_check_reply {
	int code;     /* 4xx or 5xx */
	char dsn[16]; /* "5.7.1" */
	char text[600];
};

/* How reject_unknown_recipient_domain asks DNS: a function returning a
 * dns_status (DNS_OK, DNS_NODATA, DNS_NOTFOUND, DNS_RETRY, DNS_FAIL) for
 * the MX lookup of domain. The default waits on lib/dns with a short
 * deadline; the unit test injects its own. */
typedef int smtpd_check_mx_fn(const char *domain);
void smtpd_check_set_mx(smtpd_check_mx_fn *fn);

/* Parse mynetworks, relay_domains and both restriction lists from the
 * var_* parameters and open their tables (run it before chroot). Returns
 * 0, or -1 with *error_r (module buffer, valid until the next call) such
 * as "smtpd_recipient_restrictions: unknown restriction \"x\"". Calling
 * it again replaces the previous configuration. */
int smtpd_check_init(const char **error_r);
/* smtpd's pre_jail part: smtpd_check_init, fatal on error with main.cf's
 * path in the message. */
void smtpd_check_init_fatal(void);
/* Release what smtpd_check_init opened. */
void smtpd_check_deinit(void);

/* 1 when addr is in mynetworks, 0 when not, -1 when a table failed. */
int smtpd_check_mynetworks(const char *addr);

/* 1 when rcpt (canonical form) is an authorized destination (above),
 * 0 when not, -1 when a table failed. */
int smtpd_check_auth_destination(const char *rcpt);

/* Apply both lists to one recipient (canonical form). Returns 0 when it
 * is permitted, or -1 with *r filled (a reject, a defer, or 451 4.3.0 for
 * a table that failed). */
int smtpd_check_rcpt(const struct smtpd_check_client *c, const char *rcpt,
    struct smtpd_check_reply *r);

#endif
