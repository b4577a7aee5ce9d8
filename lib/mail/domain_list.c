/* SPDX-License-Identifier: MIT */
/* domain_list - match a domain against names, tables and files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/domain_list.h"
#include "util/dict.h"
#include "util/mem.h"

struct domain_list {
	char **names; /* lower case, sorted after create */
	size_t name_count, name_cap;
	struct dict **dicts;
	size_t dict_count, dict_cap;
};

static char dl_errbuf[1024];

static void
add_name(struct domain_list *dl, const char *p, size_t len)
{
	char *name = xstrndup(p, len), *s;

	for (s = name; *s != 0; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
	if (dl->name_count == dl->name_cap) {
		dl->name_cap = dl->name_cap == 0 ? 8 : dl->name_cap * 2;
		dl->names =
		    xrealloc(dl->names, dl->name_cap * sizeof(*dl->names));
	}
	dl->names[dl->name_count++] = name;
}

static void
add_dict(struct domain_list *dl, struct dict *d)
{
	if (dl->dict_count == dl->dict_cap) {
		dl->dict_cap = dl->dict_cap == 0 ? 4 : dl->dict_cap * 2;
		dl->dicts =
		    xrealloc(dl->dicts, dl->dict_cap * sizeof(*dl->dicts));
	}
	dl->dicts[dl->dict_count++] = d;
}

/* "type:" prefix as dict_open recognises it. */
static int
has_type(const char *p, size_t len)
{
	size_t n = strspn(p,
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n > 0 && n < len && p[n] == ':';
}

/* A plain name must not look like a table, a file or a pattern that we
 * do not support (Postfix's "!" negation): better refuse than ignore. */
static int
check_name(const char *p, size_t len, const char *where, const char **error_r)
{
	if (*p == '!' || *p == '/' || memchr(p, ':', len) != NULL ||
	    memchr(p, '{', len) != NULL || memchr(p, '}', len) != NULL) {
		snprintf(dl_errbuf, sizeof(dl_errbuf),
		    "%s%s\"%.*s\" is not "
		    "a domain name",
		    where, *where ? ": " : "", (int)(len > 200 ? 200 : len), p);
		*error_r = dl_errbuf;
		return -1;
	}
	return 0;
}

static int
read_file(struct domain_list *dl, const char *path, const char **error_r)
{
	FILE *fp;
	char *line = NULL, where[512];
	size_t size = 0, len;
	unsigned long lineno = 0;
	const char *cursor, *item;
	int ret = 0;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(dl_errbuf, sizeof(dl_errbuf), "open %s: %s", path,
		    strerror(errno));
		*error_r = dl_errbuf;
		return -1;
	}
	while (ret == 0 && getline(&line, &size, fp) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%.480s:%lu", path, lineno);
		cursor = line + strspn(line, " \t\r\n");
		if (*cursor == '#')
			continue;
		while (ret == 0 &&
		    (ret = dict_list_next(&cursor, &item, &len, error_r)) > 0) {
			ret = check_name(item, len, where, error_r);
			if (ret == 0)
				add_name(dl, item, len);
		}
		if (ret < 0 && *error_r != dl_errbuf) {
			snprintf(dl_errbuf, sizeof(dl_errbuf), "%s: %s", where,
			    *error_r);
			*error_r = dl_errbuf;
		}
	}
	if (ret == 0 && ferror(fp)) {
		snprintf(dl_errbuf, sizeof(dl_errbuf), "read %s: %s", path,
		    strerror(errno));
		*error_r = dl_errbuf;
		ret = -1;
	}
	free(line);
	fclose(fp);
	return ret;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
domain_list_create(const char *spec, const char *default_type,
    struct domain_list **dl_r, const char **error_r)
{
	struct domain_list *dl = xmalloc(sizeof(*dl));
	const char *cursor = spec, *item;
	size_t len;
	int ret;

	*dl_r = NULL;
	while ((ret = dict_list_next(&cursor, &item, &len, error_r)) > 0) {
		char *copy = xstrndup(item, len);
		struct dict *d;

		if (*copy == '/') {
			ret = read_file(dl, copy, error_r);
		} else if (has_type(copy, len)) {
			ret = dict_open(copy, default_type, &d, error_r);
			if (ret == 0)
				add_dict(dl, d);
		} else {
			ret = check_name(copy, len, "", error_r);
			if (ret == 0)
				add_name(dl, copy, len);
		}
		xfree(copy);
		if (ret < 0)
			break;
	}
	if (ret < 0) {
		domain_list_destroy(&dl);
		return -1;
	}
	if (dl->name_count > 0)
		qsort(dl->names, dl->name_count, sizeof(*dl->names), cmp_names);
	*dl_r = dl;
	return 0;
}

int
domain_list_match(struct domain_list *dl, const char *domain,
    const char **error_r)
{
	char folded[1024], *s;
	const char *key = folded, *value;
	size_t i, len = strlen(domain);
	int ret;

	if (len == 0 || len >= sizeof(folded))
		return 0;
	memcpy(folded, domain, len + 1);
	for (s = folded; *s != 0; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
	if (dl->name_count > 0 &&
	    bsearch(&key, dl->names, dl->name_count, sizeof(*dl->names),
		cmp_names) != NULL)
		return 1;
	for (i = 0; i < dl->dict_count; i++) {
		if ((ret = dict_lookup(dl->dicts[i], domain, &value,
			 error_r)) != 0)
			return ret;
	}
	return 0;
}

void
domain_list_destroy(struct domain_list **dlp)
{
	struct domain_list *dl = *dlp;
	size_t i;

	if (dl == NULL)
		return;
	for (i = 0; i < dl->name_count; i++)
		xfree(dl->names[i]);
	for (i = 0; i < dl->dict_count; i++)
		dict_close(&dl->dicts[i]);
	xfree(dl->names);
	xfree(dl->dicts);
	xfree(dl);
	*dlp = NULL;
}
