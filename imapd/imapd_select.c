/* SPDX-License-Identifier: MIT */
/* imapd_select - the selected folder (RFC 9051 6.3.2, 6.3.3, 6.4.1,
 * 6.4.2, 6.4.3, 7.4): SELECT and EXAMINE, the updates others' changes
 * make, sequence sets, CLOSE, UNSELECT, EXPUNGE, STATUS. See
 * imapd_sess.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "mail/imap_parse.h"
#include "store/folder.h"
#include "store/mailbox.h"
#include "store/mcache.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/log.h"
#include "util/mem.h"

#include "imapd_sess.h"

void
sel_close(struct sess *s)
{
	struct sel *sel = s->sel;
	struct buf err;

	if (sel == NULL)
		return;
	/* Sizes counted for RFC822.SIZE: into the UID list, for the next
	 * SELECT (and POP3). */
	buf_init(&err, 1024);
	if (mailbox_save_sizes(sel->mb, &err) < 0)
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
	buf_deinit(&err);
	mailbox_close(&sel->mb);
	mcache_close(&sel->cache);
	mkeywords_free(&sel->kw);
	xfree(sel->name);
	xfree(sel->path);
	imap_seqlist_deinit(&sel->saved);
	xfree(sel);
	s->sel = NULL;
}

/* Whether dir/dovecot-keywords changed since it was read (its mtime,
 * which writers make grow: mflags.h). */
static time_t
keywords_mtime(const char *dir)
{
	struct buf b;
	struct stat st;
	time_t t = 0;

	buf_init(&b, BUF_MAX_INTERNAL);
	buf_printf(&b, "%s/%s", dir, MFLAG_KEYWORDS_FILE);
	if (stat(buf_cstr(&b), &st) == 0)
		t = st.st_mtime;
	buf_deinit(&b);
	return t;
}

void
sel_keywords(struct sess *s)
{
	struct sel *sel = s->sel;
	struct buf err;
	time_t t = keywords_mtime(sel->path);

	if (t == sel->kw_mtime && t != 0)
		return;
	buf_init(&err, 1024);
	mkeywords_free(&sel->kw);
	if (mkeywords_read(sel->path, &sel->kw, &err) < 0)
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
	sel->kw_mtime = t;
	buf_deinit(&err);
}

/* * FLAGS and the PERMANENTFLAGS code, with the folder's keywords. */
static void
write_flags(struct sess *s)
{
	static const struct mflags all = { MFLAG_DRAFT | MFLAG_FLAGGED |
		    MFLAG_PASSED | MFLAG_REPLIED | MFLAG_SEEN | MFLAG_TRASHED,
		0xffffffffu, "" };
	size_t i, used = 0;

	for (i = 0; i < MFLAG_KEYWORDS_MAX; i++)
		used += s->sel->kw.names[i] != NULL;
	sess_printf(s, "* FLAGS ");
	sess_flags(s, &all, 0, NULL);
	sess_printf(s, "\r\n* OK [PERMANENTFLAGS ");
	if (s->sel->readonly)
		sess_printf(s, "()");
	else /* "\*": new keywords may be made while there is room */
		sess_flags(s, &all, 0,
		    used < MFLAG_KEYWORDS_MAX ? "\\*" : NULL);
	sess_printf(s, "] Flags permitted.\r\n");
}

/* Recent messages in the view. */
static size_t
count_recent(const struct mailbox *mb)
{
	size_t i, n = 0;

	for (i = 0; i < mailbox_count(mb); i++)
		n += mailbox_msg(mb, i)->recent;
	return n;
}

