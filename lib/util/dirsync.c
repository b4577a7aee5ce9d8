/* SPDX-License-Identifier: MIT */
/* dirsync - group commit: one directory fsync serves many processes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "util/dirsync.h"

struct dirsync_state {
	uint64_t started;   /* syncs begun */
	uint64_t completed; /* highest sync known to have finished */
};

static dirsync_fsync_fn *sync_dir = fsync;

void
dirsync_set_fsync(dirsync_fsync_fn *fn)
{
	sync_dir = fn != NULL ? fn : fsync;
}

/* Two advisory locks on bytes of the state file (open file description
 * locks, so that they work between processes and within one): the
 * counters lock is held only to read or write the counters, never across
 * an fsync, so a writer can always note "started" at once; the sync lock
 * is held by the one process whose fsync is running. */
enum {
	LOCK_COUNTERS,
	LOCK_SYNC,
};

/* Take (type F_WRLCK) or release (F_UNLCK) lock which, waiting as long
 * as it takes. 0, or -1 with errno set. */
static int
range_lock(int fd, int which, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = which;
	fl.l_len = 1;
	while (fcntl(fd, F_OFD_SETLKW, &fl) < 0)
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

/* Read the counters under the counters lock. 0, or -1. */
static int
read_locked(int fd, struct dirsync_state *st)
{
	int ret;

	if (range_lock(fd, LOCK_COUNTERS, F_WRLCK) < 0)
		return -1;
	ret = read_state(fd, st);
	(void)range_lock(fd, LOCK_COUNTERS, F_UNLCK);
	return ret;
}

/* Write the counters under the counters lock. 0, or -1. */
static int
write_locked(int fd, const struct dirsync_state *st)
{
	ssize_t n;

	if (range_lock(fd, LOCK_COUNTERS, F_WRLCK) < 0)
		return -1;
	n = pwrite(fd, st, sizeof(*st), 0);
	(void)range_lock(fd, LOCK_COUNTERS, F_UNLCK);
	return n == (ssize_t)sizeof(*st) ? 0 : -1;
}

int
dirsync(int dirfd, const char **error_r)
{
	struct dirsync_state st;
	uint64_t mine;
	int fd, ret;

	fd = openat(dirfd, DIRSYNC_STATE,
	    O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return plain(dirfd, error_r);
	/* Our change happened before this read: only a sync numbered
	 * above what has started by now is sure to include it. The read is
	 * locked (pread and pwrite of the counters are not atomic with each
	 * other: a torn, too small value would let an older sync pass for
	 * ours), but never waits for an fsync: writers that arrive during
	 * one all note the same number and then share the next sync. */
	if (read_locked(fd, &st) < 0) {
		close(fd);
		return plain(dirfd, error_r);
	}
	mine = st.started + 1;
	/* One fsync at a time. Syncs are numbered under the sync lock and
	 * complete in order, so "completed" only grows: once it reaches
	 * mine, a sync that began after our change has finished. */
	if (range_lock(fd, LOCK_SYNC, F_WRLCK) < 0) {
		close(fd);
		return plain(dirfd, error_r);
	}
	if (read_locked(fd, &st) < 0) {
		ret = plain(dirfd, error_r);
		goto out;
	}
	if (st.completed >= mine) {
		ret = 0; /* someone else's fsync covered us */
		goto out;
	}
	st.started =
	    (st.started > st.completed ? st.started : st.completed) + 1;
	if (write_locked(fd, &st) < 0) {
		ret = plain(dirfd, error_r);
		goto out;
	}
	if ((ret = plain(dirfd, error_r)) < 0)
		goto out;
	st.completed = st.started;
	/* If this write fails, later writers just sync again. */
	(void)write_locked(fd, &st);
out:
	(void)range_lock(fd, LOCK_SYNC, F_UNLCK);
	close(fd);
	return ret;
}

int
dir_fsync(const char *path)
{
	int fd, ret, saved;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	ret = sync_dir(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return ret < 0 ? -1 : 0;
}

int
dir_fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	if (slash == NULL)
		return dir_fsync(".");
	if (slash == path)
		return dir_fsync("/");
	if ((size_t)(slash - path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = 0;
	return dir_fsync(dir);
}
