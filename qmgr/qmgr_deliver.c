/* SPDX-License-Identifier: MIT */
/* qmgr_deliver - requests to the local delivery agent, with bounded
 * concurrency and connection reuse, never waiting for the agent. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto/local_clnt.h"
#include "conf/params.h"
#include "proto/proto_local.h"
#include "queue/qfile.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

#include "qmgr.h"

#define LOCAL_SERVICE "private/local"
#define CONN_IDLE_MS 10000
/* An agent that does not greet within this (or ipc_timeout, when
 * shorter) is stuck: a delivery may take ipc_timeout, a greeting not. */
#define GREETING_TIMEOUT 30

/* One request: up to LOCAL_MAX_BATCH recipients of one message. */
struct job {
	struct qmsg *msg;
	size_t *idx;
	size_t n;
	struct local_result *res;
	struct job *next;
};

/* A connection to the agent: greeting (ready 0, job waiting for it),
 * idle (ready, no job) or busy (ready, job with the agent). Nothing here
 * blocks: local_clnt calls back from the event loop. */
struct conn {
	struct local_clnt *clnt;
	struct job *job;
	int ready;
	int64_t idle_since;
	struct conn *next;
};

static struct job *job_head, **job_tail = &job_head;
static struct conn *conns;
static long nconns;

static void dispatch(void);

static void
job_free(struct job *j)
{
	xfree(j->idx);
	xfree(j->res);
	xfree(j);
}

/* The agent did not answer: every recipient of the job waits for a
 * later attempt. */
static void
job_fail(struct job *j, const char *why)
{
	struct qmsg *m = j->msg;
	char text[512];
	size_t i;

	snprintf(text, sizeof(text), "delivery temporarily suspended: "
	    "local: %s", why);
	for (i = 0; i < j->n; i++) {
		qmgr_result(m, j->idx[i], "4.3.0", text);
		log_info("%s: to=<%s>, relay=local, delay=%ld, dsn=4.3.0, "
		    "status=deferred (%s)", m->id, m->q->rcpt[j->idx[i]].addr,
		    (long)(time(NULL) - m->q->arrival.tv_sec), text);
	}
	job_free(j);
	if (--m->jobs == 0)
		qmgr_message_done(m);
}

static struct job *
job_pop(void)
{
	struct job *j = job_head;

	job_head = j->next;
	if (job_head == NULL)
		job_tail = &job_head;
	j->next = NULL;
	return j;
}

static void
job_push_front(struct job *j)
{
	j->next = job_head;
	job_head = j;
	if (j->next == NULL)
		job_tail = &j->next;
}

