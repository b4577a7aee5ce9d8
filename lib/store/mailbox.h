/* mailbox - one Maildir folder as POP3 (and, next, IMAP) sees it: a
 * snapshot of its messages in UID order, with their sizes on the wire,
 * UIDs from dovecot-uidlist (uidlist.h), files reached by base name
 * wherever they moved (new/ or cur/, any flags).
 *
 * mailbox_open scans new/ and cur/ (file names that do not start with '.'),
 * moves what is in new/ to cur/ with the info ":2," (":2,S" with
 * MAILBOX_SEEN: the client has seen it) and fsyncs both, gives UIDs to
 * messages the list does not know (in order of their delivery time, the
 * name's leading seconds and then the name), drops records of files that
 * are gone, and writes the list when it changed (under its lock, read
 * again first). A damaged list is rebuilt under a UIDVALIDITY above the
 * damaged one's. Messages that arrive later are not in the snapshot
 * (RFC 1939: the maildrop is the one the session started with).
 *
 * Sizes: size is the file's length (local stores LF line ends); vsize the
 * length as sent on the wire with every LF not preceded by CR made CRLF
 * (RFC 1939 octet counts, RFC 3501 RFC822.SIZE), taken from the name's
 * ",W=" or the list's W extension, else counted once by reading the file
 * and kept in the list.
 *
 * Ownership: the caller owns the struct mailbox until mailbox_close.
 * Error texts name the file and system call. Not thread-safe. */
#ifndef TERN_STORE_MAILBOX_H
#define TERN_STORE_MAILBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct buf;
struct mailbox;

struct mailbox_msg {
	uint32_t uid;
	const char *base; /* base name (without ":2,...") */
	const char *name; /* "cur/<file name>" as last seen */
	off_t size;       /* on disk */
	off_t vsize;      /* on the wire (CRLF) */
};

/* mailbox_open flags */
#define MAILBOX_POP3_LOCK \
	0x01 /* one POP3 session at a time: else
				  MAILBOX_IN_USE */
#define MAILBOX_SEEN \
	0x02 /* what moves from new/ to cur/ gets ":2,S"
				  (else ":2,") */

#define MAILBOX_IN_USE (-2)

/* Open the Maildir at path (it and cur/, new/ and tmp/ created when
 * missing). The POP3 lock is an flock on path/tern-pop3.lock, held until
 * mailbox_close (a second open conflicts in the same process too).
 * Returns 0 with *mb_r set; MAILBOX_IN_USE when MAILBOX_POP3_LOCK is
 * asked and another session holds it; -1 with the reason in err. */
int mailbox_open(const char *path, int flags, struct mailbox **mb_r,
    struct buf *err);

uint32_t mailbox_uidvalidity(const struct mailbox *mb);
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

/* Remove messages: unlink each (already gone is fine; a renamed one is
 * found by base name), fsync cur/ and new/, drop them from the list. idx
 * holds n message numbers (0-based). The snapshot keeps its numbering: an
 * expunged message's mailbox_msg_open gives 0. Returns 0, or -1 with err
 * set after removing what it could (a message not removed stays in the
 * mailbox: it is never lost, at worst seen again). */
int mailbox_expunge(struct mailbox *mb, const size_t *idx, size_t n,
    struct buf *err);

/* Release the POP3 lock and free; *mbp set to NULL (NULL allowed). */
void mailbox_close(struct mailbox **mbp);

#endif
