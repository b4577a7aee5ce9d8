/* SPDX-License-Identifier: MIT */
/* trigger - wake a trigger server (qmgr) through its UNIX-domain socket. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "queue/trigger.h"
#include "util/sock.h"

int
trigger_send(const char *path, char req, const char **error_r)
{
	int fd = sock_unix_connect(path, SOCK_FLAG_NONBLOCK, error_r);

	if (fd < 0)
		return -1;
	if (send(fd, &req, 1, MSG_NOSIGNAL) != 1) {
		*error_r = strerror(errno);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
