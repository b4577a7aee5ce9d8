/* SPDX-License-Identifier: MIT */
/* smtpd_dup - a bounded, case-insensitive set of recipient addresses. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/mem.h"

#include "smtpd_dup.h"

/* Open addressing with linear probing over a power-of-two table that is
 * kept at most half full; entries are lower-cased copies. */
struct smtpd_dup {
	char **slot;
	size_t size;  /* slots, a power of two */
	size_t count; /* addresses remembered */
	size_t limit; /* 0: none */
};

#define DUP_MIN_SLOTS 16

static uint64_t
dup_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s != 0; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot that holds key, or the empty slot where it would go. */
static char **
dup_find(char **slot, size_t size, const char *key)
{
	size_t i = (size_t)dup_hash(key) & (size - 1);

	while (slot[i] != NULL && strcmp(slot[i], key) != 0)
		i = (i + 1) & (size - 1);
	return &slot[i];
}

static void
dup_grow(struct smtpd_dup *d)
{
	size_t i, size = d->size * 2;
	char **slot = xcalloc(size, sizeof(*slot));

	for (i = 0; i < d->size; i++)
		if (d->slot[i] != NULL)
			*dup_find(slot, size, d->slot[i]) = d->slot[i];
	xfree(d->slot);
	d->slot = slot;
	d->size = size;
}

struct smtpd_dup *
smtpd_dup_create(long limit)
{
	struct smtpd_dup *d = xcalloc(1, sizeof(*d));

	d->limit = limit > 0 ? (size_t)limit : 0;
	d->size = DUP_MIN_SLOTS;
	d->slot = xcalloc(d->size, sizeof(*d->slot));
	return d;
}

void
smtpd_dup_destroy(struct smtpd_dup **dp)
{
	struct smtpd_dup *d = *dp;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->size; i++)
		xfree(d->slot[i]);
	xfree(d->slot);
	xfree(d);
	*dp = NULL;
}

int
smtpd_dup_seen(struct smtpd_dup *d, const char *addr)
{
	char *key = xstrdup(addr), *p, **where;

	for (p = key; *p != 0; p++)
		*p = (char)tolower((unsigned char)*p);
	where = dup_find(d->slot, d->size, key);
	if (*where != NULL) {
		xfree(key);
		return 1;
	}
	if (d->limit > 0 && d->count >= d->limit) {
		xfree(key);
		return 0;
	}
	*where = key;
	/* Keep the table at most half full: probes stay short. */
	if (++d->count * 2 > d->size)
		dup_grow(d);
	return 0;
}
