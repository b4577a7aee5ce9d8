/* SPDX-License-Identifier: MIT */
/* mime_word - RFC 2047 encoded words in a header value, to UTF-8 (the
 * charsets through charset.h). */
#include <string.h>
#include <strings.h>

#include "mail/charset.h"
#include "mail/mime.h"
#include "util/buf.h"
#include "util/hex.h"

/* Append the n bytes at p as UTF-8, invalid sequences as U+FFFD. */
static int
utf8_clean(const void *p, size_t n, struct buf *out)
{
	return n == 0 ? 0 : charset_to_utf8("utf-8", 5, p, n, out);
}

/* Append the n bytes at p, words' bytes in charset cs (cs_len bytes). */
static int
flush(const char *cs, size_t cs_len, struct buf *raw, struct buf *out)
{
	int rc = 0;

	if (raw->len > 0)
		rc = charset_to_utf8(cs, cs_len, raw->data, raw->len, out);
	buf_reset(raw);
	return rc < 0 ? -1 : 0;
}

struct word {
	size_t len;     /* the whole "=?...?=" */
	const char *cs; /* the charset's name, without "*language" */
	size_t cs_len;
	int known;
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
	w->cs = p + cs_start;
	w->cs_len = cs_end - cs_start;
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
	w->known = charset_lookup(w->cs, w->cs_len) != CHARSET_UNKNOWN;
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
	const char *cs = "us-ascii";
	size_t cs_len = 8, i = 0, text = 0;
	int rc = 0, after_word = 0;

	buf_init(&raw, out->max > 0 ? out->max : 1);
	while (i < n) {
		struct word w;
		const char *gap = in + text;
		size_t gap_len = i - text;

		if (in[i] != '=' || !word_parse(in + i, n - i, &w)) {
			i++;
			continue;
		}
		if (!(after_word && all_wsp(gap, gap_len))) {
			/* 6.2: only white space between words goes. */
			rc |= flush(cs, cs_len, &raw, out);
			rc |= utf8_clean(gap, gap_len, out);
		}
		if (!w.known) {
			rc |= flush(cs, cs_len, &raw, out);
			rc |= utf8_clean(in + i, w.len, out);
			after_word = 0;
		} else {
			if (w.cs_len != cs_len ||
			    strncasecmp(w.cs, cs, cs_len) != 0)
				rc |= flush(cs, cs_len, &raw, out);
			cs = w.cs;
			cs_len = w.cs_len;
			rc |= word_bytes(&w, &raw);
			after_word = 1;
		}
		i += w.len;
		text = i;
	}
	rc |= flush(cs, cs_len, &raw, out);
	rc |= utf8_clean(in + text, n - text, out);
	buf_deinit(&raw);
	return rc < 0 ? -1 : 0;
}
