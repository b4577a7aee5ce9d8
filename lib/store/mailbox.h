/* mailbox - one Maildir folder as POP3 and IMAP see it: a view of its
 * messages in UID order, with their sizes on the wire, UIDs from
 * dovecot-uidlist (uidlist.h), flags from the file names (mflags.h), files
 * reached by base name wherever they moved (new/ or cur/, any flags).
 *
 * mailbox_open scans new/ and cur/ (file names that do not start with '.'),
 * moves what is in new/ to cur/ with the info ":2," (":2,S" with
 * MAILBOX_SEEN: the client has seen it) and fsyncs both, gives UIDs to
 * messages the list does not know (in order of their delivery time, the
 * name's leading seconds and then the name), drops records of files that
 * are gone, and writes the list when it changed (under its lock, read
 * again first). A damaged list is rebuilt under a UIDVALIDITY above the
 * damaged one's. Messages that arrive later are not in the snapshot
 * (RFC 1939: the maildrop is the one the session started with) until
 * mailbox_sync (IMAP) looks again. A folder unchanged since a settled
 * look opens from the view that look left in tern-index, without reading
 * its directories (mailbox_index.c says when that is safe).
 *
 * Sizes: size is the file's length (local stores LF line ends); vsize the
 * length as sent on the wire with every LF not preceded by CR made CRLF
 * (RFC 1939 octet counts, RFC 3501 RFC822.SIZE), taken from the name's
 * ",W=" or the list's W extension, else counted once by reading the file
 * and kept in the list. With MAILBOX_LAZY_VSIZE (IMAP, whose SELECT need
 * not know sizes) a size known from neither stays -1 until
 * mailbox_msg_vsize counts it, and is not written to the list: the
 * caller keeps it where it likes (imapd: its cache).
 *
 * Ownership: the caller owns the struct mailbox until mailbox_close.
 * Error texts name the file and system call. Not thread-safe. */
#ifndef TERN_STORE_MAILBOX_H
#define TERN_STORE_MAILBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct buf;
struct mailbox;
struct mflags;

struct mailbox_msg {
	uint32_t uid;
	const char *base;      /* base name (without ":2,...") */
	const char *name;      /* "cur/<file name>" as last seen: its flags */
	off_t size;            /* on disk */
	off_t vsize;           /* on the wire (CRLF); -1 until
				  mailbox_msg_vsize (MAILBOX_LAZY_VSIZE) */
	time_t date;           /* the file's mtime (IMAP's internal date); 0
			     until mailbox_msg_date */
	unsigned recent : 1;   /* this view moved it from new/ (\Recent) */
	unsigned expunged : 1; /* gone from the folder; kept in the view by
				  a sync without MAILBOX_SYNC_EXPUNGE */
};

/* mailbox_open flags */
#define MAILBOX_POP3_LOCK \
	0x01 /* one POP3 session at a time: else
				  MAILBOX_IN_USE */
#define MAILBOX_SEEN \
	0x02 /* what moves from new/ to cur/ gets ":2,S"
				  (else ":2,") */

#define MAILBOX_LAZY_VSIZE \
	0x04 /* do not count unknown wire sizes at open or sync (vsize -1
		until mailbox_msg_vsize) */

#define MAILBOX_KEEP_NEW \
	0x08 /* leave new/ as it is (its messages are in the view, recent):
		a look that must not take \Recent from a session (STATUS) */

#define MAILBOX_IN_USE (-2)

/* Open the Maildir at path (it and cur/, new/ and tmp/ created when
 * missing). The POP3 lock is an flock on path/tern-pop3.lock, held until
 * mailbox_close (a second open conflicts in the same process too).
 * Returns 0 with *mb_r set; MAILBOX_IN_USE when MAILBOX_POP3_LOCK is
 * asked and another session holds it; -1 with the reason in err. */
int mailbox_open(const char *path, int flags, struct mailbox **mb_r,
    struct buf *err);

uint32_t mailbox_uidvalidity(const struct mailbox *mb);
/* The UID the next message will get, as the list said at the last look
 * (IMAP's UIDNEXT: a prediction, RFC 9051 2.3.1.1). */
