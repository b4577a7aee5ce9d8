/* buf - binary-safe, growable byte buffers with a hard maximum.
 * A struct buf holds len bytes at data, always followed by a NUL that is not
 * counted, so data may be used as a C string when it holds no NUL. Growth is
 * automatic up to max bytes (fixed at creation; 0 means BUF_UNLIMITED is not
 * allowed: every buffer has a bound). Appending past max appends nothing and
 * returns -1, leaving the buffer unchanged. The struct buf handle stays put
 * when data moves, so keep the handle, never a pointer into data across an
 * append. Allocation failure is fatal (see mem.h). Not thread-safe. */
#ifndef TERN_UTIL_BUF_H
#define TERN_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* A generous bound for internally built strings that carry no peer input. */
#define BUF_MAX_INTERNAL ((size_t)64 * 1024 * 1024)

struct buf {
	char *data; /* len bytes, then a NUL */
	size_t len;
	size_t cap; /* allocated bytes, > len */
	size_t max; /* hard limit on len */
};

/* Heap buffer / embedded buffer holding at most max bytes. Never fail. */
struct buf *buf_create(size_t max);
void buf_destroy(struct buf **bp);
void buf_init(struct buf *b, size_t max);
void buf_deinit(struct buf *b);

/* Empty the buffer (keeps its memory). */
void buf_reset(struct buf *b);
/* Shorten to n bytes (no-op when n >= len). */
void buf_truncate(struct buf *b, size_t n);
/* Append n bytes / a C string / one byte / printf output.
 * Return 0, or -1 when the result would exceed max (nothing appended). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Replace the contents with a copy of s. Returns 0 or -1 as buf_append. */
int buf_set(struct buf *b, const char *s);
/* Remove the first n bytes (n > len empties it). */
void buf_consume(struct buf *b, size_t n);
/* Take ownership of the data (NUL-terminated, caller frees with xfree);
 * the buffer is left empty. */
char *buf_steal(struct buf *b);

static inline const char *
buf_cstr(const struct buf *b)
{
	return b->data;
}

static inline size_t
buf_len(const struct buf *b)
{
	return b->len;
}

#endif
