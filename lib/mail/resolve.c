/* SPDX-License-Identifier: MIT */
/* resolve - where a recipient goes: virtual aliases and address classes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "conf/params.h"
#include "mail/addr.h"
#include "mail/alias.h"
#include "mail/domain_list.h"
#include "mail/resolve.h"
#include "util/buf.h"
#include "util/dict.h"
#include "util/log.h"
#include "util/maps.h"
#include "util/mem.h"

static struct maps *alias_maps, *mailbox_maps, *uid_maps, *gid_maps;
static struct maps *transport_maps;
static struct domain_list *mailbox_domains, *local_domains;
static struct maps *local_rcpt_maps, *local_alias_maps;

/* The lists that resolve_init_lenient() could not open, by parameter:
 * the logged text, NULL when open. A lookup through one fails. */
enum {
	U_ALIAS,
	U_MAILBOX,
	U_UID,
	U_GID,
	U_DOMAINS,
	U_TRANSPORT,
	U_LOCAL_DOMAINS,
	U_LOCAL_RCPT,
	U_LOCAL_ALIAS,
	U_COUNT
};
static char *unavail[U_COUNT];

static void set_error(struct resolve_error *err, int code, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
set_error(struct resolve_error *err, int code, const char *dsn, const char *fmt,
    ...)
{
	va_list ap;

	err->code = code;
	snprintf(err->dsn, sizeof(err->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* A table failed: the client may try again later (451 4.3.0, Postfix's
 * "<addr>: Temporary lookup failure"). */
static void
table_error(struct resolve_error *err, const char *param, const char *why,
    const char *addr)
{
	log_warn("%s lookup error for <%s>: %s", param, addr, why);
	set_error(err, 451, "4.3.0", "<%s>: Temporary lookup failure", addr);
}

/* 1 after a table_error() when the list of param could not be opened. */
static int
table_unavailable(int which, const char *param, const char *addr,
    struct resolve_error *err)
{
	if (unavail[which] == NULL)
		return 0;
	table_error(err, param, unavail[which], addr);
	return 1;
}

/* "hash:/etc/tern/virtual is unavailable. open database ...: No such file
 * or directory" (Postfix's shape), naming the first table of list that
 * does not open, or the parameter when no single table is to blame.
 * In a domain list only "type:name" items are tables. */
static char *
unavailable_text(const char *param, const char *list, int domains,
    const char *why)
{
	const char *cursor = list, *item, *error;
	char *reason = xstrdup(why), *blame = NULL, *text;
	struct buf b;
	size_t len;

	while (
	    blame == NULL && dict_list_next(&cursor, &item, &len, &error) > 0) {
		char *spec = xstrndup(item, len);
		struct dict *d;

		if (!domains || (strchr(spec, ':') != NULL && *spec != '/')) {
			if (dict_open(spec, var_db_type, &d, &error) < 0) {
				blame = spec;
				continue;
			}
			dict_close(&d);
		}
		xfree(spec);
	}
	buf_init(&b, BUF_MAX_INTERNAL);
	buf_printf(&b, "%s is unavailable. %s", blame ? blame : param, reason);
	text = buf_steal(&b);
	buf_deinit(&b);
	xfree(blame);
	xfree(reason);
	return text;
}

int
resolve_open(const char **error_r)
{
	static char msg[1024];
	const char *why = NULL;
	const char *what = NULL;

	resolve_close();
	if (maps_open(var_virt_alias_maps, var_db_type, &alias_maps, &why) < 0)
		what = VAR_VIRT_ALIAS_MAPS;
	else if (maps_open(var_virt_mailbox_maps, var_db_type, &mailbox_maps,
		     &why) < 0)
		what = VAR_VIRT_MAILBOX_MAPS;
	else if (maps_open(var_virt_uid_maps, var_db_type, &uid_maps, &why) < 0)
		what = VAR_VIRT_UID_MAPS;
	else if (maps_open(var_virt_gid_maps, var_db_type, &gid_maps, &why) < 0)
		what = VAR_VIRT_GID_MAPS;
	else if (domain_list_create(var_virt_mailbox_domains, var_db_type,
		     &mailbox_domains, &why) < 0)
		what = VAR_VIRT_MAILBOX_DOMAINS;
	else if (maps_open(var_transport_maps, var_db_type, &transport_maps,
		     &why) < 0)
		what = VAR_TRANSPORT_MAPS;
	else if (domain_list_create(var_mydestination, var_db_type,
		     &local_domains, &why) < 0)
		what = VAR_MYDESTINATION;
	else if (maps_open(var_local_rcpt_maps, var_db_type, &local_rcpt_maps,
		     &why) < 0)
		what = VAR_LOCAL_RCPT_MAPS;
	else if (maps_open_source(var_alias_maps, var_db_type,
		     &alias_dict_source, &local_alias_maps, &why) < 0)
		what = VAR_ALIAS_MAPS;
	if (what != NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", what, why);
		*error_r = msg;
		return -1;
	}
	return 0;
}

void
resolve_init(void)
{
	const char *error;

	if (resolve_open(&error) < 0)
		log_fatal("%s", error);
}

void
resolve_init_lenient(void)
{
	const struct {
		const char *param, *list;
		struct maps **maps;
	} lists[] = {
		[U_ALIAS] = { VAR_VIRT_ALIAS_MAPS, var_virt_alias_maps,
		    &alias_maps },
		[U_MAILBOX] = { VAR_VIRT_MAILBOX_MAPS, var_virt_mailbox_maps,
		    &mailbox_maps },
		[U_UID] = { VAR_VIRT_UID_MAPS, var_virt_uid_maps, &uid_maps },
		[U_GID] = { VAR_VIRT_GID_MAPS, var_virt_gid_maps, &gid_maps },
		[U_DOMAINS] = { NULL, NULL, NULL },
		[U_TRANSPORT] = { VAR_TRANSPORT_MAPS, var_transport_maps,
		    &transport_maps },
		[U_LOCAL_DOMAINS] = { NULL, NULL, NULL },
		[U_LOCAL_RCPT] = { VAR_LOCAL_RCPT_MAPS, var_local_rcpt_maps,
		    &local_rcpt_maps },
		[U_LOCAL_ALIAS] = { VAR_ALIAS_MAPS, var_alias_maps,
		    &local_alias_maps },
	};
	const char *why;
	size_t i;

	resolve_close();
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (lists[i].maps == NULL)
			continue;
		if (maps_open_source(lists[i].list, var_db_type,
			i == U_LOCAL_ALIAS ? &alias_dict_source : NULL,
			lists[i].maps, &why) == 0)
			continue;
		unavail[i] =
		    unavailable_text(lists[i].param, lists[i].list, 0, why);
		log_warn("%s", unavail[i]);
	}
	if (domain_list_create(var_virt_mailbox_domains, var_db_type,
		&mailbox_domains, &why) < 0) {
		unavail[U_DOMAINS] = unavailable_text(VAR_VIRT_MAILBOX_DOMAINS,
		    var_virt_mailbox_domains, 1, why);
		log_warn("%s", unavail[U_DOMAINS]);
	}
	if (domain_list_create(var_mydestination, var_db_type, &local_domains,
		&why) < 0) {
		unavail[U_LOCAL_DOMAINS] = unavailable_text(VAR_MYDESTINATION,
		    var_mydestination, 1, why);
		log_warn("%s", unavail[U_LOCAL_DOMAINS]);
	}
}

void
resolve_close(void)
{
	size_t i;

	for (i = 0; i < U_COUNT; i++) {
		xfree(unavail[i]);
		unavail[i] = NULL;
	}
	maps_close(&alias_maps);
	maps_close(&mailbox_maps);
	maps_close(&uid_maps);
	maps_close(&gid_maps);
	maps_close(&transport_maps);
	maps_close(&local_rcpt_maps);
	maps_close(&local_alias_maps);
	domain_list_destroy(&mailbox_domains);
	domain_list_destroy(&local_domains);
}

void
resolve_list_free(struct resolve_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		xfree(l->addr[i]);
	xfree(l->addr);
	l->addr = NULL;
	l->n = l->cap = 0;
}

void
resolve_list_add(struct resolve_list *l, const char *addr)
{
	size_t i;

	/* Duplicates collapse: one delivery per final address. */
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->addr[i], addr) == 0)
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->addr = xrealloc(l->addr, l->cap * sizeof(char *));
	}
	l->addr[l->n++] = xstrdup(addr);
}

