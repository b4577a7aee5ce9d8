/* SPDX-License-Identifier: MIT */
/* mime - a message as a tree of MIME parts, in one bounded forward pass. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail/mime.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/mem.h"

const struct mime_limits mime_default_limits = {
	.max_depth = MIME_DEF_MAX_DEPTH,
	.max_parts = MIME_DEF_MAX_PARTS,
	.max_params = MIME_DEF_MAX_PARAMS,
	.max_field = MIME_DEF_MAX_FIELD,
	.max_sections = MIME_DEF_MAX_SECTIONS,
};

struct mime_message {
	struct mime_part *root;
	unsigned nparts;
	/* Every part, for destroy without recursion. */
	struct mime_part **all;
	size_t nall, capall;
};

struct boundary {
	const char *s;
	size_t len;
};

struct parser {
	const char *data;
	size_t len;
	struct mime_limits lim;
	struct mime_message *msg;
	/* The boundaries of the enclosing multiparts, outermost first. */
	struct boundary stack[MIME_HARD_MAX_DEPTH + 1];
	unsigned nstack;
	struct buf field; /* scratch: an unfolded field value */
};

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* The end of the line at pos: the offset of its LF, or len. */
static size_t
line_end(const struct parser *ps, size_t pos)
{
	const char *lf = memchr(ps->data + pos, '\n', ps->len - pos);

	return lf != NULL ? (size_t)(lf - ps->data) : ps->len;
}

static size_t
next_line(const struct parser *ps, size_t pos)
{
	size_t e = line_end(ps, pos);

	return e < ps->len ? e + 1 : e;
}

/* If the line at pos is a delimiter of an enclosing boundary ("--" b,
 * maybe "--", then only white space: RFC 2046 5.1.1), return its stack
 * index, innermost first, and set *close_r; else -1. A boundary that is
 * only the prefix of a longer line does not match. */
static int
delimiter(const struct parser *ps, size_t pos, int *close_r)
{
	const char *p = ps->data + pos;
	size_t n = line_end(ps, pos) - pos;
	unsigned i;

	if (n < 3 || p[0] != '-' || p[1] != '-')
		return -1;
	for (i = ps->nstack; i-- > 0;) {
		const struct boundary *b = &ps->stack[i];
		size_t k;
		int close = 0;

		if (n - 2 < b->len || memcmp(p + 2, b->s, b->len) != 0)
			continue;
		k = 2 + b->len;
		if (k + 1 < n && p[k] == '-' && p[k + 1] == '-') {
			close = 1;
			k += 2;
		}
		while (k < n && (is_wsp(p[k]) || p[k] == '\r'))
			k++;
		if (k == n) {
			*close_r = close;
			return (int)i;
		}
	}
	return -1;
}

/* The first line at or after pos that is a delimiter (or len). */
static size_t
scan_delimiter(const struct parser *ps, size_t pos)
{
	int close;

	if (ps->nstack == 0)
		return ps->len;
	while (pos < ps->len) {
		if (ps->data[pos] == '-' && delimiter(ps, pos, &close) >= 0)
			return pos;
		pos = next_line(ps, pos);
	}
	return ps->len;
}

/* Where content that stops at stop ends: before the line break that
 * precedes a delimiter line (not below floor); len stays. */
static size_t
content_end(const struct parser *ps, size_t stop, size_t floor)
{
	if (stop >= ps->len)
		return ps->len;
	if (stop > floor && ps->data[stop - 1] == '\n')
		stop--;
	if (stop > floor && ps->data[stop - 1] == '\r')
		stop--;
	return stop;
}

static void
count_lines(const char *p, size_t n, size_t *lines_r, size_t *bare_r)
{
	const char *end = p + n, *lf;
	size_t lines = 0, bare = 0;

	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		if (lf == p || lf[-1] != '\r') {
			/* The CR may be before p, at the start of the range */
			bare++;
		}
		p = lf + 1;
	}
	if (p < end)
		lines++;
	*lines_r = lines;
	*bare_r = bare;
}

/* Header fields. */

struct field {
	size_t name, name_len; /* offsets into the header */
	size_t value, value_len;
};

