/* smtpd_dot - the DATA receiver's byte machine: end of data, dot-stuffing,
 * line ends, and the RFC 1870 message size.
 * The caller feeds the bytes that follow the 354 reply in pieces of any
 * size, cut anywhere; the output and the count do not depend on where the
 * pieces were cut (a CR or a dot that may start something is held in the
 * state, never in the caller's buffer). Output is the message content as
 * it is stored: a CRLF becomes LF, a bare LF stays LF, a bare CR stays CR,
 * and a leading "." of a line is removed. RFC 5321 4.1.1.4 and 4.5.2: the
 * end of data is CRLF "." CRLF only, so the "." line must follow a CRLF
 * (or the 354) and end in CRLF: "\n.\n", "\n.\r\n" and "\r\n.\n" are
 * content, which is what stops SMTP smuggling (CVE-2023-51764). A "." at
 * the start of a line after a bare LF is content too, not stuffing.
 * In raw mode (BDAT, RFC 3030 section 2) there is no end marker and no
 * transparency: every octet is content, a "." included, and only the line
 * ends are stored as above, so that DATA and BDAT store one message the
 * same way (a CRLF cut between two chunks included: the CR is held).
 * The machine is an embedded object without resources: smtpd_dot_init
 * or smtpd_dot_init_raw only; nothing here fails or logs. */
#ifndef TERN_SMTPD_DOT_H
#define TERN_SMTPD_DOT_H

#include <stddef.h>

struct buf;

struct smtpd_dot {
	int state;        /* private: where in a line we are */
	int raw;          /* private: BDAT, no end marker, no stuffing */
	long long octets; /* RFC 1870 size so far */
};

/* Start before the first byte after the 354 reply. Never fails. */
void smtpd_dot_init(struct smtpd_dot *d);
/* Start before the first octet of a BDAT message (raw mode): feeding
 * never ends the data, and d->octets counts every octet fed but a CR
 * still held (smtpd_dot_finish counts that one). Never fails. */
void smtpd_dot_init_raw(struct smtpd_dot *d);

/* Take up to n bytes of p and append the content they complete to out
 * (at most n + 1 bytes: the caller makes room for that, else the excess
 * is dropped silently). Returns the number of bytes used: n, or fewer when
 * the end of data was reached, after which *done_r is 1 and the bytes
 * not used belong to whatever follows DATA (pipelined commands).
 *
 * The size counted in d->octets is RFC 1870's (section 3, "SIZE"): the
 * octets the client sends after the 354, with each CRLF counted as two,
 * but not the terminating "." CRLF nor the dots added for transparency.
 * It is therefore the size of the message after dot-unstuffing, as
 * Postfix counts it, and it is exact whatever the cuts. */
size_t smtpd_dot_feed(struct smtpd_dot *d, const char *p, size_t n,
    struct buf *out, int *done_r);

/* At the end of a raw message (BDAT LAST): append the content still held
 * (a CR that no LF followed: at most one byte). Never fails. */
void smtpd_dot_finish(struct smtpd_dot *d, struct buf *out);

#endif
