/* SPDX-License-Identifier: MIT */
/* qmgr_deliver - requests to the delivery agents (local, and smtp for
 * other domains), with bounded concurrency per next hop and connection
 * reuse, never waiting for an agent. Each transport keeps its own queue
 * of jobs; a job waits only for a connection to its own next hop, so one
 * slow destination does not hold back the others. An smtp next hop
 * starts with initial_destination_concurrency connections and earns one
 * more per delivery (slow start); one that keeps failing is suspended for
 * minimal_backoff_time, and its waiting jobs are deferred at once
 * (qmgr_sched.c decides, this file acts). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <strings.h>

#include "conf/mastercf.h"
#include "conf/params.h"
#include "proto/local_clnt.h"
#include "proto/proto_local.h"
#include "proto/proto_smtp.h"
#include "queue/qfile.h"
#include "util/buf.h"
#include "util/delay.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

#include "qmgr.h"

#define CONN_IDLE_MS 10000
/* An agent that does not greet within this (or ipc_timeout, when
 * shorter) is stuck: a delivery may take ipc_timeout, a greeting not. */
#define GREETING_TIMEOUT 30

struct job;
struct conn;

/* The scheduling state of one smtp next hop, kept while it has jobs or
 * connections, or is suspended. */
struct hop {
	char *name;
	struct qmgr_hop_sched s;
	int64_t dead_until; /* ms; 0: not suspended */
	char dsn[16];       /* the last failure, for the deferrals */
	char reason[400];
	struct hop *next;
};

/* A delivery agent service. */
struct transport {
	const char *name;      /* for logs: "local", "smtp" */
	const char *service;   /* its socket, under the queue directory */
	const char *proto;     /* what its greeting must say */
	const long *batch;     /* recipients per request at most */
	const long *hop_limit; /* connections to one next hop */
	int slow_start;        /* per-hop slow start and suspension */
	struct hop *hops;
	struct job *head, **tail;
	struct conn *conns;
	long nconns;
	long proc_limit; /* the service's maxproc in master.cf */
};

/* local takes what its protocol allows in one request; smtp requests
 * carry up to default_destination_recipient_limit recipients, each request
 * one SMTP transaction at the next hop. */
static const long local_batch = LOCAL_MAX_BATCH;

static struct transport transports[] = {
	{ "local", "private/local", PROTO_LOCAL, &local_batch,
	    &var_local_dest_concurrency, 0, NULL, NULL, NULL, NULL, 0, 0 },
	{ "smtp", "private/smtp", PROTO_SMTP, &var_dest_rcpt_limit,
	    &var_dest_concurrency, 1, NULL, NULL, NULL, NULL, 0, 0 },
};

/* One request: up to t->batch recipients of one message, one next hop. */
struct job {
	struct transport *t;
	struct qmsg *msg;
	char *nexthop; /* NULL for local */
	size_t *idx;
	size_t n;
	struct local_result *res;
	struct job *next;
};

/* A connection to the agent: greeting (ready 0, job waiting for it),
 * idle (ready, no job) or busy (ready, job with the agent). Nothing here
 * blocks: local_clnt calls back from the event loop. */
struct conn {
	struct transport *t;
	char *nexthop; /* the hop it was opened for */
	struct local_clnt *clnt;
	struct job *job;
	int ready;
	int64_t idle_since;
	struct conn *next;
};

static void dispatch(struct transport *t);

static void
job_free(struct job *j)
{
	xfree(j->nexthop);
	xfree(j->idx);
	xfree(j->res);
	xfree(j);
}

static int
same_hop(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcasecmp(a, b) == 0;
}

/* Every recipient of the job waits for a later attempt, with status dsn
 * and "delivery temporarily suspended: why". */
