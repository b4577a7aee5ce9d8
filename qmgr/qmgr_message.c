/* SPDX-License-Identifier: MIT */
/* qmgr_message - messages in the active queue and their recipients. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/addr.h"
#include "mail/dsn_param.h"
#include "mail/resolve.h"
#include "queue/qdefer.h"
#include "queue/qfile.h"
#include "util/delay.h"
#include "util/log.h"
#include "util/mem.h"

#include "qmgr.h"

size_t qmgr_active_count;
size_t qmgr_active_limit = QMGR_ACTIVE_LIMIT;
static struct qmsg *active;

int
qmgr_busy(void)
{
	return qmgr_active_count > 0;
}

int
qmgr_is_active(const char *id)
{
	struct qmsg *m;

	for (m = active; m != NULL; m = m->next)
		if (strcmp(m->id, id) == 0)
			return 1;
	return 0;
}

static void
unlink_msg(struct qmsg *m)
{
	struct qmsg **pp;
	size_t i;

	for (pp = &active; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	for (i = 0; i < m->q->nrcpt; i++) {
		xfree(m->status[i]);
		xfree(m->reason[i]);
		xfree(m->diag[i]);
		xfree(m->mta[i]);
	}
	xfree(m->diag);
	xfree(m->mta);
	xfree(m->status);
	xfree(m->reason);
	xfree(m->report);
	xfree(m->state);
	qfile_close(&m->q);
	xfree(m);
	qmgr_active_count--;
	/* Room for more: look at what waits in incoming/. */
	qmgr_scan_soon();
}

static void
log_qmgr_result(struct qmsg *m, size_t i, const char *status, const char *text)
{
	const struct qfile_rcpt *r = &m->q->rcpt[i];
	struct timeval now, stage[DELAY_STAGES] = { { 0, 0 } };
	char fields[DELAY_FIELDS_MAX];

	gettimeofday(&now, NULL);
	stage[DELAY_BEFORE_QMGR] = delay_between(&m->q->arrival, &now);
	log_info("%s: to=<%s>%s%s%s, relay=none, %s, dsn=%s, status=%s (%s)",
	    m->id, r->addr, strcmp(r->addr, r->orig) ? ", orig_to=<" : "",
	    strcmp(r->addr, r->orig) ? r->orig : "",
	    strcmp(r->addr, r->orig) ? ">" : "",
	    delay_fields(fields, stage[DELAY_BEFORE_QMGR], stage), status,
	    status[0] == '2'       ? "sent"
		: status[0] == '4' ? "deferred"
				   : "bounced",
	    text);
}

void
qmgr_result(struct qmsg *m, size_t i, const char *status, const char *text)
{
	const char *error;

	xfree(m->status[i]);
	xfree(m->reason[i]);
	m->status[i] = xstrdup(status);
	m->reason[i] = xstrdup(text);
	qmgr_remote(m, i, "", "");
	switch (status[0]) {
	case '2':
		/* Made durable by qmgr_message_done() when the file is kept;
		 * when it is removed instead, a crash before that removal
		 * only repeats deliveries (DESIGN: duplicates, never loss). */
		if (qfile_mark_done_lazy(m->q, i, &error) < 0) {
			log_warn("%s: cannot mark recipient done: %s", m->id,
			    error);
			m->state[i] = RCPT_DEFER;
		} else {
			m->state[i] = RCPT_DONE;
		}
		break;
	case '5':
		m->state[i] = RCPT_BOUNCE;
		break;
	default:
		m->state[i] = RCPT_DEFER;
		break;
	}
}

void
qmgr_remote(struct qmsg *m, size_t i, const char *diag, const char *mta)
{
	xfree(m->diag[i]);
	xfree(m->mta[i]);
	m->diag[i] = *diag != 0 ? xstrdup(diag) : NULL;
	m->mta[i] = *mta != 0 ? xstrdup(mta) : NULL;
}

