/* fnv - the 32-bit FNV-1a hash, the check sum of the store's own files
 * (tern-cache records, tern-index): cheap, and good at catching a torn or
 * zeroed write; not a defence against anyone who may write the file. */
#ifndef TERN_UTIL_FNV_H
#define TERN_UTIL_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 2166136261u

/* Go on hashing n bytes at p from h (FNV1A_INIT to start). */
static inline uint32_t
fnv1a_add(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0) {
		h ^= *s++;
		h *= 16777619u;
	}
	return h;
}

static inline uint32_t
fnv1a(const void *p, size_t n)
{
	return fnv1a_add(FNV1A_INIT, p, n);
}

#endif
