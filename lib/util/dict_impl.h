/* dict_impl - private interface between dict.c and its table backends.
 * Concepts: every backend embeds struct dict as its first member and fills
 * in the lookup and close methods. dict.c folds keys to lower case before
 * calling lookup, so backends compare bytes. Backends share the text source
 * parser (dict_text.c) and a small in-memory key/value table (dict_mem).
 * Ownership: a backend's close method frees everything but the struct dict
 * fields that dict.c owns (spec, value and error buffers), which dict_close
 * releases afterwards. Errors: open/build functions return -1 and set
 * *error_r through dict_error(), whose text lives in one module buffer
 * (valid until the next dict_error call); lookup errors go into d->error.
 * Only dict.c and dict_*.c include this header. */
#ifndef TERN_UTIL_DICT_IMPL_H
#define TERN_UTIL_DICT_IMPL_H

#include <stddef.h>

#include "util/buf.h"
#include "util/dict.h"

struct dict;

/* Backend lookup of an already folded key: 1 found (*value_r set, valid
 * until the next lookup or close), 0 not found, -1 with *error_r set. */
typedef int dict_lookup_fn(struct dict *d, const char *key,
    const char **value_r, const char **error_r);
/* Release the backend's own resources (not the struct dict fields). */
typedef void dict_close_fn(struct dict *d);
/* Backend walk: as dict_walk (dict.h). */
typedef int dict_walk_backend_fn(struct dict *d, dict_walk_cb *fn, void *ctx,
    const char **error_r);

struct dict {
	char *spec; /* "type:name", owned by dict.c */
	dict_lookup_fn *lookup;
	dict_close_fn *close;
	dict_walk_backend_fn *walk;
	struct buf value; /* scratch for values copied out of a db */
	struct buf error; /* lookup error text */
};

/* Backend constructors: name is the text after "type:". Return a new
 * object (allocated with dict_alloc) or NULL with *error_r set. */
struct dict *dict_texthash_open(const char *name, const char **error_r);
/* texthash: with its source read by src (NULL: dict_text_parse). */
struct dict *dict_texthash_open_source(const char *name,
    const struct dict_source *src, const char **error_r);
struct dict *dict_inline_open(const char *name, const char **error_r);
struct dict *dict_static_open(const char *name, const char **error_r);
struct dict *dict_cidr_open(const char *name, const char **error_r);
struct dict *dict_unix_open(const char *name, const char **error_r);
struct dict *dict_hash_open(const char *name, const char **error_r);
struct dict *dict_btree_open(const char *name, const char **error_r);
/* Builders for types with a compiled form, reading the source with src
 * (NULL: dict_text_parse): 0, or -1 with *error_r set. */
int dict_hash_build(const char *name, const struct dict_source *src,
    const char **error_r);
int dict_btree_build(const char *name, const struct dict_source *src,
    const char **error_r);

/* Allocate a zeroed backend object of size bytes (at least sizeof(struct
 * dict)) with its value and error buffers initialised. Never fails. */
struct dict *dict_alloc(size_t size);

/* Format an error into the module's error buffer and return it; the text
 * is valid until the next dict_error call. Never fails (cut at 1 KiB). */
const char *
dict_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Trim white space from p[0..len) into *start_r and *len_r; when the trimmed
 * text is one "{ ... }" group (the '{' matched by the last byte), strip
 * the braces and trim again. Returns 1 when braces were stripped, else 0. */
int
dict_unbrace(const char *p, size_t len, const char **start_r, size_t *len_r);

/* Fold ASCII upper case to lower case in place. */
void dict_fold(char *s);

/* Text source parser. For each logical line "key value" of the file at
 * path, call fn with the folded key, the value (trimmed) and the location
 * "path:line" of the line where the logical line started. fn returns 0
 * when it stored the entry, 1 when the key was a duplicate (the parser
 * logs a warning and goes on), or -1 with *error_r set to stop. Returns
 * 0, or -1 with *error_r set: open/read errors name the path and
 * strerror; syntax errors and limits name path:line. */
typedef dict_entry_fn dict_text_entry_fn;
int dict_text_parse(const char *path, dict_text_entry_fn *fn, void *ctx,
    const char **error_r);

/* A small in-memory hash table of copied, NUL-terminated keys and values,
 * used by texthash: and inline:. */
struct dict_mem;
/* Create an empty table. Never fails. */
struct dict_mem *dict_mem_create(void);
/* Add key -> value (both copied). Returns 0 when added, 1 when the key is
 * already present (the table is left unchanged: first value wins). */
int dict_mem_add(struct dict_mem *m, const char *key, const char *value);
/* The value stored for key, or NULL. Valid until dict_mem_destroy. */
const char *dict_mem_find(const struct dict_mem *m, const char *key);
/* Free the table and set *mp to NULL; NULL *mp is allowed. */
void dict_mem_destroy(struct dict_mem **mp);
/* Call fn for every entry until it returns non-zero; returns that value
 * or 0. */
int dict_mem_walk(const struct dict_mem *m, dict_walk_cb *fn, void *ctx);

#endif