static void
conn_close(struct conn *c)
{
	struct conn **pp;

	for (pp = &conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	local_clnt_close(&c->clnt);
	xfree(c);
	nconns--;
}

/* The agent's reply to c's job, or the failure of the request. */
static void
replied(struct local_clnt *clnt, int status, const char *error, void *ctx)
{
	struct conn *c = ctx;
	struct job *j = c->job;
	struct qmsg *m = j->msg;
	size_t i;

	c->job = NULL;
	if (status < 0) {
		/* Stuck or broken: its recipients are deferred, the
		 * connection is dropped. */
		if (strcmp(error, "timeout") == 0) {
			log_warn("%s: local delivery agent: no reply in %lds",
			    m->id, var_ipc_timeout);
			error = "timeout waiting for the delivery agent";
		} else {
			log_warn("%s: local delivery agent: %s", m->id, error);
		}
		job_fail(j, error);
		conn_close(c);
	} else {
		for (i = 0; i < j->n; i++)
			qmgr_result(m, j->idx[i], j->res[i].status,
			    j->res[i].text);
		job_free(j);
		c->idle_since = event_now_ms();
		if (--m->jobs == 0)
			qmgr_message_done(m);
	}
	dispatch();
}

/* Hand j to the agent on c. Returns 0, or -1 with *error_r when it could
 * not be sent (c is unusable). */
static int
conn_send(struct conn *c, struct job *j, const char **error_r)
{
	struct local_request req;
	const char **rcpt, **orig;
	size_t i;
	int ret;

	rcpt = xcalloc(j->n, sizeof(*rcpt));
	orig = xcalloc(j->n, sizeof(*orig));
	for (i = 0; i < j->n; i++) {
		rcpt[i] = j->msg->q->rcpt[j->idx[i]].addr;
		orig[i] = j->msg->q->rcpt[j->idx[i]].orig;
	}
	memset(&req, 0, sizeof(req));
	req.fd = j->msg->q->fd;
	req.queue_id = j->msg->id;
	req.sender = j->msg->q->sender;
	req.arrival = j->msg->q->arrival;
	req.rcpt = rcpt;
	req.orig = orig;
	req.nrcpt = j->n;
	if (j->res == NULL)
		j->res = xcalloc(j->n, sizeof(*j->res));
	ret = local_clnt_request(c->clnt, &req, j->res,
	    var_ipc_timeout * 1000, replied, c, error_r);
	xfree(rcpt);
	xfree(orig);
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
	struct job *j = c->job;

	c->job = NULL;
	if (status < 0) {
		if (strcmp(error, "timeout") == 0)
			error = "timeout waiting for the greeting";
		log_warn("connect to %s: %s", LOCAL_SERVICE, error);
		job_fail(j, error);
		conn_close(c);
	} else {
		c->ready = 1;
		if (conn_send(c, j, &error) < 0) {
			log_warn("%s: local delivery agent: %s", j->msg->id,
			    error);
			job_fail(j, error);
			conn_close(c);
		}
	}
	dispatch();
}

/* Hand queued jobs to idle connections, opening new ones up to
 * local_destination_concurrency_limit. */
static void
dispatch(void)
{
	while (job_head != NULL) {
		const char *error;
		struct job *j;
		struct conn *c;
		long greet;

		for (c = conns; c != NULL; c = c->next)
			if (c->ready && c->job == NULL)
				break;
		if (c != NULL) {
			j = job_pop();
			if (conn_send(c, j, &error) < 0) {
				/* An idle connection may have been closed at
				 * the other end (idle limit): retry on a
				 * fresh one. */
				conn_close(c);
				job_push_front(j);
			}
			continue;
		}
		if (nconns >= var_local_dest_concurrency)
			return;
		j = job_pop();
		c = xmalloc(sizeof(*c));
		greet = var_ipc_timeout < GREETING_TIMEOUT ? var_ipc_timeout :
		    GREETING_TIMEOUT;
		if (local_clnt_open(LOCAL_SERVICE, greet * 1000, greeted, c,
		    &c->clnt, &error) < 0) {
			log_warn("connect to %s: %s", LOCAL_SERVICE, error);
			xfree(c);
			job_fail(j, error);
			continue;
		}
		/* The job waits for the greeting on this connection. */
		c->job = j;
		c->next = conns;
		conns = c;
		nconns++;
	}
}

static void
sweep_idle(void *ctx)
{
	struct conn *c, *next;
	int64_t now = event_now_ms();

	for (c = conns; c != NULL; c = next) {
		next = c->next;
		if (c->ready && c->job == NULL &&
		    now - c->idle_since > CONN_IDLE_MS)
			conn_close(c);
	}
	event_timer(CONN_IDLE_MS, sweep_idle, NULL);
}

void
qmgr_deliver_add(struct qmsg *m, const size_t *idx, size_t n)
{
	size_t off;

	for (off = 0; off < n; off += LOCAL_MAX_BATCH) {
		struct job *j = xmalloc(sizeof(*j));

		j->msg = m;
		j->n = qmgr_batch_len(n, off, LOCAL_MAX_BATCH);
		j->idx = xcalloc(j->n, sizeof(*j->idx));
		memcpy(j->idx, idx + off, j->n * sizeof(*j->idx));
		*job_tail = j;
		job_tail = &j->next;
		m->jobs++;
	}
	dispatch();
}

void
qmgr_deliver_init(void)
{
	event_timer(CONN_IDLE_MS, sweep_idle, NULL);
}
