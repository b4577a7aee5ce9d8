/* keysort - sort (key, pointer) pairs by a 64-bit key in linear time: an
 * LSD radix sort, 11 bits a pass, passes whose digit is the same in every
 * key skipped (keys that share their high bits, as delivery times do,
 * take three or four passes). Stable: equal keys keep their order. For
 * the store's views of 10,000s of messages, where qsort's comparisons
 * were a tenth of a folder's first look. Nothing fails except out of
 * memory (fatal, as mem.h). */
#ifndef TERN_UTIL_KEYSORT_H
#define TERN_UTIL_KEYSORT_H

#include <stddef.h>
#include <stdint.h>

struct keysort_item {
	uint64_t key;
	void *p;
};

/* Sort the n items of v by key, ascending. */
void keysort(struct keysort_item *v, size_t n);

#endif
