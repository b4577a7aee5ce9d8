/* maildrop - the file of one local submission in maildrop/.
 * sendmail(1) writes it (directly, or through ternpostdrop(1)), pickup(8)
 * reads it and turns it into a queue file. It is made of rec.h records:
 *   VERSION "tern-maildrop 1.0"   refused when the major is not 1
 *   FROM                          the sender as given ("" = <>), once
 *   ATTR*                         fullname, dsn_notify (the NOTIFY mask
 *                                 in decimal, dsn_param.h's bits),
 *                                 dsn_ret ("full" or "hdrs"),
 *                                 dsn_envid; each at most once
 *   RCPT*                         one address each (no original part);
 *                                 at least one
 *   CONT*                         the message, LF line endings
 *   END                           nothing may follow it
 * The submitter is not in the file: pickup takes it from the owner of the
 * file (fstat), never from its contents.
 *
 * To pickup the file is untrusted input: maildrop_open checks all of it
 * (every field capped at MAILDROP_MAX_FIELD, no NUL or control character
 * in an envelope field, at most max_rcpt recipients, at most max_size
 * bytes of content, every record in its place, END last) before anything
 * is used, and never panics on what the file holds. Names: sendmail writes
 * under a temp name (maildrop_is_temp) and renames to a final name
 * (maildrop_is_name) once the file is complete and fsync'ed; pickup takes
 * only final names.
 *
 * Errors: functions that fail return -1 (or MAILDROP_CORRUPT /
 * MAILDROP_TEMPFAIL) with *error_r set to text owned by the object, or
 * module-static text for maildrop_open (valid until its next failing
 * call; not thread-safe). Nothing here is fatal. */
#ifndef TERN_QUEUE_MAILDROP_H
#define TERN_QUEUE_MAILDROP_H

#include <stddef.h>
#include <sys/types.h>

#define MAILDROP_VERSION "tern-maildrop 1.0"
/* An envelope field: an address, the full name, the ENVID. */
#define MAILDROP_MAX_FIELD 1000
/* A content record. */
#define MAILDROP_MAX_CONT_REC (64 * 1024)
/* Recipients of one submission. */
#define MAILDROP_MAX_RCPT 10000
/* The longest file name, temp or final. */
#define MAILDROP_NAME_MAX 64

struct maildrop_writer;

/* A writer that appends the records to fd from offset 0 (the fd is the
 * caller's). Writes the VERSION record. Never fails (errors are sticky
 * and come back from maildrop_finish). */
struct maildrop_writer *maildrop_writer_create(int fd);

/* Envelope puts. Return 0, or -1 with *error_r (owned by w): a field that
 * is too long or holds a control character, a put out of order, a write
 * error. Attribute names: "fullname", "dsn_notify", "dsn_ret",
 * "dsn_envid". */
int maildrop_put_sender(struct maildrop_writer *w, const char *sender,
    const char **error_r);
int maildrop_put_attr(struct maildrop_writer *w, const char *name,
    const char *value, const char **error_r);
int maildrop_put_rcpt(struct maildrop_writer *w, const char *addr,
    const char **error_r);
/* Content (any bytes, LF line endings): 0 or -1 as above. */
int maildrop_put_content(struct maildrop_writer *w, const void *p, size_t n,
    const char **error_r);
/* Write END and flush (no fsync: the caller fsyncs and renames). 0, or
 * -1 with *error_r (no sender, no recipient, an earlier error). */
int maildrop_finish(struct maildrop_writer *w, const char **error_r);
/* Free; the fd stays open. Sets *wp to NULL; NULL is allowed. */
void maildrop_writer_destroy(struct maildrop_writer **wp);

/* A new final name into out (at least MAILDROP_NAME_MAX bytes): the time
 * in microseconds and the pid, in hex; a temp name is "." and the same.
 * Never fails. */
void maildrop_name(char *out, size_t len, int temp);
/* 1 when name is a final name / a temp name of maildrop_name, else 0. */
int maildrop_is_name(const char *name);
int maildrop_is_temp(const char *name);

/* Failures of maildrop_file_create besides -1: no permission to create
 * files in maildrop/ (the caller goes through ternpostdrop(1)). */
#define MAILDROP_NOPERM (-2)

/* Create <queue_dir>/maildrop/<temp name> (O_RDWR|O_CREAT|O_EXCL|
 * O_CLOEXEC, then mode 0644 so that pickup, as mail_owner, can read it; the
 * directory's mode 1730 keeps everyone else out). Returns the fd with the
 * name in tmp (len >= MAILDROP_NAME_MAX), MAILDROP_NOPERM, or -1, with
 * *error_r (module-static text). */
int maildrop_file_create(const char *queue_dir, char *tmp, size_t len,
    const char **error_r);

/* Make the complete file durable under a final name: fsync fd, rename tmp
 * to a new final name (copied to name, len >= MAILDROP_NAME_MAX; never
 * over an existing file), fsync
 * the directory (directly: a dirsync state file would be writable by
 * submitters). Returns 0, or -1 with *error_r (module-static text) after
 * unlinking the file. fd stays open. */
int maildrop_file_commit(const char *queue_dir, int fd, const char *tmp,
    char *name, size_t len, const char **error_r);

/* Unlink <queue_dir>/maildrop/<name>, errors ignored (cleanup after a
 * failure). */
void maildrop_unlink(const char *queue_dir, const char *name);

/* A checked maildrop file; every field is owned by the object. */
struct maildrop {
	char *sender;   /* "" = <> */
	char *fullname; /* NULL when not given */
	int notify;     /* DSN NOTIFY mask, 0: not given */
	int ret;        /* DSN_RET_FULL 1, DSN_RET_HDRS 2, 0: not given */
	char *envid;    /* NULL when not given */
	char **rcpt;
	size_t nrcpt;
	off_t content_offset; /* the first CONT (or END) record */
	off_t content_size;
	int fd; /* the caller's */
};

struct maildrop_limits {
	size_t max_rcpt;
	off_t max_size; /* content bytes; 0: no limit */
};

#define MAILDROP_CORRUPT (-1)
#define MAILDROP_TEMPFAIL (-2)

/* Read and check the whole file open on fd (read with pread from offset
 * 0). Returns 0 with *md_r set, MAILDROP_CORRUPT for what the file holds,
 * or MAILDROP_TEMPFAIL when a read failed, with *error_r set (static). */
int maildrop_open(int fd, const struct maildrop_limits *limits,
    struct maildrop **md_r, const char **error_r);

/* The content, chunk by chunk: 1 with *p_r / *n_r set (valid until the
 * next call), 0 at END, or -1 with *error_r (static). Start with *state
 * NULL; maildrop_content_end frees it. */
struct maildrop_content;
int maildrop_content_read(const struct maildrop *md,
    struct maildrop_content **state, const char **p_r, size_t *n_r,
    const char **error_r);
void maildrop_content_end(struct maildrop_content **state);

/* Free. Sets *mdp to NULL; NULL is allowed. The fd stays open. */
void maildrop_close(struct maildrop **mdp);

#endif
