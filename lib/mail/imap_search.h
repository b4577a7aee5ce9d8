/* imap_search - IMAP SEARCH programs: the arguments of SEARCH and UID
 * SEARCH compiled into a tree of keys (RFC 3501 6.4.4, RFC 9051 6.4.4),
 * evaluated against one message at a time, and the results rendered as
 * "* SEARCH" (IMAP4rev1) or "* ESEARCH" (RFC 4731, RFC 9051 7.3.4) with
 * SEARCHRES (RFC 5182: RETURN (SAVE) and "$") and the WITHIN keys OLDER
 * and YOUNGER (RFC 5032).
 *
 * The module never touches storage: the server describes each message in
 * a struct imap_search_msg (numbers, flags, size, internal date) with
 * callbacks for keywords, the header block and the whole message, which
 * are called only when a key needs them and at most once per message and
 * match. Keys are evaluated cheapest first (each AND list is ordered by
 * cost at compile time: flags, numbers and dates, then keywords, then the
 * header, then bodies), so a message that fails a flag test is never read.
 *
 * Text keys (FROM, TO, CC, BCC, SUBJECT, HEADER, BODY, TEXT) match a
 * substring, case-insensitively: ASCII letters and the two-byte UTF-8
 * letters of Latin-1, Greek and Cyrillic are folded, nothing else (no
 * Unicode normalization). Header fields are unfolded and their RFC 2047
 * words decoded (mime_header_find, mime_word_decode) before the search;
 * "HEADER name" with an empty string matches when the field exists.
 * BODY searches the decoded (base64, quoted-printable) bodies of the leaf
 * parts of type text (any subtype) as mime_parse() finds them; TEXT
 * searches those and every header of the message (its own and those of
 * the parts). A body in a charset charset.h knows (ISO-8859-x, KOI8-R,
 * windows-125x, Shift_JIS, EUC-JP, ISO-2022-JP, GBK, GB18030, Big5, EUC-KR,
 * UTF-16 and the rest of glibc's iconv) is converted to UTF-8 as it is
 * decoded, RFC 2047 words too; a body in an unknown charset is searched
 * in the bytes its transfer encoding decodes to. CHARSET takes any of
 * those charsets (the search strings are converted). The search is KMP over the folded bytes, streamed
 * through the decoders: time linear in the message, memory bounded by the
 * needle and a fixed chunk.
 *
 * Dates: BEFORE, ON, SINCE compare the internal date's day in its own zone
 * (RFC 9051 6.4.4, internal_tz_min); SENTBEFORE, SENTON, SENTSINCE the day
 * of the Date: header as written, disregarding time and zone; a message
 * whose Date: is missing or unparsable does not match them (nor their
 * NOT: the key is false, its negation true).
 *
 * Ownership: a compiled search copies everything it needs from the
 * arguments (they may go away with the parser) and is freed with
 * imap_search_destroy(). It keeps scratch buffers and caches, so one
 * search must not be matched from two threads at once. Errors: compile
 * returns IMAP_SEARCH_BAD with a text for "<tag> BAD <text>", or
 * IMAP_SEARCH_BADCHARSET with a text for "<tag> NO <text>" (it starts
 * with the response code "[BADCHARSET (US-ASCII UTF-8)]"); the texts hold
 * no client bytes. Limits (nesting depth, number of keys) are checked
 * before memory is spent; peer input never panics.
 *
 * A server's SEARCH, in outline:
 *	rc = imap_search_compile(args, NULL, &s, err);  (BAD / NO on error)
 *	for each message m: imap_search_match(s, &m, &env) -> add m.seq or
 *	    m.uid to res (and m.uid to uids when RETURN has SAVE);
 *	imap_search_render(s, tag, flags, &res, out);
 *	if (imap_search_return(s) & IMAP_SEARCH_RET_SAVE)
 *	    imap_search_save(s, &uids, &session_saved);
 *	imap_search_destroy(&s); */
