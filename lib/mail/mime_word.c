/* SPDX-License-Identifier: MIT */
/* mime_word - RFC 2047 encoded words in a header value, to UTF-8. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail/mime.h"
#include "util/buf.h"
#include "util/hex.h"

enum charset {
	CS_UNKNOWN,
	CS_ASCII,
	CS_UTF8,
	CS_LATIN1,
	CS_CP1252,
};

#define CHARSET_NAME_MAX 64

/* windows-1252 0x80-0x9F; 0xFFFD where it has no character. */
static const uint16_t cp1252[32] = {
	0x20AC,
	0xFFFD,
	0x201A,
	0x0192,
	0x201E,
	0x2026,
	0x2020,
	0x2021,
	0x02C6,
	0x2030,
	0x0160,
	0x2039,
	0x0152,
	0xFFFD,
	0x017D,
	0xFFFD,
	0xFFFD,
	0x2018,
	0x2019,
	0x201C,
	0x201D,
	0x2022,
	0x2013,
	0x2014,
	0x02DC,
	0x2122,
	0x0161,
	0x203A,
	0x0153,
	0xFFFD,
	0x017E,
	0x0178,
};

static const struct {
	const char *name;
	enum charset cs;
} charsets[] = {
	{ "us-ascii", CS_ASCII },
	{ "ascii", CS_ASCII },
	{ "utf-8", CS_UTF8 },
	{ "utf8", CS_UTF8 },
	{ "iso-8859-1", CS_LATIN1 },
	{ "iso8859-1", CS_LATIN1 },
	{ "iso_8859-1", CS_LATIN1 },
	{ "latin1", CS_LATIN1 },
	{ "windows-1252", CS_CP1252 },
	{ "cp1252", CS_CP1252 },
};

static enum charset
charset_get(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++)
		if (strlen(charsets[i].name) == n &&
		    strncasecmp(charsets[i].name, p, n) == 0)
			return charsets[i].cs;
	return CS_UNKNOWN;
}

static int
put_cp(struct buf *out, unsigned cp)
{
	unsigned char o[3];

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return buf_append(out, o, 1);
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return buf_append(out, o, 2);
	}
	o[0] = (unsigned char)(0xE0 | cp >> 12);
	o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp & 0x3F));
	return buf_append(out, o, 3);
}

/* The length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned cp, min;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2;
		cp = p[0] & 0x1F;
		min = 0x80;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		cp = p[0] & 0x0F;
		min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* Append the n bytes at p, in charset cs, as UTF-8. */
static int
convert(enum charset cs, const unsigned char *p, size_t n, struct buf *out)
{
	int rc = 0;
	size_t i, len;

	for (i = 0; i < n; i += len) {
		len = 1;
		if (p[i] < 0x80) {
			rc |= buf_putc(out, p[i]);
			continue;
		}
		switch (cs) {
		case CS_LATIN1:
			rc |= put_cp(out, p[i]);
			break;
		case CS_CP1252:
			rc |= put_cp(out,
			    p[i] < 0xA0 ? cp1252[p[i] - 0x80] : p[i]);
			break;
		case CS_UTF8:
		case CS_ASCII:
		case CS_UNKNOWN:
			if (cs == CS_ASCII ||
			    (len = utf8_seq(p + i, n - i)) == 0) {
				len = 1;
				rc |= put_cp(out, 0xFFFD);
			} else
				rc |= buf_append(out, p + i, len);
			break;
		}
	}
	return rc < 0 ? -1 : 0;
}

int
mime_charset_to_utf8(const char *charset, const void *p, size_t n,
    struct buf *out)
{
	enum charset cs = charset_get(charset, strlen(charset));

	/* Single-byte charsets only: any cut of the text converts alone. */
	if (cs != CS_LATIN1 && cs != CS_CP1252)
		return 1;
	return convert(cs, p, n, out);
}

struct word {
	size_t len; /* the whole "=?...?=" */
	enum charset cs;
	int b; /* B, else Q */
	const char *text;
	size_t text_len;
};

/* An encoded word at p (n bytes): =?charset[*lang]?B|Q?text?= where text
 * holds no "?" or white space, so that a failed try stops at the next
 * "?" and the whole scan stays linear. */
