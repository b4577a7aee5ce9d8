/* SPDX-License-Identifier: MIT */
/* maps - a list of lookup tables searched in order. */
#include <stdio.h>
#include <string.h>

#include "util/dict.h"
#include "util/maps.h"
#include "util/mem.h"

struct maps {
	struct dict **dicts;
	size_t count;
};

int
maps_open(const char *list, const char *default_type, struct maps **maps_r,
    const char **error_r)
{
	return maps_open_source(list, default_type, NULL, maps_r, error_r);
}

int
maps_open_source(const char *list, const char *default_type,
    const struct dict_source *src, struct maps **maps_r, const char **error_r)
{
	struct maps *m = xmalloc(sizeof(*m));
	const char *cursor = list, *item;
	size_t len, cap = 0;
	int ret;

	*maps_r = NULL;
	while ((ret = dict_list_next(&cursor, &item, &len, error_r)) > 0) {
		char *spec = xstrndup(item, len);
		struct dict *d;

		ret = dict_open_source(spec, default_type, src, &d, error_r);
		xfree(spec);
		if (ret < 0)
			break;
		if (m->count == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			m->dicts = xrealloc(m->dicts, cap * sizeof(*m->dicts));
		}
		m->dicts[m->count++] = d;
	}
	if (ret < 0) {
		maps_close(&m);
		return -1;
	}
	*maps_r = m;
	return 0;
}

int
maps_find(struct maps *m, const char *key, const char **value_r,
    const char **error_r)
{
	size_t i;
	int ret;

	/* Postfix skips empty keys too: no table entry can match one. */
	if (*key == 0)
		return 0;
	for (i = 0; i < m->count; i++) {
		if ((ret = dict_lookup(m->dicts[i], key, value_r, error_r)) !=
		    0)
			return ret;
	}
	return 0;
}

void
maps_close(struct maps **mp)
{
	struct maps *m = *mp;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->count; i++)
		dict_close(&m->dicts[i]);
	xfree(m->dicts);
	xfree(m);
	*mp = NULL;
}

struct walk_ctx {
	maps_walk_cb *fn;
	void *ctx;
	const char *table;
};

static int
walk_one(void *ctx, const char *key, const char *value)
{
	struct walk_ctx *w = ctx;

	return w->fn(w->ctx, w->table, key, value);
}

int
maps_walk(struct maps *m, maps_walk_cb *fn, void *ctx, const char **error_r)
{
	struct walk_ctx w = { fn, ctx, NULL };
	size_t i;
	int ret;

	for (i = 0; i < m->count; i++) {
		w.table = dict_spec(m->dicts[i]);
		if ((ret = dict_walk(m->dicts[i], walk_one, &w, error_r)) != 0)
			return ret;
	}
	return 0;
}

int
maps_is_empty(const struct maps *m)
{
	return m->count == 0;
}
