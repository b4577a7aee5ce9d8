/* SPDX-License-Identifier: MIT */
/* alias - aliases(5) values and sources, safe .forward and :include: reads. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mail/alias.h"
#include "util/buf.h"
#include "util/dict.h"
#include "util/log.h"
#include "util/mem.h"

#define INCLUDE_PREFIX ":include:"
#define OWNER_PREFIX "owner-"

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

static int
is_sep(int c)
{
	return c == ',' || is_space(c);
}

const char *
alias_kind_name(enum alias_kind kind)
{
	switch (kind) {
	case ALIAS_ADDR:
		return "address";
	case ALIAS_FILE:
		return "file";
	case ALIAS_PIPE:
		return "command";
	case ALIAS_INCLUDE:
		return "include";
	}
	return "unknown";
}

void
alias_items_free(struct alias_items *items)
{
	size_t i;

	for (i = 0; i < items->n; i++)
		xfree(items->v[i].text);
	xfree(items->v);
	items->v = NULL;
	items->n = items->cap = 0;
}

/* Drop the items after the first keep (an alias_parse that failed). */
static void
items_truncate(struct alias_items *items, size_t keep)
{
	while (items->n > keep)
		xfree(items->v[--items->n].text);
}

/* Trim white space at both ends of text[0..len) in place. */
static char *
trim(char *text, size_t *len)
{
	while (*len > 0 && is_space((unsigned char)text[*len - 1]))
		text[--*len] = 0;
	while (is_space((unsigned char)*text)) {
		text++;
		--*len;
	}
	return text;
}

/* Control characters have no place in an address or a path; a command
 * may hold a tab. */
static int
check_text(const char *text, enum alias_kind kind, char *err, size_t errlen)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != 0; p++) {
		if ((*p < 0x20 && !(*p == '\t' && kind == ALIAS_PIPE)) ||
		    *p == 0x7f) {
			set_err(err, errlen, "control character in %s \"%s\"",
			    alias_kind_name(kind), log_str(text));
			return -1;
		}
	}
	return 0;
}

static int
add_item(struct alias_items *out, enum alias_kind kind, const char *text,
    size_t len, int noexpand, char *err, size_t errlen)
{
	struct alias_item *it;
	char *copy = xstrndup(text, len);

	if (check_text(copy, kind, err, errlen) < 0) {
		xfree(copy);
		return -1;
	}
	if (out->n >= ALIAS_ITEMS_MAX) {
		set_err(err, errlen, "more than %d items", ALIAS_ITEMS_MAX);
		xfree(copy);
		return -1;
	}
	if (out->n == out->cap) {
		out->cap = out->cap == 0 ? 8 : out->cap * 2;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	it = &out->v[out->n++];
	it->kind = kind;
	it->text = copy;
	it->noexpand = noexpand;
	return 0;
}

/* Classify one element (quotes already removed when it was one quoted
 * string) and add it. */
static int
classify(char *text, size_t len, struct alias_items *out, char *err,
    size_t errlen)
{
	size_t plen = sizeof(INCLUDE_PREFIX) - 1;
	char *p;

	text = trim(text, &len);
	if (len == 0) {
		set_err(err, errlen, "empty element (\"\")");
		return -1;
	}
	if (len > ALIAS_ITEM_MAX) {
		set_err(err, errlen, "element longer than %d bytes",
		    ALIAS_ITEM_MAX);
		return -1;
	}
	if (text[0] == '|') {
		p = text + 1;
		len--;
		p = trim(p, &len);
		if (len == 0) {
			set_err(err, errlen, "empty command after \"|\"");
			return -1;
		}
		return add_item(out, ALIAS_PIPE, p, len, 0, err, errlen);
	}
	if (len >= plen && strncasecmp(text, INCLUDE_PREFIX, plen) == 0) {
		p = text + plen;
		len -= plen;
		p = trim(p, &len);
		if (len == 0 || p[0] != '/') {
			set_err(err, errlen,
			    ":include: needs an absolute path: \"%s\"",
			    log_str(text));
			return -1;
		}
		return add_item(out, ALIAS_INCLUDE, p, len, 0, err, errlen);
	}
	if (text[0] == '/')
		return add_item(out, ALIAS_FILE, text, len, 0, err, errlen);
	if (text[0] == ':') {
		set_err(err, errlen,
		    "unknown element \"%s\" (only :include: "
		    "starts with a colon)",
		    log_str(text));
		return -1;
	}
	if (text[0] == '\\') {
		if (len < 2 || text[1] == '\\' || text[1] == '|' ||
		    text[1] == '/' || text[1] == ':' || text[1] == '<') {
			set_err(err, errlen,
			    "\"\\\" must be followed by a user name: \"%s\"",
			    log_str(text));
			return -1;
		}
		return add_item(out, ALIAS_ADDR, text + 1, len - 1, 1, err,
		    errlen);
	}
	if (text[0] == '<' || text[len - 1] == '>') {
		if (text[0] != '<' || text[len - 1] != '>' || len < 3) {
			set_err(err, errlen, "bad angle brackets in \"%s\"",
			    log_str(text));
			return -1;
		}
		text++;
		len -= 2;
		text[len] = 0;
		text = trim(text, &len);
		if (len == 0 || memchr(text, '<', len) != NULL ||
		    memchr(text, '>', len) != NULL) {
			set_err(err, errlen, "bad angle brackets in \"<%s>\"",
			    log_str(text));
			return -1;
		}
	}
	return add_item(out, ALIAS_ADDR, text, len, 0, err, errlen);
}

/* Scan a quoted string starting at p (on the opening quote). Returns the
 * byte after the closing quote, or NULL: no closing quote on this line.
 * A backslash quotes the next byte. When unq is not NULL the content is
 * appended to it without the quotes and escapes. */
static const char *
scan_quoted(const char *p, struct buf *unq)
{
	for (p++; *p != 0 && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && p[1] != 0 && p[1] != '\n')
			p++;
		if (unq != NULL && buf_putc(unq, *p) < 0)
			return NULL;
	}
	return *p == '"' ? p + 1 : NULL;
}

