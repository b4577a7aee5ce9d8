/* SPDX-License-Identifier: MIT */
/* mime_test - the MIME tree of small literal messages (plain, multipart
 * mixed / alternative / nested / digest, message/rfc822 inside a
 * multipart, a missing end boundary, a boundary that is the prefix of a
 * longer line, LF and CRLF), RFC 2231 parameters, RFC 2047 words, the
 * base64 and quoted-printable decoders fed at every split point, header
 * lookup, ENVELOPE address lists (groups, routes, comments), and the limits (deep nesting, many parts, a header of 100,000
 * continuations) keeping the parse bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mail/mime.h"
#include "util/buf.h"
#include "util/mem.h"

/* Structural invariants every tree keeps; returns the parts seen. */
static unsigned
check_tree(const struct mime_part *p, size_t len)
{
	const struct mime_part *c;
	unsigned n = 1, kids = 0;

	assert_true(p->hdr_off + p->hdr_len <= len);
	assert_true(p->hdr_off + p->hdr_len <= p->body_off);
	assert_true(p->body_off + p->body_len <= len);
	assert_non_null(p->type);
	assert_non_null(p->subtype);
	for (c = p->children; c != NULL; c = c->next) {
		assert_ptr_equal(c->parent, p);
		assert_int_equal(c->depth, p->depth + 1);
		assert_true(c->hdr_off >= p->body_off);
		assert_true(
		    c->body_off + c->body_len <= p->body_off + p->body_len);
		n += check_tree(c, len);
		kids++;
	}
	assert_int_equal(kids, p->nchildren);
	return n;
}

static struct mime_message *
parse(const char *msg, const struct mime_limits *lim)
{
	struct mime_message *m = mime_parse(msg, strlen(msg), lim);

	assert_int_equal(check_tree(mime_root(m), strlen(msg)),
	    mime_part_count(m));
	return m;
}

static void
assert_body(const char *msg, const struct mime_part *p, const char *want)
{
	assert_int_equal(p->body_len, strlen(want));
	assert_memory_equal(msg + p->body_off, want, p->body_len);
}

static void
assert_type(const struct mime_part *p, const char *type, const char *sub)
{
	assert_string_equal(p->type, type);
	assert_string_equal(p->subtype, sub);
}

static const struct mime_part *
child(const struct mime_part *p, unsigned i)
{
	const struct mime_part *c = p->children;

	while (c != NULL && i-- > 0)
		c = c->next;
	assert_non_null(c);
	return c;
}

static void
test_plain(void **state)
{
	const char *lf = "Subject: hi\nFrom: a@example.org\n\nHello\nWorld\n";
	const char *crlf =
	    "Subject: hi\r\nFrom: a@example.org\r\n\r\nHello\r\nWorld\r\n";
	struct mime_message *m;
	const struct mime_part *r;

	(void)state;
	m = parse(lf, NULL);
	r = mime_root(m);
	assert_type(r, "text", "plain");
	assert_true(r->flags & MIME_PART_DEFAULT_TYPE);
	assert_string_equal(mime_param_get(r->params, r->nparams, "CHARSET",
				NULL),
	    "us-ascii");
	assert_int_equal(r->hdr_off, 0);
	assert_int_equal(r->hdr_len, 33);
	assert_int_equal(r->hdr_lines, 3);
	assert_int_equal(r->hdr_bare_lf, 3);
	assert_body(lf, r, "Hello\nWorld\n");
	assert_int_equal(r->body_lines, 2);
	assert_int_equal(r->body_bare_lf, 2);
	assert_null(r->children);
	mime_destroy(&m);
	assert_null(m);

	/* CRLF: the same lines, no bare LF; sizes as stored. */
	m = parse(crlf, NULL);
	r = mime_root(m);
	assert_int_equal(r->hdr_len, 36);
	assert_int_equal(r->hdr_bare_lf, 0);
	assert_body(crlf, r, "Hello\r\nWorld\r\n");
	assert_int_equal(r->body_lines, 2);
	assert_int_equal(r->body_bare_lf, 0);
	mime_destroy(&m);

	/* No empty line: all header. No final LF: the last line counts. */
	m = parse("Subject: x", NULL);
	r = mime_root(m);
	assert_true(r->flags & MIME_PART_NO_BODY);
	assert_int_equal(r->hdr_len, 10);
	assert_int_equal(r->hdr_lines, 1);
	assert_int_equal(r->body_len, 0);
	mime_destroy(&m);
	m = parse("\nbody", NULL);
	assert_int_equal(mime_root(m)->body_lines, 1);
	mime_destroy(&m);
	m = mime_parse(NULL, 0, NULL);
	assert_int_equal(mime_part_count(m), 1);
	mime_destroy(&m);
	mime_destroy(&m);
}