/* Turn one item of an alias value into a canonical address: a bare local
 * part is qualified with $myorigin, and the extension that the lookup
 * stripped is carried over (Postfix's propagate_unmatched_extensions). */
static int
alias_item(const char *item, size_t len, const char *ext, struct buf *out)
{
	struct buf local;
	int ret = -1;
	const char *error;

	buf_reset(out);
	if (memchr(item, '@', len) == NULL) {
		struct buf q;

		buf_init(&q, 1024);
		if (buf_append(&q, item, len) == 0 &&
		    buf_printf(&q, "@%s", var_myorigin) == 0)
			ret = addr_parse_addr_spec(q.data, q.len, out, &error);
		buf_deinit(&q);
	} else {
		ret = addr_parse_addr_spec(item, len, out, &error);
	}
	if (ret < 0 || *ext == 0 || *var_rcpt_delim == 0)
		return ret;
	buf_init(&local, 1024);
	if (addr_local_part(buf_cstr(out), &local) == 0 &&
	    strchr(buf_cstr(&local), var_rcpt_delim[0]) == NULL &&
	    buf_printf(&local, "%c%s", var_rcpt_delim[0], ext) == 0) {
		struct buf dom;

		buf_init(&dom, 1024);
		buf_puts(&dom, addr_domain(buf_cstr(out)));
		ret = addr_quote(buf_cstr(&local), buf_cstr(&dom), out);
		buf_deinit(&dom);
	}
	buf_deinit(&local);
	return ret;
}

