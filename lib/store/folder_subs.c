/* SPDX-License-Identifier: MIT */
/* folder_subs - subscriptions in Dovecot's "subscriptions" file, and the
 * folders of a new user. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/folder.h"
#include "store/folder_impl.h"
#include "store/maildir.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/fdio.h"
#include "util/htable.h"
#include "util/mem.h"

/* Dovecot's version 2 header (subscription-file.c, version2_header). */
#define SUBS_HEADER "V\t2\n\n"
#define SUBS_HEADER_LEN (sizeof(SUBS_HEADER) - 1)
/* Dovecot's tab escapes (strescape.c, str_append_tabescaped). */
#define TAB_ESCAPE '\001'
#define STORAGE_SEP '.'
#define LOCK_POLL_US (50 * 1000)
#define INBOX "INBOX"

static const char *const defaults[] = { "Sent", "Drafts", "Trash", "Junk",
	"Archive" };
#define N_DEFAULTS (sizeof(defaults) / sizeof(defaults[0]))

/* Replace path with "<maildir>/<file>". */
static int
subs_path(const char *maildir, const char *file, struct buf *path,
    struct buf *err)
{
	buf_reset(path);
	if (buf_printf(path, "%s/%s", maildir, file) < 0)
		return folder_fail(err, FOLDER_ERROR, "%s: path too long",
		    maildir);
	return 0;
}

/* Read the file at path into text (replaced), at most FOLDER_SUBS_MAX
 * bytes. Returns 1, 0 when there is no file, or FOLDER_ERROR. */
static int
read_file(const char *path, struct buf *text, struct buf *err)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	buf_reset(text);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT
		    ? 0
		    : folder_fail(err, FOLDER_ERROR, "open %s: %m", path);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_append(text, chunk, (size_t)n) < 0) {
			close(fd);
			return n < 0 ? folder_fail(err, FOLDER_ERROR,
					   "read %s: %m", path)
				     : folder_fail(err, FOLDER_ERROR,
					   "%s: larger than %d bytes", path,
					   FOLDER_SUBS_MAX);
		}
	}
	close(fd);
	return 1;
}

/* Append the len bytes of a version 2 line to out as a storage name: TAB
 * as the separator, Dovecot's escapes undone (an escape Dovecot does not
 * write stands for the character after \001, as its reader takes it). */
static int
unescape_line(const char *p, size_t len, struct buf *out)
{
	static const char from[] = "01trn", to[] = "\0\001\t\r\n";
	size_t i;

	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c == '\t')
			c = STORAGE_SEP;
		else if (c == TAB_ESCAPE && i + 1 < len) {
			const char *k = memchr(from, p[++i], sizeof(from) - 1);

			c = k != NULL ? to[k - from] : p[i];
		}
		if (buf_putc(out, c) < 0)
			return -1;
	}
	return 0;
}

/* Append a storage name as a version 2 line (no LF) to out. */
static int
escape_name(const char *s, size_t len, struct buf *out)
{
	static const char special[] = "\001\t\r\n", code[] = "1trn";

	for (size_t i = 0; i < len; i++) {
		const char *k = memchr(special, s[i], sizeof(special) - 1);
		int ret = s[i] == STORAGE_SEP ? buf_putc(out, '\t')
		    : k != NULL
		    ? buf_printf(out, "%c%c", TAB_ESCAPE, code[k - special])
		    : buf_putc(out, s[i]);

		if (ret < 0)
			return -1;
	}
	return 0;
}

/* The storage name of one line of a file of version v (1 or 2) into
 * name (replaced): a separator at the end dropped, as Dovecot does.
 * Returns 0, or -1 for a line that gives no name. */
static int
line_name(const char *p, size_t len, int v, struct buf *name)
{
	buf_reset(name);
	if ((v == 2 ? unescape_line(p, len, name) : buf_append(name, p, len)) <
		0 ||
	    memchr(name->data, 0, name->len) != NULL)
		return -1;
	if (name->len > 0 && name->data[name->len - 1] == STORAGE_SEP)
		buf_truncate(name, name->len - 1);
	return name->len > 0 ? 0 : -1;
}

/* The version of the file's text (1 or 2) and where its lines start. */
static int
subs_version(const struct buf *text, size_t *body_r)
{
	if (text->len >= SUBS_HEADER_LEN &&
	    memcmp(text->data, SUBS_HEADER, SUBS_HEADER_LEN) == 0) {
		*body_r = SUBS_HEADER_LEN;
		return 2;
	}
	*body_r = 0;
	return 1;
}

/* The next line of text from *pos (the last may lack its LF, which
 * Dovecot's reader also takes as a line); *pos moved past it. Returns
 * 0, or -1 at the end. */
static int
next_line(const struct buf *text, size_t *pos, const char **p_r, size_t *len_r)
{
	const char *lf;

	if (*pos >= text->len)
		return -1;
	*p_r = text->data + *pos;
	lf = memchr(*p_r, '\n', text->len - *pos);
	*len_r = lf != NULL ? (size_t)(lf - *p_r) : text->len - *pos;
	*pos += *len_r + 1;
	return 0;
}

