/* relay_policy - the configuration of smtpd's relay control, parsed
 * from main.cf: mynetworks (network patterns and type:table lookups),
 * relay_domains (a domain list), and the restriction lists
 * smtpd_relay_restrictions and smtpd_recipient_restrictions (Postfix's
 * names; a check_*_access restriction is followed by its type:table).
 * smtpd evaluates it (smtpd/smtpd_check.c); "tern check" only builds it
 * to report a configuration smtpd would refuse.
 * Ownership: relay_policy_create returns a heap object with its tables,
 * released by relay_policy_destroy. Errors: -1 with *error_r (a module
 * buffer, valid until the next create) that names the parameter: an
 * unknown restriction, a missing or unopenable table, a bad network
 * pattern, or lists that cannot refuse anything (an open relay). Nothing
 * here is fatal except out of memory. Not thread-safe. */
#ifndef TERN_MAIL_RELAY_POLICY_H
#define TERN_MAIL_RELAY_POLICY_H

#include <stddef.h>

#include "mail/net_list.h"

struct cidr;
struct dict;
struct domain_list;

enum restr {
	R_PERMIT_MYNETWORKS,
	R_PERMIT_SASL_AUTH,
	R_SENDER_LOGIN_MISMATCH,
	R_REJECT_UNAUTH_DEST,
	R_DEFER_UNAUTH_DEST,
	R_PERMIT_AUTH_DEST,
	R_NON_FQDN_RCPT,
	R_NON_FQDN_SENDER,
	R_NON_FQDN_HELO,
	R_UNKNOWN_RCPT_DOMAIN,
	R_UNKNOWN_SENDER_DOMAIN,
	R_CLIENT_ACCESS,
	R_SENDER_ACCESS,
	R_RCPT_ACCESS,
	R_PERMIT,
	R_REJECT,
	R_DEFER,
};

struct restriction {
	enum restr kind;
	struct dict *table; /* check_*_access only */
};

struct restr_list {
	struct restriction *r;
	size_t n;
};

struct relay_policy {
	struct restr_list relay, rcpt; /* the two lists, in order */
	struct net_list mynet;         /* mynetworks */
	struct domain_list *relay_domains;
};

/* Build the policy from var_mynetworks, var_relay_domains,
 * var_relay_checks and var_rcpt_checks (open tables before a chroot).
 * Returns 0 with *p_r set, or -1 with *error_r set. */
int relay_policy_create(struct relay_policy **p_r, const char **error_r);

/* Free the policy and its tables; set *pp to NULL. NULL is allowed. */
void relay_policy_destroy(struct relay_policy **pp);

/* Parse the restriction names of an access table value ("permit",
 * "reject_unauth_destination, reject") into *l, for smtpd to evaluate
 * in place of the value. A restriction that takes a table is refused:
 * tables are opened at start, before a chroot, never from a value.
 * Returns 0 (release *l with relay_policy_list_free), or -1 with
 * *error_r set (module buffer) and *l empty. */
int relay_policy_parse_value(const char *value, struct restr_list *l,
    const char **error_r);

/* Free the restrictions of *l (and their tables) and empty it. */
void relay_policy_list_free(struct restr_list *l);

/* 1 when either list holds a restriction of that kind, else 0. */
int relay_policy_uses(const struct relay_policy *p, enum restr kind);

#endif
