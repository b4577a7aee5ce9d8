/* SPDX-License-Identifier: MIT */
/* imap_search - SEARCH keys compiled from the parser's arguments into a
 * tree, ordered by cost, and evaluated against one message. See
 * imap_search.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail/charset.h"
#include "mail/imap_parse.h"
#include "mail/imap_search.h"
#include "mail/imap_search_impl.h"
#include "util/buf.h"
#include "util/mem.h"

/* --- compiling --- */

#define KEYS_MIN_CAP 16

static int
fail(struct buf *err, const char *text)
{
	(void)buf_set(err, text);
	return IMAP_SEARCH_BAD;
}

static struct sk *
key_new(struct imap_search *s, enum sk_type type)
{
	struct sk *k;

	if (s->nkeys == s->keys_max)
		return NULL;
	if (s->nkeys == s->keys_cap) {
		/* UNSAFE: keys_cap <= keys_max, an unsigned of pointers */
		s->keys_cap = s->keys_cap == 0 ? KEYS_MIN_CAP : s->keys_cap * 2;
		if (s->keys_cap > s->keys_max)
			s->keys_cap = s->keys_max;
		s->keys = xrealloc(s->keys, s->keys_cap * sizeof(*s->keys));
	}
	k = xmalloc(sizeof(*k));
	k->type = type;
	s->keys[s->nkeys++] = k;
	return k;
}

/* An astring (RFC 3501 9): any value with text but a list or a streamed
 * literal; a NUMBER, SEQSET or NIL is its token. */
static int
arg_string(const struct imap_arg *a, const char **p_r, size_t *n_r)
{
	if (a == NULL || a->type == IMAP_ARG_LIST || a->str == NULL)
		return -1;
	*p_r = a->str;
	*n_r = a->len;
	return 0;
}

static int
arg_number(const struct imap_arg *a, uint64_t *v_r)
{
	if (a == NULL || a->type != IMAP_ARG_NUMBER)
		return -1;
	*v_r = a->num;
	return 0;
}

static int
arg_date(const struct imap_arg *a, int64_t *day_r)
{
	if (a == NULL ||
	    (a->type != IMAP_ARG_ATOM && a->type != IMAP_ARG_STRING))
		return -1;
	return imap_search_date(a->str, a->len, day_r);
}

/* Copy a sequence set (a SEQSET, or a NUMBER that is one) into k. */
static int
key_set(struct imap_search *s, struct sk *k, const struct imap_arg *a)
{
	const struct imap_seqset *set;

	if (a == NULL ||
	    (a->type != IMAP_ARG_SEQSET && a->type != IMAP_ARG_NUMBER) ||
	    (set = a->seqset) == NULL)
		return -1;
	if (set->saved) {
		k->type = SK_SAVED;
		s->uses_saved = 1;
		return 0;
	}
	k->set.count = set->count;
	k->set.ranges = xcalloc(set->count, sizeof(*set->ranges));
	memcpy(k->set.ranges, set->ranges, set->count * sizeof(*set->ranges));
	k->resolved = xcalloc(set->count, sizeof(*set->ranges));
	return 0;
}

/* Search keys without arguments: flag tests. */
static const struct {
	const char *name;
	unsigned set, clear;
} flag_keys[] = {
	{ "ANSWERED", IMAP_SF_ANSWERED, 0 },
	{ "DELETED", IMAP_SF_DELETED, 0 },
	{ "DRAFT", IMAP_SF_DRAFT, 0 },
	{ "FLAGGED", IMAP_SF_FLAGGED, 0 },
	{ "RECENT", IMAP_SF_RECENT, 0 },
	{ "SEEN", IMAP_SF_SEEN, 0 },
	{ "NEW", IMAP_SF_RECENT, IMAP_SF_SEEN }, /* RECENT UNSEEN */
	{ "OLD", 0, IMAP_SF_RECENT },            /* NOT RECENT */
	{ "UNANSWERED", 0, IMAP_SF_ANSWERED },
	{ "UNDELETED", 0, IMAP_SF_DELETED },
	{ "UNDRAFT", 0, IMAP_SF_DRAFT },
	{ "UNFLAGGED", 0, IMAP_SF_FLAGGED },
	{ "UNSEEN", 0, IMAP_SF_SEEN },
};