#ifndef TERN_MAIL_IMAP_SEARCH_H
#define TERN_MAIL_IMAP_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct imap_arg;

/* Message flags (struct imap_search_msg's flags). */
#define IMAP_SF_SEEN 0x01
#define IMAP_SF_ANSWERED 0x02
#define IMAP_SF_FLAGGED 0x04
#define IMAP_SF_DELETED 0x08
#define IMAP_SF_DRAFT 0x10
#define IMAP_SF_RECENT 0x20

/* RETURN options (RFC 4731 3.1, RFC 5182 2). */
#define IMAP_SEARCH_RET_MIN 0x01
#define IMAP_SEARCH_RET_MAX 0x02
#define IMAP_SEARCH_RET_ALL 0x04
#define IMAP_SEARCH_RET_COUNT 0x08
#define IMAP_SEARCH_RET_SAVE 0x10

/* What a search needs of a message (imap_search_needs()). */
#define IMAP_SEARCH_NEED_KEYWORDS 0x01
#define IMAP_SEARCH_NEED_HEADER 0x02
#define IMAP_SEARCH_NEED_MESSAGE 0x04
#define IMAP_SEARCH_NEED_SIZE 0x08 /* LARGER, SMALLER: the size */
/* BEFORE, ON, SINCE, OLDER, YOUNGER: the internal date and its zone */
#define IMAP_SEARCH_NEED_DATE 0x10

/* Results of imap_search_compile(). */
#define IMAP_SEARCH_OK 0
#define IMAP_SEARCH_BAD (-1)        /* "<tag> BAD <err>" */
#define IMAP_SEARCH_BADCHARSET (-2) /* "<tag> NO <err>" */

/* The charsets accepted, as BADCHARSET lists them (RFC 9051 7.1). */
#define IMAP_SEARCH_CHARSETS "(US-ASCII UTF-8)"

/* Defaults of struct imap_search_limits. Long OR chains nest: a client
 * that ORs n addresses writes n - 1 levels. */
#define IMAP_SEARCH_DEF_DEPTH_MAX 100
#define IMAP_SEARCH_DEF_KEYS_MAX 10000

struct imap_search_limits {
	unsigned depth_max; /* nesting of lists, NOT and OR; 0: default */
	unsigned keys_max;  /* search keys in all; 0: default */
};

/* A sorted set of distinct message numbers (sequence numbers or UIDs):
 * the matches of a search, or a saved result. At most max of them. */
struct imap_seqlist {
	uint32_t *nums; /* count of them, ascending */
	size_t count, cap, max;
};

/* One message, as the server describes it. has_keyword returns 1 when
 * the keyword is set, 0 when not, -1 on an error. header gives the header
 * block (raw, LF or CRLF, the empty line after it may be included) and
 * message the whole message; both return 0 (with *p and *n set, valid
 * until imap_search_match() returns) or -1 on an error. header may be NULL
 * (it is then taken from the message); has_keyword may be NULL (no
 * keywords); message may be NULL only when the search does not need it
 * (imap_search_needs()). */
struct imap_search_msg {
	uint32_t seq, uid;
	unsigned flags;      /* IMAP_SF_* */
	uint64_t size;       /* RFC822.SIZE */
	time_t internaldate; /* INTERNALDATE, as a UTC instant */
	int internal_tz_min; /* its zone: minutes east of UTC */
	int (*has_keyword)(void *ctx, const char *kw);
	int (*header)(void *ctx, const char **p, size_t *n);
	int (*message)(void *ctx, const char **p, size_t *n);
	void *ctx;
};

/* The mailbox around the messages: "*" stands for max_seq in a sequence
 * set and for max_uid after UID; saved is the saved result of RFC 5182 as
 * UIDs (NULL: none, "$" matches nothing); now is the time OLDER and
 * YOUNGER count back from. */
struct imap_search_env {
	uint32_t max_seq, max_uid;
	const struct imap_seqlist *saved;
	time_t now;
};

