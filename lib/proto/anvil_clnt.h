/* anvil_clnt - a server process's side of the anvil protocol
 * (proto_anvil.h): one connection to private/anvil (under the queue
 * directory, our working directory) per process, opened on first use and
 * again after a failure; each call is one request and its reply within
 * ANVIL_CLNT_TIMEOUT seconds. A call that fails returns -1 after a
 * warning: the caller then applies no limit, as Postfix's smtpd does when
 * its anvil is away (a counter must never stop mail). service names the
 * calling service (master.cf's), addr the client's address. */
#ifndef TERN_PROTO_ANVIL_CLNT_H
#define TERN_PROTO_ANVIL_CLNT_H

#define ANVIL_CLNT_TIMEOUT 2

/* A client connection opened: connections open now and in the window. */
int anvil_clnt_connect(const char *service, const char *addr, long *count_r,
    long *rate_r);
/* It closed. */
int anvil_clnt_disconnect(const char *service, const char *addr);
/* One event (ANVIL_REQ_MAIL, _RCPT or _AUTH): its rate in the window. */
int anvil_clnt_event(const char *request, const char *service, const char *addr,
    long *rate_r);

#endif