void
sel_sync(struct sess *s, int expunge)
{
	struct sel *sel = s->sel;
	struct mailbox_changes ch;
	struct buf err;
	size_t i;
	uint32_t kw_before[MFLAG_KEYWORDS_MAX];

	buf_init(&err, 1024);
	if (mailbox_sync(sel->mb, expunge ? MAILBOX_SYNC_EXPUNGE : 0, &ch,
		&err) < 0) {
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
		buf_deinit(&err);
		return;
	}
	buf_deinit(&err);
	if (sel->cache != NULL)
		mcache_refresh(sel->cache);
	/* Descending numbers: each EXPUNGE leaves the others' numbers as
	 * the client has them (RFC 9051 7.5.1). */
	for (i = 0; i < ch.nexpunged; i++)
		sess_printf(s, "* %zu EXPUNGE\r\n", ch.expunged[i]);
	sel->exists -= ch.nexpunged;
	if (mailbox_count(sel->mb) != sel->exists) {
		sel->exists = mailbox_count(sel->mb);
		sess_printf(s, "* %zu EXISTS\r\n", sel->exists);
		if (ch.added > 0 && !(s->enabled & SESS_ENABLED_REV2))
			sess_printf(s, "* %zu RECENT\r\n",
			    count_recent(sel->mb));
	}
	for (i = 0; i < MFLAG_KEYWORDS_MAX; i++)
		kw_before[i] = sel->kw.names[i] != NULL;
	if (ch.nchanged > 0 || ch.added > 0) {
		/* New keywords come with new names and new messages. */
		sel_keywords(s);
		for (i = 0; i < MFLAG_KEYWORDS_MAX; i++)
			if (kw_before[i] != (sel->kw.names[i] != NULL)) {
				write_flags(s); /* new keywords */
				break;
			}
	}
	for (i = 0; i < ch.nchanged; i++) {
		const struct mailbox_msg *m =
		    mailbox_msg(sel->mb, ch.changed[i]);
		struct mflags f;

		if (m->expunged)
			continue;
		mflags_parse(m->name, &f);
		sess_printf(s, "* %zu FETCH (UID %u FLAGS ", ch.changed[i] + 1,
		    m->uid);
		sess_flags(s, &f, m->recent, NULL);
		sess_printf(s, ")\r\n");
	}
	mailbox_changes_free(&ch);
}

/* The view index of the first message with a UID of at least uid. */
static size_t
uid_lower_bound(const struct mailbox *mb, uint32_t uid)
{
	size_t lo = 0, hi = mailbox_count(mb);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mailbox_msg(mb, mid)->uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Append the indices of the messages whose UIDs are in [first, last]. */
static void
add_uid_range(const struct mailbox *mb, uint32_t first, uint32_t last,
    size_t **idx, size_t *n, size_t *cap)
{
	size_t i;

	for (i = uid_lower_bound(mb, first);
	     i < mailbox_count(mb) && mailbox_msg(mb, i)->uid <= last; i++) {
		if (*n == *cap) {
			*cap = *cap == 0 ? 64 : *cap * 2;
			*idx = xrealloc(*idx, *cap * sizeof(**idx));
		}
		(*idx)[(*n)++] = i;
	}
}

long
sel_resolve(struct sess *s, const struct imap_arg *a, int uid, size_t **idx)
{
	const struct mailbox *mb = s->sel->mb;
	const struct imap_seqset *set = a != NULL ? a->seqset : NULL;
	struct imap_seq_range *r;
	size_t count = mailbox_count(mb), n = 0, cap = 0, i;
	unsigned nr, k;
	uint32_t max;

	*idx = NULL;
	buf_reset(&s->tmp);
	if (set == NULL) {
		buf_puts(&s->tmp, "Invalid message set.");
		return -1;
	}
	if (set->saved) {
		/* RFC 5182: "$" is the last SEARCH ... SAVE's result. */
		for (i = 0; i < s->sel->saved.count; i++)
			add_uid_range(mb, s->sel->saved.nums[i],
			    s->sel->saved.nums[i], idx, &n, &cap);
		return (long)n;
	}
	if (uid)
		max = count > 0 ? mailbox_msg(mb, count - 1)->uid : 0;
	else
		max = (uint32_t)count;
	r = xcalloc(set->count + 1, sizeof(*r));
	nr = imap_seqset_resolve(set, max, r);
	for (k = 0; k < nr; k++) {
		if (uid) {
			add_uid_range(mb, r[k].first, r[k].last, idx, &n, &cap);
			continue;
		}
		/* RFC 9051 6.4.5 and 7.1: a message number above the
		 * count (or "*" when the folder is empty) is an error. */
		if (r[k].first == 0 || r[k].last > count) {
			xfree(r);
			xfree(*idx);
			*idx = NULL;
			buf_puts(&s->tmp,
			    "Invalid messageset: message "
			    "numbers beyond the mailbox.");
			return -1;
		}
		for (i = r[k].first - 1; i < r[k].last; i++) {
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				*idx = xrealloc(*idx, cap * sizeof(**idx));
			}
			(*idx)[n++] = i;
		}
	}
	xfree(r);
	return (long)n;
}