/* Keys with arguments. */
static const struct {
	const char *name;
	enum sk_type type;
	const char *header; /* SK_HEADER: the field */
} arg_keys[] = {
	{ "BCC", SK_HEADER, "Bcc" },
	{ "CC", SK_HEADER, "Cc" },
	{ "FROM", SK_HEADER, "From" },
	{ "SUBJECT", SK_HEADER, "Subject" },
	{ "TO", SK_HEADER, "To" },
	{ "HEADER", SK_HEADER, NULL },
	{ "BODY", SK_BODY, NULL },
	{ "TEXT", SK_TEXT, NULL },
	{ "BEFORE", SK_BEFORE, NULL },
	{ "ON", SK_ON, NULL },
	{ "SINCE", SK_SINCE, NULL },
	{ "SENTBEFORE", SK_SENTBEFORE, NULL },
	{ "SENTON", SK_SENTON, NULL },
	{ "SENTSINCE", SK_SENTSINCE, NULL },
	{ "LARGER", SK_LARGER, NULL },
	{ "SMALLER", SK_SMALLER, NULL },
	{ "OLDER", SK_OLDER, NULL },
	{ "YOUNGER", SK_YOUNGER, NULL },
	{ "KEYWORD", SK_KEYWORD, NULL },
	{ "UNKEYWORD", SK_KEYWORD, NULL },
	{ "UID", SK_UID, NULL },
	{ "NOT", SK_NOT, NULL },
	{ "OR", SK_OR, NULL },
	{ "ALL", SK_ALL, NULL },
};

struct compile {
	struct imap_search *s;
	struct buf *err;
	const struct imap_arg *a; /* the next argument at this level */
	const char *charset;      /* CHARSET's name, NULL for UTF-8 */
	size_t charset_len;
};

static int parse_key(struct compile *c, unsigned depth, struct sk **k_r);

/* A non-empty run of printable ASCII (a keyword: the parser's atoms hold
 * nothing else, but a value of another type might). */
static int
printable(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] >= 127)
			return 0;
	return n > 0;
}

/* A header field name: printable ASCII but ":" (RFC 5322 3.6.8). */
static int
field_name_ok(const char *p, size_t n)
{
	return printable(p, n) && memchr(p, ':', n) == NULL;
}

/* The needle of a search string, in UTF-8 when CHARSET named another
 * charset (RFC 9051 6.4.4: the strings are in that charset). */
static void
needle_init(struct compile *c, struct imap_search_needle *n, const char *v,
    size_t vn)
{
	struct buf u;
	size_t max;

	/* A byte is at most three UTF-8 bytes in the charsets mail uses. */
	if (c->charset == NULL || __builtin_mul_overflow(vn, (size_t)4, &max) ||
	    __builtin_add_overflow(max, (size_t)16, &max)) {
		imap_search_needle_init(n, v, vn);
		return;
	}
	buf_init(&u, max);
	(void)charset_to_utf8(c->charset, c->charset_len, v, vn, &u);
	imap_search_needle_init(n, u.data, u.len);
	buf_deinit(&u);
}

/* HEADER name string, or FROM string and the like (field given). */
static int
parse_header(struct compile *c, struct sk *k, const char *field)
{
	const char *p, *v;
	size_t n, vn;

	if (field == NULL) {
		if (arg_string(c->a, &p, &n) < 0)
			return fail(c->err, "HEADER needs a field name");
		if (!field_name_ok(p, n))
			return fail(c->err, "Invalid header field name");
		k->name = xstrndup(p, n);
		c->a = c->a->next;
	} else
		k->name = xstrdup(field);
	if (arg_string(c->a, &v, &vn) < 0)
		return fail(c->err, "Search key needs a string");
	c->a = c->a->next;
	needle_init(c, &k->needle, v, vn);
	k->cost = SK_COST_HEADER;
	return 0;
}

