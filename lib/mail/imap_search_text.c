/* SPDX-License-Identifier: MIT */
/* imap_search_text - what SEARCH's text and date keys need: case-folded
 * KMP substring search streamed over headers and decoded bodies, and the
 * RFC 3501 and RFC 5322 date parsers. See imap_search_impl.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail/charset.h"
#include "mail/imap_search_impl.h"
#include "mail/mime.h"
#include "util/buf.h"
#include "util/mem.h"

/* --- case folding --- */

/* The simple lower case of a two-byte UTF-8 code point (U+0080..U+07FF),
 * for the alphabets whose capitals fold within two bytes: Latin-1,
 * Greek, Cyrillic. Every result stays in two bytes. */
static unsigned
fold_cp(unsigned cp)
{
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 0x20; /* À..Þ but × */
	if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
		return cp + 0x20; /* Α..Ω */
	if (cp == 0x3C2)
		return 0x3C3; /* final sigma */
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 0x20; /* А..Я */
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50; /* Ѐ..Џ */
	return cp;
}

/* The lead bytes of the code points fold_cp() may change. */
static int
is_fold_lead(unsigned c)
{
	return c == 0xC3 || c == 0xCE || c == 0xCF || c == 0xD0 || c == 0xD1;
}

/* A fold sink: the folded bytes go to a needle being built, or to a scan. */
struct fold_out {
	struct imap_search_scan *sc;
	unsigned char *pat;
	size_t len;
};

static void
scan_byte(struct imap_search_scan *sc, unsigned char c)
{
	const struct imap_search_needle *n = sc->n;

	if (sc->found)
		return;
	while (sc->q > 0 && n->pat[sc->q] != c)
		sc->q = n->fail[sc->q - 1];
	if (n->pat[sc->q] == c)
		sc->q++;
	if (sc->q == n->len)
		sc->found = 1;
}

static void
emit(struct fold_out *o, unsigned char c)
{
	if (o->sc != NULL)
		scan_byte(o->sc, c);
	else
		o->pat[o->len++] = c;
}

/* Fold one byte; *lead carries a lead byte to the next call. */
static void
fold_byte(struct fold_out *o, unsigned *lead, unsigned char c)
{
	if (*lead != 0) {
		unsigned l = *lead;

		*lead = 0;
		if ((c & 0xC0) == 0x80) {
			unsigned cp = fold_cp(((l & 0x1F) << 6) | (c & 0x3F));

			emit(o, (unsigned char)(0xC0 | (cp >> 6)));
			emit(o, (unsigned char)(0x80 | (cp & 0x3F)));
			return;
		}
		emit(o, (unsigned char)l);
	}
	if (is_fold_lead(c))
		*lead = c;
	else if (c >= 'A' && c <= 'Z')
		emit(o, (unsigned char)(c - 'A' + 'a'));
	else
		emit(o, c);
}

static void
fold_flush(struct fold_out *o, unsigned *lead)
{
	if (*lead != 0)
		emit(o, (unsigned char)*lead);
	*lead = 0;
}

/* --- needles and scans --- */

void
imap_search_needle_init(struct imap_search_needle *n, const char *s, size_t len)
{
	struct fold_out o = { 0 };
	unsigned lead = 0;
	size_t i, k;

	/* Folding keeps the length: len + 1 bytes suffice. */
	n->pat = xmalloc(len + 1);
	o.pat = n->pat;
	for (i = 0; i < len; i++)
		fold_byte(&o, &lead, (unsigned char)s[i]);
	fold_flush(&o, &lead);
	n->len = o.len;
	n->fail = xcalloc(n->len + 1, sizeof(*n->fail));
	for (i = 1, k = 0; i < n->len; i++) {
		while (k > 0 && n->pat[i] != n->pat[k])
			k = n->fail[k - 1];
		if (n->pat[i] == n->pat[k])
			k++;
		n->fail[i] = k;
	}
}

void
imap_search_needle_deinit(struct imap_search_needle *n)
{
	xfree(n->pat);
	xfree(n->fail);
	n->pat = NULL;
	n->fail = NULL;
}

void
imap_search_scan_init(struct imap_search_scan *sc,
    const struct imap_search_needle *n)
{
	sc->n = n;
	sc->q = 0;
	sc->lead = 0;
	sc->found = n->len == 0;
}

