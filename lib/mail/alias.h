/* alias - aliases(5) values and files, .forward and :include: files.
 * What the local delivery agent and ternalias(1) share about aliases:
 * - alias_parse splits an alias VALUE (the right side of an aliases(5)
 *   entry, the whole content of a .forward file, or the content of an
 *   :include: file) into items: addresses (possibly "\user": the user's
 *   own mailbox, no further expansion), "/file" and "/maildir/" paths,
 *   "|command" pipes and ":include:/path" lists. Elements are separated by
 *   commas and/or white space; a "double quoted" element may hold both; an
 *   unquoted "|command" runs to the next comma outside quotes or the end of
 *   its line, so "|/usr/bin/vacation joe" is one command; a line whose first
 *   non-blank character is '#' is a comment; "<addr>" loses its brackets.
 * - alias_file_read reads an aliases(5) source: "name: value" lines, lines
 *   that start with white space continue the previous one, '#' comment
 *   lines and blank lines are skipped; names are folded to lower case and
 *   every value must parse. alias_dict_source plugs this reader into the
 *   lookup tables (dict_build_source, dict_open_source, maps_open_source)
 *   so that hash:/path is built from an aliases file and texthash:/path
 *   reads one directly.
 * - alias_file_load opens a .forward or :include: file safely (no symbolic
 *   link, FIFO or device; right owner; not group- or world-writable; a safe
 *   directory) and returns its content read from the very fd it checked.
 * - alias_owner_name gives "owner-<name>", whose existence makes the agent
 *   rewrite the envelope sender of a list's mail. "<name>-request" has no
 *   special meaning here: it is an alias like any other.
 * Ownership: items and content are heap memory the caller frees
 * (alias_items_free, xfree). Errors: functions that can fail write one line
 * of clear text into the caller's err buffer (cut to its size), naming
 * file:line where there is one; nothing here is fatal except out of memory.
 * Not thread-safe: alias_dict_source keeps its error text in a static
 * buffer, and duplicate names are reported with log_warn. */
#ifndef TERN_MAIL_ALIAS_H
#define TERN_MAIL_ALIAS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct dict_source;

/* Most items one alias_items holds (an alias, a .forward, the items of all
 * the :include: files the caller collects into one list). */
#define ALIAS_ITEMS_MAX 1000
/* Longest element (address, path or command), in bytes. */
#define ALIAS_ITEM_MAX 4096
/* Longest alias name, in bytes. */
#define ALIAS_NAME_MAX 1024
/* Longest logical line (name and value) of an aliases(5) source. */
#define ALIAS_LINE_MAX (1024 * 1024)
/* Largest .forward or :include: file alias_file_load reads. */
#define ALIAS_FILE_MAX (64 * 1024)

enum alias_kind {
	ALIAS_ADDR,    /* an address, or a local user name */
	ALIAS_FILE,    /* "/path": append to a file; "/path/": a Maildir */
	ALIAS_PIPE,    /* "|command": text is the command, without the '|' */
	ALIAS_INCLUDE, /* ":include:/path": text is the absolute path */
};

struct alias_item {
	enum alias_kind kind;
	char *text; /* NUL-terminated, owned by the list */
	/* "\user": deliver to user's mailbox without further alias or
	 * .forward expansion (ALIAS_ADDR only; text is without the '\'). */
	int noexpand;
};

struct alias_items {
	struct alias_item *v;
	size_t n, cap;
};

/* Parse value and append its items to *out (zero it before first use). An
 * empty value, or one of comments only, adds nothing. Returns the number
 * of items added, or -1 with err set ("unterminated quoted string", "more
 * than 1000 items", ":include: needs an absolute path: x", ...) and *out
 * as it was before the call. */
int alias_parse(const char *value, struct alias_items *out, char *err,
    size_t errlen);

/* Free the items' text and the array, and leave *items empty (reusable). */
void alias_items_free(struct alias_items *items);