/* An unquoted element at p: returns the byte after it, or NULL for an
 * unterminated quote. Quotes inside an address ("joe smith"@example.com)
 * are part of it and protect separators, as do <brackets>. */
static const char *
scan_token(const char *p)
{
	const char *q;

	while (*p != 0 && !is_sep((unsigned char)*p)) {
		if (*p == '<' && (q = strpbrk(p, ">\n")) != NULL && *q == '>') {
			p = q + 1;
		} else if (*p == '"') {
			if ((q = scan_quoted(p, NULL)) == NULL)
				return NULL;
			p = q;
		} else {
			p++;
		}
	}
	return p;
}

/* One element at p: returns the byte after it, or NULL with err set. */
static const char *
parse_element(const char *p, struct buf *elem, struct alias_items *out,
    char *err, size_t errlen)
{
	const char *start = p, *q;

	buf_reset(elem);
	if (*p == '|') {
		/* A command runs to a comma outside quotes or the end of the
		 * line: "|/usr/bin/vacation joe" is one command. Quotes stay
		 * for the shell. */
		while (*p != 0 && *p != ',' && *p != '\n') {
			if (*p == '"') {
				if ((q = scan_quoted(p, NULL)) == NULL)
					goto unterminated;
				p = q;
			} else {
				p++;
			}
		}
	} else if (*p == '"' && (q = scan_quoted(p, elem)) != NULL &&
	    (*q == 0 || is_sep((unsigned char)*q))) {
		/* One quoted string: its content is the element. */
		if (elem->len > ALIAS_ITEM_MAX)
			goto too_long;
		if (classify(elem->data, elem->len, out, err, errlen) < 0)
			return NULL;
		return q;
	} else if ((p = scan_token(p)) == NULL) {
		goto unterminated;
	} else if ((size_t)(p - start) == sizeof(INCLUDE_PREFIX) - 1 &&
	    strncasecmp(start, INCLUDE_PREFIX, sizeof(INCLUDE_PREFIX) - 1) ==
		0) {
		/* ":include: /path", as Sendmail allows. */
		p += strspn(p, " \t");
		if (*p != 0 && !is_sep((unsigned char)*p) &&
		    (p = scan_token(p)) == NULL)
			goto unterminated;
	}
	buf_reset(elem);
	if (buf_append(elem, start, (size_t)(p - start)) < 0)
		goto too_long;
	if (classify(elem->data, elem->len, out, err, errlen) < 0)
		return NULL;
	return p;
unterminated:
	set_err(err, errlen, "unterminated quoted string in \"%.60s\"",
	    log_str(start));
	return NULL;
too_long:
	set_err(err, errlen, "element longer than %d bytes", ALIAS_ITEM_MAX);
	return NULL;
}