static void
job_defer(struct job *j, const char *dsn, const char *why)
{
	struct qmsg *m = j->msg;
	struct timeval now, stage[DELAY_STAGES] = { { 0, 0 } };
	char text[512], fields[DELAY_FIELDS_MAX];
	size_t i;

	snprintf(text, sizeof(text), "delivery temporarily suspended: %s", why);
	gettimeofday(&now, NULL);
	stage[DELAY_BEFORE_QMGR] = delay_between(&m->q->arrival, &now);
	delay_fields(fields, stage[DELAY_BEFORE_QMGR], stage);
	for (i = 0; i < j->n; i++) {
		qmgr_result(m, j->idx[i], dsn, text);
		log_info("%s: to=<%s>, relay=%s, %s, dsn=%s, "
			 "status=deferred (%s)",
		    m->id, m->q->rcpt[j->idx[i]].addr,
		    j->nexthop != NULL ? "none" : j->t->name, fields, dsn,
		    text);
	}
	job_free(j);
	if (--m->jobs == 0)
		qmgr_message_done(m);
}

/* The agent did not answer: the job is deferred. */
static void
job_fail(struct job *j, const char *why)
{
	char text[400];

	snprintf(text, sizeof(text), "%s: %s", j->t->name, why);
	job_defer(j, "4.3.0", text);
}

/* The state of t's next hop name, made when absent; NULL when t has no
 * per-hop scheduling. */
