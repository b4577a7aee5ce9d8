/* store_err - error text for the store modules that report through a
 * struct buf (uidlist, mailbox). Internal to lib/store. */
#ifndef TERN_STORE_STORE_ERR_H
#define TERN_STORE_STORE_ERR_H

struct buf;

/* Replace err's text with the printf output (%m allowed); err may be NULL
 * (nothing is kept). Returns -1, for "return store_err(...)". */
int store_err(struct buf *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
