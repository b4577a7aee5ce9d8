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
#include "mail/msg_header.h"
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

/* The start of a header line, enough for the names we look for and a
 * Message-ID value. */
#define HLINE_MAX 300

/* One message on its way into a queue file, for DATA or BDAT. */
struct smtpd_msg {
	struct smtpd_session *ss;
	struct qfile_writer *w;
	struct smtpd_dot dot;
	struct buf out; /* content from the dot machine, one slice */
	enum data_fail fail;
	int in_header; /* still in the header section */
	long header_bytes;
	int received; /* Received: headers seen */
	/* The current header line: its length so far (0 at the start of
	 * a line) and its first HLINE_MAX bytes. It is collected whole
	 * before it is looked at, because a BDAT chunk may end anywhere,
	 * "Recei" in one chunk and "ved:" in the next included. */
	size_t hlen;
	char hline[HLINE_MAX];
	char message_id[256];
	/* Submission (a logged-in client): Date: and Message-ID: are added
	 * at the end of the header section when the message has none. */
	int add_missing;
	int seen_date, seen_msgid;
};

/* The dot machine takes at most this much at a time, so that its output
 * (n + 1 bytes at most) fits m->out. */
#define MSG_SLICE 4096

/* Append to the queue file, unless the message is already refused. Our
 * Received: header goes through here too: it does not count toward the
 * client's message size (check_size() checks that). */
static void
store(struct smtpd_msg *d, const char *p, size_t n)
{
	if (d->fail != DATA_OK)
		return;
	if (qfile_put_content(d->w, p, n) < 0)
		d->fail = DATA_WRITE;
}

/* A whole header line (its first HLINE_MAX bytes in d->hline, hlen in
 * all, line end included or not): count Received: hops, keep the first
 * Message-ID; note Date: and Message-ID: for add_missing. */