int
sess_folder_path(struct sess *s, const char *name, struct buf *out)
{
	return folder_path(s->maildir, name, sess_folder_flags(s), out, NULL) <
		0
	    ? -1
	    : 0;
}

int
sess_folder_exists(const char *path)
{
	struct buf b;
	struct stat st;
	int ret;

	buf_init(&b, BUF_MAX_INTERNAL);
	buf_printf(&b, "%s/cur", path);
	ret = stat(buf_cstr(&b), &st) == 0 && S_ISDIR(st.st_mode);
	buf_deinit(&b);
	return ret;
}

/* The folder named by a (an astring) into path; on failure the tagged
 * reply is written: -1. */
static int
folder_arg(struct sess *s, const struct imap_command *c,
    const struct imap_arg *a, struct buf *path, int must_exist)
{
	const char *name = arg_text(a);

	if (name == NULL) {
		sess_bad(s, c, "Invalid mailbox name.");
		return -1;
	}
	if (sess_folder_path(s, name, path) < 0) {
		sess_no(s, c, "[CANNOT] Invalid mailbox name.");
		return -1;
	}
	if (must_exist && strcasecmp(name, "INBOX") != 0 &&
	    !sess_folder_exists(buf_cstr(path))) {
		sess_no(s, c, "[NONEXISTENT] Mailbox doesn't exist: %s",
		    log_str(name));
		return -1;
	}
	return 0;
}

/* The first unseen message's number, or 0. */
static size_t
first_unseen(const struct mailbox *mb)
{
	size_t i;

	for (i = 0; i < mailbox_count(mb); i++) {
		struct mflags f;

		mflags_parse(mailbox_msg(mb, i)->name, &f);
		if (!(f.flags & MFLAG_SEEN))
			return i + 1;
	}
	return 0;
}

