/* SPDX-License-Identifier: MIT */
/* passwd_edit - add, change or remove one user of a passwd-file table. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/passwd_edit.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/mem.h"

_Static_assert(PASSWD_EDIT_NAME_MAX == 255, "the error text says 255");

int
passwd_edit_name_ok(const char *name, const char **error_r)
{
	const unsigned char *p;
	size_t len = strlen(name);

	if (len == 0) {
		*error_r = "empty user name";
		return -1;
	}
	if (len > PASSWD_EDIT_NAME_MAX) {
		*error_r = "user name longer than 255 bytes";
		return -1;
	}
	if (name[0] == '#') {
		*error_r = "user name starts with '#' (a comment)";
		return -1;
	}
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p == ':') {
			*error_r = "':' in user name";
			return -1;
		}
		if (*p <= ' ' || *p == 0x7f) {
			*error_r = "white space or control character in user "
				   "name";
			return -1;
		}
	}
	return 0;
}

int
passwd_edit_secret_ok(const char *secret, size_t len, const char **error_r)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (secret[i] == ':' || secret[i] == '\n' ||
		    secret[i] == '\r' || secret[i] == '\0') {
			*error_r = "the password field cannot hold ':', a line "
				   "break or a NUL (the passwd-file format has "
				   "no escapes; choose a hashing scheme)";
			return -1;
		}
	}
	return 0;
}

/* One line of the table: text[start..end) is its content without the
 * newline and a CR before it; the line runs on to next. */
struct line {
	size_t start, end, next;
};

static void
line_at(const char *text, size_t len, size_t pos, struct line *l)
{
	const char *nl = memchr(text + pos, '\n', len - pos);

	l->start = pos;
	l->next = nl != NULL ? (size_t)(nl - text) + 1 : len;
	l->end = nl != NULL ? (size_t)(nl - text) : len;
	/* passwd_file_read drops a CR before the newline: so do we here. */
	if (l->end > l->start && text[l->end - 1] == '\r')
		l->end--;
}

/* Does the line belong to user? Its name runs from the first non-blank
 * to the first ':', as passwd_file_parse_line() reads it; *name_end_r is
 * where it ends. Comments and blank lines belong to nobody. */
static int
line_is_user(const char *text, const struct line *l, const char *user,
    size_t ulen, size_t *name_end_r)
{
	size_t p = l->start, q;

	while (p < l->end && (text[p] == ' ' || text[p] == '\t'))
		p++;
	if (p == l->end || text[p] == '#')
		return 0;
	for (q = p; q < l->end && text[q] != ':'; q++)
		;
	*name_end_r = q;
	return q - p == ulen && memcmp(text + p, user, ulen) == 0;
}

/* Give out room for need bytes now, so it never moves (leaving an
 * unwiped copy of the table behind) while it is filled. */
static int
prime(struct buf *out, size_t need)
{
	buf_reset(out);
	while (buf_len(out) < need) {
		static const char zero[4096];
		size_t n = need - buf_len(out);

		if (buf_append(out, zero, n < sizeof(zero) ? n : sizeof(zero)) <
		    0)
			return -1;
	}
	buf_reset(out);
	return 0;
}