/* The next field of the header (n bytes at h) from *pos; 0 at the end. */
static int
field_next(const char *h, size_t n, size_t *pos, struct field *f)
{
	while (*pos < n) {
		size_t start = *pos, colon, end;
		const char *lf;

		lf = memchr(h + start, '\n', n - start);
		end = lf != NULL ? (size_t)(lf - h) + 1 : n;
		if (h[start] == '\n' ||
		    (h[start] == '\r' && start + 1 < n && h[start + 1] == '\n'))
			return 0; /* the empty line */
		*pos = end;
		if (is_wsp(h[start]))
			continue; /* a stray continuation */
		for (colon = start; colon < end && h[colon] != ':'; colon++)
			if (h[colon] == ' ' || h[colon] == '\t' ||
			    h[colon] == '\r' || h[colon] == '\n')
				break;
		if (colon >= end || h[colon] != ':') {
			/* "Name :" is obsolete syntax (RFC 5322 4.5.3) */
			size_t k = colon;

			while (k < end && is_wsp(h[k]))
				k++;
			if (k >= end || h[k] != ':' || colon == start)
				continue;
			f->name = start;
			f->name_len = colon - start;
			colon = k;
		} else {
			if (colon == start)
				continue;
			f->name = start;
			f->name_len = colon - start;
		}
		/* Continuation lines start with white space. */
		while (end < n && is_wsp(h[end])) {
			lf = memchr(h + end, '\n', n - end);
			end = lf != NULL ? (size_t)(lf - h) + 1 : n;
		}
		*pos = end;
		f->value = colon + 1;
		f->value_len = end - f->value;
		return 1;
	}
	return 0;
}

void
mime_header_unfold(const char *raw, size_t n, struct buf *out)
{
	size_t i = 0, start = out->len;

	while (i < n && (is_wsp(raw[i]) || raw[i] == '\r' || raw[i] == '\n'))
		i++;
	while (i < n && out->len < out->max) {
		/* Unfolding removes each CRLF (or LF) that precedes WSP; a
		 * CR or LF anywhere else is dropped too. Runs between them
		 * are copied whole. */
		size_t run = i, room = out->max - out->len;

		while (run < n && raw[run] != '\r' && raw[run] != '\n')
			run++;
		(void)buf_append(out, raw + i, run - i < room ? run - i : room);
		i = run + 1;
	}
	while (out->len > start && is_wsp(out->data[out->len - 1]))
		out->len--;
	out->data[out->len] = 0;
}

int
mime_header_find(const char *hdr, size_t hdr_len, const char *name, size_t *pos,
    struct buf *value)
{
	size_t nlen = strlen(name);
	struct field f;

	/* A plain name: the lines that do not start with it are passed over
	 * without taking them apart (SEARCH HEADER over thousands of header
	 * blocks). */
	if (nlen > 0 && strcspn(name, ": \t\r\n") == nlen) {
		while (*pos < hdr_len) {
			size_t start = *pos;
			const char *lf =
			    memchr(hdr + start, '\n', hdr_len - start);
			size_t end =
			    lf != NULL ? (size_t)(lf - hdr) + 1 : hdr_len;

			if (hdr[start] == '\n' ||
			    (hdr[start] == '\r' && start + 1 < hdr_len &&
				hdr[start + 1] == '\n'))
				return 0; /* the empty line */
			if (end - start > nlen &&
			    (hdr[start] | 0x20) == (name[0] | 0x20) &&
			    strncasecmp(hdr + start, name, nlen) == 0 &&
			    (hdr[start + nlen] == ':' ||
				is_wsp(hdr[start + nlen])))
				break; /* field_next decides */
			*pos = end;
		}
	}
	while (field_next(hdr, hdr_len, pos, &f)) {
		if (f.name_len == nlen &&
		    strncasecmp(hdr + f.name, name, nlen) == 0) {
			mime_header_unfold(hdr + f.value, f.value_len, value);
			return 1;
		}
	}
	return 0;
}

/* Content-Type and Content-Disposition values (RFC 2045 5.1, 2183). */

