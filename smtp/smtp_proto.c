/* smtp_proto - one SMTP session with one server, as a client. See smtp.h.
 * Replies are read with a bound on line length and on the number of lines,
 * so a hostile server cannot make us buffer without end. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/dsn_param.h"
#include "smtp.h"
#include "tls/tls.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/stream.h"

#define REPLY_LINE_MAX 2048 /* RFC 5321 section 4.5.3.1.5 says 512 */
#define REPLY_LINES_MAX 200
#define BODY_CHUNK 16384

struct smtp_sess {
	struct stream *s;
	char *host;
	struct smtp_timeouts t;
	int features;
	char *helo_name;
	struct tls_conn *tls; /* TLS runs; the stream owns it */
	off_t size_limit;
	int count;
	int broken; /* no further commands on this session */
};

/* Parse "d.ddd.ddd " at the start of text (RFC 3463 section 2). Returns
 * its length including the space, or 0. */
static size_t
enhanced_code(const char *p, int class)
{
	size_t i = 0, n;

	if (p[0] != class || p[1] != '.')
		return 0;
	i = 2;
	for (int part = 0; part < 2; part++) {
		for (n = 0; isdigit((unsigned char)p[i]); n++)
			i++;
		if (n == 0 || n > 3)
			return 0;
		if (part == 0) {
			if (p[i] != '.')
				return 0;
			i++;
		}
	}
	if (p[i] != ' ' && p[i] != 0)
		return 0;
	return p[i] == ' ' ? i + 1 : i;
}

typedef void line_fn(void *ctx, const char *text);

/* Read one reply. what says what we were doing, for the text when the
 * reply does not come. Returns 0, or -1 (code 0, the session broken). */
static int
read_reply(struct smtp_sess *ss, int timeout, const char *what,
    struct smtp_reply *r, line_fn *each, void *ctx)
{
	struct buf line;
	const char *error;
	size_t tlen = 0;
	int nlines = 0, ret;

	memset(r, 0, sizeof(*r));
	buf_init(&line, REPLY_LINE_MAX);
	stream_set_timeout(ss->s, timeout);
	for (;;) {
		int code, more;
		size_t skip;
		const char *text;

		buf_reset(&line);
		ret = stream_get_line(ss->s, &line, REPLY_LINE_MAX, &error);
		/* Drop the rest of an over-long line. */
		while (ret == STREAM_PARTIAL) {
			struct buf rest;

			buf_init(&rest, REPLY_LINE_MAX);
			ret = stream_get_line(ss->s, &rest, REPLY_LINE_MAX,
			    &error);
			buf_deinit(&rest);
		}
		if (ret == STREAM_TIMEOUT) {
			snprintf(r->text, sizeof(r->text),
			    "conversation with %s timed out while %s", ss->host,
			    what);
			goto broken;
		}
		if (ret != STREAM_LINE || line.len == 0 ||
		    line.data[line.len - 1] != '\n') {
			snprintf(r->text, sizeof(r->text),
			    "lost connection with %s while %s", ss->host, what);
			goto broken;
		}
		while (line.len > 0 &&
		    (line.data[line.len - 1] == '\n' ||
			line.data[line.len - 1] == '\r'))
			buf_truncate(&line, line.len - 1);
		if (line.len < 3 || !isdigit((unsigned char)line.data[0]) ||
		    line.data[0] < '2' || line.data[0] > '5' ||
		    !isdigit((unsigned char)line.data[1]) ||
		    !isdigit((unsigned char)line.data[2]) ||
		    (line.len > 3 && line.data[3] != ' ' &&
			line.data[3] != '-')) {
			snprintf(r->text, sizeof(r->text),
			    "host %s sent a malformed reply while %s", ss->host,
			    what);
			goto broken;
		}
		code = (line.data[0] - '0') * 100 + (line.data[1] - '0') * 10 +
		    (line.data[2] - '0');
		more = line.len > 3 && line.data[3] == '-';
		if (nlines == 0)
			r->code = code;
		else if (code != r->code) {
			snprintf(r->text, sizeof(r->text),
			    "host %s sent a malformed reply while %s", ss->host,
			    what);
			goto broken;
		}
		text = line.len > 4 ? line.data + 4 : "";
		skip = enhanced_code(text, line.data[0]);
		if (nlines == 0 && skip > 0) {
			snprintf(r->dsn, sizeof(r->dsn), "%.*s",
			    (int)(text[skip - 1] == ' ' ? skip - 1 : skip),
			    text);
			r->dsn_given = 1;
		}
		text += skip;
		if (each != NULL)
			each(ctx, text);
		if (tlen + 1 < sizeof(r->text)) {
			tlen += (size_t)snprintf(r->text + tlen,
			    sizeof(r->text) - tlen, "%s%s", tlen ? " " : "",
			    text);
			if (tlen >= sizeof(r->text))
				tlen = sizeof(r->text) - 1;
		}
		if (++nlines > REPLY_LINES_MAX) {
			snprintf(r->text, sizeof(r->text),
			    "host %s sent a reply of too many lines while %s",
			    ss->host, what);
			goto broken;
		}
		if (!more)
			break;
	}
	if (r->dsn[0] == 0)
		snprintf(r->dsn, sizeof(r->dsn), "%d.0.0", r->code / 100);
	buf_deinit(&line);
	return 0;
broken:
	r->code = 0;
	snprintf(r->dsn, sizeof(r->dsn), "4.4.2");
	ss->broken = 1;
	buf_deinit(&line);
	return -1;
}

