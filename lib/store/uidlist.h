/* uidlist - the UIDs of one Maildir folder, in Dovecot's dovecot-uidlist
 * (version 3) file, read and written so that a Maildir moves between
 * Dovecot and Tern in either direction and keeps its UIDs.
 *
 * The file, in the folder's directory, is a header line and one line per
 * message, in ascending UID order:
 *
 *     3 V<uidvalidity> N<nextuid> G<guid, 32 hex digits>[ <other fields>]
 *     <uid>[ <ext>...] :<base name>
 *
 * The base name is the message's file name up to (not including) its
 * ":2," info part. Extensions are a capital letter and a value (W<vsize>:
 * the size with CRLF line ends; S<size>; others, such as G<guid>, are kept
 * as read and written back unchanged, W last). Header fields other than
 * V, N and G are kept too, in their order. Lines this module cannot read (a version other than 3, a
 * damaged line) make uidlist_read fail: the caller then rebuilds with a
 * new UIDVALIDITY, as Dovecot does, never reusing UIDs under the old one.
 *
 * Rules (RFC 3501 2.3.1.1, RFC 9051 2.3.1.1): a UID once given is never
 * given again under the same UIDVALIDITY; UIDs grow with arrival order;
 * nextuid is above every UID ever given. A new UIDVALIDITY is the current
 * time (seconds), as Dovecot makes it, raised above the old value if the
 * clock says less.
 *
 * Dovecot also appends new records to the file in place, under the lock,
 * leaving N in the header below the UIDs it appended: the reader raises
 * nextuid above every UID it reads, and a list that fails to read without
 * the lock (a cut last line) must be read again under it before it is
 * taken as damaged.
 *
 * Writing is atomic and durable (DESIGN.md): the new list goes into
 * dovecot-uidlist.lock (created with O_EXCL: it is also the lock that
 * Dovecot takes, so a Dovecot and a Tern never write at once), is
 * fsync'ed, renamed over dovecot-uidlist, and the directory fsync'ed. A
 * lock file older than UIDLIST_STALE_LOCK seconds is taken to be left by
 * a crash and removed. Not thread-safe; error texts name the file. */
#ifndef TERN_STORE_UIDLIST_H
#define TERN_STORE_UIDLIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct buf;
struct htable;

#define UIDLIST_FILE "dovecot-uidlist"
#define UIDLIST_LOCK "dovecot-uidlist.lock"
/* How long a writer may hold the lock before others take it as stale,
 * and how long uidlist_lock waits for it. */
#define UIDLIST_STALE_LOCK 120
#define UIDLIST_LOCK_WAIT 30

struct uidlist_rec {
	uint32_t uid;
	char *base;  /* base name: the file name without ":2,..." */
	off_t vsize; /* W extension; -1 when not known */
	char *ext;   /* the other extensions, as read ("G1a2b..."), or NULL */
};

struct uidlist {
	uint32_t uidvalidity;
	uint32_t nextuid;
	char guid[33];            /* hex, NUL-terminated; made when empty */
	char *hdr_extra;          /* other header fields, as read, or NULL */
	struct uidlist_rec *recs; /* ascending uid */
	size_t count, cap;
	struct htable *index; /* private: uidlist_find's index, or NULL */
};

/* Read dir/dovecot-uidlist into *ul (which this initialises). A file that
 * does not exist gives an empty list with uidvalidity 0 and nextuid 1 (the
 * caller sets a UIDVALIDITY with uidlist_reset before it first writes).
 * Returns 0, or -1 with the reason in err (unreadable, or not a version 3
 * list: line number and what was wrong); on failure *ul is an empty list
 * whose uidvalidity (and guid) are the damaged file's when its header
 * could be read (0 otherwise), so that uidlist_reset can go above it. */
int uidlist_read(const char *dir, struct uidlist *ul, struct buf *err);

/* The parser and writer behind uidlist_read and uidlist_commit, on a
 * buffer (tests and the fuzzer use them too). uidlist_parse reads the len
 * bytes at text (NULs are damage) as uidlist_read does, with "line N:" in
 * err. uidlist_format appends the file's text to out (a GUID is made when
 * ul has none); -1 when out's maximum is too small, or ul has no
 * uidvalidity or nextuid. */
int uidlist_parse(const char *text, size_t len, struct uidlist *ul,
    struct buf *err);
int uidlist_format(const struct uidlist *ul, struct buf *out);

/* Take the write lock (dir/dovecot-uidlist.lock, O_EXCL), waiting up to
 * UIDLIST_LOCK_WAIT seconds. Returns the lock's descriptor (the new list
 * is written into it), or -1 with err set. Read the list again after
 * taking the lock: another writer may have added UIDs. */
int uidlist_lock(const char *dir, struct buf *err);

/* Write ul through the lock fd (from uidlist_lock) and make it the list:
 * write, fsync, rename to dovecot-uidlist, fsync dir. The lock is released
 * in every case (the lock file renamed or removed, fd closed). Returns 0,
 * or -1 with err set (the old list is then unchanged, except after a
 * failed directory fsync: the new one may then be in place, not durable).
 * A lock taken from us as stale is found before the rename: an error. */
int uidlist_commit(const char *dir, int lock_fd, const struct uidlist *ul,
    struct buf *err);

/* Delivery (local): give the new message base (in new/) the next UID at
 * once, as Dovecot's LDA does, so that IMAP and POP3 see it with the same
 * UID and in arrival order. The record is appended to the list in place
 * under the lock (Dovecot's way: N in the header is left behind, readers
 * raise it), its UID taken from the header and the last line, and made
 * durable. A Maildir without a list is left alone (the first open
 * numbers it); a list that does not end in a whole line is left to the
 * next writer that reads it all. The lock is waited for at most
 * UIDLIST_DELIVERY_WAIT seconds: a delivery must not hang on a reader.
 * Returns 0 (done, or nothing to do), or -1 with err: the message then
 * gets its UID at the next open, as if there were no list. */
#define UIDLIST_DELIVERY_WAIT 2
#define UIDLIST_TAIL 4096
int uidlist_add_delivered(const char *dir, const char *base, struct buf *err);

/* Drop the lock without writing. */
void uidlist_unlock(const char *dir, int lock_fd);

/* Give base the next UID (appended; base must not be in the list).
 * Returns the UID, or 0 when the UIDs are used up (nextuid would pass
 * 2^32-1): the caller then starts again with uidlist_reset. */
uint32_t uidlist_append(struct uidlist *ul, const char *base, off_t vsize);

/* The record of base, or NULL (a binary search is not possible: records
 * are in UID order; an index is built on first use). */
const struct uidlist_rec *uidlist_find(struct uidlist *ul, const char *base);

/* Drop the records whose base is not in keep (called with the names a
 * scan found, after expunges by anyone). */
void uidlist_retain(struct uidlist *ul,
    int (*keep)(void *ctx, const char *base), void *ctx);

/* A new, empty list under a fresh UIDVALIDITY above old (0: none), UIDs
 * starting at 1. The mailbox GUID stays; other header fields go. ul may be
 * zeroed memory or a list. */
void uidlist_reset(struct uidlist *ul, uint32_t old_uidvalidity);

/* Free what ul holds (it is left zeroed; a zeroed ul is fine too). */
void uidlist_free(struct uidlist *ul);

#endif
