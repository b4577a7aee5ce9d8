/* fdpass - send and receive one descriptor over a UNIX-domain socket.
 * The descriptor travels as SCM_RIGHTS ancillary data on a single byte.
 * A protocol that passes descriptors must do so in lockstep: the receiver
 * calls fdpass_recv() only when its buffered stream holds no unread input
 * (stream_pending() == 0), because a plain read of the carrier byte would
 * discard the descriptor. Errors are return values. */
#ifndef TERN_UTIL_FDPASS_H
#define TERN_UTIL_FDPASS_H

/* Send fd over sock. Returns 0 or -1 with *error_r (strerror text). */
int fdpass_send(int sock, int fd, const char **error_r);
/* Receive a descriptor (close-on-exec) within timeout seconds.
 * Returns it, or -1 with *error_r set: no descriptor, more than one
 * (every one received is closed), or truncated control data
 * (MSG_CTRUNC). */
int fdpass_recv(int sock, int timeout, const char **error_r);
/* The same carrier byte, with or without a descriptor (a protocol whose
 * sender may pass one or not): 1 with *fd_r the descriptor, or -1 when
 * the byte carried none; 0 at the end of input; -1 with *error_r. */
int fdpass_recv_opt(int sock, int timeout, int *fd_r, const char **error_r);

#endif
