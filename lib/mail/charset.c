/* SPDX-License-Identifier: MIT */
/* charset - text in a named charset to UTF-8, by table or iconv(3), in
 * pieces. See charset.h. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/charset.h"
#include "util/buf.h"

/* --- names --- */

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
	enum charset_kind kind;
} builtin[] = {
	{ "us-ascii", CHARSET_ASCII },
	{ "ascii", CHARSET_ASCII },
	{ "ansi_x3.4-1968", CHARSET_ASCII },
	{ "utf-8", CHARSET_UTF8 },
	{ "utf8", CHARSET_UTF8 },
	{ "iso-8859-1", CHARSET_LATIN1 },
	{ "iso8859-1", CHARSET_LATIN1 },
	{ "iso_8859-1", CHARSET_LATIN1 },
	{ "latin1", CHARSET_LATIN1 },
	{ "l1", CHARSET_LATIN1 },
	{ "windows-1252", CHARSET_CP1252 },
	{ "cp1252", CHARSET_CP1252 },
	{ "x-cp1252", CHARSET_CP1252 },
};

/* Names mailers use that glibc does not know (or knows as a smaller
 * set: Windows sends its code pages under the standard names). */
static const struct {
	const char *mime, *glibc;
} aliases[] = {
	{ "shift_jis", "CP932" },
	{ "shift-jis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "sjis", "CP932" },
	{ "ms_kanji", "CP932" },
	{ "csshiftjis", "CP932" },
	{ "windows-31j", "CP932" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601-1989", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ksc5601", "CP949" },
	{ "ksc_5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "cseuckr", "CP949" },
	{ "windows-949", "CP949" },
	{ "x-windows-949", "CP949" },
	{ "gb2312", "GBK" },
	{ "csgb2312", "GBK" },
	{ "euc-cn", "GBK" },
	{ "x-euc-cn", "GBK" },
	{ "x-x-big5", "BIG5" },
	{ "cn-big5", "BIG5" },
	{ "cp50220", "ISO-2022-JP-2" },
	{ "cp50221", "ISO-2022-JP-2" },
	{ "cp50222", "ISO-2022-JP-2" },
	{ "iso-8859-6-i", "ISO-8859-6" },
	{ "iso-8859-6-e", "ISO-8859-6" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-8-e", "ISO-8859-8" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "x-mac", "MACINTOSH" },
};

/* Decoders with a history of bugs on hostile input that mail never
 * needs, as letters and digits only, upper case (TSCII: glibc 2.36 garbles
 * the characters it composes when its output buffer fills). */
static const char *const refused[] = {
	"ISO2022JP3",
	"ISO2022CNEXT",
	"TSCII",
};
static const char *const refused_ibm[] = { "930", "933", "935", "937", "939",
	"1364", "1371", "1388", "1390", "1399" };

/* Copy the name to lower case into s (CHARSET_NAME_MAX + 1 bytes).
 * Returns -1 when it is empty, too long or holds another byte than
 * letters, digits and "-_.:" (iconv would read "/" as a suffix). */
static int
name_copy(const char *name, size_t n, char *s)
{
	size_t i;

	if (n == 0 || n > CHARSET_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			     c == '-' || c == '_' || c == '.' || c == ':'))
			return -1;
		s[i] = (char)c;
	}
	s[n] = '\0';
	return 0;
}

static int
is_refused(const char *name)
{
	char k[CHARSET_NAME_MAX + 1];
	size_t i, j = 0;
	const char *d;

	for (i = 0; name[i] != '\0'; i++)
		if ((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9'))
			k[j++] = (char)(name[i] >= 'a' ? name[i] - 'a' + 'A'
						       : name[i]);
	k[j] = '\0';
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcmp(k, refused[i]) == 0)
			return 1;
	if (strncmp(k, "CSIBM", 5) == 0)
		d = k + 5;
	else if (strncmp(k, "IBM", 3) == 0)
		d = k + 3;
	else if (strncmp(k, "CP", 2) == 0)
		d = k + 2;
	else
		return 0;
	for (i = 0; i < sizeof(refused_ibm) / sizeof(refused_ibm[0]); i++)
		if (strcmp(d, refused_ibm[i]) == 0)
			return 1;
	return 0;
}

/* --- the descriptor cache --- */

struct cache_entry {
	char name[CHARSET_NAME_MAX + 1]; /* as given to iconv_open; "" free */
	iconv_t cd;                      /* (iconv_t)-1: glibc does not know */
	int in_use;
	unsigned long used; /* the tick of the last use */
};

static struct cache_entry cache[CHARSET_CACHE];
static unsigned long cache_tick, cache_opens;

#define NO_CD ((iconv_t)-1)

/* The descriptor for iconv name (reset to its initial state), or NO_CD;
 * *slot_r gets its cache entry, or -1 when it is the caller's own. */
static iconv_t
cd_acquire(const char *name, int *slot_r)
{
	struct cache_entry *e, *victim = NULL;
	iconv_t cd;
	size_t i;

	*slot_r = -1;
	cache_tick++;
	for (i = 0; i < CHARSET_CACHE; i++) {
		e = &cache[i];
		if (e->name[0] == '\0' || strcmp(e->name, name) != 0 ||
		    e->in_use)
			continue;
		e->used = cache_tick;
		if (e->cd == NO_CD)
			return NO_CD;
		(void)iconv(e->cd, NULL, NULL, NULL, NULL);
		e->in_use = 1;
		*slot_r = (int)i;
		return e->cd;
	}
	cd = iconv_open("UTF-8", name);
	cache_opens++;
	for (i = 0; i < CHARSET_CACHE; i++) {
		e = &cache[i];
		if (e->in_use)
			continue;
		if (victim == NULL || e->name[0] == '\0' ||
		    (victim->name[0] != '\0' && e->used < victim->used))
			victim = e;
	}
	if (victim == NULL)
		return cd; /* every entry is in use: the caller's own */
	if (victim->name[0] != '\0' && victim->cd != NO_CD)
		(void)iconv_close(victim->cd);
	(void)snprintf(victim->name, sizeof(victim->name), "%s", name);
	victim->cd = cd;
	victim->used = cache_tick;
	if (cd != NO_CD) {
		victim->in_use = 1;
		*slot_r = (int)(victim - cache);
	}
	return cd;
}

static void
cd_release(iconv_t cd, int slot)
{
	if (slot >= 0)
		cache[slot].in_use = 0;
	else if (cd != NO_CD)
		(void)iconv_close(cd);
}

void
charset_cache_clear(void)
{
	size_t i;

	for (i = 0; i < CHARSET_CACHE; i++) {
		if (cache[i].in_use)
			continue;
		if (cache[i].name[0] != '\0' && cache[i].cd != NO_CD)
			(void)iconv_close(cache[i].cd);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
}

unsigned long
charset_cache_opens(void)
{
	return cache_opens;
}

/* The kind of the (lower-case, checked) name s; for CHARSET_ICONV the
 * acquired descriptor in *cd_r and *slot_r. */
static enum charset_kind
resolve(const char *s, iconv_t *cd_r, int *slot_r)
{
	const char *iname = s;
	size_t i;

	*cd_r = NO_CD;
	*slot_r = -1;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(s, builtin[i].name) == 0)
			return builtin[i].kind;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(s, aliases[i].mime) == 0) {
			iname = aliases[i].glibc;
			break;
		}
	if (is_refused(iname))
		return CHARSET_UNKNOWN;
	*cd_r = cd_acquire(iname, slot_r);
	if (*cd_r == NO_CD && iname == s && strncmp(s, "x-", 2) == 0 &&
	    !is_refused(s + 2))
		*cd_r = cd_acquire(s + 2, slot_r); /* x-euc-jp, x-gbk */
	return *cd_r != NO_CD ? CHARSET_ICONV : CHARSET_UNKNOWN;
}

/* --- output --- */

/* UTF-8 gathered before it goes to out (one append per OUT_CHUNK). */
#define OUT_CHUNK 1024

struct sink {
	struct buf *out;
	size_t n;
	int rc;
	unsigned char o[OUT_CHUNK];
};

/* Append what the sink holds; what does not fit in out is cut at a
 * character boundary, and nothing more is appended in this call (a gap
 * could make a match of text that is not there). */
static void
sink_flush(struct sink *k)
{
	size_t room;

	if (k->rc < 0)
		k->n = 0;
	if (k->n == 0)
		return;
	if (buf_append(k->out, k->o, k->n) < 0) {
		room =
		    k->out->max > k->out->len ? k->out->max - k->out->len : 0;
		if (room >= k->n)
			room = k->n; /* cannot be: the append failed */
		else
			while (room > 0 && (k->o[room] & 0xC0) == 0x80)
				room--;
		(void)buf_append(k->out, k->o, room);
		k->rc = -1;
	}
	k->n = 0;
}

/* Gather n (at most 4) bytes. */
static void
sink_put(struct sink *k, const void *p, size_t n)
{
	if (n > sizeof(k->o) - k->n)
		sink_flush(k);
	memcpy(k->o + k->n, p, n);
	k->n += n;
}

static void
sink_cp(struct sink *k, unsigned cp)
{
	unsigned char o[3];

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		sink_put(k, o, 1);
	} else if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		sink_put(k, o, 2);
	} else {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		sink_put(k, o, 3);
	}
}

