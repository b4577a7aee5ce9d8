/* SPDX-License-Identifier: MIT */
/* imap_body_fuzz - IMAP's views of arbitrary messages: BODY,
 * BODYSTRUCTURE and ENVELOPE, every part's sections, and a section text
 * from the input parsed and fetched.
 *
 * Input: byte 0 picks limits (bit 0: mime.h's defaults, else small ones:
 * depth 0 to 7 from bits 1 to 3, 20 parts, 4 parameters, 64-byte fields)
 * and, in its bits 1 to 7, a small output maximum for the cut checks; byte 1 is the length n of a
 * section text (cut to what is there), the next n bytes are that text,
 * and the rest is the message. Checked: BODY, BODYSTRUCTURE and ENVELOPE
 * succeed with room and are well-formed IMAP (parentheses balanced,
 * quoted strings closed without CR or LF, literals as long as they say);
 * with the small maximum they fail or succeed without passing it; every
 * part's BODY[p] and BODY[p.MIME] are as long as mime.h's sizes on the
 * wire and hold no bare LF; BINARY[p] gives 0 or UNKNOWN-CTE, and for an
 * identity encoding the BODY[p] octets; HEADER.FIELDS output ends with
 * the empty line; a section text that parses fetches without passing the
 * maximum. Nothing crashes or leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/imap_body.h"
#include "mail/mime.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed check stops the run where it failed. */
static inline void
check(int ok)
{
	if (!ok)
		__builtin_trap();
}

#define CHECK(x) check(!!(x))

/* Room for any output of a fuzzer-sized input. */
#define ROOM (16 * 1024 * 1024)

/* mime.h's defaults (bit 0 of b set), else small limits that the fuzzer
 * can reach, the depth (0 to 7) from bits 1 to 3. */
static void
limits(uint8_t b, struct mime_limits *lim)
{
	*lim = mime_default_limits;
	if (b & 1)
		return;
	lim->max_depth = (b >> 1) & 7;
	lim->max_parts = 20;
	lim->max_params = 4;
	lim->max_field = 64;
	lim->max_sections = 3;
}

struct ctx {
	const char *msg;
	size_t len;
	struct mime_message *m;
	struct buf out, body, path;
};

/* A well-formed IMAP value list: atoms, numbers, NIL, quoted strings,
 * literals, parentheses. */
static void
well_formed(const struct buf *b)
{
	size_t i = 0;
	long depth = 0;

	while (i < b->len) {
		char c = b->data[i];

		if (c == '(') {
			depth++;
			i++;
		} else if (c == ')') {
			CHECK(--depth >= 0);
			i++;
		} else if (c == '"') {
			for (i++; i < b->len && b->data[i] != '"'; i++) {
				CHECK(b->data[i] != '\r' && b->data[i] != '\n');
				if (b->data[i] == '\\')
					i++;
			}
			CHECK(i < b->len);
			i++;
		} else if (c == '{') {
			size_t n = 0;

			for (i++; i < b->len && b->data[i] >= '0' &&
			     b->data[i] <= '9';
			     i++)
				n = n * 10 + (size_t)(b->data[i] - '0');
			CHECK(i + 3 <= b->len && b->data[i] == '}' &&
			    b->data[i + 1] == '\r' && b->data[i + 2] == '\n');
			i += 3;
			CHECK(n <= b->len - i);
			i += n;
		} else {
			CHECK(c == ' ' || (c >= '0' && c <= '9') || c == 'N' ||
			    c == 'I' || c == 'L');
			i++;
		}
	}
	CHECK(depth == 0);
}

static void
no_bare_lf(const struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (b->data[i] == '\n')
			CHECK(i > 0 && b->data[i - 1] == '\r');
}

static int
fetch(struct ctx *c, const char *text, int binary, struct buf *out)
{
	struct imap_section sec;
	int ret;

	CHECK(imap_section_parse(text, strlen(text), &sec) == 0);
	buf_reset(out);
	ret = imap_section_fetch(c->m, c->msg, c->len, &sec, binary, out);
	/* imap_body.h's bound on any section's output */
	CHECK(out->len <= 2 * c->len + 2);
	return ret;
}

/* The sections of part p, whose path is in c->path. */
static void
check_part(struct ctx *c, const struct mime_part *p)
{
	size_t n = c->path.len;
	int ret;

	CHECK(fetch(c, c->path.data, 0, &c->body) == 0);
	CHECK(c->body.len == p->body_len + p->body_bare_lf);
	no_bare_lf(&c->body);
	(void)buf_puts(&c->path, ".MIME");
	CHECK(fetch(c, c->path.data, 0, &c->out) == 0);
	CHECK(c->out.len == p->hdr_len + p->hdr_bare_lf);
	no_bare_lf(&c->out);
	buf_truncate(&c->path, n);
	(void)buf_puts(&c->path, ".HEADER.FIELDS (Subject \"content-type\")");
	CHECK(fetch(c, c->path.data, 0, &c->out) == 0);
	CHECK(c->out.len == 0 ||
	    (c->out.len >= 2 &&
		memcmp(c->out.data + c->out.len - 2, "\r\n", 2) == 0));
	no_bare_lf(&c->out);
	buf_truncate(&c->path, n);
	ret = fetch(c, c->path.data, 1, &c->out);
	CHECK(ret == 0 || ret == IMAP_SECTION_UNKNOWN_CTE);
	if (ret == 0 && mime_encoding_get(p->encoding) == MIME_ENC_IDENTITY)
		CHECK(c->out.len == c->body.len &&
		    memcmp(c->out.data, c->body.data, c->body.len) == 0);
}

