/* SPDX-License-Identifier: MIT */
/* smtp_serve - the server side of the smtp delivery protocol (proto_smtp.h):
 * one request is one message for one next hop; the session to that next
 * hop stays open for the next request on the same connection while the
 * reuse limits allow. Every recipient gets a result and a log line in
 * Postfix's shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "conf/params.h"
#include "dns/dns.h"
#include "mail/dsn_param.h"
#include "proto/agent_serve.h"
#include "proto/proto_smtp.h"
#include "queue/qfile.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/delay.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "smtp.h"

/* The session kept for the next request. */
static struct smtp_sess *cached;
static char *cached_nexthop;
static char *cached_relay; /* "host[addr]:port" for logs */
static time_t cached_since;

static void
cache_drop(int quit)
{
	smtp_sess_close(&cached, quit);
	xfree(cached_nexthop);
	xfree(cached_relay);
	cached_nexthop = cached_relay = NULL;
}

/* main.cf's families for outbound mail. 0 when the value is bad. */
int
smtp_families(const char *value)
{
	char *copy = xstrdup(value), *p, *save = NULL;
	int fam = 0;

	for (p = strtok_r(copy, ", \t", &save); p != NULL;
	     p = strtok_r(NULL, ", \t", &save)) {
		if (strcasecmp(p, "all") == 0)
			fam |= DNS_INET4 | DNS_INET6;
		else if (strcasecmp(p, "ipv4") == 0)
			fam |= DNS_INET4;
		else if (strcasecmp(p, "ipv6") == 0)
			fam |= DNS_INET6;
		else {
			fam = 0;
			break;
		}
	}
	xfree(copy);
	return fam;
}

struct content {
	struct qfile_content *c;
};

static int
content_read(void *ctx, const char **p_r, size_t *n_r, const char **error_r)
{
	struct content *ct = ctx;

	return qfile_content_read(ct->c, p_r, n_r, error_r);
}

static void
log_rcpt(const char *queue_id, const struct smtp_rcpt *r, const char *orig,
    const char *relay, const struct timeval *arrival,
    const struct timeval mark[3])
{
	struct timeval stage[DELAY_STAGES] = { { 0, 0 } };
	char fields[DELAY_FIELDS_MAX];
	int same = strcasecmp(r->addr, orig) == 0;

	stage[DELAY_BEFORE_QMGR] = delay_between(arrival, &mark[0]);
	stage[DELAY_CONN_SETUP] = delay_between(&mark[0], &mark[1]);
	stage[DELAY_TRANSMISSION] = delay_between(&mark[1], &mark[2]);
	log_info("%s: to=<%s>%s%s%s, relay=%s, %s, dsn=%s, status=%s (%s)",
	    queue_id, r->addr, same ? "" : ", orig_to=<", same ? "" : orig,
	    same ? "" : ">", relay,
	    delay_fields(fields, delay_between(arrival, &mark[2]), stage),
	    r->dsn,
	    r->status == SMTP_RCPT_SENT         ? "sent"
		: r->status == SMTP_RCPT_BOUNCE ? "bounced"
						: "deferred",
	    r->text);
}

/* Get a session for nexthop: the cached one when it fits, else a new
 * one. NULL with *fail set when there is none to be had. */
