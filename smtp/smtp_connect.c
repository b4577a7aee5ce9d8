/* smtp_connect - from a next hop to an open SMTP session. See smtp.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns.h"
#include "smtp.h"
#include "tls/tls.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sock.h"
#include "util/stream.h"

int
smtp_dest_parse(const char *nexthop, int default_port, struct smtp_dest *d,
    const char **error_r)
{
	const char *p = nexthop, *end, *port = NULL;
	size_t len;

	memset(d, 0, sizeof(*d));
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL) {
			*error_r = "missing \"]\" in next hop";
			return -1;
		}
		p++;
		if (strncasecmp(p, "ipv6:", 5) == 0)
			p += 5;
		len = (size_t)(end - p);
		d->no_mx = 1;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != 0)
			goto bad;
	} else {
		end = strchr(p, ':');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (end != NULL)
			port = end + 1;
	}
	if (len == 0 || len > DNS_NAME_MAX)
		goto bad;
	d->port = default_port;
	if (port != NULL) {
		char *e;
		long v = strtol(port, &e, 10);

		if (*port == 0 || *e != 0 || v < 1 || v > 65535)
			goto bad;
		d->port = (int)v;
	}
	d->host = xstrndup(p, len);
	return 0;
bad:
	*error_r = "malformed next hop (want domain, [host] or [host]:port)";
	return -1;
}

void
smtp_dest_free(struct smtp_dest *d)
{
	xfree(d->host);
	d->host = NULL;
}

/* Waiting for one lookup. */
struct wait_mx {
	int done;
	enum dns_status status;
	struct dns_mx *mx;
	size_t n;
	int implicit;
	char why[256];
};

struct wait_addrs {
	int done;
	enum dns_status status;
	struct dns_addr *addr;
	size_t n;
	char why[256];
};

static void
on_mx(void *ctx, enum dns_status status, const struct dns_mx_list *list,
    const char *why)
{
	struct wait_mx *w = ctx;

	w->done = 1;
	w->status = status;
	w->implicit = list->implicit;
	snprintf(w->why, sizeof(w->why), "%s", why != NULL ? why : "");
	w->mx = xcalloc(list->n + 1, sizeof(*w->mx));
	for (size_t i = 0; i < list->n; i++) {
		w->mx[i].host = xstrdup(list->mx[i].host);
		w->mx[i].pref = list->mx[i].pref;
	}
	w->n = list->n;
}

static void
on_addrs(void *ctx, enum dns_status status, const struct dns_addr_list *list,
    const char *why)
{
	struct wait_addrs *w = ctx;

	w->done = 1;
	w->status = status;
	snprintf(w->why, sizeof(w->why), "%s", why != NULL ? why : "");
	w->addr = xcalloc(list->n + 1, sizeof(*w->addr));
	if (list->n > 0)
		memcpy(w->addr, list->addr, list->n * sizeof(*w->addr));
	w->n = list->n;
}

