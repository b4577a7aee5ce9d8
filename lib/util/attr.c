/* SPDX-License-Identifier: MIT */
/* attr - the named-attribute codec for requests between daemons. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/attr.h"
#include "util/mem.h"
#include "util/stream.h"

static int
put_string(struct stream *s, const char *p, size_t n)
{
	unsigned char len[4];
	int ret;

	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	if ((ret = stream_write(s, len, 4)) < 0)
		return ret;
	return stream_write(s, p, n);
}

int
attr_put(struct stream *s, const char *name, const char *value)
{
	int ret;

	if ((ret = put_string(s, name, strlen(name))) < 0)
		return ret;
	return put_string(s, value, strlen(value));
}

int
attr_put_long(struct stream *s, const char *name, long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", value);
	return attr_put(s, name, num);
}

int
attr_put_end(struct stream *s)
{
	return put_string(s, "", 0);
}

void
attr_list_clear(struct attr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		xfree(l->a[i].name);
		xfree(l->a[i].value);
	}
	xfree(l->a);
	l->a = NULL;
	l->n = l->cap = 0;
}

/* Append name and value (taken over, heap strings) to l. */
static void
list_append(struct attr_list *l, char *name, char *value, size_t vlen)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->a = xrealloc(l->a, l->cap * sizeof(*l->a));
	}
	l->a[l->n].name = name;
	l->a[l->n].value = value;
	l->a[l->n].vlen = vlen;
	l->n++;
}

void
attr_list_add(struct attr_list *l, const char *name, const char *value)
{
	list_append(l, xstrdup(name), xstrdup(value), strlen(value));
}

int
attr_put_list(struct stream *s, const struct attr_list *l)
{
	size_t i;
	int ret;

	for (i = 0; i < l->n; i++)
		if ((ret = attr_put(s, l->a[i].name, l->a[i].value)) < 0)
			return ret;
	return attr_put_end(s);
}

/* Read one length-prefixed string: 1 ok, 0 EOF at its very start, -1. */
static int
get_string(struct stream *s, char **p_r, size_t *n_r, int eof_ok,
    const char **error_r)
{
	unsigned char len[4];
	size_t n;
	int ret;

	/* Only an EOF before the very first byte is a clean end: a short
	 * read of the length itself is truncation. */
	ret = stream_read_exact(s, len, 1, error_r);
	if (ret == 0 && eof_ok)
		return 0;
	if (ret > 0)
		ret = stream_read_exact(s, len + 1, 3, error_r);
	if (ret <= 0) {
		if (ret == 0)
			*error_r = "unexpected end of input";
		return -1;
	}
	n = ((size_t)len[0] << 24) | ((size_t)len[1] << 16) |
	    ((size_t)len[2] << 8) | len[3];
	if (n > ATTR_MAX_LEN) {
		*error_r = "attribute too long";
		return -1;
	}
	*p_r = xmalloc(n + 1);
	if (n > 0 && (ret = stream_read_exact(s, *p_r, n, error_r)) <= 0) {
		if (ret == 0)
			*error_r = "unexpected end of input";
		xfree(*p_r);
		*p_r = NULL;
		return -1;
	}
	*n_r = n;
	return 1;
}

int
attr_recv(struct stream *s, struct attr_list *l, const char **error_r)
{
	int first = 1;

	attr_list_clear(l);
	for (;;) {
		char *name, *value;
		size_t nlen, vlen;
		int ret;

		ret = get_string(s, &name, &nlen, first, error_r);
		if (ret == 0)
			return 0;
		if (ret < 0)
			goto fail;
		first = 0;
		if (nlen == 0) {
			xfree(name);
			return 1;
		}
		if (memchr(name, 0, nlen) != NULL) {
			xfree(name);
			*error_r = "NUL in attribute name";
			goto fail;
		}
		if (get_string(s, &value, &vlen, 0, error_r) < 0) {
			xfree(name);
			goto fail;
		}
		/* Callers read values as C strings: a NUL would cut one
		 * short without a word (a recipient, a path), so it is an
		 * error, as in a name. */
		if (memchr(value, 0, vlen) != NULL) {
			xfree(name);
			xfree(value);
			*error_r = "NUL in attribute value";
			goto fail;
		}
		if (l->n >= ATTR_MAX_COUNT) {
			xfree(name);
			xfree(value);
			*error_r = "too many attributes";
			goto fail;
		}
		list_append(l, name, value, vlen);
	}
fail:
	attr_list_clear(l);
	return -1;
}

const char *
attr_get(const struct attr_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->a[i].name, name) == 0)
			return l->a[i].value;
	return NULL;
}

int
attr_get_long(const struct attr_list *l, const char *name, long *v_r)
{
	const struct attr *a = NULL;
	const char *v;
	char *end;
	size_t i;
	long n;

	for (i = 0; i < l->n && a == NULL; i++)
		if (strcmp(l->a[i].name, name) == 0)
			a = &l->a[i];
	if (a == NULL)
		return -1;
	v = a->value;
	/* strtol would skip white space and a '+', and a NUL inside the
	 * value would hide what follows it: accept only [-]digits. */
	if (*v != '-' && (*v < '0' || *v > '9'))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != 0 || (size_t)(end - v) != a->vlen)
		return -1;
	*v_r = n;
	return 0;
}