/* --- converters: each converts what it can of n bytes and returns how
 * many at the end are an incomplete character (at most
 * CHARSET_TAIL_MAX) --- */

/* The length of the valid UTF-8 sequence at p (n bytes left), 0 when it
 * is invalid, or (size_t)-1 when it may be cut short by the end. */
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
	for (i = 1; i < len; i++) {
		if (i == n)
			return (size_t)-1;
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static size_t
run_utf8(const unsigned char *p, size_t n, struct sink *k)
{
	size_t i, len;

	for (i = 0; i < n; i += len) {
		len = utf8_seq(p + i, n - i);
		if (len == (size_t)-1)
			return n - i;
		if (len == 0) {
			len = 1;
			sink_cp(k, 0xFFFD);
		} else
			sink_put(k, p + i, len);
	}
	return 0;
}

static void
run_table(enum charset_kind kind, const unsigned char *p, size_t n,
    struct sink *k)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x80)
			sink_put(k, p + i, 1);
		else if (kind == CHARSET_ASCII)
			sink_cp(k, 0xFFFD);
		else if (kind == CHARSET_CP1252 && p[i] < 0xA0)
			sink_cp(k, cp1252[p[i] - 0x80]);
		else
			sink_cp(k, p[i]);
	}
}

static size_t
run_iconv(iconv_t cd, const unsigned char *p, size_t n, struct sink *k)
{
	char *in = (char *)(uintptr_t)p;
	size_t in_left = n;

	while (in_left > 0) {
		char *o = (char *)k->o + k->n;
		size_t o_left = sizeof(k->o) - k->n, before = o_left;

		if (iconv(cd, &in, &in_left, &o, &o_left) != (size_t)-1) {
			k->n += before - o_left;
			break;
		}
		k->n += before - o_left;
		if (errno == E2BIG && k->n > 0) {
			sink_flush(k);
			continue;
		}
		if (errno == EINVAL && in_left <= CHARSET_TAIL_MAX)
			return in_left;
		/* EILSEQ, a character that does not fit, or an incomplete
		 * one too long to hold: skip a byte. */
		sink_cp(k, 0xFFFD);
		in++;
		in_left--;
	}
	return 0;
}

