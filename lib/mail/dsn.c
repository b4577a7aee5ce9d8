/* SPDX-License-Identifier: MIT */
/* dsn - RFC 3464 delivery status notifications (bounces, delay warnings). */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mail/dsn.h"
#include "util/buf.h"

/* Room for one report section while it is being built. */
#define DSN_PART_MAX BUF_MAX_INTERNAL

/* Longest MIME boundary (RFC 2046 section 5.1.1). */
#define DSN_BOUNDARY_MAX 70

static unsigned dsn_counter;

static const char *const dsn_actions[] = {
	"failed",
	"delayed",
	"delivered",
	"relayed",
	"expanded",
	NULL,
};

static int
hostname_ok(const char *s)
{
	if (*s == 0)
		return 0;
	for (; *s != 0; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
			*s == '_'))
			return 0;
	return 1;
}

static int
queue_id_ok(const char *s)
{
	if (*s == 0)
		return 0;
	for (; *s != 0; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* "c.s.d": class 2, 4 or 5, subject and detail 1-3 digits (RFC 3463). */
static int
status_ok(const char *s)
{
	int part, digits;

	if ((s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	s += 2;
	for (part = 0; part < 2; part++) {
		for (digits = 0; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits < 1 || digits > 3)
			return 0;
		if (part == 0 && *s++ != '.')
			return 0;
	}
	return *s == 0;
}

static int
action_ok(const char *s)
{
	size_t i;

	for (i = 0; dsn_actions[i] != NULL; i++)
		if (strcmp(dsn_actions[i], s) == 0)
			return 1;
	return 0;
}

/* Append peer text made safe for a header field value or a text line:
 * controls (CR and LF included) become spaces, non-ASCII bytes '?'; at
 * most DSN_FIELD_MAX bytes. */
static int
put_safe(struct buf *out, const char *s)
{
	size_t i;
	int bad = 0;

	for (i = 0; s[i] != 0 && i < DSN_FIELD_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		bad |= buf_putc(out,
		    c < 0x20 || c == 0x7f ? ' '
			: c >= 0x80       ? '?'
					  : c);
	}
	return bad;
}

/* RFC 5322 date-time in local time, without locale-dependent names. */
static int
put_date(struct buf *out, time_t t)
{
	static const char *const days[] = {
		"Sun",
		"Mon",
		"Tue",
		"Wed",
		"Thu",
		"Fri",
		"Sat",
	};
	static const char *const months[] = {
		"Jan",
		"Feb",
		"Mar",
		"Apr",
		"May",
		"Jun",
		"Jul",
		"Aug",
		"Sep",
		"Oct",
		"Nov",
		"Dec",
	};
	struct tm tm;
	long off;

	if (localtime_r(&t, &tm) == NULL) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	off = tm.tm_gmtoff / 60;
	return buf_printf(out, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
		   days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		   tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		   off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
		   (off < 0 ? -off : off) % 60) < 0;
}

/* Does the diagnostic already start with "type;"? */
static int
has_diag_type(const char *s)
{
	const char *semi = strchr(s, ';');
	const char *p;

	if (semi == NULL || semi == s)
		return 0;
	for (p = s; p < semi; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return 1;
}

static int
orig_differs(const struct dsn_rcpt *r)
{
	return r->orig != NULL && r->orig[0] != 0 &&
	    strcmp(r->orig, r->final) != 0;
}

/* Part 1: the explanation for people. */
static int
build_text(const struct dsn_msg *m, struct buf *t)
{
	size_t i;
	int bad = 0;

	bad |= buf_printf(t, "This is the mail system at host %s.\n\n",
	    m->myhostname);
	switch (m->kind) {
	case DSN_KIND_DELAY:
		bad |= buf_puts(t,
		    "This is only a warning: you do not need to send your\n"
		    "message again.\n\n"
		    "Your message has not been delivered yet to the\n"
		    "recipients listed below. The mail system keeps trying\n"
		    "and will tell you if it has to give up in the end.\n");
		break;
	case DSN_KIND_SUCCESS:
		bad |= buf_puts(t,
		    "You asked for a report when your message was delivered.\n"
		    "It was delivered to the recipients listed below. Where\n"
		    "it was passed on to a system that does not give delivery\n"
		    "reports (\"relayed\"), this is the last report you will\n"
		    "get from here; errors may still come from elsewhere.\n");
		break;
	default:
		bad |= buf_printf(t,
		    "Your message could not be delivered to the recipients\n"
		    "listed below, and the mail system has given up trying.\n"
		    "The reason is given with each address; %s\n"
		    "attached.\n",
		    m->orig_content != NULL
			? "your message is"
			: "the headers of your message are");
		break;
	}
	bad |= buf_puts(t,
	    "\nIf you need help, please write to the postmaster of this\n"
	    "system and include this report.\n\n"
	    "                   The mail system\n");
	for (i = 0; i < m->nrcpt; i++) {
		const struct dsn_rcpt *r = &m->rcpt[i];

		bad |= buf_puts(t, "\n<");
		bad |= put_safe(t, r->final);
		bad |= buf_puts(t, ">");
		if (orig_differs(r)) {
			bad |= buf_puts(t, " (originally <");
			bad |= put_safe(t, r->orig);
			bad |= buf_puts(t, ">)");
		}
		bad |= buf_puts(t, ": ");
		bad |= put_safe(t,
		    r->reason != NULL     ? r->reason
			: r->diag != NULL ? r->diag
					  : r->status);
		bad |= buf_puts(t, "\n");
	}
	return bad;
}

/* Part 2: the machine-readable report (RFC 3464 section 2). */
static int
build_status(const struct dsn_msg *m, struct buf *s)
{
	size_t i;
	int bad = 0;

	if (m->envid != NULL && m->envid[0] != 0) {
		/* RFC 3464 2.2.1: the ENVID, first when given. */
		bad |= buf_puts(s, "Original-Envelope-Id: ");
		bad |= put_safe(s, m->envid);
		bad |= buf_puts(s, "\n");
	}
	bad |= buf_printf(s, "Reporting-MTA: dns; %s\n", m->myhostname);
	bad |= buf_printf(s, "X-Tern-Queue-ID: %s\n", m->queue_id);
	bad |= buf_puts(s, "X-Tern-Sender: rfc822; ");
	bad |= put_safe(s, m->sender);
	bad |= buf_puts(s, "\nArrival-Date: ");
	bad |= put_date(s, m->arrival.tv_sec);
	bad |= buf_puts(s, "\n");
	for (i = 0; i < m->nrcpt; i++) {
		const struct dsn_rcpt *r = &m->rcpt[i];

		bad |= buf_puts(s, "\nFinal-Recipient: rfc822; ");
		bad |= put_safe(s, r->final);
		if (r->orcpt != NULL && strchr(r->orcpt, ';') != NULL) {
			/* RFC 3464 2.3.1: as the sender's ORCPT said. */
			size_t n = (size_t)(strchr(r->orcpt, ';') - r->orcpt);

			bad |= buf_puts(s, "\nOriginal-Recipient: ");
			bad |= buf_append(s, r->orcpt, n) < 0;
			bad |= buf_puts(s, "; ");
			bad |= put_safe(s, r->orcpt + n + 1);
		} else if (orig_differs(r)) {
			bad |= buf_puts(s, "\nOriginal-Recipient: rfc822; ");
			bad |= put_safe(s, r->orig);
		}
		bad |= buf_printf(s, "\nAction: %s\nStatus: %s\n", r->action,
		    r->status);
		if (r->remote_mta != NULL && r->remote_mta[0] != 0) {
			bad |= buf_puts(s, "Remote-MTA: dns; ");
			bad |= put_safe(s, r->remote_mta);
			bad |= buf_puts(s, "\n");
		}
		if (r->diag != NULL && r->diag[0] != 0) {
			bad |= buf_puts(s, "Diagnostic-Code: ");
			if (!has_diag_type(r->diag))
				bad |= buf_puts(s, "x-tern; ");
			bad |= put_safe(s, r->diag);
			bad |= buf_puts(s, "\n");
		}
	}
	return bad;
}

/* Part 3: the whole original message when given, else its headers up to
 * the first empty line, cut on a line boundary at the limit; always
 * ending in LF. Sets *eight_bit_r. */
static int
build_headers(const struct dsn_msg *m, struct buf *h, int *eight_bit_r)
{
	size_t limit = m->header_limit ? m->header_limit : DSN_HEADER_LIMIT;
	size_t n = m->orig_headers_len, i;
	const char *p = m->orig_headers;

	*eight_bit_r = 0;
	if (m->orig_content != NULL) {
		p = m->orig_content;
		n = m->orig_content_len;
	} else if (n == 0) {
		return 0;
	}
	for (i = 0; m->orig_content == NULL && i < n; i++) {
		/* An empty line ends the header section. */
		if (p[i] == '\n' && (i == 0 || p[i - 1] == '\n')) {
			n = i;
			break;
		}
	}
	if (m->orig_content == NULL && n > limit) {
		for (i = limit; i > 0 && p[i - 1] != '\n'; i--)
			;
		n = i;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			*eight_bit_r = 1;
	if (buf_append(h, p, n) < 0)
		return 1;
	if (n > 0 && p[n - 1] != '\n')
		return buf_putc(h, '\n') < 0;
	return 0;
}

static int
contains(const struct buf *b, const char *needle)
{
	return memmem(b->data, b->len, needle, strlen(needle)) != NULL;
}

static int
validate(const struct dsn_msg *m, const char **error_r)
{
	size_t i;

	if (m->myhostname == NULL || !hostname_ok(m->myhostname))
		*error_r = "DSN: bad myhostname";
	else if (m->queue_id == NULL || !queue_id_ok(m->queue_id))
		*error_r = "DSN: bad queue ID";
	else if (m->sender == NULL || m->sender[0] == 0)
		*error_r = "DSN: no notification to the null sender";
	else if (m->nrcpt == 0 || m->rcpt == NULL)
		*error_r = "DSN: no recipients";
	else if ((m->orig_headers == NULL && m->orig_headers_len != 0) ||
	    (m->orig_content == NULL && m->orig_content_len != 0))
		*error_r = "DSN: no original headers";
	else
		*error_r = NULL;
	for (i = 0; *error_r == NULL && i < m->nrcpt; i++) {
		const struct dsn_rcpt *r = &m->rcpt[i];

		if (r->final == NULL || r->final[0] == 0)
			*error_r = "DSN: empty recipient address";
		else if (r->action == NULL || !action_ok(r->action))
			*error_r = "DSN: bad recipient action";
		else if (r->status == NULL || !status_ok(r->status))
			*error_r = "DSN: bad recipient status code";
		else if (r->orcpt != NULL && r->orcpt[0] != 0 &&
		    !has_diag_type(r->orcpt))
			*error_r = "DSN: bad original recipient type";
	}
	return *error_r == NULL ? 0 : -1;
}

int
dsn_build(const struct dsn_msg *m, struct buf *out, const char **error_r)
{
	struct buf text, status, headers, boundary;
	struct timeval now;
	struct tm tm;
	unsigned tries;
	int bad = 0, eight_bit;

	buf_reset(out);
	if (validate(m, error_r) < 0)
		return -1;
	buf_init(&text, DSN_PART_MAX);
	buf_init(&status, DSN_PART_MAX);
	buf_init(&headers, DSN_PART_MAX);
	buf_init(&boundary, 1024);
	bad |= build_text(m, &text);
	bad |= build_status(m, &status);
	bad |= build_headers(m, &headers, &eight_bit);
	gettimeofday(&now, NULL);
	/* A delimiter line must not occur inside any part (RFC 2046 5.1.1);
	 * a new counter value gives a new candidate. */
	for (tries = 0; tries < 100; tries++) {
		buf_reset(&boundary);
		bad |= buf_printf(&boundary, "%s.%lld.%ld.%u/%s", m->queue_id,
		    (long long)now.tv_sec, (long)getpid(), ++dsn_counter,
		    m->myhostname);
		/* RFC 2046 allows at most 70 characters. */
		buf_truncate(&boundary, DSN_BOUNDARY_MAX);
		if (!contains(&text, boundary.data) &&
		    !contains(&status, boundary.data) &&
		    !contains(&headers, boundary.data))
			break;
	}
	if (tries == 100)
		bad = 1;

	bad |= buf_printf(out,
	    "From: MAILER-DAEMON@%s (Mail Delivery System)\n"
	    "To: <",
	    m->myhostname);
	bad |= put_safe(out, m->sender);
	bad |= buf_printf(out, ">\nSubject: %s\nDate: ",
	    m->kind == DSN_KIND_DELAY ? "Delayed Mail (still being retried)"
		: m->kind == DSN_KIND_SUCCESS
		? "Successful Mail Delivery Report"
		: "Undelivered Mail Returned to "
		  "Sender");
	bad |= put_date(out, now.tv_sec);
	if (gmtime_r(&now.tv_sec, &tm) == NULL)
		bad = 1;
	else
		bad |= buf_printf(out,
		    "\nMessage-ID: <%04d%02d%02d%02d%02d%02d."
		    "%s.%ld.%u@%s>\n",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, m->queue_id, (long)getpid(),
		    dsn_counter, m->myhostname);
	bad |= buf_printf(out,
	    "Auto-Submitted: auto-replied\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"%s\"\n"
	    "Content-Transfer-Encoding: %s\n\n"
	    "This is a MIME-encapsulated message.\n\n",
	    boundary.data, eight_bit ? "8bit" : "7bit");
	bad |= buf_printf(out,
	    "--%s\nContent-Description: Notification\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n",
	    boundary.data);
	bad |= buf_append(out, text.data, text.len);
	bad |= buf_printf(out,
	    "\n--%s\nContent-Description: %s\n"
	    "Content-Type: message/delivery-status\n\n",
	    boundary.data, "Delivery report");
	bad |= buf_append(out, status.data, status.len);
	bad |= buf_printf(out,
	    "\n--%s\nContent-Description: %s\nContent-Type: %s\n",
	    boundary.data,
	    m->orig_content != NULL           ? "Undelivered Message"
		: m->kind == DSN_KIND_DELAY   ? "Delayed Message Headers"
		: m->kind == DSN_KIND_SUCCESS ? "Delivered Message Headers"
					      : "Undelivered Message Headers",
	    m->orig_content != NULL ? "message/rfc822" : "text/rfc822-headers");
	if (eight_bit)
		bad |= buf_puts(out, "Content-Transfer-Encoding: 8bit\n");
	bad |= buf_puts(out, "\n");
	bad |= buf_append(out, headers.data, headers.len);
	bad |= buf_printf(out, "\n--%s--\n", boundary.data);

	buf_deinit(&text);
	buf_deinit(&status);
	buf_deinit(&headers);
	buf_deinit(&boundary);
	if (bad) {
		buf_reset(out);
		*error_r = "DSN: message too large for its buffer";
		return -1;
	}
	return 0;
}
