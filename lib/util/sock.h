/* sock - small helpers for stream sockets: UNIX-domain and TCP clients.
 * Descriptors come back close-on-exec. Errors are return values with a
 * static or strerror() text; nothing here is fatal. */
#ifndef TERN_UTIL_SOCK_H
#define TERN_UTIL_SOCK_H

#define SOCK_FLAG_NONBLOCK 0x1 /* the returned socket is non-blocking */

/* Connect to the UNIX-domain stream socket at path. Returns the socket, or
 * -1 with *error_r set (path too long, or the connect error). */
int sock_unix_connect(const char *path, int flags, const char **error_r);

struct sockaddr;

/* Connect a TCP socket to sa (AF_INET or AF_INET6), waiting at most
 * timeout seconds (0: the kernel's own limit). The returned socket is
 * non-blocking (lib/util/stream polls). Returns the socket, or -1 with
 * *error_r set: the connect error's text, or "Connection timed out". */
int sock_inet_connect(const struct sockaddr *sa, unsigned salen, int timeout,
    const char **error_r);

#endif