/* The argument of a date, number, keyword or set key. */
static int
parse_simple(struct compile *c, struct sk *k)
{
	const struct imap_arg *a = c->a;
	const char *p;
	size_t n;

	switch (k->type) {
	case SK_BEFORE:
	case SK_ON:
	case SK_SINCE:
	case SK_SENTBEFORE:
	case SK_SENTON:
	case SK_SENTSINCE:
		if (arg_date(a, &k->day) < 0)
			return fail(c->err, "Invalid date (d-Mon-yyyy)");
		if (k->type >= SK_SENTBEFORE)
			k->cost = SK_COST_HEADER;
		break;
	case SK_LARGER:
	case SK_SMALLER:
		if (arg_number(a, &k->num) < 0)
			return fail(c->err, "Search key needs a number");
		break;
	case SK_OLDER:
	case SK_YOUNGER:
		if (arg_number(a, &k->num) < 0 || k->num == 0)
			return fail(c->err,
			    "Interval must be a positive number");
		if (k->num > INTERVAL_MAX)
			k->num = INTERVAL_MAX;
		break;
	case SK_KEYWORD:
		/* flag-keyword = atom (a system flag is no keyword) */
		if (a == NULL ||
		    (a->type != IMAP_ARG_ATOM && a->type != IMAP_ARG_NUMBER) ||
		    a->flags != 0 || arg_string(a, &p, &n) < 0 ||
		    !printable(p, n) || p[0] == '\\')
			return fail(c->err, "KEYWORD needs a keyword");
		k->name = xstrndup(p, n);
		k->cost = SK_COST_KEYWORD;
		break;
	case SK_UID:
		if (key_set(c->s, k, a) < 0)
			return fail(c->err, "UID needs a sequence set");
		break;
	default:
		break;
	}
	c->a = a->next;
	return 0;
}

/* The arguments of the key k (after its name). */
static int
parse_args(struct compile *c, struct sk *k, const char *field, unsigned depth)
{
	struct sk *b;

	switch (k->type) {
	case SK_ALL:
		return 0;
	case SK_HEADER:
		return parse_header(c, k, field);
	case SK_BODY:
	case SK_TEXT: {
		const char *v;
		size_t vn;

		if (arg_string(c->a, &v, &vn) < 0)
			return fail(c->err, "Search key needs a string");
		c->a = c->a->next;
		needle_init(c, &k->needle, v, vn);
		k->cost = SK_COST_MESSAGE;
		return 0;
	}
	case SK_NOT:
		return parse_key(c, depth + 1, &k->child);
	case SK_OR:
		if (parse_key(c, depth + 1, &k->child) < 0 ||
		    parse_key(c, depth + 1, &b) < 0)
			return IMAP_SEARCH_BAD;
		k->child->next = b;
		return 0;
	default:
		return parse_simple(c, k);
	}
}

/* A key named by an atom. */
static int
parse_named(struct compile *c, const char *name, unsigned depth,
    struct sk **k_r)
{
	struct sk *k;
	size_t i;

	for (i = 0; i < sizeof(flag_keys) / sizeof(flag_keys[0]); i++) {
		if (strcasecmp(name, flag_keys[i].name) != 0)
			continue;
		if ((k = key_new(c->s, SK_FLAGS)) == NULL)
			return fail(c->err, "Too many search keys");
		k->on = flag_keys[i].set;
		k->off = flag_keys[i].clear;
		*k_r = k;
		return 0;
	}
	for (i = 0; i < sizeof(arg_keys) / sizeof(arg_keys[0]); i++) {
		if (strcasecmp(name, arg_keys[i].name) != 0)
			continue;
		if ((k = key_new(c->s, arg_keys[i].type)) == NULL)
			return fail(c->err, "Too many search keys");
		k->neg = strcasecmp(name, "UNKEYWORD") == 0;
		*k_r = k;
		return parse_args(c, k, arg_keys[i].header, depth);
	}
	return fail(c->err, "Unknown search key");
}

/* The keys of a list (or of the whole command) from c->a to the end, as
 * one key: the one, or an AND of them. */
static int
parse_and(struct compile *c, unsigned depth, struct sk **k_r)
{
	struct sk *and, *k, *last;

	if (parse_key(c, depth, k_r) < 0)
		return IMAP_SEARCH_BAD;
	if (c->a == NULL)
		return 0;
	if ((and = key_new(c->s, SK_AND)) == NULL)
		return fail(c->err, "Too many search keys");
	and->child = last = *k_r;
	while (c->a != NULL) {
		if (parse_key(c, depth, &k) < 0)
			return IMAP_SEARCH_BAD;
		last->next = k;
		last = k;
	}
	*k_r = and;
	return 0;
}

