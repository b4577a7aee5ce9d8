/* folder_impl - what the folder modules share (folder.c: names and
 * patterns; folder_list.c; folder_ops.c: create, delete, rename;
 * folder_subs.c: subscriptions). Internal to lib/store. */
#ifndef TERN_STORE_FOLDER_IMPL_H
#define TERN_STORE_FOLDER_IMPL_H

#include <stddef.h>

struct buf;

/* The bound of a buffer that holds a name while it is checked or
 * converted: FOLDER_NAME_MAX bytes of input, a UTF-8 name from a storage
 * name of FOLDER_STORAGE_MAX (at most 9 bytes of UTF-8 for 8 of base64),
 * and room to find a storage name too long (anything past
 * FOLDER_STORAGE_MAX is refused, so a conversion cut at this bound
 * fails only what is refused anyway). */
#define FOLDER_NAME_BUF (FOLDER_NAME_MAX * 2)

/* folder_create's flag for folder_make_defaults: nothing fsync'ed (see
 * there). */
#define FOLDER_UNSYNCED 0x100

/* A bounded list of strings (at most FOLDER_COUNT_MAX), owned. */
struct folder_names {
	char **v;
	size_t n, cap;
};

/* Add a copy of the len bytes at s. Returns 0, or -1 when the list holds
 * FOLDER_COUNT_MAX already. */
int folder_names_add(struct folder_names *l, const char *s, size_t len);
/* Sort in byte order, dropping duplicates. */
void folder_names_sort(struct folder_names *l);
void folder_names_free(struct folder_names *l);

/* Replace err's text (may be NULL) with the printf output (%m allowed)
 * and return code, for "return folder_fail(...)". */
int folder_fail(struct buf *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add to out the storage names of maildir's folder directories: entries
 * "." + storage (not "." or ".."), directories (symbolic links
 * followed, as Dovecot does), holding cur/ when need_cur. A missing
 * maildir has none. Returns 0, or FOLDER_ERROR with out freed. */
int folder_scan(const char *maildir, int need_cur, struct folder_names *out,
    struct buf *err);

/* Add to out the storage names in maildir's subscriptions file, in its
 * order (see folder.h). No file: none. Returns 0, or FOLDER_ERROR with
 * out freed. */
int folder_subs_read(const char *maildir, struct folder_names *out,
    struct buf *err);

/* Replace path with "<maildir>/.<storage>", or maildir for "INBOX".
 * Returns 0, or FOLDER_ERROR when it is too long. */
int folder_storage_path(const char *maildir, const char *storage,
    struct buf *path, struct buf *err);

#endif