static const char mixed[] =
    "From: a@example.org\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed;\n"
    "\tboundary=\"=_b1\" (a comment)\n"
    "\n"
    "This is the preamble.\n"
    "--=_b1\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: Quoted-Printable\n"
    "\n"
    "Hello=20there\n"
    "--=_b1 \t\n"
    "Content-Type: application/pdf; name=\"doc.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=doc.pdf; size=11\n"
    "Content-ID: <id1@example.org>\n"
    "Content-Description: a  document\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
    "Content-Language: en, fr\n"
    "Content-Location: http://example.org/doc.pdf\n"
    "\n"
    "aGVsbG8g\n"
    "d29ybGQ=\n"
    "--=_b1--\n"
    "The epilogue.\n";

static void
test_mixed(void **state)
{
	struct mime_message *m;
	const struct mime_part *r, *t, *a;
	struct mime_decoder d;
	struct buf out;

	(void)state;
	m = parse(mixed, NULL);
	r = mime_root(m);
	assert_type(r, "multipart", "mixed");
	assert_string_equal(mime_param_get(r->params, r->nparams, "boundary",
				NULL),
	    "=_b1");
	assert_int_equal(r->nchildren, 2);
	assert_int_equal(r->flags, 0);
	assert_int_equal(mime_part_count(m), 3);
	/* The multipart's body runs from the preamble to the epilogue. */
	assert_body(mixed, r, strstr(mixed, "This is"));
	t = child(r, 0);
	assert_type(t, "text", "plain");
	assert_string_equal(t->encoding, "quoted-printable");
	assert_string_equal(mime_param_get(t->params, t->nparams, "charset",
				NULL),
	    "UTF-8");
	assert_body(mixed, t, "Hello=20there");
	assert_int_equal(t->body_lines, 1);
	assert_int_equal(t->hdr_off,
	    strstr(mixed, "Content-Type: text") - mixed);
	a = child(r, 1);
	assert_type(a, "application", "pdf");
	assert_string_equal(a->disposition, "attachment");
	assert_string_equal(mime_param_get(a->disp_params, a->ndisp_params,
				"filename", NULL),
	    "doc.pdf");
	assert_string_equal(mime_param_get(a->disp_params, a->ndisp_params,
				"size", NULL),
	    "11");
	assert_string_equal(mime_param_get(a->params, a->nparams, "name", NULL),
	    "doc.pdf");
	assert_string_equal(a->id, "<id1@example.org>");
	assert_string_equal(a->description, "a  document");
	assert_string_equal(a->md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
	assert_string_equal(a->language, "en, fr");
	assert_string_equal(a->location, "http://example.org/doc.pdf");
	assert_body(mixed, a, "aGVsbG8g\nd29ybGQ=");
	assert_int_equal(a->body_lines, 2);
	assert_null(a->next);

	buf_init(&out, 100);
	mime_decoder_init(&d, mime_encoding_get(a->encoding));
	assert_int_equal(mime_decoder_feed(&d, mixed + a->body_off, a->body_len,
			     &out),
	    0);
	assert_int_equal(mime_decoder_finish(&d, &out), 0);
	assert_string_equal(out.data, "hello world");
	buf_deinit(&out);
	mime_destroy(&m);
}

static void
test_mixed_crlf(void **state)
{
	struct mime_message *m;
	const struct mime_part *r, *a;
	struct buf crlf;
	size_t i;

	(void)state;
	buf_init(&crlf, 4096);
	for (i = 0; mixed[i] != 0; i++) {
		if (mixed[i] == '\n')
			(void)buf_putc(&crlf, '\r');
		(void)buf_putc(&crlf, mixed[i]);
	}
	m = parse(crlf.data, NULL);
	r = mime_root(m);
	assert_int_equal(r->nchildren, 2);
	assert_body(crlf.data, child(r, 0), "Hello=20there");
	a = child(r, 1);
	assert_body(crlf.data, a, "aGVsbG8g\r\nd29ybGQ=");
	assert_int_equal(a->body_bare_lf, 0);
	mime_destroy(&m);

	/* The LF sizes plus the bare LFs give the CRLF sizes. */
	m = parse(mixed, NULL);
	r = mime_root(m);
	a = child(r, 1);
	assert_int_equal(a->body_len + a->body_bare_lf,
	    strlen("aGVsbG8g\r\nd29ybGQ="));
	assert_int_equal(r->hdr_len + r->hdr_bare_lf,
	    strstr(crlf.data, "This is") - crlf.data);
	mime_destroy(&m);
	buf_deinit(&crlf);
}

/* The message cut at every byte still parses into a sound tree, and the
 * parts before the cut come out as in the whole message. */
static void
test_every_cut(void **state)
{
	size_t n = strlen(mixed), cut;

	(void)state;
	for (cut = 0; cut <= n; cut++) {
		char *prefix = xstrndup(mixed, cut);
		struct mime_message *m = parse(prefix, NULL);
		const struct mime_part *r = mime_root(m);

		if (cut >= (size_t)(strstr(mixed, "--=_b1 \t") - mixed) + 6) {
			/* (3 where the cut leaves "--=_b1" of the close) */
			assert_true(r->nchildren >= 2);
			assert_body(prefix, child(r, 0), "Hello=20there");
		}
		if (cut > (size_t)(strstr(mixed, "This is") - mixed) &&
		    cut < n - strlen("--=_b1--\nThe epilogue.\n"))
			assert_true(r->flags & MIME_PART_NO_END_BOUNDARY);
		mime_destroy(&m);
		xfree(prefix);
	}
}

static void
test_nested(void **state)
{
	static const char msg[] =
	    "Content-Type: multipart/mixed; boundary=outer\n"
	    "\n"
	    "--outer\n"
	    "Content-Type: multipart/alternative; boundary=\"outer-inner\"\n"
	    "\n"
	    "--outer-inner\n"
	    "\n"
	    "plain text\n"
	    "--outer-inner\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<p>html</p>\n"
	    "--outer-inner--\n"
	    "--outer\n"
	    "Content-Type: message/rfc822\n"
	    "\n"
	    "Subject: inner\n"
	    "Content-Type: multipart/digest; boundary=d\n"
	    "\n"
	    "--d\n"
	    "\n"
	    "Subject: digest one\n"
	    "\n"
	    "one\n"
	    "--d\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "two\n"
	    "--d--\n"
	    "\n"
	    "--outer--\n";
	struct mime_message *m;
	const struct mime_part *r, *alt, *rfc, *enc, *dg, *d1;

	(void)state;
	m = parse(msg, NULL);
	r = mime_root(m);
	assert_int_equal(r->nchildren, 2);
	alt = child(r, 0);
	assert_type(alt, "multipart", "alternative");
	assert_int_equal(alt->nchildren, 2);
	assert_type(child(alt, 0), "text", "plain");
	assert_body(msg, child(alt, 0), "plain text");
	assert_type(child(alt, 1), "text", "html");
	assert_body(msg, child(alt, 1), "<p>html</p>");
	/* The alternative ends before the LF preceding "--outer". */
	assert_int_equal(alt->body_off + alt->body_len,
	    strstr(msg, "--outer-inner--\n") - msg + 15);

	rfc = child(r, 1);
	assert_type(rfc, "message", "rfc822");
	assert_int_equal(rfc->nchildren, 1);
	enc = rfc->children;
	assert_int_equal(enc->hdr_off, rfc->body_off);
	assert_int_equal(enc->body_off + enc->body_len,
	    rfc->body_off + rfc->body_len);
	dg = enc;
	assert_type(dg, "multipart", "digest");
	assert_int_equal(dg->nchildren, 2);
	d1 = child(dg, 0);
	/* In a digest the default is message/rfc822. */
	assert_type(d1, "message", "rfc822");
	assert_true(d1->flags & MIME_PART_DEFAULT_TYPE);
	assert_int_equal(d1->nchildren, 1);
	assert_body(msg, d1->children, "one");
	assert_type(child(dg, 1), "text", "plain");
	assert_body(msg, child(dg, 1), "two");
	assert_int_equal(mime_part_count(m), 9);
	mime_destroy(&m);
}

static void
test_boundaries(void **state)
{
	/* A missing end boundary; a line that only starts with the
	 * boundary; a boundary line with trailing white space. */
	static const char msg[] =
	    "Content-Type: multipart/mixed; boundary=abc\n"
	    "\n"
	    "--abc\n"
	    "\n"
	    "one\n"
	    "--abcdef\n"
	    "--abc-- x\n"
	    "--abc  \n"
	    "\n"
	    "two\n";
	static const char open[] =
	    "Content-Type: multipart/mixed; boundary=o\n\n"
	    "--o\nContent-Type: multipart/mixed; boundary=i\n\n"
	    "--i\n\ninner\n"
	    "--o\n\nlast\n--o--\n";
	struct mime_message *m;
	const struct mime_part *r;

	(void)state;
	m = parse(msg, NULL);
	r = mime_root(m);
	assert_int_equal(r->nchildren, 2);
	assert_true(r->flags & MIME_PART_NO_END_BOUNDARY);
	assert_body(msg, child(r, 0), "one\n--abcdef\n--abc-- x");
	assert_body(msg, child(r, 1), "two\n");
	mime_destroy(&m);

	/* An inner multipart left open ends at the outer delimiter. */
	m = parse(open, NULL);
	r = mime_root(m);
	assert_int_equal(r->nchildren, 2);
	assert_true(child(r, 0)->flags & MIME_PART_NO_END_BOUNDARY);
	assert_int_equal(child(r, 0)->nchildren, 1);
	assert_body(open, child(child(r, 0), 0), "inner");
	assert_body(open, child(r, 1), "last");
	mime_destroy(&m);

	/* Multipart without a boundary: no children. Empty parts. */
	m = parse("Content-Type: multipart/mixed\n\n--x\n\nbody\n", NULL);
	r = mime_root(m);
	assert_true(r->flags & MIME_PART_NO_BOUNDARY);
	assert_int_equal(r->nchildren, 0);
	mime_destroy(&m);
	m = parse("Content-Type: multipart/mixed; boundary=x\n\n--x\n--x\n"
		  "--x--",
	    NULL);
	r = mime_root(m);
	assert_int_equal(r->nchildren, 2);
	assert_int_equal(child(r, 0)->body_len, 0);
	assert_true(child(r, 0)->flags & MIME_PART_NO_BODY);
	/* The empty part is before the LF that "--x--" takes (fuzz). */
	assert_int_equal(child(r, 1)->hdr_off,
	    strlen("Content-Type: multipart/mixed; boundary=x\n\n--x\n--x"));
	mime_destroy(&m);
	/* A delimiter right after an empty line takes that line's break:
	 * the encapsulated message's header ends before it (fuzz). */
	m = parse("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
		  "Content-Type: message/rfc822\n\nX: y\n\n--o--\n",
	    NULL);
	r = child(mime_root(m), 0)->children;
	assert_int_equal(r->hdr_len, 5);
	assert_int_equal(r->body_len, 0);
	assert_int_equal(r->body_off, r->hdr_off + 5);
	mime_destroy(&m);
	m = parse("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
		  "Content-Type: message/rfc822\n\n--o--\n",
	    NULL);
	assert_int_equal(child(mime_root(m), 0)->nchildren, 0);
	mime_destroy(&m);
	/* A bad Content-Type is the default. */
	m = parse("Content-Type: text\n\nx", NULL);
	assert_type(mime_root(m), "text", "plain");
	assert_true(mime_root(m)->flags & MIME_PART_DEFAULT_TYPE);
	mime_destroy(&m);
}

static void
test_rfc2231(void **state)
{
	static const char msg[] =
	    "Content-Type: application/x-stuff;\n"
	    " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\n"
	    " title*0*=us-ascii'en'This%20is%20even%20more%20;\n"
	    " title*2=\"isn't it!\"; TITLE=ignored\n"
	    "Content-Disposition: attachment;\n"
	    " filename*=iso-8859-1''caf%E9.txt; x*0=a; x*2=c;\n"
	    " q=\"a\\\"b\"; Name*0=\"one \"; name*1=two\n"
	    "\n";
	struct mime_message *m;
	const struct mime_part *r;
	const struct mime_param *p;
	size_t len;

	(void)state;
	m = parse(msg, NULL);
	r = mime_root(m);
	assert_int_equal(r->nparams, 1);
	p = &r->params[0];
	assert_string_equal(p->name, "title");
	assert_string_equal(p->value, "This is even more ***fun*** isn't it!");
	assert_string_equal(p->charset, "us-ascii");
	assert_string_equal(p->language, "en");
	assert_string_equal(mime_param_get(r->disp_params, r->ndisp_params,
				"filename", &len),
	    "caf\xe9.txt");
	assert_int_equal(len, 8);
	assert_string_equal(r->disp_params[0].charset, "iso-8859-1");
	assert_string_equal(r->disp_params[0].language, "");
	/* A gap ends the value. */
	assert_string_equal(mime_param_get(r->disp_params, r->ndisp_params, "x",
				NULL),
	    "a");
	assert_null(r->disp_params[1].charset);
	assert_string_equal(mime_param_get(r->disp_params, r->ndisp_params, "q",
				NULL),
	    "a\"b");
	assert_string_equal(mime_param_get(r->disp_params, r->ndisp_params,
				"name", NULL),
	    "one two");
	mime_destroy(&m);

	/* %00 is kept, with the length telling. */
	m = parse("Content-Type: a/b; n*=''x%00y\n\n", NULL);
	r = mime_root(m);
	assert_memory_equal(mime_param_get(r->params, r->nparams, "n", &len),
	    "x\0y", 3);
	assert_int_equal(len, 3);
	mime_destroy(&m);
}

static void
word(const char *in, const char *want)
{
	struct buf out;

	buf_init(&out, 1024);
	assert_int_equal(mime_word_decode(in, strlen(in), &out), 0);
	assert_string_equal(out.data, want);
	buf_deinit(&out);
}

static void
test_words(void **state)
{
	struct buf v, small;
	size_t pos = 0;
	static const char hdr[] = "From: a@example.org\n"
				  "subject: =?ISO-8859-1?Q?caf=E9?=\n"
				  "  =?utf-8?B?IOKCrA==?= and\n"
				  "\t=?windows-1252?q?=80_x?=\n"
				  "Subject: second\n"
				  "\n"
				  "Subject: body\n";

	(void)state;
	word("plain text", "plain text");
	word("=?utf-8?q?a_b?= c", "a b c");
	word("x =?utf-8?q?a?= =?utf-8?q?b?=\t=?UTF-8*en?Q?c?=", "x abc");
	/* A UTF-8 character split across two words. */
	word("=?utf-8?b?4g==?= =?utf-8?b?gqw=?=", "\xe2\x82\xac");
	word("=?iso-8859-1?q?=E9?==?us-ascii?q?=E9?=", "\xc3\xa9\xef\xbf\xbd");
	word("=?x-nonsuch?b?5eTp?= =?utf-8?q?x?=", "=?x-nonsuch?b?5eTp?= x");
	/* Charsets through iconv; words joined before conversion keep a
	 * shift state (the second word alone would read "$K$A$O"). */
	word("=?koi8-r?b?5eTp?= =?utf-8?q?x?=", "\xd0\x95\xd0\x94\xd0\x98x");
	word("=?koi8-r?Q?=D0=D2=C9=D7=C5=D4?=",
	    "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
	word("=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
	    "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf");
	word(
	    "=?ISO-2022-JP?B?GyRCJDMkcw==?=\r\n =?iso-2022-jp?B?JEskQSRPGyhC?=",
	    "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf");
	word("a =?gb2312?B?1tDOxA==?= b", "a \xe4\xb8\xad\xe6\x96\x87 b");
	word("=?utf-8?x?bad?= =?utf-8?q?no end",
	    "=?utf-8?x?bad?= =?utf-8?q?no end");
	word("=?utf-8?q?a b?=", "=?utf-8?q?a b?=");
	word("8bit \xff ok", "8bit \xef\xbf\xbd ok");
	word("=?cp1252?q?=81=9f?=", "\xef\xbf\xbd\xc5\xb8");

	buf_init(&v, 1024);
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "SUBJECT", &pos,
			     &v),
	    1);
	assert_string_equal(v.data,
	    "=?ISO-8859-1?Q?caf=E9?=  =?utf-8?B?IOKCrA==?= and\t"
	    "=?windows-1252?q?=80_x?=");
	buf_init(&small, 1024);
	assert_int_equal(mime_word_decode(v.data, v.len, &small), 0);
	assert_string_equal(small.data,
	    "caf\xc3\xa9 \xe2\x82\xac and\t\xe2\x82\xac x");
	buf_deinit(&small);
	buf_reset(&v);
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "Subject", &pos,
			     &v),
	    1);
	assert_string_equal(v.data, "second");
	/* The header ends at the empty line. */
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "Subject", &pos,
			     &v),
	    0);
	pos = 0;
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "To", &pos, &v), 0);

	/* A bounded output is cut, and says so. */
	buf_init(&small, 4);
	assert_int_equal(mime_word_decode("=?utf-8?q?abcdef?=", 18, &small),
	    -1);
	assert_true(small.len <= 4);
	buf_deinit(&small);
	buf_deinit(&v);
}

