/* SPDX-License-Identifier: MIT */
/* imapd_list - the folder commands (RFC 9051 6.3.3 to 6.3.10): LIST with
 * RFC 5258's selection and return options, RFC 6154's SPECIAL-USE and
 * RFC 5819's LIST-STATUS, LSUB, NAMESPACE, CREATE, DELETE, RENAME,
 * SUBSCRIBE and UNSUBSCRIBE, on folder.h's Maildir++ folders. See
 * imapd_sess.h. */
#include <string.h>
#include <strings.h>

#include "mail/imap_parse.h"
#include "store/folder.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/log.h"

#include "imapd_sess.h"

/* The hierarchy separator (folder.h). */
#define SEP "/"

/* LIST's options (RFC 5258 3). */
#define SEL_SUBSCRIBED 0x01
#define SEL_RECURSIVEMATCH 0x02
#define SEL_SPECIAL_USE 0x04
#define RET_SUBSCRIBED 0x10
#define RET_CHILDREN 0x20
#define RET_SPECIAL_USE 0x40
#define RET_STATUS 0x80

int
sess_folder_flags(const struct sess *s)
{
	return (s->enabled & SESS_ENABLED_UTF8) ? FOLDER_UTF8 : 0;
}

/* The tagged reply to a folder.h failure. */
static int
folder_reply(struct sess *s, const struct imap_command *c, int ret,
    const struct buf *err)
{
	switch (ret) {
	case FOLDER_BADNAME:
		return sess_no(s, c, "[CANNOT] Invalid mailbox name: %s",
		    buf_cstr(err));
	case FOLDER_EXISTS:
		return sess_no(s, c, "[ALREADYEXISTS] Mailbox already exists.");
	case FOLDER_NONEXISTENT:
		return sess_no(s, c, "[NONEXISTENT] Mailbox doesn't exist.");
	case FOLDER_CANNOT:
		return sess_no(s, c, "[CANNOT] %s", buf_cstr(err));
	default:
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(err));
		return sess_no(s, c, "[SERVERBUG] Internal error occurred.");
	}
}

static const struct {
	unsigned bit;
	const char *name;
} special_use[] = {
	{ FOLDER_SENT, "\\Sent" },
	{ FOLDER_DRAFTS, "\\Drafts" },
	{ FOLDER_TRASH, "\\Trash" },
	{ FOLDER_JUNK, "\\Junk" },
	{ FOLDER_ARCHIVE, "\\Archive" },
};

/* "* LIST (attrs) "/" name" (or LSUB), with RFC 5258's CHILDINFO when
 * childinfo is set. */
static void
write_list_ext(struct sess *s, const char *what, const struct folder_info *f,
    unsigned opts, int childinfo)
{
	const char *sep = "";
	size_t i;

	sess_printf(s, "* %s (", what);
	if (f->attrs & FOLDER_NONEXISTENT_ATTR) {
		/* RFC 5258 3: \NonExistent implies \Noselect; IMAP4rev1
		 * clients know only the latter (RFC 3501 7.2.2). */
		sess_printf(s, "%s",
		    (s->enabled & SESS_ENABLED_REV2) &&
			    strcmp(what, "LIST") == 0
			? "\\NonExistent"
			: "\\Noselect");
		sep = " ";
	}
	if ((opts & (SEL_SUBSCRIBED | RET_SUBSCRIBED)) &&
	    (f->attrs & FOLDER_SUBSCRIBED) && strcmp(what, "LIST") == 0) {
		sess_printf(s, "%s\\Subscribed", sep);
		sep = " ";
	}
	if (f->attrs & (FOLDER_HASCHILDREN | FOLDER_HASNOCHILDREN)) {
		sess_printf(s, "%s%s", sep,
		    (f->attrs & FOLDER_HASCHILDREN) ? "\\HasChildren"
						    : "\\HasNoChildren");
		sep = " ";
	}
	for (i = 0; i < sizeof(special_use) / sizeof(special_use[0]); i++)
		if (f->attrs & special_use[i].bit) {
			sess_printf(s, "%s%s", sep, special_use[i].name);
			sep = " ";
		}
	sess_printf(s, ") \"" SEP "\" ");
	sess_string(s, f->name, strlen(f->name));
	if (childinfo)
		sess_printf(s, " (\"CHILDINFO\" (\"SUBSCRIBED\"))");
	sess_printf(s, "\r\n");
}

