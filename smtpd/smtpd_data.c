/* SPDX-License-Identifier: MIT */
/* smtpd_data - DATA: receive the message into a queue file (cleanup). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "conf/params.h"
#include "mail/dsn_param.h"
#include "queue/qfile.h"
#include "queue/trigger.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "smtpd.h"
#include "smtpd_dot.h"
#include "smtpd_dup.h"

/* What went wrong while the message streamed in; the first one wins and
 * decides the reply after the end of data. */
enum data_fail {
	DATA_OK,
	DATA_TOO_BIG,
	DATA_HEADER_TOO_BIG,
	DATA_HOPS,
	DATA_WRITE,
};

struct data_state {
	struct smtpd_session *ss;
	struct qfile_writer *w;
	enum data_fail fail;
	int in_header;  /* still in the header section */
	int line_start; /* content so far ends with a line end */
	long header_bytes;
	int received; /* Received: headers seen */
	char message_id[256];
};

/* RFC 5322 date-time, e.g. "Tue, 24 Nov 2026 12:00:00 +0000". */
static void
rfc5322_date(char *out, size_t len, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, len, "%a, %d %b %Y %H:%M:%S %z", &tm);
}

/* Append to the queue file, unless the message is already refused. Our
 * Received: header goes through here too: it does not count toward the
 * client's message size (receive() checks that). */
static void
store(struct data_state *d, const char *p, size_t n)
{
	if (d->fail != DATA_OK)
		return;
	if (qfile_put_content(d->w, p, n) < 0)
		d->fail = DATA_WRITE;
}

/* Watch the header section: its size, Received: hops, Message-ID. */
static void
header_line(struct data_state *d, const char *p, size_t n, int line_start)
{
	if (!d->in_header)
		return;
	if (line_start && (n == 0 || (n == 1 && p[0] == '\n'))) {
		d->in_header = 0;
		return;
	}
	d->header_bytes += (long)n;
	if (d->header_bytes > var_header_size_limit && d->fail == DATA_OK)
		d->fail = DATA_HEADER_TOO_BIG;
	if (!line_start)
		return;
	if (n >= 9 && strncasecmp(p, "Received:", 9) == 0 &&
	    ++d->received >= var_hopcount_limit && d->fail == DATA_OK)
		d->fail = DATA_HOPS;
	if (n >= 11 && strncasecmp(p, "Message-ID:", 11) == 0 &&
	    d->message_id[0] == 0) {
		const char *v = p + 11;
		size_t len = n - 11;

		while (len > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			len--;
		}
		while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == ' '))
			len--;
		if (len >= sizeof(d->message_id))
			len = sizeof(d->message_id) - 1;
		memcpy(d->message_id, v, len);
		d->message_id[len] = 0;
	}
}

