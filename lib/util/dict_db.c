/* SPDX-License-Identifier: MIT */
/* dict_db - hash: and btree: tables in Berkeley DB files (/path.db). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "util/buf.h"
#include "util/dict.h"
#include "util/dict_impl.h"
#include "util/dirsync.h"
#include "util/log.h"
#include "util/mem.h"

/*
 * File format: Postfix's. Keys and values are stored with their
 * terminating NUL, so that files built by postmap can be read and the
 * other way round. At lookup we also try the key without a NUL, as
 * Postfix does for files from other programs.
 */

struct dict_db {
	struct dict d;
	DB *db;
	char *path;
};

/* Berkeley DB's own message channel would write to stderr: we report
 * through return codes instead. */
static void
db_quiet(const DB_ENV *env, const char *prefix, const char *msg)
{
}

static char *
db_path(const char *name)
{
	struct buf b;
	char *path;

	buf_init(&b, BUF_MAX_INTERNAL);
	(void)buf_printf(&b, "%s.db", name);
	path = buf_steal(&b);
	buf_deinit(&b);
	return path;
}

static int
db_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r)
{
	struct dict_db *t = (struct dict_db *)d;
	size_t len = strlen(key);
	DBT k, v;
	int ret = DB_NOTFOUND, with_nul;

	for (with_nul = 1; with_nul >= 0 && ret == DB_NOTFOUND; with_nul--) {
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.data = (void *)key;
		k.size = (u_int32_t)(len + (size_t)with_nul);
		ret = t->db->get(t->db, NULL, &k, &v, 0);
	}
	if (ret == DB_NOTFOUND)
		return 0;
	buf_reset(&d->error);
	if (ret != 0) {
		(void)buf_printf(&d->error, "%s: lookup error: %s", t->path,
		    db_strerror(ret));
		*error_r = buf_cstr(&d->error);
		return -1;
	}
	if (v.size > 0 && ((const char *)v.data)[v.size - 1] == 0)
		v.size--;
	buf_reset(&d->value);
	if (memchr(v.data, 0, v.size) != NULL ||
	    buf_append(&d->value, v.data, v.size) < 0) {
		(void)buf_printf(&d->error,
		    "%s: malformed value for key "
		    "\"%s\"",
		    t->path, log_str(key));
		*error_r = buf_cstr(&d->error);
		return -1;
	}
	*value_r = buf_cstr(&d->value);
	return 1;
}

/* Copy a stored key or value (with or without its NUL) into b. 0, or -1
 * for a NUL inside or an oversized item. */
static int
db_item(struct buf *b, const DBT *x)
{
	size_t n = x->size;

	if (n > 0 && ((const char *)x->data)[n - 1] == 0)
		n--;
	buf_reset(b);
	if (memchr(x->data, 0, n) != NULL || buf_append(b, x->data, n) < 0)
		return -1;
	return 0;
}

static int
db_walk(struct dict *d, dict_walk_cb *fn, void *ctx, const char **error_r)
{
	struct dict_db *t = (struct dict_db *)d;
	struct buf key;
	DBC *cur;
	DBT k, v;
	int ret, stop = 0;

	buf_reset(&d->error);
	if ((ret = t->db->cursor(t->db, NULL, &cur, 0)) != 0) {
		(void)buf_printf(&d->error, "%s: cursor: %s", t->path,
		    db_strerror(ret));
		*error_r = buf_cstr(&d->error);
		return -1;
	}
	buf_init(&key, DICT_KEY_MAX + 1);
	for (;;) {
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		if ((ret = cur->get(cur, &k, &v, DB_NEXT)) != 0) {
			if (ret != DB_NOTFOUND)
				(void)buf_printf(&d->error,
				    "%s: read error: "
				    "%s",
				    t->path, db_strerror(ret));
			break;
		}
		if (db_item(&key, &k) < 0 || db_item(&d->value, &v) < 0) {
			(void)buf_printf(&d->error, "%s: malformed entry",
			    t->path);
			break;
		}
		if ((stop = fn(ctx, buf_cstr(&key), buf_cstr(&d->value))) != 0)
			break;
	}
	(void)cur->close(cur);
	buf_deinit(&key);
	if (d->error.len > 0) {
		*error_r = buf_cstr(&d->error);
		return -1;
	}
	return stop;
}

static void
db_close_dict(struct dict *d)
{
	struct dict_db *t = (struct dict_db *)d;

	(void)t->db->close(t->db, 0);
	xfree(t->path);
}