static int
is_tspecial(int c)
{
	return c != 0 && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static int
is_token_char(int c)
{
	return c > 32 && c < 127 && !is_tspecial(c);
}

/* Skip white space and (nested) comments. */
static const char *
skip_cfws(const char *p, const char *end)
{
	unsigned depth = 0;

	for (; p < end; p++) {
		if (depth > 0) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
		} else if (*p == '(')
			depth = 1;
		else if (!is_wsp(*p) && *p != '\r' && *p != '\n')
			break;
	}
	return p;
}

static char *
lower_dup(const char *p, size_t n)
{
	char *s = xstrndup(p, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	return s;
}

static const char *
token(const char *p, const char *end, size_t *n_r)
{
	const char *s = p;

	while (p < end && is_token_char((unsigned char)*p))
		p++;
	*n_r = (size_t)(p - s);
	return p;
}

/* A raw parameter section as written: name*N*=value. */
struct section {
	const char *name;
	size_t name_len;
	long index;   /* -1: not a continuation */
	int extended; /* a trailing "*": charset'lang'%XX */
	char *value;  /* unquoted */
	size_t value_len;
	int used;
};

/* Append the percent-decoded n bytes at p to out (cut at its maximum). */
static void
percent_decode(const char *p, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int h, l;

		if (p[i] == '%' && i + 2 < n &&
		    (h = hex_value((unsigned char)p[i + 1])) >= 0 &&
		    (l = hex_value((unsigned char)p[i + 2])) >= 0) {
			(void)buf_putc(out, h * 16 + l);
			i += 2;
		} else
			(void)buf_putc(out, (unsigned char)p[i]);
	}
}

/* Split an extended initial value charset'language'text: set the
 * param's charset and language and return the text. */
static const char *
split_charset(const char *p, const char *end, struct mime_param *param)
{
	const char *q1 = memchr(p, '\'', (size_t)(end - p)), *q2;

	if (q1 == NULL ||
	    (q2 = memchr(q1 + 1, '\'', (size_t)(end - q1 - 1))) == NULL)
		return p;
	param->charset = xstrndup(p, (size_t)(q1 - p));
	param->language = xstrndup(q1 + 1, (size_t)(q2 - q1 - 1));
	return q2 + 1;
}

/* Join the sections of one parameter (sec[first] is its first raw
 * section) into param: sections 0, 1, 2... until one is missing (RFC 2231
 * 3). One pass over the raw sections fills idx (max_sections slots), so
 * a parameter costs O(raw sections + max_sections): linear, never the
 * quadratic reassembly of CVE-2026-27859. */
static void
join_param(struct section *sec, size_t nsec, size_t first,
    const struct parser *ps, size_t *idx, struct mime_param *param)
{
	const struct section *s0 = &sec[first];
	struct buf v;
	size_t i, k;

	buf_init(&v, ps->lim.max_field);
	param->name = lower_dup(s0->name, s0->name_len);
	if (s0->index < 0) {
		const char *p = s0->value, *end = p + s0->value_len;

		if (s0->extended) {
			const char *t = split_charset(p, end, param);

			percent_decode(t, (size_t)(end - t), &v);
		} else
			(void)buf_append(&v, p,
			    s0->value_len <= v.max ? s0->value_len : v.max);
		sec[first].used = 1;
		goto done;
	}
	for (k = 0; k < ps->lim.max_sections; k++)
		idx[k] = SIZE_MAX;
	for (i = first; i < nsec; i++) {
		struct section *s = &sec[i];

		if (s->used || s->index < 0 || s->name_len != s0->name_len ||
		    strncasecmp(s->name, s0->name, s0->name_len) != 0)
			continue;
		/* Every section of the name is consumed, kept or not. */
		s->used = 1;
		if ((size_t)s->index < ps->lim.max_sections &&
		    idx[s->index] == SIZE_MAX)
			idx[s->index] = i;
	}
	for (k = 0; k < ps->lim.max_sections && idx[k] != SIZE_MAX; k++) {
		const struct section *s = &sec[idx[k]];
		const char *p = s->value, *end = p + s->value_len;

		if (!s->extended) {
			size_t room = v.max - v.len;

			(void)buf_append(&v, p,
			    s->value_len <= room ? s->value_len : room);
			continue;
		}
		if (k == 0)
			p = split_charset(p, end, param);
		percent_decode(p, (size_t)(end - p), &v);
	}
done:
	param->value_len = v.len;
	param->value = buf_steal(&v);
	buf_deinit(&v);
}

