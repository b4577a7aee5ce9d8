/* SPDX-License-Identifier: MIT */
/* smtpd_check - relay control and recipient restrictions. See
 * smtpd_check.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "dns/dns.h"
#include "mail/addr.h"
#include "mail/domain_list.h"
#include "mail/relay_policy.h"
#include "mail/resolve.h"
#include "util/cidr.h"
#include "util/dict.h"
#include "util/event.h"
#include "util/log.h"
#include "util/maps.h"

#include "smtpd_access.h"
#include "smtpd_check.h"

/* What a restriction decided. */
enum verdict {
	V_DUNNO,  /* go on with the next restriction */
	V_PERMIT, /* end this list */
	V_REJECT, /* end the command; the reply is filled */
};

/* The evaluation of one RCPT: what the restrictions see, the reply and
 * the deferrals held back (code 0: none). name and what form the reply of
 * reject and defer: "<name>: what rejected: Access denied". */
struct eval {
	const struct smtpd_check_client *c;
	const char *rcpt;
	const char *name, *what;
	struct smtpd_check_reply *r;
	struct smtpd_check_reply if_permit, if_reject;
};

static struct relay_policy *policy;
static struct maps *login_maps; /* smtpd_sender_login_maps */
static smtpd_check_mailhost_fn *mailhost_fn;
static int dns_up;
static int ready; /* smtpd_check_init succeeded */

void
smtpd_check_set_mailhost(smtpd_check_mailhost_fn *fn)
{
	mailhost_fn = fn;
}

void
smtpd_check_deinit(void)
{
	ready = 0;
	relay_policy_destroy(&policy);
	maps_close(&login_maps);
}

