/* mflags - a Maildir message's flags and keywords, where Maildir and
 * Dovecot keep them, so that IMAP, POP3 and Dovecot agree on them.
 *
 * Flags live in the file name's info part, "<base>:2,<letters>" (the
 * Maildir convention), the letters in ASCII order: D Draft, F Flagged,
 * P Passed (IMAP $Forwarded), R Replied (\Answered), S Seen, T Trashed
 * (\Deleted); the lower-case letters a..z stand for keywords, whose names
 * are in the folder's dovecot-keywords file, one "<index> <name>" line
 * each (index 0 is 'a', at most 26), as Dovecot writes it. Letters this
 * module does not know are kept as they are when a name is rewritten.
 *
 * The keywords file is read whole; it is written under Dovecot's lock
 * (dovecot-keywords.lock, O_EXCL, taken as stale after 120 s), into the
 * lock file, fsync'ed, renamed over the file, the directory fsync'ed, its
 * modification time made to grow (Dovecot rereads the file when it
 * changes). Keyword names compare without case. Not thread-safe. */
#ifndef TERN_STORE_MFLAGS_H
#define TERN_STORE_MFLAGS_H

#include <stdint.h>

struct buf;

#define MFLAG_DRAFT 0x01   /* D */
#define MFLAG_FLAGGED 0x02 /* F */
#define MFLAG_PASSED 0x04  /* P */
#define MFLAG_REPLIED 0x08 /* R */
#define MFLAG_SEEN 0x10    /* S */
#define MFLAG_TRASHED 0x20 /* T */

#define MFLAG_KEYWORDS_MAX 26
#define MFLAG_KEYWORDS_FILE "dovecot-keywords"

struct mflags {
	unsigned flags;    /* MFLAG_* */
	uint32_t keywords; /* bit i: the keyword at index i ('a' + i) */
	char other[32];    /* letters we do not know, kept in order */
};

/* The flags of a file name: its part after ":2," (none: no flags).
 * Never fails. */
void mflags_parse(const char *name, struct mflags *f);
/* Replace out with base, ":2," and f's letters in ASCII order. Returns
 * 0, or -1 when out is too small. */
int mflags_name(const char *base, const struct mflags *f, struct buf *out);

struct mkeywords {
	char *names[MFLAG_KEYWORDS_MAX]; /* NULL: index unused */
};

/* Read dir/dovecot-keywords into k (which this initialises; a missing
 * file is an empty table; lines that are not "<0..25> <name>" are
 * skipped, as Dovecot does). Returns 0, or -1 with err set. */
int mkeywords_read(const char *dir, struct mkeywords *k, struct buf *err);
/* The index of name (without case), or -1. */
int mkeywords_find(const struct mkeywords *k, const char *name);
/* The index of name, given the first free index when it has none: the
 * index, or -1 when all 26 are taken (the caller's write makes it
 * last). */
int mkeywords_add(struct mkeywords *k, const char *name);
/* Write k as dir/dovecot-keywords (see above). Returns 0, or -1 with err
 * set (the old file is then unchanged). */
int
mkeywords_write(const char *dir, const struct mkeywords *k, struct buf *err);
void mkeywords_free(struct mkeywords *k);

#endif
