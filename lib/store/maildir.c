/* SPDX-License-Identifier: MIT */
/* maildir - durable delivery of one message into a Maildir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "store/maildir.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/mem.h"

struct maildir_msg {
	char *dir;  /* the Maildir, without trailing slashes */
	char *name; /* unique base name */
	char *tmp_path;
	int fd;
	unsigned char *wbuf;
	size_t wlen;
	off_t size;  /* bytes written, pending included */
	off_t vsize; /* size with bare LFs made CRLF (maildir_vsize_add) */
	int prev_cr; /* the last byte written was CR */
	int failed;
	time_t mtime; /* maildir_set_mtime's; 0: the commit's time */
};

static char maildir_errbuf[1024];

static int __attribute__((format(printf, 2, 3)))
md_error(const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(maildir_errbuf, sizeof(maildir_errbuf), fmt, ap);
	va_end(ap);
	*error_r = maildir_errbuf;
	return -1;
}

/* fsync the directory that contains path (a new entry's name is durable
 * only after its directory is synced). */
static int
fsync_parent(const char *path, const char **error_r)
{
	return dir_fsync_parent(path) < 0
	    ? md_error(error_r, "fsync the directory of %s: %m", path)
	    : 0;
}

/* mkdir path (mode 0700) unless it is a directory already; its parent
 * fsync'ed after a mkdir when sync, else *made_r set (the caller syncs
 * the parent once for several). */
static int
make_dir(const char *path, int sync, int *made_r, const char **error_r)
{
	struct stat st;

	if (mkdir(path, 0700) == 0) {
		if (made_r != NULL)
			*made_r = 1;
		return sync ? fsync_parent(path, error_r) : 0;
	}
	if (errno != EEXIST)
		return md_error(error_r, "mkdir %s: %m", path);
	if (stat(path, &st) < 0)
		return md_error(error_r, "stat %s: %m", path);
	if (!S_ISDIR(st.st_mode))
		return md_error(error_r, "%s: not a directory", path);
	return 0;
}

int
maildir_make(const char *dir, const char **error_r)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	char path[PATH_MAX];
	size_t i, n = strlen(dir);
	struct stat st;
	int made = 0;

	if (n >= PATH_MAX - 8)
		return md_error(error_r, "%s: path too long", dir);
	memcpy(path, dir, n + 1);
	/* The common case: everything exists. */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			break;
	}
	if (i == 3)
		return 0;
	memcpy(path, dir, n + 1);
	for (i = 1; i < n; i++) {
		if (path[i] != '/' || path[i - 1] == '/')
			continue;
		path[i] = 0;
		if (make_dir(path, 1, NULL, error_r) < 0)
			return -1;
		path[i] = '/';
	}
	if (make_dir(dir, 1, NULL, error_r) < 0)
		return -1;
	/* cur/, new/ and tmp/ made durable by one fsync of dir. */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
		if (make_dir(path, 0, &made, error_r) < 0)
			return -1;
	}
	return made ? fsync_parent(path, error_r) : 0;
}

int
maildir_make_folder(const char *dir, const char *marker, int sync,
    const char **error_r)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	char path[PATH_MAX];
	struct stat st;
	size_t i;
	int fd;

	if (strlen(dir) >= PATH_MAX - 16 ||
	    (marker != NULL && strlen(dir) + strlen(marker) + 2 > PATH_MAX))
		return md_error(error_r, "%s: path too long", dir);
	snprintf(path, sizeof(path), "%s/cur", dir);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (make_dir(dir, 0, NULL, error_r) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
		if (make_dir(path, 0, NULL, error_r) < 0)
			return -1;
	}
	if (marker != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, marker);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 || close(fd) < 0)
			return md_error(error_r, "create %s: %m", path);
	}
	/* Everything in dir by one fsync, then dir itself into its parent
	 * (in this order: a crash never leaves a folder without cur/). */
	if ((sync & MAILDIR_SYNC_FOLDER) && fsync_parent(path, error_r) < 0)
		return -1;
	if ((sync & MAILDIR_SYNC_PARENT) && fsync_parent(dir, error_r) < 0)
		return -1;
	return 1;
}