void
qmgr_success(struct qmsg *m, size_t i, const char *action)
{
	/* RFC 3461 5.2.2: a report for a final delivery, or when the next
	 * hop cannot carry the request on; never unasked. */
	if (m->state[i] != RCPT_DONE ||
	    !(m->q->rcpt[i].notify & DSN_NOTIFY_SUCCESS))
		return;
	if (strcmp(action, "delivered") == 0)
		m->report[i] = "delivered";
	else if (strcmp(action, "relayed") == 0)
		m->report[i] = "relayed";
}

/* Record why each deferred recipient waits, for mailq (qdefer.h). Only
 * advice: a failure is logged and the message is deferred all the same. */
static void
write_reasons(struct qmsg *m)
{
	const char **rcpt, **why, *error;
	size_t i, n = 0;

	rcpt = xcalloc(m->q->nrcpt, sizeof(*rcpt));
	why = xcalloc(m->q->nrcpt, sizeof(*why));
	for (i = 0; i < m->q->nrcpt; i++) {
		if (m->state[i] != RCPT_DEFER)
			continue;
		rcpt[n] = m->q->rcpt[i].addr;
		why[n++] = m->reason[i];
	}
	if (qdefer_write(".", m->id, rcpt, why, n, &error) < 0)
		log_warn("%s: cannot record the deferral reasons: %s", m->id,
		    error);
	m->deferlog = 1;
	xfree(rcpt);
	xfree(why);
}

/* Move a message to deferred/ and set its next attempt as the file's
 * mtime: the wait grows with the message's age, within
 * [minimal_backoff_time, maximal_backoff_time]. */
static void
defer_message(struct qmsg *m)
{
	struct timespec times[2];
	const char *error;
	char path[64];
	time_t now = time(NULL);
	long wait = qmgr_backoff(now, m->q->arrival.tv_sec,
	    var_min_backoff_time, var_max_backoff_time);

	if (qfile_move(".", m->id, "active", "deferred", &error) < 0) {
		/* It stays in active/: the periodic scan of active/ takes it
		 * up again once it is out of memory. */
		log_warn("%s: cannot defer: %s; will retry", m->id, error);
		return;
	}
	snprintf(path, sizeof(path), "deferred/%s", m->id);
	times[0].tv_sec = times[1].tv_sec = now + wait;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, path, times, 0) < 0)
		log_warn("%s: set retry time: %m", path);
}

/* delay_warning_time: once per message, when it has waited that long,
 * its sender hears which recipients are still being tried. The queue
 * file records that the warning went out (qfile_mark_warned), so a
 * failure to queue it means another try at the next deferral. */
static void
delay_warning(struct qmsg *m, time_t now)
{
	const char *error;

	if (var_delay_warn_time <= 0 || m->q->warned || m->q->warn_offset < 0 ||
	    now - m->q->arrival.tv_sec < var_delay_warn_time)
		return;
	if (qmgr_notify(m, DSN_KIND_DELAY) < 0)
		return;
	if (qfile_mark_warned(m->q, &error) < 0)
		log_warn("%s: %s", m->id, error);
}