static struct smtp_sess *
session_for(const char *nexthop, struct smtp_fail *fail)
{
	static int dns_up;
	struct smtp_conf conf;
	struct smtp_dest d;
	struct smtp_sess *s;
	const char *error;
	char relay[1100];
	struct buf match;

	if (cached != NULL) {
		if (strcasecmp(cached_nexthop, nexthop) == 0 &&
		    (var_smtp_reuse_count == 0 ||
			smtp_sess_count(cached) < var_smtp_reuse_count) &&
		    time(NULL) - cached_since < var_smtp_reuse_time)
			return cached;
		cache_drop(1);
	}
	memset(fail, 0, sizeof(*fail));
	if (smtp_dest_parse(nexthop, (int)var_smtp_tcp_port, &d, &error) < 0) {
		/* qmgr made this next hop from main.cf or a table. */
		fail->permanent = 0;
		snprintf(fail->dsn, sizeof(fail->dsn), "4.3.5");
		snprintf(fail->text, sizeof(fail->text),
		    "mail system configuration error: next hop \"%s\": %s",
		    nexthop, error);
		return NULL;
	}
	if (!dns_up) {
		if (dns_init(var_dns_servers, 5000, 2, &error) < 0) {
			smtp_dest_free(&d);
			snprintf(fail->dsn, sizeof(fail->dsn), "4.3.5");
			snprintf(fail->text, sizeof(fail->text),
			    "mail system configuration error: %s = %s: %s",
			    VAR_DNS_SERVERS, var_dns_servers, error);
			return NULL;
		}
		dns_up = 1;
	}
	memset(&conf, 0, sizeof(conf));
	conf.helo_name = var_smtp_helo_name;
	conf.myhostname = var_myhostname;
	conf.families = smtp_families(var_inet_protocols);
	conf.connect_timeout = (int)var_smtp_conn_tmout;
	conf.dns_timeout = 30;
	conf.mx_address_limit = (int)var_smtp_mxaddr_limit;
	conf.mx_session_limit = (int)var_smtp_mxsess_limit;
	conf.t.helo = (int)var_smtp_helo_tmout;
	conf.t.mail = (int)var_smtp_mail_tmout;
	conf.t.rcpt = (int)var_smtp_rcpt_tmout;
	conf.t.data_init = (int)var_smtp_data0_tmout;
	conf.t.data_xfer = (int)var_smtp_data1_tmout;
	conf.t.data_done = (int)var_smtp_data2_tmout;
	conf.t.rset = (int)var_smtp_rset_tmout;
	conf.t.quit = (int)var_smtp_quit_tmout;
	buf_init(&match, DNS_NAME_MAX + 1);
	if (smtp_tls_policy(nexthop, &d, &conf.tls, &match, fail) < 0) {
		buf_deinit(&match);
		smtp_dest_free(&d);
		return NULL;
	}
	s = smtp_connect(&d, &conf, fail);
	buf_deinit(&match);
	if (s != NULL) {
		snprintf(relay, sizeof(relay), "%s:%d", smtp_sess_host(s),
		    d.port);
		cached = s;
		cached_nexthop = xstrdup(nexthop);
		cached_relay = xstrdup(relay);
		cached_since = time(NULL);
	}
	smtp_dest_free(&d);
	return s;
}

/* Serve one request. Returns 0, or -1 when it is malformed (the
 * connection is then dropped). */
/* A NOTIFY mask as qmgr sends it (decimal, dsn_param.h's bits); 0 for
 * anything else. */
static int
notify_mask(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	return *v != 0 && *end == 0 && n > 0 && n <= DSN_NOTIFY_ALL ? (int)n
								    : 0;
}