static void
write_list(struct sess *s, const char *what, const struct folder_info *f,
    unsigned opts)
{
	write_list_ext(s, what, f, opts, 0);
}

/* RFC 5258 3.5 RECURSIVEMATCH with SUBSCRIBED: the names that match the
 * pattern and have subscribed inferiors that do not match it are written
 * here with CHILDINFO ("SUBSCRIBED") (\Subscribed too when listed, the
 * subscribed names that matched, holds them) and entered in emitted, so
 * that the caller does not write them again. */
static int
list_childinfo(struct sess *s, const char *ref, const char *pattern,
    unsigned opts, struct htable *listed, struct htable *emitted,
    struct buf *err)
{
	struct folder_set subs = { 0 }, all = { 0 };
	struct htable *exists = htable_create();
	struct buf joined, parent;
	size_t i;
	int ret, flags = sess_folder_flags(s);

	buf_init(&joined, FOLDER_PATTERN_MAX + 1);
	buf_init(&parent, FOLDER_NAME_MAX + 1);
	if ((ret = folder_pattern(ref, pattern, &joined, err)) < 0 ||
	    (ret = folder_list(s->maildir, "", "*",
		 flags | FOLDER_LIST_SUBSCRIBED, &subs, err)) < 0 ||
	    (ret = folder_list(s->maildir, "", "*", flags, &all, err)) < 0)
		goto out;
	for (i = 0; i < all.count; i++)
		(void)htable_enter(exists, all.items[i].name, &all.items[i]);
	for (i = 0; i < subs.count; i++) {
		const char *name = subs.items[i].name, *slash;

		if (folder_match(buf_cstr(&joined), name))
			continue; /* matched itself: no parent needs it */
		for (slash = strchr(name, '/'); slash != NULL;
		     slash = strchr(slash + 1, '/')) {
			struct folder_info info = { 0 };
			const struct folder_info *known;

			buf_reset(&parent);
			(void)buf_append(&parent, name, (size_t)(slash - name));
			if (!folder_match(buf_cstr(&joined),
				buf_cstr(&parent)) ||
			    htable_find(emitted, buf_cstr(&parent)) != NULL)
				continue;
			(void)htable_enter(emitted, buf_cstr(&parent), emitted);
			known = htable_find(exists, buf_cstr(&parent));
			info.name = (char *)buf_cstr(&parent);
			info.attrs = known != NULL
			    ? known->attrs & ~FOLDER_SUBSCRIBED
			    : FOLDER_NONEXISTENT_ATTR;
			if (htable_find(listed, info.name) != NULL)
				info.attrs |= FOLDER_SUBSCRIBED;
			write_list_ext(s, "LIST", &info, opts, 1);
		}
	}
	ret = 0;
out:
	folder_set_free(&subs);
	folder_set_free(&all);
	htable_destroy(&exists, NULL);
	buf_deinit(&joined);
	buf_deinit(&parent);
	return ret;
}

/* Parse "(opt ...)" of LIST into *opts; status items into *status.
 * Returns 0, or -1 (BAD). */
static int
parse_select(const struct imap_arg *a, unsigned *opts)
{
	for (a = a->list; a != NULL; a = a->next) {
		if (arg_is(a, "SUBSCRIBED"))
			*opts |= SEL_SUBSCRIBED;
		else if (arg_is(a, "RECURSIVEMATCH"))
			*opts |= SEL_RECURSIVEMATCH;
		else if (arg_is(a, "SPECIAL-USE"))
			*opts |= SEL_SPECIAL_USE;
		else if (arg_is(a, "REMOTE"))
			; /* no remote mailboxes here (RFC 5258 3.1) */
		else
			return -1;
	}
	/* RFC 5258 3.1: RECURSIVEMATCH needs another selection option. */
	if ((*opts & SEL_RECURSIVEMATCH) &&
	    !(*opts & (SEL_SUBSCRIBED | SEL_SPECIAL_USE)))
		return -1;
	return 0;
}

static int
parse_return(const struct imap_arg *a, unsigned *opts,
    const struct imap_arg **status)
{
	if (a->type != IMAP_ARG_LIST)
		return -1;
	for (a = a->list; a != NULL; a = a->next) {
		if (arg_is(a, "SUBSCRIBED"))
			*opts |= RET_SUBSCRIBED;
		else if (arg_is(a, "CHILDREN"))
			*opts |= RET_CHILDREN;
		else if (arg_is(a, "SPECIAL-USE"))
			*opts |= RET_SPECIAL_USE;
		else if (arg_is(a, "STATUS") && a->next != NULL &&
		    sess_status_items_ok(a->next)) {
			*opts |= RET_STATUS;
			a = a->next;
			*status = a;
		} else
			return -1;
	}
	return 0;
}

