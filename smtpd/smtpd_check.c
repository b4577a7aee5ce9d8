/* SPDX-License-Identifier: MIT */
/* smtpd_check - relay control and recipient restrictions. See
 * smtpd_check.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "dns/dns.h"
#include "mail/addr.h"
#include "mail/domain_list.h"
#include "mail/relay_policy.h"
#include "mail/resolve.h"
#include "util/buf.h"
#include "util/cidr.h"
#include "util/dict.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

#include "smtpd_check.h"

/* What a restriction decided. */
enum verdict {
	V_DUNNO,  /* go on with the next restriction */
	V_PERMIT, /* end this list */
	V_REJECT, /* end the command; the reply is filled */
};

static struct relay_policy *policy;
static smtpd_check_mx_fn *mx_fn;
static int dns_up;
static int ready; /* smtpd_check_init succeeded */

void
smtpd_check_set_mx(smtpd_check_mx_fn *fn)
{
	mx_fn = fn;
}

void
smtpd_check_deinit(void)
{
	ready = 0;
	relay_policy_destroy(&policy);
}

int
smtpd_check_init(const char **error_r)
{
	static char error_buf[1024];
	const char *why;

	smtpd_check_deinit();
	if (relay_policy_create(&policy, error_r) < 0)
		return -1;
	/* The resolver reads resolv.conf now, before a chroot. */
	if (!dns_up && mx_fn == NULL &&
	    relay_policy_uses(policy, R_UNKNOWN_RCPT_DOMAIN)) {
		if (dns_init(var_dns_servers, 2000, 2, &why) < 0) {
			snprintf(error_buf, sizeof(error_buf), "%s = %s: %s",
			    VAR_DNS_SERVERS, var_dns_servers, why);
			*error_r = error_buf;
			smtpd_check_deinit();
			return -1;
		}
		dns_up = 1;
	}
	ready = 1;
	return 0;
}

void
smtpd_check_init_fatal(void)
{
	const char *error;

	if (smtpd_check_init(&error) < 0)
		log_fatal("%s/main.cf: %s", var_config_dir, error);
}

int
smtpd_check_mynetworks(const char *addr)
{
	const char *value, *why;
	size_t i;
	int rc;

	for (i = 0; i < policy->nmynet; i++)
		if (cidr_match(&policy->mynet[i], addr))
			return 1;
	for (i = 0; i < policy->nmynet_tables; i++) {
		rc = dict_lookup(policy->mynet_tables[i], addr, &value, &why);
		if (rc < 0) {
			log_warn("%s: %s lookup of %s: %s", VAR_MYNETWORKS,
			    dict_spec(policy->mynet_tables[i]), addr, why);
			return -1;
		}
		if (rc > 0)
			return 1;
	}
	return 0;
}

/* The local part of a canonical address holds '%', '!' or '@' (inside
 * quotes): the sender asks the destination to route it on. */
static int
has_routing(const char *rcpt)
{
	const char *domain = addr_domain(rcpt);
	const char *p;

	for (p = rcpt; *p != 0 && (*domain == 0 || p < domain - 1); p++)
		if (*p == '%' || *p == '!' || *p == '@')
			return 1;
	return 0;
}

/* 1 when the recipient's domain is one of ours, 0 when not, -1 on a
 * table failure. */
static int
our_domain(const char *rcpt)
{
	struct resolve_error err;
	int cls;

	cls = resolve_class(rcpt, &err);
	if (cls < 0)
		return -1;
	return cls != RESOLVE_RELAY;
}

int
smtpd_check_auth_destination(const char *rcpt)
{
	const char *domain = addr_domain(rcpt), *why;
	int rc;

	if ((rc = our_domain(rcpt)) < 0)
		return -1;
	if (rc == 0) {
		rc = domain_list_match(policy->relay_domains, domain, &why);
		if (rc < 0) {
			log_warn("%s: lookup of %s: %s", VAR_RELAY_DOMAINS,
			    domain, why);
			return -1;
		}
	}
	if (rc == 0)
		return 0;
	/* allow_untrusted_routing = no: "v%far"@ours, far!v@ours. */
	return has_routing(rcpt) ? 0 : 1;
}