static int
start_queue_file(struct data_state *d)
{
	struct smtpd_session *ss = d->ss;
	struct smtpd_dup *dup;
	struct timeval now;
	const char *error;
	char date[64];
	size_t i, j;

	if (qfile_create(".", &d->w, &error) < 0) {
		log_warn("queue file create: %s", error);
		return -1;
	}
	gettimeofday(&now, NULL);
	qfile_put_time(d->w, now);
	qfile_put_sender(d->w, ss->sender);
	qfile_put_attr(d->w, "client_name", ss->client_name);
	qfile_put_attr(d->w, "client_addr", ss->client_addr);
	qfile_put_attr(d->w, "helo_name", ss->helo ? ss->helo : "");
	qfile_put_attr(d->w, "protocol", smtpd_proto(ss));
	/* RFC 6152: kept so that smtp(8) passes BODY=8BITMIME on. */
	if (ss->body_8bit)
		qfile_put_attr(d->w, "body", "8BITMIME");
	/* RFC 6531: smtp(8) sends it on only to servers with SMTPUTF8. */
	if (ss->smtputf8)
		qfile_put_attr(d->w, "smtputf8", "yes");
	/* RFC 3461: for the reports, and for a next hop that takes DSN. */
	if (ss->dsn_ret != 0)
		qfile_put_attr(d->w, "dsn_ret", dsn_ret_name(ss->dsn_ret));
	if (ss->dsn_envid != NULL)
		qfile_put_attr(d->w, "dsn_envid", ss->dsn_envid);
	/* For delay_warning_time, whatever it is when the mail waits. */
	qfile_put_warn(d->w);
	/* Each final recipient once, as Postfix's cleanup does: the same
	 * address given twice, in another case, or reached again through
	 * an alias is one delivery. The first occurrence (and the address
	 * the client gave for it) is kept. */
	dup = smtpd_dup_create(var_dup_filter_limit);
	for (i = 0; i < ss->nrcpt; i++)
		for (j = 0; j < ss->rcpt[i].nfinal; j++)
			if (!smtpd_dup_seen(dup, ss->rcpt[i].final[j]))
				qfile_put_rcpt_dsn(d->w, ss->rcpt[i].final[j],
				    ss->rcpt[i].orig, ss->rcpt[i].notify,
				    ss->rcpt[i].orcpt);
	smtpd_dup_destroy(&dup);
	log_info("%s: client=%s", qfile_writer_id(d->w), ss->client);

	/* Our trace header goes first (RFC 5321 4.4). */
	{
		struct buf rcv;

		buf_init(&rcv, 4096);
		rfc5322_date(date, sizeof(date), now.tv_sec);
		buf_printf(&rcv,
		    "Received: from %s (%s [%s])\n"
		    "\tby %s (%s) with %s id %s",
		    ss->helo ? ss->helo : ss->client_name, ss->client_name,
		    ss->client_addr, var_myhostname, var_mail_name,
		    smtpd_proto(ss), qfile_writer_id(d->w));
		if (ss->nrcpt == 1)
			buf_printf(&rcv, "\n\tfor <%s>", ss->rcpt[0].orig);
		buf_printf(&rcv, "; %s\n", date);
		store(d, rcv.data, rcv.len);
		buf_deinit(&rcv);
	}
	return qfile_writer_error(d->w) ? -1 : 0;
}

/* Pass content from the dot machine on: split into lines for the header
 * watch, then into the queue file. */
static void
content(struct data_state *d, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : n;

		header_line(d, p, len, d->line_start);
		store(d, p, len);
		d->line_start = nl != NULL;
		p += len;
		n -= len;
	}
}

/* Read the message up to the end of data (smtpd_dot.h has the rules).
 * The size limit applies to the RFC 1870 size, which counts CRLF as two
 * octets: a message that the client could not have declared with SIZE=
 * under the limit is refused the same way (552 after the end of data).
 * With smtpd_per_request_deadline the whole DATA must arrive within
 * smtpd_timeout, plus one second for every smtpd_min_data_rate bytes
 * received (Postfix's rule), so a large message on a slow link passes
 * while a trickle of bytes is cut off.
 * Returns 1 at the end of data, or -1 when the session is lost. */
static int
receive(struct data_state *d)
{
	struct smtpd_session *ss = d->ss;
	struct smtpd_dot dot;
	struct buf out;
	const char *error;
	time_t start = time(NULL);
	long long received = 0;
	int ret = -1;

	smtpd_dot_init(&dot);
	buf_init(&out, (size_t)var_line_length_limit + 1);
	for (;;) {
		size_t used;
		int done, st;

		if (var_smtpd_per_req_deadline)
			smtpd_deadline(ss,
			    start + var_smtpd_timeout +
				(time_t)(received / var_smtpd_min_data_rate));
		buf_reset(&ss->line);
		st = stream_get_line(ss->s, &ss->line,
		    (size_t)var_line_length_limit, &error);
		if (st == STREAM_TIMEOUT) {
			char after[64];

			snprintf(after, sizeof(after), "DATA (%lld bytes)",
			    dot.octets);
			smtpd_timed_out(ss, after);
			break;
		}
		if (st == STREAM_EOF || st == STREAM_ERROR) {
			log_info("lost connection after DATA (%lld bytes) "
				 "from %s",
			    dot.octets, ss->client);
			break;
		}
		received += (long long)ss->line.len;
		buf_reset(&out);
		used = smtpd_dot_feed(&dot, ss->line.data, ss->line.len, &out,
		    &done);
		if (var_message_size_limit > 0 &&
		    dot.octets > var_message_size_limit && d->fail == DATA_OK)
			d->fail = DATA_TOO_BIG;
		content(d, out.data, out.len);
		/* A piece ends at "\n" at the latest, and so does the
		 * end of data: nothing after it was read here. */
		if (done) {
			if (used != ss->line.len)
				log_panic("DATA end inside a line");
			ret = 1;
			break;
		}
	}
	buf_deinit(&out);
	return ret;
}