int
folder_subs_read(const char *maildir, struct folder_names *out, struct buf *err)
{
	struct buf path, text, name;
	size_t pos, len;
	const char *p;
	int ret, v;

	buf_init(&path, BUF_MAX_INTERNAL);
	buf_init(&text, FOLDER_SUBS_MAX);
	buf_init(&name, FOLDER_SUBS_MAX);
	if ((ret = subs_path(maildir, FOLDER_SUBS_FILE, &path, err)) == 0 &&
	    (ret = read_file(path.data, &text, err)) > 0) {
		ret = 0;
		v = subs_version(&text, &pos);
		while (ret == 0 && next_line(&text, &pos, &p, &len) == 0) {
			if (line_name(p, len, v, &name) < 0)
				continue;
			if (folder_names_add(out, name.data, name.len) < 0)
				ret = folder_fail(err, FOLDER_ERROR,
				    "%s: more than %d subscriptions", path.data,
				    FOLDER_COUNT_MAX);
		}
	}
	buf_deinit(&path);
	buf_deinit(&text);
	buf_deinit(&name);
	if (ret < 0)
		folder_names_free(out);
	return ret;
}

int
folder_subscriptions(const char *maildir, int flags, struct folder_set *out,
    struct buf *err)
{
	struct folder_names stored = { 0 };
	struct htable *seen;
	struct buf name;
	int ret;

	out->items = NULL;
	out->count = 0;
	if ((ret = folder_subs_read(maildir, &stored, err)) < 0)
		return ret;
	out->items = xcalloc(stored.n + 1, sizeof(*out->items));
	seen = htable_create();
	buf_init(&name, FOLDER_NAME_BUF);
	for (size_t i = 0; i < stored.n; i++) {
		/* Dovecot drops entries that are not valid names. */
		if (folder_imap_name(stored.v[i], flags, &name, NULL) < 0 ||
		    htable_find(seen, name.data) != NULL)
			continue;
		out->items[out->count].name = xstrdup(name.data);
		out->items[out->count].attrs = FOLDER_SUBSCRIBED;
		(void)htable_enter(seen, out->items[out->count].name,
		    out->items[out->count].name);
		out->count++;
	}
	buf_deinit(&name);
	htable_destroy(&seen, NULL);
	folder_names_free(&stored);
	return 0;
}

/* Take Dovecot's lock: create FOLDER_SUBS_LOCK exclusively, removing one
 * untouched for FOLDER_SUBS_STALE seconds, waiting FOLDER_SUBS_WAIT for a
 * live one. Returns its descriptor, or FOLDER_ERROR. */
static int
subs_lock(const char *path, struct buf *err)
{
	time_t start = time(NULL);
	struct stat st;
	int fd;

	for (;;) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return folder_fail(err, FOLDER_ERROR, "create %s: %m",
			    path);
		if (stat(path, &st) == 0 &&
		    st.st_mtime + FOLDER_SUBS_STALE < time(NULL)) {
			(void)unlink(path);
			continue;
		}
		if (time(NULL) - start >= FOLDER_SUBS_WAIT)
			return folder_fail(err, FOLDER_ERROR, "%s: locked",
			    path);
		usleep(LOCK_POLL_US);
	}
}

/* Write text to the lock fd, fsync it, rename it over the file, fsync
 * the Maildir. */
static int
subs_commit(int fd, const struct buf *text, const char *lock, const char *file,
    const char *maildir, struct buf *err)
{
	if (fd_write_all(fd, text->data, text->len) < 0)
		return folder_fail(err, FOLDER_ERROR, "write %s: %m", lock);
	if (fsync(fd) < 0)
		return folder_fail(err, FOLDER_ERROR, "fsync %s: %m", lock);
	if (rename(lock, file) < 0)
		return folder_fail(err, FOLDER_ERROR, "rename %s to %s: %m",
		    lock, file);
	return dir_fsync(maildir) < 0
	    ? folder_fail(err, FOLDER_ERROR, "fsync %s: %m", maildir)
	    : 0;
}

/* The new file's text: old's lines (as version 2) without the n storage
 * names (when !on), then those of them not found (when on). Returns
 * whether anything changed, or -1 when out is full. */
static int
subs_edit(const struct buf *old, const char *const *names, size_t n, int on,
    struct buf *out)
{
	struct buf line, name;
	char *found = xcalloc(n + 1, 1);
	size_t pos, len, i;
	int v = subs_version(old, &pos), changed = 0, ret = 0;
	const char *p;

	buf_init(&line, FOLDER_SUBS_MAX);
	buf_init(&name, FOLDER_SUBS_MAX);
	ret |= buf_puts(out, SUBS_HEADER);
	while (next_line(old, &pos, &p, &len) == 0) {
		int hit = 0;

		buf_reset(&line);
		ret |= v == 2 ? buf_append(&line, p, len)
			      : escape_name(p, len, &line);
		if (line_name(p, len, v, &name) == 0)
			for (i = 0; i < n; i++)
				if (strcmp(name.data, names[i]) == 0)
					hit = found[i] = 1;
		if (hit && !on) {
			changed = 1;
			continue;
		}
		ret |= buf_append(out, line.data, line.len);
		ret |= buf_putc(out, '\n');
	}
	for (i = 0; on && i < n; i++) {
		if (found[i])
			continue;
		ret |= escape_name(names[i], strlen(names[i]), out);
		ret |= buf_putc(out, '\n');
		changed = 1;
	}
	xfree(found);
	buf_deinit(&line);
	buf_deinit(&name);
	return ret < 0 ? -1 : changed;
}

