/* SPDX-License-Identifier: MIT */
/* dict_text - the text source parser, an in-memory table, and texthash:. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/dict.h"
#include "util/dict_impl.h"
#include "util/log.h"
#include "util/mem.h"

/* A logical line holds a key, separating white space and a value; allow
 * some slack for the white space so that the key and value limits, not
 * this one, produce the error message. */
#define DICT_LINE_MAX (DICT_KEY_MAX + DICT_VALUE_MAX + 4096)

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

/* Split one logical line into key and value and hand them to fn. */
static int
text_entry(struct buf *line, const char *path, unsigned long lineno,
    dict_text_entry_fn *fn, void *ctx, const char **error_r)
{
	char where[1200];
	char *key = line->data, *value, *end;
	size_t key_len;
	int ret;

	snprintf(where, sizeof(where), "%s:%lu", path, lineno);
	key_len = strcspn(key, " \t\r\n\f\v");
	value = key + key_len;
	while (is_space((unsigned char)*value))
		value++;
	end = line->data + line->len;
	while (end > value && is_space((unsigned char)end[-1]))
		end--;
	*end = 0;
	key[key_len] = 0;
	if (*value == 0) {
		*error_r = dict_error("%s: expected format: key whitespace "
				      "value (key \"%s\" has no value)",
		    where, log_str(key));
		return -1;
	}
	if (key_len > DICT_KEY_MAX) {
		*error_r = dict_error("%s: key longer than %d bytes", where,
		    DICT_KEY_MAX);
		return -1;
	}
	if ((size_t)(end - value) > DICT_VALUE_MAX) {
		*error_r = dict_error("%s: value longer than %d bytes", where,
		    DICT_VALUE_MAX);
		return -1;
	}
	dict_fold(key);
	ret = fn(ctx, key, value, where, error_r);
	if (ret < 0)
		return -1;
	if (ret > 0)
		log_warn("%s: duplicate entry for key \"%s\" ignored; the "
			 "first value wins",
		    where, log_str(key));
	return 0;
}

int
dict_text_lines(FILE *fp, const char *label, size_t max, dict_line_fn *fn,
    void *ctx, const char **error_r)
{
	char *raw = NULL;
	size_t raw_size = 0;
	ssize_t n;
	struct buf line;
	unsigned long lineno = 0, start = 0;
	int ret = -1;

	buf_init(&line, max);
	while ((n = getline(&raw, &raw_size, fp)) >= 0) {
		size_t len = (size_t)n, i;

		lineno++;
		if (memchr(raw, 0, len) != NULL) {
			*error_r = dict_error("%s:%lu: NUL byte in line", label,
			    lineno);
			goto out;
		}
		while (len > 0 && is_space((unsigned char)raw[len - 1]))
			len--;
		for (i = 0; i < len && is_space((unsigned char)raw[i]); i++)
			;
		/* Blank and comment lines are skipped; they neither start
		 * nor end a logical line (as in Postfix). */
		if (i == len || raw[i] == '#')
			continue;
		if (i > 0) {
			if (start == 0) {
				*error_r = dict_error(
				    "%s:%lu: continuation "
				    "line (leading white space) without a "
				    "preceding line",
				    label, lineno);
				goto out;
			}
			/* The line break goes; the leading white space
			 * stays and separates the joined text. */
			if (buf_append(&line, raw, len) < 0)
				goto too_long;
			continue;
		}
		if (start != 0 && fn(ctx, &line, start, error_r) < 0)
			goto out;
		buf_reset(&line);
		start = lineno;
		if (buf_append(&line, raw, len) < 0)
			goto too_long;
	}
	if (ferror(fp)) {
		*error_r = dict_error("read %s: %s", label, strerror(errno));
		goto out;
	}
	if (start != 0 && fn(ctx, &line, start, error_r) < 0)
		goto out;
	ret = 0;
	goto out;
too_long:
	*error_r = dict_error("%s:%lu: logical line too long", label,
	    start != 0 ? start : lineno);
out:
	free(raw);
	buf_deinit(&line);
	return ret;
}

struct text_parse_ctx {
	const char *path;
	dict_text_entry_fn *fn;
	void *ctx;
};

static int
text_line(void *ctx, struct buf *line, unsigned long lineno,
    const char **error_r)
{
	struct text_parse_ctx *c = ctx;

	return text_entry(line, c->path, lineno, c->fn, c->ctx, error_r);
}

int
dict_text_parse(const char *path, dict_text_entry_fn *fn, void *ctx,
    const char **error_r)
{
	struct text_parse_ctx c = { path, fn, ctx };
	FILE *fp;
	int ret;

	if ((fp = fopen(path, "re")) == NULL) {
		*error_r = dict_error("open %s: %s", path, strerror(errno));
		return -1;
	}
	ret = dict_text_lines(fp, path, DICT_LINE_MAX, text_line, &c, error_r);
	fclose(fp);
	return ret;
}