uint32_t mailbox_uidnext(const struct mailbox *mb);
size_t mailbox_count(const struct mailbox *mb);
/* Message i (0-based, i < mailbox_count), in ascending UID order. */
const struct mailbox_msg *mailbox_msg(const struct mailbox *mb, size_t i);

/* Open message i for reading: its file, found again by base name in cur/
 * or new/ if it was renamed since the scan (flags changed by another
 * client; the message's name follows). Returns 1 with the descriptor in
 * *fd_r (the caller closes it), 0 when the message is gone (expunged),
 * or -1 with err set. */
int mailbox_msg_open(struct mailbox *mb, size_t i, int *fd_r, struct buf *err);

/* Give message i the MFLAG_* flags (mflags.h) it lacks: its file is
 * renamed in cur/ (found again by base name if another client renamed
 * it; one expunged meanwhile needs nothing). Not fsync'ed: a flag lost
 * in a crash costs nothing but the flag. Returns 0, or -1 with err. */
int mailbox_add_flags(struct mailbox *mb, size_t i, unsigned flags,
    struct buf *err);

/* Set message i's flags and keywords to f (mflags.h; letters of f->other
 * are kept too) by renaming its file in cur/, followed as
 * mailbox_add_flags does. Returns 0 (also when it was expunged
 * meanwhile), or -1 with err. */
int mailbox_set_flags(struct mailbox *mb, size_t i, const struct mflags *f,
    struct buf *err);

/* Message i's internal date (its file's mtime, as Dovecot keeps it for
 * Maildir), looked up once and kept in the message's date. Returns 1, 0
 * when the message is gone, or -1 with err. */
int mailbox_msg_date(struct mailbox *mb, size_t i, struct buf *err);

/* Give message i its internal date when it is known from elsewhere (a
 * cache): mailbox_msg_date then does not look. */
void mailbox_msg_set_date(struct mailbox *mb, size_t i, time_t date);

/* Message i's size on the wire, counted by reading its file when it is
 * not known yet (MAILBOX_LAZY_VSIZE), and kept in the message's vsize.
 * Returns 1, 0 when the message is gone, or -1 with err. */
int mailbox_msg_vsize(struct mailbox *mb, size_t i, struct buf *err);
/* Keep the sizes mailbox_msg_vsize counted in the UID list (its W
 * extension), so that the next open knows them: under the list's lock,
 * read again, the counted sizes added to the records that lack one, and
 * written (uidlist_commit). Nothing to do when none was counted. Returns
 * 0, or -1 with err (the list is then as it was). */
int mailbox_save_sizes(struct mailbox *mb, struct buf *err);

/* Give message i its wire size when it is known from elsewhere (a cache)
 * and not yet here: mailbox_msg_vsize then does not count. */
void mailbox_msg_set_vsize(struct mailbox *mb, size_t i, off_t vsize);
/* Give message i the wire size the caller counted from its whole file
 * (maildir_vsize_add over every byte), as mailbox_msg_vsize would have:
 * kept in the UID list by mailbox_save_sizes too. */
void mailbox_msg_counted_vsize(struct mailbox *mb, size_t i, off_t vsize);

/* The Maildir's path, as opened. */
const char *mailbox_path(const struct mailbox *mb);

/* IMAP: look at the folder again (RFC 9051 7.4, 7.5.1). What changed
 * since the view was made is applied to it and reported in *ch:
 *   expunged  the view's messages whose files are gone, as their 1-based
 *             message numbers before this sync, in descending order (the
 *             order EXPUNGE responses can be sent in without renumbering
 *             the rest); removed from the view. Without
 *             MAILBOX_SYNC_EXPUNGE they stay in it, marked expunged, and
 *             are not reported (RFC 9051 7.5.1: no EXPUNGE during FETCH,
 *             STORE or SEARCH); a later sync with it reports them.
 *   changed   0-based indices (after the removals) whose file name, and
 *             so whose flags, changed.
 *   added     messages appended at the end of the view. Only UIDs above
 *             every UID the view has held are added (RFC 9051 2.3.1.1:
 *             UIDs grow with message numbers); a file given a lower UID
 *             by a racing writer waits for the next mailbox_open.
 * A sync whose directories have not changed since the last look (their
 * mtimes, when that look was settled: past their clock tick, mbx_settled
 * in mailbox_impl.h) reads nothing. Returns 0, or -1
 * with err (the view is then unchanged). */
