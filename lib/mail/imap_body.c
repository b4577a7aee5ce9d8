/* SPDX-License-Identifier: MIT */
/* imap_body - IMAP strings, and BODY / BODYSTRUCTURE of a MIME tree. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/imap_body.h"
#include "mail/mime.h"
#include "util/buf.h"

/* The byte a NUL becomes in a literal that may not hold it. */
#define NUL_STANDIN 0x80

/* Strings. */

static int
write_quoted(struct buf *out, const char *p, size_t n)
{
	size_t i;
	int err = 0;

	err |= buf_putc(out, '"') < 0;
	for (i = 0; i < n && !err; i++) {
		if (p[i] == '"' || p[i] == '\\')
			err |= buf_putc(out, '\\') < 0;
		err |= buf_putc(out, (unsigned char)p[i]) < 0;
	}
	err |= buf_putc(out, '"') < 0;
	return err ? -1 : 0;
}

/* The bytes of a literal, each NUL as NUL_STANDIN. */
static int
write_without_nul(struct buf *out, const char *p, size_t n)
{
	const char *end = p + n, *nul;

	while ((nul = memchr(p, 0, (size_t)(end - p))) != NULL) {
		if (buf_append(out, p, (size_t)(nul - p)) < 0 ||
		    buf_putc(out, NUL_STANDIN) < 0)
			return -1;
		p = nul + 1;
	}
	return buf_append(out, p, (size_t)(end - p));
}

int
imap_write_nstring(struct buf *out, const char *p, size_t n, int literal8)
{
	size_t i;
	int quote = n <= IMAP_QUOTED_MAX, nul = 0;

	if (p == NULL)
		return buf_append(out, "NIL", 3);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == 0)
			nul = 1;
		if (c == 0 || c == '\r' || c == '\n' || c >= 0x80)
			quote = 0;
	}
	if (quote)
		return write_quoted(out, p, n);
	/* RFC 3516 4.2: literal8 only where a NUL needs it. */
	if (buf_printf(out, "%s{%zu}\r\n", literal8 && nul ? "~" : "", n) < 0)
		return -1;
	if (!nul || literal8)
		return buf_append(out, p, n);
	return write_without_nul(out, p, n);
}

/* BODY and BODYSTRUCTURE. */

struct writer {
	const char *msg;
	int extended;
	struct buf *out;
	int err;
};

static void
put(struct writer *w, const char *s)
{
	w->err |= buf_puts(w->out, s) < 0;
}

static void
nstring(struct writer *w, const char *s)
{
	w->err |=
	    imap_write_nstring(w->out, s, s != NULL ? strlen(s) : 0, 0) < 0;
}

static void
number(struct writer *w, size_t n)
{
	w->err |= buf_printf(w->out, "%zu", n) < 0;
}

/* A token (type, subtype, encoding, parameter name) upper-case, as a
 * string like any other (quoted when it can be). An RFC 2231 parameter's
 * name takes the "*" that says its value is encoded (RFC 2231 4). */
static void
upper(struct writer *w, const char *s, int star)
{
	size_t i, n = strlen(s);
	struct buf t;

	/* UNSAFE: n is a string's length, so n + 1 cannot overflow. */
	buf_init(&t, n + 1);
	(void)buf_append(&t, s, n);
	for (i = 0; i < n; i++)
		if (t.data[i] >= 'a' && t.data[i] <= 'z')
			t.data[i] = (char)(t.data[i] - 'a' + 'A');
	if (star)
		(void)buf_putc(&t, '*');
	w->err |= imap_write_nstring(w->out, t.data, t.len, 0) < 0;
	buf_deinit(&t);
}

/* RFC 2231 7 attribute-char: CHAR but SPACE, CTLs, "*", "'", "%" and
 * tspecials. */
static int
is_attribute_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && strchr("*'%()<>@,;:\\\"/[]?=", c) == NULL;
}

