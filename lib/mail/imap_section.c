/* SPDX-License-Identifier: MIT */
/* imap_section - FETCH's BODY[section] and BINARY[section]: the section
 * text parsed, the part found, its octets sent as on the wire. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail/imap_body.h"
#include "mail/mime.h"
#include "util/buf.h"

/* Parsing (RFC 9051 9: section-spec, section-part, header-list). */

struct cursor {
	const char *p, *end;
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* nz-number: no zero, no leading zero, at most IMAP_SECTION_PART_MAX. */
static int
part_number(struct cursor *c, unsigned *n_r)
{
	unsigned long v = 0;

	if (c->p >= c->end || !is_digit(*c->p) || *c->p == '0')
		return -1;
	while (c->p < c->end && is_digit(*c->p)) {
		v = v * 10 + (unsigned long)(*c->p++ - '0');
		if (v > IMAP_SECTION_PART_MAX)
			return -1;
	}
	*n_r = (unsigned)v;
	return 0;
}

/* The keyword at the cursor, up to SP or the end, is kw
 * (case-insensitive): consume it and return 1. */
static int
keyword(struct cursor *c, const char *kw)
{
	size_t n = strlen(kw);
	const char *sp = memchr(c->p, ' ', (size_t)(c->end - c->p));
	const char *e = sp != NULL ? sp : c->end;

	if ((size_t)(e - c->p) != n || strncasecmp(c->p, kw, n) != 0)
		return 0;
	c->p = e;
	return 1;
}

/* ATOM-CHAR (RFC 9051 9): CHAR but atom-specials. "]" cannot reach us
 * (it ends the section). */
static int
is_atom_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && strchr("(){%*\"\\]", c) == NULL;
}

static int
add_name_byte(struct imap_section *sec, size_t *used, char c)
{
	if (*used >= sizeof(sec->names))
		return -1;
	sec->names[(*used)++] = c;
	return 0;
}

/* One header-fld-name (an atom or a quoted string) into sec->names. */
static int
field_name(struct cursor *c, struct imap_section *sec, size_t *used)
{
	size_t start = *used;

	if (sec->nfields >= IMAP_SECTION_MAX_FIELDS || c->p >= c->end)
		return -1;
	if (*c->p == '"') {
		for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
			unsigned char ch = (unsigned char)*c->p;

			if (ch == '\\' && c->p + 1 < c->end &&
			    (c->p[1] == '"' || c->p[1] == '\\'))
				ch = (unsigned char)*++c->p;
			else if (ch == '\\' || ch == 0 || ch == '\r' ||
			    ch == '\n' || ch >= 0x80)
				return -1;
			if (add_name_byte(sec, used, (char)ch) < 0)
				return -1;
		}
		if (c->p >= c->end)
			return -1;
		c->p++;
	} else {
		while (c->p < c->end && is_atom_char((unsigned char)*c->p))
			if (add_name_byte(sec, used, *c->p++) < 0)
				return -1;
		if (*used == start)
			return -1;
	}
	sec->name_off[sec->nfields] = (unsigned)start;
	sec->name_len[sec->nfields] = (unsigned)(*used - start);
	sec->nfields++;
	return 0;
}

/* SP "(" header-fld-name *(SP header-fld-name) ")", then the end. */
static int
header_list(struct cursor *c, struct imap_section *sec)
{
	size_t used = 0;

	if (c->end - c->p < 2 || c->p[0] != ' ' || c->p[1] != '(')
		return -1;
	c->p += 2;
	for (;;) {
		if (field_name(c, sec, &used) < 0 || c->p >= c->end)
			return -1;
		if (*c->p == ')')
			break;
		if (*c->p++ != ' ')
			return -1;
	}
	return c->p + 1 == c->end ? 0 : -1;
}

