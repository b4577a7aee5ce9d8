/* domain_list - match a domain against a list such as mydestination or
 * virtual_mailbox_domains.
 * Concepts: the list holds items separated by commas and/or white space
 * (braces of inline:{...} protect theirs, see dict_list_next): plain
 * domain names, matched exactly and without regard to case; "type:name"
 * lookup tables, in which the domain is looked up as the key (the value is
 * ignored); and "/absolute/path" files that hold more plain domain names,
 * separated by white space or commas, with "#" comment lines. A domain
 * matches when any item matches it. There is no parent-domain or "!"
 * negation matching.
 * Ownership: domain_list_create returns a heap object (with its tables)
 * released by domain_list_destroy. Errors: -1 with *error_r set; texts are
 * dict's (valid until the next dict_open) or from a module buffer (valid
 * until the next domain_list_create), and match errors come from the
 * tables (valid until the next match). Nothing here is fatal except out of
 * memory. Not thread-safe. */
#ifndef TERN_MAIL_DOMAIN_LIST_H
#define TERN_MAIL_DOMAIN_LIST_H

struct domain_list;

/* Parse spec and open its tables and files. default_type is handed to
 * dict_open for table items (which always name their type, so it only
 * matters to future item forms). Returns 0 with *dl_r set, or -1 with
 * *error_r set: unbalanced braces, a table that cannot be opened, an
 * unreadable file (path and strerror), a bad domain name in a file
 * (path:line). An empty spec gives a list that matches nothing. */
int domain_list_create(const char *spec, const char *default_type,
    struct domain_list **dl_r, const char **error_r);

/* Returns 1 when domain matches an item, 0 when none does (an empty
 * domain never matches), or -1 with *error_r set when a table failed
 * before a match was found. */
int domain_list_match(struct domain_list *dl, const char *domain,
    const char **error_r);

/* Free the list and its tables and set *dlp to NULL; NULL is allowed. */
void domain_list_destroy(struct domain_list **dlp);

#endif