static enum verdict
reply(struct smtpd_check_reply *r, int code, const char *dsn, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static enum verdict
reply(struct smtpd_check_reply *r, int code, const char *dsn, const char *fmt,
    ...)
{
	va_list ap;

	r->code = code;
	snprintf(r->dsn, sizeof(r->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
	return V_REJECT;
}

static enum verdict
temp_fail(struct smtpd_check_reply *r, const char *name)
{
	return reply(r, 451, "4.3.0", "<%s>: Temporary lookup failure", name);
}

/* A host name or address domain is fully qualified: an address literal,
 * or a name with a dot inside it. */
static int
fqdn(const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return 0;
	if (name[0] == '[')
		return name[n - 1] == ']';
	return strchr(name, '.') != NULL && name[0] != '.' &&
	    name[n - 1] != '.';
}

/* The answer of an access(5) table: OK or a number permits, REJECT,
 * DEFER and "4NN/5NN text" refuse, DUNNO goes on. name and what form the
 * reply: "<name>: what rejected: text". */
static enum verdict
access_result(const char *table, const char *value, const char *name,
    const char *what, struct smtpd_check_reply *r)
{
	const char *p = value, *text;
	char dsn[16];
	size_t n;
	int code;

	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	text = p + n;
	text += strspn(text, " \t");
	if (n == 2 && strncasecmp(p, "OK", 2) == 0)
		return V_PERMIT;
	if (n > 0 && strspn(p, "0123456789") == n &&
	    !(n == 3 && (p[0] == '4' || p[0] == '5')))
		return V_PERMIT;
	if (n == 5 && strncasecmp(p, "DUNNO", 5) == 0)
		return V_DUNNO;
	if (n == 6 && strncasecmp(p, "REJECT", 6) == 0)
		return reply(r, 554, "5.7.1", "<%s>: %s rejected: %s", name,
		    what, *text ? text : "Access denied");
	if (n == 5 && strncasecmp(p, "DEFER", 5) == 0)
		return reply(r, 450, "4.7.1", "<%s>: %s rejected: %s", name,
		    what, *text ? text : "Access denied");
	if (n == 3 && (p[0] == '4' || p[0] == '5') &&
	    strspn(p, "0123456789") == 3) {
		code = atoi(p);
		/* An enhanced code of the same class may lead the text. */
		snprintf(dsn, sizeof(dsn), "%c.7.1", p[0]);
		if (text[0] == p[0] && text[1] == '.' &&
		    isdigit((unsigned char)text[2])) {
			n = strcspn(text, " \t");
			if (n < sizeof(dsn)) {
				memcpy(dsn, text, n);
				dsn[n] = 0;
				text += n;
				text += strspn(text, " \t");
			}
		}
		return reply(r, code, dsn, "<%s>: %s rejected: %s", name, what,
		    *text ? text : "Access denied");
	}
	log_warn("%s: unknown action \"%s\" for <%s>", table, value, name);
	return reply(r, 451, "4.3.5",
	    "<%s>: %s rejected: Server configuration "
	    "error",
	    name, what);
}

/* Look key up in d; 1 with *value_r, 0 not found, -1 failed (logged). */
static int
access_lookup(struct dict *d, const char *key, const char **value_r)
{
	const char *why;
	int rc;

	if (*key == 0)
		return 0;
	rc = dict_lookup(d, key, value_r, &why);
	if (rc < 0)
		log_warn("%s: lookup of %s: %s", dict_spec(d), key, why);
	return rc;
}

static enum verdict
check_client_access(struct dict *d, const struct smtpd_check_client *c,
    struct smtpd_check_reply *r)
{
	const char *keys[2] = { c->addr, c->name }, *value;
	char name[340];
	size_t i;
	int rc;

	snprintf(name, sizeof(name), "%s[%s]", c->name, c->addr);
	for (i = 0; i < 2; i++) {
		if (keys[i] == NULL || strcmp(keys[i], "unknown") == 0)
			continue;
		rc = access_lookup(d, keys[i], &value);
		if (rc < 0)
			return temp_fail(r, name);
		if (rc > 0)
			return access_result(dict_spec(d), value, name,
			    "Client host", r);
	}
	return V_DUNNO;
}

/* check_sender_access, check_recipient_access: the whole address, its
 * domain, then "localpart@". The null sender is looked up as "<>". */
static enum verdict
check_addr_access(struct dict *d, const char *addr, const char *what,
    struct smtpd_check_reply *r)
{
	const char *domain = addr_domain(addr), *value;
	struct buf local;
	enum verdict v = V_DUNNO;
	int rc;

	if (*addr == 0) {
		rc = access_lookup(d, "<>", &value);
		if (rc < 0)
			return temp_fail(r, addr);
		return rc > 0
		    ? access_result(dict_spec(d), value, addr, what, r)
		    : V_DUNNO;
	}
	if ((rc = access_lookup(d, addr, &value)) != 0)
		goto found;
	if ((rc = access_lookup(d, domain, &value)) != 0)
		goto found;
	buf_init(&local, ADDR_PATH_MAX + 2);
	if (*domain != 0 &&
	    buf_printf(&local, "%.*s", (int)(domain - addr), addr) == 0)
		rc = access_lookup(d, buf_cstr(&local), &value);
	buf_deinit(&local);
found:
	if (rc < 0)
		return temp_fail(r, addr);
	if (rc > 0)
		v = access_result(dict_spec(d), value, addr, what, r);
	return v;
}

struct mx_wait {
	int done;
	int status;
};

static void
on_mx(void *ctx, enum dns_status status, const struct dns_mx_list *list,
    const char *why)
{
	struct mx_wait *w = ctx;

	(void)list;
	(void)why;
	w->status = status;
	w->done = 1;
}

/* The default MX lookup: lib/dns, waited for at most 10 seconds. */
static int
dns_mx(const char *domain)
{
	struct mx_wait w = { 0, DNS_RETRY };
	const char *error;

	if (!dns_up) {
		if (dns_init(var_dns_servers, 2000, 2, &error) < 0) {
			log_warn("%s = %s: %s", VAR_DNS_SERVERS,
			    var_dns_servers, error);
			return DNS_RETRY;
		}
		dns_up = 1;
	}
	if (dns_lookup_mx(domain, on_mx, &w, &error) < 0)
		return DNS_FAIL;
	if (dns_wait(&w.done, event_now_ms() + 10000) < 0) {
		dns_cancel();
		return DNS_RETRY;
	}
	return w.status;
}

static enum verdict
check_unknown_domain(const char *rcpt, struct smtpd_check_reply *r)
{
	const char *domain = addr_domain(rcpt);
	int rc;

	if (*domain == 0 || *domain == '[')
		return V_DUNNO;
	if ((rc = our_domain(rcpt)) < 0)
		return temp_fail(r, rcpt);
	if (rc > 0)
		return V_DUNNO;
	switch ((mx_fn != NULL ? mx_fn : dns_mx)(domain)) {
	case DNS_OK:
	case DNS_NODATA:
		return V_DUNNO;
	case DNS_RETRY:
		return reply(r, 450, "4.1.2",
		    "<%s>: Recipient address rejected: Domain not found", rcpt);
	default:
		return reply(r, 550, "5.1.2",
		    "<%s>: Recipient address rejected: Domain not found", rcpt);
	}
}

static enum verdict
apply(const struct restriction *x, const struct smtpd_check_client *c,
    const char *rcpt, struct smtpd_check_reply *r)
{
	int rc;

	switch (x->kind) {
	case R_PERMIT_MYNETWORKS:
		if ((rc = smtpd_check_mynetworks(c->addr)) < 0)
			return temp_fail(r, rcpt);
		return rc > 0 ? V_PERMIT : V_DUNNO;
	case R_REJECT_UNAUTH_DEST:
	case R_DEFER_UNAUTH_DEST:
		if ((rc = smtpd_check_auth_destination(rcpt)) < 0)
			return temp_fail(r, rcpt);
		if (rc > 0)
			return V_DUNNO;
		if (x->kind == R_DEFER_UNAUTH_DEST)
			return reply(r, 454, "4.7.1",
			    "<%s>: Relay access denied", rcpt);
		return reply(r, 554, "5.7.1", "<%s>: Relay access denied",
		    rcpt);
	case R_PERMIT_AUTH_DEST:
		if ((rc = smtpd_check_auth_destination(rcpt)) < 0)
			return temp_fail(r, rcpt);
		return rc > 0 ? V_PERMIT : V_DUNNO;
	case R_NON_FQDN_RCPT:
		if (fqdn(addr_domain(rcpt)))
			return V_DUNNO;
		return reply(r, 504, "5.5.2",
		    "<%s>: Recipient address rejected: need fully-qualified "
		    "address",
		    rcpt);
	case R_NON_FQDN_SENDER:
		if (c->sender == NULL || *c->sender == 0 ||
		    fqdn(addr_domain(c->sender)))
			return V_DUNNO;
		return reply(r, 504, "5.5.2",
		    "<%s>: Sender address rejected: need fully-qualified "
		    "address",
		    c->sender);
	case R_NON_FQDN_HELO:
		if (c->helo == NULL || fqdn(c->helo))
			return V_DUNNO;
		return reply(r, 504, "5.5.2",
		    "<%s>: Helo command rejected: need fully-qualified "
		    "hostname",
		    c->helo);
	case R_UNKNOWN_RCPT_DOMAIN:
		return check_unknown_domain(rcpt, r);
	case R_CLIENT_ACCESS:
		return check_client_access(x->table, c, r);
	case R_SENDER_ACCESS:
		if (c->sender == NULL)
			return V_DUNNO;
		return check_addr_access(x->table, c->sender, "Sender address",
		    r);
	case R_RCPT_ACCESS:
		return check_addr_access(x->table, rcpt, "Recipient address",
		    r);
	case R_PERMIT:
		return V_PERMIT;
	case R_REJECT:
		return reply(r, 554, "5.7.1",
		    "<%s>: Recipient address rejected: Access denied", rcpt);
	case R_DEFER:
		return reply(r, 450, "4.7.1",
		    "<%s>: Recipient address rejected: Access denied", rcpt);
	}
	log_panic("smtpd_check: restriction %d", (int)x->kind);
}

static enum verdict
run_list(const struct restr_list *l, const struct smtpd_check_client *c,
    const char *rcpt, struct smtpd_check_reply *r)
{
	enum verdict v;
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((v = apply(&l->r[i], c, rcpt, r)) != V_DUNNO)
			return v;
	return V_PERMIT;
}

int
smtpd_check_rcpt(const struct smtpd_check_client *c, const char *rcpt,
    struct smtpd_check_reply *r)
{
	/* Without the lists every recipient would pass: an open relay. */
	if (!ready)
		log_panic("smtpd_check_rcpt before smtpd_check_init");
	if (run_list(&policy->relay, c, rcpt, r) == V_REJECT)
		return -1;
	if (run_list(&policy->rcpt, c, rcpt, r) == V_REJECT)
		return -1;
	return 0;
}
