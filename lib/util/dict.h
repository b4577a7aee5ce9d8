/* dict - one lookup API for every lookup table type.
 * A table is named "type:name" as in Postfix: "texthash:/path" (a text
 * source read at open), "hash:/path" and "btree:/path" (a compiled database
 * /path.db built by dict_build, read-only at lookup), "inline:{ k1=v1,
 * { k2 = value with, commas } }", "static:value" (every key maps to
 * value) and "unix:passwd.byname" (the system's users, dict_unix.c).
 * Which database library stands behind hash: and btree: is a detail of
 * this module: callers only ever see struct dict. Keys are case-folded to
 * lower case (ASCII) when a table is built and at every lookup; values are
 * returned exactly as stored. Text sources have Postfix's format: "key
 * whitespace value" lines, "#" comment lines, blank lines ignored, and lines
 * that start with white space continue the previous logical line (see
 * tern_table(5)).
 * Ownership: dict_open returns a heap object the caller releases with
 * dict_close. Values returned by dict_lookup are owned by the dict and stay
 * valid until the next lookup on it or its close.
 * Errors: functions that can fail return -1 and set *error_r. Error text
 * from dict_open and dict_build lives in a module buffer that stays valid
 * until the next dict_open or dict_build call in the process; error text
 * from dict_lookup is owned by the dict (valid until the next lookup or
 * close). Nothing here is fatal except out of memory. Duplicate keys in a
 * source are logged (log_warn) with file:line, and the first value wins.
 * Not thread-safe. */
#ifndef TERN_UTIL_DICT_H
#define TERN_UTIL_DICT_H

#include <stddef.h>
#include <stdio.h>

/* Longest key (bytes) a table can hold; longer lookup keys are not found. */
#define DICT_KEY_MAX 4096
/* Longest value (bytes) a table can hold. */
#define DICT_VALUE_MAX (1024 * 1024)

struct dict;

/* Open the table named by spec ("type:name"). A spec without a "type:"
 * prefix uses default_type (e.g. "hash") when that is non-NULL, and is an
 * error otherwise. Returns 0 with *dict_r set, or -1 with *error_r set:
 * unknown type (named in the text), missing or unreadable file (path and
 * strerror), a syntax error in a source (file:line) or in inline:{...}. */
int dict_open(const char *spec, const char *default_type, struct dict **dict_r,
    const char **error_r);

/* Look key up (case-folded). Returns 1 with *value_r set (valid until the
 * next lookup on d or its close), 0 when the key is not in the table, or
 * -1 with *error_r set when the table could not be read. */
int dict_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r);

/* The table's full name "type:name" (with the default type filled in).
 * Valid until dict_close. Never fails. */
const char *dict_spec(const struct dict *d);

/* Close the table and set *dp to NULL. NULL *dp is allowed. */
void dict_close(struct dict **dp);
/* Has a table that is open in this process changed on disk since it was
 * opened? The identity of the file each table read (texthash: the source,
 * hash: and btree: the .db file) is taken at dict_open: device, inode,
 * size and modification time. A file that is gone counts as changed.
 * Returns 1 with *spec_r set to the first changed table's "type:name"
 * (valid until it is closed), else 0. A process that finds a change
 * restarts at a safe point, as Postfix daemons do ("table ... has changed
 * -- restarting"). Costs one stat(2) per open table file. */
int dict_changed(const char **spec_r);

/* Compile the text source named by spec into its database form: for
 * "hash:/path" and "btree:/path" read /path and write /path.db
 * atomically (a temporary file in the same directory, fsync, rename, then
 * fsync of the directory). Returns 0, or -1 with *error_r set: a type that
 * has no compiled form, unreadable source, a syntax error (file:line), or
 * a failed write. On error the old /path.db is left untouched. */
int
dict_build(const char *spec, const char *default_type, const char **error_r);

/* Sources in another format. A table whose source is not in the "key
 * value" format above (aliases(5) has "name: value") is read by a reader
 * that the caller supplies: hash: and btree: use it when they are built,
 * texthash: when it is opened; the other types ignore it. The reader reads
 * the file at path and calls put for each entry with the folded key, the
 * value and "path:line"; put returns 0 when it stored the entry, 1 when the
 * key was already there (the reader decides whether to warn), or -1 with
 * *error_r set (the reader must then stop and return -1 with that error).
 * The reader returns 0, or -1 with *error_r set to text that stays valid
 * until the dict call that ran it returns (keep it in ctx). */
typedef int dict_entry_fn(void *put_ctx, const char *key, const char *value,
    const char *where, const char **error_r);
struct dict_source {
	int (*read)(void *ctx, const char *path, dict_entry_fn *put,
	    void *put_ctx, const char **error_r);
	void *ctx;
};

/* The logical lines of a text source, for readers of other source formats
 * that share its line rules: '#' comment lines and blank lines are skipped
 * (they neither start nor end a logical line), and a line that starts with
 * white space continues the previous one (its line break dropped, its
 * leading white space kept). Trailing white space is trimmed. Calls fn with
 * each logical line (in a buffer fn may modify) and the number of the line
 * where it started; fn returns 0 to go on or -1 with *error_r set to stop.
 * Returns 0, or -1 with *error_r set: a NUL byte, a continuation line with
 * nothing before it, a logical line longer than max, a read error (each
 * names label:line), or fn's error. Error text is the module's (see
 * above). */
struct buf;
typedef int dict_line_fn(void *ctx, struct buf *line, unsigned long lineno,
    const char **error_r);
int dict_text_lines(FILE *fp, const char *label, size_t max, dict_line_fn *fn,
    void *ctx, const char **error_r);

/* dict_open and dict_build with the source read by src (NULL: the "key
 * value" format, exactly dict_open and dict_build). */
int dict_open_source(const char *spec, const char *default_type,
    const struct dict_source *src, struct dict **dict_r, const char **error_r);
int dict_build_source(const char *spec, const char *default_type,
    const struct dict_source *src, const char **error_r);

/* Step through a list of items separated by commas and/or white space, as
 * in "hash:/a, inline:{ k=v, { k2 = v w } } static:x". Braces nest and
 * protect the commas and white space inside them, so inline:{...} stays
 * one item. *cursor is advanced past the item. Returns 1 with the item at
 * *item_r (*len_r bytes, not NUL-terminated, pointing into the list), 0 at
 * the end of the list, or -1 with *error_r set (static text) for an
 * unbalanced '{' or '}'. */
/* Called by dict_walk for each entry: key is the folded key, or NULL for
 * a table that gives value for every key (static:). Return 0 to go on, or
 * anything else to stop the walk with that value. */
typedef int dict_walk_cb(void *ctx, const char *key, const char *value);

/* Call fn for every entry of d, in no particular order: for checks of a
 * whole table (tern check). Returns 0 when the walk ended, fn's non-zero
 * value when fn stopped it, or -1 with *error_r set (owned by d, valid
 * until its next lookup, walk or close): the table could not be read. */
int
dict_walk(struct dict *d, dict_walk_cb *fn, void *ctx, const char **error_r);

int dict_list_next(const char **cursor, const char **item_r, size_t *len_r,
    const char **error_r);

#endif