int
imap_section_parse(const char *text, size_t len, struct imap_section *sec)
{
	struct cursor c = { text, text + len };

	sec->npath = 0;
	sec->nfields = 0;
	sec->text = IMAP_SECTION_ALL;
	/* section-part: nz-number *("." nz-number) */
	while (c.p < c.end && is_digit(*c.p)) {
		if (sec->npath >= IMAP_SECTION_MAX_PATH ||
		    part_number(&c, &sec->path[sec->npath]) < 0)
			return -1;
		sec->npath++;
		if (c.p == c.end)
			return 0;
		if (*c.p++ != '.')
			return -1;
	}
	if (c.p == c.end)
		return sec->npath == 0 ? 0 : -1;
	if (keyword(&c, "HEADER"))
		sec->text = IMAP_SECTION_HEADER;
	else if (keyword(&c, "TEXT"))
		sec->text = IMAP_SECTION_TEXT;
	else if (sec->npath > 0 && keyword(&c, "MIME"))
		sec->text = IMAP_SECTION_MIME;
	else if (keyword(&c, "HEADER.FIELDS")) {
		sec->text = IMAP_SECTION_FIELDS;
		return header_list(&c, sec);
	} else if (keyword(&c, "HEADER.FIELDS.NOT")) {
		sec->text = IMAP_SECTION_FIELDS_NOT;
		return header_list(&c, sec);
	} else
		return -1;
	return c.p == c.end ? 0 : -1;
}

/* Finding the part (RFC 9051 6.4.5). */

/* Part n of a message (the root, or one encapsulated in a message/rfc822
 * part): a multipart's n-th body part, else, for n 1, the message
 * itself (its body is part 1). */
static const struct mime_part *
message_part(const struct mime_part *msg, unsigned n)
{
	const struct mime_part *c;

	if (strcmp(msg->type, "multipart") != 0)
		return n == 1 ? msg : NULL;
	for (c = msg->children; c != NULL && n > 1; c = c->next)
		n--;
	return c;
}

/* The encapsulated message of a message/rfc822 (or global) part, or
 * NULL: mime.h gives a child to no other non-multipart part. */
static const struct mime_part *
encapsulated(const struct mime_part *p)
{
	return strcmp(p->type, "multipart") != 0 ? p->children : NULL;
}

/* Part n inside part p: a multipart's body part, or a part of the
 * message that p encapsulates. */
static const struct mime_part *
sub_part(const struct mime_part *p, unsigned n)
{
	const struct mime_part *msg = encapsulated(p);

	if (msg != NULL)
		return message_part(msg, n);
	return strcmp(p->type, "multipart") == 0 ? message_part(p, n) : NULL;
}

static const struct mime_part *
resolve(const struct mime_part *root, const struct imap_section *sec)
{
	const struct mime_part *p;
	unsigned i;

	if (sec->npath == 0)
		return root;
	p = message_part(root, sec->path[0]);
	for (i = 1; i < sec->npath && p != NULL; i++)
		p = sub_part(p, sec->path[i]);
	return p;
}

/* Output. */

struct sink {
	struct buf *out;
	struct mime_decoder dec;
	int decode;
	int err;
};

static void
emit(struct sink *s, const char *p, size_t n)
{
	if (n == 0 || s->err)
		return;
	if (s->decode)
		s->err |= mime_decoder_feed(&s->dec, p, n, s->out) < 0;
	else
		s->err |= buf_append(s->out, p, n) < 0;
}

/* The n bytes at p with each bare LF as CRLF; a LF first in the range
 * counts as bare, as mime.h's *_bare_lf do. */
static void
wire(struct sink *s, const char *p, size_t n)
{
	const char *end = p + n, *lf;

	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (lf > p && lf[-1] == '\r')
			emit(s, p, (size_t)(lf + 1 - p));
		else {
			emit(s, p, (size_t)(lf - p));
			emit(s, "\r\n", 2);
		}
		p = lf + 1;
	}
	emit(s, p, (size_t)(end - p));
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* The end of the line at pos (past its LF) in the n bytes at h. */
static size_t
line_after(const char *h, size_t n, size_t pos)
{
	const char *lf = memchr(h + pos, '\n', n - pos);

	return lf != NULL ? (size_t)(lf - h) + 1 : n;
}

/* ftext (RFC 5322 3.6.8): printable US-ASCII but ":". */
static int
is_ftext(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != ':';
}

/* The next field of a header (n bytes at h) from *pos: it spans
 * [*start_r, *pos) with its continuation lines, its name is the first
 * *name_len_r bytes. 0 at the empty line or the end. A line that is no
 * field (no colon, or a stray continuation) is skipped. */