static int
word_parse(const char *p, size_t n, struct word *w)
{
	size_t i = 2, cs_start = 2, cs_end;

	if (n < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	while (i < n && p[i] != '?' && i - cs_start <= CHARSET_NAME_MAX &&
	    p[i] != ' ' && p[i] != '\t')
		i++;
	if (i >= n || p[i] != '?' || i == cs_start)
		return 0;
	cs_end = i;
	/* RFC 2231 5: charset*language */
	{
		const char *star = memchr(p + cs_start, '*', cs_end - cs_start);

		if (star != NULL)
			cs_end = (size_t)(star - p);
	}
	w->cs = charset_get(p + cs_start, cs_end - cs_start);
	i++;
	if (i + 1 >= n || p[i + 1] != '?')
		return 0;
	if (p[i] == 'B' || p[i] == 'b')
		w->b = 1;
	else if (p[i] == 'Q' || p[i] == 'q')
		w->b = 0;
	else
		return 0;
	i += 2;
	w->text = p + i;
	while (i < n && p[i] != '?' && p[i] != ' ' && p[i] != '\t')
		i++;
	if (i + 1 >= n || p[i] != '?' || p[i + 1] != '=')
		return 0;
	w->text_len = (size_t)(p + i - w->text);
	w->len = i + 2;
	return 1;
}

/* Append the bytes word w encodes to raw. Returns 0, or -1 when raw's
 * maximum cut them. */
static int
word_bytes(const struct word *w, struct buf *raw)
{
	const char *t = w->text;
	size_t i;
	int rc = 0;

	if (w->b) {
		struct mime_decoder d;

		mime_decoder_init(&d, MIME_ENC_BASE64);
		rc |= mime_decoder_feed(&d, t, w->text_len, raw);
		rc |= mime_decoder_finish(&d, raw);
		return rc;
	}
	for (i = 0; i < w->text_len; i++) {
		int h, l;

		if (t[i] == '_')
			rc |= buf_putc(raw, ' ');
		else if (t[i] == '=' && i + 2 < w->text_len &&
		    (h = hex_value((unsigned char)t[i + 1])) >= 0 &&
		    (l = hex_value((unsigned char)t[i + 2])) >= 0) {
			rc |= buf_putc(raw, h << 4 | l);
			i += 2;
		} else
			rc |= buf_putc(raw, (unsigned char)t[i]);
	}
	return rc;
}

static int
all_wsp(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

int
mime_word_decode(const char *in, size_t n, struct buf *out)
{
	struct buf raw; /* bytes of adjacent words in one charset */
	enum charset cs = CS_UNKNOWN;
	size_t i = 0, text = 0;
	int rc = 0, after_word = 0;

	buf_init(&raw, out->max > 0 ? out->max : 1);
	while (i < n) {
		struct word w;
		const unsigned char *gap = (const unsigned char *)in + text;
		size_t gap_len = i - text;

		if (in[i] != '=' || !word_parse(in + i, n - i, &w)) {
			i++;
			continue;
		}
		if (!(after_word && all_wsp(in + text, gap_len))) {
			/* 6.2: only white space between words goes. */
			rc |= convert(cs, (unsigned char *)raw.data, raw.len,
			    out);
			buf_reset(&raw);
			rc |= convert(CS_UTF8, gap, gap_len, out);
		}
		if (w.cs == CS_UNKNOWN) {
			rc |= convert(cs, (unsigned char *)raw.data, raw.len,
			    out);
			buf_reset(&raw);
			rc |= convert(CS_UTF8, (const unsigned char *)in + i,
			    w.len, out);
			after_word = 0;
		} else {
			if (w.cs != cs) {
				rc |= convert(cs, (unsigned char *)raw.data,
				    raw.len, out);
				buf_reset(&raw);
			}
			cs = w.cs;
			rc |= word_bytes(&w, &raw);
			after_word = 1;
		}
		i += w.len;
		text = i;
	}
	rc |= convert(cs, (unsigned char *)raw.data, raw.len, out);
	rc |= convert(CS_UTF8, (const unsigned char *)in + text, n - text, out);
	buf_deinit(&raw);
	return rc < 0 ? -1 : 0;
}
