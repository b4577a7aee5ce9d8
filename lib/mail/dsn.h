/* dsn - RFC 3464 delivery status notifications (bounces, delay warnings,
 * success reports). dsn_build writes one complete message, headers and
 * body, with LF line endings, ready to be queued like any other mail from
 * MAILER-DAEMON: a multipart/report; report-type=delivery-status with
 * three parts, a text/plain explanation for people, the
 * message/delivery-status report (Original-Envelope-Id when the sender
 * gave an ENVID, Reporting-MTA, X-Tern-Queue-ID, Arrival-Date, then one
 * field group per recipient) and the original message: whole as
 * message/rfc822 when the caller passes its content (a bounce without
 * RET=HDRS, RFC 3461 4.3), else its headers as text/rfc822-headers, cut
 * at a limit on a line boundary. The boundary is chosen not to occur
 * anywhere in the text it encloses.
 *
 * Peer text (addresses, diagnostics from remote servers) is made safe for a
 * header field: control characters become spaces, non-ASCII bytes become
 * '?', and a field value is cut at DSN_FIELD_MAX bytes, so no input can
 * forge a header line or a part boundary. Nothing is kept between calls
 * except a counter that makes Message-IDs and boundaries unique within the
 * process (not thread-safe). Errors are static text; nothing is fatal. */
#ifndef TERN_MAIL_DSN_H
#define TERN_MAIL_DSN_H

#include <stddef.h>
#include <sys/time.h>

struct buf;

/* Default cap on the original headers quoted in part 3. */
#define DSN_HEADER_LIMIT (32 * 1024)
/* Longest value of one report field (well under RFC 5322's 998). */
#define DSN_FIELD_MAX 900

/* One recipient in the report. final is required; the Original-Recipient
 * is orcpt when given (the sender's ORCPT as stored, "type;address"),
 * else orig (the address the sender gave, bare, reported as rfc822) when
 * non-NULL, non-empty and different from final;
 * action is "failed", "delayed", "delivered", "relayed" or "expanded";
 * status an enhanced status code "c.s.d" with class 2, 4 or 5; diag (may be
 * NULL) "x-tern; text" or "smtp; 550 ..." (a value without "type;" is given
 * "x-tern; " in front); remote_mta (may be NULL) the host name of the
 * server whose reply diag holds, reported as "Remote-MTA: dns; name". */
struct dsn_rcpt {
	const char *final;
	const char *orig;
	const char *action;
	const char *status;
	const char *diag;
	const char *orcpt;
	const char *remote_mta; /* the next hop that replied, or NULL */
	const char *reason;     /* for people (part 1), or NULL: diag */
};

/* What the notification reports. */
enum dsn_kind {
	DSN_KIND_FAILURE, /* "Undelivered Mail Returned to Sender" */
	DSN_KIND_DELAY,   /* a warning: still being retried */
	DSN_KIND_SUCCESS, /* delivered or relayed (NOTIFY=SUCCESS) */
};

/* The notification. myhostname: letters, digits, '.', '-', '_'; queue_id:
 * the original message's ID (letters and digits); sender: the original
 * sender, to whom the report goes (not the null sender); envid: the
 * sender's ENVID (decoded) or NULL; orig_headers: the original headers as
 * received (orig_headers_len bytes, may be NULL when 0), quoted up to the
 * first empty line and cut at header_limit bytes (0 = DSN_HEADER_LIMIT);
 * orig_content: the whole original message (orig_content_len bytes) to
 * return instead of its headers, or NULL. */
struct dsn_msg {
	const char *myhostname;
	const char *queue_id;
	const char *sender;
	const char *envid;
	struct timeval arrival;
	enum dsn_kind kind;
	const char *orig_headers;
	size_t orig_headers_len;
	size_t header_limit;
	const char *orig_content;
	size_t orig_content_len;
	const struct dsn_rcpt *rcpt;
	size_t nrcpt;
};

/* Replace the contents of out with the notification message. Returns 0, or
 * -1 with *error_r set (static text) for a bad field in m (see above) or
 * when the message does not fit in out's maximum; out is then empty. */
int dsn_build(const struct dsn_msg *m, struct buf *out, const char **error_r);

#endif
