/* htable - a hash table from C strings to pointers, for in-memory state
 * that grows with the traffic (per-client counters and the like): expected
 * O(1) lookup, insertion and removal. Keys are copied and compared exactly
 * (case-sensitive); values are the caller's, never freed here except
 * through the free function given to htable_destroy. The table doubles
 * when it holds more entries than buckets. Walking it with htable_walk
 * allows the callback to remove the entry it is given, and no other.
 * Not thread-safe; nothing fails except out of memory (fatal, as mem.h). */
#ifndef TERN_UTIL_HTABLE_H
#define TERN_UTIL_HTABLE_H

#include <stddef.h>

struct htable;

struct htable *htable_create(void);
/* Free the table; free_value (may be NULL) is called for each value. */
void htable_destroy(struct htable **tp, void (*free_value)(void *));

/* The value stored under key, or NULL. */
void *htable_find(const struct htable *t, const char *key);
/* Store value under key, replacing (and returning) any previous value;
 * NULL when the key was new. */
void *htable_enter(struct htable *t, const char *key, void *value);
/* Remove key; returns its value, or NULL when it was not there. */
void *htable_delete(struct htable *t, const char *key);
size_t htable_count(const struct htable *t);

/* Call fn(key, value, ctx) for every entry, in no particular order. fn
 * may htable_delete the key it is given. */
void htable_walk(struct htable *t,
    void (*fn)(const char *key, void *value, void *ctx), void *ctx);

#endif