struct want_addr {
	const char *name, *route, *mailbox, *host;
};

static void
addrs(const char *in, const struct want_addr *want, unsigned n)
{
	struct mime_address *a;
	unsigned got, i;

	got = mime_addr_parse(in, strlen(in), 100, &a);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++) {
		const char *w[4] = { want[i].name, want[i].route,
			want[i].mailbox, want[i].host };
		const char *g[4] = { a[i].name, a[i].route, a[i].mailbox,
			a[i].host };
		unsigned k;

		for (k = 0; k < 4; k++) {
			if (w[k] == NULL)
				assert_null(g[k]);
			else {
				assert_non_null(g[k]);
				assert_string_equal(g[k], w[k]);
			}
		}
	}
	mime_addr_free(a, got);
}

static void
test_addresses(void **state)
{
	static const struct want_addr one[] = {
		{ "John Q. Public", NULL, "jqp", "example.org" },
		{ "=?utf-8?q?J=C3=B6rg?=", NULL, "joerg", "example.de" },
		{ NULL, NULL, "bare", "example.net" },
		{ "Old Style", NULL, "old", "example.com" },
		{ "Joe Q Smith", "@relay.example,@b.example", "\"j s\"",
		    "[192.0.2.1]" },
	};
	static const struct want_addr group[] = {
		{ NULL, NULL, "A Group", NULL },
		{ "Ed", NULL, "ed", "x.example" },
		{ NULL, NULL, "jdoe", MIME_ADDR_MISSING_DOMAIN },
		{ NULL, NULL, NULL, NULL },
		{ NULL, NULL, "after", "x.example" },
		{ NULL, NULL, "undisclosed-recipients", NULL },
		{ NULL, NULL, NULL, NULL },
		{ NULL, NULL, "open", NULL },
		{ NULL, NULL, MIME_ADDR_MISSING_MAILBOX, "y.example" },
		{ NULL, NULL, NULL, NULL },
	};
	struct mime_address *a;

	(void)state;
	addrs(
	    "\"John Q. Public\" <jqp@example.org>, "
	    "=?utf-8?q?J=C3=B6rg?= <joerg@example.de>,bare@example.net ,\n"
	    " old@example.com (Old Style),"
	    "Joe \"Q\" Smith <@relay.example,@b.example: \"j s\"@[192.0.2.1]>",
	    one, 5);
	addrs("A Group: Ed <ed@x.example>, jdoe;after@x.example, "
	      "undisclosed-recipients:;open: <@y.example>",
	    group, 10);
	addrs("", NULL, 0);
	addrs(" , ;>)", NULL, 0);
	/* The limit on entries. */
	assert_int_equal(mime_addr_parse("a@b, c@d, e@f", 13, 2, &a), 2);
	mime_addr_free(a, 2);
}