/* In-memory table: chained hashing, doubled when the load passes 1. */
struct dict_mem_entry {
	struct dict_mem_entry *next;
	char *key;
	char *value;
};

struct dict_mem {
	struct dict_mem_entry **slots;
	size_t size; /* a power of two */
	size_t count;
};

static size_t
mem_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *key != 0; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

struct dict_mem *
dict_mem_create(void)
{
	struct dict_mem *m = xmalloc(sizeof(*m));

	m->size = 16;
	m->slots = xcalloc(m->size, sizeof(*m->slots));
	return m;
}

static void
mem_grow(struct dict_mem *m)
{
	size_t new_size = m->size * 2, i;
	struct dict_mem_entry **slots = xcalloc(new_size, sizeof(*slots));

	for (i = 0; i < m->size; i++) {
		struct dict_mem_entry *e = m->slots[i], *next;

		for (; e != NULL; e = next) {
			size_t h = mem_hash(e->key) & (new_size - 1);

			next = e->next;
			e->next = slots[h];
			slots[h] = e;
		}
	}
	xfree(m->slots);
	m->slots = slots;
	m->size = new_size;
}

const char *
dict_mem_find(const struct dict_mem *m, const char *key)
{
	const struct dict_mem_entry *e;

	for (e = m->slots[mem_hash(key) & (m->size - 1)]; e; e = e->next) {
		if (strcmp(e->key, key) == 0)
			return e->value;
	}
	return NULL;
}

int
dict_mem_add(struct dict_mem *m, const char *key, const char *value)
{
	struct dict_mem_entry *e;
	size_t h;

	if (dict_mem_find(m, key) != NULL)
		return 1;
	if (m->count >= m->size && m->size < SIZE_MAX / 2 / sizeof(e))
		mem_grow(m);
	h = mem_hash(key) & (m->size - 1);
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->value = xstrdup(value);
	e->next = m->slots[h];
	m->slots[h] = e;
	m->count++;
	return 0;
}

void
dict_mem_destroy(struct dict_mem **mp)
{
	struct dict_mem *m = *mp;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->size; i++) {
		struct dict_mem_entry *e = m->slots[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			xfree(e->key);
			xfree(e->value);
			xfree(e);
		}
	}
	xfree(m->slots);
	xfree(m);
	*mp = NULL;
}

int
dict_mem_walk(const struct dict_mem *m, dict_walk_cb *fn, void *ctx)
{
	const struct dict_mem_entry *e;
	size_t i;
	int ret;

	for (i = 0; i < m->size; i++)
		for (e = m->slots[i]; e != NULL; e = e->next)
			if ((ret = fn(ctx, e->key, e->value)) != 0)
				return ret;
	return 0;
}

/* texthash: the source is read into memory when the table is opened. */
struct dict_texthash {
	struct dict d;
	struct dict_mem *mem;
};

static int
texthash_add(void *ctx, const char *key, const char *value, const char *where,
    const char **error_r)
{
	return dict_mem_add(ctx, key, value);
}

static int
texthash_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r)
{
	struct dict_texthash *t = (struct dict_texthash *)d;
	const char *value = dict_mem_find(t->mem, key);

	if (value == NULL)
		return 0;
	*value_r = value;
	return 1;
}

static int
texthash_walk(struct dict *d, dict_walk_cb *fn, void *ctx, const char **error_r)
{
	return dict_mem_walk(((struct dict_texthash *)d)->mem, fn, ctx);
}

static void
texthash_close(struct dict *d)
{
	struct dict_texthash *t = (struct dict_texthash *)d;

	dict_mem_destroy(&t->mem);
}

struct dict *
dict_texthash_open(const char *name, const char **error_r)
{
	return dict_texthash_open_source(name, NULL, error_r);
}

struct dict *
dict_texthash_open_source(const char *name, const struct dict_source *src,
    const char **error_r)
{
	struct dict_texthash *t;
	struct dict_mem *mem = dict_mem_create();
	int ret;

	if (src != NULL)
		ret = src->read(src->ctx, name, texthash_add, mem, error_r);
	else
		ret = dict_text_parse(name, texthash_add, mem, error_r);
	if (ret < 0) {
		dict_mem_destroy(&mem);
		return NULL;
	}
	t = (struct dict_texthash *)dict_alloc(sizeof(*t));
	t->mem = mem;
	t->d.lookup = texthash_lookup;
	t->d.close = texthash_close;
	t->d.walk = texthash_walk;
	return &t->d;
}
