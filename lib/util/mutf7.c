/* SPDX-License-Identifier: MIT */
/* mutf7 - IMAP modified UTF-7 (RFC 3501 5.1.3) to and from UTF-8. */
#include <stdint.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/mutf7.h"

#define ASCII_FIRST 0x20 /* printable US-ASCII: 0x20-0x7e */
#define ASCII_LAST 0x7e
#define SURROGATE_HIGH 0xd800
#define SURROGATE_LOW 0xdc00
#define SURROGATE_END 0xe000
#define UNICODE_BMP_END 0x10000
#define UNICODE_MAX 0x10ffff
#define UTF16_BITS 16
#define B64_BITS 6

static const char mbase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
fail(struct buf *out, size_t start, const char **error_r, const char *why)
{
	buf_truncate(out, start);
	*error_r = why;
	return -1;
}

/* The 6-bit value of c in the modified alphabet ("," for "/"), or -1. */
static int
mbase64_value(unsigned char c)
{
	if (c == ',')
		return 63;
	if (c == '/')
		return -1;
	return base64_value(c);
}

static int
is_printable(uint32_t c)
{
	return c >= ASCII_FIRST && c <= ASCII_LAST;
}

/* Append code point cp (valid, not a surrogate) as UTF-8. */
static int
put_utf8(struct buf *out, uint32_t cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < UNICODE_BMP_END) {
		s[0] = (char)(0xe0 | cp >> 12);
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | cp >> 18);
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, s, n);
}

static int
put_checked(struct buf *out, uint32_t cp, const char **why)
{
	if (put_utf8(out, cp) < 0) {
		*why = "name too long";
		return -1;
	}
	return 0;
}

/* The state of one shift sequence being decoded. */
struct shift {
	uint32_t acc;   /* bits not yet forming a UTF-16 unit */
	unsigned nbits; /* how many */
	uint32_t high;  /* a high surrogate waiting for its low one, or 0 */
};

/* Take one UTF-16 unit u of a shift sequence. Returns 0, or -1 with
 * *why set. */
static int
shift_unit(struct shift *s, uint32_t u, struct buf *out, const char **why)
{
	if (s->high != 0) {
		uint32_t cp;

		if (u < SURROGATE_LOW || u >= SURROGATE_END) {
			*why = "unpaired UTF-16 surrogate";
			return -1;
		}
		cp = UNICODE_BMP_END + ((s->high - SURROGATE_HIGH) << 10) +
		    (u - SURROGATE_LOW);
		s->high = 0;
		return put_checked(out, cp, why);
	}
	if (u >= SURROGATE_HIGH && u < SURROGATE_LOW) {
		s->high = u;
		return 0;
	}
	if (u >= SURROGATE_LOW && u < SURROGATE_END) {
		*why = "unpaired UTF-16 surrogate";
		return -1;
	}
	/* RFC 3501 5.1.3: printable US-ASCII represents itself, so an
	 * encoded one is a second spelling of the same name. */
	if (u == 0 || is_printable(u)) {
		*why = "encoded US-ASCII character";
		return -1;
	}
	return put_checked(out, u, why);
}

/* Decode the shift sequence that starts at in[*i] (after the "&") up to
 * and including its "-"; *i is moved past it. */
static int
decode_shift(const char *in, size_t len, size_t *i, struct buf *out,
    const char **why)
{
	struct shift s = { 0, 0, 0 };
	int v;

	for (; *i < len && (v = mbase64_value((unsigned char)in[*i])) >= 0;
	     (*i)++) {
		s.acc = s.acc << B64_BITS | (uint32_t)v;
		s.nbits += B64_BITS;
		if (s.nbits < UTF16_BITS)
			continue;
		s.nbits -= UTF16_BITS;
		if (shift_unit(&s, s.acc >> s.nbits, out, why) < 0)
			return -1;
		s.acc &= (1u << s.nbits) - 1;
	}
	if (*i >= len || in[*i] != '-') {
		*why = "\"&\" not followed by base64 ended by \"-\"";
		return -1;
	}
	/* A whole base64 character left over, or bits that are not zero:
	 * not the shortest encoding. Units < 1 fall here too. */
	if (s.nbits >= B64_BITS || s.acc != 0) {
		*why = "bad length of a base64 sequence";
		return -1;
	}
	if (s.high != 0) {
		*why = "unpaired UTF-16 surrogate";
		return -1;
	}
	(*i)++;
	return 0;
}