#define MAILBOX_SYNC_EXPUNGE 0x01

struct mailbox_changes {
	size_t *expunged, nexpunged;
	size_t *changed, nchanged;
	size_t added;
};

int mailbox_sync(struct mailbox *mb, int flags, struct mailbox_changes *ch,
    struct buf *err);
void mailbox_changes_free(struct mailbox_changes *ch);

/* Adding messages to a folder with their UIDs known at once (IMAP APPEND,
 * COPY and MOVE; RFC 4315 UIDPLUS). Each message is written to tmp/ and
 * made durable in cur/ with its flags and internal date by
 * maildir_commit_info (maildir.h); mailbox_put_commit then gives all of
 * them their UIDs in one update of the list, under its lock, in the order
 * they were added. A message another scan finds before that gets its UID
 * from that scan; the commit reports it. A crash before the commit leaves
 * messages without UIDs, which the next open gives them: never lost, at
 * worst added twice when the client, not told, tries again.
 *
 * The folder at path must exist (the caller checks, for IMAP's
 * [TRYCREATE]). Ownership: the put is the caller's until
 * mailbox_put_commit or mailbox_put_abort frees it. */
struct mailbox_put;
struct maildir_msg;

struct mailbox_put *mailbox_put_begin(const char *path);
/* Start a message: write its octets to *m_r with maildir_write (as
 * stored: LF line ends, as local stores them, or as the client sent
 * them). Returns 0, or -1 with err. */
int mailbox_put_start(struct mailbox_put *p, struct maildir_msg **m_r,
    struct buf *err);
/* Finish the message m (from mailbox_put_start; freed in every case):
 * flags f (NULL: none) and internal date date (0: now). Returns 0, or -1
 * with err (that message is not added; the put goes on). */
int mailbox_put_finish(struct mailbox_put *p, struct maildir_msg *m,
    const struct mflags *f, time_t date, struct buf *err);
/* Copy message i of src (its octets and internal date) with flags f: a
 * hard link to its file where the file system allows one (the data is
 * shared, as Dovecot copies), else a copy of the bytes. Returns 1, 0
 * when the message is gone (expunged meanwhile: nothing added), or -1
 * with err. */
int mailbox_put_copy(struct mailbox_put *p, struct mailbox *src, size_t i,
    const struct mflags *f, struct buf *err);
/* Messages finished so far. */
size_t mailbox_put_count(const struct mailbox_put *p);
/* Give the messages their UIDs and free p: *uidvalidity_r, and uids[]
 * (room for mailbox_put_count) in the order they were added. Returns 0,
 * or -1 with err; then the messages are removed again (one whose removal
 * fails stays, to get a UID at the next open). */
int mailbox_put_commit(struct mailbox_put *p, uint32_t *uidvalidity_r,
    uint32_t *uids, struct buf *err);
/* Remove the messages added and free; *pp set to NULL (NULL allowed). */
void mailbox_put_abort(struct mailbox_put **pp);

/* Remove messages: unlink each (already gone is fine; a renamed one is
 * found by base name), fsync cur/ and new/, drop them from the list. idx
 * holds n message numbers (0-based). The snapshot keeps its numbering: an
 * expunged message's mailbox_msg_open gives 0. Returns 0, or -1 with err
 * set after removing what it could (a message not removed stays in the
 * mailbox: it is never lost, at worst seen again). */
int mailbox_expunge(struct mailbox *mb, const size_t *idx, size_t n,
    struct buf *err);

/* Release the POP3 lock and free; *mbp set to NULL (NULL allowed). On
 * the way out, what crashed deliveries left in the folder's tmp/ 36 hours
 * ago or more is removed (maildir_sweep_tmp): at a close, after the
 * client has its answer, not in the look a client waits for. */
void mailbox_close(struct mailbox **mbp);

#endif
