/* SPDX-License-Identifier: MIT */
/* dict_inline - inline:{ key=value, { key = text, with commas } } tables. */
#include <string.h>

#include "util/buf.h"
#include "util/dict.h"
#include "util/dict_impl.h"
#include "util/log.h"
#include "util/mem.h"

struct dict_inline {
	struct dict d;
	struct dict_mem *mem;
};

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && is_ws((unsigned char)**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && is_ws((unsigned char)(*p)[*len - 1]))
		(*len)--;
}

int
dict_unbrace(const char *p, size_t len, const char **start_r, size_t *len_r)
{
	size_t depth = 0, i;

	trim(&p, &len);
	*start_r = p;
	*len_r = len;
	if (len < 2 || p[0] != '{' || p[len - 1] != '}')
		return 0;
	/* "{a} {b}" starts and ends with braces but is not one group. */
	for (i = 0; i < len; i++) {
		if (p[i] == '{')
			depth++;
		else if (p[i] == '}' && depth > 0 && --depth == 0)
			break;
	}
	if (i != len - 1)
		return 0;
	p++;
	len -= 2;
	trim(&p, &len);
	*start_r = p;
	*len_r = len;
	return 1;
}

static int
inline_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r)
{
	struct dict_inline *t = (struct dict_inline *)d;
	const char *value = dict_mem_find(t->mem, key);

	if (value == NULL)
		return 0;
	*value_r = value;
	return 1;
}

static int
inline_walk(struct dict *d, dict_walk_cb *fn, void *ctx, const char **error_r)
{
	return dict_mem_walk(((struct dict_inline *)d)->mem, fn, ctx);
}

static void
inline_close(struct dict *d)
{
	struct dict_inline *t = (struct dict_inline *)d;

	dict_mem_destroy(&t->mem);
}

/* Add one "key=value" or "{ key = value }" item. */
static int
inline_add(struct dict_mem *mem, const char *item, size_t len,
    const char **error_r)
{
	const char *p, *eq, *key, *value;
	size_t n, key_len, value_len;
	char *k, *v;

	(void)dict_unbrace(item, len, &p, &n);
	if ((eq = memchr(p, '=', n)) == NULL) {
		*error_r = dict_error("inline: missing '=' in \"%.*s\"",
		    (int)(n > 200 ? 200 : n), p);
		return -1;
	}
	key = p;
	key_len = (size_t)(eq - p);
	trim(&key, &key_len);
	value = eq + 1;
	value_len = (size_t)(p + n - value);
	trim(&value, &value_len);
	if (key_len == 0) {
		*error_r = dict_error("inline: empty key in \"%.*s\"",
		    (int)(n > 200 ? 200 : n), p);
		return -1;
	}
	if (key_len > DICT_KEY_MAX || value_len > DICT_VALUE_MAX) {
		*error_r = dict_error("inline: key or value too long");
		return -1;
	}
	k = xstrndup(key, key_len);
	v = xstrndup(value, value_len);
	dict_fold(k);
	if (dict_mem_add(mem, k, v) > 0)
		log_warn("inline: duplicate entry for key \"%s\" ignored; "
			 "the first value wins",
		    log_str(k));
	xfree(k);
	xfree(v);
	return 0;
}

struct dict *
dict_inline_open(const char *name, const char **error_r)
{
	struct dict_inline *t;
	struct dict_mem *mem;
	const char *body, *cursor, *item;
	size_t body_len, item_len;
	char *copy;
	int ret;

	if (!dict_unbrace(name, strlen(name), &body, &body_len)) {
		*error_r = dict_error("inline: expected inline:{ key=value, "
				      "... }, got \"inline:%s\"",
		    log_str(name));
		return NULL;
	}
	mem = dict_mem_create();
	copy = xstrndup(body, body_len);
	cursor = copy;
	while ((ret = dict_list_next(&cursor, &item, &item_len, error_r)) > 0) {
		if (inline_add(mem, item, item_len, error_r) < 0)
			break;
	}
	if (ret < 0)
		*error_r = dict_error("inline: %s", *error_r);
	xfree(copy);
	if (ret != 0) {
		dict_mem_destroy(&mem);
		return NULL;
	}
	t = (struct dict_inline *)dict_alloc(sizeof(*t));
	t->mem = mem;
	t->d.lookup = inline_lookup;
	t->d.close = inline_close;
	t->d.walk = inline_walk;
	return &t->d;
}