/* An RFC 2231 value encoded again: charset'language'%XX... */
static void
rfc2231_value(struct writer *w, const struct mime_param *p)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *lang = p->language != NULL ? p->language : "";
	struct buf v;
	size_t i, max;

	/* Each byte takes at most three; then the charset, the language and
	 * the two apostrophes. */
	if (__builtin_mul_overflow(p->value_len, (size_t)3, &max) ||
	    __builtin_add_overflow(max, strlen(p->charset), &max) ||
	    __builtin_add_overflow(max, strlen(lang) + 2, &max)) {
		w->err = 1;
		return;
	}
	buf_init(&v, max);
	(void)buf_printf(&v, "%s'%s'", p->charset, lang);
	for (i = 0; i < p->value_len; i++) {
		unsigned char c = (unsigned char)p->value[i];

		if (is_attribute_char(c)) {
			(void)buf_putc(&v, c);
			continue;
		}
		(void)buf_putc(&v, '%');
		(void)buf_putc(&v, hex[c >> 4]);
		(void)buf_putc(&v, hex[c & 0xf]);
	}
	w->err |= imap_write_nstring(w->out, v.data, v.len, 0) < 0;
	buf_deinit(&v);
}

/* body-fld-param: ("NAME" "value" ...) or NIL; a text part without a
 * charset gets the default one (RFC 2046 4.1.2). */
static void
params(struct writer *w, const struct mime_param *p, unsigned n,
    int add_charset)
{
	unsigned i;

	if (n == 0 && !add_charset) {
		put(w, "NIL");
		return;
	}
	put(w, "(");
	if (add_charset)
		put(w, "\"CHARSET\" \"us-ascii\"");
	for (i = 0; i < n; i++) {
		if (i > 0 || add_charset)
			put(w, " ");
		upper(w, p[i].name, p[i].charset != NULL);
		put(w, " ");
		if (p[i].charset != NULL)
			rfc2231_value(w, &p[i]);
		else
			w->err |= imap_write_nstring(w->out, p[i].value,
				      p[i].value_len, 0) < 0;
	}
	put(w, ")");
}

/* body-fld-dsp: ("ATTACHMENT" ("FILENAME" "a.png")) or NIL. */
static void
disposition(struct writer *w, const struct mime_part *p)
{
	if (p->disposition == NULL) {
		put(w, "NIL");
		return;
	}
	put(w, "(");
	upper(w, p->disposition, 0);
	put(w, " ");
	params(w, p->disp_params, p->ndisp_params, 0);
	put(w, ")");
}

static int
is_lang_space(char c)
{
	return c == ' ' || c == '\t';
}

/* body-fld-lang: the tags of Content-Language (RFC 3282: a list split
 * by commas) as a list, or NIL. */
static void
language(struct writer *w, const char *s)
{
	unsigned n = 0;

	while (s != NULL && *s != 0 && n < IMAP_BODY_MAX_LANGS) {
		const char *comma = strchr(s, ','), *e;

		e = comma != NULL ? comma : s + strlen(s);
		while (s < e && is_lang_space(*s))
			s++;
		while (e > s && is_lang_space(e[-1]))
			e--;
		if (e > s) {
			put(w, n++ == 0 ? "(" : " ");
			w->err |= imap_write_nstring(w->out, s, (size_t)(e - s),
				      0) < 0;
		}
		s = comma != NULL ? comma + 1 : NULL;
	}
	put(w, n > 0 ? ")" : "NIL");
}

/* The extension data that every part ends with: disposition, language,
 * location. */
static void
ext_common(struct writer *w, const struct mime_part *p)
{
	put(w, " ");
	disposition(w, p);
	put(w, " ");
	language(w, p->language);
	put(w, " ");
	nstring(w, p->location);
}

static int
is_type(const struct mime_part *p, const char *type, const char *subtype)
{
	return strcmp(p->type, type) == 0 &&
	    (subtype == NULL || strcmp(p->subtype, subtype) == 0);
}

