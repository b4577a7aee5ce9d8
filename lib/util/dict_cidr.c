/* SPDX-License-Identifier: MIT */
/* dict_cidr - cidr:/path tables: client addresses matched against network
 * patterns, as Postfix's cidr_table(5). Each line of the file is "pattern
 * result" (cidr.h patterns); a lookup key that is an address gets the
 * result of the first pattern, in file order, that contains it. The file
 * is read once at open: a bad pattern is an error naming path:line, since
 * a skipped line could turn an access rule around. */
#include <string.h>

#include "util/cidr.h"
#include "util/dict.h"
#include "util/dict_impl.h"
#include "util/mem.h"

struct cidr_entry {
	struct cidr net;
	char *value;
};

struct dict_cidr {
	struct dict d;
	struct cidr_entry *e;
	size_t n;
};

static int
cidr_add(void *ctx, const char *key, const char *value, const char *where,
    const char **error_r)
{
	struct dict_cidr *t = ctx;
	struct cidr net;
	const char *why;

	if (cidr_parse(key, &net, &why) < 0) {
		*error_r = dict_error("%s: bad network pattern \"%s\": %s",
		    where, key, why);
		return -1;
	}
	t->e = xrealloc(t->e, (t->n + 1) * sizeof(*t->e));
	t->e[t->n].net = net;
	t->e[t->n++].value = xstrdup(value);
	return 0;
}

static int
cidr_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r)
{
	struct dict_cidr *t = (struct dict_cidr *)d;

	(void)error_r;
	for (size_t i = 0; i < t->n; i++) {
		if (cidr_match(&t->e[i].net, key)) {
			*value_r = t->e[i].value;
			return 1;
		}
	}
	return 0;
}

static void
cidr_close(struct dict *d)
{
	struct dict_cidr *t = (struct dict_cidr *)d;

	for (size_t i = 0; i < t->n; i++)
		xfree(t->e[i].value);
	xfree(t->e);
}

struct dict *
dict_cidr_open(const char *name, const char **error_r)
{
	struct dict_cidr tmp, *t;

	memset(&tmp, 0, sizeof(tmp));
	if (dict_text_parse(name, cidr_add, &tmp, error_r) < 0) {
		cidr_close(&tmp.d);
		return NULL;
	}
	t = (struct dict_cidr *)dict_alloc(sizeof(*t));
	t->e = tmp.e;
	t->n = tmp.n;
	t->d.lookup = cidr_lookup;
	t->d.close = cidr_close;
	return &t->d;
}
