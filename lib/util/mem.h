/* mem - allocation that never returns NULL.
 * xmalloc, xcalloc, xrealloc and xstrdup zero new memory (xrealloc zeroes
 * nothing) and abort through log_panic when the system is out of memory: a
 * mail daemon that cannot allocate has nothing sensible left to do, and the
 * master restarts it. Size arithmetic is checked (count * size overflow is a
 * panic, not a short allocation). xfree(NULL) is a no-op. */
#ifndef TERN_UTIL_MEM_H
#define TERN_UTIL_MEM_H

#include <stddef.h>

/* Allocate n zeroed bytes. Never fails. */
void *xmalloc(size_t n);
/* Allocate count * size zeroed bytes; panics on overflow. Never fails. */
void *xcalloc(size_t count, size_t size);
/* Resize p to n bytes (contents beyond the old size are undefined). */
void *xrealloc(void *p, size_t n);
/* Copy a C string / the first n bytes of p plus a NUL. Never fail. */
char *xstrdup(const char *s);
char *xstrndup(const char *p, size_t n);
/* Free p; NULL is allowed. */
void xfree(void *p);

#endif
