/* SPDX-License-Identifier: MIT */
/* mime_addr - RFC 5322 address lists as IMAP's ENVELOPE shows them. */
#include <string.h>

#include "mail/mime.h"
#include "util/buf.h"
#include "util/mem.h"

struct lexer {
	const char *p, *end;
	struct buf comment; /* the last comment's text */
};

struct entry_list {
	struct mime_address *a;
	unsigned n, max;
};

static int
is_special(int c)
{
	return c != 0 && strchr("()<>[]:;@\\,\"", c) != NULL;
}

/* Skip white space and comments, keeping the last comment's text. Each
 * byte is looked at once. */
static void
skip_cfws(struct lexer *lx)
{
	while (lx->p < lx->end) {
		unsigned depth;

		if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' ||
		    *lx->p == '\n') {
			lx->p++;
			continue;
		}
		if (*lx->p != '(')
			return;
		buf_reset(&lx->comment);
		for (depth = 1, lx->p++; lx->p < lx->end && depth > 0;
		     lx->p++) {
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			else if (*lx->p == '(')
				depth++;
			else if (*lx->p == ')' && --depth == 0)
				continue;
			(void)buf_putc(&lx->comment, (unsigned char)*lx->p);
		}
	}
}

/* Read a word (an atom, dots allowed, or a quoted-string) at lx->p:
 * append its raw text to raw and its unquoted text to text. Returns 0
 * when there is no word here. */
static int
word(struct lexer *lx, struct buf *raw, struct buf *text)
{
	const char *s = lx->p;

	if (lx->p >= lx->end)
		return 0;
	if (*lx->p == '"') {
		for (lx->p++; lx->p < lx->end && *lx->p != '"'; lx->p++) {
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			if (*lx->p != '\r' && *lx->p != '\n')
				(void)buf_putc(text, (unsigned char)*lx->p);
		}
		if (lx->p < lx->end)
			lx->p++;
	} else {
		while (lx->p < lx->end && !is_special((unsigned char)*lx->p) &&
		    *lx->p != ' ' && *lx->p != '\t' && *lx->p != '\r' &&
		    *lx->p != '\n')
			lx->p++;
		if (lx->p == s)
			return 0;
		(void)buf_append(text, s, (size_t)(lx->p - s));
	}
	(void)buf_append(raw, s, (size_t)(lx->p - s));
	return 1;
}

/* A domain after "@": dot-atoms, or a domain literal "[...]". */
static void
domain(struct lexer *lx, struct buf *out)
{
	skip_cfws(lx);
	if (lx->p < lx->end && *lx->p == '[') {
		const char *s = lx->p;

		while (lx->p < lx->end && *lx->p != ']')
			lx->p++;
		if (lx->p < lx->end)
			lx->p++;
		(void)buf_append(out, s, (size_t)(lx->p - s));
		return;
	}
	for (;;) {
		const char *s = lx->p;

		while (lx->p < lx->end && !is_special((unsigned char)*lx->p) &&
		    *lx->p != ' ' && *lx->p != '\t' && *lx->p != '\r' &&
		    *lx->p != '\n')
			lx->p++;
		(void)buf_append(out, s, (size_t)(lx->p - s));
		skip_cfws(lx);
		/* "a . b" (obsolete CFWS around dots) joins as "a.b" */
		if (lx->p == s || lx->p >= lx->end || out->len == 0 ||
		    out->data[out->len - 1] != '.')
			return;
	}
}

static char *
dup_buf(const struct buf *b)
{
	return xstrndup(b->data, b->len);
}

static void
add(struct entry_list *l, const struct buf *name, const char *route,
    const char *mailbox, const char *host)
{
	struct mime_address *a;

	if (l->n >= l->max)
		return;
	a = &l->a[l->n++];
	a->name = name != NULL && name->len > 0 ? dup_buf(name) : NULL;
	a->route = route != NULL ? xstrdup(route) : NULL;
	a->mailbox = mailbox != NULL ? xstrdup(mailbox) : NULL;
	a->host = host != NULL ? xstrdup(host) : NULL;
}