static void visit(struct ctx *c, const struct mime_part *p);

/* The numbered parts inside p (a multipart's, or a message's). */
static void
visit_children(struct ctx *c, const struct mime_part *p)
{
	const struct mime_part *k;
	size_t n = c->path.len;
	unsigned i = 1;

	for (k = p->children; k != NULL; k = k->next, i++) {
		(void)buf_printf(&c->path, "%s%u", n > 0 ? "." : "", i);
		visit(c, k);
		buf_truncate(&c->path, n);
	}
}

static void
visit(struct ctx *c, const struct mime_part *p)
{
	const struct mime_part *msg;
	size_t n = c->path.len;

	check_part(c, p);
	if (strcmp(p->type, "multipart") == 0) {
		visit_children(c, p);
		return;
	}
	if ((msg = p->children) == NULL)
		return;
	if (strcmp(msg->type, "multipart") == 0) {
		visit_children(c, msg);
		return;
	}
	(void)buf_puts(&c->path, ".1");
	visit(c, msg);
	buf_truncate(&c->path, n);
}

static void
structures(struct ctx *c, size_t small_max)
{
	const struct mime_part *r = mime_root(c->m);
	struct buf cut;
	int ext, ret;

	buf_init(&cut, small_max);
	for (ext = 0; ext <= 1; ext++) {
		buf_reset(&c->out);
		CHECK(imap_bodystructure(c->m, c->msg, c->len, ext, &c->out) ==
		    0);
		well_formed(&c->out);
		buf_reset(&cut);
		ret = imap_bodystructure(c->m, c->msg, c->len, ext, &cut);
		CHECK((ret == 0 || ret == -1) && cut.len <= small_max);
	}
	buf_reset(&c->out);
	CHECK(imap_envelope(c->msg + r->hdr_off, r->hdr_len, &c->out) == 0);
	well_formed(&c->out);
	buf_deinit(&cut);
}

/* The input's own section text, with room and cut. */
static void
own_section(struct ctx *c, const char *text, size_t n, size_t small_max)
{
	struct imap_section sec;
	struct buf cut;
	int binary;

	if (imap_section_parse(text, n, &sec) != 0)
		return;
	CHECK(sec.npath <= IMAP_SECTION_MAX_PATH &&
	    sec.nfields <= IMAP_SECTION_MAX_FIELDS);
	buf_init(&cut, small_max);
	for (binary = 0; binary <= 1; binary++) {
		int ret;

		buf_reset(&c->out);
		ret = imap_section_fetch(c->m, c->msg, c->len, &sec, binary,
		    &c->out);
		CHECK(ret == 0 || ret == IMAP_SECTION_UNKNOWN_CTE ||
		    ret == IMAP_SECTION_NOT_BINARY);
		CHECK(binary || ret == 0);
		CHECK(c->out.len <= 2 * c->len + 2);
		if (ret == 0 && !binary)
			no_bare_lf(&c->out);
		imap_partial(&c->out, small_max, small_max);
		CHECK(c->out.len <= small_max);
		buf_reset(&cut);
		ret = imap_section_fetch(c->m, c->msg, c->len, &sec, binary,
		    &cut);
		CHECK(ret <= 0 && cut.len <= small_max);
	}
	buf_deinit(&cut);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits lim;
	const struct mime_part *r;
	size_t tlen, small_max;
	struct ctx c;

	if (size < 2)
		return 0;
	limits(data[0], &lim);
	small_max = 1 + (size_t)(data[0] >> 1) * 4;
	tlen = data[1] <= size - 2 ? data[1] : size - 2;
	c.msg = (const char *)data + 2 + tlen;
	c.len = size - 2 - tlen;
	c.m = mime_parse(c.msg, c.len, &lim);
	buf_init(&c.out, ROOM);
	buf_init(&c.body, ROOM);
	buf_init(&c.path, 4096);
	structures(&c, small_max);
	r = mime_root(c.m);
	if (strcmp(r->type, "multipart") == 0)
		visit_children(&c, r);
	else {
		(void)buf_puts(&c.path, "1");
		visit(&c, r);
	}
	own_section(&c, (const char *)data + 2, tlen, small_max);
	buf_deinit(&c.out);
	buf_deinit(&c.body);
	buf_deinit(&c.path);
	mime_destroy(&c.m);
	return 0;
}