/* Parse "; name=value" pairs from p (the part of an unfolded value after
 * its type) into *params_r. At most max_params + max_sections raw
 * sections are looked at, and every later one is skipped: the 100,000
 * continuations of a hostile header cost a scan, no more. */
static void
parse_params(const struct parser *ps, const char *p, const char *end,
    struct mime_param **params_r, unsigned *n_r)
{
	size_t maxsec = (size_t)ps->lim.max_params + ps->lim.max_sections;
	struct section *sec = NULL;
	size_t nsec = 0, i, *idx;
	struct mime_param *params;
	unsigned n = 0;

	for (;;) {
		const char *name, *star;
		size_t name_len;
		struct section s;

		p = skip_cfws(p, end);
		if (p >= end)
			break;
		if (*p != ';') {
			/* Junk: resynchronise at the next ';' */
			const char *semi = memchr(p, ';', (size_t)(end - p));

			if (semi == NULL)
				break;
			p = semi;
		}
		p = skip_cfws(p + 1, end);
		name = p;
		p = token(p, end, &name_len);
		p = skip_cfws(p, end);
		if (name_len == 0 || p >= end || *p != '=')
			continue;
		p = skip_cfws(p + 1, end);
		memset(&s, 0, sizeof(s));
		if (p < end && *p == '"') {
			const char *q = ++p, *vstart = p;
			size_t len = 0;

			/* Find the end first: allocate only what is kept. */
			while (q < end && *q != '"')
				q += *q == '\\' && q + 1 < end ? 2 : 1;
			if (nsec < maxsec) {
				s.value = xmalloc((size_t)(q - vstart) + 1);
				for (p = vstart; p < q; p++) {
					if (*p == '\\' && p + 1 < q)
						p++;
					s.value[len++] = *p;
				}
				s.value_len = len;
			}
			p = q < end ? q + 1 : q;
		} else {
			const char *v = p;
			size_t len;

			p = token(p, end, &len);
			if (nsec < maxsec) {
				s.value = xstrndup(v, len);
				s.value_len = len;
			}
		}
		if (nsec >= maxsec)
			continue;
		s.name = name;
		s.name_len = name_len;
		s.index = -1;
		/* name*, name*N, name*N* (RFC 2231 3 and 4) */
		star = memchr(name, '*', name_len);
		if (star != NULL) {
			const char *q = star + 1, *nend = name + name_len;

			s.name_len = (size_t)(star - name);
			if (q < nend && *q >= '0' && *q <= '9') {
				long num = 0;

				while (q < nend && *q >= '0' && *q <= '9' &&
				    num < 100000)
					num = num * 10 + (*q++ - '0');
				s.index = num;
				if (q < nend && *q == '*') {
					s.extended = 1;
					q++;
				}
			} else
				s.extended = 1; /* name*=charset'lang'... */
			/* A section that could never be joined is not kept. */
			if (q != nend || s.name_len == 0 ||
			    s.index >= (long)ps->lim.max_sections) {
				xfree(s.value);
				continue;
			}
		}
		if (sec == NULL)
			sec = xcalloc(maxsec, sizeof(*sec));
		sec[nsec++] = s;
	}
	params = nsec > 0 ? xcalloc(nsec, sizeof(*params)) : NULL;
	idx = nsec > 0 ? xcalloc(ps->lim.max_sections + 1, sizeof(*idx)) : NULL;
	for (i = 0; i < nsec && n < ps->lim.max_params; i++) {
		unsigned k;

		if (sec[i].used)
			continue;
		/* The first occurrence of a name wins. */
		for (k = 0; k < n; k++)
			if (strlen(params[k].name) == sec[i].name_len &&
			    strncasecmp(params[k].name, sec[i].name,
				sec[i].name_len) == 0)
				break;
		if (k < n) {
			sec[i].used = 1;
			continue;
		}
		join_param(sec, nsec, i, ps, idx, &params[n++]);
	}
	for (i = 0; i < nsec; i++)
		xfree(sec[i].value);
	xfree(sec);
	xfree(idx);
	if (n == 0) {
		xfree(params);
		params = NULL;
	}
	*params_r = params;
	*n_r = n;
}