/* Queue a command and, unless pipelining, send it now. */
static int send_cmd(struct smtp_sess *ss, int flush, const char *what,
    struct smtp_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int
send_cmd(struct smtp_sess *ss, int flush, const char *what,
    struct smtp_reply *r, const char *fmt, ...)
{
	va_list ap;
	const char *error;
	struct buf cmd;
	int ret;

	buf_init(&cmd, REPLY_LINE_MAX);
	va_start(ap, fmt);
	ret = buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	if (ret == 0)
		ret = buf_puts(&cmd, "\r\n");
	if (ret < 0) {
		buf_deinit(&cmd);
		memset(r, 0, sizeof(*r));
		snprintf(r->dsn, sizeof(r->dsn), "5.5.0");
		snprintf(r->text, sizeof(r->text), "command too long");
		return -1;
	}
	ret = stream_write(ss->s, cmd.data, cmd.len);
	buf_deinit(&cmd);
	if (ret == 0 && flush)
		ret = stream_flush(ss->s, &error);
	if (ret < 0) {
		memset(r, 0, sizeof(*r));
		snprintf(r->dsn, sizeof(r->dsn), "4.4.2");
		snprintf(r->text, sizeof(r->text),
		    "lost connection with %s while %s", ss->host, what);
		ss->broken = 1;
		return -1;
	}
	return 0;
}

static void
ehlo_line(void *ctx, const char *text)
{
	struct smtp_sess *ss = ctx;
	char kw[32];
	size_t n = strcspn(text, " =");

	if (n == 0 || n >= sizeof(kw))
		return;
	memcpy(kw, text, n);
	kw[n] = 0;
	if (strcasecmp(kw, "PIPELINING") == 0)
		ss->features |= SMTP_FEAT_PIPELINING;
	else if (strcasecmp(kw, "8BITMIME") == 0)
		ss->features |= SMTP_FEAT_8BITMIME;
	else if (strcasecmp(kw, "SMTPUTF8") == 0)
		ss->features |= SMTP_FEAT_SMTPUTF8;
	else if (strcasecmp(kw, "DSN") == 0)
		ss->features |= SMTP_FEAT_DSN;
	else if (strcasecmp(kw, "STARTTLS") == 0)
		ss->features |= SMTP_FEAT_STARTTLS;
	else if (strcasecmp(kw, "SIZE") == 0) {
		ss->features |= SMTP_FEAT_SIZE;
		if (text[n] == ' ' || text[n] == '=')
			ss->size_limit = (off_t)strtoll(text + n + 1, NULL, 10);
		if (ss->size_limit < 0)
			ss->size_limit = 0;
	}
}

/* EHLO, or HELO when EHLO is refused with 5xx (with_helo). Returns 0,
 * or -1 with *reply set. */
static int
say_hello(struct smtp_sess *ss, int with_helo, struct smtp_reply *reply)
{
	ss->features = 0;
	ss->size_limit = 0;
	if (send_cmd(ss, 1, "sending EHLO", reply, "EHLO %s", ss->helo_name) <
		0 ||
	    read_reply(ss, ss->t.helo, "receiving the EHLO reply", reply,
		ehlo_line, ss) < 0)
		return -1;
	if (reply->code / 100 == 2) {
		/* The first line is the greeting, not a keyword; a server
		 * whose name happens to be a keyword gains nothing. */
		ss->features |= SMTP_FEAT_ESMTP;
		return 0;
	}
	ss->features = 0;
	ss->size_limit = 0;
	if (!with_helo || reply->code / 100 != 5)
		return -1;
	if (send_cmd(ss, 1, "sending HELO", reply, "HELO %s", ss->helo_name) <
		0 ||
	    read_reply(ss, ss->t.helo, "receiving the HELO reply", reply, NULL,
		NULL) < 0 ||
	    reply->code / 100 != 2)
		return -1;
	return 0;
}

struct smtp_sess *
smtp_sess_open(struct stream *s, const char *host, const char *helo_name,
    const struct smtp_timeouts *t, struct smtp_reply *reply)
{
	struct smtp_sess *ss = xcalloc(1, sizeof(*ss));

	ss->s = s;
	ss->host = xstrdup(host);
	ss->helo_name = xstrdup(helo_name);
	ss->t = *t;
	if (read_reply(ss, t->helo, "receiving the initial server greeting",
		reply, NULL, NULL) < 0)
		goto fail;
	if (reply->code / 100 != 2)
		goto fail;
	if (say_hello(ss, 1, reply) < 0)
		goto fail;
	return ss;
fail:
	smtp_sess_close(&ss, 0);
	return NULL;
}

/* A failure of the TLS policy: no server reply to report. */
static int
tls_fail(struct smtp_sess **ssp, struct smtp_reply *reply, const char *dsn,
    int quit, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
tls_fail(struct smtp_sess **ssp, struct smtp_reply *reply, const char *dsn,
    int quit, const char *fmt, ...)
{
	va_list ap;

	memset(reply, 0, sizeof(*reply));
	snprintf(reply->dsn, sizeof(reply->dsn), "%s", dsn);
	reply->dsn_given = 1;
	va_start(ap, fmt);
	vsnprintf(reply->text, sizeof(reply->text), fmt, ap);
	va_end(ap);
	smtp_sess_close(ssp, quit);
	return -1;
}

int
smtp_sess_tls(struct smtp_sess **ssp, const struct smtp_tls *tls,
    const char *name, struct smtp_reply *reply, int *handshake_failed_r)
{
	struct smtp_sess *ss = *ssp;
	const char *error, *why = NULL;
	int required = tls->level >= TLS_LEVEL_ENCRYPT;
	int verify = tls->level >= TLS_LEVEL_VERIFY;

	*handshake_failed_r = 0;
	if (tls->level == TLS_LEVEL_NONE)
		return 0;
	if (!(ss->features & SMTP_FEAT_STARTTLS)) {
		if (!required)
			return 0;
		return tls_fail(ssp, reply, "4.7.4", 1,
		    "TLS is required, but was not offered by host %s",
		    ss->host);
	}
	if (tls->ctx == NULL) {
		if (!required)
			return 0;
		return tls_fail(ssp, reply, "4.7.5", 1,
		    "TLS is required, but our TLS engine is unavailable");
	}
	if (verify && (name == NULL || *name == '\0'))
		return tls_fail(ssp, reply, "4.7.5", 1,
		    "TLS is required, but there is no name to verify host "
		    "%s against",
		    ss->host);
	if (send_cmd(ss, 1, "sending STARTTLS", reply, "STARTTLS") < 0 ||
	    read_reply(ss, ss->t.helo, "receiving the STARTTLS reply", reply,
		NULL, NULL) < 0) {
		smtp_sess_close(ssp, 0);
		return -1;
	}
	if (reply->code != 220) {
		if (!required)
			return say_hello(ss, 0, reply) < 0
			    ? (smtp_sess_close(ssp, 0), -1)
			    : 0;
		return tls_fail(ssp, reply, "4.7.5", 1,
		    "TLS is required, but host %s refused to start TLS: %d %s",
		    ss->host, reply->code, reply->text);
	}
	/* RFC 3207 4.2: a reply the server sent ahead of the handshake
	 * would be read as if it came inside TLS: refuse to go on. */
	if (stream_pending(ss->s) > 0)
		return tls_fail(ssp, reply, "4.7.5", 0,
		    "host %s sent data after its STARTTLS reply", ss->host);
	stream_set_timeout(ss->s, ss->t.helo);
	ss->tls = tls_client_start(tls->ctx, ss->s, name, &error);
	if (ss->tls == NULL) {
		*handshake_failed_r = 1;
		ss->broken = 1;
		return tls_fail(ssp, reply, "4.7.5", 0,
		    "Cannot start TLS: handshake failure with host %s: %s",
		    ss->host, error);
	}
	if (verify && !tls_conn_verified(ss->tls, &why))
		return tls_fail(ssp, reply, "4.7.5", 1,
		    "Server certificate not verified: host %s: %s", ss->host,
		    why != NULL ? why : "not trusted");
	/* RFC 3207 4.2: what the server said before TLS is forgotten. */
	if (say_hello(ss, 0, reply) < 0) {
		smtp_sess_close(ssp, 0);
		return -1;
	}
	return 0;
}

const struct tls_conn *
smtp_sess_tls_conn(const struct smtp_sess *ss)
{
	return ss->tls;
}

int
smtp_sess_features(const struct smtp_sess *ss)
{
	return ss->features;
}

off_t
smtp_sess_size_limit(const struct smtp_sess *ss)
{
	return ss->size_limit;
}

int
smtp_sess_count(const struct smtp_sess *ss)
{
	return ss->count;
}

const char *
smtp_sess_host(const struct smtp_sess *ss)
{
	return ss->host;
}

void
smtp_rcpt_clear(struct smtp_rcpt *r)
{
	xfree(r->text);
	xfree(r->diag);
	xfree(r->mta);
	r->text = r->diag = r->mta = NULL;
}

/* Record the outcome of a recipient from a server reply (or from the
 * session's failure when r->code is 0). */
static void
set_result(struct smtp_sess *ss, struct smtp_rcpt *rc,
    const struct smtp_reply *r, const char *cmd)
{
	struct buf t, reply;

	buf_init(&t, BUF_MAX_INTERNAL);
	buf_init(&reply, BUF_MAX_INTERNAL);
	xfree(rc->diag);
	xfree(rc->mta);
	rc->diag = rc->mta = NULL;
	if (r->code == 0) {
		rc->status = SMTP_RCPT_DEFER;
		buf_puts(&t, r->text);
	} else {
		rc->status = r->code / 100 == 2 ? SMTP_RCPT_SENT
		    : r->code / 100 == 5        ? SMTP_RCPT_BOUNCE
						: SMTP_RCPT_DEFER;
		buf_printf(&reply, "%d %s%s%s", r->code,
		    r->dsn_given ? r->dsn : "", r->dsn_given ? " " : "",
		    r->text);
		if (rc->status != SMTP_RCPT_SENT)
			buf_printf(&t, "host %s said: ", ss->host);
		buf_append(&t, reply.data, reply.len);
		if (rc->status != SMTP_RCPT_SENT)
			buf_printf(&t, " (in reply to %s command)", cmd);
		/* For the report (RFC 3464 2.3.5, 2.3.6): the reply as the
		 * server gave it, and its name without "[address]". */
		rc->diag = xmalloc(reply.len + 7);
		snprintf(rc->diag, reply.len + 7, "smtp; %s", reply.data);
		rc->mta = xstrndup(ss->host, strcspn(ss->host, "["));
	}
	buf_deinit(&reply);
	/* The class follows the reply code, whatever the server wrote. */
	snprintf(rc->dsn, sizeof(rc->dsn), "%s", r->dsn);
	rc->dsn[0] = rc->status == SMTP_RCPT_SENT ? '2'
	    : rc->status == SMTP_RCPT_BOUNCE      ? '5'
						  : '4';
	xfree(rc->text);
	rc->text = buf_steal(&t);
	buf_deinit(&t);
}

/* The RCPT TO parameters of rc into params (initialised here): NOTIFY
 * and ORCPT for a server that offers DSN (RFC 3461 4.1, 4.2). Without an
 * ORCPT from the sender the address it gave is not known here: none. */
static void
rcpt_params(const struct smtp_sess *ss, const struct smtp_rcpt *rc,
    struct buf *params)
{
	struct buf v;

	buf_init(params, BUF_MAX_INTERNAL);
	if (!(ss->features & SMTP_FEAT_DSN))
		return;
	buf_init(&v, BUF_MAX_INTERNAL);
	if (rc->notify != 0 && dsn_notify_format(rc->notify, &v) == 0)
		buf_printf(params, " NOTIFY=%s", v.data);
	if (rc->orcpt != NULL && rc->orcpt[0] != 0 &&
	    dsn_orcpt_format(rc->orcpt, &v) == 0)
		buf_printf(params, " ORCPT=%s", v.data);
	buf_deinit(&v);
}

static void
set_local(struct smtp_rcpt *rc, enum smtp_rcpt_status st, const char *dsn,
    const char *text)
{
	rc->status = st;
	snprintf(rc->dsn, sizeof(rc->dsn), "%s", dsn);
	xfree(rc->text);
	xfree(rc->diag);
	xfree(rc->mta);
	rc->diag = rc->mta = NULL;
	rc->text = xstrdup(text);
}

/* Send the content after 354. Returns 0, or -1 with *error_r: a local
 * read error (local = 1) or a write error (local = 0). */
static int
send_body(struct smtp_sess *ss, struct smtp_content *c, int *local,
    const char **error_r)
{
	struct smtp_body enc;
	struct buf out;
	const char *p;
	size_t n;
	int ret;

	smtp_body_init(&enc);
	buf_init(&out, 2 * BODY_CHUNK + 8);
	stream_set_timeout(ss->s, ss->t.data_xfer);
	*local = 0;
	for (;;) {
		if ((ret = c->read(c->ctx, &p, &n, error_r)) < 0) {
			*local = 1;
			goto fail;
		}
		if (ret == 0)
			break;
		while (n > 0) {
			size_t take = n > BODY_CHUNK ? BODY_CHUNK : n;

			buf_reset(&out);
			smtp_body_put(&enc, p, take, &out);
			if (stream_write(ss->s, out.data, out.len) < 0) {
				*error_r = stream_error(ss->s);
				goto fail;
			}
			p += take;
			n -= take;
		}
	}
	buf_reset(&out);
	smtp_body_end(&enc, &out);
	if (stream_write(ss->s, out.data, out.len) < 0 ||
	    stream_flush(ss->s, error_r) < 0) {
		*error_r = stream_error(ss->s);
		goto fail;
	}
	buf_deinit(&out);
	return 0;
fail:
	buf_deinit(&out);
	ss->broken = 1;
	return -1;
}

/* After a failed transaction: RSET, so the session can carry the next
 * message. Returns 0 when it can. */
static int
reset(struct smtp_sess *ss)
{
	struct smtp_reply r;

	if (ss->broken)
		return -1;
	if (send_cmd(ss, 1, "sending RSET", &r, "RSET") < 0 ||
	    read_reply(ss, ss->t.rset, "sending RSET", &r, NULL, NULL) < 0 ||
	    r.code / 100 != 2) {
		ss->broken = 1;
		return -1;
	}
	return 0;
}

int
smtp_sess_send(struct smtp_sess *ss, const char *sender, struct smtp_content *c,
    struct smtp_rcpt *rcpt, size_t nrcpt)
{
	struct smtp_reply mail, r;
	struct buf params;
	const char *error;
	int pipe = (ss->features & SMTP_FEAT_PIPELINING) != 0;
	size_t i, accepted = 0;
	int local, ret, data_ok = 0;

	for (i = 0; i < nrcpt; i++) {
		rcpt[i].status = SMTP_RCPT_DEFER;
		rcpt[i].dsn[0] = 0;
		rcpt[i].relayed = 0;
	}
	if (ss->broken) {
		for (i = 0; i < nrcpt; i++)
			set_local(&rcpt[i], SMTP_RCPT_DEFER, "4.4.2",
			    "session unusable");
		return -1;
	}
	/* RFC 6531 section 3.2: mail received with SMTPUTF8 goes only to
	 * a server that offers it; it is not downgraded. */
	if (c->smtputf8 && !(ss->features & SMTP_FEAT_SMTPUTF8)) {
		char text[512];

		snprintf(text, sizeof(text),
		    "SMTPUTF8 is required, but was not offered by host %s",
		    ss->host);
		for (i = 0; i < nrcpt; i++)
			set_local(&rcpt[i], SMTP_RCPT_BOUNCE, "5.6.7", text);
		return 0;
	}
	/* RFC 1870 section 6: do not send what the server said it will
	 * refuse. */
	if (ss->size_limit > 0 && c->size > ss->size_limit) {
		char text[256];

		snprintf(text, sizeof(text),
		    "message size %jd exceeds size limit %jd of server %s",
		    (intmax_t)c->size, (intmax_t)ss->size_limit, ss->host);
		for (i = 0; i < nrcpt; i++)
			set_local(&rcpt[i], SMTP_RCPT_BOUNCE, "5.3.4", text);
		return 0;
	}
	buf_init(&params, 256);
	if (ss->features & SMTP_FEAT_SIZE)
		buf_printf(&params, " SIZE=%jd", (intmax_t)c->size);
	if ((ss->features & SMTP_FEAT_8BITMIME) && c->body_8bit)
		buf_puts(&params, " BODY=8BITMIME");
	if (c->smtputf8)
		buf_puts(&params, " SMTPUTF8");
	if ((ss->features & SMTP_FEAT_DSN) && c->dsn_ret != NULL)
		buf_printf(&params, " RET=%s", c->dsn_ret);
	if ((ss->features & SMTP_FEAT_DSN) && c->dsn_envid != NULL) {
		buf_puts(&params, " ENVID=");
		dsn_xtext_encode(c->dsn_envid, &params);
	}
	ret = send_cmd(ss, !pipe, "sending MAIL FROM", &mail,
	    "MAIL FROM:<%s>%s", sender, params.data);
	buf_deinit(&params);
	if (ret < 0)
		goto broken_mail;
	if (!pipe) {
		if (read_reply(ss, ss->t.mail, "sending MAIL FROM", &mail, NULL,
			NULL) < 0)
			goto broken_mail;
		if (mail.code / 100 != 2)
			goto mail_refused;
	}
	for (i = 0; i < nrcpt; i++) {
		rcpt_params(ss, &rcpt[i], &params);
		ret = send_cmd(ss, !pipe, "sending RCPT TO", &r,
		    "RCPT TO:<%s>%s", rcpt[i].addr, params.data);
		buf_deinit(&params);
		if (ret < 0)
			goto broken_rcpt;
		if (!pipe) {
			if (read_reply(ss, ss->t.rcpt, "sending RCPT TO", &r,
				NULL, NULL) < 0)
				goto broken_rcpt;
			set_result(ss, &rcpt[i], &r, "RCPT TO");
			if (r.code / 100 == 2)
				accepted++;
		}
	}
	if (pipe) {
		/* RFC 2920 section 3.1: DATA ends the group; the replies
		 * come in order. */
		if (send_cmd(ss, 1, "sending DATA", &r, "DATA") < 0)
			goto broken_rcpt;
		if (read_reply(ss, ss->t.mail, "sending MAIL FROM", &mail, NULL,
			NULL) < 0)
			goto broken_mail;
		for (i = 0; i < nrcpt; i++) {
			if (read_reply(ss, ss->t.rcpt, "sending RCPT TO", &r,
				NULL, NULL) < 0)
				goto broken_rcpt;
			if (mail.code / 100 != 2)
				continue;
			set_result(ss, &rcpt[i], &r, "RCPT TO");
			if (r.code / 100 == 2)
				accepted++;
		}
		if (read_reply(ss, ss->t.data_init, "sending DATA", &r, NULL,
			NULL) < 0)
			goto broken_rcpt;
		if (mail.code / 100 != 2)
			goto mail_refused;
		data_ok = r.code == 354;
		if (data_ok && accepted == 0) {
			/* A server that said 354 to a transaction without
			 * recipients gets an empty message and no more. */
			if (send_cmd(ss, 1, "sending end of data", &r, ".") <
				0 ||
			    read_reply(ss, ss->t.data_done,
				"sending end of data", &r, NULL, NULL) < 0)
				return -1;
			return reset(ss);
		}
	} else if (accepted > 0) {
		if (send_cmd(ss, 1, "sending DATA", &r, "DATA") < 0 ||
		    read_reply(ss, ss->t.data_init, "sending DATA", &r, NULL,
			NULL) < 0)
			goto broken_data;
		data_ok = r.code == 354;
	}
	if (accepted == 0)
		return reset(ss);
	if (!data_ok) {
		for (i = 0; i < nrcpt; i++)
			if (rcpt[i].status == SMTP_RCPT_SENT)
				set_result(ss, &rcpt[i], &r, "DATA");
		return reset(ss);
	}
	if (send_body(ss, c, &local, &error) < 0) {
		char text[512];

		/* Never send the final dot after a short read: the server
		 * must not take a truncated message. */
		if (local)
			snprintf(text, sizeof(text), "%s", error);
		else
			snprintf(text, sizeof(text),
			    "lost connection with %s while sending message "
			    "body",
			    ss->host);
		for (i = 0; i < nrcpt; i++)
			if (rcpt[i].status == SMTP_RCPT_SENT)
				set_local(&rcpt[i], SMTP_RCPT_DEFER,
				    local ? "4.3.0" : "4.4.2", text);
		return -1;
	}
	if (read_reply(ss, ss->t.data_done,
		"sending end of data -- message may be sent more than once", &r,
		NULL, NULL) < 0)
		goto broken_data;
	for (i = 0; i < nrcpt; i++) {
		if (rcpt[i].status != SMTP_RCPT_SENT)
			continue;
		set_result(ss, &rcpt[i], &r, "end of DATA");
		rcpt[i].relayed = rcpt[i].status == SMTP_RCPT_SENT &&
		    (rcpt[i].notify & DSN_NOTIFY_SUCCESS) &&
		    !(ss->features & SMTP_FEAT_DSN);
	}
	ss->count++;
	return r.code / 100 == 2 ? 0 : reset(ss);

mail_refused:
	for (i = 0; i < nrcpt; i++)
		set_result(ss, &rcpt[i], &mail, "MAIL FROM");
	return reset(ss);
broken_mail:
	for (i = 0; i < nrcpt; i++)
		set_result(ss, &rcpt[i], &mail, "MAIL FROM");
	return -1;
broken_rcpt:
	for (i = 0; i < nrcpt; i++)
		if (rcpt[i].dsn[0] == 0 || rcpt[i].status == SMTP_RCPT_SENT)
			set_result(ss, &rcpt[i], &r, "RCPT TO");
	return -1;
broken_data:
	for (i = 0; i < nrcpt; i++)
		if (rcpt[i].status == SMTP_RCPT_SENT)
			set_result(ss, &rcpt[i], &r, "DATA");
	return -1;
}

void
smtp_sess_close(struct smtp_sess **ssp, int quit)
{
	struct smtp_sess *ss = *ssp;
	struct smtp_reply r;

	if (ss == NULL)
		return;
	if (quit && !ss->broken &&
	    send_cmd(ss, 1, "sending QUIT", &r, "QUIT") == 0)
		(void)read_reply(ss, ss->t.quit, "sending QUIT", &r, NULL,
		    NULL);
	stream_destroy(&ss->s);
	xfree(ss->host);
	xfree(ss->helo_name);
	xfree(ss);
	*ssp = NULL;
}
