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

static dirsync_fsync_fn *sync_dir = fsync;

void
dirsync_set_fsync(dirsync_fsync_fn *fn)
{
	sync_dir = fn != NULL ? fn : fsync;
}

/* flock, again after a signal. 0 or -1. */
static int
lock(int fd, int how)
{
	while (flock(fd, how) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

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
	if (sync_dir(dirfd) < 0) {
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
	 * above what has started by now is sure to include it. The read
	 * is locked (shared: writers arriving together all read at once,
	 * so they can share the next sync), because pwrite and pread of
	 * the counters are not atomic with each other. */
	if (lock(fd, LOCK_SH) < 0 || read_state(fd, &st) < 0) {
		close(fd);
		return plain(dirfd, error_r);
	}
	mine = st.started + 1;
	if (lock(fd, LOCK_EX) < 0) {
		close(fd);
		return plain(dirfd, error_r);
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
	if (sync_dir(dirfd) < 0) {
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
