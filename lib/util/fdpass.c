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

int
fdpass_recv(int sock, int timeout, const char **error_r)
{
	union fdpass_cbuf cbuf;
	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	char byte;
	ssize_t n;
	int fd;

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
	carrier(&msg, &iov, &byte, &cbuf);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		*error_r = n < 0 ? strerror(errno) : "unexpected end of input";
		return -1;
	}
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
		*error_r = "no descriptor received";
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}
