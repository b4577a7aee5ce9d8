/* SPDX-License-Identifier: MIT */
/* qfile_dirs - the queue directories: their names, creation, moves
 * between them, and the names of the files in them. See qfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "queue/qfile.h"
#include "queue/qfile_impl.h"
#include "queue/qid.h"
#include "queue/rec.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/log.h"
#include "util/mem.h"

const char *const qfile_queue_names[] = { "incoming", "active", "deferred",
	"hold", "corrupt", "maildrop", NULL };

/* Error text of the functions that have no object to own it. */
static char qfile_errbuf[1024];

int
qfile_static_error(const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(qfile_errbuf, sizeof(qfile_errbuf), fmt, ap);
	va_end(ap);
	*error_r = qfile_errbuf;
	return -1;
}
int
qfile_is_id(const char *name)
{
	return qid_valid(name);
}

int
qfile_is_temp(const char *name)
{
	size_t i;

	if (name[0] != 't' || name[1] == 0)
		return 0;
	for (i = 1; name[i] != 0; i++)
		if ((name[i] < '0' || name[i] > '9') && name[i] != '.')
			return 0;
	return 1;
}

static int
is_queue_name(const char *name)
{
	size_t i;

	for (i = 0; qfile_queue_names[i] != NULL; i++)
		if (strcmp(qfile_queue_names[i], name) == 0)
			return 1;
	return 0;
}
/* --- queue directories ---------------------------------------------- */

/* mkdir path with mode (set with chmod when we create it, so the umask does
 * not matter); an existing directory is fine. */
static int
make_dir(const char *path, mode_t mode, const char **error_r)
{
	struct stat st;

	if (mkdir(path, mode) == 0) {
		if (chmod(path, mode) < 0)
			return qfile_static_error(error_r, "chmod %s: %m",
			    path);
		return 0;
	}
	if (errno != EEXIST)
		return qfile_static_error(error_r, "mkdir %s: %m", path);
	if (stat(path, &st) < 0)
		return qfile_static_error(error_r, "stat %s: %m", path);
	if (!S_ISDIR(st.st_mode))
		return qfile_static_error(error_r, "%s: not a directory", path);
	return 0;
}

int
qfile_dirs_create(const char *queue_dir, const char **error_r)
{
	static const struct {
		const char *name;
		mode_t mode;
	} extra[] = {
		{ "private", 0700 }, { "public", 0710 }, { "pid", 0700 },
		{ "defer", 0700 }, /* qdefer.h */
		{ "tls", 0700 },   /* TLS ticket keys (tls_ticket.h), root's */
	};
	char path[PATH_MAX];
	size_t i, n = strlen(queue_dir);
	int len;

	if (n == 0 || n >= sizeof(path))
		return qfile_static_error(error_r, "bad queue directory name");
	memcpy(path, queue_dir, n + 1);
	/* mkdir -p: every parent, then the queue directory itself. */
	for (i = 1; i < n; i++) {
		if (path[i] != '/' || path[i - 1] == '/')
			continue;
		path[i] = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return qfile_static_error(error_r, "mkdir %s: %m",
			    path);
		path[i] = '/';
	}
	if (make_dir(queue_dir, 0755, error_r) < 0)
		return -1;
	for (i = 0; qfile_queue_names[i] != NULL; i++) {
		const char *q = qfile_queue_names[i];

		len = snprintf(path, sizeof(path), "%s/%s", queue_dir, q);
		if (len < 0 || (size_t)len >= sizeof(path))
			return qfile_static_error(error_r,
			    "queue path too long");
		if (make_dir(path, strcmp(q, "maildrop") == 0 ? 01730 : 0700,
			error_r) < 0)
			return -1;
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		len = snprintf(path, sizeof(path), "%s/%s", queue_dir,
		    extra[i].name);
		if (len < 0 || (size_t)len >= sizeof(path))
			return qfile_static_error(error_r,
			    "queue path too long");
		if (make_dir(path, extra[i].mode, error_r) < 0)
			return -1;
	}
	return 0;
}

int
qfile_move(const char *queue_dir, const char *id, const char *from,
    const char *to, const char **error_r)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int n1, n2;

	if (!qfile_is_id(id))
		return qfile_static_error(error_r, "bad queue ID %s",
		    log_str(id));
	if (!is_queue_name(from) || !is_queue_name(to))
		return qfile_static_error(error_r, "bad queue name");
	n1 = snprintf(src, sizeof(src), "%s/%s/%s", queue_dir, from, id);
	n2 = snprintf(dst, sizeof(dst), "%s/%s/%s", queue_dir, to, id);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(src) ||
	    (size_t)n2 >= sizeof(dst))
		return qfile_static_error(error_r, "queue path too long");
	if (rename(src, dst) < 0)
		return qfile_static_error(error_r, "%s: move %s to %s: %m", id,
		    from, to);
	return 0;
}
