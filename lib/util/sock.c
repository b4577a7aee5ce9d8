/* SPDX-License-Identifier: MIT */
/* sock - small helpers for UNIX-domain stream sockets. */
#include <errno.h>
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
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    ((flags & SOCK_FLAG_NONBLOCK) ? SOCK_NONBLOCK : 0), 0);
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
