/* local_clnt - the client side of the delivery request protocol that local
 * (proto_local.h) and smtp (proto_smtp.h) speak, on the event loop
 * (util/event.h).
 * qmgr must never wait for a delivery agent: a stuck or broken agent would
 * stop the whole queue. So every step here is non-blocking. local_clnt_open
 * connects and returns at once; the greeting is read (and checked) from the
 * event loop, which then calls the caller's function. local_clnt_request
 * passes the queue file descriptor and writes the request (what the socket
 * does not take at once is written when it becomes writable), then reads
 * the reply as it arrives. Each step has a deadline in milliseconds; when
 * it passes, the step fails with "timeout".
 * A callback is only ever called from event_run_once, never from inside
 * local_clnt_open or local_clnt_request, and at most once per step; it
 * may close the client. Any failure leaves the connection unusable: close
 * it and defer the recipients. Memory: results go to the array the caller
 * passes, which must stay valid until the callback (or the close). */
#ifndef TERN_MAIL_LOCAL_CLNT_H
#define TERN_MAIL_LOCAL_CLNT_H

#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>

struct local_clnt;

struct local_request {
	int fd; /* the open queue file */
	const char *queue_id;
	const char *sender;
	struct timeval arrival;
	const char *const *rcpt; /* final addresses */
	const char *const *orig; /* original addresses */
	size_t nrcpt;
	const char *nexthop; /* smtp: where to; NULL for local */
	off_t size;          /* smtp: content octets, for SIZE= */
	const char *body;    /* smtp: "8BITMIME" or NULL (RFC 6152) */
	int smtputf8;        /* smtp: received with SMTPUTF8 (RFC 6531) */
	/* smtp: the DSN parameters (RFC 3461): per recipient the NOTIFY
	 * mask (0: none) and ORCPT ("" : none), either array may be NULL;
	 * for the message RET ("FULL", "HDRS" or NULL) and the ENVID. */
	const int *notify;
	const char *const *orcpt;
	const char *dsn_ret;
	const char *dsn_envid;
};

struct local_result {
	char status[16]; /* "2.0.0", "4.3.0", "5.1.1" */
	char text[512];
	char action[16]; /* "relayed" (proto_smtp.h) or "" */
	char diag[600];  /* smtp: "smtp; 550 ..." or "" */
	char mta[256];   /* smtp: the host that replied, or "" */
};

/* The end of a step: status 0 (greeted; or the reply is in the results),
 * or -1 with error (text owned by c, valid until local_clnt_close). */
typedef void
local_clnt_fn(struct local_clnt *c, int status, const char *error, void *ctx);

/* Start connecting to the service socket at path, whose greeting must
 * name protocol proto (PROTO_LOCAL, PROTO_SMTP; a static string). Returns
 * 0 with *c_r
 * set: fn(ctx) is called later with the outcome of the connect and the
 * greeting check, within timeout_ms. Returns -1 with *error_r set (static
 * or strerror text) when the connect failed at once (no such socket,
 * refused, out of descriptors, the agent's queue is full); fn is not
 * called then. */
int local_clnt_open(const char *path, const char *proto, long timeout_ms,
    local_clnt_fn *fn, void *ctx, struct local_clnt **c_r,
    const char **error_r);
/* Send one request on a greeted connection with no request outstanding,
 * and collect exactly req->nrcpt results into res. Returns 0: fn(ctx) is
 * called later, within timeout_ms. Returns -1 with *error_r set (owned by
 * c) when the request could not be sent at all (the agent went away while
 * the connection was idle; misuse); fn is not called then. */
int local_clnt_request(struct local_clnt *c, const struct local_request *req,
    struct local_result *res, long timeout_ms, local_clnt_fn *fn, void *ctx,
    const char **error_r);
/* The socket (for tests and logs). */
int local_clnt_fd(const struct local_clnt *c);
/* Close the connection; a step in progress is abandoned without a call.
 * Sets *cp to NULL; NULL is allowed. */
void local_clnt_close(struct local_clnt **cp);

#endif
