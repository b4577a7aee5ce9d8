/* dns - asynchronous DNS lookups on the event loop. See dns.h. */
#include <ares.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "dns/dns.h"
#include "util/event.h"
#include "util/mem.h"

/* c-ares 1.28 brought the record API and 1.34 (Debian 13) deprecates
 * ares_query; 1.18 (Debian 12) has only ares_query. Both hand us the
 * answer in wire form, which dns_reply.c parses. */
#if ARES_VERSION >= 0x011c00
#define DNS_ARES_DNSREC 1
#endif

struct query {
	char *name;
	uint16_t type;
	dns_fn *fn;
	void *ctx;
	int in_call; /* c-ares answered inside dns_query */
	int answered;
	enum dns_status status;
	struct dns_reply *reply;
	const char *why;
};

static ares_channel dns_chan;
static int dns_started;
static uint64_t dns_timer;

static void dns_rearm(void);

static void
on_fd(int fd, int events, void *ctx)
{
	(void)ctx;
	ares_process_fd(dns_chan, (events & EVENT_READ) ? fd : ARES_SOCKET_BAD,
	    (events & EVENT_WRITE) ? fd : ARES_SOCKET_BAD);
	dns_rearm();
}

static void
on_timer(void *ctx)
{
	(void)ctx;
	dns_timer = 0;
	ares_process_fd(dns_chan, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_rearm();
}

/* c-ares opens, closes and changes interest in its sockets through this. */
static void
on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	(void)data;
	if (!readable && !writable)
		event_unwatch(fd);
	else
		event_watch(fd,
		    (readable ? EVENT_READ : 0) | (writable ? EVENT_WRITE : 0),
		    on_fd, NULL);
}

/* Keep one event timer for c-ares's next retransmission or timeout. */
static void
dns_rearm(void)
{
	struct timeval tv, *tp;
	long ms;

	if (dns_timer != 0) {
		event_cancel(dns_timer);
		dns_timer = 0;
	}
	if (!dns_started || (tp = ares_timeout(dns_chan, NULL, &tv)) == NULL)
		return;
	ms = (long)tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000;
	dns_timer = event_timer(ms, on_timer, NULL);
}

int
dns_init(const char *servers, long timeout_ms, int tries, const char **error_r)
{
	static int lib_done;
	struct ares_options opt;
	int mask;

	if (!lib_done) {
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
			*error_r = "cannot initialize the c-ares library";
			return -1;
		}
		lib_done = 1;
	}
	dns_shutdown();
	memset(&opt, 0, sizeof(opt));
	opt.sock_state_cb = on_sock_state;
	opt.timeout = (int)(timeout_ms > 0 ? timeout_ms : 1);
	opt.tries = tries > 0 ? tries : 1;
	opt.flags = ARES_FLAG_NOSEARCH;
	mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_FLAGS;
	if (ares_init_options(&dns_chan, &opt, mask) != ARES_SUCCESS) {
		*error_r = "cannot start the DNS resolver";
		return -1;
	}
	dns_started = 1;
	if (servers != NULL && *servers != 0) {
		char *csv = xstrdup(servers), *in, *out;
		int ret;

		/* c-ares wants "a,b:53,[v6]:53"; main.cf lists may use
		 * spaces too. */
		for (in = out = csv; *in != 0; in++) {
			if (*in == ' ' || *in == '\t' || *in == ',') {
				if (out > csv && out[-1] != ',')
					*out++ = ',';
			} else {
				*out++ = *in;
			}
		}
		if (out > csv && out[-1] == ',')
			out--;
		*out = 0;
		ret = ares_set_servers_ports_csv(dns_chan, csv);
		xfree(csv);
		if (ret != ARES_SUCCESS) {
			dns_shutdown();
			*error_r = "bad DNS server list";
			return -1;
		}
	}
	return 0;
}

void
dns_shutdown(void)
{
	if (!dns_started)
		return;
	/* Pending queries are answered ARES_EDESTRUCTION: DNS_RETRY. */
	ares_destroy(dns_chan);
	dns_started = 0;
	dns_rearm();
}

void
dns_cancel(void)
{
	if (!dns_started)
		return;
	ares_cancel(dns_chan);
	dns_rearm();
}

static void
deliver(void *ctx)
{
	struct query *q = ctx;

	q->fn(q->ctx, q->status, q->reply, q->why);
	dns_reply_free(&q->reply);
	xfree(q->name);
	xfree(q);
}