int
imap_search_scan_feed(struct imap_search_scan *sc, const void *p, size_t len)
{
	struct fold_out o = { .sc = sc };
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len && !sc->found; i++)
		fold_byte(&o, &sc->lead, b[i]);
	return sc->found;
}

int
imap_search_scan_break(struct imap_search_scan *sc)
{
	struct fold_out o = { .sc = sc };

	fold_flush(&o, &sc->lead);
	sc->q = 0;
	return sc->found;
}

void
imap_search_scratch_init(struct imap_search_scratch *x)
{
	buf_init(&x->field, IMAP_SEARCH_FIELD_MAX);
	buf_init(&x->decoded,
	    IMAP_SEARCH_FIELD_MAX * IMAP_SEARCH_DECODE_GROWTH);
	/* A decoder never makes more than it is fed, plus what it held back
	 * (quoted-printable white space). */
	buf_init(&x->chunk, IMAP_SEARCH_CHUNK * 2);
	/* A byte becomes at most three UTF-8 bytes in the charsets mail uses
	 * (U+FFFD too); a few of glibc's compose more, and are cut. */
	buf_init(&x->utf8, IMAP_SEARCH_CHUNK * 2 * 4);
}

void
imap_search_scratch_deinit(struct imap_search_scratch *x)
{
	buf_deinit(&x->field);
	buf_deinit(&x->decoded);
	buf_deinit(&x->chunk);
	buf_deinit(&x->utf8);
}

/* --- headers --- */

/* Feed the unfolded value in x->field, RFC 2047 words decoded. A value
 * cut at a buffer's maximum is searched as far as it goes. */
static int
scan_field(struct imap_search_scan *sc, struct imap_search_scratch *x)
{
	const char *p = x->field.data;
	size_t i, n = x->field.len;

	/* US-ASCII without "=?" decodes to itself: searched as it is. */
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80 ||
		    (p[i] == '=' && i + 1 < n && p[i + 1] == '?'))
			break;
	if (i < n) {
		buf_reset(&x->decoded);
		(void)mime_word_decode(p, n, &x->decoded);
		p = x->decoded.data;
		n = x->decoded.len;
	}
	(void)imap_search_scan_feed(sc, p, n);
	return imap_search_scan_break(sc);
}

int
imap_search_header_match(const struct imap_search_needle *needle,
    const char *hdr, size_t hdr_len, const char *name,
    struct imap_search_scratch *x)
{
	struct imap_search_scan sc;
	size_t pos = 0;

	imap_search_scan_init(&sc, needle);
	buf_reset(&x->field);
	while (mime_header_find(hdr, hdr_len, name, &pos, &x->field)) {
		if (scan_field(&sc, x))
			return 1;
		buf_reset(&x->field);
	}
	return 0;
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* The end of the line at h[i] (past its LF, or n). */
static size_t
line_end(const char *h, size_t n, size_t i)
{
	const char *lf = memchr(h + i, '\n', n - i);

	return lf != NULL ? (size_t)(lf - h) + 1 : n;
}

/* Search every field of a header block, "Name: value" unfolded and
 * decoded, one text a field (TEXT, RFC 9051 6.4.4: "in the header"). */
static int
scan_header(struct imap_search_scan *sc, const char *h, size_t n,
    struct imap_search_scratch *x)
{
	size_t i = 0, end;

	while (i < n && h[i] != '\n' &&
	    !(h[i] == '\r' && i + 1 < n && h[i + 1] == '\n')) {
		end = line_end(h, n, i);
		while (end < n && is_wsp(h[end]))
			end = line_end(h, n, end);
		buf_reset(&x->field);
		mime_header_unfold(h + i, end - i, &x->field);
		if (scan_field(sc, x))
			return 1;
		i = end;
	}
	return 0;
}

size_t
imap_search_header_len(const char *msg, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (msg[i] == '\n')
			return i + 1;
		if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')
			return i + 2;
		i = line_end(msg, len, i);
	}
	return len;
}

/* --- bodies --- */

static int
is_text_leaf(const struct mime_part *p)
{
	return p->children == NULL && p->type != NULL &&
	    strcmp(p->type, "text") == 0;
}

/* Feed a decoded piece of a body as UTF-8 through cv (NULL: as it is):
 * the search strings are UTF-8 (RFC 9051 6.4.4). A piece cut at x->utf8's
 * maximum is searched as far as it goes. */
