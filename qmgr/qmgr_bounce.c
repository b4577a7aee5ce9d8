/* SPDX-License-Identifier: MIT */
/* qmgr_bounce - notifications to the sender (RFC 3464): undeliverable
 * mail returned, delay warnings, and the success reports a sender asked
 * for with NOTIFY=SUCCESS (RFC 3461). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "conf/params.h"
#include "mail/dsn.h"
#include "mail/dsn_param.h"
#include "mail/resolve.h"
#include "queue/msghdr.h"
#include "queue/qfile.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include "qmgr.h"

/* Queue one new message from MAILER-DAEMON. Returns 0 or -1. */
static int
queue_notice(struct qmsg *m, const char *sender, const char *to,
    const struct buf *text, const char *what)
{
	struct resolve_list finals = { 0 };
	struct resolve_error err;
	struct qfile_writer *w;
	struct timeval now;
	const char *error;
	size_t i;

	if (qfile_create(".", &w, &error) < 0) {
		log_warn("%s: cannot create bounce: %s", m->id, error);
		return -1;
	}
	gettimeofday(&now, NULL);
	qfile_put_time(w, now);
	qfile_put_sender(w, sender);
	qfile_put_attr(w, "origin", "bounce");
	qfile_put_attr(w, "origin_queue_id", m->id);
	/* The notice is mail like any other: aliases apply. */
	if (resolve_alias(to, &finals, &err) < 0 || finals.n == 0) {
		qfile_put_rcpt(w, to, to);
	} else {
		for (i = 0; i < finals.n; i++)
			qfile_put_rcpt(w, finals.addr[i], to);
	}
	resolve_list_free(&finals);
	qfile_put_content(w, text->data, text->len);
	if (qfile_commit(w, &error) < 0) {
		log_warn("%s: cannot queue bounce: %s", m->id, error);
		qfile_abort(&w);
		return -1;
	}
	log_info("%s: sender %s notification: %s", m->id, what,
	    qfile_writer_id(w));
	qfile_writer_destroy(&w);
	qmgr_scan_soon();
	return 0;
}

/* Is recipient i of m in a notification of this kind? */
static int
selected(const struct qmsg *m, size_t i, enum dsn_kind kind)
{
	int notify = m->q->rcpt[i].notify;

	switch (kind) {
	case DSN_KIND_FAILURE:
		return m->state[i] == RCPT_BOUNCE &&
		    dsn_notify_wants(notify, DSN_NOTIFY_FAILURE);
	case DSN_KIND_DELAY:
		return m->state[i] == RCPT_DEFER &&
		    dsn_notify_wants(notify, DSN_NOTIFY_DELAY);
	default:
		return m->report[i] != NULL;
	}
}

/* The whole content of m when a bounce returns it (RFC 3461 4.3: not
 * with RET=HDRS; Postfix's bounce_size_limit), into out. Returns 1 when
 * out holds it, 0 for headers only. */
static int
whole_message(struct qmsg *m, struct buf *out)
{
	struct qfile_content *c;
	const char *ret = qfile_attr(m->q, "dsn_ret"), *p, *error;
	size_t n;
	int st;

	if ((ret != NULL && strcasecmp(ret, "HDRS") == 0) ||
	    m->q->content_size > (off_t)var_bounce_limit)
		return 0;
	if (qfile_content_open(m->q->fd, &c, &error) < 0) {
		log_warn("%s: read content: %s", m->id, error);
		return 0;
	}
	while ((st = qfile_content_read(c, &p, &n, &error)) > 0)
		if (buf_append(out, p, n) < 0)
			st = -1;
	if (st < 0)
		log_warn("%s: read content: %s", m->id,
		    st < 0 && error != NULL ? error : "too long");
	qfile_content_close(&c);
	if (st < 0)
		buf_reset(out);
	return st == 0;
}

