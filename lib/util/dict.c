/* SPDX-License-Identifier: MIT */
/* dict - the lookup table API and its registry of table types. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/dict.h"
#include "util/dict_impl.h"
#include "util/mem.h"

/* Longest type name we accept in a spec ("texthash" and friends). */
#define DICT_TYPE_MAX 32

typedef struct dict *dict_open_fn(const char *name, const char **error_r);
typedef struct dict *dict_open_src_fn(const char *name,
    const struct dict_source *src, const char **error_r);
typedef int dict_build_fn(const char *name, const struct dict_source *src,
    const char **error_r);

/* The registry: later types (lmdb:, cdb:, pgsql:) are one more row. */
static const struct dict_type {
	const char *name;
	dict_open_fn *open;
	dict_open_src_fn *open_src; /* NULL: src does not apply */
	dict_build_fn *build;       /* NULL: no compiled form */
	const char *file; /* the file read is name + this; NULL: none */
} dict_types[] = {
	{ "texthash", dict_texthash_open, dict_texthash_open_source, NULL, "" },
	{ "hash", dict_hash_open, NULL, dict_hash_build, ".db" },
	{ "btree", dict_btree_open, NULL, dict_btree_build, ".db" },
	{ "inline", dict_inline_open, NULL, NULL, NULL },
	{ "static", dict_static_open, NULL, NULL, NULL },
	{ "cidr", dict_cidr_open, NULL, NULL, "" },
	{ "unix", dict_unix_open, NULL, NULL, NULL },
};

/* What a table read when it was opened, to notice a new version. */
struct dict_file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* Every open table that reads a file, for dict_changed(). The file stays
 * open: fstat sees a file replaced by rename (no links left) or edited in
 * place even from inside a chroot where its path means nothing. */
struct dict_watch {
	struct dict *d;
	int fd;
	char *path;
	struct dict_file_id id;
	struct dict_watch *next;
};

static struct dict_watch *dict_watches;

static void
file_id(const struct stat *st, struct dict_file_id *id)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
}