/* The wire size of n bytes that hold bare LFs. */
static size_t
wire_size(size_t n, size_t bare_lf)
{
	size_t s;

	if (__builtin_add_overflow(n, bare_lf, &s))
		return SIZE_MAX;
	return s;
}

/* body-fld-lines: the line ends of the body, as UW-IMAP (by RFC 3501's
 * author) and Dovecot count them: a last line without one, as every
 * body part has before its delimiter (RFC 2046 5.1.1), does not count,
 * though mime.h's body_lines counts it. */
static size_t
text_lines(const struct writer *w, const struct mime_part *p)
{
	if (p->body_len > 0 && w->msg[p->body_off + p->body_len - 1] != '\n')
		return p->body_lines - 1;
	return p->body_lines;
}

/* body-fields: params id description encoding octets. */
static void
fields(struct writer *w, const struct mime_part *p)
{
	int add_charset = is_type(p, "text", NULL) &&
	    mime_param_get(p->params, p->nparams, "charset", NULL) == NULL;

	params(w, p->params, p->nparams, add_charset);
	put(w, " ");
	nstring(w, p->id);
	put(w, " ");
	nstring(w, p->description);
	put(w, " ");
	if (p->encoding != NULL)
		upper(w, p->encoding, 0);
	else
		put(w, "\"7BIT\"");
	put(w, " ");
	number(w, wire_size(p->body_len, p->body_bare_lf));
}

static void part(struct writer *w, const struct mime_part *p);

/* What an empty multipart shows: body-type-mpart needs one body. */
static void
empty_part(struct writer *w)
{
	put(w,
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" "
	    "0 0");
	if (w->extended)
		put(w, " NIL NIL NIL NIL");
	put(w, ")");
}

static void
multipart(struct writer *w, const struct mime_part *p)
{
	const struct mime_part *c;

	if (p->children == NULL)
		empty_part(w);
	for (c = p->children; c != NULL && !w->err; c = c->next)
		part(w, c);
	put(w, " ");
	upper(w, p->subtype, 0);
	if (!w->extended)
		return;
	/* body-ext-mpart */
	put(w, " ");
	params(w, p->params, p->nparams, 0);
	ext_common(w, p);
}

static void
single(struct writer *w, const struct mime_part *p)
{
	upper(w, p->type, 0);
	put(w, " ");
	upper(w, p->subtype, 0);
	put(w, " ");
	fields(w, p);
	/* body-type-msg; message/global stays basic (RFC 3501's grammar
	 * has only MESSAGE/RFC822 there). */
	if (is_type(p, "message", "rfc822") && p->children != NULL) {
		const struct mime_part *c = p->children;

		put(w, " ");
		w->err |=
		    imap_envelope(w->msg + c->hdr_off, c->hdr_len, w->out) < 0;
		put(w, " ");
		part(w, c);
		put(w, " ");
		number(w, text_lines(w, p));
	} else if (is_type(p, "text", NULL)) {
		put(w, " ");
		number(w, text_lines(w, p));
	}
	if (!w->extended)
		return;
	/* body-ext-1part */
	put(w, " ");
	nstring(w, p->md5);
	ext_common(w, p);
}

/* One body, in parentheses. The depth is the tree's, bounded by mime.h's
 * limits (at most MIME_HARD_MAX_DEPTH). */
static void
part(struct writer *w, const struct mime_part *p)
{
	put(w, "(");
	if (is_type(p, "multipart", NULL))
		multipart(w, p);
	else
		single(w, p);
	put(w, ")");
}

int
imap_bodystructure(const struct mime_message *m, const char *msg, size_t len,
    int extended, struct buf *out)
{
	struct writer w = { msg, extended, out, 0 };

	/* The tree's offsets lie within the len bytes it was parsed from. */
	(void)len;

	part(&w, mime_root(m));
	return w.err ? -1 : 0;
}