static void set_fail(struct smtp_fail *f, int permanent, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
set_fail(struct smtp_fail *f, int permanent, const char *dsn, const char *fmt,
    ...)
{
	va_list ap;

	f->permanent = permanent;
	snprintf(f->dsn, sizeof(f->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

/* An address literal in the next hop needs no lookup. */
static int
literal(const char *host, struct dns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, a->addr) == 1) {
		a->family = AF_INET;
		return 1;
	}
	if (inet_pton(AF_INET6, host, a->addr) == 1) {
		a->family = AF_INET6;
		return 1;
	}
	return 0;
}

/* Log the TLS of a new session in Postfix's words: "Verified" when the
 * certificate was checked against a name, "Trusted" when only its chain
 * was, "Untrusted" when neither holds. */
static void
log_tls(const struct smtp_sess *sess, const char *name, int port)
{
	const struct tls_conn *c = smtp_sess_tls_conn(sess);
	struct buf desc;
	const char *how;

	if (c == NULL)
		return;
	if (!tls_conn_verified(c, NULL))
		how = "Untrusted";
	else
		how = name != NULL ? "Verified" : "Trusted";
	buf_init(&desc, 512);
	tls_conn_describe(c, &desc);
	log_info("%s TLS connection established to %s:%d: %s", how,
	    smtp_sess_host(sess), port, buf_cstr(&desc));
	buf_deinit(&desc);
}

/* The name a server's certificate must carry, also sent as SNI: the
 * policy's match, else (secure) the next-hop domain or (other levels)
 * the server's host name, never an address literal. */
static const char *
tls_name(const struct smtp_conf *conf, const char *host)
{
	struct dns_addr lit;

	if (conf->tls.match != NULL)
		return conf->tls.match;
	if (literal(host, &lit))
		return NULL;
	return host;
}

/* Try one address. Returns the session, or NULL with *fail set. */
static struct smtp_sess *
try_addr(const char *host, const struct dns_addr *a, int port,
    const struct smtp_conf *conf, struct smtp_fail *fail, int *greeted)
{
	const char *name = tls_name(conf, host);
	int handshake_failed;
	struct sockaddr_storage ss;
	struct smtp_reply reply;
	struct smtp_sess *sess;
	char text[INET6_ADDRSTRLEN], label[DNS_NAME_MAX + INET6_ADDRSTRLEN + 4];
	const char *error;
	unsigned len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a->addr, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		len = sizeof(*sin6);
	}
	inet_ntop(a->family, a->addr, text, sizeof(text));
	snprintf(label, sizeof(label), "%s[%s]", host, text);
	if ((fd = sock_inet_connect((struct sockaddr *)&ss, len,
		 conf->connect_timeout, &error)) < 0) {
		set_fail(fail, 0, "4.4.1", "connect to %s:%d: %s", label, port,
		    error);
		return NULL;
	}
	*greeted = 1;
	sess = smtp_sess_open(stream_create(fd, 0), label, conf->helo_name,
	    &conf->t, &reply);
	if (sess == NULL) {
		if (reply.code != 0)
			set_fail(fail, 0, "4.4.2",
			    "host %s refused to talk to me: %d %s", label,
			    reply.code, reply.text);
		else
			set_fail(fail, 0, "4.4.2", "%s", reply.text);
		return NULL;
	}
	if (smtp_sess_tls(&sess, &conf->tls, name, &reply, &handshake_failed) <
	    0) {
		if (handshake_failed && conf->tls.level == TLS_LEVEL_MAY) {
			/* Opportunistic TLS that fails is no reason not
			 * to deliver: once more, in clear. */
			struct smtp_conf clear = *conf;

			log_info("%s; trying again without TLS", reply.text);
			clear.tls.level = TLS_LEVEL_NONE;
			return try_addr(host, a, port, &clear, fail, greeted);
		}
		set_fail(fail, 0, reply.dsn_given ? reply.dsn : "4.4.2", "%s",
		    reply.text);
		return NULL;
	}
	log_tls(sess, name, port);
	return sess;
}

static void
free_mx(struct wait_mx *w)
{
	for (size_t i = 0; i < w->n; i++)
		xfree(w->mx[i].host);
	xfree(w->mx);
}

struct smtp_sess *
smtp_connect(const struct smtp_dest *d, const struct smtp_conf *conf,
    struct smtp_fail *fail)
{
	struct wait_mx w;
	struct dns_addr lit;
	struct smtp_sess *sess = NULL;
	const char *error;
	size_t i, nhosts;
	int tried = 0, sessions = 0, all_permanent = 1;
	long self = -1;

	memset(&w, 0, sizeof(w));
	set_fail(fail, 0, "4.4.3", "no mail exchanger for %s", d->host);
	if (literal(d->host, &lit)) {
		int greeted = 0;

		return try_addr(d->host, &lit, d->port, conf, fail, &greeted);
	}
	if (d->no_mx) {
		w.mx = xcalloc(1, sizeof(*w.mx));
		w.mx[0].host = xstrdup(d->host);
		w.n = 1;
		w.implicit = 1;
	} else {
		if (dns_lookup_mx(d->host, on_mx, &w, &error) < 0) {
			set_fail(fail, 1, "5.1.2", "bad domain name %s: %s",
			    d->host, error);
			return NULL;
		}
		if (dns_wait(&w.done,
			event_now_ms() + (int64_t)conf->dns_timeout * 1000) <
		    0) {
			/* The callback must land while w still lives. */
			dns_cancel();
			set_fail(fail, 0, "4.4.3",
			    "Host or domain name not "
			    "found. Name service error for name=%s type=MX: "
			    "Host not found, try again",
			    d->host);
			free_mx(&w);
			return NULL;
		}
		if (w.status != DNS_OK) {
			int perm =
			    w.status == DNS_NOTFOUND || w.status == DNS_FAIL;

			if (perm && strstr(w.why, "null MX") != NULL)
				set_fail(fail, 1, "5.1.10",
				    "Domain %s does "
				    "not accept mail (nullMX)",
				    d->host);
			else
				set_fail(fail, perm, perm ? "5.1.2" : "4.4.3",
				    "Host or domain name not found. Name "
				    "service error for name=%s type=MX: %s",
				    d->host, w.why);
			free_mx(&w);
			return NULL;
		}
	}
	/* RFC 5321 section 5.1: when this host is one of the exchangers,
	 * only those with a better (lower) preference may be used. */
	for (i = 0; i < w.n; i++)
		if (strcasecmp(w.mx[i].host, conf->myhostname) == 0 &&
		    (self < 0 || w.mx[i].pref < self))
			self = w.mx[i].pref;
	for (nhosts = 0; nhosts < w.n && (self < 0 || w.mx[nhosts].pref < self);
	     nhosts++)
		;
	if (nhosts == 0) {
		set_fail(fail, 1, "5.4.6", "mail for %s loops back to myself",
		    d->host);
		free_mx(&w);
		return NULL;
	}
	for (i = 0; i < nhosts && sess == NULL; i++) {
		struct wait_addrs a;
		const char *host = w.mx[i].host;

		memset(&a, 0, sizeof(a));
		if (literal(host, &lit)) {
			a.addr = xcalloc(1, sizeof(*a.addr));
			a.addr[0] = lit;
			a.n = 1;
			a.status = DNS_OK;
		} else if (dns_lookup_addrs(host, conf->families, on_addrs, &a,
			       &error) < 0) {
			set_fail(fail, 0, "4.4.3", "bad host name %s: %s", host,
			    error);
			all_permanent = 0;
			continue;
		} else if (dns_wait(&a.done,
			       event_now_ms() +
				   (int64_t)conf->dns_timeout * 1000) < 0) {
			dns_cancel();
			xfree(a.addr);
			set_fail(fail, 0, "4.4.3",
			    "Host or domain name not "
			    "found. Name service error for name=%s type=A: "
			    "Host not found, try again",
			    host);
			all_permanent = 0;
			break;
		}
		if (a.status != DNS_OK) {
			/* Only a domain without MX that has no address is
			 * known to be undeliverable; an exchanger's missing
			 * address may be a mistake its owner fixes. */
			int perm = a.status != DNS_RETRY && w.implicit;

			set_fail(fail, perm, perm ? "5.1.2" : "4.4.3",
			    "Host or domain name not found. Name service "
			    "error for name=%s type=%s: %s",
			    host, conf->families == DNS_INET6 ? "AAAA" : "A",
			    a.why);
			all_permanent &= perm;
			xfree(a.addr);
			continue;
		}
		all_permanent = 0;
		for (size_t j = 0; j < a.n && sess == NULL; j++) {
			int greeted = 0;

			if (conf->mx_address_limit > 0 &&
			    tried >= conf->mx_address_limit)
				break;
			tried++;
			sess = try_addr(host, &a.addr[j], d->port, conf, fail,
			    &greeted);
			if (greeted && sess == NULL &&
			    conf->mx_session_limit > 0 &&
			    ++sessions >= conf->mx_session_limit)
				break;
		}
		xfree(a.addr);
		if ((conf->mx_address_limit > 0 &&
			tried >= conf->mx_address_limit) ||
		    (conf->mx_session_limit > 0 &&
			sessions >= conf->mx_session_limit))
			break;
	}
	free_mx(&w);
	if (sess == NULL && !all_permanent)
		fail->permanent = 0;
	if (sess == NULL && !fail->permanent)
		fail->dsn[0] = '4';
	return sess;
}
