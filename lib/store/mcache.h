/* mcache - a folder's cache of what IMAP clients ask of its messages again
 * and again (internal dates, ENVELOPE, BODY, BODYSTRUCTURE and the header
 * blocks SEARCH reads), so that a
 * large mailbox answers FETCH 1:* without opening a message file once the
 * answers are known.
 *
 * What is cached never changes: a Maildir message's octets and mtime stay
 * as delivered (flags live in its name), so a value is keyed by the
 * message's base name (unique for good) and never goes stale. A message
 * expunged leaves dead records behind, dropped when the file is
 * compacted.
 *
 * The file is tern-cache in the folder's directory (Dovecot ignores it):
 * the line "TERNCACHE 2\n", then records appended one after the other,
 *
 *     <len: 8 hex> SP <sum: 8 hex> SP <field> <base> TAB <value> LF
 *
 * where len counts the bytes from field to LF and sum is their
 * checksum32 (util/checksum.h; version 1 files, FNV-1a, are started
 * again). Values may hold any byte (ENVELOPE literals hold CRLF):
 * len, not LF, delimits a record.
 *
 * Concurrency, as after Dovecot's cache file: readers never lock and never
 * wait; the file is mapped and indexed up to the last whole record (its
 * length and final LF in place: a record is appended whole by one
 * write(2) with O_APPEND, so a reader sees whole records or none, except
 * after a crash), and a record's sum is checked when it is first read: a
 * damaged one is never given out (the caller makes the value again).
 * Writers take an flock on the file, truncate a torn tail (from the first
 * record that is not whole: a cache loses nothing that cannot be made
 * again), and append. Readers touch no byte past that end, so a mapping
 * never loses a page it reads. Compaction writes the live
 * records to a new file and renames it over the old one, under the lock;
 * a reader with the old file mapped goes on reading it and picks up the
 * new one at its next refresh. Nothing is fsync'ed: after a crash the
 * checks above throw away what did not reach the disk.
 *
 * Errors are never fatal and never reach the client: a cache that cannot
 * be read or written costs time, not answers. Not thread-safe. */
#ifndef TERN_STORE_MCACHE_H
#define TERN_STORE_MCACHE_H

#include <stddef.h>

struct buf;
struct mcache;

#define MCACHE_FILE "tern-cache"
/* Values longer than this are not cached (a BODYSTRUCTURE of thousands of
 * parts): they are made again each time. */
#define MCACHE_VALUE_MAX (256 * 1024)

/* Fields. */
#define MCACHE_DATE 'D'          /* internal date: decimal seconds */
#define MCACHE_VSIZE 'W'         /* RFC822.SIZE: decimal octets */
#define MCACHE_ENVELOPE 'E'      /* the ENVELOPE list */
#define MCACHE_BODY 'b'          /* BODY */
#define MCACHE_BODYSTRUCTURE 'B' /* BODYSTRUCTURE */
#define MCACHE_HEADER 'H'        /* the header block (SEARCH), when short */
/* Header blocks longer than this are not cached. */
#define MCACHE_HEADER_MAX (16 * 1024)

/* The cache of the folder at dir, read as it is now (a missing or
 * unreadable file is an empty cache). Never fails. */
struct mcache *mcache_open(const char *dir);

/* The value of field for base, or NULL (len_r gets its length). The
 * pointer is valid until the next mcache_refresh, mcache_flush or
 * mcache_close. */
const char *
mcache_get(struct mcache *c, const char *base, char field, size_t *len_r);

/* Keep a value for base, written at the next mcache_flush. A value
 * already cached, or longer than MCACHE_VALUE_MAX, is ignored. */
void mcache_put(struct mcache *c, const char *base, char field,
    const char *value, size_t len);

/* Append the values put since the last flush, under the lock; when dead
 * records outweigh live ones (live: those whose base is_live says so,
 * when is_live is not NULL), compact. Returns 0, or -1 with err (the
 * values are dropped). */
int mcache_flush(struct mcache *c, int (*is_live)(void *ctx, const char *base),
    void *ctx, struct buf *err);

/* Read what other sessions appended since (a stat when nothing was). */
void mcache_refresh(struct mcache *c);

/* Records read, and of them those that mcache_flush's is_live last
 * counted as live (for tests). */
size_t mcache_records(const struct mcache *c);

/* Unmap and free (pending values are dropped); *cp set to NULL (NULL
 * allowed). */
void mcache_close(struct mcache **cp);

#endif