/* Classify c-ares's status and the message it carried (may be NULL). */
static void
answer(struct query *q, int status, const unsigned char *msg, size_t len)
{
	const char *error;

	q->answered = 1;
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
		if (msg == NULL || len == 0) {
			q->status = DNS_NODATA;
			q->reply = xcalloc(1, sizeof(*q->reply));
			q->why = "No address associated with hostname";
			break;
		}
		if (dns_reply_parse(msg, len, q->name, q->type, &q->reply,
			&error) < 0) {
			/* A garbled answer says nothing about the name:
			 * ask again later rather than bounce. */
			q->status = DNS_RETRY;
			q->why = "malformed DNS reply, try again";
			break;
		}
		if (q->reply->rcode == DNS_RCODE_NXDOMAIN) {
			dns_reply_free(&q->reply);
			q->status = DNS_NOTFOUND;
			q->why = "Host not found";
		} else if (q->reply->rcode != DNS_RCODE_NOERROR) {
			dns_reply_free(&q->reply);
			q->status = DNS_RETRY;
			q->why = "Host not found, try again";
		} else if (q->reply->nrr == 0) {
			q->status = DNS_NODATA;
			q->why = "No address associated with hostname";
		} else {
			q->status = DNS_OK;
			q->why = NULL;
		}
		break;
	case ARES_ENOTFOUND:
		q->status = DNS_NOTFOUND;
		q->why = "Host not found";
		break;
	case ARES_EBADNAME:
		q->status = DNS_FAIL;
		q->why = "Malformed domain name";
		break;
	case ARES_EDESTRUCTION:
		q->status = DNS_RETRY;
		q->why = "resolver shut down";
		break;
	case ARES_ECANCELLED:
		q->status = DNS_RETRY;
		q->why = "lookup cancelled";
		break;
	default:
		/* SERVFAIL, REFUSED, timeout, no server, no memory. */
		q->status = DNS_RETRY;
		q->why = "Host not found, try again";
		break;
	}
	if (!q->in_call)
		deliver(q);
}

#ifdef DNS_ARES_DNSREC
static void
on_answer(void *arg, ares_status_t status, size_t timeouts,
    const ares_dns_record_t *rec)
{
	unsigned char *msg = NULL;
	size_t len = 0;

	(void)timeouts;
	if (rec != NULL && ares_dns_write(rec, &msg, &len) != ARES_SUCCESS) {
		msg = NULL;
		len = 0;
	}
	answer(arg, (int)status, msg, len);
	ares_free_string(msg);
}
#else
static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	(void)timeouts;
	answer(arg, status, abuf, abuf != NULL && alen > 0 ? (size_t)alen : 0);
}
#endif

/* RFC 1035 section 2.3.4 and RFC 1123 section 2.1, in the loose form a
 * resolver accepts: labels of 1 to 63 printable octets, 253 in all, one
 * final dot allowed. */
static int
name_ok(const char *name)
{
	size_t len = strlen(name), lab = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
		} else if (c <= ' ' || c >= 0x7f || c == '\\' || ++lab > 63) {
			return 0;
		}
	}
	return lab > 0;
}

int
dns_query(const char *name, uint16_t type, dns_fn *fn, void *ctx,
    const char **error_r)
{
	struct query *q;

	if (!dns_started) {
		*error_r = "DNS resolver not started";
		return -1;
	}
	if (!name_ok(name)) {
		*error_r = "Malformed domain name";
		return -1;
	}
	q = xcalloc(1, sizeof(*q));
	q->name = xstrdup(name);
	q->type = type;
	q->fn = fn;
	q->ctx = ctx;
	q->in_call = 1;
#ifdef DNS_ARES_DNSREC
	if (ares_query_dnsrec(dns_chan, name, ARES_CLASS_IN,
		(ares_dns_rec_type_t)type, on_answer, q,
		NULL) != ARES_SUCCESS &&
	    !q->answered)
		answer(q, ARES_ENOMEM, NULL, 0);
#else
	ares_query(dns_chan, name, DNS_C_IN, type, on_answer, q);
#endif
	q->in_call = 0;
	if (q->answered)
		event_timer(0, deliver, q); /* dns.h: never from here */
	dns_rearm();
	return 0;
}

int
dns_wait(const int *done, int64_t deadline_ms)
{
	while (!*done) {
		int64_t left = deadline_ms - event_now_ms();

		if (left <= 0)
			return -1;
		event_run_once((long)left);
	}
	return 0;
}

/* MX lookups. */

static unsigned
random_bound(unsigned bound)
{
	return bound > 1 ? (unsigned)random() % bound : 0;
}