const char *
mime_param_get(const struct mime_param *params, unsigned n, const char *name,
    size_t *len_r)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcasecmp(params[i].name, name) == 0) {
			if (len_r != NULL)
				*len_r = params[i].value_len;
			return params[i].value;
		}
	return NULL;
}

static void
set_default_type(struct mime_part *part, int digest)
{
	part->flags |= MIME_PART_DEFAULT_TYPE;
	part->type = xstrdup(digest ? "message" : "text");
	part->subtype = xstrdup(digest ? "rfc822" : "plain");
	if (!digest) {
		part->params = xcalloc(1, sizeof(*part->params));
		part->params[0].name = xstrdup("charset");
		part->params[0].value = xstrdup("us-ascii");
		part->params[0].value_len = 8;
		part->nparams = 1;
	}
}

static void
parse_content_type(const struct parser *ps, struct mime_part *part,
    const char *v, size_t n)
{
	const char *p = v, *end = v + n, *t, *s;
	size_t tlen, slen;

	p = skip_cfws(p, end);
	t = p;
	p = token(p, end, &tlen);
	p = skip_cfws(p, end);
	if (tlen == 0 || p >= end || *p != '/')
		return; /* stays default (RFC 2045 5.2) */
	p = skip_cfws(p + 1, end);
	s = p;
	p = token(p, end, &slen);
	if (slen == 0)
		return;
	part->type = lower_dup(t, tlen);
	part->subtype = lower_dup(s, slen);
	parse_params(ps, p, end, &part->params, &part->nparams);
}

/* Fields kept as they stand (unfolded), after "Content-". */
static const struct {
	const char *name;
	size_t off; /* of a char * in struct mime_part */
} plain_fields[] = {
	{ "id", offsetof(struct mime_part, id) },
	{ "description", offsetof(struct mime_part, description) },
	{ "md5", offsetof(struct mime_part, md5) },
	{ "language", offsetof(struct mime_part, language) },
	{ "location", offsetof(struct mime_part, location) },
};

/* Read the fields this module keeps; the first of each wins. */
static void
parse_fields(struct parser *ps, struct mime_part *part)
{
	const char *h = ps->data + part->hdr_off;
	size_t pos = 0;
	struct field f;
	int have_type = 0;

	while (field_next(h, part->hdr_len, &pos, &f)) {
		const char *name = h + f.name;
		const char *v;
		size_t n;

		if (f.name_len < 8 || strncasecmp(name, "content-", 8) != 0)
			continue;
		name += 8;
		n = f.name_len - 8;
		buf_reset(&ps->field);
		mime_header_unfold(h + f.value, f.value_len, &ps->field);
		v = ps->field.data;
		if (n == 4 && strncasecmp(name, "type", 4) == 0) {
			if (!have_type)
				parse_content_type(ps, part, v, ps->field.len);
			have_type = 1;
		} else if (n == 17 &&
		    strncasecmp(name, "transfer-encoding", 17) == 0) {
			const char *e = ps->field.data + ps->field.len;
			const char *p = skip_cfws(v, e);
			size_t len;

			(void)token(p, e, &len);
			if (part->encoding == NULL && len > 0)
				part->encoding = lower_dup(p, len);
		} else if (n == 11 &&
		    strncasecmp(name, "disposition", 11) == 0 &&
		    part->disposition == NULL) {
			const char *e = ps->field.data + ps->field.len;
			const char *p = skip_cfws(v, e);
			size_t len;

			p = token(p, e, &len);
			if (len > 0) {
				part->disposition = lower_dup(p - len, len);
				parse_params(ps, p, e, &part->disp_params,
				    &part->ndisp_params);
			}
		} else {
			size_t i;

			for (i = 0;
			     i < sizeof(plain_fields) / sizeof(plain_fields[0]);
			     i++) {
				char **slot = (char **)(void *)((char *)part +
				    plain_fields[i].off);

				if (strlen(plain_fields[i].name) == n &&
				    strncasecmp(name, plain_fields[i].name,
					n) == 0 &&
				    *slot == NULL)
					*slot = xstrndup(v, ps->field.len);
			}
		}
	}
}