/* Name of a kind for log lines: "address", "file", "command", "include". */
const char *alias_kind_name(enum alias_kind kind);

/* Called by the file readers for each entry: name is folded to lower case
 * and unquoted, value is trimmed (continuation lines joined, each line
 * break dropped and the leading white space of the next line kept) and
 * parses with alias_parse; file and lineno give where the entry starts.
 * Return 0 to go on, 1 when name was already seen (the reader logs a
 * warning "file:line: duplicate alias name" and goes on), or -1 with err
 * set to stop the reader, which then fails with "file:line: " + err. */
typedef int alias_entry_fn(void *ctx, const char *name, const char *value,
    const char *file, unsigned long lineno, char *err, size_t errlen);

/* Read the aliases(5) source at path and call fn for each entry in file
 * order. Returns 0, or -1 with err set: open and read errors name the path
 * and strerror; syntax errors ("missing ':' after the alias name", "empty
 * alias name", "alias x has no value", a value that does not parse, a NUL
 * byte, a continuation line with nothing to continue, limits) name
 * path:line. */
int alias_file_read(const char *path, alias_entry_fn *fn, void *ctx, char *err,
    size_t errlen);

/* As alias_file_read, from an open stream; label names it in messages. */
int alias_stream_read(FILE *fp, const char *label, alias_entry_fn *fn,
    void *ctx, char *err, size_t errlen);

/* A lookup table source reader for aliases(5) files (see dict.h, struct
 * dict_source): pass &alias_dict_source to dict_build_source (ternalias
 * builds hash:/etc/aliases into /etc/aliases.db this way), dict_open_source
 * or maps_open_source (alias_maps with texthash: tables). Its error text
 * stays valid until the next read through it. */
extern const struct dict_source alias_dict_source;

/* What alias_file_load found. */
enum alias_load {
	ALIAS_LOAD_ERROR = -2,  /* an I/O error or EACCES: try again later */
	ALIAS_LOAD_UNSAFE = -1, /* refused: the reason is in why */
	ALIAS_LOAD_MISSING = 0, /* no such file (or directory): not an error */
	ALIAS_LOAD_OK = 1,      /* *content_r holds the file */
};

/* Check the containing directory too: it must be owned by owner or root
 * and not be writable by group or others unless its sticky bit is set (for
 * .forward: the user's home; for :include: files too when wanted). */
#define ALIAS_LOAD_CHECK_DIR 0x01

/* Open path (absolute) without following a symbolic link in its last
 * component and without blocking, and read it only if it is safe: a
 * regular file, owned by owner or root, not group- or world-writable,
 * with a single hard link unless owned by owner, at most ALIAS_FILE_MAX
 * bytes, no NUL byte. The checks and the read use the same descriptor, and
 * the file is opened relative to the directory that was checked, so
 * nothing can be swapped in between. Returns ALIAS_LOAD_OK with
 * *content_r (xmalloc'd, NUL-terminated; the caller frees it) and *len_r,
 * ALIAS_LOAD_MISSING, or ALIAS_LOAD_UNSAFE / ALIAS_LOAD_ERROR with why set
 * to a reason for a log line ("/home/joe/.forward: is a symbolic link",
 * "...: is writable by group or others", "...: owned by uid 1001, not by
 * 1000 or root", "/home/joe: directory writable by group or others").
 * The caller must already run as the user whose file it reads (a root
 * caller reads what a user could not). */
enum alias_load alias_file_load(const char *path, uid_t owner, int flags,
    char **content_r, size_t *len_r, char *why, size_t whylen);

/* The owner alias of a list: "owner-" + name, in buf. Returns buf, or NULL
 * when name is empty, already starts with "owner-" (no owner-owner-x), or
 * the result does not fit in len bytes. Never fails otherwise. */
const char *alias_owner_name(const char *name, char *buf, size_t len);

#endif
