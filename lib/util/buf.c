/* SPDX-License-Identifier: MIT */
/* buf - binary-safe, growable byte buffers with a hard maximum. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#define BUF_INITIAL 64

void
buf_init(struct buf *b, size_t max)
{
	if (max == 0)
		log_panic("buf_init: a buffer needs a maximum");
	b->cap = max < BUF_INITIAL ? max + 1 : BUF_INITIAL;
	b->data = xmalloc(b->cap);
	b->len = 0;
	b->max = max;
}

void
buf_deinit(struct buf *b)
{
	xfree(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

struct buf *
buf_create(size_t max)
{
	struct buf *b = xmalloc(sizeof(*b));

	buf_init(b, max);
	return b;
}

void
buf_destroy(struct buf **bp)
{
	if (*bp == NULL)
		return;
	buf_deinit(*bp);
	xfree(*bp);
	*bp = NULL;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = 0;
}

void
buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = 0;
	}
}

/* Make room for need more bytes plus the safety NUL. */
static int
buf_reserve(struct buf *b, size_t need)
{
	size_t want, cap;

	if (__builtin_add_overflow(b->len, need, &want) || want > b->max)
		return -1;
	if (want < b->cap)
		return 0;
	cap = b->cap;
	while (cap <= want)
		cap = cap > b->max / 2 ? b->max + 1 : cap * 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_append(b, &ch, 1);
}

int
buf_set(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > b->max)
		return -1;
	buf_reset(b);
	return buf_append(b, s, n);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->data[b->len] = 0;
		return -1;
	}
	if ((size_t)n < b->cap - b->len) {
		if (b->len + (size_t)n > b->max) {
			b->data[b->len] = 0;
			return -1;
		}
		b->len += (size_t)n;
		return 0;
	}
	if (buf_reserve(b, (size_t)n) < 0) {
		b->data[b->len] = 0;
		return -1;
	}
	va_copy(aq, ap);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return ret;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = 0;
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data;

	b->cap = b->max < BUF_INITIAL ? b->max + 1 : BUF_INITIAL;
	b->data = xmalloc(b->cap);
	b->len = 0;
	return p;
}