/* The tree. */

static struct mime_part *
new_part(struct parser *ps, struct mime_part *parent)
{
	struct mime_message *m = ps->msg;
	struct mime_part *part = xcalloc(1, sizeof(*part));

	if (m->nall == m->capall) {
		m->capall = m->capall == 0 ? 16 : m->capall * 2;
		m->all = xrealloc(m->all, m->capall * sizeof(*m->all));
	}
	m->all[m->nall++] = part;
	m->nparts++;
	if (parent != NULL) {
		part->parent = parent;
		part->depth = parent->depth + 1;
		parent->nchildren++;
	}
	return part;
}

static size_t
parse_part(struct parser *ps, struct mime_part *part, size_t pos, int digest);

/* The body of a multipart: its boundary is pushed, each delimiter line
 * starts a child; it stops at an outer delimiter or the end. Returns
 * that stop. */
static size_t
parse_multipart(struct parser *ps, struct mime_part *part, const char *boundary,
    size_t blen)
{
	struct mime_part *last = NULL;
	unsigned mine = ps->nstack;
	size_t dline;
	int close = 0, digest = strcmp(part->subtype, "digest") == 0;

	ps->stack[ps->nstack].s = boundary;
	ps->stack[ps->nstack].len = blen;
	ps->nstack++;
	dline = scan_delimiter(ps, part->body_off);
	for (;;) {
		struct mime_part *child;
		size_t cstart;

		if (dline >= ps->len) {
			part->flags |= MIME_PART_NO_END_BOUNDARY;
			break;
		}
		if (delimiter(ps, dline, &close) != (int)mine) {
			part->flags |= MIME_PART_NO_END_BOUNDARY;
			break;
		}
		cstart = next_line(ps, dline);
		if (close) {
			/* The epilogue runs to an outer delimiter. */
			ps->nstack--;
			return scan_delimiter(ps, cstart);
		}
		if (ps->msg->nparts >= ps->lim.max_parts) {
			part->flags |= MIME_PART_TRUNCATED;
			dline = scan_delimiter(ps, cstart);
			continue;
		}
		child = new_part(ps, part);
		if (last == NULL)
			part->children = child;
		else
			last->next = child;
		last = child;
		dline = parse_part(ps, child, cstart, digest);
	}
	ps->nstack--;
	return dline;
}

/* Parse the part whose header starts at pos; return where it stops: a
 * delimiter line of an enclosing multipart, or the end. */