int
alias_parse(const char *value, struct alias_items *out, char *err,
    size_t errlen)
{
	const char *p = value;
	size_t keep = out->n;
	struct buf elem;
	int line_start = 1;

	/* Room for an over-long element to be seen as one, then refused. */
	buf_init(&elem, ALIAS_ITEM_MAX + 1);
	while (*p != 0) {
		if (is_sep((unsigned char)*p)) {
			if (*p == '\n')
				line_start = 1;
			p++;
			continue;
		}
		if (*p == '#' && line_start) {
			p += strcspn(p, "\n");
			continue;
		}
		line_start = 0;
		if ((p = parse_element(p, &elem, out, err, errlen)) == NULL) {
			buf_deinit(&elem);
			items_truncate(out, keep);
			return -1;
		}
	}
	buf_deinit(&elem);
	return (int)(out->n - keep);
}

/* aliases(5) sources. */

/* Split one logical line "name: value" and hand it to fn. */
static int
source_entry(struct buf *line, const char *label, unsigned long lineno,
    alias_entry_fn *fn, void *ctx, struct alias_items *scratch, char *err,
    size_t errlen)
{
	char *name = line->data, *value, *colon, *p, msg[512];
	size_t name_len, value_len;
	int ret;

	if (*name == '"') {
		/* A quoted name may hold white space and colons. */
		for (p = name + 1; *p != 0 && *p != '"'; p++)
			if (*p == '\\' && p[1] != 0)
				p++;
		if (*p != '"') {
			set_err(err, errlen,
			    "%s:%lu: unterminated quoted alias name", label,
			    lineno);
			return -1;
		}
		colon = p + 1 + strspn(p + 1, " \t");
		if (*colon != ':') {
			set_err(err, errlen,
			    "%s:%lu: missing ':' after the alias name", label,
			    lineno);
			return -1;
		}
		name++;
		*p = 0;
		name_len = (size_t)(p - name);
	} else {
		if ((colon = strchr(name, ':')) == NULL) {
			set_err(err, errlen,
			    "%s:%lu: missing ':' after the alias name "
			    "(expected name: value)",
			    label, lineno);
			return -1;
		}
		*colon = 0;
		name_len = (size_t)(colon - name);
		name = trim(name, &name_len);
		if (name_len > 0 && strpbrk(name, " \t\"") != NULL) {
			set_err(err, errlen,
			    "%s:%lu: white space or '\"' in alias name \"%s\" "
			    "(quote the whole name)",
			    label, lineno, log_str(name));
			return -1;
		}
	}
	if (name_len == 0) {
		set_err(err, errlen, "%s:%lu: empty alias name", label, lineno);
		return -1;
	}
	if (name_len > ALIAS_NAME_MAX) {
		set_err(err, errlen, "%s:%lu: alias name longer than %d bytes",
		    label, lineno, ALIAS_NAME_MAX);
		return -1;
	}
	for (p = name; *p != 0; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			set_err(err, errlen,
			    "%s:%lu: control character in alias name", label,
			    lineno);
			return -1;
		}
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	value = colon + 1;
	value_len = strlen(value);
	value = trim(value, &value_len);
	if (value_len == 0) {
		set_err(err, errlen, "%s:%lu: alias \"%s\" has no value", label,
		    lineno, log_str(name));
		return -1;
	}
	ret = alias_parse(value, scratch, msg, sizeof(msg));
	alias_items_free(scratch);
	if (ret < 0) {
		set_err(err, errlen, "%s:%lu: alias \"%s\": %s", label, lineno,
		    log_str(name), msg);
		return -1;
	}
	if (ret == 0) {
		set_err(err, errlen, "%s:%lu: alias \"%s\" has no value", label,
		    lineno, log_str(name));
		return -1;
	}
	ret = fn(ctx, name, value, label, lineno, msg, sizeof(msg));
	if (ret < 0) {
		set_err(err, errlen, "%s:%lu: %s", label, lineno, msg);
		return -1;
	}
	if (ret > 0)
		log_warn("%s:%lu: duplicate alias name \"%s\" ignored; the "
			 "first value wins",
		    label, lineno, log_str(name));
	return 0;
}

struct read_ctx {
	const char *label;
	alias_entry_fn *fn;
	void *ctx;
	struct alias_items scratch;
	char *err;
	size_t errlen;
};

