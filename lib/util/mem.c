/* SPDX-License-Identifier: MIT */
/* mem - allocation that never returns NULL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/mem.h"

void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		log_panic("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(count, size, &total))
		log_panic("allocation size overflow: %zu * %zu", count, size);
	return xmalloc(total);
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		log_panic("out of memory reallocating %zu bytes", n);
	return q;
}

char *
xstrndup(const char *p, size_t n)
{
	char *s;

	if (n == SIZE_MAX)
		log_panic("xstrndup: size overflow");
	s = xmalloc(n + 1);
	memcpy(s, p, n);
	return s;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void
xfree(void *p)
{
	free(p);
}
