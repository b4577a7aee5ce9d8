/* SPDX-License-Identifier: MIT */
/* sock - small helpers for stream sockets. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/sock.h"

int
sock_unix_connect(const char *path, int flags, const char **error_r)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		*error_r = "socket path too long";
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX,
	    SOCK_STREAM | SOCK_CLOEXEC |
		((flags & SOCK_FLAG_NONBLOCK) ? SOCK_NONBLOCK : 0),
	    0);
	if (fd < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		*error_r = strerror(errno);
		close(fd);
		return -1;
	}
	return fd;
}

int
sock_inet_connect(const struct sockaddr *sa, unsigned salen, int timeout,
    const char **error_r)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0, ret;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	if (connect(fd, sa, (socklen_t)salen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*error_r = strerror(errno);
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		ret = poll(&pfd, 1, timeout > 0 ? timeout * 1000 : -1);
	while (ret < 0 && errno == EINTR);
	if (ret == 0) {
		*error_r = "Connection timed out";
		close(fd);
		return -1;
	}
	if (ret < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err != 0) {
		*error_r = strerror(err);
		close(fd);
		return -1;
	}
	return fd;
}
