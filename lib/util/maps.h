/* maps - a list of lookup tables searched in order.
 * A maps object is opened from a list of table specs ("hash:/etc/tern/a,
 * inline:{ k=v, { k2 = v w } } static:x") separated by commas and/or white
 * space; braces nest and protect the commas and white space inside them
 * (dict_list_next). A lookup asks each table in list order and the first
 * table that has the key wins, as Postfix's maps_find does. An empty list
 * gives a valid maps that finds nothing.
 * Ownership: maps_open returns a heap object the caller releases with
 * maps_close; the maps owns its tables. Values and lookup errors returned
 * by maps_find stay valid until the next maps_find on the same maps or its
 * close. Errors from maps_open are dict_open's (valid until the next
 * dict_open or maps_open) or static text. Nothing here is fatal except out
 * of memory. Not thread-safe. */
#ifndef TERN_UTIL_MAPS_H
#define TERN_UTIL_MAPS_H

struct maps;

/* Open every table in list (see dict_open for default_type). Returns 0
 * with *maps_r set, or -1 with *error_r set when a table cannot be opened
 * (the text names it) or the braces do not balance. */
int maps_open(const char *list, const char *default_type, struct maps **maps_r,
    const char **error_r);

/* maps_open with the sources of texthash: tables read by src (see
 * dict_open_source; NULL: exactly maps_open): for alias_maps, whose
 * sources are aliases(5) files. */
struct dict_source;
int maps_open_source(const char *list, const char *default_type,
    const struct dict_source *src, struct maps **maps_r, const char **error_r);

/* Look key up in each table in order. Returns 1 with *value_r set by the
 * first table that has the key, 0 when none has it (an empty key is never
 * found), or -1 with *error_r set when a table failed before the key was
 * found (the search stops there: an unreadable table must not let a later
 * table answer in its place). */
int maps_find(struct maps *m, const char *key, const char **value_r,
    const char **error_r);

/* Close all tables and set *mp to NULL; NULL *mp is allowed. */
void maps_close(struct maps **mp);

/* Called by maps_walk for each entry of each table: table is its name
 * ("texthash:/etc/tern/vmailbox"), key is NULL for a table that gives
 * value for every key (static:). Return 0 to go on, non-zero to stop. */
typedef int
maps_walk_cb(void *ctx, const char *table, const char *key, const char *value);

/* Call fn for every entry of every table, in list order (entries within
 * a table in no particular order): for checks of whole tables. Returns 0,
 * fn's non-zero value when it stopped the walk, or -1 with *error_r set
 * (owned by the failing table, valid until its next use). */
int
maps_walk(struct maps *m, maps_walk_cb *fn, void *ctx, const char **error_r);

/* 1 when the list named no tables, else 0. */
int maps_is_empty(const struct maps *m);

#endif