static struct hop *
hop_get(struct transport *t, const char *name)
{
	struct hop *h;

	if (!t->slow_start || name == NULL)
		return NULL;
	for (h = t->hops; h != NULL; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return h;
	h = xmalloc(sizeof(*h));
	h->name = xstrdup(name);
	qmgr_hop_start(&h->s, var_init_dest_concurrency, *t->hop_limit);
	h->next = t->hops;
	t->hops = h;
	return h;
}

/* Connections t may have to hop now. */
static long
hop_window(struct transport *t, struct hop *h)
{
	if (h == NULL || h->s.window > *t->hop_limit)
		return *t->hop_limit;
	return h->s.window;
}

/* A delivery through t to name reached the destination. */
static void
hop_ok(struct transport *t, const char *name)
{
	struct hop *h = hop_get(t, name);

	if (h == NULL)
		return;
	h->dead_until = 0;
	qmgr_hop_success(&h->s, *t->hop_limit);
}

/* 1 when h is suspended now; a suspension that has run out ends here,
 * and the hop starts again slowly. */
static int
hop_dead(struct transport *t, struct hop *h)
{
	if (h == NULL || h->dead_until == 0)
		return 0;
	if (event_now_ms() < h->dead_until)
		return 1;
	h->dead_until = 0;
	qmgr_hop_start(&h->s, var_init_dest_concurrency, *t->hop_limit);
	return 0;
}

/* A delivery through t to name failed at the connection level with dsn
 * and why; after enough of them the hop is suspended. */
static void
hop_failed(struct transport *t, const char *name, const char *dsn,
    const char *why)
{
	struct hop *h = hop_get(t, name);

	/* Jobs started before a suspension still fail during it. */
	if (h == NULL || hop_dead(t, h))
		return;
	if (qmgr_hop_failure(&h->s, var_dest_failed_cohorts) == 0)
		return;
	h->dead_until = event_now_ms() + (int64_t)var_min_backoff_time * 1000;
	snprintf(h->dsn, sizeof(h->dsn), "%s", dsn);
	snprintf(h->reason, sizeof(h->reason), "%s", why);
	log_warn("%s: next hop %s suspended for %lds: %s", t->name, name,
	    var_min_backoff_time, why);
}

/* Take job j, found after *pp, out of its transport's queue. */
static void
job_unlink(struct transport *t, struct job **pp)
{
	struct job *j = *pp;

	*pp = j->next;
	if (t->tail == &j->next)
		t->tail = pp;
	j->next = NULL;
}

static void
job_push_front(struct job *j)
{
	struct transport *t = j->t;

	j->next = t->head;
	t->head = j;
	if (j->next == NULL)
		t->tail = &j->next;
}

static void
conn_close(struct conn *c)
{
	struct transport *t = c->t;
	struct conn **pp;

	for (pp = &t->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	local_clnt_close(&c->clnt);
	xfree(c->nexthop);
	xfree(c);
	t->nconns--;
}

/* The agent's reply to c's job, or the failure of the request. */
static void
replied(struct local_clnt *clnt, int status, const char *error, void *ctx)
{
	struct conn *c = ctx;
	struct transport *t = c->t;
	struct job *j = c->job;
	struct qmsg *m = j->msg;
	size_t i;

	c->job = NULL;
	if (status < 0) {
		/* Stuck or broken: its recipients are deferred, the
		 * connection is dropped. */
		if (strcmp(error, "timeout") == 0) {
			log_warn("%s: %s delivery agent: no reply in %lds",
			    m->id, t->name, var_ipc_timeout);
			error = "timeout waiting for the delivery agent";
		} else {
			log_warn("%s: %s delivery agent: %s", m->id, t->name,
			    error);
		}
		hop_failed(t, c->nexthop, "4.3.0", error);
		job_fail(j, error);
		conn_close(c);
	} else {
		size_t failed = 0;

		for (i = 0; i < j->n; i++) {
			qmgr_result(m, j->idx[i], j->res[i].status,
			    j->res[i].text);
			qmgr_remote(m, j->idx[i], j->res[i].diag,
			    j->res[i].mta);
			/* local puts mail into mailboxes: its successes are
			 * final deliveries. */
			if (j->res[i].status[0] == '2')
				qmgr_success(m, j->idx[i],
				    strcmp(t->name, "local") == 0
					? "delivered"
					: j->res[i].action);
			failed += qmgr_status_hop_failed(j->res[i].status);
		}
		/* Every recipient failed to reach it: the destination is
		 * down, not picky. */
		if (j->n > 0 && failed == j->n)
			hop_failed(t, c->nexthop, j->res[0].status,
			    j->res[0].text);
		else
			hop_ok(t, c->nexthop);
		job_free(j);
		c->idle_since = event_now_ms();
		if (--m->jobs == 0)
			qmgr_message_done(m);
	}
	dispatch(t);
}

/* Hand j to the agent on c. Returns 0, or -1 with *error_r when it could
 * not be sent (c is unusable). */
static int
conn_send(struct conn *c, struct job *j, const char **error_r)
{
	struct local_request req;
	const char **rcpt, **orig, **orcpt;
	int *notify;
	size_t i;
	int ret;

	rcpt = xcalloc(j->n, sizeof(*rcpt));
	orig = xcalloc(j->n, sizeof(*orig));
	orcpt = xcalloc(j->n, sizeof(*orcpt));
	notify = xcalloc(j->n, sizeof(*notify));
	for (i = 0; i < j->n; i++) {
		const struct qfile_rcpt *r = &j->msg->q->rcpt[j->idx[i]];

		rcpt[i] = r->addr;
		orig[i] = r->orig;
		orcpt[i] = r->orcpt;
		notify[i] = r->notify;
	}
	memset(&req, 0, sizeof(req));
	req.fd = j->msg->q->fd;
	req.queue_id = j->msg->id;
	req.sender = j->msg->q->sender;
	req.arrival = j->msg->q->arrival;
	req.rcpt = rcpt;
	req.orig = orig;
	req.nrcpt = j->n;
	req.nexthop = j->nexthop;
	req.size = j->msg->q->content_size;
	req.body = qfile_attr(j->msg->q, "body");
	req.smtputf8 = qfile_attr(j->msg->q, "smtputf8") != NULL;
	req.notify = notify;
	req.orcpt = orcpt;
	req.dsn_ret = qfile_attr(j->msg->q, "dsn_ret");
	req.dsn_envid = qfile_attr(j->msg->q, "dsn_envid");
	if (j->res == NULL)
		j->res = xcalloc(j->n, sizeof(*j->res));
	ret = local_clnt_request(c->clnt, &req, j->res, var_ipc_timeout * 1000,
	    replied, c, error_r);
	xfree(rcpt);
	xfree(orig);
	xfree(orcpt);
	xfree(notify);
	if (ret < 0)
		return -1;
	c->job = j;
	return 0;
}

/* A new connection was greeted (or not): send the job that waits. */
static void
greeted(struct local_clnt *clnt, int status, const char *error, void *ctx)
{
	struct conn *c = ctx;
	struct transport *t = c->t;
	struct job *j = c->job;

	c->job = NULL;
	if (status < 0) {
		if (strcmp(error, "timeout") == 0)
			error = "timeout waiting for the greeting";
		log_warn("connect to %s: %s", t->service, error);
		hop_failed(t, c->nexthop, "4.3.0", error);
		job_fail(j, error);
		conn_close(c);
	} else {
		c->ready = 1;
		if (conn_send(c, j, &error) < 0) {
			log_warn("%s: %s delivery agent: %s", j->msg->id,
			    t->name, error);
			hop_failed(t, c->nexthop, "4.3.0", error);
			job_fail(j, error);
			conn_close(c);
		}
	}
	dispatch(t);
}

/* Connections of t to hop, and one of them that is idle (or NULL). */
static long
hop_conns(struct transport *t, const char *hop, struct conn **idle_r)
{
	struct conn *c;
	long n = 0;

	*idle_r = NULL;
	for (c = t->conns; c != NULL; c = c->next) {
		if (!same_hop(c->nexthop, hop))
			continue;
		n++;
		if (c->ready && c->job == NULL && *idle_r == NULL)
			*idle_r = c;
	}
	return n;
}

/* Close one idle connection of t to another hop, to make room. Returns
 * 1 when one was closed. */
static int
close_other_idle(struct transport *t, const char *hop)
{
	struct conn *c;

	for (c = t->conns; c != NULL; c = c->next) {
		if (c->ready && c->job == NULL && !same_hop(c->nexthop, hop)) {
			conn_close(c);
			return 1;
		}
	}
	return 0;
}

/* Hand t's queued jobs, in order, to idle connections to their next hop,
 * opening new ones up to the hop's window (its limit, or less during slow
 * start) and, over all hops, the process limit. A job whose hop is at
 * its window waits; later jobs for other hops go ahead of it. A job for
 * a suspended hop is deferred at once. */
static void
dispatch(struct transport *t)
{
	struct job **pp = &t->head;

	while (*pp != NULL) {
		struct job *j = *pp;
		struct hop *h = hop_get(t, j->nexthop);
		const char *error;
		struct conn *c;
		long greet, n;

		if (hop_dead(t, h)) {
			job_unlink(t, pp);
			job_defer(j, h->dsn, h->reason);
			/* A finished message may have changed the queue. */
			pp = &t->head;
			continue;
		}
		n = hop_conns(t, j->nexthop, &c);
		if (c != NULL) {
			job_unlink(t, pp);
			if (conn_send(c, j, &error) < 0) {
				/* An idle connection may have been closed at
				 * the other end (idle limit): retry on a
				 * fresh one. */
				conn_close(c);
				job_push_front(j);
				pp = &t->head;
			}
			continue;
		}
		if (n >= hop_window(t, h) ||
		    (t->nconns >= t->proc_limit &&
			!close_other_idle(t, j->nexthop))) {
			pp = &j->next;
			continue;
		}
		job_unlink(t, pp);
		c = xmalloc(sizeof(*c));
		c->t = t;
		c->nexthop = j->nexthop != NULL ? xstrdup(j->nexthop) : NULL;
		greet = var_ipc_timeout < GREETING_TIMEOUT ? var_ipc_timeout
							   : GREETING_TIMEOUT;
		if (local_clnt_open(t->service, t->proto, greet * 1000, greeted,
			c, &c->clnt, &error) < 0) {
			log_warn("connect to %s: %s", t->service, error);
			xfree(c->nexthop);
			xfree(c);
			hop_failed(t, j->nexthop, "4.3.0", error);
			job_fail(j, error);
			pp = &t->head;
			continue;
		}
		/* The job waits for the greeting on this connection. */
		c->job = j;
		c->next = t->conns;
		t->conns = c;
		t->nconns++;
	}
}

/* Forget the hops of t that have no job, no connection and no
 * suspension: a destination seen again starts slowly again. */
static void
sweep_hops(struct transport *t)
{
	struct hop **pp = &t->hops;

	while (*pp != NULL) {
		struct hop *h = *pp;
		struct conn *c;
		struct job *j;
		int used = hop_dead(t, h) || hop_conns(t, h->name, &c) > 0;

		for (j = t->head; j != NULL && !used; j = j->next)
			used = same_hop(j->nexthop, h->name);
		if (used) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		xfree(h->name);
		xfree(h);
	}
}

static void
sweep_idle(void *ctx)
{
	struct conn *c, *next;
	int64_t now = event_now_ms();

	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]);
	     i++) {
		for (c = transports[i].conns; c != NULL; c = next) {
			next = c->next;
			if (c->ready && c->job == NULL &&
			    now - c->idle_since > CONN_IDLE_MS)
				conn_close(c);
		}
		sweep_hops(&transports[i]);
	}
	event_timer(CONN_IDLE_MS, sweep_idle, NULL);
}

