/* SPDX-License-Identifier: MIT */
/* base64 - strict RFC 4648 base64 encode and decode. */
#include <stdint.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t
base64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0), len;

	if (__builtin_mul_overflow(groups, (size_t)4, &len))
		return SIZE_MAX;
	return len;
}

int
base64_encode(const void *p, size_t n, struct buf *out)
{
	const unsigned char *in = p;
	size_t need = base64_encoded_len(n), total, i;
	char q[4];
	uint32_t v;

	/* Check the whole size first so that a refusal appends nothing. */
	if (need == SIZE_MAX ||
	    __builtin_add_overflow(out->len, need, &total) || total > out->max)
		return -1;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		q[0] = alphabet[v >> 18];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = alphabet[(v >> 6) & 63];
		q[3] = alphabet[v & 63];
		(void)buf_append(out, q, 4);
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		q[0] = alphabet[v >> 18];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = q[3] = '=';
		(void)buf_append(out, q, 4);
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		q[0] = alphabet[v >> 18];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = alphabet[(v >> 6) & 63];
		q[3] = '=';
		(void)buf_append(out, q, 4);
	}
	return 0;
}

int
base64_decode(const char *text, size_t len, struct buf *out,
    const char **error_r)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t start = out->len, i, pad = 0, total;
	unsigned char b[3];
	uint32_t v;
	int k, d;

	if (len % 4 != 0) {
		*error_r = "base64 length is not a multiple of 4";
		return -1;
	}
	if (len > 0 && s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	/* UNSAFE: pad > 0 only when len >= 4, so len / 4 * 3 - pad >= 1. */
	if (__builtin_add_overflow(out->len, len / 4 * 3 - pad, &total) ||
	    total > out->max) {
		*error_r = "base64 data too long";
		return -1;
	}
	for (i = 0; i < len; i += 4) {
		v = 0;
		for (k = 0; k < 4; k++) {
			/* '=' only in the pad positions of the last group. */
			if (i + 4 == len && k >= 4 - (int)pad)
				d = 0;
			else if ((d = base64_value(s[i + k])) < 0)
				goto bad;
			v = v << 6 | (uint32_t)d;
		}
		b[0] = (unsigned char)(v >> 16);
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)v;
		if (i + 4 == len && pad > 0) {
			/* RFC 4648 3.5: the bits beyond the data must be
			 * zero, else two texts would decode alike. */
			if ((pad == 1 && b[2] != 0) ||
			    (pad == 2 && (b[1] != 0 || b[2] != 0)))
				goto bad;
			(void)buf_append(out, b, 3 - pad);
		} else
			(void)buf_append(out, b, 3);
	}
	return 0;
bad:
	buf_truncate(out, start);
	*error_r = "invalid base64";
	return -1;
}