int
passwd_edit_apply(const char *text, size_t len, enum passwd_edit_op op,
    const char *user, const char *secret, struct buf *out, const char **error_r)
{
	struct line l;
	size_t ulen = strlen(user), slen = 0, pos, name_end, pw_end, matches;
	size_t need, per;
	int r = 0;

	if (passwd_edit_name_ok(user, error_r) < 0)
		return PASSWD_EDIT_ERR_USAGE;
	if (op != PASSWD_EDIT_DEL) {
		slen = strlen(secret);
		if (passwd_edit_secret_ok(secret, slen, error_r) < 0)
			return PASSWD_EDIT_ERR_USAGE;
	}
	matches = 0;
	for (pos = 0; pos < len; pos = l.next) {
		line_at(text, len, pos, &l);
		if (line_is_user(text, &l, user, ulen, &name_end))
			matches++;
	}
	if (op == PASSWD_EDIT_ADD && matches > 0) {
		*error_r = "user already exists";
		return PASSWD_EDIT_ERR_EXISTS;
	}
	if (op != PASSWD_EDIT_ADD && matches == 0) {
		*error_r = "no such user";
		return PASSWD_EDIT_ERR_NOUSER;
	}
	/* Each changed or added line grows by at most ":secret" plus the new
	 * entry's empty fields and newlines. */
	per = ulen + slen + 16;
	if (__builtin_mul_overflow(matches + 1, per, &need) ||
	    __builtin_add_overflow(need, len, &need) || prime(out, need) < 0) {
		*error_r = "user table too large";
		return PASSWD_EDIT_ERR_SYSTEM;
	}
	for (pos = 0; pos < len && r == 0; pos = l.next) {
		line_at(text, len, pos, &l);
		if (!line_is_user(text, &l, user, ulen, &name_end)) {
			r = buf_append(out, text + l.start, l.next - l.start);
			continue;
		}
		if (op == PASSWD_EDIT_DEL)
			continue;
		/* SET: the name (with any leading blanks), the new password
		 * field, then the rest of the line from the ':' that ends
		 * the old one, unchanged. */
		pw_end = name_end < l.end ? name_end + 1 : l.end;
		while (pw_end < l.end && text[pw_end] != ':')
			pw_end++;
		if (buf_append(out, text + l.start, name_end - l.start) < 0 ||
		    buf_putc(out, ':') < 0 ||
		    buf_append(out, secret, slen) < 0 ||
		    buf_append(out, text + pw_end, l.next - pw_end) < 0)
			r = -1;
	}
	if (r == 0 && op == PASSWD_EDIT_ADD) {
		if (len > 0 && text[len - 1] != '\n')
			r = buf_putc(out, '\n');
		if (r == 0)
			r = buf_printf(out, "%s:%s::::::\n", user, secret);
	}
	if (r < 0) {
		*error_r = "user table too large";
		return PASSWD_EDIT_ERR_SYSTEM;
	}
	return 0;
}

static void
wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_deinit(b);
}

/* Take the table's lock, waiting a bounded time. Returns the lock's fd
 * or -1 with err set. */
static int
lock_table(const char *path, struct buf *err)
{
	struct timespec nap = { 0, 100 * 1000 * 1000 };
	struct buf lpath;
	int fd, i;

	buf_init(&lpath, PATH_MAX + 8);
	if (buf_printf(&lpath, "%s.lock", path) < 0) {
		buf_printf(err, "%s: path too long", path);
		buf_deinit(&lpath);
		return -1;
	}
	fd = open(buf_cstr(&lpath), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0) {
		buf_printf(err, "open %s: %s", buf_cstr(&lpath),
		    strerror(errno));
		buf_deinit(&lpath);
		return -1;
	}
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    i >= PASSWD_EDIT_LOCK_WAIT * 10) {
			buf_printf(err, "lock %s: %s", buf_cstr(&lpath),
			    errno == EWOULDBLOCK ? "held by another process"
						 : strerror(errno));
			close(fd);
			buf_deinit(&lpath);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	buf_deinit(&lpath);
	return fd;
}

/* Read the whole table into text (left empty when it does not exist);
 * *st_r->st_mode is 0 then. Returns 0 or -1 with err set. */
static int
read_table(const char *path, struct buf *text, struct stat *st_r,
    struct buf *err)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	memset(st_r, 0, sizeof(*st_r));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		buf_printf(err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st_r) < 0) {
		buf_printf(err, "fstat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st_r->st_mode) || st_r->st_size > PASSWD_EDIT_FILE_MAX ||
	    prime(text, (size_t)st_r->st_size + 1) < 0) {
		buf_printf(err, "%s: %s", path,
		    !S_ISREG(st_r->st_mode) ? "not a regular file"
					    : "larger than the limit");
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_append(text, chunk, (size_t)n) < 0) {
			buf_printf(err, "read %s: %s", path,
			    n < 0 ? strerror(errno) : "larger than the limit");
			explicit_bzero(chunk, sizeof(chunk));
			close(fd);
			return -1;
		}
	}
	explicit_bzero(chunk, sizeof(chunk));
	close(fd);
	return 0;
}

