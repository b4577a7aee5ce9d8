/* SPDX-License-Identifier: MIT */
/* mime_decode - streaming base64 and quoted-printable body decoders. */
#include <string.h>
#include <strings.h>

#include "mail/mime.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/hex.h"

enum qp_state {
	QP_TEXT,
	QP_EQ,     /* after "=" */
	QP_EQ_HEX, /* after "=" and a hex digit (in bits) */
	QP_EQ_WS,  /* after "=" and white space (in hold) */
	QP_EQ_CR,  /* after "=", maybe white space, and a CR */
};

enum mime_encoding
mime_encoding_get(const char *cte)
{
	if (cte == NULL)
		return MIME_ENC_IDENTITY;
	if (strcasecmp(cte, "base64") == 0)
		return MIME_ENC_BASE64;
	if (strcasecmp(cte, "quoted-printable") == 0)
		return MIME_ENC_QP;
	return MIME_ENC_IDENTITY;
}

void
mime_decoder_init(struct mime_decoder *d, enum mime_encoding enc)
{
	memset(d, 0, sizeof(*d));
	d->enc = enc;
}

static int
b64_feed(struct mime_decoder *d, const unsigned char *p, size_t n,
    struct buf *out)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < n && d->state == 0; i++) {
		int v;

		if (p[i] == '=') {
			d->state = 1; /* padding: the data has ended */
			break;
		}
		if ((v = base64_value(p[i])) < 0)
			continue;
		d->bits = d->bits << 6 | (unsigned)v;
		if (++d->nbits == 4) {
			unsigned char o[3] = { (unsigned char)(d->bits >> 16),
				(unsigned char)(d->bits >> 8),
				(unsigned char)d->bits };

			if (buf_append(out, o, 3) < 0)
				rc = -1;
			d->bits = 0;
			d->nbits = 0;
		}
	}
	return rc;
}

static int
b64_finish(struct mime_decoder *d, struct buf *out)
{
	unsigned char o[2];
	int rc = 0;

	/* Two sextets make one byte, three make two; one makes nothing. */
	if (d->nbits == 2) {
		o[0] = (unsigned char)(d->bits >> 4);
		rc = buf_append(out, o, 1);
	} else if (d->nbits == 3) {
		o[0] = (unsigned char)(d->bits >> 10);
		o[1] = (unsigned char)(d->bits >> 2);
		rc = buf_append(out, o, 2);
	}
	d->bits = d->nbits = 0;
	d->state = 1;
	return rc;
}

static int
put(struct buf *out, const void *p, size_t n)
{
	return buf_append(out, p, n);
}

/* Emit held white space (it did not end a line). */
static int
qp_flush_hold(struct mime_decoder *d, struct buf *out)
{
	int rc = put(out, d->hold, d->nhold);

	d->nhold = 0;
	return rc;
}

static int
qp_byte(struct mime_decoder *d, unsigned char c, struct buf *out)
{
	int rc = 0, h;

again:
	switch (d->state) {
	case QP_TEXT:
		if (d->cr && c != '\n') {
			rc |= qp_flush_hold(d, out);
			rc |= put(out, "\r", 1);
			d->cr = 0;
		}
		if (c == '\n') {
			/* RFC 2045 6.7 (3): white space before a line break
			 * is transport padding. */
			d->nhold = 0;
			rc |= put(out, d->cr ? "\r\n" : "\n", d->cr ? 2 : 1);
			d->cr = 0;
		} else if (c == '\r')
			d->cr = 1;
		else if (c == ' ' || c == '\t') {
			if (d->nhold == sizeof(d->hold))
				rc |= qp_flush_hold(d, out);
			d->hold[d->nhold++] = (char)c;
		} else {
			rc |= qp_flush_hold(d, out);
			if (c == '=')
				d->state = QP_EQ;
			else
				rc |= put(out, &c, 1);
		}
		break;
	case QP_EQ:
		if (hex_value(c) >= 0) {
			d->bits = c; /* the digit as written */
			d->state = QP_EQ_HEX;
		} else if (c == '\n')
			d->state = QP_TEXT; /* soft line break */
		else if (c == '\r')
			d->state = QP_EQ_CR;
		else if (c == ' ' || c == '\t') {
			d->hold[d->nhold++] = (char)c;
			d->state = QP_EQ_WS;
		} else {
			rc |= put(out, "=", 1);
			d->state = QP_TEXT;
			goto again;
		}
		break;
	case QP_EQ_HEX:
		d->state = QP_TEXT;
		if ((h = hex_value(c)) >= 0) {
			unsigned char o =
			    (unsigned char)(hex_value((int)d->bits) << 4 | h);

			rc |= put(out, &o, 1);
			break;
		} else {
			char o[2] = { '=', (char)d->bits };

			/* Pass "=X" through as written. */
			rc |= put(out, o, 2);
			goto again;
		}
	case QP_EQ_WS:
		if (c == ' ' || c == '\t') {
			if (d->nhold == sizeof(d->hold)) {
				rc |= put(out, "=", 1);
				rc |= qp_flush_hold(d, out);
				d->state = QP_TEXT;
				goto again;
			}
			d->hold[d->nhold++] = (char)c;
		} else if (c == '\n') {
			d->nhold = 0;
			d->state = QP_TEXT;
		} else if (c == '\r')
			d->state = QP_EQ_CR;
		else {
			rc |= put(out, "=", 1);
			rc |= qp_flush_hold(d, out);
			d->state = QP_TEXT;
			goto again;
		}
		break;
	case QP_EQ_CR:
		if (c == '\n') {
			d->nhold = 0;
			d->state = QP_TEXT;
		} else {
			rc |= put(out, "=", 1);
			rc |= qp_flush_hold(d, out);
			rc |= put(out, "\r", 1);
			d->state = QP_TEXT;
			goto again;
		}
		break;
	}
	return rc;
}

static int
qp_finish(struct mime_decoder *d, struct buf *out)
{
	int rc = 0;

	switch (d->state) {
	case QP_TEXT:
		/* Trailing white space at the end of the body is padding
		 * too; a lone CR stays. */
		if (d->cr)
			rc |= put(out, "\r", 1);
		break;
	case QP_EQ:
	case QP_EQ_WS:
	case QP_EQ_CR:
		/* "=" at the very end: a soft break before nothing. */
		break;
	case QP_EQ_HEX: {
		char o[2] = { '=', (char)d->bits };

		rc |= put(out, o, 2);
		break;
	}
	}
	d->state = QP_TEXT;
	d->nhold = 0;
	d->cr = 0;
	return rc;
}

int
mime_decoder_feed(struct mime_decoder *d, const void *in, size_t n,
    struct buf *out)
{
	const unsigned char *p = in;
	int rc = 0;
	size_t i;

	switch (d->enc) {
	case MIME_ENC_BASE64:
		return b64_feed(d, p, n, out);
	case MIME_ENC_QP:
		for (i = 0; i < n; i++)
			rc |= qp_byte(d, p[i], out);
		return rc < 0 ? -1 : 0;
	case MIME_ENC_IDENTITY:
		break;
	}
	return buf_append(out, p, n);
}

int
mime_decoder_finish(struct mime_decoder *d, struct buf *out)
{
	switch (d->enc) {
	case MIME_ENC_BASE64:
		return b64_finish(d, out);
	case MIME_ENC_QP:
		return qp_finish(d, out) < 0 ? -1 : 0;
	case MIME_ENC_IDENTITY:
		break;
	}
	return 0;
}
