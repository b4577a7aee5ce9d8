/* SPDX-License-Identifier: MIT */
/* imapd_search - SEARCH and UID SEARCH (RFC 9051 6.4.4, ESEARCH RFC
 * 4731, SEARCHRES RFC 5182) over the selected folder: imap_search.h
 * compiles and matches, this file describes each message to it and reads
 * the message only when a key needs it. See imapd_sess.h. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail/imap_search.h"
#include "store/mailbox.h"
#include "store/mcache.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/log.h"

#include "imapd_sess.h"

/* What the callbacks need of one message. */
struct msg_ctx {
	struct sess *s;
	size_t i;
	struct mflags f;
	struct buf *data; /* what was read of the message */
	int whole;        /* data holds all of it */
	int read;         /* data holds at least the header */
};

static int
has_keyword(void *ctx, const char *kw)
{
	struct msg_ctx *m = ctx;
	int k = mkeywords_find(&m->s->sel->kw, kw);

	return k >= 0 && (m->f.keywords & (1u << k)) != 0;
}

static int
read_msg(struct msg_ctx *m, int whole)
{
	if (m->read && (m->whole || !whole))
		return 0;
	if (sess_load(m->s, m->i, whole, m->data) <= 0)
		return -1;
	m->read = 1;
	m->whole = whole;
	return 0;
}

/* The header block: from the folder's cache (one read of one file), else
 * from the message (then cached when short). */
static int
header(void *ctx, const char **p, size_t *n)
{
	struct msg_ctx *m = ctx;
	const char *base = mailbox_msg(m->s->sel->mb, m->i)->base;

	if (!m->read &&
	    (*p = mcache_get(sel_cache(m->s), base, MCACHE_HEADER, n)) != NULL)
		return 0;
	if (read_msg(m, 0) < 0)
		return -1;
	*p = m->data->data;
	*n = sess_header_len(m->data->data, buf_len(m->data));
	if (*n <= MCACHE_HEADER_MAX)
		mcache_put(sel_cache(m->s), base, MCACHE_HEADER, *p, *n);
	return 0;
}

static int
message(void *ctx, const char **p, size_t *n)
{
	struct msg_ctx *m = ctx;

	if (read_msg(m, 1) < 0)
		return -1;
	*p = m->data->data;
	*n = buf_len(m->data);
	return 0;
}

static unsigned
search_flags(const struct mflags *f, int recent)
{
	unsigned out = recent ? IMAP_SF_RECENT : 0;

	if (f->flags & MFLAG_SEEN)
		out |= IMAP_SF_SEEN;
	if (f->flags & MFLAG_REPLIED)
		out |= IMAP_SF_ANSWERED;
	if (f->flags & MFLAG_FLAGGED)
		out |= IMAP_SF_FLAGGED;
	if (f->flags & MFLAG_TRASHED)
		out |= IMAP_SF_DELETED;
	if (f->flags & MFLAG_DRAFT)
		out |= IMAP_SF_DRAFT;
	return out;
}

/* Match message i. 1, 0, or -1 (a message could not be read). */
static int
match_one(struct sess *s, struct imap_search *srch,
    const struct imap_search_env *env, size_t i, struct buf *data)
{
	const struct mailbox_msg *mm = mailbox_msg(s->sel->mb, i);
	struct msg_ctx m = { s, i, { 0 }, data, 0, 0 };
	struct imap_search_msg sm;
	struct tm tm;

	mflags_parse(mm->name, &m.f);
	memset(&sm, 0, sizeof(sm));
	sm.seq = (uint32_t)(i + 1);
	sm.uid = mm->uid;
	sm.flags = search_flags(&m.f, mm->recent);
	/* Counting a size may mean reading the message: only for LARGER
	 * and SMALLER. */
	if (imap_search_needs(srch) & IMAP_SEARCH_NEED_SIZE)
		sm.size = sess_msg_vsize(s, i);
	/* The date is a lookup in the cache, or a stat: only for the keys
	 * that compare it. */
	if (imap_search_needs(srch) & IMAP_SEARCH_NEED_DATE) {
		sm.internaldate = sess_msg_date(s, i);
		localtime_r(&sm.internaldate, &tm);
		sm.internal_tz_min = (int)(tm.tm_gmtoff / 60);
	}
	sm.has_keyword = has_keyword;
	sm.header = header;
	sm.message = message;
	sm.ctx = &m;
	return imap_search_match(srch, &sm, env);
}

