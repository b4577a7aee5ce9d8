/* net_list - a list of client networks in Postfix's syntax, for mynetworks
 * and the lists like it (smtpd_client_event_limit_exceptions): CIDR
 * patterns and bare addresses ("127.0.0.0/8", "[::1]/128", "192.0.2.7")
 * and lookup tables ("cidr:/etc/tern/clients"), separated by commas or
 * white space. A client matches when a pattern covers its address or a
 * table has its address as a key. Tables are opened by net_list_parse
 * (before a chroot) and closed by net_list_free. */
#ifndef TERN_MAIL_NET_LIST_H
#define TERN_MAIL_NET_LIST_H

#include <stddef.h>

struct cidr;
struct dict;

struct net_list {
	struct cidr *pat;
	size_t npat;
	struct dict **tables;
	size_t ntables;
};

/* Parse spec, the value of the parameter called name, into *l (which must
 * be empty: zeroed or freed). Returns 0, or -1 with *error_r set (static,
 * naming the parameter and the item) and *l empty. */
int net_list_parse(struct net_list *l, const char *name, const char *spec,
    const char **error_r);
/* 1 when addr is in the list, 0 when not, -1 when a table failed (logged
 * as a warning naming the parameter name, the table and addr). */
int
net_list_match(const struct net_list *l, const char *name, const char *addr);
/* Free the patterns, close the tables; *l becomes empty. */
void net_list_free(struct net_list *l);

#endif
