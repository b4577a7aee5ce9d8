/* SPDX-License-Identifier: MIT */
/* smtpd_dot - DATA transparency, line ends and size as a byte machine. */
#include <stddef.h>

#include "util/buf.h"

#include "smtpd_dot.h"

/* Where we are. A line that follows CRLF (or the 354) is "clean": only
 * there can a "." stuff or end the data. */
enum {
	DOT_BOL,      /* start of a clean line */
	DOT_BOL_BARE, /* start of a line after a bare LF */
	DOT_MID,      /* inside a line */
	DOT_CR,       /* a CR held back: CRLF or bare CR? */
	DOT_DOT,      /* "." at the start of a clean line */
	DOT_DOT_CR,   /* "." CR at the start of a clean line */
};

void
smtpd_dot_init(struct smtpd_dot *d)
{
	d->state = DOT_BOL;
	d->raw = 0;
	d->octets = 0;
}

void
smtpd_dot_init_raw(struct smtpd_dot *d)
{
	smtpd_dot_init(d);
	d->raw = 1;
}

/* Content out: each byte stored is one octet on the wire. */
static void
emit(struct smtpd_dot *d, struct buf *out, const char *p, size_t n)
{
	(void)buf_append(out, p, n);
	d->octets += (long long)n;
}

size_t
smtpd_dot_feed(struct smtpd_dot *d, const char *p, size_t n, struct buf *out,
    int *done_r)
{
	size_t i;

	*done_r = 0;
	for (i = 0; i < n; i++) {
		char c = p[i];

again:
		switch (d->state) {
		case DOT_DOT:
			if (c == '\r') {
				d->state = DOT_DOT_CR;
				continue;
			}
			/* The dot was stuffing: drop it, take c as
			 * content (a second "." included). */
			d->state = DOT_MID;
			goto again;
		case DOT_DOT_CR:
			if (c == '\n') {
				*done_r = 1;
				return i + 1;
			}
			/* "." then a bare CR: the dot was stuffing and the
			 * CR is content, held like any other. */
			d->state = DOT_CR;
			goto again;
		case DOT_CR:
			if (c == '\n') {
				/* CRLF: stored as LF, two octets. */
				emit(d, out, "\n", 1);
				d->octets++; /* the CR */
				d->state = DOT_BOL;
				continue;
			}
			emit(d, out, "\r", 1);
			d->state = DOT_MID;
			goto again;
		case DOT_BOL:
			/* Raw (BDAT): a "." is content like any byte. */
			if (c == '.' && !d->raw) {
				d->state = DOT_DOT;
				continue;
			}
			/* FALLTHROUGH */
		default:
			if (c == '\r') {
				d->state = DOT_CR;
			} else if (c == '\n') {
				emit(d, out, "\n", 1);
				d->state = DOT_BOL_BARE;
			} else {
				/* The common case: a run of plain bytes
				 * goes out in one append. */
				size_t j = i + 1;

				while (j < n && p[j] != '\r' && p[j] != '\n')
					j++;
				emit(d, out, p + i, j - i);
				i = j - 1;
				d->state = DOT_MID;
			}
			break;
		}
	}
	return n;
}

void
smtpd_dot_finish(struct smtpd_dot *d, struct buf *out)
{
	/* A bare CR at the very end is content, one octet, as it would be
	 * before any byte but LF. */
	if (d->state == DOT_CR) {
		emit(d, out, "\r", 1);
		d->state = DOT_MID;
	}
}
