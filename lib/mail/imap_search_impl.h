/* imap_search_impl - private interface between imap_search.c (compiling
 * keys into a tree), imap_search_match.c (evaluating it) and
 * imap_search_text.c (dates, folded substring search in headers and
 * bodies). Only imap_search*.c and the unit test include this.
 *
 * A compiled search is a tree of struct sk: leaves test one thing, NOT
 * has one child, OR two (the cheaper first), AND a list (cheapest first);
 * every key knows the cost of what it makes the server fetch. All keys
 * are also listed in struct imap_search's keys, which owns them.
 *
 * A needle is a search string folded once (ASCII letters, and the two-byte
 * UTF-8 letters of Latin-1, Greek and Cyrillic, to lower case) with its
 * KMP failure table; a scan feeds folded haystack bytes through it in any
 * pieces, in time linear in them. Scratch buffers belong to the search and
 * are reused from message to message. Nothing here fails but by returning
 * "no match". */
#ifndef TERN_MAIL_IMAP_SEARCH_IMPL_H
#define TERN_MAIL_IMAP_SEARCH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "mail/imap_parse.h"
#include "util/buf.h"

struct mime_message;

/* Bytes kept of one unfolded header field; its RFC 2047 decoding may take
 * up to this many times as much (a byte becomes U+FFFD at worst). */
#define IMAP_SEARCH_FIELD_MAX (64 * 1024)
#define IMAP_SEARCH_DECODE_GROWTH 3
/* Body bytes decoded at a time. */
#define IMAP_SEARCH_CHUNK 4096

struct imap_search_needle {
	unsigned char *pat; /* folded */
	size_t len;
	size_t *fail; /* KMP: longest proper border of pat[0..i] */
};

struct imap_search_scan {
	const struct imap_search_needle *n;
	size_t q;      /* bytes of pat matched so far */
	unsigned lead; /* a UTF-8 lead byte waiting for its continuation */
	int found;
};

struct imap_search_scratch {
	struct buf field, decoded, chunk;
	struct buf utf8; /* a chunk of a body, converted to UTF-8 */
};

/* A compiled search (imap_search.c builds it, imap_search_match.c
 * evaluates it). */
enum sk_type {
	SK_ALL,
	SK_FLAGS,   /* on and off masks */
	SK_KEYWORD, /* name, neg for UNKEYWORD */
	SK_SEQ,     /* sequence numbers in set */
	SK_UID,     /* UIDs in set */
	SK_SAVED,   /* "$": UIDs in the saved result */
	SK_LARGER,
	SK_SMALLER,
	SK_BEFORE, /* internal date's day */
	SK_ON,
	SK_SINCE,
	SK_SENTBEFORE, /* Date: header's day */
	SK_SENTON,
	SK_SENTSINCE,
	SK_OLDER, /* RFC 5032: seconds */
	SK_YOUNGER,
	SK_HEADER, /* name, needle */
	SK_BODY,   /* needle */
	SK_TEXT,   /* needle */
	SK_NOT,    /* child */
	SK_OR,     /* child and child->next */
	SK_AND,    /* child list */
};

/* Costs: what a key makes the server fetch (AND lists run cheapest
 * first). */
enum sk_cost {
	SK_COST_NONE,    /* the struct imap_search_msg fields */
	SK_COST_KEYWORD, /* a callback */
	SK_COST_HEADER,  /* the header block */
	SK_COST_MESSAGE, /* the whole message, MIME-parsed */
	SK_COST_COUNT
};

/* RFC 5032 intervals are clamped here (beyond any date), so that "now -
 * interval" cannot overflow. */
#define INTERVAL_MAX ((uint64_t)1 << 40)

struct sk {
	enum sk_type type;
	enum sk_cost cost;
	unsigned on, off; /* SK_FLAGS: bits set, bits clear */
	int neg;          /* SK_KEYWORD */
	uint64_t num;     /* LARGER, SMALLER, OLDER, YOUNGER */
	int64_t day;      /* dates */
	char *name;       /* KEYWORD, HEADER */
	struct imap_search_needle needle;
	/* SEQ, UID: the set as written, and resolved for resolved_max */
	struct imap_seqset set;
	struct imap_seq_range *resolved;
	unsigned nresolved;
	uint32_t resolved_max;
	int resolved_ok;
	struct sk *child, *next;
};

struct imap_search {
	struct sk *root;
	struct sk **keys; /* all of them, for destroy */
	unsigned nkeys, keys_cap, keys_max, depth_max;
	unsigned ret; /* IMAP_SEARCH_RET_* */
	int uses_saved;
	unsigned needs;
	struct imap_search_scratch x;
};

/* Fold the len bytes at s into n. Never fails. */
void imap_search_needle_init(struct imap_search_needle *n, const char *s,
    size_t len);
void imap_search_needle_deinit(struct imap_search_needle *n);

void imap_search_scan_init(struct imap_search_scan *sc,
    const struct imap_search_needle *n);
/* Feed len haystack bytes; returns sc->found (1 once the needle was seen). */
int
imap_search_scan_feed(struct imap_search_scan *sc, const void *p, size_t len);
/* End one text: a match never spans two texts. Returns sc->found. */
int imap_search_scan_break(struct imap_search_scan *sc);

void imap_search_scratch_init(struct imap_search_scratch *x);
void imap_search_scratch_deinit(struct imap_search_scratch *x);

/* 1 when a field called name in the hdr_len bytes at hdr holds needle
 * (decoded and unfolded; an empty needle: when the field exists), else 0. */
int imap_search_header_match(const struct imap_search_needle *needle,
    const char *hdr, size_t hdr_len, const char *name,
    struct imap_search_scratch *x);
/* 1 when the len bytes at msg (parsed into mm) hold needle in the decoded
 * body of a text leaf part, or (with headers set) in any header of the
 * message or its parts; else 0. */
int imap_search_body_match(const struct imap_search_needle *needle,
    const char *msg, size_t len, const struct mime_message *mm, int headers,
    struct imap_search_scratch *x);
/* The header block at the start of the len bytes at msg: its length,
 * up to and including the empty line (all of msg when there is none). */
size_t imap_search_header_len(const char *msg, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
int64_t imap_search_days(int64_t y, unsigned m, unsigned d);
/* An RFC 3501 date ("1-Feb-1994"; the parser has removed any quotes) as
 * days. Returns 0 or -1. */
int imap_search_date(const char *s, size_t n, int64_t *day_r);
/* The day of an RFC 5322 date-time (a Date: value, obsolete forms
 * included: two- and three-digit years, named and military zones,
 * comments) as written, disregarding time and zone. Returns 0 or -1. */
int imap_search_sent_date(const char *s, size_t n, int64_t *day_r);

#endif
