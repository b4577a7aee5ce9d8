/* local - the delivery agent: requests from qmgr in local_serve.c,
 * delivery of one recipient in local_deliver.c (a virtual mailbox) and
 * local_user.c (a user of the system), as the mailbox owner through
 * local_owner.c. */
#ifndef TERN_LOCAL_H
#define TERN_LOCAL_H

#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>

struct local_result;

/* One message being delivered: what every recipient shares. */
struct local_msg {
	int fd; /* the queue file, passed by qmgr */
	const char *queue_id;
	const char *sender;
	struct timeval arrival;
	char **delivered_to; /* Delivered-To: values already present */
	size_t ndelivered_to;
};

/* local_deliver.c */
/* Read the message headers for loop detection. 0 or -1 with *error_r. */
int local_msg_scan(struct local_msg *m, const char **error_r);
void local_msg_free(struct local_msg *m);
/* Deliver to one final recipient; fills res (status and text). */
void local_deliver(struct local_msg *m, const char *rcpt, const char *orig,
    struct local_result *res);

/* Receives the delivered message in pieces: 0, or -1 (the writer keeps
 * its own error). */
typedef int local_copy_fn(void *ctx, const char *p, size_t n);
/* The message as delivered to rcpt: our Return-Path: and Delivered-To:
 * headers, then the queued content, to fn. 0, or -1 with *error_r set
 * (the queue file) or NULL (fn failed). */
int local_copy_message(const struct local_msg *m, const char *rcpt,
    local_copy_fn *fn, void *ctx, const char **error_r);
/* Write the message for rcpt into the Maildir at path, as the current
 * identity. 0, or -1 with *error_r. */
int local_write_maildir(struct local_msg *m, const char *rcpt, const char *path,
    const char **error_r);
/* Append it to the mbox file at path (mbox.h: locks, From_ quoting,
 * mailbox_size_limit), as the current identity. 0, or -1 with err. */
struct mbox_error;
int local_write_mbox(struct local_msg *m, const char *rcpt, const char *path,
    struct mbox_error *err);

struct attr_list;
struct buf;
/* The longest answer of a job (an attribute value of the owner
 * processes' protocol, attr.h): room for ALIAS_ITEMS_MAX expansion lines. */
#define LOCAL_ANSWER_MAX (1000 * 1000)
/* A job that runs as a mailbox owner (or mail_owner): req holds its
 * attributes ("kind" names it; "sender" and "queue_id" are always there
 * and already in m), m the message with a read-only descriptor. Returns 0
 * with an optional answer in out (a queue ID), or -1 with the reason in
 * out. */
typedef int
local_job_fn(struct local_msg *m, const struct attr_list *req, struct buf *out);
/* Run the job in req as uid/gid (never 0): through that identity's
 * long-lived process when local runs as root, else in-process (started by
 * an ordinary user, the suite is that user). Adds "sender" and "queue_id"
 * to req. 0, or -1 with the reason in out. */
int local_run_as(struct local_msg *m, uid_t uid, gid_t gid,
    struct attr_list *req, struct buf *out);

/* local_expand.c: jobs "expand" (an alias value or the user's .forward,
 * the protocol in the file's comment) and "mbox" (a mailbox file). */
local_job_fn local_job_expand;
local_job_fn local_job_mbox;

/* local_forward.c: job "forward". */
local_job_fn local_job_forward;
/* Queue a copy of m for the addresses to[0..nto) with envelope sender
 * from and a Delivered-To: rcpt header, as mail_owner, and wake qmgr.
 * 0 with the new queue ID in out, or -1 with the reason in out. */
int local_forward(struct local_msg *m, const char *rcpt, const char *from,
    const char *const *to, size_t nto, struct buf *out);

/* local_owner.c */
/* A fresh read-only descriptor (O_CLOEXEC) of m's queue file, opened as
 * active/<queue ID> from the queue directory and checked to be the file
 * of m->fd; what a mailbox owner's process gets. Returns it, or -1 with
 * *error_r set (static text, valid until the next call). */
int local_owner_fd(const struct local_msg *m, const char **error_r);

/* Fill res: an enhanced status code and the text. */
void local_result_set(struct local_result *res, const char *status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* local_user.c */
/* A user of the system, from getpwnam_r. */
struct local_user {
	char *name, *home, *shell;
	uid_t uid;
	gid_t gid;
};
/* 1 found (u filled; local_user_free), 0 no such user, -1 the user
 * database failed (*error_r, static text). */
int
local_user_find(const char *name, struct local_user *u, const char **error_r);
void local_user_free(struct local_user *u);
/* The Maildir of u: its home joined with home_mailbox. 0, or -1 with
 * *error_r (static text) when home_mailbox or the home cannot make one. */
int local_home_mailbox(const struct local_user *u, struct buf *path_r,
    const char **error_r);
/* Write the message into the Maildir path as uid/gid: through the owner
 * processes when local runs as root, in-process when uid is ours; any
 * other uid fails. 0, or -1 with the reason in errbuf. */
int local_as_user(struct local_msg *m, const char *rcpt, const char *path,
    uid_t uid, gid_t gid, char *errbuf, size_t errlen);
/* Open alias_maps and resolve's tables (the pre_jail hook, as root). */
void local_init(void);
/* Deliver to rcpt, a RESOLVE_LOCAL address; fills res (not logged). */
void local_deliver_user(struct local_msg *m, const char *rcpt,
    struct local_result *res);

/* local_serve.c */
extern int local_conn_fd; /* the qmgr connection being served */
void local_serve(int in_fd, int out_fd);

#endif