/* One pattern: list and write what matches. Returns 0, or a folder.h
 * error with err set. */
static int
list_pattern(struct sess *s, const char *ref, const char *pattern,
    unsigned opts, const struct imap_arg *status, struct buf *err)
{
	struct folder_set set = { 0 };
	struct htable *listed = NULL, *emitted = NULL;
	struct buf path;
	size_t i;
	int ret, recursive, flags = sess_folder_flags(s);

	ret = folder_list(s->maildir, ref, pattern,
	    flags | ((opts & SEL_SUBSCRIBED) ? FOLDER_LIST_SUBSCRIBED : 0),
	    &set, err);
	if (ret < 0)
		return ret;
	buf_init(&path, BUF_MAX_INTERNAL);
	recursive = (opts & SEL_RECURSIVEMATCH) && (opts & SEL_SUBSCRIBED);
	if (recursive) {
		/* The subscribed names that CHILDINFO will list again
		 * are written there, once. */
		listed = htable_create();
		emitted = htable_create();
		for (i = 0; i < set.count; i++)
			(void)htable_enter(listed, set.items[i].name, listed);
		if ((ret = list_childinfo(s, ref, pattern, opts, listed,
			 emitted, err)) < 0) {
			htable_destroy(&listed, NULL);
			htable_destroy(&emitted, NULL);
			buf_deinit(&path);
			folder_set_free(&set);
			return ret;
		}
	}
	for (i = 0; i < set.count; i++) {
		const struct folder_info *f = &set.items[i];

		if (emitted != NULL && htable_find(emitted, f->name) != NULL)
			continue; /* written with CHILDINFO */
		if ((opts & SEL_SPECIAL_USE) &&
		    !(f->attrs &
			(FOLDER_SENT | FOLDER_DRAFTS | FOLDER_TRASH |
			    FOLDER_JUNK | FOLDER_ARCHIVE)))
			continue;
		write_list(s, "LIST", f, opts);
		/* RFC 5819: STATUS after the LIST of each selectable
		 * mailbox; the selected one too (its counts as of now). */
		if ((opts & RET_STATUS) &&
		    !(f->attrs & FOLDER_NONEXISTENT_ATTR) &&
		    folder_path(s->maildir, f->name, flags, &path, NULL) == 0)
			(void)sess_status(s, f->name, buf_cstr(&path), status);
	}
	buf_deinit(&path);
	folder_set_free(&set);
	if (listed != NULL)
		htable_destroy(&listed, NULL);
	if (emitted != NULL)
		htable_destroy(&emitted, NULL);
	return 0;
}

int
cmd_list(struct sess *s, const struct imap_command *c)
{
	const struct imap_arg *a = c->args, *pat, *status = NULL;
	unsigned opts = 0;
	const char *ref;
	struct buf err;
	int ret = 0;

	if (a != NULL && a->type == IMAP_ARG_LIST) {
		if (parse_select(a, &opts) < 0)
			return sess_bad(s, c,
			    "Invalid LIST selection options.");
		a = a->next;
	}
	if (a == NULL || (ref = arg_text(a)) == NULL || (pat = a->next) == NULL)
		return sess_bad(s, c, "LIST needs a reference and a pattern.");
	if (pat->next != NULL) {
		if (!arg_is(pat->next, "RETURN") || pat->next->next == NULL ||
		    pat->next->next->next != NULL ||
		    parse_return(pat->next->next, &opts, &status) < 0)
			return sess_bad(s, c, "Invalid LIST return options.");
	}
	/* RFC 9051 6.3.9: an empty pattern asks for the separator. */
	if (pat->type != IMAP_ARG_LIST && arg_text(pat) != NULL &&
	    *arg_text(pat) == '\0') {
		sess_printf(s, "* LIST (\\Noselect) \"" SEP "\" \"\"\r\n");
		return SESS_OK;
	}
	buf_init(&err, 1024);
	if (pat->type == IMAP_ARG_LIST) {
		/* RFC 5258 3: several patterns. */
		for (a = pat->list; a != NULL && ret == 0; a = a->next)
			ret = arg_text(a) == NULL
			    ? FOLDER_BADNAME
			    : list_pattern(s, ref, arg_text(a), opts, status,
				  &err);
	} else if (arg_text(pat) == NULL)
		ret = FOLDER_BADNAME;
	else
		ret = list_pattern(s, ref, arg_text(pat), opts, status, &err);
	if (ret < 0) {
		if (ret == FOLDER_BADNAME) {
			buf_deinit(&err);
			return sess_bad(s, c, "Invalid pattern.");
		}
		ret = folder_reply(s, c, ret, &err);
		buf_deinit(&err);
		return ret;
	}
	buf_deinit(&err);
	return SESS_OK;
}

