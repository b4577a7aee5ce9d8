/* local - the delivery agent: requests from qmgr in local_serve.c,
 * delivery of one recipient into a Maildir in local_deliver.c. */
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

/* Write the message for rcpt into the Maildir at path, as the current
 * identity. 0, or -1 with *error_r. */
int local_write_maildir(struct local_msg *m, const char *rcpt, const char *path,
    const char **error_r);

/* local_owner.c: the same as the mailbox owner (uid, gid), from a root
 * process, through a long-lived child per identity. 0, or -1 with the
 * reason in errbuf. */
int local_owner_deliver(struct local_msg *m, const char *rcpt, const char *path,
    uid_t uid, gid_t gid, char *errbuf, size_t errlen);
/* A fresh read-only descriptor (O_CLOEXEC) of m's queue file, opened as
 * active/<queue ID> from the queue directory and checked to be the file
 * of m->fd; what a mailbox owner's process gets. Returns it, or -1 with
 * *error_r set (static text, valid until the next call). */
int local_owner_fd(const struct local_msg *m, const char **error_r);

/* local_serve.c */
extern int local_conn_fd; /* the qmgr connection being served */
void local_serve(int in_fd, int out_fd);

#endif
