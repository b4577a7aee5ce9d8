/* SPDX-License-Identifier: MIT */
/* qmgr_bounce - return undeliverable mail to its sender (RFC 3464). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "conf/params.h"
#include "mail/dsn.h"
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
    const struct buf *text)
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
	log_info("%s: sender non-delivery notification: %s", m->id,
	    qfile_writer_id(w));
	qfile_writer_destroy(&w);
	qmgr_scan_soon();
	return 0;
}

int
qmgr_bounce(struct qmsg *m)
{
	struct dsn_rcpt *r;
	struct dsn_msg dm;
	struct buf headers, text, dbl, rcpt;
	const char *error, *to, *sender = "";
	size_t i, n = 0;
	int ret;

	buf_init(&dbl, 1024);
	buf_init(&rcpt, 1024);
	buf_printf(&dbl, "%s@%s", var_double_bounce_sender, var_myorigin);
	if (strcasecmp(m->q->sender, buf_cstr(&dbl)) == 0) {
		/* Never bounce a double bounce: that way lie loops. */
		log_warn("%s: discarding undeliverable notice to the double "
			 "bounce address",
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
		if (m->state[i] != RCPT_BOUNCE)
			continue;
		r[n].final = m->q->rcpt[i].addr;
		r[n].orig = m->q->rcpt[i].orig;
		r[n].action = "failed";
		r[n].status = m->status[i] ? m->status[i] : "5.0.0";
		r[n].diag = m->reason[i] ? m->reason[i] : "delivery failed";
		n++;
	}
	buf_init(&headers, (size_t)var_header_size_limit);
	if (msghdr_read(m->q->fd, &headers, &error) < 0)
		log_warn("%s: read headers: %s", m->id, error);
	memset(&dm, 0, sizeof(dm));
	dm.myhostname = var_myhostname;
	dm.queue_id = m->id;
	dm.sender = to;
	dm.arrival = m->q->arrival;
	dm.orig_headers = headers.data;
	dm.orig_headers_len = headers.len;
	dm.header_limit = (size_t)var_header_size_limit;
	dm.rcpt = r;
	dm.nrcpt = n;
	buf_init(&text, (size_t)var_header_size_limit * 2 + 1024 * 1024);
	if (dsn_build(&dm, &text, &error) < 0) {
		log_warn("%s: cannot build bounce: %s", m->id, error);
		ret = -1;
	} else {
		ret = queue_notice(m, sender, to, &text);
	}
	buf_deinit(&text);
	buf_deinit(&headers);
	buf_deinit(&dbl);
	buf_deinit(&rcpt);
	xfree(r);
	return ret;
}