/* Subscribe (on) or unsubscribe the n storage names. Returns 1 when the
 * file changed, 0, or FOLDER_ERROR. */
static int
subs_change(const char *maildir, const char *const *names, size_t n, int on,
    struct buf *err)
{
	struct buf file, lock, old, new;
	const char *error;
	int fd = -1, ret;

	buf_init(&file, BUF_MAX_INTERNAL);
	buf_init(&lock, BUF_MAX_INTERNAL);
	buf_init(&old, FOLDER_SUBS_MAX);
	buf_init(&new, FOLDER_SUBS_MAX);
	/* The file's directory: the Maildir, made as Dovecot makes it when
	 * missing. */
	if (maildir_make(maildir, &error) < 0) {
		ret = folder_fail(err, FOLDER_ERROR, "%s", error);
		goto out;
	}
	if ((ret = subs_path(maildir, FOLDER_SUBS_FILE, &file, err)) < 0 ||
	    (ret = subs_path(maildir, FOLDER_SUBS_LOCK, &lock, err)) < 0 ||
	    (ret = fd = subs_lock(lock.data, err)) < 0)
		goto out;
	if ((ret = read_file(file.data, &old, err)) < 0)
		goto out;
	if ((ret = subs_edit(&old, names, n, on, &new)) < 0) {
		ret = folder_fail(err, FOLDER_ERROR, "%s: larger than %d bytes",
		    file.data, FOLDER_SUBS_MAX);
		goto out;
	}
	if (ret > 0 &&
	    subs_commit(fd, &new, lock.data, file.data, maildir, err) < 0)
		ret = FOLDER_ERROR;
	else if (ret > 0)
		lock.len = 0; /* renamed: nothing to remove */
out:
	if (fd >= 0) {
		close(fd);
		if (lock.len > 0)
			(void)unlink(lock.data);
	}
	buf_deinit(&file);
	buf_deinit(&lock);
	buf_deinit(&old);
	buf_deinit(&new);
	return ret;
}

static int
subscribe(const char *maildir, const char *name, int flags, int on,
    struct buf *err)
{
	struct buf storage;
	const char *names[1];
	int ret;

	buf_init(&storage, FOLDER_NAME_BUF);
	if ((ret = folder_storage_name(name, flags, &storage, err)) == 0) {
		names[0] = storage.data;
		ret = subs_change(maildir, names, 1, on, err);
	}
	buf_deinit(&storage);
	return ret;
}

int
folder_subscribe(const char *maildir, const char *name, int flags,
    struct buf *err)
{
	return subscribe(maildir, name, flags, 1, err);
}

int
folder_unsubscribe(const char *maildir, const char *name, int flags,
    struct buf *err)
{
	return subscribe(maildir, name, flags, 0, err);
}

int
folder_make_defaults(const char *maildir, struct buf *err)
{
	const char *names[N_DEFAULTS + 1], *error;
	struct folder_names dirs = { 0 };
	struct buf path;
	struct stat st;
	size_t i;
	int ret;

	buf_init(&path, BUF_MAX_INTERNAL);
	if ((ret = subs_path(maildir, FOLDER_SUBS_FILE, &path, err)) < 0)
		goto out;
	/* Not the first login: a subscriptions file says so. */
	if (stat(path.data, &st) == 0)
		goto out;
	if (errno != ENOENT) {
		ret = folder_fail(err, FOLDER_ERROR, "stat %s: %m", path.data);
		goto out;
	}
	if ((ret = folder_scan(maildir, 0, &dirs, err)) < 0 || dirs.n > 0)
		goto out;
	if (maildir_make(maildir, &error) < 0) {
		ret = folder_fail(err, FOLDER_ERROR, "%s", error);
		goto out;
	}
	names[0] = INBOX;
	/* Nothing fsync'ed here: the folders' entries in the Maildir become
	 * durable with the subscriptions file that marks them made, by its
	 * fsync of the Maildir, and what is inside a folder is made again
	 * if a crash loses it (a folder without cur/ gets it at its next
	 * open or CREATE). A first login costs the two fsyncs of the
	 * subscriptions, where each folder would cost two more. */
	for (i = 0; i < N_DEFAULTS; i++) {
		ret = folder_create(maildir, defaults[i], FOLDER_UNSYNCED, err);
		if (ret < 0 && ret != FOLDER_EXISTS)
			goto out;
		names[i + 1] = defaults[i];
	}
	ret = subs_change(maildir, names, N_DEFAULTS + 1, 1, err) < 0
	    ? FOLDER_ERROR
	    : 1;
out:
	folder_names_free(&dirs);
	buf_deinit(&path);
	return ret;
}