static int
serve_request(struct stream *s, int fd, const struct attr_list *req)
{
	const char *queue_id, *sender, *nexthop, *body, *error;
	struct smtp_rcpt *rcpt;
	const char **orig;
	struct smtp_fail fail;
	struct smtp_content content;
	struct content ct = { NULL };
	struct smtp_sess *sess;
	struct timeval arrival, mark[3];
	char *relay = NULL;
	long sec, usec = 0, size = 0;
	size_t i, n = 0;
	int ret = 0;

	gettimeofday(&mark[0], NULL);
	queue_id = attr_get(req, ATTR_QUEUE_ID);
	sender = attr_get(req, ATTR_SENDER);
	nexthop = attr_get(req, ATTR_NEXTHOP);
	body = attr_get(req, ATTR_BODY);
	if (queue_id == NULL || sender == NULL || nexthop == NULL ||
	    attr_get_long(req, ATTR_ARRIVAL, &sec) < 0) {
		log_warn("bad request from qmgr: a required attribute is "
			 "missing");
		return -1;
	}
	attr_get_long(req, ATTR_ARRIVAL_USEC, &usec);
	attr_get_long(req, ATTR_SIZE, &size);
	arrival.tv_sec = (time_t)sec;
	arrival.tv_usec = (suseconds_t)(usec >= 0 && usec < 1000000 ? usec : 0);
	rcpt = xcalloc(req->n, sizeof(*rcpt));
	orig = xcalloc(req->n, sizeof(*orig));
	for (i = 0; i < req->n; i++) {
		if (strcmp(req->a[i].name, ATTR_RCPT) == 0) {
			rcpt[n].addr = req->a[i].value;
			orig[n++] = req->a[i].value;
		} else if (strcmp(req->a[i].name, ATTR_ORIG) == 0 && n > 0) {
			orig[n - 1] = req->a[i].value;
		} else if (strcmp(req->a[i].name, ATTR_NOTIFY) == 0 && n > 0) {
			rcpt[n - 1].notify = notify_mask(req->a[i].value);
		} else if (strcmp(req->a[i].name, ATTR_ORCPT) == 0 && n > 0) {
			rcpt[n - 1].orcpt = req->a[i].value;
		}
	}
	if (n == 0 || n > SMTP_MAX_BATCH) {
		log_warn("%s: bad request from qmgr: %zu recipients", queue_id,
		    n);
		ret = -1;
		goto out;
	}
	if (qfile_content_open(fd, &ct.c, &error) < 0) {
		log_warn("%s: cannot read queue file: %s", queue_id, error);
		memset(&fail, 0, sizeof(fail));
		snprintf(fail.dsn, sizeof(fail.dsn), "4.3.0");
		snprintf(fail.text, sizeof(fail.text),
		    "cannot read queue file: %s", error);
		sess = NULL;
	} else {
		sess = session_for(nexthop, &fail);
	}
	gettimeofday(&mark[1], NULL);
	if (sess == NULL) {
		for (i = 0; i < n; i++) {
			rcpt[i].status =
			    fail.permanent ? SMTP_RCPT_BOUNCE : SMTP_RCPT_DEFER;
			snprintf(rcpt[i].dsn, sizeof(rcpt[i].dsn), "%s",
			    fail.dsn);
			rcpt[i].text = xstrdup(fail.text);
		}
	} else {
		relay = xstrdup(cached_relay);
		content.read = content_read;
		content.ctx = &ct;
		content.size = (off_t)size;
		content.body_8bit =
		    body != NULL && strcasecmp(body, "8BITMIME") == 0;
		content.smtputf8 = attr_get(req, ATTR_SMTPUTF8) != NULL;
		content.dsn_ret = attr_get(req, ATTR_DSN_RET);
		content.dsn_envid = attr_get(req, ATTR_DSN_ENVID);
		if (smtp_sess_send(sess, sender, &content, rcpt, n) < 0)
			cache_drop(0);
	}
	gettimeofday(&mark[2], NULL);
	for (i = 0; i < n; i++) {
		log_rcpt(queue_id, &rcpt[i], orig[i],
		    relay != NULL ? relay : "none", &arrival, mark);
		attr_put(s, ATTR_STATUS, rcpt[i].dsn);
		attr_put(s, ATTR_TEXT, rcpt[i].text);
		if (rcpt[i].relayed)
			attr_put(s, ATTR_ACTION, "relayed");
		if (rcpt[i].diag != NULL && rcpt[i].status != SMTP_RCPT_SENT) {
			attr_put(s, ATTR_DIAG, rcpt[i].diag);
			attr_put(s, ATTR_MTA, rcpt[i].mta);
		}
	}
	attr_put_end(s);
	if (stream_flush(s, &error) < 0)
		ret = -1;
out:
	xfree(relay);
	qfile_content_close(&ct.c);
	for (i = 0; i < n; i++)
		smtp_rcpt_clear(&rcpt[i]);
	xfree(rcpt);
	xfree(orig);
	return ret;
}

void
smtp_serve(int in_fd, int out_fd)
{
	(void)out_fd;
	agent_serve(in_fd, PROTO_SMTP, PROTO_SMTP_VERSION, (int)var_ipc_timeout,
	    serve_request);
	/* Sessions are not kept past the queue manager's connection. */
	cache_drop(1);
}