static void
header_done(struct smtpd_msg *d)
{
	size_t n = d->hlen < HLINE_MAX ? d->hlen : HLINE_MAX;
	const char *p = d->hline;

	d->hlen = 0;
	if (n >= 5 && strncasecmp(p, "Date:", 5) == 0)
		d->seen_date = 1;
	if (n >= 11 && strncasecmp(p, "Message-ID:", 11) == 0)
		d->seen_msgid = 1;
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

/* The end of the header section of a submitted message: add what RFC
 * 5322 3.6 requires (Date:) or asks for (Message-ID:) and the message
 * lacks, as Postfix's cleanup does for local_header_rewrite_clients. */
static void
add_missing(struct smtpd_msg *d)
{
	char date[64], text[600];
	struct timeval now;
	struct tm tm;

	if (!d->add_missing)
		return;
	d->add_missing = 0;
	gettimeofday(&now, NULL);
	if (!d->seen_date) {
		msg_header_date(date, sizeof(date), now.tv_sec);
		snprintf(text, sizeof(text), "Date: %s\n", date);
		store(d, text, strlen(text));
	}
	if (!d->seen_msgid) {
		gmtime_r(&now.tv_sec, &tm);
		strftime(date, sizeof(date), "%Y%m%d%H%M%S", &tm);
		snprintf(d->message_id, sizeof(d->message_id), "<%s.%s@%s>",
		    date, qfile_writer_id(d->w), var_myhostname);
		snprintf(text, sizeof(text), "Message-ID: %s\n", d->message_id);
		store(d, text, strlen(text));
	}
}

/* Watch the header section: its size, Received: hops, Message-ID. p is
 * a piece of one line: it ends with its "\n", or the line goes on in the
 * next piece. What is found does not depend on where pieces were cut. */
static void
header_line(struct smtpd_msg *d, const char *p, size_t n)
{
	if (!d->in_header)
		return;
	if (d->hlen == 0 && n == 1 && p[0] == '\n') {
		d->in_header = 0;
		add_missing(d);
		return;
	}
	/* A line that is no header field (RFC 5322 2.2: a name, then
	 * ":") nor a continuation ends the header section as well: the
	 * body starts without the empty line. */
	if (d->hlen == 0 && d->add_missing && p[0] != ' ' && p[0] != '\t' &&
	    msg_header_name(p, n) == MSG_HEADER_NOT_FIELD) {
		d->in_header = 0;
		add_missing(d);
		/* The empty line that separates the fields from the body
		 * (RFC 5322 2.1), which the message lacked. */
		store(d, "\n", 1);
		return;
	}
	d->header_bytes += (long)n;
	if (d->header_bytes > var_header_size_limit && d->fail == DATA_OK)
		d->fail = DATA_HEADER_TOO_BIG;
	if (d->hlen < HLINE_MAX)
		memcpy(d->hline + d->hlen, p,
		    n < HLINE_MAX - d->hlen ? n : HLINE_MAX - d->hlen);
	d->hlen += n;
	if (p[n - 1] == '\n')
		header_done(d);
}

static int
start_queue_file(struct smtpd_msg *d)
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
	/* Postfix's line, with the login after SMTP AUTH. */
	if (ss->sasl_user != NULL)
		log_info("%s: client=%s, sasl_method=%s, sasl_username=%s",
		    qfile_writer_id(d->w), ss->client, ss->sasl_method,
		    log_str(ss->sasl_user));
	else
		log_info("%s: client=%s", qfile_writer_id(d->w), ss->client);

	/* Our trace header goes first (RFC 5321 4.4). */
	{
		struct buf rcv;

		buf_init(&rcv, 4096);
		msg_header_date(date, sizeof(date), now.tv_sec);
		buf_printf(&rcv,
		    "Received: from %s (%s [%s])\n"
		    "%s%s%s"
		    "\tby %s (%s) with %s id %s",
		    ss->helo ? ss->helo : ss->client_name, ss->client_name,
		    ss->client_addr,
		    /* As Postfix records TLS: what was agreed, and that no
		     * client certificate was asked for. */
		    ss->tls_info != NULL ? "\t(using " : "",
		    ss->tls_info != NULL ? ss->tls_info : "",
		    ss->tls_info != NULL
			? ")\n\t(No client certificate requested)\n"
			: "",
		    var_myhostname, var_mail_name, smtpd_proto(ss),
		    qfile_writer_id(d->w));
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
content(struct smtpd_msg *d, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : n;

		header_line(d, p, len);
		store(d, p, len);
		p += len;
		n -= len;
	}
}

/* The size limit applies to the RFC 1870 size, which counts CRLF as two
 * octets: a message that the client could not have declared with SIZE=
 * under the limit is refused the same way (552 after the end of data, or
 * after the BDAT chunk that went over). */
static void
check_size(struct smtpd_msg *d)
{
	if (var_message_size_limit > 0 &&
	    d->dot.octets > var_message_size_limit && d->fail == DATA_OK)
		d->fail = DATA_TOO_BIG;
}

const char *
smtpd_msg_refusal(const struct smtpd_session *ss)
{
	if (ss->sender == NULL)
		return "503 5.5.1 Error: need MAIL command";
	/* RFC 5321 3.3: after RCPTs that all failed, 554. */
	if (ss->nrcpt == 0)
		return ss->rcpt_tried > 0
		    ? "554 5.5.1 Error: no valid recipients"
		    : "503 5.5.1 Error: need RCPT command";
	return NULL;
}

struct smtpd_msg *
smtpd_msg_open(struct smtpd_session *ss, int raw)
{
	struct smtpd_msg *d = xcalloc(1, sizeof(*d));

	d->ss = ss;
	d->in_header = 1;
	d->add_missing = ss->sasl_user != NULL;
	if (raw)
		smtpd_dot_init_raw(&d->dot);
	else
		smtpd_dot_init(&d->dot);
	buf_init(&d->out, MSG_SLICE + 1);
	if (start_queue_file(d) < 0)
		smtpd_msg_abort(&d);
	return d;
}

size_t
smtpd_msg_feed(struct smtpd_msg *d, const char *p, size_t n, int *done_r)
{
	size_t used = 0;

	*done_r = 0;
	while (used < n && !*done_r) {
		size_t len = n - used < MSG_SLICE ? n - used : MSG_SLICE;

		buf_reset(&d->out);
		used += smtpd_dot_feed(&d->dot, p + used, len, &d->out, done_r);
		check_size(d);
		content(d, d->out.data, d->out.len);
	}
	return used;
}

long long
smtpd_msg_octets(const struct smtpd_msg *d)
{
	return d->dot.octets;
}

int
smtpd_msg_refused(const struct smtpd_msg *d)
{
	return d->fail != DATA_OK;
}

void
smtpd_msg_abort(struct smtpd_msg **dp)
{
	struct smtpd_msg *d = *dp;

	if (d == NULL)
		return;
	qfile_abort(&d->w);
	buf_deinit(&d->out);
	xfree(d);
	*dp = NULL;
}

void
smtpd_msg_finish(struct smtpd_session *ss, const char *cmd)
{
	struct smtpd_msg *d = ss->msg;
	const char *error, *id;

	/* BDAT: a CR at the very end is content too. */
	buf_reset(&d->out);
	smtpd_dot_finish(&d->dot, &d->out);
	check_size(d);
	content(d, d->out.data, d->out.len);
	/* A last header line without a line end (BDAT only: DATA ends
	 * after CRLF). */
	if (d->in_header && d->hlen > 0) {
		header_done(d);
		if (d->add_missing)
			store(d, "\n", 1);
	}
	if (d->in_header)
		add_missing(d);
	id = qfile_writer_id(d->w);
	if (d->message_id[0] != 0)
		log_info("%s: message-id=%s", id, log_str(d->message_id));
	switch (d->fail) {
	case DATA_OK:
		if (qfile_commit(d->w, &error) < 0) {
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
		qfile_writer_destroy(&d->w);
		break;
	case DATA_TOO_BIG:
		log_info("%s: reject: %s from %s: 552 5.3.4 Message size "
			 "exceeds fixed limit; from=<%s> proto=%s helo=<%s>",
		    id, cmd, ss->client, log_str(ss->sender), smtpd_proto(ss),
		    ss->helo ? log_str(ss->helo) : "");
		smtpd_reply(ss, "552 5.3.4 Message size exceeds fixed limit");
		break;
	case DATA_HEADER_TOO_BIG:
		smtpd_reply(ss,
		    "552 5.3.4 Message header size exceeds "
		    "fixed limit");
		break;
	case DATA_HOPS:
		log_info("%s: reject: %s from %s: 554 5.4.6 Too many hops", id,
		    cmd, ss->client);
		smtpd_reply(ss, "554 5.4.6 Too many hops");
		break;
	case DATA_WRITE:
		log_warn("%s: queue file write error: %s", id,
		    qfile_writer_error(d->w) ? qfile_writer_error(d->w) : "?");
		smtpd_reply(ss, "451 4.3.0 Error: queue file write error");
		break;
	}
	/* Committed: the writer is gone and this only frees; else the
	 * temporary file goes. */
	smtpd_msg_abort(&ss->msg);
	smtpd_reset(ss);
}

/* Read the message up to the end of data (smtpd_dot.h has the rules).
 * With smtpd_per_request_deadline the whole DATA must arrive within
 * smtpd_timeout, plus one second for every smtpd_min_data_rate bytes
 * received (Postfix's rule), so a large message on a slow link passes
 * while a trickle of bytes is cut off.
 * Returns 1 at the end of data, or -1 when the session is lost. */
static int
receive(struct smtpd_session *ss)
{
	const char *error;
	time_t start = time(NULL);
	long long received = 0;

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
			    smtpd_msg_octets(ss->msg));
			smtpd_timed_out(ss, after);
			return -1;
		}
		if (st == STREAM_EOF || st == STREAM_ERROR) {
			log_info("lost connection after DATA (%lld bytes) "
				 "from %s",
			    smtpd_msg_octets(ss->msg), ss->client);
			return -1;
		}
		received += (long long)ss->line.len;
		used =
		    smtpd_msg_feed(ss->msg, ss->line.data, ss->line.len, &done);
		/* A piece ends at "\n" at the latest, and so does the
		 * end of data: nothing after it was read here. */
		if (done) {
			if (used != ss->line.len)
				log_panic("DATA end inside a line");
			return 1;
		}
	}
}

int
smtpd_cmd_data(struct smtpd_session *ss, char *args)
{
	const char *error, *refusal;

	/* RFC 3030 section 2: DATA and BDAT do not mix in one
	 * transaction; the client must RSET. */
	if (ss->msg != NULL) {
		smtpd_reply(ss, "503 5.5.1 Error: DATA after BDAT");
		return 0;
	}
	if ((refusal = smtpd_msg_refusal(ss)) != NULL) {
		smtpd_reply(ss, "%s", refusal);
		return 0;
	}
	if ((ss->msg = smtpd_msg_open(ss, 0)) == NULL) {
		smtpd_reply(ss, "451 4.3.0 Error: queue file write error");
		return 0;
	}
	smtpd_reply(ss, "354 End data with <CR><LF>.<CR><LF>");
	if (stream_flush(ss->s, &error) < 0) {
		log_info("lost connection after DATA from %s", ss->client);
		return -1;
	}
	/* On a lost session, smtpd_reset drops the queue file. */
	if (receive(ss) < 0)
		return -1;
	smtpd_msg_finish(ss, "DATA");
	return 0;
}