int
cmd_select(struct sess *s, const struct imap_command *c)
{
	struct sel *sel;
	struct buf path, err;
	int ret = SESS_REPLIED;
	size_t unseen;

	buf_init(&path, BUF_MAX_INTERNAL);
	buf_init(&err, 1024);
	/* RFC 9051 6.3.2: a SELECT, even a failing one, first leaves the
	 * selected state (without expunging); CLOSED says so. */
	if (s->sel != NULL) {
		sel_close(s);
		sess_printf(s, "* OK [CLOSED] Previous mailbox closed.\r\n");
	}
	if (c->nargs < 1 || c->nargs > 2 ||
	    folder_arg(s, c, c->args, &path, 1) < 0) {
		if (c->nargs < 1 || c->nargs > 2)
			sess_bad(s, c, "%s needs a mailbox name.", c->name);
		goto out;
	}
	sel = xcalloc(1, sizeof(*sel));
	sel->name = xstrdup(arg_text(c->args));
	sel->path = xstrdup(buf_cstr(&path));
	sel->readonly = strcmp(c->name, "EXAMINE") == 0;
	if (mailbox_open(sel->path, MAILBOX_LAZY_VSIZE, &sel->mb, &err) < 0) {
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
		xfree(sel->name);
		xfree(sel->path);
		xfree(sel);
		sess_no(s, c, "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	s->sel = sel;
	imap_seqlist_init(&sel->saved, SESS_SAVED_MAX);
	sel_keywords(s);
	sel->exists = mailbox_count(sel->mb);
	write_flags(s);
	sess_printf(s, "* %zu EXISTS\r\n", sel->exists);
	if (!(s->enabled & SESS_ENABLED_REV2)) {
		sess_printf(s, "* %zu RECENT\r\n", count_recent(sel->mb));
		if ((unseen = first_unseen(sel->mb)) > 0)
			sess_printf(s, "* OK [UNSEEN %zu] First unseen.\r\n",
			    unseen);
	}
	sess_printf(s, "* OK [UIDVALIDITY %u] UIDs valid\r\n",
	    mailbox_uidvalidity(sel->mb));
	sess_printf(s, "* OK [UIDNEXT %u] Predicted next UID\r\n",
	    mailbox_uidnext(sel->mb));
	sess_printf(s, "%s OK [%s] %s completed.\r\n", c->tag,
	    sel->readonly ? "READ-ONLY" : "READ-WRITE", c->name);
out:
	buf_deinit(&path);
	buf_deinit(&err);
	return ret;
}

/* Remove the messages marked \Deleted (those in uids too when not
 * NULL). Returns 0, or -1 (logged). */
static int
expunge_deleted(struct sess *s, const size_t *only, long nonly)
{
	struct mailbox *mb = s->sel->mb;
	struct buf err;
	size_t *idx, n = 0, i, k = 0;
	int ret = 0;

	idx = xcalloc(mailbox_count(mb) + 1, sizeof(*idx));
	for (i = 0; i < mailbox_count(mb); i++) {
		struct mflags f;

		if (only != NULL) {
			while (k < (size_t)nonly && only[k] < i)
				k++;
			if (k == (size_t)nonly || only[k] != i)
				continue;
		}
		mflags_parse(mailbox_msg(mb, i)->name, &f);
		if ((f.flags & MFLAG_TRASHED) && !mailbox_msg(mb, i)->expunged)
			idx[n++] = i;
	}
	buf_init(&err, 1024);
	if (n > 0 && mailbox_expunge(mb, idx, n, &err) < 0) {
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
		ret = -1;
	}
	s->expunged += n;
	buf_deinit(&err);
	xfree(idx);
	return ret;
}

int
cmd_close(struct sess *s, const struct imap_command *c)
{
	if (c->nargs != 0)
		return sess_bad(s, c, "CLOSE takes no arguments.");
	/* RFC 9051 6.4.1: expunged silently, unless read-only. */
	if (!s->sel->readonly)
		(void)expunge_deleted(s, NULL, 0);
	sel_close(s);
	return SESS_OK;
}

int
cmd_unselect(struct sess *s, const struct imap_command *c)
{
	if (c->nargs != 0)
		return sess_bad(s, c, "UNSELECT takes no arguments.");
	sel_close(s);
	return SESS_OK;
}

/* EXPUNGE, and UID EXPUNGE <set> (RFC 4315 2.1, RFC 9051 6.4.9). */
int
cmd_expunge(struct sess *s, const struct imap_command *c)
{
	size_t *only = NULL;
	long n = 0;
	int ret;

	if (s->uid ? c->nargs != 1 : c->nargs != 0)
		return sess_bad(s, c, "%sEXPUNGE takes %s.",
		    s->uid ? "UID " : "",
		    s->uid ? "a UID set" : "no arguments");
	if (s->sel->readonly)
		return sess_no(s, c, "[READ-ONLY] Mailbox is read-only.");
	if (s->uid && (n = sel_resolve(s, c->args, 1, &only)) < 0)
		return sess_bad(s, c, "%s", buf_cstr(&s->tmp));
	ret = expunge_deleted(s, s->uid ? only : NULL, n);
	xfree(only);
	if (ret < 0)
		return sess_no(s, c,
		    "[SERVERBUG] Some messages could not be expunged.");
	return SESS_OK;
}

/* Whether a (a list) holds only status items we know. */
int
sess_status_items_ok(const struct imap_arg *a)
{
	if (a == NULL || a->type != IMAP_ARG_LIST || a->list == NULL)
		return 0;
	for (a = a->list; a != NULL; a = a->next)
		if (!arg_is(a, "MESSAGES") && !arg_is(a, "UIDNEXT") &&
		    !arg_is(a, "UIDVALIDITY") && !arg_is(a, "UNSEEN") &&
		    !arg_is(a, "DELETED") && !arg_is(a, "SIZE") &&
		    !arg_is(a, "RECENT"))
			return 0;
	return 1;
}

int
sess_status(struct sess *s, const char *name, const char *path,
    const struct imap_arg *items)
{
	const struct imap_arg *a;
	struct mailbox *mb;
	struct buf err;
	const char *sep = "";
	size_t i, unseen = 0, deleted = 0;
	unsigned long long size = 0;
	int want_size = 0;

	/* A look: new mail stays in new/, \Recent for the session that
	 * selects it (RFC 3501 2.3.1.2); sizes are counted only for SIZE. */
	for (a = items->list; a != NULL; a = a->next)
		if (arg_is(a, "SIZE"))
			want_size = 1;
	buf_init(&err, 1024);
	if (mailbox_open(path,
		MAILBOX_KEEP_NEW | (want_size ? 0 : MAILBOX_LAZY_VSIZE), &mb,
		&err) < 0) {
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
		buf_deinit(&err);
		return -1;
	}
	buf_deinit(&err);
	for (i = 0; i < mailbox_count(mb); i++) {
		struct mflags f;

		mflags_parse(mailbox_msg(mb, i)->name, &f);
		unseen += !(f.flags & MFLAG_SEEN);
		deleted += (f.flags & MFLAG_TRASHED) != 0;
		if (want_size)
			size += (unsigned long long)mailbox_msg(mb, i)->vsize;
	}
	sess_printf(s, "* STATUS ");
	sess_string(s, name, strlen(name));
	sess_printf(s, " (");
	for (a = items->list; a != NULL; a = a->next, sep = " ") {
		if (arg_is(a, "MESSAGES"))
			sess_printf(s, "%sMESSAGES %zu", sep,
			    mailbox_count(mb));
		else if (arg_is(a, "UIDNEXT"))
			sess_printf(s, "%sUIDNEXT %u", sep,
			    mailbox_uidnext(mb));
		else if (arg_is(a, "UIDVALIDITY"))
			sess_printf(s, "%sUIDVALIDITY %u", sep,
			    mailbox_uidvalidity(mb));
		else if (arg_is(a, "UNSEEN"))
			sess_printf(s, "%sUNSEEN %zu", sep, unseen);
		else if (arg_is(a, "DELETED"))
			sess_printf(s, "%sDELETED %zu", sep, deleted);
		else if (arg_is(a, "SIZE"))
			sess_printf(s, "%sSIZE %llu", sep, size);
		else
			sess_printf(s, "%sRECENT %zu", sep, count_recent(mb));
	}
	sess_printf(s, ")\r\n");
	mailbox_close(&mb);
	return 0;
}

/* STATUS (RFC 9051 6.3.11; SIZE from RFC 8438). */
int
cmd_status(struct sess *s, const struct imap_command *c)
{
	struct buf path;
	int ret = SESS_OK;

	if (c->nargs != 2 || !sess_status_items_ok(c->args->next))
		return sess_bad(s, c,
		    "STATUS needs a mailbox and a list of "
		    "status items.");
	buf_init(&path, BUF_MAX_INTERNAL);
	if (folder_arg(s, c, c->args, &path, 1) < 0)
		ret = SESS_REPLIED;
	else if (sess_status(s, arg_text(c->args), buf_cstr(&path),
		     c->args->next) < 0)
		ret = sess_no(s, c, "[SERVERBUG] Internal error occurred.");
	buf_deinit(&path);
	return ret;
}

struct mcache *
sel_cache(struct sess *s)
{
	/* Opened at first use: a session that only selects and idles
	 * never reads it. */
	if (s->sel->cache == NULL)
		s->sel->cache = mcache_open(s->sel->path);
	return s->sel->cache;
}

/* A number the folder's cache keeps for message i in field, or -1. */
static long long
cached_number(struct sess *s, size_t i, char field)
{
	const char *v;
	char num[32];
	size_t n;

	v = mcache_get(sel_cache(s), mailbox_msg(s->sel->mb, i)->base, field,
	    &n);
	if (v == NULL || n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, v, n);
	num[n] = '\0';
	return strtoll(num, NULL, 10);
}

/* Look message i's field up with lookup (mailbox_msg_date or _vsize) and
 * keep value() in the cache. 1, 0 (gone) or -1 (logged). */
static int
look_up_and_cache(struct sess *s, size_t i, char field,
    int (*lookup)(struct mailbox *, size_t, struct buf *),
    long long (*value)(const struct mailbox_msg *))
{
	struct buf err;
	char num[32];
	size_t n;
	int ret;

	buf_init(&err, 1024);
	if ((ret = lookup(s->sel->mb, i, &err)) < 0)
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
	buf_deinit(&err);
	if (ret <= 0)
		return ret;
	n = (size_t)snprintf(num, sizeof(num), "%lld",
	    value(mailbox_msg(s->sel->mb, i)));
	mcache_put(sel_cache(s), mailbox_msg(s->sel->mb, i)->base, field, num,
	    n);
	return 1;
}

static long long
msg_date(const struct mailbox_msg *m)
{
	return (long long)m->date;
}

static long long
msg_vsize(const struct mailbox_msg *m)
{
	return (long long)m->vsize;
}

time_t
sess_msg_date(struct sess *s, size_t i)
{
	const struct mailbox_msg *m = mailbox_msg(s->sel->mb, i);
	long long v;
	int ret;

	if (m->date == 0 && (v = cached_number(s, i, MCACHE_DATE)) > 0)
		mailbox_msg_set_date(s->sel->mb, i, (time_t)v);
	if (m->date != 0)
		return m->date;
	ret = look_up_and_cache(s, i, MCACHE_DATE, mailbox_msg_date, msg_date);
	if (ret <= 0)
		return ret < 0 ? 1 : 0; /* unreadable: shown as the epoch */
	return m->date;
}

int
sess_msg_vsize_known(struct sess *s, size_t i)
{
	const struct mailbox_msg *m = mailbox_msg(s->sel->mb, i);
	long long v;

	if (m->vsize < 0 && (v = cached_number(s, i, MCACHE_VSIZE)) >= 0)
		mailbox_msg_set_vsize(s->sel->mb, i, (off_t)v);
	return m->vsize >= 0;
}

void
sess_msg_vsize_counted(struct sess *s, size_t i, off_t vsize)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%lld", (long long)vsize);

	mailbox_msg_counted_vsize(s->sel->mb, i, vsize);
	mcache_put(sel_cache(s), mailbox_msg(s->sel->mb, i)->base, MCACHE_VSIZE,
	    num, (size_t)n);
}

uint64_t
sess_msg_vsize(struct sess *s, size_t i)
{
	const struct mailbox_msg *m = mailbox_msg(s->sel->mb, i);

	if (sess_msg_vsize_known(s, i))
		return (uint64_t)m->vsize;
	if (look_up_and_cache(s, i, MCACHE_VSIZE, mailbox_msg_vsize,
		msg_vsize) <= 0)
		return 0;
	return (uint64_t)m->vsize;
}

/* mcache_flush's is_live: a base of the view. The table is made on the
 * first call (only a flush that may compact asks). */
struct live {
	struct sess *s;
	struct htable *bases;
};

static int
is_live(void *ctx, const char *base)
{
	struct live *l = ctx;
	size_t i;

	if (l->bases == NULL) {
		l->bases = htable_create();
		for (i = 0; i < mailbox_count(l->s->sel->mb); i++)
			(void)htable_enter(l->bases,
			    mailbox_msg(l->s->sel->mb, i)->base, l);
	}
	return htable_find(l->bases, base) != NULL;
}

void
sel_cache_flush(struct sess *s)
{
	struct live l = { s, NULL };
	struct buf err;

	buf_init(&err, 1024);
	if (s->sel->cache != NULL &&
	    mcache_flush(s->sel->cache, is_live, &l, &err) < 0)
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
	if (l.bases != NULL)
		htable_destroy(&l.bases, NULL);
	buf_deinit(&err);
}
