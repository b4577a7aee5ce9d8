/* checksum - a 32-bit check sum for the store's own files (tern-cache
 * records, tern-index): eight bytes a step (a multiply and two xors), so
 * that checking the header blocks of 10,000 messages costs little; good
 * at catching a torn, zeroed or stale write, no defence against anyone
 * who may write the file. The words are read in the host's byte order:
 * the files are for the host that wrote them (another one finds the sums
 * wrong and makes the file again). */
#ifndef TERN_UTIL_CHECKSUM_H
#define TERN_UTIL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
checksum32(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

#endif