/* LSUB (RFC 3501 6.3.9): the subscribed names that match. */
int
cmd_lsub(struct sess *s, const struct imap_command *c)
{
	struct folder_set set = { 0 };
	struct buf err;
	size_t i;
	int ret;

	if (c->nargs != 2 || arg_text(c->args) == NULL ||
	    arg_text(c->args->next) == NULL)
		return sess_bad(s, c, "LSUB needs a reference and a pattern.");
	buf_init(&err, 1024);
	ret =
	    folder_list(s->maildir, arg_text(c->args), arg_text(c->args->next),
		sess_folder_flags(s) | FOLDER_LIST_SUBSCRIBED, &set, &err);
	if (ret < 0) {
		ret = ret == FOLDER_BADNAME ? sess_bad(s, c, "Invalid pattern.")
					    : folder_reply(s, c, ret, &err);
		buf_deinit(&err);
		return ret;
	}
	for (i = 0; i < set.count; i++)
		write_list(s, "LSUB", &set.items[i], 0);
	folder_set_free(&set);
	buf_deinit(&err);
	return SESS_OK;
}

int
cmd_namespace(struct sess *s, const struct imap_command *c)
{
	if (c->nargs != 0)
		return sess_bad(s, c, "NAMESPACE takes no arguments.");
	/* RFC 2342: one personal namespace, no others. */
	sess_printf(s, "* NAMESPACE ((\"\" \"" SEP "\")) NIL NIL\r\n");
	return SESS_OK;
}

/* The commands that take one mailbox name and call fn with it. */
static int
one_name(struct sess *s, const struct imap_command *c,
    int (*fn)(const char *, const char *, int, struct buf *))
{
	struct buf err;
	int ret;

	if (c->nargs != 1 || arg_text(c->args) == NULL)
		return sess_bad(s, c, "%s needs a mailbox name.", c->name);
	buf_init(&err, 1024);
	ret = fn(s->maildir, arg_text(c->args), sess_folder_flags(s), &err);
	if (ret < 0)
		ret = folder_reply(s, c, ret, &err);
	else
		ret = SESS_OK;
	buf_deinit(&err);
	return ret;
}

int
cmd_create(struct sess *s, const struct imap_command *c)
{
	return one_name(s, c, folder_create);
}

int
cmd_delete(struct sess *s, const struct imap_command *c)
{
	struct buf path;

	/* Deleting the selected folder: it is closed first, as Dovecot
	 * does (its messages go with it). */
	buf_init(&path, BUF_MAX_INTERNAL);
	if (s->sel != NULL && c->nargs == 1 && arg_text(c->args) != NULL &&
	    sess_folder_path(s, arg_text(c->args), &path) == 0 &&
	    strcmp(buf_cstr(&path), s->sel->path) == 0 &&
	    strcasecmp(arg_text(c->args), "INBOX") != 0) {
		sel_close(s);
		sess_printf(s, "* OK [CLOSED] Mailbox deleted.\r\n");
	}
	buf_deinit(&path);
	return one_name(s, c, folder_delete);
}

int
cmd_rename(struct sess *s, const struct imap_command *c)
{
	struct buf err;
	int ret;

	if (c->nargs != 2 || arg_text(c->args) == NULL ||
	    arg_text(c->args->next) == NULL)
		return sess_bad(s, c, "RENAME needs two mailbox names.");
	buf_init(&err, 1024);
	ret = folder_rename(s->maildir, arg_text(c->args),
	    arg_text(c->args->next), sess_folder_flags(s), &err);
	ret = ret < 0 ? folder_reply(s, c, ret, &err) : SESS_OK;
	buf_deinit(&err);
	return ret;
}

int
cmd_subscribe(struct sess *s, const struct imap_command *c)
{
	return one_name(s, c, folder_subscribe);
}

int
cmd_unsubscribe(struct sess *s, const struct imap_command *c)
{
	return one_name(s, c, folder_unsubscribe);
}