static int
next_field(const char *h, size_t n, size_t *pos, size_t *start_r,
    size_t *name_len_r)
{
	while (*pos < n) {
		size_t start = *pos, end = line_after(h, n, start), k;

		if (h[start] == '\n' ||
		    (h[start] == '\r' && start + 1 < n && h[start + 1] == '\n'))
			return 0;
		while (end < n && is_wsp(h[end]))
			end = line_after(h, n, end);
		*pos = end;
		for (k = start; k < end && is_ftext((unsigned char)h[k]); k++)
			;
		*name_len_r = k - start;
		/* "Name :" is obsolete syntax (RFC 5322 4.5.3) */
		while (k < end && is_wsp(h[k]))
			k++;
		if (*name_len_r > 0 && k < end && h[k] == ':') {
			*start_r = start;
			return 1;
		}
	}
	return 0;
}

static int
listed(const struct imap_section *sec, const char *name, size_t n)
{
	unsigned i;

	for (i = 0; i < sec->nfields; i++)
		if (sec->name_len[i] == n &&
		    strncasecmp(sec->names + sec->name_off[i], name, n) == 0)
			return 1;
	return 0;
}

/* HEADER.FIELDS [.NOT]: the fields chosen, as written, then the empty
 * line (RFC 9051 6.4.5: "the blank line is included in all header
 * fetches, except in the case of a message which has no body and no
 * blank line"). */
static void
header_fields(struct sink *s, const char *h, size_t n, int blank,
    const struct imap_section *sec)
{
	int want = sec->text == IMAP_SECTION_FIELDS;
	size_t pos = 0, start, name_len;

	while (!s->err && next_field(h, n, &pos, &start, &name_len)) {
		if (listed(sec, h + start, name_len) != want)
			continue;
		wire(s, h + start, pos - start);
		if (h[pos - 1] != '\n')
			emit(s, "\r\n", 2); /* the header's last line */
	}
	if (blank)
		emit(s, "\r\n", 2);
}

static void
header_of(struct sink *s, const char *msg, const struct mime_part *p,
    const struct imap_section *sec)
{
	if (sec->text == IMAP_SECTION_HEADER || sec->text == IMAP_SECTION_MIME)
		wire(s, msg + p->hdr_off, p->hdr_len);
	else
		header_fields(s, msg + p->hdr_off, p->hdr_len,
		    !(p->flags & MIME_PART_NO_BODY), sec);
}

/* Content-Transfer-Encodings that BINARY knows (RFC 2045 6.1). */
static int
known_cte(const char *cte)
{
	static const char *const known[] = { "7bit", "8bit", "binary", "base64",
		"quoted-printable" };
	size_t i;

	if (cte == NULL)
		return 1;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(cte, known[i]) == 0)
			return 1;
	return 0;
}

int
imap_section_fetch(const struct mime_message *m, const char *msg, size_t len,
    const struct imap_section *sec, int binary, struct buf *out)
{
	const struct mime_part *p = resolve(mime_root(m), sec);
	struct sink s = { out, { 0 }, 0, 0 };

	if (binary && sec->text != IMAP_SECTION_ALL)
		return IMAP_SECTION_NOT_BINARY;
	if (p == NULL)
		return 0; /* no such part: an empty string */
	if (sec->npath == 0 && sec->text == IMAP_SECTION_ALL) {
		wire(&s, msg, len);
		return s.err ? -1 : 0;
	}
	if (binary) {
		if (!known_cte(p->encoding))
			return IMAP_SECTION_UNKNOWN_CTE;
		s.decode = 1;
		mime_decoder_init(&s.dec, mime_encoding_get(p->encoding));
	}
	/* HEADER, TEXT and HEADER.FIELDS after a path are those of the
	 * message that a message/rfc822 part encapsulates. */
	if (sec->npath > 0 && sec->text != IMAP_SECTION_ALL &&
	    sec->text != IMAP_SECTION_MIME && (p = encapsulated(p)) == NULL)
		return 0;
	if (sec->text == IMAP_SECTION_ALL || sec->text == IMAP_SECTION_TEXT)
		wire(&s, msg + p->body_off, p->body_len);
	else
		header_of(&s, msg, p, sec);
	if (s.decode && !s.err)
		s.err |= mime_decoder_finish(&s.dec, out) < 0;
	return s.err ? -1 : 0;
}

void
imap_partial(struct buf *b, uint64_t off, uint64_t count)
{
	if (off >= b->len) {
		buf_reset(b);
		return;
	}
	buf_consume(b, (size_t)off);
	if (count < b->len)
		buf_truncate(b, (size_t)count);
}