static int
read_line(void *ctx, struct buf *line, unsigned long lineno,
    const char **error_r)
{
	struct read_ctx *r = ctx;

	if (source_entry(line, r->label, lineno, r->fn, r->ctx, &r->scratch,
		r->err, r->errlen) < 0) {
		*error_r = r->err;
		return -1;
	}
	return 0;
}

int
alias_stream_read(FILE *fp, const char *label, alias_entry_fn *fn, void *ctx,
    char *err, size_t errlen)
{
	struct read_ctx r = { label, fn, ctx, { NULL, 0, 0 }, err, errlen };
	const char *error = NULL;
	int ret;

	/* The line rules are those of every table source (dict.h). */
	ret = dict_text_lines(fp, label, ALIAS_LINE_MAX, read_line, &r, &error);
	if (ret < 0 && error != err)
		set_err(err, errlen, "%s", error);
	alias_items_free(&r.scratch);
	return ret;
}

int
alias_file_read(const char *path, alias_entry_fn *fn, void *ctx, char *err,
    size_t errlen)
{
	FILE *fp;
	int ret;

	if ((fp = fopen(path, "re")) == NULL) {
		set_err(err, errlen, "open %s: %s", path, strerror(errno));
		return -1;
	}
	ret = alias_stream_read(fp, path, fn, ctx, err, errlen);
	fclose(fp);
	return ret;
}

/* The lookup table source: entries go to the table being built or
 * opened; where ("path:line") is made for its messages. */
struct dict_put_ctx {
	dict_entry_fn *put;
	void *put_ctx;
};

static int
dict_put_entry(void *ctx, const char *name, const char *value, const char *file,
    unsigned long lineno, char *err, size_t errlen)
{
	struct dict_put_ctx *c = ctx;
	const char *error = NULL;
	char where[1200];
	int ret;

	snprintf(where, sizeof(where), "%s:%lu", file, lineno);
	ret = c->put(c->put_ctx, name, value, where, &error);
	if (ret < 0)
		set_err(err, errlen, "%s", error != NULL ? error : "error");
	return ret;
}

static char dict_source_err[2048];

static int
dict_source_read(void *ctx, const char *path, dict_entry_fn *put, void *put_ctx,
    const char **error_r)
{
	struct dict_put_ctx c = { put, put_ctx };

	(void)ctx;
	if (alias_file_read(path, dict_put_entry, &c, dict_source_err,
		sizeof(dict_source_err)) < 0) {
		*error_r = dict_source_err;
		return -1;
	}
	return 0;
}

const struct dict_source alias_dict_source = { dict_source_read, NULL };

/* .forward and :include: files. */

static enum alias_load load_fail(enum alias_load ret, char *why, size_t whylen,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum alias_load
load_fail(enum alias_load ret, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (whylen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Open and check the directory part of path; returns its fd or -1. */
static int
open_dir(const char *dir, uid_t owner, int flags, enum alias_load *ret,
    char *why, size_t whylen)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		*ret = load_fail(errno == ENOENT ? ALIAS_LOAD_MISSING
			: errno == ENOTDIR       ? ALIAS_LOAD_UNSAFE
						 : ALIAS_LOAD_ERROR,
		    why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!(flags & ALIAS_LOAD_CHECK_DIR))
		return fd;
	if (fstat(fd, &st) < 0) {
		*ret = load_fail(ALIAS_LOAD_ERROR, why, whylen, "%s: fstat: %s",
		    dir, strerror(errno));
		close(fd);
		return -1;
	}
	/* Whoever may write the directory may put any file there. */
	if (st.st_uid != owner && st.st_uid != 0) {
		*ret = load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: directory owned by uid %lu, not by %lu or root", dir,
		    (unsigned long)st.st_uid, (unsigned long)owner);
		close(fd);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		*ret = load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: directory writable by group or others", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* The checks on the file itself, on the descriptor that will be read. */
static enum alias_load
check_file(const char *path, const struct stat *st, uid_t owner, char *why,
    size_t whylen)
{
	if (!S_ISREG(st->st_mode))
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: is not a regular file (%s)", path,
		    S_ISDIR(st->st_mode)        ? "a directory"
			: S_ISFIFO(st->st_mode) ? "a FIFO"
			: S_ISSOCK(st->st_mode) ? "a socket"
			: S_ISLNK(st->st_mode)  ? "a symbolic link"
						: "a device");
	if (st->st_uid != owner && st->st_uid != 0)
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: owned by uid %lu, not by %lu or root", path,
		    (unsigned long)st->st_uid, (unsigned long)owner);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: is writable by group or others (mode %03o)", path,
		    (unsigned)(st->st_mode & 0777));
	/* A hard link to a file of root's is not the user's own file. */
	if (st->st_nlink > 1 && st->st_uid != owner)
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: has %lu hard links and is not owned by uid %lu", path,
		    (unsigned long)st->st_nlink, (unsigned long)owner);
	if (st->st_size > ALIAS_FILE_MAX)
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: larger than %d bytes", path, ALIAS_FILE_MAX);
	return ALIAS_LOAD_OK;
}