/* Whether SEARCH's arguments give a charset: [RETURN (...)] CHARSET. */
static int
has_charset(const struct imap_arg *a)
{
	if (a != NULL && a->type == IMAP_ARG_ATOM &&
	    strcasecmp(a->str, "RETURN") == 0 && a->next != NULL)
		a = a->next->next;
	return a != NULL && a->type == IMAP_ARG_ATOM &&
	    strcasecmp(a->str, "CHARSET") == 0;
}

int
cmd_search(struct sess *s, const struct imap_command *c)
{
	struct imap_search *srch = NULL;
	struct imap_search_env env;
	struct imap_seqlist res, uids;
	struct buf err, data, out;
	size_t i, count = mailbox_count(s->sel->mb);
	int r = 0, ret = SESS_OK;

	/* RFC 9755 3 (and its erratum): after ENABLE UTF8=ACCEPT, a
	 * charset label conflicts with the strings' own UTF-8. */
	if ((s->enabled & SESS_ENABLED_UTF8_ACCEPT) && has_charset(c->args))
		return sess_bad(s, c,
		    "No CHARSET after ENABLE UTF8=ACCEPT (RFC 9755).");
	buf_init(&err, 1024);
	switch (imap_search_compile(c->args, NULL, &srch, &err)) {
	case IMAP_SEARCH_OK:
		break;
	case IMAP_SEARCH_BADCHARSET:
		ret = sess_no(s, c, "%s", buf_cstr(&err));
		buf_deinit(&err);
		return ret;
	default:
		ret = sess_bad(s, c, "%s", buf_cstr(&err));
		buf_deinit(&err);
		return ret;
	}
	memset(&env, 0, sizeof(env));
	env.max_seq = (uint32_t)count;
	env.max_uid = count > 0 ? mailbox_msg(s->sel->mb, count - 1)->uid : 0;
	env.saved = &s->sel->saved;
	env.now = time(NULL);
	imap_seqlist_init(&res, count + 1);
	imap_seqlist_init(&uids, count + 1);
	buf_init(&data, (size_t)512 * 1024 * 1024);
	buf_init(&out, BUF_MAX_INTERNAL);
	for (i = 0; i < count; i++) {
		const struct mailbox_msg *mm = mailbox_msg(s->sel->mb, i);

		if (mm->expunged)
			continue;
		if ((r = match_one(s, srch, &env, i, &data)) < 0)
			break;
		if (r == 0)
			continue;
		(void)imap_seqlist_add(&res,
		    s->uid ? mm->uid : (uint32_t)i + 1);
		(void)imap_seqlist_add(&uids, mm->uid);
	}
	sel_cache_flush(s);
	if (r < 0) {
		/* RFC 5182 2.1: a failed search empties the saved result. */
		if (imap_search_return(srch) & IMAP_SEARCH_RET_SAVE)
			imap_seqlist_reset(&s->sel->saved);
		ret = sess_no(s, c, "[SERVERBUG] A message could not be read.");
		goto out;
	}
	if (imap_search_return(srch) & IMAP_SEARCH_RET_SAVE) {
		imap_seqlist_reset(&s->sel->saved);
		(void)imap_search_save(srch, &uids, &s->sel->saved);
	}
	(void)imap_search_render(srch, c->tag,
	    (s->uid ? IMAP_SEARCH_RENDER_UID : 0) |
		((s->enabled & SESS_ENABLED_REV2) ? IMAP_SEARCH_RENDER_REV2
						  : 0),
	    &res, &out);
	sess_write(s, out.data, buf_len(&out));
out:
	imap_search_destroy(&srch);
	imap_seqlist_deinit(&res);
	imap_seqlist_deinit(&uids);
	buf_deinit(&err);
	buf_deinit(&data);
	buf_deinit(&out);
	return ret;
}
