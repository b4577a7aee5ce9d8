/* qfile - queue files: writing (smtpd), reading (qmgr, tools), content
 * iteration on a passed fd (local), and the queue directories.
 *
 * A queue file is a sequence of rec.h records in this order:
 *   VERSION "tern-queue 1.0"      refused when the major is not 1
 *   TIME, FROM, ATTR*, RCPT*      the envelope, in any order (TIME and FROM
 *                                 exactly once, at least one RCPT/RCPT_DONE)
 *   CONT*                         the message as received, LF line endings
 *   END                           nothing may follow it
 * Lower-case record types are optional extensions: this reader knows DSN
 * (the RFC 3461 NOTIFY and ORCPT of the recipient record right after it)
 * and WARN (whether a delay warning went out); it skips any other
 * anywhere after VERSION. A file without END is incomplete: never delivered; recovery
 * moves it to corrupt/ unless it is in incoming/ with a temp name
 * (qfile_is_temp). A recipient is finished by overwriting only its type byte
 * (REC_TYPE_RCPT -> REC_TYPE_RCPT_DONE) with pwrite + fdatasync.
 *
 * Writer: qfile_create makes incoming/<temp name> and derives the queue ID
 * (qid.h) from the creation time and the inode; the ID stays with the message
 * for life. Puts are buffered; the first failure is sticky and its text is
 * available from qfile_writer_error. qfile_commit makes the file durable
 * under incoming/<ID> (file fsync, rename, directory fsync); only after it
 * returns 0 may smtpd answer 250. The writer object stays valid after commit
 * (for qfile_writer_id) until qfile_abort / qfile_writer_destroy.
 *
 * Reader: qfile_open validates the whole file (envelope parsed, content
 * records checked, END last) and keeps the fd open for passing to delivery
 * agents. Fields that come from the file are capped (QFILE_MAX_*).
 *
 * Errors: functions that fail return -1 with *error_r set. For the writer,
 * a struct qfile and a struct qfile_content the text is owned by that object
 * and valid until its next call; for functions without an object
 * (qfile_create, qfile_open, qfile_content_open, qfile_dirs_create,
 * qfile_move) it is a module-static buffer valid until the next failing call
 * of one of those functions (not thread-safe). A failed system call is an
 * error, never fatal; bad file contents never panic. */
#ifndef TERN_MAIL_QFILE_H
#define TERN_MAIL_QFILE_H

#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>

/* Queue file format version written by this code. */
#define QFILE_VERSION_MAJOR 1
#define QFILE_VERSION_MINOR 0
/* Content is written in records of at most this many bytes. */
#define QFILE_CHUNK (64 * 1024)
/* Reader limits: a content record, an envelope record (address, attribute),
 * the number of recipient records and of attributes. */
#define QFILE_MAX_CONT_REC (1024 * 1024)
#define QFILE_MAX_ENV_REC (64 * 1024)
#define QFILE_MAX_RCPT 100000
#define QFILE_MAX_ATTR 1000

/* The queue directories, NULL-terminated. */
extern const char *const qfile_queue_names[];

struct qfile_writer;

/* Create <queue_dir>/incoming/<temp name> (O_CREAT|O_EXCL|O_CLOEXEC, mode
 * 0600) and derive the queue ID. Returns 0 with *w_r set, or -1 with
 * *error_r set (module-static text). */
int qfile_create(const char *queue_dir, struct qfile_writer **w_r,
    const char **error_r);

/* The queue ID ("3F2A1C0B7"), valid as long as w. Never fails. */
const char *qfile_writer_id(const struct qfile_writer *w);

/* Envelope puts: arrival time; sender ("" = null sender); a named attribute
 * (client_name, client_addr, helo, protocol...; name non-empty without '=');
 * a recipient, final address and original address (ORCPT; NULL is stored
 * as ""). All return 0, or -1 with the error in qfile_writer_error(w): a
 * write error, a second time or sender, a bad attribute name, an envelope
 * put after content, a value longer than QFILE_MAX_ENV_REC. Buffered. */
int qfile_put_time(struct qfile_writer *w, struct timeval arrival);
int qfile_put_sender(struct qfile_writer *w, const char *sender);
int qfile_put_attr(struct qfile_writer *w, const char *name, const char *value);
int qfile_put_rcpt(struct qfile_writer *w, const char *final, const char *orig);
/* The same with the recipient's DSN parameters (dsn_param.h): notify a
 * NOTIFY mask (0: not given) and orcpt the stored ORCPT ("rfc822;addr";
 * NULL or "": not given). Without either it is qfile_put_rcpt. */
int qfile_put_rcpt_dsn(struct qfile_writer *w, const char *final,
    const char *orig, int notify, const char *orcpt);
/* The delay warning record (not sent yet), for qfile_mark_warned. */
int qfile_put_warn(struct qfile_writer *w);

/* Append n bytes of message content (any bytes; repeated calls form one
 * stream cut into QFILE_CHUNK records). Returns 0 or -1 as above. */
int qfile_put_content(struct qfile_writer *w, const void *p, size_t n);

/* Bytes of content put so far. Never fails. */
off_t qfile_writer_size(const struct qfile_writer *w);

/* The sticky error of the writer, or NULL when none. Owned by w. */
const char *qfile_writer_error(const struct qfile_writer *w);

/* Write the END record, flush, fsync the file, rename it to incoming/<ID>,
 * fsync incoming/. Returns 0 (the message is durable), or -1 with *error_r
 * set (owned by w): missing time, sender or recipients, a previous put
 * error, or a failed system call. Call once; w stays valid either way. */
int qfile_commit(struct qfile_writer *w, const char **error_r);