struct imap_search;

/* Compile the arguments of SEARCH (args: the first one after "SEARCH",
 * the rest linked by next): [RETURN (opts)] [CHARSET name] keys. lim may
 * be NULL (defaults). On success *s_r gets the search and
 * IMAP_SEARCH_OK is returned; else *s_r is NULL, err gets the text
 * (replacing what it held) and IMAP_SEARCH_BAD or IMAP_SEARCH_BADCHARSET
 * is returned. */
int imap_search_compile(const struct imap_arg *args,
    const struct imap_search_limits *lim, struct imap_search **s_r,
    struct buf *err);
/* Free a search; sets *sp to NULL. NULL is a no-op. */
void imap_search_destroy(struct imap_search **sp);

/* The RETURN options given (IMAP_SEARCH_RET_*): "RETURN ()" counts as
 * ALL (RFC 4731 3.1); 0 when RETURN was not given. */
unsigned imap_search_return(const struct imap_search *s);
/* What the search needs of messages (IMAP_SEARCH_NEED_*). */
unsigned imap_search_needs(const struct imap_search *s);
/* 1 when the search refers to the saved result ("$"), else 0. */
int imap_search_uses_saved(const struct imap_search *s);

/* Does message m match? Returns 1 or 0, or -1 when a callback failed (the
 * server answers NO). */
int imap_search_match(struct imap_search *s, const struct imap_search_msg *m,
    const struct imap_search_env *env);

/* imap_search_result.c: result lists. */

/* An empty list of at most max numbers. Never fails. */
void imap_seqlist_init(struct imap_seqlist *l, size_t max);
void imap_seqlist_deinit(struct imap_seqlist *l);
void imap_seqlist_reset(struct imap_seqlist *l);
/* Add n (in any order; fastest ascending; a number already there is
 * ignored). Returns 0, or -1 when the list holds max numbers already. */
int imap_seqlist_add(struct imap_seqlist *l, uint32_t n);
/* 1 when n is in l, else 0 (binary search). */
int imap_seqlist_contains(const struct imap_seqlist *l, uint32_t n);
/* Append l as a sequence set with ranges ("2:4,9"; nothing when empty).
 * Returns 0, or -1 when out's maximum was reached (out is then cut). */
int imap_seqlist_render(const struct imap_seqlist *l, struct buf *out);

/* How imap_search_render() answers. */
#define IMAP_SEARCH_RENDER_UID 0x01  /* UID SEARCH: the list holds UIDs */
#define IMAP_SEARCH_RENDER_REV2 0x02 /* IMAP4rev2: always ESEARCH */

/* Append the untagged response for the matches in res (UIDs for UID
 * SEARCH, else sequence numbers) to out, with CRLF: "* SEARCH 2 3 4"
 * when no RETURN was given (IMAP4rev1), else "* ESEARCH (TAG "tag")
 * [UID] MIN 2 MAX 9 COUNT 5 ALL 2:4,9" with the options asked for (MIN,
 * MAX and ALL left out when nothing matched, RFC 4731 3.1), and nothing
 * at all for RETURN (SAVE) alone (RFC 5182 2.4). Under REV2 a search
 * without RETURN answers as RETURN (ALL) (RFC 9051 6.4.4). Returns 0, or
 * -1 when out's maximum was reached (out is then cut). */
int imap_search_render(const struct imap_search *s, const char *tag,
    unsigned flags, const struct imap_seqlist *res, struct buf *out);
/* For RETURN (SAVE): fill saved with what RFC 5182 2.4 keeps of the
 * matching UIDs in uids: only the lowest and/or highest when MIN and/or
 * MAX were asked for without ALL or COUNT, else all of them. Returns 0,
 * or -1 when saved's maximum was reached. */
int imap_search_save(const struct imap_search *s,
    const struct imap_seqlist *uids, struct imap_seqlist *saved);

#endif