int
maildir_sweep_tmp(const char *dir, time_t before)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	int fd, n = 0;
	DIR *d;

	if ((size_t)snprintf(path, sizeof(path), "%s/tmp", dir) >= sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		/* Regular files only (lstat: a link is never followed out of
		 * tmp/), old by their ctime as well as their mtime: a delivery
		 * that gives its file an old mtime (APPEND's internal date)
		 * still has a ctime of now until it is linked into new/. */
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime < before &&
		    st.st_ctime < before && unlinkat(fd, e->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

void
maildir_host_escape(const char *host, struct buf *out)
{
	for (; *host != 0; host++) {
		int ret = *host == '/' ? buf_puts(out, "\\057")
		    : *host == ':'     ? buf_puts(out, "\\072")
				       : buf_putc(out, *host);

		if (ret < 0)
			return;
	}
}

/* The host part of unique names, escaped once per process. */
static const char *
host_part(void)
{
	static struct buf host;
	char raw[256];

	if (host.data != NULL)
		return buf_cstr(&host);
	if (gethostname(raw, sizeof(raw)) < 0 || raw[0] == 0)
		snprintf(raw, sizeof(raw), "localhost");
	raw[sizeof(raw) - 1] = 0;
	buf_init(&host, 4 * sizeof(raw));
	maildir_host_escape(raw, &host);
	return buf_cstr(&host);
}

/* A new unique name "<sec>.M<usec>P<pid>Q<n>.<host>" into b. */
static void
unique_name(struct buf *b)
{
	static unsigned counter;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	buf_reset(b);
	buf_printf(b, "%lld.M%ldP%ldQ%u.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), ++counter, host_part());
}

int
maildir_open(const char *path, struct maildir_msg **m_r, const char **error_r)
{
	struct maildir_msg *m;
	struct buf b;
	size_t n = strlen(path);
	int fd;

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0 || n + 64 + 512 >= PATH_MAX)
		return md_error(error_r, "bad Maildir path");
	m = xmalloc(sizeof(*m));
	m->dir = xstrndup(path, n);
	m->fd = -1;
	if (maildir_make(m->dir, error_r) < 0) {
		maildir_abort(&m);
		return -1;
	}
	buf_init(&b, PATH_MAX);
	do {
		unique_name(&b);
		xfree(m->name);
		xfree(m->tmp_path);
		m->name = xstrdup(buf_cstr(&b));
		buf_reset(&b);
		buf_printf(&b, "%s/tmp/%s", m->dir, m->name);
		m->tmp_path = xstrdup(buf_cstr(&b));
		fd = open(m->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
	} while (fd < 0 && errno == EEXIST);
	buf_deinit(&b);
	if (fd < 0) {
		md_error(error_r, "create %s: %m", m->tmp_path);
		xfree(m->tmp_path); /* nothing to unlink */
		m->tmp_path = NULL;
		maildir_abort(&m);
		return -1;
	}
	m->fd = fd;
	m->wbuf = xmalloc(MAILDIR_WBUF);
	*m_r = m;
	return 0;
}

static int
write_all(struct maildir_msg *m, const unsigned char *p, size_t n,
    const char **error_r)
{
	while (n > 0) {
		ssize_t r = write(m->fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			m->failed = 1;
			return md_error(error_r, "write %s: %m", m->tmp_path);
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
flush(struct maildir_msg *m, const char **error_r)
{
	if (m->wlen > 0 && write_all(m, m->wbuf, m->wlen, error_r) < 0)
		return -1;
	m->wlen = 0;
	return 0;
}

int
maildir_write(struct maildir_msg *m, const void *p, size_t n,
    const char **error_r)
{
	if (m->failed)
		return md_error(error_r, "write %s: earlier error",
		    m->tmp_path);
	/* vsize is at most twice size: keep size below half the range. */
	if (__builtin_add_overflow(m->size, (off_t)n, &m->size) ||
	    m->size > INT64_MAX / 2) {
		m->failed = 1;
		return md_error(error_r, "message too large");
	}
	maildir_vsize_add(p, n, &m->prev_cr, &m->vsize);
	if (n <= MAILDIR_WBUF - m->wlen) {
		memcpy(m->wbuf + m->wlen, p, n);
		m->wlen += n;
		return 0;
	}
	if (flush(m, error_r) < 0)
		return -1;
	if (n < MAILDIR_WBUF) {
		memcpy(m->wbuf, p, n);
		m->wlen = n;
		return 0;
	}
	return write_all(m, p, n, error_r);
}

void
maildir_vsize_add(const void *p, size_t n, int *prev_cr, off_t *vsize)
{
	const unsigned char *s = p, *end = s + n, *lf;
	off_t v = *vsize + (off_t)n;

	if (n == 0)
		return;
	while ((lf = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		if (lf == (const unsigned char *)p ? !*prev_cr : lf[-1] != '\r')
			v++;
		s = lf + 1;
	}
	*prev_cr = end[-1] == '\r';
	*vsize = v;
}

/* Link failures that mean "this file system has no hard links". */
static int
link_unsupported(int err)
{
	return err == EXDEV || err == EPERM || err == ENOSYS ||
	    err == EOPNOTSUPP || err == EMLINK;
}

void
maildir_set_mtime(struct maildir_msg *m, time_t t)
{
	m->mtime = t;
}

int
maildir_commit(struct maildir_msg *m, struct buf *final_path_r,
    const char **error_r)
{
	return maildir_commit_info(m, NULL, final_path_r, error_r);
}

int
maildir_commit_info(struct maildir_msg *m, const char *info,
    struct buf *final_path_r, const char **error_r)
{
	int linked = 1, ret;

	if (m->failed) {
		md_error(error_r, "write %s: earlier error", m->tmp_path);
		goto fail;
	}
	if (flush(m, error_r) < 0)
		goto fail;
	if (m->mtime != 0) {
		const struct timespec ts[2] = { { m->mtime, 0 },
			{ m->mtime, 0 } };

		if (futimens(m->fd, ts) < 0) {
			md_error(error_r, "futimens %s: %m", m->tmp_path);
			goto fail;
		}
	}
	if (fsync(m->fd) < 0) {
		md_error(error_r, "fsync %s: %m", m->tmp_path);
		goto fail;
	}
	ret = close(m->fd);
	m->fd = -1;
	if (ret < 0) {
		md_error(error_r, "close %s: %m", m->tmp_path);
		goto fail;
	}
	buf_reset(final_path_r);
	if (buf_printf(final_path_r, "%s/%s/%s,S=%lld,W=%lld%s%s", m->dir,
		info == NULL ? "new" : "cur", m->name, (long long)m->size,
		(long long)m->vsize, info == NULL ? "" : ":2,",
		info == NULL ? "" : info) < 0) {
		md_error(error_r, "Maildir file name too long");
		goto fail;
	}
	if (link(m->tmp_path, buf_cstr(final_path_r)) < 0) {
		if (!link_unsupported(errno)) {
			md_error(error_r, "link %s: %m",
			    buf_cstr(final_path_r));
			goto fail;
		}
		if (rename(m->tmp_path, buf_cstr(final_path_r)) < 0) {
			md_error(error_r, "rename to %s: %m",
			    buf_cstr(final_path_r));
			goto fail;
		}
		linked = 0;
	}
	if (fsync_parent(buf_cstr(final_path_r), error_r) < 0) {
		/* Not durable: take it back so that the failure means "not
		 * delivered" (a retry follows) as far as we can help it. */
		unlink(buf_cstr(final_path_r));
		goto fail;
	}
	/* The message is delivered; a stale tmp/ name is harmless (readers
	 * clean tmp/), so a failed unlink does not change the result. */
	if (linked)
		unlink(m->tmp_path);
	xfree(m->tmp_path);
	m->tmp_path = NULL;
	maildir_abort(&m);
	return 0;
fail:
	maildir_abort(&m);
	return -1;
}

int
maildir_link_copy(const char *src, const char *dir, off_t size, off_t vsize,
    const char *info, struct buf *final_path_r, const char **error_r)
{
	struct buf name;
	int tries;

	buf_init(&name, PATH_MAX);
	for (tries = 0; tries < 100; tries++) {
		unique_name(&name);
		buf_reset(final_path_r);
		if (buf_printf(final_path_r, "%s/cur/%s,S=%lld", dir,
			buf_cstr(&name), (long long)size) < 0 ||
		    (vsize >= 0 &&
			buf_printf(final_path_r, ",W=%lld", (long long)vsize) <
			    0) ||
		    buf_printf(final_path_r, ":2,%s", info) < 0) {
			buf_deinit(&name);
			return md_error(error_r, "Maildir file name too long");
		}
		if (link(src, buf_cstr(final_path_r)) == 0)
			break;
		if (errno == EEXIST)
			continue;
		buf_deinit(&name);
		if (link_unsupported(errno) || errno == ENOENT)
			return 1;
		return md_error(error_r, "link %s: %m", buf_cstr(final_path_r));
	}
	buf_deinit(&name);
	if (tries == 100)
		return md_error(error_r, "link into %s/cur: no free name", dir);
	if (fsync_parent(buf_cstr(final_path_r), error_r) < 0) {
		unlink(buf_cstr(final_path_r));
		return -1;
	}
	return 0;
}

void
maildir_abort(struct maildir_msg **mp)
{
	struct maildir_msg *m = *mp;

	if (m == NULL)
		return;
	if (m->fd >= 0)
		close(m->fd);
	if (m->tmp_path != NULL)
		unlink(m->tmp_path);
	xfree(m->tmp_path);
	xfree(m->name);
	xfree(m->dir);
	xfree(m->wbuf);
	xfree(m);
	*mp = NULL;
}