static int
expand(const char *addr, int depth, struct resolve_list *out,
    struct resolve_error *err)
{
	const char *value, *why, *p;
	struct buf ext, item;
	char *copy;
	int ret;

	if (depth > var_virt_recur_limit) {
		set_error(err, 554, "5.4.6",
		    "<%s>: virtual alias recursion "
		    "limit exceeded (mail forwarding loop)",
		    addr);
		return -1;
	}
	if (table_unavailable(U_ALIAS, VAR_VIRT_ALIAS_MAPS, addr, err))
		return -1;
	buf_init(&ext, 1024);
	ret = addr_map_lookup(alias_maps, addr, var_rcpt_delim,
	    ADDR_LOOKUP_CATCHALL, &value, &ext, &why);
	if (ret < 0) {
		table_error(err, VAR_VIRT_ALIAS_MAPS, why, addr);
		buf_deinit(&ext);
		return -1;
	}
	if (ret == 0) {
		resolve_list_add(out, addr);
		buf_deinit(&ext);
		goto check;
	}
	/* value is only valid until the next lookup: copy it. */
	copy = xstrdup(value);
	buf_init(&item, 1024);
	for (p = copy; *p != 0;) {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == 0)
			break;
		if (alias_item(p, len, buf_cstr(&ext), &item) < 0) {
			log_warn("%s: bad address \"%s\" in the value for %s",
			    VAR_VIRT_ALIAS_MAPS, log_str(copy), addr);
			set_error(err, 451, "4.3.0",
			    "<%s>: bad virtual alias "
			    "table entry",
			    addr);
			ret = -1;
			break;
		}
		p += len;
		/* An alias that names itself is final (virtual(5)). */
		if (strcasecmp(buf_cstr(&item), addr) == 0)
			resolve_list_add(out, addr);
		else if ((ret = expand(buf_cstr(&item), depth + 1, out, err)) <
		    0)
			break;
		ret = 0;
	}
	buf_deinit(&item);
	buf_deinit(&ext);
	xfree(copy);
	if (ret < 0)
		return -1;