/* "<" [route ":"] local "@" domain ">" at lx->p (after the "<"). */
static void
angle_addr(struct lexer *lx, struct entry_list *l, const struct buf *name)
{
	struct buf route, local, dom, text;
	int routed = 0;

	buf_init(&route, MIME_DEF_MAX_FIELD);
	buf_init(&local, MIME_DEF_MAX_FIELD);
	buf_init(&dom, MIME_DEF_MAX_FIELD);
	buf_init(&text, MIME_DEF_MAX_FIELD);
	skip_cfws(lx);
	/* Obsolete route: @a,@b: (RFC 5322 4.4) */
	while (lx->p < lx->end && (*lx->p == '@' || *lx->p == ',')) {
		if (*lx->p == '@') {
			if (route.len > 0)
				(void)buf_putc(&route, ',');
			(void)buf_putc(&route, '@');
			lx->p++;
			domain(lx, &route);
		} else
			lx->p++;
		skip_cfws(lx);
		if (lx->p < lx->end && *lx->p == ':') {
			lx->p++;
			skip_cfws(lx);
			routed = 1;
			break;
		}
	}
	if (route.len > 0 && !routed) {
		/* "<@domain>": no route, a domain without a local part */
		(void)buf_append(&dom, route.data + 1, route.len - 1);
		buf_reset(&route);
	}
	while (word(lx, &local, &text))
		skip_cfws(lx);
	if (lx->p < lx->end && *lx->p == '@') {
		lx->p++;
		buf_reset(&dom);
		domain(lx, &dom);
	}
	skip_cfws(lx);
	if (lx->p < lx->end && *lx->p == '>')
		lx->p++;
	if (local.len > 0 || dom.len > 0)
		add(l, name, route.len > 0 ? route.data : NULL,
		    local.len > 0 ? local.data : MIME_ADDR_MISSING_MAILBOX,
		    dom.len > 0 ? dom.data : MIME_ADDR_MISSING_DOMAIN);
	buf_deinit(&route);
	buf_deinit(&local);
	buf_deinit(&dom);
	buf_deinit(&text);
}

unsigned
mime_addr_parse(const char *value, size_t n, unsigned max,
    struct mime_address **list_r)
{
	struct entry_list l = { NULL, 0, max };
	struct lexer lx = { value, value + n, { 0 } };
	struct buf raw, text, dom;
	int in_group = 0;

	*list_r = NULL;
	if (max == 0)
		return 0;
	/* At most one entry per input byte, plus a group's end. */
	if ((size_t)l.max > n + 1)
		l.max = (unsigned)(n + 1);
	l.a = xcalloc(l.max, sizeof(*l.a));
	buf_init(&lx.comment, MIME_DEF_MAX_FIELD);
	buf_init(&raw, MIME_DEF_MAX_FIELD);
	buf_init(&text, MIME_DEF_MAX_FIELD);
	buf_init(&dom, MIME_DEF_MAX_FIELD);
	while (l.n < l.max) {
		/* A phrase, or a local part: words up to a special. */
		buf_reset(&raw);
		buf_reset(&text);
		skip_cfws(&lx);
		while (word(&lx, &raw, &text)) {
			skip_cfws(&lx);
			if (lx.p < lx.end && *lx.p != '.' &&
			    (*lx.p == '"' || !is_special((unsigned char)*lx.p)))
				(void)buf_putc(&text, ' ');
		}
		while (text.len > 0 && text.data[text.len - 1] == ' ')
			text.data[--text.len] = 0;
		if (lx.p >= lx.end || *lx.p == ',' || *lx.p == ';') {
			/* A bare local name, then the group's end. */
			if (raw.len > 0)
				add(&l, NULL, NULL, raw.data,
				    MIME_ADDR_MISSING_DOMAIN);
			if (lx.p < lx.end && *lx.p == ';' && in_group) {
				add(&l, NULL, NULL, NULL, NULL);
				in_group = 0;
			}
			if (lx.p >= lx.end)
				break;
			lx.p++;
			continue;
		}
		switch (*lx.p++) {
		case ':':
			if (!in_group) {
				add(&l, NULL, NULL, text.data, NULL);
				in_group = 1;
			}
			break;
		case '<':
			angle_addr(&lx, &l, &text);
			break;
		case '@':
			buf_reset(&dom);
			buf_reset(&lx.comment);
			domain(&lx, &dom);
			skip_cfws(&lx);
			/* "a@b (Name)": the comment names it (RFC 822 use) */
			add(&l, &lx.comment, NULL,
			    raw.len > 0 ? raw.data : MIME_ADDR_MISSING_MAILBOX,
			    dom.len > 0 ? dom.data : MIME_ADDR_MISSING_DOMAIN);
			break;
		default:
			/* '>', ')', '[', ']', '\\': junk, skipped. */
			break;
		}
	}
	if (in_group && l.n < l.max)
		add(&l, NULL, NULL, NULL, NULL);
	buf_deinit(&lx.comment);
	buf_deinit(&raw);
	buf_deinit(&text);
	buf_deinit(&dom);
	if (l.n == 0) {
		xfree(l.a);
		l.a = NULL;
	}
	*list_r = l.a;
	return l.n;
}

void
mime_addr_free(struct mime_address *list, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		xfree(list[i].name);
		xfree(list[i].route);
		xfree(list[i].mailbox);
		xfree(list[i].host);
	}
	xfree(list);
}
