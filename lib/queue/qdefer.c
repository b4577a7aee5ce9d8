/* SPDX-License-Identifier: MIT */
/* qdefer - per-message files with the reasons of deferred recipients. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "queue/qdefer.h"
#include "queue/qid.h"
#include "util/mem.h"

static char qdefer_errbuf[1024];

static int __attribute__((format(printf, 2, 3)))
fail(const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(qdefer_errbuf, sizeof(qdefer_errbuf), fmt, ap);
	va_end(ap);
	*error_r = qdefer_errbuf;
	return -1;
}

/* <queue_dir>/defer/<id><suffix> into path; -1 when id is not a queue ID
 * or the name does not fit. */
static int
defer_path(char *path, size_t size, const char *queue_dir, const char *id,
    const char *suffix, const char **error_r)
{
	int n;

	if (!qid_valid(id))
		return fail(error_r, "bad queue ID");
	n = snprintf(path, size, "%s/%s/%s%s", queue_dir, QDEFER_DIR, id,
	    suffix);
	if (n < 0 || (size_t)n >= size)
		return fail(error_r, "queue directory name too long");
	return 0;
}

void
qdefer_clean(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < size && s[i] != 0; i++) {
		unsigned char c = (unsigned char)s[i];

		/* A tab would start a field, a newline a line. */
		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[i] = 0;
}

int
qdefer_write(const char *queue_dir, const char *id, const char *const *rcpt,
    const char *const *reason, size_t n, const char **error_r)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	char r[QDEFER_MAX_RCPT + 1], why[QDEFER_MAX_REASON + 1];
	FILE *fp;
	int fd;

	if (n == 0)
		return qdefer_remove(queue_dir, id, error_r);
	if (defer_path(path, sizeof(path), queue_dir, id, "", error_r) < 0 ||
	    defer_path(tmp, sizeof(tmp), queue_dir, id, ".tmp", error_r) < 0)
		return -1;
	/* One writer per queue (qmgr holds the queue lock), so a fixed temp
	 * name is safe; O_TRUNC reuses one a crash left behind. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return fail(error_r, "create %s: %m", tmp);
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return fail(error_r, "fdopen %s: %m", tmp);
	}
	for (size_t i = 0; i < n; i++) {
		if (strlen(rcpt[i]) > QDEFER_MAX_RCPT)
			continue;
		qdefer_clean(r, sizeof(r), rcpt[i]);
		qdefer_clean(why, sizeof(why),
		    reason[i] != NULL ? reason[i] : "");
		fprintf(fp, "%s\t%s\n", r, why);
	}
	if (ferror(fp) | (fclose(fp) != 0)) {
		unlink(tmp);
		return fail(error_r, "write %s: %m", tmp);
	}
	if (rename(tmp, path) < 0) {
		fail(error_r, "rename %s to %s: %m", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
qdefer_read(const char *queue_dir, const char *id, struct qdefer **d_r,
    const char **error_r)
{
	char path[PATH_MAX], line[QDEFER_MAX_LINE + 2];
	struct qdefer *d;
	FILE *fp;
	int fd, skipping = 0;

	*d_r = NULL;
	if (defer_path(path, sizeof(path), queue_dir, id, "", error_r) < 0)
		return -1;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(error_r, "open %s: %m", path);
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return fail(error_r, "fdopen %s: %m", path);
	}
	d = xmalloc(sizeof(*d));
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);
		char *tab;

		/* A line longer than the writer makes is damage: skip it
		 * whole, in as many reads as it takes. */
		if (len == 0 || line[len - 1] != '\n') {
			skipping = 1;
			continue;
		}
		line[len - 1] = 0;
		if (skipping) {
			skipping = 0;
			continue;
		}
		if ((tab = strchr(line, '\t')) == NULL || tab == line ||
		    d->n >= QDEFER_MAX_ENTRIES)
			continue;
		*tab = 0;
		d->entry = xrealloc(d->entry, (d->n + 1) * sizeof(*d->entry));
		d->entry[d->n].rcpt = xstrdup(line);
		d->entry[d->n].reason = xstrdup(tab + 1);
		d->n++;
	}
	if (ferror(fp)) {
		fail(error_r, "read %s: %m", path);
		fclose(fp);
		qdefer_free(&d);
		return -1;
	}
	fclose(fp);
	*d_r = d;
	return 1;
}

const char *
qdefer_reason(const struct qdefer *d, const char *rcpt)
{
	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->entry[i].rcpt, rcpt) == 0)
			return d->entry[i].reason;
	return NULL;
}

void
qdefer_free(struct qdefer **dp)
{
	struct qdefer *d = *dp;

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		xfree(d->entry[i].rcpt);
		xfree(d->entry[i].reason);
	}
	xfree(d->entry);
	xfree(d);
	*dp = NULL;
}

int
qdefer_remove(const char *queue_dir, const char *id, const char **error_r)
{
	char path[PATH_MAX];

	if (defer_path(path, sizeof(path), queue_dir, id, "", error_r) < 0)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return fail(error_r, "remove %s: %m", path);
	return 0;
}