int
qmgr_notify(struct qmsg *m, enum dsn_kind kind)
{
	struct dsn_rcpt *r;
	struct dsn_msg dm;
	struct buf headers, content, text, dbl, rcpt;
	const char *error, *to, *sender = "";
	static const char *const what[] = {
		"non-delivery",
		"delay",
		"delivery status",
	};
	size_t i, n = 0;
	int ret;

	buf_init(&dbl, 1024);
	buf_init(&rcpt, 1024);
	buf_printf(&dbl, "%s@%s", var_double_bounce_sender, var_myorigin);
	if (strcasecmp(m->q->sender, buf_cstr(&dbl)) == 0 ||
	    (*m->q->sender == 0 && kind != DSN_KIND_FAILURE)) {
		/* Never bounce a double bounce: that way lie loops. Nor
		 * report delays or successes of a notice. */
		if (kind == DSN_KIND_FAILURE)
			log_warn("%s: discarding undeliverable notice to the "
				 "double bounce address",
			    m->id);
		buf_deinit(&dbl);
		buf_deinit(&rcpt);
		return 0;
	}
	if (*m->q->sender != 0) {
		to = m->q->sender;
	} else {
		/* A bounce that bounced goes to the postmaster, from an
		 * address whose own failures are dropped. An unqualified
		 * name is qualified with $myorigin, as everywhere. */
		to = var_2bounce_rcpt;
		if (strchr(to, '@') == NULL) {
			buf_printf(&rcpt, "%s@%s", to, var_myorigin);
			to = buf_cstr(&rcpt);
		}
		sender = buf_cstr(&dbl);
	}
	r = xcalloc(m->q->nrcpt, sizeof(*r));
	for (i = 0; i < m->q->nrcpt; i++) {
		if (!selected(m, i, kind))
			continue;
		r[n].final = m->q->rcpt[i].addr;
		r[n].orig = m->q->rcpt[i].orig;
		r[n].orcpt = m->q->rcpt[i].orcpt;
		r[n].action = kind == DSN_KIND_FAILURE ? "failed"
		    : kind == DSN_KIND_DELAY           ? "delayed"
						       : m->report[i];
		r[n].status = m->status[i]     ? m->status[i]
		    : kind == DSN_KIND_FAILURE ? "5.0.0"
		    : kind == DSN_KIND_DELAY   ? "4.0.0"
					       : "2.0.0";
		r[n].diag = m->diag[i] ? m->diag[i]
		    : m->reason[i]     ? m->reason[i]
				       : "delivery failed";
		r[n].remote_mta = m->mta[i];
		r[n].reason = m->reason[i];
		n++;
	}
	if (n == 0) {
		/* NOTIFY=NEVER, or a list without this kind. */
		xfree(r);
		buf_deinit(&dbl);
		buf_deinit(&rcpt);
		return 0;
	}
	buf_init(&headers, (size_t)var_header_size_limit);
	buf_init(&content, (size_t)var_bounce_limit + 1);
	if (msghdr_read(m->q->fd, &headers, &error) < 0)
		log_warn("%s: read headers: %s", m->id, error);
	memset(&dm, 0, sizeof(dm));
	dm.myhostname = var_myhostname;
	dm.queue_id = m->id;
	dm.sender = to;
	dm.envid = qfile_attr(m->q, "dsn_envid");
	dm.kind = kind;
	dm.arrival = m->q->arrival;
	dm.orig_headers = headers.data;
	dm.orig_headers_len = headers.len;
	dm.header_limit = (size_t)var_header_size_limit;
	if (kind == DSN_KIND_FAILURE && whole_message(m, &content)) {
		dm.orig_content = content.data;
		dm.orig_content_len = content.len;
	}
	dm.rcpt = r;
	dm.nrcpt = n;
	buf_init(&text,
	    (size_t)var_header_size_limit * 2 + (size_t)var_bounce_limit +
		1024 * 1024);
	if (dsn_build(&dm, &text, &error) < 0) {
		log_warn("%s: cannot build %s notice: %s", m->id, what[kind],
		    error);
		ret = -1;
	} else {
		ret = queue_notice(m, sender, to, &text, what[kind]);
	}
	buf_deinit(&text);
	buf_deinit(&content);
	buf_deinit(&headers);
	buf_deinit(&dbl);
	buf_deinit(&rcpt);
	xfree(r);
	return ret;
}