static void
feed_text(struct imap_search_scan *sc, struct charset_conv *cv,
    const struct buf *text, struct imap_search_scratch *x)
{
	if (cv == NULL) {
		(void)imap_search_scan_feed(sc, text->data, text->len);
		return;
	}
	buf_reset(&x->utf8);
	(void)charset_conv_feed(cv, text->data, text->len, &x->utf8);
	(void)imap_search_scan_feed(sc, x->utf8.data, x->utf8.len);
}

/* Decode the body of part p in chunks and feed it. The converter lives
 * as long as the part: a character or a shift state may span chunks. */
static int
scan_body(struct imap_search_scan *sc, const char *msg,
    const struct mime_part *p, struct imap_search_scratch *x)
{
	const char *charset =
	    mime_param_get(p->params, p->nparams, "charset", NULL);
	struct charset_conv conv, *cv = NULL;
	struct mime_decoder d;
	size_t off, n;

	/* US-ASCII and UTF-8 are searched as they are, as are unknown
	 * charsets. */
	switch (charset_conv_init(&conv, charset != NULL ? charset : "",
	    charset != NULL ? strlen(charset) : 0)) {
	case CHARSET_LATIN1:
	case CHARSET_CP1252:
	case CHARSET_ICONV:
		cv = &conv;
		break;
	default:
		break;
	}
	mime_decoder_init(&d, mime_encoding_get(p->encoding));
	for (off = 0; off < p->body_len && !sc->found; off += n) {
		n = p->body_len - off;
		if (n > IMAP_SEARCH_CHUNK)
			n = IMAP_SEARCH_CHUNK;
		buf_reset(&x->chunk);
		(void)mime_decoder_feed(&d, msg + p->body_off + off, n,
		    &x->chunk);
		feed_text(sc, cv, &x->chunk, x);
	}
	buf_reset(&x->chunk);
	(void)mime_decoder_finish(&d, &x->chunk);
	feed_text(sc, cv, &x->chunk, x);
	if (cv != NULL) {
		buf_reset(&x->utf8);
		(void)charset_conv_finish(cv, &x->utf8);
		(void)imap_search_scan_feed(sc, x->utf8.data, x->utf8.len);
	}
	charset_conv_deinit(&conv);
	return imap_search_scan_break(sc);
}

/* The next part of the tree in depth-first order, or NULL. */
static const struct mime_part *
part_next(const struct mime_part *p)
{
	if (p->children != NULL)
		return p->children;
	while (p != NULL && p->next == NULL)
		p = p->parent;
	return p != NULL ? p->next : NULL;
}

int
imap_search_body_match(const struct imap_search_needle *needle, const char *msg,
    size_t len, const struct mime_message *mm, int headers,
    struct imap_search_scratch *x)
{
	struct imap_search_scan sc;
	const struct mime_part *p;

	imap_search_scan_init(&sc, needle);
	if (sc.found)
		return 1;
	for (p = mime_root(mm); p != NULL; p = part_next(p)) {
		if (p->hdr_off > len || p->hdr_len > len - p->hdr_off ||
		    p->body_off > len || p->body_len > len - p->body_off)
			continue; /* cannot be: mime.h keeps offsets inside */
		if (headers &&
		    scan_header(&sc, msg + p->hdr_off, p->hdr_len, x))
			return 1;
		if (is_text_leaf(p) && scan_body(&sc, msg, p, x))
			return 1;
	}
	return 0;
}

/* --- dates --- */

static const char months[12][4] = { "jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec" };