void
qmgr_deliver_add(struct qmsg *m, const char *transport, const char *nexthop,
    const size_t *idx, size_t n)
{
	struct transport *t = NULL;
	size_t off, batch;

	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (strcmp(transports[i].name, transport) == 0)
			t = &transports[i];
	if (t == NULL)
		log_panic("qmgr_deliver_add: unknown transport %s", transport);
	batch = (size_t)*t->batch;
	for (off = 0; off < n; off += batch) {
		struct job *j = xmalloc(sizeof(*j));

		j->t = t;
		j->msg = m;
		j->nexthop = nexthop != NULL ? xstrdup(nexthop) : NULL;
		j->n = qmgr_batch_len(n, off, batch);
		j->idx = xcalloc(j->n, sizeof(*j->idx));
		memcpy(j->idx, idx + off, j->n * sizeof(*j->idx));
		*t->tail = j;
		t->tail = &j->next;
		m->jobs++;
	}
	dispatch(t);
}

void
qmgr_deliver_limits(void)
{
	struct mastercf *cf;
	struct buf path;
	const char *error;

	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		transports[i].proc_limit = var_proc_limit;
	buf_init(&path, 4096);
	buf_printf(&path, "%s/master.cf", var_config_dir);
	if (mastercf_load(buf_cstr(&path), &cf, &error) < 0) {
		log_warn("%s; process limits are default_process_limit", error);
		buf_deinit(&path);
		return;
	}
	buf_deinit(&path);
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]);
	     i++) {
		struct transport *t = &transports[i];

		for (size_t k = 0; k < cf->nsvc; k++) {
			const struct mastercf_service *ms = &cf->svc[k];

			if (ms->type != MASTERCF_UNIX ||
			    strcmp(ms->name, t->name) != 0)
				continue;
			/* "-": default_process_limit; 0: no limit. */
			t->proc_limit = ms->maxproc < 0 ? var_proc_limit
			    : ms->maxproc == 0          ? LONG_MAX
							: ms->maxproc;
		}
		log_debug(1, "transport %s: at most %ld processes", t->name,
		    t->proc_limit);
	}
	mastercf_destroy(&cf);
}

void
qmgr_deliver_init(void)
{
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]);
	     i++) {
		transports[i].tail = &transports[i].head;
		if (transports[i].proc_limit == 0)
			transports[i].proc_limit = var_proc_limit;
	}
	event_timer(CONN_IDLE_MS, sweep_idle, NULL);
}