static int
same_id(const struct dict_file_id *a, const struct dict_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Start watching path for d; a file that cannot be opened is not
 * watched (the table's own open reports the problem). */
static struct dict_watch *
watch_create(const char *path)
{
	struct dict_watch *w;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	w = xmalloc(sizeof(*w));
	w->fd = fd;
	w->path = xstrdup(path);
	file_id(&st, &w->id);
	return w;
}

static void
watch_destroy(struct dict_watch *w)
{
	close(w->fd);
	xfree(w->path);
	xfree(w);
}

static void
watch_remove(struct dict *d)
{
	struct dict_watch **pp, *w;

	for (pp = &dict_watches; (w = *pp) != NULL; pp = &w->next) {
		if (w->d == d) {
			*pp = w->next;
			watch_destroy(w);
			return;
		}
	}
}

int
dict_changed(const char **spec_r)
{
	struct dict_watch *w;

	for (w = dict_watches; w != NULL; w = w->next) {
		struct dict_file_id now;
		struct stat st;
		int changed;

		/* The file we read: rewritten in place, or unlinked or
		 * renamed over (no links left). */
		changed = fstat(w->fd, &st) < 0 || st.st_nlink == 0;
		if (!changed) {
			file_id(&st, &now);
			changed = !same_id(&now, &w->id);
		}
		/* Another file under its name (a path that does not resolve,
		 * as in a chroot, proves nothing). */
		if (!changed && stat(w->path, &st) == 0) {
			file_id(&st, &now);
			changed = !same_id(&now, &w->id);
		}
		if (changed) {
			*spec_r = w->d->spec;
			return 1;
		}
	}
	return 0;
}

static char dict_errbuf[1024];

const char *
dict_error(const char *fmt, ...)
{
	char tmp[sizeof(dict_errbuf)];
	va_list ap;

	/* Format into a copy first: an argument may point into dict_errbuf. */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(dict_errbuf, tmp, sizeof(dict_errbuf));
	return dict_errbuf;
}

void
dict_fold(char *s)
{
	for (; *s != 0; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

struct dict *
dict_alloc(size_t size)
{
	struct dict *d;

	if (size < sizeof(*d))
		size = sizeof(*d);
	d = xmalloc(size);
	buf_init(&d->value, DICT_VALUE_MAX);
	buf_init(&d->error, 1024);
	return d;
}

/* Split spec into its type and name. A type is [a-z0-9_-]+ before the
 * first ':'; anything else (a path, an empty string) has no type. */
static int
dict_split_spec(const char *spec, const char *default_type, char *type,
    size_t type_size, const char **name_r, const char **error_r)
{
	size_t n = strspn(spec,
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	if (n > 0 && spec[n] == ':') {
		if (n >= type_size) {
			*error_r = dict_error("unsupported dictionary type: "
					      "%.*s",
			    (int)n, spec);
			return -1;
		}
		memcpy(type, spec, n);
		type[n] = 0;
		*name_r = spec + n + 1;
		return 0;
	}
	if (default_type == NULL || *default_type == 0) {
		*error_r = dict_error("table \"%s\" has no type: expected "
				      "type:name",
		    spec);
		return -1;
	}
	if (snprintf(type, type_size, "%s", default_type) >= (int)type_size) {
		*error_r =
		    dict_error("unsupported dictionary type: %s", default_type);
		return -1;
	}
	*name_r = spec;
	return 0;
}

static const struct dict_type *
dict_find_type(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(dict_types) / sizeof(dict_types[0]); i++) {
		if (strcmp(dict_types[i].name, type) == 0)
			return &dict_types[i];
	}
	return NULL;
}

int
dict_open(const char *spec, const char *default_type, struct dict **dict_r,
    const char **error_r)
{
	return dict_open_source(spec, default_type, NULL, dict_r, error_r);
}

int
dict_open_source(const char *spec, const char *default_type,
    const struct dict_source *src, struct dict **dict_r, const char **error_r)
{
	char type[DICT_TYPE_MAX];
	const struct dict_type *t;
	const char *name;
	struct dict *d;
	struct dict_watch *w = NULL;
	struct buf full;

	*dict_r = NULL;
	if (dict_split_spec(spec, default_type, type, sizeof(type), &name,
		error_r) < 0)
		return -1;
	dict_fold(type);
	if ((t = dict_find_type(type)) == NULL) {
		*error_r = dict_error("unsupported dictionary type: %s", type);
		return -1;
	}
	if (*name == 0) {
		*error_r = dict_error("table %s: needs a name after \"%s:\"",
		    spec, type);
		return -1;
	}
	/* Take the file's identity before it is read: a new version put
	 * in place meanwhile then shows as a change (one restart too many),
	 * never the other way round (a change missed). */
	if (t->file != NULL) {
		buf_init(&full, BUF_MAX_INTERNAL);
		(void)buf_printf(&full, "%s%s", name, t->file);
		w = watch_create(buf_cstr(&full));
		buf_deinit(&full);
	}
	if (src != NULL && t->open_src != NULL)
		d = t->open_src(name, src, error_r);
	else
		d = t->open(name, error_r);
	if (d == NULL) {
		if (w != NULL)
			watch_destroy(w);
		return -1;
	}
	buf_init(&full, BUF_MAX_INTERNAL);
	(void)buf_printf(&full, "%s:%s", type, name);
	d->spec = buf_steal(&full);
	buf_deinit(&full);
	if (w != NULL) {
		w->d = d;
		w->next = dict_watches;
		dict_watches = w;
	}
	*dict_r = d;
	return 0;
}

int
dict_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r)
{
	char folded[DICT_KEY_MAX + 1];
	size_t len = strlen(key);

	/* No table holds a longer key (dict_text_parse refuses them). */
	if (len > DICT_KEY_MAX)
		return 0;
	memcpy(folded, key, len + 1);
	dict_fold(folded);
	return d->lookup(d, folded, value_r, error_r);
}

const char *
dict_spec(const struct dict *d)
{
	return d->spec;
}

void
dict_close(struct dict **dp)
{
	struct dict *d = *dp;

	if (d == NULL)
		return;
	watch_remove(d);
	if (d->close != NULL)
		d->close(d);
	buf_deinit(&d->value);
	buf_deinit(&d->error);
	xfree(d->spec);
	xfree(d);
	*dp = NULL;
}

int
dict_build(const char *spec, const char *default_type, const char **error_r)
{
	return dict_build_source(spec, default_type, NULL, error_r);
}

int
dict_build_source(const char *spec, const char *default_type,
    const struct dict_source *src, const char **error_r)
{
	char type[DICT_TYPE_MAX];
	const struct dict_type *t;
	const char *name;

	if (dict_split_spec(spec, default_type, type, sizeof(type), &name,
		error_r) < 0)
		return -1;
	dict_fold(type);
	if ((t = dict_find_type(type)) == NULL) {
		*error_r = dict_error("unsupported dictionary type: %s", type);
		return -1;
	}
	if (t->build == NULL) {
		*error_r = dict_error("%s: tables have no compiled form to "
				      "build",
		    type);
		return -1;
	}
	if (*name == 0) {
		*error_r = dict_error("table %s: needs a file name", spec);
		return -1;
	}
	return t->build(name, src, error_r);
}

static int
is_list_sep(int c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\f' || c == '\v';
}

int
dict_list_next(const char **cursor, const char **item_r, size_t *len_r,
    const char **error_r)
{
	const char *p = *cursor, *start;
	size_t depth = 0;

	while (is_list_sep((unsigned char)*p))
		p++;
	if (*p == 0) {
		*cursor = p;
		return 0;
	}
	for (start = p; *p != 0; p++) {
		if (*p == '{') {
			depth++;
		} else if (*p == '}') {
			if (depth == 0) {
				*error_r = "unbalanced '}' in list";
				return -1;
			}
			depth--;
		} else if (depth == 0 && is_list_sep((unsigned char)*p)) {
			break;
		}
	}
	if (depth > 0) {
		*error_r = "missing '}' in list";
		return -1;
	}
	*item_r = start;
	*len_r = (size_t)(p - start);
	*cursor = p;
	return 1;
}

int
dict_walk(struct dict *d, dict_walk_cb *fn, void *ctx, const char **error_r)
{
	if (d->walk == NULL) {
		buf_reset(&d->error);
		(void)buf_printf(&d->error,
		    "%s: this table type cannot list "
		    "its entries",
		    d->spec);
		*error_r = buf_cstr(&d->error);
		return -1;
	}
	return d->walk(d, fn, ctx, error_r);
}
