/* SPDX-License-Identifier: MIT */
/* dirsync - group commit: one directory fsync serves many processes. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/dirsync.h"

struct dirsync_state {
	uint64_t started;	/* syncs begun */
	uint64_t completed;	/* highest sync known to have finished */
};

static int
read_state(int fd, struct dirsync_state *st)
{
	ssize_t n = pread(fd, st, sizeof(*st), 0);

	if (n == 0) {
		memset(st, 0, sizeof(*st));
		return 0;
	}
	return n == (ssize_t)sizeof(*st) ? 0 : -1;
}

static int
plain(int dirfd, const char **error_r)
{
	if (fsync(dirfd) < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	return 0;
}

int
dirsync(int dirfd, const char **error_r)
{
	struct dirsync_state st;
	uint64_t mine;
	int fd, ret = -1;

	fd = openat(dirfd, DIRSYNC_STATE, O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd < 0)
		return plain(dirfd, error_r);
	/* Our change happened before this read: only a sync numbered
	 * above what has started by now is sure to include it. */
	if (read_state(fd, &st) < 0) {
		close(fd);
		return plain(dirfd, error_r);
	}
	mine = st.started + 1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return plain(dirfd, error_r);
		}
	}
	if (read_state(fd, &st) < 0)
		goto sync_unrecorded;
	if (st.completed >= mine) {
		ret = 0;	/* someone else's fsync covered us */
		goto out;
	}
	st.started = st.completed + 1;
	if (pwrite(fd, &st, sizeof(st), 0) != (ssize_t)sizeof(st))
		goto sync_unrecorded;
	if (fsync(dirfd) < 0) {
		*error_r = strerror(errno);
		goto out;
	}
	st.completed = st.started;
	/* If this write fails, later writers just sync again. */
	(void)!pwrite(fd, &st, sizeof(st), 0);
	ret = 0;
	goto out;
sync_unrecorded:
	ret = plain(dirfd, error_r);
out:
	flock(fd, LOCK_UN);
	close(fd);
	return ret;
}