/* Decode in with enc, fed at every split point, and compare. */
static void
decode_split(enum mime_encoding enc, const char *in, const char *want,
    size_t want_len)
{
	size_t n = strlen(in), cut;

	for (cut = 0; cut <= n; cut++) {
		struct mime_decoder d;
		struct buf out;

		buf_init(&out, 1024);
		mime_decoder_init(&d, enc);
		assert_int_equal(mime_decoder_feed(&d, in, cut, &out), 0);
		assert_int_equal(mime_decoder_feed(&d, in + cut, n - cut, &out),
		    0);
		assert_int_equal(mime_decoder_finish(&d, &out), 0);
		assert_int_equal(out.len, want_len);
		assert_memory_equal(out.data, want, want_len);
		buf_deinit(&out);
	}
}

static void
test_decoders(void **state)
{
	static const char qp_in[] = "a=3Db=\nc  \r\nd=e9=ZZ=4\tx \t\n"
				    "soft= \t\r\nend= x=\n";
	static const char qp_out[] = "a=bc\r\nd\xe9=ZZ=4\tx\nsoftend= x";

	(void)state;
	decode_split(MIME_ENC_QP, qp_in, qp_out, sizeof(qp_out) - 1);
	decode_split(MIME_ENC_QP, "=", "", 0);
	decode_split(MIME_ENC_QP, "x=A", "x=A", 3);
	decode_split(MIME_ENC_QP, "cr\rx", "cr\rx", 4);
	decode_split(MIME_ENC_BASE64, "SGVs\nbG8g!!d29y bGQ=garbage",
	    "Hello world", 11);
	decode_split(MIME_ENC_BASE64, "SGVsbA", "Hell", 4);
	decode_split(MIME_ENC_BASE64, "SGVsbG", "Hell", 4);
	decode_split(MIME_ENC_BASE64, "S", "", 0);
	decode_split(MIME_ENC_IDENTITY, "a=3D\n", "a=3D\n", 5);
	assert_int_equal(mime_encoding_get("BASE64"), MIME_ENC_BASE64);
	assert_int_equal(mime_encoding_get("7bit"), MIME_ENC_IDENTITY);
	assert_int_equal(mime_encoding_get(NULL), MIME_ENC_IDENTITY);
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_limits(void **state)
{
	struct mime_limits lim = mime_default_limits;
	struct mime_message *m;
	const struct mime_part *p;
	struct buf msg;
	unsigned i, depth;
	double t0;

	(void)state;
	buf_init(&msg, 64 * 1024 * 1024);
	/* 5,000 nested multiparts: depth stops at the limit. */
	for (i = 0; i < 5000; i++)
		(void)buf_printf(&msg,
		    "Content-Type: multipart/mixed; boundary=b%u\n\n--b%u\n", i,
		    i);
	(void)buf_puts(&msg, "\nleaf\n");
	t0 = seconds();
	m = parse(msg.data, NULL);
	for (p = mime_root(m), depth = 0; p->children != NULL; p = p->children)
		depth++;
	assert_int_equal(depth, MIME_DEF_MAX_DEPTH);
	assert_true(p->flags & MIME_PART_TRUNCATED);
	assert_int_equal(mime_part_count(m), MIME_DEF_MAX_DEPTH + 1);
	mime_destroy(&m);

	/* 5,000 nested message/rfc822, with a depth limit of 3. */
	buf_reset(&msg);
	for (i = 0; i < 5000; i++)
		(void)buf_puts(&msg, "Content-Type: message/rfc822\n\n");
	lim.max_depth = 3;
	m = parse(msg.data, &lim);
	assert_int_equal(mime_part_count(m), 4);
	mime_destroy(&m);

	/* 100,000 parts: only max_parts are kept, the rest is content. */
	buf_reset(&msg);
	(void)buf_puts(&msg, "Content-Type: multipart/mixed; boundary=x\n\n");
	for (i = 0; i < 100000; i++)
		(void)buf_puts(&msg, "--x\n\nbody\n");
	(void)buf_puts(&msg, "--x--\n");
	m = parse(msg.data, NULL);
	assert_int_equal(mime_part_count(m), MIME_DEF_MAX_PARTS);
	assert_true(mime_root(m)->flags & MIME_PART_TRUNCATED);
	assert_false(mime_root(m)->flags & MIME_PART_NO_END_BOUNDARY);
	mime_destroy(&m);
	lim = mime_default_limits;
	lim.max_parts = 0;
	m = parse(msg.data, &lim);
	assert_int_equal(mime_part_count(m), 1);
	mime_destroy(&m);

	/* 100,000 RFC 2231 continuations in one field, in reverse order:
	 * only max_sections sections of a value are joined. */
	buf_reset(&msg);
	(void)buf_puts(&msg, "Content-Type: text/plain");
	for (i = 100000; i-- > 0;)
		(void)buf_printf(&msg, ";\n f*%u*=%%41", i);
	(void)buf_puts(&msg, "\n\nbody\n");
	lim = mime_default_limits;
	lim.max_field = 4 * 1024 * 1024;
	m = parse(msg.data, &lim);
	p = mime_root(m);
	assert_int_equal(p->nparams, 1);
	assert_int_equal(p->params[0].value_len, MIME_DEF_MAX_SECTIONS);
	mime_destroy(&m);
	/* ...and 100,000 distinct parameters keep max_params. */
	buf_reset(&msg);
	(void)buf_puts(&msg, "Content-Disposition: inline");
	for (i = 0; i < 100000; i++)
		(void)buf_printf(&msg, "; p%u=\"v\"", i);
	(void)buf_puts(&msg, "\n\n");
	m = parse(msg.data, &lim);
	assert_int_equal(mime_root(m)->ndisp_params, MIME_DEF_MAX_PARAMS);
	mime_destroy(&m);
	/* A field longer than max_field is cut. */
	lim.max_field = 40;
	m = parse(msg.data, &lim);
	assert_true(mime_root(m)->ndisp_params <= 5);
	mime_destroy(&m);
	/* All of it well under a second or two (quadratic would not be). */
	assert_true(seconds() - t0 < 5.0);
	buf_deinit(&msg);
}

/* mime_header_find passes over lines that cannot be the field without
 * taking them apart: the same fields are found as field by field. */
static void
test_header_find(void **state)
{
	static const char hdr[] = "Subjects: not this\r\n"
				  "X-Subject: nor this\r\n"
				  "Received: from a\r\n"
				  " Subject: a continuation, not a field\r\n"
				  "Subject : obsolete form\r\n"
				  "subject:\tfolded\r\n"
				  "\tvalue\r\n"
				  "SUBJECT:last\n"
				  "\r\n"
				  "Subject: in the body\r\n";
	const char *want[] = { "obsolete form", "folded\tvalue", "last" };
	struct buf v, small;
	size_t pos = 0, i;

	(void)state;
	buf_init(&v, 1024);
	for (i = 0; i < 3; i++) {
		buf_reset(&v);
		assert_int_equal(mime_header_find(hdr, strlen(hdr), "Subject",
				     &pos, &v),
		    1);
		assert_string_equal(v.data, want[i]);
	}
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "Subject", &pos,
			     &v),
	    0);
	/* A name that is no field name finds nothing either way. */
	pos = 0;
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "Subject:", &pos,
			     &v),
	    0);
	pos = 0;
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "", &pos, &v), 0);
	/* Unfolding stops at the output's maximum, in the middle of a run. */
	buf_init(&small, 8);
	pos = 0;
	assert_int_equal(mime_header_find(hdr, strlen(hdr), "Received", &pos,
			     &small),
	    1);
	assert_string_equal(small.data, "from a S");
	buf_deinit(&small);
	buf_deinit(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_mixed_crlf),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_rfc2231),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_header_find),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_decoders),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
