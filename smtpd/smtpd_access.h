/* smtpd_access - the lookup keys and the values of access(5) tables, for
 * check_client_access, check_sender_access and check_recipient_access.
 * Keys, in Postfix's order with its default parent_domain_matches_subdomains
 * (which lists smtpd_access_maps, so "example.com" also matches its
 * subdomains and a ".example.com" key is never asked for):
 * - a client: its host name and then each parent domain
 *   ("mx.example.com", "example.com", "com"), not when the name is
 *   "unknown"; then its address and each shorter network prefix made by
 *   cutting the last ".octet" ("192.0.2.1", "192.0.2", "192.0", "192") or
 *   ":part" of the compressed IPv6 text ("2001:db8::1", "2001:db8:",
 *   "2001:db8", "2001");
 * - an email address user+ext@sub.example.com (recipient_delimiter "+"):
 *   "user+ext@sub.example.com", "user@sub.example.com", the domain
 *   "sub.example.com" and its parents "example.com" and "com", then
 *   "user+ext@" and "user@"; the null sender is one key,
 *   smtpd_null_access_lookup_key. Local parts are in canonical (quoted
 *   where needed) form, as tables hold them.
 * A cidr: table gets the same keys: only a whole address can match it.
 * Values follow access(5): see smtpd_access_parse.
 * Ownership: key lists are heap objects released by
 * smtpd_access_keys_free. Nothing here fails or is fatal except out of
 * memory; re-entrant. */
#ifndef TERN_SMTPD_ACCESS_H
#define TERN_SMTPD_ACCESS_H

#include <stddef.h>

struct smtpd_access_keys {
	char **key;
	size_t n;
};

/* The keys of a client (name may be "unknown" or NULL, addr "unknown" or
 * NULL: those give no keys) into *k, replacing what it held. */
void smtpd_access_client_keys(const char *name, const char *addr,
    struct smtpd_access_keys *k);

/* The keys of a canonical email address ("" is the null sender, looked
 * up as null_key alone; an empty null_key gives no keys). delim is
 * recipient_delimiter (NULL or "" for none): an extension is stripped at
 * the first delimiter character that follows at least one other. */
void smtpd_access_mail_keys(const char *addr, const char *delim,
    const char *null_key, struct smtpd_access_keys *k);

/* Free the keys and empty *k; an empty *k is allowed. */
void smtpd_access_keys_free(struct smtpd_access_keys *k);

/* What an access table value asks for. */
enum smtpd_access_action {
	ACCESS_OK,              /* OK, RELAY, all-numerical */
	ACCESS_DUNNO,           /* DUNNO: go on */
	ACCESS_REFUSE,          /* REJECT, DEFER, 4NN, 5NN: code, dsn, text */
	ACCESS_DEFER_IF_PERMIT, /* defer should the request be permitted */
	ACCESS_DEFER_IF_REJECT, /* defer instead should it be rejected */
	ACCESS_WARN,            /* WARN: log text as a warning, go on */
	ACCESS_INFO,            /* INFO: log text, go on */
	ACCESS_RESTRICTIONS,    /* anything else: restriction names */
};

struct smtpd_access_result {
	enum smtpd_access_action action;
	int code;         /* ACCESS_REFUSE, ACCESS_DEFER_IF_* */
	char dsn[16];     /* "5.7.1"; its class is always the code's */
	const char *text; /* into the value; "" when none was given */
};

/* Parse an access table value as access(5) does: the first word is the
 * action (case-insensitive), the rest its text. REJECT refuses with 554,
 * DEFER, DEFER_IF_PERMIT and DEFER_IF_REJECT with 450 (the defaults of
 * Postfix's access_map_reject_code and access_map_defer_code), "4NN text"
 * and "5NN text" with that code; an enhanced status code that leads the text is taken as the
 * reply's (default 5.7.1, or 4.7.1 for deferrals). A value of digits only
 * is OK (pop-before-smtp). WARN and INFO only log their text. Anything else is handed back as
 * ACCESS_RESTRICTIONS, for the caller to read as restriction names.
 * Never fails. */
void smtpd_access_parse(const char *value, struct smtpd_access_result *res);

#endif
