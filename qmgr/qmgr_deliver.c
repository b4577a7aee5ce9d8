/* SPDX-License-Identifier: MIT */
/* qmgr_deliver - requests to the local delivery agent, with bounded
 * concurrency and connection reuse. */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "proto/local_clnt.h"
#include "conf/params.h"
#include "proto/proto_local.h"
#include "queue/qfile.h"
#include "util/delay.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

#include "qmgr.h"

#define LOCAL_SERVICE "private/local"
#define CONN_IDLE_MS 10000
#define CONNECT_TIMEOUT 30

struct job {
	struct qmsg *msg;
	size_t *idx;
	size_t n;
	struct job *next;
};

struct conn {
	struct local_clnt *clnt;
	struct job *job;	/* NULL when idle */
	uint64_t timer;		/* ipc_timeout for the reply */
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
	xfree(j);
}

/* The agent did not answer: every recipient of the job waits for a
 * later attempt. */
static void
job_fail(struct job *j, const char *why)
{
	struct qmsg *m = j->msg;
	struct timeval now, stage[DELAY_STAGES] = {{0, 0}};
	char text[512], fields[DELAY_FIELDS_MAX];
	size_t i;

	snprintf(text, sizeof(text), "delivery temporarily suspended: "
	    "local: %s", why);
	gettimeofday(&now, NULL);
	stage[DELAY_BEFORE_QMGR] = delay_between(&m->q->arrival, &now);
	delay_fields(fields, stage[DELAY_BEFORE_QMGR], stage);
	for (i = 0; i < j->n; i++) {
		qmgr_result(m, j->idx[i], "4.3.0", text);
		log_info("%s: to=<%s>, relay=local, %s, dsn=4.3.0, "
		    "status=deferred (%s)", m->id, m->q->rcpt[j->idx[i]].addr,
		    fields, text);
	}
	job_free(j);
	if (--m->jobs == 0)
		qmgr_message_done(m);
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
	if (c->timer != 0)
		event_cancel(c->timer);
	if (c->clnt != NULL) {
		event_unwatch(local_clnt_fd(c->clnt));
		local_clnt_close(&c->clnt);
	}
	xfree(c);
	nconns--;
}

static void
reply_ready(int fd, int events, void *ctx)
{
	struct conn *c = ctx;
	struct job *j = c->job;
	struct local_result *res;
	const char *error;
	size_t i;

	event_unwatch(fd);
	event_cancel(c->timer);
	c->timer = 0;
	c->job = NULL;
	res = xcalloc(j->n, sizeof(*res));
	if (local_clnt_recv(c->clnt, res, j->n, &error) < 0) {
		log_warn("%s: local delivery agent: %s", j->msg->id, error);
		conn_close(c);
		job_fail(j, error);
	} else {
		struct qmsg *m = j->msg;

		for (i = 0; i < j->n; i++)
			qmgr_result(m, j->idx[i], res[i].status, res[i].text);
		job_free(j);
		c->idle_since = event_now_ms();
		if (--m->jobs == 0)
			qmgr_message_done(m);
	}
	xfree(res);
	dispatch();
}

/* No answer within ipc_timeout: the agent is stuck. Its recipients are
 * deferred; the connection is dropped. */
static void
reply_timeout(void *ctx)
{
	struct conn *c = ctx;
	struct job *j = c->job;

	c->timer = 0;
	log_warn("%s: local delivery agent: no reply in %lds", j->msg->id,
	    var_ipc_timeout);
	c->job = NULL;
	conn_close(c);
	job_fail(j, "timeout waiting for the delivery agent");
	dispatch();
}

static int
conn_send(struct conn *c, struct job *j)
{
	struct local_request req;
	const char **rcpt, **orig;
	const char *error;
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
	ret = local_clnt_send(c->clnt, &req, &error);
	xfree(rcpt);
	xfree(orig);
	if (ret < 0)
		return -1;
	c->job = j;
	event_watch(local_clnt_fd(c->clnt), EVENT_READ, reply_ready, c);
	c->timer = event_timer(var_ipc_timeout * 1000, reply_timeout, c);
	return 0;
}

/* Hand queued jobs to idle connections, opening new ones up to
 * local_destination_concurrency_limit. */
static void
dispatch(void)
{
	while (job_head != NULL) {
		struct job *j = job_head;
		struct conn *c;
		const char *error;

		int fresh = 0;

		for (c = conns; c != NULL; c = c->next)
			if (c->job == NULL)
				break;
		if (c == NULL) {
			struct local_clnt *clnt;

			if (nconns >= var_local_dest_concurrency)
				return;
			job_head = j->next;
			if (job_head == NULL)
				job_tail = &job_head;
			if (local_clnt_connect(LOCAL_SERVICE, CONNECT_TIMEOUT,
			    &clnt, &error) < 0) {
				log_warn("connect to %s: %s", LOCAL_SERVICE,
				    error);
				job_fail(j, error);
				continue;
			}
			c = xmalloc(sizeof(*c));
			c->clnt = clnt;
			c->next = conns;
			conns = c;
			nconns++;
			fresh = 1;
		} else {
			job_head = j->next;
			if (job_head == NULL)
				job_tail = &job_head;
		}
		if (conn_send(c, j) < 0) {
			conn_close(c);
			if (fresh) {
				job_fail(j, "cannot send the request");
				continue;
			}
			/* A reused connection may have been closed at the
			 * other end (idle limit): retry on a fresh one. */
			j->next = job_head;
			job_head = j;
			if (j->next == NULL)
				job_tail = &j->next;
		}
	}
}

static void
sweep_idle(void *ctx)
{
	struct conn *c, *next;
	int64_t now = event_now_ms();

	for (c = conns; c != NULL; c = next) {
		next = c->next;
		if (c->job == NULL && now - c->idle_since > CONN_IDLE_MS)
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
		j->n = n - off < LOCAL_MAX_BATCH ? n - off : LOCAL_MAX_BATCH;
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
