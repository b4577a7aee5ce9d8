/* SPDX-License-Identifier: MIT */
/* htable - string-keyed hash table with separate chaining. */
#include <stdint.h>
#include <string.h>

#include "htable.h"
#include "mem.h"

/* One allocation per entry: the key follows it. The key's hash is kept:
 * a chain is searched by hash before any strcmp, and growing does not
 * hash again. */
struct entry {
	struct entry *next;
	void *value;
	uint64_t hash;
	char key[]; /* NUL-terminated */
};

struct htable {
	struct entry **bucket;
	size_t size; /* buckets, a power of two */
	size_t count;
};

#define HTABLE_MIN 16

#define MIX 0xff51afd7ed558ccdULL

/* The hash of the n bytes at s: eight bytes a step (a Maildir name of 40
 * bytes takes 5 multiplications, not 40), then MurmurHash3's 64-bit
 * finaliser, so that the low bits that pick a bucket depend on every
 * byte. */
static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * MIX;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * MIX;
	}
	h ^= h >> 33;
	h *= MIX;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
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
			xfree(e);
		}
	}
	xfree(t->bucket);
	xfree(t);
	*tp = NULL;
}

static struct entry **
slot(const struct htable *t, const char *key, uint64_t h)
{
	struct entry **ep = &t->bucket[h & (t->size - 1)];

	while (
	    *ep != NULL && ((*ep)->hash != h || strcmp((*ep)->key, key) != 0))
		ep = &(*ep)->next;
	return ep;
}

void *
htable_find(const struct htable *t, const char *key)
{
	struct entry *e = *slot(t, key, hash(key, strlen(key)));

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
			size_t b = e->hash & (size - 1);

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
	size_t n = strlen(key);
	uint64_t h = hash(key, n);
	struct entry **ep = slot(t, key, h), *e;
	void *old;

	if (*ep != NULL) {
		old = (*ep)->value;
		(*ep)->value = value;
		return old;
	}
	e = xmalloc(sizeof(*e) + n + 1);
	memcpy(e->key, key, n + 1);
	e->hash = h;
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
	struct entry **ep = slot(t, key, hash(key, strlen(key))), *e = *ep;
	void *value;

	if (e == NULL)
		return NULL;
	*ep = e->next;
	value = e->value;
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
