/* SPDX-License-Identifier: MIT */
/* keysort - a stable radix sort of (key, pointer) pairs (keysort.h). */
#include <string.h>

#include "util/keysort.h"
#include "util/mem.h"

#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)
#define PASSES ((64 + DIGIT_BITS - 1) / DIGIT_BITS)
/* Below this, insertion sort: the counts would cost more than the sort. */
#define SMALL 32

static unsigned
digit(uint64_t key, unsigned pass)
{
	return (unsigned)(key >> (pass * DIGIT_BITS)) & (DIGITS - 1);
}

static void
insertion(struct keysort_item *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct keysort_item x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1].key > x.key; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

void
keysort(struct keysort_item *v, size_t n)
{
	struct keysort_item *tmp, *from = v, *to;
	size_t *count, i;
	unsigned pass;

	if (n < SMALL) {
		insertion(v, n);
		return;
	}
	/* Every pass's counts in one walk over the keys. */
	count = xcalloc((size_t)PASSES * DIGITS, sizeof(*count));
	for (i = 0; i < n; i++)
		for (pass = 0; pass < PASSES; pass++)
			count[pass * DIGITS + digit(v[i].key, pass)]++;
	tmp = xmalloc(n * sizeof(*tmp));
	to = tmp;
	for (pass = 0; pass < PASSES; pass++) {
		size_t *c = count + pass * DIGITS, sum = 0;
		struct keysort_item *swap;

		/* One digit in every key: this pass would change nothing. */
		if (c[digit(from[0].key, pass)] == n)
			continue;
		for (i = 0; i < DIGITS; i++) {
			size_t k = c[i];

			c[i] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			to[c[digit(from[i].key, pass)]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	xfree(tmp);
	xfree(count);
}
