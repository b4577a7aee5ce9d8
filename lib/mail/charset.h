/* charset - text in a named charset (a MIME charset parameter, an RFC 2047
 * word's, SEARCH's CHARSET) to UTF-8, for SEARCH: the search strings and
 * the text searched must both be UTF-8 (RFC 9051 6.4.4).
 *
 * A struct charset_conv converts one text fed in any pieces: a multibyte
 * character cut between two feeds is held (at most CHARSET_TAIL_MAX
 * bytes) and joined to the next feed, and a stateful encoding (ISO-2022-JP,
 * UTF-7, UTF-16's byte order mark) keeps its state from feed to feed.
 * US-ASCII and UTF-8 are checked, not converted; ISO-8859-1 and
 * windows-1252 go through a table here; every other charset through
 * glibc's iconv(3), always *to* UTF-8 (CVE-2024-2961 was in the other
 * direction, ISO-2022-CN-EXT output; glibc's decoders had their own bugs
 * too, so the families with such a history that mail does not use, the
 * IBM EBCDIC double-byte sets, ISO-2022-JP-3, ISO-2022-CN-EXT and TSCII,
 * are refused). Names are matched case-insensitively as MIME gives them, with
 * aliases for the names mailers use that glibc does not know (x-sjis,
 * ks_c_5601-1987, x-gbk, iso-8859-8-i, any x-<name> glibc knows as <name>);
 * a name holding other than letters, digits and "-_.:", or longer than
 * CHARSET_NAME_MAX, is unknown. An unknown charset is not converted: the
 * caller searches the bytes as they are.
 *
 * Bytes not valid in their charset become U+FFFD and conversion goes on at
 * the next byte; so does an incomplete character left at the end. Output
 * goes to the caller's struct buf up to its maximum: what does not fit is
 * cut at a character boundary and the call returns -1, but the converter
 * stays usable (a body searched chunk by chunk empties its buffer between
 * feeds). Nothing here fails otherwise.
 *
 * iconv_open() is costly (a search of 10,000 messages meets the same
 * charset thousands of times): the descriptors of the CHARSET_CACHE most
 * recent charsets are kept open for the process and reset between uses;
 * a descriptor in use by a live converter is never shared (a second
 * converter of the same charset opens its own). Process-global state,
 * not thread-safe (Tern's daemons are single-threaded). Where the gconv
 * modules cannot be loaded (a chroot without them), iconv's charsets are
 * unknown, so the text is searched raw. */
#ifndef TERN_MAIL_CHARSET_H
#define TERN_MAIL_CHARSET_H

#include <stddef.h>

struct buf;

#define CHARSET_NAME_MAX 64
#define CHARSET_TAIL_MAX 8 /* the longest incomplete character held */
#define CHARSET_CACHE 4    /* iconv descriptors kept open */

enum charset_kind {
	CHARSET_UNKNOWN, /* not converted */
	CHARSET_ASCII,   /* checked: 8-bit bytes become U+FFFD */
	CHARSET_UTF8,    /* checked: invalid sequences become U+FFFD */
	CHARSET_LATIN1,  /* ISO-8859-1, by table */
	CHARSET_CP1252,  /* windows-1252, by table */
	CHARSET_ICONV,   /* any other charset glibc knows */
};

struct charset_conv {
	enum charset_kind kind;
	int slot; /* the cache entry in use, or -1 (own descriptor) */
	void *cd; /* iconv_t, CHARSET_ICONV only */
	unsigned char tail[CHARSET_TAIL_MAX];
	size_t tail_len;
};

/* What the n bytes at name (a charset name) are: CHARSET_UNKNOWN when
 * nothing converts them. For an iconv charset this opens (and caches) its
 * descriptor. Never fails. */
enum charset_kind charset_lookup(const char *name, size_t n);

/* Start converting text in the charset named by the n bytes at name.
 * Returns cv->kind; for CHARSET_UNKNOWN cv holds nothing and feeding it is
 * a no-op. Pair with charset_conv_deinit() whatever it returned. */
enum charset_kind
charset_conv_init(struct charset_conv *cv, const char *name, size_t n);
/* Append the n bytes at p, the next piece of the text, to out as UTF-8
 * (an incomplete character at the end is held for the next feed).
 * Returns 0, or -1 when out's maximum cut the output. */
int charset_conv_feed(struct charset_conv *cv, const void *p, size_t n,
    struct buf *out);
/* The end of the text: an incomplete character still held becomes
 * U+FFFD, and the state goes back to the initial one (cv can convert a
 * new text). Returns 0 or -1 as charset_conv_feed(). */
int charset_conv_finish(struct charset_conv *cv, struct buf *out);
/* Give back the descriptor (to the cache). cv may be init'ed again. */
void charset_conv_deinit(struct charset_conv *cv);

/* Convert the n bytes at p, a whole text in the charset named by name
 * (name_len bytes), appending UTF-8 to out. Returns 0, 1 when the charset
 * is unknown (nothing appended), or -1 when out's maximum cut the
 * output. */
int charset_to_utf8(const char *name, size_t name_len, const void *p, size_t n,
    struct buf *out);

/* Close the cached descriptors not in use (tests, leak checkers). */
void charset_cache_clear(void);
/* The number of iconv_open() calls so far (tests of the cache). */
unsigned long charset_cache_opens(void);

#endif