void
dns_mx_sort(struct dns_mx *mx, size_t n, unsigned (*rnd)(unsigned bound))
{
	size_t i, j, run;

	for (i = 1; i < n; i++) {
		struct dns_mx t = mx[i];

		for (j = i; j > 0 && mx[j - 1].pref > t.pref; j--)
			mx[j] = mx[j - 1];
		mx[j] = t;
	}
	/* RFC 5321 section 5.1: hosts of equal preference are tried in a
	 * random order, to spread the load. */
	for (i = 0; i < n; i = run) {
		for (run = i + 1; run < n && mx[run].pref == mx[i].pref; run++)
			;
		for (j = run - 1; j > i; j--) {
			size_t k = i + rnd((unsigned)(j - i + 1));
			struct dns_mx t = mx[j];

			mx[j] = mx[k];
			mx[k] = t;
		}
	}
}

struct mx_query {
	char *domain;
	dns_mx_fn *fn;
	void *ctx;
};

static void
mx_free(struct dns_mx_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		xfree(list->mx[i].host);
	xfree(list->mx);
}

static void
on_mx(void *ctx, enum dns_status status, const struct dns_reply *reply,
    const char *why)
{
	struct mx_query *mq = ctx;
	struct dns_mx_list list;

	memset(&list, 0, sizeof(list));
	if (status == DNS_NODATA) {
		/* RFC 5321 section 5.1: no MX, the domain is its own. */
		list.mx = xcalloc(1, sizeof(*list.mx));
		list.mx[0].host = xstrdup(mq->domain);
		list.n = 1;
		list.implicit = 1;
		status = DNS_OK;
		why = NULL;
	} else if (status == DNS_OK) {
		list.mx = xcalloc(reply->nrr, sizeof(*list.mx));
		for (size_t i = 0; i < reply->nrr; i++) {
			/* RFC 7505 section 3: a null MX is the only MX. */
			if (reply->rr[i].name[0] == 0)
				list.nullmx = 1;
			list.mx[list.n].host = xstrdup(reply->rr[i].name);
			list.mx[list.n++].pref = reply->rr[i].pref;
		}
		if (list.nullmx) {
			mx_free(&list);
			memset(&list, 0, sizeof(list));
			list.nullmx = 1;
			status = DNS_NOTFOUND;
			why = "domain does not accept mail (null MX)";
		} else {
			dns_mx_sort(list.mx, list.n, random_bound);
		}
	}
	mq->fn(mq->ctx, status, &list, why);
	mx_free(&list);
	xfree(mq->domain);
	xfree(mq);
}

int
dns_lookup_mx(const char *domain, dns_mx_fn *fn, void *ctx,
    const char **error_r)
{
	struct mx_query *mq = xcalloc(1, sizeof(*mq));

	mq->domain = xstrdup(domain);
	mq->fn = fn;
	mq->ctx = ctx;
	if (dns_query(domain, DNS_T_MX, on_mx, mq, error_r) < 0) {
		xfree(mq->domain);
		xfree(mq);
		return -1;
	}
	return 0;
}

/* Address lookups: A and AAAA in parallel. */

struct addr_query {
	dns_addr_fn *fn;
	void *ctx;
	int pending;
	enum dns_status st[2]; /* [0] A, [1] AAAA */
	const char *why[2];
	struct dns_addr_list found[2];
};

/* How bad an outcome is when no family found an address. */
static int
badness(enum dns_status st)
{
	switch (st) {
	case DNS_RETRY:
		return 4;
	case DNS_FAIL:
		return 3;
	case DNS_NOTFOUND:
		return 2;
	case DNS_NODATA:
		return 1;
	default:
		return 0;
	}
}

static void
addr_done(struct addr_query *aq)
{
	struct dns_addr_list all;
	enum dns_status status;
	const char *why;
	int i;

	memset(&all, 0, sizeof(all));
	for (i = 0; i < 2; i++) {
		if (aq->found[i].n == 0)
			continue;
		all.addr = xrealloc(all.addr,
		    (all.n + aq->found[i].n) * sizeof(*all.addr));
		memcpy(all.addr + all.n, aq->found[i].addr,
		    aq->found[i].n * sizeof(*all.addr));
		all.n += aq->found[i].n;
	}
	if (all.n > 0) {
		status = DNS_OK;
		why = NULL;
	} else {
		i = badness(aq->st[0]) >= badness(aq->st[1]) ? 0 : 1;
		status = aq->st[i];
		why = aq->why[i];
		if (status == DNS_NODATA)
			why = "No address associated with hostname";
	}
	aq->fn(aq->ctx, status, &all, why);
	xfree(all.addr);
	for (i = 0; i < 2; i++)
		xfree(aq->found[i].addr);
	xfree(aq);
}