int
smtpd_cmd_data(struct smtpd_session *ss, char *args)
{
	struct data_state d;
	const char *error, *id;
	int ret;

	if (ss->sender == NULL) {
		smtpd_reply(ss, "503 5.5.1 Error: need MAIL command");
		return 0;
	}
	if (ss->nrcpt == 0) {
		/* RFC 5321 3.3: after RCPTs that all failed, 554. */
		if (ss->rcpt_tried > 0)
			smtpd_reply(ss, "554 5.5.1 Error: no valid recipients");
		else
			smtpd_reply(ss, "503 5.5.1 Error: need RCPT command");
		return 0;
	}
	memset(&d, 0, sizeof(d));
	d.ss = ss;
	d.in_header = 1;
	d.line_start = 1;
	if (start_queue_file(&d) < 0) {
		qfile_abort(&d.w);
		smtpd_reply(ss, "451 4.3.0 Error: queue file write error");
		return 0;
	}
	smtpd_reply(ss, "354 End data with <CR><LF>.<CR><LF>");
	if (stream_flush(ss->s, &error) < 0) {
		qfile_abort(&d.w);
		log_info("lost connection after DATA from %s", ss->client);
		return -1;
	}
	ret = receive(&d);
	id = qfile_writer_id(d.w);
	if (ret < 0) {
		qfile_abort(&d.w);
		smtpd_reset(ss);
		return -1;
	}
	if (d.message_id[0] != 0)
		log_info("%s: message-id=%s", id, log_str(d.message_id));
	switch (d.fail) {
	case DATA_OK:
		if (qfile_commit(d.w, &error) < 0) {
			log_warn("%s: queue file commit: %s", id, error);
			smtpd_reply(ss,
			    "451 4.3.0 Error: queue file write "
			    "error");
			break;
		}
		/* Only now, with file and name durable, is 250 a promise. */
		smtpd_reply(ss, "250 2.0.0 Ok: queued as %s", id);
		if (trigger_send("public/qmgr", TRIGGER_REQ_WAKEUP, &error) < 0)
			log_warn("%s: cannot wake qmgr: %s", id, error);
		break;
	case DATA_TOO_BIG:
		log_info("%s: reject: DATA from %s: 552 5.3.4 Message size "
			 "exceeds fixed limit; from=<%s> proto=%s helo=<%s>",
		    id, ss->client, log_str(ss->sender), smtpd_proto(ss),
		    ss->helo ? log_str(ss->helo) : "");
		smtpd_reply(ss, "552 5.3.4 Message size exceeds fixed limit");
		break;
	case DATA_HEADER_TOO_BIG:
		smtpd_reply(ss,
		    "552 5.3.4 Message header size exceeds "
		    "fixed limit");
		break;
	case DATA_HOPS:
		log_info("%s: reject: DATA from %s: 554 5.4.6 Too many hops",
		    id, ss->client);
		smtpd_reply(ss, "554 5.4.6 Too many hops");
		break;
	case DATA_WRITE:
		log_warn("%s: queue file write error: %s", id,
		    qfile_writer_error(d.w) ? qfile_writer_error(d.w) : "?");
		smtpd_reply(ss, "451 4.3.0 Error: queue file write error");
		break;
	}
	if (d.fail == DATA_OK)
		qfile_writer_destroy(&d.w);
	else
		qfile_abort(&d.w);
	smtpd_reset(ss);
	return 0;
}