int64_t
imap_search_days(int64_t y, unsigned m, unsigned d)
{
	/* Days from civil (H. Hinnant): March-based years, 400-year eras. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static unsigned
month_days(int64_t y, unsigned m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* The month (1..12) of the three letters at s, or 0. */
static unsigned
month_get(const char *s, size_t n)
{
	unsigned i;

	if (n != 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (strncasecmp(s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

/* Up to max digits at s[*ip] as a number; -1 when there are none or more
 * than max. */
static int64_t
digits(const char *s, size_t n, size_t *ip, unsigned max)
{
	size_t i = *ip;
	int64_t v = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (i - *ip == max)
			return -1;
		v = v * 10 + (s[i] - '0');
		i++;
	}
	if (i == *ip)
		return -1;
	*ip = i;
	return v;
}

static int
valid_date(int64_t y, unsigned m, int64_t d, int64_t *day_r)
{
	if (m == 0 || d < 1 || d > month_days(y, m))
		return -1;
	*day_r = imap_search_days(y, m, (unsigned)d);
	return 0;
}

int
imap_search_date(const char *s, size_t n, int64_t *day_r)
{
	size_t i = 0, mon;
	int64_t d, y;
	unsigned m;

	/* date-text = date-day "-" date-month "-" date-year (RFC 3501 9) */
	if ((d = digits(s, n, &i, 2)) < 0 || i >= n || s[i++] != '-')
		return -1;
	mon = i;
	if (n - i < 4 || s[i + 3] != '-' || (m = month_get(s + mon, 3)) == 0)
		return -1;
	i += 4;
	if (n - i != 4 || (y = digits(s, n, &i, 4)) < 0 || i != n)
		return -1;
	return valid_date(y, m, d, day_r);
}

/* Skip folding white space and (nested) comments, RFC 5322 3.2.2. */
static size_t
skip_cfws(const char *s, size_t n, size_t i)
{
	unsigned depth = 0;

	for (; i < n; i++) {
		if (depth > 0) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '(')
				depth++;
			else if (s[i] == ')')
				depth--;
		} else if (s[i] == '(')
			depth = 1;
		else if (!is_wsp(s[i]) && s[i] != '\r' && s[i] != '\n')
			break;
	}
	return i;
}

static size_t
alpha_run(const char *s, size_t n, size_t i)
{
	while (i < n &&
	    ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	return i;
}

/* hour ":" minute [":" second], RFC 5322 3.3 (obs-FWS around ":"). */
static int
time_of_day(const char *s, size_t n, size_t *ip)
{
	size_t i = *ip;
	int64_t v;

	if ((v = digits(s, n, &i, 2)) < 0 || v > 23)
		return -1;
	i = skip_cfws(s, n, i);
	if (i >= n || s[i] != ':')
		return -1;
	i = skip_cfws(s, n, i + 1);
	if ((v = digits(s, n, &i, 2)) < 0 || v > 59)
		return -1;
	*ip = i;
	i = skip_cfws(s, n, i);
	if (i < n && s[i] == ':') {
		i = skip_cfws(s, n, i + 1);
		if ((v = digits(s, n, &i, 2)) < 0 || v > 60)
			return -1;
		*ip = i;
	}
	return 0;
}

/* The zone: "+hhmm" / "-hhmm", or an obs-zone (RFC 5322 4.3: UT, GMT,
 * the US zones, military letters, which mean -0000; other alphabetic
 * zones are taken as -0000 too). Missing is tolerated. The day does not
 * depend on it: only its syntax is checked. */
static int
zone_ok(const char *s, size_t n, size_t i)
{
	size_t start;

	i = skip_cfws(s, n, i);
	if (i == n)
		return 0;
	if (s[i] == '+' || s[i] == '-') {
		start = ++i;
		if (digits(s, n, &i, 4) < 0 || i - start != 4)
			return -1;
	} else {
		start = i;
		i = alpha_run(s, n, i);
		if (i == start || i - start > 5)
			return -1;
	}
	return skip_cfws(s, n, i) == n ? 0 : -1;
}

int
imap_search_sent_date(const char *s, size_t n, int64_t *day_r)
{
	size_t i, w;
	int64_t d, y;
	unsigned m;

	i = skip_cfws(s, n, 0);
	w = alpha_run(s, n, i);
	if (w > i) { /* [day-of-week ","] */
		i = skip_cfws(s, n, w);
		if (i < n && s[i] == ',')
			i = skip_cfws(s, n, i + 1);
	}
	if ((d = digits(s, n, &i, 2)) < 0)
		return -1;
	i = skip_cfws(s, n, i);
	w = alpha_run(s, n, i);
	if ((m = month_get(s + i, w - i)) == 0)
		return -1;
	i = skip_cfws(s, n, w);
	w = i;
	if ((y = digits(s, n, &i, 4)) < 0)
		return -1;
	/* RFC 5322 4.3: two digits 00-49 are 20xx, 50-99 and three digits
	 * are added to 1900. */
	if (i - w == 2)
		y += y < 50 ? 2000 : 1900;
	else if (i - w == 3)
		y += 1900;
	i = skip_cfws(s, n, i);
	if (time_of_day(s, n, &i) < 0 || zone_ok(s, n, i) < 0)
		return -1;
	return valid_date(y, m, d, day_r);
}