int
mutf7_to_utf8(const char *in, size_t len, struct buf *out, const char **error_r)
{
	size_t start = out->len, i = 0, shift_end = SIZE_MAX;
	const char *why = NULL;

	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		if (!is_printable(c))
			return fail(out, start, error_r,
			    "character outside printable US-ASCII");
		if (c != '&') {
			if (buf_putc(out, c) < 0)
				return fail(out, start, error_r,
				    "name too long");
			i++;
			continue;
		}
		if (i + 1 < len && in[i + 1] == '-') {
			if (buf_putc(out, '&') < 0)
				return fail(out, start, error_r,
				    "name too long");
			i += 2;
			continue;
		}
		/* Two sequences in a row must be written as one. */
		if (i == shift_end)
			return fail(out, start, error_r,
			    "adjacent base64 sequences");
		i++;
		if (decode_shift(in, len, &i, out, &why) < 0)
			return fail(out, start, error_r, why);
		shift_end = i;
	}
	return 0;
}

/* Read one code point of well-formed UTF-8 at in[*i] (RFC 3629 4),
 * moving *i past it. Returns it, or -1. */
static int32_t
utf8_next(const unsigned char *in, size_t len, size_t *i)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, UNICODE_BMP_END };
	unsigned char c = in[*i];
	size_t n, k;
	uint32_t cp;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return -1;
	if (len - *i < n)
		return -1;
	for (k = 1; k < n; k++) {
		if ((in[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (in[*i + k] & 0x3f);
	}
	if (cp < min[n] || cp > UNICODE_MAX ||
	    (cp >= SURROGATE_HIGH && cp < SURROGATE_END))
		return -1;
	*i += n;
	return (int32_t)cp;
}

/* The encoder's pending base64 bits. */
struct enc {
	uint32_t acc;
	unsigned nbits;
	int open; /* inside "&...-" */
};

static int
enc_unit(struct enc *e, uint32_t u, struct buf *out)
{
	e->acc = e->acc << UTF16_BITS | u;
	e->nbits += UTF16_BITS;
	while (e->nbits >= B64_BITS) {
		e->nbits -= B64_BITS;
		if (buf_putc(out, mbase64[(e->acc >> e->nbits) & 63]) < 0)
			return -1;
	}
	e->acc &= (1u << e->nbits) - 1;
	return 0;
}

/* End an open shift sequence: the last bits padded with zeros, "-". */
static int
enc_close(struct enc *e, struct buf *out)
{
	if (!e->open)
		return 0;
	if (e->nbits > 0 &&
	    buf_putc(out, mbase64[(e->acc << (B64_BITS - e->nbits)) & 63]) < 0)
		return -1;
	e->acc = 0;
	e->nbits = 0;
	e->open = 0;
	return buf_putc(out, '-');
}

static int
enc_char(struct enc *e, uint32_t cp, struct buf *out)
{
	if (is_printable(cp)) {
		if (enc_close(e, out) < 0)
			return -1;
		return cp == '&' ? buf_puts(out, "&-") : buf_putc(out, (int)cp);
	}
	if (!e->open) {
		if (buf_putc(out, '&') < 0)
			return -1;
		e->open = 1;
	}
	if (cp < UNICODE_BMP_END)
		return enc_unit(e, cp, out);
	cp -= UNICODE_BMP_END;
	if (enc_unit(e, SURROGATE_HIGH + (cp >> 10), out) < 0)
		return -1;
	return enc_unit(e, SURROGATE_LOW + (cp & 0x3ff), out);
}

int
mutf7_from_utf8(const char *in, size_t len, struct buf *out,
    const char **error_r)
{
	const unsigned char *p = (const unsigned char *)in;
	struct enc e = { 0, 0, 0 };
	size_t start = out->len, i = 0;

	while (i < len) {
		int32_t cp = utf8_next(p, len, &i);

		if (cp <= 0)
			return fail(out, start, error_r,
			    cp == 0 ? "NUL in name" : "invalid UTF-8");
		if (enc_char(&e, (uint32_t)cp, out) < 0)
			return fail(out, start, error_r, "name too long");
	}
	if (enc_close(&e, out) < 0)
		return fail(out, start, error_r, "name too long");
	return 0;
}