check:
	if ((long)out->n > var_virt_expan_limit) {
		set_error(err, 554, "5.7.1",
		    "<%s>: virtual alias expansion "
		    "limit exceeded",
		    addr);
		return -1;
	}
	return 0;
}

int
resolve_alias(const char *addr, struct resolve_list *out,
    struct resolve_error *err)
{
	return expand(addr, 0, out, err);
}

static int
is_my_name(const char *domain)
{
	return strcasecmp(domain, var_myhostname) == 0 ||
	    strcasecmp(domain, var_mydomain) == 0 ||
	    strcasecmp(domain, var_myorigin) == 0;
}

int
resolve_local_user(const char *addr, struct buf *user_r, struct buf *ext_r)
{
	size_t n;
	char *p;

	buf_reset(ext_r);
	if (addr_local_part(addr, user_r) < 0 || user_r->len == 0)
		return -1;
	for (p = user_r->data; *p != 0; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* The extension starts at the first delimiter character after at
	 * least one other character (as addr_map_lookup splits). */
	if (*var_rcpt_delim != 0 && user_r->len > 1 &&
	    (n = strcspn(user_r->data + 1, var_rcpt_delim)) + 1 < user_r->len) {
		buf_puts(ext_r, user_r->data + n + 2);
		user_r->data[n + 1] = 0;
		user_r->len = n + 1;
	}
	return 0;
}

/* Look a local user up in m: "user+ext" first when there is an
 * extension, then "user" (Postfix's order for local tables). */
static int
local_find(struct maps *m, const struct buf *user, const struct buf *ext,
    const char **value_r, const char **why_r)
{
	int ret = 0;

	if (ext->len > 0) {
		struct buf full;

		buf_init(&full, 1024);
		buf_printf(&full, "%s%c%s", user->data, var_rcpt_delim[0],
		    ext->data);
		ret = maps_find(m, full.data, value_r, why_r);
		buf_deinit(&full);
	}
	if (ret == 0)
		ret = maps_find(m, user->data, value_r, why_r);
	return ret;
}

int
resolve_local_alias(const char *user, const char *ext, char **value_r,
    struct resolve_error *err)
{
	struct buf u, e;
	const char *value, *why;
	int ret;

	if (table_unavailable(U_LOCAL_ALIAS, VAR_ALIAS_MAPS, user, err))
		return -1;
	buf_init(&u, 1024);
	buf_init(&e, 1024);
	buf_puts(&u, user);
	buf_puts(&e, ext);
	ret = local_find(local_alias_maps, &u, &e, &value, &why);
	buf_deinit(&u);
	buf_deinit(&e);
	if (ret < 0)
		table_error(err, VAR_ALIAS_MAPS, why, user);
	else if (ret > 0)
		*value_r = xstrdup(value);
	return ret;
}

/* An address of a domain in mydestination: a known user when
 * local_recipient_maps (empty: every local part is accepted) or else
 * alias_maps has its user name, with or without the address extension. */
static int
local_class(const char *addr, struct resolve_error *err)
{
	struct buf user, ext;
	const char *value, *why;
	int ret = 0;

	if (table_unavailable(U_LOCAL_RCPT, VAR_LOCAL_RCPT_MAPS, addr, err))
		return -1;
	if (maps_is_empty(local_rcpt_maps))
		return RESOLVE_LOCAL;
	buf_init(&user, 1024);
	buf_init(&ext, 1024);
	if (resolve_local_user(addr, &user, &ext) == 0)
		ret = local_find(local_rcpt_maps, &user, &ext, &value, &why);
	if (ret < 0) {
		table_error(err, VAR_LOCAL_RCPT_MAPS, why, addr);
	} else if (ret == 0 && user.len > 0) {
		if (table_unavailable(U_LOCAL_ALIAS, VAR_ALIAS_MAPS, addr, err))
			ret = -1;
		else if ((ret = local_find(local_alias_maps, &user, &ext,
			      &value, &why)) < 0)
			table_error(err, VAR_ALIAS_MAPS, why, addr);
	}
	buf_deinit(&user);
	buf_deinit(&ext);
	if (ret < 0)
		return -1;
	if (ret > 0)
		return RESOLVE_LOCAL;
	if (addr_is_postmaster(addr))
		return RESOLVE_POSTMASTER;
	set_error(err, 550, "5.1.1",
	    "<%s>: Recipient address rejected: "
	    "User unknown in local recipient table",
	    addr);
	return RESOLVE_UNKNOWN;
}

int
resolve_class(const char *addr, struct resolve_error *err)
{
	const char *domain = addr_domain(addr), *value, *why;
	int ret;

	if (table_unavailable(U_DOMAINS, VAR_VIRT_MAILBOX_DOMAINS, addr, err))
		return -1;
	ret = domain_list_match(mailbox_domains, domain, &why);
	if (ret < 0) {
		table_error(err, VAR_VIRT_MAILBOX_DOMAINS, why, addr);
		return -1;
	}
	if (ret == 0) {
		if (table_unavailable(U_LOCAL_DOMAINS, VAR_MYDESTINATION, addr,
			err))
			return -1;
		ret = domain_list_match(local_domains, domain, &why);
		if (ret < 0) {
			table_error(err, VAR_MYDESTINATION, why, addr);
			return -1;
		}
		if (ret > 0)
			return local_class(addr, err);
		/* RFC 5321 4.5.1: postmaster of this host always works. */
		if (addr_is_postmaster(addr) &&
		    (*domain == 0 || is_my_name(domain)))
			return RESOLVE_POSTMASTER;
		set_error(err, 554, "5.7.1", "<%s>: Relay access denied", addr);
		return RESOLVE_RELAY;
	}
	if (table_unavailable(U_MAILBOX, VAR_VIRT_MAILBOX_MAPS, addr, err))
		return -1;
	ret = addr_map_lookup(mailbox_maps, addr, var_rcpt_delim,
	    ADDR_LOOKUP_CATCHALL, &value, NULL, &why);
	if (ret < 0) {
		table_error(err, VAR_VIRT_MAILBOX_MAPS, why, addr);
		return -1;
	}
	if (ret > 0)
		return RESOLVE_VIRTUAL;
	if (addr_is_postmaster(addr))
		return RESOLVE_POSTMASTER;
	set_error(err, 550, "5.1.1",
	    "<%s>: Recipient address rejected: "
	    "User unknown in virtual mailbox table",
	    addr);
	return RESOLVE_UNKNOWN;
}

/* A ".." path segment would climb out of virtual_mailbox_base; "a..b"
 * is an ordinary name. */
static int
has_dotdot_segment(const char *p)
{
	while (*p != 0) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

int
resolve_mailbox(const char *addr, struct buf *path_r, struct resolve_error *err)
{
	const char *value, *why;
	int ret;

	if (table_unavailable(U_MAILBOX, VAR_VIRT_MAILBOX_MAPS, addr, err))
		return -1;
	ret = addr_map_lookup(mailbox_maps, addr, var_rcpt_delim,
	    ADDR_LOOKUP_CATCHALL, &value, NULL, &why);
	if (ret < 0) {
		table_error(err, VAR_VIRT_MAILBOX_MAPS, why, addr);
		return -1;
	}
	if (ret == 0) {
		set_error(err, 550, "5.1.1",
		    "<%s>: user unknown in virtual "
		    "mailbox table",
		    addr);
		return -1;
	}
	if (*var_virt_mailbox_base == 0 || value[0] == '/' ||
	    has_dotdot_segment(value)) {
		/* A mailbox outside the base would let a table entry
		 * write anywhere the owner can. */
		log_warn("%s: bad mailbox \"%s\" for %s (%s must be set and "
			 "the value relative, without \"..\" segments)",
		    VAR_VIRT_MAILBOX_MAPS, log_str(value), addr,
		    VAR_VIRT_MAILBOX_BASE);
		set_error(err, 451, "4.3.5",
		    "mail system configuration "
		    "error");
		return -1;
	}
	buf_reset(path_r);
	if (buf_printf(path_r, "%s/%s", var_virt_mailbox_base, value) < 0) {
		set_error(err, 451, "4.3.5", "mailbox path too long");
		return -1;
	}
	return 0;
}

static int
owner_id(struct maps *m, int which, const char *param, const char *addr,
    long *id_r, struct resolve_error *err)
{
	const char *value, *why;
	char *end;
	long id;
	int ret;

	if (table_unavailable(which, param, addr, err))
		return -1;
	ret = addr_map_lookup(m, addr, var_rcpt_delim, ADDR_LOOKUP_CATCHALL,
	    &value, NULL, &why);
	if (ret < 0) {
		table_error(err, param, why, addr);
		return -1;
	}
	if (ret == 0) {
		log_warn("%s: no entry for %s", param, addr);
		set_error(err, 451, "4.3.5",
		    "mail system configuration "
		    "error");
		return -1;
	}
	errno = 0;
	id = strtol(value, &end, 10);
	if (errno != 0 || *end != 0 || end == value || id < 0) {
		log_warn("%s: bad id \"%s\" for %s", param, log_str(value),
		    addr);
		set_error(err, 451, "4.3.5",
		    "mail system configuration "
		    "error");
		return -1;
	}
	*id_r = id;
	return 0;
}

int
resolve_owner(const char *addr, uid_t *uid_r, gid_t *gid_r,
    struct resolve_error *err)
{
	long uid, gid;

	if (owner_id(uid_maps, U_UID, VAR_VIRT_UID_MAPS, addr, &uid, err) < 0 ||
	    owner_id(gid_maps, U_GID, VAR_VIRT_GID_MAPS, addr, &gid, err) < 0)
		return -1;
	/* Whatever the configuration says: root may not own a mailbox. */
	if (uid == 0 || gid == 0) {
		log_warn("%s: %s 0 for %s: a delivery never runs as root "
			 "or with root's group",
		    uid == 0 ? VAR_VIRT_UID_MAPS : VAR_VIRT_GID_MAPS,
		    uid == 0 ? "uid" : "gid", addr);
		set_error(err, 451, "4.3.5",
		    "mail system configuration "
		    "error");
		return -1;
	}
	if (uid < var_virt_minimum_uid) {
		log_warn("%s: uid %ld of %s is below %s (%ld)",
		    VAR_VIRT_UID_MAPS, uid, addr, VAR_VIRT_MINIMUM_UID,
		    var_virt_minimum_uid);
		set_error(err, 451, "4.3.5",
		    "mail system configuration "
		    "error");
		return -1;
	}
	*uid_r = (uid_t)uid;
	*gid_r = (gid_t)gid;
	return 0;
}

struct check_ctx {
	resolve_report_fn *report;
	void *ctx;
	const char *param;
	int problems;
};

static void
check_report(struct check_ctx *c, int error, const char *table, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
check_report(struct check_ctx *c, int error, const char *table, const char *key,
    const char *fmt, ...)
{
	char what[1024], line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s %s: %s%s%s: %s", c->param, table,
	    key ? "key \"" : "every key", key ? log_str(key) : "",
	    key ? "\"" : "", what);
	c->report(c->ctx, error, line);
	c->problems += error;
}

static int
check_id(void *ctx, const char *table, const char *key, const char *value)
{
	struct check_ctx *c = ctx;
	int is_uid = strcmp(c->param, VAR_VIRT_UID_MAPS) == 0;
	char *end;
	long id;

	errno = 0;
	id = strtol(value, &end, 10);
	if (errno != 0 || *end != 0 || end == value || id < 0)
		check_report(c, 1, table, key, "\"%s\" is not a %s",
		    log_str(value), is_uid ? "uid" : "gid");
	else if (id == 0)
		check_report(c, 1, table, key,
		    "%s 0 (root%s) is refused: a "
		    "delivery never runs as root; give the mailbox an "
		    "ordinary owner (such as vmail)",
		    is_uid ? "uid" : "gid", is_uid ? "" : "'s group");
	else if (is_uid && id < var_virt_minimum_uid)
		check_report(c, 0, table, key,
		    "uid %ld is below %s (%ld): "
		    "deliveries to it are deferred",
		    id, VAR_VIRT_MINIMUM_UID, var_virt_minimum_uid);
	return 0;
}

static int
check_mailbox(void *ctx, const char *table, const char *key, const char *value)
{
	struct check_ctx *c = ctx;
	size_t len = strlen(value);

	if (value[0] == '/' || has_dotdot_segment(value))
		check_report(c, 1, table, key,
		    "\"%s\" must be relative to %s, "
		    "without \"..\" segments",
		    log_str(value), VAR_VIRT_MAILBOX_BASE);
	else if (len == 0 || value[len - 1] != '/')
		check_report(c, 1, table, key,
		    "\"%s\" is an mbox path: mbox "
		    "delivery is not supported and such mail is bounced; "
		    "end the value with \"/\" for a Maildir",
		    log_str(value));
	return 0;
}

/* An alias value must parse, and the :include: files it names must be
 * there and be files local would read (alias_file_load). */
static int
check_alias(void *ctx, const char *table, const char *key, const char *value)
{
	struct check_ctx *c = ctx;
	struct alias_items items = { 0 };
	char err[512];
	size_t i;

	if (alias_parse(value, &items, err, sizeof(err)) < 0) {
		check_report(c, 1, table, key, "%s: such mail is deferred",
		    err);
		return 0;
	}
	for (i = 0; i < items.n; i++) {
		char *content = NULL;
		size_t len;

		if (items.v[i].kind != ALIAS_INCLUDE)
			continue;
		switch (alias_file_load(items.v[i].text, 0, 0, &content, &len,
		    err, sizeof(err))) {
		case ALIAS_LOAD_OK:
			xfree(content);
			break;
		case ALIAS_LOAD_MISSING:
			check_report(c, 1, table, key,
			    ":include:%s: no such file: such mail is bounced",
			    items.v[i].text);
			break;
		default:
			check_report(c, 1, table, key,
			    "%s: such mail is deferred", err);
			break;
		}
	}
	alias_items_free(&items);
	return 0;
}

/* The mbox spool, when users' mailboxes are there: a directory that no
 * other user may replace mailboxes in. */
static void
check_spool(struct check_ctx *c)
{
	char line[2048];
	struct stat st;

	if (*var_home_mailbox != 0)
		return;
	if (stat(var_mail_spool_dir, &st) < 0)
		snprintf(line, sizeof(line),
		    "%s %s: %s: mail for the users of the system is "
		    "deferred",
		    VAR_MAIL_SPOOL_DIR, var_mail_spool_dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		snprintf(line, sizeof(line), "%s %s: not a directory",
		    VAR_MAIL_SPOOL_DIR, var_mail_spool_dir);
	else if ((st.st_mode & 0002) && !(st.st_mode & S_ISVTX))
		snprintf(line, sizeof(line),
		    "%s %s: writable by every user without the sticky "
		    "bit: anyone can replace a mailbox; fix with: chmod "
		    "o-w,+t %s",
		    VAR_MAIL_SPOOL_DIR, var_mail_spool_dir, var_mail_spool_dir);
	else
		return;
	c->report(c->ctx, 1, line);
	c->problems++;
}

int
resolve_check(resolve_report_fn *report, void *ctx, const char **error_r)
{
	struct check_ctx c = { report, ctx, VAR_VIRT_MAILBOX_MAPS, 0 };

	if (maps_walk(mailbox_maps, check_mailbox, &c, error_r) < 0)
		return -1;
	c.param = VAR_VIRT_UID_MAPS;
	if (maps_walk(uid_maps, check_id, &c, error_r) < 0)
		return -1;
	c.param = VAR_VIRT_GID_MAPS;
	if (maps_walk(gid_maps, check_id, &c, error_r) < 0)
		return -1;
	c.param = VAR_ALIAS_MAPS;
	if (maps_walk(local_alias_maps, check_alias, &c, error_r) < 0)
		return -1;
	check_spool(&c);
	return c.problems;
}

/* Postfix's transport(5) search order for user@domain: the address, the
 * domain, each parent domain as ".parent" (".example.com" matches every
 * subdomain of example.com), and "*". Returns 1 with *value_r, 0, or -1
 * with err (a table error). */
static int
transport_lookup(const char *addr, const char **value_r,
    struct resolve_error *err)
{
	const char *domain = addr_domain(addr), *why;
	struct buf key;
	int ret;

	if (table_unavailable(U_TRANSPORT, VAR_TRANSPORT_MAPS, addr, err))
		return -1;
	if (transport_maps == NULL || maps_is_empty(transport_maps))
		return 0;
	buf_init(&key, BUF_MAX_INTERNAL);
	ret = maps_find(transport_maps, addr, value_r, &why);
	if (ret == 0 && *domain != 0)
		ret = maps_find(transport_maps, domain, value_r, &why);
	for (const char *d = domain; ret == 0 && d != NULL && *d != 0;
	     d = strchr(d + 1, '.')) {
		if (*d != '.')
			continue;
		buf_set(&key, d);
		ret = maps_find(transport_maps, buf_cstr(&key), value_r, &why);
	}
	if (ret == 0)
		ret = maps_find(transport_maps, "*", value_r, &why);
	buf_deinit(&key);
	if (ret < 0)
		table_error(err, VAR_TRANSPORT_MAPS, why, addr);
	return ret;
}

int
resolve_route(const char *addr, int cls, struct resolve_route *rt,
    struct resolve_error *err)
{
	const char *value = NULL, *colon;
	size_t tlen;
	int ret;

	memset(rt, 0, sizeof(*rt));
	if ((ret = transport_lookup(addr, &value, err)) < 0)
		return -1;
	if (ret == 0)
		value = "";
	colon = strchr(value, ':');
	tlen = colon != NULL ? (size_t)(colon - value) : strlen(value);
	snprintf(rt->nexthop, sizeof(rt->nexthop), "%s",
	    colon != NULL ? colon + 1 : "");
	if (tlen == 0) {
		rt->transport =
		    cls == RESOLVE_RELAY ? RESOLVE_T_SMTP : RESOLVE_T_LOCAL;
	} else if (tlen == 5 && strncmp(value, "local", 5) == 0) {
		rt->transport = RESOLVE_T_LOCAL;
	} else if (tlen == 4 && strncmp(value, "smtp", 4) == 0) {
		rt->transport = RESOLVE_T_SMTP;
	} else if (tlen == 5 && strncmp(value, "error", 5) == 0) {
		rt->transport = RESOLVE_T_ERROR;
	} else if (tlen == 7 && strncmp(value, "discard", 7) == 0) {
		rt->transport = RESOLVE_T_DISCARD;
	} else {
		log_warn("%s: <%s>: unknown transport \"%.*s\" (Tern has "
			 "local, smtp, error and discard)",
		    VAR_TRANSPORT_MAPS, addr, (int)tlen, value);
		set_error(err, 451, "4.3.5",
		    "<%s>: mail system configuration error", addr);
		return -1;
	}
	/* smtp with no next hop: relayhost, else the recipient's domain. */
	if (rt->transport == RESOLVE_T_SMTP && rt->nexthop[0] == 0)
		snprintf(rt->nexthop, sizeof(rt->nexthop), "%s",
		    *var_relayhost != 0 ? var_relayhost : addr_domain(addr));
	return 0;
}
