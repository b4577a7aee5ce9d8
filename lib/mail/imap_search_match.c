/* SPDX-License-Identifier: MIT */
/* imap_search_match - a compiled search evaluated against one message:
 * the cheap fields first, then keywords, the header and the message,
 * each fetched through the server's callbacks at most once. See
 * imap_search.h. */
#include <stddef.h>
#include <stdint.h>

#include "mail/imap_parse.h"
#include "mail/imap_search.h"
#include "mail/imap_search_impl.h"
#include "mail/mime.h"
#include "util/buf.h"

/* One message being matched: what was fetched of it, once. */
struct eval {
	struct imap_search *s;
	const struct imap_search_msg *m;
	const struct imap_search_env *env;
	int hdr_state, msg_state, sent_state; /* 0 not yet, 1 ok, -1 failed */
	const char *hdr, *msg;
	size_t hdr_len, msg_len;
	int64_t sent_day;
	struct mime_message *mime;
};

static int
get_message(struct eval *e)
{
	const struct imap_search_msg *m = e->m;

	if (e->msg_state == 0)
		e->msg_state = m->message != NULL &&
			m->message(m->ctx, &e->msg, &e->msg_len) == 0
		    ? 1
		    : -1;
	return e->msg_state;
}

static int
get_header(struct eval *e)
{
	const struct imap_search_msg *m = e->m;

	if (e->hdr_state != 0)
		return e->hdr_state;
	if (m->header != NULL)
		e->hdr_state =
		    m->header(m->ctx, &e->hdr, &e->hdr_len) == 0 ? 1 : -1;
	else if ((e->hdr_state = get_message(e)) > 0) {
		e->hdr = e->msg;
		e->hdr_len = imap_search_header_len(e->msg, e->msg_len);
	}
	return e->hdr_state;
}

/* The Date: header's day into e->sent_day: 1, or 2 when there is none or
 * it does not parse, or -1 when the header could not be had. */
static int
get_sent(struct eval *e)
{
	struct buf *v = &e->s->x.field;
	size_t pos = 0;

	if (e->sent_state != 0)
		return e->sent_state;
	if (get_header(e) < 0)
		return e->sent_state = -1;
	buf_reset(v);
	e->sent_state = mime_header_find(e->hdr, e->hdr_len, "Date", &pos, v) &&
		imap_search_sent_date(v->data, v->len, &e->sent_day) == 0
	    ? 1
	    : 2; /* known to be missing */
	return e->sent_state;
}

/* n in k's set, "*" standing for max (resolved once per max). */
static int
in_set(struct sk *k, uint32_t n, uint32_t max)
{
	unsigned lo = 0, hi;

	if (!k->resolved_ok || k->resolved_max != max) {
		k->nresolved = imap_seqset_resolve(&k->set, max, k->resolved);
		k->resolved_max = max;
		k->resolved_ok = 1;
	}
	hi = k->nresolved;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (n < k->resolved[mid].first)
			hi = mid;
		else if (n > k->resolved[mid].last)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* The day of the internal date in its own zone (RFC 9051 6.4.4). */
static int64_t
internal_day(const struct imap_search_msg *m)
{
	int64_t t, day;

	/* A time so far out that the zone overflows is that far out anyway. */
	if (__builtin_add_overflow((int64_t)m->internaldate,
		(int64_t)m->internal_tz_min * 60, &t))
		t = (int64_t)m->internaldate;
	day = t / 86400;

	return t % 86400 < 0 ? day - 1 : day;
}

static int
compare_day(enum sk_type type, int64_t have, int64_t want)
{
	switch (type) {
	case SK_BEFORE:
	case SK_SENTBEFORE:
		return have < want;
	case SK_ON:
	case SK_SENTON:
		return have == want;
	default:
		return have >= want;
	}
}

static int eval(struct eval *e, struct sk *k);

static int
eval_text(struct eval *e, struct sk *k)
{
	switch (k->type) {
	case SK_HEADER:
		if (get_header(e) < 0)
			return -1;
		return imap_search_header_match(&k->needle, e->hdr, e->hdr_len,
		    k->name, &e->s->x);
	default: /* BODY, TEXT */
		if (get_message(e) < 0)
			return -1;
		if (e->mime == NULL)
			e->mime = mime_parse(e->msg, e->msg_len, NULL);
		return imap_search_body_match(&k->needle, e->msg, e->msg_len,
		    e->mime, k->type == SK_TEXT, &e->s->x);
	}
}

static int
eval_list(struct eval *e, struct sk *k)
{
	struct sk *c;
	int r;

	switch (k->type) {
	case SK_NOT:
		r = eval(e, k->child);
		return r < 0 ? r : !r;
	case SK_OR:
		r = eval(e, k->child);
		return r != 0 ? r : eval(e, k->child->next);
	default: /* AND */
		for (c = k->child; c != NULL; c = c->next)
			if ((r = eval(e, c)) <= 0)
				return r;
		return 1;
	}
}

static int
eval(struct eval *e, struct sk *k)
{
	const struct imap_search_msg *m = e->m;
	int64_t t = (int64_t)m->internaldate, now = (int64_t)e->env->now;
	int r;

	switch (k->type) {
	case SK_ALL:
		return 1;
	case SK_FLAGS:
		return (m->flags & k->on) == k->on && (m->flags & k->off) == 0;
	case SK_KEYWORD:
		r = m->has_keyword != NULL ? m->has_keyword(m->ctx, k->name)
					   : 0;
		return r < 0 ? -1 : (r > 0) != k->neg;
	case SK_SEQ:
		return in_set(k, m->seq, e->env->max_seq);
	case SK_UID:
		return in_set(k, m->uid, e->env->max_uid);
	case SK_SAVED:
		return e->env->saved != NULL &&
		    imap_seqlist_contains(e->env->saved, m->uid);
	case SK_LARGER:
		return m->size > k->num;
	case SK_SMALLER:
		return m->size < k->num;
	case SK_BEFORE:
	case SK_ON:
	case SK_SINCE:
		return compare_day(k->type, internal_day(m), k->day);
	case SK_SENTBEFORE:
	case SK_SENTON:
	case SK_SENTSINCE:
		if ((r = get_sent(e)) != 1)
			return r < 0 ? -1 : 0;
		return compare_day(k->type, e->sent_day, k->day);
	case SK_OLDER: /* RFC 5032: as old as the interval or older */
		return t <= now - (int64_t)k->num;
	case SK_YOUNGER:
		return t >= now - (int64_t)k->num;
	case SK_HEADER:
	case SK_BODY:
	case SK_TEXT:
		return eval_text(e, k);
	default:
		return eval_list(e, k);
	}
}

int
imap_search_match(struct imap_search *s, const struct imap_search_msg *m,
    const struct imap_search_env *env)
{
	struct eval e = { .s = s, .m = m, .env = env };
	int r;

	r = eval(&e, s->root);
	mime_destroy(&e.mime);
	return r;
}
