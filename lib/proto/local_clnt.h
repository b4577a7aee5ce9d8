/* local_clnt - the client side of the local delivery protocol.
 * qmgr connects once (the greeting is checked), then sends one request at
 * a time on the connection: the queue file descriptor and the recipients.
 * local_clnt_fd() is for the caller's event loop: when it is readable, the
 * reply is there and local_clnt_recv() reads it. Any error means the
 * connection is unusable: close it and defer the recipients. */
#ifndef TERN_MAIL_LOCAL_CLNT_H
#define TERN_MAIL_LOCAL_CLNT_H

#include <stddef.h>
#include <sys/time.h>

struct local_clnt;

struct local_request {
	int fd;			/* the open queue file */
	const char *queue_id;
	const char *sender;
	struct timeval arrival;
	const char *const *rcpt;	/* final addresses */
	const char *const *orig;	/* original addresses */
	size_t nrcpt;
};

struct local_result {
	char status[16];	/* "2.0.0", "4.3.0", "5.1.1" */
	char text[512];
};

/* Connect to the service socket at path and check its greeting (waits at
 * most timeout seconds). Returns 0 or -1 with *error_r. */
int local_clnt_connect(const char *path, int timeout, struct local_clnt **c_r,
    const char **error_r);
int local_clnt_fd(const struct local_clnt *c);
/* Send one request. Returns 0 or -1 with *error_r. */
int local_clnt_send(struct local_clnt *c, const struct local_request *req,
    const char **error_r);
/* Read the reply to the last request: exactly nrcpt results into res.
 * Returns 0 or -1 with *error_r. */
int local_clnt_recv(struct local_clnt *c, struct local_result *res,
    size_t nrcpt, const char **error_r);
void local_clnt_close(struct local_clnt **cp);

#endif
