/* SPDX-License-Identifier: MIT */
/* mbox - append one message to an mbox file, dot-locked and fcntl-locked. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/mbox.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

/* Touch our dot-lock when it is this old, so it never looks stale. */
#define DOTLOCK_TOUCH 60
/* Retry delays while a lock is held elsewhere (milliseconds). */
#define RETRY_MIN_MS 5
#define RETRY_MAX_MS 200

struct mbox {
	char *path;
	char *lock_path; /* the dot-lock we hold, or NULL */
	int lock_fd;     /* open on lock_path (touched), or -1 */
	time_t touched;  /* when the dot-lock was last touched */
	int fd;
	off_t start;   /* the file's size once locked */
	off_t written; /* bytes of this delivery, pending included */
	long limit;    /* 0: none */
	char *wbuf;
	size_t wlen;
	int from_done; /* the separator line is written */
	/* mboxrd quoting: at the start of a line, the '>' seen and how much
	 * of "From " after them, held back until the line is decided. */
	int bol;
	size_t gt;
	size_t matched;
	int last_nl; /* the last byte written was '\n' */
	int failed;  /* sticky: ferr says why */
	int created; /* we created the file: sync its directory */
	struct mbox_error ferr;
};

static const char from_word[] = "From ";

static int __attribute__((format(printf, 4, 5))) fail(struct mbox_error *err,
    int temporary, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	err->temporary = temporary;
	snprintf(err->dsn, sizeof(err->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* A failed system call on what (an operation and a path): classified by
 * errno, which must still be the call's. */
static int
sys_fail(struct mbox_error *err, const char *op, const char *path)
{
	int e = errno;
	const char *dsn;

	switch (e) {
	case ENOSPC:
		dsn = "4.3.1"; /* mail system full */
		break;
	case EDQUOT:
		dsn = "4.2.2"; /* the owner's quota: may clear */
		break;
	case EACCES:
	case EPERM:
		dsn = "4.2.0"; /* the mailbox, not the system */
		break;
	default:
		dsn = "4.3.0";
		break;
	}
	return fail(err, 1, dsn, "cannot %s %s: %s", op, path, strerror(e));
}

static int
unsafe(struct mbox_error *err, const char *path, const char *why)
{
	return fail(err, 1, "4.2.0", "unsafe mailbox %s: %s", path, why);
}

/* Sleep before the next attempt: *ms, doubled up to RETRY_MAX_MS, never
 * past deadline. Returns -1 when the deadline has passed. */
static int
retry_wait(int64_t deadline, long *ms)
{
	int64_t left = deadline - event_now_ms();
	struct timespec ts;
	long d = *ms;

	if (left <= 0)
		return -1;
	if (d > left)
		d = (long)left;
	ts.tv_sec = d / 1000;
	ts.tv_nsec = (d % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	if (*ms < RETRY_MAX_MS)
		*ms = *ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : *ms * 2;
	return 0;
}

/* Take the dot-lock. Returns 0 (held), 1 (the directory refuses us: go on
 * with fcntl alone) or -1 with *err filled. */
static int
dotlock_take(struct mbox *mb, const char *lock_path, int64_t deadline,
    struct mbox_error *err)
{
	char pid[32];
	struct stat st;
	long ms = RETRY_MIN_MS;
	int fd, n;

	for (;;) {
		fd = open(lock_path,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY |
			O_CLOEXEC,
		    0644);
		if (fd >= 0)
			break;
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			return 1;
		if (errno != EEXIST)
			return sys_fail(err, "create lock", lock_path);
		if (lstat(lock_path, &st) < 0) {
			if (errno == ENOENT)
				continue; /* just released: try again now */
			return sys_fail(err, "stat lock", lock_path);
		}
		/* A lock left by a crashed writer. Two of us may both find
		 * it stale; the fcntl lock still keeps us apart. */
		if (time(NULL) - st.st_mtime > MBOX_DOTLOCK_STALE) {
			if (unlink(lock_path) < 0 && errno != ENOENT)
				return sys_fail(err, "remove stale lock",
				    lock_path);
			log_warn("mbox: removed stale lock %s (%lds old)",
			    lock_path, (long)(time(NULL) - st.st_mtime));
			continue;
		}
		if (retry_wait(deadline, &ms) < 0)
			return fail(err, 1, "4.2.0",
			    "mailbox %s busy: %s is held", mb->path, lock_path);
	}
	/* The pid, as liblockfile writes it (for people and tools). */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (write(fd, pid, (size_t)n) != n) {
		sys_fail(err, "write lock", lock_path);
		close(fd);
		unlink(lock_path);
		return -1;
	}
	mb->lock_path = xstrdup(lock_path);
	mb->lock_fd = fd;
	mb->touched = time(NULL);
	return 0;
}

static void
dotlock_touch(struct mbox *mb)
{
	time_t t = time(NULL);

	if (mb->lock_fd < 0 || t - mb->touched < DOTLOCK_TOUCH)
		return;
	if (futimens(mb->lock_fd, NULL) == 0)
		mb->touched = t;
}

static void
dotlock_release(struct mbox *mb)
{
	if (mb->lock_fd >= 0)
		close(mb->lock_fd);
	mb->lock_fd = -1;
	if (mb->lock_path != NULL && unlink(mb->lock_path) < 0 &&
	    errno != ENOENT)
		log_warn("mbox: cannot remove lock %s: %m", mb->lock_path);
	xfree(mb->lock_path);
	mb->lock_path = NULL;
}

/* The write lock on the whole file, retried until deadline. */
static int
fcntl_lock(struct mbox *mb, int64_t deadline, struct mbox_error *err)
{
	struct flock fl;
	long ms = RETRY_MIN_MS;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(mb->fd, F_SETLK, &fl) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EACCES && errno != EAGAIN)
			return sys_fail(err, "lock", mb->path);
		if (retry_wait(deadline, &ms) < 0)
			return fail(err, 1, "4.2.0",
			    "mailbox %s busy: locked by another process",
			    mb->path);
	}
	return 0;
}

/* Open path and check that it is a file we may append to. */
static int
open_checked(struct mbox *mb, mode_t mode, struct mbox_error *err)
{
	struct stat st, lst;
	char why[96];
	int flags;

	const int base = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK | O_CLOEXEC;
	int tries;

	/* Create with O_EXCL, to know that we did (the directory entry must
	 * then be made durable too); EEXIST: another writer was quicker. */
	for (tries = 0; tries < 2; tries++) {
		if ((mb->fd = open(mb->path, base)) >= 0 || errno != ENOENT)
			break;
		mb->fd = open(mb->path, base | O_CREAT | O_EXCL, mode);
		if (mb->fd >= 0) {
			mb->created = 1;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	if (mb->fd < 0) {
		switch (errno) {
		case ELOOP:
			return unsafe(err, mb->path, "a symbolic link");
		case ENXIO: /* a FIFO without a reader */
		case EISDIR:
			return unsafe(err, mb->path, "not a regular file");
		default:
			return sys_fail(err, "open", mb->path);
		}
	}
	if (fstat(mb->fd, &st) < 0)
		return sys_fail(err, "fstat", mb->path);
	if (!S_ISREG(st.st_mode))
		return unsafe(err, mb->path, "not a regular file");
	if (st.st_nlink != 1) {
		snprintf(why, sizeof(why), "%lu hard links",
		    (unsigned long)st.st_nlink);
		return unsafe(err, mb->path, why);
	}
	if (st.st_uid != geteuid()) {
		snprintf(why, sizeof(why), "owned by uid %lu, not %lu",
		    (unsigned long)st.st_uid, (unsigned long)geteuid());
		return unsafe(err, mb->path, why);
	}
	/* The name must still lead to what we opened (no swap since). */
	if (lstat(mb->path, &lst) < 0 || lst.st_dev != st.st_dev ||
	    lst.st_ino != st.st_ino)
		return unsafe(err, mb->path, "replaced while being opened");
	/* O_NONBLOCK was only for the open (a FIFO must not hang us). */
	if ((flags = fcntl(mb->fd, F_GETFL)) < 0 ||
	    fcntl(mb->fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return sys_fail(err, "fcntl", mb->path);
	return 0;
}

static void
mbox_free(struct mbox *mb)
{
	if (mb->fd >= 0)
		close(mb->fd); /* releases the fcntl lock */
	mb->fd = -1;
	dotlock_release(mb);
	xfree(mb->wbuf);
	xfree(mb->path);
	xfree(mb);
}

int
mbox_open(const char *path, const struct mbox_opts *o, struct mbox **mb_r,
    struct mbox_error *err)
{
	static const struct mbox_opts defaults;
	char lock_path[PATH_MAX];
	struct mbox *mb;
	struct stat st;
	int64_t deadline;
	int timeout, r;

	if (o == NULL)
		o = &defaults;
	timeout = o->lock_timeout > 0 ? o->lock_timeout : MBOX_LOCK_TIMEOUT;
	deadline = event_now_ms() + (int64_t)timeout * 1000;
	if (snprintf(lock_path, sizeof(lock_path), "%s.lock", path) >=
	    (int)sizeof(lock_path))
		return fail(err, 1, "4.3.0", "mailbox path too long: %.200s",
		    path);
	mb = xmalloc(sizeof(*mb));
	mb->path = xstrdup(path);
	mb->fd = -1;
	mb->lock_fd = -1;
	mb->limit = o->size_limit > 0 ? o->size_limit : 0;
	mb->bol = 1;
	mb->last_nl = 1;
	if (!o->no_dotlock) {
		r = dotlock_take(mb, lock_path, deadline, err);
		if (r < 0) {
			mbox_free(mb);
			return -1;
		}
		if (r > 0)
			log_warn("mbox: no dot-lock for %s (directory not "
				 "writable): using the fcntl lock only",
			    path);
	}
	if (open_checked(mb, o->mode != 0 ? o->mode : 0600, err) < 0 ||
	    fcntl_lock(mb, deadline, err) < 0) {
		mbox_free(mb);
		return -1;
	}
	/* The size once we hold the locks: others may have appended. */
	if (fstat(mb->fd, &st) < 0) {
		sys_fail(err, "fstat", path);
		mbox_free(mb);
		return -1;
	}
	mb->start = st.st_size;
	mb->wbuf = xmalloc(MBOX_WBUF);
	*mb_r = mb;
	return 0;
}

int
mbox_dotlocked(const struct mbox *mb)
{
	return mb->lock_path != NULL;
}

static int
sticky(struct mbox *mb, struct mbox_error *err)
{
	mb->failed = 1;
	mb->ferr = *err;
	return -1;
}

static int
flush(struct mbox *mb, struct mbox_error *err)
{
	size_t off = 0;
	ssize_t n;

	while (off < mb->wlen) {
		n = write(mb->fd, mb->wbuf + off, mb->wlen - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			sys_fail(err, "write", mb->path);
			return sticky(mb, err);
		}
		off += (size_t)n;
	}
	mb->wlen = 0;
	dotlock_touch(mb);
	return 0;
}

/* Buffer n bytes, within the size limit. */
static int
put(struct mbox *mb, const char *p, size_t n, struct mbox_error *err)
{
	size_t k;

	if (mb->failed) {
		*err = mb->ferr;
		return -1;
	}
	if (mb->limit > 0 &&
	    (off_t)n > (off_t)mb->limit - mb->start - mb->written) {
		fail(err, 0, "5.2.2",
		    "mailbox %s full: size limit %ld bytes exceeded", mb->path,
		    mb->limit);
		return sticky(mb, err);
	}
	mb->written += (off_t)n;
	if (n > 0)
		mb->last_nl = p[n - 1] == '\n';
	while (n > 0) {
		if (mb->wlen == MBOX_WBUF && flush(mb, err) < 0)
			return -1;
		k = MBOX_WBUF - mb->wlen;
		if (k > n)
			k = n;
		memcpy(mb->wbuf + mb->wlen, p, k);
		mb->wlen += k;
		p += k;
		n -= k;
	}
	return 0;
}

int
mbox_write_from(struct mbox *mb, const char *sender, time_t arrival,
    struct mbox_error *err)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char line[MBOX_SENDER_MAX + 64];
	size_t i, n;
	struct tm tm;
	int len;

	if (mb->from_done)
		log_panic("mbox_write_from: called twice for %s", mb->path);
	if (sender == NULL || *sender == 0)
		sender = "MAILER-DAEMON";
	memcpy(line, "From ", 5);
	n = strnlen(sender, MBOX_SENDER_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)sender[i];
		line[5 + i] = c <= ' ' || c == 0x7f ? '_' : (char)c;
	}
	n += 5;
	if (localtime_r(&arrival, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	/* asctime's layout, spelled out: no locale may change it. */
	len = snprintf(line + n, sizeof(line) - n,
	    " %s %s %2d %02d:%02d:%02d %d\n", days[(tm.tm_wday % 7 + 7) % 7],
	    months[(tm.tm_mon % 12 + 12) % 12], tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	if (len < 0 || (size_t)len >= sizeof(line) - n)
		log_panic("mbox_write_from: line overflow"); /* cannot be */
	mb->from_done = 1;
	return put(mb, line, n + (size_t)len, err);
}

/* Write the '>' and the part of "From " held at the start of a line, with
 * one more '>' when quote. */
static int
put_held(struct mbox *mb, int quote, struct mbox_error *err)
{
	static const char gts[64] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>"
				    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";
	size_t gt = mb->gt + (quote ? 1 : 0), k;

	while (gt > 0) {
		k = gt < sizeof(gts) ? gt : sizeof(gts);
		if (put(mb, gts, k, err) < 0)
			return -1;
		gt -= k;
	}
	if (mb->matched > 0 && put(mb, from_word, mb->matched, err) < 0)
		return -1;
	mb->gt = 0;
	mb->matched = 0;
	return 0;
}

int
mbox_write(struct mbox *mb, const char *data, size_t len,
    struct mbox_error *err)
{
	const char *nl;
	size_t i = 0, n;

	if (!mb->from_done)
		log_panic("mbox_write: no From line yet for %s", mb->path);
	if (mb->failed) {
		*err = mb->ferr;
		return -1;
	}
	while (i < len) {
		if (mb->bol) {
			char c = data[i];

			/* Still possibly /^>*From /: hold the byte back. */
			if (mb->matched == 0 && c == '>') {
				mb->gt++;
				i++;
				continue;
			}
			if (c == from_word[mb->matched]) {
				i++;
				if (++mb->matched < sizeof(from_word) - 1)
					continue;
				if (put_held(mb, 1, err) < 0)
					return -1;
				mb->bol = 0;
				continue;
			}
			/* Not a From line: what was held goes out as is. */
			if (put_held(mb, 0, err) < 0)
				return -1;
			mb->bol = 0;
		}
		nl = memchr(data + i, '\n', len - i);
		n = nl != NULL ? (size_t)(nl - (data + i)) + 1 : len - i;
		if (put(mb, data + i, n, err) < 0)
			return -1;
		i += n;
		mb->bol = nl != NULL;
	}
	return 0;
}

/* Make the new file's directory entry durable. A directory we may not
 * read cannot be synced (nor is it ours to worry about): skipped. */
static int
sync_dir(struct mbox *mb, struct mbox_error *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(mb->path, '/');
	int fd, r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
		    slash == mb->path ? 1 : (int)(slash - mb->path), mb->path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	r = fsync(fd);
	close(fd);
	if (r < 0)
		return sys_fail(err, "fsync", dir);
	return 0;
}

int
mbox_commit(struct mbox *mb, struct mbox_error *err)
{
	if (!mb->from_done)
		log_panic("mbox_commit: no From line for %s", mb->path);
	/* A message cut inside a held prefix still ends with it. */
	if ((mb->gt > 0 || mb->matched > 0) && put_held(mb, 0, err) < 0)
		goto bad;
	if (!mb->last_nl && put(mb, "\n", 1, err) < 0)
		goto bad;
	/* The empty line that separates this message from the next. */
	if (put(mb, "\n", 1, err) < 0 || flush(mb, err) < 0)
		goto bad;
	if (fsync(mb->fd) < 0) {
		sys_fail(err, "fsync", mb->path);
		goto bad;
	}
	if (mb->created && sync_dir(mb, err) < 0)
		goto bad;
	if (close(mb->fd) < 0) {
		mb->fd = -1;
		/* Too late to truncate safely; NFS may report here. */
		sys_fail(err, "close", mb->path);
		mbox_free(mb);
		return -1;
	}
	mb->fd = -1;
	mbox_free(mb);
	return 0;
bad:
	mbox_abort(&mb);
	return -1;
}

void
mbox_abort(struct mbox **mbp)
{
	struct mbox *mb = *mbp;

	if (mb == NULL)
		return;
	*mbp = NULL;
	/* Still locked: nobody else can have appended after start. */
	if (mb->fd >= 0) {
		if (ftruncate(mb->fd, mb->start) < 0)
			log_warn("mbox: cannot truncate %s back to %lld bytes: "
				 "%m",
			    mb->path, (long long)mb->start);
		else
			(void)fsync(mb->fd);
	}
	mbox_free(mb);
}
