/* smtpd_check - relay control: mynetworks, relay_domains and the
 * restriction lists smtpd_relay_restrictions and
 * smtpd_recipient_restrictions, in Postfix's syntax and order semantics.
 * For each RCPT the relay list is evaluated first, then the recipient
 * list: a permit ends that list, a reject (or defer) ends the command,
 * the end of a list permits. Restrictions: permit_mynetworks,
 * permit_sasl_authenticated, reject_sender_login_mismatch (the sender
 * address against smtpd_sender_login_maps, as Postfix: a logged-in
 * client may use only the addresses its login owns, and an address
 * that a login owns may be used only by a client logged in as it),
 * reject_unauth_destination, defer_unauth_destination,
 * permit_auth_destination, reject_non_fqdn_recipient,
 * reject_non_fqdn_sender, reject_non_fqdn_helo_hostname,
 * reject_unknown_recipient_domain, reject_unknown_sender_domain,
 * check_client_access, check_sender_access and check_recipient_access
 * (each with a type:table argument, looked up and answered as Postfix's
 * access(5): smtpd_access.h), permit, reject and defer.
 * An "authorized destination" is a recipient in one of our own domains
 * (resolve_class not RESOLVE_RELAY) or in relay_domains, whose local part
 * holds no routing character ('%', '!', '@'): such an address asks us to
 * relay (allow_untrusted_routing = no), and an access table's OK for it
 * counts as DUNNO, as in Postfix.
 * A temporary DNS failure of reject_unknown_*_domain, and an access
 * table's DEFER_IF_PERMIT, defer the recipient (450) only if nothing
 * later rejects it; DEFER_IF_REJECT turns a later 5xx reject into that
 * deferral (Postfix's defer_if_permit and defer_if_reject, for one RCPT).
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
	const char *addr;          /* client address, "unknown" when none */
	const char *name;          /* client host name, "unknown" when none */
	const char *helo;          /* NULL: no HELO/EHLO yet */
	const char *sender;        /* "" for the null sender */
	const char *sasl_username; /* SMTP AUTH login; NULL: none */
	/* An access table's WARN or INFO (whatsup "warn" or "info") and its
	 * text, for the caller's log line; NULL: not logged. */
	void (*log_fn)(void *ctx, const char *whatsup, const char *text);
	void *log_ctx;
};

/* A refusal, ready for the SMTP reply and the NOQUEUE log line. */
struct smtpd_check_reply {
	int code;     /* 4xx or 5xx */
	char dsn[16]; /* "5.7.1" */
	char text[600];
};

/* What reject_unknown_{recipient,sender}_domain learn of a domain from
 * DNS, as Postfix asks: its MX records, else its A or AAAA records. */
enum smtpd_check_mailhost {
	SMTPD_MAILHOST_OK,       /* an MX, or an address */
	SMTPD_MAILHOST_NOTFOUND, /* NXDOMAIN, or no MX and no address */
	SMTPD_MAILHOST_NULLMX,   /* RFC 7505 null MX: accepts no mail */
	SMTPD_MAILHOST_RETRY,    /* DNS failed for now */
};
/* The lookup: the default waits on lib/dns for at most 10 seconds; the
 * unit test injects its own. NULL restores the default. */
typedef enum smtpd_check_mailhost smtpd_check_mailhost_fn(const char *domain);
void smtpd_check_set_mailhost(smtpd_check_mailhost_fn *fn);

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