static size_t
parse_part(struct parser *ps, struct mime_part *part, size_t pos, int digest)
{
	size_t stop, end, blen = 0;
	const char *boundary = NULL;
	int close;

	/* The header: up to the empty line, or to a delimiter. */
	part->hdr_off = pos;
	for (;;) {
		size_t e;

		if (pos >= ps->len) {
			part->flags |= MIME_PART_NO_BODY;
			part->hdr_len = ps->len - part->hdr_off;
			part->body_off = ps->len;
			stop = ps->len;
			break;
		}
		if (ps->nstack > 0 && ps->data[pos] == '-' &&
		    delimiter(ps, pos, &close) >= 0) {
			part->flags |= MIME_PART_NO_BODY;
			/* A delimiter at once: this empty part lies before
			 * the line break that the delimiter takes. */
			if (pos == part->hdr_off)
				part->hdr_off = content_end(ps, pos, 0);
			part->body_off = content_end(ps, pos, part->hdr_off);
			part->hdr_len = part->body_off - part->hdr_off;
			stop = pos;
			break;
		}
		e = line_end(ps, pos);
		if (e == pos || (e == pos + 1 && ps->data[pos] == '\r')) {
			part->body_off = next_line(ps, pos);
			part->hdr_len = part->body_off - part->hdr_off;
			stop = SIZE_MAX;
			break;
		}
		pos = next_line(ps, pos);
	}
	parse_fields(ps, part);
	if (part->type == NULL)
		set_default_type(part, digest);

	if (stop != SIZE_MAX) {
		count_lines(ps->data + part->hdr_off, part->hdr_len,
		    &part->hdr_lines, &part->hdr_bare_lf);
		return stop;
	}
	if (strcmp(part->type, "multipart") == 0) {
		boundary = mime_param_get(part->params, part->nparams,
		    "boundary", &blen);
		if (boundary == NULL || blen == 0 || blen > MIME_BOUNDARY_MAX ||
		    memchr(boundary, '\n', blen) != NULL) {
			part->flags |= MIME_PART_NO_BOUNDARY;
			boundary = NULL;
		}
	}
	if (boundary != NULL && part->depth < ps->lim.max_depth) {
		stop = parse_multipart(ps, part, boundary, blen);
	} else if (strcmp(part->type, "message") == 0 &&
	    (strcmp(part->subtype, "rfc822") == 0 ||
		strcmp(part->subtype, "global") == 0) &&
	    mime_encoding_get(part->encoding) == MIME_ENC_IDENTITY &&
	    part->depth < ps->lim.max_depth &&
	    ps->msg->nparts < ps->lim.max_parts &&
	    !(ps->nstack > 0 && delimiter(ps, part->body_off, &close) >= 0)) {
		/* (An empty body is no message: a delimiter at once would
		 * take the empty line's break, leaving the child outside.) */
		struct mime_part *child = new_part(ps, part);

		part->children = child;
		stop = parse_part(ps, child, part->body_off, 0);
	} else {
		if (boundary != NULL || strcmp(part->type, "message") == 0)
			part->flags |= MIME_PART_TRUNCATED;
		stop = scan_delimiter(ps, part->body_off);
	}
	end = content_end(ps, stop, part->hdr_off);
	if (end < part->body_off) {
		/* A delimiter right after the empty line takes the line
		 * break before it: that of the empty line. */
		part->body_off = end;
		part->hdr_len = end - part->hdr_off;
	}
	part->body_len = end - part->body_off;
	count_lines(ps->data + part->hdr_off, part->hdr_len, &part->hdr_lines,
	    &part->hdr_bare_lf);
	count_lines(ps->data + part->body_off, part->body_len,
	    &part->body_lines, &part->body_bare_lf);
	return stop;
}

struct mime_message *
mime_parse(const char *data, size_t len, const struct mime_limits *limits)
{
	struct mime_message *m = xcalloc(1, sizeof(*m));
	struct parser ps;

	memset(&ps, 0, sizeof(ps));
	ps.data = data != NULL ? data : "";
	ps.len = data != NULL ? len : 0;
	ps.lim = limits != NULL ? *limits : mime_default_limits;
	if (ps.lim.max_depth > MIME_HARD_MAX_DEPTH)
		ps.lim.max_depth = MIME_HARD_MAX_DEPTH;
	if (ps.lim.max_parts < 1)
		ps.lim.max_parts = 1;
	if (ps.lim.max_field < 1)
		ps.lim.max_field = 1;
	ps.msg = m;
	buf_init(&ps.field, ps.lim.max_field);
	m->root = new_part(&ps, NULL);
	(void)parse_part(&ps, m->root, 0, 0);
	buf_deinit(&ps.field);
	return m;
}

static void
free_params(struct mime_param *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		xfree(p[i].name);
		xfree(p[i].value);
		xfree(p[i].charset);
		xfree(p[i].language);
	}
	xfree(p);
}

void
mime_destroy(struct mime_message **mp)
{
	struct mime_message *m = *mp;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nall; i++) {
		struct mime_part *p = m->all[i];

		xfree(p->type);
		xfree(p->subtype);
		free_params(p->params, p->nparams);
		free_params(p->disp_params, p->ndisp_params);
		xfree(p->encoding);
		xfree(p->id);
		xfree(p->description);
		xfree(p->md5);
		xfree(p->language);
		xfree(p->location);
		xfree(p->disposition);
		xfree(p);
	}
	xfree(m->all);
	xfree(m);
	*mp = NULL;
}

const struct mime_part *
mime_root(const struct mime_message *m)
{
	return m->root;
}

unsigned
mime_part_count(const struct mime_message *m)
{
	return m->nparts;
}