/* Read at most ALIAS_FILE_MAX bytes of fd (the size may have grown since
 * fstat: read one byte more to notice). */
static enum alias_load
read_content(int fd, const char *path, char **content_r, size_t *len_r,
    char *why, size_t whylen)
{
	char *data = xmalloc(ALIAS_FILE_MAX + 2);
	size_t len = 0;
	ssize_t n;

	while (len < ALIAS_FILE_MAX + 1) {
		n = read(fd, data + len, ALIAS_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xfree(data);
			return load_fail(ALIAS_LOAD_ERROR, why, whylen,
			    "%s: read: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > ALIAS_FILE_MAX) {
		xfree(data);
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: larger than %d bytes", path, ALIAS_FILE_MAX);
	}
	if (memchr(data, 0, len) != NULL) {
		xfree(data);
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: contains a NUL byte", path);
	}
	data[len] = 0;
	*content_r = data;
	*len_r = len;
	return ALIAS_LOAD_OK;
}

enum alias_load
alias_file_load(const char *path, uid_t owner, int flags, char **content_r,
    size_t *len_r, char *why, size_t whylen)
{
	const char *slash = strrchr(path, '/'), *base;
	enum alias_load ret = ALIAS_LOAD_ERROR;
	struct stat lst, st;
	char *dir;
	int dfd, fd;

	*content_r = NULL;
	*len_r = 0;
	if (path[0] != '/' || slash == NULL || slash[1] == 0)
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: not an absolute file name", path);
	base = slash + 1;
	dir = slash == path ? xstrdup("/")
			    : xstrndup(path, (size_t)(slash - path));
	dfd = open_dir(dir, owner, flags, &ret, why, whylen);
	xfree(dir);
	if (dfd < 0)
		return ret;
	/* Look before opening: opening a device or FIFO can have effects of
	 * its own (a tape rewinds, a FIFO's writer wakes up). */
	if (fstatat(dfd, base, &lst, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = load_fail(errno == ENOENT ? ALIAS_LOAD_MISSING
						: ALIAS_LOAD_ERROR,
		    why, whylen, "%s: %s", path, strerror(errno));
		close(dfd);
		return ret;
	}
	if (S_ISLNK(lst.st_mode)) {
		close(dfd);
		return load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: is a symbolic link", path);
	}
	if ((ret = check_file(path, &lst, owner, why, whylen)) !=
	    ALIAS_LOAD_OK) {
		close(dfd);
		return ret;
	}
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return load_fail(errno == ELOOP ? ALIAS_LOAD_UNSAFE
			: errno == ENOENT       ? ALIAS_LOAD_MISSING
						: ALIAS_LOAD_ERROR,
		    why, whylen, "%s: %s", path,
		    errno == ELOOP ? "is a symbolic link" : strerror(errno));
	/* The same checks on what was opened, which is what is read. */
	if (fstat(fd, &st) < 0) {
		ret = load_fail(ALIAS_LOAD_ERROR, why, whylen, "%s: fstat: %s",
		    path, strerror(errno));
	} else if (st.st_dev != lst.st_dev || st.st_ino != lst.st_ino) {
		ret = load_fail(ALIAS_LOAD_UNSAFE, why, whylen,
		    "%s: was replaced while it was opened", path);
	} else if ((ret = check_file(path, &st, owner, why, whylen)) ==
	    ALIAS_LOAD_OK) {
		ret = read_content(fd, path, content_r, len_r, why, whylen);
	}
	close(fd);
	return ret;
}

const char *
alias_owner_name(const char *name, char *buf, size_t len)
{
	size_t plen = sizeof(OWNER_PREFIX) - 1;

	if (*name == 0 || strncasecmp(name, OWNER_PREFIX, plen) == 0)
		return NULL;
	if ((size_t)snprintf(buf, len, "%s%s", OWNER_PREFIX, name) >= len)
		return NULL;
	return buf;
}
