/* SPDX-License-Identifier: MIT */
/* config_edit - ternconf -e: change main.cf in place, keeping its comments. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/config_impl.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/log.h"
#include "util/mem.h"

/* The parameter name a LINE_START line sets (up to '=' or white space). */
static int
line_sets(const char *p, size_t n, const char *name)
{
	size_t i = 0, len = strlen(name);

	while (i < n && config_is_name_char(p[i]))
		i++;
	return i == len && strncmp(p, name, len) == 0;
}

/* Write text to a temporary file beside path, fsync it and rename it over
 * path, then fsync the directory. */
static int
replace_file(const char *dir, const char *path, const struct buf *text,
    const char **error_r)
{
	struct buf tmp;
	struct stat sb;
	const char *p = buf_cstr(text);
	size_t left = buf_len(text);
	int fd, ret = -1;

	buf_init(&tmp, 4096);
	if (buf_printf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		*error_r = "configuration directory name too long";
		goto out;
	}
	if ((fd = mkostemp(tmp.data, O_CLOEXEC)) < 0) {
		*error_r = config_err_set("%s: cannot create: %s",
		    buf_cstr(&tmp), strerror(errno));
		goto out;
	}
	if (fchmod(fd, stat(path, &sb) == 0 ? (sb.st_mode & 07777) : 0644) < 0)
		goto write_error;
	while (left > 0) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto write_error;
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0)
		goto write_error;
	if (close(fd) < 0) {
		fd = -1;
		goto write_error;
	}
	fd = -1;
	if (rename(buf_cstr(&tmp), path) < 0)
		goto write_error;
	(void)dir_fsync(dir);
	ret = 0;
	goto out;
write_error:
	*error_r = config_err_set("%s: cannot write: %s", buf_cstr(&tmp),
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	(void)unlink(buf_cstr(&tmp));
out:
	buf_deinit(&tmp);
	return ret;
}

int
config_edit(const char *config_dir, const char *const *name_eq_values, size_t n,
    const char **error_r)
{
	struct buf path, text, out;
	char **names, **values;
	int *done;
	const char *p, *end;
	size_t i;
	int ret = -1, dropping = 0;

	names = xcalloc(n ? n : 1, sizeof(*names));
	values = xcalloc(n ? n : 1, sizeof(*values));
	done = xcalloc(n ? n : 1, sizeof(*done));
	buf_init(&path, 4096);
	buf_init(&text, CONFIG_FILE_MAX);
	buf_init(&out, CONFIG_FILE_MAX);
	for (i = 0; i < n; i++) {
		const char *arg = name_eq_values[i];

		if (strchr(arg, '\n') != NULL) {
			*error_r = config_err_set("%s: newline in value",
			    log_str(arg));
			goto out;
		}
		if (config_split_assign(arg, strlen(arg), &names[i],
			&values[i]) != 0) {
			*error_r = config_err_set("%s: expected name=value",
			    log_str(arg));
			goto out;
		}
	}
	/* The same name twice on the command line: the last one wins. */
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0)
				done[i] = 1;
	}
	if (buf_printf(&path, "%s/main.cf", config_dir) < 0) {
		*error_r = "configuration directory name too long";
		goto out;
	}
	if (config_read_file(buf_cstr(&path), &text) < 0 && errno != ENOENT) {
		*error_r = config_err_set("%s: cannot read: %s",
		    buf_cstr(&path), strerror(errno));
		goto out;
	}

	/* Copy line by line; a setting of an edited name is replaced at its
	 * first place, and its continuation lines (and later settings of
	 * the same name) are dropped. Comments and blank lines stay. */
	p = buf_cstr(&text);
	end = p + buf_len(&text);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum line_kind kind = config_line_kind(p, len);
		int r = 0;

		if (kind == LINE_START) {
			dropping = 0;
			for (i = 0; i < n; i++) {
				if (!line_sets(p, len, names[i]))
					continue;
				dropping = 1;
				if (!done[i])
					r = buf_printf(&out, "%s = %s\n",
					    names[i], values[i]);
				done[i] = 1;
			}
		}
		if (!(dropping && kind != LINE_SKIP) && r == 0)
			r = buf_append(&out, p, len) < 0 ? -1
							 : buf_putc(&out, '\n');
		if (r < 0)
			goto too_big;
		p += len + (nl != NULL);
	}
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		if (buf_printf(&out, "%s = %s\n", names[i], values[i]) < 0)
			goto too_big;
	}
	ret = replace_file(config_dir, buf_cstr(&path), &out, error_r);
	goto out;
too_big:
	*error_r = config_err_set("%s: file too large", buf_cstr(&path));
out:
	for (i = 0; i < n; i++) {
		xfree(names[i]);
		xfree(values[i]);
	}
	xfree(names);
	xfree(values);
	xfree(done);
	buf_deinit(&path);
	buf_deinit(&text);
	buf_deinit(&out);
	return ret;
}
