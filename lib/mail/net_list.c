/* SPDX-License-Identifier: MIT */
/* net_list - client network lists. See net_list.h. */
#include <stdio.h>
#include <string.h>

#include "mail/net_list.h"
#include "util/cidr.h"
#include "util/dict.h"
#include "util/log.h"
#include "util/mem.h"

/* "type:/path" or "type:{...}", not an IPv6 pattern. */
static int
looks_like_table(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");

	return n > 0 && s[n] == ':' && (s[n + 1] == '/' || s[n + 1] == '{');
}

int
net_list_parse(struct net_list *l, const char *name, const char *spec,
    const char **error_r)
{
	static char error_buf[1024];
	const char *cursor = spec, *item, *why = "", *cwhy;
	size_t len;
	struct cidr c;
	struct dict *d;
	char *s;
	int rc;

	while ((rc = dict_list_next(&cursor, &item, &len, &why)) > 0) {
		s = xstrndup(item, len);
		if (cidr_parse(s, &c, &cwhy) == 0) {
			l->pat =
			    xrealloc(l->pat, (l->npat + 1) * sizeof(*l->pat));
			l->pat[l->npat++] = c;
		} else if (looks_like_table(s) &&
		    dict_open(s, NULL, &d, &why) == 0) {
			l->tables = xrealloc(l->tables,
			    (l->ntables + 1) * sizeof(*l->tables));
			l->tables[l->ntables++] = d;
		} else {
			/* Not a pattern; a table's error when it looked
			 * like one ("cidr:/missing"). */
			snprintf(error_buf, sizeof(error_buf), "%s: \"%s\": %s",
			    name, s, looks_like_table(s) ? why : cwhy);
			*error_r = error_buf;
			xfree(s);
			net_list_free(l);
			return -1;
		}
		xfree(s);
	}
	if (rc < 0) {
		snprintf(error_buf, sizeof(error_buf), "%s: %s", name, why);
		*error_r = error_buf;
		net_list_free(l);
		return -1;
	}
	return 0;
}

int
net_list_match(const struct net_list *l, const char *name, const char *addr)
{
	const char *value, *why;
	int rc;

	for (size_t i = 0; i < l->npat; i++)
		if (cidr_match(&l->pat[i], addr))
			return 1;
	for (size_t i = 0; i < l->ntables; i++) {
		rc = dict_lookup(l->tables[i], addr, &value, &why);
		if (rc < 0) {
			log_warn("%s: %s lookup of %s: %s", name,
			    dict_spec(l->tables[i]), addr, why);
			return -1;
		}
		if (rc > 0)
			return 1;
	}
	return 0;
}

void
net_list_free(struct net_list *l)
{
	for (size_t i = 0; i < l->ntables; i++)
		dict_close(&l->tables[i]);
	xfree(l->tables);
	xfree(l->pat);
	memset(l, 0, sizeof(*l));
}
