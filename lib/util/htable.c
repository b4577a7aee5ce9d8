/* SPDX-License-Identifier: MIT */
/* htable - string-keyed hash table with separate chaining. */
#include <stdint.h>
#include <string.h>

#include "htable.h"
#include "mem.h"

struct entry {
	char *key;
	void *value;
	struct entry *next;
};

struct htable {
	struct entry **bucket;
	size_t size; /* buckets, a power of two */
	size_t count;
};

#define HTABLE_MIN 16

static uint64_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s != 0; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct htable *
htable_create(void)
{
	struct htable *t = xcalloc(1, sizeof(*t));

	t->size = HTABLE_MIN;
	t->bucket = xcalloc(t->size, sizeof(*t->bucket));
	return t;
}

void
htable_destroy(struct htable **tp, void (*free_value)(void *))
{
	struct htable *t = *tp;

	if (t == NULL)
		return;
	for (size_t i = 0; i < t->size; i++) {
		struct entry *e = t->bucket[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			if (free_value != NULL)
				free_value(e->value);
			xfree(e->key);
			xfree(e);
		}
	}
	xfree(t->bucket);
	xfree(t);
	*tp = NULL;
}

static struct entry **
slot(const struct htable *t, const char *key)
{
	struct entry **ep = &t->bucket[hash(key) & (t->size - 1)];

	while (*ep != NULL && strcmp((*ep)->key, key) != 0)
		ep = &(*ep)->next;
	return ep;
}

void *
htable_find(const struct htable *t, const char *key)
{
	struct entry *e = *slot(t, key);

	return e != NULL ? e->value : NULL;
}

static void
grow(struct htable *t)
{
	size_t size = t->size * 2;
	struct entry **bucket = xcalloc(size, sizeof(*bucket));

	for (size_t i = 0; i < t->size; i++) {
		struct entry *e = t->bucket[i], *next;

		for (; e != NULL; e = next) {
			size_t b = hash(e->key) & (size - 1);

			next = e->next;
			e->next = bucket[b];
			bucket[b] = e;
		}
	}
	xfree(t->bucket);
	t->bucket = bucket;
	t->size = size;
}

void *
htable_enter(struct htable *t, const char *key, void *value)
{
	struct entry **ep = slot(t, key), *e;
	void *old;

	if (*ep != NULL) {
		old = (*ep)->value;
		(*ep)->value = value;
		return old;
	}
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->value = value;
	e->next = NULL;
	*ep = e;
	if (++t->count > t->size)
		grow(t);
	return NULL;
}

void *
htable_delete(struct htable *t, const char *key)
{
	struct entry **ep = slot(t, key), *e = *ep;
	void *value;

	if (e == NULL)
		return NULL;
	*ep = e->next;
	value = e->value;
	xfree(e->key);
	xfree(e);
	t->count--;
	return value;
}

size_t
htable_count(const struct htable *t)
{
	return t->count;
}

void
htable_walk(struct htable *t,
    void (*fn)(const char *key, void *value, void *ctx), void *ctx)
{
	for (size_t i = 0; i < t->size; i++) {
		struct entry *e = t->bucket[i], *next;

		/* next is taken first: fn may delete e. */
		for (; e != NULL; e = next) {
			next = e->next;
			fn(e->key, e->value, ctx);
		}
	}
}