static struct dict *
db_open(const char *name, DBTYPE type, const char **error_r)
{
	struct dict_db *t;
	struct stat src, dbs;
	char *path = db_path(name);
	DB *db;
	int ret;

	if ((ret = db_create(&db, NULL, 0)) != 0) {
		*error_r =
		    dict_error("open database %s: %s", path, db_strerror(ret));
		xfree(path);
		return NULL;
	}
	db->set_errcall(db, db_quiet);
	if ((ret = db->open(db, NULL, path, NULL, type, DB_RDONLY, 0)) != 0) {
		*error_r =
		    dict_error("open database %s: %s", path, db_strerror(ret));
		(void)db->close(db, 0);
		xfree(path);
		return NULL;
	}
	/* Like Postfix: a source edited after the last build is a likely
	 * mistake worth a warning, not a reason to refuse service. */
	if (stat(name, &src) == 0 && stat(path, &dbs) == 0 &&
	    src.st_mtime > dbs.st_mtime)
		log_warn("database %s is older than source file %s", path,
		    name);
	t = (struct dict_db *)dict_alloc(sizeof(*t));
	t->db = db;
	t->path = path;
	t->d.lookup = db_lookup;
	t->d.close = db_close_dict;
	t->d.walk = db_walk;
	return &t->d;
}

struct dict *
dict_hash_open(const char *name, const char **error_r)
{
	return db_open(name, DB_HASH, error_r);
}

struct dict *
dict_btree_open(const char *name, const char **error_r)
{
	return db_open(name, DB_BTREE, error_r);
}

struct db_build_ctx {
	DB *db;
	const char *tmp;
};

static int
db_put(void *ctx, const char *key, const char *value, const char *where,
    const char **error_r)
{
	struct db_build_ctx *c = ctx;
	DBT k, v;
	int ret;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)key;
	k.size = (u_int32_t)(strlen(key) + 1);
	v.data = (void *)value;
	v.size = (u_int32_t)(strlen(value) + 1);
	ret = c->db->put(c->db, NULL, &k, &v, DB_NOOVERWRITE);
	if (ret == DB_KEYEXIST)
		return 1;
	if (ret != 0) {
		*error_r = dict_error("%s: write %s: %s", where, c->tmp,
		    db_strerror(ret));
		return -1;
	}
	return 0;
}

/* Make the rename durable: fsync the directory that holds path. */
static int
fsync_parent(const char *path, const char **error_r)
{
	if (dir_fsync_parent(path) < 0) {
		*error_r = dict_error("fsync the directory of %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
db_build(const char *name, DBTYPE type, const struct dict_source *src,
    const char **error_r)
{
	struct db_build_ctx ctx;
	struct stat st;
	struct buf tmpb;
	char *path = db_path(name), *tmp;
	DB *db = NULL;
	int fd, ret = -1, err;

	buf_init(&tmpb, BUF_MAX_INTERNAL);
	(void)buf_printf(&tmpb, "%s.tmpXXXXXX", path);
	tmp = buf_steal(&tmpb);
	buf_deinit(&tmpb);
	if (stat(name, &st) < 0) {
		*error_r = dict_error("open %s: %s", name, strerror(errno));
		goto out_free;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		*error_r = dict_error("create %s: %s", tmp, strerror(errno));
		goto out_free;
	}
	/* The compiled table is as private as its source. */
	(void)fchmod(fd, st.st_mode & 0666);
	if ((err = db_create(&db, NULL, 0)) != 0) {
		*error_r = dict_error("create %s: %s", tmp, db_strerror(err));
		db = NULL;
		goto out_unlink;
	}
	db->set_errcall(db, db_quiet);
	/* mkostemp made an empty file: DB_TRUNCATE lets Berkeley DB take it
	 * over as a new database. */
	err =
	    db->open(db, NULL, tmp, NULL, type, DB_CREATE | DB_TRUNCATE, 0600);
	if (err != 0) {
		*error_r =
		    dict_error("create database %s: %s", tmp, db_strerror(err));
		goto out_unlink;
	}
	ctx.db = db;
	ctx.tmp = tmp;
	if (src != NULL ? src->read(src->ctx, name, db_put, &ctx, error_r) < 0
			: dict_text_parse(name, db_put, &ctx, error_r) < 0)
		goto out_unlink;
	err = db->close(db, 0);
	db = NULL;
	if (err != 0) {
		*error_r = dict_error("write %s: %s", tmp, db_strerror(err));
		goto out_unlink;
	}
	if (fsync(fd) < 0) {
		*error_r = dict_error("fsync %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (rename(tmp, path) < 0) {
		*error_r = dict_error("rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto out_unlink;
	}
	ret = fsync_parent(path, error_r);
	goto out_close;
out_unlink:
	if (db != NULL)
		(void)db->close(db, 0);
	(void)unlink(tmp);
out_close:
	close(fd);
out_free:
	xfree(tmp);
	xfree(path);
	return ret;
}

int
dict_hash_build(const char *name, const struct dict_source *src,
    const char **error_r)
{
	return db_build(name, DB_HASH, src, error_r);
}

int
dict_btree_build(const char *name, const struct dict_source *src,
    const char **error_r)
{
	return db_build(name, DB_BTREE, src, error_r);
}