int
smtpd_check_init(const char **error_r)
{
	static char error_buf[1024];
	const char *why;

	smtpd_check_deinit();
	if (relay_policy_create(&policy, error_r) < 0)
		return -1;
	if (maps_open(var_smtpd_snd_auth_maps, var_db_type, &login_maps, &why) <
	    0) {
		snprintf(error_buf, sizeof(error_buf), "%s: %s",
		    VAR_SMTPD_SND_AUTH_MAPS, why);
		*error_r = error_buf;
		smtpd_check_deinit();
		return -1;
	}
	if (relay_policy_uses(policy, R_SENDER_LOGIN_MISMATCH) &&
	    maps_is_empty(login_maps)) {
		snprintf(error_buf, sizeof(error_buf),
		    "reject_sender_login_mismatch needs %s",
		    VAR_SMTPD_SND_AUTH_MAPS);
		*error_r = error_buf;
		smtpd_check_deinit();
		return -1;
	}
	/* The resolver reads resolv.conf now, before a chroot. */
	if (!dns_up && mailhost_fn == NULL &&
	    (relay_policy_uses(policy, R_UNKNOWN_RCPT_DOMAIN) ||
		relay_policy_uses(policy, R_UNKNOWN_SENDER_DOMAIN))) {
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
	return net_list_match(&policy->mynet, VAR_MYNETWORKS, addr);
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

static void vformat(struct smtpd_check_reply *r, int code, const char *dsn,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
vformat(struct smtpd_check_reply *r, int code, const char *dsn, const char *fmt,
    va_list ap)
{
	r->code = code;
	snprintf(r->dsn, sizeof(r->dsn), "%s", dsn);
	/* RFC 3463: the enhanced code's class is the reply's, as Postfix
	 * enforces for every refusal. */
	r->dsn[0] = (char)('0' + code / 100);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
}

static enum verdict
reply(struct smtpd_check_reply *r, int code, const char *dsn, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static enum verdict
reply(struct smtpd_check_reply *r, int code, const char *dsn, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(r, code, dsn, fmt, ap);
	va_end(ap);
	return V_REJECT;
}

/* Hold a deferral back (the first one raised stays); go on. */
static enum verdict
defer_if(struct smtpd_check_reply *d, int code, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum verdict
defer_if(struct smtpd_check_reply *d, int code, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	if (d->code == 0) {
		va_start(ap, fmt);
		vformat(d, code, dsn, fmt, ap);
		va_end(ap);
	}
	return V_DUNNO;
}

static enum verdict
temp_fail(struct smtpd_check_reply *r, const char *name)
{
	return reply(r, 451, "4.3.0", "<%s>: Temporary lookup failure", name);
}

static enum verdict
config_error(struct smtpd_check_reply *r, const char *name, const char *what)
{
	return reply(r, 451, "4.3.5",
	    "<%s>: %s rejected: Server configuration error", name, what);
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

static enum verdict run_list(struct eval *e, const struct restr_list *l);

/* An access table value that names restrictions: evaluate them in place,
 * their reject and defer answering for name and what. They name no
 * tables (relay_policy_parse_value), so this never recurses. */
static enum verdict
access_restrictions(struct eval *e, struct dict *d, const char *value,
    const char *name, const char *what)
{
	const char *saved_name = e->name, *saved_what = e->what, *why;
	struct restr_list l;
	enum verdict v;

	if (relay_policy_parse_value(value, &l, &why) < 0) {
		log_warn("%s: unknown action \"%s\" for <%s>: %s", dict_spec(d),
		    value, name, why);
		return config_error(e->r, name, what);
	}
	e->name = name;
	e->what = what;
	v = run_list(e, &l);
	e->name = saved_name;
	e->what = saved_what;
	relay_policy_list_free(&l);
	return v;
}

/* What the value found in d for name means (access(5)). */
static enum verdict
access_result(struct eval *e, struct dict *d, const char *value,
    const char *name, const char *what)
{
	struct smtpd_access_result res;

	smtpd_access_parse(value, &res);
	switch (res.action) {
	case ACCESS_OK:
		return V_PERMIT;
	case ACCESS_DUNNO:
		return V_DUNNO;
	case ACCESS_REFUSE:
		return reply(e->r, res.code, res.dsn, "<%s>: %s rejected: %s",
		    name, what, *res.text ? res.text : "Access denied");
	case ACCESS_DEFER_IF_PERMIT:
		return defer_if(&e->if_permit, res.code, res.dsn,
		    "<%s>: %s rejected: %s", name, what,
		    *res.text ? res.text : "Service unavailable");
	case ACCESS_DEFER_IF_REJECT:
		return defer_if(&e->if_reject, res.code, res.dsn,
		    "<%s>: %s rejected: %s", name, what,
		    *res.text ? res.text : "Service unavailable");
	case ACCESS_WARN:
	case ACCESS_INFO:
		if (e->c->log_fn != NULL)
			e->c->log_fn(e->c->log_ctx,
			    res.action == ACCESS_WARN ? "warn" : "info",
			    res.text);
		return V_DUNNO;
	case ACCESS_RESTRICTIONS:
		break;
	}
	return access_restrictions(e, d, value, name, what);
}

/* Look the keys up in d in order; the first found decides. */
static enum verdict
check_keys(struct eval *e, struct dict *d, const struct smtpd_access_keys *k,
    const char *name, const char *what)
{
	const char *value, *why;
	size_t i;
	int rc;

	for (i = 0; i < k->n; i++) {
		rc = dict_lookup(d, k->key[i], &value, &why);
		if (rc < 0) {
			log_warn("%s: lookup of %s: %s", dict_spec(d),
			    k->key[i], why);
			return temp_fail(e->r, name);
		}
		if (rc > 0)
			return access_result(e, d, value, name, what);
	}
	return V_DUNNO;
}

static enum verdict
check_client_access(struct eval *e, struct dict *d)
{
	struct smtpd_access_keys k = { 0 };
	enum verdict v;
	char name[340];

	snprintf(name, sizeof(name), "%s[%s]", e->c->name, e->c->addr);
	smtpd_access_client_keys(e->c->name, e->c->addr, &k);
	v = check_keys(e, d, &k, name, "Client host");
	smtpd_access_keys_free(&k);
	return v;
}

/* check_sender_access, check_recipient_access (smtpd_access.h). */
static enum verdict
check_mail_access(struct eval *e, struct dict *d, const char *addr,
    const char *what, int recipient)
{
	struct smtpd_access_keys k = { 0 };
	enum verdict v;

	smtpd_access_mail_keys(addr, var_rcpt_delim, var_smtpd_null_key, &k);
	v = check_keys(e, d, &k, addr, what);
	smtpd_access_keys_free(&k);
	/* An OK must not let "v%far"@ours or far!v@ours through: the
	 * local part asks for more routing (Postfix's SUSPICIOUS). */
	if (v == V_PERMIT && recipient && has_routing(addr))
		v = V_DUNNO;
	return v;
}

struct dns_wait_ctx {
	int done;
	enum dns_status status;
	int nullmx, implicit;
};

static void
on_mx(void *ctx, enum dns_status status, const struct dns_mx_list *list,
    const char *why)
{
	struct dns_wait_ctx *w = ctx;

	(void)why;
	w->status = status;
	if (list != NULL) {
		w->nullmx = list->nullmx;
		w->implicit = list->implicit;
	}
	w->done = 1;
}

static void
on_addrs(void *ctx, enum dns_status status, const struct dns_addr_list *list,
    const char *why)
{
	struct dns_wait_ctx *w = ctx;

	(void)list;
	(void)why;
	w->status = status;
	w->done = 1;
}

/* The default lookup: lib/dns, MX and then (no MX record) A and AAAA,
 * both waited for within 10 seconds in all. */
static enum smtpd_check_mailhost
dns_mailhost(const char *domain)
{
	struct dns_wait_ctx w = { 0, DNS_RETRY, 0, 0 };
	int64_t deadline = event_now_ms() + 10000;
	const char *error;

	if (!dns_up) {
		if (dns_init(var_dns_servers, 2000, 2, &error) < 0) {
			log_warn("%s = %s: %s", VAR_DNS_SERVERS,
			    var_dns_servers, error);
			return SMTPD_MAILHOST_RETRY;
		}
		dns_up = 1;
	}
	if (dns_lookup_mx(domain, on_mx, &w, &error) < 0)
		return SMTPD_MAILHOST_NOTFOUND; /* not a domain name */
	if (dns_wait(&w.done, deadline) < 0) {
		dns_cancel();
		return SMTPD_MAILHOST_RETRY;
	}
	if (w.nullmx)
		return SMTPD_MAILHOST_NULLMX;
	if (w.status == DNS_OK && w.implicit) {
		/* RFC 5321 5.1: no MX; the domain's own address will do. */
		w.done = 0;
		w.status = DNS_RETRY;
		if (dns_lookup_addrs(domain, DNS_INET4 | DNS_INET6, on_addrs,
			&w, &error) < 0)
			return SMTPD_MAILHOST_NOTFOUND;
		if (dns_wait(&w.done, deadline) < 0) {
			dns_cancel();
			return SMTPD_MAILHOST_RETRY;
		}
	}
	switch (w.status) {
	case DNS_OK:
		return SMTPD_MAILHOST_OK;
	case DNS_RETRY:
		return SMTPD_MAILHOST_RETRY;
	default:
		return SMTPD_MAILHOST_NOTFOUND;
	}
}

/* reject_unknown_recipient_domain and reject_unknown_sender_domain, with
 * Postfix's replies: a null MX 556 5.1.10 (recipient) or 550 5.7.27
 * (sender, RFC 7505 4.2), a domain that does not exist or has neither MX
 * nor address unknown_address_reject_code, a DNS failure 450 held back
 * until nothing else rejects. Our own domains and address literals are
 * not looked up. */
static enum verdict
check_unknown_domain(struct eval *e, const char *addr, int sender)
{
	const char *domain = addr_domain(addr);
	const char *what = sender ? "Sender address" : "Recipient address";
	const char *dsn = sender ? "4.1.8" : "4.1.2";
	int rc;

	if (*domain == 0 || *domain == '[')
		return V_DUNNO;
	if ((rc = our_domain(addr)) < 0)
		return temp_fail(e->r, addr);
	if (rc > 0)
		return V_DUNNO;
	switch ((mailhost_fn != NULL ? mailhost_fn : dns_mailhost)(domain)) {
	case SMTPD_MAILHOST_OK:
		return V_DUNNO;
	case SMTPD_MAILHOST_NULLMX:
		return reply(e->r, sender ? 550 : 556,
		    sender ? "5.7.27" : "5.1.10",
		    "<%s>: %s rejected: Domain %s does not accept mail "
		    "(nullMX)",
		    addr, what, domain);
	case SMTPD_MAILHOST_RETRY:
		return defer_if(&e->if_permit, 450, dsn,
		    "<%s>: %s rejected: Domain not found", addr, what);
	case SMTPD_MAILHOST_NOTFOUND:
		break;
	}
	return reply(e->r, (int)var_unk_addr_code, dsn,
	    "<%s>: %s rejected: Domain not found", addr, what);
}

/* 1 when login is one of the names in owners (separated by commas or
 * white space), else 0. */
static int
owner_listed(const char *owners, const char *login)
{
	size_t len = strlen(login);

	for (const char *p = owners; *(p += strspn(p, ", \t")) != 0;) {
		size_t n = strcspn(p, ", \t");

		if (n == len && strncasecmp(p, login, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* reject_sender_login_mismatch: the owners of the sender address are
 * looked up as the address, then as "@domain" (Postfix's order). */
static enum verdict
check_sender_login(struct eval *e)
{
	const struct smtpd_check_client *c = e->c;
	const char *owners = NULL, *error, *domain;
	char key[1100];
	int found;

	if (c->sender == NULL || *c->sender == 0)
		return V_DUNNO;
	found = maps_find(login_maps, c->sender, &owners, &error);
	if (found == 0 && *(domain = addr_domain(c->sender)) != 0) {
		snprintf(key, sizeof(key), "@%s", domain);
		found = maps_find(login_maps, key, &owners, &error);
	}
	if (found < 0) {
		log_warn("%s lookup of %s failed: %s", VAR_SMTPD_SND_AUTH_MAPS,
		    c->sender, error);
		return reply(e->r, 451, "4.3.0",
		    "<%s>: Sender address rejected: Server configuration "
		    "error",
		    c->sender);
	}
	if (c->sasl_username == NULL)
		return found ? reply(e->r, 553, "5.7.1",
				   "<%s>: Sender address rejected: not logged "
				   "in",
				   c->sender)
			     : V_DUNNO;
	if (found && owner_listed(owners, c->sasl_username))
		return V_DUNNO;
	return reply(e->r, 553, "5.7.1",
	    "<%s>: Sender address rejected: not owned by user %s", c->sender,
	    c->sasl_username);
}

static enum verdict
apply(struct eval *e, const struct restriction *x)
{
	const struct smtpd_check_client *c = e->c;
	const char *rcpt = e->rcpt;
	struct smtpd_check_reply *r = e->r;
	int rc;

	switch (x->kind) {
	case R_PERMIT_MYNETWORKS:
		if ((rc = smtpd_check_mynetworks(c->addr)) < 0)
			return temp_fail(r, rcpt);
		return rc > 0 ? V_PERMIT : V_DUNNO;
	case R_PERMIT_SASL_AUTH:
		return c->sasl_username != NULL ? V_PERMIT : V_DUNNO;
	case R_SENDER_LOGIN_MISMATCH:
		return check_sender_login(e);
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
		return check_unknown_domain(e, rcpt, 0);
	case R_UNKNOWN_SENDER_DOMAIN:
		if (c->sender == NULL || *c->sender == 0)
			return V_DUNNO;
		return check_unknown_domain(e, c->sender, 1);
	case R_CLIENT_ACCESS:
		return check_client_access(e, x->table);
	case R_SENDER_ACCESS:
		if (c->sender == NULL)
			return V_DUNNO;
		return check_mail_access(e, x->table, c->sender,
		    "Sender address", 0);
	case R_RCPT_ACCESS:
		return check_mail_access(e, x->table, rcpt, "Recipient address",
		    1);
	case R_PERMIT:
		return V_PERMIT;
	case R_REJECT:
		return reply(r, 554, "5.7.1",
		    "<%s>: %s rejected: Access denied", e->name, e->what);
	case R_DEFER:
		return reply(r, 450, "4.7.1",
		    "<%s>: %s rejected: Access denied", e->name, e->what);
	}
	log_panic("smtpd_check: restriction %d", (int)x->kind);
}

/* The restrictions of l in order until one decides; DUNNO at the end. */
static enum verdict
run_list(struct eval *e, const struct restr_list *l)
{
	enum verdict v;
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((v = apply(e, &l->r[i])) != V_DUNNO)
			return v;
	return V_DUNNO;
}

int
smtpd_check_rcpt(const struct smtpd_check_client *c, const char *rcpt,
    struct smtpd_check_reply *r)
{
	struct eval e;
	enum verdict v;

	/* Without the lists every recipient would pass: an open relay. */
	if (!ready)
		log_panic("smtpd_check_rcpt before smtpd_check_init");
	memset(&e, 0, sizeof(e));
	e.c = c;
	e.rcpt = rcpt;
	e.name = rcpt;
	e.what = "Recipient address";
	e.r = r;
	/* The end of a list, or a permit, ends only that list. */
	v = run_list(&e, &policy->relay);
	if (v != V_REJECT)
		v = run_list(&e, &policy->rcpt);
	if (v == V_REJECT) {
		/* DEFER_IF_REJECT: a 5xx becomes the deferral held back. */
		if (r->code >= 500 && e.if_reject.code != 0)
			*r = e.if_reject;
		return -1;
	}
	/* A temporary failure that might have rejected: not yet. */
	if (e.if_permit.code != 0) {
		*r = e.if_permit;
		return -1;
	}
	return 0;
}