static void
on_addr(struct addr_query *aq, int idx, enum dns_status status,
    const struct dns_reply *reply, const char *why)
{
	aq->st[idx] = status;
	aq->why[idx] = why;
	if (status == DNS_OK) {
		struct dns_addr_list *l = &aq->found[idx];

		l->addr = xcalloc(reply->nrr, sizeof(*l->addr));
		for (size_t i = 0; i < reply->nrr; i++) {
			l->addr[i].family = idx == 0 ? AF_INET : AF_INET6;
			memcpy(l->addr[i].addr, reply->rr[i].addr,
			    sizeof(l->addr[i].addr));
		}
		l->n = reply->nrr;
	}
	if (--aq->pending == 0)
		addr_done(aq);
}

static void
on_a(void *ctx, enum dns_status status, const struct dns_reply *reply,
    const char *why)
{
	on_addr(ctx, 0, status, reply, why);
}

static void
on_aaaa(void *ctx, enum dns_status status, const struct dns_reply *reply,
    const char *why)
{
	on_addr(ctx, 1, status, reply, why);
}

int
dns_lookup_addrs(const char *host, int families, dns_addr_fn *fn, void *ctx,
    const char **error_r)
{
	struct addr_query *aq;

	if ((families & (DNS_INET4 | DNS_INET6)) == 0) {
		*error_r = "no address family enabled";
		return -1;
	}
	if (!name_ok(host)) {
		*error_r = "Malformed domain name";
		return -1;
	}
	aq = xcalloc(1, sizeof(*aq));
	aq->fn = fn;
	aq->ctx = ctx;
	aq->st[0] = aq->st[1] = DNS_NODATA;
	/* Count both first: neither answer can arrive before we return. */
	aq->pending =
	    ((families & DNS_INET4) != 0) + ((families & DNS_INET6) != 0);
	if ((families & DNS_INET4) != 0 &&
	    dns_query(host, DNS_T_A, on_a, aq, error_r) < 0)
		goto fail;
	if ((families & DNS_INET6) != 0 &&
	    dns_query(host, DNS_T_AAAA, on_aaaa, aq, error_r) < 0)
		goto fail;
	return 0;
fail:
	/* Only possible before any query started: the checks above are the
	 * ones dns_query makes, and the resolver state cannot change. */
	xfree(aq);
	return -1;
}

/* Reverse lookups. */

int
dns_ptr_name(const struct sockaddr *sa, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *a;
	size_t off = 0;
	int n;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		a = in6->sin6_addr.s6_addr;
		if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			/* UNSAFE: 32 nibbles of 2 bytes each, then
			 * "ip6.arpa" and a NUL: 73 bytes. */
			if (size < 73)
				return -1;
			for (int i = 15; i >= 0; i--) {
				buf[off++] = hex[a[i] & 0xf];
				buf[off++] = '.';
				buf[off++] = hex[a[i] >> 4];
				buf[off++] = '.';
			}
			memcpy(buf + off, "ip6.arpa", sizeof("ip6.arpa"));
			return 0;
		}
		a += 12;
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		a = (const unsigned char *)&in->sin_addr.s_addr;
	} else {
		return -1;
	}
	n = snprintf(buf, size, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1],
	    a[0]);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

struct ptr_query {
	dns_name_fn *fn;
	void *ctx;
};

static void
on_ptr(void *ctx, enum dns_status status, const struct dns_reply *reply,
    const char *why)
{
	struct ptr_query *pq = ctx;
	struct dns_name_list list;

	memset(&list, 0, sizeof(list));
	if (status == DNS_OK) {
		list.name = xcalloc(reply->nrr, sizeof(*list.name));
		/* The root name is no host's name. */
		for (size_t i = 0; i < reply->nrr; i++)
			if (reply->rr[i].name[0] != 0)
				list.name[list.n++] = reply->rr[i].name;
		if (list.n == 0) {
			status = DNS_NODATA;
			why = "No host name associated with address";
		}
	}
	pq->fn(pq->ctx, status, &list, why);
	xfree(list.name);
	xfree(pq);
}

int
dns_lookup_ptr(const struct sockaddr *sa, dns_name_fn *fn, void *ctx,
    const char **error_r)
{
	struct ptr_query *pq;
	char name[DNS_PTR_NAME_SIZE];

	if (dns_ptr_name(sa, name, sizeof(name)) < 0) {
		*error_r = "address family not supported";
		return -1;
	}
	pq = xcalloc(1, sizeof(*pq));
	pq->fn = fn;
	pq->ctx = ctx;
	if (dns_query(name, DNS_T_PTR, on_ptr, pq, error_r) < 0) {
		xfree(pq);
		return -1;
	}
	return 0;
}
