/* SPDX-License-Identifier: MIT */
/* relay_policy - smtpd's relay control configuration. See relay_policy.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "mail/domain_list.h"
#include "mail/net_list.h"
#include "mail/relay_policy.h"
#include "util/cidr.h"
#include "util/dict.h"
#include "util/mem.h"

static const struct {
	const char *name;
	enum restr kind;
	int table; /* takes a type:table argument */
} restr_names[] = {
	{ "permit_mynetworks", R_PERMIT_MYNETWORKS, 0 },
	{ "permit_sasl_authenticated", R_PERMIT_SASL_AUTH, 0 },
	{ "reject_sender_login_mismatch", R_SENDER_LOGIN_MISMATCH, 0 },
	{ "reject_unauth_destination", R_REJECT_UNAUTH_DEST, 0 },
	{ "defer_unauth_destination", R_DEFER_UNAUTH_DEST, 0 },
	{ "permit_auth_destination", R_PERMIT_AUTH_DEST, 0 },
	{ "reject_non_fqdn_recipient", R_NON_FQDN_RCPT, 0 },
	{ "reject_non_fqdn_sender", R_NON_FQDN_SENDER, 0 },
	{ "reject_non_fqdn_helo_hostname", R_NON_FQDN_HELO, 0 },
	{ "reject_unknown_recipient_domain", R_UNKNOWN_RCPT_DOMAIN, 0 },
	{ "reject_unknown_sender_domain", R_UNKNOWN_SENDER_DOMAIN, 0 },
	{ "check_client_access", R_CLIENT_ACCESS, 1 },
	{ "check_sender_access", R_SENDER_ACCESS, 1 },
	{ "check_recipient_access", R_RCPT_ACCESS, 1 },
	{ "permit", R_PERMIT, 0 },
	{ "reject", R_REJECT, 0 },
	{ "defer", R_DEFER, 0 },
};

static char error_buf[1024];

void
relay_policy_list_free(struct restr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		dict_close(&l->r[i].table);
	xfree(l->r);
	l->r = NULL;
	l->n = 0;
}

void
relay_policy_destroy(struct relay_policy **pp)
{
	struct relay_policy *p = *pp;

	if (p == NULL)
		return;
	relay_policy_list_free(&p->relay);
	relay_policy_list_free(&p->rcpt);
	net_list_free(&p->mynet);
	domain_list_destroy(&p->relay_domains);
	xfree(p);
	*pp = NULL;
}

static int fail(const char **error_r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_buf, sizeof(error_buf), fmt, ap);
	va_end(ap);
	*error_r = error_buf;
	return -1;
}

/* Copy one list item (len bytes) into a NUL-terminated heap string. */
static char *
item_dup(const char *item, size_t len)
{
	char *s = xmalloc(len + 1);

	memcpy(s, item, len);
	s[len] = 0;
	return s;
}

/* Parse the list spec (named param in errors) into l. tables: whether a
 * check_*_access may open its table. */
static int
parse_list(const char *param, const char *spec, int tables,
    struct restr_list *l, const char **error_r)
{
	const char *cursor = spec, *item, *why;
	size_t len, i;
	struct restriction *r;
	char *s;
	int rc;

	while ((rc = dict_list_next(&cursor, &item, &len, &why)) > 0) {
		s = item_dup(item, len);
		for (i = 0; i < sizeof(restr_names) / sizeof(restr_names[0]);
		     i++)
			if (strcasecmp(s, restr_names[i].name) == 0)
				break;
		if (i == sizeof(restr_names) / sizeof(restr_names[0])) {
			fail(error_r, "%s: unknown restriction \"%s\"", param,
			    s);
			xfree(s);
			return -1;
		}
		xfree(s);
		l->r = xrealloc(l->r, (l->n + 1) * sizeof(*l->r));
		r = &l->r[l->n++];
		r->kind = restr_names[i].kind;
		r->table = NULL;
		if (!restr_names[i].table)
			continue;
		if (!tables)
			return fail(error_r,
			    "%s: %s: no lookup tables in an access table "
			    "value",
			    param, restr_names[i].name);
		rc = dict_list_next(&cursor, &item, &len, &why);
		if (rc < 0)
			break;
		if (rc == 0 || memchr(item, ':', len) == NULL)
			return fail(error_r,
			    "%s: %s needs a type:table argument", param,
			    restr_names[i].name);
		s = item_dup(item, len);
		if (dict_open(s, var_db_type, &r->table, &why) < 0) {
			fail(error_r, "%s: %s %s: %s", param,
			    restr_names[i].name, s, why);
			xfree(s);
			return -1;
		}
		xfree(s);
	}
	if (rc < 0)
		return fail(error_r, "%s: %s", param, why);
	return 0;
}

static int
list_has(const struct restr_list *l, enum restr kind)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->r[i].kind == kind)
			return 1;
	return 0;
}

static int protected(const struct restr_list *l)
{
	return list_has(l, R_REJECT_UNAUTH_DEST) ||
	    list_has(l, R_DEFER_UNAUTH_DEST) || list_has(l, R_REJECT) ||
	    list_has(l, R_DEFER);
}

int
relay_policy_parse_value(const char *value, struct restr_list *l,
    const char **error_r)
{
	memset(l, 0, sizeof(*l));
	if (parse_list("access table value", value, 0, l, error_r) < 0) {
		relay_policy_list_free(l);
		return -1;
	}
	return 0;
}

int
relay_policy_uses(const struct relay_policy *p, enum restr kind)
{
	return list_has(&p->relay, kind) || list_has(&p->rcpt, kind);
}

int
relay_policy_create(struct relay_policy **p_r, const char **error_r)
{
	struct relay_policy *p = xcalloc(1, sizeof(*p));
	const char *why;

	if (net_list_parse(&p->mynet, VAR_MYNETWORKS, var_mynetworks, error_r) <
		0 ||
	    parse_list(VAR_RELAY_CHECKS, var_relay_checks, 1, &p->relay,
		error_r) < 0 ||
	    parse_list(VAR_RCPT_CHECKS, var_rcpt_checks, 1, &p->rcpt, error_r) <
		0)
		goto bad;
	if (domain_list_create(var_relay_domains, var_db_type,
		&p->relay_domains, &why) < 0) {
		fail(error_r, "%s: %s", VAR_RELAY_DOMAINS, why);
		goto bad;
	}
	/* Postfix's open-relay safety: one list must be able to say no. */
	if (!protected(&p->relay) && !protected(&p->rcpt)) {
		fail(error_r,
		    "%s and %s: neither holds reject_unauth_destination, "
		    "defer_unauth_destination, reject or defer: refusing to "
		    "run an open relay",
		    VAR_RELAY_CHECKS, VAR_RCPT_CHECKS);
		goto bad;
	}
	*p_r = p;
	return 0;
bad:
	relay_policy_destroy(&p);
	return -1;
}
