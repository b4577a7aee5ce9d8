/* maildir - durable delivery of one message into a Maildir.
 * A struct maildir_msg is one delivery in progress: maildir_open creates any
 * missing directories (the Maildir itself and parents, then cur/ new/ tmp/,
 * mode 0700; the parent of each new directory is fsync'ed) and a file in
 * tmp/ with O_CREAT|O_EXCL under a unique name
 * "<sec>.M<usec>P<pid>Q<n>.<host>" (in host, '/' and ':' are written as
 * \057 and \072, as Dovecot and Courier do). maildir_write buffers 64 KiB.
 * maildir_commit flushes, fsyncs the file, links it into
 * new/<name>,S=<size>,W=<vsize> (size: the bytes written; vsize: the size
 * on the wire, every LF not preceded by CR counted as CRLF, as Dovecot
 * names its files; renames instead where the file system refuses hard
 * links), fsyncs new/, then unlinks the tmp/ name: success is reported only
 * once the new/ entry is durable, so a crash or failure before that means
 * "not delivered" and a later retry, never a loss.
 *
 * Ownership: the caller owns the struct maildir_msg until maildir_commit or
 * maildir_abort, each of which frees it in every case. Error text is in a
 * module-static buffer valid until the next failing maildir call (not
 * thread-safe). A failed system call is an error, never fatal. */
#ifndef TERN_MAIL_MAILDIR_H
#define TERN_MAIL_MAILDIR_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct buf;
struct maildir_msg;

/* Size of the write buffer of one delivery. */
#define MAILDIR_WBUF (64 * 1024)

/* mkdir -p path (mode 0700), then its cur/ new/ tmp/; each directory
 * made is durable (its parent fsync'ed) before this returns. Existing
 * ones are fine. Returns 0, or -1 with *error_r set. */
int maildir_make(const char *path, const char **error_r);

/* How old a file in tmp/ must be before it is taken as left by a crashed
 * delivery: 36 hours, the Maildir convention (no delivery takes that
 * long). */
#define MAILDIR_TMP_STALE (36 * 60 * 60)

/* Remove the files in dir/tmp/ whose mtime and ctime are both before
 * before (time(NULL) - MAILDIR_TMP_STALE: an old mtime set on purpose is
 * not enough): what crashed deliveries and writers left (Dovecot sweeps
 * them too). Best effort and silent (a file that cannot be removed stays
 * for the next sweep). Returns how many were removed. */
int maildir_sweep_tmp(const char *dir, time_t before);

/* maildir_make_folder's sync: fsync the folder (its cur/ new/ tmp/ and
 * marker durable), then its parent (the folder's own entry). */
#define MAILDIR_SYNC_FOLDER 0x1
#define MAILDIR_SYNC_PARENT 0x2

/* Make the Maildir++ folder at path, whose parent exists: path, its
 * cur/ new/ tmp/ and an empty file named marker (NULL: none), made
 * durable as sync says (the folder first, then its parent: a crash
 * never leaves a durable entry without cur/); 0 leaves both to the
 * caller. Returns 1 when made, 0 when path/cur was a directory already
 * (nothing done), or -1 with *error_r set. */
int maildir_make_folder(const char *path, const char *marker, int sync,
    const char **error_r);

/* Start a delivery into the Maildir at path (created as needed). Returns 0
 * with *m_r set, or -1 with *error_r set: a path too long, or a failed
 * mkdir/open. */
int
maildir_open(const char *path, struct maildir_msg **m_r, const char **error_r);

/* Append n bytes of the message (written as given). Returns 0, or -1 with
 * *error_r set (a write error; it is sticky: commit then fails too). */
int maildir_write(struct maildir_msg *m, const void *p, size_t n,
    const char **error_r);

/* Make the message durable in new/ and free m (in every case: m must not be
 * used after this call). Returns 0 with the full path of the new/ entry in
 * final_path_r (replacing its contents), or -1 with *error_r set; on failure
 * the tmp/ file and any new/ entry are removed (best effort) and nothing
 * counts as delivered. final_path_r too small for the path is an error
 * found before anything is linked. */
int maildir_commit(struct maildir_msg *m, struct buf *final_path_r,
    const char **error_r);

/* Give the file t as its modification time when it is committed (IMAP's
 * internal date, RFC 9051 6.3.12 APPEND). Never fails. */
void maildir_set_mtime(struct maildir_msg *m, time_t t);

/* maildir_commit, but into cur/ with the info ":2,<info>" after the
 * name's size fields (info holds the flag letters, mflags.h), for a
 * message that is not new (IMAP APPEND, COPY); info NULL is
 * maildir_commit. */
int maildir_commit_info(struct maildir_msg *m, const char *info,
    struct buf *final_path_r, const char **error_r);

/* A copy of the Maildir file src in the Maildir dir (IMAP COPY) that
 * shares its data: a hard link dir/cur/<new unique name>,S=<size>
 * [,W=<vsize>, when vsize >= 0]:2,<info>, made durable (cur/ fsync'ed).
 * The file's contents and modification time (IMAP's internal date) are
 * the source's, its flags its own (the name). Returns 0 with the new path
 * in final_path_r; 1 when no link can be made (another file system, no
 * hard links, src gone or renamed meanwhile): copy the bytes instead; or
 * -1 with *error_r set. */
int maildir_link_copy(const char *src, const char *dir, off_t size, off_t vsize,
    const char *info, struct buf *final_path_r, const char **error_r);

/* Add to *vsize the wire size of the n bytes at p: each LF not preceded
 * by CR counts two. *prev_cr says whether the byte before p was CR (0 at
 * the start) and is updated, so that a CR at the end of one piece and the
 * LF at the start of the next count as one CRLF. Never fails. */
void maildir_vsize_add(const void *p, size_t n, int *prev_cr, off_t *vsize);

/* Append host to out with '/' as \057 and ':' as \072 (the host part of
 * unique names). Output is cut at out's maximum. Never fails. */
void maildir_host_escape(const char *host, struct buf *out);

/* Unlink the tmp/ file and free. Sets *mp to NULL; NULL is allowed. */
void maildir_abort(struct maildir_msg **mp);

#endif