/* One key at c->a, with its arguments; c->a moves past them. */
static int
parse_key(struct compile *c, unsigned depth, struct sk **k_r)
{
	const struct imap_arg *a = c->a;
	struct compile sub;
	struct sk *k;

	if (a == NULL)
		return fail(c->err, "Missing search key");
	if (depth > c->s->depth_max)
		return fail(c->err, "Search keys nested too deeply");
	c->a = a->next;
	switch (a->type) {
	case IMAP_ARG_LIST:
		sub = *c;
		sub.a = a->list;
		return parse_and(&sub, depth + 1, k_r);
	case IMAP_ARG_SEQSET:
	case IMAP_ARG_NUMBER:
		if ((k = key_new(c->s, SK_SEQ)) == NULL)
			return fail(c->err, "Too many search keys");
		if (key_set(c->s, k, a) < 0)
			return fail(c->err, "Invalid sequence set");
		*k_r = k;
		return 0;
	case IMAP_ARG_ATOM:
		if (a->flags == 0)
			return parse_named(c, a->str, depth, k_r);
		break;
	default:
		break;
	}
	return fail(c->err, "Invalid search key");
}

/* RETURN (opts), RFC 4731 3.1 and RFC 5182 2. */
static int
parse_return(struct compile *c)
{
	static const struct {
		const char *name;
		unsigned bit;
	} opts[] = {
		{ "MIN", IMAP_SEARCH_RET_MIN },
		{ "MAX", IMAP_SEARCH_RET_MAX },
		{ "ALL", IMAP_SEARCH_RET_ALL },
		{ "COUNT", IMAP_SEARCH_RET_COUNT },
		{ "SAVE", IMAP_SEARCH_RET_SAVE },
	};
	const struct imap_arg *o;
	size_t i;

	if (c->a == NULL || c->a->type != IMAP_ARG_LIST)
		return fail(c->err, "RETURN needs a list of options");
	for (o = c->a->list; o != NULL; o = o->next) {
		for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
			if (o->type == IMAP_ARG_ATOM &&
			    strcasecmp(o->str, opts[i].name) == 0)
				break;
		if (i == sizeof(opts) / sizeof(opts[0]))
			return fail(c->err, "Unknown RETURN option");
		c->s->ret |= opts[i].bit;
	}
	if (c->s->ret == 0) /* "RETURN ()" means ALL */
		c->s->ret = IMAP_SEARCH_RET_ALL;
	c->a = c->a->next;
	return 0;
}

/* CHARSET name: US-ASCII and UTF-8 (RFC 9051 6.4.4 requires both), and
 * any other charset charset.h converts: the search strings are converted
 * to UTF-8. BADCHARSET lists only the first two (7.1: the list may be
 * partial). */
static int
parse_charset(struct compile *c)
{
	const char *p;
	size_t n;

	if (arg_string(c->a, &p, &n) < 0)
		return fail(c->err, "CHARSET needs a name");
	switch (charset_lookup(p, n)) {
	case CHARSET_ASCII:
	case CHARSET_UTF8:
		c->a = c->a->next;
		return 0;
	case CHARSET_LATIN1:
	case CHARSET_CP1252:
	case CHARSET_ICONV:
		c->charset = p;
		c->charset_len = n;
		c->a = c->a->next;
		return 0;
	case CHARSET_UNKNOWN:
		break;
	}
	(void)buf_set(c->err,
	    "[BADCHARSET " IMAP_SEARCH_CHARSETS "] Unsupported charset");
	return IMAP_SEARCH_BADCHARSET;
}

static int
is_atom(const struct imap_arg *a, const char *name)
{
	return a != NULL && a->type == IMAP_ARG_ATOM && a->flags == 0 &&
	    strcasecmp(a->str, name) == 0;
}

/* Sort an AND list cheapest first, keeping the order within a cost (one
 * list a cost, joined: linear in the keys). Returns the last key. */