static size_t
run(struct charset_conv *cv, const unsigned char *p, size_t n, struct sink *k)
{
	switch (cv->kind) {
	case CHARSET_UTF8:
		return run_utf8(p, n, k);
	case CHARSET_ICONV:
		return run_iconv((iconv_t)cv->cd, p, n, k);
	case CHARSET_ASCII:
	case CHARSET_LATIN1:
	case CHARSET_CP1252:
		run_table(cv->kind, p, n, k);
		return 0;
	case CHARSET_UNKNOWN:
		break;
	}
	return 0;
}

/* --- the converter --- */

enum charset_kind
charset_conv_init(struct charset_conv *cv, const char *name, size_t n)
{
	char s[CHARSET_NAME_MAX + 1];
	iconv_t cd = NO_CD;
	int slot = -1;

	memset(cv, 0, sizeof(*cv));
	cv->slot = -1;
	cv->kind = name_copy(name, n, s) < 0 ? CHARSET_UNKNOWN
					     : resolve(s, &cd, &slot);
	if (cv->kind == CHARSET_ICONV) {
		cv->cd = (void *)cd;
		cv->slot = slot;
	}
	return cv->kind;
}

int
charset_conv_feed(struct charset_conv *cv, const void *p, size_t n,
    struct buf *out)
{
	struct sink k = { .out = out };
	const unsigned char *in = p;
	size_t left;