/* Write data to a new temporary file beside path with the old table's
 * owner and mode (old->st_mode 0: a new table), fsync it and rename it
 * over path, then fsync the directory. Returns 0 or -1 with err set. */
static int
replace_table(const char *path, const struct buf *data, const struct stat *old,
    struct buf *err)
{
	struct buf tmp;
	const char *p = buf_cstr(data), *what = NULL;
	size_t left = buf_len(data);
	ssize_t n;
	int fd, e = 0, ret = -1;

	buf_init(&tmp, PATH_MAX + 16);
	if (buf_printf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		buf_printf(err, "%s: path too long", path);
		goto out;
	}
	if ((fd = mkostemp(tmp.data, O_CLOEXEC)) < 0) {
		buf_printf(err, "create %s: %s", buf_cstr(&tmp),
		    strerror(errno));
		goto out;
	}
	/* Owner first: fchown may clear mode bits that fchmod then sets. */
	if (old->st_mode != 0) {
		if ((old->st_uid != geteuid() || old->st_gid != getegid()) &&
		    fchown(fd, old->st_uid, old->st_gid) < 0)
			what = "fchown", e = errno;
		else if (fchmod(fd, old->st_mode & 07777) < 0)
			what = "fchmod", e = errno;
	} else if (fchmod(fd, PASSWD_EDIT_NEW_MODE) < 0)
		what = "fchmod", e = errno;
	while (what == NULL && left > 0) {
		if ((n = write(fd, p, left)) < 0) {
			if (errno != EINTR)
				what = "write", e = errno;
			continue;
		}
		p += n;
		left -= (size_t)n;
	}
	if (what == NULL && fsync(fd) < 0)
		what = "fsync", e = errno;
	if (close(fd) < 0 && what == NULL)
		what = "close", e = errno;
	if (what == NULL && rename(buf_cstr(&tmp), path) < 0)
		what = "rename", e = errno;
	if (what != NULL) {
		buf_printf(err, "%s %s: %s", what, buf_cstr(&tmp), strerror(e));
		unlink(buf_cstr(&tmp));
		goto out;
	}
	/* The rename is durable only once the directory is. */
	if (dir_fsync_parent(path) < 0) {
		buf_printf(err, "fsync the directory of %s: %s", path,
		    strerror(errno));
		goto out;
	}
	ret = 0;
out:
	buf_deinit(&tmp);
	return ret;
}

int
passwd_edit_file(const char *path, enum passwd_edit_op op, const char *user,
    const char *secret, struct buf *err)
{
	struct buf text, out;
	struct stat st;
	const char *why;
	char *real = NULL;
	int lock, r;

	/* A symlinked table is edited where it lives: a rename over the
	 * link would replace it with a file of our own. */
	if ((real = realpath(path, NULL)) != NULL)
		path = real;
	if ((lock = lock_table(path, err)) < 0) {
		free(real);
		return PASSWD_EDIT_ERR_SYSTEM;
	}
	buf_init(&text, PASSWD_EDIT_FILE_MAX + 1);
	buf_init(&out, (size_t)PASSWD_EDIT_FILE_MAX * 2);
	if (read_table(path, &text, &st, err) < 0)
		r = PASSWD_EDIT_ERR_SYSTEM;
	else if ((r = passwd_edit_apply(buf_cstr(&text), buf_len(&text), op,
		      user, secret, &out, &why)) < 0)
		buf_printf(err, "%s: %s: %s", path, user, why);
	else if (replace_table(path, &out, &st, err) < 0)
		r = PASSWD_EDIT_ERR_SYSTEM;
	wipe(&text);
	wipe(&out);
	close(lock);
	free(real);
	return r;
}