/* Release the writer. Before a successful commit the file is unlinked
 * (temp name, or the final name when only the directory fsync failed);
 * after it the file is kept. Sets *wp to NULL; NULL is allowed. */
void qfile_abort(struct qfile_writer **wp);

/* Same as qfile_abort; reads better after a successful commit. */
void qfile_writer_destroy(struct qfile_writer **wp);

/* One recipient of an open queue file. offset is the file offset of its
 * record's type byte; done is 1 for REC_TYPE_RCPT_DONE. */
struct qfile_rcpt {
	char *addr;
	char *orig;
	off_t offset;
	int done;
	int notify;  /* DSN NOTIFY mask, 0: not given */
	char *orcpt; /* DSN ORCPT "type;address", "" when not given */
};

/* One named attribute (name and value are NUL-free C strings). */
struct qfile_attr {
	char *name;
	char *value;
};

/* An open, validated queue file; all fields are read-only for callers and
 * owned by the object. */
struct qfile {
	const char *id; /* the file name's last component */
	struct timeval arrival;
	char *sender; /* "" = null sender */
	struct qfile_attr *attrs;
	size_t nattr;
	struct qfile_rcpt *rcpt;
	size_t nrcpt;
	off_t content_offset; /* first content (or END) record */
	off_t content_size;   /* bytes of content */
	off_t warn_offset;    /* the WARN record's flag byte, -1: none */
	int warned;           /* a delay warning went out */
	int fd;               /* open (O_CLOEXEC), for fd passing */
	int writable;
	char *path;
	char error[512];
};

/* Failures of qfile_open: the file is damaged (set it aside), or the
 * system failed to open or read it (leave it and try again later). */
#define QFILE_CORRUPT (-1)
#define QFILE_TEMPFAIL (-2)

/* Open and validate path (O_RDWR when writable, else O_RDONLY; O_NOFOLLOW;
 * a regular file). Returns 0 with *q_r set, or a negative value with
 * *error_r set (module-static text): QFILE_CORRUPT for what the file holds
 * (a symbolic link or a file that is not regular, unknown major version, a
 * missing or repeated required record, a malformed or oversized record,
 * records out of order, a missing END record or bytes after it);
 * QFILE_TEMPFAIL when open, fstat or a read failed (EMFILE, ENFILE,
 * ENOMEM, EIO, ENOENT...): the same file may open fine later. */
int qfile_open(const char *path, int writable, struct qfile **q_r,
    const char **error_r);

/* The value of attribute name, or NULL when absent. Never fails. */
const char *qfile_attr(const struct qfile *q, const char *name);

/* Mark recipient i done in place: pwrite the type byte, then fdatasync.
 * Returns 0 (also when it was already done), or -1 with *error_r set (owned
 * by q): not opened writable, i out of range, the byte on disk is not a
 * recipient type, or a failed system call. */
int qfile_mark_done(struct qfile *q, size_t i, const char **error_r);
/* The same without the fdatasync: for a caller that either removes the
 * file next or calls qfile_sync before it keeps the file. A mark lost in
 * a crash means the recipient is tried again (a duplicate, never a
 * loss). Errors as qfile_mark_done. */
int qfile_mark_done_lazy(struct qfile *q, size_t i, const char **error_r);
/* Make every earlier lazy mark durable. 0 or -1 with *error_r (owned
 * by q). */
int qfile_sync(struct qfile *q, const char **error_r);

/* Record that the delay warning went out: the WARN record's byte becomes
 * '1' (pwrite + fdatasync). Returns 0 (also when already set), or -1 with
 * *error_r (owned by q): read-only, no WARN record, a failed call. */
int qfile_mark_warned(struct qfile *q, const char **error_r);

/* Close the fd and free everything. Sets *qp to NULL; NULL is allowed. */
void qfile_close(struct qfile **qp);

struct qfile_content;

/* Iterate over the content records of the queue file open on fd (for
 * example one passed by qmgr). Works on a dup of fd with pread, so the
 * caller's file offset does not matter and the caller may close fd.
 * Checks the version record and skips the envelope. Returns 0 with *c_r
 * set, or -1 with *error_r set (module-static text). */
int
qfile_content_open(int fd, struct qfile_content **c_r, const char **error_r);

/* The next chunk of content: 1 with *p_r / *n_r set (valid until the next
 * call), 0 at the END record (and on every later call), or -1 with *error_r
 * set (owned by c): a malformed record, a file without END, an envelope
 * record inside the content. */
int qfile_content_read(struct qfile_content *c, const char **p_r, size_t *n_r,
    const char **error_r);

/* Close the dup and free. Sets *cp to NULL; NULL is allowed. */
void qfile_content_close(struct qfile_content **cp);

/* mkdir -p queue_dir (0755) and, inside it, the queue directories plus
 * private/ public/ pid/ defer/ (qdefer.h): mode 0700 except public 0710 and maildrop 1730
 * (set with chmod on creation, so the umask does not matter; existing
 * directories are left as they are). Returns 0, or -1 with *error_r set
 * (module-static text). */
int qfile_dirs_create(const char *queue_dir, const char **error_r);

/* Rename <queue_dir>/<from>/<id> to <queue_dir>/<to>/<id>; from and to must
 * be queue names and id a queue ID. No directory fsync (recovery scans every
 * directory). Returns 0, or -1 with *error_r set (module-static text). */
int qfile_move(const char *queue_dir, const char *id, const char *from,
    const char *to, const char **error_r);

/* 1 when name is a valid queue ID file name, else 0. Never fails. */
int qfile_is_id(const char *name);

/* 1 when name has the shape of a writer's temp name in incoming/ (an
 * unfinished qfile_create), else 0. Never fails. */
int qfile_is_temp(const char *name);

#endif
