/* SPDX-License-Identifier: MIT */
/* dict_static - static:value tables that map every key to one value. */
#include <string.h>

#include "util/dict.h"
#include "util/dict_impl.h"
#include "util/mem.h"

struct dict_static {
	struct dict d;
	char *value;
};

static int
static_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r)
{
	*value_r = ((struct dict_static *)d)->value;
	return 1;
}

static int
static_walk(struct dict *d, dict_walk_cb *fn, void *ctx, const char **error_r)
{
	return fn(ctx, NULL, ((struct dict_static *)d)->value);
}

static void
static_close(struct dict *d)
{
	xfree(((struct dict_static *)d)->value);
}

/* static:text, or static:{ text with white space } as in Postfix. */
struct dict *
dict_static_open(const char *name, const char **error_r)
{
	struct dict_static *t;
	const char *p;
	size_t len;

	(void)dict_unbrace(name, strlen(name), &p, &len);
	if (len > DICT_VALUE_MAX) {
		*error_r = dict_error("static: value too long");
		return NULL;
	}
	t = (struct dict_static *)dict_alloc(sizeof(*t));
	t->value = xstrndup(p, len);
	t->d.lookup = static_lookup;
	t->d.close = static_close;
	t->d.walk = static_walk;
	return &t->d;
}
