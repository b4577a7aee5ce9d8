/* agent_serve - the server side of the delivery request protocol that
 * every delivery agent speaks with qmgr (proto_local.h, proto_smtp.h):
 * greet with the protocol's name and version, then, in lockstep, receive
 * the queue file descriptor and one request, and let the agent answer it.
 * The loop ends when qmgr closes the connection, sends nothing for the
 * timeout, breaks the protocol (logged), or the agent's handler fails.
 * One connection at a time; not thread-safe. */
#ifndef TERN_PROTO_AGENT_SERVE_H
#define TERN_PROTO_AGENT_SERVE_H

struct attr_list;
struct stream;

/* Answer one request: fd is the queue file (closed by the caller after
 * the call), req the request's attributes; write the reply to s and
 * flush it. Return 0 to wait for the next request, -1 to end the
 * connection (a malformed request, a write error). */
typedef int
agent_request_fn(struct stream *s, int fd, const struct attr_list *req);

/* Serve the connection on fd until it ends; timeout in seconds for each
 * wait (ipc_timeout). */
void agent_serve(int fd, const char *proto, const char *version, int timeout,
    agent_request_fn *fn);

#endif