static struct sk *
sort_and(struct sk *k)
{
	struct sk *head[SK_COST_COUNT] = { 0 }, *last[SK_COST_COUNT] = { 0 };
	struct sk *c, *next, *end = NULL;
	unsigned i;

	for (c = k->child; c != NULL; c = next) {
		next = c->next;
		c->next = NULL;
		if (head[c->cost] == NULL)
			head[c->cost] = c;
		else
			last[c->cost]->next = c;
		last[c->cost] = c;
	}
	k->child = NULL;
	for (i = SK_COST_COUNT; i-- > 0;) {
		if (head[i] == NULL)
			continue;
		if (end == NULL)
			end = last[i];
		last[i]->next = k->child;
		k->child = head[i];
	}
	return end;
}

/* Order AND lists cheapest first, OR's two keys cheaper first, and set
 * every key's cost from its children. */
static enum sk_cost
order(struct sk *k)
{
	struct sk *c;

	for (c = k->child; c != NULL; c = c->next)
		(void)order(c);
	switch (k->type) {
	case SK_NOT:
		k->cost = k->child->cost;
		break;
	case SK_OR:
		c = k->child;
		if (c->cost > c->next->cost) {
			k->child = c->next;
			k->child->next = c;
			c->next = NULL;
		}
		k->cost = k->child->next->cost;
		break;
	case SK_AND:
		k->cost = sort_and(k)->cost;
		break;
	default:
		break;
	}
	return k->cost;
}

static unsigned
needs_of(const struct imap_search *s)
{
	static const unsigned need[] = {
		[SK_COST_NONE] = 0,
		[SK_COST_KEYWORD] = IMAP_SEARCH_NEED_KEYWORDS,
		[SK_COST_HEADER] = IMAP_SEARCH_NEED_HEADER,
		[SK_COST_MESSAGE] = IMAP_SEARCH_NEED_MESSAGE,
	};
	unsigned i, n = 0;

	for (i = 0; i < s->nkeys; i++) {
		n |= need[s->keys[i]->cost];
		switch (s->keys[i]->type) {
		case SK_LARGER:
		case SK_SMALLER:
			n |= IMAP_SEARCH_NEED_SIZE;
			break;
		case SK_BEFORE:
		case SK_ON:
		case SK_SINCE:
		case SK_OLDER:
		case SK_YOUNGER:
			n |= IMAP_SEARCH_NEED_DATE;
			break;
		default:
			break;
		}
	}
	return n;
}

int
imap_search_compile(const struct imap_arg *args,
    const struct imap_search_limits *lim, struct imap_search **s_r,
    struct buf *err)
{
	struct imap_search *s = xmalloc(sizeof(*s));
	struct compile c = { .s = s, .err = err, .a = args };
	int rc = 0;

	s->depth_max = lim != NULL && lim->depth_max != 0
	    ? lim->depth_max
	    : IMAP_SEARCH_DEF_DEPTH_MAX;
	s->keys_max = lim != NULL && lim->keys_max != 0
	    ? lim->keys_max
	    : IMAP_SEARCH_DEF_KEYS_MAX;
	imap_search_scratch_init(&s->x);
	*s_r = NULL;
	if (is_atom(c.a, "RETURN")) {
		c.a = c.a->next;
		rc = parse_return(&c);
	}
	if (rc == 0 && is_atom(c.a, "CHARSET")) {
		c.a = c.a->next;
		rc = parse_charset(&c);
	}
	if (rc == 0)
		rc = parse_and(&c, 0, &s->root);
	if (rc != 0) {
		imap_search_destroy(&s);
		return rc;
	}
	(void)order(s->root);
	s->needs = needs_of(s);
	*s_r = s;
	return IMAP_SEARCH_OK;
}

void
imap_search_destroy(struct imap_search **sp)
{
	struct imap_search *s = *sp;
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nkeys; i++) {
		struct sk *k = s->keys[i];

		xfree(k->name);
		imap_search_needle_deinit(&k->needle);
		xfree(k->set.ranges);
		xfree(k->resolved);
		xfree(k);
	}
	xfree(s->keys);
	imap_search_scratch_deinit(&s->x);
	xfree(s);
	*sp = NULL;
}

unsigned
imap_search_return(const struct imap_search *s)
{
	return s->ret;
}

unsigned
imap_search_needs(const struct imap_search *s)
{
	return s->needs;
}

int
imap_search_uses_saved(const struct imap_search *s)
{
	return s->uses_saved;
}