void
qmgr_message_done(struct qmsg *m)
{
	time_t now = time(NULL);
	long lifetime = *m->q->sender ? var_max_queue_time : var_dsn_queue_time;
	size_t i;
	int deferred = 0, bounced = 0;

	for (i = 0; i < m->q->nrcpt; i++) {
		if (m->state[i] == RCPT_DEFER)
			deferred++;
		else if (m->state[i] == RCPT_BOUNCE)
			bounced++;
	}
	/* Too old to keep trying: what is still deferred is returned. */
	if (deferred > 0 && qmgr_expired(now, m->q->arrival.tv_sec, lifetime)) {
		for (i = 0; i < m->q->nrcpt; i++) {
			if (m->state[i] != RCPT_DEFER)
				continue;
			m->state[i] = RCPT_BOUNCE;
			bounced++;
			deferred--;
		}
		log_info("%s: from=<%s>, status=expired, returned to sender",
		    m->id, m->q->sender);
	}
	if (bounced > 0) {
		if (qmgr_notify(m, DSN_KIND_FAILURE) == 0) {
			for (i = 0; i < m->q->nrcpt; i++) {
				const char *error;

				if (m->state[i] != RCPT_BOUNCE)
					continue;
				if (qfile_mark_done_lazy(m->q, i, &error) < 0) {
					log_warn("%s: %s", m->id, error);
					m->state[i] = RCPT_DEFER;
					deferred++;
				} else {
					m->state[i] = RCPT_DONE;
				}
			}
		} else {
			/* No bounce could be queued: keep the recipients
			 * and try again later rather than lose them. */
			for (i = 0; i < m->q->nrcpt; i++)
				if (m->state[i] == RCPT_BOUNCE)
					m->state[i] = RCPT_DEFER;
			deferred += bounced;
		}
	}
	/* The success reports asked for. Only advice: the deliveries are
	 * done whether or not the report can be queued. */
	for (i = 0; i < m->q->nrcpt; i++)
		if (m->report[i] != NULL)
			break;
	if (i < m->q->nrcpt && qmgr_notify(m, DSN_KIND_SUCCESS) < 0)
		log_warn("%s: no delivery status notification sent", m->id);
	if (deferred > 0) {
		const char *error;

		/* The file stays: what is done must stay done. */
		if (qfile_sync(m->q, &error) < 0)
			log_warn("%s: %s", m->id, error);
		delay_warning(m, now);
		write_reasons(m);
		defer_message(m);
	} else {
		char path[64];

		snprintf(path, sizeof(path), "active/%s", m->id);
		if (unlink(path) < 0) {
			log_warn("remove %s: %m", path);
		} else {
			const char *error;

			log_info("%s: removed", m->id);
			/* The file's reasons go with it (a crash in between
			 * leaves a stale file that nothing lists). */
			if (m->deferlog &&
			    qdefer_remove(".", m->id, &error) < 0)
				log_warn("%s: %s", m->id, error);
		}
	}
	unlink_msg(m);
}

/* A file that cannot be read as a queue file is set aside, not retried
 * in a loop and not deleted: an administrator can look at it. */
static void
set_aside(const char *id, const char *dir, const char *why)
{
	const char *error;

	log_warn("%s: corrupt queue file %s/%s: %s; moved to corrupt/", id, dir,
	    id, why);
	if (qfile_move(".", id, dir, "corrupt", &error) < 0)
		log_warn("%s: %s", id, error);
}

/* transport_maps sent recipient i to error: (it fails with the text: a
 * leading enhanced code such as "5.1.1 gone" is its status, else 5.0.0)
 * or to discard: (it counts as delivered, as Postfix's discard agent). */
static void
route_here(struct qmsg *m, size_t i, const struct resolve_route *rt)
{
	const char *text = rt->nexthop;
	char dsn[16], why[1100];
	size_t n = 0;

	if (rt->transport == RESOLVE_T_DISCARD) {
		snprintf(why, sizeof(why), "%s%s",
		    *text ? "discarded: " : "discarded", text);
		qmgr_result(m, i, "2.0.0", why);
		qmgr_success(m, i, "delivered");
		log_qmgr_result(m, i, "2.0.0", why);
		return;
	}
	/* "4.x.x" or "5.x.x" then a space: the status of this failure. */
	if ((text[0] == '4' || text[0] == '5') && text[1] == '.')
		n = strcspn(text, " ");
	if (n > 0 && n < sizeof(dsn) && text[n] == ' ') {
		snprintf(dsn, sizeof(dsn), "%.*s", (int)n, text);
		text += n + 1;
	} else {
		snprintf(dsn, sizeof(dsn), "5.0.0");
	}
	snprintf(why, sizeof(why), "%s",
	    *text ? text
		  : "mail for this "
		    "address is refused");
	qmgr_result(m, i, dsn, why);
	log_qmgr_result(m, i, dsn, why);
}

