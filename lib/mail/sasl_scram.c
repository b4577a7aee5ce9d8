/* SPDX-License-Identifier: MIT */
/* sasl_scram - SCRAM client messages (RFC 5802 7, RFC 7677). */
#include <string.h>

#include "mail/sasl_scram.h"
#include "util/buf.h"

/* Decode a saslname (RFC 5802 5.1: "=2C" is ',', "=3D" is '=', any other
 * '=' is an error, and so are NUL and an empty name) of n bytes. */
static int
saslname(const char *p, size_t n, struct buf *out)
{
	size_t i;
	int c;

	buf_reset(out);
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c == '\0' || c == ',')
			return -1;
		if (c == '=') {
			if (n - i < 3)
				return -1;
			if (p[i + 1] == '2' && p[i + 2] == 'C')
				c = ',';
			else if (p[i + 1] == '3' && p[i + 2] == 'D')
				c = '=';
			else
				return -1;
			i += 2;
		}
		if (buf_putc(out, c) < 0)
			return -1;
	}
	return 0;
}

/* The next ','-separated field of [*p, end): its start and length. */
static const char *
field(const char **p, const char *end, size_t *len_r)
{
	const char *s = *p, *comma = memchr(s, ',', (size_t)(end - s));

	*len_r = (size_t)((comma != NULL ? comma : end) - s);
	*p = comma != NULL ? comma + 1 : end;
	return s;
}

int
sasl_scram_client_first(const char *msg, size_t len, struct sasl_scram_first *r,
    struct buf *authzid_r, struct buf *user_r, const char **error_r)
{
	const char *p = msg, *end = msg + len, *f;
	size_t n, i;

	memset(r, 0, sizeof(*r));
	buf_reset(authzid_r);
	f = field(&p, end, &n);
	if (n == 1 && (*f == 'n' || *f == 'y'))
		r->cbind = *f;
	else if (n >= 2 && f[0] == 'p' && f[1] == '=') {
		*error_r = "channel binding not supported";
		return -1;
	} else
		goto bad;
	if (p == end)
		goto bad;
	f = field(&p, end, &n);
	if (n > 0) {
		if (n < 3 || f[0] != 'a' || f[1] != '=' ||
		    saslname(f + 2, n - 2, authzid_r) < 0)
			goto bad;
	}
	if (p == end)
		goto bad;
	r->bare_off = (size_t)(p - msg);
	f = field(&p, end, &n);
	if (n >= 2 && f[0] == 'm' && f[1] == '=') {
		*error_r = "mandatory SCRAM extension not supported";
		return -1;
	}
	if (n < 3 || f[0] != 'n' || f[1] != '=' ||
	    saslname(f + 2, n - 2, user_r) < 0)
		goto bad;
	f = field(&p, end, &n);
	if (n < 3 || f[0] != 'r' || f[1] != '=')
		goto bad;
	/* c-nonce: printable ASCII except ',' (RFC 5802 7). */
	for (i = 2; i < n; i++)
		if (f[i] < 0x21 || f[i] > 0x7e)
			goto bad;
	r->nonce = f + 2;
	r->nonce_len = n - 2;
	/* Optional extensions after the nonce are ignored (RFC 5802 5.1). */
	return 0;
bad:
	*error_r = "malformed SCRAM client-first-message";
	return -1;
}
