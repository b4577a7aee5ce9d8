/* SPDX-License-Identifier: MIT */
/* fdpass - send and receive one descriptor over a UNIX-domain socket. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/fdpass.h"

/* Room for one descriptor's control message, suitably aligned. */
union fdpass_cbuf {
	struct cmsghdr align;
	char space[CMSG_SPACE(sizeof(int))];
};

/* The one-byte carrier message both directions use. */
static void
carrier(struct msghdr *msg, struct iovec *iov, char *byte,
    union fdpass_cbuf *cbuf)
{
	memset(msg, 0, sizeof(*msg));
	memset(cbuf, 0, sizeof(*cbuf));
	iov->iov_base = byte;
	iov->iov_len = 1;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = cbuf->space;
	msg->msg_controllen = sizeof(cbuf->space);
}

int
fdpass_send(int sock, int fd, const char **error_r)
{
	union fdpass_cbuf cbuf;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char byte = 'F';

	carrier(&msg, &iov, &byte, &cbuf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	for (;;) {
		ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);

		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		*error_r = n < 0 ? strerror(errno) : "short send";
		return -1;
	}
}

/* Receive room for more descriptors than the one expected, so that a
 * peer that sends several is seen (and its extra descriptors closed)
 * rather than leaving them open in this process. */
#define FDPASS_RECV_MAX 16

union fdpass_rbuf {
	struct cmsghdr align;
	char space[CMSG_SPACE(sizeof(int) * FDPASS_RECV_MAX)];
};

/* Close every descriptor that msg carries. */
static void
close_all(struct msghdr *msg)
{
	struct cmsghdr *cmsg;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	     cmsg = CMSG_NXTHDR(msg, cmsg)) {
		size_t n, i;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			(void)close(fd);
		}
	}
}

int
fdpass_recv_opt(int sock, int timeout, int *fd_r, const char **error_r)
{
	union fdpass_rbuf rbuf;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char byte;
	ssize_t n;

	*fd_r = -1;
	for (;;) {
		int ret = poll(&pfd, 1, timeout > 0 ? timeout * 1000 : -1);

		if (ret > 0)
			break;
		if (ret == 0) {
			*error_r = "timeout";
			return -1;
		}
		if (errno != EINTR) {
			*error_r = strerror(errno);
			return -1;
		}
	}
	memset(&msg, 0, sizeof(msg));
	memset(&rbuf, 0, sizeof(rbuf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = rbuf.space;
	msg.msg_controllen = sizeof(rbuf.space);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	if (n == 0)
		return 0;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL && (msg.msg_flags & MSG_CTRUNC) == 0)
		return 1; /* a byte without a descriptor */
	/* Exactly one SCM_RIGHTS message with exactly one descriptor, and
	 * nothing cut off (MSG_CTRUNC: descriptors the kernel could not
	 * deliver). Anything else is refused and whatever did arrive is
	 * closed, so a peer cannot make us hold descriptors. */
	if ((msg.msg_flags & MSG_CTRUNC) != 0 || cmsg == NULL ||
	    cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    CMSG_NXTHDR(&msg, cmsg) != NULL) {
		close_all(&msg);
		*error_r = (msg.msg_flags & MSG_CTRUNC) != 0
		    ? "descriptors truncated (MSG_CTRUNC)"
		    : "not exactly one descriptor";
		return -1;
	}
	memcpy(fd_r, CMSG_DATA(cmsg), sizeof(int));
	return 1;
}

int
fdpass_recv(int sock, int timeout, const char **error_r)
{
	int fd, ret = fdpass_recv_opt(sock, timeout, &fd, error_r);

	if (ret == 1 && fd < 0)
		*error_r = "no descriptor received";
	else if (ret == 0)
		*error_r = "unexpected end of input";
	return ret == 1 ? fd : -1;
}
