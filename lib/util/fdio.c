/* SPDX-License-Identifier: MIT */
/* fdio - whole writes to a descriptor. See fdio.h. */
#include <errno.h>
#include <unistd.h>

#include "util/fdio.h"

int
fd_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = 0;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}
