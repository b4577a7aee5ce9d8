/* local - the delivery agent: requests from qmgr in local_serve.c,
 * delivery of one recipient into a Maildir in local_deliver.c. */
#ifndef TERN_LOCAL_H
#define TERN_LOCAL_H

#include <stddef.h>
#include <sys/time.h>

struct local_result;

/* One message being delivered: what every recipient shares. */
struct local_msg {
	int fd;			/* the queue file, passed by qmgr */
	const char *queue_id;
	const char *sender;
	struct timeval arrival;
	char **delivered_to;	/* Delivered-To: values already present */
	size_t ndelivered_to;
};

/* local_deliver.c */
/* Read the message headers for loop detection. 0 or -1 with *error_r. */
int local_msg_scan(struct local_msg *m, const char **error_r);
void local_msg_free(struct local_msg *m);
/* Deliver to one final recipient; fills res (status and text). */
void local_deliver(struct local_msg *m, const char *rcpt, const char *orig,
    struct local_result *res);

/* local_serve.c */
void local_serve(int in_fd, int out_fd);

#endif