int
qmgr_activate(const char *id, const char *from)
{
	struct resolve_error err;
	struct qmsg *m;
	struct qfile *q;
	const char *error;
	char **hop;
	char path[64];
	size_t i, n = 0, *idx;

	if (strcmp(from, "active") != 0 &&
	    qfile_move(".", id, from, "active", &error) < 0) {
		log_warn("%s: cannot move %s to active: %s", id, from, error);
		return -1;
	}
	snprintf(path, sizeof(path), "active/%s", id);
	switch (qfile_open(path, 1, &q, &error)) {
	case 0:
		break;
	case QFILE_CORRUPT:
		set_aside(id, "active", error);
		return -1;
	default:
		/* Out of descriptors, memory, or an I/O error: nothing is
		 * wrong with the message. It waits in active/ for the next
		 * scan of that directory. */
		log_warn("%s: cannot open queue file: %s; will retry", id,
		    error);
		return QMGR_RETRY_LATER;
	}
	m = xmalloc(sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->q = q;
	m->state = xcalloc(q->nrcpt, sizeof(*m->state));
	m->status = xcalloc(q->nrcpt, sizeof(char *));
	m->reason = xcalloc(q->nrcpt, sizeof(char *));
	m->report = xcalloc(q->nrcpt, sizeof(*m->report));
	m->diag = xcalloc(q->nrcpt, sizeof(char *));
	m->mta = xcalloc(q->nrcpt, sizeof(char *));
	/* New mail has no reasons yet (ternqueue -r removes them when it
	 * puts a message back into incoming/): no unlink to pay for. */
	m->deferlog = strcmp(from, "incoming") != 0;
	m->next = active;
	active = m;
	qmgr_active_count++;
	log_info("%s: from=<%s>, size=%lld, nrcpt=%zu (queue active)", id,
	    q->sender, (long long)q->content_size, q->nrcpt);
	idx = xcalloc(q->nrcpt ? q->nrcpt : 1, sizeof(*idx));
	hop = xcalloc(q->nrcpt ? q->nrcpt : 1, sizeof(*hop));
	for (i = 0; i < q->nrcpt; i++) {
		struct resolve_route rt;
		int cls;

		if (q->rcpt[i].done) {
			m->state[i] = RCPT_DONE;
			continue;
		}
		cls = resolve_class(q->rcpt[i].addr, &err);
		if (cls < 0 || cls == RESOLVE_UNKNOWN ||
		    resolve_route(q->rcpt[i].addr, cls, &rt, &err) < 0) {
			qmgr_result(m, i, err.dsn, err.text);
			log_qmgr_result(m, i, err.dsn, err.text);
			continue;
		}
		switch (rt.transport) {
		case RESOLVE_T_ERROR:
		case RESOLVE_T_DISCARD:
			route_here(m, i, &rt);
			break;
		case RESOLVE_T_SMTP:
			m->state[i] = RCPT_BUSY;
			hop[i] = xstrdup(rt.nexthop);
			break;
		default:
			m->state[i] = RCPT_BUSY;
			idx[n++] = i;
			break;
		}
	}
	/* Hold a reference while adding: a job that fails at once must not
	 * finish (and free) the message under our feet. */
	m->jobs++;
	if (n > 0)
		qmgr_deliver_add(m, "local", NULL, idx, n);
	/* One request per next hop, its recipients in queue-file order. */
	for (i = 0; i < q->nrcpt; i++) {
		char *h = hop[i];

		if (h == NULL)
			continue;
		n = 0;
		for (size_t k = i; k < q->nrcpt; k++) {
			if (hop[k] != NULL && strcasecmp(hop[k], h) == 0) {
				idx[n++] = k;
				if (k != i)
					xfree(hop[k]);
				hop[k] = NULL;
			}
		}
		qmgr_deliver_add(m, "smtp", h, idx, n);
		xfree(h);
	}
	xfree(hop);
	xfree(idx);
	if (--m->jobs == 0)
		qmgr_message_done(m);
	return 0;
}