	if (cv->kind == CHARSET_UNKNOWN || n == 0)
		return 0;
	if (cv->tail_len > 0) {
		/* The held bytes and enough of the new ones to end the
		 * character they begin (a longer run would have been
		 * skipped as invalid). */
		unsigned char comb[CHARSET_TAIL_MAX * 4];
		size_t take = sizeof(comb) - cv->tail_len, used;

		if (take > n)
			take = n;
		memcpy(comb, cv->tail, cv->tail_len);
		memcpy(comb + cv->tail_len, in, take);
		left = run(cv, comb, cv->tail_len + take, &k);
		used = cv->tail_len + take - left;
		if (used < cv->tail_len) {
			/* Still incomplete, so all of the new bytes went in
			 * (left <= CHARSET_TAIL_MAX < take otherwise). */
			memmove(cv->tail, comb + used, left);
			cv->tail_len = left;
			sink_flush(&k);
			return k.rc;
		}
		in += used - cv->tail_len;
		n -= used - cv->tail_len;
		cv->tail_len = 0;
		/* The bytes of comb left over are in[0..] again. */
		if (left > 0 && n == left) {
			memcpy(cv->tail, in, left);
			cv->tail_len = left;
			sink_flush(&k);
			return k.rc;
		}
	}
	left = run(cv, in, n, &k);
	memcpy(cv->tail, in + n - left, left);
	cv->tail_len = left;
	sink_flush(&k);
	return k.rc;
}

int
charset_conv_finish(struct charset_conv *cv, struct buf *out)
{
	struct sink k = { .out = out };

	if (cv->kind == CHARSET_UNKNOWN)
		return 0;
	if (cv->tail_len > 0)
		sink_cp(&k, 0xFFFD);
	cv->tail_len = 0;
	if (cv->kind == CHARSET_ICONV)
		(void)iconv((iconv_t)cv->cd, NULL, NULL, NULL, NULL);
	sink_flush(&k);
	return k.rc;
}

void
charset_conv_deinit(struct charset_conv *cv)
{
	if (cv->kind == CHARSET_ICONV)
		cd_release((iconv_t)cv->cd, cv->slot);
	memset(cv, 0, sizeof(*cv));
	cv->slot = -1;
}

enum charset_kind
charset_lookup(const char *name, size_t n)
{
	struct charset_conv cv;
	enum charset_kind kind = charset_conv_init(&cv, name, n);

	charset_conv_deinit(&cv);
	return kind;
}

int
charset_to_utf8(const char *name, size_t name_len, const void *p, size_t n,
    struct buf *out)
{
	struct charset_conv cv;
	int rc;

	if (charset_conv_init(&cv, name, name_len) == CHARSET_UNKNOWN) {
		charset_conv_deinit(&cv);
		return 1;
	}
	rc = charset_conv_feed(&cv, p, n, out);
	if (rc < 0)
		cv.tail_len = 0; /* no U+FFFD after the cut */
	rc |= charset_conv_finish(&cv, out);
	charset_conv_deinit(&cv);
	return rc < 0 ? -1 : 0;
}
