/* mbox - append one message to an mbox file, locked as Debian's mail tools
 * expect.
 * A struct mbox is one delivery in progress, done as the current identity
 * (the caller has already switched to the mailbox owner). mbox_open takes
 * two locks, in this order, within one deadline (opts->lock_timeout):
 * a dot-lock "<path>.lock" made with O_CREAT|O_EXCL in the mailbox's
 * directory (it holds our pid; one older than MBOX_DOTLOCK_STALE seconds is
 * removed as stale, and ours is touched while we write so that it never
 * looks stale to others), then an fcntl F_SETLK write lock on the whole
 * file: mutt, mailutils, procmail and liblockfile honour both. Where the
 * directory refuses us the dot-lock (EACCES, EPERM or EROFS: Debian's
 * /var/mail is root:mail 2775 and the caller may lack group mail), the
 * fcntl lock alone is used, a warning is logged and mbox_dotlocked says 0.
 * The file is opened O_WRONLY|O_APPEND|O_NOFOLLOW|O_NOCTTY|O_NONBLOCK|
 * O_CLOEXEC, and refused unless it is a regular file with one link, owned
 * by the effective uid, and still the file the path names; a mailbox that
 * does not exist is created with O_CREAT|O_EXCL and opts->mode (so we know
 * we made it, and fsync its directory at commit). Its
 * size once locked is remembered: mbox_abort, and a failed mbox_commit,
 * truncate the file back to it, so a partial message never stays (a file
 * we created stays, empty: removing it could strand a writer waiting for
 * our lock on it).
 *
 * Format: "From <sender> <asctime date>\n", the message, a "\n" if it did
 * not end with one, then one empty line. Quoting is mboxrd: a line that
 * matches /^>*From / gets one more '>' (so a reader that unquotes can
 * restore the message exactly; mutt reads mboxrd and mboxo alike). Nothing
 * else is converted (line ends are written as given). In the sender, bytes
 * that are controls, spaces or DEL become '_' (the separator line must
 * stay one line of three words), and "" is MAILER-DAEMON.
 *
 * Errors fill a struct mbox_error, classified for the delivery status:
 * - the size limit (mailbox_size_limit: the size before + all written)
 *   is permanent 5.2.2 "mailbox full";
 * - an unsafe mailbox (a symbolic link, not a regular file, more than one
 *   link, another owner, replaced while opened) is TEMPORARY 4.2.0: the
 *   mail stays queued and nothing is lost while an administrator looks
 *   (our choice: a bounce would lose mail for a local mistake);
 *   permission denied on the mailbox is 4.2.0 too;
 * - a lock not obtained in time is temporary 4.2.0 "mailbox busy";
 * - ENOSPC is 4.3.1 (mail system full), EDQUOT 4.2.2 (over quota, may
 *   clear), every other failed system call (EIO, EMFILE, ...) 4.3.0.
 * A write error is sticky: later writes and commit fail with it.
 *
 * Ownership: the caller owns the struct mbox until mbox_commit or
 * mbox_abort, each of which frees it in every case. Not thread-safe (one
 * delivery per process is the intended use). A failed system call is an
 * error, never fatal; calling mbox_write before mbox_write_from is a
 * panic. */
#ifndef TERN_STORE_MBOX_H
#define TERN_STORE_MBOX_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct mbox;

/* Size of the write buffer of one delivery. */
#define MBOX_WBUF (64 * 1024)
/* A dot-lock last modified this many seconds ago is stale. */
#define MBOX_DOTLOCK_STALE 300
/* Lock timeout when opts give 0, in seconds. */
#define MBOX_LOCK_TIMEOUT 30
/* Longest sender kept in the From line (longer ones are cut). */
#define MBOX_SENDER_MAX 512

/* How to open. A zeroed struct (or NULL) means: mode 0600, no size limit,
 * dot-lock, MBOX_LOCK_TIMEOUT seconds. */
struct mbox_opts {
	mode_t mode;      /* creation mode; 0: 0600 */
	long size_limit;  /* bytes, file included; 0: none */
	int no_dotlock;   /* 1: the fcntl lock only */
	int lock_timeout; /* seconds for both locks together; 0: default */
};

/* Why an operation failed: temporary (4.x.x) or not (5.x.x), the
 * enhanced status code and a text for the log and the bounce. */
struct mbox_error {
	int temporary;
	char dsn[8];
	char text[256];
};

/* Lock and open the mbox at path (created if missing) for one message.
 * Returns 0 with *mb_r set, or -1 with *err filled (see the classes
 * above); nothing is left locked or created but the file itself. */
int mbox_open(const char *path, const struct mbox_opts *o, struct mbox **mb_r,
    struct mbox_error *err);

/* Whether the dot-lock is held (0: the directory refused it, or
 * opts->no_dotlock). Never fails. */
int mbox_dotlocked(const struct mbox *mb);

/* Write the separator line "From <sender> <date>\n" (date: arrival in
 * local time, asctime's layout). Must come first, once. Returns 0, or -1
 * with *err filled. */
int mbox_write_from(struct mbox *mb, const char *sender, time_t arrival,
    struct mbox_error *err);

/* Append len bytes of the message, in chunks of any size (a line may span
 * calls), with mboxrd quoting. Returns 0, or -1 with *err filled (sticky).
 * Panics if mbox_write_from has not been called. */
int mbox_write(struct mbox *mb, const char *data, size_t len,
    struct mbox_error *err);

/* End the message ("\n" if missing, then an empty line), flush, fsync,
 * unlock, close and free mb (in every case). Returns 0 once the message is
 * on disk, or -1 with *err filled after truncating the file back to its
 * size before the delivery. */
int mbox_commit(struct mbox *mb, struct mbox_error *err);

/* Truncate back to the size before this delivery, unlock, close, free.
 * Sets *mbp to NULL; NULL is allowed. Never fails (best effort). */
void mbox_abort(struct mbox **mbp);

#endif
